"""Shortage desk: ranking of gaps, fill-rate arithmetic, three-source candidates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from matcher.bureau import cohorts, gaps
from matcher.bureau.candidates import candidates_for_gap, candidates_for_gaps, gap_profile
from matcher.enums import DispatchStatus, KeyTier, SupplySource
from matcher.errors import ValidationFailed
from matcher.index.people_grid import score_people
from matcher.index.registry import get_registry
from matcher.matching.embedding import embed_people, embed_vacancies
from matcher.matching.estimate import TOLERANCE
from matcher.matching.profiles import PersonProfile, VacancyProfile
from matcher.matching.ranking import score_pair
from matcher.models import (
    DispatchAssignment,
    DispatchProposal,
    Enterprise,
    JobSeeker,
    SurplusEmployee,
)
from matcher.recommend.service import weights_on
from matcher.runtime import Runtime
from matcher.skills import get_skill_matcher

TODAY = date(2020, 4, 1)


def _ent(s, ext: str, tier: KeyTier = KeyTier.NONE, district: str = "朝阳区") -> int:
    e = Enterprise(external_id=ext, name=f"企业{ext}", district=district, latitude=39.95,
                   longitude=116.5, key_tier=tier, industry="物流")
    s.add(e)
    s.flush()
    return e.id


def test_rank_key_orders_tier_then_urgency_then_deadline() -> None:
    d1, d2 = TODAY + timedelta(days=3), TODAY + timedelta(days=9)
    rows = [("none", "critical", d1, 1), ("key", "normal", d2, 2), ("key", "normal", d1, 3),
            ("priority", "normal", d2, 4), ("key", "urgent", d2, 5), ("key", "normal", d1, 0)]
    got = [r[3] for r in sorted(rows, key=lambda r: gaps.rank_key(*r))]
    assert got == [4, 5, 0, 3, 2, 1]


def test_fill_rate_arithmetic() -> None:
    assert gaps.fill_rate(0, 4) == 0.0
    assert gaps.fill_rate(1, 3) == 0.3333
    assert gaps.fill_rate(3, 3) == 1.0
    assert gaps.fill_rate(5, 3) == 1.0  # capped
    assert gaps.fill_rate(2, 0) == 0.0


def test_desk_lists_open_gaps_ranked_with_fill_rate(rt: Runtime) -> None:
    with rt.uow() as uow:
        plain, key, prio = (_ent(uow.s, "E1"), _ent(uow.s, "E2", KeyTier.KEY),
                            _ent(uow.s, "E3", KeyTier.PRIORITY))
        soon, late = TODAY + timedelta(days=5), TODAY + timedelta(days=20)
        g_plain = gaps.report_gap(uow, plain, gaps.GapInput("分拣员", 2, soon, urgency="critical"),
                                  actor="t", today=TODAY)
        g_key_late = gaps.report_gap(uow, key, gaps.GapInput("叉车司机", 4, late), actor="t",
                                     today=TODAY)
        g_key_soon = gaps.report_gap(uow, key, gaps.GapInput("装卸工", 3, soon), actor="t",
                                     today=TODAY)
        g_prio = gaps.report_gap(uow, prio, gaps.GapInput("护工", 1, late), actor="t",
                                 today=TODAY)
        closed = gaps.report_gap(uow, prio, gaps.GapInput("保洁", 1, soon), actor="t",
                                 today=TODAY)
        gaps.close_gap(uow, closed, actor="t", today=TODAY)
        prop = DispatchProposal(day=TODAY, status=DispatchStatus.CONFIRMED)
        uow.s.add(prop)
        uow.s.flush()
        for pid, status in ((1, DispatchStatus.CONFIRMED), (2, DispatchStatus.CONFIRMED),
                            (3, DispatchStatus.PROPOSED)):
            uow.s.add(DispatchAssignment(proposal_id=prop.id, gap_id=g_key_late,
                                         source=SupplySource.SEEKER, person_id=pid, score=1.0,
                                         phase="key", status=status))
        uow.commit()
    with rt.uow() as uow:
        rows = gaps.load_gaps(uow.s)
    assert [r.id for r in rows] == [g_prio, g_key_soon, g_key_late, g_plain]
    assert [r.rank for r in rows] == [1, 2, 3, 4]
    late_row = next(r for r in rows if r.id == g_key_late)
    assert (late_row.recruited, late_row.needed, late_row.remaining) == (2, 4, 2)
    assert late_row.fill_rate == 0.5
    assert gaps.gap_dict(late_row)["fill_rate"] == 0.5


def test_report_gap_rejects_bad_input(rt: Runtime) -> None:
    with rt.uow() as uow:
        ent = _ent(uow.s, "E1")
        with pytest.raises(ValidationFailed) as err:
            gaps.report_gap(uow, ent, gaps.GapInput(" ", 0, TODAY - timedelta(days=1),
                                                    urgency="asap"), actor="t", today=TODAY)
    assert set(err.value.fields) == {"title", "headcount", "deadline", "urgency"}


def _three_sources(rt: Runtime) -> tuple[int, int, int]:
    """A key borrower's forklift gap with a seeker, a lendable employee and two cohorts;
    returns (gap, on-time registration, too-late registration)."""
    deadline = TODAY + timedelta(days=10)
    with rt.uow() as uow:
        borrower = _ent(uow.s, "B1", KeyTier.KEY)
        lender = _ent(uow.s, "L1")
        uow.s.add(JobSeeker(external_id="S1", name="张三", skills=["叉车", "装卸"],
                            district="朝阳区", latitude=39.95, longitude=116.5))
        uow.s.add(JobSeeker(external_id="S2", name="无技能", skills=["会计"], district="朝阳区"))
        uow.s.add(SurplusEmployee(external_id="P1", enterprise_id=lender, name="李四",
                                  skills=["叉车证"], district="朝阳区", consent=True,
                                  daily_cost=20000, available_from=TODAY,
                                  available_to=TODAY + timedelta(days=60)))
        gap = gaps.report_gap(uow, borrower, gaps.GapInput(
            "叉车司机 forklift driver", 5, deadline, skills=("叉车",), urgency="urgent"),
            actor="t", today=TODAY)
        on_time = cohorts.register(rt, uow, cohorts.RegistrationInput(
            "河南省", "朝阳区", TODAY, TODAY + timedelta(days=3),
            (cohorts.MemberInput("王五", skills=("叉车",)),)), actor="t")
        too_late = cohorts.register(rt, uow, cohorts.RegistrationInput(
            "四川省", "朝阳区", deadline + timedelta(days=2), deadline + timedelta(days=5),
            (cohorts.MemberInput("赵六", skills=("叉车",)),)), actor="t")
        cohorts.form_cohorts(uow, TODAY + timedelta(days=1), 10, actor="t")
        cohorts.form_cohorts(uow, deadline + timedelta(days=2), 10, actor="t")
        uow.commit()
    return gap, on_time, too_late


def test_candidates_come_from_all_three_sources(rt: Runtime) -> None:
    gap, on_time, too_late = _three_sources(rt)
    with rt.uow() as uow:
        found = candidates_for_gap(rt, uow.s, gap, today=TODAY)
    assert [c.supply.name for c in found["seeker"]] == ["张三"]  # 会计 lacks 叉车
    assert [c.supply.name for c in found["surplus"]] == ["李四"]  # 叉车证 implies 叉车
    assert [c.supply.name for c in found["cohort"]] == ["王五"]  # 赵六 arrives too late
    assert on_time != too_late
    for cands in found.values():
        assert all(c.score > 0 and c.matched_skills == ("叉车",) for c in cands)


def _count_encoded(rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text the runtime's encoder is asked to embed from now on."""
    seen: list[str] = []
    encoder = rt.encoder
    for name in ("encode_queries", "encode_documents"):
        real = getattr(encoder, name)

        def counting(texts, *args, _real=real, **kwargs):
            seen.extend(texts)
            return _real(texts, *args, **kwargs)

        monkeypatch.setattr(encoder, name, counting)
    return seen


