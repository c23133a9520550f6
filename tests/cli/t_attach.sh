# Attachments: kura attach, get --attachment (to --output FILE or a pipe, never a terminal),
# kura detach; sizes at the chunk edges, the 100 MiB limit, names; the content sealed (no
# plaintext in the file, sizes padded), never read by ls or search; kept in history and
# restored with a version, gone from the file once no version names it; copied with cp;
# a rotation and a reset; kura check; a format 5 vault upgraded by its first attachment; and
# the failure twins: a damaged chunk, a missing chunk, a file over the limit, an existing
# --output, a name taken. Sync has its own part at the end: a folder remote and a git one,
# a file that has not arrived yet, and a file changed on the remote.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

new_vault v --no-kit
export KURA_VAULT=$T/v.kura KURA_CLIENT_KEY_FILE=$T/v.key
blobs() { "$VAULT_SQL" "$T/v.kura" "SELECT count(*) FROM blobs"; }
blobs_of() { "$VAULT_SQL" "$T/$1.kura" "SELECT count(*) FROM blobs"; }
json_ok_file() { jq -e "$2" "$1" >/dev/null; }
printf 'pw\n' >pw
k add Bank --username ann --password-file pw
expect "add" 0
k add Empty --password-file pw

# ---- sizes: empty, one byte under, at and over a chunk (1 MiB), several chunks ----
: >zero.bin
head -c 1048575 /dev/urandom >under.bin
head -c 1048576 /dev/urandom >exact.bin
head -c 1048577 /dev/urandom >over.bin
head -c 3500000 /dev/urandom >big.bin
for f in zero under exact over big; do
    k attach Bank $f.bin
    expect "attach $f.bin" 0
done
check "says what it attached" out_has 'attached "big.bin" (3.3 MiB) to "Bank"'
for f in zero under exact over big; do
    k get Bank --attachment $f.bin --output out-$f.bin
    expect "get $f.bin to a file" 0
    check "$f.bin comes back byte for byte" cmp -s $f.bin out-$f.bin
done
check "--output writes 0600" mode_is 600 out-big.bin
"$KURA" get Bank --attachment big.bin </dev/null >piped.bin 2>piped.err
check "to a pipe or file when stdout is not a terminal" cmp -s big.bin piped.bin

# ---- get lists them; --json too ----
k get Bank
check "get lists each file with its size" out_has "file:      big.bin (3.3 MiB)"
check "and the empty one" out_has "file:      zero.bin (0 bytes)"
k get Bank --json
check "json: name and size" json_ok '[.attachments[] | select(.name == "exact.bin")][0].size == 1048576 and (.attachments | length) == 5'

# ---- sealed: no plaintext in the file, sizes padded ----
printf 'MARKER-kura-attachment-%s\n' "$(seq 1 200 | tr '\n' -)" >marker.txt
k attach Bank marker.txt --name notes.txt
expect "attach with --name" 0
check "the content is nowhere in the vault file" test "$(grep -c "MARKER-kura-attachment" v.kura)" = 0
for off in 0 1048576 3000000; do tail -c +$((off + 1)) big.bin | head -c 32 | od -An -tx1 | tr -d ' \n'; echo; done >big.hex
check "nor a random file's bytes" python3 "$TESTS_DIR/find_bytes.py" big.hex v.kura
check "the name is not in the clear either" test "$(grep -c "notes.txt" v.kura)" = 0
"$VAULT_SQL" "$T/v.kura" "SELECT length(body) FROM blobs ORDER BY length(body)" >lengths
check "a small file's chunk is padded to 4 KiB" test "$(head -1 lengths)" = 4136
check "every chunk is a power of two (and 40 bytes of seal)" \
    awk '{ n = $1 - 40; while (n > 1 && n % 2 == 0) n /= 2; if (n != 1) exit 1 }' lengths

