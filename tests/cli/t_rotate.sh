# kura key rotate: a new client key and vault key, every item re-encrypted in one
# transaction; old keys, kits, sessions and device slots refused after. And SIGKILL at many
# moments of a rotation: the vault opens with exactly one of the two keys, nothing lost.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

KILLS=${KURA_ROTATE_KILLS:-30}
ITEMS=120

new_vault v
export KURA_VAULT=$T/v.kura
id=$(cat v.id)
for i in $(seq 1 $ITEMS); do
    printf 'pw-%s\n' "$i" | setsid -w "$KURA" add "Item $i" --username "u$i" --password-file - \
        --key-file v.key >/dev/null 2>&1
done
k ls --key-file v.key
check "the vault holds its items" test "$(wc -l <"$T/.out")" = $ITEMS

# Everything the old key opened, to refuse after the rotation.
k unlock --key-file v.key
eval "$out"
old_session=$KURA_SESSION
printf 'device passphrase 1\n' >pass
mkdir -p "$T/other"
HOME=$T/other k device enroll --key-file v.key --passphrase-file pass
expect "another device enrolled before the rotation" 0
cp v.kura pristine.kura

mkdir kits
# Rotation asks first: without a terminal and without --yes nothing changes (exit 9).
before=$(sum v.kura)
k key rotate --dir kits --json
expect "no terminal, no --yes" 9 "no terminal to confirm on, and no --yes; nothing was changed"
check "the vault is as it was" test "$(sum v.kura)" = "$before"
check "no kit was made" test -z "$(ls kits)"
pty -e "Rotate the key of vault $id?" -s n -- "$KURA" key rotate --dir "$T/kits"
expect "declined at the terminal" 9 ""
check "declining names what a rotation ends" out_has "Every session and enrolled device must unlock again"
check "declining changed nothing" test "$(sum v.kura)" = "$before" -a -z "$(ls kits)"
k ls --key-file v.key
expect "the old key still opens it" 0
k key rotate --dir kits --json --yes
expect "rotate (in a session)" 0
check "rotate reports every item" json_ok ".items == $ITEMS"
newkey=$(jq -r .client_key <<<"$out")
newkit=$(jq -r '.kit[1]' <<<"$out")
printf '%s\n' "$newkey" >new.key
check "a new key" test "$newkey" != "$(cat v.key)"
check "the same vault id" json_ok '.vault_id == "'"$id"'"'
unset KURA_SESSION

k ls --key-file v.key
expect "the old key is refused" 3 "does not open vault $id"
KURA_SESSION=$old_session k ls
expect "the old session is refused" 8
k ls --kit "$(jq -r '.kit[1]' v.json)"
expect "the old kit is refused" 3
k kit check "$(jq -r '.kit[1]' v.json)" --key-file new.key
expect "kit check calls it an old kit" 3 "old kit"
# Two generations' kits can't be confused: their names differ, and each says which key it is.
check "the new kit's files are named for key 2" bash -c "ls '$T/kits' | grep -q '_KEY2.png' && ls '$T/kits' | grep -qF '(key 2).pdf'"
check "so they never replace the first kit's" test "$(basename "$newkit")" != "$(basename "$(jq -r '.kit[1]' v.json)")"
check "the new kit says it holds key 2" bash -c "pdftotext \"\$(ls '$T'/kits/*.pdf)\" - | grep -q 'Key 2 of this vault, made'"
check "and the first kit says key 1" bash -c "pdftotext \"\$(jq -r '.kit[0]' '$T/v.json')\" - | grep -q 'Key 1 of this vault, made'"
check "the kit names the vault file, for a new device" bash -c "pdftotext \"\$(ls '$T'/kits/*.pdf)\" - | tr -d '\n' | grep -qF '$T/v.kura'"
k unlock --key-file new.key
eval "$out"
k kit check "$(jq -r '.kit[1]' v.json)"
expect "unlocked, kit check names the old kit's key" 3 "it holds key 1 (made"
check "and the current one" err_has "the current key is key 2 (made"
k kit check "$newkit" --json
expect "the new kit" 0
check "holds key 2, the current key" json_ok '.key == 2 and .current_key == 2'
k status
check "status names the key" out_has "key:     2"
unset KURA_SESSION
HOME=$T/other k ls --passphrase-file pass
expect "a device enrolled with the old key is refused" 3 "enrolled before"
k kit check "$newkit"
expect "the new kit opens the vault" 0
k ls --kit "$newkit"
expect "unlock with the new kit" 0
k get "Item 77" --field password --key-file new.key
check "items read back under the new key" out_is pw-77
k ls --key-file new.key
check "every item still there" test "$(wc -l <"$T/.out")" = $ITEMS
check "no journal left" test ! -e "$T/v.kura-journal"

# Human output: the key before the end, and the summary.
k key rotate --key-file new.key --no-kit --yes
expect "rotate without a kit" 0
check "shows the new key" grep -qE '^    [0-9A-Z]{6}(-[0-9A-Z]{6}){5}$' "$T/.out"
check "summary" out_has "$ITEMS items re-encrypted"
grep -oE '[0-9A-Z]{6}(-[0-9A-Z]{6}){5}' "$T/.out" >new.key
k key rotate --yes
expect "rotate while locked, no terminal" 8

