"""FAISS indexes of vacancies and people, kept in step with the database.

Nothing here imports FAISS at import time. Vectors live in the database
(:mod:`matcher.index.vector_store`: embedded once per text and encoder version; the FAISS
files are caches built from them), and writes log their keys in ``index_changes`` so every
process catches up before its next read. Entry points: :func:`get_registry` (search,
refresh, rebuild, save, stored vectors by key), the hooks :func:`vacancies_changed`,
:func:`people_changed` and :func:`sync_after_import` for other features' services, and
:func:`matcher.index.people_grid.score_people` (vacancy-like profiles x people scored from
stored vectors, for the bureau and lending desks; texts with no index row are encoded once
per process by :mod:`matcher.index.text_vectors`).
"""

from matcher.index.hooks import people_changed, sync_after_import, vacancies_changed
from matcher.index.registry import Registry, get_registry

__all__ = ["Registry", "get_registry", "people_changed", "sync_after_import",
           "vacancies_changed"]
