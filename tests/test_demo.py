"""The demo city: deterministic, all 16 districts, key sectors, bilingual, valid identities."""

from __future__ import annotations

import re
import sys
import types
from collections import Counter
from datetime import date
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from matcher.cli.data_cmds import demo
from matcher.dataio import iter_rows
from matcher.demo import catalog
from matcher.demo.seed import generate, plan, seed_demo
from matcher.demo.users import EXTRA_ENTERPRISES, EXTRA_SEEKERS
from matcher.geo import haversine_km
from matcher.models import Enterprise, HRAgency, JobSeeker, SurplusEmployee, Vacancy
from matcher.reference.districts import DISTRICTS, canonical_district, centroid, find
from matcher.runtime import Runtime
from matcher.skills import SkillMatcher
from matcher.validators import validate_credit_code, validate_id_number

DAY = date(2020, 3, 2)
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{3,}")


@pytest.fixture(autouse=True)
def _no_index_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matcher.index", types.ModuleType("matcher.index"))


@pytest.fixture(scope="module")
def city() -> Any:
    return generate(42, today=DAY)


def test_same_seed_same_rows_other_seed_other_rows(city: Any) -> None:
    again = generate(42, today=DAY)
    for kind in ("enterprises", "vacancies", "seekers", "surplus", "agencies"):
        assert getattr(again, kind) == getattr(city, kind)
    assert generate(43, today=DAY).vacancies != city.vacancies


def test_default_size_and_scaling(city: Any) -> None:
    counts = plan(400)
    assert len(city.vacancies) == 400 and len(city.seekers) == counts["seekers"] == 300
    assert len(city.enterprises) == counts["enterprises"] + counts["stopped"]
    big = plan(100_000)
    assert big["vacancies"] == 100_000 and big["enterprises"] > 100 * counts["enterprises"] / 4
    assert counts["seekers"] < big["seekers"] < 20 * counts["seekers"]  # people grow slowly


def test_all_16_districts_with_real_centroids(city: Any) -> None:
    assert len(DISTRICTS) == 16 and len({d.code for d in DISTRICTS}) == 16
    assert {e["district"] for e in city.enterprises} == {d.name for d in DISTRICTS}
    for e in city.enterprises:
        d = find(e["district"])
        assert d is not None
        assert haversine_km(e["latitude"], e["longitude"], d.latitude, d.longitude) \
            <= 2.5 * d.spread_km + 0.1
    assert centroid("朝阳") == centroid("Chaoyang") == (39.95, 116.50)
    assert canonical_district("haidian district") == "海淀区" and find("火星区") is None
    # landmarks fall nearest to the centre of their own district
    landmarks = {"海淀区": (39.999, 116.275), "顺义区": (40.080, 116.585),  # Summer Palace, PEK
                 "大兴区": (39.509, 116.410), "通州区": (39.900, 116.720),  # PKX, sub-centre
                 "密云区": (40.656, 117.270)}  # Gubei Water Town
    for name, (lat, lon) in landmarks.items():
        nearest = min(DISTRICTS, key=lambda d: haversine_km(lat, lon, d.latitude, d.longitude))
        assert nearest.name == name


def test_key_enterprises_in_the_three_sectors(city: Any) -> None:
    tiers = Counter((e["industry"], e["key_tier"]) for e in city.enterprises)
    for sector in catalog.KEY_SECTORS:
        assert tiers[(sector.industry, "key")] + tiers[(sector.industry, "priority")] >= 3
    names = " ".join(e["name"] for e in city.enterprises)
    assert "医疗用品" in names or "防护科技" in names or "医用防护" in names
    stopped = {s.industry for s in catalog.STOPPED}
    assert {e["industry"] for e in city.enterprises} >= stopped
    keyed = [e for e in city.enterprises if e["key_tier"] != "none"]
    assert all(e["key_tier_set_on"] for e in keyed)


def test_texts_are_chinese_english_and_mixed(city: Any) -> None:
    kinds = Counter(
        "mixed" if CJK.search(v["title"]) and LATIN.search(v["title"])
        else "zh" if CJK.search(v["title"]) else "en" for v in city.vacancies)
    assert min(kinds["zh"], kinds["en"], kinds["mixed"]) >= 20
    assert any(v["title"] == "仓库叉车司机 / Forklift driver" for v in city.vacancies)
    english_skills = {s for v in city.vacancies for s in v["required_skills"] if LATIN.search(s)}
    assert "forklift license" in english_skills or "sorting" in english_skills


