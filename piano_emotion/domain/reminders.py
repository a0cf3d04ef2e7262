"""Reminders (recordatorios) and due-service reminders.

- **Reminders**: a technician's to-dos about a client (optionally one of
  their pianos): create, edit, complete, reopen, delete; listed in buckets
  (overdue, today, this week, later, done) with counts for the sidebar badge.
- **Due pianos** (DOMAIN.md "Due-service reminders"): from each piano's
  service interval (its own, or the technician's default; 0 = the client
  calls, never due) and its last *completed* service of any type, the pianos
  due within 30 days or overdue, grouped by client, with the contact message
  (email text, ``wa.me`` link) from editable templates.
- **Mark contacted** records a done ``due_service`` reminder for the piano's
  current due date (the *cycle*): at most one per piano and cycle (unique
  constraint), so the piano is not proposed again until a new service
  starts a new cycle; it also schedules a ``follow_up`` reminder 14 days
  later, which brings the piano back to the proposals when it falls due
  and no appointment was booked since the contact.
- **The daily job** (``create_due_service_reminders`` per technician,
  ``run_daily_reminders`` for the platform) creates a not-done
  ``due_service`` reminder for every piano due without one for its cycle,
  closes follow-ups once an appointment is booked, and closes the
  automatic reminders of cycles that are over (the piano was serviced,
  archived, or set to "the client calls"). Running it twice changes nothing.

A not-done ``due_service`` reminder (made by the job) is a to-do: the piano
stays in the proposals until it is marked contacted (which completes that
same reminder) or the reminder is completed by hand.

Reads return plain dicts through the cache; writes invalidate ``reminders``
on commit (templates are settings: saving one invalidates ``settings``).
"""

from __future__ import annotations

import calendar
import logging
import re
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from sqlmodel import Session, select

from piano_emotion.domain.alerts import get_maintenance_settings, local_today
from piano_emotion.domain.cached import cached_read, invalidate_on_commit
from piano_emotion.domain.contact import normalise_phone, whatsapp_url
from piano_emotion.domain.errors import DomainError, NotFound, ValidationFailed
from piano_emotion.domain.services import latest_service_date, parse_service_date
from piano_emotion.domain.tenancy import for_each_active_technician, get_owned, owned
from piano_emotion.formatting import format_date, to_local
from piano_emotion.models import (
    Appointment,
    Client,
    MessageTemplate,
    Piano,
    Reminder,
    Service,
    User,
)
from piano_emotion.models.enums import (
    AppointmentStatus,
    MessageChannel,
    ReminderSource,
    ReminderType,
    ServiceStatus,
)
from piano_emotion.models.types import utcnow

log = logging.getLogger(__name__)

Source = ReminderSource

DUE_HORIZON_DAYS = 30  # pianos due within this many days are proposed
MAX_HORIZON_DAYS = 400
FOLLOW_UP_DAYS = 14  # a follow-up this many days after the contact
DONE_LIMIT = 50  # the "done" bucket shows the newest this many
TITLE_MAX = 200
NOTES_MAX = 5000
TEMPLATE_BODY_MAX = 2000
TEMPLATE_SUBJECT_MAX = 200

# What "mark contacted" accepts, and the reminder type it records.
CONTACT_CHANNELS: dict[str, ReminderType] = {
    "whatsapp": ReminderType.WHATSAPP,
    "email": ReminderType.EMAIL,
    "call": ReminderType.CALL,
}
DUE_TITLE = "Aviso de revisión: {piano}"
FOLLOW_UP_TITLE = "Seguimiento: {piano}"
NO_SERVICE_TEXT = "sin registro"

# What each read shows, so what its cache entries depend on.
REMINDER_READS = ("reminders", "clients", "pianos")
DUE_READS = ("reminders", "pianos", "services", "clients", "appointments", "settings")
CONTACT_READS = ("pianos", "services", "clients", "settings")

# -- message templates -----------------------------------------------------------------
TEMPLATE_VARIABLES = ("cliente", "piano", "ultimo_servicio", "meses", "tecnico")
_VARIABLE = re.compile(r"\{([^{}]*)\}")

