"""The day's batch allocation of lendable employees to borrowing demand.

:func:`allocate` is a pure function over plain values: demands with open headcounts and a
key-enterprise tier, employees, and a ``(demands, employees)`` score matrix in which
``-inf``/NaN (or anything at most ``min_score``) marks a pair that may not be matched. It
returns the assignment that respects every headcount and gives each employee at most one
demand, maximizing the total score, in three phases:

1. ``key``: demand of key enterprises (``tier > 0``, i.e. ``Enterprise.key_tier`` other
   than ``none``) is served first, but may take at most
   ``floor(key_share * number of employees)`` employees (default ``key_share`` 0.5: half
   of the day's available staff), so ordinary enterprises are never starved.
2. ``open``: ordinary demand, over the employees left.
3. ``leftover``: key demand the cap left unfilled, over employees no ordinary demand took
   (key demand exceeds the cap only with staff nobody else could use).

Each phase is one rectangular assignment problem solved exactly by
``scipy.optimize.linear_sum_assignment`` on an expanded matrix: one row per headcount slot,
one column per employee, plus one "leave unfilled" column per slot; in phase 1,
``employees - cap`` blocker rows that can only take employees enforce the cap. Inputs are
put in a canonical order (tier descending, then demand key; employees by id) first, so the
output does not depend on input order and ties always break the same way.
:func:`greedy_allocate` is the obvious baseline (best pair first) that tests compare with.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import groupby

import numpy as np
from sqlalchemy.orm import Session

from matcher.db import UnitOfWork
from matcher.enums import KeyTier
from matcher.lending import agreements
from matcher.lending.demand import Demand, open_demands
from matcher.lending.matching import DEFAULT_MIN_SCORE, Scorer, default_scorer, score_matrix
from matcher.lending.pool import EmployeeView, lendable_employees
from matcher.runtime import Runtime

DEFAULT_KEY_SHARE = 0.5


@dataclass(frozen=True)
class SlotDemand:
    """One demand as the solver sees it."""

    key: str
    headcount: int
    tier: int = 0  # KeyTier rank; > 0 is key-enterprise demand


@dataclass(frozen=True)
class Assignment:
    """One employee given to one demand."""

    demand: str
    employee: int
    score: float
    phase: str  # "key", "open" or "leftover"


@dataclass(frozen=True)
class Allocation:
    """The solver's result."""

    assignments: tuple[Assignment, ...]
    key_cap: int
    unfilled: dict[str, int]

    @property
    def total_score(self) -> float:
        """Sum of the assigned pairs' scores."""
        return float(sum(a.score for a in self.assignments))


def _feasible(scores: np.ndarray, min_score: float) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.isfinite(scores) & (scores > min_score)


def _solve(
    rows: list[int], cols: list[int], scores: np.ndarray, ok: np.ndarray, cap: int | None
) -> list[tuple[int, int]]:
    """Max-weight assignment of slot ``rows`` (demand indices) to employee ``cols``."""
    from scipy.optimize import linear_sum_assignment

    n_slots, n_emp = len(rows), len(cols)
    if n_slots == 0 or n_emp == 0 or cap == 0:
        return []
    blockers = n_emp - cap if cap is not None and cap < min(n_slots, n_emp) else 0
    cost = np.full((n_slots + blockers, n_emp + n_slots), np.inf)
    sub_ok = ok[np.ix_(rows, cols)]
    cost[:n_slots, :n_emp] = np.where(sub_ok, -scores[np.ix_(rows, cols)], np.inf)
    cost[np.arange(n_slots), n_emp + np.arange(n_slots)] = 0.0  # leave this slot unfilled
    cost[n_slots:, :n_emp] = 0.0  # blockers soak up employees beyond the cap
    row_ind, col_ind = linear_sum_assignment(cost)
    return [(rows[r], cols[c]) for r, c in zip(row_ind, col_ind, strict=True)
            if r < n_slots and c < n_emp]


def _slots(
    demand_idx: Sequence[int], need: list[int], ok: np.ndarray, free: list[int]
) -> list[int]:
    """One row per open headcount slot, never more than the employees that fit."""
    rows: list[int] = []
    for d in demand_idx:
        fit = int(ok[d, free].sum()) if free else 0
        rows += [d] * min(need[d], fit)
    return rows


