"""The demo-data command: sizes, tenancy, totals, numbering, idempotency, CLI.

The data is loaded once per backend into a database of this module (the
shared ``engine`` fixture empties its tables after every test).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from piano_emotion import demo, migrations
from piano_emotion.auth.passwords import verify_password
from piano_emotion.db import create_engine_for
from piano_emotion.models import (
    Appointment,
    BusinessInfo,
    Client,
    DocumentCounter,
    InventoryItem,
    Invoice,
    InvoiceLine,
    MaintenanceSettings,
    Piano,
    Quote,
    QuoteLine,
    Reminder,
    Service,
    ServiceRate,
    StockMovement,
    User,
    metadata,
)
from piano_emotion.models.enums import DocumentKind, InvoiceStatus, QuoteStatus
from piano_emotion.settings import reset_settings_cache
from piano_emotion.text import normalise_search_text

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CENT = Decimal("0.01")
MADRID = demo.MADRID


@dataclass
class Loaded:
    engine: sa.Engine
    accounts: list[demo.DemoAccount]
    ids: list[int]
    seconds: float


@pytest.fixture(scope="module", params=["sqlite", "mariadb"])
def loaded(request, tmp_path_factory):
    """A fresh database of each backend with two demo technicians."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    else:
        url = request.getfixturevalue("mariadb_databases").create()
    engine = create_engine_for(url)
    migrations.upgrade(engine)
    started = time.monotonic()
    accounts = demo.load_demo_data(engine, technicians=2, progress=False, include_owner=False)
    seconds = time.monotonic() - started
    users = User.__table__
    with engine.connect() as conn:
        ids = [
            conn.execute(sa.select(users.c.id).where(users.c.email == a.email)).scalar_one()
            for a in accounts
        ]
    yield Loaded(engine, accounts, ids, seconds)
    engine.dispose()


def count(conn, model, technician_id: int | None = None, *where) -> int:
    table = model.__table__
    query = sa.select(sa.func.count()).select_from(table)
    if technician_id is not None:
        query = query.where(table.c.technician_id == technician_id)
    return conn.execute(query.where(*where)).scalar_one()


def tenant_tables() -> list[sa.Table]:
    return [t for t in metadata.sorted_tables if "technician_id" in t.c]


def test_accounts_are_created_with_the_known_password(loaded):
    assert [a.email for a in loaded.accounts] == [
        "tecnico1@demo.pianoemotion.es",
        "tecnico2@demo.pianoemotion.es",
    ]
    assert all(a.created and a.password == demo.DEFAULT_PASSWORD for a in loaded.accounts)
    assert loaded.accounts[0].name == "Laura Sánchez (demo)"
    users = User.__table__
    with loaded.engine.connect() as conn:
        rows = conn.execute(sa.select(users.c.password_hash, users.c.name)).all()
    assert len(rows) == 2
    assert all(verify_password(h, demo.DEFAULT_PASSWORD) for h, _ in rows)
    # One hash, computed once and reused.
    assert rows[0][0] == rows[1][0]
    assert loaded.seconds < 30, f"loading took {loaded.seconds:.1f} s"


def test_sizes_follow_the_domain(loaded):
    expected = {
        Client: 300,
        Piano: 690,
        Service: 1600,
        Invoice: 330,
        Appointment: 60,
        Reminder: 40,
        Quote: 20,
        BusinessInfo: 1,
        MaintenanceSettings: 1,
    }
    with loaded.engine.connect() as conn:
        for technician_id in loaded.ids:
            for model, size in expected.items():
                assert count(conn, model, technician_id) == size, model.__name__
            assert 14 <= count(conn, ServiceRate, technician_id) <= 18
            items = count(conn, InventoryItem, technician_id)
            assert 35 <= items <= 45
            items_table = InventoryItem.__table__
            low = count(
                conn,
                InventoryItem,
                technician_id,
                items_table.c.quantity <= items_table.c.min_stock,
            )
            assert 1 <= low <= 10
            movements = StockMovement.__table__
            purchases = count(conn, StockMovement, technician_id, movements.c.reason == "purchase")
            assert purchases == items


