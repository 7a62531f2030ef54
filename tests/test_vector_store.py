"""Vectors stored in the database (issue 20): embedded once per encoder version, shared by
every process; a write embeds its own row and logs the change; readers apply the delta from
stored vectors and never encode."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from test_embedding_reuse import Counting
from test_index_consistency import make_enterprise

from matcher.cli import main as cli
from matcher.encoders.fake import HashingEncoder
from matcher.index import vector_store
from matcher.index.hooks import sync_after_import
from matcher.index.kinds import KINDS
from matcher.index.registry import Registry, get_registry
from matcher.matching.embedding import text_hash
from matcher.models import Embedding, IndexChange, JobSeeker, Vacancy
from matcher.recommend.service import recommend_vacancies
from matcher.runtime import Runtime
from matcher.seekers.services import SeekerInput, create_seeker, update_seeker
from matcher.vacancies.services import VacancyInput, post_vacancy

TODAY = date(2026, 3, 2)


class Refusing:
    """An encoder that fails: a reader holding it proves it never encodes."""

    name, dim = HashingEncoder.name, HashingEncoder().dim
    version = HashingEncoder.version

    def encode_queries(self, texts: Any, **_: Any) -> np.ndarray:
        raise AssertionError(f"a read encoded {list(texts)[:1]}")

    encode_documents = encode_queries


@pytest.fixture
def other(rt: Runtime) -> Iterator[Runtime]:
    """Another process on the same database and index folder."""
    made = Runtime(rt.settings)
    yield made
    made.dispose()


def post(rt: Runtime, ent: int, title: str, ext: str) -> int:
    with rt.uow() as uow:
        view = post_vacancy(rt, uow, VacancyInput(external_id=ext, enterprise_id=ent,
                                                  title=title), actor="t")
        uow.commit()
    return view.id


def seeker(rt: Runtime, ext: str, positions: tuple[str, ...]) -> int:
    with rt.uow() as uow:
        view = create_seeker(rt, uow, SeekerInput(external_id=ext, desired_positions=positions),
                             actor="t")
        uow.commit()
    return view.id


def test_a_write_stores_its_vector_and_logs_the_change(rt: Runtime) -> None:
    ent = make_enterprise(rt)
    vid = post(rt, ent, "仓库叉车司机", "v1")
    eid = vector_store.encoder_id(rt.encoder)
    with rt.uow() as uow:
        stored = vector_store.load_vectors(uow.s, "vacancies", [vid, 999], eid)
        profile = KINDS["vacancies"].load(uow.s, [vid])[0]
        assert vector_store.latest_seq(uow.s, "vacancies") >= 1
        assert vector_store.pending_keys(uow.s, "vacancies", eid) == []
    assert list(stored) == [vid]
    digest, vector = stored[vid]
    assert digest == text_hash(KINDS["vacancies"].text(profile))
    want = HashingEncoder().encode_documents([KINDS["vacancies"].text(profile)])
    np.testing.assert_array_equal(vector, want[0])  # float32 bytes round-trip exactly
    assert vector_store.peek_seq(rt.engine, "vacancies") >= 1


def test_pending_keys_and_embed_and_store(rt: Runtime) -> None:
    ent = make_enterprise(rt)
    with rt.uow() as uow:  # a bulk write that embeds nothing: three rows, two texts
        uow.s.add_all([Vacancy(external_id=f"b{i}", enterprise_id=ent, title=t)
                       for i, t in enumerate(["厨师", "厨师", "保安"])])
        uow.commit()
    eid = vector_store.encoder_id(rt.encoder)
    with rt.uow() as uow:
        keys = vector_store.pending_keys(uow.s, "vacancies", eid)
        assert vector_store.pending_keys(uow.s, "vacancies", eid, limit=1,
                                         after_key=keys[0]) == [keys[1]]
    assert len(keys) == 3
    counting = Counting(HashingEncoder())
    rt.set_encoder(counting)
    assert vector_store.embed_and_store(rt, "vacancies", keys[:2]) == 1  # identical texts
    assert vector_store.embed_and_store(rt, "vacancies", keys) == 1  # only the third
    assert vector_store.embed_and_store(rt, "vacancies", keys) == 0
    assert vector_store.embed_and_store(rt, "vacancies", keys, force=True) == 2
    with rt.uow() as uow:
        assert vector_store.pending_keys(uow.s, "vacancies", eid) == []
        assert uow.s.scalar(select(func.count()).select_from(Embedding)) == 3
        assert set(vector_store.changes_after(uow.s, "vacancies", 0)[1]) == set(keys)


def test_another_encoder_version_has_its_own_vectors(rt: Runtime) -> None:
    ent = make_enterprise(rt)
    post(rt, ent, "护士", "v1")
    other = Counting(HashingEncoder())
    other.version = "fake-hash-v2"
    assert vector_store.encoder_id(other) != vector_store.encoder_id(rt.encoder)
    with rt.uow() as uow:
        assert len(vector_store.pending_keys(uow.s, "vacancies",
                                             vector_store.encoder_id(other))) == 1


def test_a_change_in_one_process_reaches_another_without_encoding(
        rt: Runtime, other: Runtime) -> None:
    """Two processes hold loaded indexes; the writer changes a profile; the reader's very
    next recommendation reflects it, from the stored vector, with an encoder that refuses."""
    ent = make_enterprise(rt)
    nurse = post(rt, ent, "护士 nurse", "v1")
    cook = post(rt, ent, "厨师 cook", "v2")
    sid = seeker(rt, "s1", ("护士 nurse",))
    writer = Registry(rt, sync_interval=None)
    rt.index_registry = writer
    for kind in ("vacancies", "people"):
        writer.rebuild(kind)
    reader = get_registry(other)
    assert recommend_vacancies(other, sid, as_of=TODAY)[0].vacancy_id == nurse
    other.set_encoder(Refusing())  # type: ignore[arg-type]
    with rt.uow() as uow:
        update_seeker(rt, uow, sid, {"desired_positions": ["厨师 cook"]}, actor="t")
        uow.commit()
    theirs = recommend_vacancies(other, sid, as_of=TODAY)
    mine = recommend_vacancies(rt, sid, as_of=TODAY)
    assert theirs[0].vacancy_id == cook
    assert [(r.vacancy_id, r.score) for r in theirs] == [(r.vacancy_id, r.score) for r in mine]
    np.testing.assert_array_equal(reader.vector("people", sid), writer.vector("people", sid))


def test_a_bulk_import_logs_one_change_and_embeds_nothing(rt: Runtime, other: Runtime) -> None:
    ent = make_enterprise(rt)
    post(rt, ent, "护士", "v1")
    reader = get_registry(other)
    reader.live("vacancies")
    other.set_encoder(Refusing())  # type: ignore[arg-type]
    with rt.uow() as uow:
        uow.s.add(Vacancy(external_id="imported", enterprise_id=ent, title="保安"))
        uow.commit()
        new = uow.s.scalar(select(Vacancy.id).where(Vacancy.external_id == "imported"))
        assert new is not None
    sync_after_import(rt, ["vacancies"])
    with rt.uow() as uow:
        last = uow.s.scalars(select(IndexChange).order_by(IndexChange.seq.desc())).first()
        assert last is not None and last.key == vector_store.ALL_KEYS
    assert new not in reader.keys("vacancies").tolist()  # pending: no vector yet
    assert vector_store.embed_and_store(rt, "vacancies", [new]) == 1  # the job queue's part
    assert new in reader.keys("vacancies").tolist()


def test_index_build_twice_encodes_nothing_the_second_time(rt: Runtime,
                                                           monkeypatch: Any) -> None:
    ent = make_enterprise(rt)
    with rt.uow() as uow:
        uow.s.add_all([Vacancy(external_id=f"b{i}", enterprise_id=ent, title=f"岗位{i % 7}")
                       for i in range(30)])
        uow.s.add(JobSeeker(external_id="p", desired_positions=["岗位1"]))
        uow.commit()
    monkeypatch.setenv("WORKBRIDGE_DATABASE_URL", rt.settings.database_url)
    monkeypatch.setenv("WORKBRIDGE_INDEX_DIR", str(rt.settings.index_dir))
    runner = CliRunner()
    first = runner.invoke(cli, ["index", "build", "--kind", "vacancies", "--quiet"])
    assert first.exit_code == 0, first.output
    assert "7 texts encoded" in first.output
    second = runner.invoke(cli, ["index", "build", "--kind", "vacancies", "--quiet"])
    assert "30 vectors" in second.output and "0 texts encoded" in second.output
    forced = runner.invoke(cli, ["index", "build", "--kind", "vacancies", "--reembed",
                                 "--quiet"])
    assert "7 texts encoded" in forced.output
