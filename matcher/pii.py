"""Personal data: masking for display and logs, encryption at rest, keyed hashing.

National ID numbers and phone numbers are stored as Fernet ciphertext; only the owner
and an authorized admin ever get the clear value (services decide who that is).
Everyone else sees the masked form, e.g. ``110101********1234`` and ``138****5678``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re

from cryptography.fernet import Fernet, InvalidToken

ID_RE = re.compile(r"(?<![0-9])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9])")
PHONE_RE = re.compile(r"(?<![0-9])(1[3-9]\d)\d{4}(\d{4})(?![0-9])")


def mask_id_number(value: str | None) -> str | None:
    """``110101199003071234`` -> ``110101********1234``."""
    if not value:
        return value
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else "*" * len(value)


def mask_phone(value: str | None) -> str | None:
    """``13812345678`` -> ``138****5678``."""
    if not value:
        return value
    digits = value.strip()
    if len(digits) <= 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_text(text: str) -> str:
    """Mask every ID number and mobile number found inside free text."""
    text = ID_RE.sub(lambda m: m.group(1) + "********" + m.group(2), text)
    return PHONE_RE.sub(lambda m: m.group(1) + "****" + m.group(2), text)


class PiiCipher:
    """Encrypts, decrypts and hashes personal identifiers with keys derived from a secret."""

    def __init__(self, secret: str):
        if not secret:
            raise ValueError("a PII key or secret key is required")
        enc_key = hashlib.sha256(b"workbridge-pii-enc:" + secret.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(enc_key))
        self._mac_key = hashlib.sha256(b"workbridge-pii-mac:" + secret.encode()).digest()

    def encrypt(self, value: str | None) -> str | None:
        """Ciphertext of ``value`` (None stays None)."""
        if value is None:
            return None
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str | None) -> str | None:
        """Clear text of ``token``; raises ValueError if the key does not match."""
        if token is None:
            return None
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise ValueError("cannot decrypt personal data: wrong WORKBRIDGE_PII_KEY") from None

    def digest(self, value: str) -> str:
        """Keyed hash used to find one person by ID number without storing it in clear."""
        return hmac.new(self._mac_key, value.encode(), hashlib.sha256).hexdigest()


class MaskingFilter(logging.Filter):
    """A logging filter that masks ID numbers and phones in every record it passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the formatted message with identifiers masked."""
        msg = record.getMessage()
        masked = mask_text(msg)
        if masked != msg:
            record.msg, record.args = masked, None
        return True
