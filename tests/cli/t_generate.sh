# kura generate: lengths, classes, passphrases, JSON, and bad arguments.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

k generate
expect "generate" 0
check "24 characters by default" test "${#out}" = 24
k generate --length 64
check "--length 64" test "${#out}" = 64
k generate --length 12 --no-symbols
check "no symbols: letters and digits" grep -qE '^[A-Za-z0-9]{12}$' <<<"$out"
k generate --length 30 --no-upper --no-lower --no-symbols
check "digits only" grep -qE '^[0-9]{30}$' <<<"$out"
# Every class asked for is present, every time.
all=1
for i in $(seq 1 50); do
    k generate --length 8
    grep -q '[a-z]' <<<"$out" && grep -q '[A-Z]' <<<"$out" && grep -q '[0-9]' <<<"$out" &&
        grep -q '[^A-Za-z0-9]' <<<"$out" || all=0
done
check "each class present in short passwords" test "$all" = 1
# No repeats over many draws.
for i in $(seq 1 200); do k generate --length 12; echo "$out"; done | sort | uniq -d >dups
check "no repeated passwords" test ! -s dups

k generate --words 6
expect "passphrase" 0
check "six words" test "$(tr '-' '\n' <<<"$out" | grep -c .)" = 6
# Words never contain the separator, so a passphrase splits one way, every time.
for i in $(seq 1 300); do k generate --words 8; echo "$out"; done | tr '-' '\n' | grep -cvE '^[a-z]+$' >badwords
check "every word is plain letters" test "$(cat badwords)" = 0
k generate --words 4 --separator .
check "separator" grep -qE '^[a-z]+\.[a-z]+\.[a-z]+\.[a-z]+$' <<<"$out"
k generate --words 6 --json
check "json with entropy" json_ok '(.entropy_bits > 77) and (.password | split("-") | length == 6)'
k generate --json
check "json entropy of 24 characters" json_ok '.entropy_bits > 150'

k generate --length 2
expect "too short" 2 "--length takes a number"
k generate --length 99999
expect "too long" 2 "--length"
k generate --no-upper --no-lower --no-digits --no-symbols
expect "every class off" 2 "every character class"
k generate --words 2
expect "too few words" 2 "--words"
k generate extra
expect "stray argument" 2

finish
