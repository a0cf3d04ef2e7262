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

import logging
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from piano_emotion.domain import alerts as alerts_domain
from piano_emotion.domain.cached import COLLECTIONS, cached_read
from piano_emotion.domain.errors import ValidationFailed
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


FEED_PROVIDERS: dict[str, FeedProvider] = {}


def feed_provider(
    name: str, *, depends_on: Iterable[str] = COLLECTIONS
) -> Callable[[FeedProviderFn], FeedProviderFn]:
    """Register ``fn(session, user, today) -> list[FeedItem]`` as a feed provider.

    ``depends_on`` lists the cache collections its items show (a write to
    any of them refreshes the feed and the dashboard); by default all of them.
    Registering a name again replaces the previous provider.
    """
    collections = tuple(sorted(set(depends_on)))
    unknown = set(collections) - COLLECTIONS
    if unknown:
        raise ValueError(f"unknown cache collections {sorted(unknown)}")

    def decorator(fn: FeedProviderFn) -> FeedProviderFn:
        FEED_PROVIDERS[name] = FeedProvider(name, fn, collections)
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
@feed_provider("maintenance", depends_on=alerts_domain.ALERT_READS)
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
def _alert_feed(session: Session, user: User, today: date, limit: int) -> list[FeedItem]:
    items: list[FeedItem] = []
    for name in sorted(FEED_PROVIDERS):
        provider = FEED_PROVIDERS[name]
        for item in provider.fn(session, user, today):
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
    )


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


def _created_in(session: Session, user: User, model, start: datetime, end: datetime) -> int:
    return int(
        session.exec(
            select(sa.func.count(model.id)).where(
                model.technician_id == user.id, model.created_at >= start, model.created_at < end
            )
        ).one()
    )


def _series(session: Session, user: User, year: int, month: int) -> list[dict[str, Any]]:
    months = [_shift_month(year, month, delta) for delta in range(-(SERIES_MONTHS - 1), 1)]
    first = date(*months[0], 1)
    after = date(*_shift_month(year, month, 1), 1)
    points = {
        ym: {"year": ym[0], "month": ym[1], "services": 0, "revenue": Decimal("0.00")}
        for ym in months
    }
    services = session.exec(
        select(Service.service_date, sa.func.count(Service.id))
        .where(
            Service.technician_id == user.id,
            Service.status == ServiceStatus.COMPLETED,
            Service.service_date >= first,
            Service.service_date < after,
        )
        .group_by(Service.service_date)
    ).all()
    for day, n in services:
        points[(day.year, day.month)]["services"] += int(n)
    # Summed here, exactly, as Decimals (a few dozen rows a month).
    paid = session.exec(
        select(Invoice.paid_date, Invoice.total).where(
            Invoice.technician_id == user.id,
            Invoice.status == InvoiceStatus.PAID,
            Invoice.paid_date >= first,
            Invoice.paid_date < after,
        )
    ).all()
    for day, total in paid:
        points[(day.year, day.month)]["revenue"] += Decimal(total or 0)
    return [points[ym] for ym in months]


def _upcoming(session: Session, user: User, now: datetime, limit: int) -> list[dict[str, Any]]:
    rows = session.exec(
        select(Appointment, Client.name, Piano.brand, Piano.model)
        .join(Client, Client.id == Appointment.client_id)
        .outerjoin(Piano, Piano.id == Appointment.piano_id)
        .where(
            Appointment.technician_id == user.id,
            Appointment.status.in_(ACTIVE_APPOINTMENT),
            Appointment.starts_at >= now,
        )
        .order_by(Appointment.starts_at, Appointment.id)
        .limit(limit)
    ).all()
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


def dashboard(
    session: Session, user: User, year: int, month: int, today: date | None = None
) -> dict[str, Any]:
    """Figures of one month, the six-month series, the next appointments and
    the alert feed (see the module docstring)."""
    year, month = _check_month(year, month)
    today = today or alerts_domain.local_today()
    now = utcnow()
    result = cached_read(
        user,
        "dashboard",
        "month",
        {"year": year, "month": month, "today": today, "providers": sorted(FEED_PROVIDERS)},
        lambda: _dashboard(session, user, year, month, today, now),
        depends_on=_feed_dependencies(),
    )
    upcoming = [a for a in result["upcoming_appointments"] if a["starts_at"] >= now]
    return {**result, "upcoming_appointments": upcoming[:UPCOMING_LIMIT]}


# -- prefetch ----------------------------------------------------------------------
def prefetch_for_user(
    session_factory: Callable[[], AbstractContextManager[Session]], user: User
) -> bool:
    """Warm what a technician opens first: this month's dashboard, the first
    page of clients and the alert feed (run in a background thread right
    after sign-in). Opens its own session; any error is logged, with its
    traceback, and reported as ``False``.
    """
    from piano_emotion.domain.clients import list_clients

    user_id = None
    try:
        user_id = user.id
        with session_factory() as session:
            # This thread's own copy of the account (the caller's may be
            # detached or expired by the time the thread runs).
            user = session.get(User, user_id)
            if user is None:
                log.warning("prefetch skipped: technician %s does not exist", user_id)
                return False
            today = alerts_domain.local_today()
            # Sync and commit first: a sync that changes rows invalidates the
            # alert reads on commit, which would otherwise drop what is warmed.
            alerts_domain.sync_alerts(session, user, today)
            session.commit()
            dashboard(session, user, today.year, today.month, today)
            list_clients(session, user)
            alert_feed(session, user, today)
            alerts_domain.alert_counts(session, user, today)
            session.commit()
    except Exception:
        log.exception("prefetch failed for technician %s", user_id)
        return False
    return True
