# Secret hygiene: canary values given to kura never appear in any file it leaves behind (the
# vault, the runtime folder, HOME), nor in its errors; no journal is left; modes are private.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

new_vault v
export KURA_VAULT=$T/v.kura
key=$(cat v.key)
title=CanaryTitleQ7X username=canary-user-Z9 password=CanaryPassword-K3 note=CanaryNote-W2
url=https://canary-url-R5.example tag=canarytag-P8 field=CanaryFieldValue-M4

# Every secret reaches kura on stdin, never in a file of ours that could be found later.
k_in "$key" unlock --key-file -
eval "$out"
k_in "$password" add "$title" --username "$username" --url "$url" --tag "$tag" --password-file -
expect "add the canary item" 0
k_in "$note" edit "$title" --notes-file -
k_in "$field" edit "$title" --hidden-field-file "secret=-"
k get "$title" --reveal
check "the canary item reads back" out_has "$field"
k ls
k search canary
k edit "$title" --add-tag second
k status
k lock
k_in "$key" get "$title" --key-file -
expect "get with the key on stdin" 0
k_in "wrong" get "$title" --key-file -
expect "a bad key on stdin" 4
check "errors hold no secret" err_lacks "$password"

leaks=0
for c in "$title" "$username" "$password" "$note" "$url" "$tag" "$field" "$key" "${key//-/}"; do
    hex=$(printf '%s' "$c" | od -An -tx1 | tr -d ' \n')
    hits=$(grep -rlaF -- "$c" "$HOME" "$XDG_RUNTIME_DIR" "$T/v.kura" 2>/dev/null)
    hexhits=$(grep -rlaF -- "$hex" "$HOME" "$XDG_RUNTIME_DIR" "$T/v.kura" 2>/dev/null)
    if [ -n "$hits$hexhits" ]; then
        leaks=$((leaks + 1))
        echo "leak of ${c:0:12}... in: $hits $hexhits"
    fi
done
check "no canary in any file kura left" test "$leaks" = 0
check "the vault is really there (grep works)" grep -qa "SQLite format 3" "$T/v.kura"
check "no journal left" test -z "$(ls "$T" | grep -E -- '-(journal|wal|shm)$')"
check "vault 0600" mode_is 600 "$T/v.kura"
check "runtime folder 0700" mode_is 700 "$XDG_RUNTIME_DIR/kura"
check "no session blob after lock" test -z "$(ls "$XDG_RUNTIME_DIR/kura")"

finish
