#!/usr/bin/env bash
# bench/recover.sh: how long `kura recover` takes to look through a photo library for the kit.
#
#   bash bench/recover.sh                         500 photos of 4000x3000 (12 MP, as a phone)
#   bash bench/recover.sh --photos 200 --size 2000x1500
#   bash bench/recover.sh --quick                 40 photos of 1600x1200: a smoke run
#
# A fake HOME: the photos in Pictures/DCIM/Camera (JPEG, quality 85, each a different picture),
# and a phone photo of the kit among them, the oldest, so it is read last (newest first).
# Prints hyperfine's median for `kura recover --json`, how many images it looked at, and that
# it found the kit; reproduce with the command it prints.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
n=500 size=4000x3000 runs=3
while [ $# -gt 0 ]; do
    case $1 in
    --photos) n=$2 && shift ;;
    --size) size=$2 && shift ;;
    --quick) n=40 size=1600x1200 runs=2 ;;
    *) echo "usage: bench/recover.sh [--photos N] [--size WxH] [--quick]" >&2; exit 2 ;;
    esac
    shift
done
bash "$ROOT/scripts/deps.sh" --bench
command -v convert >/dev/null || { echo "bench/recover.sh needs ImageMagick (deps.sh --test)" >&2; exit 1; }
. "$ROOT/bench/build.sh"
build_kura kura-cli kura-kit
W=$(mktemp -d /tmp/kura-recover-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
export HOME=$W/home
unset KURA_VAULT KURA_SESSION XDG_DATA_HOME XDG_CONFIG_HOME XDG_STATE_HOME
mkdir -p "$HOME/Pictures/DCIM/Camera" "$W/kit"
"$K" init --no-kit >/dev/null 2>&1 || true
"$K" init --kit-dir "$W/kit" --json >"$W/init.json" 2>/dev/null || {
    rm -f "$HOME/.local/share/kura/vault.kura"
    "$K" init --kit-dir "$W/kit" --json >"$W/init.json"
}
echo "== $n photos of $size" >&2
convert -size "$size" plasma:fractal -quality 85 "$W/base.jpg"
seq 1 "$n" | xargs -P "$(nproc)" -I{} sh -c \
    'convert "$0" -modulate 100,$((70 + {} % 60)),$((40 + {} % 120)) -quality 85 "$1/IMG_$((1000 + {})).jpg"' \
    "$W/base.jpg" "$HOME/Pictures/DCIM/Camera"
png=$(ls "$W"/kit/*.png | head -1)
convert "$png" -resize 60% -background white -rotate 5 -quality 80 "$HOME/Pictures/DCIM/Camera/IMG_0999.jpg"
touch -d '2 years ago' "$HOME/Pictures/DCIM/Camera/IMG_0999.jpg"
cd "$W"
hyperfine -N --runs "$runs" --warmup 1 --export-json "$W/h.json" "$K recover --json" >/dev/null 2>&1 || true
"$K" recover --json >"$W/r.json" || true
s=$(jq '.results[0].median | . * 100 | round / 100' "$W/h.json")
echo
echo "kura recover, $n photos of $size and the kit's photo read last ($(nproc) cores; $(date -u +%Y-%m-%d))"
echo "reproduce: bash bench/recover.sh --photos $n --size $size"
echo
echo "| figure | kura |"
echo "|---|---|"
echo "| \`kura recover --json\`, median of $runs | $s s |"
echo "| images and PDFs looked at | $(jq .images_looked_at "$W/r.json") |"
echo "| the kit's photo found, and it opens the vault | $(jq -r '[.kits[] | select(.status == "opens")] | length == 1' "$W/r.json") |"
