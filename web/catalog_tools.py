"""Keep the zh and en catalogs equal to the words in the code (used by scripts/i18n.py and tests).

* :func:`extract` reads every msgid the code can show: ``_``/``gettext``/``ngettext``/
  ``lazy_gettext`` and ``N_``/``msg``/``word`` in ``matcher`` and ``web`` Python files, and
  ``_``/``gettext``/``ngettext`` in every template.
* :func:`problems` lists what is wrong: a msgid missing from a catalog, an empty
  translation, a translation whose ``%(name)s`` placeholders differ from its msgid's.
* :func:`update` adds new msgids (English: msgstr = msgid unless a ``*.en.po`` fragment
  says otherwise, e.g. for codes; Chinese: from ``*.po`` fragment files, else left empty
  so the check fails), optionally drops unused ones, writes
  the ``.po`` files under a lock and compiles the ``.mo`` files.

msgids are English. The catalogs carry no source locations, so a moved line changes nothing.
"""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "web" / "translations"
LOCALES = {"zh": "zh_Hans_CN", "en": "en"}
KEYWORDS = {
    "_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
    "N_": None, "msg": None, "word": None,
}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")
SKIP_DIRS = {"__pycache__", "translations", "static", "vendor"}


def _method_map() -> list[tuple[str, str]]:
    return [("**/templates/**.html", "jinja2"), ("**.py", "python")]


def _walk(directory: Path) -> Iterator[tuple[str | tuple[str, ...], str]]:
    def keep(path: str) -> bool:
        return not any(part in SKIP_DIRS for part in Path(path).parts)

    for filename, _lineno, message, _comments, _ctx in extract_from_dir(
            str(directory), method_map=_method_map(), keywords=KEYWORDS,
            options_map={"**/templates/**.html": {"extensions": "jinja2.ext.do"}},
            directory_filter=lambda d: Path(d).name not in SKIP_DIRS):
        if keep(filename) and message:
            yield message, filename


Found = dict[str, "str | tuple[str, ...]"]


def extract(roots: Iterable[Path] = (ROOT / "matcher", ROOT / "web")) -> Found:
    """Every msgid the code can show, keyed by msgid (plural ids keep their tuple)."""
    found: Found = {}
    for root in roots:
        for message, _filename in _walk(root):
            if isinstance(message, tuple):
                singular = message[0]
                if singular:
                    found[singular] = (message[0], message[1])
            else:
                found[message] = message
    return found


def po_path(lang: str) -> Path:
    """The ``messages.po`` of ``lang`` ("zh" or "en")."""
    return TRANSLATIONS / LOCALES[lang] / "LC_MESSAGES" / "messages.po"


def load(path: Path, locale: str | None = None) -> Catalog:
    """A catalog read from a .po file."""
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def problems(found: Found | None = None) -> list[str]:
    """What is wrong with the catalogs against the code, one line each ([] when all is well)."""
    found = extract() if found is None else found
    out: list[str] = []
    for lang in LOCALES:
        catalog = load(po_path(lang), LOCALES[lang])
        for msgid in sorted(found):
            entry = catalog.get(msgid)
            if entry is None:
                out.append(f"{lang}: missing msgid {msgid!r}")
                continue
            strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
            if not all(strings):
                out.append(f"{lang}: untranslated {msgid!r}")
                continue
            want = _placeholders(msgid)
            for s in strings:
                if _placeholders(str(s)) - want:
                    out.append(f"{lang}: placeholders of {msgid!r} differ in {s!r}")
        for entry in catalog:
            if entry.id and not all(entry.string if isinstance(entry.string, tuple)
                                    else (entry.string,)):
                key = entry.id[0] if isinstance(entry.id, tuple) else entry.id
                if key not in found:
                    out.append(f"{lang}: untranslated (unused) {key!r}")
    return out


@contextmanager
def _locked() -> Iterator[None]:
    lock = TRANSLATIONS / ".lock"
    with lock.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _fragments(paths: Iterable[Path], lang: str = "zh") -> dict[str, str]:
    """Translations from fragment files: ``*.en.po`` for English, any other ``*.po`` for zh."""
    out: dict[str, str] = {}
    for path in paths:
        if path.name.endswith(".en.po") != (lang == "en"):
            continue
        for entry in load(path, LOCALES[lang]):
            if entry.id and entry.string and not isinstance(entry.id, tuple):
                out[str(entry.id)] = str(entry.string)
    return out


def _write(catalog: Catalog, path: Path) -> None:
    buf = BytesIO()
    write_po(buf, catalog, omit_header=False, no_location=True, sort_output=True, width=100)
    tmp = path.with_suffix(".po.tmp")
    tmp.write_bytes(buf.getvalue())
    os.replace(tmp, path)
    with path.with_suffix(".mo").open("wb") as fh:
        write_mo(fh, catalog)


def update(fragment_files: Iterable[Path] = (), prune: bool = False) -> dict[str, int]:
    """Bring both catalogs up to the code; zh translations from ``fragment_files``; counts."""
    found = extract()
    fragment_files = list(fragment_files)
    counts = {"added": 0, "translated": 0, "pruned": 0}
    with _locked():
        for lang, folder in LOCALES.items():
            catalog = load(po_path(lang), folder)
            extra = _fragments(fragment_files, lang)
            for msgid, full in found.items():
                entry = catalog.get(msgid)
                if entry is None:
                    string: str | tuple[str, ...]
                    if lang == "en":
                        string = full if isinstance(full, tuple) else extra.get(msgid, msgid)
                    else:
                        string = ("", "")[:1] if isinstance(full, tuple) else extra.get(msgid, "")
                    catalog.add(full, string=string, flags=_flags(msgid))
                    counts["added"] += 1
                    entry = catalog.get(msgid)
                if msgid in extra and entry is not None \
                        and not isinstance(entry.id, tuple) and entry.string != extra[msgid]:
                    entry.string = extra[msgid]
                    counts["translated"] += 1
            if prune:
                for entry in list(catalog):
                    key = entry.id[0] if isinstance(entry.id, tuple) else entry.id
                    if key and key not in found:
                        catalog.delete(entry.id, entry.context)
                        counts["pruned"] += 1
            _write(catalog, po_path(lang))
    return counts


def _flags(msgid: str) -> tuple[str, ...]:
    return ("python-format",) if PLACEHOLDER.search(msgid) else ()


def untranslated(lang: str = "zh") -> list[str]:
    """msgids of ``lang``'s catalog with an empty translation."""
    return [str(e.id) for e in load(po_path(lang), LOCALES[lang])
            if e.id and not isinstance(e.id, tuple) and not e.string]
