# Many processes at once: 8 writers adding and then editing their own items in one vault.
# Every acknowledged write is there afterwards, no "database is locked" reaches anyone, and
# the file passes SQLite's integrity check. KURA_CONCURRENCY_ITEMS sets the items a writer
# (default 12: 8 x 24 operations in CI; 625 gives issue 5's 10,000).
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

N=${KURA_CONCURRENCY_ITEMS:-12}
new_vault v
export KURA_VAULT=$T/v.kura KURA_CLIENT_KEY_FILE=$T/v.key

writer() {
    local p=$1 i
    for i in $(seq 1 "$N"); do
        if printf 'pw-%s-%s\n' "$p" "$i" | "$KURA" add "W$p-$i" --username "u$p" \
            --password-file - >/dev/null 2>>"$T/err.$p"; then
            echo "add W$p-$i" >>"$T/acked.$p"
        fi
    done
    for i in $(seq 1 "$N"); do
        if printf 'new-%s-%s\n' "$p" "$i" | "$KURA" edit "W$p-$i" --password-file - \
            --add-tag edited >/dev/null 2>>"$T/err.$p"; then
            echo "edit W$p-$i" >>"$T/acked.$p"
        fi
    done
}

start=$(date +%s%N)
for p in 1 2 3 4 5 6 7 8; do writer "$p" </dev/null & done
wait
ms=$((($(date +%s%N) - start) / 1000000))
ops=$(cat "$T"/acked.* | wc -l)
echo "concurrency: 8 writers, $ops acknowledged operations of $((16 * N)) in ${ms} ms"
check "every operation was acknowledged" test "$ops" = $((16 * N))
check "no error reached a writer" test -z "$(cat "$T"/err.*)"
check "no 'database is locked' anywhere" bash -c "! grep -qi locked '$T'/err.*"

k ls --json
check "every item is there" json_ok "length == $((8 * N))"
check "every edit is there" json_ok "[.[] | select(.tags == [\"edited\"])] | length == $((8 * N))"
k get W5-3 --field password
check "the last write wins" out_is new-5-3
check "integrity check passes" test "$("$VAULT_SQL" "$T/v.kura" 'PRAGMA integrity_check')" = ok
check "one file at rest" test -z "$(ls "$T" | grep -E -- '-(journal|wal|shm)$')"

finish
