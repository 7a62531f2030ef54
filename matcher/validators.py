"""Check-character validation for Chinese identifiers.

- National ID numbers (GB 11643-1999): 17 digits and a mod 11-2 check character.
- Unified social credit codes (GB 32100-2015): 18 characters over a 31-symbol alphabet
  with a weighted mod 31 check character.
"""

from __future__ import annotations

import unicodedata
from datetime import date

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


class InvalidIdentifier(ValueError):
    """An identifier failed its format or check-character test."""


def _normalize(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().upper()


def id_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def validate_id_number(value: str) -> str:
    """Return the normalized 18-character ID number or raise :class:`InvalidIdentifier`."""
    v = _normalize(value)
    if len(v) != 18:
        raise InvalidIdentifier("ID number must have 18 characters")
    if not v[:17].isdigit() or not (v[17].isdigit() or v[17] == "X"):
        raise InvalidIdentifier("ID number must be 17 digits followed by a digit or X")
    try:
        date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        raise InvalidIdentifier("ID number contains an impossible birth date") from None
    if id_check_char(v[:17]) != v[17]:
        raise InvalidIdentifier("ID number check character is wrong (GB 11643)")
    return v


def credit_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters."""
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> str:
    """Return the normalized unified social credit code or raise :class:`InvalidIdentifier`."""
    v = _normalize(value)
    if len(v) != 18:
        raise InvalidIdentifier("credit code must have 18 characters")
    bad = sorted({c for c in v if c not in CREDIT_ALPHABET})
    if bad:
        raise InvalidIdentifier(f"credit code contains characters not allowed: {''.join(bad)}")
    if not v[2:8].isdigit():
        raise InvalidIdentifier("credit code characters 3-8 must be an administrative code")
    if credit_check_char(v[:17]) != v[17]:
        raise InvalidIdentifier("credit code check character is wrong (GB 32100)")
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
