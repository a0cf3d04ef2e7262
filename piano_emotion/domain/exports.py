"""Exports of a technician's lists to CSV and Excel (clients, pianos,
services, invoices, inventory).

``export_table`` reads one entity of the current technician only, with the
same filters as its list page (archived records included unless a filter
says otherwise) and returns an ``ExportTable``: headers in the UI language,
enum values as their labels, clients and pianos by name (never by id), and
typed values (``Decimal``, ``date``) that ``to_csv`` and ``to_xlsx`` write
the way a spreadsheet in that language expects.

- CSV: UTF-8 with a BOM (Excel then reads accents right); Spanish uses ``;``
  between fields, a decimal comma and ``dd/mm/yyyy`` dates, which is what a
  Spanish Excel opens without an import wizard; English uses ``,``, a decimal
  point and ISO dates. Amounts carry no currency sign or thousands separator,
  so they stay numbers. A text that a spreadsheet would run as a formula
  (``=…``, ``@…``, ``+``/``-`` followed by something other than a number or
  a phone) is written with a leading apostrophe.
- XLSX: bold, frozen header row with a filter, real numbers (money with
  ``#,##0.00 €``), real dates (``dd/mm/yyyy``), fitted column widths and a
  translated sheet title. Text is always stored as text, never as a formula.

Exports are one-off downloads, so they are not cached; rows are read with the
same tenant filter as every other query (``technician_id`` = current user,
also on every joined table).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from piano_emotion.domain.clients import ClientQuery
from piano_emotion.domain.errors import ValidationFailed
from piano_emotion.domain.inventory import ItemQuery
from piano_emotion.domain.listing import like_pattern, search_filter, search_words
from piano_emotion.domain.pianos import PianoQuery
from piano_emotion.domain.services import ServiceQuery, parse_service_date
from piano_emotion.formatting import DISPLAY_TIMEZONE, to_local
from piano_emotion.models import (
    Client,
    InventoryItem,
    Invoice,
    MaintenanceAlert,
    Piano,
    Service,
    User,
)
from piano_emotion.models.enums import (
    AlertLevel,
    ClientType,
    InventoryCategory,
    InvoiceStatus,
    MaintenanceAlertStatus,
    PianoCategory,
    PianoCondition,
    ServiceStatus,
    ServiceType,
)
from piano_emotion.text import normalise_search_text
from piano_emotion.ui.i18n import ENUM_LABELS, enum_label, translate

EXPORTABLE = ("clients", "pianos", "services", "invoices", "inventory")

# Column kinds: how a value is written.
TEXT, INTEGER, DECIMAL, MONEY, DATE = "text", "integer", "decimal", "money", "date"
CENT = Decimal("0.01")
XLSX_MONEY_FORMAT = '#,##0.00\\ "€"'
XLSX_DATE_FORMAT = "dd/mm/yyyy"
XLSX_INTEGER_FORMAT = "0"
XLSX_DECIMAL_FORMAT = "General"
COLUMN_WIDTH_RANGE = (8, 60)
SHEET_TITLE_KEYS = {
    "clients": "nav.clients",
    "pianos": "nav.pianos",
    "services": "nav.services",
    "invoices": "nav.invoices",
    "inventory": "nav.inventory",
}
# Filters a list page may pass along that do not change which rows are exported.
IGNORED_FILTERS = frozenset({"sort", "page", "page_size"})
# A text a spreadsheet would evaluate; "+34 612…" and "-5" are left alone.
_FORMULA_START = ("=", "@", "\t", "\r")
_SIGNED_NUMBER_OR_PHONE = re.compile(r"[+\-][\d\s().,/\-]*")


@dataclass(frozen=True)
class ExportTable:
    """One exported list: translated headers and typed rows.

    ``kinds`` says how each column is written (``text``, ``integer``,
    ``decimal``, ``money``, ``date``); ``title`` is the translated sheet
    title and ``filename_stem`` the download name without extension.
    """

    headers: list[str]
    rows: list[list[Any]]
    filename_stem: str
    kinds: list[str] = field(default_factory=list)
    title: str = ""


@dataclass(frozen=True)
class _Column:
    key: str
    kind: str = TEXT


# -- filters --------------------------------------------------------------------
@dataclass(frozen=True)
class InvoiceExportQuery:
    """Filters of an invoice export (the invoice list's, minus paging)."""

    status: str = ""
    date_from: date | str | None = None
    date_to: date | str | None = None
    client_id: int | str | None = None
    search: str = ""

    def normalised(self) -> InvoiceExportQuery:
        def day(value: Any) -> date | None:
            try:
                return parse_service_date(value)
            except (TypeError, ValueError):
                return None

        try:
            client_id = int(self.client_id) if self.client_id not in (None, "") else None
        except (TypeError, ValueError):
            client_id = None
        return InvoiceExportQuery(
            status=self.status if self.status in InvoiceStatus._value2member_map_ else "",
            date_from=day(self.date_from),
            date_to=day(self.date_to),
            client_id=client_id,
            search=(self.search or "").strip()[:100],
        )


def _query(cls: type, filters: dict[str, Any] | None, **defaults: Any) -> Any:
    """``cls(**filters).normalised()``; a filter the list does not have is refused."""
    given = {k: v for k, v in (filters or {}).items() if k not in IGNORED_FILTERS}
    known = {f.name for f in fields(cls)}
    if set(given) - known:
        raise ValidationFailed({"filters": "error.export_filters_invalid"})
    return cls(**{**defaults, **given}).normalised()


# -- helpers ----------------------------------------------------------------------
def value_label(value: Any, lang: str) -> str:
    """An enum value as its label in ``lang`` ("" for None)."""
    if value is None or value == "":
        return ""
    name = type(value).__name__
    if name in ENUM_LABELS:
        return enum_label(value, lang)
    # Enums without UI labels yet (payment methods) have export keys.
    return translate(f"export.enum.{name}.{value.value}", lang)


def _yes_no(flag: bool, lang: str) -> str:
    return translate("common.yes" if flag else "common.no", lang)


def _local_date(value: datetime | None) -> date | None:
    return None if value is None else to_local(value).date()


def _piano_name(brand: str, model: str) -> str:
    return f"{brand} {model}".strip()


def _today() -> date:
    return datetime.now(DISPLAY_TIMEZONE).date()


# -- one reader per entity ----------------------------------------------------------
CLIENT_COLUMNS = (
    _Column("name"),
    _Column("client_type"),
    _Column("email"),
    _Column("phone"),
    _Column("tax_id"),
    _Column("address"),
    _Column("city"),
    _Column("postal_code"),
    _Column("region"),
    _Column("route_group"),
    _Column("pianos", INTEGER),
    _Column("notes"),
    _Column("created", DATE),
    _Column("archived"),
)


def _client_rows(session: Session, user: User, filters: Any, lang: str) -> list[list[Any]]:
    query: ClientQuery = _query(ClientQuery, filters, archived="all")
    pianos = (
        select(Piano.client_id, sa.func.count(Piano.id).label("n"))
        .where(Piano.technician_id == user.id, Piano.archived == sa.false())
        .group_by(Piano.client_id)
        .subquery()
    )
    conditions = [Client.technician_id == user.id]
    if query.archived == "active":
        conditions.append(Client.archived == sa.false())
    elif query.archived == "archived":
        conditions.append(Client.archived == sa.true())
    if (condition := search_filter(Client.search_text, query.search)) is not None:
        conditions.append(condition)
    if query.client_type:
        conditions.append(Client.client_type == ClientType(query.client_type))
    if query.city:
        conditions.append(Client.city == query.city)
    if query.route_group:
        conditions.append(Client.route_group == query.route_group)
    rows = session.exec(
        select(Client, pianos.c.n)
        .outerjoin(pianos, pianos.c.client_id == Client.id)
        .where(*conditions)
        .order_by(Client.name, Client.id)
    ).all()
    return [
        [
            c.name,
            value_label(c.client_type, lang),
            c.email,
            c.phone,
            c.tax_id,
            c.address,
            c.city,
            c.postal_code,
            c.region,
            c.route_group,
            int(n or 0),
            c.notes,
            _local_date(c.created_at),
            _yes_no(c.archived, lang),
        ]
        for c, n in rows
    ]


PIANO_COLUMNS = (
    _Column("brand"),
    _Column("model"),
    _Column("serial_number"),
    _Column("year", INTEGER),
    _Column("category"),
    _Column("piano_type"),
    _Column("size_cm", INTEGER),
    _Column("condition"),
    _Column("client"),
    _Column("room"),
    _Column("floor"),
    _Column("service_interval", INTEGER),
    _Column("last_service", DATE),
    _Column("notes"),
    _Column("created", DATE),
    _Column("archived"),
)


def _piano_rows(session: Session, user: User, filters: Any, lang: str) -> list[list[Any]]:
    query: PianoQuery = _query(PianoQuery, filters, archived="all")
    if query.alert_level:
        # As the list does: the filter reads the alert rows, so bring them up to date.
        from piano_emotion.domain import alerts

        alerts.ensure_alerts_synced(session, user)
    last = (
        select(Service.piano_id, sa.func.max(Service.service_date).label("last"))
        .where(Service.technician_id == user.id, Service.status == ServiceStatus.COMPLETED)
        .group_by(Service.piano_id)
        .subquery()
    )
    conditions = [Piano.technician_id == user.id]
    if query.archived == "active":
        conditions.append(Piano.archived == sa.false())
    elif query.archived == "archived":
        conditions.append(Piano.archived == sa.true())
    if (condition := search_filter(Piano.search_text, query.search)) is not None:
        conditions.append(condition)
    if query.category:
        conditions.append(Piano.category == PianoCategory(query.category))
    if query.condition:
        conditions.append(Piano.condition == PianoCondition(query.condition))
    if query.client_id is not None:
        conditions.append(Piano.client_id == query.client_id)
    if query.alert_level:
        alerted = select(MaintenanceAlert.piano_id).where(
            MaintenanceAlert.technician_id == user.id,
            MaintenanceAlert.level == AlertLevel(query.alert_level),
            MaintenanceAlert.status.in_(
                (MaintenanceAlertStatus.OPEN, MaintenanceAlertStatus.ACKNOWLEDGED)
            ),
        )
        conditions.append(Piano.id.in_(alerted))
    rows = session.exec(
        select(Piano, Client.name, last.c.last)
        .join(Client, sa.and_(Client.id == Piano.client_id, Client.technician_id == user.id))
        .outerjoin(last, last.c.piano_id == Piano.id)
        .where(*conditions)
        .order_by(Client.name, Piano.brand, Piano.model, Piano.id)
    ).all()
    return [
        [
            p.brand,
            p.model,
            p.serial_number,
            p.year,
            value_label(p.category, lang),
            value_label(p.piano_type, lang),
            p.size_cm,
            value_label(p.condition, lang),
            client_name,
            p.room,
            p.floor,
            p.service_interval_months,
            last_service,
            p.notes,
            _local_date(p.created_at),
            _yes_no(p.archived, lang),
        ]
        for p, client_name, last_service in rows
    ]


SERVICE_COLUMNS = (
    _Column("date", DATE),
    _Column("service_type"),
    _Column("status"),
    _Column("client"),
    _Column("piano"),
    _Column("serial_number"),
    _Column("cost", MONEY),
    _Column("duration", INTEGER),
    _Column("humidity", DECIMAL),
    _Column("temperature", DECIMAL),
    _Column("notes"),
    _Column("technician_notes"),
)


def _service_rows(session: Session, user: User, filters: Any, lang: str) -> list[list[Any]]:
    query: ServiceQuery = _query(ServiceQuery, filters)
    conditions = [Service.technician_id == user.id]
    if query.service_type:
        conditions.append(Service.service_type == ServiceType(query.service_type))
    if query.status:
        conditions.append(Service.status == ServiceStatus(query.status))
    if query.date_from is not None:
        conditions.append(Service.service_date >= query.date_from)
    if query.date_to is not None:
        conditions.append(Service.service_date <= query.date_to)
    if query.piano_id is not None:
        conditions.append(Service.piano_id == query.piano_id)
    if query.client_id is not None:
        conditions.append(Service.client_id == query.client_id)
    for word in search_words(query.search):
        pattern = like_pattern(word)
        conditions.append(
            sa.or_(
                Piano.search_text.like(pattern, escape="\\"),
                Client.search_text.like(pattern, escape="\\"),
            )
        )
    rows = session.exec(
        select(Service, Piano.brand, Piano.model, Piano.serial_number, Client.name)
        .join(Piano, sa.and_(Piano.id == Service.piano_id, Piano.technician_id == user.id))
        .join(Client, sa.and_(Client.id == Service.client_id, Client.technician_id == user.id))
        .where(*conditions)
        .order_by(Service.service_date.desc(), Service.id.desc())
    ).all()
    return [
        [
            s.service_date,
            value_label(s.service_type, lang),
            value_label(s.status, lang),
            client_name,
            _piano_name(brand, model),
            serial,
            s.cost,
            s.duration_minutes,
            s.humidity_pct,
            s.temperature_c,
            s.notes,
            s.technician_notes,
        ]
        for s, brand, model, serial, client_name in rows
    ]


INVOICE_COLUMNS = (
    _Column("number"),
    _Column("issue_date", DATE),
    _Column("due_date", DATE),
    _Column("client"),
    _Column("client_tax_id"),
    _Column("status"),
    _Column("subtotal", MONEY),
    _Column("tax", MONEY),
    _Column("total", MONEY),
    _Column("paid_date", DATE),
    _Column("payment_method"),
    _Column("payment_reference"),
)


def _invoice_rows(session: Session, user: User, filters: Any, lang: str) -> list[list[Any]]:
    query: InvoiceExportQuery = _query(InvoiceExportQuery, filters)
    conditions = [Invoice.technician_id == user.id]
    if query.status:
        conditions.append(Invoice.status == InvoiceStatus(query.status))
    if query.date_from is not None:
        conditions.append(Invoice.issue_date >= query.date_from)
    if query.date_to is not None:
        conditions.append(Invoice.issue_date <= query.date_to)
    if query.client_id is not None:
        conditions.append(Invoice.client_id == query.client_id)
    for word in search_words(query.search):
        pattern = like_pattern(word)
        conditions.append(
            sa.or_(
                Client.search_text.like(pattern, escape="\\"),
                sa.func.lower(sa.func.coalesce(Invoice.number, "")).like(pattern, escape="\\"),
            )
        )
    rows = session.exec(
        select(Invoice, Client.name, Client.tax_id)
        .join(Client, sa.and_(Client.id == Invoice.client_id, Client.technician_id == user.id))
        .where(*conditions)
        .order_by(Invoice.issue_date.desc(), Invoice.number.desc(), Invoice.id.desc())
    ).all()
    # An issued invoice shows the client as it was at issue time (its snapshot);
    # a draft has no snapshot yet and shows the client as it is.
    return [
        [
            i.number or "",
            i.issue_date,
            i.due_date,
            i.client_name or client_name,
            i.client_tax_id if i.client_name else client_tax_id,
            value_label(i.status, lang),
            i.subtotal,
            i.tax_total,
            i.total,
            i.paid_date,
            value_label(i.payment_method, lang),
            i.payment_reference,
        ]
        for i, client_name, client_tax_id in rows
    ]


INVENTORY_COLUMNS = (
    _Column("name"),
    _Column("category"),
    _Column("sku"),
    _Column("quantity", DECIMAL),
    _Column("unit"),
    _Column("min_stock", DECIMAL),
    _Column("cost_per_unit", MONEY),
    _Column("stock_value", MONEY),
    _Column("supplier"),
    _Column("low_stock"),
    _Column("notes"),
    _Column("archived"),
)


def _inventory_rows(session: Session, user: User, filters: Any, lang: str) -> list[list[Any]]:
    query: ItemQuery = _query(ItemQuery, filters, archived="all")
    conditions = [InventoryItem.technician_id == user.id]
    if query.archived == "active":
        conditions.append(InventoryItem.archived == sa.false())
    elif query.archived == "archived":
        conditions.append(InventoryItem.archived == sa.true())
    if query.category:
        conditions.append(InventoryItem.category == InventoryCategory(query.category))
    if query.low_stock_only:
        conditions.append(InventoryItem.quantity <= InventoryItem.min_stock)
    items = session.exec(
        select(InventoryItem).where(*conditions).order_by(InventoryItem.name, InventoryItem.id)
    ).all()
    words = search_words(query.search)
    if words:
        # As the list does: items have no stored search key.
        items = [
            item
            for item in items
            if all(w in normalise_search_text(item.name, item.sku, item.supplier) for w in words)
        ]
    rows = []
    for item in items:
        quantity, cost = Decimal(item.quantity), Decimal(item.cost_per_unit)
        rows.append(
            [
                item.name,
                value_label(item.category, lang),
                item.sku,
                quantity,
                item.unit,
                Decimal(item.min_stock),
                cost,
                (quantity * cost).quantize(CENT, rounding=ROUND_HALF_UP),
                item.supplier,
                _yes_no(quantity <= Decimal(item.min_stock), lang),
                item.notes,
                _yes_no(item.archived, lang),
            ]
        )
    return rows


_READERS: dict[str, tuple[tuple[_Column, ...], Callable[..., list[list[Any]]]]] = {
    "clients": (CLIENT_COLUMNS, _client_rows),
    "pianos": (PIANO_COLUMNS, _piano_rows),
    "services": (SERVICE_COLUMNS, _service_rows),
    "invoices": (INVOICE_COLUMNS, _invoice_rows),
    "inventory": (INVENTORY_COLUMNS, _inventory_rows),
}


def export_columns(entity: str) -> tuple[str, ...]:
    """The column keys of an entity's export (``export.<entity>.<key>`` headers)."""
    if entity not in _READERS:
        raise ValidationFailed({"entity": "error.export_entity_unknown"}, entity=str(entity))
    return tuple(c.key for c in _READERS[entity][0])


def export_table(
    session: Session,
    user: User,
    entity: str,
    lang: str,
    filters: dict[str, Any] | None = None,
) -> ExportTable:
    """``user``'s rows of ``entity`` (one of ``EXPORTABLE``), ready to write.

    ``filters`` are the entity's list filters (e.g. ``{"archived": "active",
    "city": "Madrid"}``); without them everything is exported, archived
    records included. An unknown entity or filter is a ``ValidationFailed``.
    """
    if entity not in _READERS:
        raise ValidationFailed({"entity": "error.export_entity_unknown"}, entity=str(entity))
    columns, reader = _READERS[entity]
    title = translate(SHEET_TITLE_KEYS[entity], lang)
    stem = "-".join(normalise_search_text(title).split())
    return ExportTable(
        headers=[translate(f"export.{entity}.{c.key}", lang) for c in columns],
        rows=reader(session, user, filters, lang),
        filename_stem=f"{stem}-{_today().isoformat()}",
        kinds=[c.kind for c in columns],
        title=title,
    )


# -- writers ----------------------------------------------------------------------
def _decimal_text(value: Decimal, places: int | None, lang: str) -> str:
    value = Decimal(value)
    if places is None:
        text = format(value.normalize(), "f") if value else "0"
    else:
        text = format(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), "f")
    return text.replace(".", ",") if lang == "es" else text


