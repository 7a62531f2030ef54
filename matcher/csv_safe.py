"""CSV cells that a spreadsheet will not run as formulas (CSV/formula injection).

Every CSV this product writes — `workbridge export`, subsidy reports, bureau series files
and the dashboards' downloads — passes its rows through :func:`safe_row` /
:func:`safe_record`. A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return gets a leading apostrophe (the OWASP advice), so Excel, LibreOffice and
Google Sheets show it as text. Numbers (int, float, Decimal) stay numbers: only text is
changed. Importing such a file back keeps the apostrophe as part of the text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value``, with an apostrophe before text that a spreadsheet would treat as a formula."""
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A row of cells for ``csv.writer`` (see :func:`safe_cell`)."""
    return [safe_cell(v) for v in values]


def safe_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row for ``csv.DictWriter`` (see :func:`safe_cell`)."""
    return {k: safe_cell(v) for k, v in row.items()}


__all__ = ["TRIGGERS", "safe_cell", "safe_record", "safe_row"]
