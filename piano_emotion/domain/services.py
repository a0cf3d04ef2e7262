"""Services (work done or planned on a piano): create, read, update, status
changes, the task checklist, delete, list and counts.

Reads return plain dicts; every read goes through the cache and every write
invalidates what it changed. A service write changes the service lists, the
piano and client lists (they show the last service), the piano's and the
client's details and, when a completed service is involved, the maintenance
alerts (a piano's last tuning/regulation date may have moved). A service
that becomes completed goes to ``alerts.resolve_alerts_for_service``, which
resolves what it fixes (a tuning the piano's open tuning alert, a
regulation the regulation alert) and links the alert to it.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from piano_emotion.domain import alerts as alerts_domain
from piano_emotion.domain import inventory
from piano_emotion.domain.cached import (
    cached_page,
    cached_read,
    invalidate_on_commit,
    note_coming_read,
)
from piano_emotion.domain.errors import NotFound, ValidationFailed
from piano_emotion.domain.listing import PageResult, clamp_page, like_pattern, search_words
from piano_emotion.domain.refresh import refreshable
from piano_emotion.domain.tenancy import TECHNICIAN, get_owned, scoped
from piano_emotion.formatting import parse_decimal
from piano_emotion.models import (
    Client,
    Invoice,
    Piano,
    Service,
    ServiceTask,
    User,
)
from piano_emotion.models.enums import ServiceStatus, ServiceType


def _task_keys(service_type: ServiceType, count: int) -> tuple[str, ...]:
    return tuple(f"task.{service_type.value}.{n}" for n in range(1, count + 1))


# The default checklist of each service type, as translation keys (the pages
# show ``tr(label)`` when the label is a catalogue key, else the label as typed).
DEFAULT_TASKS: dict[ServiceType, tuple[str, ...]] = {
    ServiceType.TUNING: _task_keys(ServiceType.TUNING, 5),
    ServiceType.REPAIR: _task_keys(ServiceType.REPAIR, 4),
    ServiceType.REGULATION: _task_keys(ServiceType.REGULATION, 6),
    ServiceType.MAINTENANCE_BASIC: _task_keys(ServiceType.MAINTENANCE_BASIC, 3),
    ServiceType.MAINTENANCE_COMPLETE: _task_keys(ServiceType.MAINTENANCE_COMPLETE, 5),
    ServiceType.MAINTENANCE_PREMIUM: _task_keys(ServiceType.MAINTENANCE_PREMIUM, 6),
    ServiceType.INSPECTION: _task_keys(ServiceType.INSPECTION, 6),
    ServiceType.RESTORATION: _task_keys(ServiceType.RESTORATION, 5),
    ServiceType.OTHER: _task_keys(ServiceType.OTHER, 1),
}
SORTS = ("-date", "date", "-cost", "cost", "client")
MAX_YEARS_AHEAD = 2
MAX_COST = Decimal("9999999999.99")
MAX_DURATION_MINUTES = 1440
HUMIDITY_RANGE = (Decimal(0), Decimal(100))
TEMPERATURE_RANGE = (Decimal(-30), Decimal(60))
MAX_TASKS = 100
MAX_LABEL = 200
CENT = Decimal("0.01")
# What a service list shows, so what its cache entries depend on.
SERVICE_READS = ("services", "pianos", "clients")


@dataclass
class ServiceInput:
    piano_id: int | str | None = None
    service_type: str = ServiceType.TUNING.value
    status: str = ServiceStatus.COMPLETED.value
    service_date: date | str | None = None
    cost: Decimal | int | str | None = None
    duration_minutes: int | str | None = None
    humidity_pct: Decimal | int | str | None = None
    temperature_c: Decimal | int | str | None = None
    notes: str = ""
    technician_notes: str = ""
    # ``[{"label": ..., "done": ...}]``; None = the type's default checklist
    # (create) or keep the current one (update).
    tasks: list[dict[str, Any]] | None = None
    # ``[{"item_id", "quantity", "unit_price"?}]``; None = keep the materials.
    materials: list[dict[str, Any]] | None = None
    # The technician confirmed using more than there is in stock.
    allow_negative_stock: bool = False

    @classmethod
    def from_form(cls, form: dict[str, Any]) -> ServiceInput:
        values: dict[str, Any] = {
            f.name: str(form.get(f.name, "") or "").strip()
            for f in fields(cls)
            if f.name in form and f.name not in _NOT_TEXT
        }
        for name in ("tasks", "materials"):
            if isinstance(form.get(name), list):
                values[name] = list(form[name])
        values["allow_negative_stock"] = bool(form.get("allow_negative_stock", False))
        return cls(**values)


_NOT_TEXT = ("tasks", "materials", "allow_negative_stock")


# -- parsing ------------------------------------------------------------------
def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _int(value: Any) -> int | None:
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    return int(str(value).strip())


def _decimal(value: Any) -> Decimal | None:
    """A number typed by a user ("1.234,56", "45,5") or given by code."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | float):
        number = Decimal(str(value))
    else:
        number = parse_decimal(str(value))
    if not number.is_finite():
        raise ValueError(value)
    try:
        return number.quantize(CENT, rounding=ROUND_HALF_UP)
    except ArithmeticError as exc:  # too many digits to keep cents
        raise ValueError(value) from exc


