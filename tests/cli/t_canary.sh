# Secret hygiene: canary values given to kura never appear in any file it leaves behind (the
# vault, the runtime folder, HOME), nor in its errors; no journal is left; modes are private.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

new_vault v
export KURA_VAULT=$T/v.kura
key=$(cat v.key)
title=CanaryTitleQ7X username=canary-user-Z9 password=CanaryPassword-K3 note=CanaryNote-W2
url=https://canary-url-R5.example tag=canarytag-P8 field=CanaryFieldValue-M4

# Every secret reaches kura on stdin, never in a file of ours that could be found later.
k_in "$key" unlock --key-file -
eval "$out"
k_in "$password" add "$title" --username "$username" --url "$url" --tag "$tag" --password-file -
expect "add the canary item" 0
k_in "$note" edit "$title" --notes-file -
k_in "$field" edit "$title" --hidden-field-file "secret=-"
k get "$title" --reveal
check "the canary item reads back" out_has "$field"
k ls
k search canary
k edit "$title" --add-tag second
k status
k lock
k_in "$key" get "$title" --key-file -
expect "get with the key on stdin" 0
k_in "wrong" get "$title" --key-file -
expect "a bad key on stdin" 4
check "errors hold no secret" err_lacks "$password"

# Outputs the user did not ask a secret of hold none: listing shows no password, note or
# hidden field; get shows the item (its notes too) but not the password or hidden values.
for cmd in "ls" "search canary" "status"; do
    k_in "$key" $cmd --key-file -
    check "'$cmd' prints no password, note or hidden field" \
        bash -c "! grep -qF -e '$password' -e '$note' -e '$field' '$T/.out' '$T/.err'"
done
for cmd in "get $title" "get $title --json"; do
    k_in "$key" $cmd --key-file -
    check "'$cmd' prints no password or hidden field" \
        bash -c "! grep -qF -e '$password' -e '$field' '$T/.out' '$T/.err'"
done

# Running kura processes: /proc/<pid>/cmdline and environ hold no canary, core dumps are
# off (limits) and the process is not dumpable (its /proc files turn root's). kura waits on
# FIFOs: first for the key, then (key and password read, held in memory) for the notes.
mkfifo keyfifo pwfifo notesfifo
proc_hits=0 probes=0
probe() {
    local pid=$1 what=$2
    probes=$((probes + 1))
    for f in cmdline environ; do
        for c in "$password" "$key" "${key//-/}" "$note"; do # (the title is argv by choice)
            if tr '\0' '\n' <"/proc/$pid/$f" | grep -qF -- "$c"; then
                proc_hits=$((proc_hits + 1))
                echo "canary ${c:0:10}... in /proc/$pid/$f ($what)"
            fi
        done
    done
    grep -qE '^Max core file size +0 +0' "/proc/$pid/limits" ||
        { proc_hits=$((proc_hits + 1)) && echo "core dumps on ($what)"; }
}
setsid "$KURA" add "Live $title" --key-file keyfifo --password-file pwfifo \
    --notes-file notesfifo >live.out 2>live.err &
live=$!
exec 7>keyfifo
sleep 0.3
kpid=$(pgrep -s "$(ps -o sid= -p $live | tr -d ' ')" -x kura | head -1)
[ -n "$kpid" ] && probe "$kpid" "waiting for the key"
printf '%s\n' "$key" >&7
exec 7>&-
exec 8>pwfifo
printf '%s\n' "$password" >&8
exec 8>&-
exec 9>notesfifo
sleep 0.3
[ -n "$kpid" ] && [ -d "/proc/$kpid" ] && probe "$kpid" "holding the key and the password"
# And its memory: the key and the password it holds are in sodium_malloc mappings, not in the
# malloc heap or on the stack (tests/cli/memscan.py reads /proc/<pid>/mem; root or ptrace).
if [ -n "$kpid" ] && [ -r "/proc/$kpid/mem" ]; then
    python3 "$TESTS_DIR/memscan.py" "$kpid" "$password" "$key" "${key//-/}" >memscan.out
    check "no key or password in the heap or on the stack of the live process" test $? = 0
    check "(the scan reads memory: the vault path is on its heap)" \
        bash -c "! python3 '$TESTS_DIR/memscan.py' '$kpid' '$T/v.kura' >/dev/null"
    cat memscan.out
fi
printf '%s\n' "$note" >&9
exec 9>&-
wait $live
rc=$?
check "the live process ran to the end" test "$rc" = 0
check "both moments were probed" test "$probes" = 2
check "no canary in /proc cmdline or environ, core dumps off" test "$proc_hits" = 0
rm -f keyfifo pwfifo notesfifo live.out live.err

leaks=0
for c in "$title" "$username" "$password" "$note" "$url" "$tag" "$field" "$key" "${key//-/}"; do
    hex=$(printf '%s' "$c" | od -An -tx1 | tr -d ' \n')
    hits=$(grep -rlaF -- "$c" "$HOME" "$XDG_RUNTIME_DIR" "$T/v.kura" 2>/dev/null)
    hexhits=$(grep -rlaF -- "$hex" "$HOME" "$XDG_RUNTIME_DIR" "$T/v.kura" 2>/dev/null)
    if [ -n "$hits$hexhits" ]; then
        leaks=$((leaks + 1))
        echo "leak of ${c:0:12}... in: $hits $hexhits"
    fi
done
check "no canary in any file kura left" test "$leaks" = 0
check "the vault is really there (grep works)" grep -qa "SQLite format 3" "$T/v.kura"
check "no journal left" test -z "$(ls "$T" | grep -E -- '-(journal|wal|shm)$')"
check "vault 0600" mode_is 600 "$T/v.kura"
check "runtime folder 0700" mode_is 700 "$XDG_RUNTIME_DIR/kura"
check "no session blob after lock" test -z "$(ls "$XDG_RUNTIME_DIR/kura")"

finish
