#!/usr/bin/env bash
# Installs what kura needs to build and test on Debian 12, skipping what is already there.
# Run as root (or it uses sudo). Packages only; nothing is downloaded from elsewhere.
set -euo pipefail

build_pkgs=(build-essential cmake pkg-config
    libsodium-dev libsqlite3-dev libqrencode-dev libpng-dev libcairo2-dev libfontconfig-dev libjansson-dev
    libhpdf-dev libgfshare-dev libkeyutils-dev libzxcvbn-dev nettle-dev libgit2-dev libssh2-1-dev libzbar-dev libvips-dev libpoppler-glib-dev liboath-dev libcsv-dev libxml2-dev libzip-dev zlib1g-dev liburiparser-dev
    fontconfig fonts-dejavu-core
    fonts-ipafont-gothic)
test_pkgs=(libcmocka-dev sqlite3 jq python3 faketime util-linux clang clang-format libclang-rt-14-dev
    keyutils zbar-tools qpdf poppler-utils imagemagick qrencode valgrind oathtool keepassxc syncthing git python3-jsonschema openssh-server openssl
    xvfb xauth xclip xsel zsh fish)

# The benchmark (bench/run.sh): hyperfine and GNU time; --others adds the tools it compares
# kura with (keepassxc-cli, pass and the gpg it needs).
bench_pkgs=(hyperfine time jq sqlite3 python3 strace)
others_pkgs=(keepassxc pass gnupg)

want=("${build_pkgs[@]}")
for arg in "$@"; do
    case $arg in
    --test) want+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;; # the suite runs bench/run.sh --quick
    --bench) want+=("${bench_pkgs[@]}") ;;
    --others) want+=("${bench_pkgs[@]}" "${others_pkgs[@]}") ;;
    *) echo "usage: deps.sh [--test] [--bench] [--others]" >&2; exit 2 ;;
    esac
done

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
