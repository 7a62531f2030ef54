"""Caps (per person, per agency per year, per enterprise per year) as database counters.

Each cap of a claim is a row of ``subsidy_cap_counters`` keyed by (rule, scope, subject,
period, stage). Approval adds the claim's amount at stage ``approved``, payment at stage
``paid``, a reversal takes it back from both. Every change is ONE ``UPDATE ... SET used_fen
= used_fen + :amount``; the table's CHECK (used_fen <= cap_fen) refuses a total above the
cap, so two transactions can never both fit into the last room (PostgreSQL serializes the
row update, SQLite the whole write transaction). Nothing is checked in Python first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matcher.errors import Refused
from matcher.models.subsidy import SubsidyCapCounter, SubsidyClaim
from matcher.subsidy.sqlutil import insert_ignore, violated
from matcher.words import N_, Msg, msg, word

CHECK_NAME = "ck_subsidy_cap_counters_within_cap"
STAGES = ("approved", "paid")
KEY_COLUMNS = ["rule_code", "scope", "subject", "period", "stage"]
_SUBJECTS = {"per_person": ("seeker", False), "per_agency_per_year": ("agency", True),
             "per_enterprise_per_year": ("enterprise", True)}
SCOPE_WORDS = (N_("per_person"), N_("per_agency_per_year"), N_("per_enterprise_per_year"))


@dataclass(frozen=True, order=True)
class CapKey:
    """One cap a claim counts against, with the cap value from the claim's rule values."""

    rule_code: str
    scope: str
    subject: str
    period: int
    cap_fen: int

    def describe(self) -> str:
        """Human-readable, e.g. ``per_agency_per_year cap of 90000.00 yuan for agency:3``."""
        when = f" in {self.period}" if self.period else ""
        return (f"{self.scope} cap of {self.cap_fen / 100:.2f} yuan of rule {self.rule_code} "
                f"for {self.subject}{when}")

    def words(self) -> Msg:
        """The cap in words, e.g. ``the per-person cap of 311.00 yuan of <rule>``."""
        return msg("The %(scope)s cap of %(cap)s yuan of %(rule)s", scope=word(self.scope),
                   cap=_yuan(self.cap_fen), rule=word(self.rule_code))


def _yuan(fen: int) -> str:
    return f"{fen / 100:,.2f}"


def keys_for(claim: SubsidyClaim) -> list[CapKey]:
    """The caps ``claim`` counts against, from the values stored in its trace."""
    caps: dict[str, int] = ((claim.trace or {}).get("values") or {}).get("caps_fen", {})
    ids = {"seeker": claim.seeker_id, "agency": claim.agency_id,
           "enterprise": claim.enterprise_id}
    year = claim.claimed_on.year if claim.claimed_on else 0
    keys = []
    for scope, cap in caps.items():
        kind, yearly = _SUBJECTS[scope]
        if ids[kind] is None:
            continue
        keys.append(CapKey(claim.rule_code, scope, f"{kind}:{ids[kind]}",
                           year if yearly else 0, int(cap)))
    return sorted(keys)  # one global lock order: no deadlocks between claims


def reserve(session: Session, keys: list[CapKey], amount_fen: int, stage: str) -> None:
    """Count ``amount_fen`` against every cap at ``stage``; raise Refused if one overflows."""
    for key in sorted(keys):
        where = _where(key, stage)
        insert_ignore(session, SubsidyCapCounter, {
            "rule_code": key.rule_code, "scope": key.scope, "subject": key.subject,
            "period": key.period, "stage": stage, "cap_fen": key.cap_fen, "used_fen": 0,
        }, KEY_COLUMNS)
        try:
            with session.begin_nested():
                session.execute(
                    update(SubsidyCapCounter).where(*where)
                    .values(used_fen=SubsidyCapCounter.used_fen + amount_fen,
                            cap_fen=key.cap_fen)
                    .execution_options(synchronize_session=False))
        except IntegrityError as exc:
            if not violated(exc, CHECK_NAME):
                raise
            used = session.scalar(select(SubsidyCapCounter.used_fen).where(*where)) or 0
            raise Refused(
                msg("%(cap)s is reached (%(used)s yuan %(stage)s; this claim needs "
                    "%(amount)s yuan).", cap=key.words(), used=_yuan(used), stage=word(stage),
                    amount=_yuan(amount_fen)),
                code="cap_exceeded",
                fields={"caps": [key.words()]},
            ) from None


def release(session: Session, keys: list[CapKey], amount_fen: int) -> None:
    """Take ``amount_fen`` back from every cap at every stage (after a reversal)."""
    for key in sorted(keys):
        for stage in STAGES:
            session.execute(
                update(SubsidyCapCounter).where(*_where(key, stage))
                .values(used_fen=SubsidyCapCounter.used_fen - amount_fen)
                .execution_options(synchronize_session=False))


def usage(session: Session, rule_code: str, subject: str, period: int = 0) -> dict[str, int]:
    """Used fen per stage for one subject (for reports and tests)."""
    rows = session.execute(select(SubsidyCapCounter.stage, SubsidyCapCounter.used_fen).where(
        SubsidyCapCounter.rule_code == rule_code, SubsidyCapCounter.subject == subject,
        SubsidyCapCounter.period == period))
    return {stage: int(used) for stage, used in rows}


def _where(key: CapKey, stage: str) -> list[Any]:
    return [SubsidyCapCounter.rule_code == key.rule_code, SubsidyCapCounter.scope == key.scope,
            SubsidyCapCounter.subject == key.subject, SubsidyCapCounter.period == key.period,
            SubsidyCapCounter.stage == stage]
