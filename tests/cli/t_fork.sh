# Forks at any generation. Each signed state carries the link of the one before it (format 3),
# and this device remembers the link it last wrote or read: a copy written elsewhere from an
# older state (a sync conflict, a copy put back over the vault) is refused as a fork, exit 6,
# naming both changes, even when it made more changes than this device saw. A copy that
# continues from what this device saw is taken. --trust-file accepts a fork on purpose.
# A format 2 vault (fixtures/format2.kura, with its device record from kura before the chain)
# gets its chain with its first write, and is guarded from then on.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

new_vault v
V=(--vault "$T/v.kura" --key-file v.key)
# edits_on HOME VAULT KEYFILE ITEM PREFIX N: N edits of ITEM's password (PREFIX-1..N) on the
# device whose HOME is given.
edits_on() {
    for i in $(seq 1 "$6"); do
        printf '%s-%s\n' "$5" "$i" | HOME=$1 setsid -w "$KURA" --vault "$2" --key-file "$3" \
            edit "$4" --password-file - >/dev/null 2>&1
    done
}
for t in Alpha Beta; do
    k_in "pw-$t" "${V[@]}" add "$t" --password-file -
done
k "${V[@]}" status --json
check "a new vault is format 6" json_ok '.format == 6'
cp v.kura copy.kura

# The other device writes three changes on its copy; this device one on its own.
edits_on "$T/there" "$T/copy.kura" v.key Alpha pw-there 3
k_in "pw-here" "${V[@]}" edit Beta --password-file -
expect "this device writes (acknowledged)" 0
cp v.kura mine.kura
cp copy.kura v.kura
before=$(sum v.kura)
k "${V[@]}" get Beta --field password
expect "a copy with more changes, forked from an older one, is refused" 6 "is a fork"
check "naming both changes" grep -qE "its change [0-9]+ does not follow from change [0-9]+ that this device saw" "$T/.err"
check "and what to do" err_has "--trust-file"
check "the fork is left as it was" test "$(sum v.kura)" = "$before"
k "${V[@]}" ls
expect "every command refuses it" 6 "is a fork"

# A copy that continues from what this device saw is taken: the other device writes on top of
# this device's file, and it comes back.
cp mine.kura v.kura
cp mine.kura cont.kura
edits_on "$T/there2" "$T/cont.kura" v.key Alpha pw-cont 2
cp cont.kura v.kura
k "${V[@]}" get Alpha --field password
expect "a copy that descends from what this device saw opens" 0
check "with the other device's change" test "$out" = pw-cont-2
k "${V[@]}" get Beta --field password
check "and this device's change in it" test "$out" = pw-here

# A fork at the same generation is refused too (it was before the chain).
cp v.kura same.kura
HOME=$T/there3 k_in "pw-same-there" --vault "$T/same.kura" --key-file v.key edit Beta --password-file -
k_in "pw-same-here" "${V[@]}" edit Beta --password-file -
cp same.kura v.kura
k "${V[@]}" get Beta --field password
expect "a fork at the same change" 6 "is a fork"

# Accepted on purpose: --trust-file re-signs it above anything this device saw.
k "${V[@]}" get Beta --field password --trust-file
expect "--trust-file accepts the fork" 0
check "and reads it" test "$out" = pw-same-there
k "${V[@]}" get Beta --field password
expect "then it opens without the flag" 0
k_in "pw-after" "${V[@]}" edit Beta --password-file -
expect "and takes writes" 0

# The chain cannot be forged: a fork whose chain rows are rewritten to look like this device's
# history still fails (the state's keyed tag covers the link it must reach).
cp v.kura good.kura
edits_on "$T/there4" "$T/good.kura" v.key Alpha pw-f 3
k_in "pw-g" "${V[@]}" edit Alpha --password-file -
"$VAULT_SQL" "$T/good.kura" "ATTACH '$T/v.kura' AS mine; DELETE FROM chain; INSERT INTO chain SELECT g, tag FROM mine.chain" >/dev/null
cp good.kura v.kura
k "${V[@]}" ls
expect "a fork with this device's chain rows copied in" 6 "is a fork"

# ---- format 2: the chain comes with the first write; the old device record still guards ----
cp "$TESTS_DIR/fixtures/format2.kura" f2.kura
cp "$TESTS_DIR/fixtures/format2.key" f2.key
F=(--vault "$T/f2.kura" --key-file f2.key)
k "${F[@]}" status --json
check "the fixture is format 2" json_ok '.format == 2 and .items == 3'
f2id=$(jq -r .vault_id "$T/.out")
mkdir -p "$HOME/.local/state/kura"
cp "$TESTS_DIR/fixtures/format2.seen" "$HOME/.local/state/kura/$f2id.seen"
k "${F[@]}" get Alpha --field password
expect "format 2 with the record kura wrote before the chain" 0
check "reads" test "$out" = pw-Alpha
cp f2.kura f2-before.kura
k_in "pw-Delta" "${F[@]}" add Delta --password-file -
expect "the first write" 0
k "${F[@]}" status --json
check "upgrades it to format 6, every item kept" json_ok '.format == 6 and .items == 4'
cp f2-before.kura f2.kura
k "${F[@]}" ls
expect "the copy from before the upgrade is a rollback" 6 "older than this device last saw it"
cp f2-before.kura f2fork.kura
edits_on "$T/f2there" "$T/f2fork.kura" f2.key Beta pw-x 2
cp f2fork.kura f2.kura
k "${F[@]}" ls
expect "a fork of the format 2 file, upgraded elsewhere with more changes" 6 "is a fork"
finish
