# Split kits: kura kit split --shares 5 --threshold 3 writes five share kits (PDF and PNG,
# each with its share as text and QR code); every subset of 3 or more opens the vault through
# --kit (PNG, PDF, a phone photo), every pair says how many more are needed; shares typed in a
# key file or at the terminal open it too; another vault's share, a share of an older key and
# shares of two different splits are each named as such. The unit test (test_split) shows
# that two shares of a 3-of-5 split fit every key.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

zbar() { zbarimg --nodbus -q --raw "$@" 2>/dev/null; }

new_vault v --no-kit
new_vault w --no-kit
export KURA_VAULT=$T/v.kura
id=$(cat v.id)
k_in "pw-bank" add Bank --password-file - --key-file v.key

k kit split --shares 5 --threshold 3 --kit-dir "$T/shares" --key-file v.key --json
expect "split into 5 shares, any 3" 0
check "five share kits" json_ok '(.kits | length == 5) and .threshold == 3 and .shares == 5 and .key == 1'
for i in 1 2 3 4 5; do
    png[$i]=$(jq -r ".kits[$((i - 1))].png" "$T/.out")
    pdf[$i]=$(jq -r ".kits[$((i - 1))].pdf" "$T/.out")
done
check "named for the share" test "$(basename "${pdf[2]}")" = "Kura split kit $(jq -r '.kits[1].pdf' "$T/.out" | sed 's/.*kit \([0-9]*\) share.*/\1/') share 2 of 5.pdf"
check "files 0600" test "$(stat -c %a "${png[1]}")" = 600 -a "$(stat -c %a "${pdf[5]}")" = 600
check "each PNG's QR code is a share of this vault" bash -c "zbarimg --nodbus -q --raw '${png[3]}' 2>/dev/null | grep -q '^KURA1S:$id:'"
check "each PDF says which share it is and how many open" bash -c "pdftotext '${pdf[4]}' - | tr '\\n' ' ' | grep -q 'share 4 of 5.*Any 3 of the 5 shares open your vault'"
check "and holds its share as text" bash -c "pdftotext '${pdf[4]}' - | grep -qE '^([0-9A-Z]{4}-){10}[0-9A-Z]{4}$'"
check "qpdf accepts the PDF" qpdf --check "${pdf[1]}"
check "no share is the key" bash -c "! grep -qF \"\$(tr -d '-' <'$T/v.key')\" <(for f in ${png[*]}; do zbarimg --nodbus -q --raw \"\$f\" 2>/dev/null; done | tr -d '-')"

# Every subset: three or more open the vault, two say how many more are needed.
opened=0 refused=0
for mask in $(seq 1 31); do
    args=() n=0
    for i in 1 2 3 4 5; do
        if [ $((mask & (1 << (i - 1)))) -ne 0 ]; then
            # PNGs for odd shares, PDFs for even ones: both are read.
            if [ $((i % 2)) -eq 1 ]; then args+=(--kit "${png[$i]}"); else args+=(--kit "${pdf[$i]}"); fi
            n=$((n + 1))
        fi
    done
    k "${args[@]}" get Bank --field password
    if [ "$n" -ge 3 ]; then
        [ "$rc" = 0 ] && [ "$out" = pw-bank ] && opened=$((opened + 1))
    else
        [ "$rc" = 5 ] && grep -q "$n of 3 shares found for vault ${id:0:8}: $([ "$n" = 2 ] && echo one || echo 2) more" "$T/.err" &&
            refused=$((refused + 1))
    fi
done
check "each of the 16 subsets of 3, 4 or 5 shares opens the vault" test "$opened" = 16
check "each of the 15 subsets of 1 or 2 says how many more are needed" test "$refused" = 15

# A photo of a printed share, with others.
mkdir -p "$T/photos"
convert "${png[2]}" -resize 60% -rotate 3 -quality 70 "$T/photos/share2-photo.jpg"
k --kit "$T/photos/share2-photo.jpg" --kit "${png[4]}" --kit "${png[5]}" get Bank --field password
expect "a phone photo of a share counts" 0
check "and opens" out_is pw-bank

# Typed shares: a key file of one share a line, and the terminal, which asks for the rest.
for i in 1 3 5; do zbar "${png[$i]}" | sed 's/^KURA1S:[0-9A-Z]*://'; done >typed.txt
k --key-file "$T/typed.txt" get Bank --field password
expect "three shares typed in a key file" 0
check "open the vault" out_is pw-bank
head -2 typed.txt >two.txt
k --key-file "$T/two.txt" get Bank --field password
expect "two typed shares" 5 "2 of 3 shares found"
sed '1s/\(....\)$/ZZZZ/' typed.txt >typo.txt
k --key-file "$T/typo.txt" get Bank --field password
expect "a typo in a typed share" 4 "has a typo"
pty -e "Client key for vault ${id:0:8}" -s "$(sed -n 1p typed.txt)" \
    -e "Share 2 of the 3" -s "$(sed -n 2p typed.txt)" \
    -e "Share 3 of the 3" -s "$(sed -n 3p typed.txt)" -e "Enroll this device" -s n \
    -- "$KURA" unlock --key
