"""Inventario: items with search, category and low-stock filters, the item
editor, and an item's movements with a form to record purchases and
adjustments."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

import reflex as rx

from piano_emotion.db import session_scope
from piano_emotion.domain import inventory
from piano_emotion.domain.errors import NotFound, ValidationFailed
from piano_emotion.domain.inventory import ItemInput, ItemQuery
from piano_emotion.formatting import format_datetime, format_money, format_number, parse_decimal
from piano_emotion.ui.i18n import translate
from piano_emotion.ui.state.auth import AuthState, page_load
from piano_emotion.ui.state.lists import EditorMixin, ListPageMixin

MOVEMENT_REASONS = ("purchase", "adjustment")


def _qty(value: Decimal, lang: str) -> str:
    return format_number(value, 0 if value == value.to_integral_value() else 2, lang)


class InventoryState(ListPageMixin, EditorMixin, AuthState):
    FILTER_DEFAULTS: ClassVar[dict[str, str]] = {
        "category": "",
        "low_stock": "",
        "archived": "active",
        "sort": "name",
    }
    items: list[dict] = []
    category: str = ""
    low_stock: str = ""
    archived: str = "active"
    sort: str = "name"
    low_count: int = 0
    # The item detail dialog.
    detail_open: bool = False
    detail: dict[str, str] = {}
    movements: list[dict] = []
    movement_errors: dict[str, str] = {}

    def _refresh(self) -> None:
        user = self.require_user()
        query = ItemQuery(
            search=self.search,
            category=self.category,
            low_stock_only=self.low_stock == "yes",
            archived=self.archived,
            sort=self.sort,
            page=self.page,
        )
        with session_scope() as session:
            result = inventory.list_items(session, user, query)
            self.low_count = inventory.low_stock_count(session, user)
        lang = self.lang
        self.items = [
            {
                "id": i["id"],
                "name": i["name"],
                "category": i["category"],
                "sku": i["sku"],
                "quantity": f"{_qty(i['quantity'], lang)} {i['unit']}",
                "min_stock": _qty(i["min_stock"], lang),
                "cost": format_money(i["cost_per_unit"], lang),
                "supplier": i["supplier"],
                "low_stock": i["low_stock"],
                "archived": i["archived"],
            }
            for i in result["items"]
        ]
        self._set_page_result(result)
        self._load_nav_badges(user)  # the sidebar badge follows the stock

    @rx.event
    @page_load
    def load(self, user):
        self.editor_open = self.detail_open = False
        if self.router.url.query_parameters.get("bajo") == "1":
            self.low_stock = "yes"
        self._refresh()

    # -- editor -----------------------------------------------------------
    @rx.event
    def open_new(self):
        self.require_user()
        self._open_editor({"category": "other", "unit": "ud", "quantity": "0", "min_stock": "0"})

    @rx.event
    def open_edit(self, item_id: int):
        user = self.require_user()
        with session_scope() as session:
            item = inventory.get_item(session, user, int(item_id))
        form = {
            "name": item["name"],
            "category": item["category"],
            "sku": item["sku"],
            "quantity": _qty(item["quantity"], "en"),
            "unit": item["unit"],
            "min_stock": _qty(item["min_stock"], "en"),
            "cost_per_unit": str(item["cost_per_unit"]),
            "supplier": item["supplier"],
            "notes": item["notes"],
        }
        self.detail_open = False
        self._open_editor(form, item["id"])

    @rx.event
    def save(self, form: dict):
        user = self.require_user()
        data = ItemInput.from_form(form)
        try:
            with session_scope() as session:
                if self.editing_id:
                    inventory.update_item(session, user, self.editing_id, data)
                else:
                    inventory.create_item(session, user, data)
        except ValidationFailed as error:
            self._show_errors(form, error)
            return None
        self.editor_open = False
        self._refresh()
        return rx.toast.success(translate("inventory.saved", self.lang))

    @rx.event
    def set_archived(self, item_id: int, archived: bool):
        user = self.require_user()
        with session_scope() as session:
            inventory.set_item_archived(session, user, int(item_id), bool(archived))
        self.detail_open = False
        self._refresh()
        return rx.toast.success(translate("inventory.saved", self.lang))

    # -- detail and movements ---------------------------------------------
    def _load_detail(self, item_id: int) -> None:
        user = self.require_user()
        with session_scope() as session:
            item = inventory.get_item(session, user, item_id)
        lang = self.lang
        self.detail = {
            "id": str(item["id"]),
            "name": item["name"],
            "quantity": f"{_qty(item['quantity'], lang)} {item['unit']}",
            "min_stock": _qty(item["min_stock"], lang),
            "low_stock": "yes" if item["low_stock"] else "",
            "archived": "yes" if item["archived"] else "",
            "stock_value": format_money(item["stock_value"], lang),
        }
        self.movements = [
            {
                "when": format_datetime(m["created_at"]),
                "reason": m["reason"],
                "delta": ("+" if m["quantity_delta"] > 0 else "") + _qty(m["quantity_delta"], lang),
                "after": "→ " + _qty(m["quantity_after"], lang),
                "note": m["note"],
                "service_id": m["service_id"] or 0,
            }
            for m in item["movements"]
        ]

    @rx.event
    def open_detail(self, item_id: int):
        try:
            self._load_detail(int(item_id))
        except NotFound:
            return rx.toast.error(translate("error.not_found", self.lang))
        self.movement_errors = {}
        self.detail_open = True
        return None

    @rx.event
    def set_detail_open(self, value: bool):
        self.detail_open = value

    @rx.event
    def record_movement(self, form: dict):
        user = self.require_user()
        reason = form.get("reason", "purchase")
        if reason not in MOVEMENT_REASONS:
            reason = "purchase"
        try:
            amount = parse_decimal(str(form.get("amount", "")))
        except ValueError:
            self.movement_errors = {"amount": translate("error.quantity_invalid", self.lang)}
            return None
        if reason == "purchase" and amount <= 0:
            self.movement_errors = {"amount": translate("error.quantity_invalid", self.lang)}
            return None
        try:
            with session_scope() as session:
                inventory.record_movement(
                    session,
                    user,
                    int(self.detail["id"]),
                    reason,
                    amount,
                    note=str(form.get("note", ""))[:255],
                )
        except ValidationFailed as error:
            self.movement_errors = {
                field: translate(
                    key,
                    self.lang,
                    **{
                        # Quantities as the user reads them ("15", "1,50"), not "15.000".
                        k: _qty(v, self.lang) if isinstance(v, Decimal) else v
                        for k, v in error.params.items()
                        if isinstance(v, (str, int, float, Decimal))
                    },
                )
                for field, key in error.fields.items()
            }
            self.movement_errors.setdefault("amount", next(iter(self.movement_errors.values())))
            return None
        self.movement_errors = {}
        self._load_detail(int(self.detail["id"]))
        self._refresh()
        return rx.toast.success(translate("inventory.movement_saved", self.lang))
