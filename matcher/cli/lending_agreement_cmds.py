"""Agreement commands of ``workbridge lending`` and the lending CLI's parsing helpers.

The commands are added to the ``lending`` group by :mod:`matcher.cli.lending_cmds`.
Enterprises and employees are named by external id (or numeric id); amounts are given in
yuan (``200`` or ``200.50``) and stored in fen. Refusals exit with status 1 and the
message a user would see. Each command calls the same action or query as the web, as the
system principal named by ``--actor`` (its audit name is ``system:<actor>``).
"""

from __future__ import annotations

import functools
import getpass
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.cli.context import pass_runtime, perform, read
from matcher.errors import DomainError
from matcher.lending import actions, queries
from matcher.lending.terms import AgreementInput, AgreementView
from matcher.models import Enterprise, SurplusEmployee
from matcher.principal import Principal
from matcher.runtime import Runtime

DAY = click.DateTime(formats=["%Y-%m-%d"])


def _default_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


ACTOR = click.option("--actor", default=_default_actor, show_default="cli:<user>",
                     help="Who acts (written to the audit log).")


def day_or_today(value: datetime | None) -> date:
    """The date of a ``--today``/``--date`` option, else today."""
    return value.date() if value else date.today()


def fen(yuan: str) -> int:
    """A yuan amount from the command line as integer fen (``180.5`` -> ``18050``)."""
    try:
        amount = Decimal(yuan) * 100
    except InvalidOperation:
        raise click.BadParameter(f"{yuan!r} is not an amount in yuan") from None
    if amount != amount.to_integral_value() or amount < 0:
        raise click.BadParameter(f"{yuan!r}: at most two decimals, not negative")
    return int(amount)


def ref_id(session: Session, model: Any, ref: str) -> int:
    """Numeric id or external id of an enterprise or surplus employee."""
    found = session.scalar(select(model.id).where(model.external_id == ref))
    if found is None and ref.isdigit() and session.get(model, int(ref)) is not None:
        found = int(ref)
    if found is None:
        raise click.BadParameter(f"no {model.__tablename__} row {ref!r}")
    return int(found)


def split_list(text: str) -> tuple[str, ...]:
    """Items separated by ``;`` (as in import files) or commas."""
    return tuple(s.strip() for s in re.split(r"[;；,，]", text) if s.strip())


def domain_errors(f: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a DomainError into exit status 1 with its code, message and fields."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except DomainError as exc:
            fields = "".join(f"\n  {k}: {'; '.join(v)}" for k, v in exc.fields.items())
            raise click.ClickException(f"[{exc.code}] {exc.message}{fields}") from None

    return wrapper


def _show(view: AgreementView) -> None:
    click.echo(f"agreement {view.id} [{view.status}] {view.lender_name} -> {view.borrower_name} "
               f"{view.start_date}..{view.end_date} at {view.site}, {view.daily_hours:g} h/day, "
               f"{view.reimbursement_per_day / 100:.2f} yuan/person/day")
    for e in view.employees:
        ack = "acknowledged" if e.acknowledged_at else "not acknowledged"
        click.echo(f"  - {e.external_id} {e.name or ''} ({ack}{', active' if e.is_active else ''})")


@click.command("propose")
@click.option("--lender", required=True)
@click.option("--borrower", required=True)
@click.option("--employees", required=True, help="Employee ids separated by ; or ,")
@click.option("--from", "from_", type=DAY, required=True)
@click.option("--to", type=DAY, required=True)
@click.option("--site", required=True)
@click.option("--hours", type=float, default=8.0, show_default=True)
@click.option("--reimbursement", required=True, help="Yuan per person per day.")
@click.option("--request", "request_id", type=int)
@ACTOR
@pass_runtime
@domain_errors
def propose_cmd(rt: Runtime, lender: str, borrower: str, employees: str, from_: datetime,
                to: datetime, site: str, hours: float, reimbursement: str,
                request_id: int | None, actor: str) -> None:
    """Propose a lending agreement (every compliance rule is checked)."""
    with rt.uow() as uow:
        terms = AgreementInput(
            lender_id=ref_id(uow.s, Enterprise, lender),
            borrower_id=ref_id(uow.s, Enterprise, borrower),
            employee_ids=tuple(ref_id(uow.s, SurplusEmployee, e) for e in split_list(employees)),
            start_date=from_.date(), end_date=to.date(), site=site, daily_hours=hours,
            reimbursement_per_day=fen(reimbursement), request_id=request_id)
    _show(perform(actions.propose_agreement, terms, actor=Principal.system(actor)))


Extra = Callable[[Runtime, dict[str, Any]], tuple[Any, ...]]


def _step(name: str, doc: str, fn: Callable[..., AgreementView], extra: Extra,
          *params: click.Parameter) -> click.Command:
    """A command calling action ``fn(uow, actor, agreement_id, *extra(rt, options))``."""
    @click.argument("agreement_id", type=int)
    @ACTOR
    @pass_runtime
    @domain_errors
    def cmd(rt: Runtime, agreement_id: int, actor: str, **kw: Any) -> None:
        _show(perform(fn, agreement_id, *extra(rt, kw), actor=Principal.system(actor)))

    cmd.__doc__ = doc
    command = click.command(name)(cmd)
    command.params.extend(params)
    return command


def _employee(rt: Runtime, kw: dict[str, Any]) -> tuple[int]:
    with rt.uow() as uow:
        return (ref_id(uow.s, SurplusEmployee, kw["employee"]),)


STEPS = [
    _step("accept", "The borrower accepts proposed agreement AGREEMENT_ID.",
          actions.accept_agreement, lambda rt, kw: ()),
    _step("sign", "The lender or the borrower signs AGREEMENT_ID.", actions.sign_agreement,
          lambda rt, kw: (kw["party"],),
          click.Option(["--as", "party"], type=click.Choice(["lender", "borrower"]),
                       required=True)),
    _step("ack", "An employee acknowledges AGREEMENT_ID.", actions.acknowledge_agreement,
          _employee, click.Option(["--employee"], required=True)),
    _step("activate", "Start signed agreement AGREEMENT_ID.", actions.activate_agreement,
          lambda rt, kw: (day_or_today(kw["today"]),), click.Option(["--today"], type=DAY)),
    _step("return", "Return active agreement AGREEMENT_ID on or after its end date.",
          actions.return_agreement, lambda rt, kw: (day_or_today(kw["today"]),),
          click.Option(["--today"], type=DAY)),
    _step("terminate", "End AGREEMENT_ID early with a reason.", actions.terminate_agreement,
          lambda rt, kw: (kw["reason"],), click.Option(["--reason"], required=True)),
]


@click.command("show")
@click.argument("agreement_id", type=int)
@domain_errors
def show_cmd(agreement_id: int) -> None:
    """Show one agreement."""
    _show(read(queries.agreement, agreement_id).agreement)


@click.command("document")
@click.argument("agreement_id", type=int)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@domain_errors
def document_cmd(agreement_id: int, out: Path) -> None:
    """Write the printable agreement (HTML) of AGREEMENT_ID to --out."""
    out.write_text(read(queries.agreement_document, agreement_id), encoding="utf-8")
    click.echo(f"wrote {out}")


AGREEMENT_COMMANDS = [propose_cmd, *STEPS, show_cmd, document_cmd]
