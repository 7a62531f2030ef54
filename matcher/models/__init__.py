"""SQLAlchemy 2 typed models; the database is workbridge's source of truth."""

from matcher.models.accounts import ApiToken, AuditLog, IndexState, User
from matcher.models.applications import Application, Notification
from matcher.models.base import Base
from matcher.models.bureau import (
    Cohort,
    CohortMember,
    CohortRegistration,
    DispatchAssignment,
    DispatchProposal,
    EnterpriseRiskReport,
    LaborGap,
    OutboxMessage,
    WatchEntry,
)
from matcher.models.embeddings import Embedding, IndexChange
from matcher.models.enterprise import Enterprise, HRAgency
from matcher.models.jobs import Job, JobStatus
from matcher.models.lending import AckLink, Agreement, AgreementEmployee, BorrowingRequest
from matcher.models.people import JobSeeker, SurplusEmployee
from matcher.models.subsidy import (
    LedgerEntry,
    Placement,
    Recommendation,
    SubsidyCapCounter,
    SubsidyClaim,
    SubsidyRule,
)
from matcher.models.vacancy import Vacancy

__all__ = [
    "AckLink",
    "ApiToken",
    "Agreement",
    "Application",
    "AgreementEmployee",
    "AuditLog",
    "Base",
    "BorrowingRequest",
    "Cohort",
    "CohortMember",
    "CohortRegistration",
    "DispatchAssignment",
    "DispatchProposal",
    "Embedding",
    "EnterpriseRiskReport",
    "LaborGap",
    "OutboxMessage",
    "WatchEntry",
    "Enterprise",
    "HRAgency",
    "IndexChange",
    "IndexState",
    "Job",
    "JobStatus",
    "JobSeeker",
    "LedgerEntry",
    "Notification",
    "Placement",
    "Recommendation",
    "SubsidyCapCounter",
    "SubsidyClaim",
    "SubsidyRule",
    "SurplusEmployee",
    "User",
    "Vacancy",
]
