# One vault on several devices (separate HOMEs) through a folder remote and a git remote:
# clone, sync both ways, conflicts kept in history, an edit beating a delete it did not see,
# three devices converging after random schedules, two devices pushing at once, a git daemon
# on 127.0.0.1, a remote that cannot be reached, syncs killed at random moments, and what the
# remote holds (nothing readable).
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

pw() { # pw DEVICE ITEM: the item's password on DEVICE
    on "$1" get "$2" --field password
    printf '%s' "$out"
}
vault_of() { printf '%s/.local/share/kura/vault.kura' "$T/$1"; }

mkdir -p a
HOME=$T/a "$KURA" init --name Family --no-kit --json >a.json
jq -r .client_key a.json >v.key
on_in "bank-1" a add Bank --username alice --url https://bank.example --password-file -
on_in "mail-1" a add Mail --username alice@example.org --password-file -

# ---- a folder remote ----
mkdir remote
on a sync
expect "sync with no remote" 5 "no remote yet: 'kura remote add URL'"
on a remote add "https://alice:secret@example.org/v.git"
expect "a URL with a password is refused" 2 "holds a password"
on a remote add "$T/remote"
expect "remote add" 0
check "names it origin" out_has "syncs through origin"
on a remote add "$T/remote"
expect "a second origin" 1 "already has a remote named origin"
on a sync
expect "first sync" 0
check "two records out" out_is "0 changes in from 0 devices, 2 out"
on a sync --json
check "json: nothing new" json_ok '.in == 0 and .out == 0 and .conflicts == []'

on b clone "$T/remote"
expect "clone on a second device" 0
check "says where the vault went" out_has "made vault $(jq -r .vault_id a.json)"
check "and what came in" out_has "2 changes in from 1 device, 0 out"
check "and how many items" out_has ": 2 items"
check "the password arrived" test "$(pw b Bank)" = bank-1
on b get Bank --json
check "every field arrived" json_ok '.username == "alice" and .urls == ["https://bank.example"]'
on b status --json
check "the same vault id" json_ok ".vault_id == \"$(jq -r .vault_id a.json)\""
on c clone "$T/remote"
expect "a third device" 0
on x clone "$T/remote" --vault "$T/x.kura"
expect "clone into --vault" 0
check "at that path" test -f "$T/x.kura"
on x clone "$T/remote" --vault "$T/x.kura"
expect "clone onto an existing vault" 2 "already exists"
on x remote rm origin --vault "$T/x.kura"
expect "a device leaves" 0
printf 'ZZZZZZ-ZZZZZZ-ZZZZZZ-ZZZZZZ-ZZZZZZ-ZZZZZZ\n' >bad.key
mkdir -p "$T/d/run"
HOME=$T/d KURA_CLIENT_KEY_FILE=$T/bad.key setsid -w "$KURA" clone "$T/remote" >"$T/.out" 2>"$T/.err" </dev/null
_capture
expect "clone with a mistyped key" 4 "the client key in"
HOME=$T/d KURA_CLIENT_KEY_FILE=$T/d/other.key setsid -w "$KURA" init --no-kit --json --vault "$T/d/other.kura" >"$T/d/other.json" 2>/dev/null </dev/null
jq -r .client_key "$T/d/other.json" >"$T/d/other.key"
HOME=$T/d KURA_CLIENT_KEY_FILE=$T/d/other.key setsid -w "$KURA" clone "$T/remote" >"$T/.out" 2>"$T/.err" </dev/null
_capture
expect "clone with another vault's key" 3 "does not open vault"
check "leaves no vault behind" test ! -e "$T/d/.local/share/kura/vault.kura"
on d clone "$T/empty-nowhere"
expect "clone from nothing" 1 "cannot reach"

# Both ways.
on_in "bank-2" b edit Bank --password-file -
on b sync
check "b sends its edit" out_is "0 changes in from 0 devices, 1 out"
on a sync
check "a takes it" out_is "1 change in from 1 device, 0 out"
check "the edit is on a" test "$(pw a Bank)" = bank-2
on a history Bank
check "a's history names b's device by its name" out_has "$(hostname)"

# A conflict: both change Mail apart. Both versions are kept; both devices end equal.
on_in "mail-from-a" a edit Mail --password-file -
on_in "mail-from-b" b edit Mail --password-file -
on a sync
on b sync
expect "the second to sync merges" 0
check "and reports the conflict" out_has '1 conflict: "Mail", both versions kept, see '"'kura history Mail'"
on a sync
check "both devices agree" test "$(pw a Mail)" = "$(pw b Mail)"
winner=$(pw a Mail)
loser=mail-from-a
[ "$winner" = mail-from-a ] && loser=mail-from-b
on a history Mail --json
check "the loser is in the history" json_ok '(.versions | length) == 3'
n=$(jq -r '[.versions[] | select(.current | not)] | length' "$T/.out")
found=0
for i in $(seq 1 "$n"); do
    on a history Mail --show "$i" --field password
    [ "$out" = "$loser" ] && found=1
