# kura export --format bitwarden-json | keepass-xml | 1password-csv | chrome-csv: nobody is
# locked in. Each file is taken by that manager's own reader where one runs here
# (keepassxc-cli imports the KeePass XML; the Bitwarden JSON is checked against the schema of
# Bitwarden's export, tests/cli/fixtures/export), and read back by kura's reader of the
# format with every field it can carry equal; what a format cannot carry is said.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

new_vault v
export KURA_VAULT=$T/v.kura KURA_CLIENT_KEY_FILE=$T/v.key
cat >src.json <<'JSON'
[
 {"title": "Mail", "type": "login", "username": "alice", "password": "p&ss \"w0rd\" <x> ünï",
  "urls": ["https://mail.example", "https://m.mail.example"], "tags": ["Work/Mail", "important"],
  "notes": "line one\r\nline two",
  "fields": [{"name": "PIN", "value": "1234", "hidden": true},
             {"name": "Branch", "value": "Main St", "hidden": false},
             {"name": "otp", "value": "otpauth://totp/Mail:alice?secret=JBSWY3DPEHPK3PXP&issuer=Mail", "hidden": true}],
  "attachments": [{"name": "scan.txt", "size": 16, "data": "aGVsbG8gZnJvbSBrdXJhCg=="}],
  "created": "2021-03-04T05:06:07Z", "updated": "2022-04-05T06:07:08Z"},
 {"title": "Visa", "type": "card", "tags": ["Cards"],
  "fields": [{"name": "cardholder", "value": "Alice Smith"}, {"name": "brand", "value": "Visa"},
             {"name": "number", "value": "4111111111111111", "hidden": true},
             {"name": "expiry", "value": "06/2028"}, {"name": "code", "value": "123", "hidden": true},
             {"name": "pin", "value": "9876", "hidden": true}],
  "created": "2021-01-01T00:00:00Z", "updated": "2021-01-02T00:00:00Z"},
 {"title": "Alice Smith", "type": "identity", "username": "asmith",
  "fields": [{"name": "first-name", "value": "Alice"}, {"name": "last-name", "value": "Smith"},
             {"name": "address", "value": "1 Main St\nApt 4"}, {"name": "city", "value": "Springfield"},
             {"name": "postcode", "value": "62701"}, {"name": "email", "value": "alice@home.example"},
             {"name": "passport", "value": "X1234567", "hidden": true},
             {"name": "birthday", "value": "1990-04-01"}],
  "created": "2021-01-01T00:00:00Z", "updated": "2021-01-02T00:00:00Z"},
 {"title": "Wi-Fi", "type": "note", "notes": "SSID home", "tags": ["archived"],
  "created": "2021-01-01T00:00:00Z", "updated": "2021-01-02T00:00:00Z"},
 {"title": "Router", "type": "generic", "username": "admin", "password": "r0uter",
  "urls": ["http://192.168.1.1"], "fields": [{"name": "model", "value": "AX-3000"}],
  "created": "2021-01-01T00:00:00Z", "updated": "2021-01-02T00:00:00Z"}
]
JSON
k import src.json
expect "the source vault" 0

# The items as kura's JSON export holds them, comparable: no ids, no empty values, fields
# sorted by name (a format may write them in another order).
norm='[.[] | del(.id, .history) | with_entries(select(.value != null and .value != [] and .value != "")) | if .fields then .fields |= sort_by(.name) else . end] | sort_by(.title)'
k export --yes
jq -S "$norm" "$T/.out" >src-items.json

# round_trip FORMAT FILTER: export in FORMAT, import it into a new vault (the format told from
# the file), and compare with the source through FILTER (what FORMAT carries).
round_trip() {
    local format=$1 filter=$2
    k export --format "$format" --yes --output "out.$format"
    expect "$format: exported" 0
    check "$format: the file is 0600" mode_is 600 "out.$format"
    cp "$T/.err" "export-$format.err"
    new_vault "rt-$format"
    KURA_VAULT=$T/rt-$format.kura KURA_CLIENT_KEY_FILE=$T/rt-$format.key k import "out.$format"
    expect "$format: kura reads it back" 0
    check "$format: every item, told apart" out_has "imported 5 items"
    KURA_VAULT=$T/rt-$format.kura KURA_CLIENT_KEY_FILE=$T/rt-$format.key k export --yes
    # A CSV has no times: the import's are its own.
    local times='.'
    case $format in *-csv) times='[.[] | del(.created, .updated)]' ;; esac
    jq -S "$norm | $times | [.[] | if .tags then .tags |= sort else . end]" "$T/.out" >"rt-$format.json"
    jq -S "$filter | $times | [.[] | with_entries(select(.value != null and .value != []))] | [.[] | if .tags then .tags |= sort else . end]" src-items.json >"want-$format.json"
    check "$format: every field it carries, equal" diff -u "want-$format.json" "rt-$format.json"
}

# ---- Bitwarden JSON: types, fields, the first tag as the folder, times ----
round_trip bitwarden-json '[.[] | del(.attachments) | .tags |= (.[0:1]?) | if .type == "generic" then .type = "login" else . end]'
check "bitwarden-json: the tags it cannot carry, said" grep -q "not in this export: tags beyond the first (Bitwarden has one folder), of 1 item" export-bitwarden-json.err
check "bitwarden-json: the attachment it cannot carry, said" grep -q "the 1 attachment of these items is not in this export" export-bitwarden-json.err
check "bitwarden-json: the generic type, said" grep -q "the generic type (a login or a secure note here), of 1 item" export-bitwarden-json.err
if python3 -c 'import jsonschema' 2>/dev/null; then
    check "bitwarden-json: valid against Bitwarden's export schema" python3 -c '
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.validate(json.load(open(sys.argv[2])), schema, format_checker=jsonschema.FormatChecker())
' "$KURA_SOURCE/tests/cli/fixtures/export/bitwarden-export.schema.json" out.bitwarden-json
    printf '{"encrypted": false, "folders": [], "items": [{"id": "x", "type": 9, "name": ""}]}' >bad-bw.json
    check "the schema check can fail (its twin)" bash -c "! python3 -c '
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))
' '$KURA_SOURCE/tests/cli/fixtures/export/bitwarden-export.schema.json' bad-bw.json 2>/dev/null"
else
    _report "python3-jsonschema is installed (scripts/deps.sh --test)" 0 "missing"