def parse_service_date(value: Any) -> date | None:
    """``date``, ISO ``2026-03-05`` (date inputs) or ``05/03/2026``; ValueError otherwise."""
    if _blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        return datetime.strptime(text, "%d/%m/%Y").date()


def latest_service_date(today: date | None = None) -> date:
    """The furthest date a service may be given: two years from today."""
    today = today or date.today()
    year = today.year + MAX_YEARS_AHEAD
    return today.replace(year=year, day=min(today.day, calendar.monthrange(year, today.month)[1]))


def _task_list(
    raw: list[dict[str, Any]] | None,
) -> tuple[list[tuple[str, bool]] | None, str | None]:
    if raw is None:
        return None, None
    tasks = []
    for entry in raw:
        label = str((entry or {}).get("label", "") or "").strip()
        if not label:
            continue  # a blank row of the form
        if len(label) > MAX_LABEL:
            return None, "error.too_long"
        tasks.append((label, bool((entry or {}).get("done", False))))
    if len(tasks) > MAX_TASKS:
        return None, "error.too_many_tasks"
    return tasks, None


def validate_service(
    data: ServiceInput, today: date | None = None
) -> tuple[dict[str, str], dict[str, Any]]:
    """Field errors (translation keys) and the cleaned values.

    ``piano_id`` is only parsed here; whose piano it is, is checked by the
    writes (``NotFound``).
    """
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    try:
        cleaned["piano_id"] = _int(data.piano_id)
    except ValueError:
        errors["piano_id"] = "error.piano_required"
        cleaned["piano_id"] = None

    service_type = str(data.service_type or "").strip()
    if service_type in ServiceType._value2member_map_:
        cleaned["service_type"] = ServiceType(service_type)
    else:
        errors["service_type"] = "error.choice_invalid"
    status = str(data.status or "").strip()
    if status in ServiceStatus._value2member_map_:
        cleaned["status"] = ServiceStatus(status)
    else:
        errors["status"] = "error.choice_invalid"

    try:
        service_date = parse_service_date(data.service_date)
        if service_date is None:
            errors["service_date"] = "error.date_required"
        elif service_date > latest_service_date(today):
            errors["service_date"] = "error.date_too_far"
        else:
            cleaned["service_date"] = service_date
    except ValueError:
        errors["service_date"] = "error.date_invalid"

    try:
        cost = _decimal(data.cost)
        if cost is None:
            cost = Decimal("0.00")
        if cost < 0:
            errors["cost"] = "error.amount_negative"
        elif cost > MAX_COST:
            errors["cost"] = "error.amount_invalid"
        cleaned["cost"] = cost
    except ValueError:
        errors["cost"] = "error.amount_invalid"

    try:
        duration = _int(data.duration_minutes)
        if duration is None:
            duration = 60
        if not 0 <= duration <= MAX_DURATION_MINUTES:
            raise ValueError(duration)
        cleaned["duration_minutes"] = duration
    except ValueError:
        errors["duration_minutes"] = "error.duration_invalid"

    for name, (low, high), key in (
        ("humidity_pct", HUMIDITY_RANGE, "error.humidity_invalid"),
        ("temperature_c", TEMPERATURE_RANGE, "error.temperature_invalid"),
    ):
        try:
            reading = _decimal(getattr(data, name))
            if reading is not None and not low <= reading <= high:
                raise ValueError(reading)
            cleaned[name] = reading
        except ValueError:
            errors[name] = key

    cleaned["notes"] = str(data.notes or "").strip()
    cleaned["technician_notes"] = str(data.technician_notes or "").strip()
    tasks, problem = _task_list(data.tasks)
    if problem:
        errors["tasks"] = problem
    cleaned["tasks"] = tasks
    return errors, cleaned


