"""Reads for enterprise and person claimants and the bureau's unclaimed-eligibility view.

An enterprise or a person sees only its own claims and eligibility (another's claim is a
404). The bureau sees who is eligible and has not claimed, by rule and district, with
amounts: a page for the screen, every row for the CSV download.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from typing import Any

from sqlalchemy import Select, and_, func, select

from matcher.action import query
from matcher.csv_safe import safe_row
from matcher.enums import ClaimantKind, ClaimStatus, Role
from matcher.errors import NotFound
from matcher.models import Enterprise, JobSeeker, Vacancy
from matcher.models.subsidy import Placement, SubsidyClaim, SubsidyEligibility
from matcher.principal import Principal
from matcher.runtime import Work
from matcher.subsidy import agency_search, claims, eligibility
from matcher.subsidy.claimant_actions import caller_party
from matcher.subsidy.eligibility import EligibilityView
from matcher.subsidy.queries import _named_claim
from matcher.subsidy.rule_store import current_rules
from matcher.subsidy.views import ClaimView
from matcher.vacancies.queries import Page, paginate
from matcher.words import msg

CSV_COLUMNS = ["placement_id", "rule_code", "tranche", "party_kind", "party_id", "party_name",
               "district", "vacancy_title", "amount_yuan", "evaluated_on"]
_CLAIMANT_COLUMN = {ClaimantKind.ENTERPRISE: SubsidyClaim.enterprise_id,
                    ClaimantKind.PERSON: SubsidyClaim.seeker_id,
                    ClaimantKind.AGENCY: SubsidyClaim.agency_id}


@query(Role.ENTERPRISE, Role.SEEKER, system=False)
def own_claims(uow: Work, actor: Principal, page: int, per_page: int,
               status: ClaimStatus | None = None) -> Page:
    """The caller's own claims (enterprise or person), newest first."""
    me = caller_party(actor)
    stmt = select(SubsidyClaim).where(SubsidyClaim.claimant_kind == me.kind,
                                      _CLAIMANT_COLUMN[me.kind] == me.id
                                      ).order_by(SubsidyClaim.id.desc())
    if status is not None:
        stmt = stmt.where(SubsidyClaim.status == status)
    return paginate(uow.s, stmt, page, per_page,
                    lambda c: asdict(_named_claim(uow, ClaimView.of(c))))


@query(Role.ENTERPRISE, Role.SEEKER, system=False)
def own_claim(uow: Work, actor: Principal, claim_id: int) -> ClaimView:
    """One of the caller's own claims with its trace (another's: not found)."""
    me = caller_party(actor)
    view = claims.get_claim(uow, claim_id, actor=actor.actor())
    if (view.claimant_kind, view.claimant_id) != (me.kind.value, me.id):
        raise NotFound(msg("No claim %(id)s.", id=claim_id))
    return _named_claim(uow, view)


@query(Role.ENTERPRISE, Role.SEEKER, system=False)
def own_eligibility(uow: Work, actor: Principal) -> list[dict[str, Any]]:
    """What the caller qualifies for (or what is missing), per placement, rule and tranche."""
    me = caller_party(actor)
    rows = uow.s.scalars(select(SubsidyEligibility).where(
        SubsidyEligibility.party_kind == me.kind, SubsidyEligibility.party_id == me.id)
        .order_by(SubsidyEligibility.placement_id.desc(), SubsidyEligibility.rule_code,
                  SubsidyEligibility.tranche))
    return [_item(uow, EligibilityView.of(r)) for r in rows]


@query(Role.ENTERPRISE, Role.SEEKER, Role.ADMIN, Role.AGENCY)
def claim_rule_names(uow: Work, actor: Principal) -> dict[str, str]:
    """Code -> name of the rules in force (for forms and tables)."""
    return {code: rule.name for code, rule in sorted(current_rules(uow.rt).rules.items())}


@query(Role.ADMIN)
def placement_ids(uow: Work, actor: Principal) -> list[int]:
    """Every placement's id (the CLI evaluates them all)."""
    return eligibility.placements_of(uow.s)


