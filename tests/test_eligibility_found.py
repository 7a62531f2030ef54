"""Eligibility found, not asked for: one action evaluates every rule for every party of a
placement after each trigger (hire, social insurance, category change, rule change), stores
it with its trace, tells a newly qualifying party once, and says what is missing."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from builders.claimants import ADMIN, Hired, hire_graduate, record_insurance
from builders.subsidy import committing
from sqlalchemy import func, select

from matcher.config import PACKAGE_DATA
from matcher.enums import Role
from matcher.errors import NotFound
from matcher.models import Notification
from matcher.models.subsidy import SubsidyEligibility
from matcher.principal import Principal
from matcher.runtime import Runtime
from matcher.seekers import actions as seeker_actions
from matcher.subsidy import actions as subsidy_actions
from matcher.subsidy import claimant_actions as actions
from matcher.subsidy import claimant_queries as queries
from matcher.subsidy.rules import parse_rules

HIRING, EMPLOYMENT, JOB_SEEKING = ("small_micro_graduate_hiring",
                                   "small_micro_graduate_employment", "graduate_job_seeking")


def results(rt: Runtime, who: Principal) -> dict[str, dict[str, Any]]:
    with rt.uow() as uow:
        return {r["rule_code"]: r for r in queries.own_eligibility(uow, who)}


def told(rt: Runtime, role: str, owner: int) -> list[str]:
    with rt.uow() as uow:
        return list(uow.s.scalars(select(Notification.body).where(
            Notification.kind == "subsidy.eligible", Notification.role == role,
            Notification.owner_id == owner)))


def test_hire_stores_every_rule_for_every_party_with_what_is_missing(rt: Runtime) -> None:
    h = hire_graduate(rt)
    ent, person = results(rt, h.enterprise), results(rt, h.person)
    assert set(ent) == {HIRING}
    assert set(person) == {EMPLOYMENT, JOB_SEEKING}
    assert not ent[HIRING]["eligible"] and ent[HIRING]["amount_yuan"] == 0
    assert ent[HIRING]["potential_amount_yuan"] == 2111
    assert ent[HIRING]["missing"] == [
        "Needs 1 more month of social insurance (0 recorded, 1 required)."]
    assert ent[HIRING]["missing"][0].params == {"short": 1, "have": 0, "need": 1}
    assert any("leading industrial" in m for m in person[JOB_SEEKING]["missing"])
    assert ent[HIRING]["trace"]["checks"]  # the whole trace is kept
    assert told(rt, "enterprise", h.enterprise_id) == []


def test_social_insurance_makes_both_eligible_and_tells_each_once(rt: Runtime) -> None:
    h = hire_graduate(rt)
    record_insurance(rt, h.placement_id, 1)
    ent, person = results(rt, h.enterprise), results(rt, h.person)
    assert (ent[HIRING]["eligible"], ent[HIRING]["amount_yuan"]) == (True, 2111)
    assert (person[EMPLOYMENT]["eligible"], person[EMPLOYMENT]["amount_yuan"]) == (True, 2111)
    assert not person[JOB_SEEKING]["eligible"]  # a small enterprise is not a leading one
    record_insurance(rt, h.placement_id, 2)  # re-evaluated: no second message
    with committing(rt) as uow:
        actions.evaluate_eligibility(uow, h.person, h.placement_id)
    [body] = told(rt, "enterprise", h.enterprise_id)
    assert f"/enterprise/claims?placement_id={h.placement_id}&rule_code={HIRING}" in body
    assert len(told(rt, "seeker", h.seeker_id)) == 1
    with rt.uow() as uow:
        rows = uow.s.scalar(select(func.count()).select_from(SubsidyEligibility).where(
            SubsidyEligibility.placement_id == h.placement_id))
    assert rows == 3  # updated in place, one row per placement, rule, tranche and party


def test_enterprise_category_change_by_the_bureau(rt: Runtime) -> None:
    h = hire_graduate(rt)
    record_insurance(rt, h.placement_id)
    with committing(rt) as uow:
        actions.set_enterprise_category(uow, ADMIN, h.enterprise_id, is_leading_industrial=True)
    person = results(rt, h.person)
    assert (person[JOB_SEEKING]["eligible"], person[JOB_SEEKING]["amount_yuan"]) == (True, 1111)
    with committing(rt) as uow:
        actions.set_enterprise_category(uow, ADMIN, h.enterprise_id, size_class="medium")
    ent = results(rt, h.enterprise)
    assert not ent[HIRING]["eligible"]
    assert ent[HIRING]["missing"] == [
        "Only for micro / small enterprises (this one is medium)."]


def test_seeker_category_change_re_evaluates(rt: Runtime) -> None:
    h = hire_graduate(rt, leading=True)
    record_insurance(rt, h.placement_id)
    assert results(rt, h.person)[JOB_SEEKING]["eligible"]
    with committing(rt) as uow:
        seeker_actions.update_profile(uow, h.person, seeker_actions.ProfileChanges(
            {"degree_level": "associate"}))
    after = results(rt, h.person)[JOB_SEEKING]
    assert not after["eligible"]
    assert after["missing"] == ["Needs bachelor or above (on record: associate)."]


def test_rule_change_re_evaluates_every_placement(rt: Runtime) -> None:
    h = hire_graduate(rt)
    record_insurance(rt, h.placement_id)
    data = yaml.safe_load((PACKAGE_DATA / "subsidy_rules.yaml").read_text(encoding="utf-8"))
    changed = copy.deepcopy(data)
    rule = next(r for r in changed["rules"] if r["code"] == HIRING)
    rule["version"] += 1
    rule["values"][-1]["amount_yuan"] = 2500
    rule["values"][-1]["caps"]["per_person_yuan"] = 2500
    with committing(rt) as uow:
        recorded = subsidy_actions.record_rules(uow, Principal.system("test"),
                                                parse_rules(changed, "changed.yaml"))
    assert {r.code for r in recorded if r.newly_recorded} >= {HIRING}
    ent = results(rt, h.enterprise)[HIRING]
    assert (ent["eligible"], ent["amount_yuan"]) == (True, 2500)
    assert ent["trace"]["rule"]["version"] == rule["version"]


def test_only_a_party_may_evaluate_and_read(rt: Runtime) -> None:
    h: Hired = hire_graduate(rt)
    other = hire_graduate(rt, n=1)
    with committing(rt) as uow, pytest.raises(NotFound):
        actions.evaluate_eligibility(uow, other.enterprise, h.placement_id)
    assert results(rt, other.person).keys() == {EMPLOYMENT, JOB_SEEKING}
    assert {r["placement_id"] for r in results(rt, other.person).values()} == {
        other.placement_id}
    assert Role.SEEKER in actions.evaluate_eligibility.declared.roles  # type: ignore[attr-defined]
