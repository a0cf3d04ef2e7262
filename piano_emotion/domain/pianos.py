"""Pianos: create, read, update, archive/restore/delete, move, list and counts.

Reads return plain dicts (cacheable, and what the pages show); every read
goes through the cache and every write invalidates what it changed. A piano
write also invalidates its client's record, because the client detail lists
its pianos, and ``alerts``, because thresholds, condition and archiving
change a piano's maintenance alerts.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from piano_emotion.domain import validation as v
from piano_emotion.domain.activity import ACTIVITY_READS, piano_service_dates
from piano_emotion.domain.alerts import ALERT_READS, request_alert_sync
from piano_emotion.domain.cached import cached_page, cached_read, invalidate_on_commit
from piano_emotion.domain.errors import NotFound, ValidationFailed
from piano_emotion.domain.listing import (
    ARCHIVE_FILTERS,
    clamp_page,
    filter_directory,
    nulls_first,
    page_of,
    search_words,
    sort_text,
)
from piano_emotion.domain.refresh import refreshable
from piano_emotion.domain.tenancy import TECHNICIAN, get_owned, owned, scoped
from piano_emotion.formatting import format_date
from piano_emotion.models import (
    Appointment,
    Client,
    Invoice,
    MaintenanceSettings,
    Piano,
    Quote,
    Reminder,
    Service,
    User,
)
from piano_emotion.models.enums import (
    PIANO_TYPES_BY_CATEGORY,
    AlertLevel,
    PianoCategory,
    PianoCondition,
    PianoType,
    ServiceStatus,
    ServiceType,
)
from piano_emotion.text import normalise_search_text

# What the UI offers for the per-piano interval (months; 0 = the client calls).
INTERVAL_CHOICES = (3, 6, 12, 0)
MAX_INTERVAL_MONTHS = 60
MAX_OVERRIDE_DAYS = 3650
SIZE_RANGE_CM = (30, 400)
OLDEST_YEAR = 1700

# Type by size (DOMAIN.md): vertical by height, grand by length. Each entry is
# (first size in cm that no longer fits, type); above the last one, the last
# type. DOMAIN.md's ranges "<100, 100–110, 110–120, >120" and "<150, 150–180,
# 180–210, >210" share their end points, so the shared end point belongs to
# the lower range: 110 is a console, 111 a studio, 120 a studio, 121 an
# upright professional; 180 a medium grand, 181 a parlor grand, 210 a parlor
# grand, 211 a concert grand. ``semi_concert`` has no size range in DOMAIN.md:
# it is only ever chosen by hand.
SIZE_RULES: dict[PianoCategory, tuple[tuple[tuple[int, PianoType], ...], PianoType]] = {
    PianoCategory.VERTICAL: (
        ((100, PianoType.SPINET), (111, PianoType.CONSOLE), (121, PianoType.STUDIO)),
        PianoType.UPRIGHT_PROFESSIONAL,
    ),
    PianoCategory.GRAND: (
        ((150, PianoType.BABY_GRAND), (181, PianoType.MEDIUM_GRAND), (211, PianoType.PARLOR_GRAND)),
        PianoType.CONCERT_GRAND,
    ),
}
# DOMAIN.md defaults of the maintenance thresholds (days), used when the
# technician has no settings row yet.
DEFAULT_THRESHOLDS = {
    "tuning_pending_days": 180,
    "tuning_urgent_days": 270,
    "regulation_pending_days": 730,
    "regulation_urgent_days": 1095,
}
OVERRIDE_PAIRS = (
    ("tuning_pending_days", "tuning_urgent_days"),
    ("regulation_pending_days", "regulation_urgent_days"),
)
# What a piano list shows, so what its cache entries depend on.
PIANO_READS = ("pianos", "clients")
# A list page shows the directory's rows and each piano's last service dates.
PIANO_PAGE_READS = (*PIANO_READS, *ACTIVITY_READS)


def piano_type_for_size(category: PianoCategory | str, size_cm: int | None) -> PianoType | None:
    """The type DOMAIN.md gives a piano of ``category`` and ``size_cm``, or None
    (digital pianos, unknown size). The one place the size thresholds live."""
    if size_cm is None or category not in PianoCategory._value2member_map_:
        return None
    rule = SIZE_RULES.get(PianoCategory(category))
    if rule is None:
        return None
    bounds, largest = rule
    for first_too_big, piano_type in bounds:
        if size_cm < first_too_big:
            return piano_type
    return largest


@dataclass
class PianoInput:
    client_id: int | str | None = None
    brand: str = ""
    model: str = ""
    serial_number: str = ""
    year: int | str | None = None
    category: str = PianoCategory.VERTICAL.value
    piano_type: str = ""
    size_cm: int | str | None = None
    condition: str = PianoCondition.GOOD.value
    room: str = ""
    floor: str = ""
    notes: str = ""
    service_interval_months: int | str | None = None
    tuning_pending_days: int | str | None = None
    tuning_urgent_days: int | str | None = None
    regulation_pending_days: int | str | None = None
    regulation_urgent_days: int | str | None = None

    @classmethod
    def from_form(cls, form: dict[str, Any]) -> PianoInput:
        return cls(
            **{
                f.name: str(form.get(f.name, "") or "").strip()
                for f in fields(cls)
                if f.name in form
            }
        )


def _int(value: int | str | None) -> int | None:
    """An optional whole number from a form (``""`` is None); ValueError if not one."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not text:
        return None
    return int(text)


