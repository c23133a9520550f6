# Item types: cards, identities, SSH keys, secure notes and generic items, each with its own
# fields in its own order, secrets masked; add --type (options, or asked on a terminal), get,
# --json, ls --type, search over the fields that are not secret; the editor's form; imports
# that map Bitwarden's and 1Password's types; kura's JSON export and back; and each refusal
# (an expiry that is not a month, a secret on the command line, a public key that is not one,
# a type kura does not have), which leaves the vault as it was.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

new_vault v --no-kit
export KURA_VAULT=$T/v.kura KURA_CLIENT_KEY_FILE=$T/v.key
k status --json
check "a new vault is format 6 (items have types)" json_ok '.format == 6'

# ---- a card ----
echo 4111111111111111 >num
echo 123 >cvv
echo 2468 >pin
k add --type card Visa --field cardholder="Ann Smith" --field brand=Visa --field expiry=9/28 \
    --hidden-field-file number=num --hidden-field-file code=cvv --hidden-field-file pin=pin \
    --tag money
expect "add a card" 0
check "a valid number is taken without a word" err_lacks "Luhn"
k get Visa
expect "get a card" 0
check "its type" out_has "type:      payment card"
check "the expiry as MM/YYYY" out_has "expiry:    09/2028"
check "the number masked, with the command that shows it" bash -c "grep -q '^number: *\*\*\*\*\*\*\*\* (kura get [0-9a-f]\{8\} --field number)' '$T/.out'"
check "no secret on screen" out_lacks "4111111111111111"
check "nor the code or PIN" bash -c "! grep -qE '123|2468' '$T/.out'"
check "the type's fields in the type's order" bash -c "grep -oE '^(cardholder|brand|number|expiry|code|pin):' '$T/.out' | tr -d '\n' | grep -qx 'cardholder:brand:number:expiry:code:pin:'"
k get Visa --reveal
check "--reveal shows them" bash -c "grep -q '^number: *4111111111111111' '$T/.out' && grep -q '^code: *123' '$T/.out'"
k get Visa --field number
check "--field number gives the number" bash -c "[ \"\$(cat '$T/.out')\" = 4111111111111111 ]"
k get Visa --json
check "--json: the type, the fields in order, secrets left out" json_ok '.type == "card" and ([.fields[] | [.name, .hidden, (.value // null)]] == [["cardholder", false, "Ann Smith"], ["brand", false, "Visa"], ["number", true, null], ["expiry", false, "09/2028"], ["code", true, null], ["pin", true, null]])'
k get Visa --json --reveal
check "--json --reveal: with the secrets" json_ok '[.fields[] | select(.name == "number") | .value] == ["4111111111111111"]'

# Its failure twins: nothing is stored.
before=$(sum v.kura)
k add --type card Bad --field expiry=13/28
expect "an expiry that is not a month" 2 "the card's expiry \"13/28\" is not a month: give it as MM/YYYY"
k add --type card Bad --field expiry=2028
expect "an expiry without a month" 2 "is not a month"
k add --type card Bad --field number=4111111111111111
expect "a card number on the command line" 2 "the payment card's number is secret, so it is never given on the command line: use --hidden-field number"
check "the refusal never echoes the number" err_lacks "4111111111111111"
k edit Visa --field expiry=0/29
expect "edit to a bad expiry" 2 "is not a month"
check "the vault is as it was" test "$(sum v.kura)" = "$before"
k get Visa --field expiry
check "and the card keeps its expiry" out_has "09/2028"
echo 4111111111111112 >badnum
k add --type card Typo --hidden-field-file number=badnum
expect "a number that fails the Luhn check is kept, with a note" 0 "does not pass the Luhn check"
k add --type boat Dinghy
expect "a type kura does not have" 2 "--type is login, note, card, identity, ssh-key or generic (not \"boat\")"

