"""Shortage desk, gap page, gap list, dispatch and lending matches: re-encoding vs stored vectors.

Seeds the demo city in a temporary database (``--size`` vacancies, ``--encoder``, the day
``--day``), builds the indexes, then times each desk's service calls two ways in the same
run: *before*, the way they scored until this change (every text re-encoded per call, each
(gap, person) pair checked and scored in a Python loop: :func:`legacy_grid`), and *now*
(:func:`matcher.bureau.candidates.candidates_for_gaps` and friends: stored vectors, one
vectorized grid, ``score_pair`` for the pairs shown). The *same* column says whether both
ways returned the same ranked ids with scores within 1e-5.

    .venv/bin/python scripts/bench_desk.py                      # demo city, e5-small (~4 min)
    .venv/bin/python scripts/bench_desk.py --encoder fake --size 200
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bench_common import load_line, table, timed  # noqa: E402

from matcher import migrate  # noqa: E402
from matcher.bureau import dispatch  # noqa: E402
from matcher.bureau.candidates import (  # noqa: E402
    all_supply,
    candidates_for_gap,
    candidates_for_gaps,
    gap_profile,
)
from matcher.bureau.gaps import load_gaps  # noqa: E402
from matcher.config import load_settings  # noqa: E402
from matcher.demo.seed import seed_demo  # noqa: E402
from matcher.enums import SupplySource  # noqa: E402
from matcher.index.registry import get_registry  # noqa: E402
from matcher.lending.demand import open_demands  # noqa: E402
from matcher.lending.engine_scoring import person_profile, vacancy_profiles  # noqa: E402
from matcher.lending.matching import feasible, match_demand  # noqa: E402
from matcher.lending.pool import lendable_employees  # noqa: E402
from matcher.matching import constraints  # noqa: E402
from matcher.matching.embedding import embed_people, embed_vacancies  # noqa: E402
from matcher.matching.ranking import agreements_between, score_pair  # noqa: E402
from matcher.recommend.service import weights_on  # noqa: E402
from matcher.runtime import Runtime  # noqa: E402
from matcher.skills import get_skill_matcher  # noqa: E402

Ranked = dict[str, list[tuple[int, float]]]


def legacy_grid(rt: Runtime, session: Any, vacancies: Sequence[Any], people: Sequence[Any],
                ok: Callable[[int, int], bool], today: date) -> np.ndarray:
    """The scoring before this change: every text encoded, every pair checked in Python."""
    out = np.full((len(vacancies), len(people)), -np.inf)
    if not vacancies or not people:
        return out
    w, skills = weights_on(rt, today), get_skill_matcher()
    sim = embed_vacancies(rt.encoder, vacancies) @ embed_people(rt.encoder, people).T
    deals = agreements_between(session, {(p.enterprise_id or 0, v.enterprise_id or 0)
                                         for v in vacancies for p in people if p.enterprise_id})
    for i, v in enumerate(vacancies):
        for j, p in enumerate(people):
            if not ok(i, j) or constraints.check(p, v, today=today, skills=skills):
                continue
            out[i, j] = score_pair(p, v, float(sim[i, j]), weights=w, skills=skills,
                                   today=today, agreements=deals.get(
                                       (p.enterprise_id or 0, v.enterprise_id or 0),
                                       set())).score
    return out


def legacy_candidates(rt: Runtime, session: Any, gap_ids: Sequence[int], today: date,
                      k: int) -> dict[int, Ranked]:
    """Gap candidates as before: one re-encoded grid per gap (the web's per-gap calls)."""
    out = {}
    for gap_id in gap_ids:
        gap = next(g for g in load_gaps(session, [gap_id]))
        supply = all_supply(session, today)
        arrive = [s.available_on for s in supply]

        def in_time(_i: int, j: int, arrive: list[date | None] = arrive,
                    deadline: date = gap.deadline) -> bool:
            return arrive[j] is None or arrive[j] <= deadline  # type: ignore[operator]

        grid = legacy_grid(rt, session, [gap_profile(session, gap, today)],
                           [s.profile for s in supply], in_time, today)
        out[gap_id] = {str(src): sorted(((s.person_id, float(grid[0, j]))
                                         for j, s in enumerate(supply)
                                         if s.source == src and np.isfinite(grid[0, j])),
                                        key=lambda t: (-t[1], t[0]))[:k]
                       for src in SupplySource}
    return out


def ranked(found: dict[int, dict[str, list[Any]]]) -> dict[int, Ranked]:
    """Ids and scores of the new code's candidates."""
    return {g: {src: [(c.supply.person_id, c.score) for c in cands]
                for src, cands in by_source.items()} for g, by_source in found.items()}


def same(a: dict[Any, Any], b: dict[Any, Any]) -> bool:
    """Same keys, ids and scores (within 1e-5) everywhere."""
    def flat(d: dict[Any, Any]) -> list[tuple[Any, ...]]:
        return [(k, src, pid, s) for k, by in sorted(d.items()) for src, rows in sorted(
            by.items()) for pid, s in rows]
    fa, fb = flat(a), flat(b)
    return len(fa) == len(fb) and all(x[:3] == y[:3] and abs(x[3] - y[3]) < 1e-5
                                      for x, y in zip(fa, fb, strict=True))


def legacy_lending(rt: Runtime, session: Any, today: date) -> dict[str, Ranked]:
    """Every open demand's allowed lendable employees as before (one grid per demand)."""
    out = {}
    for d in open_demands(session, today):
        staff = lendable_employees(session, d.start_date, d.end_date,
                                   exclude_enterprise=d.enterprise_id)
        def lendable(_i: int, j: int, staff: list[Any] = staff, d: Any = d) -> bool:
            return feasible(d, staff[j])

        grid = legacy_grid(rt, session, vacancy_profiles(session, [d]),
                           [person_profile(e) for e in staff], lendable, today)
        out[d.key] = {"all": sorted(((e.id, round(float(grid[0, j]), 4))
                                     for j, e in enumerate(staff) if np.isfinite(grid[0, j])),
                                    key=lambda t: (-t[1], t[0]))}
    return out


def new_lending(rt: Runtime, session: Any, today: date) -> dict[str, Ranked]:
    """The same through ``match_demand`` (stored vectors)."""
    out = {}
    for d in open_demands(session, today):
        m = match_demand(rt, session, d.kind, d.id, today=today)
        out[d.key] = {"all": sorted(((c.employee.id, c.score) for g in m.groups
                                     for c in g.candidates), key=lambda t: (-t[1], t[0]))}
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Seed, build, time both ways, print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=400)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--encoder", default="e5-small")
    ap.add_argument("--day", type=date.fromisoformat, default=date.today())
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    folder = Path(tempfile.mkdtemp(prefix="bench-desk-"))
    url = f"sqlite:///{folder / 'desk.db'}"
    migrate.upgrade(url)
    rt = Runtime(load_settings(database_url=url, index_dir=folder / "indexes",
                               encoder=args.encoder))
    day = args.day
    _, seed_s = timed(lambda: seed_demo(rt, seed=args.seed, size=args.size, today=day))
    reg = get_registry(rt)
    _, index_s = timed(lambda: [reg.live(kind) for kind in ("vacancies", "people")])
    rt.encoder.encode_queries(["warm up"])
    rows = []
    with rt.uow() as uow:
        s = uow.s
        gap_ids = [g.id for g in load_gaps(s)]
        page, one = gap_ids[:10], gap_ids[:1]
        cases: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
            ("shortage desk (10 gaps, k=3)", lambda: legacy_candidates(rt, s, page, day, 3),
             lambda: ranked(candidates_for_gaps(rt, s, page, today=day, k=3))),
            ("shortage desk, per-gap calls", lambda: legacy_candidates(rt, s, page, day, 3),
             lambda: ranked({g: candidates_for_gap(rt, s, g, today=day, k=3) for g in page})),
            ("gap page (k=10)", lambda: legacy_candidates(rt, s, one, day, 10),
             lambda: ranked({g: candidates_for_gap(rt, s, g, today=day, k=10) for g in one})),
            (f"bureau gaps --candidates 3 ({len(gap_ids)} gaps)",
             lambda: legacy_candidates(rt, s, gap_ids, day, 3),
             lambda: ranked({g: candidates_for_gap(rt, s, g, today=day, k=3)
                             for g in gap_ids})),
            ("lending: match_demand, every demand", lambda: legacy_lending(rt, s, day),
             lambda: new_lending(rt, s, day)),
        ]
        for name, before, after in cases:
            want, before_s = timed(before)
            got, after_s = timed(after)
            rows.append([name, before_s, after_s, f"{before_s / max(after_s, 1e-9):.0f}x",
                         "yes" if same(want, got) else "NO"])
        plan, plan_s = timed(lambda: dispatch.plan_dispatch(rt, s, day))
    print(load_line())
    print(f"demo city seed {args.seed}, {args.size} vacancies, {args.encoder}, day {day}: "
          f"seeded in {seed_s:.1f} s, indexes in {index_s:.1f} s; dispatch planned "
          f"{len(plan.assignments)} assignments over {plan.gap_count} gaps in {plan_s:.2f} s")
    print(table(["call", "before s", "now s", "speed-up", "same"], rows))
    rt.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
