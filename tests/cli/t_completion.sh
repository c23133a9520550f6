# Shell completions (completions/): bash and fish run their real completion functions, zsh
# its function with the completion system's builtins stood in for. Commands, options,
# subcommands and files always; item titles only while a session is open, and never a prompt.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"
SRC=${KURA_SOURCE:?}/completions
mkdir bin && ln -s "$KURA" bin/kura
export PATH=$T/bin:$PATH

new_vault v
export KURA_VAULT=$T/v.kura
k add "Two words" --username a --key-file v.key
k add Bank --username b --key-file v.key

k __complete titles
expect "no session: no titles" 0
check "and nothing printed" out_is ""
check "no prompt" err_lacks "Client key"
k __complete commands
check "commands with what they do" out_has $'get\tshow an item, or one of its fields'
k __complete options get
check "a command's options and the global ones" bash -c "grep -qx -- --copy '$T/.out' && grep -qx -- --vault '$T/.out'"
k __complete nonsense
expect "an unknown question" 2

k_in "$(cat v.key)" unlock --key-file -
eval "$out"
check "a session is open" test -n "${KURA_SESSION:-}"
k __complete titles
check "with a session: the titles" test "$out" = $'Bank\nTwo words'

# bash
bash_complete() { # WORDS...: the completions bash offers for the last word
    bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _kura; printf "%s\n" "${COMPREPLY[@]}"' _ "$SRC/kura.bash" "$@" >"$T/.out" 2>"$T/.err"
    _capture
}
bash_complete kura ge
check "bash: commands" test "$(sort <<<"$out")" = $'generate\nget'
bash_complete kura get --co
check "bash: options" out_is "--copy"
bash_complete kura get T
check "bash: a title, quoted for the shell" out_is 'Two\ words'
bash_complete kura --vault "$T/v.kura" rm B
check "bash: titles of the vault --vault names" out_is "Bank"
bash_complete kura key ""
check "bash: subcommands" test "$out" = $'show\nrotate'
touch export-file.json
bash_complete kura import export-
check "bash: files" out_is "export-file.json"
(unset KURA_SESSION; bash_complete kura get T; [ -z "$out" ]) 
check "bash: no session, no titles" test $? = 0

# fish: its own completion engine, asked as if Tab were pressed.
if command -v fish >/dev/null; then
    fish_complete() {
        fish -c "source '$SRC/kura.fish'; complete -C '$1'" >"$T/.out" 2>"$T/.err"
        _capture
    }
    fish_complete "kura ge"
    check "fish: commands with what they do" out_has $'get\tshow an item'
    fish_complete "kura get "
    check "fish: titles" test "$out" = $'Bank\nTwo words'
    fish_complete "kura otp --js"
    check "fish: options" out_is "--json"
    fish_complete "kura device "
    check "fish: subcommands" test "$out" = $'enroll\nforget\npassphrase'
else
    _report "fish is installed (scripts/deps.sh --test)" 0 "missing"
fi

# zsh: _kura with compadd, _describe and _files recording what they are given.
if command -v zsh >/dev/null; then
    zsh_complete() { # CURRENT WORDS...
        zsh -c 'compadd() { [[ $1 == -- ]] && shift; print -l -- "$@"; }
                _describe() { print -l -- ${(P)2}; }
                _files() { print -- "(files)"; }
                file=$1; shift
                CURRENT=$1; shift; words=("$@"); PREFIX=${words[CURRENT]}
                source $file  # its last line calls _kura, as the completion system does' _ "$SRC/_kura" "$@" >"$T/.out" 2>"$T/.err"
        _capture
    }
    zsh_complete 2 kura ""
    check "zsh: commands with what they do" out_has "get:show an item, or one of its fields"
    zsh_complete 3 kura get ""
    check "zsh: titles" test "$out" = $'Bank\nTwo words'
    zsh_complete 3 kura get --re
    check "zsh: options" out_has "--reveal"
    zsh_complete 3 kura import ""
    check "zsh: files" out_is "(files)"
else
    _report "zsh is installed (scripts/deps.sh --test)" 0 "missing"
fi

finish