# ---- an SSH key: the fingerprint worked out as ssh-keygen does ----
ssh-keygen -q -t ed25519 -N '' -C tester@kura -f id_test
k add --type ssh-key "Laptop key" --field public-key="$(cat id_test.pub)" --hidden-field-file private-key=id_test
expect "add an SSH key" 0
want=$(ssh-keygen -lf id_test.pub | cut -d' ' -f2)
k get "Laptop key" --field fingerprint
check "its fingerprint, as ssh-keygen -l gives it" test "$(cat "$T/.out")" = "$want"
k get "Laptop key" --field private-key
check "the private key comes back whole (ssh-keygen reads it)" bash -c "cp '$T/.out' back_key && chmod 600 back_key && ssh-keygen -y -f back_key | cut -d' ' -f2 | grep -qx \"\$(cut -d' ' -f2 id_test.pub)\""
k get "Laptop key"
check "the private key masked" out_lacks "OPENSSH PRIVATE KEY"
k add --type ssh-key Broken --field public-key="ssh-ed25519 notbase64!"
expect "a public key that is not one" 2 "public-key is not an OpenSSH public key"
k add --type ssh-key Broken --field private-key=abc
expect "a private key on the command line" 2 "is secret, so it is never given on the command line"

# ---- an identity, a note, a generic item ----
printf '1 Main St\nFlat 2\n' >addr
k add --type identity Me --field first-name=Ann --field last-name=Smith --field email=ann@example.org \
    --field address="$(cat addr)" --field country=NL --field "shoe size=38"
expect "add an identity" 0
k get Me
check "a street address of two lines, the second under the first" bash -c "grep -q '^address:   1 Main St$' '$T/.out' && grep -q '^           Flat 2$' '$T/.out'"
check "its own fields before the others" bash -c "grep -oE '^(first-name|last-name|email|address|country|shoe size):' '$T/.out' | tr -d '\n' | grep -qx 'first-name:last-name:email:address:country:shoe size:'"
printf 'the alarm code is 1234*\n' >note
k add --type note Alarm --notes-file note
expect "add a secure note" 0
k add --type generic Router --username admin --field model=X1
expect "add a generic item" 0
k add Site --username ann@site.example --url https://site.example </dev/null
expect "a login, as before" 0
k get Site --json
check "a login is of type login" json_ok '.type == "login"'

# ---- a type changed: what the new type keeps secret becomes hidden; cp keeps the type ----
k add Plastic --field number=1234-5678 --field cardholder="Di Ng" </dev/null
k get Plastic --json
check "a login's field called number is just a field" json_ok '[.fields[] | select(.name == "number") | .hidden] == [false]'
k edit Plastic --type card
expect "a login made a card" 0
k get Plastic --json
check "its number is now hidden, and first in the card's order after the holder" json_ok '.type == "card" and ([.fields[] | [.name, .hidden]] == [["cardholder", false], ["number", true]])'
k get Plastic
check "and masked" out_lacks "1234-5678"
k cp Plastic "Plastic copy"
k get "Plastic copy" --json
check "cp keeps the type and its fields" json_ok '.type == "card" and (.fields | length == 2)'
k rm Plastic "Plastic copy" --yes

# ---- ls and search ----
k ls
check "ls names a card by its holder" bash -c "grep -q 'Visa .*(card) Ann Smith' '$T/.out'"
check "an identity by its name" bash -c "grep -q 'Me .*(identity) Ann Smith' '$T/.out'"
check "an SSH key by its fingerprint" bash -c "grep -qF '(ssh-key) $want' '$T/.out'"
check "a login by its username" bash -c "grep -q 'Site .*ann@site.example' '$T/.out'"
k ls --type card
check "ls --type card: the cards only" bash -c "grep -q Visa '$T/.out' && grep -q Typo '$T/.out' && ! grep -qE 'Site|Me|Alarm' '$T/.out'"
k ls --type CARD --json
check "ls --type, any case, --json with each item's type" json_ok 'length == 2 and all(.[]; .type == "card")'
k ls --type login --tag money
expect "--type and --tag, nothing of both" 0 "no item has the tag \"money\" and that type"
k ls --type note --json
check "ls --type note" json_ok '[.[].title] == ["Alarm"]'
k ls --type ssh
check "a type's other name (ssh)" out_has "Laptop key"
k ls --type boat
expect "ls --type of no type" 2 "--type is login, note, card, identity, ssh-key or generic"
k search smith
check "search finds a card by its holder and an identity by a name" bash -c "grep -q Visa '$T/.out' && grep -q 'Me ' '$T/.out'"
k search "${want#SHA256:}"
check "search finds an SSH key by its fingerprint" out_has "Laptop key"
k search 4111111111111111
expect "search never finds a card by its number (secret)" 0 "nothing matches"
k search 09/2028
check "but by its expiry (not secret)" out_has "Visa"
k search "shoe"
expect "nor by a custom field's name or value (only the type's own)" 0 "nothing matches"

