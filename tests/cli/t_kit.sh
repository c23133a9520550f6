# The emergency kit, judged by clients nobody here wrote: zbarimg decodes the PNG and the PDF
# rendered by pdftoppm; qpdf accepts the PDF; pdftotext finds the key; pdffonts and pdfinfo
# show the fonts and the paper. Then reading kits back: transformed copies unlock; another
# vault's kit, images without a kura code and broken images each fail in their own words.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

zbar() { zbarimg --nodbus -q --raw "$@" 2>/dev/null; }

new_vault v
new_vault w
key=$(cat v.key)
id=$(cat v.id)
pdf=$(jq -r '.kit[0]' v.json)
png=$(jq -r '.kit[1]' v.json)
export KURA_VAULT=$T/v.kura
payload="KURA1:$id:$key"

# Names and modes.
check "PDF named as DESIGN.md says" grep -qE '/Kura client key [0-9]{5}\.pdf$' <<<"$pdf"
check "PNG named as DESIGN.md says" grep -qE '/KURA_CLIENT_KEY_EMERGENCY_KIT[0-9]{5}\.png$' <<<"$png"
check "PDF is 0600" mode_is 600 "$pdf"
check "PNG is 0600" mode_is 600 "$png"

# The PNG: decodes to the plain-text payload, at least 1200 px wide.
check "zbarimg decodes the PNG" test "$(zbar "$png")" = "$payload"
check "PNG at least 1200 px wide" test "$(identify -format %w "$png")" -ge 1200
# The PDF: valid, A4, the key as text, and its QR scans from a 150 dpi render.
check "qpdf --check accepts the PDF" qpdf --check "$pdf"
check "pdfinfo: A4" bash -c "pdfinfo '$pdf' | grep -q 'Page size:.*(A4)'"
check "pdftotext finds the grouped key" bash -c "pdftotext '$pdf' - 2>/dev/null | grep -qF '$key'"
check "pdftotext finds the vault id" bash -c "pdftotext '$pdf' - 2>/dev/null | grep -qF '$id'"
pdftoppm -r 150 -png "$pdf" page
check "zbarimg decodes the PDF rendered at 150 dpi" test "$(zbar page-1.png)" = "$payload"
pdftoppm -r 100 -png "$pdf" low
check "and even at 100 dpi" test "$(zbar low-1.png)" = "$payload"

# Letter paper and Japanese, through kura kit.
mkdir letter ja
k kit --key-file v.key --dir letter --paper letter --json
expect "kit --paper letter" 0
lpdf=$(jq -r '.kit[0]' <<<"$out")
check "pdfinfo: letter" bash -c "pdfinfo '$lpdf' | grep -q 'Page size:.*(letter)'"
k kit --key-file v.key --dir ja --lang ja --json
expect "kit --lang ja" 0
jpdf=$(jq -r '.kit[0]' <<<"$out")
jpng=$(jq -r '.kit[1]' <<<"$out")
check "pdffonts: an embedded Japanese font" bash -c "pdffonts '$jpdf' 2>/dev/null | grep -E 'IPA' | grep -q ' yes yes '"
check "pdftotext finds the Japanese title" bash -c "pdftotext '$jpdf' - 2>/dev/null | grep -q '緊急キット'"
check "pdftotext finds the key in the Japanese kit" bash -c "pdftotext '$jpdf' - 2>/dev/null | grep -qF '$key'"
check "qpdf accepts the Japanese PDF" qpdf --check "$jpdf"
check "zbarimg decodes the Japanese PNG" test "$(zbar "$jpng")" = "$payload"
k kit --key-file v.key --pdf "$T/mine.pdf" --png "$T/mine.png"
expect "kit --pdf --png" 0
check "named files written" test -s mine.pdf -a -s mine.png
check "no temporary files left" test -z "$(ls -a | grep -- '.tmp-')"

