#!/usr/bin/env bash
# bench/sync_peers.sh: kura's sync beside its peers, same data, same machine, one run.
#
#   bash bench/sync_peers.sh     (about 15 minutes: pass needs one gpg run per entry)
#
# 1. One change carried to another device, at 10,000 entries: kura (edit, sync; sync on the
#    other device, a bare git repository as the remote) against pass with git (pass insert,
#    which commits; pass git push; pass git pull on the other clone). hyperfine medians.
# 2. Two copies of 100,000 entries that each changed 1,000 (500 the same entries) merged:
#    kura's sync against keepassxc-cli merge of the two databases. One timed run each.
# Prints a table with the ratios, and the command that reproduces it.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
small=${SMALL:-10000}
large=${LARGE:-100000}
bash "$ROOT/scripts/deps.sh" --others
. "$ROOT/bench/build.sh"
build_kura kura-cli kura-kit kura-import
W=$(mktemp -d /tmp/kura-peers.XXXXXX)
RUN=$(mktemp -d /dev/shm/kura-peers.XXXXXX 2>/dev/null || mktemp -d "$W/run.XXXXXX")
trap 'rm -rf "$W" "$RUN"' EXIT
chmod 700 "$RUN"
unset XDG_DATA_HOME XDG_CONFIG_HOME XDG_STATE_HOME KURA_SESSION KURA_VAULT
export KURA_CLIENT_KEY_FILE=$W/key GNUPGHOME=$W/gnupg
mkdir -m 700 "$GNUPGHOME" "$RUN/a" "$RUN/b"
mkdir -p "$W/a" "$W/b"
OUT=$W/table
: >"$OUT"
ms() { jq '.results[0].median * 1000 | . * 10 | round / 10' "$1"; }

# ---- 1. one change, 10,000 entries ----
mkdir -p "$W/small"
python3 "$ROOT/bench/gen.py" "$small" "$W/small" >/dev/null
git init -q --bare "$W/kura.git"
ka() { env HOME="$W/a" XDG_RUNTIME_DIR="$RUN/a" "$K" "$@"; }
kb() { env HOME="$W/b" XDG_RUNTIME_DIR="$RUN/b" "$K" "$@"; }
ka init --no-kit --json | jq -r .client_key >"$W/key"
ka import "$W/small/items.json" >/dev/null
ka remote add "$W/kura.git" >/dev/null
ka sync >/dev/null
kb clone "$W/kura.git" >/dev/null
title=$(jq -r '.[5].title' "$W/small/items.json")
printf 'changed\n' >"$W/pw"
echo "== $small entries: kura, one change from device A to device B" >&2
hyperfine --runs 10 --warmup 1 --export-json "$W/k1.json" \
    "env HOME=$W/a XDG_RUNTIME_DIR=$RUN/a $K edit '$title' --password-file $W/pw && env HOME=$W/a XDG_RUNTIME_DIR=$RUN/a $K sync && env HOME=$W/b XDG_RUNTIME_DIR=$RUN/b $K sync" >/dev/null 2>&1

echo "== $small entries: pass with git (one gpg run an entry to build the store)" >&2
cat >"$W/gpg.batch" <<EOF
%no-protection
Key-Type: EDDSA
Key-Curve: ed25519
Subkey-Type: ECDH
Subkey-Curve: cv25519
Name-Real: bench
Name-Email: bench@example.org
Expire-Date: 0
EOF
gpg --batch --quiet --generate-key "$W/gpg.batch" 2>/dev/null
git init -q --bare "$W/pass.git"
export PASSWORD_STORE_DIR=$W/pass-a
pass init bench@example.org >/dev/null
# The store as pass insert writes it (NAME.gpg, encrypted to the store's key), made with gpg
# directly on every core, then one commit of it all: a pass insert an entry (and a commit
# each) would take most of an hour, and is not what is measured.
python3 - "$W/small/items.tsv" "$PASSWORD_STORE_DIR" <<'PY'
import subprocess, sys, concurrent.futures, os
rows = [l.rstrip("\n").split("\t", 1) for l in open(sys.argv[1])]
def enc(row):
    name, body = row
    subprocess.run(["gpg", "--batch", "--quiet", "--yes", "--trust-model", "always", "-e",
                    "-r", "bench@example.org", "-o", os.path.join(sys.argv[2], name + ".gpg")],
                   input=body.replace("\\n", "\n").encode() + b"\n", check=True)
with concurrent.futures.ThreadPoolExecutor(os.cpu_count() * 2) as ex:
    list(ex.map(enc, rows))