done
check "with the losing password" test "$found" = 1

# An edit beats a delete it did not see; a delete that saw the edit wins.
on b rm --yes Bank
on_in "bank-3" a edit Bank --password-file -
on a sync
on b sync
on a sync
check "the edit outlived the delete on b" test "$(pw b Bank)" = bank-3
check "and on a" test "$(pw a Bank)" = bank-3
on b history Bank
check "the delete is in the history" grep -qE 'deleted$' "$T/.out"
on a rm --yes Bank
on a sync
on b sync
on b get Bank
expect "a delete that saw the edit removes it everywhere" 5
on b history --deleted
check "and it can be brought back" out_has "Bank"

# Devices converge: three devices, random edits and syncs in any order.
on c sync
RANDOM=4242
items=(One Two Three)
for it in "${items[@]}"; do on_in "$it-0" a add "$it" --password-file -; done
on a sync
on b sync
on c sync
devs=(a b c)
for step in $(seq 1 40); do
    d=${devs[RANDOM % 3]}
    case $((RANDOM % 4)) in
    0 | 1) on_in "$d-$step" "$d" edit "${items[RANDOM % 3]}" --password-file - ;;
    2) on "$d" sync ;;
    3) on "$d" edit "${items[RANDOM % 3]}" --notes /dev/null ;;
    esac
done
for round in 1 2; do for d in a b c; do on "$d" sync; done; done
same=1
for it in "${items[@]}" Mail; do
    on a get "$it" --json --reveal
    ja=$(jq -c 'del(.updated, .created)' "$T/.out")
    for d in b c; do
        on "$d" get "$it" --json --reveal
        [ "$(jq -c 'del(.updated, .created)' "$T/.out")" = "$ja" ] || same=0
    done
done
check "three devices, 40 random steps, converge to the same items" test "$same" = 1
on a ls --json
ca=$(jq -c '[.[].title]' "$T/.out")
on c ls --json
check "and the same list" test "$(jq -c '[.[].title]' "$T/.out")" = "$ca"

# The remote: who wrote when; nothing readable in it.
on a remote
expect "remote lists" 0
check "the remote" out_has "origin"
check "and the devices" test "$(grep -cE '^  [0-9a-f]{8}  ' "$T/.out")" -ge 3
on a remote --json
check "json: remotes and devices" json_ok '.remotes[0].name == "origin" and (.devices | length) == 3 and ([.devices[] | select(.this_device)] | length) == 1'
leaks=0
host=$(hostname)
[ "${#host}" -ge 6 ] || host=Family # too short to tell from chance bytes
for word in Family Bank Mail alice bank.example bank-1 bank-2 mail-from-a "$host" \
    "$(jq -r .client_key a.json)"; do
    grep -rqaF -- "$word" remote && leaks=1 && echo "remote holds: $word"
done
check "the remote holds no title, username, URL, password, vault or device name, key" test "$leaks" = 0
check "each device writes only its own folder" test "$(find remote -mindepth 2 -maxdepth 2 -type d | wc -l)" = 4
sizes=$(find remote -name '*.log' -printf '%s\n' | sort -u)
odd=0
for s in $sizes; do [ $(((s - 78 - 40) % 1024)) = 0 ] || odd=1; done
check "files are padded to 1 KiB blocks" test "$odd" = 0

# A remote that cannot be reached: one line, exit 1, nothing changed here.
mv remote remote.away
sum_a=$(sha256sum "$(vault_of a)" | cut -c1-64)
on_in "offline" a edit Two --password-file -
sum_a=$(sha256sum "$(vault_of a)" | cut -c1-64)
on a sync
expect "an unreachable remote" 1 "cannot reach the remote folder"
check "says nothing changed" err_has "nothing was changed here"
check "the vault is as it was" test "$(sha256sum "$(vault_of a)" | cut -c1-64)" = "$sum_a"
mv remote.away remote
on a sync
check "the next sync sends the change" out_has "1 out"
on b sync
check "and it arrives" test "$(pw b Two)" = offline

# Syncs killed at random moments lose nothing: every acknowledged edit arrives.
for i in $(seq 1 8); do
    on_in "kill-$i" a edit One --password-file -
    mkdir -p "$T/a/run"
    HOME=$T/a XDG_RUNTIME_DIR=$T/a/run KURA_CLIENT_KEY_FILE=$T/v.key \
        timeout -s KILL "0.0$((RANDOM % 9 + 1))" "$KURA" sync >/dev/null 2>&1 </dev/null
done
on a sync
expect "the sync after the kills" 0
on a check
expect "a's vault is whole" 0
on b sync
check "the last acknowledged edit arrived" test "$(pw b One)" = kill-8
on b history One --json
kills=$(jq '[.versions[]] | length' "$T/.out")
check "with every one before it in the history" test "$kills" -ge 9

