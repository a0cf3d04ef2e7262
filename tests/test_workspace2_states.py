"""Workspace part 2 page states (agenda, reminders, inventory, global search,
sidebar badges) called directly, as in ``test_workspace_states.py``.

A state is made with ``_reflex_internal_init``, its router URL set by hand, a
session token issued for a technician, and each handler's ``.fn`` called
against a real database (SQLite and MariaDB, through
``configured_app_settings``) and a fresh in-memory cache per test (the
autouse ``fresh_cache`` of ``conftest.py``). Bad input gives a field message
in Spanish and writes nothing; another technician's records are never shown
nor changed.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from urllib.parse import quote

import pytest
from sqlmodel import Session, func, select

from piano_emotion.domain import agenda, clients, inventory, pianos, reminders, services
from piano_emotion.domain.agenda import AppointmentInput
from piano_emotion.domain.alerts import local_today
from piano_emotion.domain.clients import ClientInput
from piano_emotion.domain.errors import NotFound
from piano_emotion.domain.inventory import ItemInput
from piano_emotion.domain.pianos import PianoInput
from piano_emotion.domain.reminders import ReminderInput
from piano_emotion.domain.services import ServiceInput
from piano_emotion.formatting import format_date, to_local
from piano_emotion.models import (
    Appointment,
    Client,
    InventoryItem,
    MessageTemplate,
    Piano,
    Reminder,
    Service,
    StockMovement,
    User,
)
from piano_emotion.models.enums import AppointmentStatus, ReminderSource, ReminderType
from piano_emotion.ui.state.agenda import AgendaState
from piano_emotion.ui.state.auth import NotSignedIn
from piano_emotion.ui.state.inventory import InventoryState
from piano_emotion.ui.state.reminders import RemindersState
from piano_emotion.ui.state.search import SearchState
from tests.ui_states import (
    count,
    fetch,
    handle,
    make_state,
    redirect_path,
    rows,
    set_session,
    toasts,
)

pytestmark = pytest.mark.usefixtures("configured_app_settings")


# -- fixtures and helpers ---------------------------------------------------------


def add_client(engine, user: User, name: str, **extra) -> Client:
    with Session(engine, expire_on_commit=False) as session:
        client = clients.create_client(session, user, ClientInput(name=name, **extra))
        session.commit()
    return client


def add_piano(engine, user: User, client: Client, brand: str = "Yamaha", **extra) -> Piano:
    with Session(engine, expire_on_commit=False) as session:
        piano = pianos.create_piano(
            session, user, PianoInput(client_id=client.id, brand=brand, **extra)
        )
        session.commit()
    return piano


def add_service(engine, user: User, piano: Piano, **extra) -> Service:
    extra.setdefault("service_type", "tuning")
    extra.setdefault("service_date", local_today())
    with Session(engine, expire_on_commit=False) as session:
        service = services.create_service(session, user, ServiceInput(piano_id=piano.id, **extra))
        session.commit()
    return service


def add_appointment(engine, user: User, client: Client, **extra) -> Appointment:
    extra.setdefault("date", local_today())
    extra.setdefault("time", "10:00")
    extra.setdefault("service_type", "tuning")
    with Session(engine, expire_on_commit=False) as session:
        appointment, _ = agenda.create_appointment(
            session, user, AppointmentInput(client_id=client.id, **extra)
        )
        session.commit()
    return appointment


def add_reminder(engine, user: User, client: Client, due: date, title: str, **extra) -> Reminder:
    with Session(engine, expire_on_commit=False) as session:
        reminder = reminders.create_reminder(
            session,
            user,
            ReminderInput(client_id=client.id, due_date=due, title=title, **extra),
        )
        session.commit()
    return reminder


def add_item(engine, user: User, name: str, quantity: str, min_stock: str) -> InventoryItem:
    with Session(engine, expire_on_commit=False) as session:
        item = inventory.create_item(
            session, user, ItemInput(name=name, quantity=quantity, min_stock=min_stock)
        )
        session.commit()
    return item


def backdate_piano(engine, piano: Piano, days: int) -> None:
    """The piano was added ``days`` days ago (so it is due for service)."""
    moment = datetime.combine(local_today() - timedelta(days=days), time(12), tzinfo=UTC)
    with Session(engine) as session:
        row = session.get(Piano, piano.id)
        row.created_at = row.updated_at = moment
        session.add(row)
        session.commit()


def local_start(appointment: Appointment) -> tuple[str, str]:
    moment = to_local(appointment.starts_at)
    return moment.date().isoformat(), moment.strftime("%H:%M")


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@pytest.fixture
def maria(engine, technician) -> Client:
    return add_client(
        engine,
        technician,
        "María García",
        phone="612 345 678",
        email="maria@example.es",
        address="Calle Feria 1",
        city="Sevilla",
    )


@pytest.fixture
def maria_piano(engine, technician, maria) -> Piano:
    return add_piano(engine, technician, maria, brand="Yamaha", model="U1", serial_number="H-5123")


# -- AgendaState: views and navigation --------------------------------------------------


def test_agenda_load_shows_this_week_and_the_calendar_url(signed_in, engine, technician):
    state = signed_in(AgendaState, "/agenda")

    assert handle(AgendaState.load)(state) is None

    today = local_today()
    monday = monday_of(today)
    assert state.view == "week"
    assert state.anchor == today.isoformat()
    assert [d["date"] for d in state.days] == [
        (monday + timedelta(days=n)).isoformat() for n in range(7)
    ]
    assert state.days[0]["label"] == f"lun {monday.day}"
    assert state.days[6]["label"].startswith("dom ")
    assert [d["date"] for d in state.days if d["is_today"]] == [today.isoformat()]
    assert all(d["items"] == [] for d in state.days)
    assert state.range_title == (
        f"{format_date(monday)} – {format_date(monday + timedelta(days=6))}"
    )
    token = fetch(engine, User, technician.id).calendar_token
    assert token and len(token) >= 40
    assert state.calendar_url.endswith(f"/api/calendar/{token}.ics")
    assert state.calendar_url.startswith("http")
    assert not state.editor_open and not state.completion_open

    # The token is kept: loading again gives the same secret URL.
    url = state.calendar_url
    handle(AgendaState.load)(signed_in(AgendaState, "/agenda"))
    assert fetch(engine, User, technician.id).calendar_token == token
    assert url == state.calendar_url


def test_agenda_load_reads_the_view_and_date_from_the_address(signed_in):
    state = signed_in(AgendaState, "/agenda?vista=month&fecha=2026-03-05")

    handle(AgendaState.load)(state)

    assert (state.view, state.anchor) == ("month", "2026-03-05")
    assert len(state.days) == 31
    assert (state.days[0]["date"], state.days[-1]["date"]) == ("2026-03-01", "2026-03-31")
    assert all(d["in_month"] for d in state.days)
    assert state.range_title == "mar 2026"

    # An unknown view in the address is ignored.
    state = signed_in(AgendaState, "/agenda?vista=year&fecha=2026-03-05")
    handle(AgendaState.load)(state)
    assert state.view == "week"
    assert state.days[0]["date"] == "2026-03-02"  # that week's Monday


def test_agenda_views_and_navigation(signed_in):
    state = signed_in(AgendaState, "/agenda")
    handle(AgendaState.load)(state)
    today = local_today()
    monday = monday_of(today)

    AgendaState.set_view.fn(state, "day")
    assert state.view == "day"
    assert [d["date"] for d in state.days] == [today.isoformat()]
    assert state.days[0]["is_today"]
    assert state.range_title.endswith(format_date(today))

    AgendaState.shift.fn(state, 1)
    assert [d["date"] for d in state.days] == [(today + timedelta(days=1)).isoformat()]
    assert not state.days[0]["is_today"]
    AgendaState.shift.fn(state, -1)
    AgendaState.shift.fn(state, -1)
    assert [d["date"] for d in state.days] == [(today - timedelta(days=1)).isoformat()]

    AgendaState.set_view.fn(state, "month")
    anchor = today - timedelta(days=1)
    last = calendar.monthrange(anchor.year, anchor.month)[1]
    assert len(state.days) == last
    assert state.days[0]["date"] == anchor.replace(day=1).isoformat()

    AgendaState.shift.fn(state, 1)
    first_next = agenda.add_months(anchor.replace(day=1), 1)
    assert state.anchor == first_next.isoformat()
    assert state.days[0]["date"] == first_next.isoformat()
    assert len(state.days) == calendar.monthrange(first_next.year, first_next.month)[1]

    AgendaState.set_view.fn(state, "year")  # unknown: nothing changes
    assert state.view == "month"

    AgendaState.go_today.fn(state)
    AgendaState.set_view.fn(state, "week")
    assert state.days[0]["date"] == monday.isoformat()
    AgendaState.shift.fn(state, 1)
    assert state.days[0]["date"] == (monday + timedelta(weeks=1)).isoformat()
    assert not any(d["is_today"] for d in state.days)
    AgendaState.shift.fn(state, -1)
    assert state.days[0]["date"] == monday.isoformat()

    AgendaState.shift.fn(state, -3)
    AgendaState.go_today.fn(state)
    assert (state.anchor, state.view) == (today.isoformat(), "week")
    assert state.days[0]["date"] == monday.isoformat()

    AgendaState.open_day.fn(state, "2026-07-15")
    assert (state.view, state.anchor) == ("day", "2026-07-15")
    assert [d["date"] for d in state.days] == ["2026-07-15"]
    assert state.range_title == "mié 15/07/2026"


# -- AgendaState: the editor -------------------------------------------------------------


def appointment_form(piano: Piano | None, **changes) -> dict:
    form = {
        "title": "",
        "date": local_today().isoformat(),
        "time": "10:00",
        "duration_minutes": "60",
        "service_type": "tuning",
        "piano_id": str(piano.id) if piano is not None else "none",
        "address": "",
        "notes": "",
    }
    return {**form, **changes}


def test_book_an_appointment_and_an_overlapping_one(
    signed_in, engine, technician, maria, maria_piano
):
    add_piano(engine, technician, maria, brand="Steinway", model="B")
    state = signed_in(AgendaState, "/agenda")
    handle(AgendaState.load)(state)

    AgendaState.open_new.fn(state)
    assert state.editor_open
    assert state.form["date"] == local_today().isoformat()
    assert (state.picked_client_id, state.client_pianos) == (0, [])
    AgendaState.pick_client.fn(state, maria.id, maria.name)
    assert (state.picked_client_id, state.picked_client_name) == (maria.id, "María García")
    assert sorted(p["name"] for p in state.client_pianos) == ["Steinway B", "Yamaha U1"]
    assert {"id": str(maria_piano.id), "name": "Yamaha U1"} in state.client_pianos

    result = AgendaState.save.fn(state, appointment_form(maria_piano))

    assert toasts(result) == [("success", "Cita guardada")]
    [first] = rows(engine, Appointment)
    assert (first.technician_id, first.client_id, first.piano_id) == (
        technician.id,
        maria.id,
        maria_piano.id,
    )
    assert (first.title, first.duration_minutes, first.address) == (
        "Afinación",
        60,
        "Calle Feria 1, Sevilla",
    )
    assert first.status == AppointmentStatus.SCHEDULED
    assert local_start(first) == (local_today().isoformat(), "10:00")
    assert not state.editor_open
    [today_column] = [d for d in state.days if d["is_today"]]
    [shown] = today_column["items"]
    assert (shown["id"], shown["start"], shown["end"], shown["title"]) == (
        first.id,
        "10:00",
        "11:00",
        "Afinación",
    )
    assert (shown["client"], shown["piano"], shown["overlaps"]) == (
        "María García",
        "Yamaha U1",
        False,
    )

    # A second one at 10:30: saved too, with a warning naming the first one.
    AgendaState.open_new.fn(state)
    AgendaState.pick_client.fn(state, maria.id, maria.name)
    result = AgendaState.save.fn(state, appointment_form(None, time="10:30", title="Revisión"))

    assert toasts(result) == [
        ("success", "Cita guardada"),
        ("warning", "Atención: se solapa con 10:00 Afinación"),
    ]
    assert count(engine, Appointment) == 2
    [today_column] = [d for d in state.days if d["is_today"]]
    assert [(i["start"], i["title"], i["overlaps"]) for i in today_column["items"]] == [
        ("10:00", "Afinación", True),
        ("10:30", "Revisión", True),
    ]

    # One that starts when the first ends does not overlap it (but does the second).
    AgendaState.open_new.fn(state)
    AgendaState.pick_client.fn(state, maria.id, maria.name)
    result = AgendaState.save.fn(state, appointment_form(None, time="11:30"))
    assert toasts(result) == [("success", "Cita guardada")]


def test_edit_an_appointment(signed_in, engine, technician, maria, maria_piano):
    appointment = add_appointment(
        engine, technician, maria, piano_id=maria_piano.id, service_type="tuning"
    )
    state = signed_in(AgendaState, "/agenda")
    handle(AgendaState.load)(state)

    AgendaState.open_edit.fn(state, appointment.id)

    assert state.editing_id == appointment.id
    assert (state.picked_client_id, state.picked_client_name) == (maria.id, "María García")
    assert state.form["time"] == "10:00"
    assert state.form["piano_id"] == str(maria_piano.id)
    assert state.form["service_type"] == "tuning"
    assert state.client_pianos == [{"id": str(maria_piano.id), "name": "Yamaha U1"}]

    result = AgendaState.save.fn(state, {**state.form, "time": "12:15", "duration_minutes": "90"})

    assert toasts(result) == [("success", "Cita guardada")]
    stored = fetch(engine, Appointment, appointment.id)
    assert local_start(stored)[1] == "12:15"
    assert stored.duration_minutes == 90
    assert count(engine, Appointment) == 1


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"time": "25:00"}, {"time": "Hora no válida (HH:MM)."}),
        ({"time": "10:75"}, {"time": "Hora no válida (HH:MM)."}),
        ({"time": ""}, {"time": "La hora es obligatoria."}),
        (
            {"duration_minutes": "0"},
            {"duration_minutes": "Duración no válida (entre 5 y 720 minutos)."},
        ),
        (
            {"title": "", "service_type": "none"},
            {"title": "El título es obligatorio (o elige un tipo de servicio)."},
        ),
    ],
)
def test_a_bad_appointment_form_writes_nothing(signed_in, engine, maria, changes, errors):
    state = signed_in(AgendaState, "/agenda")
    handle(AgendaState.load)(state)
    AgendaState.open_new.fn(state)
    AgendaState.pick_client.fn(state, maria.id, maria.name)
    form = appointment_form(None, **changes)

    assert AgendaState.save.fn(state, form) is None

    assert state.form_errors == errors
    assert state.editor_open
    assert state.form == {k: str(v) for k, v in form.items()}  # what was typed stays
    assert count(engine, Appointment) == 0


def test_an_appointment_needs_a_client(signed_in, engine, maria):
    state = signed_in(AgendaState, "/agenda")
    handle(AgendaState.load)(state)
    AgendaState.open_new.fn(state)

    assert AgendaState.save.fn(state, appointment_form(None)) is None

    assert state.form_errors == {"client_id": "Elige un cliente."}
    assert state.editor_open
    assert count(engine, Appointment) == 0


def test_an_appointment_for_a_piano_of_another_client_is_refused(
    signed_in, engine, technician, maria
):
    pedro = add_client(engine, technician, "Pedro López")
    pedro_piano = add_piano(engine, technician, pedro, brand="Kawai")
    state = signed_in(AgendaState, "/agenda")
    handle(AgendaState.load)(state)
    AgendaState.open_new.fn(state)
    AgendaState.pick_client.fn(state, maria.id, maria.name)

    assert AgendaState.save.fn(state, appointment_form(pedro_piano)) is None

    assert state.form_errors == {"piano_id": "Ese piano no es de este cliente."}
    assert count(engine, Appointment) == 0


# -- AgendaState: status, completion, next visit ------------------------------------------


def test_confirm_and_cancel(signed_in, engine, technician, maria):
    appointment = add_appointment(engine, technician, maria, title="Visita")
    state = signed_in(AgendaState, "/agenda")
    handle(AgendaState.load)(state)

    result = AgendaState.confirm.fn(state, appointment.id)
    assert toasts(result) == [("success", "Cita guardada")]
    assert fetch(engine, Appointment, appointment.id).status == AppointmentStatus.CONFIRMED
    [today_column] = [d for d in state.days if d["is_today"]]
    assert [i["status"] for i in today_column["items"]] == ["confirmed"]

    result = AgendaState.cancel.fn(state, appointment.id)
    assert toasts(result) == [("success", "Cita guardada")]
    assert fetch(engine, Appointment, appointment.id).status == AppointmentStatus.CANCELLED
    [today_column] = [d for d in state.days if d["is_today"]]
    assert [i["status"] for i in today_column["items"]] == ["cancelled"]

    # A cancelled appointment can be neither confirmed nor completed.
    result = AgendaState.confirm.fn(state, appointment.id)
    assert toasts(result) == [("error", "Esta cita ya está completada o cancelada.")]
    result = AgendaState.complete.fn(state, appointment.id)
    assert toasts(result) == [("error", "Esta cita está cancelada.")]
    assert not state.completion_open
    assert fetch(engine, Appointment, appointment.id).status == AppointmentStatus.CANCELLED


def test_complete_record_the_service_and_book_the_next_visit(
    signed_in, engine, technician, maria, maria_piano
):
    appointment = add_appointment(
        engine,
        technician,
        maria,
        piano_id=maria_piano.id,
        service_type="tuning",
        duration_minutes=90,
    )
    state = signed_in(AgendaState, "/agenda")
    handle(AgendaState.load)(state)
    today = local_today()

    assert AgendaState.complete.fn(state, appointment.id) is None

    assert state.completion_open
    next_date = agenda.add_months(today, 12)  # the default interval
    assert state.completion == {
        "appointment_id": str(appointment.id),
        "client": "María García",
        "piano": "Yamaha U1",
        "has_piano": "yes",
        "service_type": "tuning",
        "service_date": today.isoformat(),
        "duration_minutes": "90",
        "next_date": next_date.isoformat(),
        "next_time": "10:00",
        "interval": "12",
    }
    assert fetch(engine, Appointment, appointment.id).status == AppointmentStatus.COMPLETED
    [today_column] = [d for d in state.days if d["is_today"]]
    assert [i["status"] for i in today_column["items"]] == ["completed"]

    result = AgendaState.record_service.fn(
        state, {"service_type": "tuning", "cost": "90,00", "notes": "Afinado a 440"}
    )

    assert toasts(result) == [("success", "Servicio guardado")]
    [service] = rows(engine, Service)
    assert service.appointment_id == appointment.id
    assert (service.technician_id, service.piano_id, service.client_id) == (
        technician.id,
        maria_piano.id,
        maria.id,
    )
    assert (service.service_date, service.cost, service.duration_minutes) == (
        today,
        Decimal("90.00"),
        90,
    )
    assert service.notes == "Afinado a 440"
    assert state.completion["service_id"] == str(service.id)

    result = AgendaState.book_next.fn(
        state, {"next_date": state.completion["next_date"], "next_time": "10:00"}
    )

    assert toasts(result) == [("success", "Próxima visita reservada")]
    assert not state.completion_open
    [_, booked] = rows(engine, Appointment)
    assert local_start(booked) == (next_date.isoformat(), "10:00")
    assert (booked.client_id, booked.piano_id, booked.title) == (
        maria.id,
        maria_piano.id,
        "Afinación",
    )
    assert (booked.status, booked.duration_minutes) == (AppointmentStatus.SCHEDULED, 90)
    assert count(engine, Service) == 1


def test_record_service_with_a_bad_cost_writes_nothing(
    signed_in, engine, technician, maria, maria_piano
):
    appointment = add_appointment(engine, technician, maria, piano_id=maria_piano.id)
    state = signed_in(AgendaState, "/agenda")
    handle(AgendaState.load)(state)
    AgendaState.complete.fn(state, appointment.id)

    assert AgendaState.record_service.fn(state, {"service_type": "tuning", "cost": "mucho"}) is None

    assert set(state.form_errors) == {"cost"}
    assert not state.form_errors["cost"].startswith("error.")
    assert count(engine, Service) == 0
    assert "service_id" not in state.completion


def test_book_next_with_a_bad_time_writes_nothing(
    signed_in, engine, technician, maria, maria_piano
):
    appointment = add_appointment(engine, technician, maria, piano_id=maria_piano.id)
    state = signed_in(AgendaState, "/agenda")
    handle(AgendaState.load)(state)
    AgendaState.complete.fn(state, appointment.id)

    form = {"next_date": state.completion["next_date"], "next_time": "25:00"}
    assert AgendaState.book_next.fn(state, form) is None

    assert state.form_errors == {"time": "Hora no válida (HH:MM)."}
    assert state.completion_open
    assert count(engine, Appointment) == 1


def test_another_technicians_appointment_cannot_be_touched(
    signed_in, engine, technician, other_technician
):
    foreign_client = add_client(engine, other_technician, "Cliente Ajeno")
    foreign_piano = add_piano(engine, other_technician, foreign_client, brand="Bösendorfer")
    foreign = add_appointment(
        engine, other_technician, foreign_client, piano_id=foreign_piano.id, title="Ajena"
    )
    state = signed_in(AgendaState, "/agenda")
    handle(AgendaState.load)(state)
    assert all(d["items"] == [] for d in state.days)  # not shown

    for handler in (AgendaState.confirm, AgendaState.cancel, AgendaState.complete):
        assert toasts(handler.fn(state, foreign.id)) == [("error", "No encontrado")]
    assert not state.completion_open

    with pytest.raises(NotFound):
        AgendaState.open_edit.fn(state, foreign.id)
    assert not state.editor_open

    # Forged ids in the page's state are refused as well.
    state.completion = {
        "appointment_id": str(foreign.id),
        "service_date": "",
        "duration_minutes": "",
    }
    with pytest.raises(NotFound):
        AgendaState.record_service.fn(state, {"service_type": "tuning", "cost": "90"})
    with pytest.raises(NotFound):
        AgendaState.book_next.fn(
            state, {"next_date": local_today().isoformat(), "next_time": "12:00"}
        )
    state.editing_id = foreign.id
    state.picked_client_id = foreign_client.id
    assert AgendaState.save.fn(state, appointment_form(None, title="Robada")) is None
    assert state.form_errors == {"client_id": "Elige un cliente."}
    # Nor can a client or piano of theirs be booked.
    state.editing_id = 0
    assert AgendaState.save.fn(state, appointment_form(None)) is None
    assert state.form_errors == {"client_id": "Elige un cliente."}

    stored = fetch(engine, Appointment, foreign.id)
    assert (stored.status, stored.title) == (AppointmentStatus.SCHEDULED, "Ajena")
    assert count(engine, Appointment) == 1
    assert count(engine, Service) == 0
    assert all(d["items"] == [] for d in state.days)


# -- RemindersState ----------------------------------------------------------------------


@pytest.fixture
def due_piano(engine, maria_piano) -> Piano:
    """María's piano, added 400 days ago and never serviced: overdue (12 months)."""
    backdate_piano(engine, maria_piano, 400)
    return maria_piano


