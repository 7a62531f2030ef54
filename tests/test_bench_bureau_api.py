"""The bureau desks' benchmark runs at a tiny size and reports every request without errors
(no speed checks: benchmarks measure, tests check behaviour)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"
ROWS = {"baseline GET /healthz", "page /admin/bureau/shortage",
        "GET /api/v1/bureau/gaps (10 gaps, k=3)",
        "GET /api/v1/bureau/gaps/{id}/candidates (k=10)"}


@pytest.mark.slow  # its own SQLite city and gunicorn
def test_bench_bureau_api_measures_every_desk(capsys: pytest.CaptureFixture[str]) -> None:
    sys.path.insert(0, str(SCRIPTS))
    try:
        spec = importlib.util.spec_from_file_location("_bench_bureau_api",
                                                      SCRIPTS / "bench_bureau_api.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        code = module.main(["--size", "80", "--requests", "4"])
    finally:
        sys.path.remove(str(SCRIPTS))
    out = capsys.readouterr().out
    rows = {r[0]: r for r in ([c.strip() for c in line.strip("|").split("|")]
                              for line in out.splitlines() if line.startswith("| "))
            if r[0] != "request"}
    assert code == 0 and set(rows) == ROWS, out
    assert all(int(r[1]) == 4 and int(r[6]) == 0 for r in rows.values()), out
    assert "(removed)" in out
