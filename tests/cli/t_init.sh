# kura init: creating a vault, showing the key once, and refusing what it must refuse.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"

# Default path under XDG data, 0600 in a 0700 folder, key shown grouped, once.
k init --name Personal
expect "init on the default path" 0
default="$HOME/.local/share/kura/vault.kura"
check "vault file made" test -f "$default"
check "vault file is 0600" mode_is 600 "$default"
check "vault folder is 0700" mode_is 700 "$(dirname "$default")"
check "key shown grouped" grep -qE '^    [0-9A-Z]{6}(-[0-9A-Z]{6}){5}$' "$T/.out"
check "tells the user to keep it" out_has "shown only now"
check "shows the vault id" grep -qE '^Vault id: [0-9A-Z]{26}$' "$T/.out"
check "one file at rest" test "$(ls -A "$(dirname "$default")")" = vault.kura
check "this device's record of the vault's state" \
    test -f "$HOME/.local/state/kura/$(sed -n 's/^Vault id: //p' "$T/.out").seen"
check "init says where the kit is" out_has "Saved your emergency kit"
check "the kit is in the download folder" test -f "$HOME/Downloads/Kura client key "*.pdf
check "a download folder made for it is 0700" mode_is 700 "$HOME/Downloads"

# A second init never touches the first vault.
before=$(sum "$default")
k init
expect "init twice refuses" 1 "already exists"
check "first vault unchanged" test "$(sum "$default")" = "$before"

# --json: the one time the key is printed on purpose; no kit files yet.
k --vault "$T/j.kura" init --json
expect "init --json" 0
check "json has a client key" json_ok '.client_key | test("^[0-9A-Z]{6}(-[0-9A-Z]{6}){5}$")'
check "json has a vault id" json_ok '.vault_id | length == 26'
check "json lists the two kit files" json_ok '(.kit | length == 2) and (.kit[0] | endswith(".pdf")) and (.kit[1] | endswith(".png"))'
check "the kit files are there, 0600" bash -c "for f in \"\$(jq -r '.kit[0]' '$T/.out')\" \"\$(jq -r '.kit[1]' '$T/.out')\"; do [ \"\$(stat -c %a \"\$f\")\" = 600 ] || exit 1; done"
k --vault "$T/nokit.kura" init --json --no-kit
check "--no-kit: kit is an empty list" json_ok '.kit == []'
k --vault "$T/nodir.kura" init --kit-dir "$T/no/such/dir"
expect "a kit folder that cannot be made" 5 "cannot make the folder $T/no/such/dir"
check "and no vault made without its kit" test ! -e "$T/nodir.kura"
# The download folder as xdg-user-dirs names it (a desktop in another language).
mkdir -p "$HOME/.config"
printf '# written by xdg-user-dirs-update\nXDG_DESKTOP_DIR="$HOME/Bureau"\nXDG_DOWNLOAD_DIR="$HOME/Téléchargements"\n' >"$HOME/.config/user-dirs.dirs"
k --vault "$T/xdg.kura" init --json
expect "init with a download folder named by user-dirs.dirs" 0
check "the kit goes there" json_ok '.kit[0] | startswith("'"$HOME/Téléchargements/"'")'
check "which is made, with a note" err_has "made the folder $HOME/Téléchargements"
rm "$HOME/.config/user-dirs.dirs"

# KURA_VAULT picks the file; XDG_DATA_HOME moves the default.
KURA_VAULT="$T/env.kura" k init --json
expect "init with KURA_VAULT" 0
check "KURA_VAULT honoured" test -f "$T/env.kura"
XDG_DATA_HOME="$T/xdg" k init --json
expect "init with XDG_DATA_HOME" 0
check "XDG_DATA_HOME honoured" test -f "$T/xdg/kura/vault.kura"

# Failure twins: a path that cannot be made, a bad name.
touch "$T/afile"
k --vault "$T/afile/v.kura" init
expect "init under a file fails" 1 "cannot create a vault"
k --vault "$T/bad.kura" init --name "$(printf 'bad\xffname')"
expect "init with a non-UTF-8 name" 2 "UTF-8"
check "nothing left after a failed init" test ! -e "$T/bad.kura"
k --vault "$T/n.kura" init extra-arg
expect "init with a stray argument" 2 "too many arguments"

# Keys differ each time.
k --vault "$T/a1.kura" init --json
a=$(jq -r .client_key <<<"$out")
k --vault "$T/a2.kura" init --json
b=$(jq -r .client_key <<<"$out")
check "two vaults, two keys" test "$a" != "$b"

finish
