"""The dashboard (Inicio) for a chosen month, the alert feed and the prefetch.

Months are Spanish calendar months: dates (service dates, paid dates) are
compared as they are, timestamps (``created_at``) in Europe/Madrid time.

The alert feed is assembled from *providers*: functions registered with
``@feed_provider(name, depends_on=...)`` that return feed items for the
technician. Later features add their own provider (in their module) and the
dashboard picks it up without changes. A feed item is a dict::

    {"kind": "invoice_overdue", "severity": "urgent" | "warning" | "info",
     "title_key": "feed.invoice.overdue", "params": {...},
     "link": "/facturas/12", "sort_key": "2026-11-03", ...}

Items are sorted by severity (urgent, warning, info), then by ``sort_key``
(a string compared as such: providers use ISO dates/date-times, the moment
the item became or becomes due, so older and sooner come first).
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from piano_emotion.cache import CacheService, cache_key, get_cache
from piano_emotion.domain import alerts as alerts_domain
from piano_emotion.domain.cached import COLLECTIONS, cached_read
from piano_emotion.domain.errors import DomainError, ValidationFailed
from piano_emotion.domain.refresh import refreshable, yield_to_requests
from piano_emotion.domain.tenancy import TECHNICIAN, scoped
from piano_emotion.formatting import DISPLAY_TIMEZONE, to_local
from piano_emotion.models import Appointment, Client, InventoryItem, Invoice, Piano, Service, User
from piano_emotion.models.enums import AppointmentStatus, InvoiceStatus, ServiceStatus
from piano_emotion.models.types import utcnow
from piano_emotion.ui import routes

log = logging.getLogger(__name__)

FeedItem = dict[str, Any]
FeedProviderFn = Callable[[Session, User, date], list[FeedItem]]

SEVERITIES = ("urgent", "warning", "info")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}
FEED_LIMIT = 50  # items on the dashboard (urgent ones first)
PROVIDER_ROW_LIMIT = 50  # rows a built-in provider reads
MAINTENANCE_FEED_LIMIT = 20  # maintenance alerts listed one by one; the rest summed up
UPCOMING_LIMIT = 10
SERIES_MONTHS = 6
INVOICE_DUE_SOON_DAYS = 3
APPOINTMENT_SOON_DAYS = 7
ACTIVE_APPOINTMENT = (AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED)
# What the dashboard itself shows (the feed adds its providers' collections).
DASHBOARD_READS = (
    "services",
    "invoices",
    "client_names",
    "piano_names",
    "appointments",
    "alerts",
    "inventory",
    "settings",
)


# -- the provider registry -------------------------------------------------------
@dataclass(frozen=True)
class FeedProvider:
    name: str
    fn: FeedProviderFn
    depends_on: tuple[str, ...]
    # Are its items a cache entry of their own? A write to one provider's
    # collections (a service: the maintenance alerts) then reloads that
    # provider only, not the invoices, appointments and stock of the feed.
    cached: bool = True


FEED_PROVIDERS: dict[str, FeedProvider] = {}


def feed_provider(
    name: str, *, depends_on: Iterable[str] = COLLECTIONS, cached: bool = True
) -> Callable[[FeedProviderFn], FeedProviderFn]:
    """Register ``fn(session, user, today) -> list[FeedItem]`` as a feed provider.

    ``depends_on`` lists the cache collections its items show (a write to
    any of them refreshes the feed and the dashboard); by default all of them.
    Its items are cached on their own under those collections, unless
    ``cached=False`` (a provider that only reads cached entries itself).
    Registering a name again replaces the previous provider.
    """
    collections = tuple(sorted(set(depends_on)))
    unknown = set(collections) - COLLECTIONS
    if unknown:
        raise ValueError(f"unknown cache collections {sorted(unknown)}")

    def decorator(fn: FeedProviderFn) -> FeedProviderFn:
        FEED_PROVIDERS[name] = FeedProvider(name, fn, collections, cached)
        return fn

    return decorator


def unregister_feed_provider(name: str) -> None:
    FEED_PROVIDERS.pop(name, None)


def _feed_dependencies() -> tuple[str, ...]:
    names = set(DASHBOARD_READS)
    for provider in FEED_PROVIDERS.values():
        names.update(provider.depends_on)
    return tuple(sorted(names))


def feed_item(
    kind: str,
    severity: str,
    title_key: str,
    params: dict[str, Any],
    link: str,
    sort_key: str,
    ref: Any = None,
) -> FeedItem:
    if severity not in SEVERITY_RANK:
        raise ValueError(f"unknown feed severity {severity!r}")
    return {
        "key": f"{kind}:{ref}" if ref is not None else kind,
        "kind": kind,
        "severity": severity,
        "title_key": title_key,
        "params": params,
        "link": link,
        "sort_key": sort_key,
    }


def feed_sort_key(item: FeedItem) -> tuple:
    return (SEVERITY_RANK.get(item["severity"], len(SEVERITIES)), item["sort_key"], item["key"])


# -- built-in providers -----------------------------------------------------------
# Not cached again: its items come from one cached read (``top_active_alerts``).
@feed_provider("maintenance", depends_on=alerts_domain.ALERT_READS, cached=False)
def maintenance_feed(session: Session, user: User, today: date) -> list[FeedItem]:
    """Open and acknowledged maintenance alerts (urgent ones are urgent)."""
    top = alerts_domain.top_active_alerts(session, user, MAINTENANCE_FEED_LIMIT, today)
    items = []
    for alert in top["items"]:
        since = alert["due_since"] or today
        became_due = since + timedelta(days=alert["threshold"])
        items.append(
            feed_item(
                "maintenance",
                "urgent" if alert["level"] == "urgent" else "warning",
                f"feed.maintenance.{alert['kind']}.{alert['level']}",
                {
                    "piano": alert["piano"],
                    "client": alert["client_name"],
                    "days": alert["days_since"],
                    "days_overdue": alert["days_overdue"],
                    "acknowledged": alert["status"] == "acknowledged",
                },
                routes.piano_detail(alert["piano_id"]),
                became_due.isoformat(),
                ref=alert["id"],
            )
        )
    rest = top["total"] - len(top["items"])
    if rest > 0:
        items.append(
            feed_item(
                "maintenance_more",
                "info",
                "feed.maintenance.more",
                {"count": rest},
                routes.PIANOS,
                today.isoformat(),
            )
        )
    return items


def _invoice_client(invoice: Invoice, client_name: str) -> str:
    return invoice.client_name or client_name


@feed_provider("invoices", depends_on=("invoices", "client_names"))
def invoices_feed(session: Session, user: User, today: date) -> list[FeedItem]:
    """Sent invoices past their due date (urgent) or due within 3 days (warning)."""
    rows = session.exec(
        select(Invoice, Client.name)
        .join(Client, Client.id == Invoice.client_id)
        .where(
            Invoice.technician_id == user.id,
            Invoice.status == InvoiceStatus.SENT,
            Invoice.due_date.is_not(None),
            Invoice.due_date <= today + timedelta(days=INVOICE_DUE_SOON_DAYS),
        )
        .order_by(Invoice.due_date, Invoice.id)
        .limit(PROVIDER_ROW_LIMIT)
    ).all()
    items = []
    for invoice, client_name in rows:
        overdue = invoice.due_date < today
        params = {
            "number": invoice.number or "",
            "client": _invoice_client(invoice, client_name),
            "total": invoice.total,
            "due_date": invoice.due_date,
            "days": abs((invoice.due_date - today).days),
        }
        items.append(
            feed_item(
                "invoice_overdue" if overdue else "invoice_due_soon",
                "urgent" if overdue else "warning",
                "feed.invoice.overdue" if overdue else "feed.invoice.due_soon",
                params,
                f"{routes.INVOICES}/{invoice.id}",
                invoice.due_date.isoformat(),
                ref=invoice.id,
            )
        )
    return items


def _local_day_start(day: date) -> datetime:
    """Midnight of ``day`` in Spain, as an aware UTC datetime."""
    return datetime(day.year, day.month, day.day, tzinfo=DISPLAY_TIMEZONE).astimezone(UTC)


@feed_provider("appointments", depends_on=("appointments", "client_names", "piano_names"))
def appointments_feed(session: Session, user: User, today: date) -> list[FeedItem]:
    """Appointments today or tomorrow (urgent) and in the next 7 days (warning)."""
    rows = session.exec(
        select(Appointment, Client.name)
        .join(Client, Client.id == Appointment.client_id)
        .where(
            Appointment.technician_id == user.id,
            Appointment.status.in_(ACTIVE_APPOINTMENT),
            Appointment.starts_at >= _local_day_start(today),
            Appointment.starts_at
            < _local_day_start(today + timedelta(days=APPOINTMENT_SOON_DAYS + 1)),
        )
        .order_by(Appointment.starts_at, Appointment.id)
        .limit(PROVIDER_ROW_LIMIT)
    ).all()
    items = []
    for appointment, client_name in rows:
        days = (to_local(appointment.starts_at).date() - today).days
        key = {0: "feed.appointment.today", 1: "feed.appointment.tomorrow"}.get(
            days, "feed.appointment.soon"
        )
        items.append(
            feed_item(
                "appointment",
                "urgent" if days <= 1 else "warning",
                key,
                {
                    "title": appointment.title,
                    "client": client_name,
                    "starts_at": appointment.starts_at,
                    "days": days,
                },
                routes.client_detail(appointment.client_id),
                appointment.starts_at.astimezone(UTC).isoformat(),
                ref=appointment.id,
            )
        )
    return items


@feed_provider("low_stock", depends_on=("inventory",))
def low_stock_feed(session: Session, user: User, today: date) -> list[FeedItem]:
    """Inventory items at or below their minimum stock (not archived)."""
    rows = session.exec(
        select(InventoryItem)
        .where(
            InventoryItem.technician_id == user.id,
            InventoryItem.archived == sa.false(),
            InventoryItem.quantity <= InventoryItem.min_stock,
        )
        .order_by(InventoryItem.name, InventoryItem.id)
        .limit(PROVIDER_ROW_LIMIT)
    ).all()
    return [
        feed_item(
            "low_stock",
            "warning",
            "feed.inventory.low_stock",
            {
                "name": item.name,
                "quantity": item.quantity,
                "min_stock": item.min_stock,
                "unit": item.unit,
            },
            routes.INVENTORY,
            # After the day's dated items of the same severity, by name.
            f"{today.isoformat()}~{item.name.lower()}",
            ref=item.id,
        )
        for item in rows
    ]


# -- the feed --------------------------------------------------------------------
def _provider_items(
    session: Session, user: User, provider: FeedProvider, today: date
) -> list[FeedItem]:
    if not provider.cached:
        return provider.fn(session, user, today)
    return cached_read(
        user,
        "dashboard",
        "feed_provider",
        {"name": provider.name, "today": today},
        lambda: provider.fn(session, user, today),
        depends_on=provider.depends_on,
    )


def _alert_feed(session: Session, user: User, today: date, limit: int) -> list[FeedItem]:
    items: list[FeedItem] = []
    for name in sorted(FEED_PROVIDERS):
        for item in _provider_items(session, user, FEED_PROVIDERS[name], today):
            items.append({**item, "provider": name})
    items.sort(key=feed_sort_key)
    return items[:limit]


def alert_feed(
    session: Session, user: User, today: date | None = None, limit: int = FEED_LIMIT
) -> list[FeedItem]:
    """The dashboard's alert feed: every provider's items, urgent first."""
    today = today or alerts_domain.local_today()
    limit = min(max(int(limit), 1), 200)
    return cached_read(
        user,
        "dashboard",
        "feed",
        {"today": today, "limit": limit, "providers": sorted(FEED_PROVIDERS)},
        lambda: _alert_feed(session, user, today, limit),
        depends_on=_feed_dependencies(),
        refresh=("dashboard.feed", {"today": today, "limit": limit}),
    )


@refreshable("dashboard.feed", stage=2)
def _refresh_feed(session: Session, user: User, params: dict[str, Any]) -> None:
    alert_feed(session, user, params["today"], int(params["limit"]))


# -- the dashboard ----------------------------------------------------------------
def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """Start and end (exclusive) of a Spanish calendar month, as UTC datetimes."""
    next_year, next_month = _shift_month(year, month, 1)
    return _local_day_start(date(year, month, 1)), _local_day_start(date(next_year, next_month, 1))


def _check_month(year: Any, month: Any) -> tuple[int, int]:
    errors = {}
    try:
        year = int(year)
        if not 2000 <= year <= 2100:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = "error.year_invalid"
    try:
        month = int(month)
        if not 1 <= month <= 12:
            raise ValueError
    except (TypeError, ValueError):
        errors["month"] = "error.month_invalid"
    if errors:
        raise ValidationFailed(errors)
    return year, month


# The month's figures are read again after every write the dashboard shows
# (a service, an invoice...): their statements are built once, with
# placeholders (``TECHNICIAN``, the dates), as the record pages' are.
_START, _END = sa.bindparam("start"), sa.bindparam("end")


@functools.cache
def _created_in_statement(model: type) -> Any:
    return select(sa.func.count(model.id)).where(
        model.technician_id == TECHNICIAN, model.created_at >= _START, model.created_at < _END
    )


def _created_in(session: Session, user: User, model, start: datetime, end: datetime) -> int:
    statement = _created_in_statement(model)
    return int(session.exec(statement, params=scoped(user, start=start, end=end)).one())


_SERVICES_BY_DAY = (
    select(Service.service_date, sa.func.count(Service.id))
    .where(
        Service.technician_id == TECHNICIAN,
        Service.status == ServiceStatus.COMPLETED,
        Service.service_date >= _START,
        Service.service_date < _END,
    )
    .group_by(Service.service_date)
)
_PAID_INVOICES = select(Invoice.paid_date, Invoice.total).where(
    Invoice.technician_id == TECHNICIAN,
    Invoice.status == InvoiceStatus.PAID,
    Invoice.paid_date >= _START,
    Invoice.paid_date < _END,
)


def _series(session: Session, user: User, year: int, month: int) -> list[dict[str, Any]]:
    months = [_shift_month(year, month, delta) for delta in range(-(SERIES_MONTHS - 1), 1)]
    params = scoped(user, start=date(*months[0], 1), end=date(*_shift_month(year, month, 1), 1))
    points = {
        ym: {"year": ym[0], "month": ym[1], "services": 0, "revenue": Decimal("0.00")}
        for ym in months
    }
    for day, n in session.exec(_SERVICES_BY_DAY, params=params).all():
        points[(day.year, day.month)]["services"] += int(n)
    # Summed here, exactly, as Decimals (a few dozen rows a month).
    for day, total in session.exec(_PAID_INVOICES, params=params).all():
        points[(day.year, day.month)]["revenue"] += Decimal(total or 0)
    return [points[ym] for ym in months]


_UPCOMING = (
    select(Appointment, Client.name, Piano.brand, Piano.model)
    .join(Client, Client.id == Appointment.client_id)
    .outerjoin(Piano, Piano.id == Appointment.piano_id)
    .where(
        Appointment.technician_id == TECHNICIAN,
        Appointment.status.in_(ACTIVE_APPOINTMENT),
        Appointment.starts_at >= sa.bindparam("now"),
    )
    .order_by(Appointment.starts_at, Appointment.id)
    .limit(sa.bindparam("limit", type_=sa.Integer, literal_execute=True))
)


def _upcoming(session: Session, user: User, now: datetime, limit: int) -> list[dict[str, Any]]:
    rows = session.exec(_UPCOMING, params=scoped(user, now=now, limit=limit)).all()
    return [
        {
            "id": appointment.id,
            "title": appointment.title,
            "starts_at": appointment.starts_at,
            "duration_minutes": appointment.duration_minutes,
            "status": AppointmentStatus(appointment.status).value,
            "client_id": appointment.client_id,
            "client_name": client_name,
            "piano_id": appointment.piano_id,
            "piano": f"{brand or ''} {model or ''}".strip(),
        }
        for appointment, client_name, brand, model in rows
    ]


def _dashboard(
    session: Session, user: User, year: int, month: int, today: date, now: datetime
) -> dict[str, Any]:
    start, end = month_bounds(year, month)
    series = _series(session, user, year, month)
    # Twice the shown number, so that the ones that start while the entry
    # lives can be dropped on the way out (see ``dashboard``).
    upcoming = _upcoming(session, user, now, UPCOMING_LIMIT * 2)
    return {
        "year": year,
        "month": month,
        "today": today,
        "services_done": series[-1]["services"],
        "revenue": series[-1]["revenue"],
        "new_clients": _created_in(session, user, Client, start, end),
        "new_pianos": _created_in(session, user, Piano, start, end),
        "upcoming_appointments": upcoming,
        "series": series,
        "alerts": alert_feed(session, user, today),
    }


def _dashboard_params(year: int, month: int, today: date) -> dict[str, Any]:
    return {"year": year, "month": month, "today": today, "providers": sorted(FEED_PROVIDERS)}


def dashboard_cache_key(technician_id: int, year: int, month: int, today: date) -> str:
    """The cache key of a month's dashboard (what ``dashboard`` reads)."""
    return cache_key(technician_id, "dashboard", "month", _dashboard_params(year, month, today))