def _task_label(label: Any) -> str:
    text = str(label or "").strip()
    if not text:
        raise ValidationFailed({"label": "error.label_required"})
    if len(text) > MAX_LABEL:
        raise ValidationFailed({"label": "error.too_long"})
    return text


# -- writes -------------------------------------------------------------------
@dataclass(frozen=True)
class _State:
    """What of a service decides which reads and alerts a write touches."""

    piano_id: int
    client_id: int
    service_type: ServiceType
    status: ServiceStatus
    service_date: date

    @classmethod
    def of(cls, service: Service) -> _State:
        return cls(
            service.piano_id,
            service.client_id,
            service.service_type,
            service.status,
            service.service_date,
        )

    @property
    def completed(self) -> bool:
        return self.status == ServiceStatus.COMPLETED


def _after_write(session: Session, user: User, service: Service, before: _State | None) -> None:
    after = _State.of(service)
    states = [s for s in (before, after) if s is not None]
    records = [("service", service.id)]
    for state in states:
        records += [("piano", state.piano_id), ("client", state.client_id)]
    # Lists of clients and pianos show the last service dates through
    # ``activity``, which depends on "services": no client or piano row changed.
    collections = ["services"]
    # A completed service (of any type: which ones count is the alerts'
    # business) moving in or out can change a piano's last tuning/regulation.
    if any(s.completed for s in states):
        collections.append("alerts")
        alerts_domain.request_alert_sync(session, user, [s.piano_id for s in states])
    invalidate_on_commit(session, user, *collections, records=list(dict.fromkeys(records)))
    # A service that is now completed (new, newly completed, or now another
    # type, piano or date): the alerts module resolves what it fixes (a
    # tuning the tuning alert, a regulation the regulation alert…).
    if after.completed and before != after:
        alerts_domain.resolve_alerts_for_service(session, user, service)


def _apply(service: Service, cleaned: dict[str, Any]) -> None:
    for name in (
        "service_type",
        "status",
        "service_date",
        "cost",
        "duration_minutes",
        "humidity_pct",
        "temperature_c",
        "notes",
        "technician_notes",
    ):
        setattr(service, name, cleaned[name])


def _add_tasks(session: Session, user: User, service: Service, tasks, start: int = 0) -> None:
    for position, (label, done) in enumerate(tasks, start=start):
        session.add(
            ServiceTask(
                technician_id=user.id,
                service_id=service.id,
                position=position,
                label=label,
                done=done,
            )
        )


def _material_errors(data: ServiceInput) -> dict[str, str]:
    if data.materials is None:
        return {}
    return inventory.parse_materials(data.materials)[1]


def _save_materials(
    session: Session, user: User, service: Service, data: ServiceInput | None, before: _State | None
) -> None:
    """Stock follows the service (same transaction): a cancelled service gives
    its materials back and keeps none; otherwise given materials replace them."""
    if service.status == ServiceStatus.CANCELLED:
        if before is None or before.status != ServiceStatus.CANCELLED:
            inventory.return_service_materials(session, user, service.id)
    elif data is not None and data.materials is not None:
        inventory.set_service_materials(
            session, user, service.id, data.materials, allow_negative=data.allow_negative_stock
        )


def create_service(session: Session, user: User, data: ServiceInput) -> Service:
    """Record a service on one of the technician's pianos, for its current
    owner, with the given checklist or the type's default one."""
    errors, cleaned = validate_service(data)
    errors.update(_material_errors(data))
    piano = None
    if cleaned["piano_id"] is None:
        errors.setdefault("piano_id", "error.piano_required")
    else:
        piano = get_owned(session, Piano, cleaned["piano_id"], user)
    if errors or piano is None:
        raise ValidationFailed(errors)
    service = Service(
        technician_id=user.id,
        piano_id=piano.id,
        client_id=piano.client_id,
        service_type=cleaned["service_type"],
        service_date=cleaned["service_date"],
    )
    _apply(service, cleaned)
    session.add(service)
    session.flush()
    tasks = cleaned["tasks"]
    if tasks is None:
        tasks = [(key, False) for key in DEFAULT_TASKS[service.service_type]]
    _add_tasks(session, user, service, tasks)
    session.flush()
    _save_materials(session, user, service, data, None)
    _after_write(session, user, service, None)
    # The page shows the new service next: loaded after the commit.
    entity, view, params, options = _detail_read(service.id)
    note_coming_read(user, entity, view, params, **options)
    return service


