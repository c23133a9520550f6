# The config file ($XDG_CONFIG_HOME/kura/config): defaults for the vault path, the session
# timeout and the kit's paper and language; the environment and the command line win; a bad
# line is a usage error naming the file and line.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

export XDG_CONFIG_HOME=$T/config
mkdir -p "$XDG_CONFIG_HOME/kura"
conf=$XDG_CONFIG_HOME/kura/config
new_vault v
new_vault w
cat >"$conf" <<CONF
# kura's defaults
vault = $T/v.kura
session_timeout = 42   # minutes
kit_paper = letter
kit_lang = "ja"
CONF
k status --json
expect "status with a config file" 0
check "the config's vault" json_ok ".vault == \"$T/v.kura\""
KURA_VAULT=$T/w.kura k status --json
check "KURA_VAULT wins over it" json_ok ".vault == \"$T/w.kura\""
KURA_VAULT=$T/w.kura k --vault "$T/v.kura" status --json
check "--vault wins over both" json_ok ".vault == \"$T/v.kura\""
k unlock --key-file v.key --json
check "the config's session timeout" json_ok '.timeout_seconds == 2520'
k unlock --key-file v.key --json --timeout 5
check "--timeout wins" json_ok '.timeout_seconds == 300'
mkdir kits
k kit --key-file v.key --dir kits
expect "kit with the config's paper and language" 0
check "US Letter" bash -c "pdfinfo kits/*.pdf | grep -q 'Page size: *612 x 792'"
check "in Japanese" bash -c "pdftotext kits/*.pdf - | grep -q '緊急キット'"
rm -f kits/*
k kit --key-file v.key --dir kits --paper a4 --lang en
check "--paper and --lang win" bash -c "pdfinfo kits/*.pdf | grep -q 'Page size: *595' && pdftotext kits/*.pdf - | grep -q 'Emergency Kit'"

# Failure twins: a bad line names the file and the line, and nothing runs.
for bad in "colour = yes:unknown setting 'colour'" \
    "session_timeout = 0:session_timeout is minutes, 1 to 1440" \
    "kit_paper = a5:kit_paper is a4 or letter" "kit_lang = fr:kit_lang is en or ja" \
    "just words:not \"key = value\"" "vault =:vault needs a path"; do
    printf '# a bad one\n%s\n' "${bad%%:*}" >"$conf"
    k status
    expect "config line '${bad%%:*}'" 2 "$conf line 2: ${bad#*:}"
done
rm "$conf"
k --vault "$T/v.kura" status
expect "no config file is fine" 0
finish
