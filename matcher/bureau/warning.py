"""Early warning: a risk score per enterprise with its reasons, and the watch list.

Facts and weights are data (``matcher/data/early_warning.yaml``, validated on load). Each
reason holds the fact, its value, its weight and its contribution (value x weight); the
score is the sum of the contributions (``math.fsum``), so the reasons always explain the
whole score. A scan puts enterprises at or over the threshold on the watch list (one open
entry per enterprise, a partial unique index); an officer resolves an entry with a note.
For an entry, :func:`suggestions` offers lending demand its idle staff could fill
(:func:`matcher.lending.matching.match_lender`) and re-employment vacancies for them
(the engine's ranking over open vacancies).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from matcher import audit
from matcher.bureau.candidates import Supply, score_grid, surplus_supply
from matcher.db import UnitOfWork
from matcher.enums import AgreementStatus, PersonStatus, RiskReportKind, VacancyStatus, WatchStatus
from matcher.errors import NotFound, Refused, ValidationFailed
from matcher.lending.matching import match_lender
from matcher.matching.estimate import TOLERANCE
from matcher.matching.profiles import PersonProfile, load_vacancies
from matcher.models import (
    Agreement,
    Enterprise,
    EnterpriseRiskReport,
    SurplusEmployee,
    Vacancy,
    WatchEntry,
)
from matcher.models.base import utcnow
from matcher.runtime import Runtime
from matcher.words import N_, Msg, msg, words

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "data" / "early_warning.yaml"
FACTS = ("surplus_declared", "vacancies_closed_unfilled", "agreements_terminated",
         "wage_arrears_reports", "layoff_reports")
#: each fact as a sentence a person reads (``n`` the count, ``points`` what it adds)
REASON_TEXT = {
    "surplus_declared": N_("Idle employees declared for lending: %(n)s (risk score +%(points)s)."),
    "vacancies_closed_unfilled": N_("Vacancies closed before they were filled: %(n)s "
                                    "(risk score +%(points)s)."),
    "agreements_terminated": N_("Lending agreements ended early: %(n)s "
                                "(risk score +%(points)s)."),
    "wage_arrears_reports": N_("Wage arrears reports: %(n)s (risk score +%(points)s)."),
    "layoff_reports": N_("Layoff reports: %(n)s (risk score +%(points)s)."),
}


@dataclass(frozen=True)
class WarningConfig:
    """Validated weights, threshold and look-back window."""

    weights: dict[str, float]
    threshold: float
    window_days: int


def load_config(path: Path = DEFAULT_FILE) -> WarningConfig:
    """Read and validate the weights file; errors name the file and the key."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{path.name}: cannot read: {exc}") from exc
    return parse_config(data, path.name)


def parse_config(data: Any, source: str = "<early_warning>") -> WarningConfig:
    """Validate a mapping shaped like the weights file."""
    if not isinstance(data, dict):
        raise ValueError(f"{source}: expected a mapping")
    weights = data.get("weights")
    if not isinstance(weights, dict) or set(weights) != set(FACTS):
        raise ValueError(f"{source}: weights: exactly these facts: {', '.join(FACTS)}")
    for k, v in weights.items():
        if isinstance(v, bool) or not isinstance(v, int | float) or v < 0:
            raise ValueError(f"{source}: weights.{k}: a number >= 0")
    threshold, window = data.get("threshold"), data.get("window_days")
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or threshold <= 0:
        raise ValueError(f"{source}: threshold: a number > 0")
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise ValueError(f"{source}: window_days: an integer >= 1")
    return WarningConfig({k: float(weights[k]) for k in FACTS}, float(threshold), window)


@dataclass(frozen=True)
class Reason:
    """One fact behind a score."""

    fact: str
    value: int
    weight: float
    contribution: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"fact": self.fact, "value": self.value, "weight": self.weight,
                "contribution": self.contribution}


@dataclass(frozen=True)
class RiskScore:
    """An enterprise's score and the reasons that sum to it."""

    enterprise_id: int
    enterprise: str
    score: float
    reasons: tuple[Reason, ...]


def reason_text(fact: str, value: int, weight: float) -> Msg:
    """One reason as a sentence: the fact, its count and the risk points it adds."""
    points = format(value * weight, "g")
    return msg(REASON_TEXT.get(fact, fact), n=value, points=points)


def reasons_text(reasons: list[dict[str, Any]]) -> str:
    """Stored reasons (``{"fact", "value", "weight"}``) as sentences ("" when none)."""
    items = [reason_text(r["fact"], r["value"], r["weight"]) for r in reasons]
    if not items:
        return ""
    return Msg(" ".join(f"%(w{i})s" for i in range(len(items))),
               {f"w{i}": m for i, m in enumerate(items)})


