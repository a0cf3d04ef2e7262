"""The dashboard, the alert feed and the prefetch (SQLite and MariaDB).

The month under test is March 2024, seen on 20 March 2024: Spain changes to
summer time on 31 March 2024, so 22:30 UTC that day is already 1 April in
Madrid, and 23:30 UTC on 29 February is already 1 March.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session

from piano_emotion.cache import build_cache, cache_key, use_cache
from piano_emotion.db import session_scope
from piano_emotion.domain import activity, alerts, clients, dashboard, refresh
from piano_emotion.domain.cached import invalidate_on_commit
from piano_emotion.domain.clients import ClientInput
from piano_emotion.domain.errors import ValidationFailed
from piano_emotion.models import (
    Appointment,
    Client,
    InventoryItem,
    Invoice,
    Piano,
    Service,
)
from piano_emotion.models.enums import (
    AppointmentStatus,
    InvoiceStatus,
    ServiceStatus,
    ServiceType,
)
from piano_emotion.models.types import utcnow
from tests.conftest import REDIS_TEST_URL, redis_available, require_service

TODAY = date(2024, 3, 20)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


class Builder:
    """Adds rows for one technician, by hand, the way the domain would."""

    def __init__(self, session: Session, user) -> None:
        self.session = session
        self.user = user
        self.invoice_no = 0

    def add(self, row, *collections: str):
        self.session.add(row)
        self.session.flush()
        if collections:
            invalidate_on_commit(self.session, self.user, *collections)
        # What the alert rule reads, written: as the domain, ask for a sync.
        if isinstance(row, Piano):
            alerts.request_alert_sync(self.session, self.user, [row.id])
        elif isinstance(row, Service) and row.status == ServiceStatus.COMPLETED:
            alerts.request_alert_sync(self.session, self.user, [row.piano_id])
        return row

    def client(self, name: str, created: datetime) -> Client:
        return self.add(
            Client(technician_id=self.user.id, name=name, created_at=created, updated_at=created),
            "clients",
        )

    def piano(self, client: Client, created: datetime, **kw) -> Piano:
        kw.setdefault("brand", "Yamaha")
        return self.add(
            Piano(
                technician_id=self.user.id,
                client_id=client.id,
                created_at=created,
                updated_at=created,
                **kw,
            ),
            "pianos",
        )

    def service(self, piano: Piano, on: date, status=ServiceStatus.COMPLETED, kind=None):
        return self.add(
            Service(
                technician_id=self.user.id,
                piano_id=piano.id,
                client_id=piano.client_id,
                service_type=kind or ServiceType.INSPECTION,
                status=status,
                service_date=on,
                cost=Decimal("50.00"),
            ),
            "services",
        )

    def invoice(self, client: Client, status, total: str, paid=None, due=None) -> Invoice:
        self.invoice_no += 1
        return self.add(
            Invoice(
                technician_id=self.user.id,
                client_id=client.id,
                number=f"F-2024-{self.invoice_no:04d}",
                issue_date=date(2024, 2, 1),
                due_date=due,
                status=status,
                paid_date=paid,
                total=Decimal(total),
                client_name=client.name,
            ),
            "invoices",
        )

    def appointment(
        self,
        client: Client,
        starts: datetime,
        status=AppointmentStatus.SCHEDULED,
        piano=None,
        title="Afinación",
    ) -> Appointment:
        return self.add(
            Appointment(
                technician_id=self.user.id,
                client_id=client.id,
                piano_id=piano.id if piano else None,
                title=title,
                starts_at=starts,
                status=status,
            ),
            "appointments",
        )

    def item(self, name: str, quantity: str, minimum: str, archived=False) -> InventoryItem:
        return self.add(
            InventoryItem(
                technician_id=self.user.id,
                name=name,
                quantity=Decimal(quantity),
                min_stock=Decimal(minimum),
                archived=archived,
            ),
            "inventory",
        )


@pytest.fixture
def march(session, technician):
    """The hand-built data set of March 2024 (expected figures in the tests)."""
    b = Builder(session, technician)
    ana = b.client("Ana Pérez", utc(2023, 1, 10, 12))
    ids = {"ana": ana.id}
    # Clients: three of March in Madrid time.
    b.client("Primero de marzo", utc(2024, 2, 29, 23, 30))  # 00:30 on 1 March in Madrid
    b.client("Mitad de marzo", utc(2024, 3, 15, 10))
    b.client("Último de marzo", utc(2024, 3, 31, 21, 30))  # 23:30 CEST
    b.client("Aún febrero", utc(2024, 2, 29, 22, 30))  # 23:30 CET on 29 February
    b.client("Ya abril", utc(2024, 3, 31, 22, 30))  # 00:30 CEST on 1 April
    # Pianos: two of March.
    b.piano(ana, utc(2024, 2, 29, 23, 30), model="marzo-1")
    b.piano(ana, utc(2024, 3, 10, 9), model="marzo-2")
    b.piano(ana, utc(2024, 2, 10, 9), model="febrero")
    # Maintenance: never tuned since 1 June 2023 (293 days: urgent), and tuned
    # on 1 September 2023 (201 days: pending).
    urgent = b.piano(ana, utc(2023, 6, 1, 10), brand="Steinway", model="K-132")
    pending = b.piano(ana, utc(2023, 1, 10, 10), brand="Kawai", model="K-300")
    b.service(pending, date(2023, 9, 1), kind=ServiceType.TUNING)
    ids.update(urgent=urgent.id, pending=pending.id)
    # Services: three completed in March; the series gets Oct 1, Dec 2, Feb 1.
    for day in (date(2024, 3, 1), date(2024, 3, 15), date(2024, 3, 31)):
        b.service(pending, day)
    b.service(pending, date(2024, 3, 18), ServiceStatus.PENDING)
    b.service(pending, date(2024, 3, 10), ServiceStatus.CANCELLED)
    b.service(pending, date(2024, 2, 29))
    b.service(pending, date(2024, 4, 1))
    b.service(pending, date(2023, 10, 5))
    b.service(pending, date(2023, 9, 30))
    b.service(pending, date(2023, 12, 24))
    b.service(pending, date(2023, 12, 24), kind=ServiceType.MAINTENANCE_BASIC)
    # Invoices: 121.00 + 60.50 paid in March; 50.00 in February; 33.33 in November.
    b.invoice(ana, InvoiceStatus.PAID, "121.00", paid=date(2024, 3, 5))
    b.invoice(ana, InvoiceStatus.PAID, "60.50", paid=date(2024, 3, 31))
    b.invoice(ana, InvoiceStatus.PAID, "100.00", paid=date(2024, 4, 1))
    b.invoice(ana, InvoiceStatus.PAID, "50.00", paid=date(2024, 2, 29))
    b.invoice(ana, InvoiceStatus.PAID, "33.33", paid=date(2023, 11, 15))
    b.invoice(ana, InvoiceStatus.CANCELLED, "500.00", paid=date(2024, 3, 10))
    b.invoice(ana, InvoiceStatus.DRAFT, "70.00")
    ids["overdue"] = b.invoice(ana, InvoiceStatus.SENT, "999.00", due=date(2024, 3, 10)).id
    ids["due_soon"] = b.invoice(ana, InvoiceStatus.SENT, "45.00", due=date(2024, 3, 22)).id
    b.invoice(ana, InvoiceStatus.SENT, "80.00", due=date(2024, 3, 25))
    # Appointments around 20 March (all in the past for "upcoming").
    ids["today"] = b.appointment(ana, utc(2024, 3, 20, 9), title="Hoy").id
    ids["tomorrow"] = b.appointment(
        ana, utc(2024, 3, 21, 8), AppointmentStatus.CONFIRMED, title="Mañana"
    ).id
    b.appointment(ana, utc(2024, 3, 21, 11), AppointmentStatus.CANCELLED)
    b.appointment(ana, utc(2024, 3, 20, 15), AppointmentStatus.COMPLETED)
    b.appointment(ana, utc(2024, 3, 19, 9))
    ids["soon"] = b.appointment(ana, utc(2024, 3, 25, 16), title="Lunes").id
    ids["last_day"] = b.appointment(ana, utc(2024, 3, 27, 22, 30), title="Tarde").id
    b.appointment(ana, utc(2024, 3, 27, 23, 30))  # 00:30 on 28 March: 8 days away
    # Stock.
    ids["fieltro"] = b.item("Fieltro", "1", "2").id
    ids["cuerda"] = b.item("Cuerda", "2", "2").id
    b.item("Clavija", "5", "2")
    b.item("Martillo", "0", "1", archived=True)
    session.commit()
    return ids


EXPECTED_FEED = [
    ("urgent", "maintenance", "feed.maintenance.tuning.urgent", "2023-11-28"),
    ("urgent", "invoice_overdue", "feed.invoice.overdue", "2024-03-10"),
    ("urgent", "appointment", "feed.appointment.today", "2024-03-20T09:00:00+00:00"),
    ("urgent", "appointment", "feed.appointment.tomorrow", "2024-03-21T08:00:00+00:00"),
    ("warning", "maintenance", "feed.maintenance.tuning.pending", "2024-02-28"),
    ("warning", "low_stock", "feed.inventory.low_stock", "2024-03-20~cuerda"),
    ("warning", "low_stock", "feed.inventory.low_stock", "2024-03-20~fieltro"),
    ("warning", "invoice_due_soon", "feed.invoice.due_soon", "2024-03-22"),
    ("warning", "appointment", "feed.appointment.soon", "2024-03-25T16:00:00+00:00"),
    ("warning", "appointment", "feed.appointment.soon", "2024-03-27T22:30:00+00:00"),
]


def test_month_figures_match_hand_computed_values(session, technician, march):
    board = dashboard.dashboard(session, technician, 2024, 3, TODAY)
    assert (board["year"], board["month"]) == (2024, 3)
    assert board["services_done"] == 3
    assert board["revenue"] == Decimal("181.50")
    assert isinstance(board["revenue"], Decimal)
    assert board["new_clients"] == 3
    assert board["new_pianos"] == 2
    assert board["upcoming_appointments"] == []  # all of them are in the past
    assert [(p["year"], p["month"], p["services"], p["revenue"]) for p in board["series"]] == [
        (2023, 10, 1, Decimal("0.00")),
        (2023, 11, 0, Decimal("33.33")),
        (2023, 12, 2, Decimal("0.00")),
        (2024, 1, 0, Decimal("0.00")),
        (2024, 2, 1, Decimal("50.00")),
        (2024, 3, 3, Decimal("181.50")),
    ]
    february = dashboard.dashboard(session, technician, 2024, 2, TODAY)
    assert (february["services_done"], february["revenue"]) == (1, Decimal("50.00"))
    assert (february["new_clients"], february["new_pianos"]) == (1, 1)
    april = dashboard.dashboard(session, technician, 2024, 4, TODAY)
    assert (april["services_done"], april["revenue"], april["new_clients"]) == (
        1,
        Decimal("100.00"),
        1,
    )
    # The series crosses a year boundary.
    january = dashboard.dashboard(session, technician, 2024, 1, TODAY)
    assert [(p["year"], p["month"]) for p in january["series"]] == [
        (2023, 8),
        (2023, 9),
        (2023, 10),
        (2023, 11),
        (2023, 12),
        (2024, 1),
    ]
    assert [p["services"] for p in january["series"]] == [0, 2, 1, 0, 2, 0]


def test_feed_items_and_their_order(session, technician, march):
    feed = dashboard.alert_feed(session, technician, TODAY)
    assert [(i["severity"], i["kind"], i["title_key"], i["sort_key"]) for i in feed] == (
        EXPECTED_FEED
    )
    board = dashboard.dashboard(session, technician, 2024, 3, TODAY)
    assert board["alerts"] == feed

    urgent_tuning, overdue, today, tomorrow, pending_tuning, cuerda = feed[:6]
    assert urgent_tuning["link"] == f"/pianos/{march['urgent']}"
    assert urgent_tuning["params"] == {
        "piano": "Steinway K-132",
        "client": "Ana Pérez",
        "days": 293,
        "days_overdue": 113,
        "acknowledged": False,
    }
    assert pending_tuning["params"]["days"] == 201
    assert pending_tuning["link"] == f"/pianos/{march['pending']}"
    assert overdue["link"] == f"/facturas/{march['overdue']}"
    assert overdue["params"] == {
        "number": "F-2024-0008",
        "client": "Ana Pérez",
        "total": Decimal("999.00"),
        "due_date": date(2024, 3, 10),
        "days": 10,
    }
    assert (
        feed[7]["params"]["days"] == 2 and feed[7]["key"] == f"invoice_due_soon:{march['due_soon']}"
    )
    assert today["params"]["title"] == "Hoy" and today["params"]["days"] == 0
    assert today["key"] == f"appointment:{march['today']}"
    assert tomorrow["params"]["title"] == "Mañana" and tomorrow["params"]["days"] == 1
    assert today["link"] == f"/clientes/{march['ana']}"
    assert [i["params"]["days"] for i in feed[8:]] == [5, 7]
    assert cuerda["params"] == {
        "name": "Cuerda",
        "quantity": Decimal("2.000"),
        "min_stock": Decimal("2.000"),
        "unit": "ud",
    }
    assert cuerda["link"] == "/inventario"
    assert {i["provider"] for i in feed} == {"maintenance", "invoices", "appointments", "low_stock"}


def test_acknowledged_and_dismissed_alerts_in_the_feed(session, technician, march):
    listed = alerts.list_alerts(session, technician, today=TODAY)
    urgent = next(a for a in listed if a["piano_id"] == march["urgent"])
    pending = next(a for a in listed if a["piano_id"] == march["pending"])
    alerts.acknowledge_alert(session, technician, urgent["id"])
    alerts.dismiss_alert(session, technician, pending["id"])
    session.commit()
    feed = dashboard.alert_feed(session, technician, TODAY)
    maintenance = [i for i in feed if i["kind"] == "maintenance"]
    assert [(i["severity"], i["params"]["acknowledged"]) for i in maintenance] == [("urgent", True)]


def test_a_provider_registered_later_appears_in_the_feed(session, technician, march):
    calls = []
    before = dashboard.alert_feed(session, technician, TODAY)
    assert all(i["kind"] != "reminder_due" for i in before)

    @dashboard.feed_provider("test_reminders", depends_on=("reminders",))
    def reminders_feed(session, user, today):
        calls.append(today)
        return [
            dashboard.feed_item(
                "reminder_due",
                "info",
                "feed.reminder.due",
                {"n": 2},
                "/recordatorios",
                "2024-03-01",
                ref=1,
            ),
            dashboard.feed_item(
                "reminder_overdue",
                "urgent",
                "feed.reminder.overdue",
                {"n": 1},
                "/recordatorios",
                "2000-01-01",
                ref=2,
            ),
        ]

    try:
        feed = dashboard.alert_feed(session, technician, TODAY)
        assert feed[0]["kind"] == "reminder_overdue"  # urgent, and the oldest
        assert feed[-1]["kind"] == "reminder_due"  # info comes last
        assert feed[-1]["provider"] == "test_reminders"
        assert len(feed) == len(EXPECTED_FEED) + 2
        board = dashboard.dashboard(session, technician, 2024, 3, TODAY)
        assert board["alerts"] == feed
        assert len(calls) == 1  # the dashboard reused the cached feed
        # A write to what the provider shows refreshes the feed.
        invalidate_on_commit(session, technician, "reminders")
        session.commit()
        dashboard.alert_feed(session, technician, TODAY)
        assert len(calls) == 2
    finally:
        dashboard.unregister_feed_provider("test_reminders")
    assert "test_reminders" not in dashboard.FEED_PROVIDERS
    assert dashboard.alert_feed(session, technician, TODAY) == before


def test_a_service_reloads_the_maintenance_items_not_the_other_providers(
    session, technician, march, monkeypatch
):
    dashboard.dashboard(session, technician, 2024, 3, TODAY)
    calls = []
    for name in ("invoices", "appointments", "low_stock"):
        provider = dashboard.FEED_PROVIDERS[name]
        monkeypatch.setitem(
            dashboard.FEED_PROVIDERS,
            name,
            dashboard.FeedProvider(
                name,
                lambda *args, _fn=provider.fn, _name=name: calls.append(_name) or _fn(*args),
                provider.depends_on,
            ),
        )
    before = dashboard.dashboard(session, technician, 2024, 3, TODAY)
    Builder(session, technician).service(session.get(Piano, march["urgent"]), TODAY)
    session.commit()
    board = dashboard.dashboard(session, technician, 2024, 3, TODAY)
    assert board["services_done"] == before["services_done"] + 1  # recomputed
    assert calls == []  # but those providers' items were still cached
    assert board["alerts"] == before["alerts"]
    # A write to what one of them shows reloads that one.
    invalidate_on_commit(session, technician, "invoices")
    session.commit()
    dashboard.dashboard(session, technician, 2024, 3, TODAY)
    assert calls == ["invoices"]


def test_providers_validate_what_they_declare():
    with pytest.raises(ValueError):
        dashboard.feed_provider("bad", depends_on=("nonsense",))
    with pytest.raises(ValueError):
        dashboard.feed_item("x", "critical", "feed.x", {}, "/", "")


@pytest.mark.parametrize(
    ("year", "month", "field"),
    [(2024, 13, "month"), (2024, 0, "month"), (1999, 5, "year"), ("x", 5, "year")],
)
def test_a_month_that_does_not_exist_is_refused(session, technician, year, month, field):
    with pytest.raises(ValidationFailed) as refused:
        dashboard.dashboard(session, technician, year, month)
    assert field in refused.value.fields


def test_upcoming_appointments_are_the_next_ten_from_now(session, technician):
    b = Builder(session, technician)
    ana = b.client("Ana Pérez", utcnow())
    piano = b.piano(ana, utcnow(), model="U3")
    now = utcnow()
    b.appointment(ana, now - timedelta(hours=1), title="Pasada")
    first = b.appointment(ana, now + timedelta(hours=1), piano=piano, title="Primera")
    second = b.appointment(
        ana, now + timedelta(days=1), AppointmentStatus.CONFIRMED, title="Segunda"
    )
    b.appointment(ana, now + timedelta(days=2), AppointmentStatus.CANCELLED, title="Anulada")
    b.appointment(ana, now + timedelta(days=3), AppointmentStatus.COMPLETED, title="Hecha")
    later = [b.appointment(ana, now + timedelta(days=10 + i), title=f"Cita {i}") for i in range(11)]
    session.commit()
    today = alerts.local_today()
    upcoming = dashboard.dashboard(session, technician, today.year, today.month)[
        "upcoming_appointments"
    ]
    assert [a["id"] for a in upcoming] == [first.id, second.id] + [a.id for a in later[:8]]
    assert upcoming[0] == {
        "id": first.id,
        "title": "Primera",
        "starts_at": first.starts_at,
        "duration_minutes": 60,
        "status": "scheduled",
        "client_id": ana.id,
        "client_name": "Ana Pérez",
        "piano_id": piano.id,
        "piano": "Yamaha U3",
    }
    assert upcoming[1]["piano"] == "" and upcoming[1]["status"] == "confirmed"


def test_every_kind_of_write_shows_on_the_next_read(session, technician):
    today = alerts.local_today()

    def board():
        return dashboard.dashboard(session, technician, today.year, today.month)

    def feed_kinds():
        return [i["kind"] for i in board()["alerts"]]

    start = board()
    assert (start["new_clients"], start["new_pianos"], start["services_done"]) == (0, 0, 0)
    assert start["revenue"] == Decimal("0") and start["alerts"] == []

    # A write that forgets to invalidate is not seen: the dashboard is cached.
    session.add(Client(technician_id=technician.id, name="Sin invalidar"))
    session.commit()
    assert board()["new_clients"] == 0
    # Through the domain, the write invalidates on commit.
    client = clients.create_client(session, technician, ClientInput(name="María García"))
    session.commit()
    assert board()["new_clients"] == 2

    b = Builder(session, technician)
    piano = b.piano(session.get(Client, client.id), utcnow(), model="U1")
    session.commit()
    assert board()["new_pianos"] == 1

    b.service(piano, today)
    session.commit()
    after_service = board()
    assert after_service["services_done"] == 1 and after_service["series"][-1]["services"] == 1

    b.invoice(client, InvoiceStatus.PAID, "90.00", paid=today)
    session.commit()
    assert board()["revenue"] == Decimal("90.00")

    b.item("Fieltro", "0", "1")
    session.commit()
    assert feed_kinds() == ["low_stock"]

    appointment = b.appointment(client, utcnow() + timedelta(hours=2))
    session.commit()
    assert [a["id"] for a in board()["upcoming_appointments"]] == [appointment.id]
    assert "appointment" in feed_kinds()

    old = b.piano(client, utcnow() - timedelta(days=300), brand="Pleyel")
    session.commit()
    maintenance = [i for i in board()["alerts"] if i["kind"] == "maintenance"]
    assert [(i["severity"], i["params"]["piano"]) for i in maintenance] == [("urgent", "Pleyel")]

    tuning = b.service(old, today, kind=ServiceType.TUNING)
    alerts.resolve_alerts_for_service(session, technician, tuning)
    session.commit()
    assert "maintenance" not in feed_kinds()
    assert board()["services_done"] == 2


def test_two_workers_on_redis_never_read_a_stale_dashboard(session, technician):
    require_service(redis_available(), "Redis on 127.0.0.1:6379")
    namespace = f"dash-{secrets.token_hex(4)}"
    worker_1 = build_cache(redis_url=REDIS_TEST_URL, namespace=namespace)
    worker_2 = build_cache(redis_url=REDIS_TEST_URL, namespace=namespace)
    today = alerts.local_today()
    try:
        with use_cache(worker_1):
            assert (
                dashboard.dashboard(session, technician, today.year, today.month)["new_clients"]
                == 0
            )
        with use_cache(worker_2):
            clients.create_client(session, technician, ClientInput(name="Nueva"))
            session.commit()
        with use_cache(worker_1):
            board = dashboard.dashboard(session, technician, today.year, today.month)
            assert board["new_clients"] == 1
            assert dashboard.dashboard(session, technician, today.year, today.month) == board
        assert worker_1.stats()["hits"] >= 1
    finally:
        worker_1.invalidate_all()
        worker_1.close()
        worker_2.close()


# -- prefetch --------------------------------------------------------------------------
def _boom(*args, **kwargs):
    raise AssertionError("a loader ran: the prefetch did not warm this entry")


def test_prefetch_warms_what_the_first_clicks_read(session, technician, fresh_cache, monkeypatch):
    b = Builder(session, technician)
    ana = b.client("Ana Pérez", utcnow())
    b.piano(ana, utcnow() - timedelta(days=200))  # the sync has an alert to open
    b.item("Fieltro", "0", "1")
    session.commit()
    engine = session.get_bind()

    # As after sign-in: in a background thread, with the app's session scope.
    outcome = []
    thread = threading.Thread(
        target=lambda: outcome.append(
            dashboard.prefetch_for_user(lambda: session_scope(engine), technician)
        )
    )
    thread.start()
    thread.join(timeout=30)
    assert outcome == [True]

    for name in ("_dashboard", "_alert_feed"):
        monkeypatch.setattr(dashboard, name, _boom)
    monkeypatch.setattr(clients, "_client_directory", _boom)
    monkeypatch.setattr(activity, "_client_activity", _boom)
    monkeypatch.setattr(alerts, "_list_alerts", _boom)
    monkeypatch.setattr(alerts, "_alert_counts", _boom)
    hits = fresh_cache.stats()["hits"]
    today = alerts.local_today()
    board = dashboard.dashboard(session, technician, today.year, today.month)
    page = clients.list_clients(session, technician)
    feed = dashboard.alert_feed(session, technician)
    counts = alerts.alert_counts(session, technician)
    # The clients list reads two entries: the directory and the service dates.
    assert fresh_cache.stats()["hits"] == hits + 5
    assert board["new_clients"] == 1 and page["total"] == 1
    assert [i["kind"] for i in feed] == ["maintenance", "low_stock"]
    assert counts == {"urgent": 0, "pending": 1, "total": 1}


def test_prefetch_warms_the_lists_and_the_visits_of_the_day(
    session, technician, fresh_cache, monkeypatch
):
    from piano_emotion.domain import pianos, services

    b = Builder(session, technician)
    ana = b.client("Ana Pérez", utcnow())
    upright = b.piano(ana, utcnow(), model="U1")
    luis = b.client("Luis Gil", utcnow())
    grand = b.piano(luis, utcnow(), model="C3")
    b.service(upright, alerts.local_today() - timedelta(days=3))
    day = dashboard._local_day_start(alerts.local_today() + timedelta(days=1))
    b.appointment(ana, day + timedelta(hours=9), piano=upright)
    b.appointment(luis, day + timedelta(hours=12), piano=grand)
    session.commit()
    engine = session.get_bind()
    assert dashboard.prefetch_for_user(lambda: session_scope(engine), technician) is True

    for module, name in (
        (pianos, "_piano_directory"),
        (activity, "_piano_activity"),
        (pianos, "_piano_detail"),
        (services, "_list_services"),
        (clients, "_client_detail"),
    ):
        monkeypatch.setattr(module, name, _boom)
    hits = fresh_cache.stats()["hits"]
    assert pianos.list_pianos(session, technician)["total"] == 2
    assert services.list_services(session, technician)["total"] == 1
    assert clients.get_client(session, technician, ana.id)["name"] == "Ana Pérez"
    assert clients.get_client(session, technician, luis.id)["name"] == "Luis Gil"
    assert pianos.get_piano(session, technician, upright.id)["model"] == "U1"
    assert pianos.get_piano(session, technician, grand.id)["model"] == "C3"
    assert fresh_cache.stats()["hits"] == hits + 7  # the pianos list reads two entries


def test_day_agenda_is_today_or_else_the_next_day_with_visits(session, technician):
    b = Builder(session, technician)
    ana, luis, eva = (b.client(name, utcnow()) for name in ("Ana", "Luis", "Eva"))
    piano = b.piano(ana, utcnow())
    today = alerts.local_today()
    in_three_days = dashboard._local_day_start(today + timedelta(days=3))
    b.appointment(luis, in_three_days + timedelta(hours=12))
    b.appointment(ana, in_three_days + timedelta(hours=9), piano=piano)
    b.appointment(eva, in_three_days + timedelta(hours=10), AppointmentStatus.CANCELLED)
    b.appointment(eva, in_three_days + timedelta(days=1, hours=10))
    session.commit()
    assert dashboard.day_agenda(session, technician, today) == [
        (ana.id, piano.id),
        (luis.id, None),
    ]
    b.appointment(eva, dashboard._local_day_start(today) + timedelta(minutes=1))
    session.commit()
    assert dashboard.day_agenda(session, technician, today) == [(eva.id, None)]


def _two_working_days(session, technician, other_technician):
    """A school (three pianos, visited tomorrow for one of them), Ana (one
    piano, visited the day after without a piano named), Eva (visited on a
    third day), a client without visits, and another technician's visit."""
    b = Builder(session, technician)
    school = b.client("Escuela de Música", utcnow())
    school_pianos = [b.piano(school, utcnow(), model=f"S{i}") for i in range(3)]
    ana = b.client("Ana", utcnow())
    ana_piano = b.piano(ana, utcnow(), model="A1")
    eva = b.client("Eva", utcnow())
    eva_piano = b.piano(eva, utcnow(), model="E1")
    nobody = b.client("Sin cita", utcnow())
    b.piano(nobody, utcnow(), model="N1")
    start = dashboard._local_day_start(alerts.local_today())
    b.service(school_pianos[1], alerts.local_today() - timedelta(days=800))
    before_last = b.service(school_pianos[1], alerts.local_today() - timedelta(days=400))
    last = b.service(school_pianos[1], alerts.local_today() - timedelta(days=30))
    b.service(school_pianos[0], alerts.local_today() - timedelta(days=20))
    b.appointment(school, start + timedelta(days=1, hours=9), piano=school_pianos[1])
    b.appointment(ana, start + timedelta(days=2, hours=10))
    b.appointment(ana, start + timedelta(days=2, hours=9), AppointmentStatus.CANCELLED)
    b.appointment(eva, start + timedelta(days=3, hours=10), piano=eva_piano)
    other = Builder(session, other_technician)
    theirs = other.client("Cliente ajeno", utcnow())
    other.appointment(
        theirs, start + timedelta(days=1, hours=9), piano=other.piano(theirs, utcnow())
    )
    session.commit()
    return school, school_pianos, ana, ana_piano, (last, before_last)


