"""Bulk import: validate every row of every batch first, then write all in one transaction.

A batch is ``(kind, rows)``. Nothing is written unless every row of every batch is valid;
the error raised lists all problems at once (row, file line, column, reason). Existing
rows are matched by ``external_id`` and updated (only the columns the row gives), new ones
are inserted in bulk. Rows may refer to enterprises already in the database or in an
earlier batch of the same import.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from marshmallow import ValidationError
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from tqdm import tqdm

from matcher import audit
from matcher.dataio.readers import RowReader, SourceRow
from matcher.dataio.schemas import COLUMNS, SCHEMAS, Keep, required_columns
from matcher.enums import EmploymentType, PersonStatus
from matcher.errors import Conflict, ValidationFailed
from matcher.models import Enterprise, JobSeeker, SurplusEmployee, Vacancy
from matcher.models.base import Base, utcnow
from matcher.pii import PiiCipher, mask_id_number, mask_phone, mask_text
from matcher.words import N_, msg, word

if TYPE_CHECKING:
    from matcher.runtime import Runtime

log = logging.getLogger(__name__)
CHUNK = 2000
MODELS: dict[str, type[Base]] = {
    "enterprises": Enterprise, "vacancies": Vacancy, "seekers": JobSeeker,
    "surplus": SurplusEmployee,
}


@dataclass(frozen=True)
class RowError:
    """One problem: data row (1-based, None for the whole file), file line, column, reason."""

    row: int | None
    line: int | None
    field: str
    reason: str

    def where(self) -> str:
        """``row 3 (line 4)``, ``line 1`` or ``file``."""
        if self.row is None:
            return f"line {self.line}" if self.line else "file"
        return f"row {self.row}" + (f" (line {self.line})" if self.line else "")

    def __str__(self) -> str:
        return f"{self.where()}: {self.field}: {mask_text(self.reason)}"


class ImportFailed(ValidationFailed):
    """The file has errors; nothing was imported. ``errors`` lists every one."""

    code = "import_failed"

    def __init__(self, kind: str, errors: list[RowError]):
        self.kind, self.errors = kind, errors
        fields: dict[str, list[str]] = {}
        for err in errors:
            masked = mask_text(err.reason)  # a Msg stays one (translatable) when nothing is masked
            fields.setdefault(f"{err.where()}: {err.field}", []).append(
                err.reason if masked == err.reason else masked)
        super().__init__(msg("%(n)s error(s) in the %(kind)s data; nothing was imported.",
                             n=len(errors), kind=kind),
                         fields=fields)


@dataclass(frozen=True)
class ImportSummary:
    """What one batch did."""

    kind: str
    rows: int
    created: int
    updated: int

    def __str__(self) -> str:
        return f"{self.kind}: {self.rows} rows, {self.created} created, {self.updated} updated"


@dataclass
class _Staged:
    src: SourceRow
    values: dict[str, Any]
    present: frozenset[str]
    existing: dict[str, Any] | None  # id and the columns of _preload, None for a new row


_UNIQUE = {"enterprises": "credit_code", "seekers": "id_number_hash"}


def _preload(session: Session, kind: str) -> dict[str, dict[str, Any]]:
    """external_id -> {id, kind-specific columns} for every stored row of ``kind`` (1 query)."""
    extra: dict[str, tuple[Any, ...]] = {
        "enterprises": (Enterprise.credit_code,), "vacancies": (Vacancy.filled,),
        "seekers": (JobSeeker.id_number_hash, JobSeeker.status),
        "surplus": (SurplusEmployee.status, SurplusEmployee.consent),
    }
    model: Any = MODELS[kind]
    stmt = select(model.external_id, model.id, *extra[kind])
    return {row.external_id: dict(row._mapping) for row in session.execute(stmt)}


class _Checker:
    """Validates the rows of one batch against the schema, the file and the database."""

    def __init__(self, session: Session, kind: str, cipher: PiiCipher, enterprises: set[str]):
        self.kind, self.cipher, self.enterprises = kind, cipher, enterprises
        self.schema = SCHEMAS[kind]()
        self.known = set(self.schema.fields)
        self.existing = _preload(session, kind)
        self.seen: dict[str, SourceRow] = {}
        self.unique: dict[str, tuple[str | None, SourceRow]] = {}  # credit code / ID hash -> row
        key = _UNIQUE.get(kind)
        self.owner = {row[key]: ext for ext, row in self.existing.items()
                      if key and row[key] is not None}
        self.errors: list[RowError] = []
        self.unknown: set[str] = set()

    def fail(self, src: SourceRow, field: str, reason: str) -> None:
        self.errors.append(RowError(src.row, src.line, field, reason))

    def check(self, src: SourceRow) -> _Staged | None:
        """The staged row, or None after recording its errors."""
        if src.error:
            self.fail(src, "row", src.error)
            return None
        self.unknown.update(k for k in src.data if k not in self.known)
        n_errors = len(self.errors)
        try:
            values = self.schema.load(src.data)
        except ValidationError as exc:
            for field, msgs in _flatten(exc.messages):
                self.fail(src, field, msgs)
            values = exc.valid_data if isinstance(exc.valid_data, dict) else {}
        ext = values.get("external_id")
        if ext in self.seen:
            first = self.seen[ext]
            self.fail(src, "external_id", msg("%(id)s is also on %(where)s.", id=repr(ext),
                                              where=_where(first)))
        if ext is not None:
            self.seen.setdefault(ext, src)
        existing = self.existing.get(ext) if ext is not None else None
        staged = _Staged(src, values, frozenset(k for k in src.data if k in self.known), existing)
        self._rules(staged)  # also on a partly invalid row, to report every problem at once
        return staged if len(self.errors) == n_errors else None

    def _rules(self, st: _Staged) -> None:
        v, src, ex = st.values, st.src, st.existing
        ref = v.get("enterprise_external_id")
        if ref is not None and ref not in self.enterprises:
            self.fail(src, "enterprise_external_id",
                      msg("No enterprise with external_id %(id)s (import enterprises first).",
                          id=repr(ref)))
        if self.kind == "enterprises" and v.get("credit_code"):
            self._unique(st, "credit_code", v["credit_code"], "credit code")
        if ex and v.get("headcount") and ex["filled"] > v["headcount"]:
            self.fail(src, "headcount", msg("%(n)s positions are already filled.", n=ex["filled"]))
        if ex and ex.get("status") == PersonStatus.DELETED:
            self.fail(src, "external_id", msg("This person was deleted (anonymized); refused."))
        if self.kind != "seekers":
            return
        for col in ("id_number", "phone"):
            if isinstance(v.get(col), Keep) and ex is None:
                self.fail(src, col, msg("A masked value cannot create a new person (export "
                                        "with --include-pii to get clear values)."))
        if v.get("id_number") and not isinstance(v["id_number"], Keep):
            self._unique(st, "id_number", self.cipher.digest(v["id_number"]), "ID number")
        about = ("desired_positions", "skills", "experience")
        complete = ex is None or all(c in st.present for c in about)
        if complete and all(c in v for c in about) and not any(v[c] for c in about):
            self.fail(src, "desired_positions",
                      msg("Give at least one of desired_positions, skills, experience."))

    def _unique(self, st: _Staged, field: str, key: str, label: str) -> None:
        ext = st.values.get("external_id")
        other = self.unique.get(key)
        if other and other[0] != ext:
            self.fail(st.src, field, msg("The same %(label)s is on %(where)s.",
                                         label=word(label), where=_where(other[1])))
        self.unique.setdefault(key, (ext, st.src))
        owner = self.owner.get(key)
        if owner is not None and owner != ext:
            self.fail(st.src, field, msg("The %(label)s already belongs to external_id %(id)s.",
                                         label=word(label), id=repr(owner)))


#: the identifiers named in uniqueness errors (translated where shown)
UNIQUE_LABELS = (N_("credit code"), N_("ID number"))


def _where(src: SourceRow) -> str:
    return RowError(src.row, src.line, "", "").where()


def _flatten(messages: Any, prefix: str = "") -> Iterable[tuple[str, str]]:
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = "row" if key == "_schema" else str(key)
            yield from _flatten(value, f"{prefix}.{name}" if prefix else name)
    elif isinstance(messages, list | tuple):
        for msg in messages:
            yield from _flatten(msg, prefix)
    else:
        yield prefix or "row", str(messages)


def _model_values(kind: str, st: _Staged, cipher: PiiCipher, enterprise_ids: dict[str, int],
                  now: Any) -> dict[str, Any]:
    """Column values for the model: all of them for a new row, those given for an update."""
    v, create = st.values, st.existing is None
    out: dict[str, Any] = {}
    for col in COLUMNS[kind]:
        if not create and col not in st.present:
            continue
        value = v[col]
        if col == "enterprise_external_id":
            out["enterprise_id"] = enterprise_ids[value]
        elif col in ("id_number", "phone"):
            if isinstance(value, Keep):
                continue
            mask = mask_id_number if col == "id_number" else mask_phone
            out[f"{col}_enc"], out[f"{col}_masked"] = cipher.encrypt(value), mask(value)
            if col == "id_number":
                out["id_number_hash"] = cipher.digest(value) if value else None
        elif col == "consent":
            out["consent"] = value
            already = st.existing is not None and st.existing["consent"]
            if not (value and already):
                out["consent_recorded_at"] = now if value else None
        elif col == "accepts_borrowed":
            out[col] = bool(value) or v["employment_type"] == EmploymentType.SHARED
        else:
            out[col] = value
            if col == "employment_type" and value == EmploymentType.SHARED:
                out["accepts_borrowed"] = True
    return out


def import_rows(session: Session, cipher: PiiCipher,
                batches: Sequence[tuple[str, Iterable[SourceRow]]],
                *, progress: bool = False) -> list[ImportSummary]:
    """Validate all batches, then write them in the session's transaction (caller commits)."""
    enterprises = set(session.scalars(select(Enterprise.external_id)))
    staged: list[tuple[str, list[_Staged]]] = []
    errors: list[RowError] = []
    failed: list[str] = []
    for kind, rows in batches:
        checker = _Checker(session, kind, cipher, enterprises)
        good = [st for src in tqdm(rows, desc=f"checking {kind}", unit=" rows",
                                   disable=not progress, leave=False)
                if (st := checker.check(src)) is not None]
        if checker.unknown:
            unknown = ", ".join(sorted(checker.unknown))
            log.warning("%s: ignoring unknown columns: %s", kind, unknown)
        errors.extend(checker.errors)
        if kind == "enterprises":
            enterprises |= checker.seen.keys()
        staged.append((kind, good))
        if checker.errors:
            failed.append(kind)
    if errors:
        kinds = ", ".join(failed)
        raise ImportFailed(kinds, errors)
    return [_write(session, kind, rows, cipher, progress) for kind, rows in staged]


