"""Reminders, due pianos, message templates, "mark contacted" and the daily
job (SQLite and MariaDB for everything that touches the database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from piano_emotion.domain import reminders
from piano_emotion.domain.cached import invalidate_on_commit
from piano_emotion.domain.errors import DomainError, NotFound, ValidationFailed
from piano_emotion.domain.reminders import ReminderInput, next_due_date
from piano_emotion.models import Appointment, Client, MessageTemplate, Piano, Reminder, Service
from piano_emotion.models.enums import (
    AppointmentStatus,
    ReminderSource,
    ReminderType,
    ServiceStatus,
    ServiceType,
)
from piano_emotion.models.types import utcnow
from tests.factories import make_technician

TODAY = date(2026, 11, 18)  # a Wednesday
SUNDAY = date(2026, 11, 22)


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


# -- helpers ---------------------------------------------------------------------------
def noon_utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def make_client(session, user, name="Cliente Uno", **kw) -> Client:
    client = Client(technician_id=user.id, name=name, **kw)
    session.add(client)
    session.flush()
    invalidate_on_commit(session, user, "clients")
    return client


def make_piano(session, user, client=None, *, added=date(2020, 1, 10), **kw) -> Piano:
    client = client or make_client(session, user)
    kw.setdefault("brand", "Yamaha")
    kw.setdefault("model", "U1")
    piano = Piano(
        technician_id=user.id,
        client_id=client.id,
        created_at=noon_utc(added),
        updated_at=noon_utc(added),
        **kw,
    )
    session.add(piano)
    session.flush()
    invalidate_on_commit(session, user, "pianos")
    return piano


def add_service(session, user, piano, on, status=ServiceStatus.COMPLETED, kind=None) -> Service:
    service = Service(
        technician_id=user.id,
        piano_id=piano.id,
        client_id=piano.client_id,
        service_type=kind or ServiceType.TUNING,
        status=status,
        service_date=on,
    )
    session.add(service)
    session.flush()
    invalidate_on_commit(session, user, "services")
    return service


def book(session, user, piano, *, created_at=None, status=AppointmentStatus.SCHEDULED):
    created_at = created_at or utcnow() + timedelta(seconds=1)
    appointment = Appointment(
        technician_id=user.id,
        client_id=piano.client_id,
        piano_id=piano.id,
        title="Afinación",
        starts_at=noon_utc(days(30)),
        status=status,
        created_at=created_at,
        updated_at=created_at,
    )
    session.add(appointment)
    session.flush()
    invalidate_on_commit(session, user, "appointments")
    return appointment


def piano_due_on(session, user, due: date, client=None, **kw) -> Piano:
    """A piano with a 6-month interval whose last completed service makes it due on ``due``."""
    piano = make_piano(session, user, client, service_interval_months=6, **kw)
    add_service(session, user, piano, reminders.add_months(due, -6))
    assert next_due_date(reminders.add_months(due, -6), date(2020, 1, 10), 6) == due
    return piano


def rows(session, user, source=None) -> list[Reminder]:
    session.expire_all()
    query = select(Reminder).where(Reminder.technician_id == user.id)
    if source is not None:
        query = query.where(Reminder.source == source)
    return list(session.exec(query.order_by(Reminder.id)))


def due_ids(session, user, today=TODAY, **kw) -> list[int]:
    return [
        p["id"]
        for group in reminders.due_pianos(session, user, today, **kw)
        for p in group["pianos"]
    ]


def titles(bucket: list[dict]) -> list[str]:
    return [item["title"] for item in bucket]


# -- reminders: CRUD and validation ----------------------------------------------------
def test_create_update_complete_reopen_remove(session, technician):
    client = make_client(session, technician, "María Peña")
    piano = make_piano(session, technician, client)
    reminder = reminders.create_reminder(
        session,
        technician,
        ReminderInput(client_id=client.id, due_date="2026-12-01", title="Llamar a María"),
    )
    session.commit()
    assert reminder.technician_id == technician.id
    assert reminder.source == ReminderSource.MANUAL and reminder.done is False
    detail = reminders.get_reminder(session, technician, reminder.id)
    assert detail["client_name"] == "María Peña" and detail["piano_id"] is None
    assert detail["due_date"] == date(2026, 12, 1) and detail["reminder_type"] == "call"

    # A piano alone gives its owner; dd/mm/yyyy dates are accepted.
    reminders.update_reminder(
        session,
        technician,
        reminder.id,
        ReminderInput.from_form(
            {
                "piano_id": str(piano.id),
                "reminder_type": "visit",
                "due_date": " 05/12/2026 ",
                "title": "  Visitar a María  ",
                "notes": "Trae la llave",
            }
        ),
    )
    session.commit()
    detail = reminders.get_reminder(session, technician, reminder.id)
    assert detail["piano_id"] == piano.id and detail["client_id"] == client.id
    assert detail["piano"] == "Yamaha U1" and detail["reminder_type"] == "visit"
    assert detail["due_date"] == date(2026, 12, 5) and detail["title"] == "Visitar a María"

    reminders.complete_reminder(session, technician, reminder.id)
    session.commit()
    listed = reminders.list_reminders(session, technician, TODAY)
    assert titles(listed["done"]) == ["Visitar a María"] and listed["later"] == []
    assert listed["done"][0]["done_at"] is not None

    reminders.reopen_reminder(session, technician, reminder.id)
    session.commit()
    listed = reminders.list_reminders(session, technician, TODAY)
    assert titles(listed["later"]) == ["Visitar a María"] and listed["done"] == []
    assert listed["later"][0]["done_at"] is None

    assert reminders.remove_reminder(session, technician, reminder.id) == "deleted"
    session.commit()
    with pytest.raises(NotFound):
        reminders.get_reminder(session, technician, reminder.id)
    assert all(v == [] for v in reminders.list_reminders(session, technician, TODAY).values())


@pytest.mark.parametrize(
    ("changes", "field", "key"),
    [
        ({"title": ""}, "title", "error.reminder_title_required"),
        ({"title": "   "}, "title", "error.reminder_title_required"),
        ({"title": "x" * 201}, "title", "error.too_long"),
        ({"due_date": ""}, "due_date", "error.date_required"),
        ({"due_date": "31/02/2026"}, "due_date", "error.date_invalid"),
        ({"due_date": "2026-13-01"}, "due_date", "error.date_invalid"),
        ({"due_date": "mañana"}, "due_date", "error.date_invalid"),
        ({"due_date": "01/01/2099"}, "due_date", "error.date_too_far"),
        ({"reminder_type": "fax"}, "reminder_type", "error.choice_invalid"),
        ({"notes": "n" * 5001}, "notes", "error.too_long"),
        ({"client_id": "abc"}, "client_id", "error.choice_invalid"),
        ({"client_id": ""}, "client_id", "error.client_required"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(session, technician, changes, field, key):
    client = make_client(session, technician)
    session.commit()
    form = {"client_id": client.id, "due_date": "2026-12-01", "title": "Llamar", **changes}
    with pytest.raises(ValidationFailed) as refused:
        reminders.create_reminder(session, technician, ReminderInput(**form))
    session.rollback()
    assert refused.value.fields[field] == key
    assert rows(session, technician) == []


def test_title_of_200_characters_is_accepted(session, technician):
    client = make_client(session, technician)
    reminder = reminders.create_reminder(
        session, technician, ReminderInput(client_id=client.id, due_date=TODAY, title="x" * 200)
    )
    assert len(reminder.title) == 200


def test_piano_must_belong_to_the_client(session, technician, other_technician):
    one, two = make_client(session, technician, "Uno"), make_client(session, technician, "Dos")
    piano_of_two = make_piano(session, technician, two)
    session.commit()
    with pytest.raises(ValidationFailed) as refused:
        reminders.create_reminder(
            session,
            technician,
            ReminderInput(client_id=one.id, piano_id=piano_of_two.id, due_date=TODAY, title="X"),
        )
    assert refused.value.fields == {"piano_id": "error.piano_not_of_client"}
    session.rollback()
    foreign = make_client(session, other_technician, "Ajeno")
    foreign_piano = make_piano(session, other_technician, foreign)
    session.commit()
    with pytest.raises(NotFound):
        reminders.create_reminder(
            session, technician, ReminderInput(client_id=foreign.id, due_date=TODAY, title="X")
        )
    with pytest.raises(NotFound):
        reminders.create_reminder(
            session,
            technician,
            ReminderInput(client_id=one.id, piano_id=foreign_piano.id, due_date=TODAY, title="X"),
        )


def test_buckets_at_their_boundaries(session, technician):
    client = make_client(session, technician)
    for title, due in [
        ("ayer", days(-1)),
        ("hace un mes", days(-30)),
        ("hoy", TODAY),
        ("mañana", days(1)),
        ("domingo", SUNDAY),
        ("lunes", SUNDAY + timedelta(days=1)),
        ("en un año", days(365)),
        ("hecho", days(-3)),
    ]:
        reminder = reminders.create_reminder(
            session, technician, ReminderInput(client_id=client.id, due_date=due, title=title)
        )
        if title == "hecho":
            reminders.complete_reminder(session, technician, reminder.id)
    session.commit()
    listed = reminders.list_reminders(session, technician, TODAY)
    assert titles(listed["overdue"]) == ["hace un mes", "ayer"]
    assert titles(listed["today"]) == ["hoy"]
    assert titles(listed["this_week"]) == ["mañana", "domingo"]
    assert titles(listed["later"]) == ["lunes", "en un año"]
    assert titles(listed["done"]) == ["hecho"]
    assert listed["overdue"][0]["days_overdue"] == 30
    assert reminders.reminder_counts(session, technician, TODAY) == {
        "overdue": 2,
        "today": 1,
        "this_week": 2,
        "later": 2,
        "badge": 3,
    }
    # On a Sunday "this week" is over: tomorrow is already "later".
    on_sunday = reminders.list_reminders(session, technician, SUNDAY)
    assert titles(on_sunday["today"]) == ["domingo"]
    assert on_sunday["this_week"] == []
    assert titles(on_sunday["later"]) == ["lunes", "en un año"]
    assert reminders.reminder_counts(session, technician, SUNDAY)["badge"] == 5


def test_counts_and_lists_follow_every_write(session, technician):
    client = make_client(session, technician)
    reminder = reminders.create_reminder(
        session, technician, ReminderInput(client_id=client.id, due_date=TODAY, title="Hoy")
    )
    session.commit()
    assert reminders.reminder_counts(session, technician, TODAY)["badge"] == 1
    reminders.complete_reminder(session, technician, reminder.id)
    session.commit()
    assert reminders.reminder_counts(session, technician, TODAY)["badge"] == 0
    assert titles(reminders.list_reminders(session, technician, TODAY)["done"]) == ["Hoy"]
    reminders.reopen_reminder(session, technician, reminder.id)
    session.commit()
    assert reminders.reminder_counts(session, technician, TODAY)["today"] == 1
    reminders.remove_reminder(session, technician, reminder.id)
    session.commit()
    assert reminders.reminder_counts(session, technician, TODAY)["badge"] == 0


def test_done_bucket_keeps_the_newest_fifty(session, technician):
    client = make_client(session, technician)
    for n in range(52):
        reminder = Reminder(
            technician_id=technician.id,
            client_id=client.id,
            due_date=TODAY,
            title=f"R{n:02d}",
            done=True,
            done_at=noon_utc(TODAY) + timedelta(minutes=n),
        )
        session.add(reminder)
    session.commit()
    done = reminders.list_reminders(session, technician, TODAY)["done"]
    assert len(done) == 50
    assert done[0]["title"] == "R51" and done[-1]["title"] == "R02"


def test_other_technicians_reminders_are_out_of_reach(session, technician, other_technician):
    client = make_client(session, other_technician, "Ajeno")
    theirs = reminders.create_reminder(
        session, other_technician, ReminderInput(client_id=client.id, due_date=TODAY, title="X")
    )
    session.commit()
    for action in (
        reminders.complete_reminder,
        reminders.reopen_reminder,
        reminders.remove_reminder,
        reminders.get_reminder,
    ):
        with pytest.raises(NotFound):
            action(session, technician, theirs.id)
    assert reminders.reminder_counts(session, technician, TODAY)["today"] == 0


# -- next_due_date (pure) --------------------------------------------------------------
@pytest.mark.parametrize(
    ("last", "added", "interval", "due"),
    [
        (date(2026, 1, 15), date(2020, 1, 1), 6, date(2026, 7, 15)),
        (date(2026, 1, 15), date(2020, 1, 1), 12, date(2027, 1, 15)),
        (date(2026, 1, 15), date(2020, 1, 1), 3, date(2026, 4, 15)),
        (date(2026, 10, 20), date(2020, 1, 1), 3, date(2027, 1, 20)),  # across the year
        (date(2025, 8, 31), date(2020, 1, 1), 6, date(2026, 2, 28)),  # clamped
        (date(2023, 8, 31), date(2020, 1, 1), 6, date(2024, 2, 29)),  # leap year
        (date(2026, 10, 31), date(2020, 1, 1), 1, date(2026, 11, 30)),
        (date(2026, 3, 31), date(2020, 1, 1), 60, date(2031, 3, 31)),
        (None, date(2026, 3, 10), 12, date(2027, 3, 10)),  # never serviced: from added
        (None, date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 1, 15), date(2020, 1, 1), 0, None),  # the client calls
        (None, date(2020, 1, 1), 0, None),
        (date(2026, 1, 15), date(2020, 1, 1), None, None),
    ],
)
def test_next_due_date(last, added, interval, due):
    assert next_due_date(last, added, interval) == due


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2026, 1, 15), date(2026, 7, 14), 5),
        (date(2026, 1, 15), date(2026, 7, 15), 6),
        (date(2025, 8, 31), date(2026, 2, 28), 6),
        (date(2026, 5, 1), date(2026, 4, 1), 0),
    ],
)
def test_months_between(start, end, months):
    assert reminders.months_between(start, end) == months


# -- due pianos ------------------------------------------------------------------------
def test_the_30_day_boundary_and_what_is_never_due(session, technician):
    at_30 = piano_due_on(session, technician, days(30), brand="Plazo30")
    at_31 = piano_due_on(session, technician, days(31), brand="Plazo31")
    due_today = piano_due_on(session, technician, TODAY, brand="Hoy")
    overdue = piano_due_on(session, technician, days(-10), brand="Vencido")
    # Never serviced: due a year (the technician's default) after it was added.
    never = make_piano(session, technician, added=date(2025, 11, 10), brand="Nuevo")
    client_calls = make_piano(session, technician, service_interval_months=0, brand="Llama")
    add_service(session, technician, client_calls, date(2019, 1, 1))
    session.commit()
    groups = reminders.due_pianos(session, technician, TODAY)
    found = {p["id"]: p for group in groups for p in group["pianos"]}
    assert set(found) == {at_30.id, due_today.id, overdue.id, never.id}
    assert at_31.id not in found and client_calls.id not in found
    assert found[at_30.id]["due_date"] == days(30) and found[at_30.id]["overdue"] is False
    assert found[due_today.id]["overdue"] is False
    assert found[overdue.id]["overdue"] is True
    assert found[overdue.id]["last_service_date"] == reminders.add_months(days(-10), -6)
    assert found[overdue.id]["months_since"] == 6
    assert found[never.id]["last_service_date"] is None
    assert found[never.id]["due_date"] == date(2026, 11, 10)
    assert found[never.id]["months_since"] == 12
    assert found[never.id]["interval_months"] == 12
    assert all(p["contacted"] is False for p in found.values())
    # The horizon is a parameter (31 days takes in the next one).
    assert at_31.id in due_ids(session, technician, horizon_days=31)


def test_only_completed_services_count_and_archived_are_left_out(session, technician):
    piano = piano_due_on(session, technician, days(-5), brand="Pendiente")
    add_service(session, technician, piano, days(-1), status=ServiceStatus.PENDING)
    add_service(session, technician, piano, days(-2), status=ServiceStatus.CANCELLED)
    # A completed service of any type counts (here a repair).
    repaired = piano_due_on(session, technician, days(-5), brand="Reparado")
    add_service(session, technician, repaired, days(-1), kind=ServiceType.REPAIR)
    archived = piano_due_on(session, technician, days(-5), brand="Archivado", archived=True)
    gone = make_client(session, technician, "Cliente archivado", archived=True)
    of_archived_client = piano_due_on(session, technician, days(-5), gone, brand="Ajeno")
    session.commit()
    ids = due_ids(session, technician)
    assert piano.id in ids
    assert repaired.id not in ids
    assert archived.id not in ids and of_archived_client.id not in ids


def test_due_pianos_are_grouped_by_client_most_urgent_first(session, technician):
    ana = make_client(session, technician, "Ana", phone="612345678", email="ana@example.es")
    bea = make_client(session, technician, "Beatriz")
    ana_late = piano_due_on(session, technician, days(20), ana, brand="Kawai")
    ana_soon = piano_due_on(session, technician, days(5), ana, brand="Yamaha")
    bea_overdue = piano_due_on(session, technician, days(-3), bea, brand="Steinway")
    session.commit()
    groups = reminders.due_pianos(session, technician, TODAY)
    assert [g["client"]["name"] for g in groups] == ["Beatriz", "Ana"]
    assert groups[1]["client"] == {
        "id": ana.id,
        "name": "Ana",
        "phone": "612345678",
        "email": "ana@example.es",
    }
    assert [p["id"] for p in groups[1]["pianos"]] == [ana_soon.id, ana_late.id]
    assert [p["id"] for p in groups[0]["pianos"]] == [bea_overdue.id]
    assert set(groups[0]["pianos"][0]) == {
        "id",
        "brand",
        "model",
        "serial",
        "last_service_date",
        "due_date",
        "months_since",
        "interval_months",
        "overdue",
        "contacted",
    }


def test_due_list_follows_service_and_settings_changes(session, technician):
    from piano_emotion.domain.alerts import MaintenanceSettingsInput, update_maintenance_settings

    piano = make_piano(session, technician, added=date(2025, 12, 1))  # default 12 → due 1/12
    session.commit()
    assert due_ids(session, technician) == [piano.id]
    update_maintenance_settings(
        session, technician, MaintenanceSettingsInput(default_interval_months=0)
    )
    session.commit()
    assert due_ids(session, technician) == []
    update_maintenance_settings(
        session, technician, MaintenanceSettingsInput(default_interval_months=12)
    )
    session.commit()
    assert due_ids(session, technician) == [piano.id]
    add_service(session, technician, piano, days(-1))
    session.commit()
    assert due_ids(session, technician) == []


# -- templates and messages ------------------------------------------------------------
def test_default_templates_until_saved(session, technician):
    templates = reminders.get_message_templates(session, technician)
    assert set(templates) == {"email", "whatsapp"}
    assert set(templates["email"]) == {"subject", "body"} and set(templates["whatsapp"]) == {"body"}
    for text in (templates["email"]["body"], templates["whatsapp"]["body"]):
        for variable in ("{cliente}", "{piano}", "{ultimo_servicio}", "{meses}", "{tecnico}"):
            assert variable in text
    assert "{piano}" in templates["email"]["subject"]


def test_save_a_template_and_read_it_back(session, technician):
    reminders.save_message_template(
        session, technician, "whatsapp", "", "Hola {cliente}, ¿afinamos el {piano}?"
    )
    session.commit()
    reminders.save_message_template(
        session, technician, "email", "Su {piano}", "Estimado/a {cliente}: {meses} meses."
    )
    session.commit()
    reminders.save_message_template(
        session, technician, "whatsapp", "ignorado", "Buenas {cliente} 🎹"
    )
    session.commit()
    templates = reminders.get_message_templates(session, technician)
    assert templates == {
        "email": {"subject": "Su {piano}", "body": "Estimado/a {cliente}: {meses} meses."},
        "whatsapp": {"body": "Buenas {cliente} 🎹"},
    }
    saved = session.exec(
        select(MessageTemplate).where(MessageTemplate.technician_id == technician.id)
    ).all()
    assert len(saved) == 2
    assert {row.channel.value: row.subject for row in saved}["whatsapp"] == ""


@pytest.mark.parametrize(
    ("channel", "subject", "body", "field", "key"),
    [
        ("whatsapp", "", "Hola {nombre}", "body", "error.template_variable"),
        ("whatsapp", "", "Hola {Cliente}", "body", "error.template_variable"),
        ("whatsapp", "", "Hola {}", "body", "error.template_variable"),
        ("email", "Hola {fecha}", "Hola {cliente}", "subject", "error.template_variable"),
        ("email", "", "Hola", "subject", "error.subject_required"),
        ("email", "s" * 201, "Hola", "subject", "error.too_long"),
        ("whatsapp", "", "", "body", "error.template_body_required"),
        ("whatsapp", "", "   ", "body", "error.template_body_required"),
        ("whatsapp", "", "x" * 2001, "body", "error.too_long"),
        ("sms", "", "Hola", "channel", "error.choice_invalid"),
    ],
)
def test_bad_templates_are_refused(session, technician, channel, subject, body, field, key):
    with pytest.raises(ValidationFailed) as refused:
        reminders.save_message_template(session, technician, channel, subject, body)
    session.rollback()
    assert refused.value.fields[field] == key
    assert session.exec(select(MessageTemplate)).all() == []


def test_a_body_of_2000_characters_is_accepted(session, technician):
    body = "{cliente}" + "x" * 1991
    assert len(body) == 2000
    reminders.save_message_template(session, technician, "whatsapp", "", body)
    session.commit()
    assert reminders.get_message_templates(session, technician)["whatsapp"]["body"] == body


def test_render_message():
    variables = {"cliente": "José Muñoz", "piano": "Blüthner Modell A", "meses": 14}
    assert (
        reminders.render_message("Hola {cliente}: su {piano}, hace {meses} meses.", variables)
        == "Hola José Muñoz: su Blüthner Modell A, hace 14 meses."
    )
    # Unknown placeholders and stray braces stay as written.
    assert reminders.render_message("{otro} {cliente} { :-}", variables) == (
        "{otro} José Muñoz { :-}"
    )
    assert reminders.render_message("", variables) == ""


def test_contact_message_with_a_spanish_number(session, technician):
    client = make_client(
        session, technician, "María Peña", phone="612 345 678", email="maria@example.es"
    )
    piano = make_piano(session, technician, client, brand="Blüthner", model="Modell A")
    add_service(session, technician, piano, date(2025, 5, 15))
    session.commit()
    message = reminders.contact_message(session, technician, piano.id, TODAY)
    assert message["email_subject"] == "Revisión de su piano Blüthner Modell A"
    assert "Hola María Peña:" in message["email_body"]
    assert "15/05/2025" in message["email_body"] and "hace 18 meses" in message["email_body"]
    assert message["email_body"].endswith(technician.name)
    url = message["whatsapp_url"]
    assert url.startswith("https://wa.me/34612345678?text=Hola%20Mar%C3%ADa%20Pe%C3%B1a%2C%20")
    assert " " not in url and "%20" in url
    assert message["mailto_url"].startswith(
        "mailto:maria@example.es?subject=Revisi%C3%B3n%20de%20su%20piano%20Bl%C3%BCthner"
    )
    assert "&body=Hola%20Mar%C3%ADa" in message["mailto_url"]


def test_contact_message_uses_the_saved_template_and_handles_missing_data(session, technician):
    no_phone = make_client(session, technician, "Sin Teléfono")
    bad_phone = make_client(session, technician, "Raro", phone="512345678", email="r@example.es")
    first = make_piano(session, technician, no_phone, added=date(2025, 9, 18), model="")
    second = make_piano(session, technician, bad_phone)
    session.commit()
    message = reminders.contact_message(session, technician, first.id, TODAY)
    assert message["whatsapp_url"] is None and message["mailto_url"] is None
    assert "último servicio: sin registro, hace 14 meses" in message["whatsapp_text"]
    assert reminders.contact_message(session, technician, second.id, TODAY)["whatsapp_url"] is None
    reminders.save_message_template(
        session, technician, "whatsapp", "", "{cliente}: {piano} ({ultimo_servicio})"
    )
    session.commit()
    message = reminders.contact_message(session, technician, first.id, TODAY)
    assert message["whatsapp_text"] == "Sin Teléfono: Yamaha (sin registro)"


# -- mark contacted --------------------------------------------------------------------
def test_mark_contacted_is_idempotent_and_schedules_one_follow_up(session, technician):
    piano = piano_due_on(session, technician, days(10))
    session.commit()
    assert due_ids(session, technician) == [piano.id]
    first = reminders.mark_contacted(session, technician, piano.id, "whatsapp", TODAY)
    session.commit()
    second = reminders.mark_contacted(session, technician, piano.id, "email", TODAY)
    session.commit()
    assert first.id == second.id
    (contact,) = rows(session, technician, ReminderSource.DUE_SERVICE)
    assert contact.done is True and contact.done_at is not None
    assert contact.reminder_type == ReminderType.WHATSAPP
    assert contact.due_date == TODAY and contact.due_cycle_date == days(10)
    assert contact.piano_id == piano.id and contact.client_id == piano.client_id
    (follow_up,) = rows(session, technician, ReminderSource.FOLLOW_UP)
    assert follow_up.done is False and follow_up.due_date == days(14)
    assert follow_up.due_cycle_date == days(10)
    assert follow_up.reminder_type == ReminderType.FOLLOW_UP
    assert follow_up.title == "Seguimiento: Yamaha U1"
    # Not proposed again; the follow-up is in the reminder lists.
    assert due_ids(session, technician) == []
    assert titles(reminders.list_reminders(session, technician, TODAY)["later"]) == [
        "Seguimiento: Yamaha U1"
    ]


def test_the_follow_up_brings_the_piano_back_after_14_days(session, technician):
    piano = piano_due_on(session, technician, days(10))
    session.commit()
    reminders.mark_contacted(session, technician, piano.id, "call", TODAY)
    session.commit()
    assert due_ids(session, technician, days(13)) == []
    groups = reminders.due_pianos(session, technician, days(14))
    assert [p["id"] for p in groups[0]["pianos"]] == [piano.id]
    assert groups[0]["pianos"][0]["contacted"] is True
    assert reminders.reminder_counts(session, technician, days(14))["today"] == 1
    # Contacting again closes the follow-up: gone until the next cycle.
    again = reminders.mark_contacted(session, technician, piano.id, "call", days(14))
    session.commit()
    assert again.reminder_type == ReminderType.CALL
    assert due_ids(session, technician, days(14)) == []
    assert len(rows(session, technician)) == 2
    assert all(r.done for r in rows(session, technician))


def test_a_booked_appointment_answers_the_follow_up(session, technician):
    piano = piano_due_on(session, technician, days(10))
    session.commit()
    reminders.mark_contacted(session, technician, piano.id, "whatsapp", TODAY)
    session.commit()
    # Booked before the contact, or cancelled: not an answer.
    book(session, technician, piano, created_at=utcnow() - timedelta(days=3))
    book(session, technician, piano, status=AppointmentStatus.CANCELLED)
    session.commit()
    assert due_ids(session, technician, days(14)) == [piano.id]
    assert reminders.create_due_service_reminders(session, technician, days(14)) == 0
    session.commit()
    (follow_up,) = rows(session, technician, ReminderSource.FOLLOW_UP)
    assert follow_up.done is False
    book(session, technician, piano)
    session.commit()
    assert due_ids(session, technician, days(14)) == []
    reminders.create_due_service_reminders(session, technician, days(14))
    session.commit()
    (follow_up,) = rows(session, technician, ReminderSource.FOLLOW_UP)
    assert follow_up.done is True and follow_up.done_at is not None


def test_a_new_service_starts_a_new_cycle(session, technician):
    piano = piano_due_on(session, technician, days(10))
    session.commit()
    reminders.mark_contacted(session, technician, piano.id, "whatsapp", TODAY)
    session.commit()
    serviced_on = days(20)
    add_service(session, technician, piano, serviced_on)  # the visit (6-month interval)
    session.commit()
    new_due = reminders.add_months(serviced_on, 6)
    assert due_ids(session, technician, serviced_on) == []
    assert due_ids(session, technician, new_due - timedelta(days=31)) == []
    groups = reminders.due_pianos(session, technician, new_due - timedelta(days=30))
    assert groups[0]["pianos"][0]["id"] == piano.id
    assert groups[0]["pianos"][0]["due_date"] == new_due
    assert groups[0]["pianos"][0]["contacted"] is False
    # And it can be contacted again for the new cycle.
    contact = reminders.mark_contacted(session, technician, piano.id, "email", new_due)
    session.commit()
    assert contact.due_cycle_date == new_due
    assert len(rows(session, technician, ReminderSource.DUE_SERVICE)) == 2
    assert len(rows(session, technician, ReminderSource.FOLLOW_UP)) == 2


def test_mark_contacted_refusals(session, technician, other_technician):
    never = make_piano(session, technician, service_interval_months=0)
    archived = piano_due_on(session, technician, TODAY, archived=True)
    due = piano_due_on(session, technician, TODAY)
    theirs = piano_due_on(session, other_technician, TODAY)
    session.commit()
    for piano in (never, archived):
        with pytest.raises(DomainError) as refused:
            reminders.mark_contacted(session, technician, piano.id, "call", TODAY)
        assert refused.value.key == "error.piano_not_due"
    with pytest.raises(ValidationFailed) as refused:
        reminders.mark_contacted(session, technician, due.id, "paloma", TODAY)
    assert refused.value.fields == {"channel": "error.choice_invalid"}
    with pytest.raises(NotFound):
        reminders.mark_contacted(session, technician, theirs.id, "call", TODAY)
    session.rollback()
    assert rows(session, technician) == [] and rows(session, other_technician) == []


def test_mark_contacted_completes_the_reminder_of_the_daily_job(session, technician):
    piano = piano_due_on(session, technician, days(3))
    session.commit()
    assert reminders.create_due_service_reminders(session, technician, TODAY) == 1
    session.commit()
    (made,) = rows(session, technician)
    assert made.done is False and made.due_date == days(3)
    # A to-do, not a contact: the piano is still proposed.
    assert due_ids(session, technician) == [piano.id]
    contact = reminders.mark_contacted(session, technician, piano.id, "email", TODAY)
    session.commit()
    assert contact.id == made.id
    (contact,) = rows(session, technician, ReminderSource.DUE_SERVICE)
    assert contact.done is True and contact.reminder_type == ReminderType.EMAIL
    assert len(rows(session, technician, ReminderSource.FOLLOW_UP)) == 1
    assert due_ids(session, technician) == []


def test_two_contacts_at_once_make_one_reminder(engine, session, technician, monkeypatch):
    """The second request read the piano before the first committed: the
    unique constraint refuses its insert and it returns the first's reminder."""
    piano = piano_due_on(session, technician, days(5))
    session.commit()
    real = reminders._due_candidates
    raced = []

    def stale(*args, **kwargs):
        found = real(*args, **kwargs)
        if not raced:  # the other request, once, between our read and our write
            raced.append(True)
            with Session(engine, expire_on_commit=False) as other:
                user = other.get(type(technician), technician.id)
                reminders.mark_contacted(other, user, piano.id, "call", TODAY)
                other.commit()
        return found

    monkeypatch.setattr(reminders, "_due_candidates", stale)
    returned = reminders.mark_contacted(session, technician, piano.id, "whatsapp", TODAY)
    session.commit()
    monkeypatch.setattr(reminders, "_due_candidates", real)
    (contact,) = rows(session, technician, ReminderSource.DUE_SERVICE)
    assert returned.id == contact.id and contact.reminder_type == ReminderType.CALL
    assert len(rows(session, technician, ReminderSource.FOLLOW_UP)) == 1