def test_reminders_load_lists_due_pianos_buckets_counts_and_templates(
    signed_in, engine, technician, maria, due_piano
):
    # Serviced 2 months ago: not due; another client's piano due too.
    recent = add_piano(engine, technician, maria, brand="Kawai", model="K2")
    add_service(engine, technician, recent, service_date=local_today() - timedelta(days=60))
    state = signed_in(RemindersState, "/recordatorios")

    assert handle(RemindersState.load)(state) is None

    assert state.loaded
    added = local_today() - timedelta(days=400)
    due = reminders.add_months(added, 12)
    assert state.due_groups == [
        {
            "client_id": maria.id,
            "client": "María García",
            "phone": "612 345 678",
            "pianos": [
                {
                    "id": due_piano.id,
                    "name": "Yamaha U1",
                    "last": "—",
                    "due": format_date(due),
                    "months": reminders.months_between(added, local_today()),
                    "overdue": True,
                    "contacted": False,
                }
            ],
        }
    ]
    buckets = ("overdue", "today", "this_week", "later", "done")
    assert state.buckets == {name: [] for name in buckets}
    assert state.counts == {"overdue": 0, "today": 0, "this_week": 0, "later": 0, "badge": 0}
    assert set(state.templates) == {"email_subject", "email_body", "whatsapp_body"}
    assert state.templates["email_subject"] == "Revisión de su piano {piano}"
    assert "{cliente}" in state.templates["whatsapp_body"]
    assert not state.editor_open and not state.contact_open


