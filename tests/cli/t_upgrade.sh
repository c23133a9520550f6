# A vault of format 1 (made by kura 0.1.0 before the title index: fixtures/format1.kura) is
# read as it is, and its first write upgrades it to format 3 in the same transaction: every
# item kept, the title index and the chain of states added, the state re-signed; a failed
# upgrade leaves format 1. A vault of format 2 (fixtures/format2.kura, before the chain) is
# read as it is and gets its chain with its first write.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

cp "$TESTS_DIR/fixtures/format1.kura" v.kura
chmod 600 v.kura
cp "$TESTS_DIR/fixtures/format1.key" v.key
V=(--vault "$T/v.kura" --key-file v.key)

k "${V[@]}" status --json
expect "status of a format 1 vault" 0
check "it says format 1" json_ok '.format == 1 and .items == 4'
sum=$(sha256sum <v.kura)
k "${V[@]}" get Beta --field password
expect "get by title in format 1 (no index yet)" 0
check "the right password" test "$out" = pw-Beta
k "${V[@]}" ls
expect "ls in format 1" 0
check "reads do not write: the file is unchanged" test "$(sha256sum <v.kura)" = "$sum"

# A write that fails (the disk full at its last sync, the commit) upgrades nothing.
printf 'pw-Epsilon\n' >pw
KURA=$KURA_FAULTY KURA_FAULT="s 1 always enospc" k "${V[@]}" add Epsilon --password-file pw
expect "a write that fails on a full disk" 1 "disk is full"
k "${V[@]}" status --json
check "still format 1, nothing added" json_ok '.format == 1 and .items == 4'
k "${V[@]}" get Gamma --field password
check "and it still reads" test "$out" = pw-Gamma

k_in "pw-Epsilon" "${V[@]}" add Epsilon --password-file -
expect "the first write" 0
k "${V[@]}" status --json
check "now format 6, every item kept" json_ok '.format == 6 and .items == 5'
for t in Alpha Beta Gamma Delta Epsilon; do
    k "${V[@]}" get "$t" --field password
    expect "$t by title after the upgrade" 0
    check "$t's password" test "$out" = "pw-$t"
done
k "${V[@]}" get Delta --field pin
check "a field survives" test "$out" = 1234
k "${V[@]}" get alpha --field username
check "titles still match in any case" test "$out" = user-Alpha
k "${V[@]}" check
expect "the upgraded file checks out whole" 0 ""
check "all five items" out_has "all 5 items check out"
k "${V[@]}" search old
check "tags kept" test "$(wc -l <"$T/.out")" = 3

# The title index tag is signed: changing one is tampering.
"$VAULT_SQL" "$T/v.kura" "UPDATE items SET name = CASE WHEN name = x'0000' THEN x'0001' ELSE x'0000' END WHERE rowid IN (SELECT rowid FROM items LIMIT 1)" 2>/dev/null ||
    "$VAULT_SQL" "$T/v.kura" "UPDATE items SET name = CASE WHEN name = x'0000' THEN x'0001' ELSE x'0000' END WHERE id = (SELECT min(id) FROM items)"
k "${V[@]}" ls
expect "a changed title index tag is refused" 6 "signed state"

# A newer format than this kura reads is refused clearly.
cp "$TESTS_DIR/fixtures/format1.kura" newer.kura
sqlite3 newer.kura "PRAGMA user_version = 7"
k --vault "$T/newer.kura" --key-file v.key ls
expect "format 7" 7 "needs a newer kura"
finish