def facts(session: Session, today: date, window_days: int) -> dict[int, Counter[str]]:
    """Per enterprise, the count of each fact in the window ending ``today``."""
    since = today - timedelta(days=window_days)
    since_ts = datetime.combine(since, time.min)
    out: dict[int, Counter[str]] = {}

    def add(fact: str, rows: Any) -> None:
        for ent, n in rows:
            out.setdefault(ent, Counter())[fact] += n

    add("surplus_declared", session.execute(select(
        SurplusEmployee.enterprise_id, func.count()).where(
        SurplusEmployee.status == PersonStatus.ACTIVE).group_by(SurplusEmployee.enterprise_id)))
    add("vacancies_closed_unfilled", session.execute(select(
        Vacancy.enterprise_id, func.count()).where(
        Vacancy.status == VacancyStatus.CLOSED, Vacancy.filled < Vacancy.headcount,
        Vacancy.updated_at >= since_ts).group_by(Vacancy.enterprise_id)))
    for column in (Agreement.lender_id, Agreement.borrower_id):
        add("agreements_terminated", session.execute(select(column, func.count()).where(
            Agreement.status == AgreementStatus.TERMINATED,
            or_(Agreement.ended_at.is_(None), Agreement.ended_at >= since_ts),
        ).group_by(column)))
    for kind, fact in ((RiskReportKind.WAGE_ARREARS, "wage_arrears_reports"),
                       (RiskReportKind.LAYOFF, "layoff_reports")):
        add(fact, session.execute(select(EnterpriseRiskReport.enterprise_id, func.count()).where(
            EnterpriseRiskReport.kind == kind, EnterpriseRiskReport.reported_on >= since,
            EnterpriseRiskReport.reported_on <= today,
        ).group_by(EnterpriseRiskReport.enterprise_id)))
    return out


def score(counts: Counter[str], cfg: WarningConfig) -> tuple[float, tuple[Reason, ...]]:
    """The score of one enterprise's facts and its reasons (facts with a value only)."""
    reasons = tuple(Reason(f, counts[f], cfg.weights[f], counts[f] * cfg.weights[f])
                    for f in FACTS if counts[f] > 0)
    return math.fsum(r.contribution for r in reasons), reasons


def risk_scores(session: Session, today: date, cfg: WarningConfig) -> list[RiskScore]:
    """Every enterprise with a non-zero score, highest first."""
    found = facts(session, today, cfg.window_days)
    names = {i: n for i, n in session.execute(select(Enterprise.id, Enterprise.name).where(
        Enterprise.id.in_(list(found))))} if found else {}
    out = []
    for ent, counts in found.items():
        total, reasons = score(counts, cfg)
        if total > 0:
            out.append(RiskScore(ent, names.get(ent, str(ent)), round(total, 6), reasons))
    return sorted(out, key=lambda r: (-r.score, r.enterprise_id))


def file_report(uow: UnitOfWork, enterprise_id: int, kind: str, *, reported_on: date,
                officer: str, affected: int = 0, note: str = "") -> int:
    """An officer files a wage-arrears or layoff report; returns its id."""
    if uow.s.get(Enterprise, enterprise_id) is None:
        raise NotFound(msg("No enterprise %(id)s.", id=enterprise_id))
    if kind not in {k.value for k in RiskReportKind}:
        raise ValidationFailed(msg("Unknown report kind."), fields={"kind": [
            msg("One of %(values)s.", values=words([k.value for k in RiskReportKind]))]})
    if affected < 0:
        raise ValidationFailed(msg("The number affected must be at least 0."),
                               fields={"affected": [msg("At least 0.")]})
    r = EnterpriseRiskReport(enterprise_id=enterprise_id, kind=RiskReportKind(kind),
                             reported_on=reported_on, affected=affected, officer=officer,
                             note=note)
    uow.s.add(r)
    uow.s.flush()
    audit.record(uow.s, officer, "risk.report", "enterprise_risk_report", r.id,
                 {"enterprise_id": enterprise_id, "kind": kind, "affected": affected})
    return r.id


