#!/bin/bash
# Disk faults: EIO or ENOSPC on the Nth read, write or sync of get, add, edit, rm and key
# rotate, once and from then on, for every N (tests/cli/faults.py, with the kura-faulty
# binary); then a real full disk and a read-only folder (a small tmpfs in a mount namespace).
# KURA_FAULT_STEP=K tries every Kth N (default 1: all of them).
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"
: "${KURA_FAULTY:?set KURA_FAULTY to the kura-faulty binary}"

python3 "$TESTS_DIR/faults.py" "$KURA" "$KURA_FAULTY" "$VAULT_SQL" "$VAULT_ITEMS" "$T/faults" \
    "${KURA_FAULT_STEP:-1}" >"$T/faults.log"
faults_rc=$?
grep -v '^FAIL' "$T/faults.log" | tail -8
grep '^FAIL' "$T/faults.log" | head -20
check "every fault: a clear error or success, no crash, nothing lost" test "$faults_rc" = 0
check "faults were injected" grep -qE '^disk faults: [0-9]{3,} faults' "$T/faults.log"

# A vault on a network filesystem is warned about (kura-faulty plays the filesystem type,
# as statfs gives it); on a local one, not a word.
new_vault net
for fs in 6969:nfs FF534D42:cifs 65735546:fuse; do
    KURA=$KURA_FAULTY KURA_FAKE_FSTYPE=${fs%%:*} k_in pw --vault "$T/net.kura" \
        --key-file net.key add "On ${fs##*:}" --password-file -
    expect "a vault on ${fs##*:} still works" 0
    check "and is warned about (${fs##*:})" err_has "is on a network filesystem (${fs##*:})"
done
KURA=$KURA_FAULTY KURA_FAKE_FSTYPE=EF53 k --vault "$T/net.kura" --key-file net.key ls
check "ext4: no warning" test -z "$err"
k --vault "$T/net.kura" --key-file net.key ls
check "the real kura on this disk: no warning" test -z "$err"

# A real full disk and a real read-only folder need a filesystem of their own: a 2 MiB tmpfs
# in a private mount namespace (root, or a user namespace).
if unshare -m true 2>/dev/null; then NS=(unshare -m); elif unshare -rm true 2>/dev/null; then
    NS=(unshare -rm); else NS=(); fi
if [ "${#NS[@]}" = 0 ]; then
    echo "no mount namespace here: the real full disk and read-only cases did not run"
    check "a mount namespace for the real-disk cases" false
    finish
    exit
fi
new_vault v
cat >"$T/disk.sh" <<'SH'
set -u
cd "$1" && mkdir -p small && mount -t tmpfs -o size=2m tmpfs small || exit 99
cp v.kura small/v.kura
# Fill the disk, then leave 48 KiB: room for a few adds.
head -c 1900000 /dev/zero >small/filler 2>/dev/null
while head -c 4096 /dev/zero >>small/filler 2>/dev/null; do :; done
truncate -s -49152 small/filler
big=$(head -c 3000 /dev/urandom | base64 -w0)
n=0
for i in $(seq 1 60); do
    if printf '%s\n' "$big" | "$KURA" --vault small/v.kura --key-file v.key add "Full $i" \
        --password-file - >/dev/null 2>full.err; then n=$((n + 1)); else break; fi
done
echo "added before full: $n"
echo "full: $(cat full.err)"
"$KURA" --vault small/v.kura --key-file v.key ls >/dev/null 2>&1; echo "ls after full: $?"
"$KURA" --vault small/v.kura --key-file v.key ls | grep -c '^' ; echo "items listed"
echo "integrity: $("$VAULT_SQL" small/v.kura 'PRAGMA integrity_check')"
rm small/filler
printf 'pw\n' | "$KURA" --vault small/v.kura --key-file v.key add "After space" --password-file - \
    >/dev/null 2>&1; echo "add after freeing space: $?"
mount -o remount,ro small
printf 'pw\n' | "$KURA" --vault small/v.kura --key-file v.key add "Read only" --password-file - \
    >/dev/null 2>small.err; echo "add on a read-only disk: $?"
echo "ro: $(cat small.err)"
"$KURA" --vault small/v.kura --key-file v.key get "After space" --field password; echo "get on a read-only disk: $?"
umount small
SH
HOME=$T/home KURA=$KURA VAULT_SQL=$VAULT_SQL "${NS[@]}" bash "$T/disk.sh" "$T" >"$T/disk.log" 2>&1
cat "$T/disk.log"
check "some adds fit, then the disk was full" grep -qE '^added before full: [1-9][0-9]*$' "$T/disk.log"
check "a full disk is said plainly" grep -q '^full: kura: cannot add the item in small/v.kura: the disk is full; free some space' "$T/disk.log"
check "the vault still opens when full" grep -qx 'ls after full: 0' "$T/disk.log"
check "and passes the integrity check" grep -qx 'integrity: ok' "$T/disk.log"
check "every acknowledged add is there" bash -c "[ \$(sed -n 's/^added before full: //p' '$T/disk.log') = \$(grep -B1 -x 'items listed' '$T/disk.log' | head -1) ]"
check "with space again, adds work" grep -qx 'add after freeing space: 0' "$T/disk.log"
check "a read-only disk refuses the write" grep -qx 'add on a read-only disk: 1' "$T/disk.log"
check "and says so in one line" grep -qE '^ro: kura: cannot add the item in small/v.kura: the vault file or its folder is read-only' "$T/disk.log"
check "a read-only disk still reads" grep -qx 'get on a read-only disk: 0' "$T/disk.log"
finish
