"""The agenda (Agenda): appointments, their views by day, week and month,
overlap warnings, completing an appointment into a service, and booking the
next visit.

Times are typed and shown in Spain (``DISPLAY_TIMEZONE``, Europe/Madrid) and
stored as aware UTC datetimes; a view's dates are Spanish calendar dates.

Overlaps with another (not cancelled) appointment of the same technician do
not stop a save: ``create_appointment`` and ``update_appointment`` return
them next to the appointment, and the page shows the warning. Intervals are
half-open, ``[start, end)``: one appointment ending at 10:00 and the next one
starting at 10:00 do not overlap.

Reads return plain dicts and go through the cache; every write invalidates
``appointments`` (the dashboard and its feed depend on it) and the records of
the appointment, its client and its piano.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from piano_emotion.domain import services as services_domain
from piano_emotion.domain.cached import cached_read, invalidate_on_commit
from piano_emotion.domain.errors import DomainError, ValidationFailed
from piano_emotion.domain.tenancy import get_owned
from piano_emotion.formatting import DISPLAY_TIMEZONE, to_local
from piano_emotion.models import Appointment, Client, Piano, Service, User
from piano_emotion.models.enums import AppointmentStatus, ServiceStatus, ServiceType
from piano_emotion.models.types import utcnow

DEFAULT_DURATION = 60
DURATION_RANGE = (5, 720)  # minutes
MAX_TITLE = 200
MAX_ADDRESS = 255
EARLIEST_YEAR = 2000
MAX_YEARS_AHEAD = 5  # a 60-month interval books five years ahead
MAX_RANGE_DAYS = 366  # longest span ``list_appointments`` answers
UPCOMING_LIMIT = 10
VIEWS = ("day", "week", "month")
# The statuses that still take up the technician's time.
ACTIVE = (AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED)
# What an agenda read shows, so what its cache entries depend on.
AGENDA_READS = ("appointments", "clients", "pianos")
# A title derived from the service type when none is typed (Spanish, as the
# technicians write them; the title is stored text, not a translation key).
SERVICE_TYPE_TITLES: dict[ServiceType, str] = {
    ServiceType.TUNING: "Afinación",
    ServiceType.REPAIR: "Reparación",
    ServiceType.REGULATION: "Regulación",
    ServiceType.MAINTENANCE_BASIC: "Mantenimiento básico",
    ServiceType.MAINTENANCE_COMPLETE: "Mantenimiento completo",
    ServiceType.MAINTENANCE_PREMIUM: "Mantenimiento premium",
    ServiceType.INSPECTION: "Inspección",
    ServiceType.RESTORATION: "Restauración",
    ServiceType.OTHER: "Otro",
}
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


@dataclass
class AppointmentInput:
    client_id: int | str | None = None
    piano_id: int | str | None = None
    title: str = ""
    # Local (Spanish) date and time: ``2026-03-05`` or ``05/03/2026``, ``09:30``.
    date: date | str | None = None
    time: time | str | None = None
    duration_minutes: int | str | None = DEFAULT_DURATION
    service_type: str = ""
    address: str = ""
    notes: str = ""
    status: str = AppointmentStatus.SCHEDULED.value

    @classmethod
    def from_form(cls, form: dict[str, Any]) -> AppointmentInput:
        return cls(
            **{
                f.name: str(form.get(f.name, "") or "").strip()
                for f in fields(cls)
                if f.name in form
            }
        )


# -- time helpers -----------------------------------------------------------------
def parse_time(value: Any) -> time | None:
    """``09:30`` (also ``9:30`` and ``09:30:00``) or a ``time``; ValueError otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        raise ValueError(value)
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    match = _TIME.match(str(value).strip())
    if not match:
        raise ValueError(value)
    return time(int(match[1]), int(match[2]))  # ValueError for 25:00 or 10:75


