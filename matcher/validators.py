"""Validation of identifiers and typed text shared by the API, the pages and the import.

- National ID numbers (GB 11643-1999): 17 digits and a mod 11-2 check character.
- Unified social credit codes (GB 32100-2015): 18 characters over a 31-symbol alphabet
  with a weighted mod 31 check character.
- Phones: a mainland mobile (11 digits) or a landline with area code.
- Names: NFC, zero-width characters removed, bidi overrides refused.

Identifiers and phones are read width-blind (NFKC: ``１３８`` = ``138``) with zero-width
and space characters removed *before* any length check.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from matcher.words import msg

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


class _Worded(ValueError):
    """A ValueError whose ``str()`` is its message itself (a translatable ``Msg``)."""

    def __str__(self) -> str:
        return self.args[0] if self.args and isinstance(self.args[0], str) else super().__str__()


class InvalidIdentifier(_Worded):
    """An identifier failed its format or check-character test."""


#: zero-width and invisible formatting characters removed from names and identifiers
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u200e\u200f")
#: bidi embedding/override/isolate controls (U+202A..U+202E, U+2066..U+2069): refused in names
BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
_PHONE = re.compile(r"1[3-9]\d{9}|0\d{9,11}")


class InvalidText(_Worded):
    """A name or text field is empty after cleaning or holds forbidden characters."""


def strip_invisible(value: str) -> str:
    """``value`` without zero-width characters."""
    return "".join(ch for ch in value if ch not in ZERO_WIDTH)


def compact(value: str) -> str:
    """Width-blind (NFKC) form of an identifier without zero-width or space characters."""
    text = unicodedata.normalize("NFKC", strip_invisible(value))
    return "".join(ch for ch in text if not ch.isspace())


def clean_name(value: str) -> str:
    """NFC-normalised name without zero-width characters; refuses bidi controls and blanks."""
    if any(ch in BIDI_CONTROLS for ch in value):
        raise InvalidText(msg("Must not contain bidirectional control characters."))
    text = " ".join(strip_invisible(unicodedata.normalize("NFC", value)).split())
    if not text:
        raise InvalidText(msg("Must not be empty."))
    return text


def validate_phone(value: str) -> str:
    """Return the phone as digits (mobile or landline, ``+86`` dropped) or raise."""
    text = re.sub(r"[\-()]", "", compact(value))
    for prefix in ("+86", "0086"):
        text = text.removeprefix(prefix)
    if not _PHONE.fullmatch(text):
        raise InvalidIdentifier(
            msg("Must be a mobile number (11 digits) or a landline with area code."))
    return text


def _normalize(value: str) -> str:
    return compact(value).upper()


def id_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def validate_id_number(value: str) -> str:
    """Return the normalized 18-character ID number or raise :class:`InvalidIdentifier`."""
    v = _normalize(value)
    if len(v) != 18:
        raise InvalidIdentifier(msg("An ID number has 18 characters."))
    if not v[:17].isdigit() or not (v[17].isdigit() or v[17] == "X"):
        raise InvalidIdentifier(msg("An ID number is 17 digits followed by a digit or X."))
    try:
        date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        raise InvalidIdentifier(msg("The ID number contains an impossible birth date.")) from None
    if id_check_char(v[:17]) != v[17]:
        raise InvalidIdentifier(msg("The ID number's check character is wrong (GB 11643)."))
    return v


def credit_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters."""
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> str:
    """Return the normalized unified social credit code or raise :class:`InvalidIdentifier`."""
    v = _normalize(value)
    if len(v) != 18:
        raise InvalidIdentifier(msg("A credit code has 18 characters."))
    bad = sorted({c for c in v if c not in CREDIT_ALPHABET})
    if bad:
        raise InvalidIdentifier(msg("The credit code contains characters not allowed: "
                                    "%(chars)s.", chars="".join(bad)))
    if not v[2:8].isdigit():
        raise InvalidIdentifier(msg("Characters 3-8 of a credit code must be an "
                                    "administrative code."))
    if credit_check_char(v[:17]) != v[17]:
        raise InvalidIdentifier(msg("The credit code's check character is wrong (GB 32100)."))
    return v


def make_id_number(region: str, birth: date, seq: int, sex_male: bool = True) -> str:
    """Build a valid ID number (for demo data and tests)."""
    order = (seq % 500) * 2 + (1 if sex_male else 0)  # odd for men, even for women
    first17 = f"{region}{birth:%Y%m%d}{order:03d}"
    return first17 + id_check_char(first17)


def make_credit_code(region: str, serial: int) -> str:
    """Build a valid credit code for an enterprise (for demo data and tests)."""
    body = f"{serial:09d}"
    first17 = f"91{region}{body}"
    return first17 + credit_check_char(first17)
