# kura recover: the guided path (device, kits in the usual places, a typed key, then reset),
# and with no terminal a report: exit 0 when a way in exists, 5 when none does, 6 when the
# vault is damaged (a backup or salvage, never reset).
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

mkdir -p "$HOME/Downloads" "$HOME/Pictures" "$HOME/Desktop"
new_vault v --kit-dir "$HOME/Downloads"
new_vault w --kit-dir "$HOME/Pictures"
export KURA_VAULT=$T/v.kura
id=$(cat v.id)

k recover --json
expect "a kit in Downloads" 0
check "found, checked, and it opens the vault" json_ok '[.kits[] | select(.status == "opens")] | length == 2'
check "another vault's kit is named as such" json_ok '[.kits[] | select(.status == "other_vault" and .vault_id == "'"$(cat w.id)"'")] | length == 2'
check "next: the kit" json_ok '.can_unlock and .next == "kit" and .vault_id == "'"$id"'"'
k recover
expect "the same, for people" 0
check "says how to unlock with it" out_has 'eval "$(kura unlock --kit'
# The command works as printed: pasted into a shell, it starts a session there.
hint=$(sed -n 's/^next: *unlock with the kit: //p' "$T/.out")
PATH=$(dirname "$KURA"):$PATH bash -c "$hint"' && kura status --json' >"$T/.out" 2>"$T/.err"
_capture
expect "the printed command, pasted into a shell" 0
check "unlocks the vault there" json_ok '.unlocked == true'
k recover --vault "$T/v.kura"
check "a vault named with --vault is named in the command" out_has "kura --vault '$T/v.kura' unlock --kit"


mkdir "$T/elsewhere"
mv "$HOME"/Downloads/* "$T/elsewhere/"
k recover --json
expect "only another vault's kits" 5
check "next: reset" json_ok '(.can_unlock | not) and .next == "reset"'
k recover
expect "no way in" 5
check "explains reset with the short id" out_has "${id:0:8}"
check "and that it destroys everything" out_has "destroys"
mkdir "$T/shared"
k --key-file v.key remote add "$T/shared"
k --key-file v.key sync
expect "the vault syncs through a folder" 0
k recover
check "the reset explained names the remote, and its reset, as typed" out_has "kura reset --remote '$T/shared'"

# Kits as people keep them: a phone photo in DCIM/Camera, a screenshot, an iPhone's HEIC,
# found by what they show among ordinary photos, not by their names.
png=$(ls "$T"/elsewhere/KURA_CLIENT_KEY_EMERGENCY_KIT*.png | head -1)
mkdir -p "$HOME/Pictures/DCIM/Camera" "$HOME/Pictures/Screenshots/2026" "$HOME/Documents"
for i in $(seq 10 21); do
    convert -size 900x600 plasma:fractal -quality 80 "$HOME/Pictures/DCIM/Camera/IMG_10$i.jpg"
done
convert "$png" -resize 60% -background white -rotate 5 -attenuate 0.4 +noise Gaussian \
    -quality 75 "$HOME/Pictures/DCIM/Camera/IMG_2041.jpg"
k recover --json
expect "a phone photo of the kit among other photos" 0
check "found by what it shows" json_ok '[.kits[] | select(.status == "opens" and (.path | endswith("DCIM/Camera/IMG_2041.jpg")))] | length == 1'
check "the other photos looked at, not listed" json_ok '.images_looked_at >= 12 and ([.kits[] | select(.path | test("IMG_10"))] | length == 0)'
k recover
expect "the same, for people" 0
check "says how many images it looked at" out_has "other images and PDFs hold no kura QR code"
check "and the command that opens it" out_has "kura unlock --kit '$HOME/Pictures/DCIM/Camera/IMG_2041.jpg'"
rm "$HOME/Pictures/DCIM/Camera/IMG_2041.jpg"
convert "$png" -crop 700x900+0+500 +repage "$HOME/Pictures/Screenshots/2026/Screenshot 2026-11-30 at 10.12.png"
convert "$png" -resize 50% -quality 60 "$HOME/Pictures/kit-photo.heic"
k recover --json
check "a screenshot two folders down and a HEIC photo" json_ok '[.kits[] | select(.status == "opens")] | length == 2'
rm "$HOME/Pictures/Screenshots/2026/Screenshot 2026-11-30 at 10.12.png" "$HOME/Pictures/kit-photo.heic"
k recover --json
expect "gone again: no way in" 5

# A kit in the current folder counts too (any case of the name).
cp "$T/elsewhere/KURA_CLIENT_KEY_EMERGENCY_KIT"*.png "$T/kura_client_key_emergency_kit00001.png"
k recover --json
expect "a kit in the current folder" 0
rm "$T/kura_client_key_emergency_kit00001.png"

# An old kit, after a rotation.
cp "$T/elsewhere/KURA_CLIENT_KEY_EMERGENCY_KIT"*.png "$HOME/Desktop/"
k key rotate --key-file v.key --no-kit --json --yes
jq -r .client_key <<<"$out" >new.key
k recover --json
expect "only an old kit" 5
check "the old kit is called old" json_ok '[.kits[] | select(.status == "old")] | length == 1'

# An enrolled device.
printf 'device passphrase 9\n' >pass
k device enroll --key-file new.key --passphrase-file pass
k recover --json
expect "an enrolled device" 0
check "next: the passphrase" json_ok '.device_enrolled and .next == "passphrase"'

# Interactive: the passphrase, then the key and a fresh kit.
mkdir fresh
pty -e 'This device is enrolled' -e 'Passphrase for vault' -s 'device passphrase 9' \
    -- "$KURA" recover --kit-dir "$T/fresh"
expect "recover on the enrolled device" 0
check "shows the key" out_has "$(cat new.key)"
check "saves a fresh kit" test -n "$(ls fresh/*.png 2>/dev/null)"
k kit check fresh/*.png
expect "the fresh kit opens the vault" 0

# Interactive: not enrolled, no kit that opens, the key typed.
k device forget
pty -e 'give its path' -s '' -e 'type it now' -s y -e 'Client key for vault' -s "$(cat new.key)" -- "$KURA" recover --kit-dir "$T/fresh"
expect "recover with the typed key" 0
check "shows the key again" out_has "$(cat new.key)"
# Interactive: a photo of the kit the search does not reach, given by its path (as a file
# manager pastes it, quoted); a wrong path, another vault's kit and an old kit first, each
# said in one line, and the question asked again.
mkdir -p "$T/phone photos"
convert "$T/fresh/"KURA_CLIENT_KEY_EMERGENCY_KIT*.png -resize 70% -quality 80 "$T/phone photos/it's the kit.jpg"
convert "$T/elsewhere/"KURA_CLIENT_KEY_EMERGENCY_KIT*.png -quality 80 "$T/phone photos/old.jpg" 2>/dev/null ||
    cp "$T/elsewhere/"KURA_CLIENT_KEY_EMERGENCY_KIT*.png "$T/phone photos/old.png"
old_kit=$(ls "$T/phone photos/"old.* | head -1)
w_kit=$(ls "$HOME/Pictures/"*.png | head -1)
pty -e 'give its path' -s "$T/nothing here.jpg" -e 'give its path' -s "$w_kit" \
    -e 'give its path' -s "$old_kit" \
    -e 'give its path' -s "'$T/phone photos/it'\''s the kit.jpg'" -- "$KURA" recover
expect "recover with a photo given by its path" 0
check "a wrong path said" out_has "nothing here.jpg"
check "another vault's kit named" out_has "the kit of another vault"
check "an old kit named" out_has "is an old kit of this vault"
check "the photo opens the vault" out_has "it's the kit.jpg opens vault $id"
hint=$(grep -F 'eval "$(kura' "$T/.out" | sed 's/^ *//; s/\r$//')
PATH=$(dirname "$KURA"):$PATH bash -c "$hint"' && kura status --json' >"$T/.out" 2>"$T/.err"
_capture
expect "the command it prints, pasted into a shell" 0
check "unlocks with a path that has a quote and a space" json_ok '.unlocked == true'
# Interactive: nothing at all: reset explained, exit 5.
pty -e 'give its path' -s '' -e 'type it now' -s n -- "$KURA" recover
expect "recover with no way in" 5
check "reset explained at the end" out_has "last resort is a reset"
check "the reset is run here, with the short id" out_has "confirmed with the vault's short id, ${id:0:8}"

