#!/usr/bin/env bash
# Makes the fuzzing seed corpus with the real binary: keys, kit payloads, a small vault (and
# its key), a session blob and a device slot, kit images. Run once; the output is committed.
# usage: KURA=build/kura bash tests/fuzz/make_corpus.sh
set -euo pipefail
cd "$(dirname "$0")"
: "${KURA:?set KURA to the kura binary}"
KURA=$(realpath "$KURA")
rm -rf corpus && mkdir -p corpus/{key,payload,vault,blobs,image}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export HOME=$T/home XDG_RUNTIME_DIR=$T/run
mkdir -p "$HOME" && mkdir -m 700 "$XDG_RUNTIME_DIR"
"$KURA" --vault "$T/v.kura" init --name seed --kit-dir "$T" --json >"$T/init.json"
key=$(jq -r .client_key "$T/init.json")
id=$(jq -r .vault_id "$T/init.json")
printf '%s\n' "$key" >"$T/key"
for t in GitHub Bank; do printf 'pw-%s\n' "$t" | "$KURA" --vault "$T/v.kura" add "$t" \
    --username me --url "https://$t.example" --tag t --field a=b --password-file - --key-file "$T/key" >/dev/null; done
printf '%s' "$key" >corpus/key/valid
printf '%s' "$key" | tr 'A-Z-' 'a-z ' >corpus/key/forgiving
printf '%s' "${key:0:40}" >corpus/key/short
printf 'KURA1:%s:%s' "$id" "$key" >corpus/payload/valid
printf 'KURA1:%s:%s\n' "$id" "${key:0:30}" >corpus/payload/short
cp "$T/v.kura" corpus/vault/seed.kura
printf '%s\n' "$key" >corpus/vault.key
"$KURA" --vault "$T/v.kura" unlock --key-file "$T/key" >/dev/null 2>&1
blob=$(ls "$XDG_RUNTIME_DIR/kura" | head -1)
{ printf '\001'; cat "$XDG_RUNTIME_DIR/kura/$blob"; } >corpus/blobs/session
printf 'fuzz seed pass\n' >"$T/pass"
"$KURA" --vault "$T/v.kura" device enroll --key-file "$T/key" --passphrase-file "$T/pass" >/dev/null
{ printf '\000'; cat "$HOME/.local/share/kura/devices/$id.device"; } >corpus/blobs/device
convert "$T"/KURA_CLIENT_KEY_EMERGENCY_KIT*.png -resize 30% -colors 2 corpus/image/kit.png
convert corpus/image/kit.png -quality 60 corpus/image/kit.jpg
for f in kit.heic kit.webp kit.tiff kit.gif; do convert corpus/image/kit.png -quality 50 "corpus/image/$f"; done
convert corpus/image/kit.png -colorspace CMYK -quality 60 corpus/image/cmyk.jpg
cp "$T"/Kura\ client\ key\ *.pdf corpus/image/kit.pdf
ls -la corpus/*