def local_datetime(day: date, at: time) -> datetime:
    """``day`` at ``at`` in Spain, as an aware UTC datetime.

    ValueError when that wall-clock time does not exist (the hour skipped
    when summer time starts).
    """
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=DISPLAY_TIMEZONE)
    utc = aware.astimezone(UTC)
    if to_local(utc).replace(tzinfo=None) != naive:
        raise ValueError(f"{naive} does not exist in {DISPLAY_TIMEZONE}")
    return utc


def local_day_start(day: date) -> datetime:
    """Midnight of ``day`` in Spain, as an aware UTC datetime."""
    return datetime.combine(day, time(0), tzinfo=DISPLAY_TIMEZONE).astimezone(UTC)


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _as_date(value: Any) -> date:
    parsed = services_domain.parse_service_date(value)
    if parsed is None:
        raise ValueError(value)
    return parsed


def agenda_range(view: str, anchor_date: date | str) -> tuple[date, date]:
    """First and last date (inclusive) of the ``day``, ``week`` (Monday to
    Sunday) or ``month`` view that shows ``anchor_date``."""
    try:
        anchor = _as_date(anchor_date)
    except ValueError:
        raise ValidationFailed({"date": "error.date_invalid"}) from None
    if view == "day":
        return anchor, anchor
    if view == "week":
        monday = anchor - timedelta(days=anchor.weekday())
        return monday, monday + timedelta(days=6)
    if view == "month":
        last = calendar.monthrange(anchor.year, anchor.month)[1]
        return anchor.replace(day=1), anchor.replace(day=last)
    raise ValidationFailed({"view": "error.choice_invalid"})


# -- validation --------------------------------------------------------------------
def _int(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    return int(str(value).strip())


def latest_appointment_date(today: date) -> date:
    return add_months(today, MAX_YEARS_AHEAD * 12)


def validate_appointment(
    data: AppointmentInput, today: date | None = None
) -> tuple[dict[str, str], dict[str, Any]]:
    """Field errors (translation keys) and the cleaned values.

    ``client_id`` and ``piano_id`` are only parsed here; whose they are, and
    whether the piano is the client's, is checked by the writes.
    """
    today = today or datetime.now(DISPLAY_TIMEZONE).date()
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}

    for name, key in (("client_id", "error.client_required"), ("piano_id", "error.piano_required")):
        try:
            cleaned[name] = _int(getattr(data, name))
        except ValueError:
            errors[name] = key
            cleaned[name] = None

    service_type = str(data.service_type or "").strip()
    cleaned["service_type"] = None
    if service_type:
        if service_type in ServiceType._value2member_map_:
            cleaned["service_type"] = ServiceType(service_type)
        else:
            errors["service_type"] = "error.choice_invalid"

    title = str(data.title or "").strip()
    if not title and cleaned["service_type"] is not None:
        title = SERVICE_TYPE_TITLES[cleaned["service_type"]]
    if not title:
        errors["title"] = "error.title_required"
    elif len(title) > MAX_TITLE:
        errors["title"] = "error.too_long"
    cleaned["title"] = title

    day = None
    try:
        day = services_domain.parse_service_date(data.date)
        if day is None:
            errors["date"] = "error.date_required"
        elif not date(EARLIEST_YEAR, 1, 1) <= day <= latest_appointment_date(today):
            errors["date"] = "error.date_out_of_range"
            day = None
    except ValueError:
        errors["date"] = "error.date_invalid"
    at = None
    try:
        at = parse_time(data.time)
        if at is None:
            errors["time"] = "error.time_required"
    except ValueError:
        errors["time"] = "error.time_invalid"
    cleaned["starts_at"] = None
    if day is not None and at is not None:
        try:
            cleaned["starts_at"] = local_datetime(day, at)
        except ValueError:
            errors["time"] = "error.time_invalid"

    try:
        duration = _int(data.duration_minutes)
        if duration is None:
            duration = DEFAULT_DURATION
        if not DURATION_RANGE[0] <= duration <= DURATION_RANGE[1]:
            raise ValueError(duration)
        cleaned["duration_minutes"] = duration
    except ValueError:
        errors["duration_minutes"] = "error.appointment_duration_invalid"

    cleaned["address"] = str(data.address or "").strip()
    if len(cleaned["address"]) > MAX_ADDRESS:
        errors["address"] = "error.too_long"
    cleaned["notes"] = str(data.notes or "").strip()

    status = str(data.status or "").strip() or AppointmentStatus.SCHEDULED.value
    if status in AppointmentStatus._value2member_map_:
        cleaned["status"] = AppointmentStatus(status)
    else:
        errors["status"] = "error.choice_invalid"
    return errors, cleaned


