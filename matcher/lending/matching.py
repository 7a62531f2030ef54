"""Both-ways matching for shared employment, with explanations.

- For a demand (borrowing request or vacancy accepting borrowed staff): lendable employees
  of *other* enterprises, grouped by lender. A borrower prefers few lenders, so groups rank
  by how much of the headcount they can cover, then by mean score, then lender id; ``plan``
  takes whole groups in that order until the headcount is met (lender groups are disjoint,
  so taking the largest first uses the fewest lenders).
- For a lender: the open demand its lendable employees fit now, ranked the same way.

Scores come from a :class:`Scorer`; the default :class:`EngineScorer` is the matching
engine's ranking (:func:`matcher.matching.ranking.score_pair` with the dated ranking
weights, the engine's embedded texts, its hard constraints and its agreement bonus), so a
pair scores the same here as in ``candidates_for_vacancy``. A borrowing request is scored
as a vacancy whose skills are *preferred* (they rank, they do not exclude). Whatever the
scorer, :func:`feasible` is applied on top: never the own enterprise, the lending window
covers the demand's whole period, a daily cost is declared (else no agreement could be
proposed); and only :func:`matcher.lending.pool.lendable_employees` are considered (active,
consenting, in no active agreement).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

import numpy as np
from sqlalchemy.orm import Session

from matcher.enums import KeyTier
from matcher.lending.demand import Demand, get_demand, open_demands
from matcher.lending.engine_scoring import EngineScorer
from matcher.lending.pool import EmployeeView, lendable_employees
from matcher.runtime import Runtime
from matcher.words import msg

DEFAULT_MIN_SCORE = 0.0  # any allowed pair; raise it to hide weak matches


class Scorer(Protocol):
    """Scores (demand, employee) pairs; ``-inf`` excludes a pair."""

    def scores(self, demands: Sequence[Demand], employees: Sequence[EmployeeView]) -> np.ndarray:
        """A ``(len(demands), len(employees))`` score matrix."""
        ...

    def reasons(self, demand: Demand, employee: EmployeeView) -> tuple[str, ...]:
        """Why a pair scored in the last :meth:`scores` call scores as it does."""
        ...


@dataclass(frozen=True)
class Candidate:
    """One employee offered for one demand, with the reasons."""

    employee: EmployeeView
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class LenderGroup:
    """The candidates one lender can offer for a demand."""

    lender_id: int
    lender_name: str
    candidates: tuple[Candidate, ...]
    covers: int  # how much of the headcount this lender alone can cover
    score: float  # mean score of the ``covers`` best candidates


@dataclass(frozen=True)
class DemandMatches:
    """Lender groups for a demand, and the fewest-lenders plan."""

    demand: Demand
    groups: tuple[LenderGroup, ...]
    plan: tuple[tuple[int, tuple[int, ...]], ...]  # (lender id, employee ids)


@dataclass(frozen=True)
class NeedMatch:
    """A demand a lender's idle staff fit."""

    demand: Demand
    candidates: tuple[Candidate, ...]
    fits: int
    score: float


def feasible(d: Demand, e: EmployeeView) -> bool:
    """The lending rules every scorer is held to (see module docstring)."""
    return (
        e.enterprise_id != d.enterprise_id and e.daily_cost is not None
        and (e.available_from is None or e.available_from <= d.start_date)
        and (e.available_to is None or e.available_to >= d.end_date)
    )


def score_matrix(
    demands: Sequence[Demand], employees: Sequence[EmployeeView], scorer: Scorer
) -> np.ndarray:
    """The scorer's matrix with pairs breaking :func:`feasible` set to ``-inf``."""
    scores = np.asarray(scorer.scores(demands, employees), dtype=float).reshape(
        len(demands), len(employees))
    mask = np.array([[feasible(d, e) for e in employees] for d in demands], dtype=bool)
    return np.where(mask.reshape(scores.shape), scores, -np.inf)


def default_scorer(rt: Runtime, session: Session, today: date, *, progress: bool = False
                   ) -> Scorer:
    """The engine's ranking as a :class:`Scorer`."""
    return EngineScorer(rt, session, today, progress=progress)


