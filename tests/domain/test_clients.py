"""Clients in the domain layer, on SQLite and MariaDB."""

from __future__ import annotations

import pytest
from sqlmodel import select

from piano_emotion.domain import clients, refresh
from piano_emotion.domain.clients import ClientInput, ClientQuery
from piano_emotion.domain.errors import NotFound, ValidationFailed
from piano_emotion.models import Client, Piano


def add(session, user, name, **extra):
    client = clients.create_client(session, user, ClientInput(name=name, **extra))
    session.commit()
    return client


def test_create_read_update(session, technician):
    client = add(session, technician, "María García", email="Maria@Example.es", city="Madrid")
    detail = clients.get_client(session, technician, client.id)
    assert detail["name"] == "María García"
    assert detail["email"] == "maria@example.es"
    clients.update_client(
        session, technician, client.id, ClientInput(name="María García López", city="Toledo")
    )
    session.commit()
    detail = clients.get_client(session, technician, client.id)
    assert detail["name"] == "María García López"
    assert detail["city"] == "Toledo"


@pytest.mark.parametrize(
    ("data", "field", "key"),
    [
        (ClientInput(name=""), "name", "error.name_required"),
        (ClientInput(name="X", email="no-es-email"), "email", "error.email_invalid"),
        (ClientInput(name="X", client_type="banana"), "client_type", "error.choice_invalid"),
        (ClientInput(name="X", postal_code="999"), "postal_code", "error.postal_code_invalid"),
        (ClientInput(name="X", latitude="95"), "latitude", "error.coordinate_invalid"),
        (ClientInput(name="X", tax_id="12345678A"), "tax_id", "error.tax_id_invalid"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(session, technician, data, field, key):
    with pytest.raises(ValidationFailed) as refused:
        clients.create_client(session, technician, data)
    session.rollback()
    assert refused.value.fields[field] == key
    assert session.exec(select(Client).where(Client.technician_id == technician.id)).all() == []


def test_search_is_accent_and_case_insensitive(session, technician):
    add(session, technician, "José García", city="Cádiz")
    add(session, technician, "Ana Muñoz", email="ana@example.es")
    add(session, technician, "Pedro Ruiz", phone="612 345 678")

    def names(search):
        page = clients.list_clients(session, technician, ClientQuery(search=search))
        return [item["name"] for item in page["items"]]

    assert names("garcia") == ["José García"]
    assert names("GARCÍA") == ["José García"]
    assert names("cadiz") == ["José García"]
    assert names("munoz") == ["Ana Muñoz"]
    assert names("ana@example") == ["Ana Muñoz"]
    assert names("612 345") == ["Pedro Ruiz"]
    assert names("jose garcia") == ["José García"]
    assert names("100%") == []


def test_pagination_sort_filters_and_counts(session, technician):
    for i in range(30):
        add(session, technician, f"Cliente {i:02d}", city="Madrid" if i % 2 else "Sevilla",
            route_group="Norte" if i < 10 else "")  # fmt: skip
    first = clients.list_clients(session, technician, ClientQuery(page=1, page_size=25))
    second = clients.list_clients(session, technician, ClientQuery(page=2, page_size=25))
    assert first["total"] == 30 and first["pages"] == 2
    assert len(first["items"]) == 25 and len(second["items"]) == 5
    assert first["items"][0]["name"] == "Cliente 00"
    backwards = clients.list_clients(session, technician, ClientQuery(sort="-name"))
    assert backwards["items"][0]["name"] == "Cliente 29"
    madrid = clients.list_clients(session, technician, ClientQuery(city="Madrid", page_size=100))
    assert madrid["total"] == 15
    north = clients.list_clients(session, technician, ClientQuery(route_group="Norte"))
    assert north["total"] == 10
    options = clients.client_filter_options(session, technician)
    assert options == {"cities": ["Madrid", "Sevilla"], "route_groups": ["Norte"]}
    assert clients.client_counts(session, technician) == {"active": 30, "archived": 0, "all": 30}


def test_names_sort_accent_and_case_free_on_every_database(session, technician):
    for name in ("zapata", "Beta", "Álvarez", "Ángel"):
        add(session, technician, name)
    page = clients.list_clients(session, technician)
    assert [item["name"] for item in page["items"]] == ["Álvarez", "Ángel", "Beta", "zapata"]
    backwards = clients.list_clients(session, technician, ClientQuery(sort="-name"))
    assert [item["name"] for item in backwards["items"]] == ["zapata", "Beta", "Ángel", "Álvarez"]


def test_searches_are_answered_from_the_cached_directory_and_pages_from_their_own_entry(
    session, technician, fresh_cache
):
    for i in range(30):
        add(session, technician, f"Cliente {i:02d}", city="Madrid" if i % 2 else "Sevilla")
    loads = []
    real_directory = clients._client_directory
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            clients, "_client_directory", lambda *a: loads.append(1) or real_directory(*a)
        )
        clients.list_clients(session, technician)  # the page, the directory, the dates
        before = fresh_cache.stats()
        # A search reads the directory and the dates: two hits, nothing loaded.
        assert (
            clients.list_clients(session, technician, ClientQuery(search="cliente 07"))["total"]
            == 1
        )
        after_search = fresh_cache.stats()
        assert after_search["misses"] == before["misses"]
        assert after_search["hits"] == before["hits"] + 2
        # The list as opened again: one small entry, one hit.
        assert clients.list_clients(session, technician)["total"] == 30
        assert fresh_cache.stats()["hits"] == after_search["hits"] + 1
        # Another page or filter: its own entry, built from the cached directory.
        page_two = clients.list_clients(session, technician, ClientQuery(page=2))
        assert page_two["items"][0]["name"] == "Cliente 25"
        assert clients.list_clients(session, technician, ClientQuery(city="Madrid"))["total"] == 15
        assert loads == [1]
        # A write hides them; the refresher loads the pages read again in the
        # background, so the next reads are hits and show the change.
        add(session, technician, "Cliente nuevo")
        assert refresh.wait_idle(fresh_cache, technician.id, timeout=10)
        before = fresh_cache.stats()
        assert clients.list_clients(session, technician)["total"] == 31
        assert clients.list_clients(session, technician, ClientQuery(search="nuevo"))["total"] == 1
        assert fresh_cache.stats()["misses"] == before["misses"]
        assert loads == [1, 1]


def test_list_items_show_only_the_page_fields(session, technician):
    add(session, technician, "María García", city="Madrid")
    (item,) = clients.list_clients(session, technician)["items"]
    assert set(item) == set(clients.LIST_FIELDS)
    assert not any(name.startswith("_") for name in item)


def test_archive_hides_by_default_and_restore_brings_back(session, technician):
    client = add(session, technician, "Archivable")
    clients.set_client_archived(session, technician, client.id, True)
    session.commit()
    assert clients.list_clients(session, technician)["total"] == 0
    archived = clients.list_clients(session, technician, ClientQuery(archived="archived"))
    assert [i["name"] for i in archived["items"]] == ["Archivable"]
    assert clients.client_counts(session, technician)["archived"] == 1
    clients.set_client_archived(session, technician, client.id, False)
    session.commit()
    assert clients.list_clients(session, technician)["total"] == 1


def test_client_with_history_is_archived_not_deleted(session, technician):
    with_piano = add(session, technician, "Con piano")
    session.add(Piano(technician_id=technician.id, client_id=with_piano.id, brand="Yamaha"))
    session.commit()
    without = add(session, technician, "Sin historial")
    assert clients.remove_client(session, technician, with_piano.id) == "archived"
    assert clients.remove_client(session, technician, without.id) == "deleted"
    session.commit()
    assert session.get(Client, with_piano.id).archived is True
    assert session.get(Client, without.id) is None


def test_other_technicians_clients_do_not_exist(session, technician, other_technician):
    mine = add(session, technician, "Mío")
    with pytest.raises(NotFound):
        clients.get_client(session, other_technician, mine.id)
    with pytest.raises(NotFound):
        clients.update_client(session, other_technician, mine.id, ClientInput(name="Robado"))
    assert clients.list_clients(session, other_technician)["total"] == 0


def test_every_write_is_seen_by_the_next_read(session, technician):
    """Reads are cached; writes invalidate on commit (never a stale read)."""
    client = add(session, technician, "Antes")
    assert clients.list_clients(session, technician)["items"][0]["name"] == "Antes"
    clients.get_client(session, technician, client.id)
    clients.update_client(session, technician, client.id, ClientInput(name="Después"))
    # Not committed yet: the cached value still stands (the write may roll back).
    session.rollback()
    assert clients.get_client(session, technician, client.id)["name"] == "Antes"
    clients.update_client(session, technician, client.id, ClientInput(name="Después"))
    session.commit()
    assert clients.list_clients(session, technician)["items"][0]["name"] == "Después"
    assert clients.get_client(session, technician, client.id)["name"] == "Después"
