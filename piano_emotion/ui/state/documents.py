"""What the quote and invoice pages share: the list's period and status
filters with the totals of the filtered set, the "new document" dialog
(client picker, optional piano), and the draft editor with its lines and the
totals recomputed on the server as the technician types."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

import reflex as rx

from piano_emotion.db import session_scope
from piano_emotion.domain import rates
from piano_emotion.domain.alerts import local_today
from piano_emotion.domain.errors import NotFound, ValidationFailed
from piano_emotion.domain.money import LINE_FIELDS, preview_totals
from piano_emotion.domain.rates import RateQuery
from piano_emotion.formatting import format_money, format_percent, format_quantity
from piano_emotion.models.billing import DEFAULT_TAX_RATE
from piano_emotion.models.enums import LineKind
from piano_emotion.ui.i18n import translate
from piano_emotion.ui.state.pickers import ClientPickerMixin

NO_PIANO = "none"  # the piano select's "no piano" choice (a select item needs a value)
YEARS_BACK = 6


def blank_line(tax_rate: Decimal = DEFAULT_TAX_RATE) -> dict[str, str]:
    return {
        "kind": LineKind.SERVICE.value,
        "description": "",
        "quantity": "1",
        "unit_price": "",
        "discount_pct": "0",
        "tax_rate": _plain(tax_rate),
    }


def _plain(value: Any) -> str:
    """A stored number as the technician types it back ("21", "90.5")."""
    return format(Decimal(str(value)).normalize(), "f")


def iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def year_options(today: date) -> list[str]:
    return [str(today.year - offset) for offset in range(YEARS_BACK)]


class DocumentListMixin(rx.State, mixin=True):
    """Filters shared by the quote and invoice lists (status, year, month)."""

    status: str = ""
    year: str = ""
    month: str = ""
    client_filter: int = 0
    client_filter_name: str = ""
    totals: dict[str, str] = {}
    years: list[str] = []

    def _read_client_filter(self) -> None:
        """``?cliente=<id>`` (from a client's page) narrows the list to them."""
        raw = self.router.url.query_parameters.get("cliente", "")
        self.client_filter = int(raw) if str(raw).isdigit() else 0

    @rx.event
    def clear_client_filter(self):
        self.client_filter, self.client_filter_name, self.page = 0, "", 1
        self._refresh()


class NewDocumentMixin(ClientPickerMixin, mixin=True):
    """The "new quote / new invoice" dialog: a client, optionally one of
    their pianos, then the draft editor opens."""

    PICK_LOADS_PIANOS: ClassVar[bool] = True
    new_open: bool = False
    new_errors: dict[str, str] = {}

    def _open_new(self, client_id: int = 0, client_name: str = "") -> None:
        self._reset_picker(client_id, client_name)
        self.client_pianos = []
        if client_id:
            self._load_client_pianos(client_id)
        self.new_errors = {}
        self.new_open = True

    @rx.event
    def open_new(self):
        self.require_user()
        self._open_new()

    @rx.event
    def set_new_open(self, value: bool):
        self.new_open = value

    def _new_form_ids(self, form: dict) -> tuple[int, int | None]:
        piano = str(form.get("piano_id", "") or "")
        piano_id = int(piano) if piano.isdigit() else None
        return self.picked_client_id, piano_id


class DocumentEditorMixin(rx.State, mixin=True):
    """A draft's header fields and lines, with live totals."""

    loaded: bool = False
    not_found: bool = False
    doc: dict[str, Any] = {}
    lines: list[dict[str, str]] = []
    # The lines as a sent document shows them (amounts formatted).
    lines_view: list[dict[str, str]] = []
    line_totals: list[str] = []
    preview: dict[str, str] = {}
    preview_breakdown: list[dict[str, str]] = []
    field_errors: dict[str, str] = {}
    rate_options: list[dict[str, str]] = []
    dirty: bool = False

    # -- lines --------------------------------------------------------------
    def _recompute(self) -> None:
        lang = self.lang
        result = preview_totals(self.lines)
        self.line_totals = [
            format_money(row["total"], lang) if row else "—" for row in result["lines"]
        ]
        self.preview = {
            "subtotal": format_money(result["subtotal"], lang),
            "tax_total": format_money(result["tax_total"], lang),
            "total": format_money(result["total"], lang),
        }
        self.preview_breakdown = [
            {
                "rate": format_percent(row["rate"], lang),
                "base": format_money(row["base"], lang),
                "tax": format_money(row["tax"], lang),
            }
            for row in result["breakdown"]
        ]

    def _set_lines(self, lines: list[dict[str, Any]]) -> None:
        self.lines = [
            {
                "kind": str(line["kind"]),
                "description": str(line["description"]),
                "quantity": _plain(line["quantity"]),
                "unit_price": _plain(line["unit_price"]),
                "discount_pct": _plain(line["discount_pct"]),
                "tax_rate": _plain(line["tax_rate"]),
            }
            for line in lines
        ]
        lang = self.lang
        self.lines_view = [
            {
                "kind": str(line["kind"]),
                "description": str(line["description"]),
                "quantity": format_quantity(line["quantity"], lang),
                "unit_price": format_money(line["unit_price"], lang),
                "discount_pct": format_percent(line["discount_pct"], lang),
                "tax_rate": format_percent(line["tax_rate"], lang),
                "total": format_money(line["total_amount"], lang),
            }
            for line in lines
        ]
        self._recompute()

    def _load_rates(self) -> None:
        user = self.require_user()
        with session_scope() as session:
            page = rates.list_rates(session, user, RateQuery(page_size=200))
        lang = self.lang
        self.rate_options = [
            {"id": str(r["id"]), "label": f"{r['name']} · {format_money(r['base_price'], lang)}"}
            for r in page["items"]
        ]

    @rx.event
    def set_line_field(self, index: int, name: str, value: str):
        if name not in LINE_FIELDS or not 0 <= int(index) < len(self.lines):
            return
        row = dict(self.lines[int(index)])
        row[name] = str(value)[:255]
        self.lines[int(index)] = row
        self.field_errors.pop(f"lines.{index}.{name}", None)
        self.dirty = True
        self._recompute()

    @rx.event
    def add_line(self):
        if len(self.lines) < 200:
            self.lines.append(blank_line())
            self.dirty = True
            self._recompute()

    @rx.event
    def remove_line(self, index: int):
        if 0 <= int(index) < len(self.lines):
            self.lines.pop(int(index))
            # Row errors are keyed by position: they no longer match.
            self.field_errors = {
                k: v for k, v in self.field_errors.items() if not k.startswith("lines.")
            }
            self.dirty = True
            self._recompute()

    @rx.event
    def add_rate(self, rate_id: str):
        """One click: a line from an active rate (its name, price and VAT)."""
        user = self.require_user()
        if not str(rate_id).isdigit():
            return None
        try:
            with session_scope() as session:
                rate = rates.get_rate(session, user, int(rate_id))
        except NotFound:
            return rx.toast.error(translate("error.not_found", self.lang))
        line = {
            "kind": LineKind.SERVICE.value,
            "description": rate["description"] or rate["name"],
            "quantity": "1",
            "unit_price": _plain(rate["base_price"]),
            "discount_pct": "0",
            "tax_rate": _plain(rate["tax_rate"]),
        }
        # Replace a still-empty last row rather than leaving it behind.
        if self.lines and not self.lines[-1]["description"] and not self.lines[-1]["unit_price"]:
            self.lines[-1] = line
        else:
            self.lines.append(line)
        self.dirty = True
        self._recompute()
        return None

    # -- errors -------------------------------------------------------------
    def _show_field_errors(self, error: ValidationFailed) -> rx.event.EventSpec:
        lang = self.lang
        self.field_errors = {
            field: translate(key, lang, **_params(error)) for field, key in error.fields.items()
        }
        first = next(iter(self.field_errors.values()), translate("documents.fix_errors", lang))
        return rx.toast.error(first)


def _params(error: ValidationFailed) -> dict[str, Any]:
    params = getattr(error, "params", {}) or {}
    return {k: v for k, v in params.items() if isinstance(v, str | int | float | Decimal)}


def money_totals(totals: dict[str, Decimal], lang: str) -> dict[str, str]:
    return {name: format_money(value, lang) for name, value in totals.items()}


def today_iso() -> str:
    return local_today().isoformat()