def update_service(session: Session, user: User, service_id: int, data: ServiceInput) -> Service:
    """Save a service. An empty ``piano_id`` keeps its piano; another piano
    makes it that piano's, for that piano's owner. ``tasks`` None keeps the
    checklist, a list replaces it."""
    service = get_owned(session, Service, service_id, user)
    errors, cleaned = validate_service(data)
    errors.update(_material_errors(data))
    piano = None
    if cleaned["piano_id"] is not None and cleaned["piano_id"] != service.piano_id:
        piano = get_owned(session, Piano, cleaned["piano_id"], user)
    if errors:
        raise ValidationFailed(errors)
    before = _State.of(service)
    if piano is not None:
        service.piano_id = piano.id
        service.client_id = piano.client_id
    _apply(service, cleaned)
    session.add(service)
    if cleaned["tasks"] is not None:
        session.execute(
            sa.delete(ServiceTask).where(
                ServiceTask.technician_id == user.id, ServiceTask.service_id == service.id
            )
        )
        _add_tasks(session, user, service, cleaned["tasks"])
    session.flush()
    _save_materials(session, user, service, data, before)
    _after_write(session, user, service, before)
    return service


def set_service_status(session: Session, user: User, service_id: int, status: str) -> Service:
    service = get_owned(session, Service, service_id, user)
    if status not in ServiceStatus._value2member_map_:
        raise ValidationFailed({"status": "error.choice_invalid"})
    before = _State.of(service)
    service.status = ServiceStatus(status)
    session.add(service)
    session.flush()
    _save_materials(session, user, service, None, before)
    _after_write(session, user, service, before)
    return service


def remove_service(session: Session, user: User, service_id: int) -> str:
    """Delete a service and its checklist; materials it used go back to stock.

    Returns ``"deleted"``.
    """
    service = get_owned(session, Service, service_id, user)
    before = _State.of(service)
    collections = ["services", "alerts"]
    inventory.return_service_materials(session, user, service.id)
    invoiced = session.exec(
        select(Invoice.id)
        .where(Invoice.technician_id == user.id, Invoice.service_id == service.id)
        .limit(1)
    ).first()
    if invoiced is not None:
        collections.append("invoices")
    session.flush()
    session.delete(service)
    session.flush()
    if before.completed:
        alerts_domain.request_alert_sync(session, user, [before.piano_id])
    records = [("service", service_id), ("piano", before.piano_id), ("client", before.client_id)]
    invalidate_on_commit(session, user, *collections, records=records)
    return "deleted"


# -- the checklist --------------------------------------------------------------
def _task_changed(session: Session, user: User, service_id: int) -> None:
    # Only the service's detail shows its checklist.
    invalidate_on_commit(session, user, records=[("service", service_id)])


def set_task_done(session: Session, user: User, task_id: int, done: bool) -> ServiceTask:
    task = get_owned(session, ServiceTask, task_id, user)
    task.done = bool(done)
    session.add(task)
    session.flush()
    _task_changed(session, user, task.service_id)
    return task


def add_task(session: Session, user: User, service_id: int, label: str) -> ServiceTask:
    service = get_owned(session, Service, service_id, user)
    text = _task_label(label)
    last = session.exec(
        select(sa.func.max(ServiceTask.position)).where(
            ServiceTask.technician_id == user.id, ServiceTask.service_id == service.id
        )
    ).one()
    task = ServiceTask(
        technician_id=user.id,
        service_id=service.id,
        position=0 if last is None else last + 1,
        label=text,
    )
    session.add(task)
    session.flush()
    _task_changed(session, user, service.id)
    return task


def rename_task(session: Session, user: User, task_id: int, label: str) -> ServiceTask:
    task = get_owned(session, ServiceTask, task_id, user)
    task.label = _task_label(label)
    session.add(task)
    session.flush()
    _task_changed(session, user, task.service_id)
    return task


