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

# Look-alike characters left out: over many characters, none of 0 O o 1 l I | ` ' ".
bad=0
for i in $(seq 1 5); do
    k generate --no-ambiguous --length 1000
    grep -q "[0Oo1lI|\`'\"]" <<<"$out" && bad=$((bad + 1))
done
check "--no-ambiguous: no look-alikes in 5000 characters" test "$bad" = 0
k generate --length 1000
check "while they are there without it" grep -q "[0Oo1lI|]" <<<"$out"

# The generator on add and edit, and what it made shown or copied.
new_vault g
G=(--vault "$T/g.kura" --key-file "$T/g.key")
k "${G[@]}" add Site --generate --length 32 --no-symbols --no-ambiguous --show
expect "add --generate with options, --show" 0
shown=$(tail -1 "$T/.out")
check "shows the password it made" grep -qE '^[A-Za-z0-9]{32}$' <<<"$shown"
check "without symbols or look-alikes" bash -c "! grep -q \"[0Oo1lI|]\" <<<'$shown'"
k "${G[@]}" get Site --field password
check "which is the one stored" out_is "$shown"
k "${G[@]}" add Words --generate --words 5 --show --json
check "--show --json: one object with the password" json_ok '.result == "added" and (.password | split("-") | length == 5)'
k "${G[@]}" edit Site --generate --no-digits --length 20 --show
expect "edit --generate --no-digits" 0
check "no digits" bash -c "tail -1 '$T/.out' | grep -qE '^[^0-9]{20}$'"
k "${G[@]}" add Other --length 12
expect "--length without --generate" 2 "go with --generate"
k "${G[@]}" add Other --generate --show --copy
expect "--show and --copy together" 2 "not both"

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
