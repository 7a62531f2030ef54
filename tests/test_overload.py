"""Hardening (issue 17, item 10 a-c): a busy database answers 503 quickly, a full disk during
an index save ends in a clear CLI error with the old index intact, and the CLI never creates
an empty default database by accident."""

from __future__ import annotations

import errno
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import pytest
from builders.accounts import World, build_world
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import matcher.config
from matcher.cli import main
from matcher.cli.database_guard import check_database
from matcher.config import Settings
from matcher.enums import Role
from matcher.index import store
from web import create_app


@contextmanager
def database_locked(url: str) -> Iterator[None]:
    """Hold an exclusive lock from another connection (SQLite file lock or PostgreSQL
    table locks on what the requests below touch)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        lite = sqlite3.connect(str(parsed.database), isolation_level=None)
        lite.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            lite.execute("ROLLBACK")
            lite.close()
        return
    engine = create_engine(url)
    with engine.connect() as conn:
        conn.execute(text("LOCK TABLE vacancies, audit_log IN ACCESS EXCLUSIVE MODE"))
        try:
            yield
        finally:
            conn.rollback()
    engine.dispose()


@pytest.fixture
def busy_app(settings: Settings) -> Iterator[tuple[Flask, World]]:
    app = create_app(settings.override(db_lock_timeout=0.5))
    app.config.update(TESTING=True)
    yield app, build_world(app.extensions["matcher"])
    app.extensions["matcher"].dispose()


def test_locked_database_answers_503_with_retry_after(busy_app: tuple[Flask, World],
                                                      db_url: str) -> None:
    app, world = busy_app
    client = app.test_client()
    party = world.party(Role.ENTERPRISE)
    auth = {"Authorization": f"Bearer {party.token}"}
    vid = party.owned["vacancy_id"]
    assert client.get(f"/api/v1/enterprise/vacancies/{vid}", headers=auth).status_code == 200
    with database_locked(db_url):
        started = time.monotonic()
        resp = client.patch(f"/api/v1/enterprise/vacancies/{vid}", json={"headcount": 3},
                            headers=auth)
        elapsed = time.monotonic() - started
        read = client.get(f"/api/v1/enterprise/vacancies/{vid}", headers=auth)
    if make_url(db_url).get_backend_name() == "sqlite":
        # a read takes no lock under WAL (a read-only unit of work): it is answered while a
        # writer holds the database (before the readers' change it waited and answered 503)
        assert read.status_code == 200, read.get_data(as_text=True)
    else:  # ACCESS EXCLUSIVE blocks PostgreSQL's readers too: bounded by lock_timeout
        assert read.status_code == 503 and read.get_json()["error"]["code"] == "database_busy"
    assert resp.status_code == 503, resp.get_data(as_text=True)
    assert resp.get_json()["error"]["code"] == "database_busy"
    assert int(resp.headers["Retry-After"]) > 0
    assert elapsed < 5  # the lock wait is bounded (0.5 s here, 5 s by default), never 30 s
    after = client.patch(f"/api/v1/enterprise/vacancies/{vid}", json={"headcount": 3},
                         headers=auth)
    assert after.status_code == 200  # the lock gone, the same request goes through


def _cli(env: dict[str, str], *args: str) -> click.testing.Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.mark.parametrize("fault", [
    RuntimeError("Error in faiss::FileIOWriter::operator() at impl/io.cpp:97: "
                 "fwrite failed: No space left on device"),
    OSError(errno.ENOSPC, "No space left on device"),
])
def test_disk_full_during_index_save_keeps_the_old_index(db_url: str, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         fault: Exception) -> None:
    import faiss

    env = {"WORKBRIDGE_DATABASE_URL": db_url, "WORKBRIDGE_INDEX_DIR": str(tmp_path / "ix"),
           "WORKBRIDGE_ENCODER": "fake"}
    assert _cli(env, "index", "build").exit_code == 0
    before = {p.name: p.read_bytes() for p in (tmp_path / "ix").iterdir() if p.is_file()}

    def full_disk(index: object, path: str) -> None:
        Path(path).write_bytes(b"partial")
        raise fault

    monkeypatch.setattr(faiss, "write_index", full_disk)
    result = _cli(env, "index", "build")
    assert result.exit_code == 1
    assert "index not saved" in result.output and "No space left on device" in result.output
    assert "previous index files are kept" in result.output
    assert "Traceback" not in result.output
    after = {p.name: p.read_bytes() for p in (tmp_path / "ix").iterdir() if p.is_file()}
    assert {k: v for k, v in after.items() if not k.endswith(".npy")} == {
        k: v for k, v in before.items() if not k.endswith(".npy")}
    assert not [p for p in (tmp_path / "ix").iterdir() if p.name.endswith(".tmp")]
    with pytest.raises(store.IndexSaveError):
        store._atomic_write(tmp_path / "ix" / "x.bin", lambda tmp: full_disk(None, tmp))


def test_cli_refuses_to_create_an_empty_default_database(db_url: str, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    monkeypatch.setattr(matcher.config, "PROJECT_ROOT", tmp_path)
    monkeypatch.delenv("WORKBRIDGE_DATABASE_URL", raising=False)
    default = tmp_path / "instance" / "workbridge.db"
    for args in (["index", "status"], ["index", "build"], ["bureau", "gaps"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1, (args, result.output)
        assert "WORKBRIDGE_DATABASE_URL" in result.output and "db upgrade" in result.output
        assert not default.exists()
    assert CliRunner().invoke(main, ["--help"]).exit_code == 0
    # README's path (make run): db upgrade creates it, then the other commands work
    assert CliRunner().invoke(main, ["db", "upgrade"]).exit_code == 0 and default.exists()
    result = CliRunner().invoke(main, ["index", "status"])
    assert result.exit_code == 0, result.output
    # an explicit URL is the operator's choice, and demo seed may start a database
    check_database(Settings(database_url=f"sqlite:///{tmp_path}/new.db"), "workbridge index",
                   {"WORKBRIDGE_DATABASE_URL": f"sqlite:///{tmp_path}/new.db"})
    check_database(Settings(database_url=f"sqlite:///{tmp_path}/new.db"),
                   "workbridge demo seed", {})
