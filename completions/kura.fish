# fish completion for kura: commands (with what they do), options, subcommands, files, and
# item titles when a session is open (KURA_SESSION). Everything comes from `kura __complete`.
# Installed as share/fish/vendor_completions.d/kura.fish.

# The command word on the line so far, if any (values of global options skipped).
function __kura_command
    set -l words (commandline -opc)
    set -l skip 0
    for w in $words[2..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        switch $w
            case --vault --key-file --kit --passphrase-file
                set skip 1
            case '-*'
            case '*'
                echo $w
                return 0
        end
    end
    return 1
end

function __kura_vault_args
    set -l words (commandline -opc)
    for i in (seq (count $words))
        if test "$words[$i]" = --vault; and test $i -lt (count $words)
            echo --vault
            echo $words[(math $i + 1)]
        end
    end
end

function __kura_complete
    set -l cmd (__kura_command)
    set -l tok (commandline -ct)
    if string match -q -- '-*' $tok
        kura __complete options $cmd 2>/dev/null
        return
    end
    if test -z "$cmd"; or test "$cmd" = help
        kura __complete commands 2>/dev/null
        return
    end
    set -l before (commandline -opc)
    if test "$cmd" = attach; and test "$before[-1]" != attach # attach ITEM FILE
        __fish_complete_path $tok
        return
    end
    if contains -- $cmd (kura __complete item-commands 2>/dev/null)
        kura __complete titles (__kura_vault_args) 2>/dev/null
        return
    end
    set -l subs (kura __complete subcommands $cmd 2>/dev/null)
    if test (count $subs) -gt 0
        printf '%s\n' $subs
        return
    end
    __fish_complete_path $tok
end

complete -c kura -f -a '(__kura_complete)'
