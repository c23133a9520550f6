# Syncs and clones killed at random moments lose nothing: after each acknowledged edit a
# device syncs and is killed (SIGKILL) after a random few milliseconds; now and then a new
# device's clone is killed too. Then each device syncs to the end, and every acknowledged
# edit is there on every device, each vault passes kura check, and a killed clone finishes
# with the next sync. Through a git remote (the kills land in fetches, commits and pushes)
# and a folder. CI: 24 kills (KURA_SYNC_KILLS); tests/stress/run.sh sync: 400.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

kills=${KURA_SYNC_KILLS:-24}
killed() { # killed DEVICE MS ARGS: kura killed after MS milliseconds (if it has not ended)
    local d=$1 ms=$2
    shift 2
    mkdir -p "$T/$d/run" && chmod 700 "$T/$d/run"
    HOME=$T/$d XDG_RUNTIME_DIR=$T/$d/run KURA_CLIENT_KEY_FILE=$T/v.key \
        timeout -s KILL "$(printf '0.%03d' "$ms")" "$KURA" "$@" >/dev/null 2>&1 </dev/null
}

RANDOM=${KURA_SYNC_SEED:-7}
items=(One Two Three Four Five)
mkdir -p a
HOME=$T/a "$KURA" init --no-kit --json >a.json
jq -r .client_key a.json >v.key
for it in "${items[@]}"; do
    printf '%s-0\n' "$it" | HOME=$T/a KURA_CLIENT_KEY_FILE=$T/v.key "$KURA" add "$it" --password-file - >/dev/null
done
git init -q --bare repo.git
mkdir folder
on a remote add git "$T/repo.git"
on a remote add folder "$T/folder"
on a sync --remote git
on a sync --remote folder
on b clone "$T/repo.git"
expect "b clones through git" 0
declare -A want
for it in "${items[@]}"; do want[$it]=$it-0; done
acked=0 clones=0
for i in $(seq 1 "$kills"); do
    d=a
    [ $((RANDOM % 2)) = 1 ] && d=b
    it=${items[RANDOM % ${#items[@]}]}
    printf '%s\n' "$d-$i" | HOME=$T/$d XDG_RUNTIME_DIR=$T/$d/run KURA_CLIENT_KEY_FILE=$T/v.key \
        setsid -w "$KURA" edit "$it" --password-file - >/dev/null 2>&1 </dev/null
    if [ $? = 0 ]; then
        want[$it]=$d-$i
        acked=$((acked + 1))
    fi
    remote=git
    [ "$d" = a ] && [ $((RANDOM % 3)) = 0 ] && remote=folder
    if [ "$d" = a ]; then
        killed a $((RANDOM % 80 + 1)) sync --remote "$remote"
    else
        killed b $((RANDOM % 80 + 1)) sync
    fi
    if [ $((i % 8)) = 0 ]; then # a new device's clone, killed
        clones=$((clones + 1))
        killed "c$clones" $((RANDOM % 120 + 1)) clone "$T/repo.git"
    fi
    sleep 0.002
done
for round in 1 2; do
    on a sync --remote git
    expect "a's sync after the kills (round $round)" 0
    on a sync --remote folder
    expect "a's folder sync after the kills (round $round)" 0
    on b sync
    expect "b's sync after the kills (round $round)" 0
done
lost=0
for d in a b; do
    for it in "${items[@]}"; do
        on "$d" get "$it" --field password
        [ "$out" = "${want[$it]}" ] || {
            lost=$((lost + 1))
            echo "$d: $it is '$out', wanted '${want[$it]}'"
        }
    done
    on "$d" check
    expect "$d's vault is whole after the kills" 0
done
check "every one of $acked acknowledged edits, on both devices" test "$lost" = 0
for c in $(seq 1 "$clones"); do
    if [ -e "$T/c$c/.local/share/kura/vault.kura" ]; then
        on "c$c" sync # the clone had finished before its kill
        expect "a clone killed after it finished syncs" 0
    else
        on "c$c" clone "$T/repo.git"
        expect "a clone killed before it finished leaves no vault, and runs again" 0
    fi
    on "c$c" get One --field password
    check "and has what the others have" out_is "${want[One]}"
done
check "the repository is whole" git --git-dir=repo.git fsck --strict --no-progress

# What a kill can leave: git's lock files in this device's local copy of the remote (kura
# alone uses it, under a flock of its own, so they are stale and go), and the remote's branch
# lock, which kura cannot know is stale: past a minute, it says which file and what to do.
copy=$(ls -d "$T"/a/.cache/kura/remotes/*.git | head -1)
touch "$copy/refs/kura/remote.lock" "$copy/packed-refs.lock"
on_in "after-lock" a edit One --password-file -
on a sync --remote git
expect "a lock left in the local copy by a kill is cleared" 0
check "and gone" test ! -e "$copy/refs/kura/remote.lock" -a ! -e "$copy/packed-refs.lock"
flock "$copy.lock" sleep 1 &
holder=$!
sleep 0.2
on_in "while-locked" a edit One --password-file -
on a sync --remote git
expect "a second sync on this device waits for the first" 0
wait "$holder"
touch -d '5 minutes ago' repo.git/refs/heads/kura.lock
on_in "stale-branch" a edit One --password-file -
on a sync --remote git
expect "a stale branch lock on the remote: said, with the file" 1 "repo.git/refs/heads/kura.lock is 5 minutes old"
rm repo.git/refs/heads/kura.lock
on a sync --remote git
expect "removed, the sync goes on" 0
on b sync
on b get One --field password
check "and the edit arrived" out_is stale-branch
finish
