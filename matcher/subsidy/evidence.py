"""A claim's evidence as a table a person reads: condition | required | recorded | met.

:func:`evidence` turns the trace stored with a claim or an eligibility result (see
:func:`matcher.subsidy.evaluate.Evaluation.trace`) into rows of translatable words
(:mod:`matcher.words`): the condition in words, what the rule requires, what was recorded,
and whether it is met. Money is not shown here (the page shows the amount in yuan); codes
become words. :data:`RULE_CODES` lists the shipped rules, whose codes are translated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from matcher.subsidy.wording import condition_name
from matcher.words import N_, Msg, msg, word, words

Check = dict[str, Any]
Cell = Msg | str

#: the shipped rules: each code has a name in both languages (the catalogs)
RULE_CODES = (N_("employment_introduction"), N_("key_enterprise_recruitment"),
              N_("graduate_job_seeking"), N_("small_micro_graduate_hiring"),
              N_("small_micro_graduate_employment"))
#: codes the evidence shows as words (degree levels; sizes, tiers and kinds are enums)
DEGREE_WORDS = (N_("secondary"), N_("associate"), N_("bachelor"), N_("master"), N_("doctor"))
CATEGORY_WORDS = (N_("graduate"), N_("registered_unemployed"), N_("migrant_worker"),
                  N_("employment_difficulty"))
SIZE_WORDS = (N_("micro"), N_("small"), N_("medium"), N_("large"))

CONDITIONS: dict[str, str] = {
    "claimant_kind": N_("Who may claim"),
    "claimant_is_party": N_("The claimant is a party of the hire"),
    "rule_in_effect": N_("The subsidy is in force on the claim date"),
    "tranche_exists": N_("Instalment"),
    "seeker_category_in": N_("Category of the person"),
    "contract_months_min": N_("Length of the labour contract"),
    "social_insurance_months_min": N_("Months of social insurance paid"),
    "enterprise_size_in": N_("Size of the enterprise"),
    "key_tier_min": N_("Key-enterprise tier"),
    "graduation_year_offset": N_("Graduation year"),
    "agency_not_charged": N_("No fee charged to the worker"),
    "enterprise_in_city": N_("Employer in the city"),
    "degree_level_min": N_("Degree"),
    "leading_industrial": N_("Leading industrial enterprise"),
}


@dataclass(frozen=True)
class EvidenceRow:
    """One condition: its name, what is required, what was recorded, met or not."""

    condition: Cell
    required: Cell
    recorded: Cell
    passed: bool

    @property
    def verdict(self) -> Msg:
        """Met / Not met, in words."""
        return msg("Met") if self.passed else msg("Not met")


def _months(n: Any) -> Msg:
    return msg("%(n)s month", n=n) if n == 1 else msg("%(n)s months", n=n)


def _yes(flag: Any) -> Msg:
    return msg("Yes") if flag else msg("No")


def _code(value: Any) -> Cell:
    return word(str(value)) if value not in (None, "") else msg("Not on record")


def _at_least_months(c: Check, fact: str) -> tuple[Cell, Cell]:
    need = c["params"].get("min", 0)
    return msg("At least %(months)s", months=_months(need)), _months(c["facts"].get(fact, 0))


def _graduation(c: Check) -> tuple[Cell, Cell]:
    claim = int(c["facts"].get("claim_year") or 0)
    low, high = claim + int(c["params"]["min"]), claim + int(c["params"]["max"])
    need = str(low) if low == high else msg("%(low)s to %(high)s", low=low, high=high)
    year = c["facts"].get("graduation_year")
    return need, str(year) if year is not None else msg("Not on record")


def _periods(c: Check) -> tuple[Cell, Cell]:
    starts = [p.get("from") for p in c["params"].get("periods", []) if p.get("from")]
    need = msg("From %(date)s", date=min(starts)) if starts else msg("Not on record")
    return need, str(c["facts"].get("on_date", ""))


CELLS: dict[str, Callable[[Check], tuple[Cell, Cell]]] = {
    "claimant_kind": lambda c: (_code(c["params"].get("claimant")),
                                _code(c["facts"].get("claimant_kind"))),
    "claimant_is_party": lambda c: (msg("Yes"), _yes(c.get("passed"))),
    "rule_in_effect": _periods,
    "tranche_exists": lambda c: (msg("%(n)s in all", n=c["params"].get("tranches")),
                                 str(c["facts"].get("tranche", ""))),
    "seeker_category_in": lambda c: (
        msg("One of: %(categories)s", categories=words(c["params"]["any_of"], " / ")),
        words(c["facts"]["seeker_categories"]) if c["facts"].get("seeker_categories")
        else msg("None on record")),
    "contract_months_min": lambda c: _at_least_months(c, "contract_months"),
    "social_insurance_months_min": lambda c: _at_least_months(c, "social_insurance_months"),
    "enterprise_size_in": lambda c: (words(c["params"]["in"], " / "),
                                     _code(c["facts"].get("enterprise_size"))),
    "key_tier_min": lambda c: (msg("%(tier)s or above", tier=word(str(c["params"]["min"]))),
                               _code(c["facts"].get("enterprise_key_tier"))),
    "graduation_year_offset": _graduation,
    "agency_not_charged": lambda c: (msg("No fee"), msg("A fee was charged")
                                     if c["facts"].get("agency_charged_worker")
                                     else msg("No fee")),
    "enterprise_in_city": lambda c: (str(c["params"].get("city", "")),
                                     str(c["facts"].get("enterprise_city") or "")
                                     or msg("Not on record")),
    "degree_level_min": lambda c: (msg("%(degree)s or above",
                                       degree=word(str(c["params"]["min"]))),
                                   _code(c["facts"].get("degree_level"))),
    "leading_industrial": lambda c: (msg("Yes"),
                                     _yes(c["facts"].get("enterprise_leading_industrial"))),
}


def row(check: Check) -> EvidenceRow:
    """One check of a trace as a row of words."""
    name = condition_name(check)
    raw = str(check.get("condition", ""))
    label: Cell = word(CONDITIONS[name]) if name in CONDITIONS else name
    if raw.startswith("tranche[") and "]." in raw:
        label = msg("Instalment %(n)s: %(condition)s", n=raw[8:raw.index("]")],
                    condition=label)
    cells = CELLS.get(name)
    try:
        required, recorded = cells(check) if cells else ("", "")
    except (KeyError, TypeError, ValueError):  # an old or odd trace still shows its verdict
        required, recorded = "", ""
    return EvidenceRow(label, required, recorded, bool(check.get("passed")))


def evidence(trace: dict[str, Any] | None) -> list[EvidenceRow]:
    """Every check of ``trace`` as a row (an empty list for an empty trace)."""
    return [row(c) for c in (trace or {}).get("checks", [])]
