"""The record of loaded rule versions (table subsidy_rules) and the per-process rule set."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher import audit
from matcher.errors import Refused
from matcher.models.subsidy import SubsidyRule
from matcher.runtime import Runtime
from matcher.subsidy.rules import Rule, RuleSet, load_rules
from matcher.subsidy.sqlutil import insert_ignore
from matcher.words import msg

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecordedRule:
    """One row of subsidy_rules, as plain values."""

    code: str
    version: int
    checksum: str
    newly_recorded: bool


def record_rule(session: Session, rule: Rule, actor: str = "system") -> RecordedRule:
    """Record ``rule``'s version with its checksum, once; refuse a changed unbumped rule."""
    existing = session.scalar(select(SubsidyRule.checksum).where(
        SubsidyRule.code == rule.code, SubsidyRule.version == rule.version))
    created = False
    if existing is None:
        created = insert_ignore(session, SubsidyRule, {
            "code": rule.code, "version": rule.version, "name": rule.name,
            "claimant_kind": rule.claimant.value, "definition": rule.definition(),
            "checksum": rule.checksum,
        }, ["code", "version"]) == 1
        existing = session.scalar(select(SubsidyRule.checksum).where(
            SubsidyRule.code == rule.code, SubsidyRule.version == rule.version))
        if created:
            audit.record(session, actor, "subsidy_rule.recorded", "subsidy_rule",
                         f"{rule.code}@{rule.version}", {"checksum": rule.checksum})
    if existing != rule.checksum:
        raise Refused(
            msg("Subsidy rule %(code)s version %(version)s differs from the recorded version "
                "with the same number: raise its version in the rules file.",
                code=rule.code, version=rule.version),
            code="rule_changed_without_new_version",
            fields={"rules": [msg("%(code)s: recorded checksum %(recorded)s, file checksum "
                                  "%(file)s.", code=rule.code, recorded=existing,
                                  file=rule.checksum)]},
        )
    return RecordedRule(rule.code, rule.version, rule.checksum, created)


def record_rules(session: Session, ruleset: RuleSet, actor: str = "system") -> list[RecordedRule]:
    """Record every rule of ``ruleset`` (see :func:`record_rule`)."""
    return [record_rule(session, rule, actor) for rule in ruleset.rules.values()]


def current_rules(rt: Runtime) -> RuleSet:
    """The rule set from ``settings.subsidy_rules``, validated once per Runtime."""
    if rt.ruleset is None:
        rt.ruleset = load_rules(rt.settings.subsidy_rules)
        log.info("loaded %d subsidy rules from %s", len(rt.ruleset.rules), rt.ruleset.source)
    return rt.ruleset
