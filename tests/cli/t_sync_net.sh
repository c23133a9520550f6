# Remotes across the network, as users reach theirs: an ssh server (OpenSSH's sshd on
# 127.0.0.1, keys from ssh-agent, host keys checked against known_hosts) and a git server over
# http and https (git's own git-http-backend behind basic auth, passwords from git's credential
# helper, a private certificate authority through GIT_SSL_CAINFO). Each refusal is one line
# and changes nothing; no password or key lands in kura's files.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"
# Under ASan, whole stacks for each allocation: libgit2 has no frame pointers, and the one leak
# of its that tests/lsan.supp names is known by a function deep in it.
export ASAN_OPTIONS=${ASAN_OPTIONS:-}:fast_unwind_on_malloc=0

pw() { # pw DEVICE ITEM: the item's password on DEVICE
    on "$1" get "$2" --field password
    printf '%s' "$out"
}
no_branch() { ! git --git-dir="$1" rev-parse -q --verify refs/heads/kura >/dev/null; }
branch() { ! no_branch "$1"; }

pids=()
agent=
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    [ -f "$T/sshd.pid" ] && kill "$(cat "$T/sshd.pid")" 2>/dev/null
    [ -n "$agent" ] && kill "$agent" 2>/dev/null
    [ -n "${made_privsep:-}" ] && rmdir /run/sshd 2>/dev/null
    [ -n "${KURA_KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

mkdir -p a srv
HOME=$T/a "$KURA" init --name Net --no-kit --json >a.json
jq -r .client_key a.json >v.key
on_in "bank-1" a add Bank --username alice --password-file -

# ---- ssh: OpenSSH's sshd on 127.0.0.1, as the user running the test ----
ssh-keygen -q -t ed25519 -N '' -C host -f hostkey
ssh-keygen -q -t ed25519 -N '' -C user -f userkey
ssh-keygen -q -t ed25519 -N '' -C stranger -f otherkey
cp userkey.pub authorized_keys && chmod 600 authorized_keys
port=$(free_port)
cat >sshd_config <<EOF
ListenAddress 127.0.0.1
Port $port
HostKey $T/hostkey
AuthorizedKeysFile $T/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PidFile $T/sshd.pid
EOF
if [ "$(id -u)" = 0 ] && [ ! -d /run/sshd ]; then # sshd's own empty folder, as its package makes
    mkdir -m 755 /run/sshd && made_privsep=1
fi
/usr/sbin/sshd -f sshd_config -E "$T/sshd.log"
eval "$(ssh-agent -a "$T/agent.sock")" >/dev/null
agent=$SSH_AGENT_PID
ssh-add -q userkey
for i in $(seq 1 50); do [ -s sshd.pid ] && break; sleep 0.1; done
check "sshd is listening" test -s sshd.pid
git init -q --bare srv/v.git
url="ssh://$(id -un)@127.0.0.1:$port$T/srv/v.git"
mkdir -p a/.ssh b/.ssh

on a remote add "$url"
expect "remote add ssh://" 0
on a sync
expect "a host not in known_hosts is refused" 1 "[127.0.0.1]:$port is not in known_hosts: connect once with 'ssh -p $port 127.0.0.1'"
check "and nothing reached the server" no_branch srv/v.git

printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1,2 otherkey.pub)" >a/.ssh/known_hosts
on a sync
expect "another key for that host is refused" 1 "the host key of [127.0.0.1]:$port is not the one in known_hosts"
check "nothing reached the server" no_branch srv/v.git

printf '@revoked [127.0.0.1]:%s %s\n[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1,2 hostkey.pub)" \
    "$port" "$(cut -d' ' -f1,2 hostkey.pub)" >a/.ssh/known_hosts
on a sync
expect "a key marked @revoked is refused" 1 "is marked @revoked in known_hosts"

# The right key, hashed as 'HashKnownHosts yes' writes it, after a line kura cannot read.
printf '@cert-authority *.example ssh-ed25519 AAAA\n[127.0.0.1]:%s %s\n' "$port" \
    "$(cut -d' ' -f1,2 hostkey.pub)" >a/.ssh/known_hosts
