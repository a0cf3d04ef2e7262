"""Maintenance alerts of pianos: the technician's thresholds, the rule, and the
rows that remember each alert (acknowledged, dismissed, resolved).

The rule (DOMAIN.md) is one pure function, ``compute_piano_alerts``. The
``maintenance_alerts`` table is its materialisation: ``sync_alerts`` brings
it in line with the rule in a handful of queries, keeping at most one
*active* row (open, acknowledged or dismissed) per piano and kind; a row
belongs to one *cycle* (``due_since``: the last completed tuning/regulation,
or the day the piano was added), so a new tuning starts a new alert rather
than reviving a dismissed one.

The sync is incremental: every write that changes what the rule reads
requests a sync of the pianos it touched (``request_alert_sync``, in its own
transaction), and ``sync_requested_alerts`` recomputes only those; every
piano is recomputed once a day (``days_since`` moves with the date), after a
change of thresholds, and for a technician never synced.

Reads (``list_alerts``, ``alert_counts``) go through the cache and run the
sync inside their loader, so a cache miss always returns fresh alerts; every
write invalidates ``alerts`` (and what else it changed) on commit. Anything
else that shows alert data must depend on the ``alerts`` collection.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Collection, Container, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, sqlite
from sqlmodel import Session, select

from piano_emotion.db import committed_engine
from piano_emotion.domain.cached import cached_read, invalidate_on_commit, writes_pending
from piano_emotion.domain.errors import DomainError, NotFound, ValidationFailed
from piano_emotion.domain.refresh import refreshable
from piano_emotion.domain.tenancy import (
    TECHNICIAN,
    for_each_active_technician,
    get_owned,
    owned,
    scoped,
)
from piano_emotion.formatting import DISPLAY_TIMEZONE, to_local
from piano_emotion.models import (
    AlertSyncRequest,
    AlertSyncState,
    Client,
    MaintenanceAlert,
    MaintenanceSettings,
    Piano,
    Service,
    User,
)
from piano_emotion.models.enums import (
    AlertLevel,
    MaintenanceAlertKind,
    MaintenanceAlertStatus,
    PianoCondition,
    ServiceStatus,
    ServiceType,
)
from piano_emotion.models.types import UtcDateTime, utcnow

Kind = MaintenanceAlertKind
Level = AlertLevel
Status = MaintenanceAlertStatus

# Rows that still speak for their piano and kind (at most one each).
ACTIVE_STATUSES = (Status.OPEN, Status.ACKNOWLEDGED, Status.DISMISSED)
# What each ``list_alerts(status=...)`` shows.
STATUS_FILTERS: dict[str, tuple[Status, ...]] = {
    "active": (Status.OPEN, Status.ACKNOWLEDGED),
    "open": (Status.OPEN,),
    "acknowledged": (Status.ACKNOWLEDGED,),
    "dismissed": (Status.DISMISSED,),
    "resolved": (Status.RESOLVED,),
    "all": tuple(Status),
}
# Technician-wide lists show at most this many resolved rows (the newest).
RESOLVED_HISTORY_LIMIT = 300
# What a list of alerts shows, so what its cache entries depend on.
# Alert rows change through the sync (which invalidates "alerts"); lists also
# show piano and client names.
ALERT_READS = ("alerts", "piano_names", "client_names", "services", "settings")
# One piano's list (the piano page) depends on that piano's alert rows only:
# every writer of them, and every request to sync the piano, drops the
# record ``("piano_alerts", piano_id)`` (``piano_alert_records``), so a
# service of another piano leaves it a hit. Its piano record covers the
# piano's own thresholds.
PIANO_ALERT_READS = ("piano_alerts", "piano_names", "client_names", "settings")
# A sync that changed more pianos than this drops every piano's list at once
# (one tag instead of hundreds: the nightly sync moves ``days_since`` of all).
PIANO_RECORDS_MAX = 50


def piano_alert_records(piano_ids: Iterable[int]) -> list[tuple[str, int]]:
    """The cache records of these pianos' own alert lists."""
    return [("piano_alerts", piano_id) for piano_id in sorted(set(piano_ids))]


def _piano_list_records(piano_id: int) -> list[tuple[str, int]]:
    """What one piano's alert list depends on besides ``PIANO_ALERT_READS``
    (and what a change of one of its alerts drops): the piano and its alerts."""
    return [("piano", piano_id), *piano_alert_records([piano_id])]


def _invalidate_piano_lists(session: Session, user: User, piano_ids: Collection[int]) -> None:
    if len(piano_ids) > PIANO_RECORDS_MAX:
        invalidate_on_commit(session, user, "piano_alerts")
    else:
        invalidate_on_commit(session, user, records=piano_alert_records(piano_ids))


LEVEL_RANK = {Level.URGENT.value: 0, Level.PENDING.value: 1}
KIND_RANK = {Kind.REPAIR.value: 0, Kind.TUNING.value: 1, Kind.REGULATION.value: 2}
STATUS_RANK = {
    Status.OPEN.value: 0,
    Status.ACKNOWLEDGED.value: 0,
    Status.DISMISSED.value: 1,
    Status.RESOLVED.value: 2,
}
# Completing a service of this type resolves the piano's alerts of these kinds.
RESOLVED_BY_SERVICE: dict[ServiceType, tuple[Kind, ...]] = {
    ServiceType.TUNING: (Kind.TUNING,),
    ServiceType.REGULATION: (Kind.REGULATION,),
    ServiceType.REPAIR: (Kind.REPAIR,),
}


def local_today() -> date:
    """Today in Spain (what "days since" counts to)."""
    return datetime.now(DISPLAY_TIMEZONE).date()


