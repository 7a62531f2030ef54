"""Shared fixtures: a migrated database per test (SQLite file or PostgreSQL), a Runtime; test tiers.

Each test that asks for ``db_url`` gets its own database cloned from a template that was
migrated to head once per run: a copied SQLite file, or on PostgreSQL (when
``WORKBRIDGE_TEST_PG_URL`` names a server's admin URL) ``CREATE DATABASE ... TEMPLATE``.
Tests commit for real, so thread races and triggers behave as in production.

Tiers (markers): a test whose fixtures include ``db_url`` is ``db``, one whose fixtures include
``rt_e5`` is ``slow``; a test with none of ``db``/``slow``/``browser`` is ``unit``, and a unit
test that opens a database connection or loads a real model fails (so the tiers stay honest).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from builders.accounts import build_world
from flask import Flask
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from matcher import migrate
from matcher.config import Settings, load_settings
from matcher.encoders import DEFAULT_SPEC, e5_weights, st_encoder
from matcher.runtime import Runtime
from web import create_app

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

PG_ADMIN_URL = os.environ.get("WORKBRIDGE_TEST_PG_URL", "")
CREATE_ALL = os.environ.get("WORKBRIDGE_TEST_CREATE_ALL") == "1"


def _build_schema(url: str) -> None:
    """Migrate ``url`` to head (or, for model work in progress, create_all + triggers)."""
    if not CREATE_ALL:
        migrate.upgrade(url)
        return
    import importlib.util

    from matcher.db import make_engine
    from matcher.models import Base

    spec = importlib.util.spec_from_file_location(
        "append_only", migrate.MIGRATIONS_DIR / "versions" / "0002_append_only.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    engine = make_engine(url)
    try:
        Base.metadata.create_all(engine)
        with engine.begin() as conn:
            for sql in module.statements(engine.dialect.name):
                # psycopg reads "%" as a placeholder in driver SQL
                conn.exec_driver_sql(sql.replace("%", "%%") if PG_ADMIN_URL else sql)
    finally:
        engine.dispose()


def pytest_sessionstart(session: pytest.Session) -> None:
    """In CI (WORKBRIDGE_REQUIRE_BROWSER=1) a missing Chromium is an error, not a skip."""
    required = os.environ.get("WORKBRIDGE_REQUIRE_BROWSER") == "1"
    if required and not Path("/usr/bin/chromium").exists():
        raise pytest.UsageError("WORKBRIDGE_REQUIRE_BROWSER=1 but /usr/bin/chromium is missing")


#: Fixture -> the tier its users belong to (fixturenames holds the whole fixture closure).
TIER_FIXTURES = {"db_url": "db", "rt_e5": "slow"}
OTHER_TIERS = ("db", "slow", "browser")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark tiers: ``db`` (CI reruns them on PostgreSQL), ``slow`` by fixture; the rest ``unit``."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        for fixture, tier in TIER_FIXTURES.items():
            if fixture in fixtures and item.get_closest_marker(tier) is None:
                item.add_marker(getattr(pytest.mark, tier))
        if not any(item.get_closest_marker(tier) for tier in OTHER_TIERS):
            item.add_marker(pytest.mark.unit)


def _refuse(what: str) -> object:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError(f"a unit test must not {what}: use the db_url/rt fixtures "
                             "(db tier) or mark it slow")
    return refuse


@pytest.fixture(autouse=True)
def _unit_tier_guard(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Unit tests run without a database connection and without a real embedding model."""
    if request.node.get_closest_marker("unit") is None:
        return
    monkeypatch.setattr(Engine, "connect", _refuse("connect to a database"))
    monkeypatch.setattr(Engine, "raw_connection", _refuse("connect to a database"))
    monkeypatch.setattr(st_encoder, "_load_model", _refuse("load a real embedding model"))
    monkeypatch.setattr(e5_weights, "load", _refuse("load a real embedding model"))


def _pg_exec(sql: str) -> None:
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


@pytest.fixture(autouse=True)
def _cli_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
                     ) -> None:
    """CLI runs inside tests never touch the project's indexes/ and default to the fake
    encoder; a test that wants the real one sets WORKBRIDGE_ENCODER itself."""
    monkeypatch.setenv("WORKBRIDGE_INDEX_DIR", str(tmp_path_factory.mktemp("cli-indexes")))
    monkeypatch.setenv("WORKBRIDGE_ENCODER", "fake")


@pytest.fixture(scope="session")
def db_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated to head once per test run, used as a template."""
    if PG_ADMIN_URL:
        name = f"wb_tpl_{uuid.uuid4().hex[:8]}"
        _pg_exec(f'CREATE DATABASE "{name}"')
        url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        _build_schema(url)
        yield name
        _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = tmp_path_factory.mktemp("template") / "template.db"
        _build_schema(f"sqlite:///{path}")
        yield str(path)


@pytest.fixture
def db_url(db_template: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated, empty database for one test."""
    if PG_ADMIN_URL:
        name = f"wb_t_{uuid.uuid4().hex[:10]}"
        _pg_exec(f'CREATE DATABASE "{name}" TEMPLATE "{db_template}"')
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = tmp_path / "workbridge.db"
        shutil.copyfile(db_template, path)
        yield f"sqlite:///{path}"


@pytest.fixture
def settings(db_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Settings for one test: its own database and index folder, the fake encoder."""
    return load_settings(
        environ={}, database_url=db_url, index_dir=tmp_path / "indexes", encoder="fake",
        secret_key="test-secret",
    )


@pytest.fixture
def world_app(settings):  # type: ignore[no-untyped-def]
    """The web app on the test database with one party of every role (tests.builders.accounts);
    a module that needs other app settings defines its own ``world_app``."""
    app = create_app(settings)
    app.config.update(TESTING=True)
    yield app, build_world(app.extensions["matcher"])
    app.extensions["matcher"].dispose()


@pytest.fixture
def rt(settings) -> Iterator[Runtime]:  # type: ignore[no-untyped-def]
    """A Runtime on the test database (fake encoder; use ``rt_e5`` for the real one)."""
    runtime = Runtime(settings)
    yield runtime
    runtime.dispose()


@pytest.fixture
def rt_e5(settings) -> Iterator[Runtime]:  # type: ignore[no-untyped-def]
    """A Runtime on the test database with the real multilingual encoder (the default one)."""
    runtime = Runtime(settings.override(encoder=DEFAULT_SPEC))
    yield runtime
    runtime.dispose()


# Every word looked up in the catalogs during the run must be there (web/i18n.py records misses).
os.environ["WORKBRIDGE_I18N_STRICT"] = "1"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when a page or an API message used a msgid missing from the catalogs."""
    from web.i18n import MISSING

    if MISSING and os.environ.get("WORKBRIDGE_I18N_ALLOW_MISSING") != "1":
        import sys
        sys.stderr.write("\nwords shown but missing from the catalogs (issue 16):\n")
        for msgid in sorted(MISSING)[:200]:
            sys.stderr.write(f"  {msgid!r}\n")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def signup_app(settings: Settings) -> Iterator[Flask]:
    """An app whose sign-up limit does not get in the way of form tests."""
    application = create_app(settings)
    application.config.update(TESTING=True, WORKBRIDGE_SIGNUP_LIMIT="1000 per minute")
    yield application
    application.extensions["matcher"].dispose()