def client_address(client: Client) -> str:
    """Where a visit to ``client`` goes by default: address and city."""
    parts = [p.strip() for p in (client.address, client.city) if p and p.strip()]
    return ", ".join(parts)[:MAX_ADDRESS]


def _resolve(
    session: Session, user: User, data: AppointmentInput
) -> tuple[dict[str, Any], Client, Piano | None]:
    """Validate ``data`` and load its client and piano (``NotFound`` when
    either is not the technician's; field errors otherwise)."""
    errors, cleaned = validate_appointment(data)
    piano = None
    if cleaned["piano_id"] is not None:
        piano = get_owned(session, Piano, cleaned["piano_id"], user)
    client = None
    if cleaned["client_id"] is not None:
        client = get_owned(session, Client, cleaned["client_id"], user)
    elif piano is not None and "client_id" not in errors:
        # A piano chosen without a client: the visit is to its owner.
        client = get_owned(session, Client, piano.client_id, user)
    elif "client_id" not in errors:
        errors["client_id"] = "error.client_required"
    if client is not None and piano is not None and piano.client_id != client.id:
        errors["piano_id"] = "error.piano_not_of_client"
    if errors or client is None:
        raise ValidationFailed(errors)
    if not cleaned["address"]:
        cleaned["address"] = client_address(client)
    return cleaned, client, piano


def _apply(appointment: Appointment, cleaned: dict[str, Any], client: Client, piano) -> None:
    appointment.client_id = client.id
    appointment.piano_id = piano.id if piano is not None else None
    for name in (
        "title",
        "starts_at",
        "duration_minutes",
        "service_type",
        "address",
        "notes",
        "status",
    ):
        setattr(appointment, name, cleaned[name])


def _records(*appointments: tuple[int | None, int | None, int | None]) -> list[tuple[str, int]]:
    records: list[tuple[str, int]] = []
    for appointment_id, client_id, piano_id in appointments:
        for kind, record_id in (
            ("appointment", appointment_id),
            ("client", client_id),
            ("piano", piano_id),
        ):
            if record_id is not None:
                records.append((kind, record_id))
    return list(dict.fromkeys(records))


def _ids(appointment: Appointment) -> tuple[int | None, int | None, int | None]:
    return appointment.id, appointment.client_id, appointment.piano_id


def _changed(session: Session, user: User, *states, extra: tuple[str, ...] = ()) -> None:
    invalidate_on_commit(session, user, "appointments", *extra, records=_records(*states))


# -- overlaps ----------------------------------------------------------------------
def _ends_at(appointment: Appointment) -> datetime:
    return appointment.starts_at + timedelta(minutes=appointment.duration_minutes)


def _clock(value: datetime) -> str:
    return to_local(value).strftime("%H:%M")


def _overlap_dict(appointment: Appointment, client_name: str) -> dict[str, Any]:
    ends = _ends_at(appointment)
    return {
        "id": appointment.id,
        "title": appointment.title,
        "client_id": appointment.client_id,
        "client": client_name,
        "starts_at": appointment.starts_at,
        "ends_at": ends,
        "date": to_local(appointment.starts_at).date().isoformat(),
        "start": _clock(appointment.starts_at),
        "end": _clock(ends),
        "duration_minutes": appointment.duration_minutes,
        "status": AppointmentStatus(appointment.status).value,
    }


