# The interactive paths on a real pseudo-terminal: the hidden key prompt (with retries),
# the password asked twice, confirmations. The transcript is what the person saw.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

new_vault v
new_vault w
export KURA_VAULT=$T/v.kura
key=$(cat v.key)
wkey=$(cat w.key)
sym=${key:3:1}
[ "$sym" = Z ] && typo="${key:0:3}Y${key:4}" || typo="${key:0:3}Z${key:4}"

pty -e 'Client key for vault' -s "$key" -e 'Enroll this device' -s n -- "$KURA" unlock
expect "unlock by typing the key" 0
check "the shell line is printed" out_has "export KURA_SESSION='"
check "the typed key is not echoed" out_lacks "$key"

pty -e 'Client key' -s "$typo" -e 'typo' -e 'try again' -e 'Client key' -s "$key" -- "$KURA" ls
expect "a typo, then the right key" 0
check "the typo is explained" out_has "check symbols do not match"

pty -e 'Client key' -s "$wkey" -e 'Client key' -s "not a key" -e 'Client key' -s "$wkey" -- "$KURA" ls
expect "three wrong keys" 3
check "wrong key named" out_has "does not open vault $(cat v.id)"
check "malformed named" out_has "is malformed"

pty -e 'Client key' -s "$key" -e 'Password for "Typed"' -s 'pw-typed-1' -e 'Again' -s 'pw-typed-1' \
    -- "$KURA" add Typed --username me
expect "add asks for the password twice" 0
check "the password is not echoed" out_lacks "pw-typed-1"
k get Typed --field password --key-file v.key
check "the typed password is stored" out_is pw-typed-1

pty -e 'Client key' -s "$key" -e 'Password for' -s 'one' -e 'Again' -s 'two' \
    -e 'Password for' -s 'one' -e 'Again' -s 'three' -e 'Password for' -s 'one' -e 'Again' -s 'four' \
    -- "$KURA" add Mismatch
expect "passwords that differ three times" 9
check "mismatch explained" out_has "did not match"
check "and asked again before giving up" out_has "type it again (2 of 3)"
k get Mismatch --key-file v.key
expect "nothing added on a mismatch" 5
pty -e 'Client key' -s "$key" -e 'Password for' -s 'one' -e 'Again' -s 'two' \
    -e 'Password for' -s 'pw-second-try' -e 'Again' -s 'pw-second-try' -- "$KURA" add Retyped
expect "a mismatch, then the same twice" 0
k get Retyped --field password --key-file v.key
check "stores what was typed the second time" out_is pw-second-try

pty -e 'Client key' -s "$key" -e 'Enter for none' -s '' -- "$KURA" add NoPassword
expect "an empty password means none" 0
k get NoPassword --field password --key-file v.key
expect "no password stored" 5

pty -e 'Client key' -s "$key" -e 'Value of hidden field "pin"' -s 'pin-9876-x' -- "$KURA" edit Typed --hidden-field pin
expect "a hidden field asked on the terminal" 0
check "the field value is not echoed" out_lacks "pin-9876-x"
k get Typed --field pin --key-file v.key
check "hidden field stored" out_is pin-9876-x

pty -e 'Client key' -s "$key" -e 'Delete "Typed"' -s 'n' -- "$KURA" rm Typed
expect "rm declined" 9
k get Typed --key-file v.key
expect "declined rm keeps the item" 0
pty -e 'Client key' -s "$key" -e 'Delete "Typed"' -s 'y' -- "$KURA" rm Typed
expect "rm confirmed" 0
k get Typed --key-file v.key
expect "confirmed rm removes it" 5

pty -e 'Client key' -c -- "$KURA" ls
check "Ctrl-C at the prompt stops kura" test "$rc" != 0
pty -e 'state:' -- "$KURA" status
expect "status on a terminal" 0
check "status never prompts" out_lacks "Client key"

# A plaintext export asks for EXPORT to be typed; anything else exports nothing.
pty -e 'Client key' -s "$key" -e 'Type EXPORT' -s 'export' -- "$KURA" export
expect "export, the word mistyped" 9
check "says so" out_has "not exported"
check "nothing exported" out_lacks '"title"'
pty -e 'Client key' -s "$key" -e 'Type EXPORT' -s 'EXPORT' -- "$KURA" export
expect "export, EXPORT typed" 0
check "the export follows, with the warning" out_has "in the clear; keep it off shared disks"
check "and the items" out_has '"title"'

# A long import shows how far it is on a terminal, then clears that line for the summary;
# with --json (or no terminal) there is no progress line.
python3 -c '
print("name,url,username,password")
for i in range(40000):
    print("site%d.example,https://site%d.example/login,user%d,pw-%d" % (i, i, i, i))' >big.csv
new_vault big
pty -e 'importing \[[#.]{20}\] +[0-9]+%' -e 'imported 40000 items' -- env KURA_VAULT="$T/big.kura" KURA_CLIENT_KEY_FILE="$T/big.key" "$KURA" import big.csv
expect "a long import on a terminal" 0
check "a progress line, cleared before the summary" python3 -c 'import sys; t=open(sys.argv[1], "rb").read(); sys.exit(b"\r\x1b[Kimported 40000 items from big.csv (Chrome/Edge CSV, detected): 40000 new" not in t)' "$T/.out"
pty -e 'unchanged' -- env KURA_VAULT="$T/big.kura" KURA_CLIENT_KEY_FILE="$T/big.key" "$KURA" import big.csv --json
expect "the same with --json" 0
check "no progress line" out_lacks "importing ["
check "and every item unchanged" out_has '"unchanged": 40000'

# Colour: on a terminal only, and never with NO_COLOR set (or TERM=dumb).
esc=$'\033['
pty -- env KURA_VAULT="$T/big.kura" KURA_CLIENT_KEY_FILE="$T/big.key" "$KURA" get "no such item"
expect "an error on a terminal" 5
check "its 'kura:' in red" out_has "${esc}1;31mkura:${esc}0m"
pty -- env NO_COLOR=1 KURA_VAULT="$T/big.kura" KURA_CLIENT_KEY_FILE="$T/big.key" "$KURA" get "no such item"
check "NO_COLOR: none" out_lacks "$esc"
pty -- env TERM=dumb KURA_VAULT="$T/big.kura" KURA_CLIENT_KEY_FILE="$T/big.key" "$KURA" get "no such item"
check "TERM=dumb: none" out_lacks "$esc"
pty -- env KURA_VAULT="$T/big.kura" KURA_CLIENT_KEY_FILE="$T/big.key" "$KURA" search site1234.example
check "ls on a terminal: ids dim, titles bold" out_has "${esc}2m"
KURA_VAULT=$T/big.kura KURA_CLIENT_KEY_FILE=$T/big.key k search site1234.example
check "into a pipe: none" out_lacks "$esc"
KURA_VAULT=$T/big.kura KURA_CLIENT_KEY_FILE=$T/big.key k get "no such item"
check "errors into a pipe: none" err_lacks "$esc"

finish
