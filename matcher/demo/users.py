"""One demo login per role, for ``workbridge demo seed`` and local trials; a registered
enterprise waiting for approval and a registered-unemployed seeker agencies may recommend."""

from __future__ import annotations

import os
import secrets

from sqlalchemy import select

from matcher.accounts import actions as accounts
from matcher.accounts.registration import Registration
from matcher.accounts.users import UserView, create_user, set_password
from matcher.config import Settings
from matcher.db import UnitOfWork
from matcher.enums import PersonStatus, Role, SeekerCategory
from matcher.errors import Refused
from matcher.models import Enterprise, HRAgency, JobSeeker, User
from matcher.runtime import Work
from matcher.seekers import actions as seekers
from matcher.seekers.services import SeekerInput
from matcher.validators import make_credit_code
from matcher.words import msg

DEMO_PASSWORD_ENV = "WORKBRIDGE_DEMO_PASSWORD"
DEMO_DOMAIN = "demo.workbridge.local"


def demo_password(settings: Settings, environ: dict[str, str] | None = None) -> str:
    """WORKBRIDGE_DEMO_PASSWORD, or ``demo`` only when WORKBRIDGE_ENV=development."""
    env = os.environ if environ is None else environ
    password = env.get(DEMO_PASSWORD_ENV, "")
    if password:
        return password
    if settings.env != "development":
        raise Refused(msg("Set %(name)s outside development.", name=DEMO_PASSWORD_ENV),
                      code="demo_password")
    return "demo"


def create_demo_users(uow: UnitOfWork, password: str, *, accounts: bool = True
                      ) -> list[UserView]:
    """Create ``<role>@demo.workbridge.local`` for each role (skipping existing ones).

    The enterprise, agency and seeker users are linked to the first such record (lowest id);
    with ``accounts`` also the registrations of :func:`create_account_demo`.
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
                                actor="demo", trusted_demo=True, **link))
    if accounts and isinstance(uow, Work):
        made.extend(create_account_demo(uow, password))
    return made


UNEMPLOYED = SeekerInput(
    external_id="demo-unemployed-1", name="王建国",
    desired_positions=("仓库叉车司机", "仓库管理员"),
    skills=("叉车", "仓库管理", "forklift license"), experience="物流仓库叉车司机五年",
    district="朝阳区", travel_km=15.0, categories=(SeekerCategory.REGISTERED_UNEMPLOYED.value,),
    consent_matching=True, consent_share_with_agencies=True)


#: what :func:`create_account_demo` adds to the generated city
EXTRA_ENTERPRISES, EXTRA_SEEKERS = 1, 1


def create_account_demo(uow: Work, password: str) -> list[UserView]:
    """Through the public actions: a pending enterprise for the admin's approval desk, and a
    registered-unemployed seeker who consents to agency recommendation (both skipped if made)."""
    made = []
    initial = secrets.token_urlsafe(16)  # passes the policy; the demo password is set below
    email = f"pending-enterprise@{DEMO_DOMAIN}"
    if uow.s.scalar(select(User.id).where(User.email == email)) is None:
        made.append(accounts.register_organisation(uow, Registration(
            kind="enterprise", email=email, password=initial, name="朝阳新锐物流有限公司",
            credit_code=make_credit_code("110105", 987654), district="朝阳区")))
    email = f"unemployed@{DEMO_DOMAIN}"
    if uow.s.scalar(select(User.id).where(User.email == email)) is None:
        made.append(seekers.sign_up_seeker(uow, seekers.SignUp(email, initial, UNEMPLOYED)))
    for user in made:  # the documented demo password, which the policy would refuse
        set_password(uow, user.id, password, actor="demo", trusted_demo=True)
    return made
