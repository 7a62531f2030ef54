"""Eligibility: apply one rule to one placement on one date, with a trace of every check.

:func:`evaluate` is pure (no database): the facts come in as a :class:`PlacementFacts`
(see :func:`matcher.subsidy.placements.load_facts`). The trace lists each condition with
the facts and parameter values it used, so an auditor can redo the decision by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from matcher.enums import ClaimantKind, KeyTier
from matcher.subsidy.rule_fields import DEGREE_LEVELS
from matcher.subsidy.rules import Rule


@dataclass(frozen=True)
class Claimant:
    """Who claims: an agency, an enterprise or a person, by id."""

    kind: ClaimantKind
    id: int


@dataclass(frozen=True)
class PlacementFacts:
    """Everything rules may look at about one placement, its person and its enterprise."""

    placement_id: int
    seeker_id: int
    vacancy_id: int
    enterprise_id: int
    agency_id: int | None
    hired_on: date
    contract_start: date
    contract_months: int
    social_insurance_months: int
    agency_charged_worker: bool
    seeker_categories: tuple[str, ...] = ()
    graduation_year: int | None = None
    enterprise_size: str = "small"
    enterprise_key_tier: str = "none"
    enterprise_city: str = ""
    degree_level: str | None = None
    enterprise_leading_industrial: bool = False


@dataclass(frozen=True)
class Check:
    """One condition: passed or not, the facts and parameters used, and why."""

    condition: str
    passed: bool
    facts: dict[str, Any]
    params: dict[str, Any]
    reason: str

    def as_dict(self) -> dict[str, Any]:
        """JSON form for the trace."""
        return {"condition": self.condition, "passed": self.passed, "facts": self.facts,
                "params": self.params, "reason": self.reason}


@dataclass(frozen=True)
class Evaluation:
    """The decision: eligible or not, the amount (fen, 0 when not eligible), and the trace."""

    eligible: bool
    amount_fen: int
    rule_code: str
    rule_version: int
    rule_checksum: str
    tranche: int
    on_date: date
    claimant: Claimant
    placement_id: int
    values: dict[str, Any] | None
    checks: tuple[Check, ...] = field(default_factory=tuple)

    @property
    def failed(self) -> list[Check]:
        """The checks that did not pass."""
        return [c for c in self.checks if not c.passed]

    def trace(self) -> dict[str, Any]:
        """The JSON trace stored with a claim."""
        return {
            "rule": {"code": self.rule_code, "version": self.rule_version,
                     "checksum": self.rule_checksum},
            "claimant": {"kind": self.claimant.kind.value, "id": self.claimant.id},
            "placement_id": self.placement_id, "on_date": self.on_date.isoformat(),
            "tranche": self.tranche, "values": self.values, "eligible": self.eligible,
            "amount_fen": self.amount_fen, "checks": [c.as_dict() for c in self.checks],
        }


def evaluate(claimant: Claimant, placement: PlacementFacts, rule: Rule, on_date: date,
             tranche: int = 1) -> Evaluation:
    """Apply ``rule`` (tranche ``tranche``) to ``placement`` for ``claimant`` on ``on_date``."""
    checks = [_claimant_kind(claimant, rule), _claimant_is_party(claimant, placement)]
    period = rule.value_on(on_date)
    checks.append(Check(
        "rule_in_effect", period is not None, {"on_date": on_date.isoformat()},
        {"periods": [v.as_dict() for v in rule.values]},
        "a value of the rule is in force on the claim date" if period else
        "no value of the rule is in force on the claim date",
    ))
    step = rule.tranche(tranche)
    checks.append(Check(
        "tranche_exists", step is not None, {"tranche": tranche},
        {"tranches": len(rule.tranches)},
        f"tranche {tranche} of {len(rule.tranches)}",
    ))
    for name, param in rule.conditions.items():
        checks.append(CONDITIONS[name](name, placement, param, on_date, rule.city))
    if step is not None:
        for name, param in step.conditions.items():
            checks.append(CONDITIONS[name](f"tranche[{tranche}].{name}", placement, param,
                                           on_date, rule.city))
    eligible = all(c.passed for c in checks)
    values: dict[str, Any] | None = None
    amount = 0
    if period is not None and step is not None:
        due = rule.tranche_amount(period.amount_fen, tranche)
        values = {**period.as_dict(), "tranche_percent": step.percent, "tranche_amount_fen": due}
        amount = due if eligible else 0
    return Evaluation(eligible=eligible, amount_fen=amount, rule_code=rule.code,
                      rule_version=rule.version, rule_checksum=rule.checksum, tranche=tranche,
                      on_date=on_date, claimant=claimant, placement_id=placement.placement_id,
                      values=values, checks=tuple(checks))


def _claimant_kind(claimant: Claimant, rule: Rule) -> Check:
    ok = claimant.kind == rule.claimant
    return Check("claimant_kind", ok, {"claimant_kind": claimant.kind.value},
                 {"claimant": rule.claimant.value},
                 f"the rule is claimed by {rule.claimant.value}, not {claimant.kind.value}"
                 if not ok else f"claimed by {rule.claimant.value}")


def _claimant_is_party(claimant: Claimant, p: PlacementFacts) -> Check:
    party = {ClaimantKind.AGENCY: ("agency_id", p.agency_id),
             ClaimantKind.ENTERPRISE: ("enterprise_id", p.enterprise_id),
             ClaimantKind.PERSON: ("seeker_id", p.seeker_id)}[claimant.kind]
    ok = party[1] == claimant.id
    return Check("claimant_is_party", ok, {party[0]: party[1]}, {"claimant_id": claimant.id},
                 f"the placement's {party[0]} is the claimant" if ok else
                 f"the placement's {party[0]} ({party[1]}) is not the claimant ({claimant.id})")


Condition = Callable[[str, PlacementFacts, Any, date, str], Check]


def _minimum(fact: str) -> Condition:
    def check(name: str, p: PlacementFacts, param: Any, _d: date, _c: str) -> Check:
        value = getattr(p, fact)
        ok = value >= param
        return Check(name, ok, {fact: value}, {"min": param},
                     f"{fact} {value} {'>=' if ok else '<'} {param}")
    return check


def _member(fact: str) -> Condition:
    def check(name: str, p: PlacementFacts, param: Any, _d: date, _c: str) -> Check:
        value = getattr(p, fact)
        ok = value in param
        return Check(name, ok, {fact: value}, {"in": list(param)},
                     f"{fact} {value!r} {'in' if ok else 'not in'} {list(param)}")
    return check


def _categories(name: str, p: PlacementFacts, param: Any, _d: date, _c: str) -> Check:
    hit = sorted(set(p.seeker_categories) & set(param))
    return Check(name, bool(hit), {"seeker_categories": list(p.seeker_categories)},
                 {"any_of": list(param)},
                 f"matches {hit}" if hit else "no listed category applies to the person")


def _key_tier(name: str, p: PlacementFacts, param: Any, _d: date, _c: str) -> Check:
    have, need = KeyTier(p.enterprise_key_tier), KeyTier(param)
    ok = have.rank >= need.rank
    return Check(name, ok, {"enterprise_key_tier": have.value}, {"min": need.value},
                 f"key tier {have.value} {'is' if ok else 'is not'} at least {need.value}")


def _graduation(name: str, p: PlacementFacts, param: Any, on_date: date, _c: str) -> Check:
    facts = {"graduation_year": p.graduation_year, "claim_year": on_date.year}
    if p.graduation_year is None:
        return Check(name, False, facts, dict(param), "no graduation year on record")
    offset = p.graduation_year - on_date.year
    ok = param["min"] <= offset <= param["max"]
    return Check(name, ok, {**facts, "offset": offset}, dict(param),
                 f"graduation year - claim year = {offset}, allowed {param['min']}..{param['max']}")


def _not_charged(name: str, p: PlacementFacts, _param: Any, _d: date, _c: str) -> Check:
    ok = not p.agency_charged_worker
    return Check(name, ok, {"agency_charged_worker": p.agency_charged_worker}, {"required": True},
                 "the worker was not charged" if ok else "the agency charged the worker a fee")


def _in_city(name: str, p: PlacementFacts, _param: Any, _d: date, city: str) -> Check:
    ok = _city_key(p.enterprise_city) == _city_key(city)
    return Check(name, ok, {"enterprise_city": p.enterprise_city}, {"city": city},
                 f"the enterprise is {'in' if ok else 'not in'} {city}")


def _degree(name: str, p: PlacementFacts, param: Any, _d: date, _c: str) -> Check:
    have = p.degree_level
    ok = have in DEGREE_LEVELS and DEGREE_LEVELS.index(have) >= DEGREE_LEVELS.index(param)
    return Check(name, ok, {"degree_level": have}, {"min": param},
                 f"degree {have or 'not on record'} {'is' if ok else 'is not'} "
                 f"{param} or above")


def _leading(name: str, p: PlacementFacts, _param: Any, _d: date, _c: str) -> Check:
    ok = p.enterprise_leading_industrial
    return Check(name, ok, {"enterprise_leading_industrial": ok}, {"required": True},
                 "the employer is a leading industrial enterprise" if ok else
                 "the employer is not one of the city's leading industrial enterprises")


def _city_key(city: str) -> str:
    return city.strip().removesuffix("市").casefold()


CONDITIONS: dict[str, Condition] = {
    "seeker_category_in": _categories,
    "contract_months_min": _minimum("contract_months"),
    "social_insurance_months_min": _minimum("social_insurance_months"),
    "enterprise_size_in": _member("enterprise_size"),
    "key_tier_min": _key_tier,
    "graduation_year_offset": _graduation,
    "agency_not_charged": _not_charged,
    "enterprise_in_city": _in_city,
    "degree_level_min": _degree,
    "leading_industrial": _leading,
}
