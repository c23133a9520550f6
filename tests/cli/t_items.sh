# Items: add, get, edit, rm, ls, search, with the failure twin of each success.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

new_vault v
export KURA_VAULT=$T/v.kura KURA_CLIENT_KEY_FILE=$T/v.key

printf 'first line\nsecond line\n' >notes.txt
printf 'pin-4711-zq\n' >pin.txt
k_in 's3cret-Pa55' add GitHub --username alice --url https://github.com --url https://gist.github.com \
    --tag Work --tag code --password-file - --notes-file notes.txt --field account=A-77 \
    --hidden-field-file pin=pin.txt --json
expect "add with every kind of field" 0
gh=$(jq -r .id <<<"$out")
check "add gives a 32-hex id" grep -qE '^[0-9a-f]{32}$' <<<"$gh"

# get: the whole item, the password masked; one field raw.
k get GitHub
expect "get by title" 0
check "get shows the username" out_has "username:  alice"
check "get masks the password" out_lacks "s3cret-Pa55"
check "get masks hidden fields" out_lacks "pin-4711-zq"
check "get shows visible fields" out_has "A-77"
check "get shows both URLs" test "$(grep -c '^url:' "$T/.out")" = 2
check "get shows notes" out_has "second line"
k get github --field password
expect "get --field password" 0
check "password alone on stdout" out_is "s3cret-Pa55"
k get GitHub --field pin
check "hidden field by name" out_is "pin-4711-zq"
k get GitHub --field url
check "URLs one per line" out_is "$(printf 'https://github.com\nhttps://gist.github.com')"
k get GitHub --reveal
check "--reveal shows the password" out_has "password:  s3cret-Pa55"
k get GitHub --json
expect "get --json" 0
check "json leaves the password out" json_ok '(has("password") | not) and .has_password'
check "json leaves hidden values out" json_ok '.fields[] | select(.name=="pin") | has("value") | not'
check "json has visible values" json_ok '.fields[] | select(.name=="account") | .value == "A-77"'
check "json has urls and tags" json_ok '(.urls | length == 2) and (.tags == ["Work","code"])'
check "json has times" json_ok '.created | test("^[0-9-]+T[0-9:]+Z$")'
k get GitHub --json --reveal
check "json --reveal has the password" json_ok '.password == "s3cret-Pa55"'
k get "${gh:0:8}" --field username
expect "get by id prefix" 0
check "id prefix finds it" out_is alice
k get "$gh" --field title
check "get by full id" out_is GitHub

# Failure twins of get.
k get Nothing
expect "get an absent item" 5 "no item \"Nothing\""
k get GitHub --field nosuch
expect "get an absent field" 5 "has no nosuch"

# Ambiguous titles: list the matches with their ids, exit 2; an id always works.
k add Mail --username one
k add Mail --username two --json
m2=$(jq -r .id <<<"$out")
MULTILINE_OK=1 k get Mail
MULTILINE_OK=1 expect "ambiguous title" 2 "matches 2 items"
check "ambiguity lists both" test "$(grep -c '  Mail  ' "$T/.err")" = 2
check "ambiguity shows ids" err_has "$m2"
k get "$m2" --field username
expect "an id resolves the ambiguity" 0
check "right one" out_is two

# edit: each change lands; a failing edit changes nothing.
k edit GitHub --username bob --add-url https://api.github.com --rm-url https://gist.github.com \
    --rm-field account --add-tag extra --title "GitHub (work)"
expect "edit several things" 0
k get "GitHub (work)" --json
check "edit: username" json_ok '.username == "bob"'
check "edit: urls" json_ok '.urls == ["https://github.com","https://api.github.com"]'
check "edit: field removed" json_ok '[.fields[].name] == ["pin"]'
check "edit: tag added" json_ok '.tags == ["Work","code","extra"]'
k_in 'n3w-pass' edit "$gh" --password-file -
expect "edit the password" 0
k get "$gh" --field password
check "new password stored" out_is n3w-pass
before=$(sum "$T/v.kura")
k edit "$gh" --rm-url https://nowhere.example
expect "edit removing an absent URL" 5 "has no URL"
k edit Nothing --username x
expect "edit an absent item" 5 "no item"
k edit "$gh" --username "$(printf 'bad\xff')"
expect "edit with non-UTF-8" 2 "UTF-8"
head -c 5000 /dev/zero | tr '\0' x >long.txt
k edit "$gh" --password-file long.txt
expect "edit with a too-long password" 2 "longer than 4096"
check "failed edits left the file alone" test "$(sum "$T/v.kura")" = "$before"
k edit "$gh" --generate --password-file long.txt
expect "two password sources" 2 "give one of"

