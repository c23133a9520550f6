# Usage errors (exit 2), help, version.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

k
expect "no command" 2
k frobnicate
expect "unknown command" 2 "unknown command 'frobnicate'"
k ls --frobnicate
expect "unknown option" 2 "--frobnicate"
k get
expect "missing argument" 2 "missing arguments"
k get a b
expect "too many arguments" 2 "too many arguments"
k --vault
expect "--vault without a path" 2 "--vault needs a value"
k add Title --username
expect "option without its value" 2 "--username"
k generate --length abc
expect "a number that is not" 2 "--length takes a number"

k --help
expect "--help" 0
check "help lists the commands" out_has "unlock"
check "help lists the exit codes" out_has "exit codes"
k help get
expect "help on a command" 0
check "help names the command's options" out_has "--field"
k get --help
expect "--help after a command" 0
check "usage line" out_has "usage: kura get"
k help nosuch
expect "help on an unknown command" 2
k --version
expect "--version" 0
check "version printed" grep -qE '^kura [0-9]+\.[0-9]+\.[0-9]+$' "$T/.out"

finish