def remove_task(session: Session, user: User, task_id: int) -> None:
    task = get_owned(session, ServiceTask, task_id, user)
    service_id = task.service_id
    session.delete(task)
    session.flush()
    _task_changed(session, user, service_id)


# -- reads --------------------------------------------------------------------
def _int_or_none(value: Any) -> int | None:
    try:
        return _int(value)
    except (TypeError, ValueError):
        return None


def _date_or_none(value: Any) -> date | None:
    try:
        return parse_service_date(value)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class ServiceQuery:
    service_type: str = ""
    status: str = ""
    date_from: date | str | None = None
    date_to: date | str | None = None
    piano_id: int | None = None
    client_id: int | None = None
    search: str = ""
    sort: str = "-date"
    page: int = 1
    page_size: int = 25

    def normalised(self) -> ServiceQuery:
        page, size = clamp_page(self.page, self.page_size)
        return ServiceQuery(
            service_type=self.service_type
            if self.service_type in ServiceType._value2member_map_
            else "",
            status=self.status if self.status in ServiceStatus._value2member_map_ else "",
            date_from=_date_or_none(self.date_from),
            date_to=_date_or_none(self.date_to),
            piano_id=_int_or_none(self.piano_id),
            client_id=_int_or_none(self.client_id),
            search=(self.search or "").strip()[:100],
            sort=self.sort if self.sort in SORTS else "-date",
            page=page,
            page_size=size,
        )


def _order(sort: str) -> tuple:
    return {
        "-date": (Service.service_date.desc(), Service.id.desc()),
        "date": (Service.service_date, Service.id),
        "-cost": (Service.cost.desc(), Service.service_date.desc(), Service.id.desc()),
        "cost": (Service.cost, Service.service_date, Service.id),
        "client": (Client.name, Service.service_date.desc(), Service.id.desc()),
    }[sort]


def _list_services(session: Session, user: User, query: ServiceQuery) -> dict[str, Any]:
    filters = [Service.technician_id == user.id]
    if query.service_type:
        filters.append(Service.service_type == ServiceType(query.service_type))
    if query.status:
        filters.append(Service.status == ServiceStatus(query.status))
    if query.date_from is not None:
        filters.append(Service.service_date >= query.date_from)
    if query.date_to is not None:
        filters.append(Service.service_date <= query.date_to)
    if query.piano_id is not None:
        filters.append(Service.piano_id == query.piano_id)
    if query.client_id is not None:
        filters.append(Service.client_id == query.client_id)
    # Every word in the piano (brand, model, serial, owner) or the client served.
    for word in search_words(query.search):
        pattern = like_pattern(word)
        filters.append(
            sa.or_(
                Piano.search_text.like(pattern, escape="\\"),
                Client.search_text.like(pattern, escape="\\"),
            )
        )
    joined = (
        select(sa.func.count(Service.id))
        .select_from(Service)
        .join(Piano, Piano.id == Service.piano_id)
        .join(Client, Client.id == Service.client_id)
    )
    total = session.exec(joined.where(*filters)).one()
    rows = session.exec(
        select(Service, Piano.brand, Piano.model, Client.name)
        .join(Piano, Piano.id == Service.piano_id)
        .join(Client, Client.id == Service.client_id)
        .where(*filters)
        .order_by(*_order(query.sort))
        .offset((query.page - 1) * query.page_size)
        .limit(query.page_size)
    ).all()
    items = [
        {
            "id": s.id,
            "service_date": s.service_date,
            "service_type": s.service_type.value,
            "status": s.status.value,
            "cost": s.cost,
            "duration_minutes": s.duration_minutes,
            "humidity_pct": s.humidity_pct,
            "temperature_c": s.temperature_c,
            "piano_id": s.piano_id,
            "piano_brand": brand,
            "piano_model": model,
            "piano": f"{brand} {model}".strip(),
            "client_id": s.client_id,
            "client_name": client_name,
        }
        for s, brand, model, client_name in rows
    ]
    return PageResult(items, int(total), query.page, query.page_size).as_dict()


def list_services(
    session: Session, user: User, query: ServiceQuery | None = None
) -> dict[str, Any]:
    """A page of services: ``{items, total, page, page_size, pages}``."""
    query = (query or ServiceQuery()).normalised()
    return cached_page(
        user,
        "services",
        "list",
        query,
        lambda: _list_services(session, user, query),
        depends_on=SERVICE_READS,
    )


