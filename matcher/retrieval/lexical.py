"""Lexical scoring: BM25 over character n-grams, for Chinese and English alike.

No segmentation and no dictionary: a text is normalized (NFKC, case-folded) and cut into
runs of Han characters and runs of Latin letters/digits. A Han run gives its character
bigrams (``叉车``, ``车司``, …) and, at a quarter of the weight, its single characters; a Latin
word gives itself (a trailing plural ``s`` dropped) and its character trigrams with word
boundaries (``#fo``, ``for``, …, ``ft#``), so a typo ("forklfit") still shares half of its
terms with the word it misspells. Cross-language matching is not done here: that is the
dense multilingual model's job.

API (small on purpose; :mod:`matcher.vacancies.search` and the ranking core use it)::

    ix = LexicalIndex.build(keys, texts)      # keys: ints, texts: one string per key
    ix.scores("叉车")     # BM25 of every document, in the order of ix.keys (float32)
    ix.coverage("叉车")   # share (0..1) of the query's idf-weighted terms each document has
    ix.top("forklfit", 10)                    # [(key, bm25)] best first, zeros left out
    ix.similar_words("forklfit")              # indexed words within a typo, nearest first
    contained("叉车司机", "仓库叉车司机")      # query pieces found verbatim: ["叉车司机"]
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{HAN}]+|[0-9a-z\u00c0-\u024f]+")
_HAN_RUN = re.compile(rf"^[{HAN}]+$")
UNIGRAM_WEIGHT = 0.25  # a single Han character says little (车 is in 叉车 and in 货车)
TRIGRAM_WEIGHT = 0.35  # each trigram of a word; the whole word counts 1
WORD_PREFIX = "w:"


def normalize(text: str) -> str:
    """NFKC and case folding (full-width letters and digits become ASCII)."""
    return unicodedata.normalize("NFKC", text or "").casefold()


def pieces(text: str) -> list[str]:
    """The runs of a text: Han runs and Latin/digit words, normalized, in order."""
    return _RUN.findall(normalize(text))


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") \
        else word


def weighted_terms(text: str) -> dict[str, float]:
    """The n-gram terms of ``text`` with their weights (see the module docstring)."""
    out: defaultdict[str, float] = defaultdict(float)
    for run in pieces(text):
        if _HAN_RUN.match(run):
            for ch in run:
                out[ch] += UNIGRAM_WEIGHT
            for i in range(len(run) - 1):
                out[run[i:i + 2]] += 1.0
        else:
            word = _stem(run)
            out[WORD_PREFIX + word] += 1.0
            if len(word) >= 3 and not word.isdigit():
                padded = f"#{word}#"
                for i in range(len(padded) - 2):
                    out[padded[i:i + 3]] += TRIGRAM_WEIGHT
    return out


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Optimal-string-alignment distance (a swap of neighbours counts 1), capped at ``limit``."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return min(prev[-1], limit)


def typo_limit(word: str) -> int:
    """Edits tolerated in a word of this length: none below 4 letters, 1 up to 7, else 2."""
    return 0 if len(word) < 4 else 1 if len(word) < 8 else 2


def contained(query: str, text: str) -> list[str]:
    """The query's pieces found verbatim in ``text`` (a Han run not found whole gives its
    longest shared part of two or more characters)."""
    hay = normalize(text)
    words = set(pieces(text))
    found: list[str] = []
    for piece in pieces(query):
        if _HAN_RUN.match(piece):
            if piece in hay:
                found.append(piece)
                continue
            best = ""
            for i in range(len(piece)):
                for j in range(i + len(best) + 1, len(piece) + 1):
                    if j - i >= 2 and piece[i:j] in hay:
                        best = piece[i:j]
            if best:
                found.append(best)
        elif piece in words or _stem(piece) in {_stem(w) for w in words}:
            found.append(piece)
    return list(dict.fromkeys(found))


@dataclass
class LexicalIndex:
    """BM25 (k1, b) over the weighted n-gram terms of a fixed list of documents."""

    keys: np.ndarray  # int64, one per document
    vocab: dict[str, int]
    bm25: sparse.csc_matrix  # documents x terms: the BM25 term weight
    present: sparse.csc_matrix  # documents x terms: 1 where the term occurs
    idf: np.ndarray

    @classmethod
    def build(cls, keys: Sequence[int], texts: Sequence[str], *, k1: float = 1.2,
              b: float = 0.75) -> LexicalIndex:
        """Index ``texts`` (one per key)."""
        vocab: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for r, text in enumerate(texts):
            for term, tf in weighted_terms(text).items():
                rows.append(r)
                cols.append(vocab.setdefault(term, len(vocab)))
                vals.append(tf)
        n = len(texts)
        shape = (n, max(len(vocab), 1))
        tf = sparse.csr_matrix((np.asarray(vals, dtype=np.float32), (rows, cols)), shape=shape)
        dl = np.asarray(tf.sum(axis=1)).ravel()
        norm = k1 * (1 - b + b * dl / (dl.mean() if n and dl.mean() > 0 else 1.0))
        df = np.bincount(np.asarray(cols, dtype=np.int64), minlength=shape[1])
        idf = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
        weight = tf.tocoo()
        data = idf[weight.col] * weight.data * (k1 + 1) / (weight.data + norm[weight.row])
        bm25 = sparse.csc_matrix((data.astype(np.float32), (weight.row, weight.col)),
                                 shape=shape)
        present = sparse.csc_matrix((np.ones_like(weight.data), (weight.row, weight.col)),
                                    shape=shape)
        return cls(np.asarray(keys, dtype=np.int64), vocab, bm25, present, idf)

    def __len__(self) -> int:
        return int(self.keys.shape[0])

    def _query(self, query: str) -> tuple[np.ndarray, np.ndarray, float]:
        """Known term columns, their weights, and the query's whole idf mass."""
        terms = weighted_terms(query)
        unseen_idf = math.log1p((len(self) + 0.5) / 0.5)
        cols, weights, mass = [], [], 0.0
        for term, w in terms.items():
            col = self.vocab.get(term)
            mass += w * (float(self.idf[col]) if col is not None else unseen_idf)
            if col is not None:
                cols.append(col)
                weights.append(w)
        return np.asarray(cols, dtype=np.int64), np.asarray(weights, dtype=np.float32), mass

    def scores(self, query: str) -> np.ndarray:
        """BM25 of every document for ``query`` (float32, in the order of ``keys``)."""
        cols, weights, _ = self._query(query)
        if not len(cols):
            return np.zeros(len(self), dtype=np.float32)
        return np.asarray(self.bm25[:, cols] @ weights, dtype=np.float32).ravel()

    def coverage(self, query: str) -> np.ndarray:
        """Share of the query's idf-weighted terms present in each document (0..1)."""
        cols, weights, mass = self._query(query)
        if not len(cols) or mass <= 0:
            return np.zeros(len(self), dtype=np.float32)
        have = self.present[:, cols] @ (weights * self.idf[cols])
        return np.asarray(have / mass, dtype=np.float32).ravel()

    def top(self, query: str, n: int) -> list[tuple[int, float]]:
        """The ``n`` best (key, BM25) pairs with a score above zero, best first."""
        s = self.scores(query)
        order = np.argsort(-s, kind="stable")[:n]
        return [(int(self.keys[i]), float(s[i])) for i in order if s[i] > 0]

    def similar_words(self, word: str, n: int = 3) -> list[str]:
        """Indexed words within :func:`typo_limit` edits of ``word``, nearest first."""
        word = _stem(normalize(word).strip())
        limit = typo_limit(word)
        if not limit:
            return []
        near = []
        for term in self.vocab:
            if term.startswith(WORD_PREFIX) and term != WORD_PREFIX + word:
                other = term[len(WORD_PREFIX):]
                d = edit_distance(word, other, limit + 1)
                if d <= limit:
                    near.append((d, -len(other), other))
        return [w for *_, w in sorted(near)[:n]]
