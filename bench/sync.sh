#!/usr/bin/env bash
# bench/sync.sh: kura's sync at N items (default 100,000), two devices (two HOMEs), a folder
# remote and a git remote (a bare repository on this disk).
#
#   bash bench/sync.sh                   100,000 items (a few minutes)
#   bash bench/sync.sh --items 10000     another size
#   bash bench/sync.sh --quick           1,000 items, few runs: a smoke test (CI)
#
# Prints a table: hyperfine's median for the repeated figures, one timed run (GNU time) for
# the one-off ones, and the sizes of the vault and the remote. Reproduce a line with the
# command the table names. kura runs with a session open on each device, its folder in
# memory as $XDG_RUNTIME_DIR is.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
n=100000
runs=10
while [ $# -gt 0 ]; do
    case $1 in
    --items) n=$2 && shift ;;
    --quick) n=1000 runs=3 ;;
    *) echo "usage: bench/sync.sh [--items N] [--quick]" >&2; exit 2 ;;
    esac
    shift
done
bash "$ROOT/scripts/deps.sh" --bench
. "$ROOT/bench/build.sh"
build_kura kura-cli kura-kit kura-import

W=$(mktemp -d /tmp/kura-sync-bench.XXXXXX)
RUN=$(mktemp -d /dev/shm/kura-sync-bench.XXXXXX 2>/dev/null || mktemp -d "$W/run.XXXXXX")
trap 'rm -rf "$W" "$RUN"' EXIT
chmod 700 "$RUN"
unset XDG_DATA_HOME XDG_CONFIG_HOME XDG_STATE_HOME KURA_SESSION KURA_VAULT
export KURA_CLIENT_KEY_FILE=$W/key
mkdir -p "$W/a" "$W/b" "$W/remote" "$RUN/a" "$RUN/b"
chmod 700 "$RUN/a" "$RUN/b"
git init -q --bare "$W/repo.git"
# dev A|B: the environment of device A or B, with its session.
dev() { printf 'HOME=%s XDG_RUNTIME_DIR=%s' "$W/$1" "$RUN/$1"; }
on() {
    local d=$1
    shift
    env HOME="$W/$d" XDG_RUNTIME_DIR="$RUN/$d" KURA_SESSION="$(cat "$W/$d.session" 2>/dev/null)" "$K" "$@"
}
python3 "$ROOT/bench/gen.py" "$n" "$W" >/dev/null
on a init --no-kit --json | jq -r .client_key >"$W/key"
on a unlock --json | jq -r .session >"$W/a.session" 2>/dev/null || true
echo "== $n items: import on device A" >&2
on a import "$W/items.json" >/dev/null
on a remote add "$W/remote" >/dev/null
on a remote add git "$W/repo.git" >/dev/null
OUT=$W/table
: >"$OUT"
row() { printf '| %s | %s | `%s` |\n' "$1" "$2" "$3" >>"$OUT"; }
once() { # once NAME SHOWN COMMAND...: one run's wall time
    local name=$1 shown=$2 t
    shift 2
    /usr/bin/time -f %e -o "$W/time" "$@" >/dev/null 2>&1 || true
    t=$(tail -1 "$W/time")
    row "$name" "${t} s" "$shown"
}
median() { # median NAME SHOWN PREPARE COMMAND [VAR=VALUE...]: hyperfine's median (SHOWN: the
    # command, in short). The variables are set in hyperfine's environment, so that what is
    # timed is kura alone (-N: no shell in front), as kura --version is.
    local name=$1 shown=$2 prepare=$3 command=$4
    shift 4
    (
        for kv in "$@"; do export "${kv?}"; done
        hyperfine -N --runs "$runs" --warmup 1 --prepare "$prepare" --export-json "$W/h.json" \
            "$command" >/dev/null 2>&1
    )
    local ms
    ms=$(jq '.results[0].median * 1000 | . * 10 | round / 10' "$W/h.json")
    row "$name" "$ms ms" "$shown"
}

echo "== first syncs and a clone" >&2
once "first sync, folder remote (every item out)" "kura sync --remote origin" env $(dev a) KURA_SESSION="$(cat "$W/a.session")" "$K" sync --remote origin
once "first sync, git remote (every item out)" "kura sync --remote git" env $(dev a) KURA_SESSION="$(cat "$W/a.session")" "$K" sync --remote git
once "clone on device B (folder remote)" "kura clone REMOTE" env $(dev b) "$K" clone "$W/remote"
on b unlock --json | jq -r .session >"$W/b.session" 2>/dev/null || true
title=$(jq -r '.[5].title' "$W/items.json")
printf 'p\n' >"$W/pw"
edit_a="env $(dev a) KURA_SESSION=$(cat "$W/a.session") $K edit '$title' --password-file $W/pw"
median "sync, one local change, nothing new, folder remote (target 100 ms)" \
    "kura edit ITEM (prepare); kura sync --remote origin" "$edit_a" \
    "$K sync --remote origin" HOME="$W/a" XDG_RUNTIME_DIR="$RUN/a" KURA_SESSION="$(cat "$W/a.session")"
