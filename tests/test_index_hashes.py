"""Text hashes are saved with an index and with every stored vector, so a process that
loads the file and syncs rows updated around the last build does not re-embed texts that
did not change."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import numpy as np
import pytest
from test_embedding_reuse import Counting

from matcher.demo.seed import seed_demo
from matcher.encoders.fake import HashingEncoder
from matcher.index import store
from matcher.index.registry import Registry
from matcher.models import Vacancy
from matcher.runtime import Runtime

Fresh = Callable[[], tuple[Registry, Counting]]


@pytest.fixture
def seeded(rt: Runtime) -> Runtime:
    seed_demo(rt, size=120, today=date(2026, 3, 2))
    Registry(rt, sync_interval=None, autosave_interval=None).rebuild("vacancies")
    return rt


@pytest.fixture
def fresh(seeded: Runtime) -> Iterator[Callable[[], tuple[Registry, Counting]]]:
    """Makes "another process": a new runtime on the same database and index folder, with a
    counting encoder; its engine is disposed afterwards."""
    made: list[Runtime] = []

    def make() -> tuple[Registry, Counting]:
        other = Runtime(seeded.settings)
        made.append(other)
        enc = Counting(HashingEncoder())
        other.set_encoder(enc)  # type: ignore[arg-type]
        return Registry(other, sync_interval=None, autosave_interval=None), enc

    yield make
    for other in made:
        other.engine.dispose()


def test_loading_a_saved_index_reembeds_only_changed_texts(seeded: Runtime, fresh: Fresh
                                                            ) -> None:
    """The rows were all written within the sync margin of the build, so loading re-reads
    every one of them; only the vacancy whose title changed is embedded again."""
    with seeded.uow() as uow:
        row = uow.s.get(Vacancy, 3)
        assert row is not None
        row.title = row.title + "（夜班）"
        uow.commit()
        changed_text_title = row.title
    reg, enc = fresh()
    live = reg.live("vacancies")
    assert len(enc.seen) == 1 and changed_text_title in enc.seen[0]
    assert live.count >= 100


def test_without_the_hashes_file_nothing_is_embedded_again(seeded: Runtime,
                                                            fresh: Fresh) -> None:
    """Without the saved hashes every re-read row takes its vector from the database's
    stored vectors (issue 20), which carry their text hashes: nothing is encoded."""
    store.hashes_path(seeded.settings.index_dir, "vacancies").unlink()
    reg, enc = fresh()
    live = reg.live("vacancies")
    assert enc.seen == [] and live.count >= 100
    assert all(h is not None for h in live.text_hashes.values())


def test_a_hashes_file_that_does_not_match_its_sidecar_is_ignored(seeded: Runtime,
                                                                 fresh: Fresh) -> None:
    path = store.hashes_path(seeded.settings.index_dir, "vacancies")
    hashes = np.frombuffer(path.read_bytes(), dtype=np.uint64).copy()
    hashes[0] ^= np.uint64(1)
    path.write_bytes(hashes.tobytes())
    meta = store.read_sidecar(seeded.settings.index_dir, "vacancies")
    assert store.load_hashes(seeded.settings.index_dir, meta) is None
    reg, enc = fresh()
    live = reg.live("vacancies")
    assert enc.seen == [] and live.count >= 100  # the stored vectors replace the hashes
