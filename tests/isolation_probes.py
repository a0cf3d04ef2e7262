"""Probes of every domain function (see tests/isolation.py). Later features
add theirs here, next to the ones of the same module."""

from __future__ import annotations

from sqlmodel import select

from piano_emotion.domain import business, cached, clients, tenancy
from piano_emotion.domain.clients import ClientInput, ClientQuery
from piano_emotion.models import (
    Appointment,
    Client,
    InventoryItem,
    Invoice,
    Piano,
    Quote,
    Reminder,
    Service,
    ServiceRate,
)
from tests.isolation import assert_no_trace_of, probe

OWNED_MODELS = {
    "client": Client,
    "piano": Piano,
    "service": Service,
    "appointment": Appointment,
    "reminder": Reminder,
    "quote": Quote,
    "invoice": Invoice,
    "rate": ServiceRate,
    "inventory_item": InventoryItem,
}


# -- domain.tenancy ---------------------------------------------------------
for _key, _model in OWNED_MODELS.items():

    @probe("tenancy.get_owned")
    def _get_owned(session, b, a, _key=_key, _model=_model):
        return tenancy.get_owned(session, _model, a.ids[_key], b)

    @probe("tenancy.get_owned_for_update")
    def _get_owned_for_update(session, b, a, _key=_key, _model=_model):
        return tenancy.get_owned_for_update(session, _model, a.ids[_key], b)


def _only_own_rows(result, a):
    assert result == [], f"rows of the other technician leaked: {result}"


@probe("tenancy.owned", expect=_only_own_rows)
def _owned(session, b, a):
    return [
        row
        for model in OWNED_MODELS.values()
        for row in session.exec(tenancy.owned(model, b)).all()
        if row.technician_id == a.user.id
    ]


@probe("tenancy.scoped", expect=_only_own_rows)
def _scoped(session, b, a):
    # A statement built once with TECHNICIAN, run with b's parameters.
    return [
        row
        for model in OWNED_MODELS.values()
        for row in session.exec(
            select(model).where(model.technician_id == tenancy.TECHNICIAN),
            params=tenancy.scoped(b),
        ).all()
        if row.technician_id == a.user.id
    ]


# -- domain.business ---------------------------------------------------------
def _own_business_info(result, a):
    assert result is not None
    assert result.technician_id != a.user.id
    assert "Pianos A" not in result.business_name


@probe("business.get_business_info", expect=_own_business_info)
def _get_business_info(session, b, a):
    return business.get_business_info(session, b)


@probe("business.save_business_info", expect=_own_business_info)
def _save_business_info(session, b, a):
    return business.save_business_info(
        session, b, business.BusinessInfoInput(business_name="Pianos B Nuevo", tax_id="B12345674")
    )


# -- domain.clients -------------------------------------------------------------
def _no_foreign_rows(result, a):
    items = result["items"] if isinstance(result, dict) and "items" in result else result
    ids = {item["id"] for item in items}
    assert a.ids["client"] not in ids
    assert_no_trace_of(result, a)


@probe("clients.get_client")
def _get_client(session, b, a):
    return clients.get_client(session, b, a.ids["client"])


@probe("clients.update_client")
def _update_client(session, b, a):
    return clients.update_client(session, b, a.ids["client"], ClientInput(name="Robado"))


@probe("clients.set_client_archived")
def _archive_client(session, b, a):
    return clients.set_client_archived(session, b, a.ids["client"], True)


@probe("clients.remove_client")
def _remove_client(session, b, a):
    return clients.remove_client(session, b, a.ids["client"])


@probe("clients.client_has_history", expect=lambda result, a: _assert_false(result))
def _client_has_history(session, b, a):
    return clients.client_has_history(session, b, a.ids["client"])


@probe("clients.list_clients", expect=_no_foreign_rows)
def _list_clients(session, b, a):
    return clients.list_clients(session, b, ClientQuery(search="Cliente A", archived="all"))


@probe("clients.client_directory", expect=_no_foreign_rows)
def _client_directory(session, b, a):
    return clients.client_directory(session, b)


@probe("clients.client_counts", expect=lambda result, a: _assert_counts(result))
def _client_counts(session, b, a):
    return clients.client_counts(session, b)


@probe("clients.client_filter_options", expect=lambda result, a: _assert_own_cities(result))
def _client_filter_options(session, b, a):
    return clients.client_filter_options(session, b)


@probe("clients.create_client", expect=lambda result, a: _assert_owner(result, a))
def _create_client(session, b, a):
    return clients.create_client(session, b, ClientInput(name="Nuevo de B"))


def _assert_false(result):
    assert result is False


def _assert_counts(result):
    # B has exactly its own one client (factories.populate gives each one).
    assert result == {"active": 1, "archived": 0, "all": 1}


def _assert_own_cities(result):
    assert result["cities"] == ["Madrid"]


def _assert_owner(result, a):
    assert result.technician_id != a.user.id


# -- domain.cached (the cache is scoped by technician too) ---------------------
def _own_value(result, a):
    assert result == "B's own value"


@probe("cached.cached_read", expect=_own_value)
def _cached_read(session, b, a):
    cached.cached_read(a.user, "clients", "probe", {"p": 1}, lambda: "A's value",
                       depends_on=("clients",))  # fmt: skip
    return cached.cached_read(b, "clients", "probe", {"p": 1}, lambda: "B's own value",
                              depends_on=("clients",))  # fmt: skip


@probe("cached.cached_page", expect=_own_value)
def _cached_page(session, b, a):
    query = ClientQuery(page=1)
    cached.cached_page(a.user, "clients", "probe_page", query, lambda: "A's value",
                       depends_on=("clients",))  # fmt: skip
    return cached.cached_page(b, "clients", "probe_page", query, lambda: "B's own value",
                              depends_on=("clients",))  # fmt: skip


def _a_entry_survives(result, a):
    assert result == "A's value"


@probe("cached.invalidate", expect=_a_entry_survives)
def _invalidate(session, b, a):
    cached.cached_read(a.user, "clients", "probe2", None, lambda: "A's value",
                       depends_on=("clients",))  # fmt: skip
    cached.invalidate(b, "clients", records=[("client", a.ids["client"])])
    return cached.cached_read(a.user, "clients", "probe2", None, lambda: "reloaded",
                              depends_on=("clients",))  # fmt: skip


@probe("cached.invalidate_on_commit", expect=_a_entry_survives)
def _invalidate_on_commit(session, b, a):
    record = [("client", a.ids["client"])]
    cached.cached_read(a.user, "clients", "probe3", None, lambda: "A's value",
                       depends_on=("clients",), records=record)  # fmt: skip
    cached.invalidate_on_commit(session, b, "clients", records=record)
    session.commit()
    return cached.cached_read(a.user, "clients", "probe3", None, lambda: "reloaded",
                              depends_on=("clients",), records=record)  # fmt: skip
