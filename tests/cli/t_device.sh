# Devices: enroll with a passphrase (Argon2id, MODERATE floor, stored and authenticated),
# unlock with it, change it, forget it; a tampered slot is refused; a new device end to end.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

new_vault v
key=$(cat v.key)
id=$(cat v.id)
export KURA_VAULT=$T/v.kura
printf 'correct horse battery\n' >pass
printf 'wrong horse battery\n' >wpass
printf 'a new passphrase 2\n' >npass
printf 'short\n' >spass
slot="$HOME/.local/share/kura/devices/$id.device"

k device enroll --passphrase-file pass
expect "enroll without a key and no terminal" 8
check "nothing enrolled" test ! -e "$slot"
k device enroll --key-file v.key --passphrase-file spass
expect "a passphrase under 8 characters" 2 "at least 8"
k device enroll --key-file v.key --passphrase-file pass
expect "enroll with the key and a passphrase file" 0
check "device slot 0600" mode_is 600 "$slot"
check "device folder 0700" mode_is 700 "$(dirname "$slot")"
check "slot holds neither passphrase nor key" bash -c "! grep -qaF -e 'correct horse' -e '$key' '$slot'"
# Argon2id limits in the slot: libsodium's MODERATE (opslimit 3, memlimit 256 MiB).
ops=$(od -An -t u8 -j 23 -N 8 "$slot" | tr -d ' ')
mem=$(od -An -t u8 -j 31 -N 8 "$slot" | tr -d ' ')
check "opslimit is MODERATE" test "$ops" = 3
check "memlimit is MODERATE" test "$mem" = 268435456
k status
check "status says enrolled" out_has "device:  enrolled"

k add Mail --username me --passphrase-file pass
expect "add with the device passphrase" 0
k ls --passphrase-file wpass
expect "a wrong passphrase" 3 "passphrase does not open vault $id on this device"
k ls
expect "enrolled, no terminal, no passphrase" 8 "this device's passphrase"
k ls --key --key-file v.key
expect "--key-file still works on an enrolled device" 0

k device passphrase --passphrase-file pass --new-passphrase-file npass
expect "change the passphrase" 0
k ls --passphrase-file pass
expect "the old passphrase no longer works" 3
k ls --passphrase-file npass
expect "the new one does" 0
k device passphrase --passphrase-file wpass --new-passphrase-file npass
expect "change with a wrong passphrase" 3

# A tampered slot: a flipped byte, lowered or absurd limits, another vault's slot.
cp "$slot" slot.bak
python3 "$TESTS_DIR/flip.py" "$slot" 120
k ls --passphrase-file npass
expect "a damaged device slot" 6 "damaged"
cp slot.bak "$slot"
python3 - "$slot" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
d[31:39] = (64 * 1024 * 1024).to_bytes(8, "little")  # memlimit lowered to 64 MiB
import hashlib  # an informed attacker recomputes the (unkeyed) checksum
d[-16:] = hashlib.blake2b(bytes(d[:-16]), digest_size=16).digest()
open(sys.argv[1], "wb").write(d)
PY
k ls --passphrase-file npass
expect "lowered Argon2id limits are refused" 6 "this device's slot was changed"
for raise in "23:31 64" "23:31 5" "31:39 8589934592" "31:39 2147483648"; do
    cp slot.bak "$slot"
    python3 - "$slot" $raise <<'PY'
import hashlib, sys
d = bytearray(open(sys.argv[1], "rb").read())
a, b = map(int, sys.argv[2].split(":"))
d[a:b] = int(sys.argv[3]).to_bytes(8, "little")  # opslimit or memlimit raised past the ceiling
d[-16:] = hashlib.blake2b(bytes(d[:-16]), digest_size=16).digest()
open(sys.argv[1], "wb").write(d)
PY
    k ls --passphrase-file npass
    expect "raised limits ($raise) are refused before any work, as a changed slot" 6 "this device's slot was changed"
    check "not as a wrong passphrase" err_lacks "passphrase does not"
done
cp slot.bak "$slot"
python3 - "$slot" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
d[23:31] = (4).to_bytes(8, "little")  # opslimit raised: authenticated, so the slot breaks
open(sys.argv[1], "wb").write(d)
PY
k ls --passphrase-file npass
expect "changed (raised) limits: the checksum notices" 6 "damaged"
python3 - "$slot" <<'PY'
import hashlib, sys
d = bytearray(open(sys.argv[1], "rb").read())
d[-16:] = hashlib.blake2b(bytes(d[:-16]), digest_size=16).digest()
open(sys.argv[1], "wb").write(d)
PY
k ls --passphrase-file npass
expect "raised limits with a forged checksum: authenticated, so refused" 3
cp slot.bak "$slot"
k ls --passphrase-file npass
expect "the restored slot works" 0

# forget: the slot goes; the client key still works.
k device forget
expect "forget" 0
check "slot removed" test ! -e "$slot"
k device forget
expect "forget twice" 5 "not enrolled"
k ls --passphrase-file npass
expect "a passphrase on a device that is not enrolled" 5 "not enrolled"
k ls --key-file v.key
expect "the key after forget" 0
k device passphrase --new-passphrase-file npass
expect "change on a device that is not enrolled" 5 "not enrolled"

# A new device, end to end: the vault file copied into a fresh HOME.
k device enroll --key-file v.key --passphrase-file pass
old_home=$HOME
mkdir -p "$T/laptop"
cp "$T/v.kura" "$T/laptop/v.kura"
HOME=$T/laptop XDG_RUNTIME_DIR=$T/run k --vault "$T/laptop/v.kura" ls --passphrase-file pass
expect "the old device's passphrase means nothing on the new one" 5 "not enrolled"
HOME=$T/laptop pty -e 'Client key for vault' -s "$key" -e 'Enroll this device' -s y \
    -e 'New passphrase' -s 'laptop passphrase' -e 'Again' -s 'laptop passphrase' \
    -- "$KURA" --vault "$T/laptop/v.kura" unlock
expect "new device: typed key, then enroll when offered" 0
check "the session line is printed" out_has "export KURA_SESSION="
check "the new device is enrolled" test -e "$T/laptop/.local/share/kura/devices/$id.device"
HOME=$T/laptop pty -e 'Passphrase for vault' -s 'laptop passphrase' \
    -- "$KURA" --vault "$T/laptop/v.kura" get Mail --field username
expect "new device: the passphrase asked on the terminal" 0
check "and the item is there" out_has "me"
printf 'laptop passphrase\n' >lpass
HOME=$T/laptop k --vault "$T/laptop/v.kura" add Laptop --passphrase-file lpass
expect "new device: use it" 0
HOME=$T/laptop k --vault "$T/laptop/v.kura" ls --kit "$(jq -r '.kit[1]' v.json)"
expect "new device: unlock by kit too" 0
HOME=$old_home k ls --passphrase-file pass
expect "the old device keeps working" 0
HOME=$T/fresh pty -e 'Client key for vault' -s "$key" -e 'Enroll this device' -s n \
    -- "$KURA" --vault "$T/laptop/v.kura" unlock
expect "declining the offer still unlocks" 0
check "and enrolls nothing" test ! -e "$T/fresh/.local/share/kura/devices/$id.device"

finish
