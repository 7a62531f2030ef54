"""The rules file: shipped figures, validation messages with key paths, dated values,
recorded versions with checksums, and ``workbridge subsidy rules check``."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from builders.subsidy import committing
from click.testing import CliRunner
from sqlalchemy import select

from matcher.cli.subsidy_cmds import subsidy
from matcher.config import PACKAGE_DATA
from matcher.enums import ClaimantKind
from matcher.errors import Refused
from matcher.models import AuditLog
from matcher.models.subsidy import SubsidyRule
from matcher.runtime import Runtime
from matcher.subsidy.rule_store import record_rules
from matcher.subsidy.rules import RulesError, load_rules, parse_rules

SHIPPED = PACKAGE_DATA / "subsidy_rules.yaml"

BASE: dict[str, Any] = {
    "format": 1,
    "city": "北京市",
    "rules": [
        {"code": "intro", "version": 1, "name": "intro", "claimant": "agency",
         "conditions": {"contract_months_min": 12},
         "values": [{"from": date(2024, 1, 1), "amount_yuan": 311}]},
        {"code": "key", "version": 1, "name": "key", "claimant": "agency",
         "tranches": [{"percent": 50, "conditions": {"social_insurance_months_min": 1}},
                      {"percent": 50, "conditions": {"social_insurance_months_min": 6}}],
         "values": [{"from": date(2024, 1, 1), "until": date(2024, 6, 30), "amount_yuan": 1000,
                     "caps": {"per_agency_per_year_yuan": 90000}},
                    {"from": date(2024, 7, 1), "amount_yuan": 1200}]},
    ],
}


def write(tmp_path: Path, data: Any, name: str = "subsidy_rules.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_shipped_rules_carry_the_published_figures() -> None:
    rs = load_rules(SHIPPED)
    intro = rs.rules["employment_introduction"]
    assert intro.claimant == ClaimantKind.AGENCY
    assert intro.value_on(date(2024, 5, 1)).amount_fen == 311_00  # type: ignore[union-attr]
    assert intro.conditions["seeker_category_in"] == ["graduate", "registered_unemployed"]
    assert intro.conditions["agency_not_charged"] is True
    key = rs.rules["key_enterprise_recruitment"]
    assert key.value_on(date(2024, 5, 1)).caps["per_agency_per_year"] == 90_000_00  # type: ignore[union-attr]
    assert [(t.percent, t.conditions) for t in key.tranches] == [
        (50, {"social_insurance_months_min": 1}), (50, {"social_insurance_months_min": 6})]
    assert rs.rules["graduate_job_seeking"].claimant == ClaimantKind.PERSON
    assert rs.rules["small_micro_graduate_hiring"].claimant == ClaimantKind.ENTERPRISE
    assert "ILLUSTRATIVE" in SHIPPED.read_text(encoding="utf-8")


def test_dated_values_end_the_day_before_the_next_starts() -> None:
    rule = parse_rules(copy.deepcopy(BASE)).rules["key"]
    assert rule.value_on(date(2023, 12, 31)) is None
    assert rule.value_on(date(2024, 6, 30)).amount_fen == 1000_00  # type: ignore[union-attr]
    assert rule.value_on(date(2024, 7, 1)).amount_fen == 1200_00  # type: ignore[union-attr]
    assert rule.value_on(date(2030, 1, 1)).amount_fen == 1200_00  # type: ignore[union-attr]
    assert [rule.tranche_amount(1001, n) for n in (1, 2)] == [500, 501]


def _set(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    keys: list[Any] = []
    for part in path.split("."):
        name, _, index = part.partition("[")
        keys.append(name)
        if index:
            keys.append(int(index.rstrip("]")))
    target: Any = data
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = value
    return data


@pytest.mark.parametrize(("path", "value", "message"), [
    ("rules[1].values[0].amount_yuan", -5,
     "subsidy_rules.yaml: rules[1].values[0].amount_yuan: must be a positive number"),
    ("rules[1].values[0].amount_yuan", "lots",
     "subsidy_rules.yaml: rules[1].values[0].amount_yuan: must be a positive number"),
    ("rules[0].values[0].amount_yuan", 3.111,
     "subsidy_rules.yaml: rules[0].values[0].amount_yuan: must have at most 2 decimal places"),
    ("rules[0].conditions.contract_months_min", -1,
     "subsidy_rules.yaml: rules[0].conditions.contract_months_min: must be an integer >= 0"),
    ("rules[0].conditions.seeker_category_in", ["astronaut"],
     "subsidy_rules.yaml: rules[0].conditions.seeker_category_in: must be a non-empty list of"),
    ("rules[0].conditions.key_tier_min", "gold",
     "subsidy_rules.yaml: rules[0].conditions.key_tier_min: must be one of"),
    ("rules[0].conditions.graduation_year_offset", {"min": 1, "max": 0},
     "subsidy_rules.yaml: rules[0].conditions.graduation_year_offset: must be {min: int"),
    ("rules[0].conditions.agency_not_charged", False,
     "subsidy_rules.yaml: rules[0].conditions.agency_not_charged: must be true"),
    ("rules[0].conditions.wears_hat", True,
     "subsidy_rules.yaml: rules[0].conditions.wears_hat: unknown key"),
    ("rules[0].claimant", "robot", "subsidy_rules.yaml: rules[0].claimant: must be one of"),
    ("rules[0].version", 0, "subsidy_rules.yaml: rules[0].version: must be an integer >= 1"),
    ("rules[0].code", "Bad Code", "subsidy_rules.yaml: rules[0].code: must be lower_snake_case"),
    ("rules[1].code", "intro", "subsidy_rules.yaml: rules[1].code: duplicate code 'intro'"),
    ("rules[1].tranches[1].percent", 40,
     "subsidy_rules.yaml: rules[1].tranches: percents must add up to 100, not 90"),
    ("rules[1].values[0].until", date(2024, 7, 1),
     "subsidy_rules.yaml: rules[1].values[0].until: overlaps the next value from 2024-07-01"),
    ("rules[1].values[1].from", date(2023, 7, 1),
     "subsidy_rules.yaml: rules[1].values[1].from: values must be in increasing 'from' order"),
    ("rules[1].values[0].from", "soon",
     "subsidy_rules.yaml: rules[1].values[0].from: must be a date (YYYY-MM-DD)"),
    ("rules[1].values[0].caps", {"per_galaxy_yuan": 5},
     "subsidy_rules.yaml: rules[1].values[0].caps.per_galaxy_yuan: unknown key"),
    ("rules[1].values[0].caps", {"per_person_yuan": 0},
     "subsidy_rules.yaml: rules[1].values[0].caps.per_person_yuan: must be a positive number"),
    ("format", 2, "subsidy_rules.yaml: format: must be 1"),
    ("city", "", "subsidy_rules.yaml: city: must be a non-empty string"),
    ("rules", [], "subsidy_rules.yaml: rules: must be a non-empty list"),
])
def test_invalid_files_name_the_file_and_key_path(
        tmp_path: Path, path: str, value: Any, message: str) -> None:
    with pytest.raises(RulesError) as err:
        load_rules(write(tmp_path, _set(BASE, path, value)))
    assert any(p.startswith(message) for p in err.value.problems), err.value.problems


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    data = _set(_set(BASE, "rules[0].version", "one"), "rules[1].values[0].amount_yuan", 0)
    with pytest.raises(RulesError) as err:
        load_rules(write(tmp_path, data))
    assert len(err.value.problems) == 2
    assert "rules[0].version" in str(err.value)
    assert "rules[1].values[0].amount_yuan" in str(err.value)


def test_unreadable_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match=r"missing.yaml: cannot read"):
        load_rules(tmp_path / "missing.yaml")
    bad = tmp_path / "broken.yaml"
    bad.write_text("rules: [\n", encoding="utf-8")
    with pytest.raises(RulesError, match=r"broken.yaml: not valid YAML"):
        load_rules(bad)


def test_rule_versions_are_recorded_once_with_checksum(rt: Runtime) -> None:
    rs = parse_rules(copy.deepcopy(BASE))
    with committing(rt) as uow:
        first = record_rules(uow.s, rs, actor="admin")
        uow.commit()
    with committing(rt) as uow:
        again = record_rules(uow.s, rs, actor="admin")
        uow.commit()
    assert [r.newly_recorded for r in first] == [True, True]
    assert [r.newly_recorded for r in again] == [False, False]
    with committing(rt) as uow:
        rows = {r.code: r for r in uow.s.scalars(select(SubsidyRule))}
        assert {c: (r.version, r.checksum) for c, r in rows.items()} == {
            c: (rule.version, rule.checksum) for c, rule in rs.rules.items()}
        assert rows["key"].definition["values"][1]["amount_fen"] == 1200_00
        recorded = uow.s.scalars(select(AuditLog.entity_id).where(
            AuditLog.action == "subsidy_rule.recorded")).all()
        assert sorted(recorded) == ["intro@1", "key@1"]

    changed = parse_rules(_set(BASE, "rules[0].values[0].amount_yuan", 400))
    with rt.uow() as uow, pytest.raises(Refused) as err:
        record_rules(uow.s, changed)
    assert err.value.code == "rule_changed_without_new_version"
    bumped = parse_rules(_set(_set(BASE, "rules[0].values[0].amount_yuan", 400),
                              "rules[0].version", 2))
    with committing(rt) as uow:
        assert [r.newly_recorded for r in record_rules(uow.s, bumped)] == [True, False]
        uow.commit()
    with committing(rt) as uow:
        assert uow.s.scalars(select(SubsidyRule.version).where(SubsidyRule.code == "intro")
                             .order_by(SubsidyRule.version)).all() == [1, 2]


def test_cli_rules_check(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(subsidy, ["rules", "check", str(SHIPPED)])
    assert ok.exit_code == 0, ok.output
    assert "employment_introduction v1" in ok.output and "311.00" in ok.output
    bad = write(tmp_path, _set(BASE, "rules[1].values[0].amount_yuan", -1))
    result = runner.invoke(subsidy, ["rules", "check", str(bad)])
    assert result.exit_code == 1
    assert "subsidy_rules.yaml: rules[1].values[0].amount_yuan: must be a positive number" \
        in result.output


def test_current_rules_come_from_the_settings_once_per_runtime(rt: Runtime,
                                                                tmp_path: Path) -> None:
    from matcher.subsidy.rule_store import current_rules

    shipped = current_rules(rt)
    assert set(shipped.rules) == {"employment_introduction", "key_enterprise_recruitment",
                                  "graduate_job_seeking", "small_micro_graduate_hiring",
                                  "small_micro_graduate_employment"}
    assert current_rules(rt) is shipped
    other = Runtime(rt.settings.override(subsidy_rules=write(tmp_path, BASE, "city.yaml")))
    assert set(current_rules(other).rules) == {"intro", "key"}
    broken = Runtime(rt.settings.override(subsidy_rules=tmp_path / "missing.yaml"))
    with pytest.raises(RulesError, match="missing.yaml"):
        current_rules(broken)