def scan(uow: UnitOfWork, today: date, *, actor: str,
         cfg: WarningConfig | None = None) -> tuple[list[RiskScore], list[int]]:
    """Score every enterprise; open a watch entry for new ones over the threshold."""
    cfg = cfg or load_config()
    scores = risk_scores(uow.s, today, cfg)
    watched = set(uow.s.scalars(select(WatchEntry.enterprise_id).where(
        WatchEntry.status == WatchStatus.OPEN)))
    added = []
    for r in scores:
        if r.score >= cfg.threshold and r.enterprise_id not in watched:
            entry = WatchEntry(enterprise_id=r.enterprise_id, score=r.score, added_on=today,
                               details={"reasons": [x.to_dict() for x in r.reasons],
                                        "threshold": cfg.threshold})
            uow.s.add(entry)
            uow.s.flush()
            audit.record(uow.s, actor, "watch.add", "watch_entry", entry.id,
                         {"enterprise_id": r.enterprise_id, "score": r.score})
            added.append(entry.id)
    return scores, added


def resolve(uow: UnitOfWork, entry_id: int, note: str, *, actor: str) -> None:
    """Resolve an open watch entry with an officer's note."""
    e = uow.s.get(WatchEntry, entry_id)
    if e is None:
        raise NotFound(msg("No watch entry %(id)s.", id=entry_id))
    if e.status != WatchStatus.OPEN:
        raise Refused(msg("Watch entry %(id)s is already resolved.", id=entry_id),
                      code="already_resolved")
    if not note.strip():
        raise ValidationFailed(msg("A resolution note is required."),
                               fields={"note": [msg("Required.")]})
    e.status, e.resolution_note = WatchStatus.RESOLVED, note.strip()
    e.resolved_at, e.resolved_by = utcnow(), actor
    audit.record(uow.s, actor, "watch.resolve", "watch_entry", entry_id, {"note": note.strip()})


def watch_list(session: Session, *, open_only: bool = True) -> list[dict[str, Any]]:
    """Watch-list rows (highest score first), each with its reasons."""
    stmt = select(WatchEntry, Enterprise).join(Enterprise,
                                               Enterprise.id == WatchEntry.enterprise_id)
    if open_only:
        stmt = stmt.where(WatchEntry.status == WatchStatus.OPEN)
    rows = []
    for w, e in session.execute(stmt):
        reasons = w.details.get("reasons", [])
        rows.append({"entry_id": w.id, "enterprise_id": e.id, "enterprise": e.name,
                     "district": e.district or "", "industry": e.industry or "",
                     "score": w.score, "added_on": w.added_on.isoformat(),
                     "status": str(w.status), "resolution_note": w.resolution_note or "",
                     "reasons": reasons_text(reasons)})
    return sorted(rows, key=lambda r: (-float(r["score"]), int(r["entry_id"])))


def suggestions(rt: Runtime, session: Session, enterprise_id: int, *, today: date,
                k: int = 3) -> dict[str, list[dict[str, Any]]]:
    """Lending demand its idle staff fit, and re-employment vacancies for each of them."""
    lending = [{"demand": n.demand.key, "demand_kind": n.demand.kind,
                "demand_id": n.demand.id, "borrower": n.demand.enterprise_name,
                "title": n.demand.title, "fits": n.fits, "score": n.score,
                "employees": ";".join(str(c.employee.id) for c in n.candidates),
                "employee_names": "、".join(c.employee.name or f"#{c.employee.id}"
                                           for c in n.candidates)}
               for n in match_lender(rt, session, enterprise_id, today=today)]
    staff = [s for s in surplus_supply(session, today) if s.enterprise_id == enterprise_id]
    as_seekers = [Supply(s.source, s.person_id, s.name, _as_seeker(s), None) for s in staff]
    vacancies = [v for v in load_vacancies(session, open_only=True)
                 if v.enterprise_id != enterprise_id]
    grid = score_grid(rt, session, vacancies, [date.max] * len(vacancies), as_seekers, today)
    jobs = []
    for j, s in enumerate(as_seekers):
        col = grid.estimates[:, j]
        rows = np.flatnonzero(np.isfinite(col))
        if len(rows) > k:  # the rows whose estimate can reach the k-th, scored exactly
            kth = np.partition(col[rows], len(rows) - k)[len(rows) - k]
            rows = rows[col[rows] >= kth - 3 * TOLERANCE]
        exact = [(i, b.score) for i in rows.tolist() if (b := grid.exact(i, j)) is not None]
        exact.sort(key=lambda t: (-t[1], vacancies[t[0]].id or 0))
        jobs += [{"employee_id": s.person_id, "name": s.name or "",
                  "vacancy_id": vacancies[i].id, "employer": vacancies[i].enterprise,
                  "title": vacancies[i].title, "score": round(score, 4)}
                 for i, score in exact[:k]]
    return {"lending": lending, "reemployment": jobs}


def _as_seeker(s: Supply) -> PersonProfile:
    return replace(s.profile, kind="seeker", id=None, enterprise_id=None, enterprise="",
                   lent=False, available_from=None, available_to=None)
