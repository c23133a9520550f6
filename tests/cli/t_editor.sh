# kura edit ITEM with no options, and kura add --edit: the item as a text form in $EDITOR,
# in a private folder (0700, the form 0600), parsed back, what changed said; the form wiped
# and removed whatever happens: a killed editor, an editor that fails, a form that does not
# parse (fixed on the terminal, or given up: nothing half applied), kura itself killed.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

new_vault v --no-kit
export KURA_VAULT=$T/v.kura KURA_CLIENT_KEY_FILE=$T/v.key
printf 'line one\nline two\n' >notes
k_in "pw-one" add Site --username alice --url https://a.example --tag work --field account=A-77 \
    --password-file - --notes-file notes
forms=$XDG_RUNTIME_DIR/kura/edit
no_form_left() { test -z "$(ls -A "$forms" 2>/dev/null)"; }

# An editor that changes the username, the password and the tags, and notes what it saw.
cat >ed-change.sh <<EOF
#!/bin/sh
cp "\$1" "$T/seen-form"
stat -c %a "\$1" >"$T/seen-mode"
stat -c %a "\$(dirname "\$1")" >"$T/seen-dir-mode"
sed -i 's/^username: .*/username: bob/; s/^password: .*/password: pw-two/' "\$1"
printf 'tag: personal\n' >>"\$1"
EOF
chmod +x ed-change.sh
before=$(sum v.kura)
EDITOR=$T/ed-change.sh k edit Site
expect "edit in the editor" 0
check "says what changed, never the values" err_has "changed: username, password, tags"
check "and not the password" err_lacks "pw-two"
check "the form held the item" grep -qx 'password: pw-one' seen-form
check "and the notes, indented" grep -qx '  line two' seen-form
check "the form was 0600" test "$(cat seen-mode)" = 600
check "in a 0700 folder" test "$(cat seen-dir-mode)" = 700
check "under the runtime folder" test -d "$forms"
check "no form left behind" no_form_left
k get Site --json --reveal
check "the changes are stored" json_ok '.username == "bob" and .password == "pw-two" and .tags == ["work", "personal"] and (.notes == "line one\nline two")'

# Nothing changed: nothing written.
before=$(sum v.kura)
EDITOR=true k edit Site
expect "an editor that changes nothing" 0
check "says so" err_has "nothing changed"
check "the vault is as it was" test "$(sum v.kura)" = "$before"

# A killed editor, an editor that fails: nothing changed, the form gone.
printf '#!/bin/sh\nsed -i "s/^password: .*/password: never/" "$1"\nkill -9 $$\n' >ed-killed.sh
chmod +x ed-killed.sh
EDITOR=$T/ed-killed.sh k edit Site
expect "a killed editor" 9 "was killed"
check "nothing changed" test "$(sum v.kura)" = "$before"
check "the form wiped and removed" no_form_left
printf '#!/bin/sh\nexit 3\n' >ed-fails.sh
chmod +x ed-fails.sh
EDITOR=$T/ed-fails.sh k edit Site
expect "an editor that fails" 9 "exited with status 3"
check "nothing changed after it either" test "$(sum v.kura)" = "$before"
EDITOR=/no/such/editor k edit Site
check "an editor that is not there: exit 1" test "$rc" = 1
check "says to set VISUAL or EDITOR (after the shell's own line)" err_has "set VISUAL or EDITOR"

# A form that does not parse: without a terminal it is given up, nothing half applied.
printf '#!/bin/sh\nsed -i "s/^username: .*/username: carol/" "$1"\nprintf "colour: blue\\n" >>"$1"\n' >ed-bad.sh
chmod +x ed-bad.sh
EDITOR=$T/ed-bad.sh k edit Site
expect "a form that does not parse" 9 "nothing was changed"
check "names the line and the key" err_has 'no such key "colour"'
check "the good part is not applied either" test "$(sum v.kura)" = "$before"
check "no form left" no_form_left
# On a terminal: fixed on the second round.
cat >ed-twice.sh <<EOF
#!/bin/sh
if [ ! -e "$T/round" ]; then touch "$T/round"; printf 'colour: blue\n' >>"\$1"; exit 0; fi
sed -i '/^colour:/d; s/^username: .*/username: dave/' "\$1"
EOF
chmod +x ed-twice.sh
pty -e "Edit the form again to fix it" -s y -- env EDITOR="$T/ed-twice.sh" "$KURA" edit Site
expect "fixed on the second round" 0
k get Site --field username
check "the fix is stored" out_is dave

# kura itself killed while the editor runs: the form is wiped on its way out.
printf '#!/bin/sh\nsleep 30\n' >ed-slow.sh
chmod +x ed-slow.sh
EDITOR=$T/ed-slow.sh setsid "$KURA" edit Site >/dev/null 2>&1 </dev/null &
kpid=$!
for _ in $(seq 1 100); do [ -n "$(ls -A "$forms" 2>/dev/null)" ] && break; sleep 0.05; done
check "the form is there while the editor runs" test -n "$(ls -A "$forms" 2>/dev/null)"
kill -TERM "$kpid"
wait "$kpid" 2>/dev/null
check "kura killed: the form wiped and removed" no_form_left
pkill -f "$T/ed-slow.sh" 2>/dev/null

# add --edit: a form from the title and the options given.
cat >ed-fill.sh <<'EOF'
#!/bin/sh
sed -i 's/^password: .*/password: pw-filled/; s/^username: .*/username: erin/' "$1"
EOF
chmod +x ed-fill.sh
EDITOR=$T/ed-fill.sh k add Shop --edit --url https://shop.example
expect "add --edit" 0
k get Shop --json --reveal
check "the item from the form and the options" json_ok '.username == "erin" and .password == "pw-filled" and .urls == ["https://shop.example"]'
EDITOR=$T/ed-killed.sh k add Never --edit
expect "add --edit with a killed editor" 9
k get Never
expect "adds nothing" 5
finish