# Compaction: after 16 files a device gathers what it wrote into a snapshot and removes its
# logs; a device that did not sync meanwhile still gets everything, from the snapshot.
on b sync
for i in $(seq 1 18); do
    on_in "many-$i" a edit One --password-file -
    on a sync
done
check "a's logs were gathered into a snapshot" test -n "$(find remote -name '*.snap')"
check "and its old logs removed" test "$(find "$(dirname "$(find remote -name '*.snap' | head -1)")" -name '*.log' | wc -l)" -lt 16
on b sync
expect "b, that did not sync meanwhile, reads the snapshot" 0
on b get One --field password
check "and has a's last edit" out_is "many-18"
on b history One --json
check "and a's edits in between, in the history" json_ok '[.versions[]] | length >= 19'

# sync = auto: a change pushes in the background, an unlock pulls.
for d in a b; do mkdir -p "$T/$d/.config/kura" && printf 'sync = auto\n' >"$T/$d/.config/kura/config"; done
# The logs and snapshots the remote holds, by name, size and time: a push changes them (adding a log, or, when a
# device's logs fill up, gathering them into a snapshot, so counting logs would not do).
remote_now() { find remote -type f \( -name '*.log' -o -name '*.snap' \) -printf '%P %s %T@\n' | sort | sha256sum; }
remote_before=$(remote_now)
on_in "auto-pushed" a edit Two --password-file -
expect "an edit with sync = auto" 0
for i in $(seq 1 100); do [ "$(remote_now)" != "$remote_before" ] && break; sleep 0.1; done
check "pushes by itself" test "$(remote_now)" != "$remote_before"
on b unlock --json
expect "an unlock with sync = auto" 0
on b get Two --field password
check "pulls by itself" out_is "auto-pushed"
mv remote remote.away
on_in "offline-auto" a edit Two --password-file -
expect "with the remote away, a change still succeeds at once" 0
mv remote.away remote
on a sync
check "and goes out with the next sync" out_has "1 out"
for d in a b; do rm "$T/$d/.config/kura/config"; done

# ---- a git remote: a bare repository on disk ----
git init -q --bare repo.git
on a remote add git "$T/repo.git"
expect "a second remote, a git one" 0
on a sync
expect "sync needs a name when there are two" 2 "has 2 remotes"
on a sync --remote git
expect "sync through git" 0
check "everything goes out" grep -qE '^0 changes in from 0 devices, [0-9]+ out$' "$T/.out"
check "one branch, kura" test "$(git --git-dir=repo.git branch --format='%(refname:short)')" = kura
check "commits carry no name or time" test "$(git --git-dir=repo.git log -1 --format='%an %at' kura)" = "kura 0"
on e clone "$T/repo.git"
expect "clone from git" 0
check "every item arrived" test "$(pw e Two)" = offline-auto
# Two devices pushing at the same moment: one retries and merges.
on_in "from-a-at-once" a edit Three --password-file -
on_in "from-e-at-once" e edit One --password-file -
for d in a e; do
    args=(sync)
    [ "$d" = a ] && args+=(--remote git)
    (
        mkdir -p "$T/$d/run"
        HOME=$T/$d XDG_RUNTIME_DIR=$T/$d/run KURA_CLIENT_KEY_FILE=$T/v.key "$KURA" "${args[@]}" \
            >"$T/$d.at-once" 2>&1 </dev/null
        echo "$?" >"$T/$d.at-once.rc"
    ) &
done
wait
check "both syncs at once succeed (one retries)" test "$(cat a.at-once.rc e.at-once.rc)" = $'0\n0'
on a sync --remote git
on e sync
check "both changes reached both" test "$(pw a One)" = from-e-at-once -a "$(pw e Three)" = from-a-at-once
check "the repository is whole" git --git-dir=repo.git fsck --strict --no-progress

# ---- a git daemon on 127.0.0.1 ----
mkdir srv && git init -q --bare srv/v.git
port=$(free_port)
git daemon --reuseaddr --listen=127.0.0.1 --port=$port --base-path="$T/srv" --export-all \
    --enable=receive-pack --pid-file="$T/daemon.pid" --detach "$T/srv"
trap 'kill "$(cat "$T/daemon.pid" 2>/dev/null)" 2>/dev/null; [ -n "${KURA_KEEP:-}" ] || rm -rf "$T"' EXIT
for i in $(seq 1 50); do git ls-remote "git://127.0.0.1:$port/v.git" >/dev/null 2>&1 && break; sleep 0.1; done
on a remote add daemon "git://127.0.0.1:$port/v.git"
on a sync --remote daemon
expect "sync through a git daemon" 0
on f clone "git://127.0.0.1:$port/v.git"
expect "clone through a git daemon" 0
check "every item arrived" test "$(pw f Two)" = offline-auto
kill "$(cat daemon.pid)"
sleep 0.2
on a sync --remote daemon
expect "the daemon gone: exit 1" 1 "cannot fetch from git://127.0.0.1"
finish
