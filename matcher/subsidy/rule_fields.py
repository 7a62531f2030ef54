"""Validators for single fields of the subsidy rules file (used by :mod:`.rules`).

Each validator reports problems to an :class:`Errors` collector with the key path, so a
whole file is checked in one pass and every problem is listed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from matcher.enums import KeyTier, SeekerCategory, SizeClass

CAP_SCOPES = ("per_person", "per_agency_per_year", "per_enterprise_per_year")
#: Degree levels, lowest first (condition ``degree_level_min``; JobSeeker.degree_level).
DEGREE_LEVELS = ("secondary", "associate", "bachelor", "master", "doctor")


class Errors:
    """Collects ``<file>: <key path>: <message>`` problems."""

    def __init__(self, source: str):
        self.source = source
        self.items: list[str] = []

    def add(self, path: str, message: str) -> None:
        """Record one problem at key ``path``."""
        self.items.append(f"{self.source}: {path}: {message}" if path else
                          f"{self.source}: {message}")

    def unknown(self, data: Mapping[str, Any], path: str, allowed: set[str]) -> None:
        """Record every key of ``data`` that is not in ``allowed``."""
        for key in data:
            if key not in allowed:
                self.add(f"{path}.{key}" if path else str(key),
                         f"unknown key (expected one of {', '.join(sorted(allowed))})")


def parse_caps(raw: Any, path: str, errs: Errors) -> dict[str, int]:
    """``{per_person_yuan: 311}`` -> ``{"per_person": 31100}`` (fen)."""
    if not isinstance(raw, dict):
        errs.add(path, "must be a mapping")
        return {}
    allowed = {f"{scope}_yuan" for scope in CAP_SCOPES}
    errs.unknown(raw, path, allowed)
    caps: dict[str, int] = {}
    for key, value in raw.items():
        if key in allowed:
            fen = parse_fen(value, f"{path}.{key}", errs)
            if fen is not None:
                caps[key.removesuffix("_yuan")] = fen
    return caps


def parse_conditions(raw: Any, path: str, errs: Errors) -> dict[str, Any]:
    """Validate a mapping of condition name -> parameter (see CONDITION_PARSERS)."""
    if not isinstance(raw, dict):
        errs.add(path, "must be a mapping of condition: parameter")
        return {}
    errs.unknown(raw, path, set(CONDITION_PARSERS))
    out: dict[str, Any] = {}
    for key, value in raw.items():
        parser = CONDITION_PARSERS.get(key)
        if parser is None:
            continue
        parsed, problem = parser(value)
        if problem:
            errs.add(f"{path}.{key}", problem)
        else:
            out[key] = parsed
    return out


def is_int(v: Any) -> bool:
    """True for ints that are not bools."""
    return isinstance(v, int) and not isinstance(v, bool)


def parse_date(v: Any, path: str, errs: Errors, *, required: bool) -> date | None:
    """A YAML date or ISO string as a date."""
    if v is None:
        if required:
            errs.add(path, "is required (a date, YYYY-MM-DD)")
        return None
    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v))
    except ValueError:
        errs.add(path, "must be a date (YYYY-MM-DD)")
        return None


def parse_fen(v: Any, path: str, errs: Errors) -> int | None:
    """A positive yuan amount with at most two decimals, as integer fen."""
    if isinstance(v, bool) or not isinstance(v, int | float | str):
        errs.add(path, "must be a positive number")
        return None
    try:
        yuan = Decimal(str(v))
    except InvalidOperation:
        errs.add(path, "must be a positive number")
        return None
    if not yuan.is_finite() or yuan <= 0:
        errs.add(path, "must be a positive number")
        return None
    fen = yuan * 100
    if fen != fen.to_integral_value():
        errs.add(path, "must have at most 2 decimal places (whole fen)")
        return None
    return int(fen)


def _months(v: Any) -> tuple[Any, str | None]:
    return (v, None) if is_int(v) and 0 <= v <= 600 else (None, "must be an integer >= 0")


def _true(v: Any) -> tuple[Any, str | None]:
    return (True, None) if v is True else (None, "must be true (omit the condition otherwise)")


def _choices(values: list[str]) -> Any:
    def parse(v: Any) -> tuple[Any, str | None]:
        if isinstance(v, list) and v and all(x in values for x in v):
            return sorted(set(v), key=values.index), None
        return None, f"must be a non-empty list of {', '.join(values)}"
    return parse


def _degree(v: Any) -> tuple[Any, str | None]:
    return (v, None) if v in DEGREE_LEVELS else (
        None, f"must be one of {', '.join(DEGREE_LEVELS)}")


def _tier(v: Any) -> tuple[Any, str | None]:
    tiers = [t.value for t in KeyTier]
    return (v, None) if v in tiers else (None, f"must be one of {', '.join(tiers)}")


def _offset(v: Any) -> tuple[Any, str | None]:
    if isinstance(v, dict) and set(v) == {"min", "max"} and is_int(v["min"]) \
            and is_int(v["max"]) and v["min"] <= v["max"]:
        return {"min": v["min"], "max": v["max"]}, None
    return None, "must be {min: int, max: int} with min <= max (graduation year - claim year)"


CONDITION_PARSERS: dict[str, Any] = {
    "seeker_category_in": _choices([c.value for c in SeekerCategory]),
    "contract_months_min": _months,
    "social_insurance_months_min": _months,
    "enterprise_size_in": _choices([s.value for s in SizeClass]),
    "key_tier_min": _tier,
    "graduation_year_offset": _offset,
    "agency_not_charged": _true,
    "enterprise_in_city": _true,
    "degree_level_min": _degree,
    "leading_industrial": _true,
}
