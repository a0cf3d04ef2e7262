"""Services in the domain layer, on SQLite and MariaDB."""

from __future__ import annotations

import importlib
import re
import secrets
from collections.abc import Iterator
from contextlib import nullcontext
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from piano_emotion.cache import build_cache, use_cache
from piano_emotion.domain import cached, clients, pianos, services
from piano_emotion.domain.alerts import local_today  # Spain's date, like the app
from piano_emotion.domain.clients import ClientInput, ClientQuery
from piano_emotion.domain.errors import NotFound, ValidationFailed
from piano_emotion.domain.pianos import PianoInput, PianoQuery
from piano_emotion.domain.services import DEFAULT_TASKS, ServiceInput, ServiceQuery
from piano_emotion.models import (
    InventoryItem,
    Invoice,
    MaintenanceAlert,
    Service,
    ServiceMaterial,
    ServiceTask,
    StockMovement,
)
from piano_emotion.models.enums import (
    AlertLevel,
    MaintenanceAlertKind,
    MaintenanceAlertStatus,
    ServiceStatus,
    ServiceType,
    StockMovementReason,
)
from tests.conftest import REDIS_TEST_URL, redis_available, require_service

TODAY = local_today()


def add_client(session, user, name, **extra):
    client = clients.create_client(session, user, ClientInput(name=name, **extra))
    session.commit()
    return client


def add_piano(session, user, client, brand="Yamaha", **extra):
    piano = pianos.create_piano(
        session, user, PianoInput(client_id=client.id, brand=brand, **extra)
    )
    session.commit()
    return piano


def add_service(session, user, piano, days_ago=10, **extra):
    extra.setdefault("service_type", "maintenance_basic")
    service = services.create_service(
        session,
        user,
        ServiceInput(piano_id=piano.id, service_date=TODAY - timedelta(days=days_ago), **extra),
    )
    session.commit()
    return service


@pytest.fixture
def piano(session, technician):
    owner = add_client(session, technician, "Lucía Fernández", phone="611222333")
    return add_piano(
        session, technician, owner, brand="Yamaha", model="U1", serial_number="J-998877"
    )


@pytest.fixture
def resolve_calls(monkeypatch) -> list[tuple[int, str, str]]:
    """Record the calls to alerts.resolve_alerts_for_service (the real one still runs)."""
    alerts = importlib.import_module("piano_emotion.domain.alerts")
    real = alerts.resolve_alerts_for_service
    calls = []

    def recording(session, user, service):
        calls.append((service.id, service.service_type.value, service.status.value))
        return real(session, user, service)

    monkeypatch.setattr(alerts, "resolve_alerts_for_service", recording)
    return calls


def task_labels(session, user, service_id):
    return [
        (t["label"], t["done"]) for t in services.get_service(session, user, service_id)["tasks"]
    ]


# -- default checklists --------------------------------------------------------------
def test_every_type_has_a_default_checklist_of_translation_keys():
    assert set(DEFAULT_TASKS) == set(ServiceType)
    for service_type, keys in DEFAULT_TASKS.items():
        assert keys, service_type
        assert list(keys) == [f"task.{service_type.value}.{n}" for n in range(1, len(keys) + 1)]
        assert all(re.fullmatch(r"task\.[a-z_]+\.\d+", key) for key in keys)


@pytest.mark.parametrize("service_type", list(ServiceType))
def test_a_new_service_gets_its_types_checklist(session, technician, piano, service_type):
    service = add_service(
        session, technician, piano, service_type=service_type.value, status="pending"
    )
    detail = services.get_service(session, technician, service.id)
    assert [t["label"] for t in detail["tasks"]] == list(DEFAULT_TASKS[service_type])
    assert [t["position"] for t in detail["tasks"]] == list(range(len(DEFAULT_TASKS[service_type])))
    assert detail["tasks_done"] == 0 and detail["tasks_total"] == len(DEFAULT_TASKS[service_type])


