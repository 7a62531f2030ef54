"""Text-signal fusion (per-query z-scores, RRF) and the cleaning of noisy posting titles."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.matching.text_score import fused_similarity
from matcher.retrieval.fusion import (
    DEFAULT_FUSION,
    FusionConfig,
    fuse,
    ranks,
    rrf,
    text_scores,
    zscore,
)
from matcher.retrieval.query_clean import clean_query


def test_zscore_is_per_query_and_flat_rows_carry_nothing() -> None:
    z = zscore(np.array([[1.0, 2.0, 3.0], [5.0, 5.0, 5.0]]))
    assert np.allclose(z[0], [-1.2247449, 0.0, 1.2247449])
    assert np.array_equal(z[1], [0.0, 0.0, 0.0])


def test_fusion_is_scale_free_per_signal() -> None:
    dense = np.array([[0.80, 0.82, 0.79]])
    bm25 = np.array([[0.0, 3.0, 12.0]])
    a = fuse({"dense": dense, "lexical": bm25}, {"dense": 1.0, "lexical": 0.5})
    b = fuse({"dense": dense * 10 + 3, "lexical": bm25 / 7}, {"dense": 1.0, "lexical": 0.5})
    assert np.allclose(a, b)


def test_an_uninformative_signal_keeps_the_dense_order() -> None:
    dense = np.array([[0.7, 0.9, 0.8, 0.1]])
    flat = np.full((1, 4), 2.5)
    fused = text_scores({"dense": dense, "dense:title": flat, "lexical": flat})
    assert list(np.argsort(-fused[0])) == list(np.argsort(-dense[0]))


def test_missing_signals_are_skipped_and_none_is_an_error() -> None:
    dense = np.array([[0.2, 0.4]])
    assert np.allclose(fuse({"dense": dense}, DEFAULT_FUSION.weights),
                       DEFAULT_FUSION.weights["dense"] * zscore(dense))
    with pytest.raises(ValueError):
        fuse({"other": dense}, {"dense": 1.0})


def test_rrf_and_ranks() -> None:
    s = np.array([[0.1, 0.9, 0.5]])
    assert ranks(s).tolist() == [[3, 1, 2]]
    got = rrf({"a": s}, {"a": 1.0}, k=60)
    assert np.allclose(got, [[1 / 63, 1 / 61, 1 / 62]])
    assert np.allclose(text_scores({"a": s}, FusionConfig({"a": 1.0}, method="rrf")), got)
    with pytest.raises(ValueError):
        FusionConfig({"a": 1.0}, method="max")


@pytest.mark.parametrize(("noisy", "clean"), [
    ("抖音客服专员（郓城）", "抖音客服专员"),
    ("急招 仓库叉车司机+提成70% 月入3万 不加班", "仓库叉车司机"),
    ("【急徵】總務主管（台北）月薪4萬起 周休二日 雙休", "總務主管"),
    ("销售代表 底薪3000+提成", "销售代表"),
    ("Java开发工程师 15k-25k 双休 五险一金", "Java开发工程师"),
    ("Forklift driver (Night shift) $18-22/hr urgent hiring", "Forklift driver"),
    ("普工", "普工"),
    ("包吃住", "包吃住"),  # nothing but perks: kept as it was
    ("叉车司机", "叉车司机"),
])
def test_clean_query(noisy: str, clean: str) -> None:
    assert clean_query(noisy) == clean


def test_fused_similarity_stays_on_the_cosine_scale() -> None:
    dense = np.array([0.81, 0.84, 0.79, 0.80])
    assert np.array_equal(fused_similarity(dense, {}), dense)
    assert np.array_equal(fused_similarity(dense, {"lexical": np.full(4, 3.0),
                                                   "dense:title": None}), dense)
    lexical = np.array([0.0, 0.0, 9.0, 0.0])  # the third candidate names the job
    got = fused_similarity(dense, {"lexical": lexical})
    assert got[2] > dense[2] and got.max() < 1.0
    full = fuse({"dense": dense[None], "lexical": lexical[None]}, DEFAULT_FUSION.weights)[0]
    assert list(np.argsort(-got)) == list(np.argsort(-full))  # same order as the fusion
