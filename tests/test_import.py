"""Bulk import: every kind from CSV and JSON Lines, all-or-nothing validation, updates, CLI."""

from __future__ import annotations

import logging
import sys
import types
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import event, func, select, update

from matcher.cli.data_cmds import import_cmd
from matcher.dataio import FileFormatError, ImportFailed, SourceRow, import_file, import_rows
from matcher.enums import EmploymentType, KeyTier, PersonStatus, SizeClass, Urgency, VacancyStatus
from matcher.models import AuditLog, Enterprise, JobSeeker, SurplusEmployee, Vacancy
from matcher.runtime import Runtime

DATA = Path(__file__).parent / "data"
KINDS = ("enterprises", "vacancies", "seekers", "surplus")
ID_1, ID_2 = "411321199807150154", "110105199003020052"  # valid GB 11643 numbers
CODE_1 = "911101050000010016"  # a valid GB 32100 credit code


def _file(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def _count(rt: Runtime, model: Any) -> int:
    with rt.uow() as uow:
        return uow.s.scalar(select(func.count()).select_from(model)) or 0


def _by_ext(rt: Runtime, model: Any) -> dict[str, Any]:
    with rt.uow() as uow:
        rows = {row.external_id: row for row in uow.s.scalars(select(model))}
        uow.s.expunge_all()  # keep them loaded after the unit of work rolls back
        return rows


def _errors(exc: pytest.ExceptionInfo[ImportFailed]) -> set[tuple[int | None, str]]:
    return {(e.row, e.field) for e in exc.value.errors}


def _import_fixtures(rt: Runtime, fmt: str, kinds: tuple[str, ...] = KINDS) -> list[Any]:
    return [import_file(rt, kind, DATA / f"{kind}.{fmt}") for kind in kinds]


@pytest.fixture(autouse=True)
def _no_index_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    """The index layer's hook is absent unless a test installs one."""
    monkeypatch.setitem(sys.modules, "matcher.index", types.ModuleType("matcher.index"))


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_valid_files_of_every_kind(rt: Runtime, fmt: str) -> None:
    summaries = _import_fixtures(rt, fmt)
    assert [(s.kind, s.rows, s.created, s.updated) for s in summaries] == [
        ("enterprises", 3, 3, 0), ("vacancies", 3, 3, 0), ("seekers", 3, 3, 0),
        ("surplus", 2, 2, 0)]

    ents = _by_ext(rt, Enterprise)
    e1, e2, e3 = ents["E001"], ents["E002"], ents["E003"]
    assert (e1.key_tier, e1.size_class, e1.district, e1.key_tier_set_on, e1.credit_code) == (
        KeyTier.KEY, SizeClass.LARGE, "朝阳区", date(2020, 2, 10), CODE_1)
    assert (e2.key_tier, e2.size_class, e2.district, e2.latitude) == (
        KeyTier.PRIORITY, SizeClass.MEDIUM, "通州区", 39.8)
    assert (e3.name, e3.credit_code, e3.district, e3.latitude, e3.longitude) == (
        "Beijing Huimin Foods Co., Ltd.", None, None, None, None)
    assert (e3.size_class, e3.key_tier, e3.city) == (SizeClass.SMALL, KeyTier.NONE, "北京市")

    vacs = _by_ext(rt, Vacancy)
    v1, v2, v3 = vacs["V001"], vacs["V002"], vacs["V003"]
    assert v1.enterprise_id == e1.id and v2.enterprise_id == e2.id
    assert (v1.wage_min, v1.wage_max, v1.headcount, v1.urgency, v1.start_date) == (
        600_000, 800_050, 20, Urgency.CRITICAL, date(2020, 2, 15))
    assert (v1.employment_type, v1.accepts_borrowed) == (EmploymentType.LONG_TERM, False)
    assert v1.required_skills == ["设备操作", "流水线"] and v1.preferred_skills == ["洁净车间"]
    assert v1.description == "操作口罩生产线, run the mask line"
    assert (v2.employment_type, v2.accepts_borrowed) == (EmploymentType.SHARED, True)
    assert (v2.borrow_from, v2.borrow_to) == (date(2020, 3, 1), date(2020, 4, 30))
    assert v2.preferred_skills == ["仓库管理", "WMS"] and v2.district is None
    assert (v3.headcount, v3.employment_type, v3.urgency, v3.status, v3.description) == (
        1, EmploymentType.LONG_TERM, Urgency.NORMAL, VacancyStatus.OPEN, "")
    assert (v3.wage_min, v3.wage_max, v3.latitude, v3.filled) == (None, None, None, 0)

    people = _by_ext(rt, JobSeeker)
    s1, s2, s3 = people["S001"], people["S002"], people["S003"]
    assert rt.cipher.decrypt(s1.id_number_enc) == ID_1
    assert s1.id_number_hash == rt.cipher.digest(ID_1)
    assert (s1.id_number_masked, s1.phone_masked) == ("411321********0154", "138****5678")
    assert rt.cipher.decrypt(s1.phone_enc) == "13812345678"
    assert (s1.categories, s1.travel_km, s1.origin_province) == (["migrant_worker"], 10.0, "河南省")
    assert s1.desired_positions == ["快递员", "外卖骑手"]
    assert (s2.categories, s2.graduation_year) == (["graduate", "registered_unemployed"], 2020)
    assert rt.cipher.decrypt(s2.phone_enc) == "13912345678"
    assert (s2.travel_km, s2.consent_matching, s2.district) == (None, True, None)
    assert (s3.id_number_enc, s3.id_number_hash, s3.skills, s3.experience) == (
        None, None, [], "做过保洁")

    staff = _by_ext(rt, SurplusEmployee)
    p1, p2 = staff["P001"], staff["P002"]
    assert (p1.consent, p1.daily_cost, p1.enterprise_id) == (True, 20_050, e3.id)
    assert p1.consent_recorded_at is not None
    assert (p2.consent, p2.consent_recorded_at, p2.daily_cost) == (False, None, None)
    with rt.uow() as uow:
        actions = uow.s.scalars(select(AuditLog.entity).where(AuditLog.action == "import"))
        assert sorted(actions) == sorted(KINDS)


def test_identity_numbers_are_never_stored_in_clear(rt: Runtime) -> None:
    _import_fixtures(rt, "csv", ("seekers",))
    with rt.uow() as uow:
        rows = uow.s.execute(select(JobSeeker.__table__)).mappings().all()
        stored = " ".join(str(v) for row in rows for v in row.values())
    assert len(rows) == 3 and "411321********0154" in stored
    assert ID_1 not in stored and "13812345678" not in stored


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_one_bad_row_imports_nothing(rt: Runtime, tmp_path: Path, fmt: str) -> None:
    bad = CODE_1[:-1] + "7"
    if fmt == "csv":
        text = f"external_id,name,credit_code\nE1,甲,\nE2,乙,{bad}\nE3,丙,\n"
    else:  # the blank line counts for line numbers, not for row numbers
        text = ('{"external_id": "E1", "name": "甲"}\n\n'
                f'{{"external_id": "E2", "name": "乙", "credit_code": "{bad}"}}\n'
                '{"external_id": "E3", "name": "丙"}\n')
    with pytest.raises(ImportFailed) as exc:
        import_file(rt, "enterprises", _file(tmp_path, f"e.{fmt}", text))
    [err] = exc.value.errors
    assert (err.row, err.line, err.field) == (2, 3, "credit_code")
    assert "check character" in err.reason and str(err).startswith("row 2 (line 3): credit_code")
    assert _count(rt, Enterprise) == 0 and _count(rt, AuditLog) == 0


def test_every_error_of_every_row_is_reported(rt: Runtime, tmp_path: Path) -> None:
    _import_fixtures(rt, "csv", ("enterprises",))
    text = ("external_id,enterprise_external_id,title,headcount,wage_min,wage_max,latitude,"
            "longitude,start_date,urgency\n"
            "V1,E001,ok,0,,,,,,\n"
            "V2,E001,,2,9000,8000,,,,\n"
            "V3,E001,t,1,,,95,116,,\n"
            "V4,E001,t,1,,,39.9,,2020-02-30,soon\n"
            "V5,E001,fine,1,,,,,,\n")
    with pytest.raises(ImportFailed) as exc:
        import_file(rt, "vacancies", _file(tmp_path, "v.csv", text))
    assert _errors(exc) == {(1, "headcount"), (2, "title"), (2, "wage_max"), (3, "latitude"),
                            (4, "longitude"), (4, "start_date"), (4, "urgency")}
    assert _count(rt, Vacancy) == 0


def test_json_array_file_and_unknown_columns(rt: Runtime, tmp_path: Path,
                                             caplog: pytest.LogCaptureFixture) -> None:
    text = '[{"external_id": "E1", "name": "甲", "colour": "red"},\n {"external_id": "E2", ' \
           '"name": "乙", "size_class": "huge"}]'
    with pytest.raises(ImportFailed) as exc:
        import_file(rt, "enterprises", _file(tmp_path, "e.json", text))
    assert [(e.row, e.line, e.field) for e in exc.value.errors] == [(2, None, "size_class")]
    assert "micro, small, medium, large" in exc.value.errors[0].reason
    with caplog.at_level(logging.WARNING):
        import_file(rt, "enterprises", _file(tmp_path, "ok.json", text.replace("huge", "微型")))
    assert "ignoring unknown columns: colour" in caplog.text
    assert _by_ext(rt, Enterprise)["E2"].size_class == SizeClass.MICRO


def test_missing_required_column_is_one_header_error(rt: Runtime, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed) as exc:
        import_file(rt, "enterprises", _file(tmp_path, "e.csv", "name\nA\nB\n"))
    assert [(e.row, e.line, e.field) for e in exc.value.errors] == [(None, 1, "external_id")]


def test_reimport_updates_instead_of_duplicating(rt: Runtime, tmp_path: Path) -> None:
    _import_fixtures(rt, "csv", ("enterprises",))
    before = _by_ext(rt, Enterprise)
    again = import_file(rt, "enterprises", DATA / "enterprises.csv")
    assert (again.created, again.updated) == (0, 3) and _count(rt, Enterprise) == 3

    # columns absent from the file stay as they are; an empty cell resets to the default
    text = "external_id,name,key_tier\nE001,新名字,\nE004,新企业,key\n"
    summary = import_file(rt, "enterprises", _file(tmp_path, "e.csv", text))
    assert (summary.created, summary.updated) == (1, 1)
    after = _by_ext(rt, Enterprise)
    assert after["E001"].id == before["E001"].id and after["E001"].name == "新名字"
    assert after["E001"].key_tier == KeyTier.NONE and after["E001"].credit_code == CODE_1
    assert after["E001"].size_class == SizeClass.LARGE and after["E004"].key_tier == KeyTier.KEY
    assert _count(rt, Enterprise) == 4


@pytest.mark.parametrize(("kind", "text", "field"), [
    ("enterprises", f"external_id,name,credit_code\nE1,甲,{CODE_1[:-1]}7\n", "credit_code"),
    ("seekers", f"external_id,skills,id_number\nS1,x,{ID_1[:-1]}5\n", "id_number"),
])
def test_bad_check_characters_are_refused(rt: Runtime, tmp_path: Path, kind: str, text: str,
                                          field: str) -> None:
    with pytest.raises(ImportFailed) as exc:
        import_file(rt, kind, _file(tmp_path, "bad.csv", text))
    [err] = exc.value.errors
    assert (err.row, err.field) == (1, field) and "check character" in err.reason
    assert ID_1[:-1] not in str(err) and ID_1[:-1] not in str(exc.value.to_dict())


def test_duplicate_external_id_in_a_file_names_both_rows(rt: Runtime, tmp_path: Path) -> None:
    text = "external_id,name\nE1,甲\nE2,乙\nE1,丙\n"
    with pytest.raises(ImportFailed) as exc:
        import_file(rt, "enterprises", _file(tmp_path, "e.csv", text))
    [err] = exc.value.errors
    assert (err.row, err.line, err.field) == (3, 4, "external_id")
    assert "row 1 (line 2)" in err.reason


def test_duplicate_credit_codes_and_id_numbers(rt: Runtime, tmp_path: Path) -> None:
    text = f"external_id,name,credit_code\nE1,甲,{CODE_1}\nE2,乙,{CODE_1}\n ,丙,{CODE_1}\n"
    with pytest.raises(ImportFailed) as exc:
        import_file(rt, "enterprises", _file(tmp_path, "e.csv", text))
    assert _errors(exc) == {(2, "credit_code"), (3, "external_id"), (3, "credit_code")}
    _import_fixtures(rt, "csv", ("enterprises", "seekers"))
    text = f"external_id,skills,id_number\nS9,x,{ID_1}\n"  # S001 already has this ID number
    with pytest.raises(ImportFailed) as exc:
        import_file(rt, "seekers", _file(tmp_path, "s.csv", text))
    assert _errors(exc) == {(1, "id_number")} and "S001" in exc.value.errors[0].reason


def test_unknown_enterprise_reference(rt: Runtime, tmp_path: Path) -> None:
    _import_fixtures(rt, "csv", ("enterprises",))
    text = "external_id,enterprise_external_id,title\nV1,E001,a\nV2,E999,b\n"
    with pytest.raises(ImportFailed) as exc:
        import_file(rt, "vacancies", _file(tmp_path, "v.csv", text))
    assert _errors(exc) == {(2, "enterprise_external_id")}
    assert "E999" in exc.value.errors[0].reason and _count(rt, Vacancy) == 0


def test_reference_to_an_enterprise_of_an_earlier_batch(rt: Runtime) -> None:
    with rt.uow() as uow:
        import_rows(uow.s, rt.cipher, [
            ("enterprises", [SourceRow(1, None, {"external_id": "E9", "name": "甲"})]),
            ("vacancies", [SourceRow(1, None, {"external_id": "V9", "enterprise_external_id":
                                               "E9", "title": "Courier"})]),
        ])
        uow.commit()
    assert _by_ext(rt, Vacancy)["V9"].enterprise_id == _by_ext(rt, Enterprise)["E9"].id


def test_masked_identity_keeps_the_stored_value(rt: Runtime, tmp_path: Path) -> None:
    _import_fixtures(rt, "csv", ("seekers",))
    text = ('{"external_id": "S001", "name": "张伟伟", "id_number": "411321********0154", '
            '"phone": "138****5678"}\n')
    import_file(rt, "seekers", _file(tmp_path, "s.jsonl", text))
    s1 = _by_ext(rt, JobSeeker)["S001"]
    assert s1.name == "张伟伟" and s1.id_number_hash == rt.cipher.digest(ID_1)
    assert rt.cipher.decrypt(s1.phone_enc) == "13812345678"
    text = '{"external_id": "S777", "skills": ["x"], "id_number": "411321********0154"}\n'
    with pytest.raises(ImportFailed) as exc:
        import_file(rt, "seekers", _file(tmp_path, "new.jsonl", text))
    assert _errors(exc) == {(1, "id_number")}


def test_people_and_vacancy_guards(rt: Runtime) -> None:
    _import_fixtures(rt, "csv")
    with rt.uow() as uow:
        uow.s.execute(update(JobSeeker).where(JobSeeker.external_id == "S001")
                      .values(status=PersonStatus.DELETED))
        uow.s.execute(update(Vacancy).where(Vacancy.external_id == "V001").values(filled=15))
        uow.commit()
    with pytest.raises(ImportFailed) as exc:
        import_file(rt, "seekers", DATA / "seekers.csv")
    assert _errors(exc) == {(1, "external_id")} and "deleted" in exc.value.errors[0].reason
    with rt.uow() as uow:
        batch = [SourceRow(1, None, {"external_id": "V001", "enterprise_external_id": "E001",
                                     "title": "t", "headcount": 10})]
        with pytest.raises(ImportFailed) as exc:
            import_rows(uow.s, rt.cipher, [("vacancies", batch)])
    assert _errors(exc) == {(1, "headcount")}


def test_seeker_needs_something_to_match_on(rt: Runtime, tmp_path: Path) -> None:
    text = "external_id,name,skills,experience\nS1,甲,,\n"
    with pytest.raises(ImportFailed) as exc:
        import_file(rt, "seekers", _file(tmp_path, "s.csv", text))
    assert _errors(exc) == {(1, "desired_positions")}


def test_not_utf8_is_a_clear_file_error(rt: Runtime, tmp_path: Path) -> None:
    path = _file(tmp_path, "e.csv", "external_id,name\nE1,北京康护\n", encoding="gbk")
    with pytest.raises(FileFormatError, match="UTF-8"):
        import_file(rt, "enterprises", path)


def test_bulk_import_issues_a_handful_of_statements(rt: Runtime, tmp_path: Path) -> None:
    _import_fixtures(rt, "csv", ("enterprises",))
    n = 5000
    lines = ["external_id,enterprise_external_id,title,required_skills,wage_min,wage_max"]
    lines += [f"V{i},E00{i % 3 + 1},仓库分拣员 {i},分拣;打包,{5000 + i % 7},"
              f"{'' if i % 5 else 9000}" for i in range(n)]
    path = _file(tmp_path, "v.csv", "\n".join(lines) + "\n")
    statements: list[str] = []
    event.listen(rt.engine, "before_cursor_execute",
                 lambda *args: statements.append(args[2]))
    assert import_file(rt, "vacancies", path).created == n
    assert len(statements) < 20  # preloads + chunked inserts, never one per row
    assert import_file(rt, "vacancies", path).updated == n
    assert _count(rt, Vacancy) == n and len(statements) < 40


def test_index_hook_runs_after_commit(rt: Runtime, monkeypatch: pytest.MonkeyPatch,
                                      caplog: pytest.LogCaptureFixture) -> None:
    seen: list[tuple[list[str], int]] = []
    module: Any = types.ModuleType("matcher.index")
    module.sync_after_import = lambda r, kinds: seen.append((kinds, _count(r, Enterprise)))
    monkeypatch.setitem(sys.modules, "matcher.index", module)
    import_file(rt, "enterprises", DATA / "enterprises.csv")
    assert seen == [(["enterprises"], 3)]  # called once, with the rows already committed

    def broken(r: Runtime, kinds: list[str]) -> None:
        raise RuntimeError("index unavailable")

    module.sync_after_import = broken
    with caplog.at_level(logging.WARNING):
        import_file(rt, "vacancies", DATA / "vacancies.csv")
    assert _count(rt, Vacancy) == 3 and "workbridge index build" in caplog.text


def test_missing_index_hook_says_to_build(rt: Runtime, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        import_file(rt, "enterprises", DATA / "enterprises.jsonl")
    assert "workbridge index build" in caplog.text


def _env(db_url: str) -> dict[str, str]:
    return {"WORKBRIDGE_DATABASE_URL": db_url, "WORKBRIDGE_SECRET_KEY": "test-secret",
            "WORKBRIDGE_ENCODER": "fake"}


def test_cli_import_prints_the_summary(db_url: str, rt: Runtime) -> None:
    result = CliRunner().invoke(import_cmd, ["enterprises", str(DATA / "enterprises.csv")],
                                env=_env(db_url))
    assert result.exit_code == 0, result.output
    assert "enterprises: 3 rows, 3 created, 0 updated" in result.stdout
    assert _count(rt, Enterprise) == 3


def test_cli_import_errors_exit_1_masked(db_url: str, rt: Runtime, tmp_path: Path) -> None:
    text = (f"external_id,skills,id_number,phone\nS1,x,{ID_1},13812345678\n"
            f"S2,x,{ID_1},13912345678\nS3,x,{ID_2[:-1]}3,bad\n")
    path = _file(tmp_path, "people.csv", text)
    result = CliRunner().invoke(import_cmd, ["seekers", str(path), "--quiet"], env=_env(db_url))
    assert result.exit_code == 1
    assert "people.csv: row 2 (line 3): id_number: The same ID number is on row 1 (line 2)." \
        in result.stderr
    assert "row 3 (line 4): id_number" in result.stderr
    assert "row 3 (line 4): phone" in result.stderr
    assert "3 error(s)" in result.stderr and "nothing was imported" in result.stderr
    for clear in (ID_1, ID_2[:-1], "13812345678"):
        assert clear not in result.output
    assert _count(rt, JobSeeker) == 0


def test_cli_usage_errors_exit_2(db_url: str, tmp_path: Path) -> None:
    runner, env = CliRunner(), _env(db_url)
    txt = _file(tmp_path, "e.txt", "external_id,name\nE1,甲\n")
    assert runner.invoke(import_cmd, ["people", str(txt)], env=env).exit_code == 2
    assert runner.invoke(import_cmd, ["enterprises", str(txt)], env=env).exit_code == 2
    missing = str(tmp_path / "missing.csv")
    assert runner.invoke(import_cmd, ["enterprises", missing], env=env).exit_code == 2
    ok = runner.invoke(import_cmd, ["enterprises", str(txt), "--format", "csv"], env=env)
    assert ok.exit_code == 0 and "1 created" in ok.stdout


def test_cli_file_errors_exit_1(db_url: str, tmp_path: Path) -> None:
    path = _file(tmp_path, "e.csv", "external_id,name\nE1,北京康护\n", encoding="gbk")
    result = CliRunner().invoke(import_cmd, ["enterprises", str(path)], env=_env(db_url))
    assert result.exit_code == 1 and "UTF-8" in result.stderr