def test_a_piano_whose_client_calls_is_never_due(signed_in, engine, technician, maria):
    piano = add_piano(engine, technician, maria, service_interval_months="0")
    backdate_piano(engine, piano, 2000)
    state = signed_in(RemindersState, "/recordatorios")
    handle(RemindersState.load)(state)
    assert state.due_groups == []


def test_contact_a_due_piano_and_mark_it_contacted(signed_in, engine, technician, maria, due_piano):
    state = signed_in(RemindersState, "/recordatorios")
    handle(RemindersState.load)(state)

    assert RemindersState.open_contact.fn(state, due_piano.id) is None

    assert state.contact_open
    assert state.contact["piano_id"] == str(due_piano.id)
    assert state.contact["subject"] == "Revisión de su piano Yamaha U1"
    assert state.contact["whatsapp_url"].startswith("https://wa.me/34612345678?text=")
    assert state.contact["whatsapp_text"].startswith("Hola María García, soy Ana Técnica.")
    assert "sin registro" in state.contact["whatsapp_text"]
    assert state.contact["mailto_url"].startswith("mailto:maria@example.es?subject=")
    assert "Hola María García:" in state.contact["email_body"]

    result = RemindersState.mark_contacted.fn(state, "whatsapp")

    assert toasts(result) == [
        ("success", "Marcado como contactado. Te recordaremos hacer seguimiento en 14 días.")
    ]
    assert not state.contact_open
    assert state.due_groups == []  # not proposed again this cycle
    today = local_today()
    contacted, follow_up = rows(engine, Reminder)
    assert (contacted.source, contacted.reminder_type, contacted.done) == (
        ReminderSource.DUE_SERVICE,
        ReminderType.WHATSAPP,
        True,
    )
    assert (follow_up.source, follow_up.reminder_type, follow_up.done) == (
        ReminderSource.FOLLOW_UP,
        ReminderType.FOLLOW_UP,
        False,
    )
    assert follow_up.due_date == today + timedelta(days=14)
    assert follow_up.piano_id == due_piano.id
    assert [r["id"] for r in state.buckets["later"]] == [follow_up.id]
    assert [r["id"] for r in state.buckets["done"]] == [contacted.id]
    assert state.counts["later"] == 1 and state.counts["badge"] == 0

    # Marking again changes nothing (one per piano and due date).
    state.contact = {"piano_id": str(due_piano.id)}
    RemindersState.mark_contacted.fn(state, "email")
    assert count(engine, Reminder) == 2


