#!/bin/bash
# Tampering: someone who can rewrite the vault file (and recompute its unkeyed page and row
# checksums) but has no key. Each attack is refused with exit 6 by any read of the whole
# vault (ls), and leaves the file as it was; the untouched copy opens. A lookup (by id or
# title) checks only the bucket it reads, and a lookup that finds nothing reads everything.
# What is not detected: a rollback on a device that never saw the newer file
# (docs/SECURITY.md).
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

new_vault v
new_vault other
V=(--vault "$T/v.kura" --key-file v.key)
for t in Alpha Beta Gamma; do
    k_in "pw-$t" "${V[@]}" add "$t" --password-file -
done
k_in "pw-other" --vault "$T/other.kura" --key-file other.key add Elsewhere --password-file -
idof() {
    k "$@" --field id
    printf '%s' "$out"
}
a=$(idof "${V[@]}" get Alpha)
b=$(idof "${V[@]}" get Beta)
g=$(idof "${V[@]}" get Gamma)
e=$(idof --vault "$T/other.kura" --key-file other.key get Elsewhere)
sql() { "$VAULT_SQL" "$T/$1" "$2"; }

# Alpha's row and the state as they were, then a newer Alpha: the base every attack starts
# from, and this device has seen it.
old_alpha=$(sql v.kura "SELECT hex(overview) || ':' || hex(details) FROM items WHERE id = x'$a'")
old_state=$(sql v.kura "SELECT hex(v) FROM meta WHERE k = 'state'")
cp v.kura old.kura
k_in "pw-Alpha-2" "${V[@]}" edit Alpha --password-file -
expect "edit Alpha" 0
cp v.kura base.kura

# attack NAME SQL: on a copy of base; refused with exit 6, copy unchanged.
attacks=0 refused=0
attack() {
    local name=$1 stmt=$2
    cp base.kura t.kura
    if ! sql t.kura "$stmt" >/dev/null; then
        _report "$name" 0 "the attack's SQL failed"
        return
    fi
    local before
    before=$(sha256sum <t.kura)
    attacks=$((attacks + 1))
    k --vault "$T/t.kura" --key-file v.key ls
    [ "$rc" = 6 ] && refused=$((refused + 1))
    expect "$name: refused" 6 "${3:-do not match its signed state}"
    check "$name: file unchanged" test "$(sha256sum <t.kura)" = "$before"
}

k --vault "$T/base.kura" --key-file v.key get Gamma --field password
expect "the untouched file opens" 0
check "and gives the right password" test "$out" = pw-Gamma

attack "details moved to another item" \
    "UPDATE items SET details = (SELECT details FROM items WHERE id = x'$b') WHERE id = x'$a'"
attack "details moved into the overview" "UPDATE items SET overview = details WHERE id = x'$a'"
attack "an older version of an item replayed" \
    "UPDATE items SET overview = x'${old_alpha%%:*}', details = x'${old_alpha##*:}' WHERE id = x'$a'"
attack "an item deleted" "DELETE FROM items WHERE id = x'$b'"
attack "an item duplicated under a new id" \
    "INSERT INTO items SELECT randomblob(16), overview, details, name FROM items WHERE id = x'$g'"
other_row=$(sql other.kura "SELECT hex(overview) || ':' || hex(details) FROM items WHERE id = x'$e'")
attack "an item of another vault inserted" \
    "INSERT INTO items VALUES (x'$e', x'${other_row%%:*}', x'${other_row##*:}', x'0000')"
attack "an item's id changed" "UPDATE items SET id = randomblob(16) WHERE id = x'$b'"
attack "an item's title index tag changed" \
    "UPDATE items SET name = CASE WHEN name = x'0000' THEN x'0001' ELSE x'0000' END WHERE id = x'$b'"
attack "the state of an older time" "UPDATE meta SET v = x'$old_state' WHERE k = 'state'"
attack "the state deleted" "DELETE FROM meta WHERE k = 'state'"
attack "the generation lowered" \
    "UPDATE meta SET v = resum('state', poke(v, 0, 1)) WHERE k = 'state'"
attack "KDF parameters in the client-key slot changed" \
    "UPDATE meta SET v = resum('slot.client', poke(v, 2, 1)) WHERE k = 'slot.client'" \
    "damaged"
other_info=$(sql other.kura "SELECT hex(v) FROM meta WHERE k = 'info'")
attack "another vault's record" \
    "UPDATE meta SET v = resum('info', x'$other_info') WHERE k = 'info'" "damaged"
