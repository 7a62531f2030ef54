"""What a search hands to the scoring: the hits with their table rows, and the per-request
memo that computes a query's allowed-slot mask once across widening rounds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from matcher.matching.tables import Table


@dataclass(frozen=True)
class Hits:
    """One search's hits, best first: keys, similarities and a copy of their table rows."""

    keys: np.ndarray
    sims: np.ndarray
    rows: Table

    def __len__(self) -> int:
        return len(self.keys)


class MaskMemo:
    """The allowed-slot mask of one query, kept while the table it was computed on is
    unchanged (same object, same write generation); one per request, never shared."""

    def __init__(self) -> None:
        self._table: Table | None = None
        self._generation = -1
        self._mask: np.ndarray | None = None

    def get(self, table: Table, compute: Callable[[], np.ndarray]) -> np.ndarray:
        """The memoized mask for ``table``, computed now if it is new or was written to."""
        if (self._mask is None or self._table is not table
                or self._generation != table.generation or len(self._mask) != len(table)):
            self._mask = compute()
            self._table, self._generation = table, table.generation
        return self._mask
