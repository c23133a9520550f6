# bench/build.sh, sourced by the benchmarks: build_kura TARGET...: a Release build of those
# targets in build-bench (ROOT set by the caller), and K, the kura it made.
build_kura() {
    echo "== building kura (Release) in build-bench" >&2
    cmake -S "$ROOT" -B "$ROOT/build-bench" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$ROOT/build-bench" -j "$(nproc)" --target "$@" >/dev/null
    K=$ROOT/build-bench/kura
}
