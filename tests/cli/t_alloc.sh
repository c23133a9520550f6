#!/bin/bash
# Allocation failures: the Nth allocation of open, unlock, add and get fails, for every
# KURA_ALLOC_STEP-th N (default 7 in CI; 1 in tests/stress/run.sh: all of them), with the
# kura-failalloc binary (tests/cli/allocs.py). In the sanitizer build, each case also runs
# under AddressSanitizer and LeakSanitizer: a leak on any error path fails the test.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"
: "${KURA_FAILALLOC:?set KURA_FAILALLOC to the kura-failalloc binary}"

python3 "$TESTS_DIR/allocs.py" "$KURA_FAILALLOC" "$VAULT_SQL" "$VAULT_ITEMS" "$T/allocs" \
    "${KURA_ALLOC_STEP:-7}" >"$T/allocs.log"
allocs_rc=$?
grep -v '^FAIL' "$T/allocs.log"
grep '^FAIL' "$T/allocs.log" | head -20
check "every failed allocation: a clean error or success; no crash, leak or lost data" \
    test "$allocs_rc" = 0
check "allocations were failed" grep -qE '^allocation failures: [0-9]{3,} cases' "$T/allocs.log"
finish
