#!/usr/bin/env bash
# bench/sync_growth.sh: how large the remote grows beside the vault. N items (default
# 100,000), then ROUNDS rounds (default 10) that each change every item once (an import of
# the same logins with new passwords: N edits a round, 1,000,000 in all by default), with a
# sync after each; then syncs until this device's files are gathered into a snapshot. Prints
# the vault file's and the remote's sizes after each round.
#
#   bash bench/sync_growth.sh                     100,000 items, 10 rounds (about 15 minutes)
#   bash bench/sync_growth.sh --items 10000 --rounds 5
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
n=100000
rounds=10
while [ $# -gt 0 ]; do
    case $1 in
    --items) n=$2 && shift ;;
    --rounds) rounds=$2 && shift ;;
    *) echo "usage: bench/sync_growth.sh [--items N] [--rounds R]" >&2; exit 2 ;;
    esac
    shift
done
bash "$ROOT/scripts/deps.sh" --bench
. "$ROOT/bench/build.sh"
build_kura kura-cli kura-import
W=$(mktemp -d /tmp/kura-growth.XXXXXX)
RUN=$(mktemp -d /dev/shm/kura-growth.XXXXXX 2>/dev/null || mktemp -d "$W/run.XXXXXX")
trap 'rm -rf "$W" "$RUN"' EXIT
chmod 700 "$RUN"
unset XDG_DATA_HOME XDG_CONFIG_HOME XDG_STATE_HOME KURA_SESSION KURA_VAULT
export HOME=$W/home XDG_RUNTIME_DIR=$RUN KURA_CLIENT_KEY_FILE=$W/key
mkdir -p "$HOME" "$W/remote"
python3 "$ROOT/bench/gen.py" "$n" "$W" >/dev/null
"$K" init --no-kit --json | jq -r .client_key >"$W/key"
"$K" import "$W/items.json" >/dev/null
"$K" remote add "$W/remote" >/dev/null
"$K" sync >/dev/null
vault=$HOME/.local/share/kura/vault.kura
size() { printf '%s' "$(du -sb "$1" | cut -f1)"; }
echo "| after | edits | vault file | remote | remote / vault |"
echo "|---|---|---|---|---|"
report() {
    local v r
    v=$(stat -c %s "$vault")
    r=$(size "$W/remote")
    printf '| %s | %s | %s MB | %s MB | %s× |\n' "$1" "$2" "$((v / 1000000))" "$((r / 1000000))" \
        "$(python3 -c "print(round($r / $v, 2))")"
}
report "import and first sync" 0
for r in $(seq 1 "$rounds"); do
    python3 - "$W" "$r" <<'EOF'
import json, sys, time
w, r = sys.argv[1], int(sys.argv[2])
items = json.load(open(f"{w}/items.json"))
now = int(time.time()) + 5
for it in items:
    it["password"] = f"round-{r}-" + it["password"]
    it["updated"] = now
json.dump(items, open(f"{w}/round.json", "w"))
EOF
    "$K" import "$W/round.json" >/dev/null
    "$K" sync >/dev/null
    report "round $r and its sync" $((r * n))
done
for i in $(seq 1 16); do # until this device's logs are gathered into a snapshot
    [ -n "$(find "$W/remote" -name '*.snap')" ] && break
    printf 'x\n' | "$K" edit "$(jq -r '.[0].title' "$W/items.json")" --password-file - >/dev/null
    "$K" sync >/dev/null
done
report "snapshot" $((rounds * n))
echo
echo "reproduce: bash bench/sync_growth.sh --items $n --rounds $rounds"