def _text(value: Any) -> str:
    return str(value or "").strip()


def technician_thresholds(session: Session, user: User) -> dict[str, int]:
    """The technician's maintenance thresholds (days), DOMAIN.md's if never set."""
    settings = session.exec(
        select(MaintenanceSettings).where(MaintenanceSettings.technician_id == user.id)
    ).first()
    if settings is None:
        return dict(DEFAULT_THRESHOLDS)
    return {name: getattr(settings, name) for name in DEFAULT_THRESHOLDS}


def validate_piano(
    data: PianoInput, thresholds: dict[str, int] | None = None
) -> tuple[dict[str, str], dict[str, Any]]:
    """Field errors (translation keys) and the cleaned values.

    ``thresholds`` are the technician's (for checking a single override
    against the other end of its pair); DOMAIN.md's defaults if not given.
    ``client_id`` is only parsed here: whose client it is, is checked by the
    writes (``NotFound``).
    """
    thresholds = thresholds or DEFAULT_THRESHOLDS
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}

    try:
        cleaned["client_id"] = _int(data.client_id)
    except ValueError:
        errors["client_id"] = "error.client_required"
        cleaned["client_id"] = None

    brand = _text(data.brand)
    if not brand:
        errors["brand"] = "error.brand_required"
    cleaned["brand"] = brand
    for name, limit in (
        ("brand", 80),
        ("model", 80),
        ("serial_number", 64),
        ("room", 80),
        ("floor", 40),
    ):
        cleaned[name] = _text(getattr(data, name))
        if name not in errors and (problem := v.length_problem(cleaned[name], limit)):
            errors[name] = problem
    cleaned["notes"] = str(data.notes or "").strip()

    try:
        year = _int(data.year)
        if year is not None and not OLDEST_YEAR <= year <= date.today().year:
            raise ValueError(year)
        cleaned["year"] = year
    except ValueError:
        errors["year"] = "error.year_invalid"

    category = _text(data.category) or PianoCategory.VERTICAL.value
    if category in PianoCategory._value2member_map_:
        cleaned["category"] = PianoCategory(category)
    else:
        errors["category"] = "error.choice_invalid"

    try:
        size = _int(data.size_cm)
        if size is not None and not SIZE_RANGE_CM[0] <= size <= SIZE_RANGE_CM[1]:
            raise ValueError(size)
        cleaned["size_cm"] = size
    except ValueError:
        errors["size_cm"] = "error.size_invalid"
        size = None

    piano_type = _text(data.piano_type)
    if piano_type and piano_type not in PianoType._value2member_map_:
        errors["piano_type"] = "error.choice_invalid"
    elif piano_type and "category" in cleaned:
        if PianoType(piano_type) not in PIANO_TYPES_BY_CATEGORY[cleaned["category"]]:
            errors["piano_type"] = "error.piano_type_category"
        else:
            cleaned["piano_type"] = PianoType(piano_type)
    elif "category" in cleaned:
        cleaned["piano_type"] = piano_type_for_size(cleaned["category"], size)

    condition = _text(data.condition) or PianoCondition.GOOD.value
    if condition in PianoCondition._value2member_map_:
        cleaned["condition"] = PianoCondition(condition)
    else:
        errors["condition"] = "error.choice_invalid"

    try:
        interval = _int(data.service_interval_months)
        if interval is not None and not 0 <= interval <= MAX_INTERVAL_MONTHS:
            raise ValueError(interval)
        cleaned["service_interval_months"] = interval
    except ValueError:
        errors["service_interval_months"] = "error.interval_invalid"

    for name in DEFAULT_THRESHOLDS:
        try:
            days = _int(getattr(data, name))
            if days is not None and not 1 <= days <= MAX_OVERRIDE_DAYS:
                raise ValueError(days)
            cleaned[name] = days
        except ValueError:
            errors[name] = "error.days_invalid"
    for pending, urgent in OVERRIDE_PAIRS:
        if pending in errors or urgent in errors:
            continue
        if cleaned[pending] is None and cleaned[urgent] is None:
            continue
        pending_days = cleaned[pending] if cleaned[pending] is not None else thresholds[pending]
        urgent_days = cleaned[urgent] if cleaned[urgent] is not None else thresholds[urgent]
        if pending_days >= urgent_days:
            field = pending if cleaned[pending] is not None else urgent
            errors[field] = "error.pending_not_before_urgent"
    return errors, cleaned