def dashboard(
    session: Session, user: User, year: int, month: int, today: date | None = None
) -> dict[str, Any]:
    """Figures of one month, the six-month series, the next appointments and
    the alert feed (see the module docstring). The series and the feed are
    shared with other reads in this process while the cached entry is
    unchanged: never change them."""
    year, month = _check_month(year, month)
    today = today or alerts_domain.local_today()
    now = utcnow()
    params = _dashboard_params(year, month, today)

    def read() -> dict[str, Any]:
        return cached_read(
            user,
            "dashboard",
            "month",
            params,
            lambda: _dashboard(session, user, year, month, today, now),
            depends_on=_feed_dependencies(),
            refresh=("dashboard.month", {"year": year, "month": month, "today": today}),
            shared=True,  # only read: the page formats it into rows of its own
        )

    result = read()
    upcoming = _still_upcoming(result, now)
    if upcoming is None:
        # The entry was loaded so long ago that more than half of the
        # appointments it holds have started: it can no longer tell which
        # come next (the TTL is long, see ``cache.policy``). Drop and reload.
        get_cache().delete(dashboard_cache_key(user.id, year, month, today))
        result = read()
        upcoming = _still_upcoming(result, now) or []
    return {**result, "upcoming_appointments": upcoming[:UPCOMING_LIMIT]}


