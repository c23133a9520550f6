# The folder remote with a real engine: two Syncthing instances on 127.0.0.1 (discovery,
# relays and NAT traversal off) share a folder; each device syncs kura through its own copy.
# Edits on both sides arrive and merge, both ways, and a concurrent edit is kept in history.
# Syncthing's own files in the folder (.stfolder, temporary files) are not kura's business.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

command -v syncthing >/dev/null || {
    echo "syncthing is not installed (scripts/deps.sh --test installs it)"
    echo "0 passed, 1 failed"
    exit 1
}
ST=$T/st
mkdir -p "$ST"
python3 "$TESTS_DIR/syncthing.py" setup "$ST"
python3 "$TESTS_DIR/syncthing.py" start "$ST"
trap 'python3 "$TESTS_DIR/syncthing.py" stop "$ST"; [ -n "${KURA_KEEP:-}" ] || rm -rf "$T"' EXIT

# carried FROM TO: waits (at most 60 s) until every kura file in folder FROM is in folder TO,
# byte for byte.
carried() {
    local from=$1 to=$2 f
    for _ in $(seq 1 120); do
        local ok=1
        while IFS= read -r f; do
            cmp -s "$from/$f" "$to/$f" || ok=0
        done < <(cd "$from" && find . -path ./.stfolder -prune -o -type f ! -name '.*' -print)
        [ "$ok" = 1 ] && return 0
        sleep 0.5
    done
    return 1
}

mkdir -p a
HOME=$T/a "$KURA" init --name Family --no-kit --json >a.json
jq -r .client_key a.json >v.key
on_in "bank-1" a add Bank --username alice --password-file -
on a remote add "$ST/f1"
expect "a syncs through its Syncthing folder" 0
on a sync
expect "a's first sync" 0
check "Syncthing carries a's files to b's folder" carried "$ST/f1" "$ST/f2"
on b clone "$ST/f2"
expect "b clones from its own Syncthing folder" 0
on b get Bank --field password
check "the item arrived" out_is "bank-1"
check "b's files go back to a's folder" carried "$ST/f2" "$ST/f1"

on_in "bank-2" b edit Bank --password-file -
on b sync
check "b's change crosses" carried "$ST/f2" "$ST/f1"
on a sync
expect "a takes it" 0
check "one change in" out_has "1 change in from 1 device"
on a get Bank --field password
check "b's password on a" out_is "bank-2"

# Both edit apart; the engine carries both; both devices end equal, the other version kept.
on_in "from-a" a edit Bank --password-file -
on_in "from-b" b edit Bank --password-file -
on a sync
on b sync
check "both sides' files cross" carried "$ST/f1" "$ST/f2"
check "and back" carried "$ST/f2" "$ST/f1"
on a sync
on b sync
on a get Bank --field password
pa=$out
on b get Bank --field password
check "a and b agree" test "$pa" = "$out"
on a history Bank --json
check "the other version is in the history" json_ok '[.versions[] | select(.current | not)] | length >= 3'
check "the engine made no conflict copies of kura's files" test -z "$(find "$ST/f1" "$ST/f2" -name '*sync-conflict*')"
finish
