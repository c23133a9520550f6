# Imports never lose data silently. A file is taken as a format only when it is that format:
# a CSV with non-empty columns the detected format does not read, or JSON with keys kura's
# JSON does not have, is refused naming them (another manager's export kura has no reader
# for, or a new column in one it reads), unless --from names the format, and then each kind of data
# dropped is said once with how many items lost it (--json lists them). What a known format
# holds that kura does not keep (an attachment it names but does not hold) is said too. Every
# reader's memory is bounded: a zip bomb or an expanding file is refused, cleanly.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

new_vault v
export KURA_VAULT=$T/v.kura KURA_CLIENT_KEY_FILE=$T/v.key
before=$(sum v.kura)
refused() { # NAME FILE TEXT...: refused, exit 1, naming each TEXT; the vault unchanged
    local name=$1 file=$2
    shift 2
    k import "$file"
    expect "$name: refused" 1 "may be another manager's export"
    for t in "$@"; do check "$name: names $t" err_has "$t"; done
    check "$name: nothing imported" test "$(sum v.kura)" = "$before"
}

cat >lastpass.csv <<'CSV'
url,username,password,totp,extra,name,grouping,fav
https://mail.example,alice,lp-pass-1,JBSWY3DPEHPK3PXP,my secret note,Mail,Personal/Email,1
http://sn,,,,"NoteType:Credit Card
Number:4111111111111111",Visa,Cards,0
CSV
cat >nordpass.csv <<'CSV'
name,url,username,password,note,cardholdername,cardnumber,cvc,expirydate,zipcode,folder,full_name,phone_number,email,address1,address2,city,country,state,type
Work,,,,,,,,,,,,,,,,,,,folder
GitHub,https://github.com,alice,np-pass,,,,,,,Work,,,,,,,,,password
CSV
# NordPass and Dashlane are read now (t_formats); a column their readers do not know is not.
sed '1s/$/,recovery_codes/; 3s/$/,one-two-three/' nordpass.csv >nordpass-new.csv
refused "a NordPass CSV with a column kura does not know" nordpass-new.csv "'recovery_codes'"
cat >dashlane.csv <<'CSV'
username,username2,username3,title,password,note,url,category,otpSecret,passkey
alice,alice2,,Mail,dl-pass,,https://mail.example,Email,JBSWY3DPEHPK3PXP,pk-data
CSV
refused "a Dashlane CSV with a column kura does not know" dashlane.csv "'passkey'"
cat >1p7.csv <<'CSV'
Title,URL,Username,Password,Notes,Type,cardholder name,number,verification number
Visa,,,,,Credit Card,Alice,4111111111111111,123
CSV
k import 1p7.csv
expect "a 1Password 7 CSV with card columns: read as one now" 0 ""
check "told apart" out_has "(1Password 7 CSV, detected)"
k rm Visa --yes
before=$(sum v.kura)
# Enpass's JSON is read now (t_formats); a key its reader does not know is said, with the
# items that lost it, and one that holds passwords refuses without --force.
cat >enpass.json <<'JSON'
{"folders": [{"title": "Work", "uuid": "f1"}],
 "items": [{"title": "GitHub", "category": "login", "subtitle": "alice",
            "fields": [{"label": "Password", "type": "password", "value": "ep-pass"}],
            "password_history": [{"value": "ep-old"}], "color": "blue"}]}
JSON
k import enpass.json
expect "Enpass: a key holding passwords that kura does not read: refused" 1 "password_history"
check "nothing imported" test "$(sum v.kura)" = "$before"
k import enpass.json --force --json
expect "Enpass with --force: imported" 0
check "each key left out said" json_ok '([.dropped[].kind] | sort) == ["key '"'"'color'"'"'", "key '"'"'password_history'"'"'"]'
k rm GitHub --yes
before=$(sum v.kura)

