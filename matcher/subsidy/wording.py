"""What a party still lacks, in words, from an evaluation trace.

``missing(trace)`` turns each failed check into one translatable sentence (a
:func:`~matcher.words.msg` with its values), e.g. ``Needs 1 more month of social insurance
(0 recorded, 1 required).`` (Chinese: 还需 1 个月社保……); :func:`sentence` does it for one
check. An unknown condition still gets a sentence naming it, so nothing goes unexplained.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from matcher.words import Msg, msg, word, words

Check = dict[str, Any]


def condition_name(check: Check) -> str:
    """The condition's code without its tranche prefix (``tranche[2].x`` -> ``x``)."""
    return str(check.get("condition", "")).rsplit(".", 1)[-1]


def _short(c: Check, fact: str) -> tuple[int, Any, Any]:
    need, have = c["params"].get("min", 0), c["facts"].get(fact, 0)
    return max(int(need) - int(have or 0), 0), have, need


def _insurance(c: Check) -> Msg:
    short, have, need = _short(c, "social_insurance_months")
    if short == 1:
        return msg("Needs %(short)s more month of social insurance "
                   "(%(have)s recorded, %(need)s required).", short=short, have=have, need=need)
    return msg("Needs %(short)s more months of social insurance "
               "(%(have)s recorded, %(need)s required).", short=short, have=have, need=need)


def _contract(c: Check) -> Msg:
    _short_by, have, need = _short(c, "contract_months")
    return msg("The labour contract must run at least %(need)s months "
               "(%(have)s recorded).", have=have, need=need)


def _graduation(c: Check) -> Msg:
    year = c["facts"].get("graduation_year")
    if year is None:
        return msg("No graduation year on record: add it to the profile.")
    claim = int(c["facts"].get("claim_year") or 0)
    return msg("Graduation year %(year)s is outside the years this subsidy covers "
               "(%(low)s to %(high)s).", year=year, low=claim + int(c["params"]["min"]),
               high=claim + int(c["params"]["max"]))


def _degree(c: Check) -> Msg:
    have = c["facts"].get("degree_level")
    return msg("Needs %(degree)s or above (on record: %(have)s).",
               degree=word(str(c["params"]["min"])), have=word(have) if have else word("none"))


def _size(c: Check) -> Msg:
    return msg("Only for %(sizes)s enterprises (this one is %(size)s).",
               sizes=words(c["params"]["in"], " / "),
               size=word(str(c["facts"].get("enterprise_size") or "none")))


def _categories(c: Check) -> Msg:
    return msg("The person must be registered as %(categories)s.",
               categories=words(c["params"]["any_of"], " / "))


def _claimant(c: Check) -> Msg:
    return msg("This subsidy is claimed by %(kind)s, not by %(you)s.",
               kind=word(str(c["params"].get("claimant", ""))),
               you=word(str(c["facts"].get("claimant_kind", ""))))


PHRASES: dict[str, Callable[[Check], Msg]] = {
    "social_insurance_months_min": _insurance,
    "contract_months_min": _contract,
    "graduation_year_offset": _graduation,
    "degree_level_min": _degree,
    "enterprise_size_in": _size,
    "seeker_category_in": _categories,
    "claimant_kind": _claimant,
    "leading_industrial": lambda c: msg(
        "The employer must be one of the city's leading industrial enterprises."),
    "key_tier_min": lambda c: msg("The employer must be a key enterprise (%(tier)s or above).",
                                  tier=word(str(c["params"]["min"]))),
    "rule_in_effect": lambda c: msg("The subsidy is not in force on this date."),
    "tranche_exists": lambda c: msg("This subsidy has no instalment %(n)s.",
                                    n=c["facts"].get("tranche")),
    "claimant_is_party": lambda c: msg("The claimant is not a party of this hire."),
    "agency_not_charged": lambda c: msg("The agency charged the worker a fee."),
    "enterprise_in_city": lambda c: msg("The employer is not in %(city)s.",
                                        city=c["params"].get("city", "")),
}


def sentence(check: Check) -> Msg:
    """What one failed check means, in one sentence."""
    name = condition_name(check)
    say = PHRASES.get(name)
    return say(check) if say else msg("A condition is not met: %(name)s.", name=name)


def missing(trace: dict[str, Any]) -> list[Msg]:
    """One sentence per failed check of ``trace`` (empty when eligible)."""
    return [sentence(c) for c in trace.get("checks", []) if not c.get("passed")]