# ---- on a terminal: add asks for the type's fields ----
pty -e 'Cardholder' -s 'Bo Lee' -e 'Brand' -s '' -e 'Number' -s '5555555555554444' \
    -e 'Expiry' -s '13/27' -e 'not a month' -e 'Expiry' -s '11/27' -e 'Security code' -s '777' \
    -e 'PIN' -s '' -- "$KURA" add --type card Mastercard
expect "a card typed on the terminal" 0
check "an expiry that is not a month is asked again" out_has "is not a month"
check "the number is never echoed" out_lacks "5555555555554444"
k get Mastercard --json --reveal
check "what was typed is stored" json_ok '([.fields[] | [.name, .value]] == [["cardholder", "Bo Lee"], ["number", "5555555555554444"], ["expiry", "11/2027"], ["code", "777"]])'
pty -e 'Cardholder' -s '' -e 'Brand' -s '' -e 'Number' -s '' -e 'Expiry' -s 'x' -e 'Expiry' -s 'y' \
    -e 'Expiry' -s 'z' -- "$KURA" add --type card Never
expect "three bad expiries: nothing added" 2
check "each said" bash -c "[ \$(grep -c 'is not a month' '$T/.out') = 3 ]"
k get Never
expect "nothing was added" 5
pty -e 'Public key' -s '' -e 'Private key: the path of its file' -s "$T/id_test" -e 'Passphrase' -s '' \
    -- "$KURA" add --type ssh-key "Typed key"
expect "an SSH key on the terminal: the private key by its file" 0
k get "Typed key" --field private-key
check "read from that file" bash -c "diff -q '$T/.out' id_test"

# ---- the editor's form ----
cat >ed-card.sh <<EOF
#!/bin/sh
cp "\$1" "$T/card-form"
sed -i 's/^field: expiry = .*/field: expiry = 2030-01/; s/^hidden: pin = .*/hidden: pin = 1357/' "\$1"
EOF
chmod +x ed-card.sh
EDITOR=$T/ed-card.sh k edit Visa
expect "edit a card in the editor" 0
check "the form names the type" grep -qx 'type: card' card-form
check "with the card's fields in order, secrets as hidden lines" bash -c "grep -oE '^(field|hidden): [a-z]+' card-form | tr '\n' ';' | grep -q '^field: cardholder;field: brand;hidden: number;field: expiry;hidden: code;hidden: pin;'"
k get Visa --json --reveal
check "the expiry made MM/YYYY, the PIN changed" json_ok '([.fields[] | select(.name == "expiry" or .name == "pin") | .value] == ["01/2030", "1357"])'
# sed_editor NAME EXPR: an editor ($T/NAME.sh) that runs sed EXPR on the form.
sed_editor() {
    printf '#!/bin/sh\nsed -i %s "$1"\n' "'$2'" >"$T/$1.sh"
    chmod +x "$T/$1.sh"
}
sed_editor ed-badexp 's/^field: expiry = .*/field: expiry = 14\/30/'
before=$(sum v.kura)
EDITOR=$T/ed-badexp.sh k edit Visa </dev/null
expect "a form with an expiry that is not a month: given up without a terminal" 9 "is not a month"
check "names the line" err_has "line 11 of the form: the card's expiry"
check "nothing was changed" test "$(sum v.kura)" = "$before"
sed_editor ed-type 's/^type: .*/type: generic/'
EDITOR=$T/ed-type.sh k edit Router
expect "a form whose type stays the same changes nothing" 0 "nothing changed"
sed_editor ed-type2 's/^type: .*/type: login/'
EDITOR=$T/ed-type2.sh k edit Router
expect "the form makes it a login" 0 "changed: type"
k history Router --json
check "history names the type as what changed" json_ok 'any(.versions[]?; (.changed // []) | index("type"))'
sed_editor ed-nosuch 's/^type: .*/type: boat/'
EDITOR=$T/ed-nosuch.sh k edit Router </dev/null
expect "a form with a type kura does not have" 9 "names no type"