def find_overlaps(
    session: Session,
    user: User,
    starts_at: datetime,
    duration: int,
    exclude_id: int | None = None,
) -> list[dict[str, Any]]:
    """The technician's other, not cancelled, appointments that overlap
    ``[starts_at, starts_at + duration)`` (touching ends do not overlap)."""
    if starts_at.tzinfo is None:
        raise ValueError("starts_at must be an aware datetime")
    start = starts_at.astimezone(UTC)
    end = start + timedelta(minutes=int(duration))
    # No appointment is longer than DURATION_RANGE[1]: earlier starts cannot reach us.
    query = (
        select(Appointment, Client.name)
        .join(Client, Client.id == Appointment.client_id)
        .where(
            Appointment.technician_id == user.id,
            Appointment.status != AppointmentStatus.CANCELLED,
            Appointment.starts_at < end,
            Appointment.starts_at > start - timedelta(minutes=DURATION_RANGE[1]),
        )
        .order_by(Appointment.starts_at, Appointment.id)
    )
    if exclude_id is not None:
        query = query.where(Appointment.id != exclude_id)
    return [
        _overlap_dict(appointment, client_name)
        for appointment, client_name in session.exec(query).all()
        if _ends_at(appointment) > start
    ]


def _overlaps_of(session: Session, user: User, appointment: Appointment) -> list[dict[str, Any]]:
    if appointment.status == AppointmentStatus.CANCELLED:
        return []
    return find_overlaps(
        session, user, appointment.starts_at, appointment.duration_minutes, appointment.id
    )


# -- writes ------------------------------------------------------------------------
def create_appointment(
    session: Session, user: User, data: AppointmentInput
) -> tuple[Appointment, list[dict[str, Any]]]:
    """Book an appointment; returns it and the appointments it overlaps."""
    cleaned, client, piano = _resolve(session, user, data)
    appointment = Appointment(
        technician_id=user.id,
        client_id=client.id,
        title=cleaned["title"],
        starts_at=cleaned["starts_at"],
    )
    _apply(appointment, cleaned, client, piano)
    session.add(appointment)
    session.flush()
    _changed(session, user, _ids(appointment))
    return appointment, _overlaps_of(session, user, appointment)


def update_appointment(
    session: Session, user: User, appointment_id: int, data: AppointmentInput
) -> tuple[Appointment, list[dict[str, Any]]]:
    """Save an appointment; returns it and the appointments it now overlaps."""
    appointment = get_owned(session, Appointment, appointment_id, user)
    cleaned, client, piano = _resolve(session, user, data)
    before = _ids(appointment)
    _apply(appointment, cleaned, client, piano)
    session.add(appointment)
    session.flush()
    _changed(session, user, before, _ids(appointment))
    return appointment, _overlaps_of(session, user, appointment)


def _set_status(
    session: Session, user: User, appointment_id: int, status: AppointmentStatus
) -> Appointment:
    appointment = get_owned(session, Appointment, appointment_id, user)
    if appointment.status != status:
        appointment.status = status
        session.add(appointment)
        session.flush()
        _changed(session, user, _ids(appointment))
    return appointment


def confirm_appointment(session: Session, user: User, appointment_id: int) -> Appointment:
    """Scheduled → confirmed (confirmed stays); a completed or cancelled one is refused."""
    appointment = get_owned(session, Appointment, appointment_id, user)
    if appointment.status not in ACTIVE:
        raise DomainError("error.appointment_closed")
    return _set_status(session, user, appointment.id, AppointmentStatus.CONFIRMED)