def test_skill_names_resolve_in_the_matcher_vocabulary(city: Any) -> None:
    sm = SkillMatcher.from_file()
    for zh, en in catalog.SKILLS.items():
        assert sm.canonical(zh) == sm.canonical(en), (zh, en)
    used = {s for v in city.vacancies for s in v["required_skills"] + v["preferred_skills"]}
    assert used <= set(catalog.SKILLS) | set(catalog.SKILL_ZH)


def test_people_identities_categories_and_idle_staff(city: Any) -> None:
    ids = [s["id_number"] for s in city.seekers]
    assert len(set(ids)) == len(ids)
    assert all(validate_id_number(i) == i for i in ids)
    assert all(re.fullmatch(r"1[3-9]\d{9}", s["phone"]) for s in city.seekers)
    assert all(validate_credit_code(e["credit_code"]) for e in city.enterprises + city.agencies)
    cats = Counter(c for s in city.seekers for c in s["categories"])
    assert set(cats) == {"graduate", "registered_unemployed", "migrant_worker",
                         "employment_difficulty"}
    assert all(s["graduation_year"] for s in city.seekers if "graduate" in s["categories"])
    assert all(s["origin_province"] for s in city.seekers if "migrant_worker" in s["categories"])
    stopped = {e["external_id"] for e in city.enterprises
               if e["industry"] in {s.industry for s in catalog.STOPPED}}
    assert {p["enterprise_external_id"] for p in city.surplus} <= stopped
    assert 0 < sum(p["consent"] for p in city.surplus) < len(city.surplus)
    assert all(p["available_from"] < p["available_to"] and p["daily_cost"] for p in city.surplus)
    assert sum(v["accepts_borrowed"] for v in city.vacancies) >= 20
    assert len(city.agencies) == 2


def _count(rt: Runtime, model: Any) -> int:
    with rt.uow() as uow:
        return uow.s.scalar(select(func.count()).select_from(model)) or 0


def test_seed_writes_the_generated_city_once(rt: Runtime) -> None:
    result = seed_demo(rt, seed=7, size=120, today=DAY)
    data = generate(7, 120, today=DAY)
    assert result.seeded and result.counts["vacancies"] == 120
    # plus a registered enterprise pending approval and a registered-unemployed seeker
    assert _count(rt, Enterprise) == len(data.enterprises) + EXTRA_ENTERPRISES
    assert _count(rt, JobSeeker) == len(data.seekers) + EXTRA_SEEKERS
    assert _count(rt, HRAgency) == 2
    assert _count(rt, SurplusEmployee) == len(data.surplus)
    with rt.uow() as uow:
        stored = list(iter_rows(uow.s, "vacancies"))
        people = {s.external_id: s for s in uow.s.scalars(select(JobSeeker))}
        assert stored == data.vacancies
        first = data.seekers[0]
        person = people[first["external_id"]]
        assert rt.cipher.decrypt(person.id_number_enc) == first["id_number"]
        assert person.id_number_hash == rt.cipher.digest(first["id_number"])
        assert first["id_number"] not in (person.id_number_masked or "")
    again = seed_demo(rt, seed=8, size=50, today=DAY)
    assert not again.seeded and "not empty" in again.message
    assert _count(rt, Vacancy) == 120


def test_cli_demo_seed_twice(db_url: str, rt: Runtime) -> None:
    env = {"WORKBRIDGE_DATABASE_URL": db_url, "WORKBRIDGE_SECRET_KEY": "test-secret"}
    first = CliRunner().invoke(demo, ["seed", "--size", "60", "--quiet"], env=env)
    assert first.exit_code == 0, first.output
    assert "demo city seeded (seed 42)" in first.stdout and "60 vacancies" in first.stdout
    second = CliRunner().invoke(demo, ["seed"], env=env)
    assert second.exit_code == 0 and "not empty" in second.stdout
    assert _count(rt, Vacancy) == 60