def allocate(
    demands: Sequence[SlotDemand], employees: Sequence[int], scores: np.ndarray, *,
    key_share: float = DEFAULT_KEY_SHARE, min_score: float = 0.0,
) -> Allocation:
    """Assign employees to demand slots maximizing total score, key demand first (capped)."""
    scores = np.asarray(scores, dtype=float).reshape(len(demands), len(employees))
    if not 0.0 <= key_share <= 1.0:
        raise ValueError("key_share must be between 0 and 1")
    d_order = sorted(range(len(demands)), key=lambda i: (-demands[i].tier, demands[i].key))
    e_order = sorted(range(len(employees)), key=lambda j: employees[j])
    if len({demands[i].key for i in d_order}) != len(demands):
        raise ValueError("demand keys must be unique")
    s = scores[np.ix_(d_order, e_order)] if demands and employees else np.zeros((0, 0))
    ok = _feasible(s, min_score) if s.size else np.zeros(s.shape, dtype=bool)
    need = [max(demands[i].headcount, 0) for i in d_order]
    free = list(range(len(e_order)))
    key_cap = math.floor(key_share * len(employees))
    picked: list[tuple[int, int, str]] = []
    key_rows = [d for d in range(len(d_order)) if demands[d_order[d]].tier > 0]
    open_rows = [d for d in range(len(d_order)) if demands[d_order[d]].tier <= 0]
    for phase, demand_idx, cap in (("key", key_rows, key_cap), ("open", open_rows, None),
                                   ("leftover", key_rows, None)):
        pairs = _solve(_slots(demand_idx, need, ok, free), free, s, ok, cap)
        for d, e in pairs:
            need[d] -= 1
            picked.append((d, e, phase))
        taken = {e for _, e in pairs}
        free = [e for e in free if e not in taken]
    picked.sort(key=lambda t: (t[0], t[1]))
    assignments = tuple(
        Assignment(demands[d_order[d]].key, employees[e_order[e]], float(s[d, e]), phase)
        for d, e, phase in picked
    )
    unfilled = {demands[d_order[d]].key: need[d] for d in range(len(d_order)) if need[d] > 0}
    return Allocation(assignments, key_cap, unfilled)


def greedy_allocate(
    demands: Sequence[SlotDemand], employees: Sequence[int], scores: np.ndarray, *,
    min_score: float = 0.0,
) -> Allocation:
    """Baseline: take the best remaining pair while headcount and employees last."""
    scores = np.asarray(scores, dtype=float).reshape(len(demands), len(employees))
    ok = _feasible(scores, min_score)
    need = [max(d.headcount, 0) for d in demands]
    used: set[int] = set()
    out: list[Assignment] = []
    pairs = sorted(zip(*np.nonzero(ok), strict=True), key=lambda p: (-scores[p], p))
    for d, e in pairs:
        if need[d] > 0 and e not in used:
            need[d] -= 1
            used.add(int(e))
            out.append(Assignment(demands[d].key, employees[e], float(scores[d, e]), "open"))
    unfilled = {demands[d].key: need[d] for d in range(len(demands)) if need[d] > 0}
    return Allocation(tuple(out), 0, unfilled)


@dataclass(frozen=True)
class ProposedPair:
    """One employee proposed for one demand on the day."""

    demand: Demand
    employee: EmployeeView
    score: float
    phase: str


@dataclass(frozen=True)
class DayAllocation:
    """The day's proposed allocation, ready to print or to turn into proposals."""

    day: date
    pairs: tuple[ProposedPair, ...]
    unfilled: dict[str, int]
    key_cap: int
    demand_count: int
    employee_count: int

    @property
    def total_score(self) -> float:
        """Sum of the proposed pairs' scores."""
        return float(sum(p.score for p in self.pairs))


def allocate_day(
    rt: Runtime, session: Session, day: date, *, key_share: float = DEFAULT_KEY_SHARE,
    min_score: float = DEFAULT_MIN_SCORE, scorer: Scorer | None = None, progress: bool = False,
) -> DayAllocation:
    """Load the day's open demand and lendable staff, score every pair, and allocate."""
    demands = open_demands(session, day)
    staff = lendable_employees(session, day, day)
    scores = score_matrix(demands, staff,
                          scorer or default_scorer(rt, session, day, progress=progress))
    slots = [SlotDemand(d.key, d.headcount, KeyTier(d.key_tier).rank) for d in demands]
    result = allocate(slots, [e.id for e in staff], scores, key_share=key_share,
                      min_score=min_score)
    by_key = {d.key: d for d in demands}
    by_id = {e.id: e for e in staff}
    pairs = tuple(ProposedPair(by_key[a.demand], by_id[a.employee], round(a.score, 4), a.phase)
                  for a in result.assignments)
    return DayAllocation(day, pairs, result.unfilled, result.key_cap, len(demands), len(staff))


def propose_allocation(
    rt: Runtime, uow: UnitOfWork, plan: DayAllocation, *, actor: str, daily_hours: float = 8.0
) -> list[agreements.AgreementView]:
    """Propose one agreement per (demand, lender) of ``plan``, all or nothing.

    The reimbursement is the lowest declared daily cost in the group (never above any
    employee's cost); the caller commits, and any refusal leaves nothing proposed.
    """
    out = []
    def key(p: ProposedPair) -> tuple[str, int]:
        return p.demand.key, p.employee.enterprise_id

    for (_, lender), group in groupby(sorted(plan.pairs, key=key), key=key):
        pairs = list(group)
        d = pairs[0].demand
        out.append(agreements.propose(rt, uow, agreements.AgreementInput(
            lender_id=lender, borrower_id=d.enterprise_id,
            employee_ids=tuple(sorted(p.employee.id for p in pairs)),
            start_date=d.start_date, end_date=d.end_date, site=d.site or d.title,
            daily_hours=daily_hours,
            reimbursement_per_day=min(p.employee.daily_cost or 0 for p in pairs),
            request_id=d.id if d.kind == "request" else None,
            vacancy_id=d.id if d.kind == "vacancy" else None,
        ), actor=actor))
    return out
