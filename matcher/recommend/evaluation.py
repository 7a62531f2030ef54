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
#: A development-set query longer than this is a duty description (experience), else a title.
LONG_QUERY_CHARS = 60


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


def _store(rt: Runtime, vacancies: Sequence[Mapping[str, Any]],
           same: Mapping[str, Any] | None = None) -> None:
    """Store the vacancies under one enterprise; ``same`` gives every vacancy the same value of
    the non-text attributes it names (``key_tier``, ``urgency``, ``latitude``, ``longitude``,
    ``district``, ``posted``: a date)."""
    same = dict(same or {})
    day = same.pop("posted", EVAL_DAY)
    posted = datetime(day.year, day.month, day.day, tzinfo=UTC)
    tier = same.pop("key_tier", None)
    with rt.uow() as uow:
        enterprise = Enterprise(external_id="eval", name="eval enterprise",
                                **({"key_tier": tier} if tier is not None else {}))
        uow.s.add(enterprise)
        uow.s.flush()
        for item in vacancies:
            uow.s.add(Vacancy(
                external_id=str(item["id"]), enterprise_id=enterprise.id,
                title=str(item.get("title") or ""), description=str(item.get("description") or ""),
                preferred_skills=list(_strings(item.get("skills"))),
                required_skills=list(_strings(item.get("required_skills"))),
                created_at=posted, updated_at=posted, **same,
            ))
        uow.commit()


def engine_rank(
    seekers: Sequence[Mapping[str, Any]], vacancies: Sequence[Mapping[str, Any]], *,
    encoder: str | Encoder | None = None, index_type: str = "flat", k: int | None = None,
    same: Mapping[str, Any] | None = None, as_of: date = EVAL_DAY,
) -> list[list[str]]:
    """For each seeker, the eval vacancy ids ranked best first by the full engine.

    Args:
        seekers: eval-set seekers (``id``, ``desired_positions``, ``skills``, ``experience``).
        vacancies: eval-set vacancies (``id``, ``title``, ``skills``, ``description``).
        encoder: an encoder spec or instance (default: the configured ``WORKBRIDGE_ENCODER``).
        index_type: ``flat``, ``hnsw`` or ``ivf-sq8``.
        k: ranking length (default: all vacancies).
        same: non-text attributes every vacancy shares (see :func:`_store`).
        as_of: the ranking day.

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
            _store(rt, vacancies, same)
            profiles = [seeker_profile(s) for s in seekers]
            queries = embed_people(rt.encoder, profiles)
            size = k or len(vacancies)
            return [
                [r.external_id for r in recommend_for_profile(rt, p, k=size, as_of=as_of,
                                                              query=queries[i])]
                for i, p in enumerate(profiles)
            ]
        finally:
            rt.dispose()


def devset_parts(data: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A public development set as eval seekers and vacancies: each doc is a vacancy (its title,
    the rest of its text as description), each query a seeker (a long text is the experience,
    a short one the desired position)."""
    vacancies = [{"id": d["id"], "title": d["title"],
                  "description": d["text"] if d["text"] != d["title"] else ""}
                 for d in data["docs"]]
    seekers = []
    for q in data["queries"]:
        long_text = len(q["text"]) > LONG_QUERY_CHARS
        seekers.append({"id": q["id"], "desired_positions": [] if long_text else [q["text"]],
                        "experience": q["text"] if long_text else ""})
    return seekers, vacancies


def devset_engine_rank(data: Mapping[str, Any], **kwargs: Any) -> list[list[str]]:
    """The engine's ranking of a development set's docs for each of its queries."""
    seekers, vacancies = devset_parts(data)
    return engine_rank(seekers, vacancies, **kwargs)
