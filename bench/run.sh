#!/usr/bin/env bash
# bench/run.sh: kura beside keepassxc-cli and pass, on the same logins, in one run.
#
#   bash bench/run.sh                 1,000, 10,000 and 100,000 items, all three tools;
#                                     writes bench/RESULTS.md (about half an hour)
#   bash bench/run.sh --quick         1,000 items, kura only, few runs: a smoke test (CI);
#                                     prints the table, writes nothing in the tree
#   options: --sizes "1000 10000"     other sizes; --pass-max N (default 10000): pass is
#            run up to N items (its import is one gpg run per login: ~40 ms each);
#            --out FILE               where the table goes
#
# Every figure is hyperfine's median of repeated runs and the peak RSS of one run under
# GNU time (/usr/bin/time -f %M). Vaults are built through `kura import` from the file
# bench/gen.py writes; keepassxc-cli imports the same logins from KeePass XML, pass from one
# `pass insert` per login. kura's timings are with a session open (eval "$(kura unlock)"),
# as a user works, its folder in memory (/dev/shm) as $XDG_RUNTIME_DIR is; keepassxc-cli has
# no session, so each of its commands opens the database (its KDF with keepassxc's default of
# about 1 s, then the whole file).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
quick=0
sizes="1000 10000 100000"
pass_max=10000
out=$ROOT/bench/RESULTS.md
while [ $# -gt 0 ]; do
    case $1 in
    --quick) quick=1 sizes=1000 out= ;;
    --sizes) sizes=$2 && shift ;;
    --pass-max) pass_max=$2 && shift ;;
    --out) out=$2 && shift ;;
    *) echo "usage: bench/run.sh [--quick] [--sizes \"N ...\"] [--pass-max N] [--out FILE]" >&2
       exit 2 ;;
    esac
    shift
done
others=$((1 - quick))

if [ "$others" = 1 ]; then bash "$ROOT/scripts/deps.sh" --others; else bash "$ROOT/scripts/deps.sh" --bench; fi
. "$ROOT/bench/build.sh"
build_kura kura-cli kura-kit

W=$(mktemp -d /tmp/kura-bench.XXXXXX)
# The session folder in memory, as $XDG_RUNTIME_DIR (/run/user/UID) is on a desktop.
RUN=$(mktemp -d /dev/shm/kura-bench-run.XXXXXX 2>/dev/null || mktemp -d "$W/run.XXXXXX")
trap 'rm -rf "$W" "$RUN"' EXIT
export HOME=$W/home XDG_RUNTIME_DIR=$RUN GNUPGHOME=$W/gnupg PASSWORD_STORE_DIR=$W/pass
unset XDG_DATA_HOME XDG_CONFIG_HOME XDG_STATE_HOME KURA_SESSION KURA_VAULT KURA_CLIENT_KEY_FILE
mkdir -p "$HOME" && mkdir -m 700 "$GNUPGHOME" && chmod 700 "$RUN"
RES=$W/results.jsonl
: >"$RES"
cc -O2 -o "$W/argon2_cost" "$ROOT/bench/argon2_cost.c" $(pkg-config --cflags --libs libsodium)

