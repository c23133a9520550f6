#!/usr/bin/env bash
# bench/audit.sh: kura audit on a vault of N logins (default 100,000), without a Pwned
# Passwords file and with generated ones of the real file's layout (SHA-1, ordered by hash) at
# two sizes (default 1 GB and 8 GB; the real one is about 40 GB), 1% of the vault's passwords
# in them. The search reads a few hundred bytes per step, so its cost grows with the log of the
# file's size: the table gives the time (warm: the file's pages cached, as after a first run;
# cold: the page cache dropped first, when this runs as root) and the reads it made (strace).
#
#   bash bench/audit.sh                          100,000 items, 1 GB and 8 GB (needs 9 GB in /tmp)
#   bash bench/audit.sh --items 10000 --sizes "1 2"
#   bash bench/audit.sh --quick                  1,000 items, 10 MB and 80 MB files (CI)
#   bash bench/audit.sh --others                 and keepassxc-cli analyze --hibp beside it, on
#                                                the same logins and files
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ARGS=$*
n=100000
sizes="1 8"
unit=$((1024 * 1024 * 1024))
unit_name=GB
runs=3
others=0
while [ $# -gt 0 ]; do
    case $1 in
    --items) n=$2 && shift ;;
    --sizes) sizes=$2 && shift ;;
    --quick) n=1000 sizes="10 80" unit=$((1024 * 1024)) unit_name=MB runs=2 ;;
    --others) others=1 ;;
    *) echo "usage: bench/audit.sh [--items N] [--sizes \"GB GB\"] [--quick] [--others]" >&2; exit 2 ;;
    esac
    shift
done
if [ "$others" = 1 ]; then bash "$ROOT/scripts/deps.sh" --others; else bash "$ROOT/scripts/deps.sh" --bench; fi
. "$ROOT/bench/build.sh"
build_kura kura-cli kura-import kura-audit
W=$(mktemp -d /tmp/kura-audit-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
mkdir -m 700 "$W/run"
export HOME=$W XDG_RUNTIME_DIR=$W/run KURA_CLIENT_KEY_FILE=$W/key
unset KURA_SESSION KURA_VAULT XDG_DATA_HOME XDG_CONFIG_HOME XDG_STATE_HOME
cc -O2 -o "$W/hibp_gen" "$ROOT/bench/hibp_gen.c"
python3 "$ROOT/bench/gen.py" "$n" "$W" >/dev/null
"$K" init --no-kit --json | jq -r .client_key >"$W/key"
echo "== $n items: import" >&2
"$K" import "$W/items.json" >/dev/null
# 1% of the passwords are in the files (their SHA-1 merged in).
python3 - "$W/items.json" "$W/include" <<'PY'
import hashlib, json, sys
items = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w") as f:
    for it in items[::100]:
        f.write(hashlib.sha1(it["password"].encode()).hexdigest().upper() + "\n")
PY
OUT=$W/table
printf '| Pwned Passwords file | lines | warm | cold | reads of the file | breached found | keepassxc-cli analyze --hibp |\n|---|---|---|---|---|---|---|\n' >"$OUT"
if [ "$others" = 1 ]; then # the same logins in a KeePass database
    echo "== keepassxc-cli import" >&2
    printf 'benchpw\nbenchpw\n' | keepassxc-cli import -q -p "$W/items.xml" "$W/db.kdbx" >/dev/null 2>&1
fi
kx() { # kx FILE: one run of keepassxc-cli analyze with that file, in seconds
    if [ "$others" = 1 ]; then
        echo benchpw | /usr/bin/time -f %e -o "$W/time" keepassxc-cli analyze -q --hibp "$1" "$W/db.kdbx" >/dev/null 2>&1 || true
        printf '%s s' "$(tail -1 "$W/time")"
    else
        echo "-"
    fi
}
warm() { # warm ARGS...: hyperfine's median of kura audit ARGS, in seconds
    hyperfine -N --runs "$runs" --warmup 1 --export-json "$W/h.json" "$K audit --json $*" >/dev/null 2>&1
    jq '.results[0].median | . * 100 | round / 100' "$W/h.json"
}
cold() { # cold ARGS...: one run after the page cache is dropped (root only), in seconds
    if [ -w /proc/sys/vm/drop_caches ]; then
        sync && echo 3 >/proc/sys/vm/drop_caches
        /usr/bin/time -f %e -o "$W/time" "$K" audit --json "$@" >/dev/null 2>&1
        tail -1 "$W/time"
    else
        echo "-"
    fi
}
preads() { # preads ARGS...: how many pread64 calls kura audit ARGS makes
    strace -f -c -e trace=pread64 -o "$W/strace" "$K" audit --json "$@" >/dev/null 2>&1
    awk '$NF == "pread64" {print $4}' "$W/strace"
}
base=$(preads) # the vault's own reads: the file's are the rest
t=$(warm)
printf '| none | - | %s s | %s s | - | - | - |\n' "$t" "$(cold)" >>"$OUT"
for s in $sizes; do
    f=$W/pwned-$s.txt
    echo "== a $s $unit_name file" >&2
    "$W/hibp_gen" $((s * unit)) "$W/include" "$f"
    lines=$(($(stat -c %s "$f") / 46))
    found=$("$K" audit --json --hibp "$f" | jq .breached)
    reads=$(($(preads --hibp "$f") - base))
    printf '| %s %s | ~%s | %s s | %s s | %s | %s | %s |\n' "$s" "$unit_name" "$lines" \
        "$(warm --hibp "$f")" "$(cold --hibp "$f")" "$reads" "$found" "$(kx "$f")" >>"$OUT"
    rm -f "$f"
done
echo
echo "kura audit at $n items ($(nproc) cores; $(date -u +%F)); reproduce: bash bench/audit.sh${ARGS:+ $ARGS}"
echo
cat "$OUT"
