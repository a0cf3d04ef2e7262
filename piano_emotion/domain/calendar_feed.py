"""The technician's agenda as an iCalendar feed (a secret URL to add to
Google Calendar or Apple Calendar).

The URL carries a random token kept in ``User.calendar_token``: whoever has
the URL can read the agenda, so the token is long (``secrets.token_urlsafe(32)``),
can be reset (the old URL stops working at once) and is never derived from
anything else. The feed is built with the ``icalendar`` library: one VEVENT
per appointment that is not cancelled, with its times in UTC.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, timedelta
from typing import Any

from icalendar import Calendar, Event
from sqlmodel import Session, select

from piano_emotion.domain.agenda import AGENDA_READS, local_day_start
from piano_emotion.domain.alerts import local_today
from piano_emotion.domain.cached import cached_read
from piano_emotion.domain.errors import NotFound
from piano_emotion.formatting import DISPLAY_TIMEZONE
from piano_emotion.models import Appointment, Client, Piano, User
from piano_emotion.models.enums import AppointmentStatus
from piano_emotion.models.types import utcnow

PRODID = "-//Piano Emotion//Agenda//ES"
UID_DOMAIN = "pianoemotion"
TOKEN_BYTES = 32  # token_urlsafe(32) is 43 characters
# What a token of ours looks like (the column holds up to 64 characters).
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{40,64}$")
MAX_DAYS = 3660


def _account(session: Session, user: User) -> User:
    row = session.get(User, user.id)
    if row is None:
        raise NotFound("users")
    return row


def _set_token(session: Session, row: User) -> str:
    row.calendar_token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(row)
    session.flush()
    return row.calendar_token


def calendar_token(session: Session, user: User) -> str:
    """The technician's feed token, created on first use (the caller commits)."""
    row = _account(session, user)
    if row.calendar_token and _TOKEN.match(row.calendar_token):
        return row.calendar_token
    return _set_token(session, row)


def reset_calendar_token(session: Session, user: User) -> str:
    """A new token: the previous feed URL stops working (the caller commits)."""
    return _set_token(session, _account(session, user))


def user_for_calendar_token(session: Session, token: Any) -> User | None:
    """The active technician whose feed ``token`` opens, or None."""
    if not isinstance(token, str) or not _TOKEN.match(token):
        return None
    row = session.exec(select(User).where(User.calendar_token == token)).first()
    if row is None or not row.is_active or row.calendar_token != token:
        return None
    return row


def event_uid(appointment_id: int) -> str:
    return f"appointment-{appointment_id}@{UID_DOMAIN}"


def _build(session: Session, user: User, days_back: int, days_ahead: int) -> str:
    today = local_today()
    start = local_day_start(today - timedelta(days=days_back))
    end = local_day_start(today + timedelta(days=days_ahead + 1))
    rows = session.exec(
        select(Appointment, Client.name, Piano.brand, Piano.model)
        .join(Client, Client.id == Appointment.client_id)
        .outerjoin(Piano, Piano.id == Appointment.piano_id)
        .where(
            Appointment.technician_id == user.id,
            Appointment.status != AppointmentStatus.CANCELLED,
            Appointment.starts_at >= start,
            Appointment.starts_at < end,
        )
        .order_by(Appointment.starts_at, Appointment.id)
    ).all()
    feed = Calendar()
    feed.add("prodid", PRODID)
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("x-wr-calname", f"Piano Emotion — {user.name}")
    feed.add("x-wr-timezone", DISPLAY_TIMEZONE.key)
    stamp = utcnow().replace(microsecond=0)
    for appointment, client_name, brand, model in rows:
        starts = appointment.starts_at.astimezone(UTC)
        event = Event()
        event.add("uid", event_uid(appointment.id))
        event.add("dtstamp", stamp)
        event.add("dtstart", starts)
        event.add("dtend", starts + timedelta(minutes=appointment.duration_minutes))
        event.add("summary", f"{appointment.title} — {client_name}")
        if appointment.address:
            event.add("location", appointment.address)
        piano = f"{brand or ''} {model or ''}".strip()
        description = "\n\n".join(
            part for part in (f"Piano: {piano}" if piano else "", appointment.notes) if part
        )
        if description:
            event.add("description", description)
        confirmed = appointment.status in (
            AppointmentStatus.CONFIRMED,
            AppointmentStatus.COMPLETED,
        )
        event.add("status", "CONFIRMED" if confirmed else "TENTATIVE")
        if appointment.updated_at is not None:
            event.add(
                "last-modified", appointment.updated_at.astimezone(UTC).replace(microsecond=0)
            )
        feed.add_component(event)
    return feed.to_ical().decode("utf-8")


def build_ics(session: Session, user: User, days_back: int = 60, days_ahead: int = 365) -> bytes:
    """The technician's appointments (not cancelled) from ``days_back`` days
    ago to ``days_ahead`` days ahead, as an iCalendar document (UTF-8)."""
    days_back = min(max(int(days_back), 0), MAX_DAYS)
    days_ahead = min(max(int(days_ahead), 0), MAX_DAYS)
    text = cached_read(
        user,
        "appointments",
        "ics",
        # The calendar's name shows the technician's name.
        {"back": days_back, "ahead": days_ahead, "today": local_today(), "name": user.name},
        lambda: _build(session, user, days_back, days_ahead),
        depends_on=AGENDA_READS,
    )
    return text.encode("utf-8")
