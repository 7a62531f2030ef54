"""Chinese/English UI with Flask-Babel: zh_CN by default, English on request.

The language is chosen with ``?lang=en`` / ``?lang=zh_CN`` on any page (remembered in the
session), otherwise taken from the session, otherwise zh_CN. Catalogs live in
``web/translations`` (``messages.po`` and the compiled ``messages.mo``); see
:func:`compile_catalogs`. The Chinese catalog's folder is ``zh_Hans_CN``: Babel parses
``zh_CN`` to that name and gettext looks for it (or ``zh``), never for ``zh_CN``.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, request, session
from flask_babel import Babel

LANGUAGES = {"zh_CN": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_CN"
TRANSLATIONS_DIR = Path(__file__).parent / "translations"
SESSION_KEY = "lang"

babel = Babel()


def select_locale() -> str:
    """The request's language: ``?lang=``, then the session, then zh_CN."""
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        return wanted
    stored = session.get(SESSION_KEY)
    return stored if stored in LANGUAGES else DEFAULT_LANGUAGE


def _remember_language() -> None:
    wanted = request.args.get("lang")
    if wanted in LANGUAGES and session.get(SESSION_KEY) != wanted:
        session[SESSION_KEY] = wanted


def init_app(app: Flask) -> None:
    """Bind Flask-Babel and the language switch to ``app``."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    babel.init_app(app, locale_selector=select_locale)
    app.before_request(_remember_language)

    @app.context_processor
    def _languages() -> dict[str, object]:
        return {"languages": LANGUAGES, "current_language": select_locale()}


def compile_catalogs(directory: Path = TRANSLATIONS_DIR) -> list[Path]:
    """Compile every ``messages.po`` under ``directory`` to ``messages.mo``; the .mo paths."""
    written = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=po_path.parent.parent.name)
        mo_path = po_path.with_suffix(".mo")
        with mo_path.open("wb") as fh:
            write_mo(fh, catalog)
        written.append(mo_path)
    return written


def N_(message: str) -> str:
    """Mark a word for extraction only (it is translated where it is shown)."""
    return message


# Enum values shown through ``_(value)`` in templates: listed here so pybabel extracts them.
ENUM_WORDS = (
    N_("open"), N_("closed"), N_("filled"), N_("proposed"), N_("accepted"), N_("signed"),
    N_("active"), N_("returned"), N_("terminated"), N_("draft"), N_("submitted"),
    N_("approved"), N_("rejected"), N_("paid"), N_("long_term"), N_("short_term"),
    N_("shared"), N_("normal"), N_("urgent"), N_("critical"), N_("none"), N_("inclusive"),
    N_("key"), N_("priority"), N_("agency"), N_("enterprise"), N_("person"), N_("lender"),
    N_("borrower"),
)
