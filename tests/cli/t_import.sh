# kura import: kura JSON in, all or nothing; what it cannot take is skipped with a reason;
# a file that is not JSON, a full disk, or a kill half-way leaves the vault as it was.
# The long run kills 500 imports: KURA_IMPORT_KILLS=500 (tests/stress/run.sh import).
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

new_vault v
export KURA_VAULT=$T/v.kura KURA_CLIENT_KEY_FILE=$T/v.key

cat >two.json <<'EOF'
[
  {"title": "Router", "username": "admin", "password": "hunter2-but-longer",
   "urls": ["http://192.168.1.1", "http://router.lan"], "tags": ["home", "net"],
   "notes": "in the hall\nsecond line", "created": "2020-01-02T03:04:05Z",
   "fields": [{"name": "PIN", "value": "4821", "hidden": true}, {"name": "model", "value": "X1"}]},
  {"title": "Library", "url": "https://library.example", "password": "7 hidden books"}
]
EOF
k import two.json
expect "import two items" 0
check "says how many" out_has "imported 2 items from two.json (kura JSON, detected): 2 new, 0 updated, 0 unchanged, 0 skipped"
k get Router --field password
check "a password" out_is hunter2-but-longer
k get Router --json --reveal
check "every field carried over" json_ok '.username == "admin" and .urls == ["http://192.168.1.1", "http://router.lan"] and .tags == ["home", "net"] and .notes == "in the hall\nsecond line" and .created == "2020-01-02T03:04:05Z" and (.fields | length == 2) and (.fields[0] | .name == "PIN" and .value == "4821" and .hidden) and (.fields[1].hidden | not)'
k get Library --field url
check "url as one string" out_is https://library.example

# The same file again adds nothing: each item is matched by title, username and first URL.
k import two.json
expect "import the same file again" 0
check "nothing new, nothing changed" out_has "imported 0 items from two.json (kura JSON, detected): 0 new, 0 updated, 2 unchanged, 0 skipped"
k ls --json
check "still two items" json_ok 'length == 2'
# A file without change times never overwrites what the vault holds: a different password is
# left alone, and the summary says so.
jq '.[0].password = "timeless-pass"' two.json >timeless.json
k import timeless.json --json
expect "a file without times, a different password" 0
check "nothing overwritten, one value left alone" json_ok '.updated == 0 and .kept_newer == 1'
k get Router --field password
check "the vault's password stays" out_is hunter2-but-longer
k import timeless.json
check "the summary says a value was left alone" err_has "1 value in timeless.json left alone: the vault's is newer"
# A changed password and a new tag from a file changed later than the vault's item update the
# item; what the file leaves out stays.
jq '.[0].password = "changed-pass" | .[0].tags = ["office"] | .[0].fields = [] | .[0].notes = null | .[0].updated = "2024-05-06T07:08:09Z"' two.json >two-changed.json
k import two-changed.json --json
expect "import a changed file" 0
check "one updated, one unchanged" json_ok '.added == 0 and .updated == 1 and .unchanged == 1 and .imported == 1'
k get Router --json --reveal
check "the new password, both tags, the fields and notes kept" json_ok '.password == "changed-pass" and .tags == ["home", "net", "office"] and (.fields | length == 2) and .notes == "in the hall\nsecond line" and .created == "2020-01-02T03:04:05Z"'
# An older export over the vault never goes back in time: its password (changed before the
# vault's) is left alone; so are its differing field values.
jq '.[0].password = "old-pass" | .[0].updated = "2021-01-01T00:00:00Z" | .[0].fields[1].value = "X0"' two.json >older.json
k import older.json --json
expect "import an older export" 0
check "nothing updated, two values left alone" json_ok '.updated == 0 and .kept_newer == 2'
k get Router --json --reveal
check "the newer password and field stay" json_ok '.password == "changed-pass" and ([.fields[] | select(.name == "model")][0].value == "X1")'
k import two-changed.json
check "and again: unchanged" out_has "0 new, 0 updated, 2 unchanged"

# Round trip: what get --json --reveal prints imports into another vault as the same item.
k get Router --json --reveal
jq -s . "$T/.out" >router.json
new_vault w
KURA_VAULT=$T/w.kura KURA_CLIENT_KEY_FILE=$T/w.key k import router.json
expect "import get --json --reveal output" 0
KURA_VAULT=$T/w.kura KURA_CLIENT_KEY_FILE=$T/w.key k get Router --json --reveal
got=$(jq -cS 'del(.id, .updated)' "$T/.out")
want=$(jq -cS '.[0] | del(.id, .updated)' router.json)
check "the same item in the other vault" test "$got" = "$want"

# Stdin, an object with "items", --json.
k_in '{"items": [{"title": "FromStdin", "password": "s"}]}' import - --json
expect "import from stdin, an object with items" 0
check "--json counts" json_ok '.imported == 1 and .skipped == 0 and .format == "kura" and .file == "-"'

# Elements that cannot be taken are skipped, each with its reason; the rest go in.
cat >mixed.json <<'EOF'
[{"title": "Good1"}, {"username": "no title"}, 42, {"title": "BadTags", "tags": "x"},
 {"title": "Ctl\u0001"}, {"title": "Good2", "fields": [{"name": "only a name"}]}, {"title": "Good3"}]
