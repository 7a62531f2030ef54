"""A short run of scripts/fuzz_api.py (schemathesis + the issue-17 probe payloads) against its
own served demo city: no request may end in a server error (5xx)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "fuzz_api.py"


@pytest.mark.slow
def test_fuzz_script_finds_no_server_errors() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--max-examples", "2", "--max-time", "6",
         "--roles", "enterprise,seeker"], capture_output=True, text=True, timeout=900)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-3000:]
    assert "0 server errors (5xx)" in out and "probe server errors: 0" in out
    assert "deep 400" in out and "surrogate 400" in out
    assert "10 MB JSON body: 413; 30 MB form: 413" in out