attack "a record added" "INSERT INTO meta VALUES ('extra', resum('extra', zeroblob(20)))"

# The schema is exactly kura's: another table, index, trigger, view or statistics table, or a
# changed declaration, could make a query read other bytes than the state signs.
schema_msg="its schema is not the one kura writes"
attack "a table added" "CREATE TABLE extra(x)" "$schema_msg"
attack "an index added" "CREATE INDEX extra ON items(overview)" "$schema_msg"
attack "a covering index added" "CREATE INDEX extra ON items(id, overview, details)" "$schema_msg"
attack "a trigger added" "CREATE TRIGGER extra AFTER INSERT ON items BEGIN SELECT 1; END" "$schema_msg"
attack "a view added" "CREATE VIEW extra AS SELECT * FROM items" "$schema_msg"
attack "statistics added (ANALYZE)" "ANALYZE" "$schema_msg"
attack "items' declaration changed" \
    "PRAGMA writable_schema=ON; UPDATE sqlite_schema SET sql = replace(sql, 'details BLOB NOT NULL', 'details BLOB NOT NULL DEFAULT x''00''') WHERE name = 'items'" \
    "$schema_msg"
# Replay through the schema: a covering index that holds the older Alpha while the table holds
# the signed one (built with the index hidden from SQLite while the table is put back).
cp base.kura t.kura
new_alpha=$(sql t.kura "SELECT hex(overview) || ':' || hex(details) FROM items WHERE id = x'$a'")
sql t.kura "UPDATE items SET overview = x'${old_alpha%%:*}', details = x'${old_alpha##*:}' WHERE id = x'$a'; CREATE INDEX cover ON items(id, overview, details)"
root=$(sql t.kura "SELECT rootpage FROM sqlite_schema WHERE name = 'cover'")
sql t.kura "PRAGMA writable_schema=ON; DELETE FROM sqlite_schema WHERE name = 'cover'"
sql t.kura "UPDATE items SET overview = x'${new_alpha%%:*}', details = x'${new_alpha##*:}' WHERE id = x'$a'"
sql t.kura "PRAGMA writable_schema=ON; INSERT INTO sqlite_schema VALUES ('index', 'cover', 'items', $root, 'CREATE INDEX cover ON items(id, overview, details)')"
before=$(sha256sum <t.kura)
for cmd in "get Alpha --field password" "get $a --field password" ls "search Al" check; do
    k --vault "$T/t.kura" --key-file v.key $cmd
    expect "a covering index with an older copy: $cmd refused" 6 "$schema_msg"
    check "and never the old password" test "$out" != pw-Alpha
done
check "the file is unchanged" test "$(sha256sum <t.kura)" = "$before"
attacks=$((attacks + 1)) && [ "$rc" = 6 ] && refused=$((refused + 1))

# kura check runs SQLite's integrity_check, which compares every index with its table: an
# entry left in the title index for a row that is gone (the index hidden while the row was
# deleted) passes every read, and kura check finds it.
cp base.kura t.kura
sql t.kura "INSERT INTO items VALUES (randomblob(16), x'00', x'00', x'4242')"
root=$(sql t.kura "SELECT rootpage FROM sqlite_schema WHERE name = 'items_name'")
sql t.kura "PRAGMA writable_schema=ON; DELETE FROM sqlite_schema WHERE name = 'items_name'"
sql t.kura "DELETE FROM items WHERE name = x'4242'"
sql t.kura "PRAGMA writable_schema=ON; INSERT INTO sqlite_schema VALUES ('index', 'items_name', 'items', $root, 'CREATE INDEX items_name ON items(name)')"
k --vault "$T/t.kura" --key-file v.key ls
expect "a stray title index entry: every read still works" 0
k --vault "$T/t.kura" --key-file v.key check
expect "kura check finds it (integrity_check)" 6 "integrity check failed"

# A point lookup by full id checks its own bucket and the state: a deleted item reads as
# tampering, not as "not found"; an item in another bucket still reads (nothing it depends
# on changed). Listing checks every bucket.
cp base.kura t.kura
sql t.kura "DELETE FROM items WHERE id = x'$b'"
k --vault "$T/t.kura" --key-file v.key get "$b" --field password
expect "get of a deleted item by its id: tampering, not 'not found'" 6 "signed state"
if [ "${b:0:3}" != "${g:0:3}" ]; then
    k --vault "$T/t.kura" --key-file v.key get "$g" --field password
    expect "get of an untouched item in another bucket by its id still reads" 0
