"""Probes of domain.agenda and domain.calendar_feed (see tests/isolation.py):
B calls every function with A's appointment, client and piano ids."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar

from piano_emotion.domain import agenda, calendar_feed
from piano_emotion.domain.agenda import AppointmentInput
from piano_emotion.domain.alerts import local_today  # Spain's date, like the app
from piano_emotion.domain.services import ServiceInput
from piano_emotion.domain.tenancy import owned
from piano_emotion.formatting import to_local
from piano_emotion.models import Appointment, Client, Piano
from tests.isolation import assert_no_trace_of, probe

FAR = (local_today() + timedelta(days=30)).isoformat()


def _own(session, b, model):
    """B's own row of ``model`` (factories.populate gives B one of each)."""
    return session.exec(owned(model, b)).first()


def _form(client_id, piano_id=None, **extra):
    return AppointmentInput(
        client_id=client_id, piano_id=piano_id, title="Visita", date=FAR, time="10:00", **extra
    )


def _assert_owner(result, a):
    appointment, overlaps = result
    assert appointment.technician_id != a.user.id
    assert_no_trace_of(overlaps, a)


def _no_foreign_appointment(result, a):
    items = result
    assert a.ids["appointment"] not in {item["id"] for item in items}
    assert_no_trace_of(result, a)
    assert "Afinación A" not in repr(result)


# -- domain.agenda -------------------------------------------------------------------
@probe("agenda.create_appointment")
def _create_for_foreign_client(session, b, a):
    return agenda.create_appointment(session, b, _form(a.ids["client"]))


@probe("agenda.create_appointment")
def _create_with_foreign_piano(session, b, a):
    return agenda.create_appointment(session, b, _form(_own(session, b, Client).id, a.ids["piano"]))


@probe("agenda.create_appointment")
def _create_with_only_a_foreign_piano(session, b, a):
    return agenda.create_appointment(session, b, _form(None, a.ids["piano"]))


@probe("agenda.create_appointment", expect=_assert_owner)
def _create_at_the_time_of_a_foreign_one(session, b, a):
    # At exactly A's appointment's time: A's never shows as an overlap.
    theirs = session.get(Appointment, a.ids["appointment"])
    local = to_local(theirs.starts_at)
    return agenda.create_appointment(
        session,
        b,
        AppointmentInput(
            client_id=_own(session, b, Client).id,
            title="Mía",
            date=local.date(),
            time=local.strftime("%H:%M"),
        ),
    )


@probe("agenda.update_appointment")
def _update_foreign(session, b, a):
    return agenda.update_appointment(
        session, b, a.ids["appointment"], _form(_own(session, b, Client).id)
    )


@probe("agenda.update_appointment")
def _update_to_foreign_client(session, b, a):
    return agenda.update_appointment(
        session, b, _own(session, b, Appointment).id, _form(a.ids["client"])
    )


@probe("agenda.update_appointment")
def _update_to_foreign_piano(session, b, a):
    return agenda.update_appointment(
        session,
        b,
        _own(session, b, Appointment).id,
        _form(_own(session, b, Client).id, a.ids["piano"]),
    )


@probe("agenda.find_overlaps", expect=_no_foreign_appointment)
def _find_overlaps(session, b, a):
    theirs = session.get(Appointment, a.ids["appointment"])
    return agenda.find_overlaps(session, b, theirs.starts_at, 24 * 60)


@probe("agenda.confirm_appointment")
def _confirm(session, b, a):
    return agenda.confirm_appointment(session, b, a.ids["appointment"])


@probe("agenda.cancel_appointment")
def _cancel(session, b, a):
    return agenda.cancel_appointment(session, b, a.ids["appointment"])


@probe("agenda.complete_appointment")
def _complete(session, b, a):
    return agenda.complete_appointment(session, b, a.ids["appointment"])


@probe("agenda.record_service_from_appointment")
def _record_service_on_foreign_appointment(session, b, a):
    return agenda.record_service_from_appointment(
        session,
        b,
        a.ids["appointment"],
        ServiceInput(piano_id=_own(session, b, Piano).id, service_date=local_today()),
    )


@probe("agenda.record_service_from_appointment")
def _record_service_on_foreign_piano(session, b, a):
    return agenda.record_service_from_appointment(
        session,
        b,
        _own(session, b, Appointment).id,
        ServiceInput(piano_id=a.ids["piano"], service_date=local_today()),
    )


@probe("agenda.book_next_visit")
def _book_next_visit(session, b, a):
    return agenda.book_next_visit(session, b, a.ids["appointment"], FAR, "10:00")


@probe("agenda.remove_appointment")
def _remove(session, b, a):
    return agenda.remove_appointment(session, b, a.ids["appointment"])


@probe("agenda.get_appointment")
def _get(session, b, a):
    return agenda.get_appointment(session, b, a.ids["appointment"])


@probe("agenda.get_appointment", expect=lambda result, a: _own_detail(result, a))
def _get_own(session, b, a):
    return agenda.get_appointment(session, b, _own(session, b, Appointment).id)


def _own_detail(result, a):
    # A's appointment starts at about the same time: never one of B's overlaps.
    assert a.ids["appointment"] not in {o["id"] for o in result["overlaps"]}
    assert result["client"] == "Cliente B García"
    assert_no_trace_of(result, a)


@probe("agenda.list_appointments", expect=_no_foreign_appointment)
def _list(session, b, a):
    today = local_today()
    return agenda.list_appointments(
        session, b, today - timedelta(days=7), today + timedelta(days=30)
    )


@probe("agenda.upcoming_appointments", expect=_no_foreign_appointment)
def _upcoming(session, b, a):
    return agenda.upcoming_appointments(session, b, limit=50)


# -- domain.calendar_feed ------------------------------------------------------------
def _b_token(result, a):
    assert isinstance(result, str) and len(result) >= 40


@probe("calendar_feed.calendar_token", expect=_b_token)
def _calendar_token(session, b, a):
    token = calendar_feed.calendar_token(session, b)
    assert calendar_feed.user_for_calendar_token(session, token).id == b.id
    return token


@probe("calendar_feed.reset_calendar_token", expect=_b_token)
def _reset_calendar_token(session, b, a):
    token = calendar_feed.reset_calendar_token(session, b)
    assert calendar_feed.user_for_calendar_token(session, token).id == b.id
    return token


def _only_b_events(result, a):
    text = result.decode("utf-8")
    events = Calendar.from_ical(result).walk("VEVENT")
    uids = {str(event["uid"]) for event in events}
    assert calendar_feed.event_uid(a.ids["appointment"]) not in uids
    assert len(uids) == 1  # B's own appointment
    for event in events:
        assert "Cliente A" not in str(event["summary"])
    assert a.user.name not in text


@probe("calendar_feed.build_ics", expect=_only_b_events)
def _build_ics(session, b, a):
    return calendar_feed.build_ics(session, b)
