"""Bulk export: the import format comes back out, and export -> import round-trips."""

from __future__ import annotations

import csv
import json
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, select, update

from matcher.cli.data_cmds import export_cmd, import_cmd
from matcher.dataio import COLUMNS, export_file, import_file
from matcher.enums import PersonStatus
from matcher.models import AuditLog, Enterprise, JobSeeker, SurplusEmployee, Vacancy
from matcher.runtime import Runtime

DATA = Path(__file__).parent / "data"
KINDS = ("enterprises", "vacancies", "seekers", "surplus")
MODELS: dict[str, Any] = {"enterprises": Enterprise, "vacancies": Vacancy, "seekers": JobSeeker,
                          "surplus": SurplusEmployee}
ID_1 = "411321199807150154"


@pytest.fixture(autouse=True)
def _no_index_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matcher.index", types.ModuleType("matcher.index"))


def _load_fixtures(rt: Runtime) -> None:
    for kind in KINDS:
        import_file(rt, kind, DATA / f"{kind}.csv")


def _snapshot(rt: Runtime, skip: frozenset[str] = frozenset({"updated_at"})) -> dict[str, Any]:
    """Every stored column of every row (ciphertexts replaced by their clear text)."""
    out: dict[str, Any] = {}
    with rt.uow() as uow:
        for kind, model in MODELS.items():
            rows = []
            for row in uow.s.execute(select(model.__table__).order_by(model.external_id)):
                data = dict(row._mapping)
                for col in ("id_number_enc", "phone_enc"):
                    if col in data:
                        data[col] = rt.cipher.decrypt(data[col])
                rows.append({k: v for k, v in data.items() if k not in skip})
            out[kind] = rows
    return out


def _export_all(rt: Runtime, folder: Path, fmt: str, **kwargs: Any) -> dict[str, Path]:
    folder.mkdir(exist_ok=True)
    paths = {kind: folder / f"{kind}.{fmt}" for kind in KINDS}
    for kind, path in paths.items():
        export_file(rt, kind, path, **kwargs)
    return paths


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export_then_import_changes_nothing(rt: Runtime, tmp_path: Path, fmt: str) -> None:
    _load_fixtures(rt)
    before = _snapshot(rt)
    first = _export_all(rt, tmp_path / "a", fmt)
    for kind, path in first.items():
        summary = import_file(rt, kind, path)
        assert (summary.created, summary.updated) == (0, len(before[kind]))
    assert _snapshot(rt) == before  # masked identity columns kept the stored values
    second = _export_all(rt, tmp_path / "b", fmt)
    for kind in KINDS:
        assert second[kind].read_bytes() == first[kind].read_bytes()


def test_round_trip_into_an_empty_database(rt: Runtime, tmp_path: Path) -> None:
    _load_fixtures(rt)
    skip = frozenset({"id", "enterprise_id", "created_at", "updated_at", "consent_recorded_at"})
    before = _snapshot(rt, skip)
    files = _export_all(rt, tmp_path / "out", "jsonl", include_pii=True)
    with rt.uow() as uow:
        for kind in reversed(KINDS):
            uow.s.execute(delete(MODELS[kind]))
        uow.commit()
    for kind in KINDS:
        assert import_file(rt, kind, files[kind]).created == len(before[kind])
    assert _snapshot(rt, skip) == before
    with rt.uow() as uow:
        hashes = set(uow.s.scalars(select(JobSeeker.id_number_hash)))
    assert rt.cipher.digest(ID_1) in hashes


def test_export_format_and_values(rt: Runtime, tmp_path: Path) -> None:
    _load_fixtures(rt)
    path = tmp_path / "v.csv"
    assert export_file(rt, "vacancies", path) == 3
    with path.open(encoding="utf-8", newline="") as f:
        rows = {r["external_id"]: r for r in csv.DictReader(f)}
    assert list(rows["V001"]) == list(COLUMNS["vacancies"])
    v1, v2, v3 = rows["V001"], rows["V002"], rows["V003"]
    assert (v1["wage_min"], v1["wage_max"], v1["required_skills"]) == ("6000", "8000.5",
                                                                       "设备操作;流水线")
    assert (v1["urgency"], v1["employment_type"], v1["start_date"]) == (
        "critical", "long_term", "2020-02-15")
    assert (v2["accepts_borrowed"], v2["borrow_to"], v2["enterprise_external_id"]) == (
        "true", "2020-04-30", "E002")
    assert (v3["latitude"], v3["wage_min"], v3["headcount"]) == ("", "", "1")
    jpath = tmp_path / "s.jsonl"
    export_file(rt, "surplus", jpath)
    p1 = json.loads(jpath.read_text(encoding="utf-8").splitlines()[0])
    assert (p1["daily_cost"], p1["consent"], p1["skills"]) == (200.5, True, ["烹饪", "健康证"])


def test_deleted_people_are_not_exported(rt: Runtime, tmp_path: Path) -> None:
    _load_fixtures(rt)
    with rt.uow() as uow:
        uow.s.execute(update(JobSeeker).where(JobSeeker.external_id == "S002")
                      .values(status=PersonStatus.DELETED))
        uow.commit()
    path = tmp_path / "s.jsonl"
    assert export_file(rt, "seekers", path) == 2
    assert "S002" not in path.read_text(encoding="utf-8")
    assert import_file(rt, "seekers", path).updated == 2  # and the file imports back


def test_identity_numbers_are_masked_unless_asked(rt: Runtime, tmp_path: Path) -> None:
    _load_fixtures(rt)
    masked, clear = tmp_path / "masked.csv", tmp_path / "clear.csv"
    export_file(rt, "seekers", masked)
    text = masked.read_text(encoding="utf-8")
    assert ID_1 not in text and "13812345678" not in text
    assert "411321********0154" in text and "138****5678" in text
    with rt.uow() as uow:
        assert uow.s.scalar(select(AuditLog).where(AuditLog.action == "export_pii")) is None
    export_file(rt, "seekers", clear, include_pii=True, actor="admin@bureau")
    text = clear.read_text(encoding="utf-8")
    assert ID_1 in text and "13812345678" in text
    with rt.uow() as uow:
        entry = uow.s.scalars(select(AuditLog).where(AuditLog.action == "export_pii")).one()
        assert (entry.actor, entry.entity, entry.data) == ("admin@bureau", "seekers", {"rows": 3})


def _env(db_url: str) -> dict[str, str]:
    return {"WORKBRIDGE_DATABASE_URL": db_url, "WORKBRIDGE_SECRET_KEY": "test-secret",
            "WORKBRIDGE_ENCODER": "fake"}


def test_cli_export_and_reimport(db_url: str, rt: Runtime, tmp_path: Path) -> None:
    _load_fixtures(rt)
    runner, env, path = CliRunner(), _env(db_url), tmp_path / "people.csv"
    result = runner.invoke(export_cmd, ["seekers", str(path), "--bom", "--include-pii"], env=env)
    assert result.exit_code == 0, result.output
    assert "seekers: 3 rows written" in result.stdout and "in clear" in result.stdout
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") and ID_1 in path.read_text("utf-8-sig")
    again = runner.invoke(import_cmd, ["seekers", str(path)], env=env)
    assert again.exit_code == 0 and "0 created, 3 updated" in again.stdout
    bad = runner.invoke(export_cmd, ["seekers", str(tmp_path / "people.xlsx")], env=env)
    assert bad.exit_code == 2