EOF
k import mixed.json
expect "import with bad elements" 0
check "the good ones" out_has "imported 2 items from mixed.json (kura JSON, detected): 2 new, 0 updated, 0 unchanged, 5 skipped"
check "no title" err_has "skipped item 2 of mixed.json: no title"
check "not an object" err_has "skipped item 3 of mixed.json: not an object"
check "tags not a list" err_has "skipped item 4 of mixed.json: tags that are not a list"
check "control characters" err_has "skipped item 5 of mixed.json: a text too long, not UTF-8, or with control characters"
check "a field without a value" err_has "skipped item 6 of mixed.json: a field without a name and a value"
k get Good3 --field title
expect "Good3 is there" 0

# Nothing is imported from a file that is not what kura reads.
k status --json
count=$(jq .items "$T/.out")
sum=$(sha256sum <v.kura)
printf '[{"title": "A"}, {"title": "B",]' >broken.json
k import broken.json
expect "JSON broken after the first item" 1 "is not JSON kura can read (line 1"
check "says nothing was imported" err_has "nothing imported"
# A parse error says where and what kind, never what the file holds (a cut export's next bytes
# are often a password).
printf '[{"title": "A", "password": "Cut-Secret-pw1' >cut.json
k import cut.json
expect "a cut JSON export" 1 "is not JSON kura can read (line 1, column 43: the file ends before its JSON does (is it cut short?))"
check "the error quotes nothing of the file" err_lacks "Cut-Secret"
printf '[{"title": "A", "password": Bare-Secret-pw2}]' >bare.json
k import bare.json
expect "a bare word where a string goes" 1 "(line 1, column"
check "and quotes nothing of it" err_lacks "Bare-Secret"
printf '{"encrypted": false, "items": [{"type": 1, "name": "A", "login": {"password": "Bw-Secret-pw3' >bw.json
k import bw.json --from bitwarden-json
expect "a cut Bitwarden export" 1 "not JSON (line 1, column"
check "quotes nothing of it" err_lacks "Bw-Secret"
printf '<?xml version="1.0"?>\n<KeePassFile><Root><Group><Name>R</Name><Entry><String><Key>Password</Key><Value>&Xml-Secret-pw4;</Value></String></Entry></Group></Root></KeePassFile>\n' >ent.xml
k import ent.xml
expect "KeePass XML with an undeclared entity" 1 "malformed XML at line 2, column"
check "our words, not libxml2's (which quote the entity's name)" err_lacks "Xml-Secret"
printf '[{"title": "A", "title": "B"}]' >dup.json
k import dup.json
expect "a duplicate key" 1 "duplicate"
printf '{"title": "A"}' >noitems.json
k import noitems.json
expect "an object without items" 1 "holds no list of items"
printf '[{"title": "A"}] [' >trailing.json
k import trailing.json
expect "something after the list" 1 "does not end where it should"
k import missing.json
expect "no such file" 5 "no file missing.json"
k import two.json --from keepass
expect "an unknown format" 2 "unknown format 'keepass'"
check "the vault is unchanged after every refusal" test "$(sha256sum <v.kura)" = "$sum"

# All or nothing: a full disk at the commit leaves the vault as it was.
python3 -c "
import json
print(json.dumps([{'title': 'Bulk %d' % i, 'password': 'p%d' % i, 'tags': ['bulk']} for i in range(1000)]))" >bulk.json
KURA=$KURA_FAULTY KURA_FAULT="s 1 always enospc" k import bulk.json
expect "a full disk during an import" 1 "disk is full"
check "the vault is unchanged" test "$(sha256sum <v.kura)" = "$sum"
k import bulk.json
expect "1,000 items in one import" 0
k status --json
check "every one is there" json_ok ".items == $((count + 1000))"
k get "Bulk 999" --field password
check "the last one reads" out_is p999
k search bulk
check "all 1,000 found by tag" test "$(wc -l <"$T/.out")" = 1000
k check
expect "the vault checks out whole after the import" 0

# Killed at a random moment (SIGKILL, no chance to clean up): the vault is whole and holds
# either none of the import or all of it.
python3 -c "
import json
print(json.dumps([{'title': 'Killed %d' % i, 'password': 'k%d' % i} for i in range(3000)]))" >kill.json
k status --json
base=$(jq .items "$T/.out")
none=0 all=0 other=0
for i in $(seq 1 "${KURA_IMPORT_KILLS:-8}"); do
    cp v.kura kill.kura
    rm -f "$HOME"/.local/state/kura/*.seen
    setsid "$KURA" --vault "$T/kill.kura" import kill.json >/dev/null 2>&1 </dev/null &
    pid=$!
    sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.3f", r / 32768 * 0.3 }')"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    KURA_VAULT=$T/kill.kura k check
    n=$(grep -oE 'all [0-9]+ items' "$T/.out" | grep -oE '[0-9]+')
    if [ "$rc" = 0 ] && [ "$n" = "$base" ]; then
        none=$((none + 1))
    elif [ "$rc" = 0 ] && [ "$n" = "$((base + 3000))" ]; then
        all=$((all + 1))
    else
        other=$((other + 1))
        echo "after a kill: exit $rc, $n items: $err"
    fi
done
echo "import kills: $((none + all + other)): $none left nothing, $all left everything, $other other"
check "every killed import left none or all of it, in a whole vault" test "$other" = 0
finish