def test_contact_actions_on_pianos_that_are_not_due_or_not_theirs(
    signed_in, engine, technician, other_technician, maria
):
    fresh = add_piano(engine, technician, maria)  # just added: not due
    foreign_client = add_client(engine, other_technician, "Cliente Ajeno", phone="699 000 000")
    foreign = add_piano(engine, other_technician, foreign_client)
    backdate_piano(engine, foreign, 400)
    state = signed_in(RemindersState, "/recordatorios")
    handle(RemindersState.load)(state)
    assert state.due_groups == []

    assert toasts(RemindersState.open_contact.fn(state, foreign.id)) == [("error", "No encontrado")]
    assert not state.contact_open and state.contact == {}

    state.contact = {"piano_id": str(foreign.id)}
    assert toasts(RemindersState.mark_contacted.fn(state, "whatsapp")) == [
        ("error", "No encontrado")
    ]
    state.contact = {"piano_id": str(fresh.id)}
    assert [level for level, _ in toasts(RemindersState.mark_contacted.fn(state, "fax"))] == [
        "error"
    ]
    assert count(engine, Reminder) == 0


def reminder_form(**changes) -> dict:
    form = {
        "reminder_type": "call",
        "due_date": local_today().isoformat(),
        "title": "Llamar para la afinación",
        "piano_id": "none",
        "notes": "",
    }
    return {**form, **changes}


