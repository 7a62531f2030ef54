"""Password policy: at least 10 characters, not a common password, not the email's name.

Applied wherever a password is chosen (sign-up page and API, enterprise and agency
registration, ``workbridge users create``): :func:`problems` lists what is wrong,
:func:`check` raises ``ValidationFailed`` with those messages under the ``password`` field.

- **Length**: at least :data:`MIN_LENGTH` (10) characters (NIST SP 800-63B asks for 8 or more
  and a blocklist; 10 keeps every one of the 10,000 most common passwords but ~300 out).
- **Common passwords**: ``matcher/data/common_passwords.txt`` (10,820 entries: the top 10,000
  of the zxcvbn wheel's leaked-password frequency list, its longer entries, and a curated
  tail; the file's header says where it came from). Compared case-insensitively, also with
  surrounding spaces removed.
- **The email's name**: a password equal to or containing the local part of the user's
  email (3 or more characters; ``wang.li@x.cn`` refuses ``wang.li2026!``), case-insensitive.

The demo seed's documented ``demo`` password bypasses this only through
``create_user(..., trusted_demo=True)``, which only :mod:`matcher.demo` passes.
"""

from __future__ import annotations

import functools

from matcher.config import PACKAGE_DATA
from matcher.errors import ValidationFailed
from matcher.words import msg

MIN_LENGTH = 10
MAX_LENGTH = 200
MIN_LOCAL_PART = 3
COMMON_FILE = PACKAGE_DATA / "common_passwords.txt"


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords (lowercase), read once per process."""
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines
                     if line.strip() and not line.startswith("#"))


def problems(password: str, email: str = "") -> list[str]:
    """What is wrong with ``password`` for the user with ``email`` (empty when it is fine)."""
    found: list[str] = []
    if len(password) < MIN_LENGTH:
        found.append(msg("A password needs at least %(n)s characters.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        found.append(msg("A password may have at most %(n)s characters.", n=MAX_LENGTH))
    folded = password.strip().lower()
    if folded in common_passwords():
        found.append(msg("This password is too common: choose one that is not on lists of "
                         "leaked passwords."))
    local = (email or "").strip().lower().partition("@")[0]
    if len(local) >= MIN_LOCAL_PART and local in folded:
        found.append(msg("The password must not contain the name part of your email."))
    return found


def check(password: str, email: str = "") -> None:
    """Raise ``ValidationFailed`` (field ``password``) when the password breaks the policy."""
    found = problems(password, email)
    if found:
        raise ValidationFailed(msg("The password is too weak."), fields={"password": found})
