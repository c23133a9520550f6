# One-time passwords: an item's TOTP secret (--otp-file: an otpauth://totp/ URI or base32),
# and `kura otp ITEM`, whose codes must be oathtool's for the same secret and time; Steam
# Guard's five-character codes.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

new_vault v
export KURA_VAULT=$T/v.kura KURA_CLIENT_KEY_FILE=$T/v.key

# at TIME ARGS: kura at a fixed time (faketime, which preloads itself: the ASan build is told
# that is fine), output captured as k does.
at() {
    local when=$1
    shift
    ASAN_OPTIONS=${ASAN_OPTIONS:-}:verify_asan_link_order=0 setsid -w faketime -f "$when" "$KURA" "$@" \
        >"$T/.out" 2>"$T/.err" </dev/null
    _capture
}

when="2026-01-01 00:00:10"
agree() { # NAME SPEC-FILE OATHTOOL-ARGS...
    local name=$1 file=$2
    shift 2
    k add "$name" --otp-file "$file"
    expect "add $name with --otp-file" 0
    at "$when" otp "$name"
    expect "kura otp $name" 0
    local want
    want=$(oathtool "$@" -N "$when UTC")
    check "$name: the code is oathtool's ($want)" test "${out%% *}" = "$want"
}

printf 'JBSWY3DPEHPK3PXP\n' >plain.txt
agree Plain plain.txt --totp -b JBSWY3DPEHPK3PXP
check "and the seconds it has left" out_is "${out%% *} (20 s left)"
printf 'jbsw y3dp ehpk 3pxp jbsw y3dp eh\n' >spaced.txt # 26 symbols, as many sites give them
agree Spaced spaced.txt --totp -b JBSWY3DPEHPK3PXPJBSWY3DPEH
printf 'otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example\n' >uri.txt
agree Uri uri.txt --totp -b JBSWY3DPEHPK3PXP
printf 'otpauth://totp/X?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA256&digits=8&period=60\n' >sha256.txt
agree Sha256 sha256.txt --totp=sha256 -d 8 -s 60 -b GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
check "8 digits, 60 s" test "$(grep -oE '^[0-9]+' "$T/.out" | wc -c)" = 9
printf 'otpauth://totp/X?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA512&digits=7\n' >sha512.txt
agree Sha512 sha512.txt --totp=sha512 -d 7 -b GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ

# Another moment, another code; --json.
at "2026-01-01 00:00:45" otp Plain --json
check "--json: code, seconds left, period, digits" json_ok '.seconds_left == 15 and .period == 30 and .digits == 6 and (.code | test("^[0-9]{6}$"))'
want=$(oathtool --totp -b JBSWY3DPEHPK3PXP -N "2026-01-01 00:00:45 UTC")
check "the next period's code is oathtool's too" json_ok ".code == \"$want\""

# The secret is a hidden field: never shown unless asked.
k get Plain
check "get hides the secret" out_lacks JBSWY3DPEHPK3PXP
k get Plain --json
check "get --json hides it" out_lacks JBSWY3DPEHPK3PXP
k get Plain --field otp
check "--field otp shows it when asked" out_is JBSWY3DPEHPK3PXP

# edit replaces it.
k edit Plain --otp-file sha256.txt
expect "edit --otp-file" 0
at "$when" otp Plain
check "the new secret's code" test "${out%% *}" = "$(oathtool --totp=sha256 -d 8 -s 60 -b GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ -N "$when UTC")"

