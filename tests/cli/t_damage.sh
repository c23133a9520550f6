# Damaged, foreign, truncated and newer vault files: the right exit code (5, 6, 7), one clear
# line, no crash, and the file left as it was. A sampled sweep of single-byte damage: every
# case gives back exactly the right data or exits 6. (The full sweep is issue 5's stress run.)
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

new_vault v
export KURA_CLIENT_KEY_FILE=$T/v.key
V=(--vault "$T/v.kura")
for i in 1 2 3 4 5 6; do
    k_in "pw-$i" "${V[@]}" add "Item $i" --username "user$i" --password-file -
done
k_in "target-password" "${V[@]}" add Target --password-file -
cp v.kura pristine.kura

# No vault: exit 5 for every command that needs one.
for c in ls status unlock "get x" "add x" "rm x --yes"; do
    # shellcheck disable=SC2086
    k --vault "$T/missing.kura" $c
    expect "no vault: $c" 5 "no vault at $T/missing.kura"
done

# Not a vault: text, empty, random bytes, another program's SQLite file, a folder.
echo "hello, this is not a vault" >text.kura
: >empty.kura
head -c 8192 /dev/urandom >random.kura
sqlite3 other.db "CREATE TABLE t(x); INSERT INTO t VALUES (1);"
mkdir dir.kura
for f in text.kura empty.kura random.kura other.db dir.kura; do
    before=$( [ -f "$f" ] && sum "$f")
    k --vault "$T/$f" ls
    expect "not a vault: $f" 6 "damaged"
    [ -f "$f" ] && check "$f unchanged" test "$(sum "$f")" = "$before"
done
k --vault "$T/other.db" ls
check "another program's database is named so" err_has "another program"
k --vault "$T/random.kura" status
expect "status of a damaged file" 6 "damaged"

# A newer format version: exit 7.
cp pristine.kura newer.kura
sqlite3 newer.kura "PRAGMA user_version = 2"
k --vault "$T/newer.kura" ls
expect "newer format" 7 "needs a newer kura"

# Truncated at a page boundary and mid-page.
size=$(stat -c %s pristine.kura)
for cut in 100 4096 $((size / 2)) $((size - 4096)) $((size - 1)); do
    cp pristine.kura cut.kura
    truncate -s "$cut" cut.kura
    k --vault "$T/cut.kura" get Target --field password
    if [ "$rc" = 0 ]; then
        check "truncated at $cut: right data" out_is target-password
    else
        expect "truncated at $cut" 6
    fi
done

# Single-byte damage across the file, sampled: the header, then every 37th byte.
python3 "$TESTS_DIR/sweep.py" "$KURA" "$T/pristine.kura" "$T/v.key" Target target-password 37 \
    >sweep.log 2>&1
rc=$?
cat sweep.log
out=$(cat sweep.log) err=
expect "damage sweep: right data or exit 6, never wrong, a crash or a hang" 0

# A ciphertext byte inside an item: exit 6 naming the item, other items still readable.
python3 - "$T/v.kura" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
(iid, det) = db.execute("SELECT id, details FROM items LIMIT 1").fetchone()
det = bytearray(det); det[30] ^= 1
db.execute("UPDATE items SET details = ? WHERE id = ?", (bytes(det), iid))
db.commit()
print(iid.hex())
PY
k "${V[@]}" ls
expect "ls with one damaged item's details still works" 0
bad=0
for i in 1 2 3 4 5 6; do
    k "${V[@]}" get "Item $i" --field password
    if [ "$rc" = 6 ]; then bad=$((bad + 1)); check "damaged item named" err_has "does not decrypt";
    else check "Item $i intact" out_is "pw-$i"; fi
done
k "${V[@]}" get Target --field password
[ "$rc" = 6 ] && bad=$((bad + 1)) || check "Target intact" out_is target-password
check "exactly the damaged item is refused" test "$bad" = 1

finish
