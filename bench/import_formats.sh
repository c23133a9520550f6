#!/usr/bin/env bash
# import_formats.sh [N]: how long `kura import` takes for N logins (default 100,000) in each
# kind of file it reads: kura JSON, KeePass 2 XML (both from bench/gen.py, the same logins
# bench/run.sh uses), Chrome CSV and kura CSV (written from them); then the same file again
# (every item unchanged, none added). Each figure is one run under GNU time: wall seconds
# and peak RSS. Needs a built kura (build/kura); run: bash bench/import_formats.sh 100000
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KURA=${KURA:-$ROOT/build/kura}
N=${1:-100000}
D=$(mktemp -d /tmp/kura-import-bench.XXXXXX)
trap 'rm -rf "$D"' EXIT
export HOME=$D/home XDG_RUNTIME_DIR=$D/run
mkdir -p "$HOME" && mkdir -m 700 "$XDG_RUNTIME_DIR"
python3 "$ROOT/bench/gen.py" "$N" "$D" >/dev/null
python3 - "$D" <<'PY'
import csv, json, sys
d = sys.argv[1]
items = json.load(open(d + "/items.json"))
with open(d + "/chrome.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["name", "url", "username", "password", "note"])
    for it in items:
        w.writerow([it["title"], (it.get("urls") or [""])[0], it.get("username", ""),
                    it.get("password", ""), it.get("notes", "")])
PY

# one FILE LABEL: a fresh vault, the import timed, then the same import again.
one() {
    local v=$D/$2.kura
    "$KURA" --vault "$v" init --json --no-kit --name bench | jq -r .client_key >"$D/$2.key"
    local first second
    first=$(/usr/bin/time -f '%e s, %M KiB' "$KURA" --vault "$v" --key-file "$D/$2.key" import "$1" 2>&1 >/dev/null | tail -1)
    second=$(/usr/bin/time -f '%e s, %M KiB' "$KURA" --vault "$v" --key-file "$D/$2.key" import "$1" 2>&1 >/dev/null | tail -1)
    printf '| %s | %s | %s |\n' "$2" "$first" "$second"
}
echo "kura import, $N logins ($(nproc) cores; $(uname -m)):"
echo "| file | first import | the same file again |"
echo "|---|---|---|"
one "$D/items.json" kura-json
one "$D/items.xml" keepass-xml
one "$D/chrome.csv" chrome-csv
"$KURA" --vault "$D/kura-json.kura" --key-file "$D/kura-json.key" export --format csv --yes --output "$D/kura.csv" 2>/dev/null
one "$D/kura.csv" kura-csv
echo "reproduce: bash bench/import_formats.sh $N"