def test_working_set_is_the_next_two_working_days_visits_and_their_pianos(
    session, technician, other_technician
):
    school, school_pianos, ana, ana_piano, last = _two_working_days(
        session, technician, other_technician
    )
    today = alerts.local_today()
    found = dashboard.working_set(session, technician, today)
    assert found.visits == ((school.id, school_pianos[1].id), (ana.id, None))
    assert found.clients == (school.id, ana.id)
    # The visit's piano first, then the client's others, then the next client's.
    assert found.pianos == (
        school_pianos[1].id,
        school_pianos[0].id,
        school_pianos[2].id,
        ana_piano.id,
    )
    # The last two of the visit's piano, newest first (not the oldest one).
    assert found.services == (last[0].id, last[1].id)
    capped = dashboard.working_set(session, technician, today, max_pianos=2)
    assert capped.pianos == (school_pianos[1].id, school_pianos[0].id)
    assert dashboard.working_set(session, other_technician, today).clients != found.clients


def test_prefetch_warms_the_working_set_of_that_technician_only(
    session, technician, other_technician, fresh_cache
):
    school, school_pianos, ana, ana_piano, last = _two_working_days(
        session, technician, other_technician
    )
    engine = session.get_bind()
    assert dashboard.prefetch_for_user(lambda: session_scope(engine), technician) is True

    prefix = f"{fresh_cache.namespace}:"
    keys = [key.removeprefix(prefix) for key in fresh_cache.memory._data]
    assert keys and all(key.startswith(f"t{technician.id}:") for key in keys)
    details = {key for key in keys if ":detail:" in key}
    assert details == {
        *(cache_key(technician.id, "clients", "detail", {"id": c}) for c in (school.id, ana.id)),
        *(
            cache_key(technician.id, "pianos", "detail", {"id": p.id})
            for p in (*school_pianos, ana_piano)
        ),
        *(cache_key(technician.id, "services", "detail", {"id": s.id}) for s in last),
    }
    # Loads ahead of any request: counted as refreshes, not as lookups.
    stats = fresh_cache.stats()
    assert stats["hits"] == stats["misses"] == 0
    assert stats["refreshes"] >= len(details) + 5
    # Noted as the technician's reads (kept fresh after their writes), in
    # their registry only; each detail once.
    hot = refresh.hot_entries(fresh_cache, technician.id)
    assert {e.key for e in hot} >= details
    assert all(e.key.startswith(f"t{technician.id}:") for e in hot)
    assert all(e.reads == 1 for e in hot if e.key in details)
    assert refresh.hot_entries(fresh_cache, other_technician.id) == []