# ---- refusals, each leaving the item as it was ----
k get Bank --json
before=$(jq -c .attachments <<<"$out")
k attach Bank big.bin
expect "a name taken" 1 "already has an attachment called \"big.bin\"; detach it first"
k attach Bank missing.bin
expect "a file that is not there" 5 "cannot read missing.bin"
k attach Bank "$T"
expect "a folder" 2 "is a folder"
k attach Bank big.bin --name "a/b"
expect "a name with a slash" 2 "without '/'"
k attach Bank big.bin --name ".."
expect "a name that is a folder's" 2 "without '/'"
cat big.bin | setsid -w "$KURA" attach Bank - >"$T/.out" 2>"$T/.err"
_capture
expect "stdin needs --name" 2 "--name NAME"
truncate -s $((100 * 1048576 + 1)) huge.bin
k attach Bank huge.bin
expect "over 100 MiB" 1 "an attachment may hold at most 100 MiB"
head -c $((100 * 1048576 + 1)) /dev/zero | setsid -w "$KURA" attach Bank - --name huge \
    >"$T/.out" 2>"$T/.err"
_capture
expect "over 100 MiB on stdin" 1 "larger than 100 MiB"
k get Bank --json
check "nothing changed by the refusals" test "$(jq -c .attachments <<<"$out")" = "$before"
truncate -s $((100 * 1048576)) limit.bin
k attach Empty limit.bin
expect "exactly 100 MiB is taken" 0
k get Empty --attachment limit.bin --output out-limit.bin
check "and comes back" cmp -s limit.bin out-limit.bin
rm -f limit.bin out-limit.bin huge.bin
k detach Empty limit.bin
k get Bank --attachment nope.bin --output x
expect "no such attachment" 5 'has no attachment called "nope.bin"'
k get Bank --attachment big.bin --output out-big.bin
expect "an existing --output is not replaced" 1 "already exists; kura does not write over it"
check "and is as it was" cmp -s big.bin out-big.bin
k get Bank --output x
expect "--output alone" 2 "--output goes with --attachment"
pty -- "$KURA" get Bank --attachment big.bin
check "never to a terminal" test "$rc" = 2
check "and says how instead" out_has "is not written to a terminal; use --output FILE"

# ---- ls and search never read the chunks: every chunk damaged, both still work ----
cp v.kura v-good.kura
"$VAULT_SQL" "$T/v.kura" "UPDATE blobs SET body = flip(body, 30)"
k ls
expect "ls with every chunk damaged" 0
k search ann
expect "search with every chunk damaged" 0
k get Bank
expect "get (the item) with every chunk damaged" 0

# ---- a damaged chunk, a missing chunk ----
k get Bank --attachment big.bin --output dmg.bin
expect "a damaged chunk" 6 'chunk 1 of attachment "big.bin" is damaged'
check "writes nothing" test ! -e dmg.bin
check "leaves no temporary file" test -z "$(ls -A | grep -F dmg.bin)"
setsid -w "$KURA" get Bank --attachment big.bin </dev/null >dmg-pipe.bin 2>"$T/.err"
_capture
expect "a damaged chunk, to a pipe" 6 "is damaged"
check "sends not one byte" test ! -s dmg-pipe.bin
k check
expect "check finds the damaged attachment" 6 'item'
check "and names it" err_has 'attachment "'
cp v-good.kura v.kura
k check
expect "check, whole" 0
check "counts the attachments, those of older versions too" out_has "7 attachments"
"$VAULT_SQL" "$T/v.kura" "DELETE FROM blobs WHERE k = (SELECT k FROM blobs WHERE substr(k, 17, 4) = x'00000001' LIMIT 1)"
k check
expect "check finds a missing chunk" 6 "is missing"
cp v-good.kura v.kura

# ---- salvage carries the files that read whole, and says which did not ----
# (on a device of its own: a salvaged file takes over the vault on the device that made it)
export XDG_STATE_HOME=$T/salvage-state
k salvage --to "$T/saved.kura" --json
expect "salvage a vault with attachments" 0
check "every attachment's content came" json_ok '.attachments == 7 and .attachments_lost == 0'
KURA_VAULT=$T/saved.kura k get Bank --attachment big.bin --output saved-big.bin
check "and reads in the salvaged vault" cmp -s big.bin saved-big.bin
"$VAULT_SQL" "$T/v.kura" "UPDATE blobs SET body = flip(body, 100) WHERE k = (SELECT k FROM blobs WHERE substr(k, 17, 4) = x'00000002' LIMIT 1)"
k salvage --to "$T/saved2.kura" --json
expect "salvage with a damaged chunk" 6
check "that attachment counted lost, the others saved" json_ok '.attachments == 6 and .attachments_lost == 1 and .lost == 0'
unset XDG_STATE_HOME
cp v-good.kura v.kura

