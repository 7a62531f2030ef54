"""Masking, encryption and log filtering of personal identifiers."""

from __future__ import annotations

import logging

import pytest

from matcher.pii import MaskingFilter, PiiCipher, mask_id_number, mask_phone, mask_text


def test_masks() -> None:
    assert mask_id_number("110101199003071234") == "110101********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_text("ID 11010519491231002X, tel 13812345678.") == (
        "ID 110105********002X, tel 138****5678."
    )
    assert mask_text("order 2026112300001 costs 311") == "order 2026112300001 costs 311"


def test_cipher_round_trip_and_wrong_key() -> None:
    a, b = PiiCipher("k1"), PiiCipher("k2")
    token = a.encrypt("11010519491231002X")
    assert token and "1101051949" not in token
    assert a.decrypt(token) == "11010519491231002X"
    with pytest.raises(ValueError, match="PII_KEY"):
        b.decrypt(token)
    assert a.digest("x") == a.digest("x") != b.digest("x")


def test_logging_filter_masks(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("workbridge.test.pii")
    logger.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO, logger="workbridge.test.pii"):
        logger.info("imported seeker %s phone %s", "11010519491231002X", "13812345678")
    assert "11010519491231002X" not in caplog.text
    assert "110105********002X" in caplog.text and "138****5678" in caplog.text