def test_create_a_reminder(signed_in, engine, technician, maria, maria_piano):
    state = signed_in(RemindersState, "/recordatorios")
    handle(RemindersState.load)(state)

    RemindersState.open_new.fn(state)
    assert state.editor_open
    assert state.form["due_date"] == local_today().isoformat()
    RemindersState.pick_client.fn(state, maria.id, maria.name)
    assert state.client_pianos == [{"id": str(maria_piano.id), "name": "Yamaha U1"}]

    result = RemindersState.save.fn(state, reminder_form(piano_id=str(maria_piano.id)))

    assert toasts(result) == [("success", "Recordatorio guardado")]
    [reminder] = rows(engine, Reminder)
    assert (reminder.technician_id, reminder.client_id, reminder.piano_id) == (
        technician.id,
        maria.id,
        maria_piano.id,
    )
    assert (reminder.title, reminder.source, reminder.done) == (
        "Llamar para la afinación",
        ReminderSource.MANUAL,
        False,
    )
    assert not state.editor_open
    [shown] = state.buckets["today"]
    assert (shown["id"], shown["client"], shown["piano"], shown["type"]) == (
        reminder.id,
        "María García",
        "Yamaha U1",
        "call",
    )
    assert state.counts["today"] == 1 and state.counts["badge"] == 1


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"title": "  "}, {"title": "El título es obligatorio."}),
        ({"due_date": ""}, {"due_date": "La fecha es obligatoria."}),
        ({"due_date": "31/02/2026"}, {"due_date": "Fecha no válida."}),
    ],
)
def test_a_bad_reminder_form_writes_nothing(signed_in, engine, maria, changes, errors):
    state = signed_in(RemindersState, "/recordatorios")
    handle(RemindersState.load)(state)
    RemindersState.open_new.fn(state)
    RemindersState.pick_client.fn(state, maria.id, maria.name)

    assert RemindersState.save.fn(state, reminder_form(**changes)) is None

    assert state.form_errors == errors
    assert state.editor_open
    assert count(engine, Reminder) == 0


def test_a_reminder_needs_a_client(signed_in, engine, maria):
    state = signed_in(RemindersState, "/recordatorios")
    handle(RemindersState.load)(state)
    RemindersState.open_new.fn(state)

    assert RemindersState.save.fn(state, reminder_form()) is None

    assert state.form_errors == {"client_id": "Elige un cliente."}
    assert count(engine, Reminder) == 0


def test_complete_reopen_and_remove_a_reminder(signed_in, engine, technician, maria):
    overdue = add_reminder(engine, technician, maria, local_today() - timedelta(days=3), "Atrasado")
    later = add_reminder(engine, technician, maria, local_today() + timedelta(days=40), "Luego")
    state = signed_in(RemindersState, "/recordatorios")
    handle(RemindersState.load)(state)
    assert [r["id"] for r in state.buckets["overdue"]] == [overdue.id]
    assert state.buckets["overdue"][0]["days_overdue"] == 3
    assert [r["id"] for r in state.buckets["later"]] == [later.id]
    assert state.counts["badge"] == 1
    assert state.nav_badges["/recordatorios"] == 1

    result = RemindersState.complete.fn(state, overdue.id)
    assert toasts(result) == [("success", "Recordatorio hecho")]
    assert fetch(engine, Reminder, overdue.id).done
    assert state.buckets["overdue"] == []
    assert [r["id"] for r in state.buckets["done"]] == [overdue.id]
    assert state.counts["badge"] == 0
    assert state.nav_badges["/recordatorios"] == 0  # the sidebar follows at once

    result = RemindersState.reopen.fn(state, overdue.id)
    assert toasts(result) == [("success", "Recordatorio reabierto")]
    assert not fetch(engine, Reminder, overdue.id).done
    assert [r["id"] for r in state.buckets["overdue"]] == [overdue.id]
    assert state.buckets["done"] == []
    assert state.counts["badge"] == 1

    result = RemindersState.remove.fn(state, later.id)
    assert toasts(result) == [("success", "Recordatorio eliminado")]
    assert fetch(engine, Reminder, later.id) is None
    assert state.buckets["later"] == []
    assert count(engine, Reminder) == 1


def test_another_technicians_reminder_cannot_be_touched(
    signed_in, engine, technician, other_technician
):
    foreign_client = add_client(engine, other_technician, "Cliente Ajeno")
    foreign = add_reminder(engine, other_technician, foreign_client, local_today(), "Ajeno")
    state = signed_in(RemindersState, "/recordatorios")
    handle(RemindersState.load)(state)
    assert all(bucket == [] for bucket in state.buckets.values())

    for handler in (RemindersState.complete, RemindersState.reopen, RemindersState.remove):
        with pytest.raises(NotFound):
            handler.fn(state, foreign.id)
    # A client of theirs cannot be picked for a new reminder.
    RemindersState.open_new.fn(state)
    state.picked_client_id = foreign_client.id
    assert RemindersState.save.fn(state, reminder_form()) is None
    assert state.form_errors == {"client_id": "Elige un cliente."}

    stored = fetch(engine, Reminder, foreign.id)
    assert (stored.done, stored.title) == (False, "Ajeno")
    assert count(engine, Reminder) == 1