# A long name (256 bytes, the most a vault name may be) wraps and the kit still scans.
long=$(printf 'A rather long vault name %.0s' 1 2 3 4 5 6 7 8 9 10 | head -c 256)
k --vault "$T/long.kura" init --name "$long" --kit-dir "$T/ja" --lang ja --json
expect "init with a 256-byte name" 0
check "its PNG scans" test -n "$(zbar "$(jq -r '.kit[1]' <<<"$out")")"
check "its PDF names the vault" bash -c "pdftotext '$(jq -r '.kit[0]' <<<"$out")' - 2>/dev/null | tr -d '\n' | grep -q 'A rather long vault name'"
k --vault "$T/uni.kura" init --name "Семейный сейф" --kit-dir "$T/ja" --json
expect "init with a Cyrillic name (English kit)" 0
check "the English PDF embeds a font for it" bash -c "pdffonts '$(jq -r '.kit[0]' <<<"$out")' 2>/dev/null | grep -q DejaVu"
check "and shows the name" bash -c "pdftotext '$(jq -r '.kit[0]' <<<"$out")' - 2>/dev/null | grep -q 'Семейный сейф'"

# A name in a script the kit's own face lacks: a font that has it is found (fontconfig) and
# embedded, never empty boxes. In the PNG, two names of the same boxes would draw the same
# row: the row of "家族" differs from the row of "族家".
k --vault "$T/cjk1.kura" init --name "Family 家族" --kit-dir "$T/cjk1" --json
expect "init with a name in Chinese characters (English kit)" 0
check "the PDF embeds a font that has them" bash -c "pdffonts '$(jq -r '.kit[0]' <<<"$out")' 2>/dev/null | grep -q IPA"
check "and shows the name" bash -c "pdftotext '$(jq -r '.kit[0]' <<<"$out")' - 2>/dev/null | grep -q 'Family 家族'"
k --vault "$T/cjk2.kura" init --name "Family 族家" --kit-dir "$T/cjk2" --json
convert "$T"/cjk1/*.png -crop 900x32+300+246 +repage "$T/row1.png"
convert "$T"/cjk2/*.png -crop 900x32+300+246 +repage "$T/row2.png"
check "the PNG draws the characters themselves" test "$(compare -metric AE "$T/row1.png" "$T/row2.png" null: 2>&1)" -gt 50
check "on the name's row, which has ink" test "$(convert "$T/row1.png" -threshold 50% -format '%[fx:int(w*h*(1-mean))]' info:)" -gt 100
mkdir -p "$T/データ"
k --vault "$T/データ/v.kura" init --name "Сейф" --lang ja --kit-dir "$T/ja-path" --json
expect "a vault in a folder named in Japanese, a Russian name, a Japanese kit" 0
check "the kit names both" bash -c "pdftotext '$(jq -r '.kit[0]' <<<"$out")' - 2>/dev/null | tr -d '\n' | grep -q 'Сейф.*$T/データ/v.kura'"
check "and its QR code still reads" test -n "$(zbar "$(jq -r '.kit[1]' <<<"$out")")"

# --print-only: the PDF down a pipe to the printer, no file on the disk.
files_before=$(find "$HOME" "$T" -newer "$T/v.key" -type f | wc -l)
"$KURA" kit --key-file v.key --print-only 2>"$T/.err" | cat >"$T/printed.pdf"
files_after=$(find "$HOME" "$T" -newer "$T/v.key" -type f | wc -l)
check "--print-only sends a PDF down the pipe" qpdf --check "$T/printed.pdf"
pdftoppm -r 150 -png "$T/printed.pdf" "$T/printed"
check "whose QR code reads" test -n "$(zbar "$T/printed-1.png")"
check "and says so, and that no file was kept" err_has "no file was kept"
check "no kit file made (only the test's own printed.pdf)" test "$files_after" = "$((files_before + 1))"
k kit --key-file v.key --print-only
expect "--print-only into a file is refused" 2 "never to a terminal or a file"
pty -- "$KURA" kit --key-file "$T/v.key" --print-only
expect "--print-only to a terminal is refused" 2
check "and says why" out_has "never to a terminal or a file"
k kit --key-file v.key --print-only --kit-dir "$T/x"
expect "--print-only takes no folder" 2 "writes no files"

# Failure twins of writing.
k kit --key-file v.key --kit-dir "$T/made-now"
expect "kit into a folder not there yet" 0 "made the folder $T/made-now"
check "which is made, 0700" mode_is 700 "$T/made-now"
check "with the kit in it" test -n "$(ls "$T/made-now/"*.png 2>/dev/null)"
k kit --key-file v.key --dir "$T/old-name"
expect "--dir, the option's old name, still works" 0
check "the same as --kit-dir" test -n "$(ls "$T/old-name/"*.png 2>/dev/null)"
k help kit
check "help shows --kit-dir only" bash -c "grep -q -- '--kit-dir' '$T/.out' && ! grep -q -- '--dir ' '$T/.out'"
k kit --key-file v.key --kit-dir "$T/no/such/place"
expect "kit into a folder whose parent is not there either" 5 "cannot make the folder $T/no/such/place"
check "nothing made on the way" test ! -e "$T/no"
touch "$T/a-file"
k kit --key-file v.key --kit-dir "$T/a-file"
expect "a file is not a kit folder" 2 "is not a folder"
k kit --key-file v.key --pdf "$T/nowhere/kit.pdf"
expect "kit --pdf into a missing folder" 1 "cannot write the kit to $T/nowhere/kit.pdf"
check "nothing written there" test ! -e "$T/nowhere"
k kit --key-file v.key --paper LETTER --lang JA --kit-dir "$T/upper"
expect "--paper and --lang in any case" 0
k kit --key-file v.key --paper a5
expect "kit --paper a5" 2 "a4 or letter"
k kit --key-file v.key --lang fr
expect "kit --lang fr" 2 "en or ja"
k kit
expect "kit while locked, no terminal" 8
k kit --key-file w.key
expect "kit with another vault's key" 3

# Reading: the kit PNG and transformed copies unlock the vault.
k unlock --kit "$png"
expect "unlock --kit PNG" 0
check "unlock --kit prints the session line" out_has "export KURA_SESSION="
convert "$png" -resize 40% small.png
convert "$png" -resize 150% big.png
convert "$png" -rotate 90 turned.png
convert "$png" -background white -rotate 13 tilted.png
convert "$png" -attenuate 0.6 +noise Gaussian noisy.png
convert "$png" -quality 40 kit.jpg
convert "$png" -resize 60% -background white -rotate 7 -attenuate 0.5 +noise Gaussian -blur 0x1 -quality 70 photo.jpg
convert "$png" -crop 700x900+0+500 +repage screenshot.png
convert page-1.png -resize 80% -background white -rotate -4 printed.jpg
# Any image a person has, made by ImageMagick from the kit: what an iPhone saves (HEIC), the
# web's WebP, a scanner's TIFF, a GIF, a print shop's CMYK JPEG, an AVIF photo taken sideways
# and turned upright only by its EXIF orientation, a dim photo, a screenshot with transparency.
convert "$png" -resize 60% -quality 60 kit.heic
convert "$png" -resize 70% -quality 70 kit.webp
convert "$png" -resize 70% kit.tiff
convert "$png" -resize 70% kit.gif
convert "$png" -resize 70% -colorspace CMYK -quality 80 cmyk.jpg
check "the CMYK JPEG is CMYK" test "$(identify -format %[colorspace] cmyk.jpg)" = CMYK
convert "$png" -resize 60% -rotate 90 -orient RightTop sideways.jpg
convert "$png" -resize 70% -fill black -colorize 55% -quality 60 dim.jpg
convert "$png" -resize 70% -transparent white -define png:color-type=6 clear.png
# A photo taken at an angle: the page in perspective, blurred a little, as a JPEG.
convert "$png" -resize 60% -virtual-pixel white -distort Perspective \
    '0,0 60,40  743,0 690,0  0,1052 0,1052  743,1052 743,990' -blur 0x0.8 -quality 75 angled.jpg
for f in small.png big.png turned.png tilted.png noisy.png kit.jpg photo.jpg screenshot.png printed.jpg \
    kit.heic kit.webp kit.tiff kit.gif cmyk.jpg sideways.jpg dim.jpg clear.png angled.jpg; do
    k ls --kit "$T/$f"
    expect "unlock with $f" 0
done

# Reading: failure twins, each in its own words.
k ls --kit "$(jq -r '.kit[1]' w.json)"
expect "another vault's kit" 3 "is the kit of vault $(cat w.id): this key does not open vault $id"
convert -size 400x400 xc:white blank.png
k ls --kit blank.png
expect "an image without a QR code" 5 "no QR code found in blank.png: is the whole code in the picture, sharp and well lit?"
qrencode -o other.png -s 8 "https://example.com/not-a-kura-kit"
k ls --kit other.png
expect "another product's QR code" 5 "found a QR code in other.png, but it is not a kura kit's"
head -c 20000 "$png" >cut.png
k ls --kit cut.png
expect "a truncated PNG: what it still shows is read" 5 "no QR code found in cut.png"
printf 'not an image at all\n' >text.png
k ls --kit text.png
expect "a file that is no image" 5 "text.png is not an image kura reads (PNG, JPEG, HEIC, WebP, TIFF, GIF or PDF)"
: >empty.png
k ls --kit empty.png
expect "an empty file" 5 "not an image kura reads"
k ls --kit "$T/missing.png"
expect "a missing kit file" 5 "missing.png"
mkdir -p a-folder
k ls --kit a-folder
expect "a folder given as the kit" 5 "a-folder is a directory"
convert "$png" -resize 180x tiny.png
k ls --kit tiny.png
expect "a kit photo too small to read: said, with its size" 5 "tiny.png is 180 x 254 px: too small to read; take the photo closer"
qrencode -o forged.png -s 8 "KURA1:$id:${key:0:7}Z${key:8}"
[ "${key:7:1}" = Z ] && qrencode -o forged.png -s 8 "KURA1:$id:${key:0:7}Y${key:8}"
k ls --kit forged.png
expect "a kit whose key has a typo" 4 "damaged client key"

# kit check: prove you saved your kit.
k kit check "$png"
expect "kit check on this vault's kit" 0
check "kit check says it opens the vault" out_has "opens vault $id"
k kit check photo.jpg --json
check "kit check --json" json_ok '.opens and .vault_id == "'"$id"'"'
k kit check "$pdf"
expect "kit check on the PDF kit (rendered with poppler)" 0
check "the PDF kit opens the vault" out_has "opens vault $id"
k kit check "$jpdf"
expect "kit check on the Japanese PDF kit" 0
k ls --kit "$pdf"
expect "unlock with the PDF kit" 0
k kit check "$(jq -r '.kit[1]' w.json)"
expect "kit check on another vault's kit" 3 "not of this vault"
k kit check "$(jq -r '.kit[0]' w.json)"
expect "kit check on another vault's PDF" 3 "not of this vault"
printf '%%PDF-1.4\nbroken\n' >broken.pdf
k kit check broken.pdf
expect "kit check on a broken PDF" 5 "not an image kura reads"
k kit check blank.png
expect "kit check on an image without a kit" 5
k kit nonsense
expect "kit with an unknown subcommand" 2

# key show: the key again, and a QR code a phone can scan from the terminal.
k key show --key-file v.key
expect "key show" 0
check "key show prints the grouped key" out_is "$key"
k key show --key-file v.key --json
check "key show --json" json_ok '.client_key == "'"$key"'" and .vault_id == "'"$id"'"'
k key show --qr --key-file v.key
check "--qr draws half blocks" out_has "▀"
k key show --qr --ascii --key-file v.key
check "--ascii draws with #" out_has "##"
python3 "$TESTS_DIR/qr_text_to_png.py" term.png <"$T/.out"
check "zbarimg decodes the terminal drawing" test "$(zbar term.png)" = "$payload"
k key show
expect "key show while locked, no terminal" 8
k key frobnicate --key-file v.key
expect "key with an unknown subcommand" 2

# The kit's libraries are a module (kura-kit.so, next to the binary or in the install's
# lib/kura): everyday commands start without it, kit commands say plainly when it is gone.
if [ -z "${KURA_WRAP:-}" ]; then
    mkdir alone && cp "$KURA" alone/kura
    png=$(ls KURA_CLIENT_KEY_EMERGENCY_KIT*.png | head -1)
    KURA=$T/alone/kura k ls --key-file v.key
    expect "without kura-kit.so, everyday commands work" 0
    if [ -e /usr/local/lib/kura/kura-kit.so ]; then
        KURA=$T/alone/kura k kit --key-file v.key --dir alone
        expect "a kit from the installed module" 0
    else
        KURA=$T/alone/kura k kit --key-file v.key --dir alone
        expect "kit without the module" 1 "kit module did not load"
        check "and names the file it looked for" err_has "kura-kit.so"
        KURA=$T/alone/kura k unlock --kit "$png"
        expect "unlock --kit without the module: not 'a damaged key'" 1 "kit module did not load"
        KURA=$T/alone/kura k key show --qr --key-file v.key
        expect "key show --qr without the module" 1 "kit module did not load"
    fi
    check "the everyday binary maps no kit library" bash -c "! ldd '$KURA' | grep -qE 'poppler|cairo|zbar|hpdf|qrencode'"
fi

finish
