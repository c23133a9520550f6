#!/bin/bash
# Crash safety: SIGKILL at random moments during add, edit, rm, key rotate, device passphrase
# and reset on a vault of 1,000 items (tests/cli/crash.py says what is checked after each).
# CI: 100 kills. The long run: KURA_CRASH_KILLS=1000 (tests/stress/run.sh).
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

python3 "$TESTS_DIR/crash.py" "$KURA" "$VAULT_SQL" "$VAULT_ITEMS" "$T/crash" \
    "${KURA_CRASH_ITEMS:-1000}" "${KURA_CRASH_KILLS:-100}" ${KURA_CRASH_SEED:-} >"$T/crash.log"
crash_rc=$?
cat "$T/crash.log"
check "no corrupt vault, no lost or half-done write, nobody locked out" test "$crash_rc" = 0
check "the kills happened" grep -qE '^crash: ([0-9]{3,}|[2-9][0-9]) kills' "$T/crash.log"
finish
