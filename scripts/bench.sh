#!/usr/bin/env bash
# The performance targets of DESIGN §7, each measured against its floor and printed on one
# line: figure, floor, ratio, target.
#
#   scripts/bench.sh              # plan, apply and offline, release build
#   scripts/bench.sh plan         # or: apply, offline (offline needs the plan's account)
#   LATENCY=25 RATE=50 RUNS=5 PROFILE=release scripts/bench.sh
#
# plan     the large account (2,000 members, 1,000 tags, 300 custom fields, 300 lists, 500
#          quick replies) is applied to a sandbox with no latency, then planned RUNS times
#          against the same data with LATENCY ms added to every answer and no rate limit.
#          Floor: the rounds of requests that wait for one another (read from the
#          sandbox's request counts) times the latency, plus the time `validate` takes.
# apply    2,000 creates on a fresh account with LATENCY and a rate limit of RATE requests
#          per second on the sandbox and the client. Floor: every request the run made,
#          the plan's reads included, divided by RATE.
# offline  validate and diff of the large account with no network (examples/bench_diff.rs
#          over the state the plan benchmark saved): CPU time against 100 ms and peak
#          memory against 100 MB.
#
# Needs python3, curl and jq; GNU time (/usr/bin/time) for the offline peak memory of the
# whole process (otherwise the example's own VmHWM is used).
set -euo pipefail
cd "$(dirname "$0")/.."

latency="${LATENCY:-25}"
rate="${RATE:-50}"
runs="${RUNS:-5}"
profile="${PROFILE:-release}"
what="${1:-all}"
case "$profile" in dev) out_dir=debug ;; *) out_dir="$profile" ;; esac

cargo build --quiet --locked --profile "$profile" --bin mercfg --example bench_diff
bin="$PWD/target/$out_dir/mercfg"
bench_diff="$PWD/target/$out_dir/examples/bench_diff"

