# A damaged vault is never a dead end. After a few flipped bytes, `ls` asks for --trust-file,
# and --trust-file then reads what is left (ls, search, export: exit 6 naming what is not),
# where it used to fail ("cannot re-sign"). kura salvage writes every item that still
# decrypts into a new file that is the same vault (its key, kits and device slot open it),
# naming the lost by id. Swept over every page of a vault (two kinds of damage each) and over
# deleted rows: a salvaged item is always exactly the original, never wrong data.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

new_vault v
V=(--vault "$T/v.kura" --key-file v.key)
"$VAULT_ITEMS" "$T/v.kura" v.key fill 150
printf 'a note\nof two lines\n' >notes
k_in "pw-rich" "${V[@]}" add Rich --username rich --url https://rich.example --tag t1 \
    --notes-file notes --field "account=A-1" --password-file -
printf 'pin 1234\n' >pin
k "${V[@]}" edit Rich --hidden-field-file pin=pin
k "${V[@]}" export --yes --output pristine.json
expect "the pristine vault exports" 0
cp v.kura pristine.kura
pages=$(($(stat -c %s v.kura) / 4096))
check "the vault spans many pages" test "$pages" -ge 20

# The issue's case: a few flipped bytes in the items.
python3 "$TESTS_DIR/flip.py" v.kura $((4096 * (pages / 2) + 1500))
python3 "$TESTS_DIR/flip.py" v.kura $((4096 * (pages / 2 + 3) + 700))
k "${V[@]}" ls
expect "a damaged vault: ls refuses it" 6 "--trust-file"
k "${V[@]}" ls --trust-file
check "ls --trust-file lists what is left (no 'cannot re-sign')" test "$rc" = 0 -o "$rc" = 6
check "and lists items" test "$(grep -c '' "$T/.out")" -ge 100
MULTILINE_OK=1 k "${V[@]}" search "Item 1" --trust-file
check "search --trust-file reads too" test "$rc" = 0 -o "$rc" = 6
check "and finds" out_has "Item 1"
k "${V[@]}" export --yes --trust-file
check "export --trust-file exports what reads" test "$rc" = 0 -o "$rc" = 6
check "as JSON" jq -e 'length >= 100' "$T/.out"
k "${V[@]}" add New --trust-file
MULTILINE_OK=1 expect "a damaged vault read as it is takes no writes" 6 "kura salvage"
check "the damaged file is left as it was by all that" cmp -s v.kura <(cp v.kura /dev/stdout)

# salvage: the twin failures first.
k "${V[@]}" salvage --to "$T/pristine.kura"
expect "salvage never writes over a file" 1 "already exists"
k --vault "$T/v.kura" --key-file other.key salvage 2>/dev/null
new_vault other
k --vault "$T/v.kura" --key-file other.key salvage --to "$T/wrong.kura"
expect "salvage with another vault's key" 3
check "and writes nothing" test ! -e wrong.kura
printf 'a diary\n' >diary.txt
k --vault "$T/diary.txt" --key-file v.key salvage
expect "salvage of a file that is no vault" 5 "not a kura vault"
k "${V[@]}" salvage --json
check "salvage: exit 0 or 6" test "$rc" = 0 -o "$rc" = 6
check "reports saved, lost by id, and the new file" json_ok '(.saved + .lost) >= 150 and (.lost_ids | length) == .lost and (.to | endswith("v.salvaged.kura"))'
k --vault "$T/v.salvaged.kura" --key-file v.key check
expect "the salvaged vault is whole" 0
k --vault "$T/v.salvaged.kura" --kit "$(jq -r '.kit[1]' v.json)" ls
expect "the old kit opens it: it is the same vault" 0
k "${V[@]}" ls
expect "the damaged original is still refused" 6
mv v.kura damaged.kura && mv v.salvaged.kura v.kura
k "${V[@]}" get Rich --field pin
expect "the salvaged file in its place opens, without --trust-file" 0
check "with the hidden field" test "$out" = "pin 1234"

# Every page, two kinds of damage each (a byte in the middle, a byte of the page's b-tree
# header): a salvaged item is exactly the original, and salvage never crashes or hangs.
python3 - "$T" "$pages" <<'PY' >sweep.out
import json, os, shutil, subprocess, sys
T, pages = sys.argv[1], int(sys.argv[2])
kura = os.environ["KURA"]
pristine = {i["id"]: i for i in json.load(open(T + "/pristine.json"))}
env = dict(os.environ)
stats = {"cases": 0, "all": 0, "some": 0, "none": 0, "wrong": 0, "crash": 0, "ls_crash": 0,
         "near": 0}
