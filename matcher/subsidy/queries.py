"""Subsidy reads shared by pages, API and CLI: an agency's own lists, the admin's lists,
one claim with its trace, the audit log and the reports.

Agencies see only their own rows; administrators (and the system) see all.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from sqlalchemy import select

from matcher.accounts import permissions as perm
from matcher.action import query
from matcher.enums import ClaimStatus, Role
from matcher.models import AuditLog, Enterprise, HRAgency, JobSeeker, User, Vacancy
from matcher.models.subsidy import Placement, Recommendation, SubsidyClaim
from matcher.principal import Principal
from matcher.recommend.service import candidates_for_vacancy
from matcher.runtime import Work
from matcher.subsidy import agency_search, claims, reports
from matcher.subsidy.rule_store import current_rules
from matcher.subsidy.views import ClaimView, PlacementView, RecommendationView
from matcher.vacancies.queries import Page, paginate, slice_page
from matcher.words import msg

CANDIDATES_K = 20


def _own_agency(actor: Principal) -> int:
    assert actor.agency_id is not None  # the role check refuses unlinked staff
    return actor.agency_id


def actor_label(s: Any, actor: str | None) -> str:
    """Who acted, by name: ``user:4`` -> the organisation (or the officer's e-mail)."""
    if not actor:
        return ""
    kind, _, ident = actor.partition(":")
    if kind == "system" and ident:
        return msg("The system (%(name)s)", name=ident)
    if kind != "user" or not ident.isdigit():
        return actor
    user = s.get(User, int(ident))
    if user is None:
        return actor
    for model, key in ((Enterprise, user.enterprise_id), (HRAgency, user.agency_id)):
        row = s.get(model, key) if key is not None else None
        if row is not None:
            return f"{row.name} ({user.email})"
    seeker = s.get(JobSeeker, user.seeker_id) if user.seeker_id is not None else None
    return agency_search.mask_name(seeker.name) if seeker is not None else user.email


def _audit_row(s: Any, a: AuditLog) -> dict[str, Any]:
    return {"id": a.id, "at": a.at, "actor": a.actor, "actor_name": actor_label(s, a.actor),
            "action": a.action, "entity": a.entity, "entity_id": a.entity_id, "data": a.data}


def _named(uow: Work, row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with the seeker's masked name and the vacancy's title and enterprise."""
    seeker, vacancy = uow.s.get(JobSeeker, row["seeker_id"]), uow.s.get(Vacancy, row["vacancy_id"])
    return {**row, "seeker_name": agency_search.mask_name(seeker.name if seeker else None),
            "vacancy_title": vacancy.title if vacancy else "",
            "enterprise_name": vacancy.enterprise.name if vacancy else ""}


@query(Role.AGENCY, system=False)
def agency_recommendations(uow: Work, actor: Principal, page: int, per_page: int) -> Page:
    """The caller's agency's recommendations, newest first, with names and titles."""
    stmt = select(Recommendation).where(
        Recommendation.agency_id == _own_agency(actor)).order_by(Recommendation.id.desc())
    return paginate(uow.s, stmt, page, per_page,
                    lambda r: _named(uow, asdict(RecommendationView.of(r))))


@query(Role.AGENCY, system=False)
def agency_placements(uow: Work, actor: Principal, page: int, per_page: int) -> Page:
    """Placements attributed to the caller's agency, newest first, with names and titles."""
    stmt = select(Placement).where(Placement.agency_id == _own_agency(actor)).order_by(
        Placement.id.desc())
    return paginate(uow.s, stmt, page, per_page,
                    lambda p: _named(uow, asdict(PlacementView.of(p))))


@query(Role.AGENCY)
def agency_seekers(uow: Work, actor: Principal, words: str = "", category: str | None = None,
                   page: int = 1, per_page: int = 20) -> Page:
    """Job seekers who consent to agency recommendation, masked, matching every word."""
    return slice_page(agency_search.search(uow.s, words, category or None), page, per_page)


@query(Role.AGENCY)
def agency_candidates(uow: Work, actor: Principal, vacancy_id: int) -> list[dict[str, Any]]:
    """An open vacancy's ranked job seekers who consent to agency recommendation, masked."""
    found = [c for c in candidates_for_vacancy(uow.rt, vacancy_id, k=CANDIDATES_K,
                                               kinds=("seeker",))]
    cards = agency_search.consenting(uow.s, [c.person_id for c in found])
    return [{"rank": c.rank, "score": c.score, "matched_skills": list(c.matched_skills),
             "missing_skills": list(c.missing_skills), "distance_km": c.distance_km,
             "distance_approximate": c.distance_approximate,
             **asdict(cards[c.person_id])} for c in found if c.person_id in cards]


def _named_claim(uow: Work, view: ClaimView) -> ClaimView:
    """``view`` with the claimant's name and the placement's (masked) person and vacancy."""
    placement = uow.s.get(Placement, view.placement_id)
    if placement is None:
        return view
    names = _named(uow, {"seeker_id": placement.seeker_id, "vacancy_id": placement.vacancy_id})
    kind = {"agency": HRAgency, "enterprise": Enterprise, "person": JobSeeker}.get(
        view.claimant_kind)
    row = uow.s.get(kind, view.claimant_id) if kind else None
    name = str(getattr(row, "name", None) or "")
    return replace(view, claimant_name=agency_search.mask_name(name)
                   if view.claimant_kind == "person" else name,
                   seeker_name=names["seeker_name"], vacancy_title=names["vacancy_title"],
                   enterprise_name=names["enterprise_name"],
                   decided_by_name=actor_label(uow.s, view.decided_by))


@query(Role.AGENCY, Role.ADMIN)
def claim_list(uow: Work, actor: Principal, page: int, per_page: int,
               status: ClaimStatus | None = None) -> Page:
    """Claims, newest first, optionally in one status: an agency's own, or all for admins."""
    stmt = select(SubsidyClaim).order_by(SubsidyClaim.id.desc())
    if not actor.is_admin:
        stmt = stmt.where(SubsidyClaim.agency_id == _own_agency(actor))
    if status is not None:
        stmt = stmt.where(SubsidyClaim.status == status)
    return paginate(uow.s, stmt, page, per_page,
                    lambda c: asdict(_named_claim(uow, ClaimView.of(c))))


@query(Role.AGENCY, Role.ADMIN)
def claim_detail(uow: Work, actor: Principal, claim_id: int) -> ClaimView:
    """One claim with its evaluation trace (an agency's own, any for admins)."""
    perm.own_claim(uow.s, actor, claim_id)
    return _named_claim(uow, claims.get_claim(uow, claim_id, actor=actor.actor()))


@query(Role.AGENCY, Role.ADMIN)
def claim_rules(uow: Work, actor: Principal) -> list[str]:
    """The codes of the subsidy rules in force, sorted (the claim form offers them)."""
    return sorted(current_rules(uow.rt).rules)


@query(Role.ADMIN)
def audit_log(uow: Work, actor: Principal, page: int, per_page: int, entity: str | None = None,
              entity_id: str | None = None) -> Page:
    """Audit entries, newest first, optionally for one entity."""
    stmt = select(AuditLog).order_by(AuditLog.id.desc())
    if entity:
        stmt = stmt.where(AuditLog.entity == entity)
    if entity_id:
        stmt = stmt.where(AuditLog.entity_id == entity_id)
    return paginate(uow.s, stmt, page, per_page, lambda a: _audit_row(uow.s, a))


@query(Role.ADMIN)
def agency_report(uow: Work, actor: Principal,
                  year: int | None = None) -> list[reports.AgencyReportRow]:
    """Per agency: placements, claims by state, amounts paid and outstanding."""
    return reports.agency_report(uow.s, year)


@query(Role.ADMIN)
def rule_report(uow: Work, actor: Principal,
                year: int | None = None) -> list[reports.RuleMonthRow]:
    """Per rule: payments, reversals and net amount per month."""
    return reports.rule_report(uow.s, year)
