"""The engine with the real multilingual encoder (e5-small): the right trade comes first,
across Chinese and English. The model is loaded once per process (``get_encoder`` caches)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from matcher.matching.profiles import PersonProfile
from matcher.models import Enterprise, JobSeeker, Vacancy
from matcher.recommend.evaluation import engine_rank
from matcher.recommend.explain import explain
from matcher.recommend.service import (
    candidates_for_vacancy,
    recommend_for_profile,
    recommend_vacancies,
)
from matcher.runtime import Runtime

pytestmark = pytest.mark.slow

TODAY = date(2020, 6, 1)
POSTINGS = {
    "fork-zh": ("仓库叉车司机", "负责仓库货物装卸、搬运和堆垛，操作电动叉车"),
    "fork-en": ("Forklift Driver (Warehouse)",
                "Operate forklifts to load and unload trucks and move pallets in our warehouse."),
    "stack-zh": ("物流中心叉车工", "驾驶叉车完成出入库作业，持证上岗"),
    "nurse-zh": ("病房护士", "负责住院病人的日常护理、输液和护理记录"),
    "nurse-en": ("Registered Nurse", "Provide bedside patient care on a medical ward."),
    "nurse2-zh": ("社区医院护士", "门诊护理、打针输液、健康宣教"),
    "cook-zh": ("中餐厨师", "负责后厨炒锅，川菜湘菜"),
    "guard-zh": ("小区保安", "门岗值班、巡逻、登记来访人员"),
    "account-zh": ("会计", "负责公司账务处理、报税"),
}


@pytest.fixture
def jobs(rt_e5: Runtime) -> Iterator[dict[str, int]]:
    with rt_e5.uow() as uow:
        ent = Enterprise(external_id="E", name="e")
        uow.s.add(ent)
        uow.s.flush()
        rows = {key: Vacancy(external_id=key, enterprise_id=ent.id, title=title,
                             description=desc) for key, (title, desc) in POSTINGS.items()}
        uow.s.add_all(rows.values())
        uow.commit()
        yield {key: v.id for key, v in rows.items()}


def test_forklift_seeker_gets_forklift_vacancies_before_nursing(
    rt_e5: Runtime, jobs: dict[str, int]
) -> None:
    with rt_e5.uow() as uow:
        seeker = JobSeeker(external_id="S", desired_positions=["叉车司机"], skills=["叉车"],
                           experience="在物流公司开了五年叉车，熟悉仓库装卸")
        uow.s.add(seeker)
        uow.commit()
    ranked = [r.external_id for r in recommend_vacancies(rt_e5, seeker.id, k=20, as_of=TODAY)]
    assert set(ranked) == set(POSTINGS)
    forklift = [ranked.index(k) for k in ("fork-zh", "fork-en", "stack-zh")]
    nursing = [ranked.index(k) for k in ("nurse-zh", "nurse-en", "nurse2-zh")]
    assert max(forklift) < min(nursing), ranked
    why = explain(rt_e5, seeker.id, jobs["fork-zh"], as_of=TODAY)
    assert why.eligible and why.rank is not None and why.rank <= 3
    worse = explain(rt_e5, seeker.id, jobs["nurse-zh"], as_of=TODAY)
    assert worse.similarity < why.similarity and worse.rank > why.rank  # type: ignore[operator]


def test_an_english_query_finds_the_chinese_posting(rt_e5: Runtime, jobs: dict[str, int]) -> None:
    """No skills given: only the semantic component can bridge the languages."""
    profile = PersonProfile(kind="seeker", id=None, external_id="q",
                            desired_positions=("forklift driver",),
                            experience="Three years driving forklifts, loading trucks.")
    ranked = recommend_for_profile(rt_e5, profile, k=20, as_of=TODAY)
    chinese = [r for r in ranked if r.external_id.endswith("-zh")]
    assert chinese[0].external_id in ("fork-zh", "stack-zh")
    assert {chinese[0].external_id, chinese[1].external_id} == {"fork-zh", "stack-zh"}
    assert all(r.components["skills"]["value"] == 0 for r in ranked)


def test_a_chinese_vacancy_finds_an_english_speaking_candidate(
    rt_e5: Runtime, jobs: dict[str, int]
) -> None:
    with rt_e5.uow() as uow:
        people = {
            "forklift": JobSeeker(external_id="en-fork", desired_positions=["forklift operator"],
                                  experience="Warehouse forklift driver for five years."),
            "nurse": JobSeeker(external_id="en-nurse", desired_positions=["nurse"],
                               experience="Ward nurse, IV therapy and patient care."),
            "cook": JobSeeker(external_id="en-cook", desired_positions=["line cook"],
                              experience="Grill and wok station in a busy restaurant."),
        }
        uow.s.add_all(people.values())
        uow.commit()
    found = candidates_for_vacancy(rt_e5, jobs["fork-zh"], k=3, as_of=TODAY)
    assert [c.external_id for c in found][0] == "en-fork"
    assert all(c.kind == "seeker" for c in found)


def test_engine_rank_on_a_slice_of_the_evaluation_set() -> None:
    """The eval-set entry point ranks with the full engine (e5-small, a small slice)."""
    vacancies = [{"id": "f", "title": "叉车司机", "skills": ["叉车证"], "description": "仓库装卸"},
                 {"id": "n", "title": "护士", "skills": ["护士证"], "description": "病房护理"},
                 {"id": "c", "title": "Line cook", "skills": ["grill"], "description": "Kitchen"}]
    seekers = [{"id": "s1", "desired_positions": ["forklift operator"], "skills": [],
                "experience": "warehouse forklift"},
               {"id": "s2", "desired_positions": ["护士"], "skills": ["nursing license"],
                "experience": "医院护理"}]
    ranked = engine_rank(seekers, vacancies, encoder="e5-small")
    assert [r[0] for r in ranked] == ["f", "n"]
    assert all(sorted(r) == ["c", "f", "n"] for r in ranked)
