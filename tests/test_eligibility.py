"""Eligibility: each condition passes and fails with the facts in the trace; tranches;
a rule whose amount changes on a date (old claims keep their amount and version)."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from builders.subsidy import committing, placed_world

from matcher.enums import ClaimantKind
from matcher.runtime import Runtime
from matcher.subsidy.actors import Actor
from matcher.subsidy.claims import ClaimRequest, approve_claim, submit_claim
from matcher.subsidy.evaluate import Claimant, PlacementFacts, evaluate
from matcher.subsidy.ledger import pay_claim
from matcher.subsidy.rules import Rule, parse_rules

ON = date(2024, 5, 1)
FACTS = PlacementFacts(
    placement_id=1, seeker_id=2, vacancy_id=3, enterprise_id=4, agency_id=5,
    hired_on=date(2024, 3, 1), contract_start=date(2024, 3, 1), contract_months=24,
    social_insurance_months=6, agency_charged_worker=False, seeker_categories=("graduate",),
    graduation_year=2024, enterprise_size="small", enterprise_key_tier="key",
    enterprise_city="北京市",
)
AGENCY = Claimant(ClaimantKind.AGENCY, 5)


def rule_with(conditions: dict[str, Any], **extra: Any) -> Rule:
    raw = {"code": "rr", "version": 1, "name": "rr", "claimant": "agency",
           "conditions": conditions,
           "values": [{"from": date(2024, 1, 1), "amount_yuan": 311}], **extra}
    return parse_rules({"format": 1, "city": "北京市", "rules": [raw]}).rules["rr"]


@pytest.mark.parametrize(("condition", "param", "good", "bad"), [
    ("seeker_category_in", ["graduate", "registered_unemployed"],
     {"seeker_categories": ("migrant_worker", "registered_unemployed")},
     {"seeker_categories": ("migrant_worker",)}),
    ("contract_months_min", 12, {"contract_months": 12}, {"contract_months": 11}),
    ("social_insurance_months_min", 1, {"social_insurance_months": 1},
     {"social_insurance_months": 0}),
    ("enterprise_size_in", ["micro", "small"], {"enterprise_size": "micro"},
     {"enterprise_size": "medium"}),
    ("key_tier_min", "key", {"enterprise_key_tier": "priority"},
     {"enterprise_key_tier": "inclusive"}),
    ("graduation_year_offset", {"min": -1, "max": 0}, {"graduation_year": 2023},
     {"graduation_year": 2022}),
    ("graduation_year_offset", {"min": 0, "max": 0}, {"graduation_year": 2024},
     {"graduation_year": None}),
    ("agency_not_charged", True, {"agency_charged_worker": False},
     {"agency_charged_worker": True}),
    ("enterprise_in_city", True, {"enterprise_city": "北京"}, {"enterprise_city": "天津市"}),
])
def test_each_condition_passes_and_fails_with_its_facts(
        condition: str, param: Any, good: dict[str, Any], bad: dict[str, Any]) -> None:
    rule = rule_with({condition: param})
    ok = evaluate(AGENCY, replace(FACTS, **good), rule, ON)
    assert ok.eligible and ok.amount_fen == 311_00
    check = next(c for c in ok.checks if c.condition == condition)
    assert check.passed
    assert set(check.facts) & set(good) or condition == "seeker_category_in"
    ko = evaluate(AGENCY, replace(FACTS, **bad), rule, ON)
    assert not ko.eligible and ko.amount_fen == 0
    assert [c.condition for c in ko.failed] == [condition]
    failed = ko.failed[0]
    assert failed.params  # the parameter value used is in the trace
    trace = json.loads(json.dumps(ko.trace()))
    entry = next(c for c in trace["checks"] if c["condition"] == condition)
    assert entry["passed"] is False and entry["facts"] == failed.facts


def test_trace_lists_every_check_with_facts_and_parameters() -> None:
    rule = rule_with({"contract_months_min": 12, "agency_not_charged": True})
    trace = evaluate(AGENCY, FACTS, rule, ON).trace()
    assert [c["condition"] for c in trace["checks"]] == [
        "claimant_kind", "claimant_is_party", "rule_in_effect", "tranche_exists",
        "contract_months_min", "agency_not_charged"]
    assert trace["checks"][4]["facts"] == {"contract_months": 24}
    assert trace["checks"][4]["params"] == {"min": 12}
    assert trace["rule"] == {"code": "rr", "version": 1, "checksum": rule.checksum}
    assert trace["values"]["amount_fen"] == 311_00 and trace["on_date"] == "2024-05-01"
    assert all(c["passed"] for c in trace["checks"]) and trace["eligible"] is True


def test_claimant_must_be_the_kind_and_the_party_and_the_rule_in_force() -> None:
    rule = rule_with({})
    wrong_kind = evaluate(Claimant(ClaimantKind.ENTERPRISE, 4), FACTS, rule, ON)
    assert [c.condition for c in wrong_kind.failed] == ["claimant_kind"]
    other_agency = evaluate(Claimant(ClaimantKind.AGENCY, 99), FACTS, rule, ON)
    assert [c.condition for c in other_agency.failed] == ["claimant_is_party"]
    unattributed = evaluate(AGENCY, replace(FACTS, agency_id=None), rule, ON)
    assert [c.condition for c in unattributed.failed] == ["claimant_is_party"]
    too_early = evaluate(AGENCY, FACTS, rule, date(2023, 12, 31))
    assert [c.condition for c in too_early.failed] == ["rule_in_effect"]
    assert too_early.amount_fen == 0 and too_early.values is None
    no_tranche = evaluate(AGENCY, FACTS, rule, ON, tranche=2)
    assert [c.condition for c in no_tranche.failed] == ["tranche_exists"]


def test_tranches_pay_halves_after_one_and_six_months() -> None:
    rule = rule_with({}, tranches=[
        {"percent": 50, "conditions": {"social_insurance_months_min": 1}},
        {"percent": 50, "conditions": {"social_insurance_months_min": 6}}],
        values=[{"from": date(2024, 1, 1), "amount_yuan": 1000.01}])
    three = replace(FACTS, social_insurance_months=3)
    first, second = (evaluate(AGENCY, three, rule, ON, tranche=n) for n in (1, 2))
    assert first.eligible and first.amount_fen == 500_00
    assert not second.eligible
    assert [c.condition for c in second.failed] == ["tranche[2].social_insurance_months_min"]
    six = replace(FACTS, social_insurance_months=6)
    amounts = [evaluate(AGENCY, six, rule, ON, tranche=n).amount_fen for n in (1, 2)]
    assert amounts == [500_00, 500_01]  # the last tranche takes the rounding remainder
    none = evaluate(AGENCY, replace(FACTS, social_insurance_months=0), rule, ON, tranche=1)
    assert not none.eligible


RULES_V1: dict[str, Any] = {"format": 1, "city": "北京市", "rules": [
    {"code": "intro", "version": 1, "name": "intro", "claimant": "agency",
     "conditions": {"contract_months_min": 12},
     "values": [{"from": date(2024, 1, 1), "amount_yuan": 311}]}]}


def test_amount_change_on_a_date_leaves_past_claims_alone(rt: Runtime) -> None:
    world = placed_world(rt, 3)
    staff = Actor.agency("staff", world.agency_id)
    claimant = Claimant(ClaimantKind.AGENCY, world.agency_id)
    v1 = parse_rules(copy.deepcopy(RULES_V1))
    v2_raw = copy.deepcopy(RULES_V1)
    v2_raw["rules"][0]["version"] = 2
    v2_raw["rules"][0]["values"].append({"from": date(2024, 7, 1), "amount_yuan": 400})
    v2 = parse_rules(v2_raw)

    def submit(rules: Any, placement: int, on: date) -> Any:
        with committing(rt) as uow:
            return submit_claim(uow, rules, ClaimRequest(claimant, placement, "intro"),
                                idempotency_key=f"k-{placement}", actor=staff, on_date=on).claim

    old = submit(v1, world.placement_ids[0], date(2024, 6, 30))
    before = submit(v2, world.placement_ids[1], date(2024, 6, 30))
    after = submit(v2, world.placement_ids[2], date(2024, 7, 1))
    assert (old.amount_fen, old.rule_version) == (311_00, 1)
    assert (before.amount_fen, before.rule_version) == (311_00, 2)
    assert (after.amount_fen, after.rule_version) == (400_00, 2)
    assert after.trace["values"]["from"] == "2024-07-01"
    assert before.trace["values"]["until"] == "2024-06-30"

    admin = Actor.admin("admin")
    with committing(rt) as uow:
        approve_claim(uow, old.id, actor=admin)
    with committing(rt) as uow:
        entry = pay_claim(uow, old.id, actor=admin, booked_on=date(2024, 8, 1))
    assert entry.amount_fen == 311_00
    with committing(rt) as uow:
        from matcher.subsidy.claims import get_claim

        again = get_claim(uow, old.id, actor=admin)
    assert (again.amount_fen, again.rule_version, again.trace) == (311_00, 1, old.trace)
