"""The action layer's registry: every thing a person can do is one registered function.

An *action* changes state: ``fn(uow, actor, ...) -> view``; a *query* reads:
``fn(uow, actor, ...) -> view``. Both are declared with the roles that may call them::

    @action(Role.ENTERPRISE)
    def post_vacancy(uow: Work, actor: Principal, data: VacancyInput) -> VacancyView: ...

The decorator refuses any other role before the body runs (403, ``wrong_role``), and an
enterprise or agency the bureau has not approved (422, ``account_pending``); the body
then checks ownership itself (404 for another's object, see
:mod:`matcher.accounts.permissions`). The system principal (CLI, jobs) is an administrator
and passes every role check (``system=False`` refuses it). Actions never commit: the
caller (a web view's ``perform``, a CLI command, a job) commits the unit of work.

:data:`REGISTRY` lists every action and query, so the authorization matrix test can call
each one with every wrong role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Literal, ParamSpec, TypeVar

from matcher.enums import Role
from matcher.errors import Forbidden
from matcher.principal import Principal, require_approved, require_role
from matcher.words import msg

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Declared:
    """One registered action or query."""

    name: str
    kind: Literal["action", "query"]
    roles: tuple[Role, ...]
    system: bool
    fn: Callable[..., Any]
    any_account: bool = False


REGISTRY: dict[str, Declared] = {}


def _check(actor: Any, roles: tuple[Role, ...], system: bool, name: str,
           any_account: bool = False) -> None:
    if not isinstance(actor, Principal):
        raise TypeError(f"{name}: the second argument must be a Principal")
    if actor.is_system:
        if not system:
            raise Forbidden(msg("The system may not do this for a person."),
                            code="not_for_system")
        return
    require_role(actor, *roles)
    if not any_account:
        require_approved(actor)


def _declare(kind: Literal["action", "query"], roles: tuple[Role, ...], system: bool,
             any_account: bool = False) -> Callable[[Callable[P, R]], Callable[P, R]]:
    if not roles:
        raise ValueError("declare at least one role")

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        name = f"{fn.__module__}.{fn.__qualname__}"

        @wraps(fn)
        def inner(*args: P.args, **kwargs: P.kwargs) -> R:
            actor = args[1] if len(args) > 1 else kwargs.get("actor")
            _check(actor, roles, system, name, any_account)
            return fn(*args, **kwargs)

        inner.declared = Declared(  # type: ignore[attr-defined]
            name, kind, roles, system, inner, any_account)
        REGISTRY[name] = inner.declared  # type: ignore[attr-defined]
        return inner

    return wrap


def action(*roles: Role, system: bool = True,
           any_account: bool = False) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Register a state-changing action callable by ``roles`` (and the system);
    ``any_account`` lets unapproved accounts call it too (e.g. logging out)."""
    return _declare("action", roles, system, any_account)


def query(*roles: Role, system: bool = True) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Register a read-only query callable by ``roles`` (and the system)."""
    return _declare("query", roles, system)


ALL_ROLES = tuple(Role)
