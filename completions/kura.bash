# bash completion for kura: commands, options, subcommands, files, and item titles when a
# session is open (KURA_SESSION). Everything comes from `kura __complete`, so it follows the
# installed kura. Installed as share/bash-completion/completions/kura.

# _kura_vault_args: "--vault PATH" when the line names a vault.
_kura_vault_args() {
    local i
    for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
        case ${COMP_WORDS[i]} in
        --vault) printf '%s\n' --vault "${COMP_WORDS[i + 1]}" ;;
        --vault=*) printf '%s\n' --vault "${COMP_WORDS[i]#--vault=}" ;;
        esac
    done
}

_kura() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local i cmd="" line
    local -a words=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
        --vault | --key-file | --kit | --passphrase-file) ((i++)) ;;
        -*) ;;
        *)
            cmd=${COMP_WORDS[i]}
            break
            ;;
        esac
    done
    COMPREPLY=()
    case $prev in
    --vault | --key-file | --kit | --passphrase-file | --output | --encrypted | --dir | \
        --kit-dir | --pdf | --png | --*-file)
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        return
        ;;
    esac
    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$(kura __complete options "$cmd" 2>/dev/null)" -- "$cur")
        return
    fi
    if [[ -z $cmd || $cmd == help ]]; then
        while IFS=$'\t' read -r line _; do words+=("$line"); done < <(kura __complete commands 2>/dev/null)
        mapfile -t COMPREPLY < <(compgen -W "${words[*]}" -- "$cur")
        return
    fi
    if [[ $cmd == attach && $prev != attach ]]; then # attach ITEM FILE: the file
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        return
    fi
    case " $(kura __complete item-commands 2>/dev/null | tr '\n' ' ') " in
    *" $cmd "*)
        local -a vault
        mapfile -t vault < <(_kura_vault_args)
        while IFS= read -r line; do
            [[ $line == "$cur"* ]] && COMPREPLY+=("$(printf '%q' "$line")")
        done < <(kura __complete titles "${vault[@]}" 2>/dev/null)
        return
        ;;
    esac
    mapfile -t words < <(kura __complete subcommands "$cmd" 2>/dev/null)
    if ((${#words[@]})); then
        mapfile -t COMPREPLY < <(compgen -W "${words[*]}" -- "$cur")
        return
    fi
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}
complete -F _kura kura
