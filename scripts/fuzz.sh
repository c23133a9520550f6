#!/usr/bin/env bash
# Fuzzing with libFuzzer (clang, ASan+UBSan): builds the targets in build-fuzz, replays every
# saved crash in tests/fuzz/regressions, then fuzzes each target for FUZZ_SECONDS (default 60;
# CI runs 30) from the seed corpus in tests/fuzz/corpus. A new crash input is saved to
# tests/fuzz/regressions/<target>/ to be kept as a regression test. Ends with the figures and
# "N passed, N failed" (one per target). Long run: FUZZ_SECONDS=3600 bash scripts/fuzz.sh
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
bash scripts/deps.sh --test || exit 1
secs=${FUZZ_SECONDS:-60}
targets=(key payload vault blobs image import sync remote)

if ! { CC=clang cmake -S . -B build-fuzz -DKURA_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >build-fuzz.log 2>&1 &&
    cmake --build build-fuzz -j "$(nproc)" >>build-fuzz.log 2>&1; }; then
    tail -30 build-fuzz.log
    echo "fuzz: build failed"
    echo "0 passed, ${#targets[@]} failed"
    exit 1
fi
export KURA_FUZZ_KEY
KURA_FUZZ_KEY=$(cat tests/fuzz/corpus/vault.key)
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0
passed=0 failed=0 runs=0 crashes=0
for t in "${targets[@]}"; do
    bin=build-fuzz/fuzz_$t
    saved=tests/fuzz/regressions/$t
    work=build-fuzz/corpus-$t
    mkdir -p "$saved" "$work"
    ok=1
    if [ -n "$(ls -A "$saved")" ]; then
        "$bin" "$saved"/* >"build-fuzz/$t.replay.log" 2>&1 || {
            ok=0
            echo "fuzz_$t: a saved crash input crashes again (build-fuzz/$t.replay.log)"
        }
    fi
    # -timeout: an input that reads a damaged vault as it is can take 6 s under ASan and
    # coverage on two busy cores (every allocation quarantined); 20 s still catches a hang.
    "$bin" -max_total_time="$secs" -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 \
        -artifact_prefix="$saved/" "$work" "tests/fuzz/corpus/$t" >"build-fuzz/$t.log" 2>&1
    rc=$?
    n=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "build-fuzz/$t.log" | grep -oE '[0-9]+$')
    runs=$((runs + ${n:-0}))
    if [ "$rc" != 0 ]; then
        ok=0
        crashes=$((crashes + 1))
        echo "fuzz_$t: crash, input kept in $saved/ (log: build-fuzz/$t.log)"
        grep -E 'ERROR|SUMMARY' "build-fuzz/$t.log" | head -5
    fi
    echo "fuzz_$t: ${n:-0} executions in ${secs}s"
    if [ "$ok" = 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "fuzz: ${#targets[@]} targets, $runs executions, $crashes crashes"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
