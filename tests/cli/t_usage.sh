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

# One table per command: parsing, help, usage and completion read the same rows.
k key
expect "a command with subcommands, none given" 2 "missing arguments for 'key'"
k key frobnicate
expect "an unknown subcommand" 2 "unknown key command 'frobnicate'"
k kit check
expect "a subcommand without its argument" 2 "missing arguments for 'kit'"
k device forget extra
expect "a subcommand with an argument too many" 2 "too many arguments for 'device'"
k help key
check "usage: one line per subcommand, each with its own options" \
    bash -c "grep -q '^usage: kura key show \[--qr\] \[--ascii\]' '$T/.out' && grep -q '^       kura key rotate \[--yes\]' '$T/.out'"
check "help: the subcommands among the options" bash -c "grep -qE '^  show +the client key' '$T/.out'"
check "every help line fits 80 columns" bash -c "! awk 'length > 80' '$T/.out' | grep -q ."
k help add
check "a list option is marked as given again" out_has "[--url URL]..."
check "a single one is not" bash -c "! grep -qF -- '[--username USER]...' '$T/.out'"
k generate --words 2
expect "a number out of its range" 2 "--words takes a number from 3 to 64"
k unlock --timeout 0
expect "a number names its unit" 2 "--timeout (minutes) takes a number from 1 to 1440"
k kit --paper a5
expect "a choice outside its words" 2 "--paper is a4 or letter"
k add Title --title Other
expect "add takes its title as the argument, not --title" 2 "unknown option '--title' for 'add'"
k ls --vault
expect "a global option among a command's, without its value" 2 "option '--vault' of 'ls' needs a value"
k __complete subcommands device
check "completion: subcommands from the rows" test "$out" = $'enroll\npassphrase\nforget'
k __complete item-commands
check "completion: the commands that take an item" test "$(sort <<<"$out" | tr '\n' ' ')" = "attach cp detach edit get history otp restore rm "

k --version
expect "--version" 0
check "version printed" grep -qE '^kura [0-9]+\.[0-9]+\.[0-9]+$' "$T/.out"

finish
