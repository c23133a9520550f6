# Item history: every edit keeps the version it replaces and every rm the last version, so
# nothing typed is lost; history lists versions (when, where, which fields; never values),
# --show prints one masked, restore makes one the newest or brings a deleted item back. The
# history is signed with the rest of the file: a dropped or replayed history row is tampering.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

new_vault v
V=(--vault "$T/v.kura" --key-file v.key)
k_in "first-pw" "${V[@]}" add Bank --username alice --password-file -
expect "add" 0
k_in "second-pw" "${V[@]}" edit Bank --password-file -
expect "edit the password" 0
k "${V[@]}" edit Bank --username bob --add-tag money
expect "edit the username and tags" 0

k "${V[@]}" history Bank
expect "history" 0
check "three versions, oldest first" out_has "3 versions, oldest first"
check "the first was the creation" grep -qE '^ +1 .*this device +created$' "$T/.out"
check "the second changed the password" grep -qE '^ +2 .*password$' "$T/.out"
check "the third the username and tags, and is current" grep -qE '^ +3 .*username, tags +\(current\)$' "$T/.out"
check "no value in the list" bash -c "! grep -qE 'first-pw|second-pw|alice|bob' '$T/.out'"

k "${V[@]}" history Bank --json
expect "history --json" 0
check "json: versions with n, when, device, changed" json_ok '(.versions | length) == 3 and .versions[0].n == 1 and (.versions[1].changed == ["password"]) and .versions[2].current and (.versions[0].when | test("^[0-9]{4}-"))'
check "json: no value" bash -c "! grep -qE 'first-pw|second-pw' '$T/.out'"

k "${V[@]}" history Bank --show 1 --field password
expect "an old password, asked for" 0
check "is the first one" out_is "first-pw"
k "${V[@]}" history Bank --show 1
expect "an old version, whole" 0
check "masked" out_has "password:  ********"
check "its username then" out_has "username:  alice"
check "the password not shown" bash -c "! grep -q first-pw '$T/.out'"
k "${V[@]}" history Bank --show 9
expect "no such version" 5 "has 3 versions"
k "${V[@]}" history Bank --field password
expect "--field without --show" 2 "--show"
k "${V[@]}" history
expect "no item" 2 "which item"
k "${V[@]}" history Nosuch
expect "no such item" 5 "no item \"Nosuch\""

# Restore: version 1 becomes the newest; the one it replaced is kept.
k "${V[@]}" restore Bank 1
expect "restore version 1" 0
check "says so" out_has 'restored version 1 of "Bank"'
k "${V[@]}" get Bank --field password
check "the first password is back" out_is "first-pw"
k "${V[@]}" history Bank --json
check "four versions now, the restore the newest" json_ok '(.versions | length) == 4 and .versions[3].current'
k "${V[@]}" restore Bank 4
expect "restoring the current version" 2 "already the current one"
k "${V[@]}" restore Bank 7
expect "restoring a version that is not there" 5 "has no version 7"
k "${V[@]}" restore Bank x
expect "a version that is not a number" 2 "not a version number"

# Deleted items: listed, their history shown, brought back.
k "${V[@]}" rm --yes Bank
expect "rm" 0
k "${V[@]}" get Bank
expect "gone from get" 5
k "${V[@]}" history --deleted
expect "history --deleted" 0
check "lists it" grep -qE '^[0-9a-f]{8}  Bank  deleted ' "$T/.out"
k "${V[@]}" history --deleted --json
check "json: id, title, deleted" json_ok 'length == 1 and .[0].title == "Bank" and (.[0].deleted | test("Z$"))'
k "${V[@]}" history Bank
expect "the history of a deleted item" 0
check "ends with its deletion" grep -qE '^ +5 .*deleted$' "$T/.out"
k "${V[@]}" restore Bank 5
expect "a deletion is not a version" 2 "is its deletion"
k "${V[@]}" restore Bank 2
expect "bring it back at version 2" 0
check "says so" out_has 'brought back version 2 of "Bank"'
k "${V[@]}" get Bank --field password
check "with that version's password" out_is "second-pw"
k "${V[@]}" history --deleted
check "no longer deleted" out_has "no deleted items"
k "${V[@]}" check
expect "the vault is whole" 0

# How much is kept: at least history_keep versions, every one of the last history_days days.
mkdir -p "$HOME/.config/kura"
printf 'history_keep = 3\nhistory_days = 0\n' >"$HOME/.config/kura/config"
for i in 1 2 3 4 5 6; do k_in "pw-$i" "${V[@]}" edit Bank --password-file -; done
k "${V[@]}" history Bank --json
check "history_keep 3: three old versions and the current one" json_ok '(.versions | length) == 4 and .versions[3].current'
k "${V[@]}" history Bank --show 3 --field password
check "the newest old ones" out_is "pw-5"
printf 'history_keep = 0\n' >"$HOME/.config/kura/config"
k "${V[@]}" ls
expect "history_keep 0 is refused" 2 "history_keep is versions, 1 to 10000"
rm "$HOME/.config/kura/config"
for i in 1 2 3; do k_in "more-$i" "${V[@]}" edit Bank --password-file -; done
k "${V[@]}" history Bank --json
check "by default every version of the last 90 days is kept" json_ok '(.versions | length) == 7'

# The history is signed: a dropped, replayed or moved history row is tampering.
id=$("$KURA" "${V[@]}" get Bank --json | jq -r .id)
cp v.kura before.kura
"$VAULT_SQL" "$T/v.kura" "DELETE FROM past WHERE id = x'$id'"
k "${V[@]}" history Bank
expect "a dropped history row" 6 "signed state"
k "${V[@]}" ls
expect "is seen by a listing too" 6 "signed state"
cp before.kura v.kura
k_in "newest" "${V[@]}" edit Bank --password-file -
cp v.kura after.kura
"$VAULT_SQL" "$T/before.kura" "SELECT hex(body) FROM past WHERE id = x'$id'" >old_body
"$VAULT_SQL" "$T/v.kura" "UPDATE past SET body = x'$(cat old_body)' WHERE id = x'$id'"
k "${V[@]}" history Bank
expect "an older history row put back" 6 "signed state"
cp after.kura v.kura
k "${V[@]}" history Bank
expect "the vault as it was reads again" 0
finish