def _still_upcoming(result: dict[str, Any], now: datetime) -> list[dict[str, Any]] | None:
    """The cached upcoming appointments that have not started, or ``None``
    if they may no longer be the next ``UPCOMING_LIMIT``: the entry held a
    full list (``2 × UPCOMING_LIMIT``, so there may be more after it) and
    fewer than ``UPCOMING_LIMIT`` of them are still to come."""
    held = result["upcoming_appointments"]
    upcoming = [a for a in held if a["starts_at"] >= now]
    if len(upcoming) < UPCOMING_LIMIT and len(held) >= UPCOMING_LIMIT * 2:
        return None
    return upcoming


# Last: it reads the feed (and the alerts) nested, refreshed before it.
@refreshable("dashboard.month", stage=3)
def _refresh_dashboard(session: Session, user: User, params: dict[str, Any]) -> None:
    dashboard(session, user, int(params["year"]), int(params["month"]), params["today"])


# -- prefetch ----------------------------------------------------------------------
PREFETCH_APPOINTMENTS = 12  # visits of one working day whose records are warmed
PREFETCH_PIANOS = 60  # piano details warmed at most (institutions have many pianos)
PREFETCH_SERVICES = 2  # last services of each visit's piano warmed (what was done lately)
# Prefetches run one at a time in a process (a burst of sign-ins queues them)
# and rest while requests are served (``refresh.yield_to_requests``): warming
# the cache must not slow the pages it is meant to speed up.
PREFETCH_AT_ONCE = 1
_prefetch_slots = threading.BoundedSemaphore(PREFETCH_AT_ONCE)