def piano_search_text(piano: Piano, owner_name: str) -> str:
    """Brand, model, serial number and the owner's name, accent- and case-free."""
    return normalise_search_text(piano.brand, piano.model, piano.serial_number, owner_name)[:1024]


def _apply(piano: Piano, cleaned: dict[str, Any], owner: Client) -> None:
    for name, value in cleaned.items():
        if name != "client_id":
            setattr(piano, name, value)
    piano.client_id = owner.id
    piano.search_text = piano_search_text(piano, owner.name)


def _service_ids_of_piano(session: Session, user: User, piano_id: int) -> list[int]:
    return list(
        session.exec(
            select(Service.id).where(Service.technician_id == user.id, Service.piano_id == piano_id)
        ).all()
    )


# -- writes -------------------------------------------------------------------
# What other pages show of a piano (its name) and what its alerts depend on.
NAME_FIELDS = ("brand", "model", "serial_number", "client_id", "archived")
ALERT_FIELDS = (
    "condition",
    "service_interval_months",
    "tuning_pending_days",
    "tuning_urgent_days",
    "regulation_pending_days",
    "regulation_urgent_days",
)


def create_piano(session: Session, user: User, data: PianoInput) -> Piano:
    errors, cleaned = validate_piano(data, technician_thresholds(session, user))
    owner = None
    if cleaned["client_id"] is None:
        errors.setdefault("client_id", "error.client_required")
    else:
        owner = get_owned(session, Client, cleaned["client_id"], user)
    if errors or owner is None:
        raise ValidationFailed(errors)
    piano = Piano(technician_id=user.id, client_id=owner.id, brand=cleaned["brand"])
    _apply(piano, cleaned, owner)
    session.add(piano)
    session.flush()
    request_alert_sync(session, user, [piano.id])
    invalidate_on_commit(
        session, user, "pianos", "clients", "alerts", records=[("client", owner.id)]
    )
    return piano


def update_piano(session: Session, user: User, piano_id: int, data: PianoInput) -> Piano:
    """Save a piano's data; an empty ``client_id`` keeps its owner and a
    different one moves it (as ``move_piano``)."""
    piano = get_owned(session, Piano, piano_id, user)
    errors, cleaned = validate_piano(data, technician_thresholds(session, user))
    new_client_id = cleaned["client_id"] if cleaned["client_id"] is not None else piano.client_id
    owner = get_owned(session, Client, new_client_id, user)
    if errors:
        raise ValidationFailed(errors)
    old_client_id = piano.client_id
    before = {name: getattr(piano, name) for name in NAME_FIELDS + ALERT_FIELDS}
    _apply(piano, cleaned, owner)
    session.add(piano)
    session.flush()
    changed = {name for name, value in before.items() if getattr(piano, name) != value}
    # Any edit counts: the rule also reads when the piano was last edited.
    request_alert_sync(session, user, [piano.id])
    # Service lists and details show the piano's brand and model; client lists
    # count pianos; alerts follow condition, thresholds and interval.
    records = [("piano", piano.id), ("client", old_client_id), ("client", owner.id)]
    records += [("service", sid) for sid in _service_ids_of_piano(session, user, piano.id)]
    renamed = bool(changed & set(NAME_FIELDS))
    collections = ["pianos"]
    if renamed:
        collections += ["services", "clients", "alerts"]
    elif changed & set(ALERT_FIELDS):
        collections += ["alerts"]
    invalidate_on_commit(session, user, *collections, records=records, names_changed=renamed)
    return piano


