"""Uninformative non-text components do not change the text order (public dev data, real e5).

When every candidate has the same distance, key tier, urgency, posting day and (no) skills,
the engine's ranking (database, FAISS, constraints, weighted components) must be the order of
the text similarity alone: the components may only add the same amount to every score.
With the lexical fusion on (``WORKBRIDGE_TEXT_FUSION=1``) the text similarity is the fused
one (:func:`~matcher.matching.text_score.fused_similarity` of the cosine and BM25 over all
docs, which the engine fetches whole at these sizes).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest

from matcher.enums import KeyTier, Urgency
from matcher.eval_metrics import load_devset
from matcher.index.lexical_index import row_text
from matcher.matching import text_score
from matcher.matching.embedding import embed_people, embed_vacancies, person_text
from matcher.matching.profiles import VacancyProfile
from matcher.recommend.evaluation import EVAL_DAY, devset_engine_rank, devset_parts, seeker_profile
from matcher.retrieval.lexical import LexicalIndex

QUERIES = 30  # per set: enough to cover many orders, a few seconds of encoding

SAME: list[dict[str, Any]] = [
    {},  # the defaults: no location (unknown distance), ordinary enterprise, normal urgency
    {"key_tier": KeyTier.KEY, "urgency": Urgency.URGENT, "latitude": 39.9, "longitude": 116.4,
     "district": "朝阳区", "posted": EVAL_DAY - timedelta(days=9)},
]


def _subset(name: str) -> dict[str, Any]:
    data = load_devset(name)
    picked = [q for q in data["queries"] if q["split"] == "tune"][::7][:QUERIES]
    return {**data, "queries": picked}


def _text_similarity(rt: Any, data: dict[str, Any], fusion: bool
                     ) -> tuple[np.ndarray, list[str]]:
    """The engine's text signal for every (query, doc), computed outside the engine."""
    seekers, vacancies = devset_parts(data)
    people = [seeker_profile(s) for s in seekers]
    docs = [VacancyProfile(id=None, external_id=v["id"], title=v["title"],
                           description=v["description"]) for v in vacancies]
    q = embed_people(rt.encoder, people).astype(np.float64)
    d = embed_vacancies(rt.encoder, docs).astype(np.float64)
    sims = q @ d.T
    if fusion:
        lexical = LexicalIndex.build(range(len(docs)), [row_text("vacancies", v) for v in docs])
        asked = [text_score.engine_query(person_text(p)) for p in people]
        sims = np.stack([text_score.fused_similarity(
            sims[i], {text_score.LEXICAL: lexical.scores(text)}, text_score.engine_fusion(text))
            for i, text in enumerate(asked)])
    return sims, [v["id"] for v in vacancies]


@pytest.mark.parametrize("fusion", [False, True], ids=["cosine", "fused"])
@pytest.mark.parametrize("name", ["zh_104", "en_ons"])
def test_uniform_non_text_values_keep_the_text_order(rt_e5: Any, name: str, fusion: bool,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(text_score.FUSION_ENV, "1" if fusion else "0")
    data = _subset(name)
    sims, ids = _text_similarity(rt_e5, data, fusion)
    column = {doc_id: j for j, doc_id in enumerate(ids)}
    for same in SAME:
        ranked = devset_engine_rank(data, encoder=rt_e5.encoder, same=same,
                                    as_of=date(2020, 6, 10))
        for i, order in enumerate(ranked):
            assert sorted(order) == sorted(ids)  # every doc ranked, none excluded
            got = sims[i, [column[doc_id] for doc_id in order]]
            # non-increasing text similarity along the engine's order (float32 FAISS vs
            # float64 here: a swap of two docs closer than 1e-5 is not an order change)
            assert np.all(np.diff(got) <= 1e-5), (name, same, data["queries"][i]["text"])
            assert order[0] == ids[int(np.argmax(sims[i]))] or \
                sims[i].max() - got[0] <= 1e-5