def day_agenda(
    session: Session, user: User, today: date, limit: int = PREFETCH_APPOINTMENTS
) -> list[tuple[int, int | None]]:
    """``(client_id, piano_id)`` of the visits of the working day: today's
    scheduled or confirmed appointments, or, when today has none, those of
    the next day that has some (signing in the evening prepares tomorrow)."""
    return [(c, p) for c, p, _ in _visits_from(session, user, today, limit)]


def _visits_from(
    session: Session, user: User, day: date, limit: int
) -> list[tuple[int, int | None, date]]:
    """The visits of the first day from ``day`` on that has some."""
    first = session.exec(
        select(Appointment.starts_at)
        .where(
            Appointment.technician_id == user.id,
            Appointment.status.in_(ACTIVE_APPOINTMENT),
            Appointment.starts_at >= _local_day_start(day),
        )
        .order_by(Appointment.starts_at)
        .limit(1)
    ).first()
    if first is None:
        return []
    found = to_local(first).date()
    rows = session.exec(
        select(Appointment.client_id, Appointment.piano_id)
        .where(
            Appointment.technician_id == user.id,
            Appointment.status.in_(ACTIVE_APPOINTMENT),
            Appointment.starts_at >= _local_day_start(found),
            Appointment.starts_at < _local_day_start(found + timedelta(days=1)),
        )
        .order_by(Appointment.starts_at, Appointment.id)
        .limit(limit)
    ).all()
    return list(dict.fromkeys((client_id, piano_id, found) for client_id, piano_id in rows))


