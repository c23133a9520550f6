# lib.sh: harness for kura's end-to-end tests. Each test script sources it, runs the real
# binary on real files in a fresh HOME, and ends with "N passed, N failed".
# kura runs under setsid, so it has no controlling terminal, exactly as in CI.
set -u
: "${KURA:?set KURA to the kura binary}"
TESTS_DIR=${TESTS_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
T=$(mktemp -d /tmp/kura-cli.XXXXXX)
trap '[ -n "${KURA_KEEP:-}" ] || rm -rf "$T"' EXIT
export HOME=$T/home XDG_RUNTIME_DIR=$T/run LC_ALL=C.UTF-8
unset XDG_DATA_HOME XDG_CONFIG_HOME XDG_STATE_HOME KURA_SESSION KURA_VAULT KURA_CLIENT_KEY_FILE
mkdir -p "$HOME" && mkdir -m 700 "$XDG_RUNTIME_DIR"
cd "$T" || exit 1
passed=0
failed=0
rc=0
out=
err=

_capture() {
    rc=$?
    out=$(cat "$T/.out")
    err=$(cat "$T/.err")
}

# KURA_WRAP: a command put in front of kura in k and k_in (tests/tools/valgrind-kura.sh).
read -ra WRAP <<<"${KURA_WRAP:-}"

# k ARGS...: kura with no terminal and empty stdin.
k() {
    setsid -w "${WRAP[@]}" "$KURA" "$@" >"$T/.out" 2>"$T/.err" </dev/null
    _capture
}

# k_in INPUT ARGS...: kura with INPUT (and a newline) on stdin.
k_in() {
    local input=$1
    shift
    printf '%s\n' "$input" | setsid -w "${WRAP[@]}" "$KURA" "$@" >"$T/.out" 2>"$T/.err"
    _capture
}

# on DEVICE ARGS...: kura as device DEVICE, another machine: its own HOME ($T/DEVICE) and
# session folder, the client key from $T/${KEY:-v.key}; no terminal, empty stdin.
on() {
    local d=$1
    shift
    mkdir -p "$T/$d/run" && chmod 700 "$T/$d/run"
    HOME=$T/$d XDG_RUNTIME_DIR=$T/$d/run KURA_CLIENT_KEY_FILE=$T/${KEY:-v.key} \
        setsid -w "${WRAP[@]}" "$KURA" "$@" >"$T/.out" 2>"$T/.err" </dev/null
    _capture
}

# on_in INPUT DEVICE ARGS...: the same with INPUT (and a newline) on stdin.
on_in() {
    local input=$1 d=$2
    shift 2
    mkdir -p "$T/$d/run" && chmod 700 "$T/$d/run"
    printf '%s\n' "$input" | HOME=$T/$d XDG_RUNTIME_DIR=$T/$d/run \
        KURA_CLIENT_KEY_FILE=$T/${KEY:-v.key} setsid -w "${WRAP[@]}" "$KURA" "$@" \
        >"$T/.out" 2>"$T/.err"
    _capture
}

_report() {
    local name=$1 ok=$2 why=$3
    if [ "$ok" = 1 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        printf 'FAIL: %s: %s\n  exit: %s\n  stdout: %s\n  stderr: %s\n' "$name" "$why" "$rc" \
            "${out:0:600}" "${err:0:600}"
    fi
}

# expect NAME CODE [TEXT]: the last command exited CODE, and TEXT (if given) is in its
# stderr. A failure (CODE != 0) must be one line.
expect() {
    local name=$1 want=$2 text=${3:-}
    if [ "$rc" != "$want" ]; then
        _report "$name" 0 "exit $rc, wanted $want"
    elif [ -n "$text" ] && ! grep -qF -- "$text" "$T/.err"; then
        _report "$name" 0 "stderr lacks '$text'"
    elif [ "$want" != 0 ] && [ "$(grep -c . "$T/.err")" -gt 1 ] && [ "${MULTILINE_OK:-0}" = 0 ]; then
        _report "$name" 0 "error is more than one line"
    else
        _report "$name" 1 ""
    fi
}

# check NAME COMMAND...: COMMAND succeeds.
check() {
    local name=$1
    shift
    if "$@"; then _report "$name" 1 ""; else _report "$name" 0 "check failed: $*"; fi
}

out_is() { [ "$out" = "$1" ]; }
out_has() { grep -qF -- "$1" "$T/.out"; }
err_has() { grep -qF -- "$1" "$T/.err"; }
out_lacks() { ! grep -qF -- "$1" "$T/.out"; }
err_lacks() { ! grep -qF -- "$1" "$T/.err"; }
json_ok() { jq -e "$1" "$T/.out" >/dev/null; }
mode_is() { [ "$(stat -c %a "$2")" = "$1" ]; }
sum() { sha256sum "$1" | cut -d' ' -f1; }

# A TCP port on 127.0.0.1 that nothing listens on now (the kernel picks it), for a server a
# test starts: two tests running at once never meet on one port.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# new_vault NAME [INIT OPTIONS]: creates $T/NAME.kura (its kit in $T); its key in
# $T/NAME.key, its id in $T/NAME.id, init's JSON in $T/NAME.json.
new_vault() {
    k --vault "$T/$1.kura" init --json --name "$@" # --name NAME [OPTIONS]
    if [ "$rc" != 0 ]; then
        echo "new_vault $1 failed: $err"
        exit 1
    fi
    printf '%s\n' "$out" >"$T/$1.json"
    jq -r .client_key <<<"$out" >"$T/$1.key"
    jq -r .vault_id <<<"$out" >"$T/$1.id"
}

# pty ARGS: the pty driver (tests/cli/pty_drive.py); transcript in out, status in rc.
pty() {
    python3 "$TESTS_DIR/pty_drive.py" "$@" >"$T/.out" 2>"$T/.err" </dev/null
    _capture
}

finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}
