"""gunicorn settings for workbridge (``make serve``; gunicorn also reads this file by
default when started from the project folder).

No preloading: the app is built in each worker after fork, and ``post_worker_init`` loads
the encoder and the FAISS indexes there (:func:`matcher.index.warm.warm_up`) before the
worker accepts its first connection. Nothing model- or FAISS-related exists in the parent.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

preload_app = False
wsgi_app = "web:create_app()"


def post_fork(server: Any, worker: Any) -> None:
    """Send the worker's workbridge log lines (masked) to stderr, with its pid."""
    from matcher.pii import MaskingFilter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("[%(process)d] %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(MaskingFilter())
    for name in ("matcher", "web"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        logger.addHandler(handler)


def post_worker_init(worker: Any) -> None:
    """Load the model and the indexes in this worker before it serves (warm workers); the
    worker tells the master it is alive between steps (a slow model load is not a hang)."""
    from matcher.index.warm import warm_up

    facts = warm_up(worker.wsgi.extensions["matcher"], tick=worker.notify)
    worker.log.info("workbridge worker %s warm: %s", worker.pid, facts)


def worker_exit(server: Any, worker: Any) -> None:
    """In the exiting worker: close database connections and leave at once, with the exit
    code gunicorn chose (interpreter teardown with the model loaded can take 30 s, waiting on
    the inference runtime's threads, and the master would wait for it)."""
    wsgi = getattr(worker, "wsgi", None)
    runtime = wsgi.extensions.get("matcher") if wsgi is not None else None
    if runtime is not None:
        runtime.dispose()
    exc = sys.exc_info()[1]
    code = exc.code if isinstance(exc, SystemExit) and isinstance(exc.code, int) else \
        (0 if exc is None or isinstance(exc, SystemExit) else 1)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
