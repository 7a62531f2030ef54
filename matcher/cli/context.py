"""Shared CLI plumbing: one Runtime per command invocation."""

from __future__ import annotations

import functools
import getpass
from collections.abc import Callable
from typing import Any, TypeVar

import click

from matcher.cli.database_guard import check_database
from matcher.config import ConfigError
from matcher.principal import Principal
from matcher.runtime import Runtime

T = TypeVar("T")


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
        check_database(rt.settings, ctx.command_path)
        root.meta["workbridge.runtime"] = rt
        root.call_on_close(rt.dispose)
    return rt


def system_principal() -> Principal:
    """The CLI's principal: the system, named after the operating-system user."""
    try:
        return Principal.system(f"cli:{getpass.getuser()}")
    except (KeyError, OSError):
        return Principal.system("cli")


def perform(fn: Callable[..., T], *args: Any, actor: Principal | None = None,
            **kwargs: Any) -> T:
    """Call action ``fn(uow, actor, *args)`` as the system (or ``actor``) and commit."""
    with get_runtime().uow() as uow:
        out = fn(uow, actor or system_principal(), *args, **kwargs)
        uow.commit()
    return out


def read(fn: Callable[..., T], *args: Any, actor: Principal | None = None,
         **kwargs: Any) -> T:
    """Call query ``fn(uow, actor, *args)`` as the system (or ``actor``)."""
    with get_runtime().uow() as uow:
        return fn(uow, actor or system_principal(), *args, **kwargs)


def pass_runtime(f: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: pass the Runtime as the first argument."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return f(get_runtime(), *args, **kwargs)

    return wrapper