k edit "$gh"
expect "edit with nothing to change" 2 "nothing to change"

# Control characters: refused in one-line texts, defused in the human view of notes.
k add "$(printf 'evil\033]0;owned\007title')"
expect "an escape sequence in a title" 2 "control characters"
k edit "$gh" --username "$(printf 'a\nb')"
expect "a newline in a username" 2 "control characters"
printf 'note with \033[31mred\033[0m\nand a tab\there\n' >esc.txt
k edit "$gh" --notes-file esc.txt
expect "escape sequences allowed in notes" 0
k get "$gh"
check "notes shown without the escape byte" bash -c "! grep -q $'\033' '$T/.out'"
check "notes keep newlines and tabs" grep -q $'and a tab\there' "$T/.out"
k get "$gh" --field notes
check "--field notes is raw" grep -q $'\033\[31m' "$T/.out"

# Generated passwords.
k add Gen --generate --length 40
expect "add --generate" 0
k get Gen --field password
check "generated length" test "${#out}" = 40
k add Words --generate --words 5
k get Words --field password
check "generated passphrase" grep -qE '^[a-z-]+(-[a-z-]+){4}$' <<<"$out"

# add: failure twins.
k add ""
expect "add with an empty title" 2 "title cannot be empty"
k add "   "
expect "add with a title of only spaces" 2 "title cannot be empty or only spaces"
k add "$(printf '\xc2\xa0\t\xe3\x80\x80')"
expect "or of no-break and ideographic spaces" 2 "only spaces"
k add
expect "add without a title" 2 "missing arguments"
k add Bad --username "$(printf 'x\xc0\xafy')"
expect "add with overlong UTF-8" 2 "UTF-8"
k add NoPw
expect "add without a password from a script" 0
k get NoPw --field password
expect "an item without a password" 5 "has no password"

# ls and search.
k ls
expect "ls" 0
check "ls lists every item" test "$(wc -l <"$T/.out")" = 6
k ls --json
check "ls --json is an array of overviews" json_ok 'length == 6 and all(.[]; has("password") | not)'
# ls --json is written without jansson: each element must be what get --json (jansson) says
# of that item, less its details; titles, usernames, URLs and tags that need escaping too.
k_in "pw" add 'Quote " back\slash ü 日本 ✓' --username 'u"s\er' --url 'https://x.example/?a="b"' \
    --tag 'ta\g"' --tag "tag two" --password-file -
expect "add an item whose texts need escaping" 0
k ls --json
cp "$T/.out" ls.json
check "ls --json parses" json_ok 'length == 7'
same=0 ids=$(jq -r '.[].id' ls.json)
for id in $ids; do
    k get "$id" --json
    want=$(jq -cS 'del(.has_password, .password, .notes, .fields, .attachments)' "$T/.out")
    got=$(jq -cS --arg id "$id" '.[] | select(.id == $id)' ls.json)
    [ "$want" = "$got" ] && same=$((same + 1))
done
check "every ls --json element equals get --json without details" test "$same" = 7
check "the escaped title reads back" test "$(jq -r '.[] | select(.username == "u\"s\\er") | .title' ls.json)" = 'Quote " back\slash ü 日本 ✓'
k rm 'Quote " back\slash ü 日本 ✓' --yes
expect "remove it again" 0
k ls --json --tag no-such-tag
check "no item with the tag: []" out_is "[]"
k ls --tag no-such-tag
expect "ls --tag of a tag no item has" 0
check "says so, not that the vault is empty" err_has 'no item has the tag "no-such-tag"'
check "nothing on stdout" out_is ""
k ls --tag work
check "ls --tag (any case)" test "$(wc -l <"$T/.out")" = 1
k search GITHUB
check "search by title, any case" test "$(wc -l <"$T/.out")" = 1
k search Bob
check "search by username" out_has "GitHub (work)"
k search api.github
check "search by URL" out_has "GitHub (work)"
k search extra
check "search by tag" out_has "GitHub (work)"
k search "second line"
expect "search never reads notes" 0
check "no hit in notes" test -z "$out"
k search n3w-pass
check "no hit in passwords" test -z "$out"
k search ""
expect "search for nothing" 2 "needs a word"
k search mail --json
check "search --json" json_ok 'length == 2'

