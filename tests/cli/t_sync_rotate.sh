# A key rotation on a synced vault: the rotating device leaves a notice under the old key
# and writes on under the new one; another device is told at its next sync (who rotated,
# when) and changes nothing until given the new key, then keeps the edits it made meanwhile;
# a device that has not caught up is left for later, never counted as tampering; a new device
# clones with the new key; the old key no longer clones; the old key never opens new files.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

on() { # on DEVICE KEYFILE ARGS
    local d=$1 key=$2
    shift 2
    mkdir -p "$T/$d/run" && chmod 700 "$T/$d/run"
    HOME=$T/$d XDG_RUNTIME_DIR=$T/$d/run KURA_CLIENT_KEY_FILE=$T/$key \
        setsid -w "$KURA" "$@" >"$T/.out" 2>"$T/.err" </dev/null
    _capture
}
on_in() {
    local input=$1 d=$2 key=$3
    shift 3
    mkdir -p "$T/$d/run" && chmod 700 "$T/$d/run"
    printf '%s\n' "$input" | HOME=$T/$d XDG_RUNTIME_DIR=$T/$d/run KURA_CLIENT_KEY_FILE=$T/$key \
        setsid -w "$KURA" "$@" >"$T/.out" 2>"$T/.err"
    _capture
}
vault_sum() { sha256sum "$T/$1/.local/share/kura/vault.kura" | cut -c1-64; }

mkdir -p a
HOME=$T/a "$KURA" init --name Family --no-kit --json >a.json
jq -r .client_key a.json >old.key
on_in "bank-1" a old.key add Bank --password-file -
mkdir remote
on a old.key remote add "$T/remote"
on a old.key sync
on b old.key clone "$T/remote"
on c old.key clone "$T/remote"
expect "three devices on the old key" 0

on a old.key key rotate --yes --json --dir "$T/a"
expect "a rotates" 0
jq -r .client_key "$T/.out" >new.key
on_in "from-b-meanwhile" b old.key edit Bank --password-file -
on_in "mail" a new.key add Mail --password-file -
on a new.key sync
expect "a syncs after its rotation" 0
check "a's rotation notice is kept beside its snapshot" test "$(find remote -name '*.log' | wc -l)" -ge 1

before=$(vault_sum b)
on b old.key sync
expect "b, without a terminal, is told and asked for the new key" 8 "with --new-key-file"
check "it names the rotating device and when" err_has "rotated vault $(jq -r .vault_id a.json)'s key on"
check "b's vault is unchanged" test "$(vault_sum b)" = "$before"
on b old.key sync --new-key-file "$T/old.key"
expect "the old key again is refused" 2 "already"
printf 'ZZZZZZ-ZZZZZZ-ZZZZZZ-ZZZZZZ-ZZZZZZ-ZZZZZZ\n' >typo.key
on b old.key sync --new-key-file "$T/typo.key"
expect "a mistyped new key" 4 "typo"
on b old.key sync --new-key-file "$T/new.key"
expect "b takes the new key" 0
check "and says what that means" out_has "now has the new key"
check "and syncs" out_has "1 out"
on b new.key get Mail --field password
check "a's new item arrived" out_is "mail"
on b old.key ls
expect "the old key no longer opens b's vault" 3
on a new.key sync
on a new.key get Bank --field password
check "b's edit from before it learned of the rotation is kept" out_is "from-b-meanwhile"

# c has not caught up: a and b go on, and c's old-key files are no trouble to them.
on_in "from-c-old" c old.key edit Mail --password-file - 2>/dev/null
on_in "later" c old.key add Later --password-file -
expect "c adds an item under the old key" 0
on c old.key sync
expect "c is told too" 8 "rotated"
on d new.key clone "$T/remote"
expect "a new device clones with the new key" 0
check "with what a and b wrote" out_has "2 items"
on d new.key sync --json
check "nothing from c yet, and no complaint" json_ok '.behind == 0 or .behind == 1'
on e old.key clone "$T/remote"
expect "the old key no longer clones" 3 "clone with the new client key"
check "and leaves no vault" test ! -e "$T/e/.local/share/kura/vault.kura"
on c old.key sync --new-key-file "$T/new.key"
expect "c catches up" 0
on a new.key sync
on a new.key get Later
expect "c's item made under the old key arrives" 0
leaks=0
for f in $(find remote -name '*.log' -o -name '*.snap'); do
    head -c 38 "$f" | tail -c 16 | od -An -tx1 | tr -d ' \n' >>keyids
    echo >>keyids
done
check "two key ids on the remote, no more" test "$(sort -u keyids | wc -l)" -le 2
finish