expect "shares typed at the terminal, one after another" 0
check "start a session" out_has "export KURA_SESSION="

# A new device: clone with shares, as photos (--kit) or typed in a key file.
mkdir "$T/remote"
k --key-file v.key remote add "$T/remote"
k --key-file v.key sync
expect "the vault syncs through a folder" 0
HOME=$T/new-device k --vault "$T/new1.kura" clone "$T/remote" --kit "${png[2]}" --kit "${pdf[3]}" --kit "${png[4]}"
expect "clone with three share kits" 0
HOME=$T/new-device k --vault "$T/new1.kura" get Bank --field password --kit "${png[1]}" --kit "${png[5]}" --kit "${png[3]}"
check "the clone opens with shares" out_is pw-bank
HOME=$T/new-device2 k --vault "$T/new2.kura" clone "$T/remote" --key-file "$T/typed.txt"
expect "clone with typed shares" 0

# Named as what they are: a single share, another vault's share, shares of two splits.
k kit check "${png[1]}" --key-file v.key
expect "kit check on a share" 5 "one share of a split kit"
k --vault "$T/w.kura" kit split --shares 3 --threshold 2 --kit-dir "$T/w-shares" --key-file w.key --json
wpng=$(jq -r '.kits[0].png' "$T/.out")
k --kit "$wpng" --kit "${png[1]}" --kit "${png[2]}" get Bank --field password
expect "another vault's share" 3 "is a share of a split kit of vault $(cat w.id), not of vault $id"
k kit split --shares 5 --threshold 3 --kit-dir "$T/again" --key-file v.key --json
again=$(jq -r '.kits[2].png' "$T/.out")
k --kit "${png[1]}" --kit "${png[2]}" --kit "$again" get Bank --field password
expect "a share of another split of the same key" 3 "another split of the key"

# recover finds shares as it finds kits: two say one more is needed; with a phone photo of a
# third, they open the vault, and the command it prints works as printed.
mkdir -p "$HOME/Downloads" "$HOME/Pictures/DCIM/Camera"
for i in 1 2 3 4 5 6; do # photos that are not kits, among them
    convert -size 1200x900 plasma: -quality 80 "$HOME/Pictures/DCIM/Camera/IMG_10$i.jpg"
done
cp "${png[1]}" "${pdf[4]}" "$HOME/Downloads/"
k recover --json
expect "recover with two shares" 5
check "lists them as this vault's shares" json_ok '[.kits[] | select(.status == "share")] | length == 2'
k recover
check "and says one more is needed" out_has "2 of 3 shares found: 1 more is needed"
convert "${png[5]}" -resize 70% -quality 75 "$HOME/Pictures/DCIM/Camera/IMG_2041.jpg"
k recover --json
expect "recover with a photo of a third share" 0
check "the three open the vault together" json_ok '([.kits[] | select(.status == "share_opens")] | length == 3) and .next == "shares" and .can_unlock'
check "among the photos it looked at" json_ok '.images_looked_at >= 6'
k recover
hint=$(sed -n 's/^next: *unlock with the shares: //p' "$T/.out")
PATH=$(dirname "$KURA"):$PATH bash -c "$hint"' && kura status --json' >"$T/.out" 2>"$T/.err"
_capture
expect "the command recover prints, pasted into a shell" 0
check "unlocks with the three shares" json_ok '.unlocked == true'
rm -rf "$HOME/Downloads" "$HOME/Pictures"

# After a rotation: the old shares hold key 1, which no longer opens the vault.
k key rotate --yes --no-kit --key-file v.key --json
jq -r .client_key "$T/.out" >new.key
k --kit "${png[1]}" --kit "${png[2]}" --kit "${png[3]}" get Bank --field password
expect "shares of the key before a rotation" 3 "these shares hold key 1 of vault $id, which no longer opens it"
k kit split --shares 3 --threshold 2 --kit-dir "$T/key2" --key-file new.key --json
check "a split after the rotation names key 2" json_ok '.key == 2'
check "in its files' names" test -f "$(jq -r '.kits[0].pdf' "$T/.out")" -a -n "$(jq -r '.kits[0].pdf' "$T/.out" | grep -F '(key 2)')"
k --kit "$(jq -r '.kits[0].png' "$T/.out")" --kit "$(jq -r '.kits[2].png' "$T/.out")" get Bank --field password
expect "two of its three open the vault" 0

# Refused before anything is written.
k kit split --shares 3 --threshold 4 --kit-dir "$T/bad" --key-file new.key
expect "a threshold above the shares" 2 "could never open"
k kit split --shares 1 --threshold 1 --kit-dir "$T/bad" --key-file new.key
expect "one share" 2
k kit split --kit-dir "$T/bad" --key-file new.key
expect "no numbers" 2 "--shares 5 --threshold 3"
check "nothing written" test ! -e "$T/bad"
finish