DEFAULT_TEMPLATES: dict[str, dict[str, str]] = {
    MessageChannel.EMAIL.value: {
        "subject": "Revisión de su piano {piano}",
        "body": (
            "Hola {cliente}:\n\n"
            "Le escribo porque a su piano {piano} ya le toca la revisión periódica "
            "(último servicio: {ultimo_servicio}, hace {meses} meses).\n\n"
            "¿Le parece que concertemos una cita? Responda a este correo con los días "
            "y horas que mejor le vengan.\n\n"
            "Un saludo,\n{tecnico}"
        ),
    },
    MessageChannel.WHATSAPP.value: {
        "subject": "",
        "body": (
            "Hola {cliente}, soy {tecnico}. A su piano {piano} ya le toca la revisión "
            "(último servicio: {ultimo_servicio}, hace {meses} meses). "
            "¿Le busco un hueco para la visita?"
        ),
    },
}


# -- dates -----------------------------------------------------------------------------
def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the month's end
    (31 Aug + 6 months = 28 Feb, or 29 in a leap year)."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (0 when ``end`` is not later)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if months > 0 and add_months(start, months) > end:
        months -= 1
    return max(months, 0)


def next_due_date(
    last_service_date: date | None, piano_added_date: date, interval_months: int | None
) -> date | None:
    """When a piano is next due for service (DOMAIN.md).

    ``interval_months`` months after the last completed service, or after the
    day the piano was added when it was never serviced; month arithmetic
    clamps to the month's end. An interval of 0 (the client calls) means
    never due: None. The caller resolves a piano without its own interval to
    the technician's default before calling (None is taken as "never due").
    """
    if not interval_months or interval_months < 0:
        return None
    return add_months(last_service_date or piano_added_date, interval_months)


def end_of_week(today: date) -> date:
    """The Sunday that ends ``today``'s ISO week (``today`` itself on a Sunday)."""
    return today + timedelta(days=6 - today.weekday())


# -- reminders: input and validation ---------------------------------------------------
@dataclass
class ReminderInput:
    client_id: int | str | None = None
    piano_id: int | str | None = None
    reminder_type: str = ReminderType.CALL.value
    due_date: date | str | None = None
    title: str = ""
    notes: str = ""

    @classmethod
    def from_form(cls, form: Mapping[str, Any]) -> ReminderInput:
        return cls(
            **{
                f.name: str(form.get(f.name, "") or "").strip()
                for f in fields(cls)
                if f.name in form
            }
        )


def _id_or_none(value: Any) -> int | None:
    """An id from a form or code; ValueError when it is not one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    number = value if isinstance(value, int) else int(str(value).strip())
    if number <= 0:
        raise ValueError(value)
    return number


def validate_reminder(
    data: ReminderInput, today: date | None = None
) -> tuple[dict[str, str], dict[str, Any]]:
    """Field errors (translation keys) and the cleaned values (links unchecked)."""
    today = today or local_today()
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for name in ("client_id", "piano_id"):
        try:
            cleaned[name] = _id_or_none(getattr(data, name))
        except ValueError:
            errors[name] = "error.choice_invalid"
            cleaned[name] = None
    reminder_type = str(data.reminder_type or "").strip()
    if reminder_type in ReminderType._value2member_map_:
        cleaned["reminder_type"] = ReminderType(reminder_type)
    else:
        errors["reminder_type"] = "error.choice_invalid"
    try:
        due = parse_service_date(data.due_date)
        if due is None:
            errors["due_date"] = "error.date_required"
        elif due > latest_service_date(today):
            errors["due_date"] = "error.date_too_far"
        else:
            cleaned["due_date"] = due
    except (ValueError, TypeError):
        errors["due_date"] = "error.date_invalid"
    title = str(data.title or "").strip()
    if not title:
        errors["title"] = "error.reminder_title_required"
    elif len(title) > TITLE_MAX:
        errors["title"] = "error.too_long"
    cleaned["title"] = title
    notes = str(data.notes or "").strip()
    if len(notes) > NOTES_MAX:
        errors["notes"] = "error.too_long"
    cleaned["notes"] = notes
    return errors, cleaned


def _links(
    session: Session, user: User, cleaned: dict[str, Any], errors: dict[str, str]
) -> tuple[Client | None, Piano | None]:
    """The reminder's client and piano, both the technician's (``NotFound``
    otherwise). A piano alone gives its owner as the client; a piano must
    belong to the chosen client."""
    piano = None
    if cleaned["piano_id"] is not None:
        piano = get_owned(session, Piano, cleaned["piano_id"], user)
    client_id = cleaned["client_id"]
    if client_id is None and piano is not None:
        client_id = piano.client_id
    client = None
    if client_id is None:
        errors.setdefault("client_id", "error.client_required")
    else:
        client = get_owned(session, Client, client_id, user)
        if piano is not None and piano.client_id != client.id:
            errors["piano_id"] = "error.piano_not_of_client"
    return client, piano


def _changed(session: Session, user: User, reminder: Reminder) -> None:
    session.add(reminder)
    session.flush()
    invalidate_on_commit(session, user, "reminders", records=[("reminder", reminder.id)])


# -- reminders: writes -----------------------------------------------------------------
def create_reminder(session: Session, user: User, data: ReminderInput) -> Reminder:
    """A manual reminder about one of the technician's clients (and pianos)."""
    errors, cleaned = validate_reminder(data)
    client, piano = _links(session, user, cleaned, errors)
    if errors or client is None:
        raise ValidationFailed(errors)
    reminder = Reminder(
        technician_id=user.id,
        client_id=client.id,
        piano_id=piano.id if piano is not None else None,
        reminder_type=cleaned["reminder_type"],
        source=Source.MANUAL,
        due_date=cleaned["due_date"],
        title=cleaned["title"],
        notes=cleaned["notes"],
    )
    _changed(session, user, reminder)
    return reminder


