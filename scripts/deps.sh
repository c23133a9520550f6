#!/usr/bin/env bash
# Installs what kura needs to build and test on Debian 12, skipping what is already there.
# Run as root (or it uses sudo). Packages only; nothing is downloaded from elsewhere.
set -euo pipefail

build_pkgs=(build-essential cmake pkg-config
    libsodium-dev libsqlite3-dev libqrencode-dev libpng-dev libcairo2-dev libjansson-dev
    libhpdf-dev libzbar-dev libjpeg-dev libpoppler-glib-dev fontconfig fonts-dejavu-core
    fonts-ipafont-gothic)
test_pkgs=(libcmocka-dev sqlite3 jq python3 faketime util-linux clang libclang-rt-14-dev
    zbar-tools qpdf poppler-utils imagemagick qrencode valgrind)

want=("${build_pkgs[@]}")
[ "${1:-}" = "--test" ] && want+=("${test_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=
[ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "kura: installing ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
