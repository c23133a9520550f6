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
finish
