# kura reset: the vault destroyed beyond recovery (canaries, old ciphertexts and old wrapped
# keys found nowhere), a new vault, key and kit, a receipt without secrets; damage never
# blocks it; declining changes nothing.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

new_vault v
export KURA_VAULT=$T/v.kura
id=$(cat v.id)
short=${id:0:8}
oldkit=$(jq -r '.kit[1]' v.json)
mv "$oldkit" oldkit.png
mv "$(jq -r '.kit[0]' v.json)" oldkit.pdf
k_in "CanaryPassword-R3s3t" add CanaryTitle-R3s3t --username canary-user-r3s3t --password-file - --key-file v.key
k_in "CanaryNote-R3s3t" edit CanaryTitle-R3s3t --notes-file - --key-file v.key
k add Second --key-file v.key
k unlock --key-file v.key
eval "$out"
printf 'device pass 1234\n' >pass
k device enroll --key-file v.key --passphrase-file pass
"$VAULT_SQL" "$T/v.kura" "SELECT hex(overview), hex(details) FROM items; SELECT hex(substr(v, 1, length(v) - 16)) FROM meta WHERE k IN ('slot.client', 'info', 'vk_check')" |
    tr '\t' '\n' >old.hex
check "old ciphertexts and wrapped keys recorded" test "$(grep -c . old.hex)" = 7
python3 "$TESTS_DIR/find_bytes.py" old.hex "$T/v.kura" >/dev/null
check "the search finds them in the vault before the reset" test $? = 1
session_blobs=$(ls "$XDG_RUNTIME_DIR/kura" | wc -l)
check "a session and a device slot exist before" test "$session_blobs" = 1 -a -e "$HOME/.local/share/kura/devices/$id.device"

# Declining changes nothing.
before=$(sum v.kura)
k reset
expect "no terminal, no --confirm" 9 "--confirm $short"
k reset --confirm WRONG
expect "a wrong --confirm" 9 "nothing was destroyed"
k reset --confirm DELETE
expect "DELETE where the short id is asked" 9
pty -e "Type the vault's short id" -s nope -- "$KURA" reset
expect "a wrong short id typed at the terminal" 9
check "the prompt warned what it destroys" out_has "destroys vault $id"
check "declining left the vault as it was" test "$(sum v.kura)" = "$before"
k ls --key-file v.key
expect "the vault still opens" 0

# The reset itself, confirmed at the terminal.
mkdir newkit
: >"$T/v.kura-journal" # a leftover journal goes too
pty -e "Type the vault's short id" -s "$short" -- "$KURA" reset --kit-dir "$T/newkit" --name Fresh
expect "reset confirmed with the short id" 0
check "the receipt names the old vault" out_has "old vault:        $id"
check "the receipt counts the items" out_has "items destroyed:  2"
check "the receipt counts the files" out_has "files destroyed:  2"
check "the receipt: device slot and session" out_has "its slot removed; 1 session ended"
newid=$(grep -oE 'new vault: +[0-9A-Z]{26}' "$T/.out" | grep -oE '[0-9A-Z]{26}')
newkey=$(grep -oE '^    [0-9A-Z]{6}(-[0-9A-Z]{6}){5}' "$T/.out" | tr -d ' ')
check "a new vault id" test -n "$newid" -a "$newid" != "$id"
check "the journal is gone" test ! -e "$T/v.kura-journal"
check "the device slot is gone" test ! -e "$HOME/.local/share/kura/devices/$id.device"
check "the session is gone" test -z "$(ls "$XDG_RUNTIME_DIR/kura")"
check "a new kit" test -n "$(ls newkit/*.png)"

# Nothing of the old vault anywhere kura writes.
python3 "$TESTS_DIR/find_bytes.py" old.hex "$T/v.kura" "$HOME" "$XDG_RUNTIME_DIR" newkit
check "no old ciphertext or wrapped key survives" test $? = 0
leaks=0
for c in CanaryPassword-R3s3t CanaryTitle-R3s3t canary-user-r3s3t CanaryNote-R3s3t "$(cat v.key)"; do
    grep -rlaF -- "$c" "$T/v.kura" "$HOME" "$XDG_RUNTIME_DIR" newkit && leaks=$((leaks + 1))
done
check "no canary survives" test "$leaks" = 0

# The old key and kits fail, naming the new vault; the new key works.
k ls --key-file v.key
expect "the old key" 3 "does not open vault $newid"
k ls --kit oldkit.png
expect "the old PNG kit" 3 "is the kit of vault $id: this key does not open vault $newid"
k kit check oldkit.pdf --key-file v.key
expect "the old PDF kit" 3 "this key does not open vault $newid"
KURA_SESSION=$KURA_SESSION k ls
expect "the old session" 8
printf '%s\n' "$newkey" >new.key
k status --key-file new.key --json
check "status: the new vault" json_ok '.vault_id == "'"$newid"'" and .items == 0'
k kit check newkit/*.png
expect "the new kit opens the new vault" 0
unset KURA_SESSION

# --json: the receipt holds no secret; the new key stands apart.
k reset --confirm "${newid:0:8}" --no-kit --json
expect "reset --json" 0
check "receipt fields" json_ok '.receipt.old_vault_id == "'"$newid"'" and .receipt.items_destroyed == 0 and (.receipt.time | test("Z$"))'
check "the new id in the receipt and outside" json_ok '.receipt.new_vault_id == .vault_id'
check "no key inside the receipt" json_ok '(.receipt | tostring | test("[0-9A-Z]{6}-[0-9A-Z]{6}-") | not) and (.client_key | length == 41)'
check "no kit asked, none made" json_ok '.kit == []'
jq -r .client_key <<<"$out" >json.key

# Damage never blocks a reset: when the vault's records (page 2, table meta) are damaged, its
# id cannot be read and the word is DELETE.
flip_at=$((4096 + 2048))
python3 "$TESTS_DIR/flip.py" v.kura "$flip_at"
k ls --key-file json.key
expect "a damaged vault" 6
k reset --confirm "$(jq -r .vault_id <<<"$out" | cut -c1-8)" --no-kit
expect "the short id cannot be read from a damaged vault" 9 "DELETE"
k reset --confirm DELETE --no-kit --json
expect "reset a damaged vault with DELETE" 0
check "receipt: old id and items unknown" json_ok '.receipt.old_vault_id == null and .receipt.items_destroyed == null'
jq -r .client_key <<<"$out" >k3.key
truncate -s 5000 v.kura
k reset --confirm DELETE --no-kit
expect "reset a truncated vault" 0
echo "not a vault at all" >v.kura
k reset --confirm DELETE --no-kit --json
expect "reset a file that is no vault" 0
check "and a working vault takes its place" bash -c "jq -r .client_key <<<'$out' >'$T/k4.key'"
k ls --key-file k4.key
expect "the new vault opens" 0
k reset --vault "$T/none.kura" --confirm DELETE
expect "reset with no vault" 5 "no vault at"
mkdir dir.kura
k reset --vault "$T/dir.kura" --confirm DELETE --no-kit
expect "reset of a folder" 1 "not a file"

finish
