#!/usr/bin/env bash
# Fails when the committed web/openapi.json or the console's generated API types
# (web/src/api/openapi.d.ts) are not what the server's code says now.
# Fix: `.venv/bin/helpline openapi --output web/openapi.json && (cd web && npm run generate)`.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

.venv/bin/helpline openapi --output "$tmp/openapi.json"
node web/scripts/generate-api.mjs "$tmp/openapi.json" "$tmp/openapi.d.ts" >/dev/null

status=0
diff -u web/openapi.json "$tmp/openapi.json" >"$tmp/spec.diff" || status=1
diff -u web/src/api/openapi.d.ts "$tmp/openapi.d.ts" >"$tmp/types.diff" || status=1
if [ "$status" -ne 0 ]; then
  head -n 40 "$tmp/spec.diff" "$tmp/types.diff" >&2
  echo "check-openapi: the committed API spec or console client is out of date with the server." >&2
  echo "  run: .venv/bin/helpline openapi --output web/openapi.json && (cd web && npm run generate)" >&2
  exit 1
fi
echo "check-openapi: web/openapi.json and web/src/api/openapi.d.ts match the server"
