# The client key at the door: forgiving input, and three distinct failures (malformed,
# mistyped: exit 4 with their own words; wrong vault: exit 3), never echoing the key.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

new_vault a
new_vault b
key=$(cat a.key)
id=$(cat a.id)
V=(--vault "$T/a.kura")

k "${V[@]}" ls --key-file a.key
expect "right key by file" 0

k_in "$key" "${V[@]}" ls --key-file -
expect "right key on stdin" 0

KURA_CLIENT_KEY_FILE=$T/a.key k "${V[@]}" ls
expect "right key by KURA_CLIENT_KEY_FILE" 0

# Forgiving: lower case, spaces for dashes, O for 0, I and L for 1, no separators at all.
messy=$(tr 'A-Z-' 'a-z ' <<<"$key")
printf '%s\n' "$messy" >messy.key
k "${V[@]}" ls --key-file messy.key
expect "lower case with spaces" 0
printf '%s\n' "$key" | tr -d '-' | sed 's/0/O/g; s/1/l/g' >ol.key
k "${V[@]}" ls --key-file ol.key
expect "O for 0, l for 1, no dashes" 0

# A vault reached through a symlink opens; the link is not replaced.
ln -s "$T/a.kura" link.kura
k --vault "$T/link.kura" ls --key-file a.key
expect "a vault behind a symlink" 0
check "the symlink stays a symlink" test -L link.kura

# Wrong vault: exit 3, naming the vault id.
k "${V[@]}" ls --key-file b.key
expect "another vault's key" 3 "does not open vault $id"
for c in "get x" "add x" "search x" "edit x --username y" "rm x --yes" "unlock"; do
    # shellcheck disable=SC2086
    k "${V[@]}" $c --key-file b.key
    expect "another vault's key: $c" 3 "does not open vault"
done

# Mistyped: one symbol changed, or two neighbours swapped: exit 4, "typo".
sym=${key:7:1}
[ "$sym" = Z ] && new=Y || new=Z
printf '%s\n' "${key:0:7}$new${key:8}" >typo.key
k "${V[@]}" ls --key-file typo.key
expect "one symbol changed" 4 "typo"
check "typo message is not the wrong-key one" err_lacks "does not open"
i=0
while [ "${key:i:1}" = "${key:i+1:1}" ] || [ "${key:i:1}" = - ] || [ "${key:i+1:1}" = - ]; do i=$((i + 1)); done
printf '%s\n' "${key:0:i}${key:i+1:1}${key:i:1}${key:i+2}" >swap.key
k "${V[@]}" ls --key-file swap.key
expect "two neighbours swapped" 4 "typo"

# Malformed: a bad character (with its position), or the wrong length.
printf '%s\n' "${key:0:9}U${key:10}" >bad.key
k "${V[@]}" ls --key-file bad.key
expect "a bad character" 4 "position 10"
check "malformed is not called a typo" err_lacks "typo"
printf '%s\n' "${key:0:40}" >short.key
k "${V[@]}" ls --key-file short.key
expect "one symbol short" 4 "35 symbols"
: >empty.key
k "${V[@]}" ls --key-file empty.key
expect "an empty key file" 4 "0 symbols"
k "${V[@]}" ls --key-file "$T/none.key"
expect "a missing key file" 5 "none.key"

# No key, no session, no terminal: exit 8 at once, not a hang.
k "${V[@]}" ls
expect "locked without a terminal" 8 "no terminal"

# None of the failures echoed the key, and the vault is unchanged by them all.
for f in typo swap bad short; do
    k "${V[@]}" ls --key-file $f.key
    check "$f: key not in the error" err_lacks "${key:0:6}"
done
k "${V[@]}" ls --key-file a.key
expect "vault still opens after every bad key" 0

finish