# -- settings -----------------------------------------------------------------
THRESHOLD_FIELDS = (
    "tuning_pending_days",
    "tuning_urgent_days",
    "regulation_pending_days",
    "regulation_urgent_days",
)
SETTINGS_FIELDS = (*THRESHOLD_FIELDS, "default_interval_months")
SETTINGS_DEFAULTS: dict[str, int] = {
    name: MaintenanceSettings.model_fields[name].default for name in SETTINGS_FIELDS
}
TUNING_PENDING_RANGE = (30, 730)
TUNING_URGENT_MAX = 1095
REGULATION_PENDING_RANGE = (180, 1825)
REGULATION_URGENT_MAX = 3650
INTERVAL_RANGE = (0, 60)  # months; 0 = the client calls (3, 6, 12 are the usual)


@dataclass
class MaintenanceSettingsInput:
    tuning_pending_days: int | str = SETTINGS_DEFAULTS["tuning_pending_days"]
    tuning_urgent_days: int | str = SETTINGS_DEFAULTS["tuning_urgent_days"]
    regulation_pending_days: int | str = SETTINGS_DEFAULTS["regulation_pending_days"]
    regulation_urgent_days: int | str = SETTINGS_DEFAULTS["regulation_urgent_days"]
    default_interval_months: int | str = SETTINGS_DEFAULTS["default_interval_months"]

    @classmethod
    def from_form(cls, form: Mapping[str, Any]) -> MaintenanceSettingsInput:
        return cls(
            **{
                f.name: str(form.get(f.name, "") or "").strip()
                for f in fields(cls)
                if f.name in form
            }
        )


def _whole_number(value: int | str) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value or "").strip()
    if not text or not text.lstrip("-").isdigit() or len(text) > 6:
        return None
    return int(text)


def validate_maintenance_settings(
    data: MaintenanceSettingsInput,
) -> tuple[dict[str, str], dict[str, int]]:
    """Field errors (translation keys) and the cleaned values."""
    errors: dict[str, str] = {}
    values: dict[str, int] = {}
    for name in SETTINGS_FIELDS:
        number = _whole_number(getattr(data, name))
        if number is None:
            errors[name] = "error.number_invalid"
        else:
            values[name] = number

    def check(name: str, low: int, high: int, key: str) -> None:
        if name in values and not low <= values[name] <= high:
            errors[name] = key

    def floor(pending: str, low: int) -> int:
        # Urgent comes after pending (compared only with a valid pending value).
        return (values[pending] if pending in values and pending not in errors else low) + 1

    check("tuning_pending_days", *TUNING_PENDING_RANGE, "error.tuning_pending_range")
    check(
        "tuning_urgent_days",
        floor("tuning_pending_days", TUNING_PENDING_RANGE[0]),
        TUNING_URGENT_MAX,
        "error.tuning_urgent_range",
    )
    check("regulation_pending_days", *REGULATION_PENDING_RANGE, "error.regulation_pending_range")
    check(
        "regulation_urgent_days",
        floor("regulation_pending_days", REGULATION_PENDING_RANGE[0]),
        REGULATION_URGENT_MAX,
        "error.regulation_urgent_range",
    )
    check("default_interval_months", *INTERVAL_RANGE, "error.interval_invalid")
    return errors, values


def _settings_row(session: Session, user: User) -> MaintenanceSettings | None:
    return session.exec(
        select(MaintenanceSettings).where(MaintenanceSettings.technician_id == user.id)
    ).first()


def _settings_values(row: MaintenanceSettings | None) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: (getattr(row, name) if row is not None else default)
        for name, default in SETTINGS_DEFAULTS.items()
    }
    values["customised"] = row is not None
    return values


def get_maintenance_settings(session: Session, user: User) -> dict[str, Any]:
    """The technician's thresholds (the defaults until they save their own)."""
    return cached_read(
        user,
        "settings",
        "maintenance",
        None,
        lambda: _settings_values(_settings_row(session, user)),
        depends_on=("settings",),
    )


def update_maintenance_settings(
    session: Session, user: User, data: MaintenanceSettingsInput
) -> MaintenanceSettings:
    errors, values = validate_maintenance_settings(data)
    if errors:
        raise ValidationFailed(errors)
    row = _settings_row(session, user) or MaintenanceSettings(technician_id=user.id)
    for name, value in values.items():
        setattr(row, name, value)
    session.add(row)
    session.flush()
    # Thresholds change which alerts exist: every piano is synced again, and
    # every alert read reloads.
    request_alert_sync(session, user)
    invalidate_on_commit(session, user, "settings", "alerts")
    return row


# -- the rule -------------------------------------------------------------------
@dataclass(frozen=True)
class Thresholds:
    tuning_pending_days: int = SETTINGS_DEFAULTS["tuning_pending_days"]
    tuning_urgent_days: int = SETTINGS_DEFAULTS["tuning_urgent_days"]
    regulation_pending_days: int = SETTINGS_DEFAULTS["regulation_pending_days"]
    regulation_urgent_days: int = SETTINGS_DEFAULTS["regulation_urgent_days"]

    @classmethod
    def of(cls, value: Thresholds | Mapping[str, Any] | None) -> Thresholds:
        if value is None:
            return cls()
        if isinstance(value, Thresholds):
            return value
        return cls(**{name: int(value[name]) for name in THRESHOLD_FIELDS if name in value})

    def overridden_by(self, overrides: Mapping[str, int | None]) -> Thresholds:
        """Per-piano overrides replace the technician's values field by field."""
        return Thresholds(
            **{
                name: overrides[name] if overrides.get(name) is not None else getattr(self, name)
                for name in THRESHOLD_FIELDS
            }
        )

    def pending_days(self, kind: str) -> int:
        if kind == Kind.TUNING:
            return self.tuning_pending_days
        if kind == Kind.REGULATION:
            return self.regulation_pending_days
        return 0  # a repair is due the moment the piano needs it

    def urgent_days(self, kind: str) -> int:
        if kind == Kind.TUNING:
            return self.tuning_urgent_days
        if kind == Kind.REGULATION:
            return self.regulation_urgent_days
        return 0


