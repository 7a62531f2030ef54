"""The demo city: a believable Beijing labour market, generated deterministically from a seed.

:func:`generate` is pure (same seed, size and day -> same rows); :func:`seed_demo` writes
the rows through the importer's bulk writer (so they are validated and identity fields
encrypted exactly like imported ones) into an empty database, in one transaction.
"""

from __future__ import annotations

import itertools
import logging
import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from matcher import audit
from matcher.dataio.importer import import_rows, run_index_hook
from matcher.dataio.readers import SourceRow
from matcher.demo import catalog as cat
from matcher.demo.bureau import seed_bureau_demo
from matcher.demo.districts import scatter
from matcher.demo.graduates import seed_graduate_demo
from matcher.demo.hiring import seed_hiring
from matcher.demo.lending_demo import seed_lending_demo
from matcher.demo.users import create_demo_users, demo_password
from matcher.enums import EmploymentType, KeyTier, Urgency
from matcher.models import Enterprise, HRAgency, JobSeeker, SurplusEmployee, Vacancy
from matcher.reference.districts import DISTRICTS, District
from matcher.runtime import Runtime
from matcher.validators import make_credit_code, make_id_number

log = logging.getLogger(__name__)
DEFAULT_SIZE = 400
_CUM = list(itertools.accumulate(d.weight for d in DISTRICTS))


@dataclass
class DemoData:
    """Rows per import kind (import-format dicts) plus the HR agencies."""

    enterprises: list[dict[str, Any]] = field(default_factory=list)
    vacancies: list[dict[str, Any]] = field(default_factory=list)
    seekers: list[dict[str, Any]] = field(default_factory=list)
    surplus: list[dict[str, Any]] = field(default_factory=list)
    agencies: list[dict[str, Any]] = field(default_factory=list)

    def batches(self) -> list[tuple[str, list[SourceRow]]]:
        """Import batches in dependency order."""
        return [(kind, [SourceRow(n, None, row) for n, row in enumerate(getattr(self, kind), 1)])
                for kind in ("enterprises", "vacancies", "seekers", "surplus")]


@dataclass(frozen=True)
class SeedResult:
    """Whether the demo was written, and how many rows of each kind."""

    seeded: bool
    counts: dict[str, int]
    message: str


@dataclass(frozen=True)
class _Ent:
    external_id: str
    name: str
    name_en: str
    sector: cat.Sector
    district: District
    tier: KeyTier


def plan(size: int) -> dict[str, int]:
    """Row counts for ``size`` vacancies: enterprises grow in proportion, people more slowly."""
    scale = math.sqrt(size / DEFAULT_SIZE)
    return {"enterprises": max(48, round(size / 6)), "stopped": max(8, round(8 * scale)),
            "vacancies": size, "seekers": max(30, round(300 * scale)),
            "surplus": max(24, round(40 * scale))}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _district(rng: random.Random) -> District:
    return rng.choices(DISTRICTS, cum_weights=_CUM)[0]


def _name(rng: random.Random) -> str:
    return rng.choice(cat.SURNAMES) + rng.choice(cat.GIVEN)


def _lang(rng: random.Random, zh: int, mixed: int, en: int) -> str:
    return rng.choices(("zh", "mixed", "en"), (zh, mixed, en))[0]


def _tier(rng: random.Random, sector: cat.Sector, guaranteed: bool) -> KeyTier:
    if sector is cat.MEDICAL:
        return rng.choice((KeyTier.KEY, KeyTier.PRIORITY))
    if sector in cat.KEY_SECTORS:
        if guaranteed:
            return KeyTier.KEY
        return rng.choices((KeyTier.KEY, KeyTier.INCLUSIVE, KeyTier.NONE), (4, 3, 3))[0]
    if sector is cat.SERVICES:
        return rng.choices((KeyTier.INCLUSIVE, KeyTier.NONE), (15, 85))[0]
    return KeyTier.NONE


