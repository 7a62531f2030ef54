"""Lexical (BM25, character n-gram) term rows kept beside a FAISS index, slot by slot.

A :class:`SlotLexicon` holds, for every slot of a :class:`~matcher.index.live.LiveIndex`,
the weighted n-gram terms of the text that slot's vector was embedded from
(:func:`matcher.retrieval.lexical.weighted_terms`): their columns and term frequencies in two
flat arrays that only grow, each slot pointing at its run. Appending a slot, replacing its
text or clearing it costs the row's own terms (document frequencies and the total length are
kept up to date, so idf and the average length are those of the live rows); a replaced text
is written over its old run when it fits, else appended (the old run stays in the arrays
until the index is compacted: :meth:`SlotLexicon.take`).

:meth:`SlotLexicon.scores` is BM25 (the same k1, b, idf and terms as
:class:`~matcher.retrieval.lexical.LexicalIndex`) of one query against only the given slots:
the rows of the candidates FAISS fetched are gathered and matched against the query's few
term columns, all vectorized (about 0.2 ms for 400 candidates). It never reads the database
and never encodes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from matcher import texts
from matcher.index.kinds import KINDS
from matcher.retrieval.lexical import weighted_terms

K1 = 1.2
B = 0.75
#: The text of a row the lexicon holds: ``embedded`` (the fields its vector was embedded
#: from) or ``title`` (vacancies: title and skills; people: desired positions and skills).
ROW_TEXT = "embedded"


def vacancy_words(p: Any, *, description: bool = True) -> str:
    """A vacancy's embedded fields without their labels (``职位 Job:``, ``描述 Description:``
    are in every vacancy and would match any text sharing their letters)."""
    f = texts.vacancy_fields(p.title, p.required_skills, p.description if description else None,
                             p.preferred_skills)
    return "\n".join(v for v in (f["title"], f["skills"], f["description"]) if v)


def row_text(kind: str, p: Any) -> str:
    """The text of profile ``p`` (of index ``kind``) the lexicon holds (see :data:`ROW_TEXT`)."""
    if kind == "vacancies":
        return vacancy_words(p, description=ROW_TEXT != "title")
    if ROW_TEXT == "title":
        return texts.seeker_text(p.desired_positions, p.skills, None)
    return KINDS[kind].text(p)  # people's texts carry no labels


def _grown(a: np.ndarray, need: int) -> np.ndarray:
    """``a`` with room for at least ``need`` entries (doubling; new entries zero)."""
    if need <= len(a):
        return a
    out = np.zeros(max(need, 2 * len(a), 64), dtype=a.dtype)
    out[: len(a)] = a
    return out


class SlotLexicon:
    """BM25 term rows by slot (see the module docstring); no locking (the registry's)."""

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self._df = np.zeros(0, dtype=np.int64)  # live rows holding each term column
        self._start = np.zeros(0, dtype=np.int64)  # by slot: first entry of its run
        self._len = np.zeros(0, dtype=np.int64)  # by slot: entries of its run (0: empty)
        self._dl = np.zeros(0, dtype=np.float64)  # by slot: weighted length of its text
        self._cols = np.zeros(0, dtype=np.int32)
        self._tf = np.zeros(0, dtype=np.float32)
        self.rows = 0  # slots
        self._used = 0  # entries of the flat arrays in use (garbage included)
        self.docs = 0  # non-empty rows
        self._total_dl = 0.0

    @classmethod
    def build(cls, texts: Sequence[str | None]) -> SlotLexicon:
        """A lexicon of one row per text (None: an empty row, e.g. a dead slot)."""
        out = cls()
        out.append(texts)
        return out

    def _terms(self, text: str | None) -> tuple[np.ndarray, np.ndarray]:
        """Term columns (new terms get one) and weights of ``text``."""
        terms = weighted_terms(text) if text else {}
        cols = np.fromiter((self.vocab.setdefault(t, len(self.vocab)) for t in terms),
                           dtype=np.int32, count=len(terms))
        return cols, np.fromiter(terms.values(), dtype=np.float32, count=len(terms))

    def _write(self, slots: np.ndarray, texts: Sequence[str | None]) -> None:
        """Point ``slots`` (already allocated, currently empty) at fresh runs of ``texts``."""
        parts = [self._terms(t) for t in texts]
        sizes = np.array([len(c) for c, _ in parts], dtype=np.int64)
        total = int(sizes.sum())
        self._cols = _grown(self._cols, self._used + total)
        self._tf = _grown(self._tf, self._used + total)
        self._df = _grown(self._df, len(self.vocab))
        if total:
            cols = np.concatenate([c for c, _ in parts])
            self._cols[self._used : self._used + total] = cols
            self._tf[self._used : self._used + total] = np.concatenate([w for _, w in parts])
            np.add.at(self._df, cols, 1)
        starts = self._used + np.cumsum(sizes) - sizes
        self._start[slots] = starts
        self._len[slots] = sizes
        dl = np.array([float(w.sum()) for _, w in parts], dtype=np.float64)
        self._dl[slots] = dl
        self._used += total
        self.docs += int((sizes > 0).sum())
        self._total_dl += float(dl.sum())

    def append(self, texts: Sequence[str | None]) -> None:
        """Add one slot per text at the end."""
        if not len(texts):
            return
        n = self.rows + len(texts)
        self._start, self._len = _grown(self._start, n), _grown(self._len, n)
        self._dl = _grown(self._dl, n)
        slots = np.arange(self.rows, n, dtype=np.int64)
        self.rows = n
        self._write(slots, texts)

    def clear(self, slot: int) -> None:
        """Empty the row of ``slot`` (its slot died)."""
        size = int(self._len[slot])
        if size:
            lo = int(self._start[slot])
            np.subtract.at(self._df, self._cols[lo : lo + size], 1)
            self.docs -= 1
        self._total_dl -= float(self._dl[slot])
        self._len[slot] = 0
        self._dl[slot] = 0.0

    def set(self, slot: int, text: str | None) -> None:
        """Replace the text of ``slot`` (in place when its terms fit in the old run)."""
        room = int(self._len[slot])
        self.clear(slot)
        cols, tf = self._terms(text)
        if not len(cols) or len(cols) > room:
            self._write(np.array([slot], dtype=np.int64), [text])
            return
        lo = int(self._start[slot])
        self._df = _grown(self._df, len(self.vocab))
        self._cols[lo : lo + len(cols)], self._tf[lo : lo + len(cols)] = cols, tf
        np.add.at(self._df, cols, 1)
        self._len[slot] = len(cols)
        self._dl[slot] = float(tf.sum())
        self.docs += 1
        self._total_dl += float(self._dl[slot])

    def take(self, slots: np.ndarray) -> SlotLexicon:
        """A compact copy holding the rows of ``slots`` in that order (for compaction)."""
        out = SlotLexicon()
        out.vocab = dict(self.vocab)
        slots = np.asarray(slots, dtype=np.int64)
        sizes = self._len[slots]
        idx = _runs(self._start[slots], sizes)
        out._cols, out._tf = self._cols[idx].copy(), self._tf[idx].copy()
        out._used = len(idx)
        out._start = np.cumsum(sizes) - sizes
        out._len, out._dl = sizes.copy(), self._dl[slots].copy()
        out.rows = len(slots)
        out._df = np.bincount(out._cols, minlength=len(out.vocab)).astype(np.int64)
        out.docs = int((sizes > 0).sum())
        out._total_dl = float(out._dl.sum())
        return out

    def scores(self, query: str, slots: np.ndarray) -> np.ndarray:
        """BM25 of ``query`` against the rows of ``slots`` (float32, in the order given)."""
        slots = np.asarray(slots, dtype=np.int64)
        out = np.zeros(len(slots), dtype=np.float32)
        terms = weighted_terms(query)
        found = [(self.vocab[t], w) for t, w in terms.items() if t in self.vocab]
        if not found or not len(slots) or not self.docs:
            return out
        qcols = np.array([c for c, _ in found], dtype=np.int64)
        df = self._df[qcols].astype(np.float64)
        weight = np.zeros(len(self.vocab), dtype=np.float64)  # calloc: untouched pages free
        weight[qcols] = np.array([w for _, w in found]) * np.log1p(
            (self.docs - df + 0.5) / (df + 0.5))
        sizes = self._len[slots]
        idx = _runs(self._start[slots], sizes)
        per_entry = weight[self._cols[idx]]
        hit = np.flatnonzero(per_entry)
        if not len(hit):
            return out
        row = np.repeat(np.arange(len(slots)), sizes)[hit]
        tf = self._tf[idx[hit]].astype(np.float64)
        avgdl = self._total_dl / self.docs if self._total_dl > 0 else 1.0
        norm = K1 * (1 - B + B * self._dl[slots][row] / avgdl)
        value = per_entry[hit] * tf * (K1 + 1) / (tf + norm)
        out[:] = np.bincount(row, weights=value, minlength=len(slots))
        return out

    def idf_of(self, term: str) -> float:
        """The idf of one term over the live rows (unseen terms: the largest)."""
        col = self.vocab.get(term)
        df = float(self._df[col]) if col is not None and col < len(self._df) else 0.0
        return math.log1p((self.docs - df + 0.5) / (df + 0.5))


def _runs(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The flat-array positions of the runs ``starts[i] : starts[i] + sizes[i]``, in order."""
    total = int(sizes.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    offsets = np.cumsum(sizes) - sizes
    return np.repeat(starts - offsets, sizes) + np.arange(total, dtype=np.int64)
