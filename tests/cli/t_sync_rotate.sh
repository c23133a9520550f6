# A key rotation on a synced vault: the rotating device leaves a notice under the old key
# and writes on under the new one; another device is told at its next sync (who rotated,
# when) and changes nothing until given the new key, then keeps the edits it made meanwhile;
# a device that has not caught up is left for later, never counted as tampering; a new device
# clones with the new key; the old key no longer clones; the old key never opens new files.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

vault_sum() { sha256sum "$T/$1/.local/share/kura/vault.kura" | cut -c1-64; }

mkdir -p a
HOME=$T/a "$KURA" init --name Family --no-kit --json >a.json
jq -r .client_key a.json >old.key
KEY=old.key on_in "bank-1" a add Bank --password-file -
mkdir remote
KEY=old.key on a remote add "$T/remote"
KEY=old.key on a sync
KEY=old.key on b clone "$T/remote"
KEY=old.key on c clone "$T/remote"
expect "three devices on the old key" 0

KEY=old.key on a key rotate --yes --json --dir "$T/a"
expect "a rotates" 0
jq -r .client_key "$T/.out" >new.key
KEY=old.key on_in "from-b-meanwhile" b edit Bank --password-file -
KEY=new.key on_in "mail" a add Mail --password-file -
KEY=new.key on a sync
expect "a syncs after its rotation" 0
check "a's rotation notice is kept beside its snapshot" test "$(find remote -name '*.log' | wc -l)" -ge 1

before=$(vault_sum b)
KEY=old.key on b sync
expect "b, without a terminal, is told and asked for the new key" 8 "with --new-key-file"
check "it names the rotating device and when" err_has "rotated vault $(jq -r .vault_id a.json)'s key on"
check "b's vault is unchanged" test "$(vault_sum b)" = "$before"
KEY=old.key on b sync --new-key-file "$T/old.key"
expect "the old key again is refused" 2 "already"
printf 'ZZZZZZ-ZZZZZZ-ZZZZZZ-ZZZZZZ-ZZZZZZ-ZZZZZZ\n' >typo.key
KEY=old.key on b sync --new-key-file "$T/typo.key"
expect "a mistyped new key" 4 "typo"
KEY=old.key on b sync --new-key-file "$T/new.key"
expect "b takes the new key" 0
check "and says what that means" out_has "now has the new key"
check "and syncs" out_has "1 out"
KEY=new.key on b get Mail --field password
check "a's new item arrived" out_is "mail"
KEY=old.key on b ls
expect "the old key no longer opens b's vault" 3
KEY=new.key on a sync
KEY=new.key on a get Bank --field password
check "b's edit from before it learned of the rotation is kept" out_is "from-b-meanwhile"

# c has not caught up: a and b go on, and c's old-key files are no trouble to them.
KEY=old.key on_in "from-c-old" c edit Mail --password-file - 2>/dev/null
KEY=old.key on_in "later" c add Later --password-file -
expect "c adds an item under the old key" 0
KEY=old.key on c sync
expect "c is told too" 8 "rotated"
KEY=new.key on d clone "$T/remote"
expect "a new device clones with the new key" 0
check "with what a and b wrote" out_has "2 items"
KEY=new.key on d sync --json
check "nothing from c yet, and no complaint" json_ok '.behind == 0 or .behind == 1'
KEY=old.key on e clone "$T/remote"
expect "the old key no longer clones" 3 "clone with the new client key"
check "and leaves no vault" test ! -e "$T/e/.local/share/kura/vault.kura"
KEY=old.key on c sync --new-key-file "$T/new.key"
expect "c catches up" 0
KEY=new.key on a sync
KEY=new.key on a get Later
expect "c's item made under the old key arrives" 0
leaks=0
for f in $(find remote -name '*.log' -o -name '*.snap'); do
    head -c 38 "$f" | tail -c 16 | od -An -tx1 | tr -d ' \n' >>keyids
    echo >>keyids
done
check "two key ids on the remote, no more" test "$(sort -u keyids | wc -l)" -le 2

# Which key a kit holds, on every device. a rotates twice more (keys 3 and 4); b, still on
# key 2, takes key 4 from its kit, skipping key 3: the files a wrote under key 4 say it is
# key 4, and b's kits say so too. A new device that clones learns it the same way.
KEY=new.key on a key rotate --yes --json --kit-dir "$T/a/kits3"
expect "a rotates to key 3" 0
check "it says key 3" json_ok '.key == 3'
jq -r .client_key "$T/.out" >k3.key
KEY=k3.key on a sync
KEY=k3.key on a key rotate --yes --json --kit-dir "$T/a/kits4"
check "then to key 4" json_ok '.key == 4'
jq -r .client_key "$T/.out" >k4.key
check "key 4's kit is named so" test -f "$T/a/kits4/Kura client key "*" (key 4).pdf"
check "its PDF says which key it holds" bash -c "pdftotext '$(ls "$T"/a/kits4/*.pdf)' - | grep -q 'Key 4 of this vault, made'"
check "and where the vault lives: its remote, with the command" bash -c "pdftotext '$(ls "$T"/a/kits4/*.pdf)' - | tr '\n' ' ' | grep -q 'kura clone $T/remote'"
KEY=k4.key on a sync
KEY=new.key on b sync
expect "b, two rotations behind, is told of them, not of forgery" 8 "and again since"
KEY=new.key on b sync --new-key-file "$T/k4.key"
expect "b, on key 2, takes key 4" 0
KEY=k4.key on b kit --kit-dir "$T/b/kits" --json
expect "b saves a kit" 0
check "b's kit holds key 4, as a said, not b's count of 3" test -f "$T/b/kits/Kura client key "*" (key 4).pdf"
KEY=k4.key on b kit check "$(ls "$T"/b/kits/*.png)" --json
check "kit check on b says key 4" json_ok '.key == 4 and .current_key == 4'
KEY=k4.key on f clone "$T/remote"
expect "a new device clones on key 4" 0
KEY=k4.key on f kit check "$(ls "$T"/a/kits4/*.png)" --json
check "and knows it is key 4" json_ok '.key == 4'
KEY=k4.key on f kit check "$(ls "$T"/a/kits3/*.png)"
expect "key 3's kit is old there" 3 "old kit"
finish
