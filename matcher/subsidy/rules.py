"""The subsidy rules file: loading, validation with key paths, dated values, checksums.

A rule has a code, a version, who may claim, eligibility conditions, tranches and a list
of dated values (amount and caps). A value applies from its ``from`` date until its
``until`` date or, when that is omitted, until the day before the next value starts.
Every problem is reported as ``<file>: <key path>: <message>``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from matcher.enums import ClaimantKind
from matcher.subsidy.rule_fields import (
    CAP_SCOPES,
    CONDITION_PARSERS,
    Errors,
    is_int,
    parse_caps,
    parse_conditions,
    parse_date,
    parse_fen,
)

__all__ = ["CAP_SCOPES", "CONDITION_PARSERS", "FORMAT", "Rule", "RuleSet", "RulesError",
           "Tranche", "ValuePeriod", "load_rules", "parse_rules"]

FORMAT = 1
CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
RULE_KEYS = {"code", "version", "name", "claimant", "description", "source", "conditions",
             "tranches", "values", "direct_payment"}


class RulesError(ValueError):
    """The rules file is invalid; ``problems`` lists every ``file: path: message``."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True, eq=False)
class ValuePeriod:
    """The amount and caps in force between two dates (``until`` inclusive, None = open)."""

    start: date
    until: date | None
    amount_fen: int
    caps: dict[str, int] = field(default_factory=dict)

    def covers(self, day: date) -> bool:
        """True when ``day`` falls inside this period."""
        return self.start <= day and (self.until is None or day <= self.until)

    def as_dict(self) -> dict[str, Any]:
        """JSON form, as stored in claim traces."""
        return {"from": self.start.isoformat(),
                "until": self.until.isoformat() if self.until else None,
                "amount_fen": self.amount_fen, "caps_fen": dict(sorted(self.caps.items()))}


