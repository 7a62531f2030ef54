"""The job queue with no broker (jobs run in the submitting process): records, idempotent
keys, chunked re-embedding, the CLI (wait, --no-wait, show, list), the API and the page.

The same jobs on a real Redis broker with real Celery workers: tests/test_jobs_worker.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from builders.accounts import _user
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, select

from matcher.cli import main
from matcher.config import Settings
from matcher.enums import Role
from matcher.errors import Conflict, Refused, ValidationFailed
from matcher.index import vector_store
from matcher.jobs import actions, app, records
from matcher.jobs.config import load_job_settings
from matcher.jobs.reembed import chunk_ranges
from matcher.jobs.runner import run_job
from matcher.models import Embedding, Enterprise, Job, JobStatus, Vacancy
from matcher.principal import Principal
from matcher.runtime import Runtime
from web import create_app

DATA = Path(__file__).parent / "data"
SYSTEM = Principal.system("test")


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORKBRIDGE_BROKER_URL", raising=False)
    monkeypatch.delenv("WORKBRIDGE_JOB_STEP_DELAY", raising=False)


def _submit(rt: Runtime, kind: str, params: dict[str, object], key: str | None = None
            ) -> records.JobView:
    with rt.uow() as uow:
        job = actions.submit_job(uow, SYSTEM, kind, params, key)
        uow.commit()
    with rt.uow() as uow:
        return records.view(records.get(uow.s, job.id))


def _count(rt: Runtime, model: object) -> int:
    with rt.uow() as uow:
        return uow.s.scalar(select(func.count()).select_from(model)) or 0  # type: ignore[arg-type]


def _import_params(kind: str) -> dict[str, object]:
    return {"kind": kind, "path": str(DATA / f"{kind}.csv"), "format": None, "actor": "test"}


def test_settings_default_to_in_process_and_refuse_bad_values() -> None:
    assert load_job_settings({}).in_process
    s = load_job_settings({"WORKBRIDGE_BROKER_URL": "redis://127.0.0.1:6379/5",
                           "WORKBRIDGE_JOB_VISIBILITY_TIMEOUT": "5"})
    assert not s.in_process and s.visibility_timeout == 5
    with pytest.raises(ValueError, match="WORKBRIDGE_BROKER_URL"):
        load_job_settings({"WORKBRIDGE_BROKER_URL": "http://nope"})
    with pytest.raises(ValueError, match="WORKBRIDGE_JOB_CHUNK"):
        load_job_settings({"WORKBRIDGE_JOB_CHUNK": "0"})
    assert chunk_ranges([1, 2, 5, 9, 10], 2) == [(1, 2), (5, 9), (10, 10)]


def test_import_job_runs_once_per_key(rt: Runtime) -> None:
    job = _submit(rt, "import", _import_params("enterprises"), key="imp-1")
    assert (job.status, job.attempts, job.done, job.total) == ("succeeded", 1, 1, 1)
    assert job.result and job.result["created"] == 3 and job.finished_at is not None
    again = _submit(rt, "import", _import_params("enterprises"), key="imp-1")
    assert (again.id, again.attempts, again.result) == (job.id, 1, job.result)  # not run again
    assert _count(rt, Enterprise) == 3 and _count(rt, Job) == 1
    with pytest.raises(Conflict) as err, rt.uow() as uow:
        actions.submit_job(uow, SYSTEM, "import", _import_params("vacancies"), "imp-1")
    assert err.value.code == "job_key_conflict"


def test_a_refused_import_fails_with_every_error_and_reruns_under_its_key(
        rt: Runtime, tmp_path: Path) -> None:
    bad = tmp_path / "vacancies.csv"
    bad.write_text("external_id,enterprise_external_id,title\nv1,nobody,叉车司机\n",
                   encoding="utf-8")
    params = {"kind": "vacancies", "path": str(bad), "format": None, "actor": "test"}
    job = _submit(rt, "import", params, key="imp-bad")
    assert job.status == "failed" and "nothing was imported" in (job.error or "")
    assert job.result and job.result["code"] == "import_failed"
    assert any("enterprise_external_id" in e for e in job.result["errors"])
    _submit(rt, "import", _import_params("enterprises"))
    retried = _submit(rt, "import", params, key="imp-bad")  # a failed job runs again
    assert (retried.id, retried.attempts, retried.status) == (job.id, 2, "failed")


def test_reembed_is_split_into_chunks_and_stores_every_vector_once(rt: Runtime) -> None:
    for kind in ("enterprises", "vacancies"):
        _submit(rt, "import", _import_params(kind))
    with rt.uow() as uow:
        eid = vector_store.encoder_id(rt.encoder)
        uow.s.query(Embedding).delete()  # forget what the import's hook stored
        uow.commit()
    with rt.uow() as uow:
        pending = vector_store.pending_keys(uow.s, "vacancies", eid)
    assert len(pending) >= 3
    job = _submit(rt, "reembed", {"kind": "vacancies", "force": False, "chunk": 2})
    assert job.status == "succeeded", job.error
    with rt.uow() as uow:
        chunks = [records.view(c) for c in records.children(uow.s, job.id)]
        stored = uow.s.scalar(select(func.count()).select_from(Embedding)
                              .where(Embedding.kind == "vacancies", Embedding.encoder_id == eid))
        assert vector_store.pending_keys(uow.s, "vacancies", eid) == []
    assert len(chunks) == -(-len(pending) // 2) and all(c.status == "succeeded" for c in chunks)
    assert (job.done, job.total) == (len(chunks), len(chunks))
    assert stored == len(pending) and job.result and job.result["chunks"] == len(chunks)
    with rt.uow() as uow:  # as if the last chunk's worker died between finishing and settling
        parent = records.get(uow.s, job.id)
        parent.status, parent.finished_at, parent.done = JobStatus.RUNNING, None, 0
        uow.commit()
    assert run_job(rt, chunks[-1].id, load_job_settings({}), lambda _: None) is None
    assert _submit(rt, "reembed", {"kind": "vacancies", "force": False, "chunk": 2},
                   key=job.key).status == "succeeded"  # the redelivered chunk settled it
    nothing = _submit(rt, "reembed", {"kind": "vacancies", "force": False, "chunk": 2})
    assert nothing.status == "succeeded" and nothing.result == {"chunks": 0, "encoded": 0}


def test_an_unreachable_broker_leaves_the_job_queued_for_requeue(
        rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBRIDGE_BROKER_URL", "redis://127.0.0.1:1/0")  # nothing listens
    monkeypatch.setitem(app._state, "celery", None)
    try:
        with pytest.raises(Refused) as err, rt.uow() as uow:
            actions.submit_job(uow, SYSTEM, "import", _import_params("enterprises"), "lost")
            uow.commit()
    finally:
        app._state.pop("celery", None)
    assert err.value.code == "broker_unavailable" and "requeue" in err.value.message
    with rt.uow() as uow:
        job = records.view(records.get(uow.s, 1))
    assert (job.key, job.status) == ("lost", "queued")
    monkeypatch.delenv("WORKBRIDGE_BROKER_URL")
    with rt.uow() as uow:  # the broker is back (here: none, so it runs in this process)
        actions.requeue_job(uow, SYSTEM, job.id)
        uow.commit()
    assert _submit(rt, "import", _import_params("enterprises"), "lost").status == "succeeded"
    with pytest.raises(Refused), rt.uow() as uow:
        actions.requeue_job(uow, SYSTEM, job.id)  # a succeeded job is not run again


def test_unknown_kinds_are_refused(rt: Runtime) -> None:
    with pytest.raises(ValidationFailed), rt.uow() as uow:
        actions.submit_job(uow, SYSTEM, "reembed_chunk", {})


def _env(db_url: str) -> dict[str, str]:
    return {"WORKBRIDGE_DATABASE_URL": db_url, "WORKBRIDGE_SECRET_KEY": "test-secret",
            "WORKBRIDGE_ENCODER": "fake"}


def test_cli_waits_for_jobs_and_shows_them(db_url: str, rt: Runtime) -> None:
    runner = CliRunner()
    env = _env(db_url)
    done = runner.invoke(main, ["import", "enterprises", str(DATA / "enterprises.csv")], env=env)
    assert done.exit_code == 0, done.output
    assert "enterprises: 3 rows, 3 created, 0 updated" in done.stdout
    queued = runner.invoke(main, ["import", "vacancies", str(DATA / "vacancies.csv"),
                                  "--no-wait", "--key", "vac-1"], env=env)
    assert queued.exit_code == 0 and queued.stdout.startswith("job 2 (import)")
    assert _count(rt, Vacancy) > 0  # no broker: it ran in the command before it returned
    shown = runner.invoke(main, ["jobs", "show", "2"], env=env)
    assert shown.exit_code == 0 and "[succeeded]" in shown.stdout and "vac-1" in shown.stdout
    listed = runner.invoke(main, ["jobs", "list"], env=env)
    assert listed.exit_code == 0 and "2 job(s)" in listed.stdout
    embedded = runner.invoke(main, ["jobs", "reembed", "--kind", "vacancies", "--force"], env=env)
    assert embedded.exit_code == 0 and "vacancies:" in embedded.stdout, embedded.output
    rebuilt = runner.invoke(main, ["jobs", "rebuild", "--kind", "vacancies"], env=env)
    assert rebuilt.exit_code == 0 and "vacancies:" in rebuilt.stdout, rebuilt.output
    missing = runner.invoke(main, ["jobs", "show", "999"], env=env)
    assert missing.exit_code != 0


@pytest.fixture
def admin_app(settings: Settings) -> Iterator[tuple[Flask, str]]:
    app = create_app(settings)
    app.config.update(TESTING=True)
    rt = app.extensions["matcher"]
    yield app, _user(rt, Role.ADMIN, 0).token
    rt.dispose()


def test_api_and_page_show_a_job(admin_app: tuple[Flask, str]) -> None:
    app, token = admin_app
    rt = app.extensions["matcher"]
    job = _submit(rt, "import", _import_params("enterprises"), key="api-1")
    client = app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    body = client.get(f"/api/v1/admin/jobs/{job.id}", headers=auth).get_json()
    assert set(body) == {"id", "key", "kind", "status", "progress", "result", "error",
                         "created_at", "finished_at"}
    assert (body["key"], body["status"], body["progress"]) == (
        "api-1", "succeeded", {"done": 1, "total": 1})
    assert body["result"]["created"] == 3 and body["error"] is None
    listed = client.get("/api/v1/admin/jobs?status=succeeded", headers=auth).get_json()
    assert [j["id"] for j in listed["items"]] == [job.id] and listed["page"]["total"] == 1
    missing = client.get("/api/v1/admin/jobs/999", headers=auth)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    bad = client.get("/api/v1/admin/jobs?status=lost", headers=auth)
    assert bad.status_code == 422
    page = client.get("/admin/jobs/", headers=auth)
    assert page.status_code == 200 and "api-1" in page.get_data(as_text=True)
    assert "Refresh" not in page.headers  # nothing unfinished
    detail = client.get(f"/admin/jobs/{job.id}", headers=auth)
    assert detail.status_code == 200 and "succeeded" in detail.get_data(as_text=True)


def test_the_daily_schedule_submits_each_desk_job_once_a_day(
        db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBRIDGE_DATABASE_URL", db_url)
    monkeypatch.setenv("WORKBRIDGE_SECRET_KEY", "test-secret")
    monkeypatch.setitem(app._state, "runtime", None)  # the worker's Runtime, from this env
    celery = app.make_celery(load_job_settings({}))
    assert {e["args"][0] for e in celery.conf.beat_schedule.values()} == set(app.DAILY)
    daily = celery.tasks[app.DAILY_TASK]
    try:
        ids = [daily("return_due"), daily("return_due"), daily("warning_scan")]
        rt = app.worker_runtime()
        day = app.bureau_today().isoformat()
        jobs = [_submit(rt, "return_due", {"day": day, "actor": "scheduler"},
                        key=f"return_due:{day}")]
    finally:
        runtime = app._state.get("runtime")
        if runtime is not None:
            runtime.dispose()
    assert ids[0] == ids[1] == jobs[0].id != ids[2]  # once per day: the day is in the key
    assert (jobs[0].status, jobs[0].result) == ("succeeded", {"returned": []})