median "sync, one local change, nothing new, git remote (target 300 ms)" \
    "kura edit ITEM (prepare); kura sync --remote git" "$edit_a" \
    "$K sync --remote git" HOME="$W/a" XDG_RUNTIME_DIR="$RUN/a" KURA_SESSION="$(cat "$W/a.session")"
median "sync, nothing new either way, folder remote" "kura sync --remote origin" "true" \
    "$K sync --remote origin" HOME="$W/a" XDG_RUNTIME_DIR="$RUN/a" KURA_SESSION="$(cat "$W/a.session")"

echo "== 1,000 changes on each device, then the merging sync" >&2
python3 - "$W" <<'EOF'
import json, sys, time
w = sys.argv[1]
items = json.load(open(f"{w}/items.json"))
k = min(1000, len(items) // 4)
now = int(time.time()) + 5
for name, first in (("a", k), ("b", k + k // 2)):
    out = []
    for i in range(first, first + k):
        it = dict(items[i]); it["password"] = f"{name}-{i}"; it["updated"] = now; out.append(it)
    json.dump(out, open(f"{w}/{name}-changes.json", "w"))
EOF
on b sync >/dev/null
on a import "$W/a-changes.json" >/dev/null
on b import "$W/b-changes.json" >/dev/null
on a sync --remote origin >/dev/null
once "merging sync: 1,000 changes here and 1,000 from the other device, half of them the same items (target 2 s)" \
    "kura sync (device B)" env $(dev b) KURA_SESSION="$(cat "$W/b.session")" "$K" sync

echo "== everyday commands after a sync" >&2
median "kura --version" "kura --version" "true" "$K --version"
median "get one password by title, session" "kura get ITEM --field password" "true" \
    "$K get '$title' --field password" HOME="$W/a" XDG_RUNTIME_DIR="$RUN/a" \
    KURA_SESSION="$(cat "$W/a.session")"
mkdir -m 700 "$W/diskrun"
HOME=$W/a XDG_RUNTIME_DIR=$W/diskrun "$K" unlock --json | jq -r .session >"$W/a.disk"
median "get one password by title, session folder on disk (target: 2× --version)" \
    "kura get ITEM --field password" "true" "$K get '$title' --field password" HOME="$W/a" \
    XDG_RUNTIME_DIR="$W/diskrun" KURA_SESSION="$(cat "$W/a.disk")"
median "search right after a change (target 50 ms)" "kura edit ITEM (prepare); kura search ITEM" "$edit_a" \
    "$K search '$title'" HOME="$W/a" XDG_RUNTIME_DIR="$RUN/a" KURA_SESSION="$(cat "$W/a.session")"
median "search right after a sync that brought changes" \
    "kura edit ITEM; kura sync (device B), kura sync (prepare); kura search ITEM" \
    "bash -c \"env $(dev b) KURA_SESSION=$(cat "$W/b.session") $K edit '$title' --password-file $W/pw && env $(dev b) KURA_SESSION=$(cat "$W/b.session") $K sync && env $(dev a) KURA_SESSION=$(cat "$W/a.session") $K sync --remote origin\"" \
    "$K search '$title'" HOME="$W/a" XDG_RUNTIME_DIR="$RUN/a" KURA_SESSION="$(cat "$W/a.session")"

vault=$(stat -c %s "$W/a/.local/share/kura/vault.kura")
folder=$(du -sb "$W/remote" | cut -f1)
git --git-dir="$W/repo.git" gc -q 2>/dev/null || true
repo=$(du -sb "$W/repo.git" | cut -f1)
{
    echo
    echo "kura sync at $n items ($(nproc) cores; $(date -u +%Y-%m-%d)); reproduce: bash bench/sync.sh --items $n"
    echo
    echo "| figure | kura | command |"
    echo "|---|---|---|"
    cat "$OUT"
    echo
    echo "Vault file: $vault bytes. Folder remote: $folder bytes ($(python3 -c "print(round($folder / $vault, 2))")× the vault). Git remote after gc: $repo bytes ($(python3 -c "print(round($repo / $vault, 2))")×)."
}