def set_piano_archived(session: Session, user: User, piano_id: int, archived: bool) -> Piano:
    piano = get_owned(session, Piano, piano_id, user)
    piano.archived = archived
    session.add(piano)
    session.flush()
    request_alert_sync(session, user, [piano.id])
    # Client lists count active pianos; alerts skip archived ones.
    invalidate_on_commit(
        session,
        user,
        "pianos",
        "clients",
        "alerts",
        records=[("piano", piano.id), ("client", piano.client_id)],
    )
    return piano


def piano_has_history(session: Session, user: User, piano_id: int) -> bool:
    for model in (Service, Appointment, Invoice, Quote, Reminder):
        exists = session.exec(
            select(model.id)
            .where(model.technician_id == user.id, model.piano_id == piano_id)
            .limit(1)
        ).first()
        if exists is not None:
            return True
    return False


def remove_piano(session: Session, user: User, piano_id: int) -> str:
    """Delete a piano without history; one with history is archived instead.

    Returns ``"deleted"`` or ``"archived"``.
    """
    piano = get_owned(session, Piano, piano_id, user)
    if piano_has_history(session, user, piano.id):
        set_piano_archived(session, user, piano.id, True)
        return "archived"
    client_id = piano.client_id
    session.delete(piano)
    session.flush()
    invalidate_on_commit(
        session,
        user,
        "pianos",
        "clients",
        "alerts",
        records=[("piano", piano_id), ("client", client_id)],
    )
    return "deleted"


def move_piano(session: Session, user: User, piano_id: int, new_client_id: int) -> Piano:
    """Give a piano to another client of the same technician.

    Its history stays with it: services keep the client they were done for.
    """
    piano = get_owned(session, Piano, piano_id, user)
    owner = get_owned(session, Client, new_client_id, user)
    old_client_id = piano.client_id
    piano.client_id = owner.id
    piano.search_text = piano_search_text(piano, owner.name)
    session.add(piano)
    session.flush()
    # The new owner may be archived (its pianos get no alerts).
    request_alert_sync(session, user, [piano.id])
    invalidate_on_commit(
        session,
        user,
        "pianos",
        "clients",
        "alerts",
        records=[("piano", piano.id), ("client", old_client_id), ("client", owner.id)],
    )
    return piano


def refresh_piano_search_text(session: Session, user: User, client_id: int) -> int:
    """After a client's name or contact changed: re-key its pianos' search
    text and hide every cached detail that shows that client (its pianos and
    the services done for it). Returns how many pianos were re-keyed."""
    client = get_owned(session, Client, client_id, user)
    pianos = session.exec(owned(Piano, user).where(Piano.client_id == client.id)).all()
    edited = []
    for piano in pianos:
        text = piano_search_text(piano, client.name)
        if piano.search_text != text:
            piano.search_text = text
            session.add(piano)
            edited.append(piano.id)
    session.flush()
    changed = len(edited)
    # An edit of the piano row (the rule reads when it was last edited).
    request_alert_sync(session, user, edited)
    services = session.exec(
        select(Service.id, Service.piano_id).where(
            Service.technician_id == user.id, Service.client_id == client.id
        )
    ).all()
    piano_ids = {p.id for p in pianos} | {piano_id for _, piano_id in services}
    records = [("piano", pid) for pid in sorted(piano_ids)]
    records += [("service", sid) for sid, _ in services]
    # Piano lists show (and search) the owner's name: only a rename touches them.
    collections = ("pianos",) if changed else ()
    invalidate_on_commit(session, user, *collections, records=records, names_changed=False)
    return changed


