"""A job seeker's own data, as one JSON-ready document (the owner sees identifiers in clear)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import select

from matcher.db import UnitOfWork
from matcher.enums import PersonStatus
from matcher.errors import NotFound
from matcher.models import JobSeeker
from matcher.models.subsidy import Placement, Recommendation
from matcher.runtime import Runtime
from matcher.seekers.services import SeekerView
from matcher.subsidy.views import PlacementView, RecommendationView
from matcher.words import msg

PROFILE_FIELDS = (
    "external_id", "name", "district", "latitude", "longitude", "travel_km", "skills",
    "experience", "desired_positions", "categories", "graduation_year", "degree_level",
    "origin_province",
    "available_from", "available_to", "consent_matching", "consent_share_with_agencies",
    "status", "created_at", "updated_at",
)


def export_seeker(rt: Runtime, uow: UnitOfWork, seeker_id: int) -> dict[str, Any]:
    """Everything stored about one seeker: profile, recommendations, placements."""
    seeker = uow.s.get(JobSeeker, seeker_id)
    if seeker is None or seeker.status == PersonStatus.DELETED:
        raise NotFound(msg("No job seeker %(id)s.", id=seeker_id))
    profile = {name: getattr(seeker, name) for name in PROFILE_FIELDS}
    profile["status"] = str(seeker.status)
    profile["id_number"] = rt.cipher.decrypt(seeker.id_number_enc)
    profile["phone"] = rt.cipher.decrypt(seeker.phone_enc)
    recs = uow.s.scalars(select(Recommendation).where(Recommendation.seeker_id == seeker_id)
                         .order_by(Recommendation.id))
    placements = uow.s.scalars(select(Placement).where(Placement.seeker_id == seeker_id)
                               .order_by(Placement.id))
    return {
        "profile": profile,
        "recommendations": [asdict(RecommendationView.of(r)) for r in recs],
        "placements": [asdict(PlacementView.of(p)) for p in placements],
    }


def own_profile(uow: UnitOfWork, seeker_id: int) -> SeekerView:
    """The seeker's profile as the seeker services show it (identifiers masked)."""
    s = uow.s.get(JobSeeker, seeker_id)
    if s is None or s.status == PersonStatus.DELETED:
        raise NotFound(msg("No job seeker %(id)s.", id=seeker_id))
    return SeekerView(
        id=s.id, external_id=s.external_id, name=s.name, id_number_masked=s.id_number_masked,
        phone_masked=s.phone_masked, status=str(s.status), consent_matching=s.consent_matching,
        skills=tuple(s.skills or ()), desired_positions=tuple(s.desired_positions or ()),
    )
