"""Jobs on a real broker run by real ``celery worker`` processes: Redis (127.0.0.1:6379,
database 5, flushed here) and, for the SIGKILL test, RabbitMQ too (127.0.0.1:5672, the
``workbridge`` queue purged here; skipped when not running). An import, a chunked
re-embedding and an index rebuild run to completion (real multilingual encoder); a worker
killed with SIGKILL mid-job leaves its job to be redelivered to a second worker (Redis:
after the visibility timeout; RabbitMQ: when the connection drops), and the result is what
an uninterrupted run gives (the same rows and vectors, nothing duplicated).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from matcher.index import vector_store
from matcher.index.kinds import KINDS
from matcher.jobs import actions, app, records
from matcher.models import Embedding, Job, Vacancy
from matcher.principal import Principal
from matcher.runtime import Runtime

redis = pytest.importorskip("redis")

BROKER = "redis://127.0.0.1:6379/5"
AMQP = "amqp://guest:guest@127.0.0.1:5672//"
DATA = Path(__file__).parent / "data"
SYSTEM = Principal.system("test")
pytestmark = pytest.mark.slow  # real worker processes (and in one test the real model)


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(BROKER, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def _amqp_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5672), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(params=["redis"])
def broker(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An empty broker as this process's (CI starts Redis if it is down)."""
    url = AMQP if request.param == "amqp" else BROKER
    if request.param == "amqp" and not _amqp_up():
        pytest.skip("no RabbitMQ on 127.0.0.1:5672")
    if request.param == "redis" and not _redis_up():
        pytest.skip("no Redis on 127.0.0.1:6379 (.ci/run starts one)")
    monkeypatch.setenv("WORKBRIDGE_BROKER_URL", url)
    monkeypatch.delenv("WORKBRIDGE_JOB_STEP_DELAY", raising=False)
    app._state.pop("celery", None)  # build the Celery app from this environment
    _empty(url)
    yield url
    _empty(url)
    app._state.pop("celery", None)


def _empty(url: str) -> None:
    if url.startswith("redis"):
        client = redis.Redis.from_url(url)
        client.flushdb()
        client.close()
    else:
        app.get_celery().control.purge()


