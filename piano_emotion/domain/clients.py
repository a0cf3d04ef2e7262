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
from piano_emotion.domain.cached import cached_read, invalidate_on_commit
from piano_emotion.domain.errors import ValidationFailed
from piano_emotion.domain.listing import PageResult, clamp_page, search_filter
from piano_emotion.domain.pianos import refresh_piano_search_text
from piano_emotion.domain.refresh import list_view, refreshable
from piano_emotion.domain.tenancy import get_owned, owned
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
from piano_emotion.models.enums import ClientType, ServiceStatus
from piano_emotion.text import normalise_search_text

ARCHIVE_FILTERS = ("active", "archived", "all")
SORTS = {
    "name": (Client.name, Client.id),
    "-name": (Client.name.desc(), Client.id.desc()),
    "city": (Client.city, Client.name, Client.id),
    "created": (Client.created_at, Client.id),
    "-created": (Client.created_at.desc(), Client.id.desc()),
}
# What a client list/detail shows, so what its cache entries depend on.
CLIENT_READS = ("clients", "pianos", "services")


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


def _client_summary(row: Any) -> dict[str, Any]:
    client, piano_count, last_service = row
    return {
        "id": client.id,
        "name": client.name,
        "client_type": client.client_type.value,
        "email": client.email,
        "phone": client.phone,
        "city": client.city,
        "route_group": client.route_group,
        "archived": client.archived,
        "piano_count": int(piano_count or 0),
        "last_service_date": last_service,
    }


def _list_clients(session: Session, user: User, query: ClientQuery) -> dict[str, Any]:
    pianos = (
        select(Piano.client_id, sa.func.count(Piano.id).label("n"))
        .where(Piano.technician_id == user.id, Piano.archived == sa.false())
        .group_by(Piano.client_id)
        .subquery()
    )
    services = (
        select(Service.client_id, sa.func.max(Service.service_date).label("last"))
        .where(Service.technician_id == user.id, Service.status == ServiceStatus.COMPLETED)
        .group_by(Service.client_id)
        .subquery()
    )
    filters = [Client.technician_id == user.id]
    if query.archived == "active":
        filters.append(Client.archived == sa.false())
    elif query.archived == "archived":
        filters.append(Client.archived == sa.true())
    if (condition := search_filter(Client.search_text, query.search)) is not None:
        filters.append(condition)
    if query.client_type:
        filters.append(Client.client_type == ClientType(query.client_type))
    if query.city:
        filters.append(Client.city == query.city)
    if query.route_group:
        filters.append(Client.route_group == query.route_group)
    total = session.exec(select(sa.func.count(Client.id)).where(*filters)).one()
    rows = session.exec(
        select(Client, pianos.c.n, services.c.last)
        .outerjoin(pianos, pianos.c.client_id == Client.id)
        .outerjoin(services, services.c.client_id == Client.id)
        .where(*filters)
        .order_by(*SORTS[query.sort])
        .offset((query.page - 1) * query.page_size)
        .limit(query.page_size)
    ).all()
    result = PageResult([_client_summary(r) for r in rows], int(total), query.page, query.page_size)
    return result.as_dict()


def list_clients(session: Session, user: User, query: ClientQuery | None = None) -> dict[str, Any]:
    """A page of clients: ``{items, total, page, page_size, pages}``."""
    query = (query or ClientQuery()).normalised()
    return cached_read(
        user,
        "clients",
        "list",
        query.__dict__,
        lambda: _list_clients(session, user, query),
        depends_on=CLIENT_READS,
        refresh=list_view("clients.list", query),
    )


@refreshable("clients.list")
def _refresh_list(session: Session, user: User, params: dict[str, Any]) -> None:
    list_clients(session, user, ClientQuery(**params))


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


def _client_detail(session: Session, user: User, client_id: int) -> dict[str, Any]:
    client = get_owned(session, Client, client_id, user)
    pianos = session.exec(
        owned(Piano, user)
        .where(Piano.client_id == client.id)
        .order_by(Piano.archived, Piano.brand, Piano.id)
    ).all()
    services = session.exec(
        owned(Service, user)
        .where(Service.client_id == client.id)
        .order_by(Service.service_date.desc(), Service.id.desc())
        .limit(50)
    ).all()
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
