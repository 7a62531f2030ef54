"""The action layer: every action and query declares its roles and refuses every other.

Generated from :data:`matcher.action.REGISTRY` after importing every ``actions`` and
``queries`` module of matcher's feature packages, so a new action is covered the moment it
is written. The role check runs before the body, so the other arguments can be dummies.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any

import pytest

import matcher
from matcher.action import REGISTRY, Declared
from matcher.enums import Role
from matcher.errors import Forbidden
from matcher.principal import Principal

LINKED = {Role.SEEKER: {"seeker_id": 7}, Role.ENTERPRISE: {"enterprise_id": 7},
          Role.AGENCY: {"agency_id": 7}, Role.ADMIN: {}}
# the things a person does that must be actions (a rename here is a deliberate API change)
REQUIRED = {
    "post_vacancy", "edit_vacancy", "close_vacancy", "declare_employee", "record_consent",
    "post_request", "close_request", "accept_agreement", "sign_agreement", "submit_claim",
    "approve_claim", "reject_claim", "pay_claim", "recommend", "update_profile",
}


def _feature_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(matcher.__path__, "matcher."):
        if info.name.rsplit(".", 1)[-1] in ("actions", "queries"):
            names.append(info.name)
    return sorted(names)


for _name in _feature_modules():
    importlib.import_module(_name)

DECLARED = sorted(REGISTRY.values(), key=lambda d: d.name)


def _person(role: Role, linked: bool = True) -> Principal:
    return Principal(user_id=99, email="x@example.org", role=role,
                     **(LINKED[role] if linked else {}))


def _dummies(d: Declared) -> list[Any]:
    sig = inspect.signature(inspect.unwrap(d.fn))
    params = list(sig.parameters.values())[2:]
    return [None for p in params if p.default is p.empty
            and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def test_every_feature_declares_actions() -> None:
    """Each feature package has actions, and the journeys' core steps are among them."""
    assert len(_feature_modules()) >= 6
    short = {d.name.rsplit(".", 1)[-1] for d in DECLARED}
    missing = {name for name in REQUIRED if not any(s.endswith(name) for s in short)}
    assert not missing, f"no action for {sorted(missing)}"


@pytest.mark.parametrize("declared", DECLARED, ids=lambda d: d.name)
def test_wrong_roles_are_refused_before_the_body(declared: Declared) -> None:
    """Every role outside the declared ones gets 403 wrong_role; the body never runs."""
    others = [r for r in Role if r not in declared.roles]
    for role in others:
        with pytest.raises(Forbidden) as err:
            declared.fn(None, _person(role), *_dummies(declared))
        assert err.value.code == "wrong_role"


@pytest.mark.parametrize("declared", DECLARED, ids=lambda d: d.name)
def test_unlinked_users_are_refused(declared: Declared) -> None:
    """A seeker, enterprise or agency user not linked to its organisation gets 403."""
    for role in declared.roles:
        if role == Role.ADMIN:
            continue
        with pytest.raises(Forbidden) as err:
            declared.fn(None, _person(role, linked=False), *_dummies(declared))
        assert err.value.code == "unlinked_user"


def test_the_system_is_refused_where_an_action_is_personal() -> None:
    """``system=False`` actions refuse the CLI's principal; the others let it through."""
    personal = [d for d in DECLARED if not d.system]
    for d in personal:
        with pytest.raises(Forbidden) as err:
            d.fn(None, Principal.system("test"), *_dummies(d))
        assert err.value.code == "not_for_system"


def test_a_plain_value_is_not_a_principal() -> None:
    """Passing an actor name string instead of a Principal is a programming error."""
    d = DECLARED[0]
    with pytest.raises(TypeError):
        d.fn(None, "user:1", *_dummies(d))
