# The attacker of the remote: someone who can write the remote but holds no key. Every file
# a device writes is sealed and bound to the vault, the device and its place in that device's
# chain, so cutting, changing, swapping, dropping, replaying, duplicating, moving between
# devices, rolling back a device's files, removing a device, or serving another vault's
# files is seen: the sync stops with exit 6, names the device, and changes nothing here.
# Put back as it was, the remote syncs again. Through a folder and through git.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

edit_on() { # edit_on DEVICE ITEM PASSWORD: an edit, then a sync
    printf '%s\n' "$3" | HOME=$T/$1 XDG_RUNTIME_DIR=$T/$1/run KURA_CLIENT_KEY_FILE=$T/v.key \
        setsid -w "$KURA" edit "$2" --password-file - >/dev/null 2>&1
    on "$1" sync
}
vault_sum() { sha256sum "$T/$1/.local/share/kura/vault.kura" | cut -c1-64; }

mkdir -p a
HOME=$T/a "$KURA" init --name Attacked --no-kit --json >a.json
jq -r .client_key a.json >v.key
vid=$(jq -r .vault_id a.json)
printf 'pw\n' | HOME=$T/a KURA_CLIENT_KEY_FILE=$T/v.key "$KURA" add Bank --password-file - >/dev/null
mkdir remote
on a remote add "$T/remote"
on a sync
A=$(find remote -name 0000000000000001.log -printf '%h\n')
on b clone "$T/remote"
on c clone "$T/remote"
expect "three devices" 0
for i in 1 2 3 4; do edit_on b Bank "b-$i"; done
edit_on c Bank c-1
on a sync
expect "a reads b's four files and c's one" 0
for i in 5 6; do edit_on b Bank "b-$i"; done
edit_on c Bank c-2
B=$(find remote -name 0000000000000006.log -printf '%h\n')
C=$(find remote -name 0000000000000002.log -not -path "$B/*" -not -path "$A/*" -printf '%h\n')
b8=$(basename "$B" | cut -c1-8)
c8=$(basename "$C" | cut -c1-8)
check "b wrote six files, c two" test -f "$B/0000000000000006.log" -a -f "$C/0000000000000002.log"
cp -a remote pristine
before=$(vault_sum a)

# attack NAME DEVICE8 WORDS: after the remote was changed, a's sync must fail with exit 6,
# naming the device and saying WORDS, and leave a's vault as it was.
attack() {
    on a sync
    expect "$1: exit 6" 6 "$3"
    check "$1: names the device" err_has "device $2"
    check "$1: a's vault is unchanged" test "$(vault_sum a)" = "$before"
    rm -rf remote && cp -a pristine remote
}
log() { printf '%s/%016x.log' "$1" "$2"; }

truncate -s -100 "$(log "$B" 5)"
attack "a file cut short" "$b8" "changed, cut"
printf 'X' | dd of="$(log "$B" 6)" bs=1 seek=200 conv=notrunc 2>/dev/null
attack "a byte changed" "$b8" "changed, cut"
printf 'X' | dd of="$(log "$B" 6)" bs=1 seek=30 conv=notrunc 2>/dev/null
attack "a header changed (the key id)" "$b8" "never announced"
mv "$(log "$B" 5)" swap && mv "$(log "$B" 6)" "$(log "$B" 5)" && mv swap "$(log "$B" 6)"
attack "two files swapped" "$b8" "does not open as its place"
rm "$(log "$B" 5)"
attack "a file dropped" "$b8" "is missing"
cp "$(log "$B" 3)" "$(log "$B" 6)"
attack "an old file replayed" "$b8" "does not open as its place"
cp "$(log "$B" 6)" "$(log "$B" 7)"
attack "a file duplicated" "$b8" "does not open as its place"
cp "$(log "$B" 5)" "$(log "$C" 2)"
attack "a file moved from another device" "$c8" "moved from elsewhere"
rm "$(log "$B" 6)" "$(log "$B" 5)" "$(log "$B" 4)"
attack "a device's files rolled back" "$b8" "rolled back"
rm -rf "$B"
attack "a device removed" "$b8" "is gone from the remote"
# The log a read last, replaced by another with the same number.
rm "$(log "$B" 5)" "$(log "$B" 6)"
cp "$(log "$B" 3)" "$(log "$B" 4)"
attack "the last file read, replaced" "$b8" "not the one this device read"

