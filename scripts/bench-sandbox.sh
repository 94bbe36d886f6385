#!/usr/bin/env bash
# Sandbox throughput with no injected latency: writes (POST /tags) and list pages, printed as
# requests per second. Arguments go to the example: [WRITES] [READS] [CONCURRENCY].
#   scripts/bench-sandbox.sh            # release build, 2000 writes, 5000 reads, 8 clients
#   PROFILE=dev scripts/bench-sandbox.sh 500 1000 4
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${PROFILE:-release}"
cargo run --quiet --locked --profile "$profile" --example bench_sandbox -- "$@"