def update_reminder(
    session: Session, user: User, reminder_id: int, data: ReminderInput
) -> Reminder:
    """Save a reminder. An automatic one (due-service, follow-up) keeps its
    client and piano (they define its cycle); the rest can change."""
    reminder = get_owned(session, Reminder, reminder_id, user)
    errors, cleaned = validate_reminder(data)
    if Source(reminder.source) == Source.MANUAL:
        client, piano = _links(session, user, cleaned, errors)
    else:
        client, piano = None, None
    if errors:
        raise ValidationFailed(errors)
    if client is not None:
        reminder.client_id = client.id
        reminder.piano_id = piano.id if piano is not None else None
    for name in ("reminder_type", "due_date", "title", "notes"):
        setattr(reminder, name, cleaned[name])
    _changed(session, user, reminder)
    return reminder


def complete_reminder(session: Session, user: User, reminder_id: int) -> Reminder:
    reminder = get_owned(session, Reminder, reminder_id, user)
    if not reminder.done:
        reminder.done = True
        reminder.done_at = utcnow()
        _changed(session, user, reminder)
    return reminder


def reopen_reminder(session: Session, user: User, reminder_id: int) -> Reminder:
    """Back to not done (a reopened due-service reminder proposes its piano again)."""
    reminder = get_owned(session, Reminder, reminder_id, user)
    if reminder.done:
        reminder.done = False
        reminder.done_at = None
        _changed(session, user, reminder)
    return reminder


def remove_reminder(session: Session, user: User, reminder_id: int) -> str:
    """Delete a reminder (a due-service one: its piano is proposed again).

    Returns ``"deleted"``.
    """
    reminder = get_owned(session, Reminder, reminder_id, user)
    session.delete(reminder)
    session.flush()
    invalidate_on_commit(session, user, "reminders", records=[("reminder", reminder_id)])
    return "deleted"


# -- reminders: reads ------------------------------------------------------------------
_REMINDER_COLUMNS = (
    Reminder.id,
    Reminder.client_id,
    Reminder.piano_id,
    Reminder.reminder_type,
    Reminder.source,
    Reminder.due_cycle_date,
    Reminder.due_date,
    Reminder.title,
    Reminder.notes,
    Reminder.done,
    Reminder.done_at,
    Reminder.created_at,
    Client.name.label("client_name"),
    Client.phone.label("client_phone"),
    Client.email.label("client_email"),
    Piano.brand,
    Piano.model,
)


def _piano_label(brand: str | None, model: str | None) -> str:
    return f"{brand or ''} {model or ''}".strip()


def _reminder_dict(row: Any, today: date) -> dict[str, Any]:
    return {
        "id": row.id,
        "client_id": row.client_id,
        "client_name": row.client_name,
        "client_phone": row.client_phone,
        "client_email": row.client_email,
        "piano_id": row.piano_id,
        "piano": _piano_label(row.brand, row.model) if row.piano_id is not None else "",
        "reminder_type": ReminderType(row.reminder_type).value,
        "source": Source(row.source).value,
        "due_cycle_date": row.due_cycle_date,
        "due_date": row.due_date,
        "title": row.title,
        "notes": row.notes,
        "done": bool(row.done),
        "done_at": row.done_at,
        "created_at": row.created_at,
        "days_overdue": max((today - row.due_date).days, 0) if not row.done else 0,
    }


def _reminder_query(user: User):
    return (
        select(*_REMINDER_COLUMNS)
        .join(Client, Client.id == Reminder.client_id)
        .outerjoin(Piano, sa.and_(Piano.id == Reminder.piano_id, Piano.technician_id == user.id))
        .where(Reminder.technician_id == user.id, Client.technician_id == user.id)
    )