# ---- kura's JSON export, and back into a new vault ----
k export --format json --output all.json --yes
expect "export every type" 0
new_vault w --no-kit
KURA_VAULT=$T/w.kura KURA_CLIENT_KEY_FILE=$T/w.key k import all.json
expect "import kura's JSON" 0
KURA_VAULT=$T/w.kura KURA_CLIENT_KEY_FILE=$T/w.key k get Visa --json --reveal
check "a card comes back a card, every field with it" json_ok '.type == "card" and ([.fields[] | .name] == ["cardholder", "brand", "number", "expiry", "code", "pin"]) and ([.fields[] | select(.name == "number") | .value] == ["4111111111111111"])'
KURA_VAULT=$T/w.kura KURA_CLIENT_KEY_FILE=$T/w.key k ls --type ssh-key --json
check "and the SSH keys" json_ok 'length == 2'
k export --format csv --output all.csv --yes
expect "and as kura CSV, with a type column" 0
new_vault c --no-kit
KURA_VAULT=$T/c.kura KURA_CLIENT_KEY_FILE=$T/c.key k import all.csv
expect "import kura's CSV" 0
KURA_VAULT=$T/c.kura KURA_CLIENT_KEY_FILE=$T/c.key k ls --json
check "every item keeps its type through CSV" bash -c "jq -S '[.[] | [.title, .type]] | sort' '$T/.out' >csv-types && KURA_VAULT='$T/w.kura' KURA_CLIENT_KEY_FILE='$T/w.key' '$KURA' ls --json | jq -S '[.[] | [.title, .type]] | sort' | diff -q - csv-types"
jq '.[0].type = "boat"' all.json >boat.json
KURA_VAULT=$T/w.kura KURA_CLIENT_KEY_FILE=$T/w.key k import boat.json
check "a type kura does not have is named" err_has "a type kura does not have"

# ---- sync carries types: a card made on one device is a card on the other ----
unset KURA_VAULT KURA_CLIENT_KEY_FILE # each device's own vault, in its HOME
mkdir -p a && HOME=$T/a "$KURA" init --name Typed --no-kit --json >a.json
jq -r .client_key a.json >s.key
KEY=s.key on a add --type card Travel --field cardholder="Bo Lee" --field expiry=05/31 --hidden-field-file code=cvv
mkdir remote
KEY=s.key on a remote add "$T/remote"
KEY=s.key on a sync
expect "sync a card" 0
KEY=s.key on b clone "$T/remote"
expect "clone it on a second device" 0
KEY=s.key on b get Travel --json --reveal
check "a card there, every field with it" json_ok '.type == "card" and ([.fields[] | [.name, .value, .hidden]] == [["cardholder", "Bo Lee", false], ["expiry", "05/2031", false], ["code", "123", true]])'
KEY=s.key on b edit Travel --type generic
KEY=s.key on b sync
KEY=s.key on a sync
KEY=s.key on a get Travel --json
check "a change of type comes back" json_ok '.type == "generic"'
check "the remote holds no field in the clear" bash -c "! grep -rqaE 'Bo Lee|05/2031|cardholder' '$T/remote'"

