"""The graduate-subsidy demo: ``small@demo.workbridge.local`` (a small enterprise of the city
with an open vacancy) and ``graduate@demo.workbridge.local`` (a consenting bachelor graduate
of this year), so the subsidy journey runs on a fresh demo city: the enterprise hires the
graduate, the bureau records a month of social insurance, both are told they qualify.

Both are chosen among the generated rows (no row is added, so the city's counts and the
ranking regression's orders stay as they are); the graduate's degree and year are set.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import exists, select

from matcher.accounts.users import create_user
from matcher.enums import PersonStatus, Role, SeekerCategory, SizeClass, VacancyStatus
from matcher.models import Application, Enterprise, JobSeeker, Placement, User, Vacancy
from matcher.runtime import Work
from matcher.subsidy.clock import today as bureau_today

DOMAIN = "demo.workbridge.local"
SMALL_EMAIL, GRADUATE_EMAIL = f"small@{DOMAIN}", f"graduate@{DOMAIN}"


def _small_enterprise(uow: Work) -> int | None:
    """The first approved small enterprise in the city with an open vacancy and no login."""
    return uow.s.scalar(
        select(Enterprise.id).join(Vacancy, Vacancy.enterprise_id == Enterprise.id)
        .where(Enterprise.size_class == SizeClass.SMALL, Enterprise.city == "北京市",
               Enterprise.approval_status == "approved",
               ~exists().where(User.enterprise_id == Enterprise.id),
               Vacancy.status == VacancyStatus.OPEN, Vacancy.headcount > Vacancy.filled)
        .order_by(Enterprise.id).limit(1))


def _graduate(uow: Work) -> JobSeeker | None:
    """The first consenting active seeker with no login, application or placement."""
    for seeker in uow.s.scalars(
            select(JobSeeker).where(
                JobSeeker.status == PersonStatus.ACTIVE, JobSeeker.consent_matching.is_(True),
                ~exists().where(User.seeker_id == JobSeeker.id),
                ~exists().where(Application.seeker_id == JobSeeker.id),
                ~exists().where(Placement.seeker_id == JobSeeker.id))
            .order_by(JobSeeker.id)):
        if SeekerCategory.GRADUATE.value in (seeker.categories or []):
            return seeker
    return None


def seed_graduate_demo(uow: Work, password: str, today: date | None = None) -> dict[str, int]:
    """Create the two logins (skipped when made or when the city has no candidate)."""
    year = (today or bureau_today()).year
    made = 0
    if uow.s.scalar(select(User.id).where(User.email == SMALL_EMAIL)) is None:
        ent = _small_enterprise(uow)
        if ent is not None:
            create_user(uow, email=SMALL_EMAIL, password=password, role=Role.ENTERPRISE,
                        enterprise_id=ent, actor="demo", trusted_demo=True)
            made += 1
    if uow.s.scalar(select(User.id).where(User.email == GRADUATE_EMAIL)) is None:
        seeker = _graduate(uow)
        if seeker is not None:
            seeker.graduation_year, seeker.degree_level = year, "bachelor"
            seeker.consent_share_with_agencies = True
            uow.s.flush()
            create_user(uow, email=GRADUATE_EMAIL, password=password, role=Role.SEEKER,
                        seeker_id=seeker.id, actor="demo", trusted_demo=True)
            made += 1
    return {"graduate_demo_users": made}