def test_every_row_belongs_to_a_demo_technician_and_references_its_own_rows(loaded):
    with loaded.engine.connect() as conn:
        for table in tenant_tables():
            strangers = conn.execute(
                sa.select(sa.func.count())
                .select_from(table)
                .where(table.c.technician_id.not_in(loaded.ids))
            ).scalar_one()
            assert strangers == 0, table.name
            # A row never points at another technician's row.
            for fk in table.foreign_keys:
                parent = fk.column.table
                if "technician_id" not in parent.c:
                    continue
                crossed = conn.execute(
                    sa.select(sa.func.count())
                    .select_from(table.join(parent, fk.parent == fk.column))
                    .where(table.c.technician_id != parent.c.technician_id)
                ).scalar_one()
                assert crossed == 0, f"{table.name}.{fk.parent.name}"


def test_two_technicians_get_disjoint_data(loaded):
    clients = Client.__table__
    first, second = loaded.ids
    assert first != second
    with loaded.engine.connect() as conn:
        emails = [
            set(
                conn.execute(
                    sa.select(clients.c.email).where(
                        clients.c.technician_id == tid, clients.c.email != ""
                    )
                ).scalars()
            )
            for tid in loaded.ids
        ]
        cities = [
            set(
                conn.execute(
                    sa.select(clients.c.city).where(clients.c.technician_id == tid)
                ).scalars()
            )
            for tid in loaded.ids
        ]
    # Different seeds and different home areas (Madrid, Barcelona).
    assert len(emails[0] & emails[1]) < 20
    assert "Madrid" in cities[0] and "Barcelona" in cities[1]
    assert not cities[0] & cities[1]


def recompute(line) -> tuple[Decimal, Decimal, Decimal]:
    net = (line.quantity * line.unit_price * (1 - line.discount_pct / 100)).quantize(
        CENT, ROUND_HALF_UP
    )
    tax = (net * line.tax_rate / 100).quantize(CENT, ROUND_HALF_UP)
    return net, tax, net + tax


@pytest.mark.parametrize(
    ("document", "line", "key"),
    [(Invoice, InvoiceLine, "invoice_id"), (Quote, QuoteLine, "quote_id")],
)
def test_document_totals_are_the_sum_of_lines_rounded_per_line(loaded, document, line, key):
    lines_table = line.__table__
    docs_table = document.__table__
    with loaded.engine.connect() as conn:
        lines = conn.execute(sa.select(lines_table)).all()
        docs = conn.execute(sa.select(docs_table)).all()
    by_doc = defaultdict(list)
    for row in lines:
        by_doc[getattr(row, key)].append(row)
        assert isinstance(row.net_amount, Decimal)
        assert (row.net_amount, row.tax_amount, row.total_amount) == recompute(row)
    assert len(lines) > len(docs)
    for doc in docs:
        own = by_doc[doc.id]
        assert own, f"{document.__name__} {doc.id} has no lines"
        assert sorted(r.position for r in own) == list(range(1, len(own) + 1))
        assert doc.subtotal == sum(r.net_amount for r in own)
        assert doc.tax_total == sum(r.tax_amount for r in own)
        assert doc.total == sum(r.total_amount for r in own)
        assert doc.total == doc.subtotal + doc.tax_total


def test_some_lines_exercise_discounts_and_fractional_quantities(loaded):
    lines = InvoiceLine.__table__
    with loaded.engine.connect() as conn:
        discounted = count(conn, InvoiceLine, None, lines.c.discount_pct > 0)
        travel = count(conn, InvoiceLine, None, lines.c.kind == "travel")
    assert discounted > 20
    assert travel > 20


