"""Settings come from the environment, with defaults, and refuse unusable values."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.config import PROJECT_ROOT, ConfigError, load_settings


def test_defaults() -> None:
    s = load_settings(environ={})
    assert s.database_url == f"sqlite:///{PROJECT_ROOT / 'instance' / 'workbridge.db'}"
    assert s.index_dir == PROJECT_ROOT / "indexes"
    assert s.encoder == "e5-small-jobs"
    assert s.index_type == "flat"


def test_environment_overrides() -> None:
    s = load_settings(environ={
        "WORKBRIDGE_DATABASE_URL": "postgresql+psycopg://u@h/db",
        "WORKBRIDGE_INDEX_DIR": "/tmp/ix", "WORKBRIDGE_ENCODER": "minilm",
        "WORKBRIDGE_INDEX_TYPE": "hnsw", "WORKBRIDGE_SECRET_KEY": "s",
    })
    assert (s.database_url, s.index_dir, s.encoder, s.index_type, s.secret_key) == (
        "postgresql+psycopg://u@h/db", Path("/tmp/ix"), "minilm", "hnsw", "s")


def test_bad_values_are_refused() -> None:
    with pytest.raises(ConfigError, match="WORKBRIDGE_INDEX_TYPE"):
        load_settings(environ={"WORKBRIDGE_INDEX_TYPE": "magic"})
    with pytest.raises(ConfigError, match="WORKBRIDGE_SECRET_KEY"):
        load_settings(environ={"WORKBRIDGE_ENV": "production"})


def test_web_settings_from_environment() -> None:
    s = load_settings(environ={
        "WORKBRIDGE_COOKIE_SECURE": "1", "WORKBRIDGE_RATELIMIT_STORAGE": "redis://127.0.0.1:6379",
        "WORKBRIDGE_LOGIN_LIMIT": "3 per minute",
    })
    assert (s.cookie_secure, s.ratelimit_storage, s.login_limit) == (
        True, "redis://127.0.0.1:6379", "3 per minute")
    with pytest.raises(ConfigError, match="WORKBRIDGE_COOKIE_SECURE"):
        load_settings(environ={"WORKBRIDGE_COOKIE_SECURE": "maybe"})


def test_app_config_follows_settings() -> None:
    from web import create_app

    app = create_app(load_settings(environ={"WORKBRIDGE_COOKIE_SECURE": "true"}))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
