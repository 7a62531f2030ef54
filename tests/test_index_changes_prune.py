"""Pruning the index change log (issue 20): rows every known index reflects and older than
the retention window go, the last of them left as a "sync everything" marker; a worker on an
older index, or loading the saved one, still reads its own and others' writes."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update
from test_index_consistency import make_enterprise
from test_vector_store import Refusing, post, seeker

from matcher.cli import main as cli
from matcher.index import changes
from matcher.index.registry import Registry, get_registry
from matcher.models import IndexChange
from matcher.models.base import utcnow
from matcher.recommend.service import recommend_vacancies
from matcher.runtime import Runtime
from matcher.seekers.services import update_seeker

TODAY = date(2026, 3, 2)
KIND = "vacancies"


@pytest.fixture
def other(rt: Runtime) -> Iterator[Runtime]:
    """Another process on the same database and index folder."""
    made = Runtime(rt.settings)
    yield made
    made.dispose()


def log_rows(rt: Runtime, kind: str = KIND) -> list[tuple[int, int]]:
    with rt.uow() as uow:
        return [(int(s), int(k)) for s, k in uow.s.execute(
            select(IndexChange.seq, IndexChange.key).where(IndexChange.kind == kind)
            .order_by(IndexChange.seq))]


def log_keys(rt: Runtime, keys: list[int], kind: str = KIND) -> int:
    with rt.uow() as uow:
        _, last = changes.record_changes(uow.s, kind, keys)
        uow.commit()
    return last


def age(rt: Runtime, upto: int, hours: float) -> None:
    """Make the change rows up to ``upto`` ``hours`` old."""
    with rt.uow() as uow:
        uow.s.execute(update(IndexChange).where(IndexChange.seq <= upto)
                      .values(at=utcnow() - timedelta(hours=hours)))
        uow.commit()


def test_rows_before_the_cutoff_go_and_the_last_becomes_a_marker(rt: Runtime) -> None:
    first = log_keys(rt, [1, 2])
    cut = log_keys(rt, [3])
    later = log_keys(rt, [4])
    log_keys(rt, [9], kind="people")
    age(rt, cut, hours=48)
    with rt.uow() as uow:
        assert changes.prune_cutoff(uow.s, KIND, []) == 0  # no index known: keep all
        assert changes.prune_cutoff(uow.s, KIND, [later]) == cut  # later is too young
        assert changes.prune_cutoff(uow.s, KIND, [first, later]) == first
        upto = changes.prune_cutoff(uow.s, KIND, [later, cut])
        assert changes.prune_changes(uow.s, KIND, upto) == 2
        uow.commit()
    assert log_rows(rt) == [(cut, changes.ALL_KEYS), (later, 4)]
    assert len(log_rows(rt, "people")) == 1  # another kind is untouched
    with rt.uow() as uow:
        assert changes.changes_after(uow.s, KIND, cut) == (later, {4})  # up to date: a delta
        assert changes.changes_after(uow.s, KIND, first) == (later, {changes.ALL_KEYS, 4})
        assert changes.prune_changes(uow.s, KIND, upto) == 0  # idempotent
        assert changes.prune_changes(uow.s, KIND, 0) == 0


def test_the_retention_window_keeps_young_rows(rt: Runtime) -> None:
    last = log_keys(rt, [1])
    log_keys(rt, [2])
    with rt.uow() as uow:
        assert changes.prune_cutoff(uow.s, KIND, [last + 5]) == 0
        assert changes.prune_cutoff(uow.s, KIND, [last + 5], keep=timedelta(0)) == last + 1
        soon = utcnow() + changes.RETENTION + timedelta(minutes=1)
        assert changes.prune_cutoff(uow.s, KIND, [last], now=soon) == last


def build_and_prune(rt: Runtime) -> Registry:
    writer = Registry(rt, sync_interval=None)
    rt.index_registry = writer
    for kind in ("vacancies", "people"):
        writer.rebuild(kind)
        writer.prune_changes(kind, keep=timedelta(0))
    return writer


def top(rt: Runtime, sid: int) -> list[tuple[int, float]]:
    return [(r.vacancy_id, r.score) for r in recommend_vacancies(rt, sid, as_of=TODAY)]


def test_workers_reach_read_your_writes_after_a_prune(rt: Runtime, other: Runtime,
                                                     tmp_path: Any) -> None:
    """An old worker (index from before the prune), a worker loading an old file copy and
    one loading the saved file all reflect writes made before and after the prune."""
    ent = make_enterprise(rt)
    nurse = post(rt, ent, "护士 nurse", "v1")
    post(rt, ent, "厨师 cook", "v2")
    sid = seeker(rt, "s1", ("护士 nurse",))
    build_and_prune(rt)
    old_files = tmp_path / "old-indexes"
    shutil.copytree(rt.settings.index_dir, old_files)
    assert top(other, sid)[0][0] == nurse  # the old worker loads the first file
    other.set_encoder(Refusing())  # type: ignore[arg-type]
    guard = post(rt, ent, "保安 guard", "v3")  # before the prune: its row is deleted
    with rt.uow() as uow:
        update_seeker(rt, uow, sid, {"desired_positions": ["保安 guard"]}, actor="t")
        uow.commit()
    post(rt, ent, "文员 clerk", "v5")  # the last row before the prune: the marker
    writer = build_and_prune(rt)
    assert changes.ALL_KEYS in {k for _, k in log_rows(rt)}
    driver = post(rt, ent, "司机 driver", "v4")  # after the prune: a delta row
    want, keys = top(rt, sid), writer.keys(KIND).tolist()
    assert want[0][0] == guard and driver in keys
    assert top(other, sid) == want  # the old worker: marker, full sync, no encoding
    assert get_registry(other).keys(KIND).tolist() == keys
    loaded = Runtime(rt.settings)  # a new worker loading the saved (pruned-to) file
    copied = Runtime(replace(rt.settings, index_dir=old_files))
    try:
        for worker in (loaded, copied):
            worker.set_encoder(Refusing())  # type: ignore[arg-type]
            assert top(worker, sid) == want
            assert get_registry(worker).keys(KIND).tolist() == keys
    finally:
        loaded.dispose()
        copied.dispose()


def test_index_build_prunes_and_the_cli_prunes_on_demand(rt: Runtime, monkeypatch: Any) -> None:
    ent = make_enterprise(rt)
    for i in range(3):
        post(rt, ent, f"岗位{i}", f"v{i}")
    monkeypatch.setenv("WORKBRIDGE_DATABASE_URL", rt.settings.database_url)
    monkeypatch.setenv("WORKBRIDGE_INDEX_DIR", str(rt.settings.index_dir))
    runner = CliRunner()
    built = runner.invoke(cli, ["index", "build", "--kind", KIND, "--quiet"])
    assert built.exit_code == 0, built.output
    assert len(log_rows(rt)) == 3  # young rows stay
    age(rt, max(s for s, _ in log_rows(rt)), hours=48)
    rebuilt = runner.invoke(cli, ["index", "build", "--kind", KIND, "--quiet"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert [k for _, k in log_rows(rt)] == [changes.ALL_KEYS]
    post(rt, ent, "新岗位", "v9")
    runner.invoke(cli, ["index", "build", "--kind", KIND, "--quiet"])
    pruned = runner.invoke(cli, ["index", "prune-changes", "--kind", KIND, "--keep-hours", "0"])
    assert pruned.exit_code == 0, pruned.output
    assert pruned.output.strip() == f"{KIND}: 1 change rows pruned"
    assert len(log_rows(rt)) == 1
