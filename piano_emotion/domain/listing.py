"""Shared pieces of list queries: search terms, pagination, page results."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from piano_emotion.text import normalise_search_text

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 25


def like_pattern(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_filter(column: sa.ColumnElement, text: str | None) -> sa.ColumnElement | None:
    """Every word of ``text`` must appear in ``column`` (accent- and case-free)."""
    words = normalise_search_text(text or "").split()[:8]
    if not words:
        return None
    return sa.and_(*[column.like(like_pattern(w), escape="\\") for w in words])


def clamp_page(page: int | None, page_size: int | None) -> tuple[int, int]:
    size = min(max(int(page_size or DEFAULT_PAGE_SIZE), 1), MAX_PAGE_SIZE)
    return max(int(page or 1), 1), size


@dataclass(frozen=True)
class PageResult:
    items: list[dict[str, Any]]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    def as_dict(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "total": self.total,
            "page": self.page,
            "page_size": self.page_size,
            "pages": self.pages,
        }
