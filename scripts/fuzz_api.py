"""Fuzz the JSON API of a served demo city with schemathesis, once per demo role.

Without ``--base`` it builds its own demo city in a temporary folder (``db upgrade``,
``demo seed``, ``index build``, fake encoder unless ``--encoder``) and serves it with gunicorn
(2 workers, rate limits loosened for the run, an access log). For every demo login it then

1. runs ``schemathesis run`` over ``/api/v1/openapi.json`` (examples, coverage and fuzzing
   phases; logout and DELETE operations excluded: they would end the token or delete the demo
   seeker mid-run), and
2. sends the probe payloads of issue 17 to every operation that takes a JSON body: a JSON
   document nested 50,000 levels and a string with a lone surrogate ``"a\\ud800b"``, plus a
   10 MB JSON body and a 30 MB form once.

The verdict counts server errors (5xx) in gunicorn's access log and in the probe answers;
the exit code is 1 when there is any. Usage::

    .venv/bin/python scripts/fuzz_api.py [--base URL] [--max-examples 10] [--max-time 40]
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

log = logging.getLogger("fuzz_api")
BIN = Path(sys.executable).parent
ROLES = ("admin", "enterprise", "lender", "agency", "seeker", "unemployed")
DEEP = '{"title": "t", "x": ' + "[" * 50_000 + "]" * 50_000 + "}"
SURROGATE = '{"external_id": "fz-1", "title": "a\\ud800b", "name": "a\\ud800b"}'
LOOSE = {"WORKBRIDGE_LOGIN_LIMIT": "100000 per minute",
         "WORKBRIDGE_CLAIM_LIMIT": "100000 per minute",
         "WORKBRIDGE_PROFILE_LIMIT": "100000 per minute"}
ACCESS = re.compile(r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3})')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _http(method: str, url: str, body: bytes | None = None, token: str | None = None,
          content_type: str = "application/json") -> int:
    req = urllib.request.Request(url, data=body, method=method)
    req.add_header("Content-Type", content_type)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (ConnectionError, urllib.error.URLError):
        return 0  # closed while sending: the server refused the body (see the access log)


def _big(base: str, path: str, size: int, content_type: str, token: str | None) -> int:
    """Send a ``size``-byte body in chunks and read the answer even if the server stops
    reading early (as it should: the Content-Length is over the limit)."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    conn.putrequest("POST", path)
    conn.putheader("Content-Type", content_type)
    conn.putheader("Content-Length", str(size))
    if token:
        conn.putheader("Authorization", f"Bearer {token}")
    conn.endheaders()
    chunk = b"x" * 65536
    try:
        for _ in range(size // len(chunk)):
            conn.send(chunk)
    except OSError:
        pass  # the server answered and closed; read what it said
    try:
        return conn.getresponse().status
    except (OSError, http.client.HTTPException):
        return 0
    finally:
        conn.close()


def _token(base: str, role: str, password: str) -> str:
    body = json.dumps({"email": f"{role}@demo.workbridge.local", "password": password}).encode()
    req = urllib.request.Request(base + "/api/v1/auth/token", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return str(json.load(resp)["token"])


def _serve(folder: Path, encoder: str) -> tuple[subprocess.Popen[bytes], str, Path]:
    env = {**os.environ, **LOOSE, "WORKBRIDGE_DATABASE_URL": f"sqlite:///{folder / 'wb.db'}",
           "WORKBRIDGE_INDEX_DIR": str(folder / "indexes"), "WORKBRIDGE_ENCODER": encoder,
           "WORKBRIDGE_SECRET_KEY": "fuzz-run", "HF_HUB_OFFLINE": "1"}
    for args in (["db", "upgrade"], ["demo", "seed", "--size", "80", "--quiet"],
                 ["index", "build", "--quiet"]):
        subprocess.run([str(BIN / "workbridge"), *args], env=env, check=True,
                       capture_output=True, timeout=600)
    port = _free_port()
    access = folder / "access.log"
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--access-logfile", str(access), "--error-logfile", str(folder / "error.log"),
         "--timeout", "120", "web:create_app()"], env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        if _http("GET", base + "/healthz") == 200:
            return server, base, access
        time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start; see " + str(folder / "error.log"))


def _schemathesis(base: str, token: str, max_examples: int, max_time: int) -> str:
    cmd = [str(BIN / "schemathesis"), "run", base + "/api/v1/openapi.json",
           "-H", f"Authorization: Bearer {token}", "-n", str(max_examples),
           "--max-time", str(max_time), "--phases", "examples,coverage,fuzzing",
           "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
           "response_schema_conformance", "--exclude-path", "/api/v1/auth/logout",
           "--exclude-method", "DELETE", "--request-timeout", "60", "--no-color",
           "--seed", "17", "--generation-database", "none"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=max_time + 600)
    return done.stdout + done.stderr


def _json_operations(base: str) -> list[tuple[str, str]]:
    with urllib.request.urlopen(base + "/api/v1/openapi.json", timeout=60) as resp:
        doc = json.load(resp)
    ops = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in ("post", "put", "patch") and "requestBody" in op and \
                    path != "/api/v1/auth/logout":
                ops.append((method.upper(), re.sub(r"\{[^}]+\}", "1", path)))
    return ops


def _probes(base: str, token: str, ops: list[tuple[str, str]]) -> Counter[str]:
    seen: Counter[str] = Counter()
    for method, path in ops:
        for name, body in (("deep", DEEP), ("surrogate", SURROGATE)):
            status = _http(method, base + path, body.encode(), token)
            seen[f"{name} {status}"] += 1
            if status >= 500:
                log.error("server error %d: %s %s with the %s payload", status, method, path,
                          name)
    return seen


def _summary(output: str) -> str:
    keep = [line for line in output.splitlines() if re.search(
        r"generated|passed|failed|errors|Tested|Warnings|operations|Server error|"
        r"not_a_server_error|test cases", line)]
    return "\n".join(keep[-12:])


def main() -> int:
    """Run the fuzz pass; 0 when no request got a server error."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", help="an already running server (else one is started)")
    parser.add_argument("--max-examples", type=int, default=10)
    parser.add_argument("--max-time", type=int, default=40, help="seconds per role")
    parser.add_argument("--encoder", default="fake")
    parser.add_argument("--roles", default=",".join(ROLES))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    password = os.environ.get("WORKBRIDGE_DEMO_PASSWORD", "demo")
    with tempfile.TemporaryDirectory(prefix="wb-fuzz-") as tmp:
        server, access = None, None
        base = args.base
        if not base:
            server, base, access = _serve(Path(tmp), args.encoder)
        try:
            started = time.monotonic()
            ops = _json_operations(base)
            probe_errors = fuzz_errors = 0
            for role in args.roles.split(","):
                token = _token(base, role, password)
                log.info("== %s: schemathesis", role)
                output = _schemathesis(base, token, args.max_examples, args.max_time)
                fuzz_errors += len(re.findall(r"Server error", output))
                log.info("%s", _summary(output))
                seen = _probes(base, token, ops)
                probe_errors += sum(n for key, n in seen.items() if int(key.split()[1]) >= 500)
                log.info("== %s: probe payloads on %d JSON operations: %s", role, len(ops),
                         dict(sorted(seen.items())))
            token = _token(base, "enterprise", password)
            big_json = _big(base, "/api/v1/enterprise/vacancies", 10_000_000,
                            "application/json", token)
            big_form = _big(base, "/auth/login", 30_000_000,
                            "application/x-www-form-urlencoded", None)
            log.info("== 10 MB JSON body: %d; 30 MB form: %d", big_json, big_form)
            probe_errors += (big_json >= 500) + (big_form >= 500)
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=60)
        statuses: Counter[int] = Counter()
        if access is not None:
            for match in ACCESS.finditer(access.read_text()):
                statuses[int(match["status"])] += 1
        server_errors = sum(n for code, n in statuses.items() if code >= 500)
        log.info("== summary: %d requests in the access log, %d server errors (5xx); "
                 "schemathesis server errors: %d; probe server errors: %d; statuses %s; "
                 "%.0f s", sum(statuses.values()), server_errors, fuzz_errors, probe_errors,
                 dict(sorted(statuses.items())), time.monotonic() - started)
    return 1 if server_errors or probe_errors or fuzz_errors else 0


if __name__ == "__main__":
    sys.exit(main())