# -- the daily job ---------------------------------------------------------------------
def test_daily_job_creates_due_service_reminders_once(session, technician):
    client = make_client(session, technician, "Con móvil", phone="612345678")
    soon = piano_due_on(session, technician, days(30), client)
    late = piano_due_on(session, technician, days(-40), brand="Kawai")
    later = piano_due_on(session, technician, days(31))
    session.commit()
    assert reminders.create_due_service_reminders(session, technician, TODAY) == 2
    session.commit()
    made = {r.piano_id: r for r in rows(session, technician)}
    assert set(made) == {soon.id, late.id} and later.id not in made
    assert made[soon.id].due_date == days(30) and made[soon.id].due_cycle_date == days(30)
    assert made[soon.id].source == ReminderSource.DUE_SERVICE and made[soon.id].done is False
    assert made[soon.id].reminder_type == ReminderType.WHATSAPP
    assert made[late.id].reminder_type == ReminderType.CALL
    assert made[late.id].title == "Aviso de revisión: Kawai U1"
    listed = reminders.list_reminders(session, technician, TODAY)
    assert [r["piano_id"] for r in listed["overdue"]] == [late.id]
    assert [r["piano_id"] for r in listed["later"]] == [soon.id]
    # Idempotent.
    assert reminders.create_due_service_reminders(session, technician, TODAY) == 0
    session.commit()
    assert len(rows(session, technician)) == 2
    # The next day the 31-day piano comes in.
    assert reminders.create_due_service_reminders(session, technician, days(1)) == 1
    session.commit()
    assert len(rows(session, technician)) == 3


