#!/usr/bin/env bash
# Customer import benchmark: a generated CSV of ROWS customers (default 100,000, 1% of them
# bad) imported into a fresh, empty sandbox with no rate limiting. Prints wall time,
# throughput and peak memory against the 100 MB target, then checks the outcome: exactly
# the bad rows reported, each by its line, and every good row stored (read back with
# `customers export`). Exits 1 when a check fails or memory is over the target.
#
#   scripts/bench-customers.sh                 # release build, 100,000 rows
#   ROWS=10000 MERCFG_BIN=target/debug/mercfg scripts/bench-customers.sh
set -euo pipefail
cd "$(dirname "$0")/.."

rows=${ROWS:-100000}
parallelism=${PARALLELISM:-8}
target_mb=100
bin=${MERCFG_BIN:-}
if [[ -z "$bin" ]]; then
    cargo build --release --quiet
    bin=target/release/mercfg
fi

work=$(mktemp -d)
sandbox_pid=
cleanup() {
    if [[ -n "$sandbox_pid" ]]; then kill "$sandbox_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# A free loopback port: bind to 0 and read back what the kernel chose.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
key=bench-key-$RANDOM$RANDOM
"$bin" sandbox serve --addr "127.0.0.1:$port" --db "$work/sandbox.db" --api-key "$key" \
    --seed-customers 0 >"$work/sandbox.log" 2>&1 &
sandbox_pid=$!
for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.1
done

# Two custom fields, so that rows can carry values of the wrong type or unknown options.
endpoint="http://127.0.0.1:$port"
for field in '{"key": "compras", "name": "Compras", "type": "integer"}' \
    '{"key": "tipo", "name": "Tipo", "type": "list", "options": ["Mayorista", "Minorista"]}'; do
    curl -sf -X POST "$endpoint/retailers/api/v1/custom_fields" -H "api-key: $key" \
        -H 'content-type: application/json' -d "{\"custom_field\": $field}" >/dev/null
done

# Every 100th row is bad, cycling through a malformed phone, a malformed email, an unknown
# tag, a broken CSV row, a value of the wrong type and an option that does not exist; the
# rest are new customers with unique phones and emails. Row i is on line i + 1.
awk -v rows="$rows" 'BEGIN {
    print "first_name,last_name,email,phone,tags,compras,tipo"
    for (i = 1; i <= rows; i++) {
        phone = sprintf("+5939%08d", i); email = sprintf("bench%d@example.ec", i)
        if (i % 100 == 0) {
            kind = (i / 100) % 6
            if (kind == 0) print "Bad,Phone," email ",12x,,,"
            else if (kind == 1) print "Bad,Email,bench" i "@,"  phone ",,,"
            else if (kind == 2) print "Bad,Tag," email "," phone ",NoSuchTagInBench,,"
            else if (kind == 3) print "Bad,Broken," email
            else if (kind == 4) print "Bad,Type," email "," phone ",,muchas,"
            else print "Bad,Option," email "," phone ",,,Distribuidor"
        } else {
            printf "Cliente %d,Apellido %d,%s,%s,,%d,%s\n", i, i, email, phone, i % 50,
                (i % 2 ? "Mayorista" : "Minorista")
        }
    }
}' >"$work/customers.csv"
echo "generated $(($(wc -l <"$work/customers.csv") - 1)) rows ($(du -h "$work/customers.csv" | cut -f1))" >&2

export MERCATELY_API_KEY=$key
status=0
/usr/bin/time -v "$bin" customers import "$work/customers.csv" \
    --endpoint "$endpoint" --rate-limit 1000000 --parallelism "$parallelism" \
    2>"$work/import.log" || status=$?

grep -E '^(imported|dry run):' "$work/import.log" >&2 || { cat "$work/import.log" >&2; exit 1; }
skipped=$(grep -c '^skipped line' "$work/import.log" || true)
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/import.log")
peak_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/import.log")
seconds=$(awk -v t="$wall" 'BEGIN { n = split(t, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }')
peak_mb=$(awk -v kb="$peak_kb" 'BEGIN { printf "%.1f", kb / 1024 }')
rate=$(awk -v r="$rows" -v s="$seconds" 'BEGIN { printf "%.0f", (s > 0 ? r / s : 0) }')
verdict=$(awk -v mb="$peak_mb" -v t="$target_mb" 'BEGIN { print (mb < t ? "within" : "OVER") }')

echo "rows:          $rows ($skipped reported bad, exit status $status)"
echo "wall time:     $wall ($rate rows/s, parallelism $parallelism)"
echo "peak memory:   $peak_mb MB ($verdict the $target_mb MB target)"

# The outcome: the bad lines reported are exactly lines 101, 201, ...; every other row is
# stored, once.
failed=0
bad_rows=$((rows / 100))
seq 101 100 $((bad_rows * 100 + 1)) >"$work/expected-lines"
sed -n 's/^skipped line \([0-9]*\).*/\1/p' "$work/import.log" | sort -n >"$work/reported-lines"
if ! cmp -s "$work/expected-lines" "$work/reported-lines"; then
    echo "FAIL: the lines reported bad are not exactly every 100th row:" >&2
    diff "$work/expected-lines" "$work/reported-lines" | head >&2
    failed=1
fi
"$bin" customers export --out "$work/stored.csv" --endpoint "$endpoint" \
    --rate-limit 1000000 2>/dev/null
stored=$(($(wc -l <"$work/stored.csv") - 1))
echo "stored:        $stored customers ($((rows - bad_rows)) good rows)"
if [[ "$stored" -ne $((rows - bad_rows)) ]]; then
    echo "FAIL: $stored customers stored, $((rows - bad_rows)) good rows" >&2
    failed=1
fi
if [[ "$status" -ne 1 ]]; then
    echo "FAIL: the import exited $status; a run with bad rows exits 1" >&2
    failed=1
fi
if [[ "$verdict" == OVER ]]; then failed=1; fi
awk '/^skipped line/ && shown++ < 6' "$work/import.log" >&2
exit "$failed"