@query(Role.ADMIN)
def direct_payment_rules(uow: Work, actor: Principal) -> list[str]:
    """Codes of the rules the bureau may pay directly (免申即享)."""
    return sorted(c for c, r in current_rules(uow.rt).rules.items() if r.direct_payment)


def _item(uow: Work, v: EligibilityView) -> dict[str, Any]:
    claim = uow.s.scalar(select(SubsidyClaim).where(
        SubsidyClaim.placement_id == v.placement_id, SubsidyClaim.rule_code == v.rule_code,
        SubsidyClaim.tranche == v.tranche))
    return {"rule_code": v.rule_code, "placement_id": v.placement_id, "tranche": v.tranche,
            "eligible": v.eligible, "amount_yuan": v.amount_yuan, "amount_fen": v.amount_fen,
            "potential_amount_fen": v.potential_fen,
            "potential_amount_yuan": v.potential_fen / 100, "trace": v.trace,
            "missing": v.missing, "evaluated_on": v.evaluated_on, "claim_link": v.claim_link,
            "claim_id": claim.id if claim else None,
            "claim_status": claim.status.value if claim else None}


def _unclaimed(rule_code: str | None, district: str | None) -> Select[Any]:
    stmt: Any = (select(SubsidyEligibility, Placement, Enterprise, JobSeeker, Vacancy)
            .join(Placement, Placement.id == SubsidyEligibility.placement_id)
            .join(Enterprise, Enterprise.id == Placement.enterprise_id)
            .join(JobSeeker, JobSeeker.id == Placement.seeker_id)
            .join(Vacancy, Vacancy.id == Placement.vacancy_id)
            .outerjoin(SubsidyClaim, and_(
                SubsidyClaim.placement_id == SubsidyEligibility.placement_id,
                SubsidyClaim.rule_code == SubsidyEligibility.rule_code,
                SubsidyClaim.tranche == SubsidyEligibility.tranche))
            .where(SubsidyEligibility.eligible.is_(True), SubsidyClaim.id.is_(None))
            .order_by(SubsidyEligibility.rule_code, SubsidyEligibility.placement_id,
                      SubsidyEligibility.tranche))
    if rule_code:
        stmt = stmt.where(SubsidyEligibility.rule_code == rule_code)
    if district:
        stmt = stmt.where(Enterprise.district == district)
    return stmt


def _unclaimed_row(row: Any) -> dict[str, Any]:
    e, p, ent, seeker, vac = row
    name = {ClaimantKind.ENTERPRISE: ent.name,
            ClaimantKind.PERSON: agency_search.mask_name(seeker.name)}.get(e.party_kind, "")
    return {"placement_id": p.id, "rule_code": e.rule_code, "tranche": e.tranche,
            "party_kind": e.party_kind.value, "party_id": e.party_id, "party_name": name or "",
            "district": ent.district or "", "enterprise_name": ent.name,
            "vacancy_title": vac.title, "amount_yuan": e.amount_fen / 100,
            "amount_fen": e.amount_fen, "evaluated_on": e.evaluated_on}


@query(Role.ADMIN)
def unclaimed(uow: Work, actor: Principal, rule_code: str | None = None,
              district: str | None = None, page: int = 1, per_page: int = 20) -> Page:
    """Eligible parties that have not claimed, by rule and district, with amounts."""
    stmt = _unclaimed(rule_code, district)
    page, per_page = max(page, 1), min(max(per_page, 1), 100)
    total = uow.s.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = uow.s.execute(stmt.offset((page - 1) * per_page).limit(per_page)).all()
    return Page([_unclaimed_row(r) for r in rows], page, per_page, total)


@query(Role.ADMIN)
def unclaimed_csv(uow: Work, actor: Principal, rule_code: str | None = None,
                  district: str | None = None) -> str:
    """Every unclaimed eligible row as CSV (cells that would start a formula are quoted)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in uow.s.execute(_unclaimed(rule_code, district)).all():
        rec = _unclaimed_row(row)
        writer.writerow(safe_row(rec[c] for c in CSV_COLUMNS))
    return out.getvalue()
