"""Strict marshmallow fields for API input: whole numbers, names, identifiers, districts, dates.

The same rules as the import path (:mod:`matcher.validators`), so the CLI and the API agree:

- :class:`Int` takes only a JSON integer in a body (``1.5`` and ``"3"`` are refused); in a
  query string, which is always text, digits are read as the number they spell.
- :class:`Name` is NFC-normalised, loses zero-width characters and refuses bidi controls
  and names that are empty after that.
- :class:`Identifier` (ID numbers, phones) is read width-blind without zero-width or space
  characters before its length is checked.
- :class:`District` must be one of the city's districts (canonical Chinese name stored).
- :class:`SaneDate` lies between 2000-01-01 and five years from today.
- :func:`yuan_field` / :func:`daily_cost_fen` / :func:`yuan_out`: ``daily_cost_yuan`` beside
  the fen field ``daily_cost`` (the API's unit is fen, the import's yuan).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields
from webargs.multidictproxy import MultiDictProxy

from matcher.reference.districts import DISTRICTS, find
from matcher.validators import InvalidText, clean_name, compact
from matcher.words import msg

EARLIEST = date(2000, 1, 1)
YEARS_AHEAD = 5


class Int(fields.Integer):
    """A whole number: strict in JSON bodies, digits allowed in query strings and forms."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        lenient = isinstance(data, MultiDictProxy) and isinstance(value, str)
        if not lenient and (isinstance(value, bool) or not isinstance(value, int)):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class Name(fields.String):
    """A person's or a posting's name: NFC, no zero-width characters, no bidi controls."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return clean_name(text)
        except InvalidText as exc:
            raise ValidationError(str(exc)) from None


class Identifier(fields.String):
    """An ID number or phone: full-width digits, spaces and zero-width characters normalised."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return compact(super()._deserialize(value, attr, data, **kwargs))


class District(fields.String):
    """One of the city's districts (``朝阳``, ``Chaoyang`` -> ``朝阳区``); others are refused."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("metadata", {}).setdefault(
            "description", "a district of the city: " + ", ".join(d.name for d in DISTRICTS))
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        found = find(super()._deserialize(value, attr, data, **kwargs))
        if found is None:
            raise ValidationError(msg("Not a district of this city."))
        return found.name


def latest_date(today: date | None = None) -> date:
    """The last accepted date: five years from ``today`` (29 February becomes 28)."""
    day = today or date.today()
    try:
        return day.replace(year=day.year + YEARS_AHEAD)
    except ValueError:
        return day.replace(year=day.year + YEARS_AHEAD, day=28)


class SaneDate(fields.Date):
    """A date between 2000-01-01 and five years from today."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        day = super()._deserialize(value, attr, data, **kwargs)
        last = latest_date()
        if not EARLIEST <= day <= last:
            raise ValidationError(msg("Must be between %(first)s and %(last)s.",
                                      first=EARLIEST.isoformat(), last=last.isoformat()))
        return day


MAX_DAILY_COST_FEN = 10**8


def yuan_field(**kwargs: Any) -> fields.Decimal:
    """A yuan amount (per day) beside its fen field."""
    return fields.Decimal(allow_none=True, metadata={
        "description": "the same amount in yuan per day (2 decimals, 0 to "
                       f"{MAX_DAILY_COST_FEN // 100:,})"}, **kwargs)


def daily_cost_fen(data: dict[str, Any]) -> dict[str, Any]:
    """Merge ``daily_cost_yuan`` into ``daily_cost`` (fen); both given must agree."""
    if "daily_cost_yuan" not in data:
        return data
    yuan = data.pop("daily_cost_yuan")
    exact = None if yuan is None else Decimal(yuan) * 100
    if exact is not None and not 0 <= exact <= MAX_DAILY_COST_FEN:
        raise ValidationError({"daily_cost_yuan": [
            msg("Must be between %(min)s and %(max)s yuan.", min=0,
                max=format(MAX_DAILY_COST_FEN // 100, ","))]})
    if exact is not None and exact != exact.to_integral_value():
        raise ValidationError({"daily_cost_yuan": [msg("At most 2 decimal places.")]})
    fen = None if exact is None else int(exact)
    if data.get("daily_cost") is not None and data["daily_cost"] != fen:
        raise ValidationError({"daily_cost_yuan": [
            msg("Disagrees with the daily cost given in fen.")]})
    data["daily_cost"] = fen
    return data


def yuan_out(obj: Any) -> str | None:
    """``daily_cost`` (fen) of ``obj`` in yuan with 2 decimals."""
    fen = obj.get("daily_cost") if isinstance(obj, dict) else getattr(obj, "daily_cost", None)
    return None if fen is None else f"{Decimal(fen) / 100:.2f}"
