"""Saving a registry's indexes: atomic files plus the version recorded in ``index_state``.

A mixin of :class:`matcher.index.registry.Registry` (kept apart to keep each module short).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError

from matcher.index import changes, store
from matcher.index.builder import now_iso
from matcher.index.live import LiveIndex
from matcher.models import IndexState
from matcher.runtime import Runtime

if TYPE_CHECKING:
    from collections.abc import Callable

log = logging.getLogger(__name__)


class Saving:
    """Saving, flushing and describing the loaded kinds."""

    rt: Runtime
    autosave_interval: float | None
    _live: dict[str, LiveIndex]
    _mutate: dict[str, threading.RLock]
    _last_save: dict[str, float]
    live: Callable[[str], LiveIndex]

    # -- saving -----------------------------------------------------------------------
    def save(self, kind: str) -> store.IndexMeta:
        """Write ``kind``'s file and sidecar atomically and record the version."""
        with self._mutate[kind]:
            return self._save(kind, self.live(kind))

    def flush(self) -> None:
        """Save every loaded kind with unsaved changes."""
        for kind in list(self._live):
            if self._live[kind].dirty:
                self.save(kind)

    def _maybe_autosave(self, kind: str) -> None:
        if self.autosave_interval is None:
            return
        if time.monotonic() - self._last_save[kind] >= self.autosave_interval:
            self._save(kind, self._live[kind])

    def _state_version(self, kind: str) -> int | None:
        with self.rt.reader() as uow:
            state = uow.s.get(IndexState, kind)
            return state.version if state else None

    def _save(self, kind: str, live: LiveIndex) -> store.IndexMeta:
        version = max(self._state_version(kind) or 0, live.meta.version) + 1
        meta = live.meta.with_(count=live.count, slots=live.slots, version=version,
                               saved_at=now_iso())
        meta = store.save_files(self.rt.settings.index_dir, live.index, meta, live.hash_array())
        self._record_state(meta)
        live.meta, live.dirty = meta, False
        self._last_save[kind] = time.monotonic()
        log.info("index %s saved: version %d, %d vectors", kind, meta.version, meta.count)
        return meta

    def _record_state(self, meta: store.IndexMeta) -> None:
        for _ in range(2):
            with self.rt.uow() as uow:
                state = uow.s.get(IndexState, meta.kind)
                if state is None:
                    state = IndexState(kind=meta.kind)
                    uow.s.add(state)
                state.version = max(state.version or 0, meta.version)
                state.encoder, state.dim = f"{meta.encoder}@{meta.encoder_version}", meta.dim
                state.index_type, state.count = meta.index_type, meta.count
                state.built_at = datetime.now(UTC)
                try:
                    uow.commit()
                    return
                except IntegrityError:  # another process inserted the row first
                    continue

    def prune_changes(self, kind: str, keep: timedelta = changes.RETENTION) -> int:
        """Delete ``kind``'s change rows older than ``keep`` that the saved index file and
        this process's index both reflect (see :func:`changes.prune_changes`); how many."""
        seen = [self._live[kind].meta.change_seq] if kind in self._live else []
        with contextlib.suppress(store.IndexFileProblem):  # no file: only ours is known
            seen.append(store.read_sidecar(self.rt.settings.index_dir, kind).change_seq)
        with self.rt.uow() as uow:
            upto = changes.prune_cutoff(uow.s, kind, seen, keep=keep)
            pruned = changes.prune_changes(uow.s, kind, upto) if upto else 0
            uow.commit()
        if pruned:
            log.info("index %s: %d change rows up to %d pruned", kind, pruned, upto)
        return pruned

    def describe(self, kind: str) -> dict[str, Any]:
        """Facts about a loaded kind (for ``index status`` and tests)."""
        live = self.live(kind)
        return {"kind": kind, "count": live.count, "slots": live.slots,
                "index_type": live.index_type, "version": live.meta.version,
                "encoder": live.meta.encoder, "dim": live.meta.dim}
