"""Chinese/English UI with Flask-Babel: zh_CN by default, English on request.

The language is chosen with ``?lang=en`` / ``?lang=zh_CN`` on any page (remembered in the
session), otherwise taken from the session, otherwise zh_CN. Catalogs live in
``web/translations`` (``messages.po`` and the compiled ``messages.mo``); see
:func:`compile_catalogs`. The Chinese catalog's folder is ``zh_Hans_CN``: Babel parses
``zh_CN`` to that name and gettext looks for it (or ``zh``), never for ``zh_CN``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations
from flask import Flask, g, has_request_context, request, session
from flask_babel import Babel, Domain, get_locale, get_translations

from matcher.words import N_, render

LANGUAGES = {"zh_CN": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_CN"
TRANSLATIONS_DIR = Path(__file__).parent / "translations"
SESSION_KEY = "lang"

babel = Babel()
_REQUEST_CATALOG = "_wb_translations"  # flask.g: (locale, translations) of this request


class RequestDomain(Domain):
    """Flask-Babel's message domain, with the catalog found once per request.

    Flask-Babel finds the catalog again on every lookup (locale identifier string, cache
    key); an API answer looks up dozens of msgids (match reasons, error fields). The catalog
    is kept on ``g`` for the request, keyed by the locale object, so a locale changed during
    the request (``flask_babel.refresh``, ``force_locale``) still finds its own catalog.
    """

    def get_translations(self) -> NullTranslations:
        """The catalog of the request's locale (Flask-Babel's own lookup on a miss)."""
        if not g:
            return super().get_translations()
        locale = get_locale()
        cached = g.get(_REQUEST_CATALOG)
        if cached is not None and cached[0] is locale:
            return cached[1]
        found = super().get_translations()
        setattr(g, _REQUEST_CATALOG, (locale, found))
        return found


_DOMAIN = RequestDomain()  # the "messages" domain, as Flask-Babel's default


def translator() -> Callable[[str], str]:
    """The request's catalog lookup (``msgid -> text``), found once: for loops that translate
    several msgids (the reasons of each match) without a locale check per msgid."""
    found = g.get(_REQUEST_CATALOG) if g else None
    if found is not None:
        # Flask-Babel keeps the request's locale on g._flask_babel (what get_locale() reads,
        # through three more lookups); a locale changed since (refresh, force_locale) is
        # another object, so the catalog is found again
        state = g.get("_flask_babel")
        locale = getattr(state, "babel_locale", None)
        if locale is None:
            locale = get_locale()
        if found[0] is locale:
            return found[1].ugettext
    return get_translations().ugettext


def gettext(msgid: str, **params: Any) -> str:
    """Flask-Babel's ``gettext`` for hot paths (match reasons, error fields): the request's
    catalog is looked up once (:class:`RequestDomain`), then read from ``g``."""
    text: str = translator()(msgid)
    return text % params if params else text


#: every time shown to a person is in the city's time zone, to the minute
CITY_TZ = ZoneInfo("Asia/Shanghai")
#: environment switch: when "1", every msgid looked up but absent from the catalog is
#: recorded in :data:`MISSING` (the test suite sets it and fails on any entry at the end)
STRICT_ENV = "WORKBRIDGE_I18N_STRICT"
MISSING: set[str] = set()


def select_locale() -> str:
    """The request's language: ``?lang=``, the session, then (API only) Accept-Language, zh_CN.

    Pages ignore the browser's Accept-Language on purpose: the city's services speak
    Chinese first and the switch in the header is one click away. API clients choose with
    ``Accept-Language: en`` (or ``?lang=en``).
    """
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        return wanted
    stored = session.get(SESSION_KEY)
    if stored in LANGUAGES:
        return stored
    if request.path.startswith("/api/"):
        best = request.accept_languages.best_match(["zh_CN", "zh", "en"])
        if best == "en":
            return "en"
    return DEFAULT_LANGUAGE


def _record_miss(msgid: str) -> None:
    if os.environ.get(STRICT_ENV) == "1" and msgid:
        catalog = getattr(get_translations(), "_catalog", None)
        if catalog is not None and msgid not in catalog:
            MISSING.add(msgid)


def _lookup(msgid: str) -> str:
    """``msgid`` in the request's language; records catalog misses in strict mode."""
    if not has_request_context():
        return msgid
    _record_miss(msgid)
    return gettext(msgid)


def translate(message: Any) -> str:
    """A message (a :class:`~matcher.words.Msg`, a msgid or a value) in the reader's language."""
    if message is None:
        return ""
    if isinstance(message, str):  # a Msg is a str too
        return render(message, _lookup)
    return str(message)


def translate_fields(fields: dict | None) -> dict | None:
    """Field messages (``{field: [message, ...]}``, nested for lists/objects) translated."""
    if not fields:
        return fields
    out: dict = {}
    for key, value in fields.items():
        if isinstance(value, dict):
            out[key] = translate_fields(value)
        elif isinstance(value, (list, tuple)):
            out[key] = [translate_fields(v) if isinstance(v, dict) else translate(v) for v in value]
        else:
            out[key] = translate(value)
    return out


def local_time(value: datetime | date | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored time (UTC, naive = UTC) in Beijing time, to the minute; dates as they are."""
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return value.isoformat()
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(CITY_TZ).strftime(fmt)


def _remember_language() -> None:
    wanted = request.args.get("lang")
    if wanted in LANGUAGES and session.get(SESSION_KEY) != wanted:
        session[SESSION_KEY] = wanted


def init_app(app: Flask) -> None:
    """Bind Flask-Babel and the language switch to ``app``."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    babel.init_app(app, locale_selector=select_locale)
    babel.domain_instance = _DOMAIN  # one per process: catalogs are cached across apps

    def _template_gettext(text: str) -> str:
        _record_miss(text)
        return get_translations().ugettext(text)

    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]  # + strict record
        gettext=_template_gettext,
        ngettext=lambda s, p, n: get_translations().ungettext(s, p, n),
        newstyle=True,
    )
    app.before_request(_remember_language)

    app.add_template_filter(translate, "tr")  # {{ value|tr }}: an enum value, a Msg
    app.add_template_filter(local_time, "when")  # {{ at|when }}: Beijing time to the minute

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


# Enum values shown through ``_(value)`` in templates: listed here so pybabel extracts them.
ENUM_WORDS = (
    N_("open"), N_("closed"), N_("filled"), N_("proposed"), N_("accepted"), N_("signed"),
    N_("active"), N_("returned"), N_("terminated"), N_("draft"), N_("submitted"),
    N_("approved"), N_("rejected"), N_("paid"), N_("long_term"), N_("short_term"),
    N_("shared"), N_("normal"), N_("urgent"), N_("critical"), N_("none"), N_("inclusive"),
    N_("key"), N_("priority"), N_("agency"), N_("enterprise"), N_("person"), N_("lender"),
    N_("borrower"),
)