# ---- imports map the peers' types ----
new_vault imp --no-kit
export KURA_VAULT=$T/imp.kura KURA_CLIENT_KEY_FILE=$T/imp.key
FIX=$KURA_SOURCE/tests/cli/fixtures/import
k import "$FIX/bitwarden-types.json"
expect "Bitwarden: an identity, an SSH key, a card" 0
check "all three" out_has "3 new"
k get "Passport and address" --json --reveal
check "Bitwarden identity: every member in kura's identity fields" json_ok '.type == "identity" and .username == "jdoe" and ([.fields[] | [.name, .value, .hidden]] == [["first-name", "Jane", false], ["middle-name", "Q", false], ["last-name", "Doe", false], ["company", "Acme", false], ["email", "jane@example.com", false], ["phone", "+1 555 0100", false], ["address", "1 Main St\nFlat 2", false], ["city", "Springfield", false], ["region", "OR", false], ["postcode", "97477", false], ["country", "US", false], ["passport", "X1234567", true], ["license", "D7654321", true], ["national-id", "123-45-6789", true], ["honorific", "Ms", false]])'
k get "Deploy key" --json --reveal
check "Bitwarden SSH key: private key hidden, public key and fingerprint" json_ok '.type == "ssh-key" and ([.fields[] | [.name, .hidden]] == [["public-key", false], ["fingerprint", false], ["private-key", true]]) and ([.fields[] | select(.name == "fingerprint") | .value] == ["SHA256:Op/V5SGQDxYv5Q0adVIXs/rYWTKSIrKnM0JzNafUkfg"]) and .notes == "for the CI"'
k get "Old card" --json --reveal
check "Bitwarden card: expMonth 3 and expYear 27 as 03/2027, its custom field kept" json_ok '.type == "card" and ([.fields[] | [.name, .value]] == [["cardholder", "Jane Doe"], ["brand", "Mastercard"], ["number", "5555555555554444"], ["expiry", "03/2027"], ["code", "321"], ["bank", "First Bank"]])'
k import "$FIX/1pux-types.data" --from 1password-1pux
expect "1PUX: a card, an identity, an SSH key, a database, an email account, a note" 0
check "all six" out_has "6 new"
k get "Travel card" --json --reveal
check "1PUX card: ccnum, cvv, expiry (monthYear) and PIN in kura's card fields" json_ok '.type == "card" and ([.fields[] | [.name, .value, .hidden]] == [["cardholder", "Wendy Appleseed", false], ["brand", "visa", false], ["number", "4012888888881881", true], ["expiry", "11/2029", false], ["code", "987", true], ["pin", "2468", true], ["valid from", "2024-11", false]])'
k get Wendy --json
check "1PUX identity: names, birth date, phone, email, and the address in its parts" json_ok '.type == "identity" and ([.fields[] | [.name, .value]] == [["first-name", "Wendy"], ["middle-name", "A"], ["last-name", "Appleseed"], ["birthday", "1990-01-01"], ["company", "AgileBits"], ["email", "wendy@example.com"], ["phone", "+1 416 555 0199"], ["address", "4 Elm Road"], ["city", "Toronto"], ["region", "Ontario"], ["postcode", "M5V 2T6"], ["country", "ca"]])'
k get "GitHub SSH" --json --reveal
check "1PUX SSH key: the private key, public key and fingerprint" json_ok '.type == "ssh-key" and ([.fields[] | .name] == ["public-key", "fingerprint", "private-key"]) and ([.fields[] | select(.name == "private-key") | .value | startswith("-----BEGIN")] == [true])'
k get "Orders DB" --field password
check "1PUX database: its password is the item's password" test "$(cat "$T/.out")" = "db-pass-77"
k get "Orders DB" --json
check "a generic item, its username the item's, the rest as fields" json_ok '.type == "generic" and .username == "app" and ([.fields[] | .name] == ["type", "server", "port", "database"])'
k get "Work mail" --field password
check "1PUX email account: pop_password is the item's password" test "$(cat "$T/.out")" = "mail-pass-88"
k get "Alarm code" --json
check "1PUX secure note" json_ok '.type == "note" and .notes == "front door: 1234*"'

finish
