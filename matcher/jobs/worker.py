"""The Celery worker's entry point: ``celery -A matcher.jobs.worker worker`` (``make worker``).

The app is configured from WORKBRIDGE_BROKER_URL and the other job settings
(:mod:`matcher.jobs.config`); each worker process builds its own Runtime on its first job.
"""

from __future__ import annotations

from matcher.jobs.app import get_celery

app = get_celery()
