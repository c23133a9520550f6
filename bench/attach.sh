#!/usr/bin/env bash
# bench/attach.sh: attachments, and what they cost the rest of the vault. A vault of N logins
# (default 10,000) is timed listing, searching and getting one password, then 1 GiB of files
# is attached (16 files of 64 MiB, random, so nothing compresses) and the same commands are
# timed again: the chunks live in their own table, apart from the items, so the everyday
# commands should not notice them. Also: attaching and getting a 64 MiB file, kura check over
# the whole file, and the vault file's size. --others puts keepassxc-cli beside it: ls on a
# KeePass database of the same logins, before and after the same files are attached there.
#
#   bash bench/attach.sh                 10,000 items, 1 GiB of attachments (needs 3 GiB in /tmp)
#   bash bench/attach.sh --items 100000
#   bash bench/attach.sh --quick         1,000 items, 4 files of 16 MiB (CI)
#   bash bench/attach.sh --others        and keepassxc-cli beside it
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ARGS=$*
n=10000
files=16
mib=64
runs=10
others=0
while [ $# -gt 0 ]; do
    case $1 in
    --items) n=$2 && shift ;;
    --quick) n=1000 files=4 mib=16 runs=3 ;;
    --others) others=1 ;;
    *) echo "usage: bench/attach.sh [--items N] [--quick] [--others]" >&2; exit 2 ;;
    esac
    shift
done
if [ "$others" = 1 ]; then bash "$ROOT/scripts/deps.sh" --others; else bash "$ROOT/scripts/deps.sh" --bench; fi
. "$ROOT/bench/build.sh"
build_kura kura-cli kura-import
W=$(mktemp -d /tmp/kura-attach-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
mkdir -m 700 "$W/run"
export HOME=$W XDG_RUNTIME_DIR=$W/run KURA_CLIENT_KEY_FILE=$W/key
unset KURA_SESSION KURA_VAULT XDG_DATA_HOME XDG_CONFIG_HOME XDG_STATE_HOME
python3 "$ROOT/bench/gen.py" "$n" "$W" >/dev/null
"$K" init --no-kit --json | jq -r .client_key >"$W/key"
echo "== $n items: import" >&2
"$K" import "$W/items.json" >/dev/null
V=$W/.local/share/kura/vault.kura
title=$(jq -r '.[length / 2 | floor].title' "$W/items.json")

median() { # median COMMAND...: hyperfine's median in ms
    hyperfine -N --runs "$runs" --warmup 2 --export-json "$W/h.json" "$*" >/dev/null 2>&1
    jq '.results[0].median * 1000 | . * 10 | round / 10' "$W/h.json"
}
once() { # once COMMAND...: one run, in seconds (GNU time)
    /usr/bin/time -f %e -o "$W/time" "$@" >/dev/null 2>&1
    tail -1 "$W/time"
}
measure() { # measure LABEL: the everyday commands, into $W/LABEL
    {
        echo "ls $(median "$K ls")"
        echo "search $(median "$K search example.org")"
        echo "get $(median "$K get '$title' --field password")"
    } >"$W/$1"
}
kx_ls() { # kx_ls: keepassxc-cli ls -R on the KeePass database, ms (median of 3)
    for _ in 1 2 3; do
        echo benchpw | /usr/bin/time -f %e -o "$W/time" keepassxc-cli ls -q -R "$W/db.kdbx" >/dev/null 2>&1 || true
        tail -1 "$W/time"
    done | sort -n | sed -n 2p | awk '{ printf "%.1f", $1 * 1000 }'
}

echo "== the everyday commands, no attachments" >&2
measure before
size_before=$(stat -c %s "$V")
kx_before=-
if [ "$others" = 1 ]; then
    printf 'benchpw\nbenchpw\n' | keepassxc-cli import -q -p "$W/items.xml" "$W/db.kdbx" >/dev/null 2>&1
    kx_before=$(kx_ls)
fi

echo "== attaching $files files of $mib MiB" >&2
: >"$W/attach.times"
for i in $(seq 1 "$files"); do
    head -c $((mib * 1048576)) /dev/urandom >"$W/file.bin"
    t=$(jq -r ".[$((i * n / (files + 1)))].title" "$W/items.json")
    once "$K" attach "$t" "$W/file.bin" --name "file$i.bin" >>"$W/attach.times"
    if [ "$others" = 1 ]; then
        echo benchpw | keepassxc-cli attachment-import -q "$W/db.kdbx" "$t" "file$i.bin" "$W/file.bin" >/dev/null 2>&1 || true
    fi
done
attach_s=$(sort -n "$W/attach.times" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
last=$(jq -r ".[$((files * n / (files + 1)))].title" "$W/items.json")
# To a pipe, as a script would (--output never writes over a file).
get_ms=$(hyperfine -N --runs 3 --warmup 1 --export-json "$W/h.json" "bash -c \"'$K' get '$last' --attachment file$files.bin >/dev/null\"" >/dev/null 2>&1 &&
    jq '.results[0].median * 1000 | round' "$W/h.json")
echo "== the everyday commands, with $((files * mib)) MiB attached" >&2
measure after
size_after=$(stat -c %s "$V")
check_s=$(once "$K" check)
kx_after=-
[ "$others" = 1 ] && kx_after=$(kx_ls)

row() { # row NAME KEY: before, after, after/before
    local b a
    b=$(awk -v k="$2" '$1 == k { print $2 }' "$W/before")
    a=$(awk -v k="$2" '$1 == k { print $2 }' "$W/after")
    printf '| %s | %s ms | %s ms | %s× |\n' "$1" "$b" "$a" "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }')"
}
echo
echo "kura attachments at $n items, $files files of $mib MiB ($(nproc) cores, $(date -u +%Y-%m-%d))"
echo
echo "| command | no attachments | with $((files * mib)) MiB attached | ratio |"
echo "|---|---|---|---|"
row "kura ls" ls
row "kura search (every overview)" search
row "kura get TITLE --field password" get
if [ "$others" = 1 ]; then
    printf '| keepassxc-cli ls -R (the same logins and files) | %s ms | %s ms | %s× |\n' "$kx_before" "$kx_after" \
        "$(awk -v a="$kx_after" -v b="$kx_before" 'BEGIN { printf "%.2f", a / b }')"
fi
echo
echo "| figure | kura |"
echo "|---|---|"
echo "| attach one $mib MiB file (median of $files) | $attach_s s ($(awk -v s="$attach_s" -v m="$mib" 'BEGIN { printf "%.0f", m / s }') MiB/s) |"
echo "| get --attachment of one $mib MiB file, to a pipe (every chunk checked first) | $get_ms ms |"
echo "| kura check (every page and every chunk) | $check_s s |"
echo "| vault file | $((size_before / 1048576)) MiB before, $((size_after / 1048576)) MiB after |"
echo
echo "reproduce: bash bench/attach.sh $ARGS"