def cancel_appointment(session: Session, user: User, appointment_id: int) -> Appointment:
    """Scheduled or confirmed → cancelled (cancelled stays); a completed one is refused."""
    appointment = get_owned(session, Appointment, appointment_id, user)
    if appointment.status == AppointmentStatus.COMPLETED:
        raise DomainError("error.appointment_closed")
    return _set_status(session, user, appointment.id, AppointmentStatus.CANCELLED)


def _interval_months(session: Session, user: User, piano: Piano | None) -> int:
    if piano is not None and piano.service_interval_months is not None:
        return int(piano.service_interval_months)
    from piano_emotion.domain.alerts import get_maintenance_settings

    return int(get_maintenance_settings(session, user)["default_interval_months"])


def _piano_name(piano: Piano | None) -> str:
    return f"{piano.brand} {piano.model}".strip() if piano is not None else ""


def complete_appointment(session: Session, user: User, appointment_id: int) -> dict[str, Any]:
    """Mark an appointment completed (completed stays; cancelled is refused)
    and propose what comes next::

        {"appointment_id", "client_id", "client_name", "piano_id", "piano",
         "service": {...},      # ServiceInput(**service) records the visit
         "next_visit": {"date", "time", "interval_months"} | None}

    The next visit is the appointment's date plus the piano's interval (the
    technician's default interval when the piano has none, or when there is
    no piano); None when that interval is 0 (the client calls).
    """
    appointment = get_owned(session, Appointment, appointment_id, user)
    if appointment.status == AppointmentStatus.CANCELLED:
        raise DomainError("error.appointment_cancelled")
    _set_status(session, user, appointment.id, AppointmentStatus.COMPLETED)
    client = get_owned(session, Client, appointment.client_id, user)
    piano = None
    if appointment.piano_id is not None:
        piano = get_owned(session, Piano, appointment.piano_id, user)
    local = to_local(appointment.starts_at)
    months = _interval_months(session, user, piano)
    next_visit = None
    if months > 0:
        next_visit = {
            "date": add_months(local.date(), months),
            "time": local.strftime("%H:%M"),
            "interval_months": months,
        }
    service_type = appointment.service_type or ServiceType.TUNING
    return {
        "appointment_id": appointment.id,
        "client_id": client.id,
        "client_name": client.name,
        "piano_id": piano.id if piano is not None else None,
        "piano": _piano_name(piano),
        "service": {
            "piano_id": piano.id if piano is not None else None,
            "service_type": ServiceType(service_type).value,
            "status": ServiceStatus.COMPLETED.value,
            "service_date": local.date(),
            "duration_minutes": appointment.duration_minutes,
            "notes": appointment.notes,
        },
        "next_visit": next_visit,
    }


def record_service_from_appointment(
    session: Session, user: User, appointment_id: int, data: services_domain.ServiceInput
) -> Service:
    """Record the service done at an appointment (through ``create_service``)
    and link it to the appointment, which becomes completed.

    An empty ``piano_id`` is the appointment's piano; the piano must be the
    appointment client's.
    """
    appointment = get_owned(session, Appointment, appointment_id, user)
    if appointment.status == AppointmentStatus.CANCELLED:
        raise DomainError("error.appointment_cancelled")
    piano_id = data.piano_id
    if piano_id is None or (isinstance(piano_id, str) and not piano_id.strip()):
        piano_id = appointment.piano_id
    try:
        parsed = _int(piano_id)
    except ValueError:
        raise ValidationFailed({"piano_id": "error.piano_required"}) from None
    if parsed is not None:
        piano = get_owned(session, Piano, parsed, user)
        if piano.client_id != appointment.client_id:
            raise ValidationFailed({"piano_id": "error.piano_not_of_client"})
    values = {f.name: getattr(data, f.name) for f in fields(data)}
    service = services_domain.create_service(
        session, user, services_domain.ServiceInput(**{**values, "piano_id": parsed})
    )
    service.appointment_id = appointment.id
    session.add(service)
    if appointment.status != AppointmentStatus.COMPLETED:
        appointment.status = AppointmentStatus.COMPLETED
        session.add(appointment)
    session.flush()
    _changed(session, user, _ids(appointment), extra=("services",))
    return service


