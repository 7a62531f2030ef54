"""Marshmallow's own messages as catalog msgids, with their limits kept as parameters.

Marshmallow writes its messages as ``str.format`` templates (``"Shorter than minimum length
{min}."``) and formats them before we see them, which would leave one English sentence per
limit. :func:`worded_field` (run once per input schema class by ``web.schemas.InputSchema``)
swaps every template of a field and its validators for a
:class:`Template`, whose ``format`` returns a :class:`~matcher.words.Msg` instead: the msgid
in gettext form (``"Shorter than minimum length %(min)s."``) and the limit as a value, so
``web/errors.py`` shows it in the reader's language. :data:`MESSAGES` lists every such
msgid for extraction (``tests/test_form_words.py`` checks the list against marshmallow).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from marshmallow import fields

from matcher.words import N_, Msg, word

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{(\w+)(![rs])?\}")
#: parameters whose values are words to translate (``Not a valid %(obj_type)s.``)
_WORD_PARAMS = frozenset({"obj_type", "awareness"})
#: validator attributes holding a message template
_VALIDATOR_MESSAGES = ("error", "message_min", "message_max", "message_all", "message_equal")


def gettext_form(template: str) -> tuple[str, dict[str, bool]]:
    """``template`` (str.format style) as a gettext msgid, and which values want ``repr``."""
    wants_repr: dict[str, bool] = {}

    def swap(match: re.Match[str]) -> str:
        if match.group(0) in ("{{", "}}"):
            return match.group(0)[0]
        wants_repr[match.group(1)] = match.group(2) == "!r"
        return f"%({match.group(1)})s"

    return _PLACEHOLDER.sub(swap, template.replace("%", "%%")), wants_repr


class Template(str):
    """A marshmallow message template whose ``format`` gives a translatable message."""

    def format(self, *args: Any, **kwargs: Any) -> Msg:
        """The message as a :class:`Msg`: msgid with ``%(name)s`` and the values used."""
        if isinstance(self, Msg) or (not kwargs and "{" not in self):
            return self if isinstance(self, Msg) else Msg(str(self))
        msgid, wants_repr = gettext_form(str(self))
        params = {k: repr(v) if wants_repr[k] else word(v) if k in _WORD_PARAMS else _shown(v)
                  for k, v in kwargs.items() if k in wants_repr}
        return Msg(msgid, params)


def _shown(value: Any) -> Any:
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(str(v) for v in value)
    return value


def _template(value: Any) -> Any:
    if isinstance(value, str) and not isinstance(value, (Template, Msg)):
        return Template(value)
    return value


def worded_field(field: fields.Field) -> None:
    """Make ``field``'s messages and its validators' messages translatable (in place)."""
    field.error_messages = {k: _template(v) for k, v in field.error_messages.items()}
    for validator in field.validators:
        for attr in _VALIDATOR_MESSAGES:
            value = getattr(validator, attr, None)
            if isinstance(value, str):
                setattr(validator, attr, _template(value))
    for inner in _inner_fields(field):
        worded_field(inner)


def _inner_fields(field: fields.Field) -> Iterable[fields.Field]:
    if isinstance(field, fields.List):
        yield field.inner
    if isinstance(field, fields.Tuple):
        yield from field.tuple_fields
    if isinstance(field, fields.Dict):
        yield from (f for f in (field.key_field, field.value_field) if f is not None)


#: marshmallow's and webargs' own messages in gettext form (extracted into the catalogs)
MESSAGES = (
    N_("Not a valid %(obj_type)s."),
    N_("Not a valid %(awareness)s %(obj_type)s."),
    N_('"%(input)s" cannot be formatted as a %(obj_type)s.'),
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Invalid value."),
    N_("Not a valid boolean."),
    N_("Not a valid date."),
    N_('"%(input)s" cannot be formatted as a date.'),
    N_("Special numeric values (nan or infinity) are not permitted."),
    N_("Not a valid number."),
    N_("Number too large."),
    N_("Not a valid mapping type."),
    N_("Not a valid email address."),
    N_("Not a valid string."),
    N_("Not a valid utf-8 string."),
    N_("Must be one of: %(choices)s."),
    N_("Not a valid IP address."),
    N_("Not a valid IP interface."),
    N_("Not a valid IPv4 address."),
    N_("Not a valid IPv4 interface."),
    N_("Not a valid IPv6 address."),
    N_("Not a valid IPv6 interface."),
    N_("Not a valid integer."),
    N_("Not a valid list."),
    N_("Invalid type."),
    N_("Not a valid period of time."),
    N_("%(input)s cannot be formatted as a timedelta."),
    N_("Not a valid tuple."),
    N_("Not a valid URL."),
    N_("Not a valid UUID."),
    N_("One or more of the choices you made was in: %(values)s."),
    N_("One or more of the choices you made was not in: %(choices)s."),
    N_("Must be equal to %(other)s."),
    N_("Shorter than minimum length %(min)s."),
    N_("Longer than maximum length %(max)s."),
    N_("Length must be between %(min)s and %(max)s."),
    N_("Length must be %(equal)s."),
    N_("Invalid input."),
    N_("Must be greater than or equal to %(min)s."),
    N_("Must be greater than %(min)s."),
    N_("Must be less than or equal to %(max)s."),
    N_("Must be less than %(max)s."),
    N_("Must be greater than or equal to %(min)s and less than or equal to %(max)s."),
    N_("Must be greater than %(min)s and less than or equal to %(max)s."),
    N_("Must be greater than or equal to %(min)s and less than %(max)s."),
    N_("Must be greater than %(min)s and less than %(max)s."),
    N_("String does not match expected pattern."),
    N_("Invalid input type."),
    N_("Unknown field."),
    N_("Not a valid delimited list."),
    N_("Not a valid delimited tuple."),
    N_("Invalid JSON body."),
    # the values of %(obj_type)s
    N_("datetime"), N_("date"), N_("time"), N_("aware"), N_("naive"),
)
