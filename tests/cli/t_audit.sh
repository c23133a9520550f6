# kura audit: weak passwords (zxcvbn), reused ones (never printed), old ones (from the items'
# times and history), and breached ones from Pwned Passwords files that Python's hashlib
# (SHA-1) and OpenSSL (NTLM: MD4 of UTF-16LE) wrote, searched without reading them whole; a
# report, exit 0 whatever it finds; and each file it cannot use, said in one line.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

new_vault v --no-kit
export KURA_VAULT=$T/v.kura KURA_CLIENT_KEY_FILE=$T/v.key
add() { # add TITLE PASSWORD [OPTIONS]
    local title=$1 pw=$2
    shift 2
    k_in "$pw" add "$title" --password-file - "$@"
}
strong1='Zq8#kLm2$Vx9!pR4wT6y'
strong2='uR5^bN1&cX7*eW3(qA9)'
add GitHub summer2019 --username octocat --url https://github.com
add Gitlab summer2019
add Jira summer2019
add Bank 'Tr0ub4dor&3'
add Mail "$strong1"
add Own octocat1987 --username octocat
add Unicode 'pässwörd😀'
k add --type note Note --notes-file /dev/null
before=$(sum v.kura)

k audit
expect "audit: a report, exit 0 with findings" 0
check "a weak password, with what makes it weak" bash -c "grep -E '^[0-9a-f]{8}  GitHub .*weak: about 2\^[0-9]+ guesses \(a common word or password, a date or year, short\)' '$T/.out'"
check "reused passwords name the other items" bash -c "grep -q 'GitHub .*reused: the same password as \"Gitlab\", \"Jira\"' '$T/.out'"
check "a password made of the item's own username" bash -c "grep -q \"Own .*weak: .*the item's own name or site\" '$T/.out'"
check "a strong unique password is not listed" out_lacks "Mail"
check "the summary" out_has "7 passwords checked (1 item without one): 5 weak, 3 reused, 0 old"
check "no password is ever printed" bash -c "! grep -qF -e summer2019 -e 'Tr0ub4dor' -e octocat1987 -e '$strong1' '$T/.out' '$T/.err'"
check "the vault is not changed" test "$(sum v.kura)" = "$before"
k audit --json
check "--json: counts, and each item's problems" json_ok '.checked == 7 and .without_password == 1 and .weak == 5 and .reused == 3 and .old == 0 and .hibp_hash == null and ([.items[] | select(.title == "GitHub") | .problems] == [["weak", "reused"]])'
check "--json: reused_with by id and title, weak_because in words" json_ok '[.items[] | select(.title == "Jira") | (.reused_with | map(.title)), .weak_because] == [["GitHub", "Gitlab"], ["word", "date", "short"]]'
check "--json: no password in it" bash -c "! grep -qF -e summer2019 -e octocat1987 '$T/.out'"

# ---- old passwords: from the items' times and their history ----
# long_ago ARGS: kura 1,500 days ago (faketime preloads itself: the ASan build is told to
# allow that, as in t_otp).
long_ago() {
    ASAN_OPTIONS=${ASAN_OPTIONS:-}:verify_asan_link_order=0 setsid -w faketime -f '-1500d' \
        "$KURA" "$@" >"$T/.out" 2>"$T/.err" </dev/null
    _capture
}
printf '%s\n' "$strong2" >pw2
long_ago add Ancient --password-file pw2
expect "an item added 1,500 days ago" 0
printf 'Xb4!mQ9#zL2$wR7^kT5&\n' >pw3
long_ago add Retagged --password-file pw3
printf 'Hn6@vC3!pS8#jY1$dF4%%\n' >pw4
long_ago add Changed --password-file pw4
k edit Retagged --add-tag moved
printf 'Gm2&tK7*wP5!qZ9@rB3#\n' >pw5
k edit Changed --password-file pw5
k audit
check "an item made 4 years ago is old" bash -c "grep -qE 'Ancient .*old: unchanged since [0-9-]+ \(over 3 years\)' '$T/.out'"
check "one whose tags changed since, but not its password, is old too (history)" bash -c "grep -q 'Retagged .*old:' '$T/.out'"
check "one whose password changed since is not" bash -c "! grep -q 'Changed .*old' '$T/.out'"
k audit --years 5
check "--years 5: none is old" out_has "0 old"
k audit --years 0
check "--years 0: no age check" out_lacks "old"
k audit --years x
expect "--years needs a number" 2 "--years takes a number from 0 to 100"