def book_next_visit(
    session: Session, user: User, appointment_id: int, date: date | str, time: time | str
) -> tuple[Appointment, list[dict[str, Any]]]:
    """A new appointment like ``appointment_id`` (client, piano, title, type,
    duration, address) on ``date`` at ``time``; returns it and its overlaps.
    The piano is left out if it has since moved to another owner."""
    source = get_owned(session, Appointment, appointment_id, user)
    piano_id = source.piano_id
    if piano_id is not None:
        piano = session.exec(
            select(Piano).where(Piano.technician_id == user.id, Piano.id == piano_id)
        ).first()
        if piano is None or piano.client_id != source.client_id:
            piano_id = None
    return create_appointment(
        session,
        user,
        AppointmentInput(
            client_id=source.client_id,
            piano_id=piano_id,
            title=source.title,
            date=date,
            time=time,
            duration_minutes=source.duration_minutes,
            service_type=source.service_type.value if source.service_type else "",
            address=source.address,
            status=AppointmentStatus.SCHEDULED.value,
        ),
    )


def remove_appointment(session: Session, user: User, appointment_id: int) -> str:
    """Delete an appointment (services recorded at it stay, unlinked).

    Returns ``"deleted"``.
    """
    appointment = get_owned(session, Appointment, appointment_id, user)
    state = _ids(appointment)
    linked = session.exec(
        select(Service.id).where(
            Service.technician_id == user.id, Service.appointment_id == appointment.id
        )
    ).all()
    if linked:
        session.execute(
            sa.update(Service)
            .where(Service.technician_id == user.id, Service.appointment_id == appointment.id)
            .values(appointment_id=None)
        )
    session.delete(appointment)
    session.flush()
    invalidate_on_commit(
        session,
        user,
        "appointments",
        *(("services",) if linked else ()),
        records=_records(state) + [("service", service_id) for service_id in linked],
    )
    return "deleted"


# -- reads -------------------------------------------------------------------------
def _item(appointment: Appointment, client_name: str, brand, model) -> dict[str, Any]:
    ends = _ends_at(appointment)
    local_start, local_end = to_local(appointment.starts_at), to_local(ends)
    return {
        "id": appointment.id,
        "date": local_start.date().isoformat(),
        "end_date": local_end.date().isoformat(),
        "start": local_start.strftime("%H:%M"),
        "end": local_end.strftime("%H:%M"),
        "starts_at": appointment.starts_at,
        "ends_at": ends,
        "duration_minutes": appointment.duration_minutes,
        "title": appointment.title,
        "client_id": appointment.client_id,
        "client": client_name,
        "piano_id": appointment.piano_id,
        "piano": f"{brand or ''} {model or ''}".strip(),
        "service_type": appointment.service_type.value if appointment.service_type else "",
        "address": appointment.address,
        "status": AppointmentStatus(appointment.status).value,
    }


