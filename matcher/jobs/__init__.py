"""A real job queue for bulk and slow work: imports, rebuilds, re-embedding, seeding, desk jobs.

Every job is a row of the ``jobs`` table (:mod:`matcher.models.jobs`), idempotent by its
key; a Celery task (:mod:`matcher.jobs.app`) runs it in a worker that opens its own
Runtime. With no broker configured (``WORKBRIDGE_BROKER_URL`` empty) a submitted job runs
in the submitting process right after the commit, so one machine needs nothing else.
Entry points: :func:`matcher.jobs.actions.submit_job` (an action),
:mod:`matcher.jobs.queries` (status), ``celery -A matcher.jobs.worker worker`` (``make worker``).
"""
