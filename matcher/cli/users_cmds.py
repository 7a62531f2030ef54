"""``workbridge users create``: add a login linked to its enterprise, agency or seeker."""

from __future__ import annotations

import click

from matcher.accounts import actions
from matcher.cli.context import perform
from matcher.enums import Role
from matcher.errors import DomainError

OPTION_OF = {"enterprise_external_id": "--enterprise-external-id",
             "agency_external_id": "--agency-external-id",
             "seeker_external_id": "--seeker-external-id"}


@click.group("users")
def users() -> None:
    """Manage logins."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="At least 10 characters, not a common password, not the email's name.")
@click.option("--enterprise-external-id", default=None)
@click.option("--agency-external-id", default=None)
@click.option("--seeker-external-id", default=None)
@click.option("--token/--no-token", default=False,
              help="Also issue an API token named 'cli' (shown once; tokens issued later "
                   "through the API do not revoke it).")
def create(email: str, role: str, password: str, enterprise_external_id: str | None,
           agency_external_id: str | None, seeker_external_id: str | None, token: bool) -> None:
    """Create a user with a role, linked to its organisation or profile."""
    data = actions.NewUser(email, password, role, enterprise_external_id, agency_external_id,
                           seeker_external_id, with_token=token)
    try:
        done = perform(actions.create_user, data)
    except DomainError as exc:
        missing = [name for name, msgs in exc.fields.items()
                   if name in OPTION_OF and "No such record." in msgs]
        if missing:
            raise click.BadParameter(exc.message, param_hint=OPTION_OF[missing[0]]) from None
        fields = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.fields.items())
        raise click.ClickException(f"{exc.message} {fields}".strip()) from None
    user = done.user
    click.echo(f"created user {user.id} {user.email} ({user.role})")
    if done.token:
        click.echo(f"API token (shown once): {done.token}")
