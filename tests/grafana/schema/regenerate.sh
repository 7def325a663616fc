#!/usr/bin/env bash
# Regenerate dashboard.schema.json from Grafana's published TypeScript types.
#
#   tests/grafana/schema/regenerate.sh          # rewrite the committed schema
#   tests/grafana/schema/regenerate.sh --check  # regenerate into a temp dir and diff; exit 1 on drift
#
# Needs node + npm and network access to the npm registry. Works in a throwaway temp dir so no
# node_modules ever lands in the repository. See PROVENANCE.md for why each pin exists.
set -euo pipefail

# Exact pins. typescript is only a transitive dependency of the generator, but its version decides the
# parse, so it is pinned as a direct dependency too (npm then dedupes onto it).
GRAFANA_SCHEMA_VERSION="13.2.3"
TS_JSON_SCHEMA_GENERATOR_VERSION="2.4.0"
TYPESCRIPT_VERSION="5.9.3"

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TARGET="$HERE/dashboard.schema.json"
PYTHON="${PYTHON:-python3}"

mode="write"
case "${1:-}" in
  "") ;;
  --check) mode="check" ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cat >"$work/package.json" <<JSON
{
  "name": "guardiangen-grafana-schema",
  "private": true,
  "dependencies": {
    "@grafana/schema": "$GRAFANA_SCHEMA_VERSION",
    "ts-json-schema-generator": "$TS_JSON_SCHEMA_GENERATOR_VERSION",
    "typescript": "$TYPESCRIPT_VERSION"
  }
}
JSON

(
  cd "$work"
  # --ignore-scripts: nothing here needs install hooks, and we would rather not run them.
  npm install --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null
  npx --no-install ts-json-schema-generator \
    --path node_modules/@grafana/schema/dist/types/raw/dashboard/x/types.gen.d.ts \
    --type Dashboard \
    --no-type-check \
    -o raw.schema.json
)

# The generator already sorts keys; re-serialising with sorted keys and a fixed indent makes the
# committed bytes independent of the generator's own formatting choices.
"$PYTHON" - "$work/raw.schema.json" "$work/dashboard.schema.json" <<'PY'
import json
import sys

with open(sys.argv[1], encoding="utf-8") as f:
    schema = json.load(f)
with open(sys.argv[2], "w", encoding="utf-8", newline="\n") as f:
    f.write(json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
PY

if [[ "$mode" == "check" ]]; then
  if diff -u "$TARGET" "$work/dashboard.schema.json"; then
    echo "dashboard.schema.json is up to date (@grafana/schema $GRAFANA_SCHEMA_VERSION)"
  else
    echo "dashboard.schema.json differs from a fresh generation; run $0 and review" >&2
    exit 1
  fi
else
  cp "$work/dashboard.schema.json" "$TARGET"
  echo "wrote $TARGET (@grafana/schema $GRAFANA_SCHEMA_VERSION)"
fi
