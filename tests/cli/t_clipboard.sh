# kura get --copy: the value reaches the clipboard through the real xclip and xsel on an X
# server (Xvfb), and through wl-copy (a stand-in that records what it is given: no Wayland
# compositor runs here). It is never in a process's arguments; it is cleared after
# clipboard_time unless something else was copied since.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

new_vault v
export KURA_VAULT=$T/v.kura KURA_CLIENT_KEY_FILE=$T/v.key
printf 'clip-pw-%s\n' "$RANDOM$RANDOM" >pw
pw=$(cat pw)
printf '4321\n' >pin
k add Bank --username bob --password-file pw --hidden-field-file pin=pin --url https://bank.example
k add NoPassword --username x
mkdir -p "$HOME/.config/kura"
printf 'clipboard_time = 2\n' >"$HOME/.config/kura/config"

env -u DISPLAY -u WAYLAND_DISPLAY "$KURA" get Bank --copy >"$T/.out" 2>"$T/.err" </dev/null
_capture
expect "no display: a clear error" 1 "no clipboard to copy to"

if ! command -v Xvfb >/dev/null || ! command -v xclip >/dev/null || ! command -v xsel >/dev/null; then
    _report "Xvfb, xclip and xsel are installed (scripts/deps.sh --test)" 0 "missing"
    finish
fi
exec 3>"$T/display"
Xvfb -displayfd 3 -nolisten tcp -auth /dev/null >/dev/null 2>&1 &
XPID=$!
exec 3>&-
trap 'kill $XPID 2>/dev/null; [ -n "${KURA_KEEP:-}" ] || rm -rf "$T"' EXIT
for _ in $(seq 50); do [ -s "$T/display" ] && break; sleep 0.1; done
export DISPLAY=:$(cat "$T/display")
unset WAYLAND_DISPLAY
clip() { xclip -selection clipboard -o 2>/dev/null; }
cat >argscan.py <<'PY'
import glob, sys
pw = open(sys.argv[1], "rb").read().strip()
for path in glob.glob("/proc/[0-9]*/cmdline"):
    try:
        if pw in open(path, "rb").read():
            sys.exit("in the arguments of " + path)
    except OSError:
        pass
PY
# wait_clearers: waits (at most 30 s) until no kura runs on this display (only clearers outlive
# k), so the checks after it do not depend on how busy the machine is.
cat >clearers.py <<'PY'
import glob, os, sys, time
mine = ("DISPLAY=" + os.environ["DISPLAY"]).encode() + b"\0"
def running():
    for d in glob.glob("/proc/[0-9]*"):
        try:
            # The clearer, or the fork of kura that is about to exec it.
            argv0 = open(d + "/cmdline", "rb").read().split(b"\0")[0]
            if os.path.basename(argv0) == b"kura" and mine in open(d + "/environ", "rb").read():
                return True
        except OSError:
            pass
    return False
end = time.time() + 30
while running():
    if time.time() > end:
        sys.exit("a clearer still runs after 30 s")
    time.sleep(0.1)
PY
wait_clearers() { python3 "$T/clearers.py" || echo "$0: $*: a clearer still runs" >&2; }
# k_path DIR ARGS: kura with only DIR on its PATH (the tools it may find).
k_path() {
    local dir=$1
    shift
    setsid -w env PATH="$dir" "$KURA" "$@" >"$T/.out" 2>"$T/.err" </dev/null
    _capture
}

k get Bank --copy
expect "copy the password with xclip" 0
check "says so, and when it is cleared" out_has 'copied the password of "Bank" to the clipboard (xclip); it is cleared in 2 s unless it changes'
check "the clipboard holds the password" test "$(clip)" = "$pw"
check "no process has it in its arguments" python3 "$T/argscan.py" "$T/pw"
check "nor kura's output" out_lacks "$pw"
wait_clearers
check "cleared after clipboard_time" test -z "$(clip)"

