#!/usr/bin/env bash
# schemathesis over the JSON API of a served demo city, once per demo role, plus the probe
# payloads of issue 17 (JSON nested 50,000 levels, a lone surrogate "a\ud800b", a 10 MB JSON
# body, a 30 MB form). Exit code 1 when any request got a server error (5xx).
#
#   scripts/fuzz_api.sh                       # builds and serves its own demo city (gunicorn)
#   scripts/fuzz_api.sh --base http://127.0.0.1:5000 --max-examples 25
#
# Against your own server, start it with loose rate limits, e.g.
# WORKBRIDGE_LOGIN_LIMIT="100000 per minute" WORKBRIDGE_PROFILE_LIMIT="100000 per minute".
# Logout and DELETE operations are excluded (they would end the token or delete the demo
# seeker mid-run); tests/test_openapi.py and tests/test_privacy.py cover them in process.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python scripts/fuzz_api.py "$@"
