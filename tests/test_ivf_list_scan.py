"""IVF-SQ8's exact path scans only the inverted lists holding allowed slots: same answer as
scanning every list, and slots added later (or removed) are accounted for."""

from __future__ import annotations

from typing import Any

import faiss
import numpy as np

from matcher.index.live import LiveIndex
from matcher.index.store import IndexMeta, make_index
from matcher.matching.tables import Table

DIM = 32


class SlotTable(Table):
    """The smallest attribute table a LiveIndex accepts."""

    COLUMNS = {"live": (np.bool_, False)}  # noqa: RUF012


def clustered(rng: np.random.Generator, n: int, centres: np.ndarray) -> np.ndarray:
    """Unit vectors near randomly picked centres."""
    x = centres[rng.integers(0, len(centres), n)] + 0.2 * rng.standard_normal((n, DIM))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def full_scan(live: LiveIndex, query: np.ndarray, mask: np.ndarray, k: int) -> Any:
    """The reference: every list scanned under the bitmap."""
    bitmap = np.packbits(mask, bitorder="little")
    sel = faiss.IDSelectorBitmap(len(mask), faiss.swig_ptr(bitmap))
    params = faiss.SearchParametersIVF(sel=sel, nprobe=live.base.nlist)  # type: ignore[call-arg]
    dist, found = live.base.search(query.reshape(1, -1), k, params=params)
    ok = found[0] >= 0
    keys = live.labels()[found[0][ok]]
    return keys, dist[0][ok]


def make_live(rng: np.random.Generator, centres: np.ndarray) -> tuple[LiveIndex, np.ndarray]:
    x = clustered(rng, 4000, centres)
    live = LiveIndex(make_index("ivf-sq8", DIM, x), SlotTable(capacity=8000),
                     IndexMeta("vacancies", "test", "1", DIM, "ivf-sq8"))
    live.add(list(range(4000)), x, [{"live": True, "skills": []}] * 4000, ["h"] * 4000)
    return live, x


def test_list_scan_equals_the_full_scan_and_skips_unused_lists() -> None:
    rng = np.random.default_rng(5)
    centres = rng.standard_normal((40, DIM))
    live, x = make_live(rng, centres)
    lists = live.slot_lists()
    assert (lists >= 0).all() and len(lists) == 4000
    for trial in range(20):
        mask = np.zeros(4000, dtype=bool)
        # a "region": the slots of a few lists plus a few strays, as a city filter gives
        chosen = rng.choice(live.base.nlist, 3, replace=False)
        mask[np.isin(lists, chosen)] = True
        mask[rng.choice(4000, 5, replace=False)] = True
        query = x[trial] + 0.05 * rng.standard_normal(DIM).astype(np.float32)
        keys, sims = live.search(query, mask, 20)
        ref_keys, ref_sims = full_scan(live, query, mask, 20)
        order = np.lexsort((ref_keys, -ref_sims))
        assert keys.tolist() == ref_keys[order].tolist()
        np.testing.assert_allclose(sims, ref_sims[order], rtol=1e-6)
        assert len(np.unique(lists[mask])) < live.base.nlist


def test_slots_added_and_removed_after_the_first_search_are_seen() -> None:
    rng = np.random.default_rng(6)
    centres = rng.standard_normal((40, DIM))
    live, x = make_live(rng, centres)
    query = x[0]
    first = np.zeros(4000, dtype=bool)
    first[:10] = True
    live.search(query, first, 5)  # builds the slot -> list map
    extra = clustered(np.random.default_rng(7), 50, -centres)  # new lists' territory too
    live.add(list(range(4000, 4050)), extra, [{"live": True, "skills": []}] * 50, ["h"] * 50)
    mask = np.zeros(4050, dtype=bool)
    mask[4000:] = True
    keys, _ = live.search(extra[3], mask, 5)
    assert keys[0] == 4003
    ref_keys, _ = full_scan(live, extra[3], mask, 5)
    assert sorted(keys.tolist()) == sorted(ref_keys.tolist())
    live.remove([4003])
    mask[4003] = False  # the engine's masks never allow dead slots
    keys, _ = live.search(extra[3], mask, 5)
    assert 4003 not in keys.tolist() and len(keys) == 5
