# Sessions: eval "$(kura unlock)", commands without a key, lock, idle timeout, and sessions
# that must not open anything.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

new_vault a
new_vault b
export KURA_VAULT=$T/a.kura

k unlock --key-file a.key
expect "unlock" 0
check "unlock prints one shell line" grep -qxE "export KURA_SESSION='[0-9a-f]{32}\.[0-9a-f]{64}'" <<<"$out"
check "and nothing else on stdout" test "$(wc -l <<<"$out")" = 1
eval "$out"
check "eval sets KURA_SESSION" test -n "${KURA_SESSION:-}"
blob=$(ls "$XDG_RUNTIME_DIR/kura")
check "session blob is 0600" mode_is 600 "$XDG_RUNTIME_DIR/kura/$blob"
check "runtime folder is 0700" mode_is 700 "$XDG_RUNTIME_DIR/kura"
check "token is not in the blob" bash -c "! grep -qaF '${KURA_SESSION#*.}' '$XDG_RUNTIME_DIR/kura/$blob'"

k add Site --username u
expect "add in a session, no key" 0
k ls
expect "ls in a session" 0
k status
expect "status in a session" 0
check "status says unlocked" out_has "unlocked"
k status --json
check "status --json" json_ok '.unlocked and .items == 1 and .name == "a"'

# Another vault ignores this session and asks for its own key.
k --vault "$T/b.kura" ls
expect "a session of another vault opens nothing" 8
# A tampered token or blob opens nothing.
good=$KURA_SESSION
KURA_SESSION=${good%?}0 k ls
[ "${good: -1}" = 0 ] && KURA_SESSION=${good%?}1 k ls
expect "a wrong token" 8
KURA_SESSION=garbage k ls
expect "a garbage session value" 8
cp "$XDG_RUNTIME_DIR/kura/$blob" blob.bak
python3 "$TESTS_DIR/flip.py" "$XDG_RUNTIME_DIR/kura/$blob" 40
k ls
expect "a damaged session blob" 8
cp blob.bak "$XDG_RUNTIME_DIR/kura/$blob"
k ls
expect "restored blob works again" 0

# Idle timeout: past it the session is gone (and its blob removed).
k unlock --key-file a.key --timeout 1
eval "$out"
short=${KURA_SESSION%%.*}
ASAN_OPTIONS=${ASAN_OPTIONS:-}:verify_asan_link_order=0 setsid -w faketime -f '+2m' "$KURA" ls \
    >"$T/.out" 2>"$T/.err" </dev/null
_capture
expect "an expired session" 8 "timed out after 1 idle minute at"
check "expired blob removed" test -z "$(ls "$XDG_RUNTIME_DIR/kura" | grep -F ".$short" | grep -v '\.ended$')"
k status
check "status says when it timed out" out_has "state:   locked: the session timed out after 1 idle minute at"
pty -e "the session timed out after 1 idle minute" -e "Client key for vault" -c -- "$KURA" ls
check "on a terminal it says so before asking for the key" out_has "timed out after 1 idle minute"

# The idle timeout holds even if kura never runs again: where the kernel keyring is there, the
# session's blob is sealed with a key the kernel drops at the timeout, so a copy of the blob
# and the token, with the clock turned back, opens nothing. Where it is not (KURA_NO_KEYRING,
# a container without keyctl), status says the file alone keeps it.
KURA_NO_KEYRING=1 k unlock --key-file a.key
eval "$out"
k status
check "without the keyring, status says the file alone keeps the session" out_has "kept in kura's session file only"
k status --json
check "and --json" json_ok '.session_kept_by == "file"'
k lock
eval "$out"
if keyctl show @u >/dev/null 2>&1; then
    k unlock --key-file a.key --timeout 30
    eval "$out"
    k status
    check "with the keyring, status says the kernel holds the timeout" out_has "held by the kernel keyring"
    sid=${KURA_SESSION%%.*}
    keyid=$(keyctl search @u user "kura:$(cat a.id).$sid")
    check "the session's key is in the user's keyring, with a timeout" test -n "$keyid"
    cp "$XDG_RUNTIME_DIR/kura/$(cat a.id).$sid" stolen-blob
    keyctl timeout "$keyid" 1 # the timeout, as if 30 minutes had passed
    sleep 2
    cp stolen-blob "$XDG_RUNTIME_DIR/kura/$(cat a.id).$sid" # the copy put back, the clock as it was
    k ls
    expect "once the kernel dropped its key, blob and token open nothing" 8 "timed out"
    k lock
    eval "$out"