def test_save_message_templates(signed_in, engine, technician, maria, due_piano):
    state = signed_in(RemindersState, "/recordatorios")
    handle(RemindersState.load)(state)
    defaults = dict(state.templates)

    bad = {
        "email_subject": "Revisión de {piano}",
        "email_body": "Hola {foo}, le escribe {tecnico}.",
        "whatsapp_body": "Hola {cliente}",
    }
    assert RemindersState.save_templates.fn(state, bad) is None

    assert state.template_errors == {
        "email_body": (
            "Variable desconocida. Usa {cliente}, {piano}, {ultimo_servicio}, {meses} o {tecnico}."
        )
    }
    assert count(engine, MessageTemplate) == 0  # not even the valid WhatsApp text
    assert state.templates == defaults

    good = {
        "email_subject": "Su piano {piano}",
        "email_body": "Hola {cliente}, han pasado {meses} meses.",
        "whatsapp_body": "Hola {cliente}, toca revisar el {piano}.",
    }
    result = RemindersState.save_templates.fn(state, good)

    assert toasts(result) == [("success", "Cambios guardados")]
    assert state.template_errors == {}
    assert state.templates == good
    assert count(engine, MessageTemplate) == 2
    RemindersState.open_contact.fn(state, due_piano.id)
    assert state.contact["subject"] == "Su piano Yamaha U1"
    assert state.contact["whatsapp_text"] == "Hola María García, toca revisar el Yamaha U1."

    assert RemindersState.save_templates.fn(state, {**good, "email_subject": ""}) is None
    assert state.template_errors == {"email_subject": "El asunto es obligatorio."}
    assert state.templates == good


# -- InventoryState ----------------------------------------------------------------------


ITEM_FORM = {
    "name": "Cuerda nº 3",
    "category": "strings",
    "sku": "",
    "quantity": "10",
    "unit": "ud",
    "min_stock": "12",
    "cost_per_unit": "3,50",
    "supplier": "",
    "notes": "",
}


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"name": " "}, {"name": "El nombre es obligatorio."}),
        ({"quantity": "-1"}, {"quantity": "La cantidad no puede ser negativa."}),
        ({"quantity": "diez"}, {"quantity": "Cantidad no válida."}),
        ({"min_stock": "-2"}, {"min_stock": "La cantidad no puede ser negativa."}),
    ],
)
def test_a_bad_item_form_writes_nothing(signed_in, engine, changes, errors):
    state = signed_in(InventoryState, "/inventario")
    handle(InventoryState.load)(state)
    InventoryState.open_new.fn(state)

    assert InventoryState.save.fn(state, {**ITEM_FORM, **changes}) is None

    assert state.form_errors == errors
    assert state.editor_open
    assert count(engine, InventoryItem) == 0
    assert count(engine, StockMovement) == 0


def test_create_an_item_below_its_minimum_and_buy_more(signed_in, engine, technician):
    state = signed_in(InventoryState, "/inventario")
    handle(InventoryState.load)(state)
    assert (state.items, state.low_count) == ([], 0)
    InventoryState.open_new.fn(state)
    assert state.form["category"] == "other"

    result = InventoryState.save.fn(state, ITEM_FORM)

    assert toasts(result) == [("success", "Material guardado")]
    [item] = rows(engine, InventoryItem)
    assert (item.technician_id, item.name, item.quantity, item.min_stock) == (
        technician.id,
        "Cuerda nº 3",
        Decimal("10"),
        Decimal("12"),
    )
    assert item.cost_per_unit == Decimal("3.50")
    assert not state.editor_open
    [shown] = state.items
    assert (shown["id"], shown["name"], shown["quantity"], shown["min_stock"]) == (
        item.id,
        "Cuerda nº 3",
        "10 ud",
        "12",
    )
    assert shown["low_stock"] is True
    assert state.low_count == 1
    assert state.nav_badges["/inventario"] == 1

    assert InventoryState.open_detail.fn(state, item.id) is None
    assert state.detail_open
    assert (state.detail["quantity"], state.detail["low_stock"]) == ("10 ud", "yes")
    assert [(m["reason"], m["delta"]) for m in state.movements] == [("purchase", "+10")]

    result = InventoryState.record_movement.fn(
        state, {"reason": "purchase", "amount": "5", "note": "pedido"}
    )

    assert toasts(result) == [("success", "Movimiento registrado")]
    assert fetch(engine, InventoryItem, item.id).quantity == Decimal("15")
    assert state.movement_errors == {}
    assert (state.detail["quantity"], state.detail["low_stock"]) == ("15 ud", "")
    latest = state.movements[0]
    assert (latest["reason"], latest["delta"], latest["after"], latest["note"]) == (
        "purchase",
        "+5",
        "→ 15",
        "pedido",
    )
    assert len(state.movements) == 2
    assert state.items[0]["quantity"] == "15 ud"
    assert state.items[0]["low_stock"] is False
    assert state.low_count == 0
    assert state.nav_badges["/inventario"] == 0  # the sidebar follows at once

    # A negative adjustment within the stock is fine.
    result = InventoryState.record_movement.fn(state, {"reason": "adjustment", "amount": "-1,5"})
    assert toasts(result) == [("success", "Movimiento registrado")]
    assert fetch(engine, InventoryItem, item.id).quantity == Decimal("13.5")
    assert state.movements[0]["delta"] == "-1,50"
    assert state.detail["quantity"] == "13,50 ud"


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"reason": "adjustment", "amount": "-100"}, "No hay existencias suficientes"),
        ({"reason": "purchase", "amount": "abc"}, "Cantidad no válida."),
        ({"reason": "purchase", "amount": ""}, "Cantidad no válida."),
        ({"reason": "purchase", "amount": "-5"}, "Cantidad no válida."),
        ({"reason": "adjustment", "amount": "0"}, "Cantidad no válida."),
    ],
)
def test_a_bad_movement_writes_nothing(signed_in, engine, technician, form, message):
    item = add_item(engine, technician, "Fieltro", "15", "2")
    state = signed_in(InventoryState, "/inventario")
    handle(InventoryState.load)(state)
    InventoryState.open_detail.fn(state, item.id)

    assert InventoryState.record_movement.fn(state, {**form, "note": "x"}) is None

    assert state.movement_errors["amount"].startswith(message)
    assert fetch(engine, InventoryItem, item.id).quantity == Decimal("15")
    assert count(engine, StockMovement) == 1  # the initial purchase only
    assert state.detail["quantity"] == "15 ud"
    assert len(state.movements) == 1


