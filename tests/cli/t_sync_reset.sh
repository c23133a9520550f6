# A reset on a synced vault reaches the remote: kura reset destroys the vault's files there
# too (a folder: removed; git: a new history, pushed with force) and leaves a reset record;
# kura reset --remote URL does it with no vault file and no key. Other devices see the record
# at their next sync (exit 5), stop syncing, and keep their copy, which still opens.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"


mkdir -p a
HOME=$T/a "$KURA" init --name Family --no-kit --json >a.json
jq -r .client_key a.json >v.key
old=$(jq -r .vault_id a.json)
printf 'pw\n' | HOME=$T/a KURA_CLIENT_KEY_FILE=$T/v.key "$KURA" add Bank --password-file - >/dev/null
mkdir remote
on a remote add "$T/remote"
on a sync
on b clone "$T/remote"
expect "two devices" 0
printf 'a secret\n' >notes
check "the remote holds the vault" test -d "remote/kura-$old"

on a reset --confirm WRONG --no-kit
expect "a wrong confirmation" 9 "does not match"
check "the remote is untouched" test -d "remote/kura-$old"
on a reset --confirm "${old:0:8}" --no-kit --json
expect "a resets its synced vault" 0
new=$(jq -r .vault_id "$T/.out")
check "the remote's files of the old vault are gone" test ! -e "remote/kura-$old"
check "a reset record is left" test -f "remote/RESET-$old"
check "it names both vaults and when" grep -qE "^old vault: $old$" "remote/RESET-$old"
check "and the new one" grep -qxF "new vault: $new" "remote/RESET-$old"
check "nothing secret in it" test "$(wc -l <"remote/RESET-$old")" = 4
on a remote --json
check "the new vault syncs through the same remote" json_ok ".remotes[0].url == \"$T/remote\""

before=$(sha256sum "$T/b/.local/share/kura/vault.kura" | cut -c1-64)
on b sync
expect "b is told at its next sync" 5 "was reset on the remote"
check "with the new vault's id" err_has "the new vault is $new"
check "and how to move its items" err_has "kura export --encrypted"
check "b's copy is untouched" test "$(sha256sum "$T/b/.local/share/kura/vault.kura" | cut -c1-64)" = "$before"
on b get Bank --field password
expect "and still opens" 0
check "with its items" out_is "pw"

# Support's reset: only write access to the remote, no vault, no key.
git init -q --bare repo.git
on b remote add git "$T/repo.git"
on b sync --remote git
expect "b syncs the old vault through git" 0
before_commits=$(git --git-dir=repo.git rev-list --count kura)
mkdir -p s
HOME=$T/s setsid -w "$KURA" reset --remote "$T/repo.git" >"$T/.out" 2>"$T/.err" </dev/null
_capture
expect "without a terminal or --confirm" 9 "--confirm"
HOME=$T/s setsid -w "$KURA" reset --remote "$T/repo.git" --confirm "${old:0:8}" --json >"$T/.out" 2>"$T/.err" </dev/null
_capture
expect "support resets the git remote" 0
check "the receipt" json_ok ".old_vault_id == \"$old\" and .files_destroyed >= 1 and .reset_record"
check "a new history, one commit" test "$(git --git-dir=repo.git rev-list --count kura)" = 1
check "holding only the reset record" test "$(git --git-dir=repo.git ls-tree -r --name-only kura)" = "RESET-$old"
check "the old history is not the branch's" test "$before_commits" -ge 1
on b sync --remote git
expect "b is told through git too" 5 "was reset on the remote"
HOME=$T/s setsid -w "$KURA" reset --remote "$T/repo.git" --confirm x >"$T/.out" 2>"$T/.err" </dev/null
_capture
expect "nothing left to reset" 5 "holds no kura vault"
mkdir empty
HOME=$T/s setsid -w "$KURA" reset --remote "$T/empty" --confirm x >"$T/.out" 2>"$T/.err" </dev/null
_capture
expect "a remote that never held a vault" 5 "holds no kura vault"
finish
