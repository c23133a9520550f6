# The library talks in codes, the CLI in words: no file of vault/, recovery/ or import/ prints,
# prompts or exits, and no message of theirs names a CLI flag (the CLI adds the way out, by
# the error's code). The kit's printed text (recovery/kit_layout.c) is content, not a message:
# it tells people the commands to run.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"
SRC=${KURA_SOURCE:?}
cd "$SRC" || exit 1
lib=$(ls vault/*.c recovery/*.c import/*.c)
printing=$(grep -nE '(^|[^a-z_])(printf|fprintf|puts|fputs|putchar|perror|exit|_exit|abort)[[:space:]]*\(' $lib |
    grep -vE 'snprintf|vsnprintf' || true)
check "no library file prints or exits (found: ${printing:-none})" test -z "$printing"
flags=$(grep -nE '"[^"]*--[a-z][a-z-]*[^"]*"' $(ls $lib | grep -v recovery/kit_layout.c) || true)
check "no library message names a CLI flag (found: ${flags:-none})" test -z "$flags"
check "the CLI decides by codes, not by the library's words" \
    bash -c "! grep -nE 'strstr\((detail|kura_vault_error)' cli/*.c"
cd "$T" || exit 1
finish