def test_a_given_checklist_replaces_the_defaults(session, technician, piano):
    custom = add_service(
        session,
        technician,
        piano,
        service_type="tuning",
        tasks=[
            {"label": "Afinar a 442 Hz", "done": True},
            {"label": "  "},
            {"label": "Cambiar cuerda"},
        ],
    )
    assert task_labels(session, technician, custom.id) == [
        ("Afinar a 442 Hz", True),
        ("Cambiar cuerda", False),
    ]
    empty = add_service(session, technician, piano, service_type="tuning", tasks=[])
    assert task_labels(session, technician, empty.id) == []


# -- create, read, update -----------------------------------------------------------
def test_create_read_update(session, technician, piano):
    service = add_service(
        session,
        technician,
        piano,
        days_ago=3,
        service_type="tuning",
        cost="1.234,56",
        duration_minutes="90",
        humidity_pct="45,5",
        temperature_c="21",
        notes="Cliente contento",
        technician_notes="Clavijas flojas",
    )
    assert service.client_id == piano.client_id
    detail = services.get_service(session, technician, service.id)
    assert detail["service_type"] == "tuning" and detail["status"] == "completed"
    assert detail["service_date"] == TODAY - timedelta(days=3)
    assert detail["cost"] == Decimal("1234.56")
    assert detail["duration_minutes"] == 90
    assert detail["humidity_pct"] == Decimal("45.50")
    assert detail["temperature_c"] == Decimal("21.00")
    assert detail["notes"] == "Cliente contento"
    assert detail["technician_notes"] == "Clavijas flojas"
    assert detail["piano"] == {
        "id": piano.id,
        "brand": "Yamaha",
        "model": "U1",
        "serial_number": "J-998877",
    }
    assert detail["client"]["name"] == "Lucía Fernández"
    assert detail["client"]["phone"] == "611222333"

    services.update_service(
        session,
        technician,
        service.id,
        ServiceInput(
            service_type="repair",
            status="in_progress",
            service_date="05/03/2025",
            cost="80",
            duration_minutes="",
            humidity_pct="",
            temperature_c="-3,25",
        ),
    )
    session.commit()
    detail = services.get_service(session, technician, service.id)
    assert detail["service_type"] == "repair" and detail["status"] == "in_progress"
    assert detail["service_date"] == date(2025, 3, 5)
    assert detail["cost"] == Decimal("80.00") and detail["duration_minutes"] == 60
    assert detail["humidity_pct"] is None and detail["temperature_c"] == Decimal("-3.25")
    assert detail["notes"] == ""
    # tasks=None keeps the checklist; the piano stays.
    assert [t["label"] for t in detail["tasks"]] == list(DEFAULT_TASKS[ServiceType.TUNING])
    assert detail["piano_id"] == piano.id


def test_from_form_reads_strings_and_keeps_the_checklist():
    data = ServiceInput.from_form({"piano_id": "3", "cost": " 12,50 ", "tasks": [{"label": "A"}]})
    assert data.piano_id == "3" and data.cost == "12,50" and data.tasks == [{"label": "A"}]
    assert ServiceInput.from_form({"tasks": "no"}).tasks is None


def test_update_with_a_list_replaces_the_checklist(session, technician, piano):
    service = add_service(session, technician, piano, service_type="tuning")
    services.update_service(
        session,
        technician,
        service.id,
        ServiceInput(
            service_type="tuning", service_date=TODAY, tasks=[{"label": "Solo esto", "done": True}]
        ),
    )
    session.commit()
    assert task_labels(session, technician, service.id) == [("Solo esto", True)]


def test_moving_a_service_to_another_piano_takes_that_pianos_owner(session, technician, piano):
    other_owner = add_client(session, technician, "Otro dueño")
    other_piano = add_piano(session, technician, other_owner, brand="Kawai")
    service = add_service(session, technician, piano)
    assert len(pianos.get_piano(session, technician, piano.id)["services"]) == 1
    services.update_service(
        session,
        technician,
        service.id,
        ServiceInput(piano_id=other_piano.id, service_type="repair", service_date=TODAY),
    )
    session.commit()
    assert session.get(Service, service.id).client_id == other_owner.id
    assert pianos.get_piano(session, technician, piano.id)["services"] == []
    assert len(pianos.get_piano(session, technician, other_piano.id)["services"]) == 1
    assert clients.get_client(session, technician, piano.client_id)["services"] == []