work="${BENCH_DIR:-$(mktemp -d)}"
mkdir -p "$work"
sandbox_pid=""
cleanup() {
  if [ -n "$sandbox_pid" ]; then kill "$sandbox_pid" 2>/dev/null || true; fi
  if [ -z "${BENCH_DIR:-}" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT

python3 scripts/generate-large-manifest.py --preset account --slug bench-plan > "$work/account.yaml"
python3 scripts/generate-large-manifest.py --preset apply --slug bench-apply > "$work/apply.yaml"

# Starts `mercfg sandbox serve` on a free port over the database $1 with the extra flags
# given; sets $url.
start_sandbox() {
  local db="$1"
  shift
  "$bin" sandbox serve --addr 127.0.0.1:0 --db "$db" --max-agents 5000 "$@" \
    2> "$work/sandbox.log" &
  sandbox_pid=$!
  for _ in $(seq 100); do
    url="$(grep -o 'http://127.0.0.1:[0-9]*' "$work/sandbox.log" | head -n 1 || true)"
    if [ -n "$url" ]; then return; fi
    sleep 0.1
  done
  echo "the sandbox did not start:" >&2
  cat "$work/sandbox.log" >&2
  exit 1
}

stop_sandbox() {
  kill -INT "$sandbox_pid"
  wait "$sandbox_pid" || true
  sandbox_pid=""
}

# Makes the sandbox account $1 and prints its key.
account_key() {
  curl -sf -X POST "$url/_sandbox/accounts" -H 'content-type: application/json' \
    -d "{\"slug\": \"$1\"}" | jq -r .api_key
}

reset_stats() { curl -sf -X POST "$url/_sandbox/stats/reset" > /dev/null; }

# Rounds of requests that must wait for one another in what the sandbox counted since the
# last reset: /account, every kind's first page and the singletons at once; then the other
# pages of the lists longer than a page; then the list previews.
rounds() {
  curl -sf "$url/_sandbox/stats" | jq '
    [.by_route | to_entries[] | select(.key | startswith("GET ")) | .value] as $reads
    | 1 + (if ($reads | max) > 1 then 1 else 0 end)
        + (if (.by_route["POST /retailers/api/v1/customer_lists/preview"] // 0) > 0
           then 1 else 0 end)'
}

requests() { curl -sf "$url/_sandbox/stats" | jq .total; }

# Wall time of a command in seconds, its output discarded; a failure ends the script.
seconds() {
  local start end
  start=$(date +%s%N)
  "$@" > /dev/null 2> "$work/last.err" || {
    cat "$work/last.err" >&2
    exit 1
  }
  end=$(date +%s%N)
  awk -v ns=$((end - start)) 'BEGIN { printf "%.4f\n", ns / 1e9 }'
}

median() {
  sort -g | awk '{ v[NR] = $1 }
    END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# One result line: name, measured, floor, unit, target ratio, and how the floor was made.
report() {
  awk -v name="$1" -v got="$2" -v floor="$3" -v unit="$4" -v target="$5" -v how="$6" 'BEGIN {
    ratio = got / floor
    verdict = ratio <= target ? "ok" : "OVER"
    printf "%-14s %9.3f %-2s  floor %9.3f %-2s  ratio %5.2f  (target <= %.2f: %s)  %s\n",
      name, got, unit, floor, unit, ratio, target, verdict, how
  }'
}

bench_plan() {
  rm -f "$work"/plan.db*
  start_sandbox "$work/plan.db"
  MERCATELY_API_KEY="$(account_key bench-plan)"
  export MERCATELY_API_KEY
  echo "populating the large account (no latency)..." >&2
  (cd "$work" && "$bin" apply "$work/account.yaml" --endpoint "$url" --rate-limit 100000 \
    --parallelism 16 --auto-approve > "$work/populate.log" 2>&1) || {
    cat "$work/populate.log" >&2
    exit 1
  }
  "$bench_diff" save-state "$url" "$work/state.json"
  stop_sandbox

  start_sandbox "$work/plan.db" --latency "$latency"
  local validate plan count chain
  validate=$(for _ in $(seq "$runs"); do
    seconds "$bin" validate --color never "$work/account.yaml"
  done | median)
  plan=$(for _ in $(seq "$runs"); do
    reset_stats
    seconds "$bin" plan "$work/account.yaml" --endpoint "$url" --rate-limit 100000
  done | median)
  count=$(requests)
  chain=$(rounds)
  stop_sandbox

  local floor
  floor=$(awk -v c="$chain" -v l="$latency" -v v="$validate" 'BEGIN { print c * l / 1000 + v }')
  report "plan" "$plan" "$floor" "s" 1.25 \
    "= $chain rounds x ${latency} ms + validate ${validate} s; $count requests, median of $runs"
}

bench_apply() {
  rm -f "$work"/apply.db*
  start_sandbox "$work/apply.db" --latency "$latency" --rate-limit "$rate"
  MERCATELY_API_KEY="$(account_key bench-apply)"
  export MERCATELY_API_KEY
  reset_stats
  local took count
  took=$(cd "$work" && seconds "$bin" apply "$work/apply.yaml" --endpoint "$url" \
    --rate-limit "$rate" --auto-approve)
  count=$(requests)
  stop_sandbox

  local floor
  floor=$(awk -v n="$count" -v r="$rate" 'BEGIN { print n / r }')
  report "apply" "$took" "$floor" "s" 1.20 \
    "= $count requests / $rate per s (2,000 changes, latency ${latency} ms)"
}

bench_offline() {
  if [ ! -f "$work/state.json" ]; then
    echo "offline needs the large account's state: run it with plan (scripts/bench.sh)" >&2
    exit 1
  fi
  # One cold run per process, as the CLI does it; RUNS processes, the median of each figure.
  : > "$work/offline"
  for _ in $(seq "$runs"); do
    if [ -x /usr/bin/time ]; then
      /usr/bin/time -f 'process_peak %M' -a -o "$work/offline" \
        "$bench_diff" run "$work/account.yaml" "$work/state.json" >> "$work/offline"
    else
      "$bench_diff" run "$work/account.yaml" "$work/state.json" \
        | awk '{ print } /^peak memory/ { print "process_peak", $3 * 1024 }' >> "$work/offline"
    fi
  done
  local validate diff both peak_kb
  validate=$(awk '$1 == "validate" { print $2 }' "$work/offline" | median)
  diff=$(awk '$1 == "diff" { print $2 }' "$work/offline" | median)
  both=$(awk '$1 == "validate+diff" { print $2 }' "$work/offline" | median)
  peak_kb=$(awk '$1 == "process_peak" { print $2 }' "$work/offline" | sort -g | tail -n 1)
  report "validate+diff" "$both" 100 "ms" 1.00 \
    "cpu time of the process, median of $runs: validate $validate ms + diff $diff ms"
  report "peak memory" "$(awk -v kb="$peak_kb" 'BEGIN { print kb / 1024 }')" 100 "MB" 1.00 \
    "whole process, largest of $runs, the live state held in memory"
}

case "$what" in
  plan) bench_plan ;;
  apply) bench_apply ;;
  offline) bench_plan > /dev/null && bench_offline ;;
  all)
    bench_plan
    bench_offline
    bench_apply
    ;;
  *)
    echo "usage: scripts/bench.sh [plan|apply|offline|all]" >&2
    exit 2
    ;;
esac
