"""Dashboards: each chart is drawn by ``bureau.js`` from inline JSON, above a data table
(the fallback without JavaScript) and a CSV download (``/series/<name>.csv``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import Response, abort, jsonify, render_template

from matcher.bureau import queries
from matcher.csv_safe import safe_record
from matcher.words import N_
from web.bureau import as_of, bp, labels
from web.i18n import translate
from web.labels import district
from web.pages.common import pct, yuan
from web.security import read


@dataclass(frozen=True)
class Dashboard:
    """One chart: its series, title, and the columns of its table and CSV."""

    name: str
    title: str
    note: str
    columns: tuple[str, ...]


DASHBOARDS = {d.name: d for d in (
    Dashboard("gaps", N_("Gaps and fill rate"),
              N_("By district and industry, sampled weekly over 8 weeks."),
              ("day", "district", "industry", "open_gaps", "needed", "recruited", "fill_rate")),
    Dashboard("cohorts", N_("Cohorts in transit"),
              N_("Formed, departed or arrived, not yet handed over."),
              ("cohort_id", "origin", "destination", "travel_date", "arrival_date", "status",
               "size", "capacity")),
    Dashboard("claims", N_("Claims paid by month"),
              N_("Net paid = payments − reversals, in yuan."),
              ("month", "payments", "reversals", "net_fen")),
    Dashboard("watch", N_("Watch list"), N_("Risk score and its reasons."),
              ("entry_id", "enterprise_id", "enterprise", "district", "industry", "score",
               "added_on", "status", "resolution_note", "reasons")),
)}


def _rows(name: str) -> tuple[Dashboard, list[dict[str, Any]]]:
    board = DASHBOARDS.get(name)
    if board is None:
        abort(404)
    return board, read(queries.series_rows, name, as_of())


def _cell(board: str, column: str, value: Any) -> str:
    """One table cell as a person reads it (percentages, yuan, statuses in words)."""
    if value is None or value == "":
        return ""
    if column == "fill_rate":
        return pct(float(value))
    if column == "net_fen":
        return yuan(int(value))
    if column == "status":
        table = labels.COHORT_STATUS if board == "cohorts" else labels.WATCH_STATUS
        return translate(table.get(str(value), str(value)))
    if column == "reasons":
        return translate(value)
    if column in {"district", "destination"}:
        return district(str(value))
    return str(value)


def table_rows(board: Dashboard, rows: Sequence[dict[str, Any]]) -> list[list[str]]:
    """The rows of a board's table, each cell in words (the CSV keeps the raw values)."""
    return [[_cell(board.name, c, r.get(c)) for c in board.columns] for r in rows]


def csv_text(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """Rows as CSV with a header, like the CLI's series files (BOM first)."""
    buf = io.StringIO()
    buf.write("\ufeff")
    w = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore")
    w.writeheader()
    w.writerows(safe_record(r) for r in rows)
    return buf.getvalue()


@bp.get("/dashboards")
def dashboards() -> str:
    """Every chart on one page."""
    boards = [_rows(name) for name in DASHBOARDS]
    return _page(boards, None)


@bp.get("/dashboards/<name>")
def dashboard(name: str) -> str:
    """One chart, its table and its CSV link."""
    return _page([_rows(name)], name)


def _page(boards: list[tuple[Dashboard, list[dict[str, Any]]]], current: str | None) -> str:
    """The dashboards page: per board its chart rows (raw) and its table (in words)."""
    shown = [(b, rows, table_rows(b, rows)) for b, rows in boards]
    words = {k: translate(v) for k, v in labels.CHART_WORDS.items()}
    return render_template("bureau/dashboards.html", boards=shown, day=as_of(),
                           names=list(DASHBOARDS), current=current, chart_words=words,
                           board_titles={n: d.title for n, d in DASHBOARDS.items()})


@bp.get("/series/<name>.csv")
def series_csv(name: str) -> Response:
    """The series as a CSV download."""
    board, rows = _rows(name)
    body = csv_text(rows, board.columns)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="bureau-{name}-{as_of().isoformat()}.csv"'})


@bp.get("/series/<name>.json")
def series_json(name: str) -> Response:
    """The series as JSON: ``{"name", "columns", "rows"}``."""
    board, rows = _rows(name)
    return jsonify({"name": name, "columns": list(board.columns), "rows": rows})