@pytest.mark.parametrize(
    ("model", "kind", "prefix", "draft"),
    [
        (Invoice, DocumentKind.INVOICE, "F", InvoiceStatus.DRAFT),
        (Quote, DocumentKind.QUOTE, "P", QuoteStatus.DRAFT),
    ],
)
def test_numbers_are_gap_free_per_year_with_the_counter_at_the_last(
    loaded, model, kind, prefix, draft
):
    table = model.__table__
    counters = DocumentCounter.__table__
    date_column = table.c.issue_date if model is Invoice else table.c.quote_date
    with loaded.engine.connect() as conn:
        for technician_id in loaded.ids:
            rows = conn.execute(
                sa.select(table.c.number, table.c.status, date_column).where(
                    table.c.technician_id == technician_id
                )
            ).all()
            counter = dict(
                conn.execute(
                    sa.select(counters.c.year, counters.c.last_number).where(
                        counters.c.technician_id == technician_id, counters.c.kind == kind
                    )
                ).all()
            )
            drafts = [r for r in rows if r.status == draft]
            assert drafts and all(r.number is None for r in drafts)
            numbered = [r for r in rows if r.status != draft]
            assert all(r.number for r in numbered)
            per_year = defaultdict(list)
            for number, _, day in numbered:
                head, year, serial = number.split("-")
                assert head == prefix and int(year) == day.year and len(serial) == 4
                per_year[day.year].append((int(serial), day))
            assert set(per_year) == set(counter)
            for year, found in per_year.items():
                serials = sorted(s for s, _ in found)
                assert serials == list(range(1, len(found) + 1)), (prefix, year)
                assert counter[year] == len(found)
                # Numbers follow the dates.
                days = [d for _, d in sorted(found)]
                assert days == sorted(days)


def test_invoice_statuses_and_snapshots(loaded):
    invoices = Invoice.__table__
    with loaded.engine.connect() as conn:
        rows = conn.execute(
            sa.select(invoices).where(invoices.c.technician_id == loaded.ids[0])
        ).all()
        business = conn.execute(
            sa.select(BusinessInfo.__table__).where(
                BusinessInfo.__table__.c.technician_id == loaded.ids[0]
            )
        ).one()
    today = datetime.now(MADRID).date()
    by_status = defaultdict(list)
    for row in rows:
        by_status[row.status].append(row)
        assert row.client_name and row.client_address
        assert row.issuer_name == business.business_name
        assert row.issuer_tax_id == business.tax_id and row.issuer_iban == business.iban
        assert row.due_date == row.issue_date + timedelta(days=30)
    paid = by_status[InvoiceStatus.PAID]
    assert len(paid) > 0.8 * len(rows)
    assert all(r.paid_date and r.issue_date <= r.paid_date <= today for r in paid)
    assert all(r.payment_method for r in paid)
    overdue = [r for r in by_status[InvoiceStatus.SENT] if r.due_date < today]
    assert 0 < len(overdue) < len(by_status[InvoiceStatus.SENT])
    assert by_status[InvoiceStatus.DRAFT] and by_status[InvoiceStatus.CANCELLED]
    assert all(r.cancelled_at for r in by_status[InvoiceStatus.CANCELLED])


def test_converted_quotes_point_at_their_invoice_and_back(loaded):
    quotes, invoices = Quote.__table__, Invoice.__table__
    with loaded.engine.connect() as conn:
        converted = conn.execute(
            sa.select(quotes.c.id, quotes.c.converted_invoice_id, quotes.c.quote_date).where(
                quotes.c.status == QuoteStatus.CONVERTED
            )
        ).all()
        links = dict(
            conn.execute(
                sa.select(invoices.c.quote_id, invoices.c.id).where(
                    invoices.c.quote_id.is_not(None)
                )
            ).all()
        )
        dates = dict(conn.execute(sa.select(invoices.c.id, invoices.c.issue_date)).all())
    assert converted
    for quote_id, invoice_id, quote_date in converted:
        assert links[quote_id] == invoice_id
        assert quote_date <= dates[invoice_id]
    assert len(links) == len(converted)


def test_no_timestamp_is_in_the_future_or_before_creation(loaded):
    now = datetime.now(UTC)
    with loaded.engine.connect() as conn:
        for table in tenant_tables():
            first_update = conn.execute(
                sa.select(sa.func.count())
                .select_from(table)
                .where(table.c.updated_at < table.c.created_at)
            ).scalar_one()
            assert first_update == 0, table.name
            latest = conn.execute(sa.select(sa.func.max(table.c.updated_at))).scalar()
            assert latest is None or latest <= now, table.name


