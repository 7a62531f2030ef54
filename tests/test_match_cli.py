"""``workbridge match`` ranks vacancies for a file of profiles without storing them;
``workbridge index build|status`` (fake encoder)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

from matcher.cli.index_cmds import index
from matcher.cli.match_cmds import match_cmd
from matcher.config import Settings
from matcher.enums import VacancyStatus
from matcher.models import Enterprise, JobSeeker, Vacancy
from matcher.runtime import Runtime
from matcher.validators import make_id_number

HEADER = ("external_id,name,id_number,phone,desired_positions,skills,experience,district,"
          "latitude,longitude,travel_km,categories,available_from\n")


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The CLI builds its Runtime from the environment: point it at the test database."""
    for name, value in {"WORKBRIDGE_DATABASE_URL": settings.database_url,
                        "WORKBRIDGE_INDEX_DIR": str(settings.index_dir),
                        "WORKBRIDGE_ENCODER": "fake", "WORKBRIDGE_SECRET_KEY": "test-secret",
                        "WORKBRIDGE_INDEX_TYPE": "flat"}.items():
        monkeypatch.setenv(name, value)
    return settings


@pytest.fixture
def jobs(rt: Runtime) -> dict[str, int]:
    with rt.uow() as uow:
        ent = Enterprise(external_id="E", name="物流公司", latitude=39.9, longitude=116.4)
        uow.s.add(ent)
        uow.s.flush()
        rows = {
            "fork": Vacancy(external_id="V-FORK", enterprise_id=ent.id, title="仓库叉车司机",
                            required_skills=["叉车证"], latitude=39.9, longitude=116.4),
            "nurse": Vacancy(external_id="V-NURSE", enterprise_id=ent.id, title="护士",
                             description="病房护理", latitude=39.9, longitude=116.4),
            "cook": Vacancy(external_id="V-COOK", enterprise_id=ent.id, title="厨师 cook",
                            description="后厨炒锅", latitude=39.9, longitude=116.4),
            "closed": Vacancy(external_id="V-CLOSED", enterprise_id=ent.id, title="叉车司机",
                              status=VacancyStatus.CLOSED),
        }
        uow.s.add_all(rows.values())
        uow.commit()
        return {k: v.id for k, v in rows.items()}


def run(*args: str) -> Result:
    return CliRunner().invoke(match_cmd, list(args), catch_exceptions=False)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_match_csv_ranks_vacancies_and_stores_nothing(env: Settings, rt: Runtime,
                                                      jobs: dict[str, int], tmp_path: Path) -> None:
    id_number = make_id_number("110105", date(1990, 3, 7), 12)
    src = tmp_path / "seekers.csv"
    src.write_text(HEADER + (
        f"S1,张三,{id_number},13812345678,叉车司机;仓库,叉车证;N1证,开叉车五年,朝阳区,"
        "39.9,116.4,10,migrant_worker,\n"
        "S2,,,,护士,护士证,医院病房护理,,,,,,\n"), encoding="utf-8-sig")
    out = tmp_path / "out.jsonl"
    result = run("--input", str(src), "--k", "2", "--output", str(out), "--as-of", "2020-06-01")
    assert result.exit_code == 0, result.output
    lines = read_jsonl(out)
    assert [(line["row"], line["external_id"]) for line in lines] == [(1, "S1"), (2, "S2")]
    first, second = (line["results"] for line in lines)
    assert [r["vacancy_external_id"] for r in first][0] == "V-FORK"
    assert [r["vacancy_external_id"] for r in second] == ["V-NURSE", "V-COOK"]
    assert len(first) == 2 and "V-CLOSED" not in out.read_text()
    top = first[0]
    assert top["rank"] == 1 and top["explanation"]["matched_skills"] == ["叉车证"]
    parts = top["explanation"]["components"]
    assert sum(c["contribution"] for c in parts.values()) == pytest.approx(top["score"], abs=1e-5)
    assert id_number not in out.read_text() and "13812345678" not in out.read_text()
    with rt.uow() as uow:  # the profiles were not stored
        assert uow.s.scalar(select(func.count()).select_from(JobSeeker)) == 0


def test_match_jsonl_input(env: Settings, jobs: dict[str, int], tmp_path: Path) -> None:
    src = tmp_path / "seekers.jsonl"
    src.write_text(json.dumps({"external_id": "J1", "desired_positions": ["厨师", "cook"],
                               "skills": ["炒锅"], "experience": "后厨十年"},
                              ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run("--input", str(src), "--k", "1", "--output", str(out))
    assert result.exit_code == 0, result.output
    [line] = read_jsonl(out)
    assert [r["vacancy_external_id"] for r in line["results"]] == ["V-COOK"]


def test_bad_rows_stop_the_run_with_row_numbers(env: Settings, jobs: dict[str, int],
                                                tmp_path: Path) -> None:
    src = tmp_path / "seekers.csv"
    src.write_text(HEADER + "S1,,,,叉车司机,,,,,,,,\n"
                            "S2,,110105199003071230,,护士,,,,,,,,\n"
                            "S3,,,,护士,,,,95.5,116.4,,,\n"
                            "S1,,,,保安,,,,,,,,\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run("--input", str(src), "--output", str(out))
    assert result.exit_code == 1
    err = result.stderr
    assert "row 2 (line 3): id_number:" in err
    assert "row 3 (line 4): latitude:" in err
    assert "row 4 (line 5): external_id: same external id as row 1" in err
    assert "110105199003071230" not in err
    assert not out.exists()


def test_index_build_and_status(env: Settings, jobs: dict[str, int]) -> None:
    runner = CliRunner()
    built = runner.invoke(index, ["build", "--quiet"], catch_exceptions=False)
    assert built.exit_code == 0, built.output
    assert "vacancies: 3 vectors, flat, encoder fake, version 1" in built.stdout
    assert "people: 0 vectors" in built.stdout
    assert (env.index_dir / "vacancies.faiss").exists()
    status = runner.invoke(index, ["status"], catch_exceptions=False)
    assert status.exit_code == 0
    assert "vacancies: file version 1, 3 vectors, flat" in status.stdout
    assert "database: version 1, 3 rows to index" in status.stdout
    (env.index_dir / "people.faiss").unlink()
    damaged = runner.invoke(index, ["status"], catch_exceptions=False)
    assert "people: file version 1, 0 vectors" in damaged.stdout
    assert "FILE MISSING OR DAMAGED" in damaged.stdout
