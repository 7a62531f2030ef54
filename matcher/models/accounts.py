"""Users and roles, their named API tokens, the append-only audit log, and the record of
built indexes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from matcher.enums import Role
from matcher.models.base import Base, Timestamps, enum_column, utcnow


class User(Timestamps, Base):
    """A login: a seeker, an enterprise's staff, an agency's staff, or a bureau admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = enum_column(Role)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("hr_agencies.id"))
    seeker_id: Mapped[int | None] = mapped_column(ForeignKey("job_seekers.id"))
    is_active: Mapped[bool] = mapped_column(default=True)
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # Unused since migration 0006 moved it to api_tokens (kept: dropping it rebuilds the table)
    api_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)


class ApiToken(Base):
    """A named API token of one user: only its SHA-256 is stored; revoked ones stay listed."""

    __tablename__ = "api_tokens"
    __table_args__ = (Index("ix_api_tokens_user_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()


class AuditLog(Base):
    """Append-only: database triggers refuse UPDATE and DELETE (see the migration)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class IndexState(Base):
    """The current version of each FAISS index kind, written after an atomic save."""

    __tablename__ = "index_state"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    encoder: Mapped[str] = mapped_column(String(200))
    dim: Mapped[int] = mapped_column(Integer)
    index_type: Mapped[str] = mapped_column(String(32))
    count: Mapped[int] = mapped_column(Integer, default=0)
    built_at: Mapped[datetime] = mapped_column(default=utcnow)
