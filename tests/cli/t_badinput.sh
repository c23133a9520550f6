# Bad input at every door: very long arguments, huge and empty files given as secrets or
# kits, each refused in one clear line, fast, with the vault unchanged.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

new_vault v
export KURA_VAULT=$T/v.kura KURA_CLIENT_KEY_FILE=$T/v.key
k add Keep --username me
: >empty
before=$(sum v.kura)
k add Ok --password-file empty
expect "an empty password file is refused" 2 "empty holds no password (it is empty); nothing was saved"
printf '' | setsid -w "$KURA" add Ok --password-file - >"$T/.out" 2>"$T/.err"
_capture
expect "an empty password on stdin is refused" 2 "standard input holds no password"
check "nothing was added" test "$(sum v.kura)" = "$before"
k add Ok --password-file empty --allow-empty
expect "--allow-empty: an item without a password, on purpose" 0
k get Ok --field password
expect "and it has none" 5
k edit Keep --password-file empty
expect "edit refuses an empty password file too" 2 "holds no password"
k rm Ok --yes
# A custom field named like a built-in one would hide behind it.
for name in password Password username url notes tags otp title; do
    k add Shadow --field "$name=oops"
    expect "--field $name=... is refused" 2 "a custom field cannot be called \"$name\""
done
printf 'x\n' >fv
k add Shadow --hidden-field-file password=fv
expect "--hidden-field-file password=... is refused" 2 "use --password-file or --generate"
k add Shadow --hidden-field-file otp=fv
expect "--hidden-field-file otp=... is refused" 2 "use --otp-file"
k add Shadow --field "password2=fine"
expect "a field named otherwise is fine" 0
k rm Shadow --yes
before=$(sum v.kura)
long=$(head -c 100000 /dev/zero | tr '\0' a)

k add "$long"
expect "a 100 KB title" 2 "too long"
k add Ok --username "$long"
expect "a 100 KB username" 2 "too long"
k add Ok --url "$long"
expect "a 100 KB URL" 2 "bad URL"
k add Ok --field "$long=x"
expect "a 100 KB field name" 2
k get "$long"
expect "a 100 KB item name" 5
k search "$long"
expect "a 100 KB search" 0
head -c 10000000 /dev/urandom >big.bin
k add Ok --password-file big.bin
expect "a 10 MB password file" 2 "longer than 4096"
k add Ok --notes-file big.bin
expect "a 10 MB notes file" 2 "longer than 65536"
k ls --key-file big.bin
expect "a 10 MB key file" 2 "longer than 1024"
k ls --kit big.bin
expect "10 MB of noise as a kit" 5 "not an image kura reads"
convert -size 12000x9000 xc:white huge.png
k ls --kit huge.png
expect "a 108-megapixel image as a kit" 5
printf '\x89PNG\r\n\x1a\n' >header-only.png
k ls --kit header-only.png
expect "a PNG that is only a header" 5
k ls --key-file empty
expect "an empty key file" 4
printf 'pw\0hidden\n' >nul.txt
k add Nul --password-file nul.txt
expect "a NUL inside a password file" 2 "NUL"
k add "$(printf 'tab\there')"
expect "a control character in a title" 2 "control characters"
k generate --length 99999999999999999999
expect "a number past every limit" 2
k --vault "$T/$long.kura" ls
expect "a 100 KB vault path" 1 "File name too long"
check "the path is shortened in the message" test "${#err}" -lt 600
printf 'bad \xff\xfe utf-8\n' >badutf.txt
k add Bad --password-file badutf.txt
expect "invalid UTF-8 in a password file" 2 "UTF-8"
k add "$(printf 'bad \xff title')"
expect "invalid UTF-8 in a title" 2 "UTF-8"
qrencode -o other-product.png 'otpauth://totp/Example:me?secret=JBSWY3DPEHPK3PXP&issuer=Example'
k ls --kit other-product.png
expect "a QR code of another product as a kit" 5 "not a kura kit's"
check "the vault is unchanged by it all" test "$(sum v.kura)" = "$before"

# At the documented limits (kura(1): 4096 bytes for short texts and passwords, 65536 for
# notes): exactly at the limit is kept whole; one byte past is refused.
at=$(head -c 4096 /dev/zero | tr '\0' p)
printf '%s' "$at" >pw4096
printf '%sx' "$at" >pw4097
head -c 65536 /dev/zero | tr '\0' n >notes65536
head -c 65537 /dev/zero | tr '\0' n >notes65537
k add "$(head -c 4096 /dev/zero | tr '\0' t)" --password-file pw4096 --notes-file notes65536
expect "a title, password and notes exactly at their limits" 0
k get "$(head -c 4096 /dev/zero | tr '\0' t)" --field password
check "the 4096-byte password comes back whole" test "$out" = "$at"
k get "$(head -c 4096 /dev/zero | tr '\0' t)" --field notes
check "the 65536-byte notes come back whole" test "${#out}" = 65536
before=$(sum v.kura)
k add "$(head -c 4097 /dev/zero | tr '\0' t)"
expect "a title one byte past" 2 "too long"
k add Past --password-file pw4097
expect "a password one byte past" 2 "longer than 4096"
k add Past --notes-file notes65537
expect "notes one byte past" 2 "longer than 65536"
check "the vault is unchanged by the refusals" test "$(sum v.kura)" = "$before"

# Terminal escape sequences in imported text are shown escaped (get, ls), on a terminal too;
# only --field to a pipe gives the raw bytes.
printf '[{"title": "Esc\\u009b31mTitle", "username": "u\\u009b2J", "password": "pw\\u001b[2Jx", "notes": "line1\\n\\u001b]0;owned\\u0007line2", "fields": [{"name": "memo", "value": "a\\u001b[31mred"}]}]' >esc.json
k import esc.json
expect "an export with escape sequences imports" 0
k ls --json
esc=$(jq -r '.[] | select(.title | startswith("Esc")) | .id' "$T/.out")
k get "$esc" --reveal
check "get shows ESC as \\x1b, never raw" bash -c "grep -qF 'line1' '$T/.out' && grep -qF '\\x1b]0;owned\\x07line2' '$T/.out' && grep -qF 'memo:      a\\x1b[31mred' '$T/.out' && ! grep -q \$'\\x1b' '$T/.out'"
check "and C1 controls as \\u009b" bash -c "grep -qF 'title:     Esc\\u009b31mTitle' '$T/.out' && ! grep -q \$'\\xc2\\x9b' '$T/.out'"
k ls
check "ls escapes them too" bash -c "grep -qF 'Esc\\u009b31mTitle' '$T/.out' && grep -qF 'u\\u009b2J' '$T/.out' && ! grep -q \$'\\xc2\\x9b' '$T/.out'"
k get "$esc" --field notes
check "--field to a pipe: the raw bytes, for scripts" bash -c "grep -q \$'\\x1b]0;owned' '$T/.out'"
pty -- "$KURA" get "$esc" --field notes
check "--field on a terminal: escaped" bash -c "grep -qF '\\x1b]0;owned\\x07line2' '$T/.out' && ! grep -q \$'\\x1b]0' '$T/.out'"
pty -- "$KURA" get "$esc" --field password
check "--field password on a terminal: escaped" bash -c "grep -qF 'pw\\x1b[2Jx' '$T/.out'"
k get "$esc" --field password
check "--field password to a pipe: raw" bash -c "grep -q \$'pw\\x1b\\[2Jx' '$T/.out'"
finish
