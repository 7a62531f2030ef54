"""Rows in and out of files: CSV (UTF-8, optional BOM, ``;`` between list items) or JSON Lines.

A row is a plain ``dict`` of column name to value. CSV cells are strings (an empty cell
is an empty string); JSON Lines values keep their JSON types. Column names are
normalized (trimmed, lower case, spaces to ``_``) so ``External ID`` reads as
``external_id``.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from matcher.csv_safe import safe_row

FORMATS = ("csv", "jsonl")
LIST_SEP = ";"
_EXTENSIONS = {".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl", ".ndjson": "jsonl"}


class FileFormatError(ValueError):
    """The file as a whole cannot be read (wrong encoding, bad header, unknown format)."""


@dataclass(frozen=True)
class SourceRow:
    """One data row: its 1-based number among data rows, the file line it starts on."""

    row: int
    line: int | None
    data: dict[str, Any] = field(default_factory=dict)
    error: str | None = None  # set when the row itself could not be parsed


def detect_format(path: str | os.PathLike[str], fmt: str | None = None) -> str:
    """``fmt`` if given, else the format named by the file extension."""
    if fmt:
        if fmt not in FORMATS:
            raise FileFormatError(f"unknown format {fmt!r}; expected one of {FORMATS}")
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix not in _EXTENSIONS:
        raise FileFormatError(
            f"cannot tell the format of {Path(path).name!r} from its extension; "
            "use .csv, .jsonl or .json, or pass --format"
        )
    return _EXTENSIONS[suffix]


def normalize_column(name: str) -> str:
    """``' External ID '`` -> ``'external_id'``."""
    return "_".join(name.replace("\ufeff", "").strip().lower().replace("-", " ").split())


class RowReader:
    """Context manager iterating :class:`SourceRow` objects; ``columns`` is the CSV header."""

    def __init__(self, path: str | os.PathLike[str], fmt: str | None = None):
        self.path = Path(path)
        self.format = detect_format(path, fmt)
        self.columns: list[str] | None = None
        self._file: IO[str] | None = None

    def __enter__(self) -> RowReader:
        self._file = self.path.open(encoding="utf-8-sig", newline="")
        try:
            if self.format == "csv":
                self._read_header()
        except BaseException:
            self._file.close()
            raise
        return self

    def _read_header(self) -> None:
        assert self._file is not None
        self._csv = csv.reader(self._file)
        header = self._guard(lambda: next(self._csv, None), 1)
        if not header:
            raise FileFormatError("the CSV file is empty: a header line is required")
        self.columns = [normalize_column(c) for c in header]
        dupes = sorted({c for c in self.columns if c and self.columns.count(c) > 1})
        if dupes:
            raise FileFormatError(f"line 1: columns appear more than once: {', '.join(dupes)}")

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._file is not None:
            self._file.close()

    def __iter__(self) -> Iterator[SourceRow]:
        if self._file is None:
            raise RuntimeError("RowReader used outside 'with'")
        return self._iter_csv() if self.format == "csv" else self._iter_json()

    def _guard(self, read: Any, line: int) -> Any:
        try:
            return read()
        except UnicodeDecodeError:
            raise FileFormatError(
                f"near line {line}: the file is not UTF-8 text "
                "(in Excel, save as 'CSV UTF-8')"
            ) from None
        except csv.Error as exc:
            raise FileFormatError(f"line {line}: malformed CSV: {exc}") from None

    def _iter_csv(self) -> Iterator[SourceRow]:
        assert self.columns is not None
        columns, width, row_no = self.columns, len(self.columns), 0
        while True:
            start = self._csv.line_num + 1
            values = self._guard(lambda: next(self._csv, None), start)
            if values is None:
                return
            if not any(v.strip() for v in values):
                continue  # blank line
            row_no += 1
            if len(values) > width:
                yield SourceRow(row_no, start, error=(
                    f"the row has {len(values)} values but the header has {width} columns"))
                continue
            values = values + [""] * (width - len(values))
            data = {c: v for c, v in zip(columns, values, strict=True) if c}
            yield SourceRow(row_no, start, data)

    def _iter_json(self) -> Iterator[SourceRow]:
        assert self._file is not None
        first = self._guard(lambda: self._file.read(1) if self._file else "", 1)
        while first and first.isspace():
            first = self._guard(lambda: self._file.read(1) if self._file else "", 1)
        if first == "[":  # a plain JSON array of objects is accepted too
            text = first + self._guard(self._file.read, 1)
            try:
                items = json.loads(text)
            except json.JSONDecodeError as exc:
                raise FileFormatError(f"line {exc.lineno}: invalid JSON: {exc.msg}") from None
            for n, item in enumerate(items, 1):
                yield _json_row(n, None, item)
            return
        self._file.seek(0)
        row_no, line_no = 0, 0
        while True:
            line = self._guard(self._file.readline, line_no + 1)
            if not line:
                return
            line_no += 1
            if not line.strip():
                continue
            row_no += 1
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                yield SourceRow(row_no, line_no, error=f"invalid JSON: {exc.msg}")
                continue
            yield _json_row(row_no, line_no, item)


def _json_row(row: int, line: int | None, item: Any) -> SourceRow:
    if not isinstance(item, dict):
        return SourceRow(row, line, error="each line must be a JSON object")
    return SourceRow(row, line, {normalize_column(str(k)): v for k, v in item.items()})


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return LIST_SEP.join(str(v) for v in value)
    if isinstance(value, int | float):
        return value  # a number stays a number (a negative one is no formula)
    return str(value)


def write_rows(path: str | os.PathLike[str], fmt: str, columns: list[str],
               rows: Iterable[Mapping[str, Any]], *, bom: bool = False) -> int:
    """Write ``rows`` atomically (temporary file, then rename); return how many were written."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    count = 0
    try:
        encoding = "utf-8-sig" if bom and fmt == "csv" else "utf-8"
        with os.fdopen(fd, "w", encoding=encoding, newline="") as out:
            if fmt == "csv":
                writer = csv.writer(out, lineterminator="\n")
                writer.writerow(columns)
                for row in rows:
                    writer.writerow(safe_row(_csv_cell(row.get(c)) for c in columns))
                    count += 1
            else:
                for row in rows:
                    item = {c: row.get(c) for c in columns}
                    out.write(json.dumps(item, ensure_ascii=False) + "\n")
                    count += 1
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count