for page in range(pages):
    for at in (2048, 9):
        stats["cases"] += 1
        d = T + "/sw"
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        shutil.copy(T + "/pristine.kura", d + "/v.kura")
        with open(d + "/v.kura", "r+b") as f:
            f.seek(page * 4096 + at)
            b = f.read(1)
            f.seek(page * 4096 + at)
            f.write(bytes([b[0] ^ 0xFF]))
        env["HOME"] = d + "/home"  # a device that saw nothing newer
        def run(*args):
            try:
                return subprocess.run([kura, "--vault", d + "/v.kura", "--key-file", T + "/v.key", *args],
                                      env=env, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                return None
        ls = run("ls", "--trust-file")
        if ls is None or ls.returncode not in (0, 6):
            stats["ls_crash"] += 1
            print("page %d+%d: ls --trust-file exit %s" % (page, at, ls and ls.returncode))
        p = run("salvage", "--json", "--to", d + "/s.kura")
        if p is None or p.returncode not in (0, 6):
            stats["crash"] += 1
            print("page %d+%d: salvage exit %s: %s" % (page, at, p and p.returncode, p and p.stderr[:200]))
            continue
        if not os.path.exists(d + "/s.kura"):
            stats["none"] += 1  # nothing could be opened (page 1, or the vault's records)
            continue
        e = subprocess.run([kura, "--vault", d + "/s.kura", "--key-file", T + "/v.key", "export", "--yes"],
                           env=env, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
        got = json.loads(e.stdout or b"[]")
        wrong = [i["id"] for i in got if pristine.get(i["id"]) != i]
        if wrong:
            stats["wrong"] += 1
            print("page %d+%d: salvaged items differ: %s" % (page, at, wrong[:3]))
        n = len(got)
        stats["all" if n == len(pristine) else "some" if n else "none"] += 1
        stats["near"] += n >= len(pristine) - 10  # at most a page or so of items lost
print("salvage sweep: %(cases)d cases; every item saved %(all)d, at most 10 lost %(near)d, "
      "some %(some)d, none %(none)d; wrong data %(wrong)d, salvage failed %(crash)d, "
      "ls --trust-file failed %(ls_crash)d" % stats)
PY
cat sweep.out
check "no salvaged item ever differs from the original" grep -q "wrong data 0," sweep.out
check "salvage never crashed or hung" grep -q "salvage failed 0," sweep.out
check "ls --trust-file never crashed or hung" grep -q "ls --trust-file failed 0$" sweep.out
check "in most cases at most 10 of 151 items are lost" python3 -c "import re,sys; m=re.search(r'(\d+) cases; every item saved \d+, at most 10 lost (\d+)', open('sweep.out').read()); sys.exit(not int(m[2]) * 10 >= int(m[1]) * 8)"

# Rows deleted (the page checksums recomputed, as through SQLite): the rest is saved.
rm -rf del && mkdir del
cp pristine.kura del/v.kura
"$VAULT_SQL" "$T/del/v.kura" "DELETE FROM items WHERE id IN (SELECT id FROM items ORDER BY id LIMIT 3)"
HOME=$T/del/home k --vault "$T/del/v.kura" --key-file v.key ls
expect "rows deleted: refused" 6 "signed state"
HOME=$T/del/home k --vault "$T/del/v.kura" --key-file v.key salvage --json
expect "rows deleted: salvage saves the rest, nothing it saw lost" 0
check "148 of 151 saved" json_ok '.saved == 148 and .lost == 0'

# History comes along: each item's past versions and deletions, copied once they open, so the
# salvaged vault still answers history, --show, restore and history --deleted.
new_vault hist
H=(--vault "$T/hist.kura" --key-file hist.key)
for p in pw-1 pw-2 pw-3; do
    if [ "$p" = pw-1 ]; then k_in "$p" "${H[@]}" add Bank --password-file -; else k_in "$p" "${H[@]}" edit Bank --password-file -; fi
done
k "${H[@]}" add Gone
k "${H[@]}" rm Gone --yes
cp hist.kura hist-pristine.kura
k "${H[@]}" salvage --to "$T/hist.salvaged.kura" --json
expect "salvage of a vault with history" 0
check "two items' histories saved, none lost" json_ok '.saved == 1 and .histories == 2 and .histories_lost == 0'
S=(--vault "$T/hist.salvaged.kura" --key-file hist.key)
k "${S[@]}" history Bank --json
check "the salvaged item has its two past versions" json_ok '(.versions | length) == 3'
k "${S[@]}" history Bank --show 1 --field password
check "and an old one reads" out_is pw-1
k "${S[@]}" history --deleted
check "the deleted item is still listed" out_has Gone
k "${S[@]}" check
expect "the salvaged vault with its history is whole" 0
# A history that does not open is counted lost; the item itself is saved.
sqlite3 hist.kura "UPDATE past SET body = zeroblob(length(body)) WHERE id = (SELECT id FROM past LIMIT 1)"
k "${H[@]}" salvage --to "$T/hist2.salvaged.kura" --json
expect "a damaged history: salvage goes on, and says something was lost (exit 6)" 6
check "one history lost, one saved, the item saved" json_ok '.saved == 1 and .histories == 1 and .histories_lost == 1'
finish