def _list_reminders(session: Session, user: User, today: date) -> dict[str, list[dict]]:
    week_end = end_of_week(today)
    buckets: dict[str, list[dict]] = {
        "overdue": [],
        "today": [],
        "this_week": [],
        "later": [],
        "done": [],
    }
    pending = session.exec(
        _reminder_query(user)
        .where(Reminder.done == sa.false())
        .order_by(Reminder.due_date, Reminder.id)
    ).all()
    for row in pending:
        if row.due_date < today:
            bucket = "overdue"
        elif row.due_date == today:
            bucket = "today"
        elif row.due_date <= week_end:
            bucket = "this_week"
        else:
            bucket = "later"
        buckets[bucket].append(_reminder_dict(row, today))
    done = session.exec(
        _reminder_query(user)
        .where(Reminder.done == sa.true())
        .order_by(Reminder.done_at.desc(), Reminder.id.desc())
        .limit(DONE_LIMIT)
    ).all()
    buckets["done"] = [_reminder_dict(row, today) for row in done]
    return buckets


def list_reminders(
    session: Session, user: User, today: date | None = None
) -> dict[str, list[dict[str, Any]]]:
    """The technician's reminders: ``overdue`` (not done, due before today),
    ``today``, ``this_week`` (tomorrow to Sunday), ``later`` (each by due
    date) and ``done`` (the newest 50)."""
    today = today or local_today()
    return cached_read(
        user,
        "reminders",
        "list",
        {"today": today},
        lambda: _list_reminders(session, user, today),
        depends_on=REMINDER_READS,
    )


def _reminder_counts(session: Session, user: User, today: date) -> dict[str, int]:
    buckets = list_reminders(session, user, today)
    counts = {name: len(buckets[name]) for name in ("overdue", "today", "this_week", "later")}
    counts["badge"] = counts["overdue"] + counts["today"]
    return counts


def reminder_counts(session: Session, user: User, today: date | None = None) -> dict[str, int]:
    """``{overdue, today, this_week, later, badge}``; the badge is overdue + today."""
    today = today or local_today()
    return cached_read(
        user,
        "reminders",
        "counts",
        {"today": today},
        lambda: _reminder_counts(session, user, today),
        depends_on=REMINDER_READS,
    )


def get_reminder(session: Session, user: User, reminder_id: int) -> dict[str, Any]:
    """One reminder (for its edit form); ``NotFound`` if not the technician's."""

    def load() -> dict[str, Any]:
        row = session.exec(_reminder_query(user).where(Reminder.id == reminder_id)).first()
        if row is None:
            raise NotFound(Reminder.__tablename__)
        return _reminder_dict(row, today)

    today = local_today()
    return cached_read(
        user,
        "reminders",
        "detail",
        {"id": reminder_id, "today": today},
        load,
        depends_on=REMINDER_READS,
        records=[("reminder", reminder_id)],
    )


# -- due pianos ------------------------------------------------------------------------
@dataclass
class _DuePiano:
    """One live piano with its due date and its automatic reminders."""

    id: int
    brand: str
    model: str
    serial: str
    client_id: int
    client_name: str
    client_phone: str
    client_email: str
    added_on: date
    interval_months: int
    last_service_date: date | None
    due_date: date | None
    due_service: Any = None  # the due_service reminder row of the current cycle
    follow_up: Any = None  # the follow_up reminder row of the current cycle
    last_booked_at: datetime | None = None  # newest non-cancelled appointment creation

    @property
    def label(self) -> str:
        return _piano_label(self.brand, self.model)

    @property
    def contacted(self) -> bool:
        return self.due_service is not None and bool(self.due_service.done)

    def follow_up_due(self, today: date) -> bool:
        """A follow-up of this cycle is due and no appointment was booked since."""
        row = self.follow_up
        if row is None or row.done or row.due_date > today:
            return False
        return not _booked_after(self.last_booked_at, row.created_at)


def _booked_after(booked_at: datetime | None, since: datetime) -> bool:
    return booked_at is not None and booked_at > since


def _default_interval(session: Session, user: User) -> int:
    return int(get_maintenance_settings(session, user)["default_interval_months"])


def _last_services(
    session: Session, user: User, today: date, piano_ids: list[int] | None = None
) -> dict[int, date]:
    """The date of each piano's last completed service of any type."""
    query = (
        select(Service.piano_id, sa.func.max(Service.service_date))
        .where(
            Service.technician_id == user.id,
            Service.status == ServiceStatus.COMPLETED,
            Service.service_date <= today,
        )
        .group_by(Service.piano_id)
    )
    if piano_ids is not None:
        query = query.where(Service.piano_id.in_(piano_ids))
    return dict(session.exec(query).all())


