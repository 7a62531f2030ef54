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
from web.bureau import as_of, bp
from web.security import read


@dataclass(frozen=True)
class Dashboard:
    """One chart: its series, title, and the columns of its table and CSV."""

    name: str
    title: str
    note: str
    columns: tuple[str, ...]


DASHBOARDS = {d.name: d for d in (
    Dashboard("gaps", "缺口与填补率 Gaps and fill rate",
              "按区、按行业；每 7 天取样，近 8 周 / by district and industry, sampled weekly "
              "over 8 weeks",
              ("day", "district", "industry", "open_gaps", "needed", "recruited", "fill_rate")),
    Dashboard("cohorts", "在途车次 Cohorts in transit",
              "已成团、已出发、已到达未交接 / formed, departed or arrived, not handed over",
              ("cohort_id", "origin", "destination", "travel_date", "arrival_date", "status",
               "size", "capacity")),
    Dashboard("claims", "补贴按月发放 Claims paid by month",
              "净额 = 发放 − 冲回（元）/ net = payments − reversals (yuan)",
              ("month", "payments", "reversals", "net_fen")),
    Dashboard("watch", "预警名单 Watch list",
              "风险分及原因 / risk score and its reasons",
              ("entry_id", "enterprise_id", "enterprise", "district", "industry", "score",
               "added_on", "status", "resolution_note", "reasons")),
)}


def _rows(name: str) -> tuple[Dashboard, list[dict[str, Any]]]:
    board = DASHBOARDS.get(name)
    if board is None:
        abort(404)
    return board, read(queries.series_rows, name, as_of())


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
    return render_template("bureau/dashboards.html", boards=boards, day=as_of(),
                           names=list(DASHBOARDS), current=None)


@bp.get("/dashboards/<name>")
def dashboard(name: str) -> str:
    """One chart, its table and its CSV link."""
    return render_template("bureau/dashboards.html", boards=[_rows(name)], day=as_of(),
                           names=list(DASHBOARDS), current=name)


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