ssh-keygen -q -H -f a/.ssh/known_hosts >/dev/null 2>&1
check "the name is hashed" test "$(grep -c 127.0.0.1 a/.ssh/known_hosts)" = 0
SSH_AUTH_SOCK= on a sync
expect "no ssh-agent: said so" 1 "no ssh-agent (SSH_AUTH_SOCK is not set)"
pids+=("$(ssh-agent -a "$T/agent2.sock" | sed -n 's/^SSH_AGENT_PID=\([0-9]*\).*/\1/p')")
SSH_AUTH_SOCK=$T/agent2.sock ssh-add -q otherkey
SSH_AUTH_SOCK=$T/agent2.sock on a sync
expect "an agent with a key the server refuses" 1 "the server took no key that ssh-agent holds"
check "nothing reached the server" no_branch srv/v.git

on a sync
expect "sync over ssh" 0
check "the item went out" out_is "0 changes in from 0 devices, 1 out"
check "the branch is on the server" branch srv/v.git

printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1,2 hostkey.pub)" >b/.ssh/known_hosts
on b clone "$url"
expect "clone over ssh" 0
check "the item arrived" test "$(pw b Bank)" = bank-1
on_in "bank-2" b edit Bank --password-file -
on b sync
expect "sync back over ssh" 0
on a sync
check "and the edit came in" test "$(pw a Bank)" = bank-2

kill "$(cat sshd.pid)"
sleep 0.2
on a sync
expect "the server gone: exit 1" 1 "cannot fetch from $url"

# ---- http and https: git-http-backend behind basic auth ----
# A private certificate authority's certificate for localhost.
openssl req -x509 -newkey rsa:2048 -nodes -keyout tls.key -out tls.crt -days 2 \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost 2>/dev/null
git init -q --bare srv/w.git
python3 "$TESTS_DIR/git_http.py" "$T/srv" "$T/http.port" alice:s3cret-on-the-server &
pids+=($!)
python3 "$TESTS_DIR/git_http.py" "$T/srv" "$T/https.port" alice:s3cret-on-the-server \
    tls.crt tls.key &
pids+=($!)
for i in $(seq 1 50); do [ -f http.port ] && [ -f https.port ] && break; sleep 0.1; done
http="http://127.0.0.1:$(cat http.port)/w.git"
https="https://localhost:$(cat https.port)/w.git"

on a remote add web "$http"
on a sync --remote web
expect "no credential helper: said so" 1 "git's credential helpers gave none"
HOME=$T/a git config --global credential.helper "store --file=$T/creds"
printf 'http://alice:wrong@127.0.0.1:%s\n' "$(cat http.port)" >creds
on a sync --remote web
expect "a wrong password: said so" 1 "the server refused the name and password"
check "nothing reached the server" no_branch srv/w.git
printf 'http://alice:s3cret-on-the-server@127.0.0.1:%s\n' "$(cat http.port)" >creds
on a sync --remote web
expect "sync over http with the helper's password" 0
check "the branch is on the server" branch srv/w.git

mkdir -p c
HOME=$T/c git config --global credential.helper "store --file=$T/creds"
printf 'https://alice:s3cret-on-the-server@localhost:%s\n' "$(cat https.port)" >>creds
on c clone "$https"
expect "a certificate from an unknown authority is refused" 1 "certificate"
check "and no vault was made" test ! -e c/.local/share/kura/vault.kura
GIT_SSL_CAINFO=$T/tls.crt on c clone "$https"
expect "clone over https, the authority given as git takes it" 0
# What a sent there: a device sends its own changes, so b's edit travels where b syncs.
check "the item arrived" test "$(pw c Bank)" = bank-1

check "no password in kura's files" sh -c "! grep -rqa s3cret-on-the-server a/.local a/.cache c/.local c/.cache"
check "no password in the remote" sh -c "! grep -rqa s3cret-on-the-server srv"

# libgit2 and what it brings (libssh2, TLS, Kerberos) are a module, kura-git.so, loaded for a
# git remote only: every other command starts without mapping them.
check "the everyday binary maps no git library" bash -c "! ldd '$KURA' | grep -qE 'libgit2|libssh2|mbedtls|krb5'"
if [ -z "${KURA_WRAP:-}" ] && [ ! -e /usr/local/lib/kura/kura-git.so ]; then
    mkdir -p alone folder && cp "$KURA" alone/kura
    KURA=$T/alone/kura on a get Bank --field password
    expect "without kura-git.so, everyday commands work" 0
    KURA=$T/alone/kura on a remote add here "$T/folder"
    KURA=$T/alone/kura on a sync --remote here
    expect "and a folder remote syncs" 0
    KURA=$T/alone/kura on a sync --remote web
    expect "a git remote without the module says so" 1 "kura's git module did not load"
    check "and names the file it looked for" err_has "kura-git.so"
fi
finish