# -- reads --------------------------------------------------------------------
def _int_or_none(value: Any) -> int | None:
    try:
        return _int(value)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class PianoQuery:
    search: str = ""
    category: str = ""
    condition: str = ""
    client_id: int | None = None
    archived: str = "active"
    alert_level: str = ""
    sort: str = "brand"
    page: int = 1
    page_size: int = 25

    def normalised(self) -> PianoQuery:
        page, size = clamp_page(self.page, self.page_size)
        return PianoQuery(
            search=(self.search or "").strip()[:100],
            category=self.category if self.category in PianoCategory._value2member_map_ else "",
            condition=self.condition if self.condition in PianoCondition._value2member_map_ else "",
            client_id=_int_or_none(self.client_id),
            archived=self.archived if self.archived in ARCHIVE_FILTERS else "active",
            alert_level=self.alert_level
            if self.alert_level in AlertLevel._value2member_map_
            else "",
            sort=self.sort if self.sort in SORT_KEYS else "brand",
            page=page,
            page_size=size,
        )


# Sort keys of a directory row (see ``piano_directory``): one key in one
# direction each, ties broken by id as the key's last part. ``last_service``:
# piano id -> date of its last completed service (``activity``).
LastServices = dict[int, date]


def _by_brand(row: dict[str, Any], last_service: LastServices) -> tuple:
    return (row["_brand"], row["_model"], row["id"])


def _by_client(row: dict[str, Any], last_service: LastServices) -> tuple:
    return (row["_client"], row["_brand"], row["id"])


def _by_last_service(row: dict[str, Any], last_service: LastServices) -> tuple:
    return (nulls_first(last_service.get(row["id"])), row["id"])


def _by_created(row: dict[str, Any], last_service: LastServices) -> tuple:
    return (nulls_first(row["_created"]), row["id"])


SORT_KEYS = {
    "brand": (_by_brand, False),
    "-brand": (_by_brand, True),
    "client": (_by_client, False),
    "last_service": (_by_last_service, False),
    "-last_service": (_by_last_service, True),
    "created": (_by_created, False),
    "-created": (_by_created, True),
}
DIRECTORY_FIELDS = (
    "id",
    "brand",
    "model",
    "serial_number",
    "year",
    "category",
    "piano_type",
    "condition",
    "client_id",
    "client_name",
    "archived",
    "service_interval_months",
)
# A list row is a directory row cut to DIRECTORY_FIELDS plus the dates of the
# piano's last completed tuning and service (``activity``: recording a service
# changes those dates and nothing the directory holds).
LIST_FIELDS = (*DIRECTORY_FIELDS, "last_tuning_date", "last_service_date")


def _piano_directory(session: Session, user: User) -> list[dict[str, Any]]:
    # The columns it shows or compares, not whole Piano rows.
    rows = session.exec(
        select(
            Piano.id,
            Piano.brand,
            Piano.model,
            Piano.serial_number,
            Piano.year,
            Piano.category,
            Piano.piano_type,
            Piano.condition,
            Piano.client_id,
            Client.name,
            Piano.archived,
            Piano.service_interval_months,
            Piano.search_text,
            Piano.created_at,
        )
        .join(Client, Client.id == Piano.client_id)
        .where(Piano.technician_id == user.id, Client.technician_id == user.id)
    ).all()
    return [
        {
            "id": piano_id,
            "brand": brand,
            "model": model,
            "serial_number": serial_number,
            "year": year,
            "category": category.value,
            "piano_type": piano_type.value if piano_type else "",
            "condition": condition.value,
            "client_id": client_id,
            "client_name": client_name,
            "archived": archived,
            "service_interval_months": interval,
            # What searches and sorts compare (not shown).
            "_search": search_text or "",
            "_brand": sort_text(brand),
            "_model": sort_text(model),
            "_client": sort_text(client_name),
            "_created": created_at.isoformat() if created_at else None,
        }
        for (
            piano_id,
            brand,
            model,
            serial_number,
            year,
            category,
            piano_type,
            condition,
            client_id,
            client_name,
            archived,
            interval,
            search_text,
            created_at,
        ) in rows
    ]


