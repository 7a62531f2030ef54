"""Bulk export in the import format, so that export -> import round-trips.

Job seekers' ID numbers and phones are written masked (``110101********1234``) unless
``include_pii`` is set; importing a masked value back keeps the stored value. Every
export with personal data in clear is recorded in the audit log. People removed at their
request (status ``deleted``) are not exported.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from tqdm import tqdm

from matcher import audit
from matcher.dataio.importer import MODELS
from matcher.dataio.readers import detect_format, write_rows
from matcher.dataio.schemas import COLUMNS
from matcher.enums import PersonStatus
from matcher.models import Enterprise
from matcher.pii import PiiCipher

if TYPE_CHECKING:
    from matcher.runtime import Runtime

log = logging.getLogger(__name__)
MONEY = {"wage_min", "wage_max", "daily_cost"}  # integer fen in the database, yuan in files


def yuan(fen: int | None) -> int | float | None:
    """``600050`` -> ``6000.5``; whole amounts stay integers."""
    if fen is None:
        return None
    return fen // 100 if fen % 100 == 0 else fen / 100


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):  # StrEnum members become plain strings
        return str(value)
    return value


def iter_rows(session: Session, kind: str, cipher: PiiCipher | None = None,
              *, include_pii: bool = False) -> Iterator[dict[str, Any]]:
    """Rows of ``kind`` as import-format dicts, in id order, streamed from the database."""
    model: Any = MODELS[kind]
    cols = [model.id] + [getattr(model, c) for c in COLUMNS[kind]
                         if c not in ("enterprise_external_id", "id_number", "phone")]
    if kind in ("vacancies", "surplus"):
        cols.append(Enterprise.external_id.label("enterprise_external_id"))
    if kind == "seekers":
        pii = ("id_number_enc", "phone_enc") if include_pii else ("id_number_masked",
                                                                 "phone_masked")
        cols += [getattr(model, c) for c in pii]
    stmt = select(*cols).order_by(model.id).execution_options(yield_per=2000)
    if kind in ("seekers", "surplus"):
        stmt = stmt.where(model.status == PersonStatus.ACTIVE)
    if kind in ("vacancies", "surplus"):
        stmt = stmt.join(Enterprise, Enterprise.id == model.enterprise_id)
    for row in session.execute(stmt):
        data = dict(row._mapping)
        if kind == "seekers":
            if include_pii:
                if cipher is None:
                    raise ValueError("a cipher is required to export personal data")
                data["id_number"] = cipher.decrypt(data.pop("id_number_enc"))
                data["phone"] = cipher.decrypt(data.pop("phone_enc"))
            else:
                data["id_number"] = data.pop("id_number_masked")
                data["phone"] = data.pop("phone_masked")
        out = {c: _plain(data[c]) for c in COLUMNS[kind]}
        for c in MONEY.intersection(out):
            out[c] = yuan(out[c])
        yield out


def export_file(rt: Runtime, kind: str, path: str | PathLike[str], fmt: str | None = None,
                *, include_pii: bool = False, bom: bool = False, progress: bool = False,
                actor: str = "cli") -> int:
    """Write every row of ``kind`` to a CSV / JSON Lines file; return the number of rows."""
    fmt = detect_format(path, fmt)
    with rt.uow() as uow:
        rows = tqdm(iter_rows(uow.s, kind, rt.cipher, include_pii=include_pii),
                    desc=f"exporting {kind}", unit=" rows", disable=not progress, leave=False)
        count = write_rows(path, fmt, list(COLUMNS[kind]), rows, bom=bom)
        if include_pii and kind == "seekers":
            audit.record(uow.s, actor, "export_pii", kind, Path(path).name[:64], {"rows": count})
            uow.commit()
    log.info("exported %d %s to %s", count, kind, Path(path).name)
    return count
