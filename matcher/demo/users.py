"""One demo login per role, for ``workbridge demo seed`` and local trials."""

from __future__ import annotations

import os

from sqlalchemy import select

from matcher.accounts.users import UserView, create_user
from matcher.config import Settings
from matcher.db import UnitOfWork
from matcher.enums import PersonStatus, Role
from matcher.errors import Refused
from matcher.models import Enterprise, HRAgency, JobSeeker, User

DEMO_PASSWORD_ENV = "WORKBRIDGE_DEMO_PASSWORD"
DEMO_DOMAIN = "demo.workbridge.local"


def demo_password(settings: Settings, environ: dict[str, str] | None = None) -> str:
    """WORKBRIDGE_DEMO_PASSWORD, or ``demo`` only when WORKBRIDGE_ENV=development."""
    env = os.environ if environ is None else environ
    password = env.get(DEMO_PASSWORD_ENV, "")
    if password:
        return password
    if settings.env != "development":
        raise Refused(f"set {DEMO_PASSWORD_ENV} outside development", code="demo_password")
    return "demo"


def create_demo_users(uow: UnitOfWork, password: str) -> list[UserView]:
    """Create ``<role>@demo.workbridge.local`` for each role (skipping existing ones).

    The enterprise, agency and seeker users are linked to the first such record (lowest id).
    """
    first = {
        Role.ENTERPRISE: uow.s.scalar(select(Enterprise.id).order_by(Enterprise.id).limit(1)),
        Role.AGENCY: uow.s.scalar(select(HRAgency.id).order_by(HRAgency.id).limit(1)),
        Role.SEEKER: uow.s.scalar(select(JobSeeker.id).where(
            JobSeeker.status == PersonStatus.ACTIVE).order_by(JobSeeker.id).limit(1)),
    }
    made = []
    for role in Role:
        email = f"{role.value}@{DEMO_DOMAIN}"
        if uow.s.scalar(select(User.id).where(User.email == email)) is not None:
            continue
        if role != Role.ADMIN and first[role] is None:
            continue
        link = {"enterprise_id": first[Role.ENTERPRISE]} if role == Role.ENTERPRISE else \
            {"agency_id": first[Role.AGENCY]} if role == Role.AGENCY else \
            {"seeker_id": first[Role.SEEKER]} if role == Role.SEEKER else {}
        made.append(create_user(uow, email=email, password=password, role=role,
                                actor="demo", **link))
    return made
