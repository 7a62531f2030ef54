"""The engine's text signal fuses the FAISS cosine with lexical BM25 of the fetched hits.

Fake encoder: a query placed at equal cosine from two vacancies is decided by the words it
shares with one of them; a query sharing no word with any vacancy ranks exactly as the plain
cosine does; an edited vacancy text reaches the lexical scores on the next request, in this
process and in another one (read-your-writes, as for the FAISS deltas).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from matcher.index.lexical_index import SlotLexicon, row_text
from matcher.index.registry import Registry
from matcher.matching.profiles import VacancyProfile
from matcher.models import Enterprise
from matcher.recommend.evaluation import seeker_profile
from matcher.recommend.service import MatchResult, recommend_for_profile
from matcher.retrieval.lexical import LexicalIndex
from matcher.runtime import Runtime
from matcher.vacancies.services import VacancyInput, edit_vacancy, post_vacancy

TODAY = date(2026, 6, 1)
TITLES = ["厨师 cook", "仓库叉车司机 forklift driver", "护士 nurse", "保安 security guard",
          "电工 electrician", "收银员 cashier", "快递员 courier"]


def _post(rt: Runtime, titles: list[str]) -> list[int]:
    with rt.uow() as uow:
        ent = Enterprise(external_id="E", name="E")
        uow.s.add(ent)
        uow.s.flush()
        ids = [post_vacancy(rt, uow, VacancyInput(external_id=f"v{i}", enterprise_id=ent.id,
                                                  title=t), actor="t").id
               for i, t in enumerate(titles)]
        uow.commit()
    return ids


def _use(rt: Runtime, *, lexical: bool) -> Registry:
    rt.index_registry = Registry(rt, sync_interval=None, autosave_interval=None,
                                 lexical=lexical)
    return rt.index_registry


def _ranked(rt: Runtime, text: str, query: np.ndarray | None = None) -> list[MatchResult]:
    person = seeker_profile({"id": "q", "desired_positions": [text]})
    return recommend_for_profile(rt, person, k=len(TITLES), as_of=TODAY, query=query)


def _twin_query(reg: Registry, a: int, b: int) -> np.ndarray:
    """A unit vector at the same cosine from vacancies ``a`` and ``b``."""
    va, vb = reg.vector("vacancies", a), reg.vector("vacancies", b)
    assert va is not None and vb is not None
    q = va.astype(np.float64) + vb.astype(np.float64)
    return (q / np.linalg.norm(q)).astype(np.float32)


def test_shared_words_rank_a_vacancy_above_its_equal_cosine_twin(rt: Runtime) -> None:
    cook, forklift, *_ = _post(rt, TITLES)
    plain = _use(rt, lexical=False)
    q = _twin_query(plain, cook, forklift)
    before = {r.vacancy_id: r.components["semantic"]["value"] for r in _ranked(rt, "叉车司机", q)}
    assert before[cook] == pytest.approx(before[forklift], abs=1e-6)  # a tie on the cosine
    _use(rt, lexical=True)
    got = _ranked(rt, "叉车司机", q)
    sem = {r.vacancy_id: r.components["semantic"]["value"] for r in got}
    assert got[0].vacancy_id == forklift and sem[forklift] > sem[cook] + 1e-3
    assert all(0.0 <= v < 1.0 for v in sem.values())  # still a similarity
    assert [r.score for r in got] == sorted((r.score for r in got), reverse=True)


def test_an_uninformative_lexical_signal_changes_nothing(rt: Runtime) -> None:
    _post(rt, TITLES)
    _use(rt, lexical=False)
    plain = [(r.vacancy_id, r.score, r.components) for r in _ranked(rt, "qqzzk")]
    _use(rt, lexical=True)
    fused = [(r.vacancy_id, r.score, r.components) for r in _ranked(rt, "qqzzk")]
    assert len(plain) == len(TITLES) and fused == plain


def _lexical_of(reg: Registry, text: str, key: int) -> float:
    hits, lexical = reg.search_texts("vacancies", np.ones(reg.rt.encoder.dim, np.float32),
                                     lambda table, vocab: table.col("live").copy(), 50,
                                     text=text)
    assert lexical is not None
    return float(lexical[hits.keys.tolist().index(key)])


def test_an_edited_text_reaches_the_lexical_scores_on_the_next_request(rt: Runtime) -> None:
    cook, *_ = _post(rt, TITLES)
    here = _use(rt, lexical=True)
    there = Registry(rt, sync_interval=None, autosave_interval=None, lexical=True)
    assert _lexical_of(here, "焊工 welder", cook) == 0.0 == _lexical_of(there, "焊工 welder", cook)
    with rt.uow() as uow:
        edit_vacancy(rt, uow, cook, {"title": "焊工 welder"}, actor="t")
        uow.commit()
    assert _lexical_of(here, "焊工 welder", cook) > 0.0  # this process: applied after commit
    assert _lexical_of(there, "焊工 welder", cook) > 0.0  # another one: on its next read
    assert _lexical_of(there, "厨师 cook", cook) == 0.0  # the old text is gone


def test_slot_lexicon_is_bm25_of_the_live_rows() -> None:
    texts = ["仓库叉车司机", "forklift driver, warehouse", "护士 nurse", "厨师 cook", "电工",
             "叉车 forklift operator (night shift)"]
    lex = SlotLexicon.build(texts)
    lex.set(3, "焊工 welder")  # replaced: more terms, a new run
    lex.set(1, "forklift driver")  # replaced: fewer terms, written over its old run
    lex.clear(4)  # a dead slot
    lex.append(["快递员 courier"])
    now = {0: texts[0], 1: "forklift driver", 2: texts[2], 3: "焊工 welder", 5: texts[5],
           6: "快递员 courier"}
    ref = LexicalIndex.build(list(now), list(now.values()))
    slots = np.array(list(now))
    compact = lex.take(slots)
    for query in ["叉车司机", "forklift", "welder 焊工", "courier", "nothing here"]:
        want = ref.scores(query)
        assert np.allclose(lex.scores(query, slots), want, atol=1e-5)
        assert np.allclose(compact.scores(query, np.arange(len(slots))), want, atol=1e-5)


def test_the_labels_of_a_vacancy_text_are_not_matched() -> None:
    """``描述 Description:`` is in every vacancy text: "station" must not match it."""
    vacancy = VacancyProfile(id=None, external_id="v", title="仓库叉车司机",
                             description="负责仓库货物装卸")
    text = row_text("vacancies", vacancy)
    assert "仓库叉车司机" in text and "Description" not in text and "Job" not in text
    lex = SlotLexicon.build([text])
    assert lex.scores("line cook, wok station", np.arange(1))[0] == 0.0
