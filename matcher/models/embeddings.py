"""Stored text vectors (one per entity, encoder and text) and the per-kind index change log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from matcher.models.base import Base, utcnow


class Embedding(Base):
    """The vector of one indexed entity's text under one encoder version.

    ``kind`` is an index kind (``vacancies``, ``people``), ``key`` its index key (people:
    seeker id, or 2^40 + id for surplus staff), ``encoder_id`` the encoder's name and version
    digest (:func:`matcher.index.vector_store.encoder_id`), ``text_hash`` the digest of the
    text embedded, ``vector`` the little-endian float32 bytes of the unit vector.
    """

    __tablename__ = "embeddings"
    __table_args__ = (
        Index("ix_embeddings_kind_encoder_id_text_hash", "kind", "encoder_id", "text_hash"),
    )

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    encoder_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(16))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class IndexChange(Base):
    """One change to an indexed entity, appended in the writing transaction; ``seq`` orders
    them. A worker whose index has seen ``seq`` N applies the rows after N (key -1: all)."""

    __tablename__ = "index_changes"
    __table_args__ = (Index("ix_index_changes_kind_seq", "kind", "seq"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(default=utcnow)
