#!/usr/bin/env bash
# Validates every example and init template against schema/manifest.schema.json with an
# independent validator (check-jsonschema, in a virtualenv under .venv/), so the schema is
# not only checked by the validator mercfg itself uses.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/check-jsonschema ]; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet check-jsonschema
fi

mapfile -t examples < <(find examples templates -name '*.yaml' | sort)
.venv/bin/check-jsonschema --schemafile schema/manifest.schema.json "${examples[@]}"