@pytest.mark.parametrize(
    ("changes", "field", "key"),
    [
        ({"piano_id": None}, "piano_id", "error.piano_required"),
        ({"piano_id": "abc"}, "piano_id", "error.piano_required"),
        ({"service_type": "magic"}, "service_type", "error.choice_invalid"),
        ({"status": "done"}, "status", "error.choice_invalid"),
        ({"service_date": ""}, "service_date", "error.date_required"),
        ({"service_date": None}, "service_date", "error.date_required"),
        ({"service_date": "31/02/2026"}, "service_date", "error.date_invalid"),
        ({"service_date": "mañana"}, "service_date", "error.date_invalid"),
        (
            {"service_date": TODAY + timedelta(days=2 * 366 + 1)},
            "service_date",
            "error.date_too_far",
        ),
        ({"cost": "-1"}, "cost", "error.amount_negative"),
        ({"cost": "-0,01"}, "cost", "error.amount_negative"),
        ({"cost": "gratis"}, "cost", "error.amount_invalid"),
        ({"cost": "1e20"}, "cost", "error.amount_invalid"),
        ({"cost": "1e40"}, "cost", "error.amount_invalid"),
        ({"duration_minutes": "1441"}, "duration_minutes", "error.duration_invalid"),
        ({"duration_minutes": "-1"}, "duration_minutes", "error.duration_invalid"),
        ({"duration_minutes": "1,5"}, "duration_minutes", "error.duration_invalid"),
        ({"humidity_pct": "100,01"}, "humidity_pct", "error.humidity_invalid"),
        ({"humidity_pct": "-1"}, "humidity_pct", "error.humidity_invalid"),
        ({"humidity_pct": "húmedo"}, "humidity_pct", "error.humidity_invalid"),
        ({"temperature_c": "61"}, "temperature_c", "error.temperature_invalid"),
        ({"temperature_c": "-30,5"}, "temperature_c", "error.temperature_invalid"),
        ({"tasks": [{"label": "x" * 201}]}, "tasks", "error.too_long"),
        ({"tasks": [{"label": f"t{i}"} for i in range(101)]}, "tasks", "error.too_many_tasks"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(session, technician, piano, changes, field, key):
    values = {"piano_id": piano.id, "service_type": "tuning", "service_date": TODAY, **changes}
    with pytest.raises(ValidationFailed) as refused:
        services.create_service(session, technician, ServiceInput(**values))
    session.rollback()
    assert refused.value.fields[field] == key
    assert session.exec(select(Service).where(Service.technician_id == technician.id)).all() == []
    assert session.exec(select(ServiceTask)).all() == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"cost": "0"}, {"cost": Decimal("0.00")}),
        ({"cost": ""}, {"cost": Decimal("0.00")}),
        ({"cost": "1.234,56"}, {"cost": Decimal("1234.56")}),
        ({"cost": "99,999"}, {"cost": Decimal("100.00")}),
        ({"cost": Decimal("12.5")}, {"cost": Decimal("12.50")}),
        ({"duration_minutes": "0"}, {"duration_minutes": 0}),
        ({"duration_minutes": "1440"}, {"duration_minutes": 1440}),
        ({"humidity_pct": "0"}, {"humidity_pct": Decimal("0.00")}),
        ({"humidity_pct": "100"}, {"humidity_pct": Decimal("100.00")}),
        ({"temperature_c": "-30"}, {"temperature_c": Decimal("-30.00")}),
        ({"temperature_c": "60"}, {"temperature_c": Decimal("60.00")}),
        ({"service_date": "2024-02-29"}, {"service_date": date(2024, 2, 29)}),
        (
            {"service_date": services.latest_service_date()},
            {"service_date": services.latest_service_date()},
        ),
    ],
)
def test_limits_are_accepted(session, technician, piano, changes, expected):
    values = {"piano_id": piano.id, "service_type": "other", "service_date": TODAY, **changes}
    service = services.create_service(session, technician, ServiceInput(**values))
    session.commit()
    for name, value in expected.items():
        assert getattr(session.get(Service, service.id), name) == value


