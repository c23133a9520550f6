# Damaged, foreign, truncated and newer vault files: the right exit code (5, 6, 7), one clear
# line, no crash, and the file left as it was. A sampled sweep of single-byte damage: a get
# never gives wrong data, and `kura check` refuses every case with exit 6 (page checksums).
# The long run flips every byte of a ~100-item vault:
#   KURA_SWEEP_ITEMS=100 KURA_SWEEP_STEP=1 ctest -R damage -V
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

new_vault v
export KURA_CLIENT_KEY_FILE=$T/v.key
V=(--vault "$T/v.kura")
for i in $(seq 1 "${KURA_SWEEP_ITEMS:-6}"); do
    k_in "pw-$i" "${V[@]}" add "Item $i" --username "user$i" --password-file -
done
k_in "target-password" "${V[@]}" add Target --password-file -
cp v.kura pristine.kura

# kura check reads the whole file: a whole vault passes, with its item count.
k "${V[@]}" check
expect "check: a whole vault" 0
check "check names the item count" out_has "all $((${KURA_SWEEP_ITEMS:-6} + 1)) items check out"
k "${V[@]}" check --json
check "check --json" json_ok '.ok == true and .items > 0'

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
sqlite3 newer.kura "PRAGMA user_version = 7"
k --vault "$T/newer.kura" ls
expect "newer format" 7 "needs a newer kura"

# Truncated at every page boundary, and mid-page.
size=$(stat -c %s pristine.kura)
for cut in 0 100 $(seq 4096 4096 $((size - 1))) $((size / 2 + 7)) $((size - 1)); do
    cp pristine.kura cut.kura
    truncate -s "$cut" cut.kura
    k --vault "$T/cut.kura" get Target --field password
    if [ "$rc" = 0 ]; then
        check "truncated at $cut: right data" out_is target-password
    else
        expect "truncated at $cut" 6
    fi
done

# Single-byte damage across the file, sampled: the header, then every 37th byte. A get never
# gives wrong data (it reads only the pages it needs), and `kura check` refuses every one:
# the page checksums leave no byte unchecked, used or not.
python3 "$TESTS_DIR/sweep.py" "$KURA" "$T/pristine.kura" "$T/v.key" Target target-password \
    "${KURA_SWEEP_STEP:-37}" all \
    >sweep.log 2>&1
rc=$?
cat sweep.log
out=$(cat sweep.log) err=
expect "damage sweep: get never wrong, kura check refuses every changed byte, no crash, no hang" 0

# Any byte changed outside kura: the page checksums refuse the whole file (the sweep above).
cp pristine.kura plain.kura
sqlite3 plain.kura "UPDATE items SET details = details WHERE 0; PRAGMA user_version = 1; CREATE TABLE x(y); DROP TABLE x;"
k --vault "$T/plain.kura" ls
expect "a vault written by another SQLite program" 6 "fails its checksum"

# A ciphertext byte inside an item, written by someone who recomputes the page checksums
# (they are not keyed), under the same seal (nonce and tag): the item's AEAD refuses it when
# it is read (exit 6), the file untouched; a listing, which never reads a password, still
# lists; kura check finds it. The same byte changed in the part's tag changes its seal: the
# signed state refuses the whole file, and --trust-file reads what is left.
k "${V[@]}" get Target --field id
target=$out
cp v.kura before-flip.kura
"$VAULT_SQL" "$T/v.kura" "UPDATE items SET details = flip(details, 30) WHERE id = x'$target'"
sum=$(sha256sum <v.kura)
k "${V[@]}" get Target --field password
expect "a changed ciphertext byte: the item does not decrypt" 6 "item $target does not decrypt"
check "the refused file is unchanged" test "$(sha256sum <v.kura)" = "$sum"
k "${V[@]}" ls
expect "ls, which reads no password, still lists" 0
k "${V[@]}" check
expect "kura check finds the item" 6 "1 of $((${KURA_SWEEP_ITEMS:-6} + 1)) items do not decrypt (the first: $target)"
cp before-flip.kura v.kura
"$VAULT_SQL" "$T/v.kura" "UPDATE items SET details = flip(details, length(details) - 3) WHERE id = x'$target'"
sum=$(sha256sum <v.kura)
k "${V[@]}" ls
expect "a changed tag fails the signed state" 6 "do not match its signed state"
check "the refusal names the way out" err_has "--trust-file"
check "the refused file is unchanged" test "$(sha256sum <v.kura)" = "$sum"
k "${V[@]}" ls --trust-file
expect "ls --trust-file reads what is left" 0
k "${V[@]}" ls
expect "the trusted file is re-signed: ls works again" 0
k "${V[@]}" get Target --field password
expect "the damaged item is refused" 6 "item $target does not decrypt"
intact=0
for i in $(seq 1 "${KURA_SWEEP_ITEMS:-6}"); do
    k "${V[@]}" get "Item $i" --field password
    [ "$rc" = 0 ] && [ "$out" = "pw-$i" ] && intact=$((intact + 1))
done
check "every other item is intact" test "$intact" = "${KURA_SWEEP_ITEMS:-6}"

finish
