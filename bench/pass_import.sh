#!/usr/bin/env bash
# pass_import.sh TSV: what a pass user does to move in: one `pass insert -m` per login.
# TSV lines: name<TAB>body with \n escapes (bench/gen.py writes them).
set -euo pipefail
while IFS=$'\t' read -r name body; do
    printf '%b\n' "$body" | pass insert -m -f "$name" >/dev/null
done <"$1"
