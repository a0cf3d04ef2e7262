"""Tarifas: the technician's price list (search, active/category filters,
the rate editor, activate/deactivate and delete)."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from piano_emotion.db import session_scope
from piano_emotion.domain import rates
from piano_emotion.domain.errors import NotFound, ValidationFailed
from piano_emotion.domain.rates import RateInput, RateQuery
from piano_emotion.formatting import format_money, format_percent
from piano_emotion.ui.i18n import translate
from piano_emotion.ui.state.auth import AuthState, page_load
from piano_emotion.ui.state.lists import EditorMixin, ListPageMixin

NO_CATEGORY = "none"  # the select's "no category" choice (a select item needs a value)


class RatesState(ListPageMixin, EditorMixin, AuthState):
    FILTER_DEFAULTS: ClassVar[dict[str, str]] = {"active": "active", "category": ""}
    items: list[dict] = []
    active: str = "active"
    category: str = ""

    def _refresh(self) -> None:
        user = self.require_user()
        query = RateQuery(
            search=self.search, active=self.active, category=self.category, page=self.page
        )
        with session_scope() as session:
            result = rates.list_rates(session, user, query)
        lang = self.lang
        self.items = [
            {
                "id": r["id"],
                "name": r["name"],
                "category": r["category"],
                "description": r["description"],
                "price": format_money(r["base_price"], lang),
                "tax": format_percent(r["tax_rate"], lang),
                "minutes": str(r["estimated_minutes"]),
                "active": r["active"],
            }
            for r in result["items"]
        ]
        self._set_page_result(result)

    @rx.event
    @page_load
    def load(self, user):
        self.editor_open = False
        self._refresh()

    @rx.event
    def open_new(self):
        self.require_user()
        self._open_editor(
            {"category": NO_CATEGORY, "tax_rate": "21", "estimated_minutes": "60", "active": "on"}
        )

    @rx.event
    def open_edit(self, rate_id: int):
        user = self.require_user()
        try:
            with session_scope() as session:
                rate = rates.get_rate(session, user, int(rate_id))
        except NotFound:
            return rx.toast.error(translate("error.not_found", self.lang))
        self._open_editor(
            {
                "name": rate["name"],
                "category": rate["category"] or NO_CATEGORY,
                "description": rate["description"],
                "base_price": str(rate["base_price"]),
                "tax_rate": str(rate["tax_rate"].normalize()),
                "estimated_minutes": str(rate["estimated_minutes"]),
                "active": "on" if rate["active"] else "",
            },
            rate["id"],
        )
        return None

    @rx.event
    def save(self, form: dict):
        user = self.require_user()
        form = dict(form)
        # An unticked checkbox is absent from the form: say "not active".
        form["active"] = form.get("active", "") or ""
        if form.get("category") == NO_CATEGORY:
            form["category"] = ""
        data = RateInput.from_form(form)
        try:
            with session_scope() as session:
                if self.editing_id:
                    rates.update_rate(session, user, self.editing_id, data)
                else:
                    rates.create_rate(session, user, data)
        except ValidationFailed as error:
            self._show_errors(form, error)
            return None
        self.editor_open = False
        self._refresh()
        return rx.toast.success(translate("rates.saved", self.lang))

    @rx.event
    def set_active(self, rate_id: int, active: bool):
        user = self.require_user()
        try:
            with session_scope() as session:
                rates.set_rate_active(session, user, int(rate_id), bool(active))
        except NotFound:
            return rx.toast.error(translate("error.not_found", self.lang))
        self._refresh()
        return rx.toast.success(translate("rates.saved", self.lang))

    @rx.event
    def delete(self, rate_id: int):
        user = self.require_user()
        try:
            with session_scope() as session:
                rates.delete_rate(session, user, int(rate_id))
        except NotFound:
            return rx.toast.error(translate("error.not_found", self.lang))
        self.editor_open = False
        self._refresh()
        return rx.toast.success(translate("rates.deleted", self.lang))
