"""The benchmark scripts run at a tiny size and report what they measure (no speed checks:
benchmarks measure, tests check behaviour), and the default index type is the one built."""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from matcher.config import Settings
from matcher.index import store
from matcher.index.registry import get_registry
from matcher.runtime import Runtime

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def _script(name: str) -> ModuleType:
    sys.path.insert(0, str(SCRIPTS))
    try:
        spec = importlib.util.spec_from_file_location(f"_bench_{name}", SCRIPTS / f"{name}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(SCRIPTS))


def _rows(out: str) -> list[list[str]]:
    return [[c.strip() for c in line.strip("|").split("|")] for line in out.splitlines()
            if line.startswith("| ") and not line.startswith("| configuration")
            and not line.startswith("| endpoint") and not line.startswith("| backend")
            and not line.startswith("| step")]


def test_exact_baseline_is_the_filtered_brute_force_top_k() -> None:
    bench = _script("bench_search")
    rng = np.random.default_rng(1)
    x = rng.standard_normal((500, 8)).astype(np.float32)
    q = rng.standard_normal(8).astype(np.float32)
    mask = rng.random(500) < 0.3
    allowed = np.flatnonzero(mask)
    want = allowed[np.argsort(-(x[allowed] @ q))][:20]
    assert bench.exact_topk(x, q, mask, 20).tolist() == want.tolist()
    assert bench.exact_topk(x, q, mask & (np.arange(500) < 40), 20).size == min(
        20, int((mask & (np.arange(500) < 40)).sum()))


def test_dataset_filters_have_the_stated_selectivity() -> None:
    data = _script("bench_search").make_dataset(2000, 3, seed=3)
    assert data.x.shape == (2000, 384)
    assert np.allclose(np.linalg.norm(data.x, axis=1), 1.0, atol=1e-5)
    for sel, masks in data.masks.items():
        assert all(int(m.sum()) == int(sel * 2000) for m in masks)


def test_bench_search_runs_small_with_baseline_shards_and_exact_flat(
        capsys: pytest.CaptureFixture[str]) -> None:
    code = _script("bench_search").main(["--size", "2000", "--queries", "5", "--types",
                                         "flat,ivf-sq8", "--nprobe", "16", "--shards", "2"])
    out = capsys.readouterr().out
    assert code == 0
    rows = _rows(out)
    labels = {r[0] for r in rows}
    assert {"baseline numpy exact (gather+matmul)", "engine flat", "engine ivf-sq8 nprobe=16",
            "2 shards flat (merged top-20)", "2 shards ivf-sq8 (merged top-20)"} <= labels
    assert len(rows) == 5 * 3
    for r in rows:
        if r[0] in ("engine flat", "2 shards flat (merged top-20)"):
            assert float(r[4]) == 1.0  # exact search equals the baseline
        assert 0.0 <= float(r[4]) <= 1.0
    assert "load" in out


@pytest.mark.db
def test_bench_http_serves_the_recommendations_endpoint_without_errors(
        capsys: pytest.CaptureFixture[str]) -> None:
    code = _script("bench_http").main(["--size", "300", "--users", "3", "--clients", "4",
                                       "--requests", "30", "--duration", "60",
                                       "--load", "python"])
    out = capsys.readouterr().out
    rows = {r[0]: r for r in _rows(out)}
    assert code == 0, out
    assert set(rows) == {"baseline GET /healthz", "GET /api/v1/me/recommendations"}
    for r in rows.values():
        assert int(r[1]) == 30 and int(r[5]) == 0


@pytest.mark.slow
def test_bench_embed_variants_agree_with_the_naive_loop(
        capsys: pytest.CaptureFixture[str]) -> None:
    code = _script("bench_embed").main(["--n", "6", "--pipeline", "4", "--import-size", "20",
                                        "--skip-reference"])
    out = capsys.readouterr().out
    assert code == 0
    rows = _rows(out)
    backends = [r for r in rows if len(r) == 6 and re.match(r"(baseline|\+)", r[0])]
    assert len(backends) == 5
    same_weights = [r for r in backends if "tuned layers" not in r[0]]
    assert len(same_weights) == 4  # the tuned default's vectors differ by design: not compared
    assert all(float(r[4]) >= 0.99 and float(r[5]) >= 0.99 for r in same_weights)
    assert any(r[0].startswith("pipeline, naive") for r in rows)
    assert re.search(r"pipeline speed-up over the naive loop: [0-9.]+x measured", out)


def test_the_default_index_type_is_the_one_built(rt: Runtime) -> None:
    default = Settings().index_type
    assert rt.settings.index_type == default
    registry = get_registry(rt)
    registry.save("vacancies")
    assert registry.describe("vacancies")["index_type"] == default
    on_disk, _ = store.load_files(rt.settings.index_dir, "vacancies", encoder="fake",
                                  encoder_version=rt.encoder.version, dim=384,
                                  index_type=default)
    assert store.index_type_of(on_disk) == default


@pytest.mark.db
@pytest.mark.skipif(shutil.which("wrk") is None,
                    reason="wrk is not installed (.ci/run installs it)")
def test_bench_http_with_wrk_reads_rate_and_percentiles(
        capsys: pytest.CaptureFixture[str]) -> None:
    code = _script("bench_http").main(["--size", "300", "--users", "3", "--clients", "4",
                                       "--duration", "2", "--load", "wrk"])
    out = capsys.readouterr().out
    rows = {r[0]: r for r in _rows(out)}
    assert code == 0, out
    assert "load=wrk" in out
    for r in rows.values():
        requests, rps, errors = int(r[1]), float(r[2]), int(r[5])
        assert requests > 0 and rps > 0 and 0 < float(r[3]) <= float(r[4]) and errors == 0, r


def test_wrk_durations_are_read_in_milliseconds() -> None:
    ms = _script("bench_http")._ms
    assert (ms("812.00us"), ms("91.54ms"), ms("1.20s")) == (0.812, 91.54, 1200.0)
