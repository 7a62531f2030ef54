"""Read-only units of work (``Runtime.reader``): on SQLite they take no lock, so a process
loading its index or serving reads never makes another process's write wait, and a write
inside one fails instead of being rolled back unnoticed. On PostgreSQL they are plain
transactions (readers never block writers there)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from builders.accounts import build_world
from sqlalchemy import func, select, update
from sqlalchemy.exc import InternalError, OperationalError

from matcher.accounts import tokens
from matcher.config import Settings
from matcher.models import ApiToken, Enterprise, Vacancy
from matcher.runtime import Runtime
from web import create_app

pytestmark = pytest.mark.db


@pytest.fixture
def quick_rt(settings: Settings) -> Iterator[Runtime]:
    """A runtime whose lock waits end after half a second."""
    rt = Runtime(settings.override(db_lock_timeout=0.5))
    yield rt
    rt.dispose()


def _is_sqlite(rt: Runtime) -> bool:
    return rt.engine.dialect.name == "sqlite"


def test_an_open_reader_does_not_hold_up_a_writer(quick_rt: Runtime) -> None:
    """A long read (a worker loading 100,000 rows into its index) stays open while another
    unit of work writes and commits; before, every SQLite transaction began with
    BEGIN IMMEDIATE and the writer failed with "database is locked" after the timeout."""
    build_world(quick_rt)
    reading, wrote = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def long_read() -> None:
        try:
            with quick_rt.reader() as uow:
                uow.s.scalar(select(func.count()).select_from(Vacancy))
                reading.set()
                wrote.wait(5)
                uow.s.scalar(select(func.count()).select_from(Enterprise))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
            reading.set()

    reader = threading.Thread(target=long_read)
    reader.start()
    assert reading.wait(5)
    started = time.monotonic()
    with quick_rt.uow() as uow:
        uow.s.execute(update(Enterprise).values(industry="written while read"))
        uow.commit()
    waited = time.monotonic() - started
    wrote.set()
    reader.join(10)
    assert not errors
    assert waited < 0.5  # no lock wait at all (the timeout is 0.5 s)
    with quick_rt.reader() as uow:
        names = set(uow.s.scalars(select(Enterprise.industry)))
    assert names == {"written while read"}


def test_a_write_in_a_reader_fails_and_leaves_the_connection_usable(quick_rt: Runtime) -> None:
    """SQLite marks the reader's connection ``query_only``, PostgreSQL begins ``READ ONLY``;
    the pool's next writer on the same connection writes normally."""
    build_world(quick_rt)
    refused = (OperationalError, "readonly") if _is_sqlite(quick_rt) else \
        (InternalError, "read-only transaction")
    with quick_rt.reader() as uow, pytest.raises(refused[0], match=refused[1]):
        uow.s.execute(update(Enterprise).values(industry="lost"))
    for _ in range(3):  # whichever pooled connection comes next
        with quick_rt.uow() as uow:
            uow.s.execute(update(Enterprise).values(industry="kept"))
            uow.commit()
        with quick_rt.reader() as uow:
            assert set(uow.s.scalars(select(Enterprise.industry))) == {"kept"}


def test_token_requests_read_without_writing_and_touch_when_due(settings: Settings) -> None:
    """An API request authenticates in a reader; ``last_used_at`` is written by a separate
    short write, at most every ``TOUCH_EVERY``."""
    app = create_app(settings)
    app.config.update(TESTING=True)
    world = build_world(app.extensions["matcher"])
    rt: Runtime = app.extensions["matcher"]
    client = app.test_client()
    token = world.party("seeker").token
    headers = {"Authorization": f"Bearer {token}"}

    def last_used() -> object:
        with rt.reader() as uow:
            return uow.s.scalar(select(ApiToken.last_used_at)
                                .where(ApiToken.token_hash == tokens.digest(token)))

    assert client.get("/api/v1/me/profile", headers=headers).status_code == 200
    first = last_used()
    assert first is not None
    assert client.get("/api/v1/me/profile", headers=headers).status_code == 200
    assert last_used() == first  # within TOUCH_EVERY: no second write
    with rt.uow() as uow:
        uow.s.execute(update(ApiToken).values(last_used_at=None))
        uow.commit()
    assert client.get("/api/v1/me/profile", headers=headers).status_code == 200
    assert last_used() is not None
    rt.dispose()
