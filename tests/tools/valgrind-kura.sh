#!/usr/bin/env bash
# KURA_WRAP for tests/cli/lib.sh: runs one kura command under valgrind memcheck. Any memory
# error, and any definite or indirect leak, is an error: exit 99 and its report kept in
# $KURA_VALGRIND_LOGS/<pid>.log. Each run is counted in $KURA_VALGRIND_LOGS/runs.
: "${KURA_VALGRIND_LOGS:?set KURA_VALGRIND_LOGS to a folder}"
echo run >>"$KURA_VALGRIND_LOGS/runs"
exec valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --track-origins=no \
    --suppressions="$(dirname "$0")/valgrind.supp" \
    --log-file="$KURA_VALGRIND_LOGS/%p.log" "$@"