def test_latest_date_is_two_years_ahead():
    assert services.latest_service_date(date(2026, 3, 5)) == date(2028, 3, 5)
    assert services.latest_service_date(date(2024, 2, 29)) == date(2026, 2, 28)


def test_other_technicians_pianos_services_and_tasks_do_not_exist(
    session, technician, other_technician, piano
):
    service = add_service(session, technician, piano, service_type="tuning", status="pending")
    task_id = services.get_service(session, technician, service.id)["tasks"][0]["id"]
    theirs = other_technician
    for call in (
        lambda: services.create_service(
            session,
            theirs,
            ServiceInput(piano_id=piano.id, service_type="tuning", service_date=TODAY),
        ),
        lambda: services.get_service(session, theirs, service.id),
        lambda: services.update_service(
            session, theirs, service.id, ServiceInput(service_type="tuning", service_date=TODAY)
        ),
        lambda: services.set_service_status(session, theirs, service.id, "completed"),
        lambda: services.remove_service(session, theirs, service.id),
        lambda: services.set_task_done(session, theirs, task_id, True),
        lambda: services.add_task(session, theirs, service.id, "Robar"),
        lambda: services.rename_task(session, theirs, task_id, "Robado"),
        lambda: services.remove_task(session, theirs, task_id),
    ):
        with pytest.raises(NotFound):
            call()
    session.rollback()
    assert services.list_services(session, theirs)["total"] == 0
    assert services.list_services(session, theirs, ServiceQuery(piano_id=piano.id))["total"] == 0
    assert services.service_counts(session, theirs)["all"] == 0
    # Moving my service to their piano is refused too.
    their_piano = add_piano(session, theirs, add_client(session, theirs, "Ajeno"), brand="Ajeno")
    with pytest.raises(NotFound):
        services.update_service(
            session,
            technician,
            service.id,
            ServiceInput(piano_id=their_piano.id, service_type="tuning", service_date=TODAY),
        )
    session.rollback()
    assert session.get(Service, service.id).piano_id == piano.id
    assert session.get(Service, service.id).status == ServiceStatus.PENDING


# -- status and alerts ------------------------------------------------------------------
def test_status_changes(session, technician, piano):
    service = add_service(session, technician, piano, status="pending")
    for status in ("in_progress", "completed", "cancelled", "pending"):
        services.set_service_status(session, technician, service.id, status)
        session.commit()
        assert services.get_service(session, technician, service.id)["status"] == status
    with pytest.raises(ValidationFailed) as refused:
        services.set_service_status(session, technician, service.id, "finished")
    assert refused.value.fields == {"status": "error.choice_invalid"}


def test_every_service_that_becomes_completed_goes_to_the_alerts(
    session, technician, piano, resolve_calls
):
    """The alerts module decides what a completed service resolves (a tuning
    the tuning alert, a regulation the regulation alert…); this module calls
    it whenever a service becomes completed, or a completed one changes type,
    piano or date."""
    completed_tuning = add_service(session, technician, piano, service_type="tuning")
    assert resolve_calls == [(completed_tuning.id, "tuning", "completed")]
    resolve_calls.clear()
    # Not completed: no call.
    pending = add_service(session, technician, piano, service_type="tuning", status="pending")
    add_service(session, technician, piano, service_type="regulation", status="in_progress")
    assert resolve_calls == []
    # Changing a tuning's status to completed calls it, once.
    services.set_service_status(session, technician, pending.id, "in_progress")
    assert resolve_calls == []
    services.set_service_status(session, technician, pending.id, "completed")
    session.commit()
    assert resolve_calls == [(pending.id, "tuning", "completed")]
    services.set_service_status(session, technician, pending.id, "completed")
    services.update_service(
        session,
        technician,
        pending.id,
        ServiceInput(
            service_type="tuning", service_date=TODAY - timedelta(days=10), cost="70", notes="x"
        ),
    )
    session.commit()
    assert len(resolve_calls) == 1
    # Editing a completed repair into a tuning is completing a tuning; so is a
    # completed tuning moved to another date.
    repair = add_service(session, technician, piano, service_type="repair")
    services.update_service(
        session, technician, repair.id, ServiceInput(service_type="tuning", service_date=TODAY)
    )
    services.update_service(
        session, technician, pending.id, ServiceInput(service_type="tuning", service_date=TODAY)
    )
    regulation = add_service(session, technician, piano, service_type="regulation")
    session.commit()
    assert resolve_calls[1:] == [
        (repair.id, "repair", "completed"),
        (repair.id, "tuning", "completed"),
        (pending.id, "tuning", "completed"),
        (regulation.id, "regulation", "completed"),
    ]