@dataclass(frozen=True)
class WorkingSet:
    """The records of a technician's next two working days: the visits of
    the working day (``day_agenda``) and of the next day that has some."""

    visits: tuple[tuple[int, int | None], ...]  # (client, piano) in time order
    clients: tuple[int, ...]  # the visits' clients, in order
    pianos: tuple[int, ...]  # each visit's piano, then the other pianos of its client
    services: tuple[int, ...] = ()  # the last services of each visit's piano (what was done)


def working_set(
    session: Session, user: User, today: date, max_pianos: int = PREFETCH_PIANOS
) -> WorkingSet:
    """What the sign-in prefetch warms beyond the dashboard and the lists:
    for each client with a visit on the working day or the next one, their
    detail and each of their pianos' (the visits' pianos first; at most
    ``max_pianos``), and the last ``PREFETCH_SERVICES`` services of each
    visit's piano."""
    first = _visits_from(session, user, today, PREFETCH_APPOINTMENTS)
    second = (
        _visits_from(session, user, first[0][2] + timedelta(days=1), PREFETCH_APPOINTMENTS)
        if first
        else []
    )
    visits = tuple(dict.fromkeys((c, p) for c, p, _ in first + second))
    clients = tuple(dict.fromkeys(c for c, _ in visits))
    pianos = list(dict.fromkeys(p for _, p in visits if p is not None))
    if clients:
        rows = session.exec(
            select(Piano.id, Piano.client_id)
            .where(
                Piano.technician_id == user.id,
                Piano.archived == sa.false(),
                Piano.client_id.in_(clients),
            )
            .order_by(Piano.id)
        ).all()
        order = {c: i for i, c in enumerate(clients)}
        for piano_id, _ in sorted(rows, key=lambda r: (order[r[1]], r[0])):
            if piano_id not in pianos:
                pianos.append(piano_id)
    visited = [p for _, p in visits if p is not None]
    services: dict[int, list[int]] = {}
    if visited:
        for service_id, piano_id in session.exec(
            select(Service.id, Service.piano_id)
            .where(Service.technician_id == user.id, Service.piano_id.in_(visited))
            .order_by(Service.service_date.desc(), Service.id.desc())
        ).all():
            latest = services.setdefault(piano_id, [])
            if len(latest) < PREFETCH_SERVICES:
                latest.append(service_id)
    return WorkingSet(
        visits,
        clients,
        tuple(pianos[:max_pianos]),
        tuple(s for p in dict.fromkeys(visited) for s in services.get(p, ())),
    )


