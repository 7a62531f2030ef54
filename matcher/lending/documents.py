"""The printable lending agreement: HTML in Chinese with English subtitles (Jinja2).

No Flask is needed: the template lives in ``matcher/lending/templates`` and is rendered
by a package-level :class:`jinja2.Environment` with autoescaping. Employees appear by name
and employee number; an ID number, if the pool ever holds one, only masked. Times are shown
in Beijing time. PDF is not produced (no maintained pure-Python HTML-to-PDF library is
installed); print the page from a browser ("Save as PDF"), which the print CSS supports.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, timedelta, timezone

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy.orm import Session

from matcher.lending.agreements import AgreementView, get_agreement
from matcher.lending.compliance import STATUS_ZH
from matcher.models import Enterprise
from matcher.pii import mask_id_number

BEIJING = timezone(timedelta(hours=8), "北京时间")


@functools.lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja2 environment over the package's templates (built once)."""
    env = Environment(
        loader=PackageLoader("matcher.lending", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["yuan"] = lambda fen: f"{(fen or 0) / 100:,.2f}"
    env.filters["beijing"] = beijing_time
    env.filters["mask_id"] = mask_id_number
    return env


def beijing_time(value: datetime | None) -> str:
    """``2020-03-02 16:05 北京时间`` (naive values are UTC), or empty when unsigned."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M ") + "北京时间"


def _party(session: Session, enterprise_id: int) -> dict[str, str]:
    ent = session.get(Enterprise, enterprise_id)
    assert ent is not None
    return {"name": ent.name, "credit_code": ent.credit_code or "", "district": ent.district or "",
            "city": ent.city or ""}


def render_view(
    view: AgreementView, lender: dict[str, str], borrower: dict[str, str], *,
    generated_on: date | None = None,
) -> str:
    """Render an agreement view with its two parties' details."""
    days = (view.end_date - view.start_date).days + 1
    return environment().get_template("agreement.html").render(
        a=view, lender=lender, borrower=borrower, days=days,
        total=view.reimbursement_per_day * days * len(view.employees),
        status_zh=STATUS_ZH[view.status], generated_on=generated_on or date.today(),
    )


def render_agreement(session: Session, agreement_id: int, *, generated_on: date | None = None
                     ) -> str:
    """The printable HTML of one agreement."""
    view = get_agreement(session, agreement_id)
    return render_view(view, _party(session, view.lender_id), _party(session, view.borrower_id),
                       generated_on=generated_on)
