#!/usr/bin/env bash
# schemathesis against a running workbridge (gunicorn), once per role, with the demo users.
#
#   make run                       # or any server seeded with `workbridge demo seed`
#   scripts/fuzz_api.sh [BASE_URL] [MAX_EXAMPLES]
#
# Checks: no 5xx, status codes / content types / bodies conform to /api/v1/openapi.json.
# Logout and DELETE /me are excluded here (they would revoke the token or delete the demo
# seeker mid-run); the in-process suite (tests/test_openapi.py, tests/test_privacy.py)
# covers them. The rate limits must be loose for this run, e.g. start the server with
# WORKBRIDGE_LOGIN_LIMIT="10000 per minute" WORKBRIDGE_CLAIM_LIMIT="10000 per minute".
set -euo pipefail
BASE=${1:-http://127.0.0.1:5000}
MAX=${2:-25}
BIN=$(dirname "$0")/../.venv/bin
PASSWORD=${WORKBRIDGE_DEMO_PASSWORD:-demo}
for role in admin enterprise agency seeker; do
  token=$(curl -sf -X POST "$BASE/api/v1/auth/token" -H 'Content-Type: application/json' \
    -d "{\"email\": \"$role@demo.workbridge.local\", \"password\": \"$PASSWORD\"}" \
    | "$BIN/python" -c 'import json, sys; print(json.load(sys.stdin)["token"])')
  echo "== $role"
  "$BIN/schemathesis" run "$BASE/api/v1/openapi.json" -H "Authorization: Bearer $token" \
    -n "$MAX" --phases examples,coverage,fuzzing \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --exclude-path /api/v1/auth/logout --exclude-method DELETE \
    | grep -E "generated|passed|failed|errors|Tested|Warnings|operations returned" || true
done