def test_daily_job_closes_reminders_of_finished_cycles(session, technician):
    piano = piano_due_on(session, technician, days(5))
    calls_now = piano_due_on(session, technician, days(5), brand="Llama")
    session.commit()
    assert reminders.create_due_service_reminders(session, technician, TODAY) == 2
    session.commit()
    add_service(session, technician, piano, days(1))
    calls_now.service_interval_months = 0
    session.add(calls_now)
    invalidate_on_commit(session, technician, "pianos")
    session.commit()
    assert reminders.create_due_service_reminders(session, technician, days(2)) == 0
    session.commit()
    assert all(r.done for r in rows(session, technician))
    assert reminders.reminder_counts(session, technician, days(2))["later"] == 0


def test_run_daily_reminders_for_every_active_technician(engine, session):
    ana = make_technician(session, "Ana")
    beto = make_technician(session, "Beto")
    gone = make_technician(session, "Baja")
    gone.is_active = False
    session.add(gone)
    for user, count in ((ana, 2), (beto, 1), (gone, 1)):
        for n in range(count):
            piano_due_on(session, user, days(n))
    session.commit()

    def factory():
        return Session(engine, expire_on_commit=False)

    assert reminders.run_daily_reminders(factory, TODAY) == {ana.id: 2, beto.id: 1}
    assert reminders.run_daily_reminders(factory, TODAY) == {ana.id: 0, beto.id: 0}
    assert len(rows(session, ana)) == 2 and len(rows(session, beto)) == 1
    assert rows(session, gone) == []
    # Each technician's reminders are about their own pianos.
    for user in (ana, beto):
        own = {p.id for p in session.exec(select(Piano).where(Piano.technician_id == user.id))}
        assert {r.piano_id for r in rows(session, user)} <= own


def test_run_daily_reminders_goes_on_after_a_failure(engine, session, monkeypatch, caplog):
    ana = make_technician(session, "Ana")
    beto = make_technician(session, "Beto")
    for user in (ana, beto):
        piano_due_on(session, user, TODAY)
    session.commit()
    real = reminders.create_due_service_reminders

    def broken_for_ana(session_, user, today=None):
        if user.id == ana.id:
            raise RuntimeError("boom")
        return real(session_, user, today)

    monkeypatch.setattr(reminders, "create_due_service_reminders", broken_for_ana)
    result = reminders.run_daily_reminders(lambda: Session(engine), TODAY)
    assert result == {beto.id: 1}
    assert "daily reminders failed for technician" in caplog.text
    assert rows(session, ana) == []