def cell_text(value: Any, kind: str, lang: str) -> str:
    """How one value is written in a CSV of ``lang`` (numbers stay numbers)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y") if lang == "es" else value.isoformat()
    if kind == MONEY:
        return _decimal_text(value, 2, lang)
    if kind == DECIMAL or isinstance(value, Decimal):
        return _decimal_text(value, None, lang)
    if isinstance(value, bool):
        return _yes_no(value, lang)
    return str(value)


def _defuse(text: str) -> str:
    """A text a spreadsheet would evaluate as a formula gets a leading apostrophe."""
    if text.startswith(_FORMULA_START):
        return "'" + text
    if text.startswith(("+", "-")) and not _SIGNED_NUMBER_OR_PHONE.fullmatch(text):
        return "'" + text
    return text


def to_csv(table: ExportTable, lang: str) -> bytes:
    """The table as CSV bytes (see the module docstring for the dialect)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if lang == "es" else ",", lineterminator="\r\n")
    writer.writerow([_defuse(h) for h in table.headers])
    kinds = _kinds(table)
    for row in table.rows:
        writer.writerow(
            [
                _defuse(text) if kind == TEXT else text
                for text, kind in (
                    (cell_text(v, k, lang), k) for v, k in zip(row, kinds, strict=True)
                )
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def _kinds(table: ExportTable) -> Sequence[str]:
    return table.kinds or [TEXT] * len(table.headers)


def _sheet_title(title: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", title).strip()
    return (cleaned or "Export")[:31]


def to_xlsx(table: ExportTable, lang: str) -> bytes:
    """The table as an Excel workbook (see the module docstring)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(table.title)
    kinds = _kinds(table)
    widths = [len(h) for h in table.headers]
    bold = Font(bold=True)
    for col, header in enumerate(table.headers, start=1):
        cell = sheet.cell(row=1, column=col, value=header)
        cell.font = bold
        cell.data_type = "s"
    for row_index, row in enumerate(table.rows, start=2):
        for col, (value, kind) in enumerate(zip(row, kinds, strict=True), start=1):
            widths[col - 1] = max(widths[col - 1], len(cell_text(value, kind, lang)))
            if value is None or value == "":
                continue
            if isinstance(value, datetime):
                value = to_local(value).date()
            cell = sheet.cell(row=row_index, column=col)
            if isinstance(value, date):
                cell.value = value
                cell.number_format = XLSX_DATE_FORMAT
            elif kind == MONEY:
                cell.value = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
                cell.number_format = XLSX_MONEY_FORMAT
            elif kind in (DECIMAL, INTEGER) and isinstance(value, int | Decimal):
                cell.value = value
                cell.number_format = XLSX_INTEGER_FORMAT if kind == INTEGER else XLSX_DECIMAL_FORMAT
            else:
                # Always a string, never a formula (even "=1+1").
                cell.value = str(value)
                cell.data_type = "s"
    low, high = COLUMN_WIDTH_RANGE
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = min(max(width + 2, low), high)
    sheet.freeze_panes = "A2"
    if table.headers:
        last = get_column_letter(len(table.headers))
        sheet.auto_filter.ref = f"A1:{last}{max(len(table.rows) + 1, 1)}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