fi
check "bitwarden-json: the card as Bitwarden's card" jq -e '.items[] | select(.name == "Visa") | .type == 3 and .card.expMonth == "6" and .card.expYear == "2028" and .card.number == "4111111111111111"' out.bitwarden-json

# ---- KeePass 2 XML: every field, URL, tag and file; no types ----
round_trip keepass-xml '[.[] | .type = "login"]'
check "keepass-xml: the types it cannot carry, said" grep -q "not in this export: item types (KeePass has none: each arrives as a login, its fields kept), of 4 items" export-keepass-xml.err
check "keepass-xml: a CR survives XML's line-end rule" grep -q 'line one&#13;' out.keepass-xml
if command -v keepassxc-cli >/dev/null; then
    KPHOME=$T/kphome && mkdir -p "$KPHOME"
    printf 'pw\npw\n' | HOME=$KPHOME keepassxc-cli import -p out.keepass-xml kx.kdbx >/dev/null 2>kx.err
    check "keepassxc-cli imports kura's KeePass XML" test -s kx.kdbx
    printf 'pw\n' | HOME=$KPHOME keepassxc-cli show -s -a UserName -a Password -a URL -a PIN kx.kdbx Work/Mail/Mail >kx.show 2>/dev/null
    check "KeePassXC: the entry in its group, every value" test "$(cat kx.show)" = "$(printf 'alice\np&ss "w0rd" <x> ünï\nhttps://mail.example\n1234')"
    printf 'pw\n' | HOME=$KPHOME keepassxc-cli attachment-export --stdout kx.kdbx Work/Mail/Mail scan.txt >kx.att 2>/dev/null
    check "KeePassXC: the attachment, byte for byte" test "$(cat kx.att)" = "hello from kura"
    printf 'pw\n' | HOME=$KPHOME keepassxc-cli show -t kx.kdbx Work/Mail/Mail >kx.totp 2>/dev/null
    k otp Mail
    kcode=${out%% *}
    [ "$(tail -1 kx.totp)" = "$kcode" ] || { # a 30 s step may have turned between the two
        printf 'pw\n' | HOME=$KPHOME keepassxc-cli show -t kx.kdbx Work/Mail/Mail >kx.totp 2>/dev/null
        k otp Mail
        kcode=${out%% *}
    }
    check "KeePassXC: the same TOTP code as kura" test "$(tail -1 kx.totp)" = "$kcode"
    # And back: KeePassXC's own XML export of that database into kura, every field equal.
    printf 'pw\n' | HOME=$KPHOME keepassxc-cli export -f xml kx.kdbx >kx.xml 2>/dev/null
    new_vault kx
    KURA_VAULT=$T/kx.kura KURA_CLIENT_KEY_FILE=$T/kx.key k import kx.xml
    expect "kura reads KeePassXC's export of it" 0
    KURA_VAULT=$T/kx.kura KURA_CLIENT_KEY_FILE=$T/kx.key k export --yes
    jq -S "$norm"' | [.[] | del(.created, .updated) | if .tags then .tags |= sort else . end]' "$T/.out" >kx-items.json
    # KeePassXC keeps a note's line breaks as LF (kura's file has the CR: checked above).
    jq -S '[.[] | del(.created, .updated) | if .notes then .notes |= gsub("\r\n"; "\n") else . end]' want-keepass-xml.json >want-kx.json
    check "kura -> KeePassXC -> kura: every field equal" diff -u want-kx.json kx-items.json
else
    _report "keepassxc-cli is installed (scripts/deps.sh --test)" 0 "missing"
fi

# ---- 1Password CSV: title, first URL, username, password, TOTP, tags, archived, notes ----
round_trip 1password-csv '[.[] | .type = "login" | .urls |= (.[0:1]?) | .fields = [.fields[]? | select(.name == "otp")] | del(.attachments)]'
check "1password-csv: what it cannot carry, said" grep -q "not in this export: fields, of" export-1password-csv.err
check "1password-csv: the archived tag as 1Password's Archived" grep -q '^"Wi-Fi","","","","","false","true","","SSID home"' out.1password-csv

# ---- Chrome CSV: title, first URL, username, password, notes ----
round_trip chrome-csv '[.[] | .type = "login" | .urls |= (.[0:1]?) | del(.attachments, .fields, .tags)]'
check "chrome-csv: the tags it cannot carry, said" grep -q "not in this export: tags, of" export-chrome-csv.err

# The failure twins: an unknown format, and --encrypted with another format, write nothing.
k export --format lastpass-csv --yes --output nothing.csv
expect "a format kura does not write" 2 "unknown export format 'lastpass-csv'"
check "no file" test ! -e nothing.csv
k export --format keepass-xml --encrypted sealed.kura --export-passphrase-file /dev/null
expect "--encrypted with another manager's format" 2 "leave out --format keepass-xml"
k export --format chrome-csv
expect "without a terminal or --yes: not exported" 9 "pass --yes"
check "prints nothing" out_is ""

finish