PY
pass git init >/dev/null 2>&1
git -C "$PASSWORD_STORE_DIR" config user.name bench
git -C "$PASSWORD_STORE_DIR" config user.email bench@example.org
git -C "$PASSWORD_STORE_DIR" remote add origin "$W/pass.git"
git -C "$PASSWORD_STORE_DIR" push -q -u origin HEAD 2>/dev/null
git clone -q "$W/pass.git" "$W/pass-b" 2>/dev/null
entry=$(head -1 "$W/small/items.tsv" | cut -f1)
hyperfine --runs 10 --warmup 1 --export-json "$W/p1.json" \
    "printf 'changed\n' | PASSWORD_STORE_DIR=$W/pass-a pass insert -f -e '$entry' >/dev/null && git -C $W/pass-a push -q origin HEAD && git -C $W/pass-b pull -q" >/dev/null 2>&1
k1=$(ms "$W/k1.json")
p1=$(ms "$W/p1.json")
printf '| one change carried to another device, %s entries, git remote | %s ms | pass + git: %s ms | %s× |\n' \
    "$small" "$k1" "$p1" "$(python3 -c "print(round($p1 / $k1, 1))")" >>"$OUT"

# ---- 2. two copies that changed 1,000 entries each, merged ----
echo "== $large entries: two copies, 1,000 changes each" >&2
mkdir -p "$W/large"
python3 "$ROOT/bench/gen.py" "$large" "$W/large" >/dev/null
python3 - "$W/large" <<'EOF'
import json, sys, time, base64, re
d = sys.argv[1]
items = json.load(open(f"{d}/items.json"))
now = int(time.time()) + 5
xml = open(f"{d}/items.xml").read()
for name, first in (("a", 1000), ("b", 1500)):
    out = []
    for i in range(first, first + 1000):
        it = dict(items[i]); it["password"] = f"{name}-{i}"; it["updated"] = now; out.append(it)
    json.dump(out, open(f"{d}/{name}-changes.json", "w"))
    # The same entries in KeePass XML: those 1,000 with the new password and a newer time.
    lines = xml.split("\n")
    for i in range(first, first + 1000):
        uuid = base64.b64encode((i + 1).to_bytes(16, "big")).decode()
        for k, line in enumerate(lines):
            if line.startswith(f"<Entry><UUID>{uuid}</UUID>"):
                line = re.sub(r'(<Key>Password</Key><Value ProtectInMemory="True">)[^<]*',
                              r"\g<1>" + f"{name}-{i}", line)
                line = line.replace("</Entry>", "<Times><LastModificationTime>"
                                    + time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
                                    + "</LastModificationTime></Times></Entry>")
                lines[k] = line
                break
    open(f"{d}/{name}.xml", "w").write("\n".join(lines))
EOF
rm -rf "$W/a" "$W/b" "$RUN/a"/* "$RUN/b"/*
mkdir -p "$W/a" "$W/b"
git init -q --bare "$W/large.git"
ka init --no-kit --json | jq -r .client_key >"$W/key"
ka import "$W/large/items.json" >/dev/null
ka remote add "$W/large.git" >/dev/null
ka sync >/dev/null
kb clone "$W/large.git" >/dev/null
ka import "$W/large/a-changes.json" >/dev/null
kb import "$W/large/b-changes.json" >/dev/null
ka sync >/dev/null
/usr/bin/time -f %e -o "$W/k2" env HOME="$W/b" XDG_RUNTIME_DIR="$RUN/b" "$K" sync >/dev/null
printf 'benchpw\nbenchpw\n' | keepassxc-cli import -q -p "$W/large/a.xml" "$W/a.kdbx" >/dev/null 2>&1
printf 'benchpw\nbenchpw\n' | keepassxc-cli import -q -p "$W/large/b.xml" "$W/b.kdbx" >/dev/null 2>&1
/usr/bin/time -f %e -o "$W/x2" sh -c "printf 'benchpw\n' | keepassxc-cli merge -q -s '$W/a.kdbx' '$W/b.kdbx'" >/dev/null 2>&1
k2=$(tail -1 "$W/k2")
x2=$(tail -1 "$W/x2")
printf '| two copies of %s entries, 1,000 changes each, merged | %s s | keepassxc-cli merge: %s s | %s× |\n' \
    "$large" "$k2" "$x2" "$(python3 -c "print(round($x2 / $k2, 1))")" >>"$OUT"
{
    echo
    echo "Sync beside the peers ($(nproc) cores; $(date -u +%Y-%m-%d)); reproduce: bash bench/sync_peers.sh"
    echo
    echo "| | kura | peer | peer / kura |"
    echo "|---|---|---|---|"
    cat "$OUT"
}