def _write(session: Session, kind: str, rows: list[_Staged], cipher: PiiCipher,
           progress: bool) -> ImportSummary:
    model: Any = MODELS[kind]
    ids: dict[str, int] = {}
    if kind in ("vacancies", "surplus"):
        ids = {e: i for e, i in session.execute(select(Enterprise.external_id, Enterprise.id))}
    now = utcnow()
    creates, updates = [], []
    for st in rows:
        values = _model_values(kind, st, cipher, ids, now)
        if st.existing is None:
            creates.append(values)
        else:
            updates.append({"id": st.existing["id"], **values})
    bar = tqdm(total=len(rows), desc=f"writing {kind}", unit=" rows", disable=not progress,
               leave=False)
    try:
        # render_nulls: one statement shape for all rows, not one batch per pattern of NULLs
        inserts = insert(model).execution_options(render_nulls=True)
        for stmt, items in ((inserts, creates), (update(model), updates)):
            for start in range(0, len(items), CHUNK):
                session.execute(stmt, items[start:start + CHUNK])
                bar.update(len(items[start:start + CHUNK]))
        session.flush()
    except IntegrityError as exc:
        raise Conflict(msg("The database refused the %(kind)s import: %(reason)s",
                           kind=kind, reason=mask_text(str(exc.orig))),
                       code="import_conflict") from None
    finally:
        bar.close()
    log.info("imported %s: %d created, %d updated", kind, len(creates), len(updates))
    return ImportSummary(kind, len(rows), len(creates), len(updates))