@dataclass(frozen=True, eq=False)
class Tranche:
    """One instalment: a percentage of the amount, with extra conditions."""

    number: int
    percent: int
    conditions: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Rule:
    """One version of one subsidy rule, as validated from the file."""

    code: str
    version: int
    name: str
    claimant: ClaimantKind
    city: str
    conditions: dict[str, Any]
    tranches: tuple[Tranche, ...]
    values: tuple[ValuePeriod, ...]
    direct_payment: bool = False  # 免申即享: the bureau may create and pay claims in a batch

    def value_on(self, day: date) -> ValuePeriod | None:
        """The value period in force on ``day``, or None when the rule does not apply."""
        return next((v for v in self.values if v.covers(day)), None)

    def tranche(self, number: int) -> Tranche | None:
        """Tranche ``number`` (1-based), or None."""
        return self.tranches[number - 1] if 1 <= number <= len(self.tranches) else None

    def tranche_amount(self, amount_fen: int, number: int) -> int:
        """Fen due for tranche ``number``; the last tranche takes the rounding remainder."""
        shares = [amount_fen * t.percent // 100 for t in self.tranches]
        shares[-1] = amount_fen - sum(shares[:-1])
        return shares[number - 1]

    def definition(self) -> dict[str, Any]:
        """Canonical JSON form (stored in subsidy_rules and hashed)."""
        return {
            "code": self.code, "version": self.version, "name": self.name,
            "claimant": self.claimant.value, "city": self.city,
            "conditions": self.conditions,
            "tranches": [{"number": t.number, "percent": t.percent, "conditions": t.conditions}
                         for t in self.tranches],
            "values": [v.as_dict() for v in self.values],
            # only when set, so the checksums of rules recorded before the key existed hold
            **({"direct_payment": True} if self.direct_payment else {}),
        }

    @property
    def checksum(self) -> str:
        """SHA-256 of the canonical definition."""
        blob = json.dumps(self.definition(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()


@dataclass(frozen=True, eq=False)
class RuleSet:
    """All rules of one file, by code."""

    source: str
    city: str
    rules: dict[str, Rule]

    def get(self, code: str) -> Rule | None:
        """The rule with ``code``, or None."""
        return self.rules.get(code)


def load_rules(path: Path | str) -> RuleSet:
    """Read and validate a rules file; raise :class:`RulesError` naming file and key path."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulesError([f"{path.name}: cannot read: {exc.strerror}"]) from None
    except yaml.YAMLError as exc:
        raise RulesError([f"{path.name}: not valid YAML: {exc}"]) from None
    return parse_rules(data, path.name)


def parse_rules(data: Any, source: str = "<rules>") -> RuleSet:
    """Validate already-parsed YAML data (see :func:`load_rules`)."""
    errs = Errors(source)
    if not isinstance(data, dict):
        errs.add("", "must be a mapping with format, city and rules")
        raise RulesError(errs.items)
    errs.unknown(data, "", {"format", "city", "rules"})
    if data.get("format") != FORMAT:
        errs.add("format", f"must be {FORMAT}")
    city = data.get("city")
    if not isinstance(city, str) or not city.strip():
        errs.add("city", "must be a non-empty string")
        city = ""
    raw_rules = data.get("rules")
    rules: dict[str, Rule] = {}
    if not isinstance(raw_rules, list) or not raw_rules:
        errs.add("rules", "must be a non-empty list")
        raw_rules = []
    for i, raw in enumerate(raw_rules):
        rule = _parse_rule(raw, f"rules[{i}]", city, errs)
        if rule is not None:
            if rule.code in rules:
                errs.add(f"rules[{i}].code", f"duplicate code {rule.code!r}")
            rules[rule.code] = rule
    if errs.items:
        raise RulesError(errs.items)
    return RuleSet(source=source, city=city, rules=rules)


def _parse_rule(raw: Any, path: str, city: str, errs: Errors) -> Rule | None:
    if not isinstance(raw, dict):
        errs.add(path, "must be a mapping")
        return None
    before = len(errs.items)
    errs.unknown(raw, path, RULE_KEYS)
    code: Any = raw.get("code")
    if not isinstance(code, str) or not CODE_RE.match(code):
        errs.add(f"{path}.code", "must be lower_snake_case letters, digits, _ (2-64 chars)")
    version: Any = raw.get("version")
    if not is_int(version) or version < 1:
        errs.add(f"{path}.version", "must be an integer >= 1")
    name: Any = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        errs.add(f"{path}.name", "must be a non-empty string")
    claimant: Any = raw.get("claimant")
    if claimant not in {k.value for k in ClaimantKind}:
        errs.add(f"{path}.claimant", f"must be one of {', '.join(k.value for k in ClaimantKind)}")
    conditions = parse_conditions(raw.get("conditions", {}), f"{path}.conditions", errs)
    tranches = _parse_tranches(raw.get("tranches"), f"{path}.tranches", errs)
    values = _parse_values(raw.get("values"), f"{path}.values", errs)
    direct: Any = raw.get("direct_payment", False)
    if not isinstance(direct, bool):
        errs.add(f"{path}.direct_payment", "must be true or false")
    if len(errs.items) > before:
        return None
    return Rule(code=code, version=version, name=name.strip(), claimant=ClaimantKind(claimant),
                city=city, conditions=conditions, tranches=tranches, values=values,
                direct_payment=direct)


def _parse_tranches(raw: Any, path: str, errs: Errors) -> tuple[Tranche, ...]:
    if raw is None:
        return (Tranche(1, 100, {}),)
    if not isinstance(raw, list) or not raw:
        errs.add(path, "must be a non-empty list of {percent, conditions}")
        return ()
    out: list[Tranche] = []
    for i, item in enumerate(raw):
        p = f"{path}[{i}]"
        if not isinstance(item, dict):
            errs.add(p, "must be a mapping")
            continue
        errs.unknown(item, p, {"percent", "conditions"})
        percent: Any = item.get("percent")
        if not is_int(percent) or not 1 <= percent <= 100:
            errs.add(f"{p}.percent", "must be an integer from 1 to 100")
            continue
        conds = parse_conditions(item.get("conditions", {}), f"{p}.conditions", errs)
        out.append(Tranche(i + 1, percent, conds))
    if len(out) == len(raw) and sum(t.percent for t in out) != 100:
        errs.add(path, f"percents must add up to 100, not {sum(t.percent for t in out)}")
    return tuple(out)


def _parse_values(raw: Any, path: str, errs: Errors) -> tuple[ValuePeriod, ...]:
    if not isinstance(raw, list) or not raw:
        errs.add(path, "must be a non-empty list of dated values")
        return ()
    periods: list[dict[str, Any]] = []
    for i, item in enumerate(raw):
        p = f"{path}[{i}]"
        if not isinstance(item, dict):
            errs.add(p, "must be a mapping with from, amount_yuan, caps")
            continue
        errs.unknown(item, p, {"from", "until", "amount_yuan", "caps"})
        start = parse_date(item.get("from"), f"{p}.from", errs, required=True)
        until = parse_date(item.get("until"), f"{p}.until", errs, required=False)
        if start and until and until < start:
            errs.add(f"{p}.until", "must not be before 'from'")
        amount = parse_fen(item.get("amount_yuan"), f"{p}.amount_yuan", errs)
        caps = parse_caps(item.get("caps", {}), f"{p}.caps", errs)
        if start and amount is not None:
            periods.append({"start": start, "until": until, "amount": amount, "caps": caps,
                            "path": p})
    out: list[ValuePeriod] = []
    for i, cur in enumerate(periods):
        nxt = periods[i + 1] if i + 1 < len(periods) else None
        until = cur["until"]
        if nxt is not None:
            if nxt["start"] <= cur["start"]:
                errs.add(f"{nxt['path']}.from", "values must be in increasing 'from' order")
            elif until is not None and until >= nxt["start"]:
                errs.add(f"{cur['path']}.until", f"overlaps the next value from {nxt['start']}")
            elif until is None:
                until = nxt["start"] - timedelta(days=1)
        out.append(ValuePeriod(cur["start"], until, cur["amount"], cur["caps"]))
    return tuple(out)