def test_business_info_has_valid_fiscal_data(loaded):
    table = BusinessInfo.__table__
    with loaded.engine.connect() as conn:
        rows = conn.execute(sa.select(table.c.tax_id, table.c.iban)).all()
    for tax_id, iban in rows:
        number, letter = int(tax_id[:8]), tax_id[8]
        assert letter == "TRWAGMYFPDXBNJZSQVHLCKE"[number % 23]
        assert iban.startswith("ES") and len(iban) == 24
        digits = "".join(str(int(c, 36)) for c in iban[4:] + iban[:4])
        assert int(digits) % 97 == 1


def test_search_text_is_lower_case_and_accent_free(loaded):
    clients, pianos = Client.__table__, Piano.__table__
    with loaded.engine.connect() as conn:
        client_rows = conn.execute(sa.select(clients)).all()
        names = {row.id: row.name for row in client_rows}
        piano_rows = conn.execute(sa.select(pianos)).all()
        garcia = (
            conn.execute(sa.select(clients.c.name).where(clients.c.search_text.contains("garcia")))
            .scalars()
            .all()
        )
    for row in client_rows:
        assert row.search_text == normalise_search_text(row.name, row.email, row.phone, row.city)
        assert row.search_text.isascii() and row.search_text == row.search_text.lower()
    for row in piano_rows:
        expected = normalise_search_text(
            row.brand, row.model, row.serial_number, names[row.client_id]
        )
        assert row.search_text == expected
    assert garcia and any("García" in name for name in garcia)
    assert any(any(ch in name for ch in "áéíóúñ") for name in names.values())


def test_records_look_spanish_and_consistent(loaded):
    clients, pianos = Client.__table__, Piano.__table__
    with loaded.engine.connect() as conn:
        client_rows = conn.execute(sa.select(clients)).all()
        piano_rows = conn.execute(sa.select(pianos)).all()
        appointments = conn.execute(sa.select(Appointment.__table__)).all()
    for row in client_rows:
        assert len(row.phone) == 9 and row.phone.isdigit() and row.phone[0] in "69"
        assert len(row.postal_code) == 5 and row.postal_code.isdigit()
        assert row.created_at.tzinfo is not None
    kinds = defaultdict(int)
    for row in client_rows:
        kinds[row.client_type] += 1
    assert kinds["particular"] > len(client_rows) / 2
    # Created over the three years, so the monthly charts have data.
    months = {(r.created_at.year, r.created_at.month) for r in client_rows}
    assert len(months) >= 30
    assert max(r.created_at for r in client_rows) <= datetime.now(UTC)
    sizes = {
        "spinet": (0, 99), "console": (100, 110), "studio": (110, 120),
        "upright_professional": (120, 999), "baby_grand": (0, 149),
        "medium_grand": (150, 180), "parlor_grand": (180, 210),
        "semi_concert": (211, 999), "concert_grand": (211, 999),
    }  # fmt: skip
    brands = {row.brand for row in piano_rows}
    assert {"Yamaha", "Kawai", "Steinway & Sons", "Bösendorfer", "Roland"} <= brands
    for row in piano_rows:
        if row.category == "digital":
            assert row.size_cm is None
        else:
            low, high = sizes[row.piano_type]
            assert low <= row.size_cm <= high, (row.brand, row.model)
        assert row.service_interval_months in (None, 0, 3, 6, 12)
    assert any(row.condition == "needs_repair" for row in piano_rows)
    now = datetime.now(UTC)
    upcoming = [a for a in appointments if a.starts_at > now]
    assert upcoming and len(upcoming) < len(appointments)
    for a in appointments:
        local = a.starts_at.astimezone(MADRID)
        assert a.starts_at.tzinfo is not None
        assert local.hour >= 9 and local + timedelta(minutes=a.duration_minutes) <= local.replace(
            hour=19, minute=0
        )


