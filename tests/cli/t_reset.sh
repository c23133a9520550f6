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

# Declining changes nothing. While a way in is left (this shell's session, this device's
# slot, a kit in Downloads), reset says so first and names the gentler paths.
before=$(sum v.kura)
mkdir -p "$HOME/Downloads"
cp oldkit.png "$HOME/Downloads/KURA_CLIENT_KEY_EMERGENCY_KIT00001.png"
k reset
MULTILINE_OK=1 expect "no terminal, no --confirm" 9 "a script confirms with --confirm"
check "it never prints the confirming word" bash -c "! grep -q -- '--confirm $short' '$T/.err'"
check "a way in is named first: the session" err_has "this shell's session is open"
check "the device" err_has "this device is enrolled"
check "the kit" err_has "the kit $HOME/Downloads/KURA_CLIENT_KEY_EMERGENCY_KIT00001.png opens it"
check "and the gentler paths" err_has "'kura key show' shows the client key, 'kura kit' saves a new kit, 'kura export --encrypted FILE'"
k reset --confirm WRONG
MULTILINE_OK=1 expect "a wrong --confirm" 9 "nothing was destroyed"
k reset --confirm DELETE
MULTILINE_OK=1 expect "DELETE where the short id is asked" 9
pty -e "Type the vault's short id" -s nope -- "$KURA" reset
expect "a wrong short id typed at the terminal" 9
check "the prompt warned what it destroys" out_has "destroys vault $id"
check "and named the way in before it asked" out_has "a way into vault $short is left"
check "declining left the vault as it was" test "$(sum v.kura)" = "$before"
k ls --key-file v.key
expect "the vault still opens" 0
rm "$HOME/Downloads/KURA_CLIENT_KEY_EMERGENCY_KIT00001.png"

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
check "the terminal reset named the session and the device first" out_has "this shell's session is open; this device is enrolled;"
check "and the kit it found under another name, an image like any" out_has "oldkit.p"
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
check "--json: which ways in existed (none: the session is of the old vault)" json_ok '.ways_in == {"session": false, "device_enrolled": false, "kits": []}'
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
k reset --confirm DELETE --no-kit --json
expect "reset a truncated vault (its header is kura's)" 0
jq -r .client_key <<<"$out" >k4.key

# A vault whose header is damaged is still known as kura's by its page checksums.
printf '\x00\x00\x00\x00' | dd of=v.kura bs=1 seek=68 conv=notrunc status=none
k ls --key-file k4.key
expect "the application id zeroed" 6
k reset --confirm DELETE --no-kit --json
expect "reset a kura vault with a damaged header" 0
jq -r .client_key <<<"$out" >k5.key
k ls --key-file k5.key
expect "the new vault opens" 0

# Reset destroys only kura's files: anything else is left byte for byte, no key is printed.
keyless() { ! grep -qE '[0-9A-Z]{6}(-[0-9A-Z]{6}){5}' "$T/.out" "$T/.err"; }
printf 'Chapter 1\nmy thesis, three years of it\n' >thesis.txt
before=$(sum thesis.txt)
k --vault "$T/thesis.txt" reset --confirm DELETE --no-kit
expect "a text file is refused" 5 "thesis.txt is a file kura did not write, not a kura vault"
check "the text file is as it was" test "$(sum thesis.txt)" = "$before"
check "no new key was printed" keyless
check "no new vault beside it" test ! -e thesis.txt.reset
sqlite3 other.db "PRAGMA application_id = 1234; CREATE TABLE notes(t); INSERT INTO notes VALUES ('keep me')"
before=$(sum other.db)
k --vault "$T/other.db" reset --confirm DELETE --no-kit
expect "another program's database is refused" 5 "another program's SQLite database"
check "the database is as it was" test "$(sum other.db)" = "$before"
sqlite3 plain.db "CREATE TABLE t(x); INSERT INTO t VALUES (1)"
k --vault "$T/plain.db" reset --confirm DELETE --no-kit
expect "an SQLite database without an id is refused" 5 "an SQLite database kura did not write"
head -c 65536 /dev/urandom >noise.bin
before=$(sum noise.bin)
k --vault "$T/noise.bin" reset --confirm DELETE --no-kit
expect "random bytes are refused" 5 "not a kura vault"
check "the random file is as it was" test "$(sum noise.bin)" = "$before"
: >empty.kura
k --vault "$T/empty.kura" reset --confirm DELETE --no-kit
expect "an empty file is refused" 5 "an empty file"
check "no key for the empty file" keyless
ln -s v.kura link.kura
before=$(sum v.kura)
k --vault "$T/link.kura" reset --confirm DELETE --no-kit
expect "a symbolic link (to a vault) is refused" 1 "a symbolic link, not a kura vault"
check "the vault behind it is as it was" test "$(sum v.kura)" = "$before" -a -L link.kura
k --vault /dev/null reset --confirm DELETE --no-kit
expect "a device is refused" 1 "a device"
k reset --vault "$T/none.kura" --confirm DELETE
expect "reset with no vault" 5 "no vault at"
mkdir dir.kura
k reset --vault "$T/dir.kura" --confirm DELETE --no-kit
expect "reset of a folder" 1 "is a directory, not a kura vault"
check "no key for a folder" keyless
check "the folder is as it was" test -d dir.kura -a ! -e dir.kura.reset

# A reset that cannot finish prints no key: a vault on a read-only disk (a tmpfs in a mount
# namespace) is refused before a new key is made.
if unshare -m true 2>/dev/null; then NS=(unshare -m); elif unshare -rm true 2>/dev/null; then
    NS=(unshare -rm); else NS=(); fi
check "a mount namespace for the read-only case" test "${#NS[@]}" != 0
cat >ro.sh <<'SH'
cd "$1" && mkdir -p ro && mount -t tmpfs -o size=1m tmpfs ro || exit 99
cp k5.kura ro/v.kura
mount -o remount,ro ro
"$KURA" --vault ro/v.kura reset --confirm DELETE --no-kit >ro.out 2>ro.err
echo "rc=$?" >>ro.out
cmp -s k5.kura ro/v.kura && echo "unchanged" >>ro.out
umount ro
SH
cp v.kura k5.kura
"${NS[@]}" bash ro.sh "$T" </dev/null
check "a read-only disk: refused" grep -qx 'rc=1' ro.out
check "saying why, before any key" grep -q 'cannot write in .*ro (Read-only file system); nothing was destroyed' ro.err
check "no key printed" bash -c "! grep -qE '[0-9A-Z]{6}(-[0-9A-Z]{6}){5}' '$T/ro.out' '$T/ro.err'"
check "the vault unchanged" grep -qx unchanged ro.out

finish