def _candidate(scorer: Scorer, d: Demand, e: EmployeeView, score: float) -> Candidate:
    window = f"{e.available_from or '…'} ~ {e.available_to or '…'}"
    amount = f"{(e.daily_cost or 0) / 100:.2f}"
    own = (msg("The lending window %(window)s covers %(start)s ~ %(end)s.", window=window,
               start=d.start_date.isoformat(), end=d.end_date.isoformat()),
           msg("Declared daily cost: %(amount)s yuan.", amount=amount))
    return Candidate(e, round(score, 4), (*scorer.reasons(d, e), *own))


def _allowed(row: np.ndarray, min_score: float) -> np.ndarray:
    return np.isfinite(row) & (row >= min_score)


def _mean_top(cands: Sequence[Candidate], need: int) -> tuple[int, float]:
    top = cands[:need]
    return len(top), (sum(c.score for c in top) / len(top) if top else 0.0)


def group_by_lender(
    scorer: Scorer, d: Demand, employees: Sequence[EmployeeView], scores: np.ndarray,
    min_score: float,
) -> tuple[tuple[LenderGroup, ...], tuple[tuple[int, tuple[int, ...]], ...]]:
    """Lender groups ranked by coverage then mean score, and the fewest-lenders plan."""
    by_lender: dict[int, list[Candidate]] = {}
    for e, s, ok in zip(employees, scores, _allowed(scores, min_score), strict=True):
        if ok:
            by_lender.setdefault(e.enterprise_id, []).append(_candidate(scorer, d, e, float(s)))
    groups = []
    for lender, cands in by_lender.items():
        cands.sort(key=lambda c: (-c.score, c.employee.id))
        covers, mean = _mean_top(cands, d.headcount)
        groups.append(LenderGroup(lender, cands[0].employee.enterprise_name, tuple(cands),
                                  covers, round(mean, 4)))
    groups.sort(key=lambda g: (-g.covers, -g.score, g.lender_id))
    plan, need = [], d.headcount
    for g in groups:
        if need <= 0:
            break
        take = tuple(c.employee.id for c in g.candidates[:need])
        plan.append((g.lender_id, take))
        need -= len(take)
    return tuple(groups), tuple(plan)


def match_demand(
    rt: Runtime, session: Session, kind: str, demand_id: int, *, today: date | None = None,
    scorer: Scorer | None = None, min_score: float = DEFAULT_MIN_SCORE,
) -> DemandMatches:
    """Lendable employees of other enterprises for one demand, grouped by lender."""
    day = today or date.today()
    d = get_demand(session, kind, demand_id)
    employees = lendable_employees(session, d.start_date, d.end_date,
                                   exclude_enterprise=d.enterprise_id)
    scorer = scorer or default_scorer(rt, session, day)
    scores = score_matrix([d], employees, scorer)[0]
    groups, plan = group_by_lender(scorer, d, employees, scores, min_score)
    return DemandMatches(d, groups, plan)


def match_lender(
    rt: Runtime, session: Session, lender_id: int, *, today: date | None = None,
    scorer: Scorer | None = None, min_score: float = DEFAULT_MIN_SCORE,
) -> list[NeedMatch]:
    """Open demand of other enterprises that the lender's idle staff fit now, ranked."""
    day = today or date.today()
    demands = open_demands(session, day, exclude_enterprise=lender_id)
    staff = lendable_employees(session, day, day, enterprise_id=lender_id)
    scorer = scorer or default_scorer(rt, session, day)
    scores = score_matrix(demands, staff, scorer)
    out = []
    for d, row in zip(demands, scores, strict=True):
        cands = sorted((_candidate(scorer, d, e, float(s))
                        for e, s, ok in zip(staff, row, _allowed(row, min_score), strict=True)
                        if ok), key=lambda c: (-c.score, c.employee.id))
        if cands:
            fits, mean = _mean_top(cands, d.headcount)
            out.append(NeedMatch(d, tuple(cands[: d.headcount]), fits, round(mean, 4)))
    out.sort(key=lambda n: (-n.fits, -n.score, -KeyTier(n.demand.key_tier).rank, n.demand.key))
    return out

