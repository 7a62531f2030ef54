"""Ranking: named components that add up, bounded key-enterprise bonus, dated weights,
deterministic ties, explanations that match the ranked score (fake encoder: fast)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from matcher.config import PACKAGE_DATA
from matcher.enums import AgreementStatus, KeyTier, Urgency, VacancyStatus
from matcher.matching.profiles import PersonProfile, VacancyProfile
from matcher.matching.ranking import score_pair
from matcher.matching.weights import COMPONENTS, WeightsError, load_weights, parse_weights
from matcher.models import Agreement, Enterprise, JobSeeker, SurplusEmployee, Vacancy
from matcher.recommend.explain import explain
from matcher.recommend.service import recommend_vacancies
from matcher.runtime import Runtime
from matcher.skills import get_skill_matcher

TODAY = date(2020, 6, 1)
POSTED = datetime(2020, 6, 1, tzinfo=UTC)


def packaged() -> dict[str, Any]:
    return yaml.safe_load((PACKAGE_DATA / "ranking_weights.yaml").read_text(encoding="utf-8"))


def add(rt: Runtime, *objs: Any) -> list[int]:
    with rt.uow() as uow:
        uow.s.add_all(objs)
        uow.commit()
        return [int(o.id) for o in objs]


def job(ent: int, ext: str, **kw: Any) -> Vacancy:
    values: dict[str, Any] = dict(external_id=ext, enterprise_id=ent, title="仓库叉车司机",
                                  description="装卸", created_at=POSTED, updated_at=POSTED)
    values.update(kw)
    return Vacancy(**values)


def seeker(**kw: Any) -> JobSeeker:
    values: dict[str, Any] = dict(external_id="S", desired_positions=["叉车司机"],
                                  skills=["叉车证"], experience="开叉车")
    values.update(kw)
    return JobSeeker(**values)


# -- pure scoring ---------------------------------------------------------------------------
def _pair(tier: KeyTier = KeyTier.NONE) -> tuple[PersonProfile, VacancyProfile]:
    p = PersonProfile(kind="seeker", id=1, external_id="s", skills=("叉车证",),
                      latitude=39.9, longitude=116.4)
    v = VacancyProfile(id=1, external_id="v", title="t", required_skills=("叉车",),
                       preferred_skills=("仓库管理",), key_tier=tier, urgency=Urgency.URGENT,
                       latitude=39.95, longitude=116.4, posted_on=TODAY - timedelta(days=14))
    return p, v


def test_components_add_up_to_the_score() -> None:
    w = load_weights(PACKAGE_DATA / "ranking_weights.yaml").on(TODAY)
    p, v = _pair(KeyTier.KEY)
    b = score_pair(p, v, 0.8, weights=w, skills=get_skill_matcher(), today=TODAY)
    assert [c.name for c in b.components] == list(COMPONENTS)
    assert b.score == pytest.approx(sum(c.contribution for c in b.components), abs=1e-12)
    for c in b.components:
        assert c.contribution == pytest.approx(c.weight * c.value)
        assert 0.0 <= c.value <= 1.0
    assert b.component("semantic").value == pytest.approx(0.8)
    # 叉车 (via the licence) but not 仓库管理: 1 of 2 listed, counted out of skills_min_listed
    assert w.skills_min_listed == 3
    assert b.component("skills").value == pytest.approx(1 / 3)
    assert b.matched_skills == ("叉车",) and b.missing_skills == ("仓库管理",)
    assert b.component("freshness").value == pytest.approx(0.5)  # one half-life old
    assert b.component("distance").value == pytest.approx(
        math.exp(-b.distance_km / w.distance_scale_km))  # type: ignore[operator]
    assert b.component("key_tier").value == w.key_tier_values["key"]


def test_skill_evidence_shrinks_short_skill_lists() -> None:
    from matcher.matching.ranking import skill_evidence

    assert skill_evidence(("持证",), (), 3) == pytest.approx(1 / 3)  # one generic skill
    assert skill_evidence(("a", "b", "c"), (), 3) == 1.0
    assert skill_evidence(("a", "b", "c"), ("d",), 3) == 0.75  # long lists: the plain share
    assert skill_evidence(("a",), (), 1) == 1.0  # min_listed 1 = the plain share
    assert skill_evidence((), (), 3) == 0.0


def test_key_enterprise_bonus_is_bounded() -> None:
    """A much better ordinary match beats a weak match at the highest key tier."""
    w = load_weights(PACKAGE_DATA / "ranking_weights.yaml").on(TODAY)
    skills = get_skill_matcher()
    p, ordinary = _pair(KeyTier.NONE)
    _, priority = _pair(KeyTier.PRIORITY)
    strong = score_pair(p, ordinary, 0.85, weights=w, skills=skills, today=TODAY)
    weak = score_pair(p, priority, 0.70, weights=w, skills=skills, today=TODAY)
    assert strong.score > weak.score
    bonus = weak.component("key_tier").contribution
    assert 0 < bonus <= w.weights["key_tier"] <= 0.5 * w.weights["semantic"]
    # ...while at equal similarity the key enterprise goes first.
    tie = score_pair(p, priority, 0.85, weights=w, skills=skills, today=TODAY)
    assert tie.score == pytest.approx(strong.score + bonus)


# -- the weights file -----------------------------------------------------------------------
def test_the_version_in_force_on_a_day_applies() -> None:
    data = packaged()
    newer = yaml.safe_load(yaml.safe_dump(data["versions"][0]))
    newer["valid_from"] = date(2021, 1, 1)
    newer["weights"]["key_tier"] = 0.0
    data["versions"].append(newer)
    weights = parse_weights(data, "ranking_weights.yaml")
    assert weights.on(date(2020, 12, 31)).weights["key_tier"] > 0
    assert weights.on(date(2021, 1, 1)).weights["key_tier"] == 0
    with pytest.raises(WeightsError, match="no weights in force on 2019-01-01"):
        weights.on(date(2019, 1, 1))


@pytest.mark.parametrize(("change", "message"), [
    (lambda v: v["weights"].pop("skills"), r"versions\[0\].weights.skills: missing"),
    (lambda v: v["weights"].update(skills=-1), r"versions\[0\].weights.skills: must be a number"),
    (lambda v: v["weights"].update(bonus=1), r"versions\[0\].weights.bonus: unknown component"),
    (lambda v: v["weights"].update(key_tier=0.9), r"versions\[0\].weights.key_tier: the key"),
    (lambda v: v.update(valid_from="soon"), r"versions\[0\].valid_from: must be a date"),
    (lambda v: v["params"]["key_tier_values"].pop("priority"),
     r"versions\[0\].params.key_tier_values.priority: missing"),
    (lambda v: v["params"]["urgency_values"].update(urgent=2),
     r"versions\[0\].params.urgency_values.urgent: must be a number between 0 and 1"),
    (lambda v: v["params"].update(distance_scale_km="far"),
     r"versions\[0\].params.distance_scale_km"),
    (lambda v: v["params"].update(skills_min_listed=0.5),
     r"versions\[0\].params.skills_min_listed: must be a whole number"),
])
def test_invalid_weights_name_the_file_and_key(change: Any, message: str) -> None:
    data = packaged()
    change(data["versions"][0])
    with pytest.raises(WeightsError, match=r"^ranking_weights.yaml: " + message):
        parse_weights(data, "/somewhere/ranking_weights.yaml")


def test_duplicate_dates_and_unreadable_files_are_refused(tmp_path: Path) -> None:
    data = packaged()
    data["versions"].append(data["versions"][0])
    with pytest.raises(WeightsError, match="share a valid_from"):
        parse_weights(data, "w.yaml")
    broken = tmp_path / "w.yaml"
    broken.write_text("versions: [", encoding="utf-8")
    with pytest.raises(WeightsError, match="^w.yaml: cannot read"):
        load_weights(broken)


# -- ranking through the service -------------------------------------------------------------
def test_key_tier_changes_order_but_never_admits_an_excluded_vacancy(rt: Runtime) -> None:
    plain, key, far_key = add(rt, Enterprise(external_id="P", name="p"),
                              Enterprise(external_id="K", name="k", key_tier=KeyTier.KEY),
                              Enterprise(external_id="F", name="f", key_tier=KeyTier.PRIORITY))
    v_plain, v_key, v_closed, v_far = add(
        rt, job(plain, "plain"), job(key, "key"),
        job(far_key, "closed", status=VacancyStatus.CLOSED),
        job(far_key, "far", latitude=41.5, longitude=116.4))
    [s] = add(rt, seeker(latitude=39.9, longitude=116.4, travel_km=20))
    ranked = recommend_vacancies(rt, s, k=10, as_of=TODAY)
    assert [r.vacancy_id for r in ranked] == [v_key, v_plain]  # same text: the tier decides
    assert ranked[0].key_tier == "key" and ranked[0].components["key_tier"]["contribution"] > 0
    assert v_closed not in {r.vacancy_id for r in ranked} and v_far not in {r.vacancy_id
                                                                           for r in ranked}


def test_a_much_better_ordinary_match_beats_a_weak_key_match(rt: Runtime) -> None:
    plain, key = add(rt, Enterprise(external_id="P", name="p"),
                     Enterprise(external_id="K", name="k", key_tier=KeyTier.PRIORITY))
    v_good, v_weak = add(rt, job(plain, "good", title="叉车司机", description="开叉车"),
                         job(key, "weak", title="会计", description="做账报税"))
    [s] = add(rt, seeker())
    ranked = recommend_vacancies(rt, s, k=10, as_of=TODAY)
    assert [r.vacancy_id for r in ranked] == [v_good, v_weak]


def test_ties_are_broken_by_id(rt: Runtime) -> None:
    [ent] = add(rt, Enterprise(external_id="E", name="e"))
    ids = add(rt, *[job(ent, f"v{i}") for i in range(5)])
    [s] = add(rt, seeker())
    ranked = recommend_vacancies(rt, s, k=5, as_of=TODAY)
    assert [r.vacancy_id for r in ranked] == sorted(ids)
    assert len({round(r.score, 9) for r in ranked}) == 1
    assert [r.rank for r in ranked] == [1, 2, 3, 4, 5]


def test_urgency_and_freshness_move_identical_vacancies(rt: Runtime) -> None:
    [ent] = add(rt, Enterprise(external_id="E", name="e"))
    old = POSTED - timedelta(days=60)
    v_old, v_new, v_urgent = add(rt, job(ent, "old", created_at=old), job(ent, "new"),
                                 job(ent, "urgent", urgency=Urgency.CRITICAL, created_at=old))
    [s] = add(rt, seeker())
    ranked = [r.vacancy_id for r in recommend_vacancies(rt, s, k=5, as_of=TODAY)]
    assert ranked == [v_urgent, v_new, v_old]


def test_an_agreement_between_the_enterprises_lifts_surplus_staff(rt: Runtime) -> None:
    lender, partner, other = add(rt, Enterprise(external_id="L", name="l"),
                                 Enterprise(external_id="B1", name="b1"),
                                 Enterprise(external_id="B2", name="b2"))
    v_partner, v_other = add(rt, job(partner, "p", accepts_borrowed=True),
                             job(other, "o", accepts_borrowed=True))
    add(rt, Agreement(lender_id=lender, borrower_id=partner, start_date=TODAY,
                      end_date=TODAY + timedelta(days=9), status=AgreementStatus.PROPOSED))
    [emp] = add(rt, SurplusEmployee(external_id="E", enterprise_id=lender, skills=["叉车证"],
                                    experience="开叉车", consent=True))
    ranked = recommend_vacancies(rt, emp, kind="surplus", k=5, as_of=TODAY)
    assert [r.vacancy_id for r in ranked] == [v_partner, v_other]
    assert ranked[0].agreement == "proposed" and ranked[1].agreement is None
    assert ranked[0].components["agreement"]["contribution"] > 0


def test_explanations_match_the_ranked_scores(rt: Runtime) -> None:
    [ent] = add(rt, Enterprise(external_id="E", name="e", key_tier=KeyTier.INCLUSIVE))
    add(rt, *[job(ent, f"v{i}", title=t, required_skills=r, latitude=39.9 + i / 100,
                  longitude=116.4)
              for i, (t, r) in enumerate([("叉车司机", ["叉车"]), ("仓库管理员", []),
                                          ("护士", []), ("叉车维修工", [])])])
    [s] = add(rt, seeker(latitude=39.9, longitude=116.4, travel_km=30))
    ranked = recommend_vacancies(rt, s, k=10, as_of=TODAY)
    assert len(ranked) == 4
    for r in ranked:
        assert r.score == pytest.approx(sum(c["contribution"] for c in r.components.values()))
        why = explain(rt, s, r.vacancy_id, as_of=TODAY)
        assert why.eligible and why.rank == r.rank
        assert why.score == pytest.approx(r.score, abs=1e-6)
        assert why.score == pytest.approx(sum(c.contribution for c in why.components))
        assert {c.name: c.value for c in why.components} == pytest.approx(
            {name: c["value"] for name, c in r.components.items()}, abs=1e-6)
        assert why.matched_skills == r.matched_skills
        assert any("x" in line for line in why.reasons())


def test_district_centroids_give_an_approximate_distance() -> None:
    w = load_weights(PACKAGE_DATA / "ranking_weights.yaml").on(TODAY)
    p = PersonProfile(kind="seeker", id=1, external_id="s", district="朝阳区")
    v = VacancyProfile(id=1, external_id="v", title="t", latitude=39.95, longitude=116.50)
    b = score_pair(p, v, 0.5, weights=w, skills=get_skill_matcher(), today=TODAY)
    assert b.distance_approximate and b.distance_km == pytest.approx(0.0, abs=0.01)
    far = VacancyProfile(id=2, external_id="f", title="t", district="延庆")
    b2 = score_pair(p, far, 0.5, weights=w, skills=get_skill_matcher(), today=TODAY)
    assert b2.distance_approximate and 50 < b2.distance_km < 80  # type: ignore[operator]
    nowhere = VacancyProfile(id=3, external_id="n", title="t")
    b3 = score_pair(p, nowhere, 0.5, weights=w, skills=get_skill_matcher(), today=TODAY)
    assert b3.distance_km is None
    assert b3.component("distance").value == w.unknown_distance
