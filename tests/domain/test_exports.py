"""Exports of the lists to CSV and Excel, on SQLite and MariaDB: translated
headers and labels, names instead of ids, Spanish and English number and date
conventions, real numbers and dates in Excel, filters, and scoping."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from sqlmodel import Session

from piano_emotion.domain import exports
from piano_emotion.domain.errors import ValidationFailed
from piano_emotion.models import (
    Client,
    InventoryItem,
    Invoice,
    Piano,
    Service,
    User,
)
from piano_emotion.models.enums import (
    ClientType,
    InventoryCategory,
    InvoiceStatus,
    PaymentMethod,
    PianoCategory,
    PianoCondition,
    PianoType,
    ServiceStatus,
    ServiceType,
)
from piano_emotion.ui.i18n import CATALOGUE
from tests.factories import make_technician, populate

D = Decimal
# Payment methods may get UI labels (ENUM_LABELS) later; the export then uses those.
TRANSFER_ES = exports.value_label(PaymentMethod.TRANSFER, "es")


def read_csv(data: bytes, lang: str) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM so that Excel reads accents right"
    text = data[3:].decode("utf-8")
    return list(csv.reader(io.StringIO(text), delimiter=";" if lang == "es" else ","))


def read_xlsx(data: bytes):
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return workbook.active


def column(rows: list[list], headers: list[str], name: str) -> list:
    index = headers.index(name)
    return [row[index] for row in rows]


@pytest.fixture
def business(session: Session, technician: User) -> dict[str, int]:
    """A small account with accents, decimals, an archived client and piano."""
    tid = technician.id
    ids: dict[str, int] = {}

    def add(key, row):
        session.add(row)
        session.flush()
        ids[key] = row.id
        return row

    muñoz = add(
        "client",
        Client(
            technician_id=tid,
            name="Conservatorio Muñoz Álvarez",
            client_type=ClientType.CONSERVATORY,
            email="info@munoz.es",
            phone="+34 612 345 678",
            city="A Coruña",
            notes="Llamar por la mañana; piso 2º",
            search_text="conservatorio munoz alvarez",
        ),
    )
    old = add(
        "archived_client",
        Client(
            technician_id=tid,
            name="Zoe Antigua",
            city="Lleida",
            archived=True,
            search_text="zoe antigua",
        ),
    )
    piano = add(
        "piano",
        Piano(
            technician_id=tid,
            client_id=muñoz.id,
            brand="Steinway & Sons",
            model="B-211",
            serial_number="SN-500",
            year=1998,
            category=PianoCategory.GRAND,
            piano_type=PianoType.PARLOR_GRAND,
            size_cm=211,
            condition=PianoCondition.NEEDS_REPAIR,
            search_text="steinway sons b-211 sn-500 conservatorio munoz alvarez",
        ),
    )
    add(
        "archived_piano",
        Piano(
            technician_id=tid,
            client_id=old.id,
            brand="Petrof",
            archived=True,
            search_text="petrof zoe antigua",
        ),
    )
    add(
        "service",
        Service(
            technician_id=tid,
            piano_id=piano.id,
            client_id=muñoz.id,
            service_type=ServiceType.MAINTENANCE_COMPLETE,
            status=ServiceStatus.COMPLETED,
            service_date=date(2026, 3, 9),
            cost=D("1234.50"),
            duration_minutes=150,
            humidity_pct=D("45.50"),
            temperature_c=D("21.00"),
            notes="Regulación y armonización",
        ),
    )
    add(
        "paid_invoice",
        Invoice(
            technician_id=tid,
            client_id=muñoz.id,
            number="F-2026-0007",
            issue_date=date(2026, 3, 10),
            due_date=date(2026, 4, 9),
            status=InvoiceStatus.PAID,
            client_name="Conservatorio Muñoz Álvarez",
            client_tax_id="Q2818014I",
            subtotal=D("1020.25"),
            tax_total=D("214.25"),
            total=D("1234.50"),
            paid_date=date(2026, 3, 20),
            payment_method=PaymentMethod.TRANSFER,
            payment_reference="TRF 8899",
        ),
    )
    add(
        "draft_invoice",
        Invoice(
            technician_id=tid,
            client_id=muñoz.id,
            issue_date=date(2026, 3, 1),
            status=InvoiceStatus.DRAFT,
            subtotal=D("100.00"),
            tax_total=D("21.00"),
            total=D("121.00"),
        ),
    )
    add(
        "item",
        InventoryItem(
            technician_id=tid,
            name="Fieltro de apagador",
            category=InventoryCategory.FELTS,
            sku="FA-01",
            quantity=D("2.500"),
            unit="m",
            min_stock=D("3.000"),
            cost_per_unit=D("12.40"),
            supplier="Suministros Ñandú",
        ),
    )
    session.commit()
    return ids


# -- headers and labels ----------------------------------------------------------------
def test_every_export_header_and_payment_label_is_translated():
    for entity in exports.EXPORTABLE:
        for key in exports.export_columns(entity):
            spanish, english = CATALOGUE[f"export.{entity}.{key}"]
            assert spanish and english
    for method in PaymentMethod:
        assert exports.value_label(method, "es") and exports.value_label(method, "en")


def test_unknown_entity_or_filter_is_refused(session, technician):
    with pytest.raises(ValidationFailed) as refused:
        exports.export_table(session, technician, "users", "es")
    assert refused.value.fields == {"entity": "error.export_entity_unknown"}
    with pytest.raises(ValidationFailed) as refused:
        exports.export_table(session, technician, "clients", "es", {"technician_id": 1})
    assert refused.value.fields == {"filters": "error.export_filters_invalid"}
    for key in ("error.export_entity_unknown", "error.export_filters_invalid"):
        assert key in CATALOGUE


# -- CSV ----------------------------------------------------------------------------------
def test_spanish_csv_clients_with_accents_and_archived(session, technician, business):
    table = exports.export_table(session, technician, "clients", "es")
    assert table.filename_stem.startswith("clientes-")
    rows = read_csv(exports.to_csv(table, "es"), "es")
    headers = rows[0]
    assert headers[:3] == ["Nombre", "Tipo", "Email"]
    assert headers[-1] == "Archivado"
    assert column(rows[1:], headers, "Nombre") == ["Conservatorio Muñoz Álvarez", "Zoe Antigua"]
    assert column(rows[1:], headers, "Tipo") == ["Conservatorio", "Particular"]
    assert column(rows[1:], headers, "Ciudad") == ["A Coruña", "Lleida"]
    assert column(rows[1:], headers, "Archivado") == ["No", "Sí"]
    assert column(rows[1:], headers, "Teléfono") == ["+34 612 345 678", ""]
    assert column(rows[1:], headers, "Notas")[0] == "Llamar por la mañana; piso 2º"
    assert column(rows[1:], headers, "Pianos") == ["1", "0"]
    created = column(rows[1:], headers, "Fecha de alta")[0]
    assert datetime.strptime(created, "%d/%m/%Y")


def test_spanish_csv_services_use_decimal_comma_and_day_first_dates(session, technician, business):
    rows = read_csv(
        exports.to_csv(exports.export_table(session, technician, "services", "es"), "es"), "es"
    )
    headers, (row,) = rows[0], rows[1:]
    assert headers[:5] == ["Fecha", "Tipo", "Estado", "Cliente", "Piano"]
    values = dict(zip(headers, row, strict=True))
    assert values["Fecha"] == "09/03/2026"
    assert values["Tipo"] == "Mantenimiento completo"
    assert values["Estado"] == "Completado"
    assert values["Cliente"] == "Conservatorio Muñoz Álvarez"
    assert values["Piano"] == "Steinway & Sons B-211"
    assert values["Coste"] == "1234,50"
    assert values["Duración (min)"] == "150"
    assert values["Humedad (%)"] == "45,5"
    assert values["Temperatura (°C)"] == "21"


def test_english_csv_uses_commas_points_and_iso_dates(session, technician, business):
    table = exports.export_table(session, technician, "services", "en")
    assert table.filename_stem.startswith("services-")
    rows = read_csv(exports.to_csv(table, "en"), "en")
    values = dict(zip(rows[0], rows[1], strict=True))
    assert values["Date"] == "2026-03-09"
    assert values["Type"] == "Complete maintenance"
    assert values["Cost"] == "1234.50"
    assert values["Humidity (%)"] == "45.5"
    assert values["Client"] == "Conservatorio Muñoz Álvarez"


def test_invoice_csv_has_numbers_dates_totals_and_payment(session, technician, business):
    rows = read_csv(
        exports.to_csv(exports.export_table(session, technician, "invoices", "es"), "es"), "es"
    )
    headers = rows[0]
    assert headers == [
        "Número",
        "Fecha",
        "Vencimiento",
        "Cliente",
        "NIF/CIF del cliente",
        "Estado",
        "Base imponible",
        "IVA",
        "Total",
        "Fecha de pago",
        "Forma de pago",
        "Referencia de pago",
    ]
    paid, draft = rows[1], rows[2]  # newest first
    assert paid == [
        "F-2026-0007",
        "10/03/2026",
        "09/04/2026",
        "Conservatorio Muñoz Álvarez",
        "Q2818014I",
        "Pagada",
        "1020,25",
        "214,25",
        "1234,50",
        "20/03/2026",
        TRANSFER_ES,
        "TRF 8899",
    ]
    assert draft[0] == "" and draft[5] == "Borrador" and draft[8] == "121,00"
    english = read_csv(
        exports.to_csv(exports.export_table(session, technician, "invoices", "en"), "en"), "en"
    )
    assert english[1][5] == "Paid" and english[1][8] == "1234.50"
    assert english[1][10] == exports.value_label(PaymentMethod.TRANSFER, "en")
    assert english[1][9] == "2026-03-20"


def test_piano_and_inventory_csv(session, technician, business):
    rows = read_csv(
        exports.to_csv(exports.export_table(session, technician, "pianos", "es"), "es"), "es"
    )
    headers = rows[0]
    by_brand = {row[0]: dict(zip(headers, row, strict=True)) for row in rows[1:]}
    assert set(by_brand) == {"Steinway & Sons", "Petrof"}
    steinway = by_brand["Steinway & Sons"]
    assert steinway["Categoría"] == "De cola"
    assert steinway["Tipo"] == "Cola de salón"
    assert steinway["Estado"] == "Necesita reparación"
    assert steinway["Cliente"] == "Conservatorio Muñoz Álvarez"
    assert steinway["Año"] == "1998" and steinway["Tamaño (cm)"] == "211"
    assert steinway["Último servicio"] == "09/03/2026"
    assert (
        by_brand["Petrof"]["Archivado"] == "Sí" and by_brand["Petrof"]["Cliente"] == "Zoe Antigua"
    )

    rows = read_csv(
        exports.to_csv(exports.export_table(session, technician, "inventory", "es"), "es"), "es"
    )
    item = dict(zip(rows[0], rows[1], strict=True))
    assert item["Categoría"] == "Fieltros"
    assert item["Existencias"] == "2,5" and item["Stock mínimo"] == "3"
    assert item["Coste por unidad"] == "12,40" and item["Valor"] == "31,00"
    assert item["Stock bajo"] == "Sí" and item["Proveedor"] == "Suministros Ñandú"


def test_formulas_are_written_as_text(session, technician):
    session.add(
        Client(
            technician_id=technician.id,
            name='=HYPERLINK("http://evil.example","clic")',
            phone="-5",
            notes="@SUM(1+1)",
        )
    )
    session.commit()
    table = exports.export_table(session, technician, "clients", "es")
    rows = read_csv(exports.to_csv(table, "es"), "es")
    values = dict(zip(rows[0], rows[1], strict=True))
    assert values["Nombre"] == '\'=HYPERLINK("http://evil.example","clic")'
    assert values["Notas"] == "'@SUM(1+1)"
    assert values["Teléfono"] == "-5"  # a plain number is left alone
    sheet = read_xlsx(exports.to_xlsx(table, "es"))
    assert sheet["A2"].value == '=HYPERLINK("http://evil.example","clic")'
    assert sheet["A2"].data_type == "s"


# -- filters ------------------------------------------------------------------------------
def test_filters_of_the_lists_apply(session, technician, business):
    active = exports.export_table(session, technician, "clients", "es", {"archived": "active"})
    assert [row[0] for row in active.rows] == ["Conservatorio Muñoz Álvarez"]
    archived = exports.export_table(
        session, technician, "pianos", "es", {"archived": "archived", "page": 3, "sort": "x"}
    )
    assert [row[0] for row in archived.rows] == ["Petrof"]
    none = exports.export_table(session, technician, "services", "es", {"date_from": "2026-04-01"})
    assert none.rows == []
    paid = exports.export_table(session, technician, "invoices", "es", {"status": "paid"})
    assert [row[0] for row in paid.rows] == ["F-2026-0007"]
    low = exports.export_table(session, technician, "inventory", "es", {"low_stock_only": True})
    assert len(low.rows) == 1
    found = exports.export_table(session, technician, "clients", "es", {"search": "munoz"})
    assert len(found.rows) == 1


# -- Excel --------------------------------------------------------------------------------
def test_xlsx_has_real_numbers_dates_bold_frozen_header_and_widths(session, technician, business):
    table = exports.export_table(session, technician, "invoices", "es")
    sheet = read_xlsx(exports.to_xlsx(table, "es"))
    assert sheet.title == "Facturas"
    assert sheet.freeze_panes == "A2"
    headers = [cell.value for cell in sheet[1]]
    assert headers == table.headers
    assert all(cell.font.bold for cell in sheet[1])
    row = {h: cell for h, cell in zip(headers, sheet[2], strict=True)}
    total = row["Total"]
    assert isinstance(total.value, int | float) and total.value == pytest.approx(1234.5)
    assert "0.00" in total.number_format and "€" in total.number_format
    issued = row["Fecha"]
    assert isinstance(issued.value, datetime) and issued.value.date() == date(2026, 3, 10)
    assert issued.number_format == "dd/mm/yyyy"
    assert row["Estado"].value == "Pagada" and row["Forma de pago"].value == TRANSFER_ES
    assert sheet["A3"].value is None  # a draft has no number
    width = sheet.column_dimensions["D"].width  # client names
    assert width >= len("Conservatorio Muñoz Álvarez")


def test_xlsx_in_english_and_quantities(session, technician, business):
    sheet = read_xlsx(
        exports.to_xlsx(exports.export_table(session, technician, "inventory", "en"), "en")
    )
    assert sheet.title == "Inventory"
    headers = [cell.value for cell in sheet[1]]
    row = {h: cell.value for h, cell in zip(headers, sheet[2], strict=True)}
    assert row["Name"] == "Fieltro de apagador" and row["Category"] == "Felts"
    assert row["In stock"] == pytest.approx(2.5)
    assert row["Value"] == pytest.approx(31.0)
    assert row["Low stock"] == "Yes"


def test_empty_export_still_has_its_headers(session, technician):
    table = exports.export_table(session, technician, "services", "en")
    assert table.rows == []
    assert read_csv(exports.to_csv(table, "en"), "en") == [table.headers]
    sheet = read_xlsx(exports.to_xlsx(table, "en"))
    assert [cell.value for cell in sheet[1]] == table.headers


# -- scoping ------------------------------------------------------------------------------
def test_another_technicians_rows_never_appear(session):
    a = populate(session, make_technician(session, "Ana"), "A")
    b = populate(session, make_technician(session, "Beto"), "B")
    for entity in exports.EXPORTABLE:
        for lang in ("es", "en"):
            table = exports.export_table(session, b.user, entity, lang)
            assert len(table.rows) == 1, entity
            text = exports.to_csv(table, lang).decode("utf-8-sig")
            text += repr(list(read_xlsx(exports.to_xlsx(table, lang)).iter_rows(values_only=True)))
            for marker in ("Cliente A García", "SER-A-1", "Cuerda A"):
                assert marker not in text, (entity, marker)
    # A's ids used as filters find nothing for B.
    assert (
        exports.export_table(session, b.user, "services", "es", {"client_id": a.ids["client"]}).rows
        == []
    )
