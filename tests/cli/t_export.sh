# kura export: plaintext only after EXPORT is typed (or --yes) and with a warning; --encrypted
# FILE sealed under a passphrase of its own. Round trips into a new vault give the same
# items; a wrong passphrase, a changed byte or a cut file imports nothing.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

new_vault v
export KURA_VAULT=$T/v.kura KURA_CLIENT_KEY_FILE=$T/v.key
printf 'canary-pw-1\n' >pw
k add Mail --username alice --url https://mail.example --tag home --password-file pw
printf 'line one\nline two\n' >notes
printf 'JBSWY3DPEHPK3PXP\n' >otp
k add Bank --password-file pw --notes-file notes --field "account=12 34" --otp-file otp
k add Empty

# items ID-less and time-less, sorted by title, for comparing two vaults.
items() { # VAULT KEY
    local acc="" t # not "out": k sets that one
    for t in Bank Empty Mail; do
        KURA_VAULT=$1 KURA_CLIENT_KEY_FILE=$2 k get "$t" --json --reveal
        acc+=$(jq -cS 'del(.id, .updated)' "$T/.out")$'\n'
    done
    printf '%s' "$acc"
}
want=$(items "$T/v.kura" "$T/v.key")

k export
expect "a plaintext export without a terminal or --yes" 9 "pass --yes"
check "prints nothing" out_is ""
k export --yes
expect "export --yes" 0
check "it warns on stderr" err_has "holds every password of vault $(cat v.id) in the clear"
check "every password is in it" json_ok 'length == 3 and any(.[]; .password == "canary-pw-1")'
setsid -w "$KURA" export --yes 2>pipe.err </dev/null | cat >/dev/null
check "export | another program: no warning about a mode" bash -c "! grep -q 'others can read' pipe.err"
# A file made by the shell has the shell's umask: kura warns when others can read it.
(umask 022 && setsid -w "$KURA" export --yes >shell.json 2>shell.err </dev/null)
check "export > file (umask 022): the file is written" test -s shell.json
check "and kura warns that others can read it" grep -q "kura: warning: standard output is a file that others can read (mode 0644); run 'chmod 600' on it, or use --output FILE" shell.err
(umask 077 && setsid -w "$KURA" export --yes >private.json 2>private.err </dev/null)
check "export > file (umask 077): no such warning" bash -c "! grep -q 'others can read' private.err"
(umask 022 && : >plain.json && chmod 644 plain.json)
(umask 022 && setsid -w "$KURA" export --yes --output plain.json >/dev/null 2>/dev/null </dev/null)
check "--output writes 0600 whatever the umask, even over a file that was 0644" mode_is 600 plain.json
k export --yes --output plain.json
expect "export --yes --output" 0
check "the file is 0600" mode_is 600 plain.json
new_vault w
KURA_VAULT=$T/w.kura KURA_CLIENT_KEY_FILE=$T/w.key k import plain.json
expect "import the plaintext export into another vault" 0
check "the same items" test "$(items "$T/w.kura" "$T/w.key")" = "$want"

