"""The iCalendar feed: built with ``icalendar``, parsed back, and served at
``GET /api/calendar/{token}.ics`` (SQLite and MariaDB)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from piano_emotion.api import build_api
from piano_emotion.domain import agenda, calendar_feed, clients, pianos
from piano_emotion.domain.agenda import AppointmentInput
from piano_emotion.domain.clients import ClientInput
from piano_emotion.domain.pianos import PianoInput
from piano_emotion.formatting import to_local
from piano_emotion.models import Appointment, User
from piano_emotion.ui.routes import API_CALENDAR
from tests.factories import make_technician


def _local(delta: timedelta) -> tuple[str, str]:
    moment = to_local(datetime.now(UTC) + delta)
    return moment.date().isoformat(), moment.strftime("%H:%M")


def _book(session, user, client_id, title, delta, **extra) -> Appointment:
    day, at = _local(delta)
    appointment, _ = agenda.create_appointment(
        session,
        user,
        AppointmentInput(client_id=client_id, title=title, date=day, time=at, **extra),
    )
    session.commit()
    return appointment


@pytest.fixture
def agenda_data(session):
    """Ana with four appointments (one cancelled, one long past), and Beto with one."""
    ana = make_technician(session, "Ana Técnica", "ana@example.es")
    beto = make_technician(session, "Beto Otro", "beto@example.es")
    session.commit()
    client = clients.create_client(
        session, ana, ClientInput(name="María García", address="Calle Mayor 1", city="Madrid")
    )
    session.commit()
    piano = pianos.create_piano(
        session, ana, PianoInput(client_id=client.id, brand="Yamaha", model="U3")
    )
    session.commit()
    confirmed = _book(
        session,
        ana,
        client.id,
        "Afinación",
        timedelta(days=1),
        piano_id=piano.id,
        notes="Llamar al timbre 2º; perro simpático",
        status="confirmed",
    )
    tentative = _book(
        session,
        ana,
        client.id,
        "Regulación",
        timedelta(days=40),
        duration_minutes=150,
        address="Conservatorio, aula 3",
    )
    cancelled = _book(session, ana, client.id, "Anulada", timedelta(days=2), status="cancelled")
    too_old = _book(session, ana, client.id, "Antigua", timedelta(days=-90))
    theirs = clients.create_client(session, beto, ClientInput(name="Cliente de Beto"))
    session.commit()
    other = _book(session, beto, theirs.id, "Secreta", timedelta(days=1))
    return {
        "ana": ana,
        "beto": beto,
        "confirmed": confirmed,
        "tentative": tentative,
        "cancelled": cancelled,
        "too_old": too_old,
        "other": other,
    }


def _events(payload: bytes) -> dict[str, object]:
    parsed = Calendar.from_ical(payload)
    return {str(event["uid"]): event for event in parsed.walk("VEVENT")}


def test_the_feed_parses_back_with_the_right_events(session, agenda_data):
    ana = agenda_data["ana"]
    payload = calendar_feed.build_ics(session, ana)
    parsed = Calendar.from_ical(payload)
    assert str(parsed["version"]) == "2.0"
    assert str(parsed["prodid"]) == calendar_feed.PRODID
    assert str(parsed["x-wr-calname"]) == "Piano Emotion — Ana Técnica"
    assert str(parsed["x-wr-timezone"]) == "Europe/Madrid"

    events = _events(payload)
    confirmed, tentative = agenda_data["confirmed"], agenda_data["tentative"]
    assert set(events) == {
        f"appointment-{confirmed.id}@pianoemotion",
        f"appointment-{tentative.id}@pianoemotion",
    }
    first = events[f"appointment-{confirmed.id}@pianoemotion"]
    start, end = first.decoded("dtstart"), first.decoded("dtend")
    # In UTC, equal to what is stored.
    assert start.utcoffset() == timedelta(0) and "Z" in first["dtstart"].to_ical().decode()
    assert start == confirmed.starts_at and end == confirmed.starts_at + timedelta(minutes=60)
    assert str(first["summary"]) == "Afinación — María García"
    assert str(first["location"]) == "Calle Mayor 1, Madrid"
    assert str(first["description"]) == "Piano: Yamaha U3\n\nLlamar al timbre 2º; perro simpático"
    assert str(first["status"]) == "CONFIRMED"
    assert first.decoded("dtstamp").utcoffset() == timedelta(0)

    second = events[f"appointment-{tentative.id}@pianoemotion"]
    assert second.decoded("dtstart") == tentative.starts_at
    assert second.decoded("dtend") == tentative.starts_at + timedelta(minutes=150)
    assert str(second["status"]) == "TENTATIVE"
    assert str(second["location"]) == "Conservatorio, aula 3"
    assert "description" not in second

    # Nothing of the other technician's, nor cancelled or out-of-window ones.
    text = payload.decode("utf-8")
    for absent in ("Secreta", "Cliente de Beto", "Anulada", "Antigua"):
        assert absent not in text
    wide = calendar_feed.build_ics(session, ana, days_back=120)
    assert f"appointment-{agenda_data['too_old'].id}@pianoemotion" in _events(wide)


def test_the_feed_follows_writes(session, agenda_data):
    ana, confirmed = agenda_data["ana"], agenda_data["confirmed"]
    calendar_feed.build_ics(session, ana)
    agenda.cancel_appointment(session, ana, confirmed.id)
    session.commit()
    assert f"appointment-{confirmed.id}@pianoemotion" not in _events(
        calendar_feed.build_ics(session, ana)
    )


def test_tokens(session, agenda_data):
    ana, beto = agenda_data["ana"], agenda_data["beto"]
    token = calendar_feed.calendar_token(session, ana)
    session.commit()
    assert len(token) >= 40
    assert calendar_feed.calendar_token(session, ana) == token  # stable
    assert calendar_feed.user_for_calendar_token(session, token).id == ana.id
    beto_token = calendar_feed.calendar_token(session, beto)
    session.commit()
    assert beto_token != token
    assert calendar_feed.user_for_calendar_token(session, beto_token).id == beto.id

    new = calendar_feed.reset_calendar_token(session, ana)
    session.commit()
    assert new != token
    assert calendar_feed.user_for_calendar_token(session, token) is None
    assert calendar_feed.user_for_calendar_token(session, new).id == ana.id
    for garbage in (None, "", "abc", "x" * 200, token + "!", "' OR 1=1 --" + "a" * 40, 42):
        assert calendar_feed.user_for_calendar_token(session, garbage) is None

    # A deactivated account's feed stops.
    session.get(User, ana.id).is_active = False
    session.commit()
    assert calendar_feed.user_for_calendar_token(session, new) is None


def _dummy_reflex_app() -> Starlette:
    return Starlette(routes=[Route("/{path:path}", lambda request: PlainTextResponse("reflex"))])


def test_the_feed_over_http(configured_app_settings, engine, agenda_data):
    ana = agenda_data["ana"]
    with Session(engine, expire_on_commit=False) as session:
        token = calendar_feed.calendar_token(session, ana)
        session.commit()
    url = API_CALENDAR.format(token=token)
    assert url == f"/api/calendar/{token}.ics"
    with TestClient(build_api(_dummy_reflex_app())) as http:
        response = http.get(url)
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/calendar; charset=utf-8"
        events = _events(response.content)
        assert set(events) == {
            f"appointment-{agenda_data['confirmed'].id}@pianoemotion",
            f"appointment-{agenda_data['tentative'].id}@pianoemotion",
        }
        for bad in (
            "/api/calendar/" + "A" * 43 + ".ics",
            "/api/calendar/nope.ics",
            f"/api/calendar/{token[:-1]}.ics",
        ):
            missing = http.get(bad)
            assert missing.status_code == 404
            assert missing.text == "Not Found"
        # Other paths still reach the app below.
        assert http.get("/agenda").text == "reflex"
