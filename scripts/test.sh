#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds kura twice with warnings as errors
# (plain, then AddressSanitizer + UndefinedBehaviorSanitizer) and runs every test in both (the
# plain build also runs two end-to-end scripts under valgrind memcheck), a benchmark smoke run
# (bench/run.sh --quick), then a bounded fuzzing run (scripts/fuzz.sh, FUZZ_SECONDS per target, 30 by default).
# Ends with "tests: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
bash scripts/deps.sh --test || { echo "tests: 0 passed, 1 failed"; exit 1; }

jobs=$(nproc)
passed=0
failed=0

suite() {
    local dir=$1
    shift
    echo "== $dir: configure and build $*"
    if ! cmake -S . -B "$dir" -DKURA_WERROR=ON -DKURA_TESTS=ON "$@" >"$dir.configure.log" 2>&1; then
        cat "$dir.configure.log"
        failed=$((failed + 1))
        return
    fi
    if ! cmake --build "$dir" -j "$jobs" 2>&1 | grep -vE '^\[ *[0-9]+%\]'; then :; fi
    if [ "${PIPESTATUS[0]}" != 0 ]; then
        echo "== $dir: build failed"
        failed=$((failed + 1))
        return
    fi
    echo "== $dir: tests"
    (cd "$dir" && ctest -j "$jobs" --output-on-failure --timeout 600) | tee "$dir.ctest.log"
    local line
    line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$dir.ctest.log" | tail -1)
    if [ -z "$line" ]; then
        failed=$((failed + 1))
        return
    fi
    local f n
    f=$(sed -E 's/.*passed, ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")
    n=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
    passed=$((passed + n - f))
    failed=$((failed + f))
}

echo "== clang-format: every C file formatted as .clang-format says (check only)"
unformatted=$(git ls-files '*.c' '*.h' 2>/dev/null | xargs clang-format --dry-run 2>&1 | grep -c 'warning:')
if [ "$unformatted" = 0 ]; then
    passed=$((passed + 1))
else
    echo "== clang-format: $unformatted places differ; run clang-format -i on the files it names:"
    git ls-files '*.c' '*.h' | xargs clang-format --dry-run 2>&1 | grep 'warning:' | cut -d: -f1 | sort -u
    failed=$((failed + 1))
fi

suite build -DCMAKE_BUILD_TYPE=RelWithDebInfo
# Under the sanitizers t_faults.sh injects a fault at every other I/O call (the plain suite
# above, and tests/stress/run.sh faults, at every one): all of them took 190 to 300 s of its
# 300 s limit on two cores.
KURA_FAULT_STEP=2 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    suite build-asan -DCMAKE_BUILD_TYPE=Debug -DKURA_SANITIZE=ON

echo "== benchmark smoke run: bash bench/run.sh --quick (1,000 items, kura only, no thresholds)"
if bash bench/run.sh --quick >build-bench.log 2>&1 && grep -q '^| get one password, by title' build-bench.log; then
    sed -n '/^## 1,000 items/,/^Vault file/p' build-bench.log
    passed=$((passed + 1))
else
    tail -30 build-bench.log
    echo "== benchmark smoke run failed"
    failed=$((failed + 1))
fi

echo "== sync benchmark smoke run: bash bench/sync.sh --quick (1,000 items, no thresholds)"
if bash bench/sync.sh --quick >build-bench-sync.log 2>&1 && grep -q '^| merging sync' build-bench-sync.log; then
    sed -n '/^kura sync at/,$p' build-bench-sync.log
    passed=$((passed + 1))
else
    tail -30 build-bench-sync.log
    echo "== sync benchmark smoke run failed"
    failed=$((failed + 1))
fi

echo "== fuzzing, ${FUZZ_SECONDS:-30}s a target"
FUZZ_SECONDS=${FUZZ_SECONDS:-30} bash scripts/fuzz.sh | tee build-fuzz.summary.log
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' build-fuzz.summary.log | tail -1)
if [ -n "$line" ]; then
    passed=$((passed + $(cut -d' ' -f1 <<<"$line")))
    failed=$((failed + $(cut -d' ' -f3 <<<"$line")))
else
    failed=$((failed + 1))
fi

echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