k get Bank --copy --json
check "--json" json_ok '.title == "Bank" and .copied == "password" and .tool == "xclip" and .clear_after == 2'
printf 'something else' | xclip -selection clipboard
wait_clearers
check "not cleared when something else was copied since" test "$(clip)" = "something else"

k get Bank --copy --field pin
expect "copy a hidden field" 0
check "the field's value" test "$(clip)" = "4321"
wait_clearers # (its clearer must not act on what the steps below copy)
# A one-time password: the code goes to the clipboard, never the secret (oathtool judges).
printf 'JBSWY3DPEHPK3PXP\n' >otp
k add Totp --otp-file otp
k otp Totp --copy
expect "kura otp --copy" 0
check "the clipboard holds the current code" bash -c "c=\$(xclip -selection clipboard -o); [ \"\$c\" = \"\$(oathtool --totp -b JBSWY3DPEHPK3PXP)\" ] || [ \"\$c\" = \"\$(oathtool --totp -b -N '30 seconds ago' JBSWY3DPEHPK3PXP)\" ]"
check "not the secret" bash -c "! xclip -selection clipboard -o | grep -q JBSWY3DP"
wait_clearers
k get Totp --copy --field otp
expect "get --field otp --copy" 0
check "copies the code too" bash -c "xclip -selection clipboard -o | grep -qxE '[0-9]{6}'"
wait_clearers
k otp Bank --copy
expect "otp --copy of an item without one" 5 "no one-time password"
k add Generated --generate --copy
expect "add --generate --copy" 0
k get Generated --field password
check "the clipboard holds the password it made" test "$(xclip -selection clipboard -o)" = "$out"
wait_clearers
k get Bank --copy --field urls
expect "a list cannot be copied" 2 "takes one value"
k get NoPassword --copy
expect "an item without a password" 5 "has no password to copy"
printf 'clipboard_time = 0\n' >"$HOME/.config/kura/config"
k get Bank --copy
check "clipboard_time 0: not cleared" out_is 'copied the password of "Bank" to the clipboard (xclip)'
sleep 1
check "still there" test "$(clip)" = "$pw"
printf 'clipboard_time = -1\n' >"$HOME/.config/kura/config"
k get Bank --copy
expect "a bad clipboard_time" 2 "clipboard_time is seconds, 0 to 3600"
printf 'clipboard_time = 2\n' >"$HOME/.config/kura/config"

# xsel when it is the only tool.
mkdir onlyxsel && ln -s "$(command -v xsel)" onlyxsel/xsel
k_path "$T/onlyxsel" get Bank --copy
expect "copy with xsel" 0
check "through xsel" out_has "(xsel)"
check "the clipboard holds it" test "$(xsel --clipboard --output)" = "$pw"
wait_clearers
check "xsel: cleared" test -z "$(xsel --clipboard --output)"

# wl-copy: a stand-in records its arguments and input; it claims --sensitive in its help.
mkdir wl
cat >wl/wl-copy <<'SH'
#!/bin/sh
case "$1" in --help) echo "  --sensitive  mark as sensitive"; exit 0 ;; esac
echo "wl-copy $*" >>"$WL_LOG"
if [ "$1" = "--clear" ]; then : >"$WL_CLIP"; else cat >"$WL_CLIP"; fi
SH
cat >wl/wl-paste <<'SH'
#!/bin/sh
cat "$WL_CLIP"
SH
chmod +x wl/wl-copy wl/wl-paste
export WL_LOG=$T/wl.log WL_CLIP=$T/wl.clip
WAYLAND_DISPLAY=wayland-0 k_path "$T/wl:$PATH" get Bank --copy
expect "copy with wl-copy" 0
check "through wl-copy, marked sensitive" bash -c "grep -qx 'wl-copy --sensitive' '$WL_LOG' && [ \"\$(cat '$WL_CLIP')\" = '$pw' ]"
wait_clearers
check "wl-copy --clear after clipboard_time" bash -c "grep -qx 'wl-copy --clear' '$WL_LOG' && [ ! -s '$WL_CLIP' ]"

finish
