"""Hand-computed checks of the evaluation metrics; the eval set and the embedded texts."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from matcher import texts
from matcher.eval_metrics import (
    accuracy_at_1,
    eval_relevance,
    evaluate,
    load_eval_set,
    mrr_at_k,
    ndcg_at_k,
    rank_ids,
    recall_at_k,
    relevant_sets,
)

RANKED = ["a", "x", "b", "y", "c"]
RELEVANT = {"a", "b", "c", "d"}


def test_accuracy_at_1() -> None:
    assert accuracy_at_1(RANKED, RELEVANT) == 1.0
    assert accuracy_at_1(["x", "a"], RELEVANT) == 0.0
    assert accuracy_at_1([], RELEVANT) == 0.0


def test_recall_at_k() -> None:
    assert recall_at_k(RANKED, RELEVANT, k=10) == pytest.approx(3 / 4)
    assert recall_at_k(RANKED, RELEVANT, k=2) == pytest.approx(1 / 4)
    assert recall_at_k(RANKED, set(), k=10) == 0.0


def test_mrr_at_k() -> None:
    assert mrr_at_k(["x", "y", "b"], RELEVANT, k=10) == pytest.approx(1 / 3)
    assert mrr_at_k(["x", "y", "b"], RELEVANT, k=2) == 0.0


def test_ndcg_at_k_hand_computed() -> None:
    # hits at ranks 1, 3, 5; ideal has 4 hits at ranks 1-4
    dcg = 1 + 1 / math.log2(4) + 1 / math.log2(6)
    idcg = 1 + 1 / math.log2(3) + 1 / math.log2(4) + 1 / math.log2(5)
    assert ndcg_at_k(RANKED, RELEVANT, k=10) == pytest.approx(dcg / idcg)
    assert ndcg_at_k(["a", "b"], {"a", "b"}, k=10) == pytest.approx(1.0)
    assert ndcg_at_k(["x"], {"a"}, k=10) == 0.0


def test_evaluate_averages_over_queries() -> None:
    result = evaluate([["a", "x"], ["x", "b"]], [{"a"}, {"b"}], k=10)
    assert result["acc@1"] == pytest.approx(0.5)
    assert result["recall@10"] == pytest.approx(1.0)
    assert result["mrr@10"] == pytest.approx((1 + 0.5) / 2)
    assert result["ndcg@10"] == pytest.approx((1 + 1 / math.log2(3)) / 2)
    with pytest.raises(ValueError):
        evaluate([["a"]], [], k=10)


def test_rank_ids_best_first_with_stable_ties() -> None:
    scores = np.array([[0.1, 0.9, 0.5], [0.3, 0.3, 0.2]])
    assert rank_ids(scores, ["p", "q", "r"]) == [["q", "r", "p"], ["p", "q", "r"]]
    assert rank_ids(scores, ["p", "q", "r"], k=1) == [["q"], ["p"]]
    with pytest.raises(ValueError):
        rank_ids(scores, ["p", "q"])


def test_relevant_sets_by_group() -> None:
    docs = [("v1", "cook"), ("v2", "nurse"), ("v3", "cook")]
    assert relevant_sets([["cook"], ["nurse", "cook"]], docs) == [{"v1", "v3"}, {"v1", "v2", "v3"}]


# ------------------------------------------------- the eval set and the embedded texts


def test_eval_set_is_consistent() -> None:
    data = load_eval_set()
    families = {f["id"] for f in data["families"]}
    vacancy_ids = [v["id"] for v in data["vacancies"]]
    assert len(vacancy_ids) == len(set(vacancy_ids)) and 150 <= len(vacancy_ids) <= 250
    assert 80 <= len(data["seekers"]) <= 120
    assert {v["family"] for v in data["vacancies"]} <= families
    for seeker, rel in zip(data["seekers"], eval_relevance(data), strict=True):
        assert seeker["family"] in seeker["relevant_families"]
        assert rel, f"{seeker['id']} has no relevant vacancy"
    assert {s["lang"] for s in data["seekers"]} == {"zh", "en", "mixed"}


def test_eval_set_json_matches_its_source() -> None:
    root = Path(__file__).resolve().parent.parent
    script = root / "scripts" / "eval_matching_data.py"
    subprocess.run([sys.executable, str(script), "--check"], check=True, timeout=60)


def test_vacancy_text_labels_fields_and_skips_empty_ones() -> None:
    text = texts.vacancy_text(
        " 仓库叉车司机 ", ["叉车证", "叉车证", " "], "负责装卸。\n五险一金", ["Excel"]
    )
    assert text == (
        "职位 Job: 仓库叉车司机\n技能 Skills: 叉车证; Excel\n描述 Description: 负责装卸。 五险一金"
    )
    assert texts.vacancy_text("Welder") == "职位 Job: Welder"
    long = texts.vacancy_text("Cook", None, "x" * 5000)
    assert len(long) < texts.MAX_FREE_TEXT_CHARS + 50


def test_person_texts_are_plain_joins() -> None:
    seeker = texts.seeker_text(["叉车司机", "forklift"], ["N1证"], " 开过五年叉车 ")
    assert seeker == "叉车司机; forklift. N1证. 开过五年叉车"
    assert texts.surplus_employee_text(["焊工证"], "六年电焊") == "焊工证. 六年电焊"
    record = {"desired_positions": ["cook"], "skills": ["grill"], "experience": ""}
    assert texts.person_text_of(record) == "cook. grill"
    vacancy = {"title": "Cook", "required_skills": ["grill"], "description": None}
    assert texts.vacancy_text_of(vacancy) == "职位 Job: Cook\n技能 Skills: grill"
