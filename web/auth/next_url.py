"""Where to go after logging in: only a path on this site (never another host)."""

from __future__ import annotations

from urllib.parse import urlsplit


def same_site(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None (``//evil``, ``https://…``, ``\\``)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None
