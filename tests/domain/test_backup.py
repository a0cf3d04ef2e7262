"""Account backup and restore, on SQLite and MariaDB: the document, the
round trip (backup → restore into an empty account → the same backup), the
refusals that write nothing, and the guard that no tenant table is forgotten."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from piano_emotion import demo
from piano_emotion.domain import alerts, backup, clients
from piano_emotion.domain.business import BusinessInfoInput, save_business_info
from piano_emotion.domain.errors import ValidationFailed
from piano_emotion.migrations import head_revision
from piano_emotion.models import (
    BusinessInfo,
    Client,
    Invoice,
    InvoiceLine,
    MaintenanceAlert,
    Piano,
    Quote,
    QuoteLine,
    Reminder,
    Service,
    User,
    metadata,
)
from piano_emotion.models.enums import (
    AlertLevel,
    InvoiceStatus,
    LineKind,
    MaintenanceAlertKind,
    MaintenanceAlertStatus,
    PaymentMethod,
    QuoteStatus,
    ReminderSource,
    ReminderType,
)
from piano_emotion.models.types import utcnow
from piano_emotion.ui.i18n import CATALOGUE
from tests.factories import make_technician, populate
from tests.isolation import tenant_snapshot

D = Decimal


def without_time(document: dict) -> dict:
    document = dict(document)
    document.pop("exported_at")
    return document


def empty_snapshot(session: Session, user: User) -> bool:
    session.expire_all()
    return all(rows == [] for rows in tenant_snapshot(session, user).values())


def enrich(session: Session, user: User) -> None:
    """Rows populate() does not make: a quote converted into an invoice (the
    id-only link), a paid invoice without payment link, done and due-service
    reminders, a resolved alert, accents and long texts, an archived client."""
    tid = user.id
    client = session.exec(select(Client).where(Client.technician_id == tid)).first()
    piano = session.exec(select(Piano).where(Piano.technician_id == tid)).first()
    service = session.exec(select(Service).where(Service.technician_id == tid)).first()
    archived = Client(
        technician_id=tid,
        name="Ñoño Pérez-Íñiguez",
        notes="Línea 1\nLínea 2 «comillas» 😀",
        latitude=D("43.362344"),
        longitude=D("-8.411540"),
        archived=True,
        search_text="nono perez-iniguez",
    )
    session.add(archived)
    session.flush()
    quote = Quote(
        technician_id=tid,
        client_id=client.id,
        piano_id=piano.id,
        number="P-2026-0002",
        title="Restauración de macillos",
        quote_date=date(2026, 2, 1),
        valid_until=date(2026, 3, 3),
        status=QuoteStatus.CONVERTED,
        subtotal=D("200.00"),
        tax_total=D("42.00"),
        total=D("242.00"),
    )
    session.add(quote)
    session.flush()
    session.add(
        QuoteLine(
            technician_id=tid,
            quote_id=quote.id,
            position=1,
            kind=LineKind.LABOR,
            description="Mano de obra",
            quantity=D("2.500"),
            unit_price=D("80.00"),
            discount_pct=D("0.00"),
            net_amount=D("200.00"),
            tax_amount=D("42.00"),
            total_amount=D("242.00"),
        )
    )
    invoice = Invoice(
        technician_id=tid,
        client_id=client.id,
        piano_id=piano.id,
        service_id=service.id,
        quote_id=quote.id,
        number="F-2026-0002",
        issue_date=date(2026, 2, 5),
        due_date=date(2026, 3, 7),
        status=InvoiceStatus.PAID,
        client_name=client.name,
        issuer_name="Pianos A SL",
        issuer_iban="ES9121000418450200051332",
        subtotal=D("200.00"),
        tax_total=D("42.00"),
        total=D("242.00"),
        paid_date=date(2026, 2, 20),
        payment_method=PaymentMethod.BIZUM,
        payment_reference="BZ-1",
        sent_at=datetime(2026, 2, 5, 9, 30, 15, 123456, tzinfo=UTC),
    )
    session.add(invoice)
    session.flush()
    quote.converted_invoice_id = invoice.id
    session.add(quote)
    session.add(
        InvoiceLine(
            technician_id=tid,
            invoice_id=invoice.id,
            kind=LineKind.LABOR,
            description="Mano de obra",
            quantity=D("2.500"),
            unit_price=D("80.00"),
            discount_pct=D("12.50"),
            net_amount=D("175.00"),
            tax_amount=D("36.75"),
            total_amount=D("211.75"),
        )
    )
    session.add(
        Reminder(
            technician_id=tid,
            client_id=archived.id,
            reminder_type=ReminderType.WHATSAPP,
            source=ReminderSource.DUE_SERVICE,
            due_cycle_date=date(2026, 1, 1),
            due_date=date(2026, 1, 10),
            title="Revisión anual",
            done=True,
            done_at=utcnow() - timedelta(days=3),
        )
    )
    session.add(
        MaintenanceAlert(
            technician_id=tid,
            piano_id=piano.id,
            kind=MaintenanceAlertKind.TUNING,
            level=AlertLevel.URGENT,
            status=MaintenanceAlertStatus.RESOLVED,
            days_since=300,
            due_since=date(2025, 1, 1),
            resolved_at=utcnow(),
            resolved_by_service_id=service.id,
        )
    )
    session.commit()


@pytest.fixture
def rich(session, technician) -> User:
    populate(session, technician, "A")
    enrich(session, technician)
    return technician


# -- the document -------------------------------------------------------------------------
def test_document_is_versioned_json_without_ids_or_secrets(session, rich):
    document = backup.backup_account(session, rich)
    assert document["format"] == "piano-emotion-backup"
    assert document["version"] == backup.VERSION
    assert document["schema_revision"] == head_revision()
    assert datetime.fromisoformat(document["exported_at"]).tzinfo is not None
    assert list(document["tables"]) == [
        t.name for t in metadata.sorted_tables if t.name in backup.BACKED_UP_TABLES
    ]
    for name, rows in document["tables"].items():
        assert rows, f"{name} is empty in the rich account"
        for row in rows:
            assert "id" not in row and "technician_id" not in row
    text = json.dumps(document)  # serialisable as it is
    tokens = session.exec(select(Invoice.payment_token).where(Invoice.technician_id == rich.id))
    for token in tokens:
        if token:
            assert token not in text
    assert rich.password_hash not in text and rich.email not in text

    clients_rows = document["tables"]["clients"]
    assert clients_rows[1]["name"] == "Ñoño Pérez-Íñiguez"
    assert clients_rows[1]["latitude"] == "43.362344"
    invoices = document["tables"]["invoices"]
    assert [i["payment_token"] for i in invoices] == [True, False]
    paid = invoices[1]
    assert paid["total"] == "242.00" and paid["issue_date"] == "2026-02-05"
    assert paid["sent_at"] == "2026-02-05T09:30:15.123456+00:00"
    assert paid["payment_method"] == "bizum" and paid["status"] == "paid"
    # References are positions in the referenced table.
    assert paid["client_id"] == 1 and paid["quote_id"] == 2 and paid["service_id"] == 1
    assert document["tables"]["quotes"][1]["converted_invoice_id"] == 2
    assert document["tables"]["quotes"][0]["converted_invoice_id"] is None
    assert document["tables"]["maintenance_alerts"][1]["resolved_by_service_id"] == 1


def test_a_backup_holds_only_its_technicians_rows(session, rich, other_technician):
    populate(session, other_technician, "B")
    mine = json.dumps(backup.backup_account(session, rich), ensure_ascii=False)
    theirs = json.dumps(backup.backup_account(session, other_technician), ensure_ascii=False)
    assert "Cliente A García" in mine and "Cliente B García" not in mine
    assert "Cliente B García" in theirs and "Cliente A García" not in theirs
    assert "Ñoño" not in theirs and "SER-A-1" not in theirs


# -- round trip -------------------------------------------------------------------------------
def round_trip(session: Session, source: User) -> tuple[dict, dict, User]:
    raw = backup.backup_json(session, source)
    target = make_technician(session, "Cuenta Restaurada")
    session.commit()
    summary = backup.restore_json(session, target, raw)
    session.commit()
    first = json.loads(raw)
    assert summary.counts == {name: len(rows) for name, rows in first["tables"].items()}
    return first, backup.backup_account(session, target), target


def test_round_trip_of_a_rich_account_is_identical(session, rich):
    first, second, target = round_trip(session, rich)
    assert without_time(second) == without_time(first)

    # The restored rows are the target's, with new ids and links between them.
    session.expire_all()
    quote = session.exec(
        select(Quote).where(Quote.technician_id == target.id, Quote.number == "P-2026-0002")
    ).one()
    invoice = session.get(Invoice, quote.converted_invoice_id)
    assert invoice.technician_id == target.id and invoice.number == "F-2026-0002"
    assert invoice.quote_id == quote.id
    original = session.exec(
        select(Invoice).where(Invoice.technician_id == rich.id, Invoice.payment_token.is_not(None))
    ).one()
    restored = session.exec(
        select(Invoice).where(
            Invoice.technician_id == target.id, Invoice.payment_token.is_not(None)
        )
    ).one()
    assert restored.payment_token and restored.payment_token != original.payment_token
    # The source account is untouched.
    assert without_time(backup.backup_account(session, rich)) == without_time(first)


def test_round_trip_of_the_demo_account_is_identical(engine, session):
    (account,) = demo.load_demo_data(engine, technicians=1, progress=False, include_owner=False)
    user = session.exec(select(User).where(User.email == account.email)).one()
    alerts.sync_alerts(session, user)
    session.commit()
    first_alert = session.exec(
        select(MaintenanceAlert).where(MaintenanceAlert.technician_id == user.id)
    ).first()
    assert first_alert is not None, "the demo account has maintenance alerts"
    alerts.acknowledge_alert(session, user, first_alert.id)
    session.commit()
    first, second, _ = round_trip(session, user)
    assert len(first["tables"]["clients"]) == demo.CLIENTS
    assert len(first["tables"]["services"]) == demo.SERVICES
    assert any(q["converted_invoice_id"] for q in first["tables"]["quotes"])
    assert without_time(second) == without_time(first)


def test_round_trip_without_insert_returning(engine, session, rich, monkeypatch):
    # TiDB has no INSERT … RETURNING: rows are then inserted one by one.
    monkeypatch.setattr(
        engine.dialect, "insert_executemany_returning_sort_by_parameter_order", False
    )
    first, second, _ = round_trip(session, rich)
    assert without_time(second) == without_time(first)


def test_restore_invalidates_the_accounts_cached_reads(session, rich):
    target = make_technician(session, "Cuenta Nueva")
    session.commit()
    assert clients.list_clients(session, target)["total"] == 0  # now cached
    backup.restore_account(session, target, backup.backup_account(session, rich))
    session.commit()
    assert clients.list_clients(session, target)["total"] == 1  # active ones


def test_a_restore_into_an_account_synced_today_syncs_every_restored_piano(session, rich):
    """The restored alert rows are as they were on the backup's day: the
    restore asks for a sync of every piano, so an account whose alerts were
    already synced today does not keep them."""
    target = make_technician(session, "Sincronizada Hoy")
    session.commit()
    today = alerts.local_today()
    assert alerts.list_alerts(session, target, today=today) == []  # synced today, empty
    session.commit()
    backup.restore_account(session, target, backup.backup_account(session, rich))
    session.commit()
    alerts.list_alerts(session, target, today=today)
    session.commit()
    assert not any(alerts.sync_alerts(session, target, today, write=False).values())


def test_the_alert_sync_bookkeeping_is_not_business_data(session, rich):
    """An account with only sync bookkeeping is still empty: it can be restored into."""
    target = make_technician(session, "Solo Contabilidad")
    session.commit()
    alerts.request_alert_sync(session, target)
    alerts.sync_requested_alerts(session, target)
    alerts.request_alert_sync(session, target)
    session.commit()
    backup.restore_account(session, target, backup.backup_account(session, rich))
    session.commit()


def test_settings_of_an_otherwise_empty_account_are_replaced(session, rich):
    target = make_technician(session, "Con Datos Fiscales")
    save_business_info(
        session, target, BusinessInfoInput(business_name="Provisional", tax_id="B12345674")
    )
    session.commit()
    document = backup.backup_account(session, rich)
    backup.restore_account(session, target, document)
    session.commit()
    session.expire_all()
    infos = session.exec(select(BusinessInfo).where(BusinessInfo.technician_id == target.id)).all()
    assert [i.business_name for i in infos] == ["Pianos A SL"]
    assert without_time(backup.backup_account(session, target)) == without_time(document)


def test_an_older_document_without_a_column_gets_its_default(session, rich):
    document = backup.backup_account(session, rich)
    for row in document["tables"]["clients"]:
        del row["route_group"]
        del row["notes"]
    target = make_technician(session, "Cuenta Nueva")
    session.commit()
    backup.restore_account(session, target, document)
    session.commit()
    notes = session.exec(select(Client.notes).where(Client.technician_id == target.id)).all()
    assert notes == ["", ""]


# -- refusals (nothing written) --------------------------------------------------------------
def test_restore_refuses_an_account_with_data(session, rich, other_technician):
    populate(session, other_technician, "B")
    before = tenant_snapshot(session, other_technician)
    with pytest.raises(ValidationFailed) as refused:
        backup.restore_account(session, other_technician, backup.backup_account(session, rich))
    assert refused.value.fields == {"backup": "error.restore_account_not_empty"}
    session.commit()
    session.expire_all()
    assert tenant_snapshot(session, other_technician) == before


def _set(path: tuple, value):
    def change(document):
        target = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _delete(path: tuple):
    def change(document):
        target = document
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


CORRUPTIONS = {
    "other format": (_set(("format",), "gazelle-export"), "error.backup_format_invalid"),
    "no version": (_delete(("version",)), "error.backup_format_invalid"),
    "newer version": (_set(("version",), 99), "error.backup_version_newer"),
    "tables not a dict": (_set(("tables",), []), "error.backup_format_invalid"),
    "unknown table": (_set(("tables", "users"), []), "error.backup_format_invalid"),
    "rows not a list": (_set(("tables", "clients"), {}), "error.backup_format_invalid"),
    "unknown column": (
        _set(("tables", "clients", 0, "password_hash"), "x"),
        "error.backup_format_invalid",
    ),
    "reference out of range": (
        _set(("tables", "pianos", 0, "client_id"), 3),
        "error.backup_reference_broken",
    ),
    "reference zero": (
        _set(("tables", "services", 0, "piano_id"), 0),
        "error.backup_reference_broken",
    ),
    "reference not a number": (
        _set(("tables", "invoice_lines", 0, "invoice_id"), "1"),
        "error.backup_reference_broken",
    ),
    "required reference missing": (
        _set(("tables", "pianos", 0, "client_id"), None),
        "error.backup_reference_broken",
    ),
    "id-only link out of range": (
        _set(("tables", "quotes", 1, "converted_invoice_id"), 7),
        "error.backup_reference_broken",
    ),
    "enum value": (_set(("tables", "services", 0, "status"), "done"), "error.backup_value_invalid"),
    "date": (
        _set(("tables", "invoices", 0, "issue_date"), "05/02/2026"),
        "error.backup_value_invalid",
    ),
    "naive timestamp": (
        _set(("tables", "clients", 0, "created_at"), "2026-01-01T10:00:00"),
        "error.backup_value_invalid",
    ),
    "amount": (_set(("tables", "invoices", 0, "total"), "mucho"), "error.backup_value_invalid"),
    "amount too large": (
        _set(("tables", "invoices", 0, "total"), "12345678901.00"),
        "error.backup_value_invalid",
    ),
    "float amount": (_set(("tables", "invoices", 0, "total"), 1.5), "error.backup_value_invalid"),
    "text too long": (
        _set(("tables", "clients", 0, "name"), "x" * 161),
        "error.backup_value_invalid",
    ),
    "boolean": (_set(("tables", "clients", 0, "archived"), "no"), "error.backup_value_invalid"),
    "required value": (_set(("tables", "pianos", 0, "brand"), None), "error.backup_value_invalid"),
    "secret flag": (
        _set(("tables", "invoices", 0, "payment_token"), "tok_123"),
        "error.backup_value_invalid",
    ),
    # Passes the checks, refused by the database (unique invoice number).
    "duplicated invoice number": (
        lambda d: _set(("tables", "invoices", 1, "number"), d["tables"]["invoices"][0]["number"])(
            d
        ),
        "error.backup_value_invalid",
    ),
}


@pytest.mark.parametrize("corruption", list(CORRUPTIONS), ids=list(CORRUPTIONS))
def test_a_corrupted_document_is_refused_and_nothing_is_written(session, rich, corruption):
    change, key = CORRUPTIONS[corruption]
    document = copy.deepcopy(backup.backup_account(session, rich))
    change(document)
    target = make_technician(session, "Cuenta Vacía")
    session.commit()
    with pytest.raises(ValidationFailed) as refused:
        backup.restore_account(session, target, document)
    assert refused.value.fields == {"backup": key}
    assert key in CATALOGUE
    session.commit()
    assert empty_snapshot(session, target)


BAD_FILES = {
    b"": "error.backup_invalid_json",
    b"{not json": "error.backup_invalid_json",
    b"\xff\xfe\x00garbage": "error.backup_invalid_json",
    b"[1, 2": "error.backup_invalid_json",
    b"null": "error.backup_format_invalid",
    b"[1, 2]": "error.backup_format_invalid",
    b'{"format": "piano-emotion-backup", "version": true, "tables": {}}': (
        "error.backup_format_invalid"
    ),
}


@pytest.mark.parametrize("raw", list(BAD_FILES), ids=repr)
def test_a_file_that_is_not_a_backup_is_refused(session, technician, raw):
    with pytest.raises(ValidationFailed) as refused:
        backup.restore_json(session, technician, raw)
    assert refused.value.fields == {"backup": BAD_FILES[raw]}
    assert BAD_FILES[raw] in CATALOGUE
    session.commit()
    assert empty_snapshot(session, technician)


def test_a_backup_with_a_bom_is_accepted(session, rich):
    raw = b"\xef\xbb\xbf" + backup.backup_json(session, rich)
    target = make_technician(session, "Cuenta Nueva")
    session.commit()
    assert backup.restore_json(session, target, raw).counts["clients"] == 2


# -- no table is forgotten ----------------------------------------------------------------
def test_every_tenant_table_is_backed_up_or_excluded_with_a_reason():
    tables = set(metadata.tables)
    backed_up = set(backup.BACKED_UP_TABLES)
    excluded = set(backup.EXCLUDED_TABLES)
    assert backed_up <= tables and excluded <= tables
    assert not backed_up & excluded
    assert all(reason.strip() for reason in backup.EXCLUDED_TABLES.values())
    forgotten = backup.tenant_table_names() - backed_up - excluded
    assert not forgotten, (
        f"add {sorted(forgotten)} to backup.BACKED_UP_TABLES, or to EXCLUDED_TABLES with a reason"
    )
    assert backed_up >= backup.SETTINGS_TABLES


def test_every_link_of_a_backed_up_table_is_understood():
    backed_up = set(backup.BACKED_UP_TABLES)
    for name in backed_up:
        table = metadata.tables[name]
        assert "technician_id" in table.c, f"{name} has no technician_id to scope it by"
        for column in table.columns:
            if column.name in backup.SKIPPED_COLUMNS:
                continue
            targets = {fk.column.table.name for fk in column.foreign_keys}
            assert targets <= backed_up, f"{name}.{column.name} points outside the backup"
            if column.name.endswith("_id") and isinstance(column.type, sa.Integer) and not targets:
                assert (name, column.name) in backup.SOFT_REFERENCES, (
                    f"{name}.{column.name} looks like a link: declare it in SOFT_REFERENCES"
                )
            if any(word in column.name for word in ("token", "secret", "password", "hash")):
                assert (name, column.name) in backup.SECRET_COLUMNS, (
                    f"{name}.{column.name} looks secret: declare it in SECRET_COLUMNS"
                )
    for (name, _column), target in backup.SOFT_REFERENCES.items():
        assert name in backed_up and target in backed_up


def test_a_new_tenant_table_would_be_caught(monkeypatch):
    table = sa.Table(
        "piano_loans",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("technician_id", sa.Integer),
    )
    monkeypatch.setattr(
        backup, "metadata", type("M", (), {"sorted_tables": [*metadata.sorted_tables, table]})
    )
    assert "piano_loans" in backup.tenant_table_names()
