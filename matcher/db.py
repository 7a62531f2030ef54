"""Database engine, sessions and the unit of work.

Nothing is created at import time: call :func:`make_engine` with a URL.

No statement waits long for a lock: SQLite's busy timeout and PostgreSQL's ``lock_timeout``
are ``lock_timeout`` seconds (``WORKBRIDGE_DB_LOCK_TIMEOUT``, 5 s), and PostgreSQL also gets a
``statement_timeout`` (``WORKBRIDGE_DB_STATEMENT_TIMEOUT``, 20 s); the web layer answers
the resulting OperationalError with 503 and Retry-After.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)


DEFAULT_LOCK_TIMEOUT = 5.0
DEFAULT_STATEMENT_TIMEOUT = 20.0


def _sqlite_pragmas(dbapi_conn: Any, _record: Any, busy_ms: int = 5000) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.close()


#: execution option of a read-only unit of work (:func:`make_session_factory` ``read_only``)
READ_ONLY = "workbridge_read_only"


def _sqlite_begin(conn: Any) -> None:
    """Begin a transaction (pysqlite's own BEGIN handling is off, see make_engine).

    A unit of work that may write takes the write lock at its start (``BEGIN IMMEDIATE``),
    so concurrent writers queue instead of failing with "database is locked" on a lock
    upgrade. A read-only one (:data:`READ_ONLY`) begins deferred: under WAL it takes no lock
    and never waits for a writer, nor makes one wait (a worker loading 100,000 rows into its
    index, or serving recommendations, no longer holds every other process's writes), and
    the connection is ``query_only`` for it, so a write there fails instead of being lost.
    """
    read_only = bool(conn.get_execution_options().get(READ_ONLY))
    if conn.info.get(READ_ONLY, False) != read_only:  # pooled connections serve both kinds
        conn.exec_driver_sql(f"PRAGMA query_only={'ON' if read_only else 'OFF'}")
        conn.info[READ_ONLY] = read_only
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _pg_options(existing: str | None, lock_timeout: float, statement_timeout: float) -> str:
    parts = [existing] if existing else []
    if lock_timeout > 0:
        parts.append(f"-c lock_timeout={int(lock_timeout * 1000)}")
    if statement_timeout > 0:
        parts.append(f"-c statement_timeout={int(statement_timeout * 1000)}")
    return " ".join(parts)


def make_engine(url: str, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
                statement_timeout: float = DEFAULT_STATEMENT_TIMEOUT, **kwargs: Any) -> Engine:
    """Create an engine; for SQLite, create the folder and set safe pragmas.

    ``lock_timeout`` (seconds) bounds every lock wait; ``statement_timeout`` (seconds,
    PostgreSQL only, 0 = none) bounds every statement.
    """
    parsed = make_url(url)
    connect_args = kwargs.pop("connect_args", {})
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        connect_args.setdefault("check_same_thread", False)
        connect_args.setdefault("timeout", lock_timeout)
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect",
                     partial(_sqlite_pragmas, busy_ms=int(lock_timeout * 1000)))

        @event.listens_for(engine, "connect")
        def _no_pysqlite_begin(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None

        event.listen(engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if parsed.get_backend_name() == "postgresql":
        given = connect_args.get("options") or parsed.query.get("options")
        options = _pg_options(given if isinstance(given, str) else None, lock_timeout,
                              statement_timeout)
        if options:
            connect_args["options"] = options
    return create_engine(url, connect_args=connect_args, **kwargs)


def make_session_factory(engine: Engine, *, read_only: bool = False) -> sessionmaker[Session]:
    """Return a session factory bound to ``engine``; objects stay usable after commit.

    ``read_only``: its sessions only read (SQLite: no lock taken, see :func:`_sqlite_begin`;
    PostgreSQL: ``READ ONLY`` transactions); a write in one fails. For queries whose
    transaction is rolled back anyway.
    """
    options: dict[str, Any] = {READ_ONLY: True}
    if engine.dialect.name == "postgresql":
        options["postgresql_readonly"] = True  # BEGIN READ ONLY (no extra round trip)
    bind = engine.execution_options(**options) if read_only else engine
    return sessionmaker(bind=bind, expire_on_commit=False)


class UnitOfWork:
    """One transaction: ``with uow: ...; uow.commit()``; leaving without commit rolls back."""

    def __init__(self, session_factory: sessionmaker[Session]):
        self._factory = session_factory
        self.session: Session | None = None
        self._after_commit: list[Any] = []

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        self._after_commit = []
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.session is not None
        try:
            self.session.rollback()
        finally:
            self.session.close()
            self.session = None

    @property
    def s(self) -> Session:
        """The open session (only inside ``with``)."""
        if self.session is None:
            raise RuntimeError("UnitOfWork used outside 'with'")
        return self.session

    def on_commit(self, callback: Any) -> None:
        """Run ``callback()`` after a successful commit (e.g. to update an index)."""
        self._after_commit.append(callback)

    def commit(self) -> None:
        """Commit, then run the after-commit callbacks in order."""
        self.s.commit()
        callbacks, self._after_commit = self._after_commit, []
        for cb in callbacks:
            cb()

    def rollback(self) -> None:
        """Roll back the open transaction."""
        self.s.rollback()
        self._after_commit = []


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