def test_the_stock_message_shows_the_quantity_in_spanish(signed_in, engine, technician):
    item = add_item(engine, technician, "Fieltro", "15", "2")
    state = signed_in(InventoryState, "/inventario")
    handle(InventoryState.load)(state)
    InventoryState.open_detail.fn(state, item.id)

    InventoryState.record_movement.fn(state, {"reason": "adjustment", "amount": "-100"})

    # "15.000" would read as fifteen thousand in Spanish.
    assert state.movement_errors["amount"] == (
        "No hay existencias suficientes (disponible: 15). ¿Usarlo igualmente?"
    )


def test_another_technicians_item_cannot_be_seen_or_moved(
    signed_in, engine, technician, other_technician
):
    foreign = add_item(engine, other_technician, "Cuerda ajena", "1", "5")
    state = signed_in(InventoryState, "/inventario")
    handle(InventoryState.load)(state)
    assert (state.items, state.low_count) == ([], 0)

    assert toasts(InventoryState.open_detail.fn(state, foreign.id)) == [("error", "No encontrado")]
    assert not state.detail_open
    with pytest.raises(NotFound):
        InventoryState.open_edit.fn(state, foreign.id)
    state.detail = {"id": str(foreign.id)}
    with pytest.raises(NotFound):
        InventoryState.record_movement.fn(state, {"reason": "purchase", "amount": "5"})
    with pytest.raises(NotFound):
        InventoryState.set_archived.fn(state, foreign.id, True)
    state.editing_id = foreign.id
    with pytest.raises(NotFound):
        InventoryState.save.fn(state, {**ITEM_FORM, "name": "Robada"})

    stored = fetch(engine, InventoryItem, foreign.id)
    assert (stored.name, stored.quantity, stored.archived) == ("Cuerda ajena", Decimal("1"), False)
    assert count(engine, StockMovement) == 1


# -- SearchState -------------------------------------------------------------------------


def test_global_search_groups_and_keyboard(
    signed_in, engine, technician, other_technician, maria, maria_piano
):
    service = add_service(engine, technician, maria_piano)
    add_client(engine, technician, "Pedro López")
    foreign = add_client(engine, other_technician, "María García Ajena")
    add_piano(engine, other_technician, foreign, brand="Bösendorfer")
    state = signed_in(SearchState, "/")
    SearchState.set_search_open.fn(state, True)

    SearchState.set_query.fn(state, "garcia")

    assert [g["kind"] for g in state.groups] == ["clients", "pianos", "services"]
    clients_group, pianos_group, services_group = state.groups
    assert clients_group["label_key"] == "nav.clients"
    assert [(i["title"], i["link"], i["index"]) for i in clients_group["items"]] == [
        ("María García", f"/clientes/{maria.id}", 0)
    ]
    [piano_hit] = pianos_group["items"]
    assert (piano_hit["title"], piano_hit["link"], piano_hit["index"]) == (
        "Yamaha U1",
        f"/pianos/{maria_piano.id}",
        1,
    )
    assert piano_hit["subtitle"] == "María García · H-5123"  # found by its owner
    assert [i["link"] for i in services_group["items"]] == [f"/servicios/{service.id}"]
    assert state.links == [
        f"/clientes/{maria.id}",
        f"/pianos/{maria_piano.id}",
        f"/servicios/{service.id}",
    ]
    assert state.active == 0

    assert SearchState.key_down.fn(state, "ArrowDown") is None
    assert state.active == 1
    SearchState.key_down.fn(state, "ArrowUp")
    SearchState.key_down.fn(state, "ArrowUp")  # wraps to the last one
    assert state.active == 2
    SearchState.key_down.fn(state, "ArrowDown")  # and back to the first
    SearchState.key_down.fn(state, "ArrowDown")
    assert state.active == 1
    SearchState.key_down.fn(state, "Tab")  # other keys do nothing
    assert state.active == 1

    result = SearchState.key_down.fn(state, "Enter")

    assert redirect_path(result) == f"/pianos/{maria_piano.id}"
    assert (state.search_open, state.query, state.groups, state.links, state.active) == (
        False,
        "",
        [],
        [],
        0,
    )
    assert SearchState.key_down.fn(state, "Enter") is None  # nothing left to open


def test_global_search_by_serial_number_and_accents(signed_in, engine, technician, maria_piano):
    state = signed_in(SearchState, "/")

    SearchState.set_query.fn(state, "h-5123")
    assert [g["kind"] for g in state.groups] == ["pianos"]
    assert state.groups[0]["items"][0]["link"] == f"/pianos/{maria_piano.id}"

    SearchState.set_query.fn(state, "MARÍA garcía")
    assert state.links[0] == f"/clientes/{maria_piano.client_id}"

    result = SearchState.go.fn(state, state.links[0])
    assert redirect_path(result) == f"/clientes/{maria_piano.client_id}"
    assert (state.query, state.groups) == ("", [])


@pytest.mark.parametrize("text", ["g", " a ", "", "   "])
def test_global_search_needs_two_characters(signed_in, engine, maria, text):
    state = signed_in(SearchState, "/")
    SearchState.set_query.fn(state, "garcia")
    assert state.groups

    SearchState.set_query.fn(state, text)

    assert (state.groups, state.links, state.active) == ([], [], 0)


def test_global_search_never_shows_another_technicians_records(
    signed_in, engine, technician, other_technician
):
    foreign = add_client(engine, other_technician, "María García")
    piano = add_piano(engine, other_technician, foreign, serial_number="H-5123")
    add_service(engine, other_technician, piano)
    state = signed_in(SearchState, "/")

    for text in ("garcia", "maria", "yamaha", "h-5123"):
        SearchState.set_query.fn(state, text)
        assert (state.groups, state.links) == ([], []), text
    assert SearchState.key_down.fn(state, "Enter") is None


# -- the sidebar badges (set by every protected page's ``@page_load``) ---------------------


