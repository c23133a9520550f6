#!/usr/bin/env bash
# The long runs of issue 5's proofs, each the same test CI runs in its short form, with the
# numbers turned up. Builds the plain build (build/) if needed. Takes hours with fuzzing.
#   bash tests/stress/run.sh            everything below
#   bash tests/stress/run.sh crash      one of: crash damage rotate import sync syncthing
#                                       concurrency faults
#                                       alloc valgrind fuzz
# Each test prints its figures; the run ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
bash scripts/deps.sh --test >/dev/null || exit 1
cmake -S . -B build -DKURA_WERROR=ON -DKURA_TESTS=ON >/dev/null && cmake --build build -j "$(nproc)" >/dev/null || exit 1
export KURA=$PWD/build/kura VAULT_SQL=$PWD/build/tests/vault_sql \
    VAULT_ITEMS=$PWD/build/tests/vault_items TESTS_DIR=$PWD/tests/cli \
    KURA_FAULTY=$PWD/build/tests/kura-faulty KURA_FAILALLOC=$PWD/build/tests/kura-failalloc
passed=0 failed=0
long() {
    local name=$1
    shift
    [ -n "${ONLY:-}" ] && [ "$ONLY" != "$name" ] && return
    echo "== $name: $*"
    if env "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}
ONLY=${1:-}
long crash KURA_CRASH_KILLS=1000 bash tests/cli/t_crash.sh
long damage KURA_SWEEP_ITEMS=100 KURA_SWEEP_STEP=1 bash tests/cli/t_damage.sh
long rotate KURA_ROTATE_KILLS=1000 bash tests/cli/t_rotate.sh
long import KURA_IMPORT_KILLS=500 bash tests/cli/t_import.sh
long sync KURA_SYNC_KILLS=400 bash tests/cli/t_sync_kill.sh
long syncthing bash tests/cli/t_syncthing.sh
long concurrency KURA_CONCURRENCY_ITEMS=625 bash tests/cli/t_concurrency.sh
long faults KURA_FAULT_STEP=1 bash tests/cli/t_faults.sh
long alloc KURA_ALLOC_STEP=1 bash tests/cli/t_alloc.sh
long valgrind bash tests/cli/valgrind_run.sh $(cd tests/cli && ls t_*.sh)
long fuzz FUZZ_SECONDS=${FUZZ_SECONDS:-3600} bash scripts/fuzz.sh
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
