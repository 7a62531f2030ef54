"""Bulk data in and out: CSV / JSON Lines import with row validation, and export.

``import_file`` validates a whole file and writes it in one transaction (or nothing);
``import_rows`` is the bulk writer behind it, also used by the demo city; ``export_file``
writes the same columns back.
"""

from matcher.dataio.exporter import export_file, iter_rows
from matcher.dataio.importer import (
    ImportFailed,
    ImportSummary,
    RowError,
    import_file,
    import_rows,
    run_index_hook,
)
from matcher.dataio.readers import FileFormatError, RowReader, SourceRow
from matcher.dataio.schemas import COLUMNS, KINDS

__all__ = [
    "COLUMNS",
    "KINDS",
    "FileFormatError",
    "ImportFailed",
    "ImportSummary",
    "RowError",
    "RowReader",
    "SourceRow",
    "export_file",
    "import_file",
    "import_rows",
    "iter_rows",
    "run_index_hook",
]
