"""The current app's matcher :class:`~matcher.runtime.Runtime` (one per worker process)."""

from __future__ import annotations

from flask import current_app

from matcher.runtime import Runtime


def runtime() -> Runtime:
    """The current app's matcher Runtime."""
    rt: Runtime = current_app.extensions["matcher"]
    return rt