def test_opening_a_page_sets_the_sidebar_badges(
    signed_in, engine, technician, other_technician, maria
):
    today = local_today()
    add_reminder(engine, technician, maria, today - timedelta(days=2), "Atrasado")
    add_reminder(engine, technician, maria, today, "Hoy")
    add_reminder(engine, technician, maria, today + timedelta(days=30), "Más adelante")
    done = add_reminder(engine, technician, maria, today - timedelta(days=1), "Hecho")
    with Session(engine, expire_on_commit=False) as session:
        reminders.complete_reminder(session, technician, done.id)
        session.commit()
    add_item(engine, technician, "Cuerda nº 3", "1", "5")  # low
    add_item(engine, technician, "Fieltro", "10", "2")  # fine
    archived = add_item(engine, technician, "Martillo", "0", "1")  # low, but archived
    with Session(engine, expire_on_commit=False) as session:
        inventory.set_item_archived(session, technician, archived.id, True)
        session.commit()
    # Another technician's records count for them only.
    foreign_client = add_client(engine, other_technician, "Cliente Ajeno")
    add_reminder(engine, other_technician, foreign_client, today, "Ajeno")
    add_item(engine, other_technician, "Ajeno", "0", "3")
    state = signed_in(RemindersState, "/recordatorios")

    assert handle(RemindersState.load)(state) is None

    assert state.auth_checked
    assert state.nav_badges == {"/recordatorios": 2, "/inventario": 1}

    other = signed_in(InventoryState, "/inventario", user=other_technician)
    handle(InventoryState.load)(other)
    assert other.auth_checked
    assert other.nav_badges == {"/recordatorios": 1, "/inventario": 1}


def test_page_badges_are_zero_without_records(signed_in, engine):
    state = signed_in(AgendaState, "/agenda")
    handle(AgendaState.load)(state)
    assert state.nav_badges == {"/recordatorios": 0, "/inventario": 0}


def test_a_page_signed_out_redirects_and_shows_no_badges(engine, maria):
    state = make_state(RemindersState, "/recordatorios")

    result = handle(RemindersState.load)(state)

    assert redirect_path(result) == "/entrar?next=%2Frecordatorios"
    assert state.auth_checked
    assert state.nav_badges == {}
    assert (state.loaded, state.due_groups, state.buckets) == (False, [], {})


# -- signed out --------------------------------------------------------------------------


SIGNED_OUT_CALLS = [
    (AgendaState, "/agenda", "set_view", ("day",)),
    (AgendaState, "/agenda", "shift", (1,)),
    (AgendaState, "/agenda", "go_today", ()),
    (AgendaState, "/agenda", "open_new", ()),
    (AgendaState, "/agenda", "save", (appointment_form(None),)),
    (AgendaState, "/agenda", "confirm", ("appointment",)),
    (AgendaState, "/agenda", "cancel", ("appointment",)),
    (AgendaState, "/agenda", "complete", ("appointment",)),
    (AgendaState, "/agenda", "record_service", ({"service_type": "tuning", "cost": "90"},)),
    (AgendaState, "/agenda", "book_next", ({"next_date": "2030-01-01", "next_time": "10:00"},)),
    (RemindersState, "/recordatorios", "open_contact", ("piano",)),
    (RemindersState, "/recordatorios", "mark_contacted", ("whatsapp",)),
    (RemindersState, "/recordatorios", "complete", ("reminder",)),
    (RemindersState, "/recordatorios", "remove", ("reminder",)),
    (RemindersState, "/recordatorios", "save", (reminder_form(),)),
    (RemindersState, "/recordatorios", "save_templates", ({"email_body": "x"},)),
    (InventoryState, "/inventario", "open_new", ()),
    (InventoryState, "/inventario", "save", (ITEM_FORM,)),
    (InventoryState, "/inventario", "set_archived", ("item", True)),
    (InventoryState, "/inventario", "record_movement", ({"reason": "purchase", "amount": "5"},)),
    (SearchState, "/", "set_query", ("garcia",)),
]


@pytest.fixture
def records(engine, technician, maria, maria_piano):
    appointment = add_appointment(engine, technician, maria, piano_id=maria_piano.id)
    reminder = add_reminder(engine, technician, maria, local_today(), "Llamar")
    item = add_item(engine, technician, "Cuerda", "10", "2")
    backdate_piano(engine, maria_piano, 400)
    return {
        "appointment": appointment.id,
        "reminder": reminder.id,
        "item": item.id,
        "piano": maria_piano.id,
        "client": maria.id,
    }


def snapshot(engine) -> tuple:
    with Session(engine) as session:
        return (
            tuple(
                (a.id, a.status, a.starts_at)
                for a in session.exec(select(Appointment).order_by(Appointment.id))
            ),
            tuple((r.id, r.done) for r in session.exec(select(Reminder).order_by(Reminder.id))),
            tuple(
                (i.id, i.quantity, i.archived)
                for i in session.exec(select(InventoryItem).order_by(InventoryItem.id))
            ),
            session.exec(select(func.count()).select_from(StockMovement)).one(),
            session.exec(select(func.count()).select_from(Service)).one(),
            session.exec(select(func.count()).select_from(MessageTemplate)).one(),
        )


@pytest.mark.parametrize("token", ["none", "forged"])
@pytest.mark.parametrize(
    ("cls", "path", "handler", "args"),
    SIGNED_OUT_CALLS,
    ids=[f"{cls.__name__}.{name}" for cls, _, name, _ in SIGNED_OUT_CALLS],
)
def test_signed_out_handlers_raise_and_write_nothing(
    engine, records, cls, path, handler, args, token
):
    before = snapshot(engine)
    state = make_state(cls, path)
    if token == "forged":
        set_session(state, "eyJhbGciOiJIUzI1NiJ9.e30.bm90LWEtc2lnbmF0dXJl")
    # What a page would hold after a load: ids of real records.
    if hasattr(state, "picked_client_id"):
        state.picked_client_id = records["client"]
    if cls is AgendaState:
        state.completion = {
            "appointment_id": str(records["appointment"]),
            "service_date": local_today().isoformat(),
            "duration_minutes": "60",
        }
    if cls is RemindersState:
        state.contact = {"piano_id": str(records["piano"])}
    if cls is InventoryState:
        state.detail = {"id": str(records["item"])}
    args = tuple(records.get(a, a) if isinstance(a, str) else a for a in args)

    with pytest.raises(NotSignedIn):
        getattr(cls, handler).fn(state, *args)

    assert snapshot(engine) == before


@pytest.mark.parametrize(
    ("cls", "path", "names"),
    [
        (AgendaState, "/agenda", ("days", "calendar_url")),
        (RemindersState, "/recordatorios", ("due_groups", "buckets", "counts", "templates")),
        (InventoryState, "/inventario", ("items",)),
    ],
)
def test_signed_out_loads_show_nothing(engine, records, cls, path, names):
    # The page's load (a ``@page_load``) checks the session first: sign-in, and
    # the page's own work does not run.
    before = snapshot(engine)
    state = make_state(cls, path)

    assert redirect_path(handle(cls.load)(state)) == "/entrar?next=" + quote(path, safe="")
    assert state.auth_checked and state.user_id == 0

    assert getattr(state, "loaded", False) is False
    for name in names:
        assert not getattr(state, name), name
    assert snapshot(engine) == before