# ---- history: detach keeps it; restore brings it back; cp copies ----
k detach Bank big.bin
expect "detach" 0
check "says history keeps it" out_has "'kura history"
k get Bank
check "gone from the item" out_lacks "big.bin"
k get Bank --attachment big.bin --output x
expect "get a detached file" 5 'has no attachment called "big.bin"'
k detach Bank big.bin
expect "detach twice" 5 'has no attachment called "big.bin"'
k history Bank
check "history says what came and went" out_has "-big.bin"
check "and when it was attached" out_has "+big.bin"
n=$(grep -F -- "-big.bin" <<<"$out" | awk '{print $1}')
k restore Bank $((n - 1))
expect "restore the version before the detach" 0
k get Bank --attachment big.bin --output restored.bin
check "the file is back, byte for byte" cmp -s big.bin restored.bin
k cp Bank "Bank copy"
expect "cp" 0
k get "Bank copy" --attachment over.bin --output copied.bin
check "the copy has the file" cmp -s over.bin copied.bin

# ---- gone from the file once no version names it ----
mkdir -p "$HOME/.config/kura"
printf 'history_keep = 1\nhistory_days = 0\n' >"$HOME/.config/kura/config"
all=$(blobs)
k detach Bank big.bin
check "kept while a version names it" test "$(blobs)" = "$all"
k edit Bank --username ann2
check "gone with the last version that named it (4 chunks)" test "$(blobs)" = $((all - 4))
k rm --yes "Bank copy"
check "a deleted item's files go when its last version does" test "$(blobs)" -lt $((all - 4))
k get Bank --attachment over.bin --output after-prune.bin
check "the other files stay" cmp -s over.bin after-prune.bin
rm "$HOME/.config/kura/config"

# ---- a rotation keeps them; a reset destroys them ----
k key rotate --no-kit --yes --json
expect "rotate" 0
jq -r .client_key <<<"$out" >v.key
k get Bank --attachment notes.txt --output rotated.txt
check "readable after a rotation" cmp -s marker.txt rotated.txt
k reset --confirm "$(cut -c1-8 v.id)" --no-kit --json
expect "reset" 0
check "the content is in no file of kura's" test -z "$(grep -rl "MARKER-kura-attachment" "$HOME" v.kura 2>/dev/null)"

# ---- a format 5 vault: read as it is, upgraded by its first attachment ----
new_vault old --no-kit
KURA_VAULT=$T/old.kura KURA_CLIENT_KEY_FILE=$T/old.key k add Old --password-file pw
"$VAULT_SQL" "$T/old.kura" "DROP TABLE blobs; PRAGMA user_version = 5"
KURA_VAULT=$T/old.kura KURA_CLIENT_KEY_FILE=$T/old.key k status --json
check "a format 5 vault opens" json_ok '.format == 5'
KURA_VAULT=$T/old.kura KURA_CLIENT_KEY_FILE=$T/old.key k attach Old over.bin
expect "its first attachment" 0
KURA_VAULT=$T/old.kura KURA_CLIENT_KEY_FILE=$T/old.key k status --json
check "makes it format 6" json_ok '.format == 6'
KURA_VAULT=$T/old.kura KURA_CLIENT_KEY_FILE=$T/old.key k get Old --attachment over.bin --output old.bin
check "and the file reads" cmp -s over.bin old.bin

