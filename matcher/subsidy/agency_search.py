"""What an agency may see of job seekers: those who consent to agency recommendation, masked.

Words are matched in Python over the name, skills and desired positions (the list columns
are JSON, escaped differently by each database, so a SQL ``LIKE`` would miss Chinese text;
no wildcard can be injected either). Names are masked to the surname (``张**``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.enums import PersonStatus
from matcher.models import JobSeeker

MAX_SCAN = 20_000


@dataclass(frozen=True)
class SeekerCard:
    """A consenting seeker as an agency sees them (no identifiers in clear)."""

    id: int
    name: str
    categories: list[str]
    skills: list[str]
    desired_positions: list[str]
    district: str | None
    phone_masked: str | None


def mask_name(name: str | None) -> str:
    """The first character and one star per other character (``张三丰`` -> ``张**``)."""
    name = (name or "").strip()
    if not name:
        return "*"
    return name[0] + "*" * max(1, min(len(name) - 1, 3))


def card(s: JobSeeker) -> SeekerCard:
    """One seeker's masked card."""
    return SeekerCard(s.id, mask_name(s.name), list(s.categories or []), list(s.skills or []),
                      list(s.desired_positions or []), s.district, s.phone_masked)


def _text(s: JobSeeker) -> str:
    return " ".join([s.name or "", *(s.skills or []), *(s.desired_positions or [])]).lower()


def search(session: Session, words: str = "", category: str | None = None) -> list[SeekerCard]:
    """Active seekers consenting to agency recommendation, matching every word, newest first."""
    rows = session.scalars(
        select(JobSeeker).where(JobSeeker.status == PersonStatus.ACTIVE,
                                JobSeeker.consent_share_with_agencies.is_(True))
        .order_by(JobSeeker.id.desc()).limit(MAX_SCAN))
    terms = [w.lower() for w in words.split()]
    out = []
    for s in rows:
        if category and category not in (s.categories or []):
            continue
        if terms and not all(t in _text(s) for t in terms):
            continue
        out.append(card(s))
    return out


def consenting(session: Session, ids: list[int]) -> dict[int, SeekerCard]:
    """Masked cards of those of ``ids`` who consent to agency recommendation."""
    if not ids:
        return {}
    rows = session.scalars(select(JobSeeker).where(
        JobSeeker.id.in_(ids), JobSeeker.status == PersonStatus.ACTIVE,
        JobSeeker.consent_share_with_agencies.is_(True)))
    return {s.id: card(s) for s in rows}