# With --from the user says what it is: imported, and each kind of data dropped said once.
before=$(sum v.kura)
k import lastpass.csv --from chrome-csv
expect "--from chrome-csv would drop the TOTP column: refused" 1 "holds column 'totp' that the Chrome/Edge CSV reader leaves out"
check "nothing imported" test "$(sum v.kura)" = "$before"
k import lastpass.csv --from chrome-csv --json --force
expect "--from chrome-csv --force: taken" 0
check "--json lists each item and what it lost" json_ok '(.dropped_items | length == 2) and .dropped_items[0].item == 1 and .dropped_items[0].title == "Mail" and (.dropped_items[0].kinds | index("column '"'"'totp'"'"'") != null) and .dropped_items[1].title == "Visa" and (.dropped_items[1].kinds | index("column '"'"'totp'"'"'") == null)'
check "--json lists what was dropped, by kind and count" json_ok '[.dropped[] | select(.kind == "column '"'"'extra'"'"'")][0].items == 2 and ([.dropped[].kind] | index("column '"'"'totp'"'"'") != null)'
k_in "" import nordpass.csv --from chrome-csv
MULTILINE_OK=1 expect "--from chrome-csv on NordPass" 0
check "one warning per kind dropped" test "$(grep -c "of .* item.* in nordpass.csv not imported" "$T/.err")" = 2
check "each names its kind and how many items" err_has "column 'folder' of 1 item in nordpass.csv not imported"

# A known format's data kura does not keep: said, with how many items.
cat >bw.json <<'JSON'
{"encrypted": false, "folders": [], "items": [
 {"id": "1", "type": 1, "name": "Bank", "login": {"username": "b", "password": "bw-now",
  "fido2Credentials": [{"credentialId": "x"}]},
  "passwordHistory": [{"lastUsedDate": "2024-01-01T00:00:00Z", "password": "bw-before"}]},
 {"id": "2", "type": 1, "name": "Shop", "login": {"username": "s", "password": "bw-shop"},
  "passwordHistory": [{"lastUsedDate": "2024-01-01T00:00:00Z", "password": "old"}]}]}
JSON
k import bw.json --json
expect "Bitwarden JSON with history and passkeys" 0
check "password history: 2 older versions into the histories, nothing dropped" json_ok '.older_versions == 2 and ([.dropped[] | select(.kind == "password history" or (.kind | startswith("passkeys")))] | length == 0)'
k history Bank --show 1 --field password
check "Bitwarden's old password is a version of Bank" test "$out" = bw-before
k import bw.json --json
check "imported again: no version twice" json_ok '.older_versions == 0 and .unchanged == 2'
k get Bank --json --reveal
check "the passkey kept whole, hidden, named for what it is" json_ok '[.fields[] | select(.name == "passkey (kura cannot use it)" and .hidden)][0].value | fromjson | .credentialId == "x"'
cat >kp.xml <<'XML'
<?xml version="1.0"?>
<KeePassFile><Root><Group><Name>Root</Name>
<Entry><String><Key>Title</Key><Value>Router</Value></String><String><Key>Password</Key><Value>kp-now</Value></String>
<Binary><Key>photo.jpg</Key><Value Ref="0"/></Binary>
<History><Entry><String><Key>Title</Key><Value>Router</Value></String><String><Key>Password</Key><Value>kp-before</Value></String></Entry></History>
</Entry></Group></Root></KeePassFile>
XML
k import kp.xml
MULTILINE_OK=1 expect "KeePass XML with history and an attachment" 0
check "its History is the item's history" out_has "1 older version in the items' histories"
check "an attachment the file does not hold: said" err_has "attachments (the file names them but does not hold them) of 1 item in kp.xml not imported"
k history Router --show 1 --field password
check "the old password" test "$out" = kp-before

# Bounded memory: a .1pux whose export.data inflates to 300 MB from a few hundred KB, and a
# JSON file whose parsed form would take more than 16 times its size.
python3 - <<'PY'
import zipfile
with zipfile.ZipFile("bomb.1pux", "w", zipfile.ZIP_DEFLATED) as z:
    with z.open("export.data", "w", force_zip64=True) as f:
        chunk = b" " * (1 << 20)
        for _ in range(300):
            f.write(chunk)
PY
check "the bomb is small" test "$(stat -c %s bomb.1pux)" -lt 2000000
before=$(sum v.kura)
/usr/bin/time -f '%M' -o bomb.rss setsid -w "$KURA" import bomb.1pux >"$T/.out" 2>"$T/.err" </dev/null
_capture
expect "a zip bomb is refused" 1 "needs more memory than kura gives an import (256 MiB"
check "without inflating it (under 100 MB of memory)" test "$(tail -1 bomb.rss)" -lt 100000
check "nothing imported" test "$(sum v.kura)" = "$before"
python3 -c 'import sys; sys.stdout.write("{\"items\": [" + ",".join(["[]"] * 3000000) + "]}")' >wide.json
k import wide.json --from kura
expect "JSON whose parsed form would take more than 16 times its size is refused" 1 "needs more memory than kura gives an import"
check "nothing imported" test "$(sum v.kura)" = "$before"
finish
