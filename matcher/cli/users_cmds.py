"""``workbridge users create``: add a login linked to its enterprise, agency or seeker."""

from __future__ import annotations

import click
from sqlalchemy import select

from matcher.accounts.users import create_user, issue_token
from matcher.cli.context import pass_runtime
from matcher.enums import Role
from matcher.errors import DomainError
from matcher.models import Enterprise, HRAgency, JobSeeker
from matcher.runtime import Runtime


@click.group("users")
def users() -> None:
    """Manage logins."""


def _by_external(uow, model, external_id, option):
    if external_id is None:
        return None
    found = uow.s.scalar(select(model.id).where(model.external_id == external_id))
    if found is None:
        raise click.BadParameter(f"no record with external id {external_id!r}", param_hint=option)
    return found


@users.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--enterprise-external-id", default=None)
@click.option("--agency-external-id", default=None)
@click.option("--seeker-external-id", default=None)
@click.option("--token/--no-token", default=False, help="Also issue an API token (shown once).")
@pass_runtime
def create(rt: Runtime, email: str, role: str, password: str, enterprise_external_id: str | None,
           agency_external_id: str | None, seeker_external_id: str | None, token: bool) -> None:
    """Create a user with a role, linked to its organisation or profile."""
    with rt.uow() as uow:
        try:
            user = create_user(
                uow, email=email, password=password, role=role, actor="cli",
                enterprise_id=_by_external(uow, Enterprise, enterprise_external_id,
                                           "--enterprise-external-id"),
                agency_id=_by_external(uow, HRAgency, agency_external_id, "--agency-external-id"),
                seeker_id=_by_external(uow, JobSeeker, seeker_external_id,
                                       "--seeker-external-id"),
            )
            secret = issue_token(uow, user.id, actor="cli") if token else None
        except DomainError as exc:
            fields = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.fields.items())
            raise click.ClickException(f"{exc.message} {fields}".strip()) from None
        uow.commit()
    click.echo(f"created user {user.id} {user.email} ({user.role})")
    if secret:
        click.echo(f"API token (shown once): {secret}")
