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
from matcher.index.text_vectors import TextVectors, entity_vectors, saved_index
from matcher.matching import embedding
from matcher.matching.embedding import embed_people, text_hash
from matcher.matching.profiles import PersonProfile
from matcher.models import Enterprise, IndexState, Vacancy
from matcher.recommend.service import recommend_for_profile
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


@pytest.mark.parametrize("index_type", ["flat", "hnsw", "ivf-sq8"])
def test_stored_vectors_by_key_in_one_batch(rt: Runtime, fresh: Any, index_type: str) -> None:
    ids = seed(rt, 50)
    reg = get_registry(fresh(index_type=index_type))
    reg.live("vacancies")
    keys = [ids[7], ids[0], ids[49], ids[7]]
    got = reg.vectors("vacancies", keys)
    want = np.stack([np.asarray(reg.vector("vacancies", k)) for k in keys])
    assert got.dtype == np.float32 and np.array_equal(got, want)
    vectors, found, hashes = reg.stored("vacancies", [ids[3], 10**9])
    assert found.tolist() == [True, False] and hashes[1] is None and not vectors[1].any()
    assert hashes[0] == reg.live("vacancies").text_hashes[ids[3]]
    with pytest.raises(KeyError, match=str(10**9)):
        reg.vectors("vacancies", [ids[0], 10**9])


def test_entity_vectors_stored_when_the_text_matches_else_encoded_once(
        rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = seed(rt, 3)
    reg = get_registry(rt)
    with rt.uow() as uow:
        profiles = {p.id: p for p in kinds.KINDS["vacancies"].load(uow.s, ids)}
    texts = [embedding.vacancy_text(profiles[i]) for i in ids]
    stored = reg.vectors("vacancies", ids)  # built here: every text encoded once
    calls: list[list[str]] = []
    real = rt.encoder.encode_documents

    def counting(items: list[str], **kw: Any) -> np.ndarray:
        calls.append(list(items))
        return real(items, **kw)

    monkeypatch.setattr(rt.encoder, "encode_documents", counting)
    changed = "职位 Job: 另一个岗位"  # the row's text changed since it was embedded
    got = entity_vectors(reg, "vacancies", [ids[0], ids[1], None, ids[2]],
                         [texts[0], texts[1], changed, changed])
    assert np.array_equal(got[:2], stored[:2])
    assert np.array_equal(got[2], got[3]) and not np.array_equal(got[3], stored[2])
    assert np.allclose(got[2], HashingEncoder().encode_documents([changed])[0])
    again = entity_vectors(reg, "vacancies", [None], [changed])
    assert calls == [[changed]] and np.array_equal(again[0], got[2])  # cached by hash


def test_text_cache_is_bounded_and_seeds_index_builds(rt: Runtime) -> None:
    cache = TextVectors(capacity=2)
    enc = HashingEncoder()
    first = cache.get(enc, ["a", "b", "a"], documents=True)
    assert cache.encoded == 2 and np.array_equal(first[0], first[2])
    cache.get(enc, ["c"], documents=True)
    assert len(cache) == 2 and cache.peek([text_hash("a")], documents=True) == [None]
    assert cache.peek([text_hash("c")], documents=False) == [None]  # queries kept apart
    ids = seed(rt, 4)
    reg = get_registry(rt)
    with rt.uow() as uow:
        profiles = kinds.KINDS["vacancies"].load(uow.s, ids)
    marker = np.full(enc.dim, 1 / np.sqrt(enc.dim), dtype=np.float32)
    reg.texts.put([text_hash(embedding.vacancy_text(profiles[0]))], marker[None, :],
                  documents=True)
    live = reg.rebuild("vacancies")  # takes the cached vector instead of encoding again
    assert np.array_equal(np.asarray(live.vector(profiles[0].id or 0)), marker)
    assert not np.array_equal(np.asarray(live.vector(profiles[1].id or 0)), marker)


def test_saved_vectors_are_read_without_the_database(rt: Runtime, fresh: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    ids = seed(rt, 5)
    want = get_registry(rt).vectors("vacancies", ids)
    with rt.uow() as uow:
        texts = [embedding.vacancy_text(p) for p in kinds.KINDS["vacancies"].load(uow.s, ids)]
    other = fresh()
    monkeypatch.setattr(other, "uow", lambda: pytest.fail("the database was read"))
    reg = get_registry(other)
    assert saved_index(reg, "people") is None  # never saved: nothing to read
    saved = saved_index(reg, "vacancies")
    assert saved is not None and saved_index(reg, "vacancies") is saved  # read once
    got = entity_vectors(reg, "vacancies", [*ids, 10**9], [*texts, texts[0]], can_load=False)
    assert np.array_equal(got[:5], want) and np.array_equal(got[5], want[0])
    assert reg.texts.encoded == 1 and not reg.loaded("vacancies")  # the unknown key's text
