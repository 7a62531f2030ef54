"""Index builds encode each distinct text once (chains post the same job many times) and
still give every entity exactly the vector that encoding its own text would."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from matcher.encoders.fake import HashingEncoder
from matcher.index import builder
from matcher.index.builder import build_live
from matcher.index.kinds import KINDS
from matcher.matching.embedding import ReuseCache, text_hash, vacancy_text
from matcher.matching.tables import Vocab
from matcher.models import Enterprise, Vacancy
from matcher.runtime import Runtime
from matcher.skills import get_skill_matcher


class Counting:
    """Wraps the fake encoder and records every text it embeds."""

    def __init__(self, inner: HashingEncoder):
        self.inner, self.name, self.dim, self.version = inner, inner.name, inner.dim, inner.version
        self.seen: list[str] = []

    def encode_queries(self, texts: Sequence[str], batch_size: int = 64,
                       show_progress: bool = False) -> np.ndarray:
        self.seen.extend(texts)
        return self.inner.encode_queries(texts)

    def encode_documents(self, texts: Sequence[str], batch_size: int = 64,
                         show_progress: bool = False) -> np.ndarray:
        self.seen.extend(texts)
        return self.inner.encode_documents(texts)


def test_cache_encodes_each_text_once_across_and_within_batches() -> None:
    enc = Counting(HashingEncoder())
    items = ["叉车司机", "护士", "叉车司机", "厨师 cook", "护士", "叉车司机", "保安", "厨师 cook"]
    hashes = [text_hash(t) for t in items]
    cache = ReuseCache(hashes)
    parts = [cache.embed(items[lo:lo + 3], hashes[lo:lo + 3], enc.encode_documents)
             for lo in range(0, len(items), 3)]
    assert sorted(enc.seen) == sorted(set(items))
    assert (cache.encoded, cache.reused) == (4, 4)
    np.testing.assert_array_equal(np.concatenate(parts), enc.inner.encode_documents(items))
    assert cache._vectors == {}  # nothing kept once the last repeat was served


def test_cache_rejects_mismatched_hashes() -> None:
    with pytest.raises(ValueError):
        ReuseCache(["a"]).embed(["x", "y"], ["a"], lambda ps: np.zeros((len(ps), 4)))


@pytest.mark.parametrize("index_type", ["flat", "ivf-sq8"])
def test_build_encodes_duplicates_once_with_identical_vectors(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch, index_type: str
) -> None:
    titles = ["仓库叉车司机", "护士 nurse", "快递员 courier", "厨师"]
    with rt.uow() as uow:
        ent = Enterprise(external_id="E", name="e")
        uow.s.add(ent)
        uow.s.flush()
        uow.s.add_all([Vacancy(external_id=f"v{i}", enterprise_id=ent.id,
                               title=titles[i % len(titles)] if i < 36 else f"独立岗位{i}")
                       for i in range(40)])
        uow.commit()
    enc = Counting(HashingEncoder())
    other = Runtime(rt.settings.override(index_type=index_type))
    other.set_encoder(enc)
    monkeypatch.setattr(builder, "BATCH", 7)  # repeats straddle batches
    monkeypatch.setattr(builder, "TRAIN_SAMPLE", 14)
    try:
        live = build_live(other, "vacancies", vocab=Vocab(), skills=get_skill_matcher())
    finally:
        other.dispose()
    assert live.count == 40
    texts = {vacancy_text(p): p for p in _profiles(rt)}
    assert len(enc.seen) == len(set(enc.seen)) == len(texts) == 8
    fresh = HashingEncoder()
    for text, p in texts.items():
        stored = live.vector(p.id)
        assert stored is not None
        expected = fresh.encode_documents([text])[0]
        if index_type == "flat":
            np.testing.assert_array_equal(stored, expected)
        else:  # SQ8 stores a lossy code of the vector: the code of this very vector
            sq = live.base.sq
            np.testing.assert_array_equal(stored, sq.decode(sq.compute_codes(expected[None]))[0])
        assert live.text_hashes[p.id] == text_hash(text)


def _profiles(rt: Runtime) -> list[Any]:
    with rt.uow() as uow:
        return KINDS["vacancies"].load(uow.s)