def import_file(rt: Runtime, kind: str, path: str | PathLike[str], fmt: str | None = None,
                *, progress: bool = False, actor: str = "cli") -> ImportSummary:
    """Import one CSV / JSON Lines file of ``kind`` in one transaction, then update indexes."""
    with RowReader(path, fmt) as reader:
        if reader.columns is not None:
            missing = [c for c in required_columns(kind) if c not in reader.columns]
            if missing:
                raise ImportFailed(kind, [RowError(None, 1, c, msg("Required column is missing."))
                                          for c in missing])
        with rt.uow() as uow:
            [summary] = import_rows(uow.s, rt.cipher, [(kind, reader)], progress=progress)
            audit.record(uow.s, actor, "import", kind, Path(path).name[:64], asdict(summary))
            uow.on_commit(lambda: run_index_hook(rt, [kind]))
            uow.commit()
    return summary


def run_index_hook(rt: Runtime, kinds: Sequence[str]) -> None:
    """After a committed import, let the index layer catch up, if it offers a hook."""
    try:  # written by the index layer: ``sync_after_import(rt, kinds)``
        hook = importlib.import_module("matcher.index").sync_after_import
    except (ImportError, AttributeError):
        log.warning("search indexes were not updated: run `workbridge index build`")
        return
    try:
        hook(rt, list(kinds))
    except Exception:
        log.exception("updating the search indexes failed: run `workbridge index build`")
