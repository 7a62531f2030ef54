"""Ranking the labelled evaluation set (``matcher/data/eval_matching.json``) with the engine.

:func:`engine_rank` runs the full engine — text, embedding, FAISS index, hard constraints,
weighted ranking — on a temporary SQLite database holding only the evaluation vacancies.
Eval vacancies list ``skills`` without saying which are required, so they are stored as
preferred skills (they score, they do not exclude); all are posted the same day by one
ordinary enterprise without a location, so only the semantic and skill components differ.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from matcher.config import load_settings
from matcher.db import make_engine
from matcher.encoders.base import Encoder
from matcher.index.registry import Registry
from matcher.matching.embedding import embed_people
from matcher.matching.profiles import PersonProfile
from matcher.models import Base, Enterprise, Vacancy
from matcher.recommend.service import recommend_for_profile
from matcher.runtime import Runtime

EVAL_DAY = date(2020, 6, 1)


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(s.strip() for s in value.split(";") if s.strip())
    return tuple(str(s) for s in value)


def seeker_profile(item: Mapping[str, Any]) -> PersonProfile:
    """A not-stored seeker profile from an eval-set seeker."""
    return PersonProfile(
        kind="seeker", id=None, external_id=str(item["id"]),
        desired_positions=_strings(item.get("desired_positions")),
        skills=_strings(item.get("skills")), experience=str(item.get("experience") or ""),
    )


def _store(rt: Runtime, vacancies: Sequence[Mapping[str, Any]]) -> None:
    posted = datetime(EVAL_DAY.year, EVAL_DAY.month, EVAL_DAY.day, tzinfo=UTC)
    with rt.uow() as uow:
        enterprise = Enterprise(external_id="eval", name="eval enterprise")
        uow.s.add(enterprise)
        uow.s.flush()
        for item in vacancies:
            uow.s.add(Vacancy(
                external_id=str(item["id"]), enterprise_id=enterprise.id,
                title=str(item.get("title") or ""), description=str(item.get("description") or ""),
                preferred_skills=list(_strings(item.get("skills"))),
                required_skills=list(_strings(item.get("required_skills"))),
                created_at=posted, updated_at=posted,
            ))
        uow.commit()


def engine_rank(
    seekers: Sequence[Mapping[str, Any]], vacancies: Sequence[Mapping[str, Any]], *,
    encoder: str | Encoder | None = None, index_type: str = "flat", k: int | None = None,
) -> list[list[str]]:
    """For each seeker, the eval vacancy ids ranked best first by the full engine.

    Args:
        seekers: eval-set seekers (``id``, ``desired_positions``, ``skills``, ``experience``).
        vacancies: eval-set vacancies (``id``, ``title``, ``skills``, ``description``).
        encoder: an encoder spec or instance (default: the configured ``WORKBRIDGE_ENCODER``).
        index_type: ``flat``, ``hnsw`` or ``ivf-sq8``.
        k: ranking length (default: all vacancies).

    Returns:
        One list of vacancy ids per seeker, in input order.
    """
    overrides: dict[str, Any] = {"index_type": index_type, "secret_key": "eval"}
    if isinstance(encoder, str):
        overrides["encoder"] = encoder
    with tempfile.TemporaryDirectory(prefix="wb-eval-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'eval.db'}"
        engine = make_engine(url)
        try:
            Base.metadata.create_all(engine)
        finally:
            engine.dispose()
        rt = Runtime(load_settings(database_url=url, index_dir=Path(tmp) / "indexes",
                                   **overrides))
        if encoder is not None and not isinstance(encoder, str):
            rt.set_encoder(encoder)
        rt.index_registry = Registry(rt, sync_interval=None, autosave_interval=None)
        try:
            _store(rt, vacancies)
            profiles = [seeker_profile(s) for s in seekers]
            queries = embed_people(rt.encoder, profiles)
            size = k or len(vacancies)
            return [
                [r.external_id for r in recommend_for_profile(rt, p, k=size, as_of=EVAL_DAY,
                                                              query=queries[i])]
                for i, p in enumerate(profiles)
            ]
        finally:
            rt.dispose()
