"""Small helpers shared by the API blueprints."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from typing import Any, Protocol


class ListPage(Protocol):
    """Any page of results: items and the paging numbers."""

    @property
    def items(self) -> list[Any]:
        """The page's items."""

    @property
    def page(self) -> int:
        """The page number (from 1)."""

    @property
    def per_page(self) -> int:
        """Items per page."""

    @property
    def total(self) -> int:
        """Items on all pages."""

    @property
    def pages(self) -> int:
        """Number of pages."""


def envelope(page: ListPage) -> dict[str, Any]:
    """The list envelope of one page (items as they are: the response schema reads
    dataclass attributes and dict keys alike, so nothing is deep-copied per item)."""
    return {"items": list(page.items), "page": {"page": page.page, "per_page": page.per_page,
                                     "total": page.total, "pages": page.pages}}


def plain(obj: Any) -> Any:
    """A dataclass as a dict (anything else unchanged)."""
    return asdict(obj) if is_dataclass(obj) and not isinstance(obj, type) else obj