def _rows(session: Session, user: User, *conditions, limit: int | None = None) -> list[Any]:
    query = (
        select(Appointment, Client.name, Piano.brand, Piano.model)
        .join(Client, Client.id == Appointment.client_id)
        .outerjoin(Piano, Piano.id == Appointment.piano_id)
        .where(Appointment.technician_id == user.id, *conditions)
        .order_by(Appointment.starts_at, Appointment.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return session.exec(query).all()


def _detail(session: Session, user: User, appointment_id: int) -> dict[str, Any]:
    appointment = get_owned(session, Appointment, appointment_id, user)
    client = get_owned(session, Client, appointment.client_id, user)
    piano = None
    if appointment.piano_id is not None:
        piano = get_owned(session, Piano, appointment.piano_id, user)
    services = session.exec(
        select(Service.id)
        .where(Service.technician_id == user.id, Service.appointment_id == appointment.id)
        .order_by(Service.id)
    ).all()
    item = _item(appointment, client.name, piano and piano.brand, piano and piano.model)
    return {
        **item,
        "notes": appointment.notes,
        "client_phone": client.phone,
        "client_email": client.email,
        "service_ids": list(services),
        "overlaps": _overlaps_of(session, user, appointment),
    }


def get_appointment(session: Session, user: User, appointment_id: int) -> dict[str, Any]:
    """An appointment with its client, piano, linked services and current
    overlaps; ``NotFound`` if not theirs."""
    return cached_read(
        user,
        "appointments",
        "detail",
        {"id": appointment_id},
        lambda: _detail(session, user, appointment_id),
        depends_on=(*AGENDA_READS, "services"),
        records=[("appointment", appointment_id)],
    )


def _dates(start_date: Any, end_date: Any) -> tuple[date, date]:
    errors = {}
    first = last = None
    try:
        first = _as_date(start_date)
    except ValueError:
        errors["start_date"] = "error.date_invalid"
    try:
        last = _as_date(end_date)
    except ValueError:
        errors["end_date"] = "error.date_invalid"
    if first and last and not 0 <= (last - first).days < MAX_RANGE_DAYS:
        errors["end_date"] = "error.date_invalid"
    if errors or first is None or last is None:
        raise ValidationFailed(errors)
    return first, last


def _list(session: Session, user: User, first: date, last: date) -> list[dict[str, Any]]:
    start, end = local_day_start(first), local_day_start(last + timedelta(days=1))
    # A little wider, so that an overlap with one that starts the day before
    # (or the day after) shows too.
    margin = timedelta(minutes=DURATION_RANGE[1])
    rows = _rows(
        session,
        user,
        Appointment.starts_at > start - margin,
        Appointment.starts_at < end + margin,
    )
    active = [
        (a.id, a.starts_at, _ends_at(a))
        for a, *_ in rows
        if a.status != AppointmentStatus.CANCELLED
    ]
    items = []
    for appointment, client_name, brand, model in rows:
        if not start <= appointment.starts_at < end:
            continue
        item = _item(appointment, client_name, brand, model)
        item["overlaps"] = appointment.status != AppointmentStatus.CANCELLED and any(
            other_id != appointment.id
            and other_start < item["ends_at"]
            and other_end > appointment.starts_at
            for other_id, other_start, other_end in active
        )
        items.append(item)
    return items


def list_appointments(
    session: Session, user: User, start_date: date | str, end_date: date | str
) -> list[dict[str, Any]]:
    """Every appointment (cancelled ones too) starting between two Spanish
    dates, inclusive, in time order, with local ``date``/``start``/``end``
    and an ``overlaps`` flag (another, not cancelled, one overlaps it)."""
    first, last = _dates(start_date, end_date)
    return cached_read(
        user,
        "appointments",
        "range",
        {"start": first, "end": last},
        lambda: _list(session, user, first, last),
        depends_on=AGENDA_READS,
    )


def upcoming_appointments(
    session: Session, user: User, limit: int = UPCOMING_LIMIT
) -> list[dict[str, Any]]:
    """The next scheduled or confirmed appointments from now."""
    limit = min(max(int(limit), 1), 100)
    now = utcnow()
    # Twice as many, so that the ones that start while the entry lives can be
    # dropped on the way out.
    cached = cached_read(
        user,
        "appointments",
        "upcoming",
        {"limit": limit},
        lambda: [
            _item(*row)
            for row in _rows(
                session,
                user,
                Appointment.status.in_(ACTIVE),
                Appointment.starts_at >= now,
                limit=limit * 2,
            )
        ],
        depends_on=AGENDA_READS,
    )
    return [a for a in cached if a["starts_at"] >= now][:limit]
