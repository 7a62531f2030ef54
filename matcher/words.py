"""User-facing words of the engine, translatable without the engine knowing any language.

The engine writes every message a person may read as :func:`msg`: an English msgid in
gettext's ``%(name)s`` form plus its values. The result *is* a ``str`` (the English text,
so logs, the CLI and ``pytest.raises(match=...)`` read it as before) and also carries
``msgid`` and ``params``, which the web layer looks up in the Flask-Babel catalogs
(``web/translations``) in the reader's language. Values that are themselves words (an enum
value, a role, a rule name) are passed as :func:`word` so they are translated too::

    raise NotFound(msg("No vacancy %(id)s.", id=vacancy_id))
    raise Forbidden(msg("This needs the role %(role)s.", role=word(role.value)))

``scripts/i18n.py`` extracts ``msg``, ``word`` and ``N_`` (with Babel) into the catalogs and
``tests/test_i18n_catalogs.py`` fails on any msgid that is missing or untranslated.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


class Msg(str):
    """A message: its English text as the string value, plus ``msgid`` and ``params``."""

    msgid: str
    params: Mapping[str, Any]

    def __new__(cls, msgid: str, params: Mapping[str, Any] | None = None) -> Msg:
        values = dict(params or {})
        text = msgid % {k: _plain(v) for k, v in values.items()} if values else msgid
        obj = super().__new__(cls, text)
        obj.msgid = msgid
        obj.params = values
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (Msg, (self.msgid, dict(self.params)))


def _plain(value: Any) -> Any:
    if isinstance(value, Msg):
        return str.__str__(value)
    return value


def msg(msgid: str, **params: Any) -> Msg:
    """A translatable message (``msgid`` is English with ``%(name)s`` placeholders)."""
    return Msg(msgid, params)


def word(value: str) -> Msg:
    """A single translatable word or code shown to people (an enum value, a rule name)."""
    return Msg(value)


def N_(value: str) -> str:
    """Mark a literal for extraction only; it is translated where it is shown."""
    return value


def words(values: Iterable[str], sep: str = ", ") -> Msg:
    """Several words joined (each translated): ``words(["agency", "enterprise"])``."""
    items = [word(v) for v in values]
    names = [f"w{i}" for i in range(len(items))]
    template = sep.join(f"%({n})s" for n in names)
    return Msg(template, dict(zip(names, items, strict=True))) if items else Msg("")


def render(message: Any, translate: Any) -> str:
    """``message`` in a language: ``translate(msgid) -> str`` applied to it and its values."""
    if not isinstance(message, Msg):
        return translate(message) if isinstance(message, str) and message else str(message)
    if _is_join(message):
        return message.msgid % {k: render(v, translate) for k, v in message.params.items()}
    text = translate(message.msgid)
    if not message.params:
        return text
    values = {k: render(v, translate) if isinstance(v, Msg) else v
              for k, v in message.params.items()}
    try:
        return text % values
    except (KeyError, ValueError, TypeError):  # a broken translation must not hide the error
        return message.msgid % {k: _plain(v) for k, v in message.params.items()}


def _is_join(message: Msg) -> bool:
    return bool(message.params) and all(k.startswith("w") and k[1:].isdigit()
                                        for k in message.params) and \
        message.msgid.startswith("%(w0)s")
