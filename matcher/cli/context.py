"""Shared CLI plumbing: one Runtime per command invocation."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from matcher.config import ConfigError
from matcher.runtime import Runtime


def get_runtime() -> Runtime:
    """The Runtime of the current click context (built from the environment once)."""
    ctx = click.get_current_context()
    root = ctx.find_root()
    rt = root.meta.get("workbridge.runtime")
    if rt is None:
        try:
            rt = Runtime()
        except ConfigError as exc:
            raise click.UsageError(str(exc)) from exc
        root.meta["workbridge.runtime"] = rt
        root.call_on_close(rt.dispose)
    return rt


def pass_runtime(f: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: pass the Runtime as the first argument."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return f(get_runtime(), *args, **kwargs)

    return wrapper