else
    k unlock --key-file a.key
    eval "$out"
    k status
    check "no kernel keyring here: status says the file keeps the session" out_has "kept in kura's session file only"
    k lock
    eval "$out"
fi

# One session per vault in a shell: two vaults unlocked side by side; unlocking one again
# says so and keeps its session; locking one leaves the other.
unset KURA_SESSION
k unlock --key-file a.key
eval "$out"
k --vault "$T/b.kura" unlock --key-file b.key
expect "a second vault unlocked in the same shell" 0
eval "$out"
check "KURA_SESSION holds both" test "$(tr ':' '\n' <<<"$KURA_SESSION" | wc -l)" = 2
k ls
expect "the first vault still opens" 0
k --vault "$T/b.kura" ls
expect "and the second" 0
k unlock --key-file a.key
expect "unlock of a vault already unlocked here" 0 "already unlocked in this shell"
check "keeps the session as it was" out_is "export KURA_SESSION='$KURA_SESSION'"
k --vault "$T/b.kura" lock
expect "lock the second vault" 0
eval "$out"
check "one session left" test "$(tr ':' '\n' <<<"$KURA_SESSION" | wc -l)" = 1
k --vault "$T/b.kura" ls
expect "the second vault is locked" 8
k ls
expect "the first is not" 0
k lock
eval "$out"
check "the last lock unsets KURA_SESSION" test -z "${KURA_SESSION:-}"

# The offer to enroll this device can be answered "never on this device".
pty -e "Client key for vault" -s "$(cat b.key)" -e "or 'never' on this device" -s never \
    -- "$KURA" --vault "$T/b.kura" unlock --key
expect "unlock, answering never" 0
check "says it will not ask again" out_has "not asked again on this device"
pty -e "Client key for vault" -s "$(cat b.key)" -- "$KURA" --vault "$T/b.kura" unlock --key
expect "the next unlock" 0
check "does not offer it" out_lacks "Enroll this device"
k unlock --key-file a.key --timeout 0
expect "--timeout 0" 2 "--timeout (minutes) takes a number from 1 to 1440"

# lock ends it: later commands are locked again.
KURA_SESSION=$good k lock
expect "lock" 0
check "lock prints the unset line" out_is "unset KURA_SESSION"
KURA_SESSION=$good k ls
expect "after lock, locked" 8
check "blob gone after lock" test ! -e "$XDG_RUNTIME_DIR/kura/$blob"
check "blobs are named by vault and session" grep -qE "^$(cat a.id)\.[0-9a-f]{32}$" <<<"$blob"
KURA_SESSION=$good k lock
expect "lock twice is fine" 0
check "says already locked" err_has "already locked"

# The overview cache: with a session, a listing leaves every overview sealed beside the
# session, and the next listing of the same state reads it instead of the vault.
k unlock --key-file a.key --json
eval "export KURA_SESSION=$(jq -r .session <<<"$out")"
cache=$XDG_RUNTIME_DIR/kura/$(cat a.id).overviews
for t in CacheOne CacheTwo CacheThree; do k add "$t" --username "user-$t"; done
k search cache
expect "search in a session" 0
check "it leaves the overview cache" test -f "$cache"
check "the cache is 0600" mode_is 600 "$cache"
check "no title or username in the cache, plain or hex" bash -c "! grep -qaE 'CacheTwo|user-CacheTwo|4361636865' '$cache'"
first=$out
k search cache
check "a search from the cache gives the same" test "$out" = "$first"
k add CacheFour
k search cache
check "a change makes it stale: the new item is found" test "$(wc -l <<<"$out")" = 4
k ls --json
check "ls --json from the cache" json_ok 'length == 5 and any(.[]; .title == "CacheFour" and .username == null)'
python3 "$TESTS_DIR/flip.py" "$cache" 200
k search cache
expect "a damaged cache is not used" 0
check "and the vault is read instead" test "$(wc -l <<<"$out")" = 4
cp "$cache" old-cache
k rm CacheFour --yes
cp old-cache "$cache"
k search cache
check "a cache of another state is not used" test "$(wc -l <<<"$out")" = 3
k --key-file a.key ls
rm -f "$cache"
(unset KURA_SESSION && KURA_VAULT=$T/a.kura k --key-file a.key ls)
check "without a session, no cache" test ! -e "$cache"
k ls
cp "$T/a.kura" before-tamper.kura
"$VAULT_SQL" "$T/a.kura" "DELETE FROM items WHERE id = (SELECT min(id) FROM items)"
k ls
expect "a row deleted behind a valid cache: the listing comes from the cache (signed state)" 0
k check
expect "kura check reads the vault and finds it" 6 "signed state"
cp before-tamper.kura "$T/a.kura"
k lock
check "lock removes the cache" test ! -e "$cache"

