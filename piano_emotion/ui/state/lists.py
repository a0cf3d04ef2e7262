"""What every list page's state shares: search, filters, pages and the
create/edit dialog. A page state mixes these in and writes ``_refresh``."""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import quote_plus

import reflex as rx

from piano_emotion.domain.errors import ValidationFailed
from piano_emotion.ui.i18n import translate

ALL = "__all__"  # the "any" choice of a filter select


class ListPageMixin(rx.State, mixin=True):
    total: int = 0
    page: int = 1
    pages: int = 1
    search: str = ""
    loaded: bool = False
    export_query: str = ""
    # Filter vars a page accepts from ``set_filter``, with their cleared values.
    FILTER_DEFAULTS: ClassVar[dict[str, str]] = {}

    def _refresh(self) -> None:
        raise NotImplementedError

    @rx.var
    def filtered(self) -> bool:
        """A search or a filter (not the sort) narrows the list."""
        return bool(self.search) or any(
            getattr(self, name) != default
            for name, default in self.FILTER_DEFAULTS.items()
            if name != "sort"
        )

    def _export_query(self) -> str:
        """The query string of the list's export links (language and search)."""
        query = f"lang={self.lang}"
        return query + (f"&search={quote_plus(self.search)}" if self.search else "")

    def _set_page_result(self, result: dict) -> None:
        # Kept with the rows (not a computed var of ``lang``, which would load
        # every list's state whenever the language changes).
        self.export_query = self._export_query()
        self.total, self.page, self.pages = result["total"], result["page"], result["pages"]
        self.loaded = True

    @rx.event
    def set_search(self, value: str):
        self.search, self.page = value[:100], 1
        self._refresh()

    @rx.event
    def set_filter(self, name: str, value: str):
        if name not in self.FILTER_DEFAULTS:
            return
        setattr(self, name, "" if value == ALL else value)
        self.page = 1
        self._refresh()

    @rx.event
    def clear_filters(self):
        self.search, self.page = "", 1
        for name, default in self.FILTER_DEFAULTS.items():
            setattr(self, name, default)
        self._refresh()

    @rx.event
    def next_page(self):
        if self.page < self.pages:
            self.page += 1
            self._refresh()

    @rx.event
    def prev_page(self):
        if self.page > 1:
            self.page -= 1
            self._refresh()


class EditorMixin(rx.State, mixin=True):
    editor_open: bool = False
    editing_id: int = 0
    form: dict[str, str] = {}
    form_errors: dict[str, str] = {}
    # Changes on every opening, so the dialog's uncontrolled inputs remount.
    form_version: int = 0

    def _open_editor(self, form: dict[str, str], editing_id: int = 0) -> None:
        self.form, self.form_errors, self.editing_id = form, {}, editing_id
        self.form_version += 1
        self.editor_open = True

    def _show_errors(self, form: dict, error: ValidationFailed) -> None:
        """Keep what was typed and show each field's message."""
        self.form = {k: str(v) for k, v in form.items()}
        self.form_errors = {f: translate(k, self.lang) for f, k in error.fields.items()}

    @rx.event
    def set_editor_open(self, value: bool):
        self.editor_open = value