# ---- breached: Pwned Passwords files, SHA-1 and NTLM ----
python3 - "$T/pwned-sha1.txt" <<'PY'
import hashlib, random, sys
seen = {"summer2019": 13272, "Tr0ub4dor&3": 43703, "pässwörd😀": 2}
rnd = random.Random(7)
lines = {hashlib.sha1(p.encode()).hexdigest().upper(): c for p, c in seen.items()}
for i in range(50000):
    lines[hashlib.sha1(str(rnd.random()).encode()).hexdigest().upper()] = rnd.randint(1, 99)
with open(sys.argv[1], "w", newline="") as f:
    for h in sorted(lines):
        f.write("%s:%d\r\n" % (h, lines[h]))
PY
k audit --hibp pwned-sha1.txt
expect "audit with a SHA-1 file" 0
check "each breached password with how often it was seen" bash -c "grep -q 'Bank .*breached: seen 43703 times in Pwned Passwords' '$T/.out' && grep -q 'Jira .*breached: seen 13272 times' '$T/.out' && grep -q 'Unicode .*breached: seen 2 times' '$T/.out'"
check "a password not in the file is not" bash -c "! grep -qE '(Own|Mail|Ancient) .*breached' '$T/.out'"
check "the summary names the file's hash" out_has "5 breached (SHA-1 file)"
k audit --hibp pwned-sha1.txt --json
check "--json: breach_count" json_ok '.hibp_hash == "SHA-1" and .breached == 5 and ([.items[] | select(.title == "Bank") | .breach_count] == [43703])'

# NTLM: MD4 of the password in UTF-16LE, made by OpenSSL (its legacy provider).
ntlm() { printf '%s' "$1" | iconv -f utf-8 -t utf-16le | openssl dgst -md4 -provider legacy -provider default | awk '{print toupper($2)}'; }
{
    printf '%s:%s\n' "$(ntlm summer2019)" 11 "$(ntlm 'pässwörd😀')" 3 "$(ntlm "$strong1")" 1
    for i in $(seq 1 3000); do printf '%s:1\n' "$(printf 'x%s' "$i" | md5sum | cut -c1-32 | tr a-f A-F)"; done
} | sort >pwned-ntlm.txt
k audit --hibp pwned-ntlm.txt
expect "audit with an NTLM file" 0
check "NTLM: the reused password found in each item" bash -c "[ \$(grep -c 'breached: seen 11 times' '$T/.out') = 3 ]"
check "NTLM: a password with letters beyond ASCII and an emoji (UTF-16 surrogates)" bash -c "grep -q 'Unicode .*breached: seen 3 times' '$T/.out'"
check "NTLM: a strong password that a breach holds is breached all the same" bash -c "grep -q 'Mail .*breached: seen 1 time in' '$T/.out'"
check "the summary names NTLM" out_has "(NTLM file)"

# ---- files it cannot use ----
before=$(sum v.kura)
k audit --hibp nosuch.txt
expect "a file that is not there" 5 "cannot open nosuch.txt: No such file or directory"
printf 'hello\n' >words.txt
k audit --hibp words.txt
expect "a file that is not a Pwned Passwords file" 2 "words.txt is not a Pwned Passwords file: its lines are not HASH:COUNT"
sort -t: -k2 -rn pwned-sha1.txt >by-count.txt
k audit --hibp by-count.txt
expect "the edition ordered by count" 2 "is not ordered by hash"
k audit --hibp "$T"
expect "a folder" 2 "is not a file"
check "after each, the vault is as it was" test "$(sum v.kura)" = "$before"

# ---- locked ----
KURA_CLIENT_KEY_FILE= k audit
expect "a locked vault" 8

finish