@dataclass(frozen=True)
class PianoFacts:
    """What the rule needs to know about one piano."""

    added_on: date  # the day the piano was added (local date)
    piano_id: int | None = None
    condition: str = PianoCondition.GOOD.value
    archived: bool = False
    last_tuning: date | None = None  # last *completed* tuning
    last_regulation: date | None = None
    last_repair: date | None = None
    # A repair was completed on or after the piano was last edited: its
    # ``needs_repair`` condition is what the repair fixed, not news.
    repaired_since_edit: bool = False
    tuning_pending_days: int | None = None
    tuning_urgent_days: int | None = None
    regulation_pending_days: int | None = None
    regulation_urgent_days: int | None = None

    @property
    def overrides(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name in THRESHOLD_FIELDS}

    @property
    def needs_repair(self) -> bool:
        return self.condition == PianoCondition.NEEDS_REPAIR and not self.repaired_since_edit


@dataclass(frozen=True)
class ComputedAlert:
    kind: Kind
    level: Level
    days_since: int
    due_since: date


def _level(days: int, pending: int, urgent: int) -> Level | None:
    if days >= urgent:
        return Level.URGENT
    if days >= pending:
        return Level.PENDING
    return None


def compute_piano_alerts(
    piano_facts: PianoFacts,
    thresholds: Thresholds | Mapping[str, Any] | None,
    today: date,
) -> list[ComputedAlert]:
    """The alerts a piano should have today (DOMAIN.md "Maintenance alerts").

    Tuning: *pending* at ``tuning_pending_days`` since the last completed
    tuning (or since the piano was added), *urgent* at ``tuning_urgent_days``;
    regulation likewise with its own thresholds. A piano that needs repair
    gets one urgent ``repair`` alert instead of the tuning alert. Per-piano
    overrides replace the technician's thresholds field by field; archived
    pianos get none.
    """
    facts = piano_facts
    if facts.archived:
        return []
    limits = Thresholds.of(thresholds).overridden_by(facts.overrides)
    alerts = []
    if facts.needs_repair:
        anchor = facts.last_repair or facts.added_on
        alerts.append(ComputedAlert(Kind.REPAIR, Level.URGENT, (today - anchor).days, anchor))
    else:
        anchor = facts.last_tuning or facts.added_on
        days = (today - anchor).days
        level = _level(days, limits.tuning_pending_days, limits.tuning_urgent_days)
        if level is not None:
            alerts.append(ComputedAlert(Kind.TUNING, level, days, anchor))
    anchor = facts.last_regulation or facts.added_on
    days = (today - anchor).days
    level = _level(days, limits.regulation_pending_days, limits.regulation_urgent_days)
    if level is not None:
        alerts.append(ComputedAlert(Kind.REGULATION, level, days, anchor))
    return alerts


# -- materialisation ------------------------------------------------------------
def _local_date(value: datetime) -> date:
    return to_local(value).date()


def _technician_thresholds(session: Session, user: User) -> Thresholds:
    # Through the cache (one query less for every alert list loaded), unless
    # this transaction has written: it may have changed the settings itself.
    if writes_pending(session):
        return Thresholds.of(_settings_values(_settings_row(session, user)))
    return Thresholds.of(get_maintenance_settings(session, user))


def _last_completed(
    session: Session, user: User, today: date, piano_ids: Collection[int] | None = None
) -> dict[tuple[int, str], date]:
    """Date of the last completed tuning/regulation/repair of each piano (of
    ``piano_ids``, or every one), in one query."""
    query = (
        select(Service.piano_id, Service.service_type, sa.func.max(Service.service_date))
        .where(
            Service.technician_id == user.id,
            Service.status == ServiceStatus.COMPLETED,
            Service.service_type.in_(
                [ServiceType.TUNING, ServiceType.REGULATION, ServiceType.REPAIR]
            ),
            Service.service_date <= today,
        )
        .group_by(Service.piano_id, Service.service_type)
    )
    if piano_ids is not None:
        query = query.where(Service.piano_id.in_(piano_ids))
    return {(pid, ServiceType(stype).value): last for pid, stype, last in session.exec(query).all()}


def piano_facts(
    session: Session,
    user: User,
    today: date | None = None,
    piano_ids: Collection[int] | None = None,
) -> list[PianoFacts]:
    """The rule's input for every live piano of the technician, or for those
    of ``piano_ids`` (two queries).

    Archived pianos, and pianos of archived clients, are left out: they get
    no alerts.
    """
    today = today or local_today()
    query = (
        select(
            Piano.id,
            Piano.created_at,
            Piano.updated_at,
            Piano.condition,
            Piano.tuning_pending_days,
            Piano.tuning_urgent_days,
            Piano.regulation_pending_days,
            Piano.regulation_urgent_days,
        )
        .join(Client, Client.id == Piano.client_id)
        .where(
            Piano.technician_id == user.id,
            Client.technician_id == user.id,
            Piano.archived == sa.false(),
            Client.archived == sa.false(),
        )
    )
    if piano_ids is not None:
        query = query.where(Piano.id.in_(piano_ids))
    last = _last_completed(session, user, today, piano_ids)
    facts = []
    for row in session.exec(query).all():
        pid, created, updated, condition, tp, tu, rp, ru = row
        last_repair = last.get((pid, ServiceType.REPAIR.value))
        facts.append(
            PianoFacts(
                piano_id=pid,
                added_on=_local_date(created),
                condition=PianoCondition(condition).value,
                last_tuning=last.get((pid, ServiceType.TUNING.value)),
                last_regulation=last.get((pid, ServiceType.REGULATION.value)),
                last_repair=last_repair,
                repaired_since_edit=condition == PianoCondition.NEEDS_REPAIR
                and last_repair is not None
                and last_repair >= _local_date(updated),
                tuning_pending_days=tp,
                tuning_urgent_days=tu,
                regulation_pending_days=rp,
                regulation_urgent_days=ru,
            )
        )
    return facts


