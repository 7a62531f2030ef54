"""Scores of search hits computed with numpy from the index's attribute table.

:func:`matcher.matching.ranking.score_pair` scores one (person, vacancy) pair from two rows
read from the database. Reading and scoring a few hundred fetched hits that way cost most of
a recommendation request, so the engine first scores every fetched hit here, from the
slot-aligned table the search already holds, keeps the hits that can reach the top ``k``, and
reads and scores only those with ``score_pair``. Both are calls of the same components
(:mod:`matcher.matching.components`) on different sides, so they differ only in the order
the terms are summed; an estimate further than :data:`TOLERANCE` from the exact score means
the table is behind the database, and the service refreshes that row and searches again.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from matcher.matching import components
from matcher.matching.components import agreement_values
from matcher.matching.profiles import PersonProfile, VacancyProfile
from matcher.matching.sides import person_side, table_side, vacancy_side
from matcher.matching.tables import Table, Vocab
from matcher.matching.weights import WeightsVersion
from matcher.skills import SkillMatcher

#: Largest difference between an estimate and the exact score that is put down to rounding
#: (the two sum the same terms in different orders: about 1e-16 apart).
TOLERANCE = 1e-7

__all__ = ["TOLERANCE", "agreement_values", "people_scores", "vacancy_scores"]


def vacancy_scores(
    p: PersonProfile, rows: Table, sims: np.ndarray, *, weights: WeightsVersion,
    skills: SkillMatcher, vocab: Vocab, today: date, agreements: np.ndarray | None = None,
) -> np.ndarray:
    """Estimated scores of the vacancies in ``rows`` (vacancy table rows) for ``p``
    (``agreements``: the agreement value per row, surplus employees only)."""
    facts = components.pair_facts(person_side(p, vocab, skills), table_side(rows), sims,
                                  today=today, agreements=agreements)
    return components.total(facts, weights)


def people_scores(
    v: VacancyProfile, rows: Table, sims: np.ndarray, *, weights: WeightsVersion,
    skills: SkillMatcher, vocab: Vocab, today: date, agreements: np.ndarray | None = None,
) -> np.ndarray:
    """Estimated scores of the people in ``rows`` (people table rows) for vacancy ``v``
    (``agreements``: the agreement value per row, used for surplus employees)."""
    facts = components.pair_facts(table_side(rows), vacancy_side(v, vocab, skills), sims,
                                  today=today, agreements=agreements)
    return components.total(facts, weights)