def _enterprises(rng: random.Random, counts: dict[str, int], today: date,
                 data: DemoData) -> list[_Ent]:
    stopped = list(cat.STOPPED)
    sectors = list(cat.KEY_SECTORS) * 3 + rng.choices(
        cat.HIRING_SECTORS, (12, 25, 23, 40), k=counts["enterprises"] - 9)
    sectors += stopped + rng.choices(stopped, k=counts["stopped"] - len(stopped))
    names: set[str] = set()
    out = []
    for i, sector in enumerate(sectors):
        district = DISTRICTS[i % 16] if i < 32 else _district(rng)
        brand, brand_en = rng.choice(cat.BRANDS)
        name = f"北京{district.name.removesuffix('区')}{brand}{rng.choice(sector.words)}有限公司"
        name_en = f"Beijing {brand_en} {sector.word_en} Co., Ltd."
        if rng.random() < 0.1:
            name = name_en
        base, k = name, 1
        while name in names:
            k += 1
            name = f"{base}（{k}）"
        names.add(name)
        lat, lon = scatter(district, rng)
        tier = _tier(rng, sector, i < 9)
        ent = _Ent(f"E{i + 1:06d}", name, name_en, sector, district, tier)
        out.append(ent)
        large = sector in (cat.MEDICAL, cat.LOGISTICS)
        data.enterprises.append({
            "external_id": ent.external_id, "name": name,
            "credit_code": make_credit_code(district.code, i + 1), "district": district.name,
            "latitude": lat, "longitude": lon, "industry": sector.industry,
            "size_class": rng.choices(("micro", "small", "medium", "large"),
                                      (10, 35, 35, 20) if large else (20, 45, 25, 10))[0],
            "key_tier": tier.value, "city": "北京市",
            "key_tier_set_on": _iso(today - timedelta(days=rng.randint(20, 120)))
            if tier != KeyTier.NONE else None,
        })
    return out


def _vacancy(rng: random.Random, n: int, ent: _Ent, today: date) -> dict[str, Any]:
    key = ent.sector in cat.KEY_SECTORS and ent.tier != KeyTier.NONE
    generic = ("customer_service", "cleaner", "guard", "disinfector")
    occ = cat.OCCUPATIONS[rng.choice(ent.sector.jobs if rng.random() < 0.85 else generic)]
    lang = _lang(rng, 50, 35, 15)
    shift_zh, shift_en = rng.choice(cat.SHIFTS)
    (b1, b1_en), (b2, b2_en) = rng.sample(cat.BENEFITS, 2)
    headcount = rng.choice((1, 1, 2, 3, 5, 10, 20) if key else (1, 1, 1, 2, 3))
    req = list(occ.required)
    pref = [s for s in occ.preferred if rng.random() < 0.7]
    req_en = [cat.skill_en(s) for s in req]
    if lang == "en":
        req, pref = req_en, [cat.skill_en(s) for s in pref]
    title = {"zh": occ.title_zh, "mixed": f"{occ.title_zh} / {occ.title_en}",
             "en": occ.title_en}[lang]
    desc = {
        "zh": f"{ent.name}招聘{occ.title_zh}{headcount}名：{occ.duty_zh}。{shift_zh}，{b1}，{b2}。"
              f"要求：{'、'.join(req)}。",
        "mixed": f"{ent.name}招聘{occ.title_zh}（{occ.title_en}）{headcount}名。{occ.duty_zh}。"
                 f"Requirements: {', '.join(req_en)}. {shift_zh}，{b1}。",
        "en": f"{ent.name_en} is hiring {headcount} x {occ.title_en}: {occ.duty_en}. "
              f"{shift_en.capitalize()}; {b1_en}; {b2_en}. Requirements: {', '.join(req_en)}.",
    }[lang]
    low = int(round(occ.wage[0] * rng.uniform(0.9, 1.1), -2))
    high = max(low, int(round(occ.wage[1] * rng.uniform(0.9, 1.1), -2)))
    paid = rng.random() < 0.9  # else "negotiable": no wage given
    etype = rng.choices(list(EmploymentType), (65, 25, 10))[0]
    borrowed = etype == EmploymentType.SHARED or (
        key and etype == EmploymentType.SHORT_TERM and rng.random() < 0.4)
    start = today + timedelta(days=rng.randint(0, 14))
    roaming = occ.key in ("courier", "rider")
    if rng.random() < (0.5 if roaming else 0.08):
        district, lat, lon = None, None, None  # anywhere in the city
    else:
        here = ent.district if rng.random() < 0.85 else _district(rng)
        district, (lat, lon) = here.name, scatter(here, rng)
    weights = (30, 45, 25) if key else (75, 20, 5)
    return {
        "external_id": f"V{n:07d}", "enterprise_external_id": ent.external_id, "title": title,
        "description": desc, "required_skills": req, "preferred_skills": pref,
        "district": district, "latitude": lat, "longitude": lon, "headcount": headcount,
        "employment_type": etype.value, "wage_min": low if paid else None,
        "wage_max": high if paid else None, "shift": shift_en if lang == "en" else shift_zh,
        "start_date": _iso(start) if rng.random() < 0.7 else None,
        "urgency": rng.choices(list(Urgency), weights)[0].value, "status": "open",
        "accepts_borrowed": borrowed,
        "borrow_from": _iso(start) if borrowed else None,
        "borrow_to": _iso(start + timedelta(days=rng.randint(30, 90))) if borrowed else None,
    }