def test_running_again_creates_nothing(loaded):
    def snapshot():
        with loaded.engine.connect() as conn:
            return {
                table.name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                for table in metadata.sorted_tables
            }

    before = snapshot()
    again = demo.load_demo_data(loaded.engine, technicians=2, progress=False, include_owner=False)
    assert [a.created for a in again] == [False, False]
    assert [a.email for a in again] == [a.email for a in loaded.accounts]
    assert snapshot() == before


def test_the_plan_is_deterministic_given_the_seed():
    now = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)

    def build(seed: int):
        plan = demo._Generator(1, seed, now).build()
        for invoice in plan["invoices"]:
            invoice.pop("payment_token")  # a secret: never derived from the seed
        return plan.tables

    assert build(7) == build(7)
    assert build(7)["clients"] != build(8)["clients"]


def test_line_amounts_round_half_up_per_line():
    assert demo.line_amounts(Decimal("3"), Decimal("8.35"), Decimal("7.5"), Decimal("21")) == (
        Decimal("23.17"),
        Decimal("4.87"),
        Decimal("28.04"),
    )
    # 0.125 rounds up, not to even.
    assert demo.line_amounts(Decimal("1"), Decimal("0.125"), Decimal("0"), Decimal("0"))[0] == (
        Decimal("0.13")
    )


def test_owner_account_and_an_existing_account_without_data(monkeypatch, empty_database_url):
    engine = create_engine_for(empty_database_url)
    try:
        migrations.upgrade(engine)
        users = User.__table__
        with engine.begin() as conn:  # a demo account that exists but has no data
            conn.execute(
                users.insert(),
                [
                    {
                        "email": "tecnico1@demo.pianoemotion.es",
                        "name": "Ya existía",
                        "password_hash": "keep-me",
                        "created_at": datetime.now(UTC),
                        "updated_at": datetime.now(UTC),
                    }
                ],
            )
        monkeypatch.setenv("OWNER_OPEN_ID", " Owner@Example.com ")
        monkeypatch.setenv("OWNER_NAME", "Dueña de la plataforma")
        reset_settings_cache()
        try:
            accounts = demo.load_demo_data(
                engine, technicians=1, progress=False, password="Otra-Clave-1"
            )
            again = demo.load_demo_data(engine, technicians=1, progress=False)
        finally:
            monkeypatch.undo()
            reset_settings_cache()
        assert [(a.email, a.created) for a in accounts] == [
            ("tecnico1@demo.pianoemotion.es", True),
            ("owner@example.com", True),
        ]
        assert [a.created for a in again] == [False, False]
        with engine.connect() as conn:
            rows = {
                r.email: r
                for r in conn.execute(
                    sa.select(users.c.id, users.c.email, users.c.name, users.c.password_hash)
                )
            }
            assert rows["tecnico1@demo.pianoemotion.es"].password_hash == "keep-me"
            owner = rows["owner@example.com"]
            assert owner.name == "Dueña de la plataforma"
            assert verify_password(owner.password_hash, "Otra-Clave-1")
            assert count(conn, Client, owner.id) == 0
            assert count(conn, Client, rows["tecnico1@demo.pianoemotion.es"].id) == 300
    finally:
        engine.dispose()


def test_command_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "OWNER_OPEN_ID", "OWNER_NAME"}
    }
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    command = [sys.executable, "-m", "piano_emotion.demo", "--database-url", url]

    first = subprocess.run(
        [*command, "--quiet"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert first.returncode == 0, first.stderr
    assert "tecnico1@demo.pianoemotion.es" in first.stdout
    assert demo.DEFAULT_PASSWORD in first.stdout
    assert "created" in first.stdout
    assert first.stderr == ""

    second = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert second.returncode == 0, second.stderr
    assert "already present" in second.stdout

    bad = subprocess.run(
        [sys.executable, "-m", "piano_emotion.demo", "--database-url", "postgres://x/y"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and "DATABASE_URL" in bad.stderr