# rm: asks first; without a terminal it needs --yes and changes nothing.
before=$(sum "$T/v.kura")
# Nested tags: work/dev is inside work; ls --tree draws the tree, as pass ls does.
k --vault "$T/tags.kura" init --no-kit --json
jq -r .client_key "$T/.out" >tags.key
T2=(--vault "$T/tags.kura" --key-file "$T/tags.key")
k "${T2[@]}" add GitHub --tag work/dev
k "${T2[@]}" add Jira --tag Work
k "${T2[@]}" add Gitlab --tag work/dev --tag personal
k "${T2[@]}" add Bank
k "${T2[@]}" add Shop --tag work-x
k "${T2[@]}" ls --tag work
check "ls --tag work lists what is inside it too" test "$(cut -c11- "$T/.out" | awk '{print $1}' | sort | tr '\n' ' ')" = "GitHub Gitlab Jira "
k "${T2[@]}" ls --tag work/dev/
check "ls --tag work/dev/ (a trailing slash)" test "$(wc -l <"$T/.out")" = 2
k "${T2[@]}" ls --tag wor
check "a tag is matched whole, not as a prefix" out_is ""
k "${T2[@]}" ls --tree --ascii
expect "ls --tree" 0
cat >want-tree <<'TREE'
|-- Bank
|-- personal/
|   `-- Gitlab
|-- work/
|   |-- Jira
|   `-- dev/
|       |-- GitHub
|       `-- Gitlab
`-- work-x/
    `-- Shop
TREE
check "draws every item under each of its tags" diff <(tail -n +2 "$T/.out" | sed 's/  ([0-9a-f]*)$//') want-tree
k "${T2[@]}" ls --tree --tag work
check "ls --tree --tag work: only that branch" test "$(grep -c '  ([0-9a-f]\{8\})$' "$T/.out")" = 3
check "drawn in Unicode" out_has "└── "
# cp: every field under a new title, as an item of its own.
k_in "pw-original" add Original --username orig --url https://orig.example --tag t1 --field pin=1234 --password-file -
k cp Original "Original copy" --json
expect "cp an item" 0
copy_id=$(jq -r .id "$T/.out")
check "a new item" json_ok '.title == "Original copy" and .result == "copied to"'
k get "Original copy" --json --reveal
check "with every field" json_ok '.username == "orig" and .password == "pw-original" and (.urls == ["https://orig.example"]) and (.tags == ["t1"])'
k get Original --json
check "the original stays" test "$(jq -r .id "$T/.out")" != "$copy_id"
k cp Original "  "
expect "cp to a title of only spaces" 2 "only spaces"
k cp NoSuchItem Whatever
expect "cp of an item not there" 5
# rm of several items: all found first, or none deleted.
for t in RmOne RmTwo RmThree; do k_in "pw-$t" add "$t" --password-file -; done
before_rm=$(sum "$T/v.kura")
k rm RmOne NoSuchItem --yes
expect "rm of several, one not there" 5
check "deletes nothing" test "$(sum "$T/v.kura")" = "$before_rm"
k rm RmOne RmTwo RmThree RmOne --yes --json
expect "rm of three items (one named twice)" 0
check "each deleted once" json_ok 'length == 3 and all(.result == "deleted")'
k ls
check "gone from the list" out_lacks "RmTwo"
k history --deleted --json
check "and kept in the history of deletions" json_ok '[.. | objects | select(.title? == "RmThree")] | length >= 1'
before=$(sum "$T/v.kura")
k rm Gen
expect "rm without --yes and no terminal" 9 "--yes"
check "rm refused: file unchanged" test "$(sum "$T/v.kura")" = "$before"
k rm Gen --yes
expect "rm --yes" 0
k get Gen
expect "removed item is gone" 5
k rm Gen --yes
expect "rm an absent item" 5
MULTILINE_OK=1 k rm Mail --yes
MULTILINE_OK=1 expect "rm an ambiguous title" 2 "matches 2 items"

finish