@dataclass
class SyncResult:
    opened: int = 0
    updated: int = 0
    reopened: int = 0
    resolved: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.opened or self.updated or self.reopened or self.resolved)

    def as_dict(self) -> dict[str, int]:
        return {
            "opened": self.opened,
            "updated": self.updated,
            "reopened": self.reopened,
            "resolved": self.resolved,
        }


def _resolve(row: MaintenanceAlert, now: datetime, service_id: int | None = None) -> None:
    row.status = Status.RESOLVED
    row.resolved_at = now
    if service_id is not None:
        row.resolved_by_service_id = service_id


# What ``sync_alerts`` reads of the active rows (plain rows, not ORM objects).
_ACTIVE_COLUMNS = (
    MaintenanceAlert.id,
    MaintenanceAlert.piano_id,
    MaintenanceAlert.kind,
    MaintenanceAlert.level,
    MaintenanceAlert.status,
    MaintenanceAlert.days_since,
    MaintenanceAlert.due_since,
)
# ``sync_alerts`` writes its changes in bulk, UPDATE_CHUNK rows a statement.
UPDATE_CHUNK = 300


def _bulk_update(session: Session, updates: dict[int, dict[str, Any]], now: datetime) -> None:
    """Write each row's changed columns, one UPDATE per chunk of rows (a column
    that differs between rows becomes ``CASE id WHEN … END``): a driver's
    executemany of UPDATEs is one round trip per row on MariaDB."""
    table = MaintenanceAlert.__table__
    ids = list(updates)
    for start in range(0, len(ids), UPDATE_CHUNK):
        chunk = ids[start : start + UPDATE_CHUNK]
        names = dict.fromkeys(name for i in chunk for name in updates[i])
        values: dict[str, Any] = {"updated_at": now}
        for name in names:
            column = table.c[name]
            changed = {i: updates[i][name] for i in chunk if name in updates[i]}
            distinct = set(changed.values())
            if len(changed) == len(chunk) and len(distinct) == 1:
                values[name] = distinct.pop()
            else:
                values[name] = sa.case(
                    {i: sa.literal(value, column.type) for i, value in changed.items()},
                    value=table.c.id,
                    else_=column,
                )
        session.execute(sa.update(table).where(table.c.id.in_(chunk)).values(values))


def _keeper(rows: list[Any], due: ComputedAlert | None) -> Any:
    """Of several active rows for one piano and kind (a race), the one to keep."""
    if due is not None:
        for row in rows:
            if row.due_since == due.due_since:
                return row
    return max(rows, key=lambda r: r.id)


