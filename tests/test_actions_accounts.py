"""Account actions called directly and through the CLI: creating users (admins and the
system only), tokens for credentials, logging out (personal)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from builders.subsidy import add_agency
from click.testing import CliRunner

from matcher.accounts import actions, users
from matcher.cli.users_cmds import users as users_cli
from matcher.enums import Role
from matcher.errors import Forbidden, ValidationFailed
from matcher.models import HRAgency
from matcher.principal import Principal
from matcher.runtime import Runtime, Work

SYSTEM = Principal.system("test")
ADMIN = Principal(user_id=5, email="officer@bureau.example", role=Role.ADMIN)


@contextmanager
def committing(rt: Runtime) -> Iterator[Work]:
    """A unit of work committed when the block ends without an exception."""
    with rt.uow() as uow:
        yield uow
        uow.commit()


def _agency(rt: Runtime) -> tuple[int, str]:
    with committing(rt) as uow:
        agency = uow.s.get(HRAgency, add_agency(uow.s))
        assert agency is not None
        return agency.id, agency.external_id


def test_only_admins_and_the_system_create_users(rt: Runtime) -> None:
    agency, external = _agency(rt)
    data = actions.NewUser("staff@example.org", "secret-horse-1", "agency",
                           agency_external_id=external, with_token=True)
    staff = Principal(user_id=9, email="x@example.org", role=Role.AGENCY, agency_id=agency)
    with committing(rt) as uow, pytest.raises(Forbidden):
        actions.create_user(uow, staff, data)
    with committing(rt) as uow:
        done = actions.create_user(uow, SYSTEM, data)
    assert done.user.agency_id == agency and done.token
    with committing(rt) as uow:
        assert users.user_by_token(uow, done.token) == done.user
        with pytest.raises(ValidationFailed) as unknown:
            actions.create_user(uow, ADMIN, actions.NewUser(
                "other@example.org", "secret-horse-1", "agency", agency_external_id="nope"))
    assert set(unknown.value.fields) == {"agency_external_id"}


def test_tokens_and_logout(rt: Runtime) -> None:
    with committing(rt) as uow:
        user = users.create_user(uow, email="a@example.org", password="secret-horse-1",
                                 role=Role.ADMIN)
    with committing(rt) as uow:
        assert actions.issue_token(uow, "a@example.org", "wrong") is None
        issued = actions.issue_token(uow, "a@example.org", "secret-horse-1")
    assert issued is not None and issued.user.id == user.id
    me = Principal(user_id=user.id, email=user.email, role=Role.ADMIN)
    with committing(rt) as uow, pytest.raises(Forbidden):
        actions.log_out(uow, SYSTEM)
    with committing(rt) as uow:
        actions.log_out(uow, me, issued.token)
    with committing(rt) as uow:
        assert users.user_by_token(uow, issued.token) is None
        assert users.get_user(uow, user.id).session_version == user.session_version + 1


def test_cli_creates_a_user_linked_by_external_id(rt: Runtime) -> None:
    _, external = _agency(rt)
    env = {"WORKBRIDGE_DATABASE_URL": rt.settings.database_url,
           "WORKBRIDGE_SECRET_KEY": "test-secret"}
    runner = CliRunner()
    base = ["create", "--email", "cli@example.org", "--role", "agency", "--password",
            "pw12-long-enough"]
    made = runner.invoke(users_cli, [*base, "--agency-external-id", external, "--token"],
                         env=env)
    assert made.exit_code == 0, made.output
    assert "created user" in made.output and "API token (shown once)" in made.output
    missing = runner.invoke(users_cli, [*base, "--agency-external-id", "AG-0"], env=env)
    assert missing.exit_code == 2 and "--agency-external-id" in missing.output
    again = runner.invoke(users_cli, [*base, "--agency-external-id", external], env=env)
    assert again.exit_code == 1 and "already registered" in again.output.lower()
