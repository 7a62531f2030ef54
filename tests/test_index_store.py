"""Index files: atomic save with a sidecar and a recorded version, load checks that rebuild a
missing, damaged or mismatched file from the database, the configured index type."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import pytest
from sqlalchemy import select

from matcher.config import Settings
from matcher.encoders.fake import HashingEncoder
from matcher.enums import VacancyStatus
from matcher.index import kinds, store
from matcher.index import live as live_module
from matcher.index.registry import get_registry
from matcher.matching.embedding import embed_people
from matcher.matching.profiles import PersonProfile
from matcher.matching.service import recommend_for_profile
from matcher.models import Enterprise, IndexState, Vacancy
from matcher.runtime import Runtime


def seed(rt: Runtime, n: int = 12) -> list[int]:
    with rt.uow() as uow:
        ent = Enterprise(external_id="E", name="e")
        uow.s.add(ent)
        uow.s.flush()
        jobs = [Vacancy(external_id=f"v{i}", enterprise_id=ent.id, title=f"仓库岗位{i}")
                for i in range(n)]
        uow.s.add_all(jobs)
        uow.commit()
        return [v.id for v in jobs]


def open_ids(rt: Runtime) -> list[int]:
    with rt.uow() as uow:
        return sorted(uow.s.scalars(select(Vacancy.id).where(
            Vacancy.status == VacancyStatus.OPEN)))


@pytest.fixture
def fresh(settings: Settings) -> Iterator[Any]:
    """Make further Runtimes on the same database and index folder (another process)."""
    made: list[Runtime] = []

    def make(**changes: Any) -> Runtime:
        rt = Runtime(settings.override(**changes) if changes else settings)
        made.append(rt)
        return rt

    yield make
    for rt in made:
        rt.dispose()


def test_save_writes_index_sidecar_and_version(rt: Runtime, fresh: Any,
                                               caplog: pytest.LogCaptureFixture) -> None:
    ids = seed(rt)
    registry = get_registry(rt)
    assert registry.keys("vacancies").tolist() == ids  # built on first use, and saved
    folder = rt.settings.index_dir
    meta = store.read_sidecar(folder, "vacancies")
    assert (meta.kind, meta.encoder, meta.dim, meta.index_type) == ("vacancies", "fake", 384,
                                                                     "flat")
    assert (meta.count, meta.slots, meta.metric) == (12, 12, "inner_product")
    assert meta.file_bytes == (folder / "vacancies.faiss").stat().st_size
    assert meta.encoder_version == HashingEncoder.version
    second = registry.save("vacancies")
    assert second.version == meta.version + 1
    with rt.uow() as uow:
        state = uow.s.get(IndexState, "vacancies")
        assert state is not None and state.version == second.version and state.count == 12
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
    caplog.clear()
    caplog.set_level(logging.INFO, logger="matcher.index")
    other = get_registry(fresh())
    assert other.keys("vacancies").tolist() == ids
    assert "rebuilding" not in caplog.text and "loaded" in caplog.text


def _delete(folder: Path) -> None:
    (folder / "vacancies.faiss").unlink()


def _truncate(folder: Path) -> None:
    path = folder / "vacancies.faiss"
    path.write_bytes(path.read_bytes()[:200])


def _garbage(folder: Path) -> None:
    path = folder / "vacancies.faiss"
    path.write_bytes(b"\x00garbage" * (path.stat().st_size // 8))


def _garbage_same_size(folder: Path) -> None:
    path = folder / "vacancies.faiss"
    size = path.stat().st_size
    path.write_bytes((b"not a faiss index" * size)[:size])


def _sidecar(**changes: Any) -> Any:
    def apply(folder: Path) -> None:
        path = folder / "vacancies.json"
        data = json.loads(path.read_text())
        data.update(changes)
        path.write_text(json.dumps(data))
    return apply


def _no_sidecar(folder: Path) -> None:
    (folder / "vacancies.json").unlink()


@pytest.mark.parametrize(("damage", "reason"), [
    (_delete, "index file vacancies.faiss is missing"),
    (_truncate, "truncated or replaced"),
    (_garbage, "truncated or replaced"),
    (_garbage_same_size, "index file is unreadable"),
    (_no_sidecar, "sidecar vacancies.json is missing"),
    (_sidecar(encoder="e5-small"), "built with encoder='e5-small'"),
    (_sidecar(encoder_version="fake-hash-v0"), "built with encoder_version='fake-hash-v0'"),
    (_sidecar(dim=768), "built with dim=768"),
])
def test_damaged_or_mismatched_files_are_rebuilt_with_a_log_line(
    rt: Runtime, fresh: Any, caplog: pytest.LogCaptureFixture, damage: Any, reason: str
) -> None:
    ids = seed(rt)
    get_registry(rt).keys("vacancies")
    damage(rt.settings.index_dir)
    caplog.clear()
    caplog.set_level(logging.WARNING, logger="matcher.index")
    other = get_registry(fresh())
    assert other.keys("vacancies").tolist() == ids
    line = next(r.getMessage() for r in caplog.records if "rebuilding" in r.getMessage())
    assert reason in line and line.startswith("index vacancies:")
    store.load_files(rt.settings.index_dir, "vacancies", encoder="fake",
                     encoder_version=HashingEncoder.version, dim=384, index_type="flat")


def test_a_file_from_another_dimension_is_rebuilt(rt: Runtime, fresh: Any,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    ids = seed(rt)
    rt.set_encoder(HashingEncoder(dim=64))
    assert get_registry(rt).describe("vacancies")["dim"] == 64
    caplog.clear()
    caplog.set_level(logging.WARNING, logger="matcher.index")
    other = get_registry(fresh())
    assert other.describe("vacancies")["dim"] == 384
    assert other.keys("vacancies").tolist() == ids
    assert "built with dim=64, the configuration needs 384" in caplog.text


@pytest.mark.parametrize("index_type", ["flat", "hnsw", "ivf-sq8"])
def test_the_configured_index_type_is_the_one_built(rt: Runtime, fresh: Any,
                                                    index_type: str) -> None:
    seed(rt, 60)
    other = fresh(index_type=index_type)
    registry = get_registry(other)
    registry.rebuild("vacancies")
    assert registry.describe("vacancies")["index_type"] == index_type
    on_disk = faiss.read_index(str(other.settings.index_dir / "vacancies.faiss"))
    assert store.index_type_of(on_disk) == index_type
    assert store.read_sidecar(other.settings.index_dir, "vacancies").index_type == index_type
    profile = PersonProfile(kind="seeker", id=None, external_id="q", desired_positions=("仓库",))
    assert len(recommend_for_profile(other, profile, k=10)) == 10


def test_changing_the_configured_type_rebuilds(rt: Runtime, fresh: Any,
                                               caplog: pytest.LogCaptureFixture) -> None:
    seed(rt)
    get_registry(rt).keys("vacancies")
    caplog.clear()
    caplog.set_level(logging.WARNING, logger="matcher.index")
    assert get_registry(fresh(index_type="hnsw")).describe("vacancies")["index_type"] == "hnsw"
    assert "built with index_type='flat', the configuration needs 'hnsw'" in caplog.text


@pytest.mark.parametrize("bulk", [False, True])
def test_rows_changed_while_not_loaded_are_synced_on_load(
    rt: Runtime, fresh: Any, monkeypatch: pytest.MonkeyPatch, bulk: bool
) -> None:
    if bulk:  # the one-scan path used for many keys
        monkeypatch.setattr(kinds, "BULK_KEYS", 1)
    ids = seed(rt)
    get_registry(rt).keys("vacancies")
    with rt.uow() as uow:  # another process changes the database, the file stays as it was
        uow.s.get(Vacancy, ids[0]).status = VacancyStatus.CLOSED  # type: ignore[union-attr]
        uow.s.get(Vacancy, ids[1]).title = "护士 nurse"  # type: ignore[union-attr]
        uow.s.add(Vacancy(external_id="new", enterprise_id=1, title="厨师"))
        uow.commit()
    other = fresh()
    assert get_registry(other).keys("vacancies").tolist() == open_ids(other)
    nurse = PersonProfile(kind="seeker", id=None, external_id="q",
                          desired_positions=("护士 nurse",))
    q = embed_people(other.encoder, [nurse])[0]
    assert recommend_for_profile(other, nurse, k=1, query=q)[0].vacancy_id == ids[1]


def test_a_failed_save_keeps_the_previous_files(rt: Runtime, monkeypatch: pytest.MonkeyPatch
                                                ) -> None:
    seed(rt)
    registry = get_registry(rt)
    registry.keys("vacancies")
    folder = rt.settings.index_dir
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    def broken(index: Any, path: str) -> None:
        Path(path).write_bytes(b"half")
        raise RuntimeError("disk full")

    monkeypatch.setattr(faiss, "write_index", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        registry.save("vacancies")
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_dead_slots_are_compacted_away(rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live_module, "COMPACT_MIN_DEAD", 3)
    ids = seed(rt, 12)
    registry = get_registry(rt)
    registry.keys("vacancies")
    with rt.uow() as uow:
        for vid in ids[:6]:
            uow.s.get(Vacancy, vid).status = VacancyStatus.CLOSED  # type: ignore[union-attr]
        uow.commit()
    registry.refresh("vacancies", ids[:6])
    facts = registry.describe("vacancies")
    assert facts["count"] == 6 and facts["slots"] == 6  # 6 dead slots > 25%: compacted
    assert registry.keys("vacancies").tolist() == ids[6:]
    stored = registry.vector("vacancies", ids[6])
    assert stored is not None and np.isclose(np.linalg.norm(stored), 1.0, atol=1e-5)