class Workers:
    """Celery worker processes started by one test (each in its own process group)."""

    def __init__(self, rt: Runtime, tmp_path: Path, broker: str):
        self.rt, self.tmp_path, self.broker = rt, tmp_path, broker
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, **env: str) -> subprocess.Popen[bytes]:
        """Start ``celery worker`` (solo pool) on the test database; wait until ready."""
        log = self.tmp_path / f"{name}.log"
        full = {**os.environ, "WORKBRIDGE_DATABASE_URL": self.rt.settings.database_url,
                "WORKBRIDGE_INDEX_DIR": str(self.tmp_path / "worker-indexes"),
                "WORKBRIDGE_SECRET_KEY": self.rt.settings.secret_key,
                "WORKBRIDGE_ENCODER": "fake", "WORKBRIDGE_BROKER_URL": self.broker,
                "WORKBRIDGE_JOB_VISIBILITY_TIMEOUT": "3", "HF_HUB_OFFLINE": "1", **env}
        cmd = [sys.executable, "-m", "celery", "-A", "matcher.jobs.worker", "worker",
               "--pool", "solo", "--queues", "workbridge", "--loglevel", "INFO",
               "--hostname", f"{name}@%h", "--without-gossip", "--without-mingle"]
        with log.open("wb") as out:
            proc = subprocess.Popen(cmd, env=full, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        self.procs.append(proc)
        _until(lambda: b" ready." in log.read_bytes() or proc.poll() is not None, 180,
               f"worker {name} did not start")  # the model loads before "ready"
        assert proc.poll() is None, log.read_text()
        return proc

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        """SIGKILL the worker and everything in its process group."""
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def stop_all(self) -> None:
        """Stop every worker this test started (by its process group)."""
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(5)


@pytest.fixture
def workers(rt: Runtime, tmp_path: Path, broker: str) -> Iterator[Workers]:
    w = Workers(rt, tmp_path, broker)
    yield w
    w.stop_all()


def _until(check: Callable[[], bool], timeout: float, message: str) -> None:
    end = time.monotonic() + timeout
    while not check():
        if time.monotonic() > end:
            raise AssertionError(message)
        time.sleep(0.2)


def _submit(rt: Runtime, kind: str, params: dict[str, object], key: str | None = None) -> int:
    with rt.uow() as uow:
        job = actions.submit_job(uow, SYSTEM, kind, params, key)
        uow.commit()
    return job.id


def _job(rt: Runtime, job_id: int) -> records.JobView:
    with rt.uow() as uow:
        return records.view(records.get(uow.s, job_id))


def _finished(rt: Runtime, job_id: int, timeout: float = 300) -> records.JobView:
    _until(lambda: _job(rt, job_id).finished, timeout, f"job {job_id} did not finish")
    return _job(rt, job_id)


def _vacancies_csv(tmp_path: Path, n: int) -> Path:
    path = tmp_path / "many_vacancies.csv"
    lines = ["external_id,enterprise_external_id,title,description,headcount"]
    lines += [f"J{i:04d},E001,叉车司机 {i} / Forklift driver {i},仓库第 {i} 号 warehouse {i},2"
              for i in range(n)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _import(kind: str, path: Path) -> dict[str, object]:
    return {"kind": kind, "path": str(path), "format": None, "actor": "test"}


def _stored(rt: Runtime) -> dict[int, np.ndarray]:
    with rt.uow() as uow:
        eid = vector_store.encoder_id(rt.encoder)
        keys = KINDS["vacancies"].member_keys(uow.s).tolist()
        return {k: v for k, (_, v) in
                vector_store.load_vectors(uow.s, "vacancies", keys, eid).items()}


def test_import_reembed_and_rebuild_jobs_complete_in_a_worker(
        rt_e5: Runtime, workers: Workers, tmp_path: Path) -> None:
    """The real multilingual encoder in the worker; vectors equal this process's."""
    rt = rt_e5
    workers.rt = rt
    workers.start("w1", WORKBRIDGE_ENCODER=rt.settings.encoder, WORKBRIDGE_JOB_CHUNK="4")
    first = _submit(rt, "import", _import("enterprises", DATA / "enterprises.csv"))
    second = _submit(rt, "import", _import("vacancies", _vacancies_csv(tmp_path, 10)))
    for job_id in (first, second):
        job = _finished(rt, job_id)
        assert job.status == "succeeded", job.error
    result = _job(rt, second).result or {}
    assert (result["rows"], result["created"], result["updated"]) == (10, 10, 0)
    with rt.uow() as uow:
        uow.s.query(Embedding).delete()
        uow.commit()
    job = _finished(rt, _submit(rt, "reembed", {"kind": "vacancies", "force": False}))
    assert job.status == "succeeded" and job.result == {"chunks": 3, "encoded": 10}
    stored = _stored(rt)
    with rt.uow() as uow:
        spec = KINDS["vacancies"]
        profiles = spec.load(uow.s)
    mine = spec.embed(rt.encoder, profiles, False)
    for p, vec in zip(profiles, mine, strict=True):
        assert float(np.dot(stored[spec.key(p)], vec)) > 0.999
    rebuilt = _finished(rt, _submit(rt, "index_build", {"kind": "vacancies"}))
    assert rebuilt.status == "succeeded", rebuilt.error
    assert rebuilt.result["indexes"]["vacancies"]["count"] == 10  # type: ignore[index]
    assert (tmp_path / "worker-indexes" / "vacancies.faiss").is_file()


@pytest.mark.parametrize("broker", ["redis", "amqp"], indirect=True)
def test_a_worker_killed_mid_job_loses_nothing(rt: Runtime, workers: Workers,
                                                tmp_path: Path) -> None:
    """SIGKILL during an import (after its commit) and during a re-embedding chunk: the
    jobs are redelivered to a second worker and finish once, with the uninterrupted result."""
    slow = workers.start("slow", WORKBRIDGE_JOB_STEP_DELAY="3", WORKBRIDGE_JOB_CHUNK="10")
    assert _finished(rt, _submit(rt, "import", _import("enterprises", DATA / "enterprises.csv"))
                     ).status == "succeeded"
    csv = _vacancies_csv(tmp_path, 60)
    imported = _submit(rt, "import", _import("vacancies", csv))

    def committed() -> bool:
        with rt.uow() as uow:
            return bool(uow.s.scalar(select(func.count()).select_from(Vacancy)))

    _until(committed, 120, "the import did not commit")
    assert _job(rt, imported).status == "running"  # committed, not yet recorded as done
    workers.kill(slow)

    with rt.uow() as uow:
        uow.s.query(Embedding).delete()
        uow.commit()
    slow = workers.start("slow2", WORKBRIDGE_JOB_STEP_DELAY="3", WORKBRIDGE_JOB_CHUNK="10")
    # the killed import comes back first (after the visibility timeout), then the re-embedding
    job = _finished(rt, imported, 180)
    assert (job.status, job.attempts) == ("succeeded", 2), job.error
    assert job.result and (job.result["created"], job.result["updated"]) == (0, 60)
    reembed = _submit(rt, "reembed", {"kind": "vacancies", "force": False})

    def mid_chunk() -> bool:  # two chunks done and the next one started (not yet done)
        with rt.uow() as uow:
            states = [c.status for c in records.children(uow.s, reembed)]
        return states.count("succeeded") >= 2 and "running" in states
    _until(mid_chunk, 180, "no chunk finished")
    workers.kill(slow)
    with rt.uow() as uow:
        states = [str(c.status) for c in records.children(uow.s, reembed)]
    assert len(states) == 6 and "succeeded" in states and states.count("succeeded") < 6

    workers.start("fast")
    parent = _finished(rt, reembed, 180)
    assert parent.status == "succeeded", parent.error
    with rt.uow() as uow:
        chunks = [records.view(c) for c in records.children(uow.s, reembed)]
        ext = list(uow.s.scalars(select(Vacancy.external_id)))
        n_jobs = uow.s.scalar(select(func.count()).select_from(Job))
    assert all(c.status == "succeeded" for c in chunks)
    assert any(c.attempts == 2 for c in chunks)  # the chunk the kill interrupted ran again
    assert sorted(ext) == [f"J{i:04d}" for i in range(60)]  # every row once
    assert n_jobs == 3 + 6
    stored = _stored(rt)
    with rt.uow() as uow:
        spec = KINDS["vacancies"]
        profiles = spec.load(uow.s)
    expected = spec.embed(rt.encoder, profiles, False)
    assert len(stored) == len(profiles) == 60
    for p, vec in zip(profiles, expected, strict=True):
        np.testing.assert_array_equal(stored[spec.key(p)], vec)