def piano_directory(session: Session, user: User) -> list[dict[str, Any]]:
    """Every piano of the technician as the list shows it, plus what its
    search and sorts compare: one cache entry answers every list page, search
    and filter (about 690 pianos for a technician, DOMAIN.md)."""
    return cached_read(
        user,
        "pianos",
        "directory",
        None,
        lambda: _piano_directory(session, user),
        depends_on=PIANO_READS,
        refresh=("pianos.directory", {}),
        shared=True,  # only read: list_pianos builds new rows for its page
    )


@refreshable("pianos.directory")
def _refresh_directory(session: Session, user: User, params: dict[str, Any]) -> None:
    piano_directory(session, user)


def _alerted_pianos(session: Session, user: User, level: str) -> set[int]:
    """Pianos with an active (open or acknowledged) alert of ``level``: from
    the cached alert list, which brings the alerts up to date first."""
    from piano_emotion.domain import alerts

    active = alerts.list_alerts(session, user, "active")
    return {alert["piano_id"] for alert in active if alert["level"] == level}


def _selected(directory: list[dict[str, Any]], query: PianoQuery) -> list[dict[str, Any]]:
    equal = {name: value for name in ("category", "condition") if (value := getattr(query, name))}
    if query.client_id is not None:
        equal["client_id"] = query.client_id
    return filter_directory(directory, query.archived, search_words(query.search), equal)


def list_pianos(session: Session, user: User, query: PianoQuery | None = None) -> dict[str, Any]:
    """A page of pianos: ``{items, total, page, page_size, pages}``.

    As ``clients.list_clients``: a page without a search is a small entry of
    its own; a search is answered from the directory. A page filtered by
    alert level also shows the alerts (``alerts.ALERT_READS``)."""
    query = (query or PianoQuery()).normalised()
    if query.search:
        return _list_pianos(session, user, query)
    return cached_page(
        user,
        "pianos",
        "page",
        query,
        lambda: _list_pianos(session, user, query),
        depends_on=(*PIANO_PAGE_READS, *(ALERT_READS if query.alert_level else ())),
    )


@refreshable("pianos.page")
def _refresh_page(session: Session, user: User, params: dict[str, Any]) -> None:
    list_pianos(session, user, PianoQuery(**params))


def _list_pianos(session: Session, user: User, query: PianoQuery) -> dict[str, Any]:
    rows = _selected(piano_directory(session, user), query)
    if query.alert_level:
        alerted = _alerted_pianos(session, user, query.alert_level)
        rows = [r for r in rows if r["id"] in alerted]
    dates = piano_service_dates(session, user)
    last_service, last_tuning = dates["last_service"], dates["last_tuning"]
    key, descending = SORT_KEYS[query.sort]
    rows.sort(key=lambda row: key(row, last_service), reverse=descending)
    return page_of(
        rows,
        query.page,
        query.page_size,
        DIRECTORY_FIELDS,
        by_id={"last_tuning_date": last_tuning, "last_service_date": last_service},
    )


def _piano_counts(session: Session, user: User) -> dict[str, int]:
    rows = session.exec(
        select(Piano.archived, Piano.category, sa.func.count(Piano.id))
        .where(Piano.technician_id == user.id)
        .group_by(Piano.archived, Piano.category)
    ).all()
    counts = {"active": 0, "archived": 0, **{c.value: 0 for c in PianoCategory}}
    for archived, category, n in rows:
        counts["archived" if archived else "active"] += int(n)
        if not archived:
            counts[category.value] += int(n)
    counts["all"] = counts["active"] + counts["archived"]
    return counts


def piano_counts(session: Session, user: User) -> dict[str, int]:
    """``active``, ``archived``, ``all``, and active ones per category."""
    return cached_read(
        user,
        "pianos",
        "counts",
        None,
        lambda: _piano_counts(session, user),
        depends_on=("pianos",),
    )


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


# What a piano's page shows of each service (columns, not whole rows: a
# piano's page read for the first time is a miss, and loading entities cost
# more than the query).
_HISTORY_COLUMNS = (
    Service.id,
    Service.service_type,
    Service.status,
    Service.service_date,
    Service.cost,
    Service.duration_minutes,
    Service.humidity_pct,
    Service.temperature_c,
    Service.notes,
    Service.client_id,
    Client.name.label("client_name"),
)