# measure SIZE TOOL OP RUNS PREPARE COMMAND: hyperfine's median (RUNS runs after a warm-up)
# and one more run's peak RSS, appended to $RES. RUNS 1 (the slow ones: tens of seconds to
# minutes): that one run gives both, under GNU time.
measure() {
    local size=$1 tool=$2 op=$3 runs=$4 prepare=$5 command=$6 rss
    echo "== $size items, $tool: $op" >&2
    if [ "$runs" = 1 ]; then
        [ -n "$prepare" ] && bash -c "$prepare" >/dev/null 2>&1
        if ! /usr/bin/time -f '%e %M' -o "$W/one" bash -c "$command" >/dev/null 2>"$W/h.err"; then
            echo "   failed: $command" >&2
            cat "$W/h.err" >&2
            return 1
        fi
        read -r secs rss <"$W/one"
        jq -nc --arg size "$size" --arg tool "$tool" --arg op "$op" --arg s "$secs" \
            --arg rss "$rss" '{size: ($size|tonumber), tool: $tool, op: $op,
              median: ($s|tonumber), runs: 1, rss_kb: ($rss|tonumber)}' >>"$RES"
        return
    fi
    local args=(--export-json "$W/h.json" --style none --runs "$runs" --warmup 1)
    [ -n "$prepare" ] && args+=(--prepare "$prepare")
    if ! hyperfine "${args[@]}" "$command" >/dev/null 2>"$W/h.err"; then
        echo "   failed: $command" >&2
        cat "$W/h.err" >&2
        return 1
    fi
    [ -n "$prepare" ] && bash -c "$prepare" >/dev/null 2>&1
    rss=$(/usr/bin/time -f %M -o "$W/rss" bash -c "$command" >/dev/null 2>&1 && cat "$W/rss")
    jq -c --arg size "$size" --arg tool "$tool" --arg op "$op" --arg rss "$rss" \
        '.results[0] | {size: ($size|tonumber), tool: $tool, op: $op, median, mean, stddev,
                        runs: (.times|length), rss_kb: ($rss|tonumber)}' "$W/h.json" >>"$RES"
}

# note SIZE TOOL OP KEY VALUE: a figure that is not a timing (file sizes, Argon2id's cost).
note() {
    jq -nc --arg size "$1" --arg tool "$2" --arg op "$3" --arg key "$4" --arg v "$5" \
        '{size: ($size|tonumber), tool: $tool, op: $op, ($key): ($v|tonumber)}' >>"$RES"
}

fast_runs=20
slow_runs=5
[ "$quick" = 1 ] && fast_runs=3 slow_runs=2

setup_pass() {
    [ -s "$GNUPGHOME/pubring.kbx" ] && return
    gpg --batch --quiet --passphrase '' --quick-gen-key kura-bench@example.org default default never 2>/dev/null
}

