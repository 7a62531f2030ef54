"""GB 11643 ID numbers and GB 32100 credit codes: check characters and formats."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matcher.validators import (
    InvalidIdentifier,
    make_credit_code,
    make_id_number,
    validate_credit_code,
    validate_id_number,
)


@pytest.mark.parametrize("good", ["11010519491231002X", "11010519491231002x"])
def test_known_good_id_numbers(good: str) -> None:
    assert validate_id_number(good) == good.upper()


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("110105194912310021", "check character"),
        ("11010519491231002", "18 characters"),
        ("1101051949123100AX", "17 digits"),
        ("110105194913310027", "birth date"),
    ],
)
def test_bad_id_numbers(bad: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier, match=reason):
        validate_id_number(bad)


def test_full_width_id_number_is_normalized() -> None:
    assert validate_id_number("１１０１０５１９４９１２３１００２Ｘ") == "11010519491231002X"


def test_known_good_credit_code() -> None:
    assert validate_credit_code("91350100M000100Y43") == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("91350100M000100Y44", "check character"),
        ("91350100M000100Y4", "18 characters"),
        ("91350100M0001O0Y43", "not allowed"),
    ],
)
def test_bad_credit_codes(bad: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier, match=reason):
        validate_credit_code(bad)


@given(st.integers(0, 10**6), st.dates(date(1950, 1, 1), date(2008, 12, 31)), st.booleans())
def test_generated_ids_validate_and_any_digit_change_is_caught(
    seq: int, birth: date, male: bool
) -> None:
    good = make_id_number("110101", birth, seq, male)
    assert validate_id_number(good) == good
    tampered = good[:16] + str((int(good[16]) + 1) % 10) + good[17]
    with pytest.raises(InvalidIdentifier):
        validate_id_number(tampered)


@given(st.integers(0, 10**8))
def test_generated_credit_codes_validate(serial: int) -> None:
    code = make_credit_code("110108", serial)
    assert validate_credit_code(code) == code
    tampered = code[:10] + str((int(code[10]) + 1) % 10) + code[11:]
    with pytest.raises(InvalidIdentifier):
        validate_credit_code(tampered)