# Another vault's files, served as a device of this one, or in place of one.
mkdir -p z
HOME=$T/z "$KURA" init --no-kit --json >z.json
jq -r .client_key z.json >z.key
printf 'zz\n' | HOME=$T/z KURA_CLIENT_KEY_FILE=$T/z.key "$KURA" add Other --password-file - >/dev/null
mkdir zremote
KEY=z.key on z remote add "$T/zremote"
KEY=z.key on z sync
Z=$(find zremote -name 0000000000000001.log -printf '%h\n')
z8=$(basename "$Z" | cut -c1-8)
cp -a "$Z" "remote/kura-$vid/"
attack "another vault's device added" "$z8" "moved from elsewhere"
rm "$(log "$B" 5)" "$(log "$B" 6)"
cp "$(log "$Z" 1)" "$(log "$B" 5)"
attack "another vault's file in a device's place" "$b8" "moved from elsewhere"

on a sync
expect "the remote as it was syncs again" 0
check "with what b and c wrote" grep -qE '^3 changes in from 2 devices' "$T/.out"

# A new device is held to the same chain: a clone through a remote with a gap fails, and
# leaves no vault behind.
rm "$(log "$B" 2)"
on d clone "$T/remote"
expect "a clone through a remote missing a file" 6 "is missing"
check "leaves no vault" test ! -e "$T/d/.local/share/kura/vault.kura"
rm -rf remote && cp -a pristine remote

# ---- git: the remote's history rewritten ----
git init -q --bare repo.git
on a remote add git "$T/repo.git"
on a sync --remote git
on g clone "$T/repo.git"
for i in 1 2 3; do edit_on g Bank "g-$i"; done
on a sync --remote git
expect "a reads g's files through git" 0
old=$(git --git-dir=repo.git rev-parse kura~1)
edit_on g Bank g-4
before=$(vault_sum a)
latest=$(git --git-dir=repo.git rev-parse kura)
G8=$(git --git-dir=repo.git ls-tree -r --name-only kura | grep '/0000000000000004.log$' | cut -d/ -f2 | cut -c1-8)
check "git: g wrote four files" test -n "$G8"
git --git-dir=repo.git update-ref refs/heads/kura "$old"
on a sync --remote git
expect "git: the branch put back to an older commit" 6 "rolled back"
check "git: names the device" err_has "device $G8"
check "git: a's vault is unchanged" test "$(vault_sum a)" = "$before"
# A commit that changes a file g wrote.
git --git-dir=repo.git update-ref refs/heads/kura "$latest"
rm -rf work && git clone -q -b kura repo.git work
# g's second file: a may have written one of that number too, and the byte written must
# differ from the one it replaces.
f=$(cd work && git ls-files | grep "^[^/]*/$G8[^/]*/0000000000000002.log\$")
check "git: one file of g's to change" test "$(printf '%s\n' "$f" | wc -l)" = 1
byte=$(od -An -tx1 -j300 -N1 "work/$f" | tr -d ' ')
if [ "$byte" = 58 ]; then new=Y; else new=X; fi
printf '%s' "$new" | dd of="work/$f" bs=1 seek=300 conv=notrunc 2>/dev/null
git -C work -c user.name=x -c user.email=x@x commit -qam "evil"
git -C work push -q origin kura 2>/dev/null
on h clone "$T/repo.git"
expect "git: a clone through a changed file" 6 "changed, cut"
finish
