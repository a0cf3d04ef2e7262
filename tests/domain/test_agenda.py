"""The agenda in the domain layer, on SQLite and MariaDB.

Dates are Spanish: 15 July 2026 is summer time (UTC+2), 15 January 2026
winter time (UTC+1); summer time starts on 29 March 2026 (02:00 → 03:00).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from piano_emotion.domain import agenda, alerts, clients, dashboard, pianos, services
from piano_emotion.domain.agenda import AppointmentInput
from piano_emotion.domain.alerts import MaintenanceSettingsInput
from piano_emotion.domain.clients import ClientInput
from piano_emotion.domain.errors import DomainError, NotFound, ValidationFailed
from piano_emotion.domain.pianos import PianoInput
from piano_emotion.domain.services import ServiceInput
from piano_emotion.formatting import to_local
from piano_emotion.models import Appointment, Service
from piano_emotion.models.enums import AppointmentStatus


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def make_client(session, user, name="María García", **extra):
    client = clients.create_client(session, user, ClientInput(name=name, **extra))
    session.commit()
    return client


def make_piano(session, user, client, brand="Yamaha", model="U3", interval=None):
    piano = pianos.create_piano(
        session,
        user,
        PianoInput(
            client_id=client.id,
            brand=brand,
            model=model,
            service_interval_months="" if interval is None else interval,
        ),
    )
    session.commit()
    return piano


def book(session, user, client, day="2026-07-15", at="10:00", **extra):
    appointment, overlaps = agenda.create_appointment(
        session, user, AppointmentInput(client_id=client.id, date=day, time=at, **extra)
    )
    session.commit()
    return appointment, overlaps


def count(session, user) -> int:
    return len(session.exec(select(Appointment).where(Appointment.technician_id == user.id)).all())


@pytest.fixture
def client(session, technician):
    return make_client(session, technician, address="Calle Mayor 1", city="Madrid")


@pytest.fixture
def piano(session, technician, client):
    return make_piano(session, technician, client)


# -- create, read, update, delete --------------------------------------------------------
def test_create_read_update_delete(session, technician, client, piano):
    appointment, overlaps = book(
        session, technician, client, piano_id=piano.id, service_type="tuning", notes="Timbre 2º"
    )
    assert overlaps == []
    detail = agenda.get_appointment(session, technician, appointment.id)
    # No title typed: the service type's Spanish name; no address: the client's.
    assert detail["title"] == "Afinación"
    assert detail["address"] == "Calle Mayor 1, Madrid"
    assert detail["client"] == "María García" and detail["piano"] == "Yamaha U3"
    assert (detail["date"], detail["start"], detail["end"]) == ("2026-07-15", "10:00", "11:00")
    assert detail["duration_minutes"] == 60 and detail["status"] == "scheduled"
    assert detail["service_type"] == "tuning" and detail["notes"] == "Timbre 2º"
    assert detail["service_ids"] == [] and detail["overlaps"] == []

    updated, overlaps = agenda.update_appointment(
        session,
        technician,
        appointment.id,
        AppointmentInput.from_form(
            {
                "client_id": str(client.id),
                "piano_id": "",
                "title": "Regulación completa",
                "date": "16/07/2026",
                "time": "17:30",
                "duration_minutes": "90",
                "service_type": "regulation",
                "address": "Conservatorio, aula 3",
                "status": "confirmed",
            }
        ),
    )
    session.commit()
    assert updated.id == appointment.id and overlaps == []
    detail = agenda.get_appointment(session, technician, appointment.id)
    assert detail["title"] == "Regulación completa" and detail["piano_id"] is None
    assert (detail["date"], detail["start"], detail["end"]) == ("2026-07-16", "17:30", "19:00")
    assert detail["address"] == "Conservatorio, aula 3" and detail["status"] == "confirmed"

    assert agenda.remove_appointment(session, technician, appointment.id) == "deleted"
    session.commit()
    with pytest.raises(NotFound):
        agenda.get_appointment(session, technician, appointment.id)
    assert count(session, technician) == 0


def test_a_piano_without_a_client_books_its_owner(session, technician, client, piano):
    appointment, _ = agenda.create_appointment(
        session,
        technician,
        AppointmentInput(piano_id=piano.id, title="Visita", date="2026-07-15", time="9:05"),
    )
    session.commit()
    assert appointment.client_id == client.id
    assert agenda.get_appointment(session, technician, appointment.id)["start"] == "09:05"


@pytest.mark.parametrize(
    ("changes", "field", "key"),
    [
        ({"time": "25:00"}, "time", "error.time_invalid"),
        ({"time": "10:75"}, "time", "error.time_invalid"),
        ({"time": "diez"}, "time", "error.time_invalid"),
        ({"time": ""}, "time", "error.time_required"),
        ({"duration_minutes": "0"}, "duration_minutes", "error.appointment_duration_invalid"),
        ({"duration_minutes": "721"}, "duration_minutes", "error.appointment_duration_invalid"),
        ({"duration_minutes": "1,5"}, "duration_minutes", "error.appointment_duration_invalid"),
        ({"date": ""}, "date", "error.date_required"),
        ({"date": "31/02/2026"}, "date", "error.date_invalid"),
        ({"date": "1999-12-31"}, "date", "error.date_out_of_range"),
        ({"date": "2099-01-01"}, "date", "error.date_out_of_range"),
        ({"title": ""}, "title", "error.title_required"),
        ({"title": "x" * 201}, "title", "error.too_long"),
        ({"service_type": "banana"}, "service_type", "error.choice_invalid"),
        ({"status": "lost"}, "status", "error.choice_invalid"),
        ({"address": "x" * 256}, "address", "error.too_long"),
        ({"client_id": ""}, "client_id", "error.client_required"),
        ({"client_id": "abc"}, "client_id", "error.client_required"),
        # The hour skipped when summer time starts does not exist in Madrid.
        ({"date": "2026-03-29", "time": "02:30"}, "time", "error.time_invalid"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(session, technician, client, changes, field, key):
    form = {
        "client_id": str(client.id),
        "title": "Afinación",
        "date": "2026-07-15",
        "time": "10:00",
        "duration_minutes": "60",
        **changes,
    }
    with pytest.raises(ValidationFailed) as refused:
        agenda.create_appointment(session, technician, AppointmentInput.from_form(form))
    session.rollback()
    assert refused.value.fields[field] == key
    assert count(session, technician) == 0


def test_a_piano_of_another_client_is_a_field_error(session, technician, client):
    other = make_client(session, technician, "Otro Cliente")
    others_piano = make_piano(session, technician, other, brand="Kawai")
    with pytest.raises(ValidationFailed) as refused:
        agenda.create_appointment(
            session,
            technician,
            AppointmentInput(
                client_id=client.id,
                piano_id=others_piano.id,
                title="X",
                date="2026-07-15",
                time="10:00",
            ),
        )
    session.rollback()
    assert refused.value.fields == {"piano_id": "error.piano_not_of_client"}
    assert count(session, technician) == 0

    appointment, _ = book(session, technician, client, title="Mía")
    with pytest.raises(ValidationFailed) as refused:
        agenda.update_appointment(
            session,
            technician,
            appointment.id,
            AppointmentInput(
                client_id=client.id,
                piano_id=others_piano.id,
                title="X",
                date="2026-07-15",
                time="10:00",
            ),
        )
    session.rollback()
    assert refused.value.fields == {"piano_id": "error.piano_not_of_client"}
    assert session.get(Appointment, appointment.id).piano_id is None


def test_other_technicians_appointments_clients_and_pianos_do_not_exist(
    session, technician, other_technician, client, piano
):
    appointment, _ = book(session, technician, client, title="Mía")
    theirs = make_client(session, other_technician, "De otro")
    form = AppointmentInput(client_id=client.id, title="X", date="2026-07-15", time="10:00")
    for call in (
        lambda: agenda.get_appointment(session, other_technician, appointment.id),
        lambda: agenda.update_appointment(session, other_technician, appointment.id, form),
        lambda: agenda.create_appointment(session, other_technician, form),
        lambda: agenda.create_appointment(
            session,
            other_technician,
            AppointmentInput(
                client_id=theirs.id, piano_id=piano.id, title="X", date="2026-07-15", time="10:00"
            ),
        ),
        lambda: agenda.confirm_appointment(session, other_technician, appointment.id),
        lambda: agenda.cancel_appointment(session, other_technician, appointment.id),
        lambda: agenda.complete_appointment(session, other_technician, appointment.id),
        lambda: agenda.book_next_visit(
            session, other_technician, appointment.id, "2026-08-01", "10:00"
        ),
        lambda: agenda.remove_appointment(session, other_technician, appointment.id),
    ):
        with pytest.raises(NotFound):
            call()
        session.rollback()
    assert agenda.list_appointments(session, other_technician, "2026-07-01", "2026-07-31") == []
    assert session.get(Appointment, appointment.id).status == AppointmentStatus.SCHEDULED


# -- time zone -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "at", "stored"),
    [
        ("2026-07-15", "10:00", utc(2026, 7, 15, 8, 0)),  # summer: UTC+2
        ("15/01/2026", "10:00", utc(2026, 1, 15, 9, 0)),  # winter: UTC+1
        ("2026-03-29", "03:00", utc(2026, 3, 29, 1, 0)),  # the first summer hour
        ("2026-10-25", "00:30", utc(2026, 10, 24, 22, 30)),  # still summer, next UTC day back
        ("2026-01-01", "00:15", utc(2025, 12, 31, 23, 15)),  # a new year in Madrid only
    ],
)
def test_madrid_time_round_trip(session, technician, client, engine, day, at, stored):
    appointment, _ = book(session, technician, client, day=day, at=at, title="Visita")
    with Session(engine) as fresh:
        row = fresh.get(Appointment, appointment.id)
        assert row.starts_at == stored and row.starts_at.tzinfo is not None
    local_day = date.fromisoformat(day) if "-" in day else datetime.strptime(day, "%d/%m/%Y").date()
    detail = agenda.get_appointment(session, technician, appointment.id)
    assert (detail["date"], detail["start"]) == (local_day.isoformat(), at)
    listed = agenda.list_appointments(session, technician, local_day, local_day)
    assert [(i["id"], i["start"], i["starts_at"]) for i in listed] == [(appointment.id, at, stored)]


# -- overlaps ------------------------------------------------------------------------
def test_overlap_detection(session, technician, other_technician, client):
    first, overlaps = book(session, technician, client, at="10:00", title="Primera")
    assert overlaps == []
    # Touching: 11:00 starts when the first ends, and 09:00-10:00 ends when it starts.
    touching_after, overlaps = book(session, technician, client, at="11:00", title="Después")
    assert overlaps == []
    touching_before, overlaps = book(session, technician, client, at="09:00", title="Antes")
    assert overlaps == []
    # A cancelled one never overlaps, nor is overlapped.
    _cancelled, overlaps = book(
        session, technician, client, at="10:15", title="Anulada", status="cancelled"
    )
    assert overlaps == []
    # Another technician's appointment at the same time never counts.
    theirs = make_client(session, other_technician, "De otro")
    book(session, other_technician, theirs, at="10:00", title="Del otro")

    inside, overlaps = book(
        session, technician, client, at="10:30", duration_minutes="20", title="Solapada"
    )
    assert [o["id"] for o in overlaps] == [first.id]
    assert overlaps[0]["title"] == "Primera" and overlaps[0]["client"] == "María García"
    assert (overlaps[0]["start"], overlaps[0]["end"]) == ("10:00", "11:00")
    # Saving is allowed: it is there.
    assert session.get(Appointment, inside.id) is not None

    # Moving it over two of them reports both; itself never.
    moved, overlaps = agenda.update_appointment(
        session,
        technician,
        inside.id,
        AppointmentInput(
            client_id=client.id,
            title="Larga",
            date="2026-07-15",
            time="09:30",
            duration_minutes=120,
        ),
    )
    session.commit()
    assert [o["id"] for o in overlaps] == [touching_before.id, first.id, touching_after.id]

    found = agenda.find_overlaps(
        session, technician, utc(2026, 7, 15, 8, 0), 60, exclude_id=first.id
    )
    assert [o["id"] for o in found] == [moved.id]
    assert agenda.find_overlaps(session, technician, utc(2026, 7, 15, 12, 0), 60) == []

    listed = {
        i["title"]: i["overlaps"]
        for i in agenda.list_appointments(session, technician, "2026-07-15", "2026-07-15")
    }
    assert listed == {
        "Antes": True,
        "Primera": True,
        "Larga": True,
        "Anulada": False,
        "Después": True,
    }
    agenda.cancel_appointment(session, technician, moved.id)
    session.commit()
    listed = {
        i["title"]: i["overlaps"]
        for i in agenda.list_appointments(session, technician, "2026-07-15", "2026-07-15")
    }
    assert not any(listed.values())
    assert agenda.get_appointment(session, technician, first.id)["overlaps"] == []


def test_an_overlap_across_midnight_is_flagged_on_both_days(session, technician, client):
    late, _ = book(
        session, technician, client, day="2026-07-15", at="23:30", duration_minutes=90, title="L"
    )
    early, overlaps = book(session, technician, client, day="2026-07-16", at="00:30", title="T")
    assert [o["id"] for o in overlaps] == [late.id]
    (item,) = agenda.list_appointments(session, technician, "2026-07-16", "2026-07-16")
    assert item["id"] == early.id and item["overlaps"] is True
    (item,) = agenda.list_appointments(session, technician, "2026-07-15", "2026-07-15")
    assert item["end"] == "01:00" and item["end_date"] == "2026-07-16" and item["overlaps"]


# -- status changes ------------------------------------------------------------------
def test_confirm_cancel_and_closed_appointments(session, technician, client):
    appointment, _ = book(session, technician, client, title="Visita")
    assert agenda.confirm_appointment(session, technician, appointment.id).status == "confirmed"
    session.commit()
    assert agenda.get_appointment(session, technician, appointment.id)["status"] == "confirmed"
    agenda.cancel_appointment(session, technician, appointment.id)
    session.commit()
    assert agenda.get_appointment(session, technician, appointment.id)["status"] == "cancelled"
    with pytest.raises(DomainError) as refused:
        agenda.confirm_appointment(session, technician, appointment.id)
    assert refused.value.key == "error.appointment_closed"
    with pytest.raises(DomainError) as refused:
        agenda.complete_appointment(session, technician, appointment.id)
    assert refused.value.key == "error.appointment_cancelled"

    done, _ = book(session, technician, client, at="12:00", title="Hecha")
    agenda.complete_appointment(session, technician, done.id)
    session.commit()
    with pytest.raises(DomainError) as refused:
        agenda.cancel_appointment(session, technician, done.id)
    assert refused.value.key == "error.appointment_closed"


# -- completing into a service -------------------------------------------------------------
def test_complete_proposes_the_service_and_the_next_visit(session, technician, client):
    piano = make_piano(session, technician, client, interval=6)
    appointment, _ = book(
        session,
        technician,
        client,
        day="2026-08-31",
        at="18:45",
        piano_id=piano.id,
        service_type="regulation",
        duration_minutes="90",
        notes="Pedal",
    )
    proposal = agenda.complete_appointment(session, technician, appointment.id)
    session.commit()
    assert session.get(Appointment, appointment.id).status == AppointmentStatus.COMPLETED
    assert proposal == {
        "appointment_id": appointment.id,
        "client_id": client.id,
        "client_name": "María García",
        "piano_id": piano.id,
        "piano": "Yamaha U3",
        "service": {
            "piano_id": piano.id,
            "service_type": "regulation",
            "status": "completed",
            "service_date": date(2026, 8, 31),
            "duration_minutes": 90,
            "notes": "Pedal",
        },
        # 31 August + 6 months: the last day of February.
        "next_visit": {"date": date(2027, 2, 28), "time": "18:45", "interval_months": 6},
    }
    assert ServiceInput(**proposal["service"]).piano_id == piano.id
    # Completing again gives the same proposal.
    assert agenda.complete_appointment(session, technician, appointment.id) == proposal


def test_service_date_is_the_local_date(session, technician, client, piano):
    # 00:30 in Madrid on 1 July is still 30 June in UTC.
    appointment, _ = book(session, technician, client, day="2026-07-01", at="00:30", title="X")
    proposal = agenda.complete_appointment(session, technician, appointment.id)
    assert proposal["service"]["service_date"] == date(2026, 7, 1)
    # No type on the appointment: a tuning; no piano: the technician picks one.
    assert proposal["service"]["service_type"] == "tuning"
    assert proposal["service"]["piano_id"] is None and proposal["piano"] == ""


def test_next_visit_from_the_default_interval_or_none(session, technician, client):
    default_piano = make_piano(session, technician, client, model="Sin intervalo")
    calls = make_piano(session, technician, client, model="Llama el cliente", interval=0)
    by_default, _ = book(session, technician, client, piano_id=default_piano.id, title="A")
    never, _ = book(session, technician, client, at="12:00", piano_id=calls.id, title="B")
    proposal = agenda.complete_appointment(session, technician, by_default.id)
    assert proposal["next_visit"] == {
        "date": date(2027, 7, 15),
        "time": "10:00",
        "interval_months": 12,
    }
    assert agenda.complete_appointment(session, technician, never.id)["next_visit"] is None

    # The technician's own default interval is used once saved.
    alerts.update_maintenance_settings(
        session, technician, MaintenanceSettingsInput(default_interval_months=3)
    )
    session.commit()
    proposal = agenda.complete_appointment(session, technician, by_default.id)
    assert proposal["next_visit"]["date"] == date(2026, 10, 15)
    alerts.update_maintenance_settings(
        session, technician, MaintenanceSettingsInput(default_interval_months=0)
    )
    session.commit()
    assert agenda.complete_appointment(session, technician, by_default.id)["next_visit"] is None


def test_record_service_links_the_appointment_and_counts_on_the_dashboard(
    session, technician, client, piano
):
    today = alerts.local_today()
    appointment, _ = book(
        session,
        technician,
        client,
        day=today.isoformat(),
        at="09:00",
        piano_id=piano.id,
        service_type="tuning",
    )
    before = dashboard.dashboard(session, technician, today.year, today.month)
    assert before["services_done"] == 0
    agenda.get_appointment(session, technician, appointment.id)

    proposal = agenda.complete_appointment(session, technician, appointment.id)
    session.commit()
    data = ServiceInput(**{**proposal["service"], "cost": "90,00"})
    service = agenda.record_service_from_appointment(session, technician, appointment.id, data)
    session.commit()

    row = session.get(Service, service.id)
    assert row.appointment_id == appointment.id and row.piano_id == piano.id
    assert row.client_id == client.id and row.service_date == today
    assert services.get_service(session, technician, service.id)["appointment_id"] == appointment.id
    assert agenda.get_appointment(session, technician, appointment.id)["service_ids"] == [
        service.id
    ]
    after = dashboard.dashboard(session, technician, today.year, today.month)
    assert after["services_done"] == 1

    # An empty piano is the appointment's piano; removing the appointment keeps
    # the service, unlinked.
    second = agenda.record_service_from_appointment(
        session,
        technician,
        appointment.id,
        ServiceInput(piano_id="", service_type="inspection", service_date=today),
    )
    session.commit()
    assert second.piano_id == piano.id
    agenda.remove_appointment(session, technician, appointment.id)
    session.commit()
    session.expire_all()
    assert session.get(Service, service.id).appointment_id is None
    assert services.get_service(session, technician, service.id)["appointment_id"] is None


def test_record_service_refuses_a_piano_of_another_client_and_cancelled_ones(
    session, technician, client, piano
):
    other = make_client(session, technician, "Otro Cliente")
    others_piano = make_piano(session, technician, other, brand="Kawai")
    appointment, _ = book(session, technician, client, title="Sin piano")
    today = alerts.local_today()
    with pytest.raises(ValidationFailed) as refused:
        agenda.record_service_from_appointment(
            session, technician, appointment.id, ServiceInput(piano_id=None, service_date=today)
        )
    assert refused.value.fields["piano_id"] == "error.piano_required"
    session.rollback()
    with pytest.raises(ValidationFailed) as refused:
        agenda.record_service_from_appointment(
            session,
            technician,
            appointment.id,
            ServiceInput(piano_id=others_piano.id, service_date=today),
        )
    assert refused.value.fields == {"piano_id": "error.piano_not_of_client"}
    session.rollback()
    agenda.cancel_appointment(session, technician, appointment.id)
    session.commit()
    with pytest.raises(DomainError) as closed:
        agenda.record_service_from_appointment(
            session, technician, appointment.id, ServiceInput(piano_id=piano.id, service_date=today)
        )
    assert closed.value.key == "error.appointment_cancelled"
    session.rollback()
    assert session.exec(select(Service).where(Service.technician_id == technician.id)).all() == []


def test_book_next_visit(session, technician, client):
    piano = make_piano(session, technician, client, interval=6)
    appointment, _ = book(
        session,
        technician,
        client,
        piano_id=piano.id,
        service_type="tuning",
        duration_minutes=45,
        address="Otra dirección 5",
    )
    proposal = agenda.complete_appointment(session, technician, appointment.id)
    session.commit()
    visit = proposal["next_visit"]
    booked, overlaps = agenda.book_next_visit(
        session, technician, appointment.id, visit["date"], visit["time"]
    )
    session.commit()
    assert overlaps == []
    detail = agenda.get_appointment(session, technician, booked.id)
    assert (detail["date"], detail["start"], detail["end"]) == ("2027-01-15", "10:00", "10:45")
    assert detail["client_id"] == client.id and detail["piano_id"] == piano.id
    assert detail["title"] == "Afinación" and detail["service_type"] == "tuning"
    assert detail["address"] == "Otra dirección 5" and detail["status"] == "scheduled"
    # Winter: 10:00 in Madrid is 09:00 UTC.
    assert booked.starts_at == utc(2027, 1, 15, 9, 0)

    with pytest.raises(ValidationFailed) as refused:
        agenda.book_next_visit(session, technician, appointment.id, "2027-01-15", "24:00")
    assert refused.value.fields == {"time": "error.time_invalid"}
    session.rollback()

    # Booking at the same time again reports the overlap.
    _, overlaps = agenda.book_next_visit(session, technician, appointment.id, "15/01/2027", "10:30")
    session.commit()
    assert [o["id"] for o in overlaps] == [booked.id]


# -- views -------------------------------------------------------------------------
def test_day_week_and_month_ranges():
    wednesday = date(2026, 7, 15)
    assert agenda.agenda_range("day", wednesday) == (wednesday, wednesday)
    assert agenda.agenda_range("week", wednesday) == (date(2026, 7, 13), date(2026, 7, 19))
    assert agenda.agenda_range("week", "2026-07-13") == (date(2026, 7, 13), date(2026, 7, 19))
    assert agenda.agenda_range("week", "19/07/2026") == (date(2026, 7, 13), date(2026, 7, 19))
    # A week across the year's end.
    assert agenda.agenda_range("week", date(2027, 1, 1)) == (date(2026, 12, 28), date(2027, 1, 3))
    assert agenda.agenda_range("month", wednesday) == (date(2026, 7, 1), date(2026, 7, 31))
    assert agenda.agenda_range("month", date(2028, 2, 10)) == (date(2028, 2, 1), date(2028, 2, 29))
    with pytest.raises(ValidationFailed):
        agenda.agenda_range("year", wednesday)
    with pytest.raises(ValidationFailed):
        agenda.agenda_range("day", "mañana")


def test_list_appointments_by_local_dates(session, technician, client, piano):
    # Madrid's 1 July 00:30 is 30 June in UTC; 31 July 23:30 is 31 July 21:30 UTC.
    first, _ = book(session, technician, client, day="2026-07-01", at="00:30", title="Primera")
    last, _ = book(session, technician, client, day="2026-07-31", at="23:30", title="Última")
    book(session, technician, client, day="2026-06-30", at="23:59", title="Junio")
    book(session, technician, client, day="2026-08-01", at="00:00", title="Agosto")
    mid, _ = book(
        session,
        technician,
        client,
        day="2026-07-15",
        at="12:00",
        piano_id=piano.id,
        title="Mitad",
        status="cancelled",
    )
    start, end = agenda.agenda_range("month", date(2026, 7, 15))
    month = agenda.list_appointments(session, technician, start, end)
    assert [i["id"] for i in month] == [first.id, mid.id, last.id]
    item = month[1]
    assert {k: item[k] for k in ("date", "start", "end", "title", "client", "piano", "status")} == {
        "date": "2026-07-15",
        "start": "12:00",
        "end": "13:00",
        "title": "Mitad",
        "client": "María García",
        "piano": "Yamaha U3",
        "status": "cancelled",
    }
    assert item["starts_at"] == utc(2026, 7, 15, 10, 0) and item["overlaps"] is False
    week = agenda.list_appointments(session, technician, *agenda.agenda_range("week", "2026-07-01"))
    assert [i["title"] for i in week] == ["Junio", "Primera"]
    day = agenda.list_appointments(session, technician, *agenda.agenda_range("day", "2026-08-01"))
    assert [i["title"] for i in day] == ["Agosto"]
    for bad in (("2026-07-31", "2026-07-01"), ("2026-01-01", "2027-06-01"), ("ayer", "hoy")):
        with pytest.raises(ValidationFailed):
            agenda.list_appointments(session, technician, *bad)


def test_upcoming_appointments(session, technician, client):
    now = datetime.now(UTC)

    def at(delta: timedelta) -> dict[str, str]:
        local = to_local(now + delta)
        return {"day": local.date().isoformat(), "at": local.strftime("%H:%M")}

    book(session, technician, client, title="Pasada", **at(timedelta(hours=-3)))
    soon, _ = book(session, technician, client, title="Pronto", **at(timedelta(hours=2)))
    book(session, technician, client, title="Anulada", status="cancelled", **at(timedelta(hours=3)))
    book(session, technician, client, title="Hecha", status="completed", **at(timedelta(hours=4)))
    later = [
        book(session, technician, client, title=f"Cita {i}", **at(timedelta(days=1 + i)))[0]
        for i in range(3)
    ]
    upcoming = agenda.upcoming_appointments(session, technician, limit=3)
    assert [a["id"] for a in upcoming] == [soon.id, later[0].id, later[1].id]
    assert upcoming[0]["title"] == "Pronto" and upcoming[0]["client"] == "María García"
    # The dashboard reads the same appointments.
    today = alerts.local_today()
    board = dashboard.dashboard(session, technician, today.year, today.month)
    assert [a["id"] for a in board["upcoming_appointments"]][:2] == [soon.id, later[0].id]
    kinds = [(i["kind"], i["title_key"]) for i in board["alerts"] if i["kind"] == "appointment"]
    assert ("appointment", "feed.appointment.tomorrow") in kinds


# -- the cache ---------------------------------------------------------------------------
def test_every_write_is_seen_by_the_next_read(session, technician, client, piano):
    today = alerts.local_today()
    day = today + timedelta(days=2)

    def reads():
        return (
            agenda.list_appointments(session, technician, day, day),
            agenda.upcoming_appointments(session, technician),
            dashboard.dashboard(session, technician, today.year, today.month)[
                "upcoming_appointments"
            ],
        )

    assert reads() == ([], [], [])
    appointment, _ = book(session, technician, client, day=day.isoformat(), title="Antes")
    listed, upcoming, board = reads()
    assert [i["title"] for i in listed] == ["Antes"] == [i["title"] for i in upcoming]
    assert [i["title"] for i in board] == ["Antes"]
    assert agenda.get_appointment(session, technician, appointment.id)["title"] == "Antes"

    form = AppointmentInput(
        client_id=client.id, piano_id=piano.id, title="Después", date=day, time="11:00"
    )
    agenda.update_appointment(session, technician, appointment.id, form)
    # Not committed: the cached value still stands (the write may roll back).
    session.rollback()
    assert agenda.get_appointment(session, technician, appointment.id)["title"] == "Antes"
    agenda.update_appointment(session, technician, appointment.id, form)
    session.commit()
    listed, upcoming, board = reads()
    assert [(i["title"], i["start"], i["piano"]) for i in listed] == [
        ("Después", "11:00", "Yamaha U3")
    ]
    assert [i["title"] for i in upcoming] == ["Después"] == [i["title"] for i in board]
    assert agenda.get_appointment(session, technician, appointment.id)["start"] == "11:00"

    # Another appointment overlapping it changes its detail's overlaps.
    other, _ = book(session, technician, client, day=day.isoformat(), at="11:30", title="Otra")
    detail = agenda.get_appointment(session, technician, appointment.id)
    assert [o["id"] for o in detail["overlaps"]] == [other.id]

    # Edits of the client and the piano show in the agenda.
    clients.update_client(session, technician, client.id, ClientInput(name="María G. López"))
    pianos.update_piano(session, technician, piano.id, PianoInput(brand="Kawai", model="K3"))
    session.commit()
    listed, _, _ = reads()
    assert {(i["client"], i["piano"]) for i in listed} == {
        ("María G. López", "Kawai K3"),
        ("María G. López", ""),
    }

    agenda.confirm_appointment(session, technician, appointment.id)
    session.commit()
    assert agenda.get_appointment(session, technician, appointment.id)["status"] == "confirmed"
    agenda.cancel_appointment(session, technician, appointment.id)
    session.commit()
    listed, upcoming, board = reads()
    assert [i["status"] for i in listed if i["id"] == appointment.id] == ["cancelled"]
    assert [i["id"] for i in upcoming] == [other.id] == [i["id"] for i in board]

    agenda.remove_appointment(session, technician, other.id)
    session.commit()
    listed, upcoming, board = reads()
    assert [i["id"] for i in listed] == [appointment.id]
    assert upcoming == [] and board == []
