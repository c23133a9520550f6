#!/bin/bash
# valgrind_run.sh SCRIPT...: runs end-to-end test scripts with every kura they start through
# k and k_in under valgrind memcheck (tests/tools/valgrind-kura.sh). Prints the figures:
# kura runs, runs with memory errors or leaks (0 wanted), and the scripts' own results.
# CI runs a few scripts; tests/stress/run.sh valgrind runs them all.
set -u
: "${KURA:?set KURA}"
TESTS_DIR=${TESTS_DIR:-$(cd "$(dirname "$0")" && pwd)}
logs=$(mktemp -d /tmp/kura-valgrind.XXXXXX)
trap 'rm -rf "$logs"' EXIT
export KURA_VALGRIND_LOGS=$logs KURA_WRAP="$TESTS_DIR/../tools/valgrind-kura.sh"
scripts_ok=0 scripts_failed=0
for s in "$@"; do
    if bash "$TESTS_DIR/$s" >"$logs/$s.out" 2>&1; then
        scripts_ok=$((scripts_ok + 1))
    else
        scripts_failed=$((scripts_failed + 1))
        echo "== $s failed under valgrind:"
        grep -A4 '^FAIL' "$logs/$s.out" | head -40
    fi
done
runs=$(wc -l <"$logs/runs" 2>/dev/null || echo 0)
bad=0
for f in "$logs"/*.log; do
    [ -s "$f" ] || continue
    bad=$((bad + 1))
    echo "== valgrind report $(basename "$f"):"
    head -60 "$f"
done
echo "valgrind: $runs kura runs in $# scripts, $bad with memory errors or leaks"
passed=0 failed=0
[ "$runs" -gt 0 ] && [ "$bad" = 0 ] && passed=$((passed + 1)) || failed=$((failed + 1))
passed=$((passed + scripts_ok)) failed=$((failed + scripts_failed))
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
