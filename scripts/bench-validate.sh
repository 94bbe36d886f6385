#!/usr/bin/env bash
# Times `mercfg validate` (release build) on a generated manifest of 5,000 members, 2,000 tags,
# 500 custom fields and 500 customer lists, and compares wall time and peak memory with the
# targets: 1 s and 100 MB.
set -euo pipefail
cd "$(dirname "$0")/.."

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
manifest="$work/large.yaml"
python3 scripts/generate-large-manifest.py > "$manifest"
printf 'generated %s (%s bytes)\n' "$manifest" "$(wc -c < "$manifest")" >&2

cargo build --release --quiet
binary=target/release/mercfg

# GNU time reports peak resident memory; without it, only wall time is measured.
if [ -x /usr/bin/time ]; then
  /usr/bin/time -f '%e %M' -o "$work/usage" "$binary" validate --color never "$manifest"
  read -r seconds kilobytes < "$work/usage"
else
  start=$(date +%s.%N)
  "$binary" validate --color never "$manifest"
  seconds=$(echo "$(date +%s.%N) - $start" | bc)
  kilobytes=0
fi

awk -v s="$seconds" -v kb="$kilobytes" 'BEGIN {
  mb = kb / 1024
  printf "wall time   %.3f s   (%.2fx of the 1 s target)\n", s, s / 1.0
  if (kb > 0) printf "peak memory %.1f MB  (%.2fx of the 100 MB target)\n", mb, mb / 100.0
}'
