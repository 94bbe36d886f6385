#!/usr/bin/env bash
# The project's test command: the whole suite, unit and integration.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --locked --all-targets "$@"
