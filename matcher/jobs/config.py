"""Job queue settings, read from environment variables in one place.

==================================  ================================================
WORKBRIDGE_BROKER_URL               empty: no broker, jobs run in the submitting
                                    process; ``redis://127.0.0.1:6379/0`` or
                                    ``amqp://guest@127.0.0.1//`` for Celery workers
WORKBRIDGE_JOB_VISIBILITY_TIMEOUT   ``3600`` seconds (Redis): a job unacknowledged this
                                    long (its worker died) is delivered again; keep it
                                    above the longest chunk or import
WORKBRIDGE_JOB_CHUNK                ``1000`` keys per re-embedding chunk
WORKBRIDGE_JOB_STEP_DELAY           ``0`` seconds slept at every progress step (tests
                                    only: makes a job slow deterministically)
==================================  ================================================
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from matcher.config import ConfigError


@dataclass(frozen=True)
class JobSettings:
    """Where jobs go and how they are cut and delivered."""

    broker_url: str = ""
    visibility_timeout: int = 3600
    chunk_size: int = 1000
    step_delay: float = 0.0

    @property
    def in_process(self) -> bool:
        """True when there is no broker: jobs run where they are submitted."""
        return not self.broker_url


def _number(env: Mapping[str, str], var: str, default: float, low: float) -> float:
    raw = env.get(var, "")
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{var}: expected a number, got {raw!r}") from None
    if value < low:
        raise ConfigError(f"{var}: must be at least {low:g}, got {raw!r}")
    return value


def load_job_settings(environ: Mapping[str, str] | None = None) -> JobSettings:
    """Read the job settings from ``environ`` (default ``os.environ``)."""
    env = os.environ if environ is None else environ
    broker = env.get("WORKBRIDGE_BROKER_URL", "").strip()
    if broker and not broker.startswith(("redis://", "rediss://", "amqp://", "amqps://")):
        raise ConfigError(f"WORKBRIDGE_BROKER_URL: expected redis://... or amqp://..., "
                          f"got {broker!r}")
    return JobSettings(
        broker_url=broker,
        visibility_timeout=int(_number(env, "WORKBRIDGE_JOB_VISIBILITY_TIMEOUT", 3600, 1)),
        chunk_size=int(_number(env, "WORKBRIDGE_JOB_CHUNK", 1000, 1)),
        step_delay=_number(env, "WORKBRIDGE_JOB_STEP_DELAY", 0.0, 0),
    )
