# The man page and the help are complete: every command, every option of every command (as
# `kura __complete` lists them, the same table the parser uses), every environment variable
# the sources read, every config key and every exit status is in docs/kura.1, and every option
# is in its command's `kura help`.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"
SRC=${KURA_SOURCE:?}
MAN=$SRC/docs/kura.1
roff() { sed 's/-/\\-/g' <<<"$1"; } # how a word is written in the page

k __complete commands
cut -f1 "$T/.out" >commands
check "the commands are listed" test "$(wc -l <commands)" -ge 20
missing=""
while read -r c; do
    grep -qE "\\\\fB$c(\\\\fR| )" "$MAN" || missing+=" $c"
    k __complete options "$c"
    for o in $out; do
        grep -qF -- "$(roff "$o")" "$MAN" || missing+=" $c:$o"
    done
    if [ "$c" != help ]; then
        k help "$c"
        help=$out
        k __complete options "$c"
        for o in $out; do
            [ "$c:$o" = add:--title ] && continue # shared with edit; add takes the title as its argument
            grep -qF -- "$o" <<<"$help" || missing+=" help-$c:$o"
        done
    fi
done <commands
check "every command and option is in kura.1 and in its help (missing:${missing:- none})" test -z "$missing"

missing=""
for v in $(grep -rhoE 'getenv\("[A-Z_]+"\)' "$SRC"/cli "$SRC"/vault "$SRC"/recovery "$SRC"/import | sed 's/getenv("//; s/")//' | sort -u) \
    XDG_DATA_HOME XDG_STATE_HOME WAYLAND_DISPLAY DISPLAY; do
    grep -qF -- "$(roff "$v")" "$MAN" || grep -qF -- "$v" "$MAN" || missing+=" $v"
done
check "every environment variable is in kura.1 (missing:${missing:- none})" test -z "$missing"

missing=""
for key in $(grep -oE 'strcmp\(key, "[a-z_]+"\)' "$SRC/cli/config.c" | sed 's/.*"\(.*\)")/\1/' | sort -u); do
    grep -qF -- "\\fB$key\\fR" "$MAN" || missing+=" $key"
done
check "every config key is in kura.1 (missing:${missing:- none})" test -z "$missing"

missing=""
for code in 0 1 2 3 4 5 6 7 8 9; do
    sed -n '/^\.SH "EXIT STATUS"/,/^\.SH/p' "$MAN" | grep -qx ".B $code" || missing+=" $code"
done
check "every exit status is in kura.1 (missing:${missing:- none})" test -z "$missing"
check "kura.1 renders without warnings" bash -c "! LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l '$MAN' 2>&1 >/dev/null | grep -q ."

finish