# Damage is never an old kit, and never leads to reset. A client-key slot whose commitment
# was zeroed (its checksum recomputed, as an informed hand would): the kit of this vault is
# called damaged, the next step is salvage or a backup.
cp v.kura v-good.kura
cp "$T/fresh/"KURA_CLIENT_KEY_EMERGENCY_KIT*.png "$HOME/Downloads/"
"$VAULT_SQL" "$T/v.kura" "UPDATE meta SET v = resum('slot.client', substr(v, 1, 34) || zeroblob(32) || substr(v, 67)) WHERE k = 'slot.client'"
k recover --json
expect "a zeroed commitment" 6
check "the kit that would open it is called damaged, not old" json_ok '([.kits[] | select(.status == "damaged")] | length == 1) and ([.kits[] | select(.status == "old")] | length == 1)'
check "next: salvage, never reset" json_ok '.damaged and .next == "salvage"'
k recover
expect "the same, for people" 6
check "says damage" out_has "is damaged"
check "points to a backup and salvage" out_has "kura salvage"
check "never to reset as the way out" out_lacks "last resort is a reset"
k kit check "$HOME/Downloads/"KURA_CLIENT_KEY_EMERGENCY_KIT*.png
expect "kit check says damage too, not 'old kit'" 6 "damaged"
cp v-good.kura v.kura

# A damaged vault file: its id cannot be read; damage, not a lost key.
python3 "$TESTS_DIR/flip.py" v.kura 5000
k recover --json
expect "a damaged vault" 6
check "its id is unreadable" json_ok '.vault_id == null and .damaged and .next == "salvage"'
check "the kits are not called another vault's" json_ok '[.kits[] | select(.status == "other_vault")] | length == 0'
k recover
expect "a damaged vault, for people" 6
check "damage, backup, salvage" out_has "kura salvage"
check "no reset" out_lacks "last resort is a reset"
k recover --vault "$T/none.kura"
expect "no vault" 5 "no vault at"
echo "my notes" >notes.txt
k recover --vault "$T/notes.txt"
expect "a file that is no vault" 5 "not a kura vault"

finish