# The piano and its owner in one query, both the technician's (built once:
# ``tenancy.TECHNICIAN``).
_PIANO_WITH_OWNER = (
    select(Piano, Client.id, Client.name, Client.phone, Client.email)
    .join(Client, Client.id == Piano.client_id)
    .where(
        Piano.technician_id == TECHNICIAN,
        Piano.id == sa.bindparam("piano_id"),
        Client.technician_id == TECHNICIAN,
    )
)
_PIANO_HISTORY = (
    select(*_HISTORY_COLUMNS)
    .join(Client, Client.id == Service.client_id)
    .where(Service.technician_id == TECHNICIAN, Service.piano_id == sa.bindparam("piano_id"))
    .order_by(Service.service_date.desc(), Service.id.desc())
)


def _piano_detail(session: Session, user: User, piano_id: int) -> dict[str, Any]:
    params = scoped(user, piano_id=piano_id)
    found = session.exec(_PIANO_WITH_OWNER, params=params).first()
    if found is None:
        raise NotFound(Piano.__tablename__)
    piano, owner_id, owner_name, owner_phone, owner_email = found
    rows = session.exec(_PIANO_HISTORY, params=params).all()
    completed = [s for s in rows if s.status == ServiceStatus.COMPLETED]
    last_tuning = next(
        (s.service_date for s in completed if s.service_type == ServiceType.TUNING), None
    )
    readings = [
        {
            "date": s.service_date,
            "label": format_date(s.service_date),
            "humidity": _number(s.humidity_pct),
            "temperature": _number(s.temperature_c),
        }
        for s in reversed(rows)
        if s.status != ServiceStatus.CANCELLED
        and (s.humidity_pct is not None or s.temperature_c is not None)
    ]
    return {
        "id": piano.id,
        "brand": piano.brand,
        "model": piano.model,
        "serial_number": piano.serial_number,
        "year": piano.year,
        "category": piano.category.value,
        "piano_type": piano.piano_type.value if piano.piano_type else "",
        "size_cm": piano.size_cm,
        "condition": piano.condition.value,
        "room": piano.room,
        "floor": piano.floor,
        "notes": piano.notes,
        "service_interval_months": piano.service_interval_months,
        "tuning_pending_days": piano.tuning_pending_days,
        "tuning_urgent_days": piano.tuning_urgent_days,
        "regulation_pending_days": piano.regulation_pending_days,
        "regulation_urgent_days": piano.regulation_urgent_days,
        "archived": piano.archived,
        "created_at": piano.created_at,
        "client_id": owner_id,
        "owner": {"id": owner_id, "name": owner_name, "phone": owner_phone, "email": owner_email},
        "last_tuning_date": last_tuning,
        "last_service_date": completed[0].service_date if completed else None,
        "services": [
            {
                "id": s.id,
                "service_type": s.service_type.value,
                "status": s.status.value,
                "service_date": s.service_date,
                "cost": s.cost,
                "duration_minutes": s.duration_minutes,
                "humidity_pct": s.humidity_pct,
                "temperature_c": s.temperature_c,
                "notes": s.notes,
                "client_id": s.client_id,
                "client_name": s.client_name,
            }
            for s in rows
        ],
        "readings": readings,
    }


def get_piano(session: Session, user: User, piano_id: int) -> dict[str, Any]:
    """A piano with its owner, service-history timeline (newest first) and
    humidity/temperature readings (oldest first, for the chart); ``NotFound``
    if not theirs.

    Tagged with the piano's record: piano writes, service writes on it and
    changes to its owner (``refresh_piano_search_text``) invalidate it.
    """
    return cached_read(
        user,
        "pianos",
        "detail",
        {"id": piano_id},
        lambda: _piano_detail(session, user, piano_id),
        depends_on=(),
        records=[("piano", piano_id)],
        refresh=("pianos.detail", {"id": piano_id}),
    )


@refreshable("pianos.detail")
def _refresh_detail(session: Session, user: User, params: dict[str, Any]) -> None:
    get_piano(session, user, int(params["id"]))