fi
k --vault "$T/t.kura" --key-file v.key ls
expect "ls checks every bucket" 6 "signed state"
# By title: the index finds nothing, and a miss reads the whole vault before saying so.
k --vault "$T/t.kura" --key-file v.key get Beta --field password
expect "get of a deleted item by its title: tampering, not 'not found'" 6 "signed state"
k --vault "$T/t.kura" --key-file v.key check
expect "kura check finds it" 6 "signed state"
cp base.kura t.kura
sql t.kura "UPDATE items SET name = CASE WHEN name = x'0000' THEN x'0001' ELSE x'0000' END WHERE id = x'$b'"
k --vault "$T/t.kura" --key-file v.key get Beta --field password
expect "an item hidden from the title index: its lookup misses, then reads everything" 6 "signed state"

# Trusting a tampered file reads what is left: the duplicated row has the wrong id in its
# associated data, so it never decrypts; everything else does.
cp base.kura t.kura
sql t.kura "INSERT INTO items SELECT randomblob(16), overview, details, name FROM items WHERE id = x'$g'"
k --vault "$T/t.kura" --key-file v.key ls --json --trust-file
expect "--trust-file lists what is left, and says what is not" 6 "1 item of vault"
check "the three readable items are listed" json_ok "length == 3"
cp base.kura t.kura
sql t.kura "DELETE FROM items WHERE id = x'$b'"
k --vault "$T/t.kura" --key-file v.key ls --trust-file
expect "--trust-file accepts a file with an item deleted" 0
check "and lists what is left" test "$(wc -l <"$T/.out")" = 2
k --vault "$T/t.kura" --key-file v.key ls
expect "once trusted, it opens without the flag" 0

# Rolling the whole file back: refused on this device, which saw the newer one.
cp base.kura v.kura
cp old.kura v.kura
before=$(sha256sum <v.kura)
k "${V[@]}" get Alpha --field password
expect "a rolled-back file is refused" 6 "older than this device last saw it"
check "the message says how to accept a restored backup" err_has "--trust-file"
check "the rolled-back file is unchanged" test "$(sha256sum <v.kura)" = "$before"
attacks=$((attacks + 1)) && [ "$rc" = 6 ] && refused=$((refused + 1))
# Not detected: a device that never saw the newer file (a new HOME) opens the old one.
HOME=$T/home2 k "${V[@]}" get Alpha --field password
expect "a device that never saw the newer file opens the old one (not detectable)" 0
check "and reads the old password" test "$out" = pw-Alpha
# The user restored it on purpose.
k "${V[@]}" get Alpha --field password --trust-file
expect "--trust-file accepts a restored backup" 0
check "and reads it" test "$out" = pw-Alpha
k "${V[@]}" get Alpha --field password
expect "then it opens without the flag" 0
k_in "pw-Alpha-3" "${V[@]}" edit Alpha --password-file -
expect "and takes writes" 0

# A fork: two copies, each written on its own device, at the same change number. The
# device that saw one refuses the other.
cp v.kura fork.kura
HOME=$T/home2 k_in "pw-fork" --vault "$T/fork.kura" --key-file v.key edit Beta --password-file -
expect "the fork is written on the other device" 0
k_in "pw-here" "${V[@]}" edit Beta --password-file -
expect "and this copy here" 0
cp fork.kura v.kura
k "${V[@]}" get Beta --field password
expect "the forked copy is refused" 6 "is a fork"
attacks=$((attacks + 1)) && [ "$rc" = 6 ] && refused=$((refused + 1))

# Sessions check too: a session opened on the good file refuses the tampered one.
cp base.kura s.kura
rm -f "$HOME"/.local/state/kura/*.seen
k --vault "$T/s.kura" --key-file v.key unlock
expect "unlock" 0
session=$(sed -n 's/^export KURA_SESSION=\(.*\)$/\1/p' "$T/.out" | tr -d "'\"")
sql s.kura "DELETE FROM items WHERE id = x'$g'" >/dev/null
KURA_SESSION=$session k --vault "$T/s.kura" ls
expect "a session sees the tampering" 6 "signed state"

echo "tamper: $attacks attacks, $refused refused, $((attacks - refused)) unnoticed"
check "every attack refused" test "$refused" = "$attacks"
finish
