"""``workbridge match``: rank open vacancies for seeker profiles in a file, storing nothing.

The input has the columns of the seeker import (CSV with ``;`` between list items, or JSON
Lines) and is validated with the same row schema; any bad row stops the run before any
output is written (exit code 1, each problem with its row and line). The output is JSON
Lines, one line per input row: ``{"row", "external_id", "results": [{"rank",
"vacancy_external_id", "vacancy_id", "title", "enterprise", "score", "explanation": {...}}]}``.
Identity fields in the input (ID number, phone) are validated but never used or written.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
from marshmallow import ValidationError
from tqdm import tqdm

from matcher.cli.context import pass_runtime
from matcher.dataio.readers import FileFormatError, RowReader, SourceRow, write_rows
from matcher.dataio.schemas import SeekerRow
from matcher.matching.profiles import PersonProfile
from matcher.pii import mask_text
from matcher.recommend.service import MatchResult, recommend_for_profile
from matcher.runtime import Runtime

log = logging.getLogger(__name__)

OUTPUT_COLUMNS = ["row", "external_id", "results"]


@dataclass(frozen=True)
class InputProblem:
    """One bad value in the input file."""

    row: int
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f" (line {self.line})" if self.line else "")
        return f"{where}: {self.field}: {mask_text(self.message)}"


def _flatten(messages: Any, prefix: str = "") -> Iterable[tuple[str, str]]:
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from _flatten(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(messages, list):
        for item in messages:
            yield from _flatten(item, prefix)
    else:
        yield prefix or "row", str(messages)


def profile_from_row(data: dict[str, Any]) -> PersonProfile:
    """A not-stored seeker profile from a validated seeker row."""
    return PersonProfile(
        kind="seeker", id=None, external_id=data["external_id"], name=data.get("name"),
        desired_positions=tuple(data.get("desired_positions") or ()),
        skills=tuple(data.get("skills") or ()), experience=data.get("experience") or "",
        district=data.get("district"), latitude=data.get("latitude"),
        longitude=data.get("longitude"), travel_km=data.get("travel_km"),
        available_from=data.get("available_from"), available_to=data.get("available_to"),
        consent=bool(data.get("consent_matching", True)),
        categories=tuple(str(c) for c in data.get("categories") or ()),
    )


def read_profiles(
    path: Path, fmt: str | None = None
) -> tuple[list[tuple[SourceRow, PersonProfile]], list[InputProblem]]:
    """Validate every row; returns the profiles and all problems found."""
    schema = SeekerRow()
    out: list[tuple[SourceRow, PersonProfile]] = []
    problems: list[InputProblem] = []
    seen: dict[str, int] = {}
    with RowReader(path, fmt) as reader:
        for src in reader:
            if src.error:
                problems.append(InputProblem(src.row, src.line, "row", src.error))
                continue
            try:
                data = schema.load(src.data)
            except ValidationError as exc:
                problems.extend(InputProblem(src.row, src.line, f, m)
                                for f, m in _flatten(exc.messages))
                continue
            first = seen.setdefault(data["external_id"], src.row)
            if first != src.row:
                problems.append(InputProblem(src.row, src.line, "external_id",
                                             f"same external id as row {first}"))
                continue
            out.append((src, profile_from_row(data)))
    return out, problems


def _result(r: MatchResult) -> dict[str, Any]:
    return {
        "rank": r.rank, "vacancy_external_id": r.external_id, "vacancy_id": r.vacancy_id,
        "title": r.title, "enterprise": r.enterprise, "score": round(r.score, 6),
        "explanation": {
            "components": r.components, "matched_skills": list(r.matched_skills),
            "missing_skills": list(r.missing_skills), "distance_km": r.distance_km,
            "distance_approximate": r.distance_approximate, "key_tier": r.key_tier,
            "urgency": r.urgency, "agreement": r.agreement,
            "weights_valid_from": r.weights_valid_from.isoformat(),
        },
    }


@click.command("match")
@click.option("--input", "input_path", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Seeker profiles: CSV or JSON Lines with the seeker import columns.")
@click.option("--k", default=10, show_default=True, type=click.IntRange(1, 1000),
              help="Vacancies per profile.")
@click.option("--output", "output_path", required=True,
              type=click.Path(dir_okay=False, path_type=Path), help="JSON Lines to write.")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default=None,
              help="Input format (default: from the file extension).")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Rank as on this day (default today).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@pass_runtime
def match_cmd(rt: Runtime, input_path: Path, k: int, output_path: Path, fmt: str | None,
              as_of: datetime | None, quiet: bool) -> None:
    """Rank open vacancies for every profile in --input; nothing is stored."""
    try:
        rows, problems = read_profiles(input_path, fmt)
    except FileFormatError as exc:
        raise click.UsageError(f"{input_path.name}: {exc}") from exc
    if problems:
        for problem in problems:
            click.echo(f"{input_path.name}: {problem}", err=True)
        click.echo(f"{len(problems)} problem(s); nothing was matched", err=True)
        sys.exit(1)
    day = as_of.date() if as_of else date.today()
    show = not quiet and sys.stderr.isatty()
    out = []
    for src, profile in tqdm(rows, desc="match", unit="profile", disable=not show):
        ranked = recommend_for_profile(rt, profile, k=k, as_of=day)
        out.append({"row": src.row, "external_id": profile.external_id,
                    "results": [_result(r) for r in ranked]})
    written = write_rows(output_path, "jsonl", OUTPUT_COLUMNS, out)
    click.echo(f"matched {written} profile(s) against open vacancies -> {output_path}")