for n in $sizes; do
    D=$W/n$n
    mkdir -p "$D/kit"
    python3 "$ROOT/bench/gen.py" "$n" "$D"
    mid=$((n / 2))
    title=$(jq -r ".[$((mid - 1))].title" "$D/items.json")
    V=$D/v.kura
    kv=(--vault "$V")

    # ---- kura ----
    new_vault="rm -f $V; $K --vault $V init --no-kit --json | jq -r .client_key >$D/key"
    measure "$n" kura import "$slow_runs" "$new_vault" \
        "$K --vault $V --key-file $D/key import $D/items.json"
    bash -c "$new_vault"
    "$K" "${kv[@]}" --key-file "$D/key" import "$D/items.json" >/dev/null
    cp "$V" "$D/v.orig" && cp "$D/key" "$D/key.orig"
    eval "$("$K" "${kv[@]}" --key-file "$D/key" unlock 2>/dev/null)"
    id=$("$K" "${kv[@]}" get "$title" --field id)
    measure "$n" kura get_by_id "$fast_runs" "" "$K --vault $V get $id --field password"
    measure "$n" kura get_by_title "$fast_runs" "" "$K --vault $V get '$title' --field password"
    measure "$n" kura search "$fast_runs" "" "$K --vault $V search github"
    # The same search right after a change: the overview cache is stale, the vault is read.
    measure "$n" kura search_after_change "$slow_runs" \
        "printf x | $K --vault $V add \"bench change \$RANDOM\" --password-file -" \
        "$K --vault $V search github"
    measure "$n" kura ls_json "$slow_runs" "" "$K --vault $V ls --json"
    measure "$n" kura unlock_key "$fast_runs" "" "$K --vault $V --key-file $D/key unlock"
    printf 'a benchmark passphrase\n' >"$D/pass"
    "$K" "${kv[@]}" device enroll --passphrase-file "$D/pass" >/dev/null 2>&1
    measure "$n" kura unlock_passphrase 10 "" \
        "env -u KURA_SESSION $K --vault $V --passphrase-file $D/pass unlock"
    # Argon2id alone, timed the same way: a process that runs it once.
    measure "$n" kura argon2id_process 10 "" "$W/argon2_cost once"
    note "$n" kura argon2id ms "$("$W/argon2_cost")"
    measure "$n" kura kit "$fast_runs" "" "$K --vault $V kit --dir $D/kit"
    # Rotation and reset change the file: each run starts from the imported copy (and this
    # device forgets the newer state it saw, or the rollback guard would refuse the copy).
    restore="cp $D/v.orig $V; cp $D/key.orig $D/key; rm -f $HOME/.local/state/kura/*.seen"
    measure "$n" kura rotate "$slow_runs" "$restore" \
        "env -u KURA_SESSION $K --vault $V --key-file $D/key key rotate --yes --dir $D/kit"
    short=$(jq -r .vault_id <<<"$("$K" "${kv[@]}" status --json)" | cut -c1-8)
    measure "$n" kura reset "$slow_runs" "$restore" \
        "env -u KURA_SESSION $K --vault $V reset --confirm $short --kit-dir $D/kit"
    bash -c "$restore"
    note "$n" kura file_bytes bytes "$(stat -c %s "$V")"
    note "$n" kura ciphertext_bytes bytes \
        "$(sqlite3 "$V" 'SELECT sum(length(overview) + length(details)) FROM items')"
    unset KURA_SESSION

    [ "$others" = 1 ] || continue
    # ---- keepassxc-cli: the same logins from KeePass XML; password on stdin ----
    X=$D/db.kdbx
    kx_runs=$fast_runs
    [ "$n" -ge 10000 ] && kx_runs=3
    [ "$n" -ge 100000 ] && kx_runs=1
    measure "$n" keepassxc import "$([ "$n" -ge 10000 ] && echo 1 || echo 3)" "rm -f $X" \
        "printf 'benchpw\nbenchpw\n' | keepassxc-cli import -q -p $D/items.xml $X"
    measure "$n" keepassxc get_by_title "$kx_runs" "" \
        "echo benchpw | keepassxc-cli show -q -s -a Password $X '$title'"
    measure "$n" keepassxc search "$kx_runs" "" "echo benchpw | keepassxc-cli search -q $X github"
    measure "$n" keepassxc ls "$kx_runs" "" "echo benchpw | keepassxc-cli ls -q -R -f $X"
    measure "$n" keepassxc unlock_passphrase "$kx_runs" "" "echo benchpw | keepassxc-cli db-info -q $X"
    note "$n" keepassxc file_bytes bytes "$(stat -c %s "$X")"
    rm -f "$X"

    # ---- pass: one gpg file per login, a throwaway gpg key with no passphrase ----
    [ "$n" -le "$pass_max" ] || continue
    setup_pass
    pass_new="rm -rf $PASSWORD_STORE_DIR; pass init kura-bench@example.org"
    measure "$n" pass import 1 "$pass_new" "bash $ROOT/bench/pass_import.sh $D/items.tsv"
    pname=${title// /-}
    measure "$n" pass get_by_title "$fast_runs" "" "pass show $pname | head -1"
    measure "$n" pass search 1 "" "pass grep github"
    measure "$n" pass ls "$fast_runs" "" "pass ls"
    note "$n" pass file_bytes bytes "$(du -sb "$PASSWORD_STORE_DIR" | cut -f1)"
    rm -rf "$PASSWORD_STORE_DIR"
    rm -f "$D"/items.*
done

python3 "$ROOT/bench/report.py" "$RES" "$quick" "$K" >"$W/RESULTS.md"
cat "$W/RESULTS.md"
if [ -n "$out" ]; then
    cp "$W/RESULTS.md" "$out"
    cp "$RES" "${out%.md}.jsonl" # the raw figures: python3 bench/report.py FILE 0 KURA redoes the table
    echo "== written to $out and ${out%.md}.jsonl" >&2
fi