def _due_candidates(
    session: Session, user: User, today: date, piano_id: int | None = None
) -> list[_DuePiano]:
    """Every live piano (not archived, client not archived) with its due date
    (None when never due) and the automatic reminders of its current cycle."""
    default = _default_interval(session, user)
    query = (
        select(
            Piano.id,
            Piano.brand,
            Piano.model,
            Piano.serial_number,
            Piano.created_at,
            Piano.service_interval_months,
            Client.id,
            Client.name,
            Client.phone,
            Client.email,
        )
        .join(Client, Client.id == Piano.client_id)
        .where(
            Piano.technician_id == user.id,
            Client.technician_id == user.id,
            Piano.archived == sa.false(),
            Client.archived == sa.false(),
        )
    )
    if piano_id is not None:
        query = query.where(Piano.id == piano_id)
    rows = session.exec(query).all()
    ids = [row[0] for row in rows] if piano_id is not None else None
    last = _last_services(session, user, today, ids)
    pianos: dict[int, _DuePiano] = {}
    for pid, brand, model, serial, created, own, cid, cname, phone, email in rows:
        interval = own if own is not None else default
        added_on = to_local(created).date()
        last_service = last.get(pid)
        pianos[pid] = _DuePiano(
            id=pid,
            brand=brand,
            model=model,
            serial=serial,
            client_id=cid,
            client_name=cname,
            client_phone=phone,
            client_email=email,
            added_on=added_on,
            interval_months=interval,
            last_service_date=last_service,
            due_date=next_due_date(last_service, added_on, interval),
        )
    cycles = [p.due_date for p in pianos.values() if p.due_date is not None]
    if not cycles:
        return list(pianos.values())
    # Only reminders that can belong to a current cycle (not years of history).
    reminders = owned(Reminder, user).where(
        Reminder.source.in_([Source.DUE_SERVICE, Source.FOLLOW_UP]),
        Reminder.piano_id.is_not(None),
        Reminder.due_cycle_date >= min(cycles),
    )
    if piano_id is not None:
        reminders = reminders.where(Reminder.piano_id == piano_id)
    for reminder in session.exec(reminders).all():
        piano = pianos.get(reminder.piano_id)
        if piano is None or piano.due_date is None or reminder.due_cycle_date != piano.due_date:
            continue
        if Source(reminder.source) == Source.DUE_SERVICE:
            piano.due_service = reminder
        else:
            piano.follow_up = reminder
    with_follow_up = [p.id for p in pianos.values() if p.follow_up is not None]
    for pid, created in _last_bookings(session, user, with_follow_up).items():
        pianos[pid].last_booked_at = created
    return list(pianos.values())


def _horizon(horizon_days: int | None) -> int:
    try:
        days = int(horizon_days if horizon_days is not None else DUE_HORIZON_DAYS)
    except (TypeError, ValueError):
        days = DUE_HORIZON_DAYS
    return min(max(days, 0), MAX_HORIZON_DAYS)


def _due_pianos(
    session: Session, user: User, today: date, horizon_days: int
) -> list[dict[str, Any]]:
    limit = today + timedelta(days=horizon_days)
    groups: dict[int, dict[str, Any]] = {}
    for piano in _due_candidates(session, user, today):
        if piano.due_date is None or piano.due_date > limit:
            continue
        if piano.contacted and not piano.follow_up_due(today):
            continue
        group = groups.setdefault(
            piano.client_id,
            {
                "client": {
                    "id": piano.client_id,
                    "name": piano.client_name,
                    "phone": piano.client_phone,
                    "email": piano.client_email,
                },
                "pianos": [],
            },
        )
        group["pianos"].append(
            {
                "id": piano.id,
                "brand": piano.brand,
                "model": piano.model,
                "serial": piano.serial,
                "last_service_date": piano.last_service_date,
                "due_date": piano.due_date,
                "months_since": months_between(piano.last_service_date or piano.added_on, today),
                "interval_months": piano.interval_months,
                "overdue": piano.due_date < today,
                "contacted": piano.contacted,
            }
        )
    result = list(groups.values())
    for group in result:
        group["pianos"].sort(key=lambda p: (p["due_date"], p["brand"], p["id"]))
    result.sort(key=lambda g: (g["pianos"][0]["due_date"], g["client"]["name"], g["client"]["id"]))
    return result