def test_batch_scores_from_stored_vectors_as_score_pair(
        rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    gap, _, _ = _three_sources(rt)
    with rt.uow() as uow:
        other = gaps.report_gap(uow, _ent(uow.s, "B2", KeyTier.KEY), gaps.GapInput(
            "装卸工 loader", 2, TODAY + timedelta(days=7), urgency="critical"),
            actor="t", today=TODAY)
        uow.commit()
    reg = get_registry(rt)
    reg.live("people")
    reg.live("vacancies")
    encoded = _count_encoded(rt, monkeypatch)
    with rt.uow() as uow:
        batch = candidates_for_gaps(rt, uow.s, [gap, other], today=TODAY, k=5)
        first = list(encoded)
        again = candidates_for_gaps(rt, uow.s, [gap, other], today=TODAY, k=5)
        single = {g: candidates_for_gap(rt, uow.s, g, today=TODAY, k=5) for g in (gap, other)}
        profiles = {g: gap_profile(uow.s, gaps.get_gap(uow.s, g), TODAY) for g in (gap, other)}
    assert batch == single == again
    names = sorted(c.supply.name or "" for cands in batch[other].values() for c in cands)
    assert names == sorted(["张三", "无技能", "李四", "王五"])  # no skills asked; 赵六 is late
    # the gaps (no index row) and the cohort member are encoded once; indexed people never
    assert sorted(first) == sorted({*first}) and len(first) == 3
    assert not any("张三" in t or "叉车证" in t for t in first) and len(encoded) == 3
    weights, skills = weights_on(rt, TODAY), get_skill_matcher()
    for g, found in batch.items():
        v = profiles[g]
        for cands in found.values():
            for c in cands:
                p = c.supply.profile
                sim = float(embed_vacancies(rt.encoder, [v])[0] @ embed_people(rt.encoder,
                                                                                [p])[0])
                want = score_pair(p, v, sim, weights=weights, skills=skills, today=TODAY)
                assert abs(c.score - want.score) < 1e-6
                assert (c.matched_skills, c.distance_km) == (want.matched_skills,
                                                             want.distance_km)


def test_candidates_inside_a_transaction_use_the_saved_index(rt: Runtime) -> None:
    """A caller holding a transaction (the web's read session) never waits on the
    index loading: the saved file's vectors serve until the index is loaded."""
    gap, _, _ = _three_sources(rt)
    with rt.uow() as uow:
        expected = candidates_for_gap(rt, uow.s, gap, today=TODAY)
    get_registry(rt).save("people")
    fresh = Runtime(rt.settings)
    try:
        with fresh.uow() as uow:
            got = candidates_for_gap(fresh, uow.s, gap, today=TODAY)
            reg = get_registry(fresh)
            assert not reg.loaded("people") and reg.texts.saved["people"] is not None
        assert got == expected
    finally:
        fresh.dispose()


def test_grid_estimates_are_score_pair_even_for_skills_nobody_holds(rt: Runtime) -> None:
    """The skill share counts every listed skill, held by one of the people or not."""
    held = [("客服", "普通话"), (), ("叉车",)]
    people = [PersonProfile(kind="seeker", id=None, external_id=f"p{i}", skills=h,
                            district="朝阳区") for i, h in enumerate(held)]
    jobs = [VacancyProfile(id=None, external_id=f"v{i}", title="仓库 warehouse",
                           required_skills=(), preferred_skills=listed, district="朝阳区",
                           posted_on=TODAY)
            for i, listed in enumerate([("客服", "普通话", "沟通能力", "打字"), ("沟通能力",), ()])]
    weights = weights_on(rt, TODAY)
    with rt.uow() as uow:
        grid = score_people(get_registry(rt), uow.s, jobs, [None] * 3, people,
                            weights=weights, today=TODAY)
    assert grid.allowed.all()
    for i in range(3):
        for j in range(3):
            b = grid.exact(i, j)
            assert b is not None and abs(grid.estimates[i, j] - b.score) <= TOLERANCE
    assert grid.exact(0, 0).component("skills").value == 0.5  # type: ignore[union-attr]
