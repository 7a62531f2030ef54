"""Small helpers shared by the API blueprints."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from typing import Any

from matcher.accounts.listings import ListPage


def envelope(page: ListPage) -> dict[str, Any]:
    """The list envelope of one page (items as they are: the response schema reads
    dataclass attributes and dict keys alike, so nothing is deep-copied per item)."""
    return {"items": list(page.items), "page": {"page": page.page, "per_page": page.per_page,
                                     "total": page.total, "pages": page.pages}}


def plain(obj: Any) -> Any:
    """A dataclass as a dict (anything else unchanged)."""
    return asdict(obj) if is_dataclass(obj) and not isinstance(obj, type) else obj
