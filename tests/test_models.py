"""The data model on the real databases (SQLite and MariaDB), after migration.

Every test runs once per backend through the ``engine``/``session`` fixtures.
Constraints are checked twice where it matters: through the ORM and with a raw
``INSERT`` that bypasses SQLAlchemy's own validation, so the database itself is
shown to refuse bad rows.
"""

from __future__ import annotations

import enum
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session, select

from piano_emotion.domain.alerts import local_today  # Spain's date, like the app
from piano_emotion.models import (
    Appointment,
    BusinessInfo,
    Client,
    InventoryItem,
    Invoice,
    InvoiceLine,
    Piano,
    Reminder,
    Service,
    ServiceMaterial,
    ServiceTask,
    User,
    metadata,
)
from piano_emotion.models.enums import (
    ClientType,
    InvoiceStatus,
    PianoCategory,
    PianoCondition,
    ServiceStatus,
    ServiceType,
)

PLATFORM_TABLES = {
    "users",
    "login_attempts",
    "cache_metric_snapshots",
    "cache_alert_settings",
    "cache_alert_events",
    "owner_notifications",
    "job_runs",
    "stripe_events",
}
RAW_TIMESTAMP = "2025-03-01 10:00:00"


# -- helpers -------------------------------------------------------------------------


def _raw_value(value: Any) -> Any:
    """A Python default as a plain DB-API parameter (no SQLAlchemy type processing)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def raw_insert(session: Session, table_name: str, **values: Any) -> None:
    """``INSERT`` through ``sa.text``: only the database checks the values.

    Required columns that the caller leaves out get the model's scalar default
    (timestamps get a fixed UTC time), so tests only name what they are about.
    """
    table = metadata.tables[table_name]
    row: dict[str, Any] = {}
    for column in table.columns:
        if column.name in values or column.nullable or column.primary_key:
            continue
        default = column.default
        if default is not None and default.is_scalar:
            row[column.name] = _raw_value(default.arg)
        elif default is not None:
            row[column.name] = RAW_TIMESTAMP
    row.update({name: _raw_value(value) for name, value in values.items()})
    quote = session.get_bind().dialect.identifier_preparer.quote
    columns = ", ".join(quote(name) for name in row)
    params = ", ".join(f":{name}" for name in row)
    session.execute(sa.text(f"INSERT INTO {quote(table_name)} ({columns}) VALUES ({params})"), row)


def make_user(session: Session, email: str = "ana@example.es") -> User:
    user = User(email=email, name="Ana Técnica")
    session.add(user)
    session.flush()
    return user


def make_client(session: Session, user: User, name: str = "Conservatorio de Sevilla") -> Client:
    client = Client(technician_id=user.id, name=name, client_type=ClientType.CONSERVATORY)
    session.add(client)
    session.flush()
    return client


def make_piano(session: Session, client: Client) -> Piano:
    piano = Piano(
        technician_id=client.technician_id,
        client_id=client.id,
        brand="Yamaha",
        model="U3",
        category=PianoCategory.VERTICAL,
    )
    session.add(piano)
    session.flush()
    return piano


def count(session: Session, table_name: str) -> int:
    return session.execute(
        sa.select(sa.func.count()).select_from(metadata.tables[table_name])
    ).scalar_one()


def is_mysql(session: Session) -> bool:
    return session.get_bind().dialect.name == "mysql"


# -- round trips ------------------------------------------------------------------------


def test_create_and_read_back_a_technicians_data(session, engine):
    user = make_user(session)
    client = make_client(session, user)
    piano = make_piano(session, client)
    service = Service(
        technician_id=user.id,
        piano_id=piano.id,
        client_id=client.id,
        service_type=ServiceType.TUNING,
        service_date=date(2025, 3, 14),
        cost=Decimal("85.00"),
        humidity_pct=Decimal("45.50"),
        temperature_c=Decimal("-2.50"),
        notes="Afinación a 442 Hz. Ñandú, acentos: áéíóú €",
    )
    session.add(service)
    session.flush()
    session.add(ServiceTask(technician_id=user.id, service_id=service.id, label="Afinar"))
    invoice = Invoice(
        technician_id=user.id,
        client_id=client.id,
        service_id=service.id,
        number="F-2025-0001",
        issue_date=date(2025, 3, 14),
        status=InvoiceStatus.SENT,
        subtotal=Decimal("85.00"),
        tax_total=Decimal("17.85"),
        total=Decimal("102.85"),
    )
    session.add(invoice)
    session.flush()
    session.add(
        InvoiceLine(
            technician_id=user.id,
            invoice_id=invoice.id,
            description="Afinación",
            quantity=Decimal("1.000"),
            unit_price=Decimal("85.00"),
            net_amount=Decimal("85.00"),
            tax_amount=Decimal("17.85"),
            total_amount=Decimal("102.85"),
        )
    )
    session.add(
        Appointment(
            technician_id=user.id,
            client_id=client.id,
            piano_id=piano.id,
            title="Afinación",
            starts_at=datetime(2025, 4, 1, 8, 30, tzinfo=UTC),
        )
    )
    session.add(
        Reminder(
            technician_id=user.id,
            client_id=client.id,
            piano_id=piano.id,
            title="Llamar",
            due_date=date(2025, 9, 14),
        )
    )
    session.commit()
    ids = (user.id, client.id, piano.id, service.id, invoice.id)

    with Session(engine) as fresh:
        user_id, client_id, piano_id, service_id, invoice_id = ids
        assert fresh.get(User, user_id).email == "ana@example.es"
        read_client = fresh.get(Client, client_id)
        assert read_client.name == "Conservatorio de Sevilla"
        assert read_client.client_type is ClientType.CONSERVATORY
        assert read_client.technician_id == user_id
        read_piano = fresh.get(Piano, piano_id)
        assert (read_piano.brand, read_piano.model) == ("Yamaha", "U3")
        assert read_piano.category is PianoCategory.VERTICAL
        assert read_piano.condition is PianoCondition.GOOD
        read_service = fresh.get(Service, service_id)
        assert read_service.service_type is ServiceType.TUNING
        assert read_service.status is ServiceStatus.COMPLETED
        assert read_service.service_date == date(2025, 3, 14)
        assert read_service.humidity_pct == Decimal("45.50")
        assert read_service.temperature_c == Decimal("-2.50")
        assert read_service.notes == "Afinación a 442 Hz. Ñandú, acentos: áéíóú €"
        tasks = fresh.exec(select(ServiceTask).where(ServiceTask.service_id == service_id)).all()
        assert [t.label for t in tasks] == ["Afinar"]
        read_invoice = fresh.get(Invoice, invoice_id)
        assert read_invoice.status is InvoiceStatus.SENT
        assert read_invoice.total == Decimal("102.85")
        lines = fresh.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice_id)).all()
        assert [line.total_amount for line in lines] == [Decimal("102.85")]
        appointment = fresh.exec(select(Appointment)).one()
        assert appointment.starts_at == datetime(2025, 4, 1, 8, 30, tzinfo=UTC)
        assert fresh.exec(select(Reminder)).one().due_date == date(2025, 9, 14)


# -- enums -----------------------------------------------------------------------------------


def test_orm_refuses_a_value_outside_the_enum(session):
    user = make_user(session)
    session.add(Client(technician_id=user.id, name="X", client_type="banana"))
    with pytest.raises(StatementError) as excinfo:
        session.flush()
    assert isinstance(excinfo.value.orig, LookupError)
    assert "banana" in str(excinfo.value)
    session.rollback()


def test_orm_accepts_the_stored_string_of_an_enum_member(session):
    user = make_user(session)
    session.add(Client(technician_id=user.id, name="X", client_type="music_school"))
    session.commit()
    assert session.exec(select(Client)).one().client_type is ClientType.MUSIC_SCHOOL


def test_database_check_refuses_a_value_outside_the_enum(session):
    user = make_user(session)
    session.commit()
    raw_insert(session, "clients", technician_id=user.id, name="Control", client_type="student")
    session.commit()
    with pytest.raises(IntegrityError):
        raw_insert(session, "clients", technician_id=user.id, name="X", client_type="banana")
    session.rollback()
    assert count(session, "clients") == 1


# -- money ---------------------------------------------------------------------------------------


def test_money_columns_are_decimal_12_2():
    for table, column in [
        ("services", "cost"),
        ("invoices", "total"),
        ("invoice_lines", "unit_price"),
        ("quotes", "total"),
        ("inventory_items", "cost_per_unit"),
        ("service_rates", "base_price"),
    ]:
        column_type = metadata.tables[table].c[column].type
        assert isinstance(column_type, sa.Numeric), (table, column)
        assert (column_type.precision, column_type.scale) == (12, 2), (table, column)
        assert column_type.asdecimal


@pytest.mark.parametrize("amount", ["1234.56", "0.01", "0.10", "9999999999.99", "0.00"])
def test_money_round_trips_as_decimal_with_two_places(session, engine, amount):
    user = make_user(session)
    client = make_client(session, user)
    piano = make_piano(session, client)
    service = Service(
        technician_id=user.id,
        piano_id=piano.id,
        client_id=client.id,
        service_type=ServiceType.REPAIR,
        service_date=date(2025, 1, 2),
        cost=Decimal(amount),
    )
    session.add(service)
    session.commit()

    with Session(engine) as fresh:
        cost = fresh.get(Service, service.id).cost
    assert isinstance(cost, Decimal)
    assert cost == Decimal(amount)
    assert cost.as_tuple().exponent == -2
    assert str(cost) == amount


def test_money_column_is_decimal_in_the_database(engine):
    column = next(c for c in sa.inspect(engine).get_columns("services") if c["name"] == "cost")
    # MariaDB: DECIMAL(12,2); SQLite keeps the declared NUMERIC(12, 2).
    assert isinstance(column["type"], sa.Numeric)
    assert (column["type"].precision, column["type"].scale) == (12, 2)


# -- timestamps ---------------------------------------------------------------------------------


def test_timestamps_are_aware_utc_and_updated_at_moves_on_update(session, engine):
    before = datetime.now(UTC)
    user = make_user(session)
    session.commit()

    with Session(engine) as fresh:
        stored = fresh.get(User, user.id)
        created, updated = stored.created_at, stored.updated_at
    assert created.tzinfo is UTC
    assert updated.tzinfo is UTC
    assert before <= created <= datetime.now(UTC)

    time.sleep(0.01)
    user.name = "Ana Renombrada"
    session.add(user)
    session.commit()

    with Session(engine) as fresh:
        stored = fresh.get(User, user.id)
    assert stored.name == "Ana Renombrada"
    assert stored.created_at == created
    assert stored.updated_at > updated
    assert stored.updated_at.tzinfo is UTC


def test_microseconds_are_kept(session, engine):
    user = make_user(session)
    client = make_client(session, user)
    moment = datetime(2025, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    session.add(
        Appointment(technician_id=user.id, client_id=client.id, title="T", starts_at=moment)
    )
    session.commit()
    with Session(engine) as fresh:
        assert fresh.exec(select(Appointment)).one().starts_at == moment


def test_aware_local_time_is_stored_as_utc(session, engine):
    user = make_user(session)
    client = make_client(session, user)
    madrid_noon = datetime(2025, 6, 1, 12, 0, tzinfo=ZoneInfo("Europe/Madrid"))
    session.add(
        Appointment(technician_id=user.id, client_id=client.id, title="T", starts_at=madrid_noon)
    )
    session.commit()

    with Session(engine) as fresh:
        starts_at = fresh.exec(select(Appointment)).one().starts_at
    assert starts_at == madrid_noon
    assert starts_at.tzinfo is UTC
    assert (starts_at.hour, starts_at.minute) == (10, 0)  # CEST is UTC+2
    stored = session.execute(sa.text("SELECT starts_at FROM appointments")).scalar_one()
    assert str(stored).startswith("2025-06-01 10:00:00")


def test_naive_datetimes_are_refused(session):
    user = make_user(session)
    client = make_client(session, user)
    session.add(
        Appointment(
            technician_id=user.id,
            client_id=client.id,
            title="Sin zona",
            starts_at=datetime(2025, 6, 1, 12, 0),
        )
    )
    with pytest.raises(StatementError) as excinfo:
        session.flush()
    assert isinstance(excinfo.value.orig, ValueError)
    assert "naive" in str(excinfo.value)
    session.rollback()


# -- CHECK constraints --------------------------------------------------------------------------


def _service_row(session: Session) -> dict[str, Any]:
    user = make_user(session)
    client = make_client(session, user)
    piano = make_piano(session, client)
    session.commit()
    return {
        "technician_id": user.id,
        "client_id": client.id,
        "piano_id": piano.id,
        "service_type": "tuning",
        "service_date": "2025-03-01",
    }


@pytest.mark.parametrize("humidity", ["100.01", "150.00", "-0.01"])
def test_database_refuses_humidity_outside_0_100_raw(session, humidity):
    row = _service_row(session)
    raw_insert(session, "services", **row, humidity_pct="100.00")  # the limit is fine
    session.commit()
    with pytest.raises(IntegrityError):
        raw_insert(session, "services", **row, humidity_pct=humidity)
    session.rollback()
    assert count(session, "services") == 1


def test_database_refuses_humidity_above_100_from_the_orm(session):
    row = _service_row(session)
    session.add(
        Service(
            **row | {"service_type": ServiceType.TUNING, "service_date": local_today()},
            humidity_pct=Decimal("101.00"),
        )
    )
    with pytest.raises(IntegrityError) as excinfo:
        session.flush()
    assert "humidity_range" in str(excinfo.value)
    session.rollback()


def test_database_refuses_negative_money_and_quantities(session):
    row = _service_row(session)
    with pytest.raises(IntegrityError):
        raw_insert(session, "services", **row, cost="-0.01")
    session.rollback()
    user_id = row["technician_id"]
    session.add(InventoryItem(technician_id=user_id, name="Cuerda", cost_per_unit=Decimal("-1.00")))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
    item = InventoryItem(technician_id=user_id, name="Fieltro")
    service = Service(
        technician_id=user_id,
        client_id=row["client_id"],
        piano_id=row["piano_id"],
        service_type=ServiceType.REPAIR,
        service_date=date(2025, 1, 1),
    )
    session.add_all([item, service])
    session.flush()
    session.add(
        ServiceMaterial(
            technician_id=user_id, service_id=service.id, item_id=item.id, quantity=Decimal("0")
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


# -- unique constraints -------------------------------------------------------------------------


def test_invoice_number_is_unique_per_technician(session):
    ana = make_user(session, "ana@example.es")
    luis = make_user(session, "luis@example.es")
    ana_client = make_client(session, ana)
    luis_client = make_client(session, luis)

    def invoice(user: User, client: Client, number: str | None) -> Invoice:
        return Invoice(
            technician_id=user.id, client_id=client.id, number=number, issue_date=date(2025, 1, 1)
        )

    session.add_all(
        [
            invoice(ana, ana_client, "F-2025-0001"),
            # Another technician may use the same number.
            invoice(luis, luis_client, "F-2025-0001"),
            # Drafts have no number yet; any amount of them is fine.
            invoice(ana, ana_client, None),
            invoice(ana, ana_client, None),
        ]
    )
    session.commit()

    session.add(invoice(ana, ana_client, "F-2025-0001"))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()

    with pytest.raises(IntegrityError):
        raw_insert(
            session,
            "invoices",
            technician_id=ana.id,
            client_id=ana_client.id,
            number="F-2025-0001",
            issue_date="2025-01-02",
        )
    session.rollback()
    assert count(session, "invoices") == 4


def test_user_email_is_unique(session):
    make_user(session, "ana@example.es")
    session.commit()
    session.add(User(email="ana@example.es", name="Otra Ana"))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
    with pytest.raises(IntegrityError):
        raw_insert(session, "users", email="ana@example.es", name="Otra Ana")
    session.rollback()
    assert count(session, "users") == 1


def test_one_business_info_per_technician(session):
    user = make_user(session)
    session.add(BusinessInfo(technician_id=user.id, business_name="Pianos Ana"))
    session.commit()
    session.add(BusinessInfo(technician_id=user.id, business_name="Duplicado"))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


# -- foreign keys ---------------------------------------------------------------------------------


def test_foreign_keys_are_enforced(session):
    if not is_mysql(session):
        assert session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
    user = make_user(session)
    session.commit()

    session.add(Piano(technician_id=user.id, client_id=987654, brand="Steinway"))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()

    with pytest.raises(IntegrityError):
        raw_insert(session, "pianos", technician_id=user.id, client_id=987654, brand="Steinway")
    session.rollback()

    with pytest.raises(IntegrityError):
        raw_insert(session, "clients", technician_id=987654, name="Huérfano")
    session.rollback()
    assert count(session, "pianos") == count(session, "clients") == 0


def test_deleting_a_user_cascades_to_their_clients(session, engine):
    ana = make_user(session, "ana@example.es")
    luis = make_user(session, "luis@example.es")
    make_client(session, ana, "Cliente 1")
    make_client(session, ana, "Cliente 2")
    make_client(session, luis, "Cliente de Luis")
    session.add(BusinessInfo(technician_id=ana.id))
    session.commit()

    session.execute(sa.delete(User).where(User.id == ana.id))
    session.commit()

    with Session(engine) as fresh:
        remaining = fresh.exec(select(Client)).all()
        assert [c.name for c in remaining] == ["Cliente de Luis"]
        assert fresh.exec(select(BusinessInfo)).all() == []
        assert fresh.get(User, luis.id) is not None


def test_deleting_a_user_with_pianos_and_services_removes_everything(session, engine, request):
    """A technician's whole account (clients, pianos, services, invoices) can be deleted.

    On InnoDB the cascade from ``users`` only works because every link inside
    the technician's data is itself ON DELETE CASCADE / SET NULL.
    """
    user = make_user(session)
    client = make_client(session, user)
    piano = make_piano(session, client)
    service = Service(
        technician_id=user.id,
        client_id=client.id,
        piano_id=piano.id,
        service_type=ServiceType.TUNING,
        service_date=date(2025, 1, 1),
    )
    session.add(service)
    session.add(Invoice(technician_id=user.id, client_id=client.id, issue_date=date(2025, 1, 1)))
    session.commit()

    session.execute(sa.delete(User).where(User.id == user.id))
    session.commit()

    for table in ("clients", "pianos", "services", "invoices"):
        assert count(session, table) == 0, table


# -- tenancy -----------------------------------------------------------------------------------


def _leads_an_index(table: sa.Table, column: str) -> bool:
    for index in table.indexes:
        if index.columns.keys()[0] == column:
            return True
    for constraint in table.constraints:
        if isinstance(constraint, sa.UniqueConstraint) and constraint.columns.keys()[0] == column:
            return True
    return any(c.name == column and c.unique for c in table.columns)


def test_business_tables_and_platform_tables_are_all_classified():
    business = {t.name for t in metadata.sorted_tables} - PLATFORM_TABLES
    assert set(metadata.tables) >= PLATFORM_TABLES
    assert len(business) >= 20
    for name in PLATFORM_TABLES - {"users"}:
        assert "technician_id" not in metadata.tables[name].c, name


@pytest.mark.parametrize(
    "table",
    [t for t in metadata.sorted_tables if t.name not in PLATFORM_TABLES],
    ids=lambda t: t.name,
)
def test_every_business_table_belongs_to_a_technician(table):
    assert "technician_id" in table.c, f"{table.name} has no technician_id"
    column = table.c.technician_id
    assert not column.nullable
    [foreign_key] = column.foreign_keys
    assert foreign_key.target_fullname == "users.id"
    assert foreign_key.ondelete == "CASCADE"
    assert _leads_an_index(table, "technician_id"), f"{table.name}.technician_id is not indexed"


def test_every_business_table_has_the_technician_index_in_the_database(engine):
    inspector = sa.inspect(engine)
    for table in metadata.sorted_tables:
        if table.name in PLATFORM_TABLES:
            continue
        leading = [ix["column_names"][0] for ix in inspector.get_indexes(table.name)]
        leading += [uq["column_names"][0] for uq in inspector.get_unique_constraints(table.name)]
        assert "technician_id" in leading, table.name
        foreign_keys = [
            fk
            for fk in inspector.get_foreign_keys(table.name)
            if fk["constrained_columns"] == ["technician_id"]
        ]
        assert len(foreign_keys) == 1, table.name
        assert foreign_keys[0]["referred_table"] == "users"
        assert (foreign_keys[0]["options"].get("ondelete") or "").upper() == "CASCADE"
        columns = {c["name"]: c for c in inspector.get_columns(table.name)}
        assert columns["technician_id"]["nullable"] is False, table.name