# CSV: the same items through kura's CSV, and a spreadsheet-style reader sees the columns.
k export --format csv --yes --output plain.csv
expect "export --format csv" 0
check "a header, then a row per item, as Python's csv module reads it" python3 -c 'import csv,sys; f=open("plain.csv", newline=""); head=f.readline(); r={x["title"]: x for x in csv.DictReader(f, fieldnames=head.strip().split(","))}; sys.exit(not (head == "title,username,password,urls,notes,tags,fields,created,updated,type\r\n" and len(r) == 3 and r["Mail"]["password"] == "canary-pw-1" and r["Bank"]["notes"] == "line one\nline two"))'
new_vault wc
KURA_VAULT=$T/wc.kura KURA_CLIENT_KEY_FILE=$T/wc.key k import plain.csv
expect "import the CSV export into another vault" 0
check "told apart" out_has "(kura CSV, detected): 3 new"
check "the same items" test "$(items "$T/wc.kura" "$T/wc.key")" = "$want"
k import plain.csv
check "into the vault it came from: nothing changes" out_has "0 new, 0 updated, 3 unchanged"
new_vault q
printf 'say "hi", then\n' >qpw
printf 'first\n"second", quoted\n' >qnotes
printf '0,1"\n' >qpin
KURA_VAULT=$T/q.kura KURA_CLIENT_KEY_FILE=$T/q.key k add 'Quotes, "and" commas' --username 'a,b' --url https://one.example --url 'https://two.example/?a=1,2' --tag 'x y' --tag z --password-file qpw --notes-file qnotes --field 'note=he said "no"' --hidden-field-file pin=qpin
KURA_VAULT=$T/q.kura KURA_CLIENT_KEY_FILE=$T/q.key k get 'Quotes, "and" commas' --json --reveal
qwant=$(jq -cS 'del(.id, .updated)' "$T/.out")
KURA_VAULT=$T/q.kura KURA_CLIENT_KEY_FILE=$T/q.key k export --format csv --yes --output q.csv
new_vault q2
KURA_VAULT=$T/q2.kura KURA_CLIENT_KEY_FILE=$T/q2.key k import q.csv
KURA_VAULT=$T/q2.kura KURA_CLIENT_KEY_FILE=$T/q2.key k get 'Quotes, "and" commas' --json --reveal
check "quotes, commas and newlines in every column survive CSV" test "$(jq -cS 'del(.id, .updated)' "$T/.out")" = "$qwant"
k export --format csv --encrypted x.kexp
expect "CSV is not sealed" 2 "leave out --format csv"
k export --format xml --yes
expect "an unknown format" 2 "unknown export format 'xml'"

printf 'an export passphrase\n' >ep
k export --encrypted sealed.kexp --export-passphrase-file ep --json
expect "export --encrypted" 0
check "--json" json_ok '.items == 3 and .encrypted and .file == "sealed.kexp"'
check "the file is 0600" mode_is 600 sealed.kexp
check "no password, note, title or secret in it, plain or hex" bash -c "! grep -qaE 'canary-pw|line one|Mail|JBSWY3DP|63616e617279' sealed.kexp"
new_vault x
KURA_VAULT=$T/x.kura KURA_CLIENT_KEY_FILE=$T/x.key k import sealed.kexp --export-passphrase-file ep
expect "import the encrypted export" 0
check "says what it read" out_has "imported 3 items from sealed.kexp (kura encrypted export, detected): 3 new"
check "the same items" test "$(items "$T/x.kura" "$T/x.key")" = "$want"

# Failure twins: nothing imported, the vault unchanged.
new_vault y
sum=$(sha256sum <y.kura)
printf 'not the passphrase\n' >wrong
KURA_VAULT=$T/y.kura KURA_CLIENT_KEY_FILE=$T/y.key k import sealed.kexp --export-passphrase-file wrong
expect "a wrong passphrase" 3 "does not open the export"
KURA_VAULT=$T/y.kura KURA_CLIENT_KEY_FILE=$T/y.key k import sealed.kexp
expect "no terminal to ask for it" 8 "--export-passphrase-file"
size=$(stat -c %s sealed.kexp)
head -c $((size - 10)) sealed.kexp >cut.kexp
KURA_VAULT=$T/y.kura KURA_CLIENT_KEY_FILE=$T/y.key k import cut.kexp --export-passphrase-file ep
expect "a cut export" 6 "damaged or cut short"
cp sealed.kexp flipped.kexp
python3 "$TESTS_DIR/flip.py" flipped.kexp $((size - 40))
KURA_VAULT=$T/y.kura KURA_CLIENT_KEY_FILE=$T/y.key k import flipped.kexp --export-passphrase-file ep
expect "a changed byte (in a one-chunk export: no telling it from a wrong passphrase)" 3 "damaged"
cp sealed.kexp weak.kexp
python3 - weak.kexp <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[8:16] = (1).to_bytes(8, "little")  # opslimit 1: under MODERATE
open(p, "wb").write(b)
PY
KURA_VAULT=$T/y.kura KURA_CLIENT_KEY_FILE=$T/y.key k import weak.kexp --export-passphrase-file ep
expect "KDF limits lowered in the file" 6 "damaged"
check "the vault is unchanged after every refusal" test "$(sha256sum <y.kura)" = "$sum"

printf 'short\n' >short
k export --encrypted s.kexp --export-passphrase-file short
expect "a passphrase under 8 characters" 2 "at least 8"
k export --encrypted s.kexp --export-passphrase-file ep --output x
expect "--encrypted with --output" 2
finish
