"""Eligibility found, not asked for: every rule, every tranche, every party of a placement.

:func:`evaluate_placement` applies each rule of the rule set to the placement for the party
the rule pays (agency, enterprise or person) and stores the result with its trace in
``subsidy_eligibility``: one row per (placement, rule, tranche, party kind), kept by a
UNIQUE constraint and updated in place. A party that qualifies and has no claim yet is
told once: ``notified_at`` is set by a conditional UPDATE (``WHERE notified_at IS NULL``),
so concurrent or repeated evaluations send one inbox message. Nothing commits here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from matcher.enums import ClaimantKind
from matcher.inbox import notify
from matcher.models.base import utcnow
from matcher.models.subsidy import Placement, SubsidyClaim, SubsidyEligibility
from matcher.subsidy.clock import today
from matcher.subsidy.evaluate import Claimant, Evaluation, PlacementFacts, evaluate
from matcher.subsidy.evidence import RULE_CODES
from matcher.subsidy.placements import load_facts
from matcher.subsidy.rule_store import record_rule
from matcher.subsidy.rules import Rule, RuleSet
from matcher.subsidy.sqlutil import insert_ignore
from matcher.subsidy.wording import missing
from matcher.words import Msg, msg, word

KEY_COLUMNS = ["placement_id", "rule_code", "tranche", "party_kind"]
#: Where each party's one-click claim form lives (pre-filled by the query string).
CLAIM_PAGES = {ClaimantKind.AGENCY: "/agency/claims", ClaimantKind.ENTERPRISE:
               "/enterprise/claims", ClaimantKind.PERSON: "/seeker/claims"}


@dataclass(frozen=True)
class EligibilityView:
    """One stored result: eligible or not, the amount, the trace and what is missing."""

    placement_id: int
    rule_code: str
    rule_version: int
    tranche: int
    party_kind: str
    party_id: int
    eligible: bool
    amount_fen: int
    potential_fen: int
    trace: dict[str, Any]
    missing: list[Msg]
    evaluated_on: date
    claim_link: str

    @property
    def amount_yuan(self) -> float:
        """The amount due now, in yuan (0 when not eligible)."""
        return self.amount_fen / 100

    @classmethod
    def of(cls, row: SubsidyEligibility) -> EligibilityView:
        """Build from the ORM row."""
        trace = row.trace or {}
        potential = int(((trace.get("values") or {}).get("tranche_amount_fen")) or 0)
        return cls(row.placement_id, row.rule_code, row.rule_version, row.tranche,
                   row.party_kind.value, row.party_id, row.eligible, row.amount_fen, potential,
                   trace, missing(trace), row.evaluated_on,
                   claim_link(row.party_kind, row.placement_id, row.rule_code, row.tranche))


def claim_link(kind: ClaimantKind, placement_id: int, rule_code: str, tranche: int) -> str:
    """The pre-filled claim form of the party (one click submits it)."""
    query = urlencode({"placement_id": placement_id, "rule_code": rule_code,
                       "tranche": tranche})
    return f"{CLAIM_PAGES[kind]}?{query}"


def party_of(facts: PlacementFacts, kind: ClaimantKind) -> int | None:
    """The id of the placement's party of ``kind`` (None: no agency placed this hire)."""
    return {ClaimantKind.AGENCY: facts.agency_id, ClaimantKind.ENTERPRISE: facts.enterprise_id,
            ClaimantKind.PERSON: facts.seeker_id}[kind]


def evaluate_placement(s: Session, rules: RuleSet, placement_id: int, *, actor: str,
                       on_date: date | None = None) -> list[EligibilityView]:
    """Evaluate every rule, tranche and party of one placement; store; notify newcomers."""
    facts = load_facts(s, placement_id)
    day = on_date or today()
    out: list[EligibilityView] = []
    for rule in rules.rules.values():
        party = party_of(facts, rule.claimant)
        if party is None:
            continue
        record_rule(s, rule, actor)
        for step in rule.tranches:
            ev = evaluate(Claimant(rule.claimant, party), facts, rule, day, step.number)
            row = _store(s, ev, party)
            if ev.eligible and ev.amount_fen > 0:
                _tell_once(s, row, rule)
            out.append(EligibilityView.of(row))
    return out


def evaluate_many(s: Session, rules: RuleSet, placement_ids: list[int], *, actor: str,
                  on_date: date | None = None) -> int:
    """Evaluate several placements (a category or rule change); returns how many."""
    for pid in placement_ids:
        evaluate_placement(s, rules, pid, actor=actor, on_date=on_date)
    return len(placement_ids)


def placements_of(s: Session, *, seeker_id: int | None = None,
                  enterprise_id: int | None = None) -> list[int]:
    """Ids of the placements of one person or one enterprise (or all, with neither)."""
    stmt = select(Placement.id).order_by(Placement.id)
    if seeker_id is not None:
        stmt = stmt.where(Placement.seeker_id == seeker_id)
    if enterprise_id is not None:
        stmt = stmt.where(Placement.enterprise_id == enterprise_id)
    return list(s.scalars(stmt))


def _store(s: Session, ev: Evaluation, party_id: int) -> SubsidyEligibility:
    keys = {"placement_id": ev.placement_id, "rule_code": ev.rule_code, "tranche": ev.tranche,
            "party_kind": ev.claimant.kind}
    values = {"rule_version": ev.rule_version, "party_id": party_id, "eligible": ev.eligible,
              "amount_fen": ev.amount_fen, "trace": ev.trace(), "evaluated_on": ev.on_date,
              "evaluated_at": utcnow()}
    insert_ignore(s, SubsidyEligibility, {**keys, "party_kind": ev.claimant.kind.value,
                                          **values}, KEY_COLUMNS)
    where = [getattr(SubsidyEligibility, k) == v for k, v in keys.items()]
    s.execute(update(SubsidyEligibility).where(*where).values(**values)
              .execution_options(synchronize_session=False))
    row = s.scalars(select(SubsidyEligibility).where(*where)).one()
    s.refresh(row)
    return row


def _tell_once(s: Session, row: SubsidyEligibility, rule: Rule) -> None:
    claimed = s.scalar(select(SubsidyClaim.id).where(
        SubsidyClaim.placement_id == row.placement_id, SubsidyClaim.rule_code == row.rule_code,
        SubsidyClaim.tranche == row.tranche))
    if claimed is not None:
        return
    done = s.execute(
        update(SubsidyEligibility)
        .where(SubsidyEligibility.id == row.id, SubsidyEligibility.notified_at.is_(None))
        .values(notified_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if not done:
        return
    s.refresh(row)
    to = {ClaimantKind.AGENCY: notify.agency, ClaimantKind.ENTERPRISE: notify.enterprise,
          ClaimantKind.PERSON: notify.seeker}[row.party_kind](row.party_id)
    yuan = f"{row.amount_fen / 100:,.2f}"
    link = claim_link(row.party_kind, row.placement_id, row.rule_code, row.tranche)
    name = word(rule.code) if rule.code in RULE_CODES else rule.name
    notify.notify(s, to, "subsidy.eligible",
                  msg("You qualify for %(amount)s yuan: %(rule)s", amount=yuan, rule=name),
                  # the English text (outbox, the inbox's Claim button) ends with the link;
                  # the translations shown on screen leave it to the button
                  msg("Claim in one click: %(link)s", link=link), entity="placement",
                  entity_id=row.placement_id)