def _experience(rng: random.Random, cat_key: str, occ: cat.Occupation, lang: str, age: int,
                grad_year: int | None, province: str | None) -> str:
    major, major_en = rng.choice(cat.MAJORS)
    years = 1 if cat_key == "graduate" else rng.randint(1, max(1, age - 20))
    zh, en = (t.format(grad_year=grad_year, major=major, major_en=major_en, age=age,
                       title_zh=occ.title_zh, title_en=occ.title_en, years=years,
                       province=province) for t in cat.EXPERIENCE[cat_key])
    return {"zh": zh, "en": en, "mixed": f"{zh} {en}"}[lang]


def _seeker(rng: random.Random, n: int, today: date, used: set[str]) -> dict[str, Any]:
    cat_key = rng.choices(list(cat.POOLS), (30, 35, 25, 10))[0]
    categories = [cat_key]
    if cat_key != "graduate" and rng.random() < 0.3:
        categories.append("registered_unemployed")
    age = rng.randint(*cat.AGES[cat_key])
    home = _district(rng)
    province, region = None, home.code
    if cat_key == "migrant_worker":
        province, region = rng.choice(cat.PROVINCES)
    male = rng.random() < 0.5
    id_number = ""
    while not id_number or id_number in used:
        birth = date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
        id_number = make_id_number(region, birth, rng.randrange(500), male)
    used.add(id_number)
    lang = _lang(rng, 70, 20, 10)
    wanted = [cat.OCCUPATIONS[k] for k in rng.sample(cat.POOLS[cat_key], rng.randint(1, 2))]
    skills = list(dict.fromkeys(s for o in wanted for s in o.required if rng.random() < 0.8))
    extra = rng.choice(cat.COMMON_SKILLS)
    if rng.random() < 0.6 and extra not in skills:
        skills.append(extra)
    grad_year = today.year - rng.randint(0, 1) if cat_key == "graduate" else None
    located = rng.random() < 0.95
    lat, lon = scatter(home, rng) if located else (None, None)
    return {
        "external_id": f"S{n:07d}", "name": _name(rng), "id_number": id_number,
        "phone": f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
        "desired_positions": [o.title_en if lang == "en" else o.title_zh for o in wanted],
        "skills": [cat.skill_en(s) for s in skills] if lang == "en" else skills,
        "experience": _experience(rng, cat_key, wanted[0], lang, age, grad_year, province),
        "district": home.name if located else None, "latitude": lat, "longitude": lon,
        "travel_km": rng.choice((None, 3, 5, 8, 10, 10, 15, 20, 30)), "categories": categories,
        "available_from": _iso(today + timedelta(days=rng.randint(-10, 20)))
        if rng.random() < 0.7 else None,
        "graduation_year": grad_year, "origin_province": province,
        "consent_matching": rng.random() < 0.97,
    }


def _surplus(rng: random.Random, n: int, ent: _Ent, today: date) -> dict[str, Any]:
    role = rng.choice(cat.STOPPED[ent.sector])
    years = rng.randint(1, 12)
    english = rng.random() < 0.15
    home = ent.district if rng.random() < 0.7 else _district(rng)
    lat, lon = scatter(home, rng)
    start = today + timedelta(days=rng.randint(0, 7))
    experience = (f"{years} years as {role.title_en} at {ent.name_en}; idle since it closed."
                  if english else f"在{ent.name}担任{role.title_zh}{years}年，停业待岗。")
    return {
        "external_id": f"P{n:07d}", "enterprise_external_id": ent.external_id,
        "name": _name(rng), "experience": experience,
        "skills": [cat.skill_en(s) for s in role.skills] if english else list(role.skills),
        "district": home.name, "latitude": lat, "longitude": lon, "available_from": _iso(start),
        "available_to": _iso(start + timedelta(days=rng.randint(30, 120))),
        "consent": rng.random() < 0.85, "daily_cost": rng.randrange(150, 401, 10),
    }