def test_completing_a_tuning_marks_the_open_tuning_alert_resolved(session, technician, piano):
    def alert(kind, status=MaintenanceAlertStatus.OPEN):
        row = MaintenanceAlert(
            technician_id=technician.id,
            piano_id=piano.id,
            kind=kind,
            level=AlertLevel.URGENT,
            status=status,
            due_since=TODAY - timedelta(days=300),
        )
        session.add(row)
        return row

    tuning = alert(MaintenanceAlertKind.TUNING)
    regulation = alert(MaintenanceAlertKind.REGULATION)
    session.commit()
    service = add_service(session, technician, piano, days_ago=0, service_type="tuning")
    session.refresh(tuning)
    session.refresh(regulation)
    assert tuning.status == MaintenanceAlertStatus.RESOLVED
    assert tuning.resolved_by_service_id == service.id
    assert regulation.status == MaintenanceAlertStatus.OPEN
    done = add_service(session, technician, piano, days_ago=0, service_type="regulation")
    session.refresh(regulation)
    assert regulation.status == MaintenanceAlertStatus.RESOLVED
    assert regulation.resolved_by_service_id == done.id


def _alerts_reloads(session, technician):
    """A cached read that depends on ``alerts``: how often its loader ran."""
    runs = []

    def read():
        return cached.cached_read(
            technician,
            "alerts",
            "probe",
            None,
            lambda: runs.append(1) or len(runs),
            depends_on=("alerts",),
        )

    return read


def test_alerts_are_invalidated_when_a_last_date_can_change(session, technician, piano):
    read = _alerts_reloads(session, technician)
    assert read() == 1 and read() == 1
    pending = add_service(session, technician, piano, service_type="tuning", status="pending")
    assert read() == 1  # a pending tuning changes no last date
    services.update_service(
        session,
        technician,
        pending.id,
        ServiceInput(service_type="tuning", status="pending", service_date=TODAY, cost="5"),
    )
    session.commit()
    assert read() == 1
    services.set_service_status(session, technician, pending.id, "completed")
    session.commit()
    assert read() == 2
    services.update_service(
        session,
        technician,
        pending.id,
        ServiceInput(service_type="tuning", service_date=TODAY - timedelta(days=3)),
    )
    session.commit()
    assert read() == 3
    services.set_service_status(session, technician, pending.id, "cancelled")
    session.commit()
    assert read() == 4
    completed = add_service(session, technician, piano, service_type="regulation")
    assert read() == 5
    services.remove_service(session, technician, completed.id)
    session.commit()
    assert read() == 6
    task = services.get_service(session, technician, pending.id)["tasks"][0]
    services.set_task_done(session, technician, task["id"], True)
    session.commit()
    assert read() == 6  # the checklist is not an alert matter


