"""The process-wide runtime: settings plus lazily built engine, sessions, cipher, encoder.

Nothing heavy happens at construction; each part is built on first use, once, under a
lock. The web app keeps one Runtime in ``app.extensions["matcher"]``; the CLI builds one
per command. In a forking server each worker builds its own (after fork).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from matcher.config import Settings, load_settings
from matcher.db import UnitOfWork, make_engine, make_session_factory
from matcher.encoders import get_encoder
from matcher.pii import PiiCipher

if TYPE_CHECKING:
    from matcher.encoders.base import Encoder
    from matcher.index.registry import Registry
    from matcher.subsidy.rules import RuleSet


class Work(UnitOfWork):
    """A unit of work that knows its process runtime (actions reach the index through it)."""

    def __init__(self, rt: Runtime, *, read_only: bool = False):
        super().__init__(rt.read_sessions if read_only else rt.sessions)
        self.rt = rt

    def __enter__(self) -> Work:
        super().__enter__()
        return self


class Runtime:
    """Holds settings and the shared, lazily created resources of one process."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or load_settings()
        self._lock = threading.RLock()
        self._engine: Engine | None = None
        self._sessions: sessionmaker[Session] | None = None
        self._read_sessions: sessionmaker[Session] | None = None
        self._cipher: PiiCipher | None = None
        self._encoder: Encoder | None = None
        self.index_registry: Registry | None = None  # set by matcher.index.get_registry
        self.ruleset: RuleSet | None = None  # set by matcher.subsidy.rule_store

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (created on first use)."""
        with self._lock:
            if self._engine is None:
                self._engine = make_engine(
                    self.settings.database_url, lock_timeout=self.settings.db_lock_timeout,
                    statement_timeout=self.settings.db_statement_timeout)
            return self._engine

    @property
    def sessions(self) -> sessionmaker[Session]:
        """The session factory."""
        with self._lock:
            if self._sessions is None:
                self._sessions = make_session_factory(self.engine)
            return self._sessions

    @property
    def read_sessions(self) -> sessionmaker[Session]:
        """The session factory of read-only units of work (:meth:`reader`)."""
        with self._lock:
            if self._read_sessions is None:
                self._read_sessions = make_session_factory(self.engine, read_only=True)
            return self._read_sessions

    def uow(self) -> Work:
        """A new unit of work (use as ``with rt.uow() as uow: ...``)."""
        return Work(self)

    def reader(self) -> Work:
        """A new read-only unit of work: for reads whose transaction is never committed
        (queries, index loading, ranking). On SQLite it takes no lock and refuses writes."""
        return Work(self, read_only=True)

    @property
    def cipher(self) -> PiiCipher:
        """Encryption and keyed hashing of personal identifiers."""
        with self._lock:
            if self._cipher is None:
                self._cipher = PiiCipher(self.settings.pii_key or self.settings.secret_key)
            return self._cipher

    @property
    def encoder(self) -> Encoder:
        """The configured text encoder, loaded on first use."""
        with self._lock:
            if self._encoder is None:
                self._encoder = get_encoder(self.settings.encoder)
            return self._encoder

    def set_encoder(self, encoder: Encoder) -> None:
        """Use ``encoder`` instead of the configured one (tests, benchmarks)."""
        with self._lock:
            self._encoder = encoder

    def ping(self) -> None:
        """Raise unless the database answers (the liveness probe)."""
        with self.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")

    def dispose(self) -> None:
        """Close database connections (call before fork or at shutdown)."""
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
