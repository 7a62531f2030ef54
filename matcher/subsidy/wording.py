"""What a party still lacks, in words, from an evaluation trace.

``missing(trace)`` turns each failed check into one sentence (Chinese / English), e.g.
``还需 1 个月社保 / needs 1 month of social insurance (0 recorded)``; unknown conditions
fall back to the check's own reason, so a new condition never goes unexplained.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Check = dict[str, Any]


def _months(word_zh: str, word_en: str, fact: str) -> Callable[[Check], str]:
    def say(c: Check) -> str:
        need, have = c["params"].get("min", 0), c["facts"].get(fact, 0)
        short = max(int(need) - int(have or 0), 0)
        unit = "month" if short == 1 else "months"
        return (f"还需 {short} 个月{word_zh} / needs {short} more {unit} of {word_en} "
                f"({have} recorded, {need} required)")
    return say


def _graduation(c: Check) -> str:
    year = c["facts"].get("graduation_year")
    if year is None:
        return "未登记毕业年份 / no graduation year on record: add it to the profile"
    low, high = c["params"]["min"], c["params"]["max"]
    claim = c["facts"].get("claim_year")
    return (f"毕业年份不符 / graduation year {year} is outside the years this subsidy covers "
            f"({claim + low}..{claim + high})")


def _degree(c: Check) -> str:
    have = c["facts"].get("degree_level") or "none on record"
    return f"需 {c['params']['min']} 及以上学历 / needs a {c['params']['min']} degree or above " \
           f"({have})"


def _size(c: Check) -> str:
    return (f"仅限 {'/'.join(c['params']['in'])} 企业 / only for {' or '.join(c['params']['in'])} "
            f"enterprises (this one is {c['facts'].get('enterprise_size')})")


def _categories(c: Check) -> str:
    return (f"需属于 {'/'.join(c['params']['any_of'])} / the person must be registered as "
            f"{' or '.join(c['params']['any_of'])}")


PHRASES: dict[str, Callable[[Check], str]] = {
    "social_insurance_months_min": _months("社保", "social insurance",
                                           "social_insurance_months"),
    "contract_months_min": _months("劳动合同期", "contract", "contract_months"),
    "graduation_year_offset": _graduation,
    "degree_level_min": _degree,
    "enterprise_size_in": _size,
    "seeker_category_in": _categories,
    "leading_industrial": lambda c: "需入职本市工业领军企业 / the employer must be one of the "
                                    "city's leading industrial enterprises",
    "key_tier_min": lambda c: f"需为重点企业 / the employer must be a key enterprise "
                              f"({c['params']['min']} or above)",
    "rule_in_effect": lambda c: "该补贴当前不在有效期 / the subsidy is not in force on this date",
}


def missing(trace: dict[str, Any]) -> list[str]:
    """One sentence per failed check of ``trace`` (empty when eligible)."""
    out = []
    for check in trace.get("checks", []):
        if check.get("passed"):
            continue
        name = str(check.get("condition", "")).rsplit(".", 1)[-1]
        say = PHRASES.get(name)
        out.append(say(check) if say else str(check.get("reason", name)))
    return out
