#!/usr/bin/env bash
# Writes src/manifest/timezones.txt, the IANA time zone names a manifest may use (zones
# and their links, one per line, sorted), from the tz database of this machine
# (/usr/share/zoneinfo/tzdata.zi, Debian's tzdata package).
set -euo pipefail
cd "$(dirname "$0")/.."

source=${TZDATA:-/usr/share/zoneinfo/tzdata.zi}
awk '$1 == "Z" { print $2 } $1 == "L" { print $3 }' "$source" | LC_ALL=C sort -u \
    > src/manifest/timezones.txt
echo "wrote $(wc -l < src/manifest/timezones.txt) names to src/manifest/timezones.txt" >&2
