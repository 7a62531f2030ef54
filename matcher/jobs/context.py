"""What a job handler gets: the worker's Runtime, the job, progress reporting, enqueueing."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from matcher.jobs import records
from matcher.jobs.config import JobSettings
from matcher.jobs.records import JobView
from matcher.runtime import Runtime

log = logging.getLogger(__name__)


class Waiting:
    """A handler's answer when the job was split: its chunks finish it (see records.settle)."""


WAITING = Waiting()


class JobFailed(Exception):
    """A handler's refusal with details for the job's ``result`` (e.g. every bad row)."""

    def __init__(self, message: str, result: dict[str, Any]):
        super().__init__(message)
        self.message, self.result = message, result
Result = dict[str, Any] | Waiting


@dataclass
class JobContext:
    """One run of one job in one process."""

    rt: Runtime
    job: JobView
    settings: JobSettings
    enqueue: Callable[[int], None]

    @property
    def params(self) -> dict[str, Any]:
        """The job's parameters (JSON values)."""
        return self.job.params

    def progress(self, done: int, total: int | None) -> None:
        """Record progress (visible at once to the CLI, the API and the status page)."""
        records.progress(self.rt, self.job.id, done, total)
        self.pause()

    def pause(self) -> None:
        """Sleep WORKBRIDGE_JOB_STEP_DELAY seconds (tests: a deterministically slow job)."""
        if self.settings.step_delay > 0:
            log.debug("job %s: pausing %.1f s", self.job.id, self.settings.step_delay)
            time.sleep(self.settings.step_delay)


Handler = Callable[[JobContext], Result]
