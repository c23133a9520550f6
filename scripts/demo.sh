#!/usr/bin/env bash
# kura's main job on a demo vault: installs what is missing, builds, then creates a vault
# (and its emergency kit), unlocks it for this shell, stores, imports and fetches logins,
# checks the vault and the kit, and locks again. Everything lives
# in ./demo (a throwaway HOME), never in your real one.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" >/dev/null

rm -rf demo
mkdir -p demo/home demo/run
chmod 700 demo/run
export HOME=$PWD/demo/home XDG_RUNTIME_DIR=$PWD/demo/run PATH=$PWD/build:$PATH
unset KURA_VAULT KURA_SESSION KURA_CLIENT_KEY_FILE XDG_DATA_HOME

show() {
    printf '\n$ %s\n' "$*"
    "$@"
}

show kura init --name Demo --kit-dir demo | tee demo/init.txt
# A demo keeps its key in a file so this script can go on; you would keep yours on paper.
grep -oE '[0-9A-Z]{6}(-[0-9A-Z]{6}){5}' demo/init.txt >demo/client-key.txt
printf '\n$ eval "$(kura unlock --key-file demo/client-key.txt)"\n'
eval "$(kura unlock --key-file demo/client-key.txt)"
show kura add GitHub --username alice --url https://github.com --tag work --generate
printf 'correct horse battery staple\n' | {
    printf '\n$ printf ... | kura add "Bank" --username alice.b --password-file -\n'
    kura add Bank --username alice.b --url https://bank.example --tag money --password-file -
}
show kura add "Mail" --username alice@example.com --url https://mail.example --generate --words 5
# Moving in: a list of logins in kura's JSON (what `kura get --json --reveal` prints).
cat >demo/logins.json <<'JSON'
[
  {"title": "Router", "username": "admin", "password": "hunter2-but-longer",
   "urls": ["http://192.168.1.1"], "tags": ["home"], "notes": "the one in the hall"},
  {"title": "Library", "username": "A1234567", "password": "7 hidden books",
   "urls": ["https://library.example"], "fields": [{"name": "PIN", "value": "4821", "hidden": true}]}
]
JSON
show kura import demo/logins.json
show kura ls
show kura search git
show kura get GitHub
show kura get Bank --field password
show kura status
show kura check
show kura kit check demo/KURA_CLIENT_KEY_EMERGENCY_KIT*.png
printf '\n$ eval "$(kura lock)"\n'
eval "$(kura lock)"
printf '\n$ kura ls   # locked again, and no terminal to ask: exit 8\n'
setsid -w kura ls </dev/null || echo "(exit $?)"