# -- the checklist ------------------------------------------------------------------
def test_checklist_edits(session, technician, piano):
    service = add_service(session, technician, piano, service_type="other", status="in_progress")
    [first] = services.get_service(session, technician, service.id)["tasks"]
    services.set_task_done(session, technician, first["id"], True)
    session.commit()
    assert task_labels(session, technician, service.id) == [("task.other.1", True)]
    added = services.add_task(session, technician, service.id, "  Limpiar teclado  ")
    session.commit()
    assert added.position == 1 and added.label == "Limpiar teclado" and added.done is False
    assert task_labels(session, technician, service.id) == [
        ("task.other.1", True),
        ("Limpiar teclado", False),
    ]
    detail = services.get_service(session, technician, service.id)
    assert (detail["tasks_done"], detail["tasks_total"]) == (1, 2)
    services.rename_task(session, technician, added.id, "Limpiar teclas")
    services.set_task_done(session, technician, first["id"], False)
    session.commit()
    assert task_labels(session, technician, service.id) == [
        ("task.other.1", False),
        ("Limpiar teclas", False),
    ]
    services.remove_task(session, technician, first["id"])
    session.commit()
    assert task_labels(session, technician, service.id) == [("Limpiar teclas", False)]
    assert services.add_task(session, technician, service.id, "Tercera").position == 2
    for bad, key in (
        ("", "error.label_required"),
        ("   ", "error.label_required"),
        ("x" * 201, "error.too_long"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            services.add_task(session, technician, service.id, bad)
        assert refused.value.fields == {"label": key}
        with pytest.raises(ValidationFailed):
            services.rename_task(session, technician, added.id, bad)
    session.rollback()
    assert task_labels(session, technician, service.id) == [("Limpiar teclas", False)]


def test_a_service_without_tasks_gets_the_first_position(session, technician, piano):
    service = add_service(session, technician, piano, tasks=[])
    assert services.add_task(session, technician, service.id, "Primera").position == 0


# -- remove ----------------------------------------------------------------------------
def test_remove_service_deletes_it_and_returns_materials_to_stock(session, technician, piano):
    item = InventoryItem(technician_id=technician.id, name="Cuerda 17", quantity=Decimal("3"))
    session.add(item)
    session.commit()
    service = add_service(session, technician, piano, service_type="repair")
    session.add(
        ServiceMaterial(
            technician_id=technician.id,
            service_id=service.id,
            item_id=item.id,
            quantity=Decimal("2"),
        )
    )
    session.add(
        Invoice(
            technician_id=technician.id,
            client_id=piano.client_id,
            service_id=service.id,
            number="F-2026-0001",
            issue_date=TODAY,
            payment_token=secrets.token_urlsafe(24),
        )
    )
    session.commit()
    assert pianos.get_piano(session, technician, piano.id)["last_service_date"] is not None
    assert services.remove_service(session, technician, service.id) == "deleted"
    session.commit()
    assert session.get(Service, service.id) is None
    assert session.exec(select(ServiceTask).where(ServiceTask.service_id == service.id)).all() == []
    session.refresh(item)
    assert item.quantity == Decimal("5.000")
    [movement] = session.exec(select(StockMovement).where(StockMovement.item_id == item.id)).all()
    assert movement.reason == StockMovementReason.SERVICE_RETURN
    assert movement.quantity_delta == Decimal("2.000")
    assert movement.quantity_after == Decimal("5.000")
    invoice = session.exec(select(Invoice).where(Invoice.technician_id == technician.id)).one()
    session.refresh(invoice)
    assert invoice.service_id is None
    with pytest.raises(NotFound):
        services.get_service(session, technician, service.id)
    assert pianos.get_piano(session, technician, piano.id)["services"] == []
    assert pianos.get_piano(session, technician, piano.id)["last_service_date"] is None


# -- lists and counts ----------------------------------------------------------------
def test_list_filters_search_sort_pagination_and_counts(session, technician):
    garcia = add_client(session, technician, "José García")
    ruiz = add_client(session, technician, "Ana Ruiz")
    bosen = add_piano(
        session, technician, garcia, brand="Bösendorfer", model="200", serial_number="BX-4711"
    )
    yamaha = add_piano(session, technician, ruiz, brand="Yamaha", model="C3")
    for i in range(12):
        add_service(
            session,
            technician,
            bosen,
            days_ago=i,
            service_type="tuning",
            cost=str(10 * i),
            status="completed" if i % 2 else "pending",
        )
    for i in range(8):
        add_service(session, technician, yamaha, days_ago=100 + i, service_type="repair", cost="5")

    def listed(**query):
        return services.list_services(session, technician, ServiceQuery(**query))

    everything = listed(page_size=100)
    assert everything["total"] == 20
    dates = [i["service_date"] for i in everything["items"]]
    assert dates == sorted(dates, reverse=True)  # newest first by default
    first = everything["items"][0]
    assert first["client_name"] == "José García" and first["piano_brand"] == "Bösendorfer"
    assert first["piano_model"] == "200" and first["piano"] == "Bösendorfer 200"
    assert first["client_id"] == garcia.id and first["piano_id"] == bosen.id
    page2 = listed(page=2, page_size=15)
    assert page2["pages"] == 2 and len(page2["items"]) == 5
    assert listed(sort="date")["items"][0]["service_date"] == TODAY - timedelta(days=107)
    assert listed(sort="-cost")["items"][0]["cost"] == Decimal("110.00")
    assert listed(sort="client", page_size=100)["items"][0]["client_name"] == "Ana Ruiz"
    assert listed(service_type="repair")["total"] == 8
    assert listed(status="pending")["total"] == 6
    assert listed(service_type="tuning", status="completed")["total"] == 6
    assert listed(piano_id=yamaha.id)["total"] == 8
    assert listed(client_id=garcia.id)["total"] == 12
    assert listed(date_from=TODAY - timedelta(days=5))["total"] == 6
    assert (
        listed(
            date_from=(TODAY - timedelta(days=105)).isoformat(), date_to=TODAY - timedelta(days=11)
        )["total"]
        == 7
    )
    assert listed(date_to=(TODAY - timedelta(days=100)).strftime("%d/%m/%Y"))["total"] == 8
    assert listed(search="garcia")["total"] == 12
    assert listed(search="BOSENDORFER")["total"] == 12
    assert listed(search="bx-47")["total"] == 12
    assert listed(search="ruiz c3")["total"] == 8
    assert listed(search="garcia c3")["total"] == 0
    assert listed(search="100%")["total"] == 0
    # Unknown filter values are ignored rather than failing.
    assert listed(service_type="x", status="y", sort="z", date_from="nunca", page=-1)["total"] == 20
    assert services.service_counts(session, technician) == {
        "pending": 6,
        "in_progress": 0,
        "completed": 14,
        "cancelled": 0,
        "all": 20,
    }


# -- cache: every write is seen by the next read ------------------------------------
def _reads(session, user, piano_id, client_id, service_id):
    return {
        "services": {
            i["id"]: i
            for i in services.list_services(session, user, ServiceQuery(page_size=100))["items"]
        },
        "counts": services.service_counts(session, user),
        "detail": services.get_service(session, user, service_id) if service_id else None,
        "piano": pianos.get_piano(session, user, piano_id),
        "piano_list": pianos.list_pianos(session, user, PianoQuery())["items"][0],
        "client": clients.get_client(session, user, client_id),
        "client_list": clients.list_clients(session, user, ClientQuery())["items"][0],
    }


def _run_write_scenario(session, technician, write_through, read_through):
    with write_through():
        owner = add_client(session, technician, "Dueña")
        piano = add_piano(session, technician, owner, brand="Seiler")
    with read_through():
        before = _reads(session, technician, piano.id, owner.id, None)
    assert before["services"] == {} and before["piano"]["services"] == []
    assert before["piano_list"]["last_service_date"] is None

    with write_through():  # create
        service = add_service(
            session, technician, piano, days_ago=20, service_type="tuning", humidity_pct="50"
        )
    with read_through():
        after = _reads(session, technician, piano.id, owner.id, service.id)
    day = TODAY - timedelta(days=20)
    assert after["services"][service.id]["service_date"] == day
    assert after["counts"]["completed"] == 1
    assert after["piano"]["services"][0]["id"] == service.id
    assert after["piano"]["readings"][0]["humidity"] == 50.0
    assert after["piano_list"]["last_tuning_date"] == day
    assert after["piano_list"]["last_service_date"] == day
    assert after["client"]["services"][0]["id"] == service.id
    assert after["client_list"]["last_service_date"] == day

    with write_through():  # update
        services.update_service(
            session,
            technician,
            service.id,
            ServiceInput(
                service_type="tuning",
                service_date=TODAY - timedelta(days=2),
                cost="95",
                humidity_pct="48",
            ),
        )
        session.commit()
    with read_through():
        after = _reads(session, technician, piano.id, owner.id, service.id)
    day = TODAY - timedelta(days=2)
    assert after["services"][service.id]["cost"] == Decimal("95.00")
    assert after["detail"]["cost"] == Decimal("95.00")
    assert after["piano"]["services"][0]["cost"] == Decimal("95.00")
    assert after["piano"]["readings"][0]["humidity"] == 48.0
    assert after["piano_list"]["last_service_date"] == day
    assert after["client"]["services"][0]["cost"] == Decimal("95.00")
    assert after["client_list"]["last_service_date"] == day

    with write_through():  # status
        services.set_service_status(session, technician, service.id, "cancelled")
        session.commit()
    with read_through():
        after = _reads(session, technician, piano.id, owner.id, service.id)
    assert after["services"][service.id]["status"] == "cancelled"
    assert after["detail"]["status"] == "cancelled" and after["counts"]["cancelled"] == 1
    assert after["piano"]["services"][0]["status"] == "cancelled"
    assert after["piano"]["readings"] == []
    assert after["piano_list"]["last_tuning_date"] is None
    assert after["client"]["services"][0]["status"] == "cancelled"
    assert after["client_list"]["last_service_date"] is None

    task = after["detail"]["tasks"][0]
    with write_through():  # checklist
        services.set_task_done(session, technician, task["id"], True)
        services.rename_task(session, technician, task["id"], "Afinado a 440")
        added = services.add_task(session, technician, service.id, "Extra")
        session.commit()
    with read_through():
        detail = services.get_service(session, technician, service.id)
    assert detail["tasks"][0] == {**task, "label": "Afinado a 440", "done": True}
    assert detail["tasks"][-1]["id"] == added.id
    with write_through():
        services.remove_task(session, technician, added.id)
        session.commit()
    with read_through():
        assert services.get_service(session, technician, service.id)["tasks"][-1]["id"] != added.id

    with write_through():  # piano edits shown by the service
        pianos.update_piano(session, technician, piano.id, PianoInput(brand="Seiler", model="GS"))
        session.commit()
    with read_through():
        after = _reads(session, technician, piano.id, owner.id, service.id)
    assert after["detail"]["piano"]["model"] == "GS"
    assert after["services"][service.id]["piano"] == "Seiler GS"

    with write_through():  # client edits shown by the service
        clients.update_client(session, technician, owner.id, ClientInput(name="Dueña Nueva"))
        session.commit()
    with read_through():
        after = _reads(session, technician, piano.id, owner.id, service.id)
    assert after["detail"]["client"]["name"] == "Dueña Nueva"
    assert after["services"][service.id]["piano"] == "Seiler GS"
    assert after["services"][service.id]["client_name"] == "Dueña Nueva"
    assert after["piano"]["services"][0]["client_name"] == "Dueña Nueva"

    with write_through():  # remove
        services.remove_service(session, technician, service.id)
        session.commit()
    with read_through():
        after = _reads(session, technician, piano.id, owner.id, None)
    assert after["services"] == {} and after["counts"]["all"] == 0
    assert after["piano"]["services"] == [] and after["client"]["services"] == []


def test_every_write_is_seen_by_the_next_read(session, technician):
    _run_write_scenario(session, technician, nullcontext, nullcontext)


@pytest.fixture
def two_workers() -> Iterator[tuple]:
    """Two cache services on one Redis and one namespace: two app workers."""
    require_service(redis_available(), "Redis on 127.0.0.1:6379")
    import redis

    namespace = f"test-services-{secrets.token_hex(6)}"
    first = build_cache(redis_url=REDIS_TEST_URL, namespace=namespace)
    second = build_cache(redis_url=REDIS_TEST_URL, namespace=namespace)
    yield first, second
    first.close()
    second.close()
    client = redis.Redis.from_url(REDIS_TEST_URL)
    stale = list(client.scan_iter(match=f"{namespace}:*", count=1000))
    if stale:
        client.delete(*stale)
    client.close()


def test_every_write_is_seen_by_another_worker_with_redis(session, technician, two_workers):
    first, second = two_workers
    assert first.mode == "redis" and second.mode == "redis"
    _run_write_scenario(session, technician, lambda: use_cache(first), lambda: use_cache(second))
    assert not first.degraded and not second.degraded
