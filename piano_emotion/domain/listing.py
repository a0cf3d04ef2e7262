"""Shared pieces of list queries: search terms, pagination, page results.

A search matches when every word typed (accent- and case-free, at most
``MAX_SEARCH_WORDS``) appears in the record's ``search_text``: in SQL
(``search_filter``) and in memory (``filter_directory``, for lists served from a
cached directory) by the same rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from piano_emotion.text import normalise_search_text

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 25
MAX_SEARCH_WORDS = 8
# What a list shows of archived records: not them, only them, or everything.
ARCHIVE_FILTERS = ("active", "archived", "all")


def like_pattern(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_words(text: str | None) -> list[str]:
    """The words a search for ``text`` matches (accent- and case-free)."""
    return normalise_search_text(text or "").split()[:MAX_SEARCH_WORDS]


def search_filter(column: sa.ColumnElement, text: str | None) -> sa.ColumnElement | None:
    """Every word of ``text`` must appear in ``column`` (accent- and case-free)."""
    words = search_words(text)
    if not words:
        return None
    return sa.and_(*[column.like(like_pattern(w), escape="\\") for w in words])


def filter_directory(
    rows: list[dict[str, Any]],
    archive_filter: str,
    words: list[str],
    equal: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """The rows of a cached directory that a list shows: ``search_filter``'s
    rule in memory (every word in the row's ``_search``), archived or not as
    ``archive_filter`` (``ARCHIVE_FILTERS``) says, and each field of ``equal``
    at its value. A new list (the directory is shared, never changed).

    One pass per filter over what the previous one kept, words first: the
    first word typed leaves a handful of a few hundred rows, so a search
    costs about one comparison per row, not every test on every row (a
    search of 300 clients, cache reads included: 0.36 -> 0.16 ms, issue 9)."""
    for word in words:
        rows = [row for row in rows if word in row["_search"]]
    if archive_filter != "all":
        archived = archive_filter == "archived"
        rows = [row for row in rows if row["archived"] == archived]
    else:
        rows = list(rows)
    for name, value in equal.items():
        rows = [row for row in rows if row[name] == value]
    return rows


def sort_text(value: str | None) -> str:
    """The order of names on every database: accent- and case-free, as
    MariaDB's collation compares them (SQLite alone would put "Álvarez"
    after "Zapata")."""
    return normalise_search_text(value or "")


def nulls_first(value: Any) -> tuple[bool, Any]:
    """A sort key putting missing values first (last when reversed), as SQL does."""
    return (value is not None, value if value is not None else "")


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


def page_of(
    rows: list[dict[str, Any]],
    page: int,
    page_size: int,
    fields: tuple[str, ...],
    by_id: Mapping[str, Mapping[int, Any]] | None = None,
) -> dict[str, Any]:
    """One page of ``rows`` (already filtered and sorted), each row cut to
    ``fields``: what a list served from a directory returns. ``by_id``: more
    fields kept apart from the directory, each a map of row id to value
    (``None`` for an id it lacks), e.g. the last service dates (``activity``)."""
    start = (page - 1) * page_size
    items = [{name: row[name] for name in fields} for row in rows[start : start + page_size]]
    for name, values in (by_id or {}).items():
        for item in items:
            item[name] = values.get(item["id"])
    return PageResult(items, len(rows), page, page_size).as_dict()