def prefetch_for_user(
    session_factory: Callable[[], AbstractContextManager[Session]], user: User
) -> bool:
    """Warm what a technician opens during the day: this month's dashboard,
    the alert feed and counts, the clients' and pianos' directories (every
    page and search of those lists), the first two pages of services, and
    the records of their next two working days
    (``working_set``): each visited client's detail, each of their pianos'
    and the last services of each visit's piano. Run in a background thread
    right after sign-in, one at a time per process and resting while
    requests are served (``PREFETCH_AT_ONCE``); opens its own session; any
    error is logged, with its traceback, and reported as ``False``.

    Each read runs in a transaction of its own, reading committed rows (as
    every session of the app does on MySQL/MariaDB, ``db_url``): a write of
    the technician committed while the prefetch runs (they may already be
    clicking) is seen by every read made after its invalidation, so nothing
    older is stored under its versions.
    """
    from piano_emotion.domain.activity import client_last_service, piano_service_dates
    from piano_emotion.domain.clients import client_directory, get_client
    from piano_emotion.domain.pianos import get_piano, piano_directory
    from piano_emotion.domain.services import ServiceQuery, get_service, list_services

    user_id = None
    try:
        user_id = user.id
        with _prefetch_slots, session_factory() as session:
            # This thread's own copy of the account (the caller's may be
            # detached or expired by the time the thread runs).
            user = session.get(User, user_id)
            if user is None:
                log.warning("prefetch skipped: technician %s does not exist", user_id)
                return False
            today = alerts_domain.local_today()
            # Sync and commit first: a sync that changes rows invalidates the
            # alert reads on commit, which would otherwise drop what is warmed.
            alerts_domain.sync_requested_alerts(session, user, today, exclusive=True)
            session.commit()
            found = working_set(session, user, today)
            session.commit()
            reads: list[Callable[[], Any]] = [
                lambda: dashboard(session, user, today.year, today.month, today),
                lambda: client_directory(session, user),
                lambda: piano_directory(session, user),
                lambda: client_last_service(session, user),
                lambda: piano_service_dates(session, user),
                lambda: list_services(session, user),
                lambda: list_services(session, user, ServiceQuery(page=2)),
                lambda: alert_feed(session, user, today),
                lambda: alerts_domain.alert_counts(session, user, today),
            ]
            reads += [lambda c=c: get_client(session, user, c) for c in found.clients]
            reads += [lambda p=p: get_piano(session, user, p) for p in found.pianos]
            reads += [lambda v=v: get_service(session, user, v) for v in found.services]
            # Loads ahead of any request, like the refresher's: counted as
            # ``refreshes``, not as lookups. They are noted as the
            # technician's reads (once each): the working set of the day is
            # kept fresh after writes to its records, like what they read.
            cache = get_cache()
            background = isinstance(cache, CacheService)
            with cache.refreshing(note_reads=True) if background else nullcontext():
                for read in reads:
                    started = time.perf_counter()
                    try:
                        read()
                    except DomainError:  # archived or moved meanwhile: not worth failing for
                        log.debug("prefetch: a record of technician %s is gone", user_id)
                    session.commit()
                    yield_to_requests(cache, started)
    except Exception:
        log.exception("prefetch failed for technician %s", user_id)
        return False
    return True