def generate(seed: int = 42, size: int = DEFAULT_SIZE, today: date | None = None) -> DemoData:
    """The demo rows for ``seed`` and ``size`` vacancies, dated relative to ``today``."""
    today = today or date.today()
    counts, data = plan(size), DemoData()
    ents = _enterprises(random.Random(f"{seed}:enterprises"), counts, today, data)
    hiring = [e for e in ents if e.sector in cat.HIRING_SECTORS]
    stopped = [e for e in ents if e.sector in cat.STOPPED]
    rng = random.Random(f"{seed}:vacancies")
    rank = {KeyTier.NONE: 1, KeyTier.INCLUSIVE: 2, KeyTier.KEY: 4, KeyTier.PRIORITY: 6}
    cum = list(itertools.accumulate(rank[e.tier] for e in hiring))
    picks = hiring + rng.choices(hiring, cum_weights=cum, k=max(0, size - len(hiring)))
    data.vacancies = [_vacancy(rng, n, e, today) for n, e in enumerate(picks[:size], 1)]
    rng, used = random.Random(f"{seed}:seekers"), set[str]()
    data.seekers = [_seeker(rng, n, today, used) for n in range(1, counts["seekers"] + 1)]
    rng = random.Random(f"{seed}:surplus")
    lenders = stopped + rng.choices(stopped, k=max(0, counts["surplus"] - len(stopped)))
    data.surplus = [_surplus(rng, n, e, today) for n, e in enumerate(lenders, 1)]
    data.agencies = [{"external_id": ext, "name": name, "district": d.name, "license_no": lic,
                      "credit_code": make_credit_code(d.code, 900_001 + i)}
                     for i, (ext, name, d, lic) in enumerate(cat.AGENCIES)]
    return data


def is_empty(session: Session) -> bool:
    """True when no enterprise, agency, vacancy or person is stored."""
    models: tuple[Any, ...] = (Enterprise, HRAgency, Vacancy, JobSeeker, SurplusEmployee)
    return all(session.scalar(select(func.count()).select_from(m)) == 0 for m in models)


def seed_demo(rt: Runtime, *, seed: int = 42, size: int = DEFAULT_SIZE,
              today: date | None = None, progress: bool = False,
              journeys: bool = True) -> SeedResult:
    """Fill an empty database with the demo city; do nothing on a non-empty one.

    ``journeys=False`` leaves out what the journeys add on top of the generated city
    (registrations, lending agreements, applications and hires): the city the ranking
    regression test compares orders on.
    """
    skipped = SeedResult(False, {}, "the database is not empty: demo seed skipped")
    with rt.uow() as uow:
        if not is_empty(uow.s):
            return skipped
    data = generate(seed, size, today)  # outside the transaction: it takes seconds when large
    with rt.uow() as uow:
        if not is_empty(uow.s):  # someone else seeded meanwhile
            return skipped
        summaries = import_rows(uow.s, rt.cipher, data.batches(), progress=progress)
        uow.s.execute(insert(HRAgency), data.agencies)
        counts = {s.kind: s.created for s in summaries} | {"agencies": len(data.agencies)}
        uow.s.flush()
        counts |= seed_bureau_demo(rt, uow, seed=seed, today=today)
        counts["users"] = len(create_demo_users(uow, demo_password(rt.settings),
                                                accounts=journeys))
        if journeys:
            counts |= seed_lending_demo(uow, demo_password(rt.settings), today=today)
            counts |= seed_hiring(uow, today)
            counts |= seed_graduate_demo(uow, demo_password(rt.settings), today=today)
        audit.record(uow.s, "demo", "seed", "demo", str(seed), {"size": size, **counts})
        uow.on_commit(lambda: run_index_hook(rt, [s.kind for s in summaries]))
        uow.commit()
    text = ", ".join(f"{n} {kind}" for kind, n in counts.items())
    log.info("demo city seeded (seed %s): %s", seed, text)
    return SeedResult(True, counts, f"demo city seeded (seed {seed}): {text}")