# --no-kit on a terminal: the screen must not be the only copy by accident. The user types the
# new key's last group back before the rotation commits; three wrong answers roll it back.
before=$(sum v.kura)
pty -e "Rotate the key" -s y -e "Type the last group" -s WRONG1 -e "Type the last group" -s 000000 \
    -e "Type the last group" -s "zzzzzz" -- "$KURA" key rotate --key-file "$T/new.key" --no-kit
expect "a key not typed back is not rotated" 9 ""
check "it said the old key still opens the vault" out_has "the OLD key still opens vault $id"
check "and changed nothing" test "$(sum v.kura)" = "$before"
k ls --key-file new.key
expect "the old key still opens it" 0
python3 - "$T" <<'PY'
import os, re, subprocess, sys, pty as ptymod
# Reads the key the rotation shows, then types its last group back (lower case, as people do).
T = sys.argv[1]
pid, fd = ptymod.fork()
if pid == 0:
    os.execvp(os.environ["KURA"], [os.environ["KURA"], "key", "rotate", "--key-file", T + "/new.key", "--no-kit"])
buf = b""
def until(pat):
    global buf
    while not re.search(pat, buf):
        chunk = os.read(fd, 4096)
        if not chunk:
            raise SystemExit("ended early: %r" % buf)
        buf += chunk
until(rb"\[y/N\]")
os.write(fd, b"y\n")
until(rb"Type the last group")
key = re.search(rb"([0-9A-Z]{6}(?:-[0-9A-Z]{6}){5})", buf).group(1).decode()
os.write(fd, key[-6:].lower().encode() + b"\n")
try:
    while True:
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        buf += chunk
except OSError:
    pass
_, status = os.waitpid(pid, 0)
open(T + "/typed.key", "w").write(key + "\n")
open(T + "/typed.out", "wb").write(buf)
sys.exit(os.waitstatus_to_exitcode(status))
PY
rc=$?
check "the last group typed back: rotated" test "$rc" = 0
check "the rotation finished" grep -q "items re-encrypted" typed.out
k ls --key-file typed.key
expect "the key typed back opens the vault" 0

# SIGKILL at moments spread over a whole rotation.
# The span is timed on the very command the kills interrupt. Without a kit the re-encryption
# and the commit fill most of it (the new key is still printed before the commit); kills land
# from the start to well past the end, so some hit before, during and after the commit.
mkdir timing && cp pristine.kura timing/v.kura
start=$(date +%s%N)
setsid -w "$KURA" --vault "$T/timing/v.kura" key rotate --key-file v.key --no-kit --yes \
    >/dev/null 2>&1 </dev/null
span=$((($(date +%s%N) - start) / 1000)) # microseconds
locked_out=0 both=0 lost=0 old_wins=0 new_wins=0 mid=0
for n in $(seq 1 "$KILLS"); do
    rm -rf kill && mkdir kill
    cp pristine.kura kill/v.kura
    rm -f "$HOME"/.local/state/kura/*.seen # each kill on the copy is a new device's
    delay=$((RANDOM * RANDOM % (span * 16 / 10 + 1)))
    setsid "$KURA" --vault "$T/kill/v.kura" key rotate --key-file v.key --no-kit --yes \
        >kill/out 2>&1 </dev/null &
    pid=$!
    sleep "$(printf '0.%06d' "$delay")"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    [ -e kill/v.kura-journal ] && mid=$((mid + 1)) # killed inside the transaction
    nk=$(grep -oE '[0-9A-Z]{6}(-[0-9A-Z]{6}){5}' kill/out | head -1)
    k --vault "$T/kill/v.kura" ls --key-file v.key
    old_rc=$rc old_n=$(wc -l <"$T/.out")
    new_rc=none new_n=0
    if [ -n "$nk" ]; then
        printf '%s\n' "$nk" >kill/new.key
        k --vault "$T/kill/v.kura" ls --key-file kill/new.key
        new_rc=$rc new_n=$(wc -l <"$T/.out")
    fi
    if [ "$old_rc" = 0 ] && [ "$new_rc" = 0 ]; then
        both=$((both + 1))
    elif [ "$old_rc" = 0 ]; then
        old_wins=$((old_wins + 1))
        [ "$old_n" = $ITEMS ] || lost=$((lost + 1))
    elif [ "$new_rc" = 0 ]; then
        new_wins=$((new_wins + 1))
        [ "$new_n" = $ITEMS ] || lost=$((lost + 1))
    else
        locked_out=$((locked_out + 1))
        echo "kill $n after ${delay}us: neither key opens (old $old_rc, new $new_rc): $err"
    fi
done
echo "rotation kills: $KILLS over ${span}us ($mid inside the transaction), old key opens" \
    "$old_wins, new key opens $new_wins, both $both, neither $locked_out, items lost $lost"
check "after every kill exactly one key opens the vault" test $((both + locked_out)) = 0
check "no item lost to a kill" test "$lost" = 0

finish