# ---- imports and exports carry them ----
new_vault imp --no-kit
export KURA_VAULT=$T/imp.kura KURA_CLIENT_KEY_FILE=$T/imp.key
# KeePassXC's own XML export (Meta/Binaries, gzip), made by keepassxc-cli.
printf 'kpw\nkpw\n' | keepassxc-cli db-create -p kx.kdbx >/dev/null 2>&1
printf 'kpw\n' | keepassxc-cli add -u ann kx.kdbx Router >/dev/null 2>&1
printf 'kpw\n' | keepassxc-cli attachment-import kx.kdbx Router scan.jpg big.bin >/dev/null 2>&1
printf 'kpw\n' | keepassxc-cli attachment-import kx.kdbx Router notes.txt marker.txt >/dev/null 2>&1
printf 'kpw\n' | keepassxc-cli export --format xml kx.kdbx >kx.xml 2>/dev/null
check "keepassxc-cli wrote its binaries into the XML" grep -q 'Binary ID="1" Compressed="True"' kx.xml
k import kx.xml
expect "import KeePassXC's XML with attachments" 0
check "says how many came" out_has "; 2 attachments"
k get Router --attachment scan.jpg --output kx-scan.jpg
check "KeePass binary, byte for byte" cmp -s big.bin kx-scan.jpg
k get Router --attachment notes.txt --output kx-notes.txt
check "and the other" cmp -s marker.txt kx-notes.txt
n=$(blobs_of imp)
k import kx.xml
check "imported again: unchanged" out_has "0 new, 0 updated, 1 unchanged"
check "no content left behind by the second import" test "$(blobs_of imp)" = "$n"
# An entry's binary that is not there, and one that is not base64: said, the rest imported.
python3 - <<'PY'
import base64, gzip
good = base64.b64encode(gzip.compress(b"kept file")).decode()
open("kp-bad.xml", "w").write(f"""<?xml version="1.0"?>
<KeePassFile><Meta><Binaries><Binary ID="0" Compressed="True">{good}</Binary>
<Binary ID="1" Compressed="True">!!not base64!!</Binary></Binaries></Meta>
<Root><Group><Name>Root</Name>
<Entry><String><Key>Title</Key><Value>Mixed</Value></String>
<Binary><Key>good.txt</Key><Value Ref="0"/></Binary>
<Binary><Key>bad.txt</Key><Value Ref="1"/></Binary>
<Binary><Key>gone.txt</Key><Value Ref="7"/></Binary>
<Binary><Key>a/b.txt</Key><Value>{base64.b64encode(b"inline").decode()}</Value></Binary>
</Entry></Group></Root></KeePassFile>""")
PY
k import kp-bad.xml
MULTILINE_OK=1 expect "KeePass XML with a bad and a missing binary" 0
check "the bad one said" err_has "attachments (not valid base64 or gzip) of 1 item"
check "the missing one said" err_has "attachments (the file names them but does not hold them) of 1 item"
k get Mixed --json
check "the good one and the inline one (its '/' made '_') came" json_ok '[.attachments[].name] == ["good.txt", "a_b.txt"]'
k get Mixed --attachment a_b.txt
check "inline content" test "$out" = inline

# 1Password's .1pux: a Document item and a file field, from files/<documentId>__<fileName>.
python3 - <<'PY'
import json, zipfile
data = {"accounts": [{"attrs": {"name": "A"}, "vaults": [{"attrs": {"name": "Personal"}, "items": [
  {"uuid": "d1", "createdAt": 1700000000, "updatedAt": 1700000000, "state": "active", "categoryUuid": "006",
   "overview": {"title": "Lease"}, "details": {"notesPlain": "signed",
   "documentAttributes": {"fileName": "lease.pdf", "documentId": "doc1", "decryptedSize": 12}}},
  {"uuid": "l1", "createdAt": 1700000000, "updatedAt": 1700000000, "state": "active", "categoryUuid": "001",
   "overview": {"title": "Mail"}, "details": {"loginFields": [{"value": "ann", "designation": "username"}],
   "sections": [{"title": "", "fields": [{"title": "key", "id": "f1", "value": {"file":
     {"fileName": "recovery.txt", "documentId": "doc2", "decryptedSize": 6}}},
     {"title": "lost", "id": "f2", "value": {"file":
     {"fileName": "gone.txt", "documentId": "doc3", "decryptedSize": 1}}}]}]}}]}]}]}