def test_the_dashboard_reloads_when_the_appointments_it_held_have_started(
    session, technician, fresh_cache, monkeypatch
):
    b = Builder(session, technician)
    ana = b.client("Ana Pérez", utcnow())
    now = utcnow()
    visits = [b.appointment(ana, now + timedelta(hours=1 + i)) for i in range(25)]
    session.commit()
    today = alerts.local_today()

    def upcoming() -> list[int]:
        board = dashboard.dashboard(session, technician, today.year, today.month, today)
        return [a["id"] for a in board["upcoming_appointments"]]

    assert upcoming() == [v.id for v in visits[:10]]
    # Nine hours later the entry (it holds the first 20) still knows the next ten.
    monkeypatch.setattr(dashboard, "utcnow", lambda: now + timedelta(hours=9, minutes=30))
    misses = fresh_cache.stats()["misses"]
    assert upcoming() == [v.id for v in visits[9:19]]
    assert fresh_cache.stats()["misses"] == misses
    # Fifteen hours later only five of them are still to come: it reloads.
    monkeypatch.setattr(dashboard, "utcnow", lambda: now + timedelta(hours=15, minutes=30))
    assert upcoming() == [v.id for v in visits[15:25]]
    assert fresh_cache.stats()["misses"] == misses + 1


def test_prefetch_logs_its_failure(technician, caplog):
    def broken_factory():
        raise RuntimeError("database unreachable")

    with caplog.at_level(logging.ERROR, logger="piano_emotion.domain.dashboard"):
        assert dashboard.prefetch_for_user(broken_factory, technician) is False
    (record,) = caplog.records
    assert "prefetch failed" in record.getMessage()
    assert record.exc_info and record.exc_info[0] is RuntimeError


def test_prefetches_run_one_at_a_time_in_a_process(session, technician, monkeypatch):
    """A burst of sign-ins queues the prefetches instead of loading them all
    at once beside the requests."""
    engine = session.get_bind()
    running, most = [0], [0]
    lock = threading.Lock()
    real_working_set = dashboard.working_set

    def counting(*args, **kwargs):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            time.sleep(0.05)
            return real_working_set(*args, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(dashboard, "working_set", counting)
    outcomes = []
    threads = [
        threading.Thread(
            target=lambda: outcomes.append(
                dashboard.prefetch_for_user(lambda: session_scope(engine), technician)
            )
        )
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes == [True] * 4
    assert most[0] == dashboard.PREFETCH_AT_ONCE == 1