# A runtime folder others can read is refused, not used.
k unlock --key-file a.key --json
expect "unlock --json" 0
eval "export KURA_SESSION=$(jq -r .session <<<"$out")"
chmod 755 "$XDG_RUNTIME_DIR/kura"
k ls
expect "an unsafe runtime folder" 1 "not private"
chmod 700 "$XDG_RUNTIME_DIR/kura"
k ls
expect "a private runtime folder again" 0

# Without XDG_RUNTIME_DIR the session folder is /tmp/kura-<uid>, which another user can make
# first. In a mount namespace, a folder of "another user" (nobody), open to all, is bound over
# /tmp/kura-<uid> (made first, as kura itself would, if absent): kura refuses it in one line and
# writes nothing there.
if unshare -m true 2>/dev/null && id nobody >/dev/null 2>&1; then
    H=$T/ns
    mkdir -p "$H/theirs" && chmod 777 "$H/theirs" && chown nobody "$H/theirs"
    cp a.kura a.key "$H"/
    mkdir -p -m 700 "/tmp/kura-$(id -u)"
    cat >"$H/ns.sh" <<'SH'
H=$1
mount --bind "$H/theirs" "/tmp/kura-$(id -u)" || exit 99
run() { env -u XDG_RUNTIME_DIR -u KURA_SESSION HOME="$H" "$KURA" --vault "$H/a.kura" "$@"; }
run unlock --key-file "$H/a.key" >"$H/unlock.out" 2>"$H/unlock.err"; echo "unlock=$?" >>"$H/rc"
env -u XDG_RUNTIME_DIR HOME="$H" KURA_SESSION=0123456789abcdef0123456789abcdef.0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef \
    "$KURA" --vault "$H/a.kura" ls >/dev/null 2>"$H/ls.err"; echo "ls=$?" >>"$H/rc"
run ls --key-file "$H/a.key" >/dev/null 2>&1; echo "keyfile=$?" >>"$H/rc"
SH
    unshare -m bash "$H/ns.sh" "$H"
    check "unlock refuses another user's /tmp/kura-<uid>" grep -qx 'unlock=1' "$H/rc"
    check "saying whose it is and what to do" grep -q "belongs to another user (uid [0-9]*), who may have made it first; kura will not use it: remove it, or set XDG_RUNTIME_DIR" "$H/unlock.err"
    check "in one line, with no session printed" test "$(wc -l <"$H/unlock.err")" = 1 -a ! -s "$H/unlock.out"
    check "a session handle is not looked for there" grep -qx 'ls=1' "$H/rc"
    check "a command that needs no session still works" grep -qx 'keyfile=0' "$H/rc"
    check "nothing was written into it" test -z "$(ls -A "$H/theirs")"
else
    check "a mount namespace and a user nobody for the /tmp case" false
fi

# Unlock with a wrong key starts no session.
unset KURA_SESSION
n=$(ls "$XDG_RUNTIME_DIR/kura" | wc -l)
k unlock --key-file b.key
expect "unlock with another vault's key" 3
check "no session made" test "$(ls "$XDG_RUNTIME_DIR/kura" | wc -l)" = "$n"

finish