with zipfile.ZipFile("docs.1pux", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("export.attributes", '{"version": 3, "description": "1Password Unencrypted Export", "createdAt": 1700000000}')
    z.writestr("export.data", json.dumps(data))
    z.writestr("files/doc1__lease.pdf", "%PDF lease!")
    z.writestr("files/doc2__recovery.txt", "codes\n")
PY
k import docs.1pux
MULTILINE_OK=1 expect "import a .1pux with documents" 0
check "a file it names but does not hold: said" err_has "attachments (the file names them but does not hold them) of 1 item"
k get Lease --attachment lease.pdf
check "a Document item's file" test "$out" = "%PDF lease!"
k get Mail --attachment recovery.txt
check "a file field's file" test "$out" = codes

# kura's own JSON, plain and sealed, carries the content; CSV says it cannot.
k export --yes --output all.json
expect "export" 0
check "the export holds the content, base64" json_ok_file all.json '[.[] | select(.title == "Router")][0].attachments | map(.data | length > 0) | all'
new_vault round --no-kit
KURA_VAULT=$T/round.kura KURA_CLIENT_KEY_FILE=$T/round.key k import all.json
expect "import kura's JSON with attachments" 0
KURA_VAULT=$T/round.kura KURA_CLIENT_KEY_FILE=$T/round.key k get Router --attachment scan.jpg --output round.jpg
check "round trip, byte for byte" cmp -s big.bin round.jpg
printf 'exportpass\n' >xp
k export --encrypted sealed.kex --export-passphrase-file xp
new_vault round2 --no-kit
KURA_VAULT=$T/round2.kura KURA_CLIENT_KEY_FILE=$T/round2.key k import sealed.kex --export-passphrase-file xp
expect "an encrypted export with attachments" 0
KURA_VAULT=$T/round2.kura KURA_CLIENT_KEY_FILE=$T/round2.key k get Lease --attachment lease.pdf
check "sealed round trip" test "$out" = "%PDF lease!"
check "no attachment byte in the sealed export" test "$(grep -c "PDF lease" sealed.kex)" = 0
k export --yes --format csv --output all.csv
check "CSV says what it leaves out" err_has "attachments of these items are not in this export"
k get Router --json
jq '[.]' "$T/.out" >names-only.json
KURA_VAULT=$T/round.kura KURA_CLIENT_KEY_FILE=$T/round.key k import names-only.json
MULTILINE_OK=1 expect "get --json names files without their content" 0
check "said, not silently lost" err_has "attachments (the file names them but does not hold them)"

# ---- sync: a folder remote ----
unset KURA_VAULT KURA_CLIENT_KEY_FILE
mkdir -p a remote
HOME=$T/a "$KURA" init --name Family --no-kit --json >a.json
jq -r .client_key a.json >v.key
on_in "pw" a add Deed --password-file -
on a attach Deed big.bin
on a remote add "$T/remote"
on a sync
expect "sync sends the file" 0
check "and says so" out_has "attachments: 0 in, 1 out"
check "the remote has it, beside the logs" test "$(find remote -name '*.att' | wc -l)" = 1
check "no plaintext on the remote" python3 "$TESTS_DIR/find_bytes.py" big.hex remote
on b clone "$T/remote"
expect "clone" 0
on b get Deed --attachment big.bin --output "$T/b-big.bin"
expect "the clone has the file" 0
check "byte for byte" cmp -s big.bin b-big.bin
on b attach Deed over.bin
on b sync
check "b sends its own" out_has "attachments: 0 in, 1 out"
on a sync
check "a fetches it" out_has "attachments: 1 in, 0 out"
on a get Deed --attachment over.bin --output "$T/a-over.bin"
check "byte for byte on a" cmp -s over.bin a-over.bin
on a sync --json
check "nothing sent twice" json_ok '.files_in == 0 and .files_out == 0 and .files_waiting == 0'

# A file still on its way (a folder engine brings files in any order): the version comes in,
# its content later.
on a attach Deed under.bin
on a sync
att=$(find remote -name '*.att' -newer a-over.bin | head -1)
mv "$att" held.att
on b sync
expect "a file not there yet is no failure" 0 "not on the remote yet"
on b get Deed --attachment under.bin --output "$T/b-under.bin"
expect "get says it has not come" 5 "does not have the content"
mv held.att "$att"
on b sync --json
check "the next sync fetches it" json_ok '.files_in == 1 and .files_waiting == 0'
on b get Deed --attachment under.bin --output "$T/b-under.bin"
check "byte for byte" cmp -s under.bin b-under.bin

# A file changed on the remote is refused, and nothing changes here.
on a attach Deed exact.bin
on a sync
att=$(find remote -name '*.att' -newer b-under.bin | head -1)
python3 "$TESTS_DIR/flip.py" "$att" 200
cp "$T/b/.local/share/kura/vault.kura" b-before.kura
on b sync
expect "a changed file is refused" 6 "does not match what the logs say"
check "nothing changed on b" cmp -s b-before.kura "$T/b/.local/share/kura/vault.kura"

# ---- sync: a git remote ----
git init -q --bare remote.git
on a remote add git "$T/remote.git"
on a sync --remote git
expect "sync to git" 0
check "sends every file" out_has "out"
on c clone "$T/remote.git"
expect "clone from git" 0
on c get Deed --attachment over.bin --output "$T/c-over.bin"
check "the git clone has the file" cmp -s over.bin c-over.bin
finish