def due_pianos(
    session: Session, user: User, today: date | None = None, horizon_days: int = DUE_HORIZON_DAYS
) -> list[dict[str, Any]]:
    """Pianos due within ``horizon_days`` (30) or overdue, grouped by client:
    ``[{client: {id, name, phone, email}, pianos: [{id, brand, model, serial,
    last_service_date, due_date, months_since, interval_months, overdue,
    contacted}]}]``, most urgent client first.

    Archived pianos, pianos of archived clients and pianos whose client calls
    (interval 0) are left out, and so are pianos already contacted for their
    current due date, unless the 14-day follow-up is due and no appointment
    was booked since the contact (then ``contacted`` is True).
    """
    today = today or local_today()
    horizon = _horizon(horizon_days)
    return cached_read(
        user,
        "reminders",
        "due_pianos",
        {"today": today, "horizon": horizon},
        lambda: _due_pianos(session, user, today, horizon),
        depends_on=DUE_READS,
    )


# -- message templates -----------------------------------------------------------------
def render_message(template: str, variables: Mapping[str, Any]) -> str:
    """``template`` with every ``{name}`` of ``variables`` replaced by its value
    (unknown placeholders and stray braces are left as written)."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(variables[name]) if name in variables else match.group(0)

    return _VARIABLE.sub(replace, template or "")


def _unknown_variables(text: str) -> list[str]:
    return [name for name in _VARIABLE.findall(text or "") if name not in TEMPLATE_VARIABLES]


def _template_rows(session: Session, user: User) -> dict[str, MessageTemplate]:
    rows = session.exec(
        select(MessageTemplate).where(MessageTemplate.technician_id == user.id)
    ).all()
    return {MessageChannel(row.channel).value: row for row in rows}


def _message_templates(session: Session, user: User) -> dict[str, dict[str, str]]:
    rows = _template_rows(session, user)

    def pick(channel: str, name: str) -> str:
        row = rows.get(channel)
        value = getattr(row, name) if row is not None else ""
        return value or DEFAULT_TEMPLATES[channel][name]

    email, whatsapp = MessageChannel.EMAIL.value, MessageChannel.WHATSAPP.value
    return {
        email: {"subject": pick(email, "subject"), "body": pick(email, "body")},
        whatsapp: {"body": pick(whatsapp, "body")},
    }


def get_message_templates(session: Session, user: User) -> dict[str, dict[str, str]]:
    """``{email: {subject, body}, whatsapp: {body}}``: the technician's saved
    texts, or the Spanish defaults. Variables: {cliente}, {piano},
    {ultimo_servicio} (dd/mm/aaaa), {meses}, {tecnico}."""
    return cached_read(
        user,
        "settings",
        "message_templates",
        None,
        lambda: _message_templates(session, user),
        depends_on=("settings",),
    )


def validate_template(channel: str, subject: str, body: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if channel not in MessageChannel._value2member_map_:
        errors["channel"] = "error.choice_invalid"
    if not body:
        errors["body"] = "error.template_body_required"
    elif len(body) > TEMPLATE_BODY_MAX:
        errors["body"] = "error.too_long"
    elif _unknown_variables(body):
        errors["body"] = "error.template_variable"
    if channel == MessageChannel.EMAIL.value:
        if not subject:
            errors["subject"] = "error.subject_required"
        elif len(subject) > TEMPLATE_SUBJECT_MAX:
            errors["subject"] = "error.too_long"
        elif _unknown_variables(subject):
            errors["subject"] = "error.template_variable"
    return errors


def save_message_template(
    session: Session, user: User, channel: str, subject: str, body: str
) -> MessageTemplate:
    """Save the technician's text for ``channel`` (``email`` or ``whatsapp``;
    the subject is for email only). Unknown ``{variables}`` are refused."""
    channel = str(channel or "").strip()
    subject = " ".join(str(subject or "").split())  # one line
    body = str(body or "").strip()
    errors = validate_template(channel, subject, body)
    if errors:
        raise ValidationFailed(errors)
    row = _template_rows(session, user).get(channel)
    if row is None:
        row = MessageTemplate(technician_id=user.id, channel=MessageChannel(channel))
    row.subject = subject if channel == MessageChannel.EMAIL.value else ""
    row.body = body
    session.add(row)
    try:
        session.flush()
    except sa.exc.IntegrityError:
        # The same technician saving from two tabs at once: update theirs.
        session.rollback()
        row = _template_rows(session, user)[channel]
        row.subject = subject if channel == MessageChannel.EMAIL.value else ""
        row.body = body
        session.add(row)
        session.flush()
    invalidate_on_commit(session, user, "settings")
    return row


def _mailto(email: str, subject: str, body: str) -> str | None:
    if not email:
        return None
    return f"mailto:{quote(email, safe='@')}?subject={quote(subject)}&body={quote(body)}"


def _contact_message(session: Session, user: User, piano_id: int, today: date) -> dict[str, Any]:
    piano = get_owned(session, Piano, piano_id, user)
    client = get_owned(session, Client, piano.client_id, user)
    last = _last_services(session, user, today, [piano.id]).get(piano.id)
    added_on = to_local(piano.created_at).date()
    variables = {
        "cliente": client.name,
        "piano": _piano_label(piano.brand, piano.model),
        "ultimo_servicio": format_date(last) if last is not None else NO_SERVICE_TEXT,
        "meses": months_between(last or added_on, today),
        "tecnico": user.name,
    }
    templates = get_message_templates(session, user)
    subject = render_message(templates["email"]["subject"], variables)
    email_body = render_message(templates["email"]["body"], variables)
    whatsapp_text = render_message(templates["whatsapp"]["body"], variables)
    return {
        "piano_id": piano.id,
        "client_id": client.id,
        "email": client.email,
        "phone": client.phone,
        "email_subject": subject,
        "email_body": email_body,
        "whatsapp_text": whatsapp_text,
        "whatsapp_url": whatsapp_url(client.phone, whatsapp_text),
        "mailto_url": _mailto(client.email, subject, email_body),
    }


def contact_message(
    session: Session, user: User, piano_id: int, today: date | None = None
) -> dict[str, Any]:
    """The due-service message for one piano: ``{email_subject, email_body,
    whatsapp_text, whatsapp_url, mailto_url, …}``; ``whatsapp_url`` is None
    without a valid phone and ``mailto_url`` without an email."""
    today = today or local_today()
    return cached_read(
        user,
        "reminders",
        "contact",
        {"piano_id": piano_id, "today": today, "tecnico": user.name},
        lambda: _contact_message(session, user, piano_id, today),
        depends_on=CONTACT_READS,
        records=[("piano", piano_id)],
    )


# -- mark contacted --------------------------------------------------------------------
def _cycle_reminder(
    session: Session, user: User, piano_id: int, cycle: date, source: Source
) -> Reminder | None:
    return session.exec(
        owned(Reminder, user).where(
            Reminder.piano_id == piano_id,
            Reminder.due_cycle_date == cycle,
            Reminder.source == source,
        )
    ).first()


def _due_title(piano: _DuePiano) -> str:
    return DUE_TITLE.format(piano=piano.label or piano.brand)[:TITLE_MAX]


def _close(reminder: Reminder, now: datetime) -> None:
    reminder.done = True
    reminder.done_at = now


def mark_contacted(
    session: Session, user: User, piano_id: int, channel: str, today: date | None = None
) -> Reminder:
    """Record that the client was contacted about the piano's current due date.

    Creates (or completes, when the daily job made it) the piano's done
    ``due_service`` reminder of that cycle, typed by ``channel`` (``whatsapp``,
    ``email`` or ``call``), and schedules the follow-up 14 days later. At
    most one per piano and due date: a second call returns the existing
    reminder and changes nothing, except that it closes a follow-up that has
    fallen due (the client was contacted again). Two calls at once: the
    unique constraint refuses the second, whose transaction is rolled back
    and which then returns the first one's reminder.
    """
    today = today or local_today()
    if channel not in CONTACT_CHANNELS:
        raise ValidationFailed({"channel": "error.choice_invalid"})
    get_owned(session, Piano, piano_id, user)
    candidates = _due_candidates(session, user, today, piano_id)
    if not candidates or candidates[0].due_date is None:
        raise DomainError("error.piano_not_due")
    piano = candidates[0]
    cycle = piano.due_date
    now = utcnow()
    existing = piano.due_service
    if existing is not None and existing.done:
        follow_up = piano.follow_up
        if follow_up is not None and piano.follow_up_due(today):
            _close(follow_up, now)
            _changed(session, user, follow_up)
        return existing
    try:
        reminder = existing or Reminder(
            technician_id=user.id,
            client_id=piano.client_id,
            piano_id=piano.id,
            source=Source.DUE_SERVICE,
            due_cycle_date=cycle,
            title=_due_title(piano),
            due_date=today,
        )
        reminder.reminder_type = CONTACT_CHANNELS[channel]
        reminder.due_date = today
        _close(reminder, now)
        _changed(session, user, reminder)
        if piano.follow_up is None:
            follow_up = Reminder(
                technician_id=user.id,
                client_id=piano.client_id,
                piano_id=piano.id,
                reminder_type=ReminderType.FOLLOW_UP,
                source=Source.FOLLOW_UP,
                due_cycle_date=cycle,
                due_date=today + timedelta(days=FOLLOW_UP_DAYS),
                title=FOLLOW_UP_TITLE.format(piano=piano.label or piano.brand)[:TITLE_MAX],
                notes=f"Contactado el {format_date(today)} por {channel}.",
            )
            _changed(session, user, follow_up)
    except sa.exc.IntegrityError:
        # Another request recorded this contact first (same piano, same cycle).
        session.rollback()
        reminder = _cycle_reminder(session, user, piano.id, cycle, Source.DUE_SERVICE)
        if reminder is None:
            raise
    return reminder


# -- the daily job ---------------------------------------------------------------------
def _preferred_type(piano: _DuePiano) -> ReminderType:
    if normalise_phone(piano.client_phone):
        return ReminderType.WHATSAPP
    if piano.client_email:
        return ReminderType.EMAIL
    return ReminderType.CALL


def create_due_service_reminders(session: Session, user: User, today: date | None = None) -> int:
    """The daily job for one technician; returns how many reminders it created.

    - every piano due within 30 days or overdue without a ``due_service``
      reminder for its due date gets one, not done, due on that date;
    - a follow-up not done is closed when an appointment (not cancelled) was
      booked for its piano after it was created;
    - automatic reminders not done whose cycle is over (the piano has a new
      due date, is archived, or is never due now) are closed.

    Idempotent: running it again the same day creates and closes nothing.
    The caller commits.
    """
    today = today or local_today()
    limit = today + timedelta(days=DUE_HORIZON_DAYS)
    now = utcnow()
    pianos = _due_candidates(session, user, today)
    current = {p.id: p.due_date for p in pianos}
    created = 0
    changed = False
    for piano in pianos:
        if piano.due_date is None or piano.due_date > limit or piano.due_service is not None:
            continue
        session.add(
            Reminder(
                technician_id=user.id,
                client_id=piano.client_id,
                piano_id=piano.id,
                reminder_type=_preferred_type(piano),
                source=Source.DUE_SERVICE,
                due_cycle_date=piano.due_date,
                due_date=piano.due_date,
                title=_due_title(piano),
                notes=f"Revisión prevista el {format_date(piano.due_date)}.",
            )
        )
        created += 1
    # Follow-ups an appointment answered, and automatic reminders of past cycles.
    open_automatic = session.exec(
        owned(Reminder, user).where(
            Reminder.done == sa.false(),
            Reminder.source.in_([Source.DUE_SERVICE, Source.FOLLOW_UP]),
        )
    ).all()
    booked = _last_bookings(
        session, user, [r.piano_id for r in open_automatic if r.piano_id is not None]
    )
    for reminder in open_automatic:
        stale = reminder.piano_id is None or current.get(reminder.piano_id) != (
            reminder.due_cycle_date
        )
        answered = Source(reminder.source) == Source.FOLLOW_UP and _booked_after(
            booked.get(reminder.piano_id), reminder.created_at
        )
        if stale or answered:
            _close(reminder, now)
            session.add(reminder)
            changed = True
    if created or changed:
        session.flush()
        invalidate_on_commit(session, user, "reminders")
    return created


def _last_bookings(session: Session, user: User, piano_ids: list[int]) -> dict[int, datetime]:
    if not piano_ids:
        return {}
    return dict(
        session.exec(
            select(Appointment.piano_id, sa.func.max(Appointment.created_at))
            .where(
                Appointment.technician_id == user.id,
                Appointment.piano_id.in_(sorted(set(piano_ids))),
                Appointment.status != AppointmentStatus.CANCELLED,
            )
            .group_by(Appointment.piano_id)
        ).all()
    )


def run_daily_reminders(
    session_factory: Callable[[], AbstractContextManager[Session]], today: date | None = None
) -> dict[int, int]:
    """The platform's daily job: ``create_due_service_reminders`` for every
    active technician, each in its own session and transaction. Returns the
    number created per technician id; a technician whose run fails is logged
    (with its traceback) and left out, and the others still run. A run that
    collides with another one (unique constraint) is retried once.
    """
    today = today or local_today()
    return for_each_active_technician(
        session_factory,
        lambda session, user: create_due_service_reminders(session, user, today),
        what="daily reminders",
        retry_on=(sa.exc.IntegrityError,),
    )