@refreshable("services.list")
def _refresh_list(session: Session, user: User, params: dict[str, Any]) -> None:
    list_services(session, user, ServiceQuery(**params))


def _service_counts(session: Session, user: User) -> dict[str, int]:
    rows = session.exec(
        select(Service.status, sa.func.count(Service.id))
        .where(Service.technician_id == user.id)
        .group_by(Service.status)
    ).all()
    counts = {status.value: 0 for status in ServiceStatus}
    for status, n in rows:
        counts[status.value] = int(n)
    counts["all"] = sum(counts.values())
    return counts


def service_counts(session: Session, user: User) -> dict[str, int]:
    """Services per status, and ``all``."""
    return cached_read(
        user,
        "services",
        "counts",
        None,
        lambda: _service_counts(session, user),
        depends_on=("services",),
    )


# The service, its piano and its client in one query, all the technician's,
# and its checklist (built once: ``tenancy.TECHNICIAN``).
_SERVICE_WITH_PIANO_AND_CLIENT = (
    select(
        Service,
        Piano.id,
        Piano.brand,
        Piano.model,
        Piano.serial_number,
        Client.id,
        Client.name,
        Client.phone,
        Client.email,
    )
    .join(Piano, Piano.id == Service.piano_id)
    .join(Client, Client.id == Service.client_id)
    .where(
        Service.technician_id == TECHNICIAN,
        Service.id == sa.bindparam("service_id"),
        Piano.technician_id == TECHNICIAN,
        Client.technician_id == TECHNICIAN,
    )
)
_SERVICE_TASKS = (
    select(ServiceTask.id, ServiceTask.label, ServiceTask.done, ServiceTask.position)
    .where(
        ServiceTask.technician_id == TECHNICIAN,
        ServiceTask.service_id == sa.bindparam("service_id"),
    )
    .order_by(ServiceTask.position, ServiceTask.id)
)


def _service_detail(session: Session, user: User, service_id: int) -> dict[str, Any]:
    params = scoped(user, service_id=service_id)
    found = session.exec(_SERVICE_WITH_PIANO_AND_CLIENT, params=params).first()
    if found is None:
        raise NotFound(Service.__tablename__)
    service, piano_id, brand, model, serial_number = found[:5]
    client_id, client_name, client_phone, client_email = found[5:]
    tasks = session.exec(_SERVICE_TASKS, params=params).all()
    return {
        "id": service.id,
        "service_type": service.service_type.value,
        "status": service.status.value,
        "service_date": service.service_date,
        "cost": service.cost,
        "duration_minutes": service.duration_minutes,
        "humidity_pct": service.humidity_pct,
        "temperature_c": service.temperature_c,
        "notes": service.notes,
        "technician_notes": service.technician_notes,
        "appointment_id": service.appointment_id,
        "piano_id": piano_id,
        "piano": {"id": piano_id, "brand": brand, "model": model, "serial_number": serial_number},
        "client_id": client_id,
        "client": {
            "id": client_id,
            "name": client_name,
            "phone": client_phone,
            "email": client_email,
        },
        "tasks": [
            {"id": t.id, "label": t.label, "done": t.done, "position": t.position} for t in tasks
        ],
        "tasks_done": sum(1 for t in tasks if t.done),
        "tasks_total": len(tasks),
    }


def get_service(session: Session, user: User, service_id: int) -> dict[str, Any]:
    """A service with its piano, client and checklist; ``NotFound`` if not theirs.

    Tagged with the service's record: service and checklist writes, edits of
    its piano (``update_piano``) and of its client
    (``refresh_piano_search_text``) invalidate it.
    """
    entity, view, params, options = _detail_read(service_id)
    return cached_read(
        user, entity, view, params, lambda: _service_detail(session, user, service_id), **options
    )


def _detail_read(service_id: int) -> tuple[str, str, dict[str, int], dict[str, Any]]:
    """How ``get_service`` reads through the cache (and ``create_service`` notes it)."""
    return (
        "services",
        "detail",
        {"id": service_id},
        {
            "depends_on": (),
            "records": [("service", service_id)],
            "refresh": ("services.detail", {"id": service_id}),
        },
    )


@refreshable("services.detail")
def _refresh_detail(session: Session, user: User, params: dict[str, Any]) -> None:
    get_service(session, user, int(params["id"]))