def _expire_loaded_alerts(session: Session, ids: Container[int] | None = None) -> None:
    """Alert rows ``session`` has loaded (those of ``ids``, or all) reload on
    next access: a sync changed them with statements the ORM did not see."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, MaintenanceAlert) and (ids is None or obj.id in ids):
            session.expire(obj)


def sync_alerts(
    session: Session,
    user: User,
    today: date | None = None,
    *,
    write: bool = True,
    piano_ids: Collection[int] | None = None,
) -> dict[str, int]:
    """Bring ``maintenance_alerts`` in line with the rule for every piano (or
    for those of ``piano_ids``).

    Per piano and kind: nothing due → the active row is resolved; due and no
    active row → a new open row; due in another cycle → the old row is
    resolved and a new one opened; same cycle → level and days updated (a
    dismissed alert that turns urgent opens again). Running it twice changes
    nothing. A handful of queries whatever the number of pianos; the caller
    commits. Returns how many rows were opened, updated, reopened, resolved
    (``write=False``: would be, and nothing is written).
    """
    today = today or local_today()
    thresholds = _technician_thresholds(session, user)
    due: dict[tuple[int, str], ComputedAlert] = {}
    for facts in piano_facts(session, user, today, piano_ids):
        for alert in compute_piano_alerts(facts, thresholds, today):
            due[(facts.piano_id, alert.kind.value)] = alert
    active: dict[tuple[int, str], list[Any]] = defaultdict(list)
    active_rows = select(*_ACTIVE_COLUMNS).where(
        MaintenanceAlert.technician_id == user.id,
        MaintenanceAlert.status.in_(ACTIVE_STATUSES),
    )
    if piano_ids is not None:
        active_rows = active_rows.where(MaintenanceAlert.piano_id.in_(piano_ids))
    for row in session.exec(active_rows).all():
        active[(row.piano_id, Kind(row.kind).value)].append(row)

    now = utcnow()
    result = SyncResult()
    # Written in bulk (one INSERT, and one UPDATE per UPDATE_CHUNK rows), not
    # one statement per row.
    inserts: list[dict[str, Any]] = []
    updates: dict[int, dict[str, Any]] = {}

    changed_pianos: set[int] = set()

    def stage(row: Any, **values: Any) -> None:
        updates.setdefault(row.id, {}).update(values)
        changed_pianos.add(row.piano_id)

    for key in sorted(set(due) | set(active)):
        computed = due.get(key)
        rows = active.get(key, [])
        keep = _keeper(rows, computed) if rows else None
        for row in rows:
            if row is keep and computed is not None and row.due_since == computed.due_since:
                continue
            stage(row, status=Status.RESOLVED, resolved_at=now)
            result.resolved += 1
            if row is keep:
                keep = None
        if computed is None:
            continue
        if keep is None:
            inserts.append(
                {
                    "technician_id": user.id,
                    "piano_id": key[0],
                    "kind": computed.kind,
                    "level": computed.level,
                    "status": Status.OPEN,
                    "days_since": computed.days_since,
                    "due_since": computed.due_since,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            changed_pianos.add(key[0])
            result.opened += 1
            continue
        if keep.level != computed.level or keep.days_since != computed.days_since:
            values: dict[str, Any] = {"level": computed.level, "days_since": computed.days_since}
            if (
                keep.status == Status.DISMISSED
                and keep.level == Level.PENDING
                and computed.level == Level.URGENT
            ):
                values.update(status=Status.OPEN, dismissed_at=None)
                result.reopened += 1
            stage(keep, **values)
            result.updated += 1
    if not write:
        return result.as_dict()
    if updates:
        _bulk_update(session, updates, now)
        _expire_loaded_alerts(session, updates)
    if inserts:
        session.execute(sa.insert(MaintenanceAlert), inserts)
    if result.changed:
        invalidate_on_commit(session, user, "alerts")
        _invalidate_piano_lists(session, user, changed_pianos)
    return result.as_dict()


# -- incremental sync ---------------------------------------------------------------
# More requested pianos than this and one sync of every piano is cheaper (and
# keeps the IN lists short).
PARTIAL_SYNC_MAX = 200
# Served requests are deleted this many ids a statement.
DELETE_CHUNK = 1000
# The sync day of a technician whose row exists but who was never synced.
NEVER_SYNCED = date(1970, 1, 1)


def request_alert_sync(
    session: Session, user: User, piano_ids: Iterable[int] | None = None
) -> None:
    """Ask the next sync to recompute the alerts of ``piano_ids`` (``None``:
    of every piano). Every write that changes what the rule reads calls it
    in its own transaction, so the request commits (or rolls back) with it."""
    now = utcnow()
    if piano_ids is None:
        values = {"technician_id": user.id, "piano_id": None, "created_at": now, "updated_at": now}
        session.execute(sa.insert(AlertSyncRequest).values(values))
        # The pianos' own lists reload, and their loader serves the request.
        invalidate_on_commit(session, user, "piano_alerts")
        return
    wanted = sorted(set(piano_ids))
    if not wanted:
        return
    _invalidate_piano_lists(session, user, wanted)
    # Only the technician's own pianos (one statement, however many).
    stamp = sa.literal(now, UtcDateTime())
    own = select(sa.literal(user.id), Piano.id, stamp, stamp).where(
        Piano.technician_id == user.id, Piano.id.in_(wanted)
    )
    columns = ["technician_id", "piano_id", "created_at", "updated_at"]
    session.execute(sa.insert(AlertSyncRequest).from_select(columns, own))


def _mark_synced(session: Session, user: User, day: date, *, replace: bool = True) -> None:
    """Remember that every piano was synced for ``day`` (an upsert: two
    workers may sync a new technician at once). ``replace=False``: only
    create the row if missing."""
    table = AlertSyncState.__table__
    now = utcnow()
    values = {"technician_id": user.id, "synced_on": day, "created_at": now, "updated_at": now}
    changes = {"synced_on": day, "updated_at": now} if replace else {"id": table.c.id}
    dialect = session.get_bind().dialect.name
    if dialect == "mysql":
        statement = mysql.insert(table).values(**values).on_duplicate_key_update(**changes)
    elif dialect == "sqlite":
        statement = sqlite.insert(table).values(**values)
        key = [table.c.technician_id]
        statement = (
            statement.on_conflict_do_update(index_elements=key, set_=changes)
            if replace
            else statement.on_conflict_do_nothing(index_elements=key)
        )
    else:  # pragma: no cover - other backends: update, else insert
        updated = session.execute(
            sa.update(table).where(table.c.technician_id == user.id).values(**changes)
        )
        if updated.rowcount:
            return
        statement = sa.insert(table).values(**values)
    session.execute(statement)


def _locked_sync_day(session: Session, user: User) -> date | None:
    """The technician's sync row, locked until the caller's transaction ends
    (``SELECT … FOR UPDATE``; created first if missing, as never synced):
    concurrent syncs of one technician take turns."""
    state = (
        select(AlertSyncState.synced_on)
        .where(AlertSyncState.technician_id == user.id)
        .with_for_update()
    )
    synced_on = session.exec(state).first()
    if synced_on is None:
        _mark_synced(session, user, NEVER_SYNCED, replace=False)
        synced_on = session.exec(state).first()
    return synced_on


def sync_requested_alerts(
    session: Session, user: User, today: date | None = None, *, exclusive: bool = False
) -> dict[str, int]:
    """Serve the technician's sync requests: the requested pianos only when
    every piano was already synced ``today``, otherwise every piano. The
    requests served are deleted by id, in the same transaction as the sync
    (the caller commits); they are read before any piano, so each one's
    change is seen by the sync that deletes it. Returns ``sync_alerts``'s
    counts.

    ``exclusive``: first lock the technician's sync row, so that a sync
    running elsewhere finishes first (then its requests are gone): two syncs
    at once would both open the same new alert. Only for a transaction that
    has not written yet (one holding alert rows could deadlock with it).
    """
    today = today or local_today()
    if exclusive:
        synced_on = _locked_sync_day(session, user)
    else:
        synced_on = session.exec(
            select(AlertSyncState.synced_on).where(AlertSyncState.technician_id == user.id)
        ).first()
    requests = session.exec(
        select(AlertSyncRequest.id, AlertSyncRequest.piano_id).where(
            AlertSyncRequest.technician_id == user.id
        )
    ).all()
    piano_ids = {piano_id for _, piano_id in requests}
    if synced_on != today or None in piano_ids or len(piano_ids) > PARTIAL_SYNC_MAX:
        result = sync_alerts(session, user, today)
        _mark_synced(session, user, today)
    elif piano_ids:
        result = sync_alerts(session, user, today, piano_ids=sorted(piano_ids))
    else:
        return SyncResult().as_dict()
    served = sorted(request_id for request_id, _ in requests)
    for start in range(0, len(served), DELETE_CHUNK):
        session.execute(
            sa.delete(AlertSyncRequest).where(
                AlertSyncRequest.technician_id == user.id,
                AlertSyncRequest.id.in_(served[start : start + DELETE_CHUNK]),
            )
        )
    return result


def run_daily_alert_sync(
    session_factory: Callable[[], AbstractContextManager[Session]], today: date | None = None
) -> dict[int, int]:
    """The platform's nightly job: every active technician's alerts synced
    for the new day (``days_since`` moved), each in its own transaction, so
    that the first read of the day only checks for requests. Returns the
    rows changed per technician id (failures are logged and left out)."""
    today = today or local_today()
    return for_each_active_technician(
        session_factory,
        lambda session, user: sum(
            sync_requested_alerts(session, user, today, exclusive=True).values()
        ),
        what="daily alert sync",
    )


def resolve_alerts_for_service(
    session: Session, user: User, service: Service
) -> list[MaintenanceAlert]:
    """A completed tuning/regulation/repair resolves the piano's active alert of
    that kind and links it to the service. Returns the rows resolved.

    An alert whose cycle started after the service's date is not resolved by
    it (an old service recorded late does not fix today's alert).
    """
    if service.technician_id != user.id:
        raise NotFound(Service.__tablename__)
    kinds = RESOLVED_BY_SERVICE.get(ServiceType(service.service_type), ())
    if not kinds or ServiceStatus(service.status) != ServiceStatus.COMPLETED:
        return []
    if service.id is None:
        session.add(service)
        session.flush()
    rows = session.exec(
        owned(MaintenanceAlert, user).where(
            MaintenanceAlert.piano_id == service.piano_id,
            MaintenanceAlert.kind.in_(kinds),
            MaintenanceAlert.status.in_(ACTIVE_STATUSES),
        )
    ).all()
    now = utcnow()
    resolved = []
    for row in rows:
        if row.due_since is not None and service.service_date < row.due_since:
            continue
        _resolve(row, now, service.id)
        resolved.append(row)
    if resolved:
        session.add_all(resolved)
        session.flush()
    # The service itself changes what is due: alert reads reload either way.
    invalidate_on_commit(session, user, "alerts", records=_piano_list_records(service.piano_id))
    return resolved


def _set_status(session: Session, user: User, alert_id: int, status: Status) -> MaintenanceAlert:
    row = get_owned(session, MaintenanceAlert, alert_id, user)
    if row.status == Status.RESOLVED:
        raise DomainError("error.alert_closed")
    now = utcnow()
    row.status = status
    if status == Status.ACKNOWLEDGED:
        row.acknowledged_at = now
        row.dismissed_at = None
    elif status == Status.DISMISSED:
        row.dismissed_at = now
    else:
        row.acknowledged_at = None
        row.dismissed_at = None
    session.add(row)
    session.flush()
    invalidate_on_commit(session, user, "alerts", records=_piano_list_records(row.piano_id))
    return row


def acknowledge_alert(session: Session, user: User, alert_id: int) -> MaintenanceAlert:
    """Seen and planned: the alert stays in the active list, marked acknowledged."""
    return _set_status(session, user, alert_id, Status.ACKNOWLEDGED)


def dismiss_alert(session: Session, user: User, alert_id: int) -> MaintenanceAlert:
    """Hidden until it turns urgent (or a new cycle starts)."""
    return _set_status(session, user, alert_id, Status.DISMISSED)


def reopen_alert(session: Session, user: User, alert_id: int) -> MaintenanceAlert:
    """An acknowledged or dismissed alert back to open (a resolved one cannot)."""
    return _set_status(session, user, alert_id, Status.OPEN)


# -- reads ----------------------------------------------------------------------
# Columns a list of alerts reads (plain rows, not ORM objects: a technician
# can have a thousand active alerts).
_LIST_COLUMNS = (
    MaintenanceAlert.id,
    MaintenanceAlert.piano_id,
    MaintenanceAlert.kind,
    MaintenanceAlert.level,
    MaintenanceAlert.status,
    MaintenanceAlert.days_since,
    MaintenanceAlert.due_since,
    MaintenanceAlert.created_at,
    MaintenanceAlert.acknowledged_at,
    MaintenanceAlert.dismissed_at,
    MaintenanceAlert.resolved_at,
    MaintenanceAlert.resolved_by_service_id,
    Piano.brand,
    Piano.model,
    Piano.serial_number,
    Piano.client_id,
    Piano.tuning_pending_days,
    Piano.tuning_urgent_days,
    Piano.regulation_pending_days,
    Piano.regulation_urgent_days,
    Client.name.label("client_name"),
)


def _alert_dict(row: Any, limits: Thresholds) -> dict[str, Any]:
    kind = Kind(row.kind).value
    threshold = limits.pending_days(kind)
    return {
        "id": row.id,
        "piano_id": row.piano_id,
        "kind": kind,
        "level": AlertLevel(row.level).value,
        "status": Status(row.status).value,
        "days_since": row.days_since,
        "due_since": row.due_since,
        "threshold": threshold,
        "urgent_threshold": limits.urgent_days(kind),
        "days_overdue": row.days_since - threshold,
        "created_at": row.created_at,
        "acknowledged_at": row.acknowledged_at,
        "dismissed_at": row.dismissed_at,
        "resolved_at": row.resolved_at,
        "resolved_by_service_id": row.resolved_by_service_id,
        "piano_brand": row.brand,
        "piano_model": row.model,
        "piano_serial": row.serial_number,
        "piano": f"{row.brand} {row.model}".strip(),
        "client_id": row.client_id,
        "client_name": row.client_name,
    }


def alert_sort_key(alert: Mapping[str, Any]) -> tuple:
    """Urgent before pending, then most days overdue first (DOMAIN.md)."""
    return (
        STATUS_RANK.get(alert["status"], 3),
        LEVEL_RANK.get(alert["level"], 2),
        -alert["days_overdue"],
        KIND_RANK.get(alert["kind"], 3),
        alert["piano_id"],
        alert["id"],
    )


# What can change which alerts a piano needs (not "alerts" itself: the sync
# invalidates that when it writes, and acknowledging needs no new sync).
SYNC_INPUTS = ("pianos", "services", "settings", "clients")


def ensure_alerts_synced(session: Session, user: User, today: date | None = None) -> None:
    """Run the sync once per day and after each write that can change the
    result, instead of on every read (the marker stays cached until then)."""
    today = today or local_today()
    cached_read(
        user,
        "alerts",
        "synced",
        {"today": today},
        lambda: _sync_once(session, user, today),
        depends_on=SYNC_INPUTS,
        refresh=("alerts.synced", {"today": today}),
    )


def _sync_once(session: Session, user: User, today: date) -> dict[str, int]:
    """The sync behind the marker (``sync_requested_alerts``: usually only
    the pianos written since the last one). It commits in a transaction of its own,
    so the marker (stored when this returns) only ever vouches for committed
    rows: another worker that finds it reads them (READ COMMITTED), and a
    rollback of the caller cannot undo them. A caller that has written in its
    transaction syncs in it instead: a sync of its own could not see those
    rows (the marker is then dropped by that write's commit)."""
    engine = committed_engine(session)
    if engine is None or writes_pending(session):
        return sync_requested_alerts(session, user, today)
    with Session(engine, expire_on_commit=False) as own:
        result = sync_requested_alerts(own, user, today, exclusive=True)
        own.commit()
    if any(result.values()):
        _expire_loaded_alerts(session)
    return result


# Stage 0: the marker is checked (or the sync found needed) before the reads nesting it.
@refreshable("alerts.synced", stage=0)
def _refresh_synced(session: Session, user: User, params: dict[str, Any]) -> None:
    ensure_alerts_synced(session, user, params["today"])


@functools.cache
def _list_statements(status: str, by_piano: bool) -> tuple[Any | None, Any | None]:
    """``_list_alerts``'s statements for a status filter: the open rows and
    the resolved history (None where the filter has none), with their piano
    and its owner. Built once per filter, with placeholders (``TECHNICIAN``,
    and ``piano_id`` for one piano's list): building a statement and its
    cache key cost more CPU than running it on a piano's page (issue 9)."""
    statuses = STATUS_FILTERS[status]
    base = (
        select(*_LIST_COLUMNS)
        .join(Piano, Piano.id == MaintenanceAlert.piano_id)
        .join(Client, Client.id == Piano.client_id)
        .where(
            MaintenanceAlert.technician_id == TECHNICIAN,
            Piano.technician_id == TECHNICIAN,
            Client.technician_id == TECHNICIAN,
        )
    )
    if by_piano:
        base = base.where(MaintenanceAlert.piano_id == sa.bindparam("piano_id"))
    open_statuses = [s for s in statuses if s != Status.RESOLVED]
    current = base.where(MaintenanceAlert.status.in_(open_statuses)) if open_statuses else None
    history = None
    if Status.RESOLVED in statuses:
        history = base.where(MaintenanceAlert.status == Status.RESOLVED).order_by(
            MaintenanceAlert.resolved_at.desc(), MaintenanceAlert.id.desc()
        )
        if not by_piano:
            history = history.limit(RESOLVED_HISTORY_LIMIT)
    return current, history


def _list_alerts(
    session: Session, user: User, status: str, piano_id: int | None, today: date
) -> list[dict[str, Any]]:
    ensure_alerts_synced(session, user, today)
    params = scoped(user) if piano_id is None else scoped(user, piano_id=piano_id)
    rows = []
    for statement in _list_statements(status, piano_id is not None):
        if statement is not None:
            rows += session.exec(statement, params=params).all()
    thresholds = _technician_thresholds(session, user)
    limits: dict[int, Thresholds] = {}
    alerts = []
    for row in rows:
        if row.piano_id not in limits:
            limits[row.piano_id] = thresholds.overridden_by(
                {name: getattr(row, name) for name in THRESHOLD_FIELDS}
            )
        alerts.append(_alert_dict(row, limits[row.piano_id]))
    alerts.sort(key=alert_sort_key)
    return alerts


def _active_alerts(*columns: Any) -> Any:
    """``SELECT columns`` of the technician's active (open or acknowledged)
    alerts, with their piano and its owner; built with the ``TECHNICIAN``
    placeholder, run with ``scoped(user, ...)``."""
    return (
        select(*columns)
        .join(Piano, Piano.id == MaintenanceAlert.piano_id)
        .join(Client, Client.id == Piano.client_id)
        .where(
            MaintenanceAlert.technician_id == TECHNICIAN,
            Piano.technician_id == TECHNICIAN,
            Client.technician_id == TECHNICIAN,
            MaintenanceAlert.status.in_(STATUS_FILTERS["active"]),
        )
    )


@functools.cache
def _top_active_statement(limit: int) -> Any:
    """The ``limit`` most pressing active alerts in ``alert_sort_key``'s order,
    in SQL, each row with the number of active alerts (``active_total``: one
    pass over the technician's alerts, not a second COUNT query). Built once
    per limit, with placeholders: the technician (``TECHNICIAN``) and their
    pending thresholds (a piano's own override wins)."""
    tuning_default = sa.bindparam("tuning_pending_days", type_=sa.Integer)
    regulation_default = sa.bindparam("regulation_pending_days", type_=sa.Integer)
    overdue = sa.case(
        (
            MaintenanceAlert.kind == Kind.TUNING,
            MaintenanceAlert.days_since
            - sa.func.coalesce(Piano.tuning_pending_days, tuning_default),
        ),
        (
            MaintenanceAlert.kind == Kind.REGULATION,
            MaintenanceAlert.days_since
            - sa.func.coalesce(Piano.regulation_pending_days, regulation_default),
        ),
        else_=MaintenanceAlert.days_since,
    )
    level_rank = sa.case((MaintenanceAlert.level == Level.URGENT, 0), else_=1)
    kind_rank = sa.case(
        (MaintenanceAlert.kind == Kind.REPAIR, 0),
        (MaintenanceAlert.kind == Kind.TUNING, 1),
        else_=2,
    )
    return (
        _active_alerts(*_LIST_COLUMNS, sa.func.count().over().label("active_total"))
        .order_by(
            level_rank, overdue.desc(), kind_rank, MaintenanceAlert.piano_id, MaintenanceAlert.id
        )
        .limit(limit)
    )


def _top_active(session: Session, user: User, limit: int, today: date) -> dict[str, Any]:
    ensure_alerts_synced(session, user, today)
    thresholds = _technician_thresholds(session, user)
    rows = session.exec(
        _top_active_statement(limit),
        params=scoped(
            user,
            tuning_pending_days=thresholds.tuning_pending_days,
            regulation_pending_days=thresholds.regulation_pending_days,
        ),
    ).all()
    items = [
        _alert_dict(
            row,
            thresholds.overridden_by({name: getattr(row, name) for name in THRESHOLD_FIELDS}),
        )
        for row in rows
    ]
    return {"items": items, "total": int(rows[0].active_total) if rows else 0}


def top_active_alerts(
    session: Session, user: User, limit: int, today: date | None = None
) -> dict[str, Any]:
    """The ``limit`` most pressing open/acknowledged alerts (the order of
    ``list_alerts``) and how many there are: what the dashboard feed shows,
    without listing every alert."""
    today = today or local_today()
    return cached_read(
        user,
        "alerts",
        "top",
        {"limit": limit, "today": today},
        lambda: _top_active(session, user, limit, today),
        depends_on=ALERT_READS,
        refresh=("alerts.top", {"limit": limit, "today": today}),
    )


@refreshable("alerts.top")
def _refresh_top(session: Session, user: User, params: dict[str, Any]) -> None:
    top_active_alerts(session, user, int(params["limit"]), params["today"])


def list_alerts(
    session: Session,
    user: User,
    status: str = "active",
    piano_id: int | None = None,
    today: date | None = None,
) -> list[dict[str, Any]]:
    """The technician's alerts, urgent first then by days overdue, with the
    piano (brand, model, serial) and its owner.

    ``status``: ``active`` (open and acknowledged, the default), ``open``,
    ``acknowledged``, ``dismissed``, ``resolved`` or ``all`` (technician-wide,
    only the newest resolved rows are listed). The loader syncs the alerts
    first, so a miss is always fresh.
    """
    status = status if status in STATUS_FILTERS else "active"
    piano_id = int(piano_id) if piano_id is not None else None
    today = today or local_today()
    return cached_read(
        user,
        "alerts",
        "list",
        {"status": status, "piano_id": piano_id, "today": today},
        lambda: _list_alerts(session, user, status, piano_id, today),
        depends_on=ALERT_READS if piano_id is None else PIANO_ALERT_READS,
        records=() if piano_id is None else _piano_list_records(piano_id),
        refresh=("alerts.list", {"status": status, "piano_id": piano_id, "today": today}),
    )


@refreshable("alerts.list")
def _refresh_list(session: Session, user: User, params: dict[str, Any]) -> None:
    list_alerts(session, user, params["status"], params["piano_id"], params["today"])


# Active alerts counted by level (built once: ``TECHNICIAN``).
_ACTIVE_BY_LEVEL = _active_alerts(
    MaintenanceAlert.level, sa.func.count(MaintenanceAlert.id)
).group_by(MaintenanceAlert.level)


def _alert_counts(session: Session, user: User, today: date) -> dict[str, int]:
    # Counted in SQL: the active list of a technician can hold a thousand rows.
    ensure_alerts_synced(session, user, today)
    counts = {Level.URGENT.value: 0, Level.PENDING.value: 0}
    for level, count in session.exec(_ACTIVE_BY_LEVEL, params=scoped(user)).all():
        counts[AlertLevel(level).value] = int(count)
    return {**counts, "total": sum(counts.values())}


def alert_counts(session: Session, user: User, today: date | None = None) -> dict[str, int]:
    """Active (open or acknowledged) alerts: ``{urgent, pending, total}``."""
    today = today or local_today()
    return cached_read(
        user,
        "alerts",
        "counts",
        {"today": today},
        lambda: _alert_counts(session, user, today),
        depends_on=ALERT_READS,
        refresh=("alerts.counts", {"today": today}),
    )


@refreshable("alerts.counts", stage=2)
def _refresh_counts(session: Session, user: User, params: dict[str, Any]) -> None:
    alert_counts(session, user, params["today"])
