"""Clients: create, read, update, archive/restore/delete, list and counts.

Reads return plain dicts (cacheable, and what the pages show); every read
goes through the cache and every write invalidates what it changed.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from piano_emotion.domain import validation as v
from piano_emotion.domain.activity import ACTIVITY_READS, client_last_service
from piano_emotion.domain.alerts import request_alert_sync
from piano_emotion.domain.cached import cached_page, cached_read, invalidate_on_commit
from piano_emotion.domain.errors import ValidationFailed
from piano_emotion.domain.listing import (
    ARCHIVE_FILTERS,
    clamp_page,
    filter_directory,
    nulls_first,
    page_of,
    search_words,
    sort_text,
)
from piano_emotion.domain.pianos import refresh_piano_search_text
from piano_emotion.domain.refresh import refreshable
from piano_emotion.domain.tenancy import TECHNICIAN, get_owned, scoped
from piano_emotion.models import (
    Appointment,
    Client,
    Invoice,
    Piano,
    Quote,
    Reminder,
    Service,
    User,
)
from piano_emotion.models.enums import ClientType
from piano_emotion.text import normalise_search_text


# Sort keys of a directory row (see ``client_directory``): one key in one
# direction each, ties broken by id as the key's last part.
def _by_name(row: dict[str, Any]) -> tuple:
    return (row["_name"], row["id"])


def _by_city(row: dict[str, Any]) -> tuple:
    return (row["_city"], row["_name"], row["id"])


def _by_created(row: dict[str, Any]) -> tuple:
    return (nulls_first(row["_created"]), row["id"])


SORTS = {
    "name": (_by_name, False),
    "-name": (_by_name, True),
    "city": (_by_city, False),
    "created": (_by_created, False),
    "-created": (_by_created, True),
}
# What the client directory shows (piano counts included), so what it depends on.
CLIENT_READS = ("clients", "pianos")
# A list page shows the directory's rows and each client's last service date.
CLIENT_PAGE_READS = (*CLIENT_READS, *ACTIVITY_READS)


@dataclass
class ClientInput:
    name: str = ""
    client_type: str = ClientType.PARTICULAR.value
    email: str = ""
    phone: str = ""
    tax_id: str = ""
    address: str = ""
    city: str = ""
    postal_code: str = ""
    region: str = ""
    notes: str = ""
    route_group: str = ""
    latitude: str = ""
    longitude: str = ""

    @classmethod
    def from_form(cls, form: dict[str, Any]) -> ClientInput:
        return cls(
            **{
                f.name: str(form.get(f.name, "") or "").strip()
                for f in fields(cls)
                if f.name in form
            }
        )


def _coordinate(raw: str, limit: int) -> Decimal | None:
    if not raw:
        return None
    value = Decimal(raw.replace(",", "."))
    if not value.is_finite() or abs(value) > limit:
        raise InvalidOperation
    return value.quantize(Decimal("0.000001"))


def validate_client(data: ClientInput) -> tuple[dict[str, str], dict[str, Any]]:
    """Field errors (translation keys) and the cleaned values."""
    errors: dict[str, str] = {}
    if not data.name:
        errors["name"] = "error.name_required"
    elif len(data.name) > 160:
        errors["name"] = "error.too_long"
    if data.client_type not in ClientType._value2member_map_:
        errors["client_type"] = "error.choice_invalid"
    if problem := v.email_problem(data.email):
        errors["email"] = problem
    if problem := v.phone_problem(data.phone):
        errors["phone"] = problem
    if problem := v.postal_code_problem(data.postal_code):
        errors["postal_code"] = problem
    if data.tax_id and not v.is_valid_spanish_tax_id(data.tax_id):
        errors["tax_id"] = "error.tax_id_invalid"
    for name, limit in (("address", 255), ("city", 120), ("region", 120), ("route_group", 80)):
        if problem := v.length_problem(getattr(data, name), limit):
            errors[name] = problem
    coordinates = {}
    for name, limit in (("latitude", 90), ("longitude", 180)):
        try:
            coordinates[name] = _coordinate(getattr(data, name), limit)
        except (InvalidOperation, ValueError):
            errors[name] = "error.coordinate_invalid"
    cleaned = {
        "name": data.name,
        "client_type": ClientType(data.client_type) if "client_type" not in errors else None,
        "email": data.email.lower(),
        "phone": data.phone,
        "tax_id": v.clean_tax_id(data.tax_id),
        "address": data.address,
        "city": data.city,
        "postal_code": data.postal_code,
        "region": data.region,
        "notes": data.notes,
        "route_group": data.route_group,
        **coordinates,
    }
    return errors, cleaned


def client_search_text(client: Client) -> str:
    return normalise_search_text(client.name, client.email, client.phone, client.city)[:1024]


def _apply(client: Client, cleaned: dict[str, Any]) -> None:
    for name, value in cleaned.items():
        setattr(client, name, value)
    client.search_text = client_search_text(client)


# -- writes -------------------------------------------------------------------
def create_client(session: Session, user: User, data: ClientInput) -> Client:
    errors, cleaned = validate_client(data)
    if errors:
        raise ValidationFailed(errors)
    client = Client(technician_id=user.id, name=cleaned["name"])
    _apply(client, cleaned)
    session.add(client)
    session.flush()
    invalidate_on_commit(session, user, "clients")
    return client


def update_client(session: Session, user: User, client_id: int, data: ClientInput) -> Client:
    client = get_owned(session, Client, client_id, user)
    errors, cleaned = validate_client(data)
    if errors:
        raise ValidationFailed(errors)
    renamed = cleaned["name"] != client.name
    _apply(client, cleaned)
    session.add(client)
    session.flush()
    # Details of its pianos and services show the client's contact; lists
    # and dashboards show only its name.
    refresh_piano_search_text(session, user, client.id)
    collections = ("clients", "pianos", "services") if renamed else ("clients",)
    invalidate_on_commit(
        session, user, *collections, records=[("client", client.id)], names_changed=renamed
    )
    return client


def set_client_archived(session: Session, user: User, client_id: int, archived: bool) -> Client:
    client = get_owned(session, Client, client_id, user)
    client.archived = archived
    session.add(client)
    session.flush()
    # The pianos of an archived client get no alerts (and get them back).
    pianos = session.exec(
        select(Piano.id).where(Piano.technician_id == user.id, Piano.client_id == client.id)
    ).all()
    request_alert_sync(session, user, pianos)
    invalidate_on_commit(session, user, "clients", records=[("client", client.id)])
    return client


def client_has_history(session: Session, user: User, client_id: int) -> bool:
    for model in (Piano, Service, Invoice, Quote, Appointment, Reminder):
        exists = session.exec(
            select(model.id)
            .where(model.technician_id == user.id, model.client_id == client_id)
            .limit(1)
        ).first()
        if exists is not None:
            return True
    return False


def remove_client(session: Session, user: User, client_id: int) -> str:
    """Delete a client without history; one with history is archived instead.

    Returns ``"deleted"`` or ``"archived"``.
    """
    client = get_owned(session, Client, client_id, user)
    if client_has_history(session, user, client.id):
        set_client_archived(session, user, client.id, True)
        return "archived"
    session.delete(client)
    session.flush()
    invalidate_on_commit(session, user, "clients", records=[("client", client_id)])
    return "deleted"


# -- reads --------------------------------------------------------------------
@dataclass(frozen=True)
class ClientQuery:
    search: str = ""
    client_type: str = ""
    city: str = ""
    route_group: str = ""
    archived: str = "active"
    sort: str = "name"
    page: int = 1
    page_size: int = 25

    def normalised(self) -> ClientQuery:
        page, size = clamp_page(self.page, self.page_size)
        return ClientQuery(
            search=(self.search or "").strip()[:100],
            client_type=self.client_type
            if self.client_type in ClientType._value2member_map_
            else "",
            city=(self.city or "").strip()[:120],
            route_group=(self.route_group or "").strip()[:80],
            archived=self.archived if self.archived in ARCHIVE_FILTERS else "active",
            sort=self.sort if self.sort in SORTS else "name",
            page=page,
            page_size=size,
        )


DIRECTORY_FIELDS = (
    "id",
    "name",
    "client_type",
    "email",
    "phone",
    "city",
    "route_group",
    "archived",
    "piano_count",
)
# A list row is a directory row cut to DIRECTORY_FIELDS plus the date of the
# client's last completed service (``activity``: recording a service changes
# that date and nothing the directory holds).
LIST_FIELDS = (*DIRECTORY_FIELDS, "last_service_date")


def _client_directory(session: Session, user: User) -> list[dict[str, Any]]:
    pianos = (
        select(Piano.client_id, sa.func.count(Piano.id).label("n"))
        .where(Piano.technician_id == user.id, Piano.archived == sa.false())
        .group_by(Piano.client_id)
        .subquery()
    )
    # The columns it shows or compares, not whole Client rows (notes, address…).
    rows = session.exec(
        select(
            Client.id,
            Client.name,
            Client.client_type,
            Client.email,
            Client.phone,
            Client.city,
            Client.route_group,
            Client.archived,
            Client.search_text,
            Client.created_at,
            pianos.c.n,
        )
        .outerjoin(pianos, pianos.c.client_id == Client.id)
        .where(Client.technician_id == user.id)
    ).all()
    return [
        {
            "id": client_id,
            "name": name,
            "client_type": client_type.value,
            "email": email,
            "phone": phone,
            "city": city,
            "route_group": route_group,
            "archived": archived,
            "piano_count": int(piano_count or 0),
            # What searches and sorts compare (not shown).
            "_search": search_text or "",
            "_name": sort_text(name),
            "_city": sort_text(city),
            "_created": created_at.isoformat() if created_at else None,
        }
        for (
            client_id,
            name,
            client_type,
            email,
            phone,
            city,
            route_group,
            archived,
            search_text,
            created_at,
            piano_count,
        ) in rows
    ]


def client_directory(session: Session, user: User) -> list[dict[str, Any]]:
    """Every client of the technician as the list shows it, plus what its
    search and sorts compare: one cache entry that answers every list page,
    search and filter (a technician has a few hundred clients, DOMAIN.md), so
    a search typed for the first time is a cache hit too."""
    return cached_read(
        user,
        "clients",
        "directory",
        None,
        lambda: _client_directory(session, user),
        depends_on=CLIENT_READS,
        refresh=("clients.directory", {}),
        shared=True,  # only read: list_clients builds new rows for its page
    )


@refreshable("clients.directory")
def _refresh_directory(session: Session, user: User, params: dict[str, Any]) -> None:
    client_directory(session, user)


def _selected(directory: list[dict[str, Any]], query: ClientQuery) -> list[dict[str, Any]]:
    fields = ("client_type", "city", "route_group")
    equal = {name: value for name in fields if (value := getattr(query, name))}
    return filter_directory(directory, query.archived, search_words(query.search), equal)


def list_clients(session: Session, user: User, query: ClientQuery | None = None) -> dict[str, Any]:
    """A page of clients: ``{items, total, page, page_size, pages}``.

    A page without a search (the list as opened, a filter, a sort, a page
    number) is a small cache entry of its own: opening the list then reads
    25 rows, not the whole directory and every client's last service date
    (decoding those was most of the list's cost, issue 9). A search is
    answered from the directory: typed text is rarely asked twice."""
    query = (query or ClientQuery()).normalised()
    if query.search:
        return _list_clients(session, user, query)
    return cached_page(
        user,
        "clients",
        "page",
        query,
        lambda: _list_clients(session, user, query),
        depends_on=CLIENT_PAGE_READS,
    )


@refreshable("clients.page")
def _refresh_page(session: Session, user: User, params: dict[str, Any]) -> None:
    list_clients(session, user, ClientQuery(**params))


def _list_clients(session: Session, user: User, query: ClientQuery) -> dict[str, Any]:
    rows = _selected(client_directory(session, user), query)
    key, descending = SORTS[query.sort]
    rows.sort(key=key, reverse=descending)
    last_service = client_last_service(session, user)
    return page_of(
        rows,
        query.page,
        query.page_size,
        DIRECTORY_FIELDS,
        by_id={"last_service_date": last_service},
    )


def _client_counts(session: Session, user: User) -> dict[str, int]:
    rows = session.exec(
        select(Client.archived, sa.func.count(Client.id))
        .where(Client.technician_id == user.id)
        .group_by(Client.archived)
    ).all()
    counts = {"active": 0, "archived": 0}
    for archived, n in rows:
        counts["archived" if archived else "active"] = int(n)
    counts["all"] = counts["active"] + counts["archived"]
    return counts


def client_counts(session: Session, user: User) -> dict[str, int]:
    return cached_read(
        user,
        "clients",
        "counts",
        None,
        lambda: _client_counts(session, user),
        depends_on=("clients",),
    )


def _filter_options(session: Session, user: User) -> dict[str, list[str]]:
    def distinct(column) -> list[str]:
        return [
            value
            for value in session.exec(
                select(column)
                .where(Client.technician_id == user.id, column != "")
                .distinct()
                .order_by(column)
            ).all()
        ]

    return {"cities": distinct(Client.city), "route_groups": distinct(Client.route_group)}


def client_filter_options(session: Session, user: User) -> dict[str, list[str]]:
    """Cities and route groups in use (for the list filters)."""
    return cached_read(
        user,
        "clients",
        "filters",
        None,
        lambda: _filter_options(session, user),
        depends_on=("clients",),
    )


# What a client's page shows of their pianos and services: columns, not
# whole rows (a client's page read for the first time is a miss, and loading
# entities cost more than the queries).
_PIANO_COLUMNS = (
    Piano.id,
    Piano.brand,
    Piano.model,
    Piano.serial_number,
    Piano.category,
    Piano.condition,
    Piano.archived,
)
_SERVICE_COLUMNS = (
    Service.id,
    Service.piano_id,
    Service.service_type,
    Service.status,
    Service.service_date,
    Service.cost,
)


# A client's pianos and last services (built once: ``tenancy.TECHNICIAN``).
_CLIENT_PIANOS = (
    select(*_PIANO_COLUMNS)
    .where(Piano.technician_id == TECHNICIAN, Piano.client_id == sa.bindparam("client_id"))
    .order_by(Piano.archived, Piano.brand, Piano.id)
)
_CLIENT_SERVICES = (
    select(*_SERVICE_COLUMNS)
    .where(Service.technician_id == TECHNICIAN, Service.client_id == sa.bindparam("client_id"))
    .order_by(Service.service_date.desc(), Service.id.desc())
    .limit(50)
)


def _client_detail(session: Session, user: User, client_id: int) -> dict[str, Any]:
    client = get_owned(session, Client, client_id, user)
    params = scoped(user, client_id=client.id)
    pianos = session.exec(_CLIENT_PIANOS, params=params).all()
    services = session.exec(_CLIENT_SERVICES, params=params).all()
    brands = {p.id: f"{p.brand} {p.model}".strip() for p in pianos}
    return {
        "id": client.id,
        "name": client.name,
        "client_type": client.client_type.value,
        "email": client.email,
        "phone": client.phone,
        "tax_id": client.tax_id,
        "address": client.address,
        "city": client.city,
        "postal_code": client.postal_code,
        "region": client.region,
        "notes": client.notes,
        "route_group": client.route_group,
        "latitude": client.latitude,
        "longitude": client.longitude,
        "archived": client.archived,
        "created_at": client.created_at,
        "pianos": [
            {
                "id": p.id,
                "brand": p.brand,
                "model": p.model,
                "serial_number": p.serial_number,
                "category": p.category.value,
                "condition": p.condition.value,
                "archived": p.archived,
            }
            for p in pianos
        ],
        "services": [
            {
                "id": s.id,
                "piano_id": s.piano_id,
                "piano": brands.get(s.piano_id, ""),
                "service_type": s.service_type.value,
                "status": s.status.value,
                "service_date": s.service_date,
                "cost": s.cost,
            }
            for s in services
        ],
    }


def get_client(session: Session, user: User, client_id: int) -> dict[str, Any]:
    """A client with their pianos and service history; ``NotFound`` if not theirs.

    The key is scoped to ``user``, and a foreign id makes the loader raise, so
    nothing is ever cached for it.
    """
    return cached_read(
        user,
        "clients",
        "detail",
        {"id": client_id},
        lambda: _client_detail(session, user, client_id),
        depends_on=(),
        records=[("client", client_id)],
        refresh=("clients.detail", {"id": client_id}),
    )


@refreshable("clients.detail")
def _refresh_detail(session: Session, user: User, params: dict[str, Any]) -> None:
    get_client(session, user, int(params["id"]))