# Failure twins.
printf 'not base32 at all!\n' >bad.txt
k add Bad --otp-file bad.txt
expect "a secret that is not base32" 2 "no TOTP secret kura can use"
printf 'otpauth://hotp/X?secret=JBSWY3DPEHPK3PXP&counter=1\n' >hotp.txt
k add Hotp --otp-file hotp.txt
expect "an HOTP URI" 2 "not TOTP"
printf 'otpauth://totp/X?secret=JBSWY3DPEHPK3PXP&digits=9\n' >digits.txt
k add Digits --otp-file digits.txt
expect "9 digits" 2 "no TOTP secret"
k add Nothing --otp-file missing.txt
expect "no such file" 5
k get Bad
expect "nothing was added by a refused --otp-file" 5
k add NoOtp
k otp NoOtp
expect "an item without a one-time password" 5 "has no one-time password"
k otp Nobody
expect "no such item" 5
# Steam Guard: five characters of Steam's alphabet from the same HMAC-SHA1, in each of the
# forms exporters write it; the expected code from Python's hmac (RFC 4226's truncation).
steam() { # steam SECRET UNIX-TIME: the code
    python3 - "$1" "$2" <<'PY'
import base64, hmac, struct, sys
key = base64.b32decode(sys.argv[1] + "=" * (-len(sys.argv[1]) % 8))
mac = hmac.new(key, struct.pack(">Q", int(sys.argv[2]) // 30), "sha1").digest()
o = mac[19] & 15
v = struct.unpack(">I", mac[o:o + 4])[0] & 0x7fffffff
a = "23456789BCDFGHJKMNPQRTVWXY"
print("".join(a[(v // 26 ** i) % 26] for i in range(5)))
PY
}
want=$(steam JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP "$(date -u -d "$when" +%s)")
i=0
for spec in 'otpauth://totp/Steam:ann?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Steam&encoder=steam' \
    'otpauth://steam/Steam:ann?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' 'steam://JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'; do
    i=$((i + 1))
    k_in "$spec" add "Steam $i" --otp-file -
    expect "a Steam secret, form $i" 0
    at "$when" otp "Steam $i" --json
    check "Steam form $i: the code ($want), 5 characters" json_ok ".code == \"$want\" and .digits == 5"
done
check "a Steam code is letters and digits of Steam's alphabet" grep -qE '^[2-9BCDFGHJKMNPQRTVWXY]{5}$' <<<"$want"

# KeePass's own TOTP strings (TimeOtp-*) and the plugins' (TOTP Seed, TOTP Settings) become
# kura's hidden otp field, never a visible one; each code is oathtool's (Steam's: Python's).
cat >kp-otp.xml <<'XML'
<?xml version="1.0"?>
<KeePassFile><Root><Group><Name>Root</Name>
<Entry><String><Key>Title</Key><Value>Seeded</Value></String>
<String><Key>TOTP Seed</Key><Value>GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ</Value></String>
<String><Key>TOTP Settings</Key><Value>60;8</Value></String></Entry>
<Entry><String><Key>Title</Key><Value>Steamed</Value></String>
<String><Key>TOTP Seed</Key><Value>JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP</Value></String>
<String><Key>TOTP Settings</Key><Value>30;S</Value></String></Entry>
<Entry><String><Key>Title</Key><Value>Native</Value></String>
<String><Key>TimeOtp-Secret-Base32</Key><Value>GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ</Value></String>
<String><Key>TimeOtp-Length</Key><Value>8</Value></String>
<String><Key>TimeOtp-Algorithm</Key><Value>HMAC-SHA-256</Value></String></Entry>
<Entry><String><Key>Title</Key><Value>Hexed</Value></String>
<String><Key>TimeOtp-Secret-Hex</Key><Value>48656c6c6f21deadbeef</Value></String></Entry>
</Group></Root></KeePassFile>
XML
k import kp-otp.xml
expect "KeePass XML with TOTP strings" 0
k get Seeded --json --reveal
check "TOTP Seed is kura's hidden otp field, no visible seed" json_ok '([.fields[] | select(.name == "otp" and .hidden)] | length == 1) and ([.fields[] | select(.name == "TOTP Seed" or .name == "TOTP Settings")] | length == 0)'
at "$when" otp Seeded
check "TOTP Seed with 60;8: oathtool's code" test "${out%% *}" = "$(oathtool --totp -d 8 -s 60 -b GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ -N "$when UTC")"
at "$when" otp Steamed
check "TOTP Settings 30;S: Steam's code" test "${out%% *}" = "$want"
at "$when" otp Native
check "TimeOtp-* with SHA-256, 8 digits: oathtool's code" test "${out%% *}" = "$(oathtool --totp=sha256 -d 8 -b GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ -N "$when UTC")"
at "$when" otp Hexed
check "TimeOtp-Secret-Hex: oathtool's code for the same bytes" test "${out%% *}" = "$(oathtool --totp 48656c6c6f21deadbeef -N "$when UTC")"

k_in 'otpauth://totp/X?secret=JBSWY3DPEHPK3PXP' add Stdin --otp-file -
expect "--otp-file - reads stdin" 0
k otp Stdin
expect "its code" 0

# A screenshot of a site's TOTP setup page: --otp-file reads the otpauth:// URI from its QR
# code (qrencode draws it; ImageMagick sets it in a larger JPEG, as a screenshot would be).
if command -v qrencode >/dev/null && command -v convert >/dev/null; then
    qrencode -o setup.png 'otpauth://totp/Example:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example&algorithm=SHA256&digits=8'
    convert setup.png -bordercolor white -border 240 -quality 85 setup.jpg
    k add Scanned --otp-file setup.jpg
    expect "--otp-file takes a screenshot's QR code" 0
    k get Scanned --field otp
    check "the URI from the QR code, whole" test "$out" = 'otpauth://totp/Example:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example&algorithm=SHA256&digits=8'
    at "$when" otp Scanned
    check "its code: oathtool's" test "${out%% *}" = "$(oathtool --totp=sha256 -d 8 -b GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ -N "$when UTC")"
    # The failure twins: an image without a QR code, one with another QR code, an HOTP one,
    # a file that only starts like a PNG; none adds an item.
    convert -size 200x200 xc:white blank.png
    k add NoCode --otp-file blank.png
    expect "an image without a QR code" 2 "holds no QR code of an otpauth:// URI"
    qrencode -o link.png 'https://example.com/setup'
    k add Link --otp-file link.png
    expect "an image with another QR code" 2 "(only other QR codes)"
    qrencode -o hotp.png 'otpauth://hotp/X?secret=JBSWY3DPEHPK3PXP&counter=3'
    k add Counter --otp-file hotp.png
    expect "an HOTP QR code" 2 "not TOTP"
    printf '\x89PNG\r\n\x1a\nnot really' >fake.png
    k add Fake --otp-file fake.png
    expect "a broken image" 2 "kura cannot decode it"
    k ls
    check "none of them added" bash -c "! grep -qE 'NoCode|Link|Counter|Fake' '$T/.out'"
else
    _report "qrencode and ImageMagick are installed (scripts/deps.sh --test)" 0 "missing"
fi
finish
