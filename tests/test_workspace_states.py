"""Workspace page states (clients, pianos, services, dashboard) called directly.

As in ``test_auth_state.py``: a state is made with ``_reflex_internal_init``,
its router URL set by hand, a session token issued for a technician, and
each handler's ``.fn`` called against a real database (SQLite and MariaDB,
through ``configured_app_settings``) and a fresh in-memory cache per test.
Bad input must give a field message in the user's language and write nothing.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from urllib.parse import quote

import pytest
from sqlmodel import Session, select

from piano_emotion.domain import alerts, clients, pianos, services
from piano_emotion.domain import inventory as inventory_domain
from piano_emotion.domain.alerts import local_today
from piano_emotion.domain.clients import ClientInput
from piano_emotion.domain.errors import NotFound
from piano_emotion.domain.inventory import ItemInput
from piano_emotion.domain.pianos import PianoInput
from piano_emotion.domain.services import DEFAULT_TASKS, ServiceInput
from piano_emotion.formatting import format_money
from piano_emotion.models import Client, InventoryItem, Piano, Service, ServiceTask, User
from piano_emotion.models.enums import PianoType, ServiceStatus, ServiceType
from piano_emotion.ui.state.auth import NotSignedIn
from piano_emotion.ui.state.clients import ClientDetailState, ClientsState
from piano_emotion.ui.state.home import HomeState
from piano_emotion.ui.state.pianos import PianoDetailState, PianosState
from piano_emotion.ui.state.services import ServiceDetailState, ServicesState
from tests.conftest import run_async
from tests.ui_states import (
    count,
    fetch,
    handle,
    make_state,
    redirect_path,
    set_language,
    set_session,
    toasts,
)

pytestmark = pytest.mark.usefixtures("configured_app_settings")


# -- fixtures and helpers ---------------------------------------------------------


def add_client(engine, user: User, name: str, **extra) -> Client:
    with Session(engine, expire_on_commit=False) as session:
        client = clients.create_client(session, user, ClientInput(name=name, **extra))
        session.commit()
    return client


def add_piano(engine, user: User, client: Client, brand: str = "Yamaha", **extra) -> Piano:
    with Session(engine, expire_on_commit=False) as session:
        piano = pianos.create_piano(
            session, user, PianoInput(client_id=client.id, brand=brand, **extra)
        )
        session.commit()
    return piano


def add_service(engine, user: User, piano: Piano, **extra) -> Service:
    extra.setdefault("service_type", "maintenance_basic")
    extra.setdefault("service_date", local_today())
    with Session(engine, expire_on_commit=False) as session:
        service = services.create_service(session, user, ServiceInput(piano_id=piano.id, **extra))
        session.commit()
    return service


def backdate_piano(engine, piano: Piano, days: int) -> None:
    """The piano was added ``days`` days ago (so it is due for a tuning)."""
    moment = datetime.combine(local_today() - timedelta(days=days), time(12), tzinfo=UTC)
    with Session(engine) as session:
        row = session.get(Piano, piano.id)
        row.created_at = row.updated_at = moment
        session.add(row)
        session.commit()


VALID_CLIENT = {
    "name": "María García",
    "client_type": "particular",
    "email": "Maria@Example.ES",
    "phone": "612 345 678",
    "city": "Sevilla",
    "postal_code": "41001",
}


# -- ClientsState --------------------------------------------------------------------


def test_save_client_with_an_empty_name_keeps_the_editor_open(engine, signed_in):
    state = signed_in(ClientsState, "/clientes")
    ClientsState.open_new.fn(state)

    result = ClientsState.save.fn(state, {**VALID_CLIENT, "name": "  "})

    assert result is None
    assert state.form_errors == {"name": "El nombre es obligatorio."}
    assert state.editor_open
    assert state.form["email"] == "Maria@Example.ES"  # what was typed stays in the form
    assert count(engine, Client) == 0


def test_save_client_with_an_invalid_email(engine, signed_in):
    state = signed_in(ClientsState, "/clientes")
    ClientsState.open_new.fn(state)

    assert ClientsState.save.fn(state, {**VALID_CLIENT, "email": "maria-at-example"}) is None

    assert state.form_errors == {"email": "El email no es válido."}
    assert state.editor_open
    assert count(engine, Client) == 0


def test_client_field_messages_follow_the_language(engine, signed_in):
    state = signed_in(ClientsState, "/clientes")
    set_language(state, "en")
    ClientsState.open_new.fn(state)

    ClientsState.save.fn(state, {**VALID_CLIENT, "name": "", "email": "maria@"})

    assert state.form_errors == {
        "name": "The name is required.",
        "email": "The email is not valid.",
    }
    assert count(engine, Client) == 0


def test_save_a_valid_client(engine, signed_in, technician):
    state = signed_in(ClientsState, "/clientes")
    handle(ClientsState.load)(state)
    ClientsState.open_new.fn(state)

    result = ClientsState.save.fn(state, VALID_CLIENT)

    with Session(engine) as session:
        [client] = session.exec(select(Client)).all()
    assert (client.technician_id, client.name, client.email) == (
        technician.id,
        "María García",
        "maria@example.es",
    )
    assert toasts(result) == [("success", "Cliente guardado")]
    assert redirect_path(result) == f"/clientes/{client.id}"
    assert not state.editor_open
    assert state.form_errors == {}
    assert [item["name"] for item in state.items] == ["María García"]  # list refreshed
    assert state.counts["active"] == 1


def test_edit_a_client_saves_without_redirect(engine, signed_in, technician):
    client = add_client(engine, technician, "María García", city="Sevilla")
    state = signed_in(ClientsState, "/clientes")
    handle(ClientsState.load)(state)

    ClientsState.open_edit.fn(state, client.id)
    assert state.editing_id == client.id
    assert state.form["name"] == "María García"
    assert state.form["city"] == "Sevilla"
    assert state.editor_open

    result = ClientsState.save.fn(state, {**state.form, "name": "María García Ruiz"})

    assert toasts(result) == [("success", "Cliente guardado")]
    with pytest.raises(AssertionError):
        redirect_path(result)
    assert fetch(engine, Client, client.id).name == "María García Ruiz"
    assert [item["name"] for item in state.items] == ["María García Ruiz"]
    assert count(engine, Client) == 1


def test_search_ignores_accents_and_case(signed_in, engine, technician):
    add_client(engine, technician, "María García", city="Sevilla")
    add_client(engine, technician, "Pedro López", city="Madrid")
    state = signed_in(ClientsState, "/clientes")
    handle(ClientsState.load)(state)
    assert state.total == 2

    ClientsState.set_search.fn(state, "garcia")
    assert [item["name"] for item in state.items] == ["María García"]
    assert state.total == 1

    ClientsState.set_search.fn(state, "LÓPEZ")
    assert [item["name"] for item in state.items] == ["Pedro López"]

    ClientsState.set_search.fn(state, "nadie")
    assert (state.items, state.total) == ([], 0)


def test_filters_and_pages(signed_in, engine, technician):
    for n in range(27):
        add_client(engine, technician, f"Cliente {n:02d}", city="Madrid")
    for n in range(3):
        add_client(
            engine,
            technician,
            f"Conservatorio {n}",
            city="Sevilla",
            client_type="conservatory",
            route_group="Ruta sur",
        )
    state = signed_in(ClientsState, "/clientes")
    handle(ClientsState.load)(state)

    assert (state.total, state.page, state.pages, len(state.items)) == (30, 1, 2, 25)
    assert state.cities == ["Madrid", "Sevilla"]
    assert state.route_groups == ["Ruta sur"]
    assert state.counts == {"active": 30, "archived": 0, "all": 30}

    ClientsState.prev_page.fn(state)  # already on the first page
    assert state.page == 1
    ClientsState.next_page.fn(state)
    assert (state.page, len(state.items)) == (2, 5)
    ClientsState.next_page.fn(state)  # already on the last page
    assert (state.page, len(state.items)) == (2, 5)
    ClientsState.prev_page.fn(state)
    assert (state.page, len(state.items)) == (1, 25)

    ClientsState.next_page.fn(state)
    ClientsState.set_filter.fn(state, "city", "Sevilla")  # a filter goes back to page 1
    assert (state.page, state.pages, state.total) == (1, 1, 3)
    assert {item["name"] for item in state.items} == {f"Conservatorio {n}" for n in range(3)}

    ClientsState.set_filter.fn(state, "city", "__all__")
    assert state.city == ""
    ClientsState.set_filter.fn(state, "client_type", "conservatory")
    assert state.total == 3
    ClientsState.set_filter.fn(state, "route_group", "Ruta sur")
    assert state.total == 3
    ClientsState.set_filter.fn(state, "sort", "-name")
    assert [item["name"] for item in state.items] == [
        "Conservatorio 2",
        "Conservatorio 1",
        "Conservatorio 0",
    ]

    # An unknown filter name is ignored.
    ClientsState.set_filter.fn(state, "items", "1")
    assert state.total == 3 and len(state.items) == 3

    ClientsState.set_search.fn(state, "conservatorio 1")
    assert state.total == 1
    ClientsState.clear_filters.fn(state)
    assert (state.search, state.client_type, state.city, state.route_group) == ("", "", "", "")
    assert (state.archived, state.sort, state.page, state.total) == ("active", "name", 1, 30)


def test_archive_and_restore_a_client(signed_in, engine, technician):
    kept = add_client(engine, technician, "Ana Ruiz")
    archived = add_client(engine, technician, "Berta Sanz")
    state = signed_in(ClientsState, "/clientes")
    handle(ClientsState.load)(state)

    result = ClientsState.archive.fn(state, archived.id, True)

    assert toasts(result) == [("success", "Cliente archivado")]
    assert fetch(engine, Client, archived.id).archived
    assert [item["id"] for item in state.items] == [kept.id]
    assert state.counts == {"active": 1, "archived": 1, "all": 2}
    ClientsState.set_filter.fn(state, "archived", "archived")
    assert [item["id"] for item in state.items] == [archived.id]

    result = ClientsState.archive.fn(state, archived.id, False)
    assert toasts(result) == [("success", "Cliente restaurado")]
    assert not fetch(engine, Client, archived.id).archived
    assert state.items == []
    ClientsState.set_filter.fn(state, "archived", "active")
    assert {item["id"] for item in state.items} == {kept.id, archived.id}


def test_another_technicians_client_cannot_be_opened_edited_or_archived(
    signed_in, engine, other_technician
):
    foreign = add_client(engine, other_technician, "Cliente Ajeno", city="Bilbao")
    state = signed_in(ClientsState, "/clientes")
    handle(ClientsState.load)(state)

    with pytest.raises(NotFound):
        ClientsState.open_edit.fn(state, foreign.id)
    assert (state.editing_id, state.form, state.editor_open) == (0, {}, False)

    # A forged editing id is refused as well.
    state.editing_id = foreign.id
    with pytest.raises(NotFound):
        ClientsState.save.fn(state, {**VALID_CLIENT, "name": "Robado"})
    with pytest.raises(NotFound):
        ClientsState.archive.fn(state, foreign.id, True)

    stored = fetch(engine, Client, foreign.id)
    assert (stored.name, stored.city, stored.archived) == ("Cliente Ajeno", "Bilbao", False)
    assert count(engine, Client) == 1
    assert state.items == [] and state.cities == []


# -- ClientDetailState ---------------------------------------------------------------


def test_client_detail_loads_the_client_their_pianos_and_services(signed_in, engine, technician):
    client = add_client(
        engine, technician, "María García", phone="612 345 678", email="maria@example.es"
    )
    piano = add_piano(engine, technician, client, brand="Yamaha", model="U1")
    service = add_service(engine, technician, piano, service_type="tuning", cost="80")
    state = signed_in(ClientDetailState, f"/clientes/{client.id}")

    handle(ClientDetailState.load_detail)(state)

    assert not state.not_found
    assert state.client["id"] == str(client.id)
    assert state.client["name"] == "María García"
    assert state.client["tel"].startswith("tel:")
    assert state.client["mailto"] == "mailto:maria@example.es"
    assert state.client["whatsapp"].startswith("https://")
    assert [(p["id"], p["brand"], p["model"]) for p in state.pianos] == [(piano.id, "Yamaha", "U1")]
    assert [(s["id"], s["piano"], s["service_type"]) for s in state.services] == [
        (service.id, "Yamaha U1", "tuning")
    ]
    assert state.services[0]["cost"] == format_money(Decimal("80"), "es")


@pytest.mark.parametrize("ref", ["foreign", "abc", "0", "999999"])
def test_client_detail_of_a_foreign_or_bad_id_is_not_found(
    signed_in, engine, technician, other_technician, ref
):
    own = add_client(engine, technician, "Propio")
    foreign = add_client(engine, other_technician, "Ajeno")
    ref = str(foreign.id) if ref == "foreign" else ref
    state = signed_in(ClientDetailState, f"/clientes/{own.id}")
    handle(ClientDetailState.load_detail)(state)
    assert state.client["name"] == "Propio"
    assert not state.not_found

    # The same state at another address: the id is read from the URL at each event.
    state.router = make_state(ClientDetailState, f"/clientes/{ref}").router
    handle(ClientDetailState.load_detail)(state)

    assert state.not_found
    assert (state.client, state.pianos, state.services) == ({}, [], [])


def test_removing_a_client_with_a_piano_archives_it(signed_in, engine, technician):
    client = add_client(engine, technician, "María García")
    add_piano(engine, technician, client)
    state = signed_in(ClientDetailState, f"/clientes/{client.id}")
    handle(ClientDetailState.load_detail)(state)

    result = ClientDetailState.remove.fn(state)

    assert toasts(result) == [
        ("info", "El cliente tiene historial: se ha archivado en lugar de eliminarlo.")
    ]
    assert fetch(engine, Client, client.id).archived
    assert state.client["archived"] == "True"
    assert len(state.pianos) == 1


def test_removing_a_client_without_history_deletes_it(signed_in, engine, technician):
    client = add_client(engine, technician, "Sin Historial")
    state = signed_in(ClientDetailState, f"/clientes/{client.id}")
    handle(ClientDetailState.load_detail)(state)

    result = ClientDetailState.remove.fn(state)

    assert ("success", "Cliente eliminado") in toasts(result)
    assert redirect_path(result) == "/clientes"
    assert count(engine, Client) == 0


def test_client_detail_editor_saves_and_reloads(signed_in, engine, technician):
    client = add_client(engine, technician, "María García")
    state = signed_in(ClientDetailState, f"/clientes/{client.id}")
    handle(ClientDetailState.load_detail)(state)
    ClientDetailState.open_edit.fn(state, client.id)

    ClientDetailState.save_detail.fn(state, {**state.form, "email": "mal"})
    assert state.form_errors == {"email": "El email no es válido."}
    assert state.editor_open
    assert fetch(engine, Client, client.id).email == ""

    ClientDetailState.save_detail.fn(state, {**state.form, "email": "maria@example.es"})
    assert not state.editor_open
    assert state.client["email"] == "maria@example.es"


# -- PianosState ----------------------------------------------------------------------

PIANO_FORM = {
    "brand": "Yamaha",
    "model": "U3",
    "serial_number": "H-5123",
    "year": "1985",
    "category": "vertical",
    "piano_type": "auto",
    "size_cm": "131",
    "condition": "good",
    "interval": "default",
}


def test_save_piano_without_a_client(signed_in, engine):
    state = signed_in(PianosState, "/pianos")
    PianosState.open_new.fn(state)

    assert PianosState.save.fn(state, PIANO_FORM) is None

    assert state.form_errors == {"client_id": "Elige un cliente."}
    assert state.editor_open
    assert count(engine, Piano) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("brand", "", "La marca es obligatoria."),
        ("year", "1500", "Año no válido."),
        ("year", "dos mil", "Año no válido."),
        ("size_cm", "1000", "Medida no válida (entre 30 y 400 cm, sin decimales)."),
    ],
)
def test_save_piano_with_bad_fields(signed_in, engine, technician, field, value, message):
    client = add_client(engine, technician, "María García")
    state = signed_in(PianosState, "/pianos")
    PianosState.open_new.fn(state)
    PianosState.pick_client.fn(state, client.id, client.name)

    assert PianosState.save.fn(state, {**PIANO_FORM, field: value}) is None

    assert state.form_errors == {field: message}
    assert state.form[field] == value
    assert state.editor_open
    assert count(engine, Piano) == 0


def test_save_a_valid_piano_derives_its_type_from_the_size(signed_in, engine, technician):
    client = add_client(engine, technician, "María García")
    state = signed_in(PianosState, "/pianos")
    handle(PianosState.load)(state)
    PianosState.open_new.fn(state)
    PianosState.search_clients.fn(state, "garcia")
    [option] = state.picker_options
    PianosState.pick_client.fn(state, option["id"], option["name"])
    assert (state.picked_client_id, state.picked_client_name) == (client.id, "María García")
    assert (state.picker_options, state.picker_query) == ([], "")

    result = PianosState.save.fn(state, PIANO_FORM)

    with Session(engine) as session:
        [piano] = session.exec(select(Piano)).all()
    assert (piano.client_id, piano.brand, piano.year, piano.size_cm) == (
        client.id,
        "Yamaha",
        1985,
        131,
    )
    assert piano.piano_type == PianoType.UPRIGHT_PROFESSIONAL
    assert piano.service_interval_months is None
    assert toasts(result) == [("success", "Piano guardado")]
    assert redirect_path(result) == f"/pianos/{piano.id}"
    assert not state.editor_open
    # The list is not reloaded for a page the browser leaves; opened again, it shows it.
    assert state.items == []
    handle(PianosState.load)(state)
    assert [item["id"] for item in state.items] == [piano.id]


def test_save_piano_for_a_forged_foreign_client_is_refused(
    signed_in, engine, technician, other_technician
):
    foreign = add_client(engine, other_technician, "Cliente Ajeno")
    state = signed_in(PianosState, "/pianos")
    PianosState.open_new.fn(state)
    PianosState.pick_client.fn(state, foreign.id, "Cliente Ajeno")

    assert PianosState.save.fn(state, PIANO_FORM) is None

    assert state.form_errors == {"client_id": "Elige un cliente."}
    assert count(engine, Piano) == 0


def test_client_picker_only_offers_the_technicians_own_clients(
    signed_in, engine, technician, other_technician
):
    own = add_client(engine, technician, "María García", city="Sevilla")
    add_client(engine, other_technician, "Marta García", city="Bilbao")
    state = signed_in(PianosState, "/pianos")

    PianosState.search_clients.fn(state, "garcía")
    assert state.picker_options == [{"id": own.id, "name": "María García", "detail": "Sevilla"}]

    PianosState.search_clients.fn(state, "marta")
    assert state.picker_options == []

    PianosState.search_clients.fn(state, "   ")
    assert state.picker_options == []


def test_edit_a_piano_keeps_its_owner(signed_in, engine, technician):
    client = add_client(engine, technician, "María García")
    piano = add_piano(engine, technician, client, model="U1", size_cm="121")
    state = signed_in(PianosState, "/pianos")
    PianosState.open_edit.fn(state, piano.id)
    assert state.picked_client_id == client.id
    assert state.form["interval"] == "default"

    result = PianosState.save.fn(state, {**state.form, "model": "U3", "interval": "6"})

    assert toasts(result) == [("success", "Piano guardado")]
    with pytest.raises(AssertionError):
        redirect_path(result)
    stored = fetch(engine, Piano, piano.id)
    assert (stored.model, stored.client_id, stored.service_interval_months) == ("U3", client.id, 6)
    assert stored.piano_type == PianoType.UPRIGHT_PROFESSIONAL


def test_a_type_derived_from_the_size_follows_the_size_when_edited(signed_in, engine, technician):
    client = add_client(engine, technician, "María García")
    derived = add_piano(engine, technician, client, model="U1", size_cm="131")
    chosen = add_piano(engine, technician, client, model="B3", size_cm="131", piano_type="studio")
    state = signed_in(PianosState, "/pianos")

    # Derived from the size: the editor offers "auto", so a corrected size
    # (or category) gives the matching type.
    PianosState.open_edit.fn(state, derived.id)
    assert state.form["piano_type"] == "auto"
    PianosState.save.fn(state, {**state.form, "size_cm": "105"})
    assert state.form_errors == {}
    assert fetch(engine, Piano, derived.id).piano_type == PianoType.CONSOLE
    PianosState.open_edit.fn(state, derived.id)
    PianosState.save.fn(state, {**state.form, "category": "grand", "size_cm": "190"})
    assert state.form_errors == {}
    assert fetch(engine, Piano, derived.id).piano_type == PianoType.PARLOR_GRAND

    # Chosen by hand: the choice is kept.
    PianosState.open_edit.fn(state, chosen.id)
    assert state.form["piano_type"] == "studio"
    PianosState.save.fn(state, {**state.form, "size_cm": "105"})
    assert fetch(engine, Piano, chosen.id).piano_type == PianoType.STUDIO


# -- PianoDetailState ------------------------------------------------------------------


def test_piano_detail_loads_the_piano(signed_in, engine, technician):
    client = add_client(engine, technician, "María García")
    piano = add_piano(engine, technician, client, model="U1", serial_number="H-5123")
    add_service(engine, technician, piano, humidity_pct="45", temperature_c="21,5")
    state = signed_in(PianoDetailState, f"/pianos/{piano.id}")

    handle(PianoDetailState.load_detail)(state)

    assert not state.not_found
    assert state.piano["name"] == "Yamaha U1"
    assert state.piano["serial_number"] == "H-5123"
    assert state.owner["name"] == "María García"
    assert len(state.services) == 1
    assert state.services[0]["humidity"] == "45 %"
    assert state.services[0]["temperature"] == "21,5 °C"
    assert [(r["humidity"], r["temperature"]) for r in state.readings] == [(45.0, 21.5)]


@pytest.mark.parametrize("ref", ["foreign", "abc"])
def test_piano_detail_of_a_foreign_or_bad_id_is_not_found(signed_in, engine, other_technician, ref):
    foreign = add_piano(engine, other_technician, add_client(engine, other_technician, "Ajeno"))
    ref = str(foreign.id) if ref == "foreign" else ref
    state = signed_in(PianoDetailState, f"/pianos/{ref}")

    handle(PianoDetailState.load_detail)(state)

    assert state.not_found
    assert state.piano == {}


def test_move_a_piano_to_another_client_keeps_its_services(signed_in, engine, technician):
    first = add_client(engine, technician, "María García")
    second = add_client(engine, technician, "Pedro López")
    piano = add_piano(engine, technician, first, model="U1")
    service = add_service(engine, technician, piano, service_type="tuning")
    state = signed_in(PianoDetailState, f"/pianos/{piano.id}")
    handle(PianoDetailState.load_detail)(state)

    PianoDetailState.open_move.fn(state)
    assert state.move_open
    PianoDetailState.search_clients.fn(state, "lopez")
    [option] = state.picker_options
    PianoDetailState.pick_client.fn(state, option["id"], option["name"])
    result = PianoDetailState.confirm_move.fn(state)

    assert toasts(result) == [("success", "Piano cambiado de propietario")]
    assert not state.move_open
    assert fetch(engine, Piano, piano.id).client_id == second.id
    assert state.owner["id"] == str(second.id)
    assert state.owner["name"] == "Pedro López"
    # The history stays with the piano, done for the client it was done for.
    assert [s["id"] for s in state.services] == [service.id]
    assert state.services[0]["client_name"] == "María García"
    stored = fetch(engine, Service, service.id)
    assert (stored.piano_id, stored.client_id) == (piano.id, first.id)


def test_confirm_move_without_a_picked_client(signed_in, engine, technician, other_technician):
    client = add_client(engine, technician, "María García")
    foreign = add_client(engine, other_technician, "Cliente Ajeno")
    piano = add_piano(engine, technician, client)
    state = signed_in(PianoDetailState, f"/pianos/{piano.id}")
    handle(PianoDetailState.load_detail)(state)
    PianoDetailState.open_move.fn(state)

    assert PianoDetailState.confirm_move.fn(state) is None
    assert state.form_errors == {"client_id": "Elige un cliente."}
    assert state.move_open

    # A forged pick of another technician's client is refused the same way.
    PianoDetailState.pick_client.fn(state, foreign.id, "Cliente Ajeno")
    assert PianoDetailState.confirm_move.fn(state) is None
    assert state.form_errors == {"client_id": "Elige un cliente."}
    assert fetch(engine, Piano, piano.id).client_id == client.id


def test_piano_alert_actions(signed_in, engine, technician):
    piano = add_piano(engine, technician, add_client(engine, technician, "María García"))
    backdate_piano(engine, piano, 200)
    state = signed_in(PianoDetailState, f"/pianos/{piano.id}")
    handle(PianoDetailState.load_detail)(state)
    [alert] = state.piano_alerts
    assert (alert["kind"], alert["level"], alert["status"]) == ("tuning", "pending", "open")

    PianoDetailState.alert_action.fn(state, alert["id"], "acknowledge")
    assert [a["status"] for a in state.piano_alerts] == ["acknowledged"]
    assert PianoDetailState.alert_action.fn(state, alert["id"], "explode") is None
    assert [a["status"] for a in state.piano_alerts] == ["acknowledged"]

    # Meanwhile, on another device, the tuning is recorded: the alert is resolved.
    service = add_service(engine, technician, piano, service_type="tuning")
    result = PianoDetailState.alert_action.fn(state, alert["id"], "dismiss")

    assert toasts(result) == [("error", "Esta alerta ya está resuelta.")]
    assert state.piano_alerts == []  # the page shows what is true now
    with Session(engine, expire_on_commit=False) as session:
        [resolved] = alerts.list_alerts(session, technician, "resolved", piano_id=piano.id)
        session.commit()
    assert (resolved["status"], resolved["resolved_by_service_id"]) == ("resolved", service.id)


# -- ServicesState ----------------------------------------------------------------------


def service_form(**overrides) -> dict:
    form = {
        "service_type": "tuning",
        "status": "completed",
        "service_date": local_today().isoformat(),
        "cost": "85,50",
        "duration_minutes": "60",
        "humidity_pct": "45",
        "temperature_c": "21",
        "notes": "",
        "technician_notes": "",
    }
    form.update(overrides)
    return form


@pytest.mark.parametrize(
    ("overrides", "pick", "errors"),
    [
        ({"humidity_pct": "150"}, True, {"humidity_pct": "La humedad debe estar entre 0 y 100 %."}),
        ({"cost": "-5"}, True, {"cost": "El importe no puede ser negativo."}),
        ({}, False, {"piano_id": "Elige un piano."}),
    ],
    ids=["humidity-above-100", "negative-cost", "no-piano"],
)
def test_save_service_with_bad_input_writes_nothing(
    signed_in, engine, technician, overrides, pick, errors
):
    piano = add_piano(engine, technician, add_client(engine, technician, "María García"))
    state = signed_in(ServicesState, "/servicios")
    ServicesState.open_new.fn(state)
    if pick:
        ServicesState.pick_piano.fn(state, piano.id, "Yamaha")

    assert ServicesState.save.fn(state, service_form(**overrides)) is None

    assert state.form_errors == errors
    assert state.editor_open
    assert count(engine, Service) == 0
    assert count(engine, ServiceTask) == 0


def test_save_service_for_a_forged_foreign_piano_is_refused(signed_in, engine, other_technician):
    foreign = add_piano(engine, other_technician, add_client(engine, other_technician, "Ajeno"))
    state = signed_in(ServicesState, "/servicios")
    ServicesState.open_new.fn(state)
    ServicesState.pick_piano.fn(state, foreign.id, "Yamaha")

    assert ServicesState.save.fn(state, service_form()) is None

    assert state.form_errors == {"piano_id": "Elige un piano."}
    assert count(engine, Service) == 0


def test_save_a_valid_service(signed_in, engine, technician):
    client = add_client(engine, technician, "María García")
    piano = add_piano(engine, technician, client, model="U1")
    state = signed_in(ServicesState, "/servicios")
    handle(ServicesState.load)(state)
    ServicesState.open_new_for_piano.fn(state, piano.id)
    assert state.picked_piano_id == piano.id
    assert state.picked_piano_name == "Yamaha U1 · María García"

    result = ServicesState.save.fn(state, service_form())

    with Session(engine) as session:
        [service] = session.exec(select(Service)).all()
        labels = session.exec(
            select(ServiceTask.label).where(ServiceTask.service_id == service.id)
        ).all()
    assert (service.piano_id, service.client_id) == (piano.id, client.id)
    assert (service.cost, service.humidity_pct) == (Decimal("85.50"), Decimal("45"))
    assert service.service_type == ServiceType.TUNING
    assert sorted(labels) == sorted(DEFAULT_TASKS[ServiceType.TUNING])
    assert toasts(result) == [("success", "Servicio guardado")]
    assert redirect_path(result) == f"/servicios/{service.id}"
    assert not state.editor_open
    # The list is not reloaded for a page the browser leaves; opened again, it shows it.
    assert state.items == []
    handle(ServicesState.load)(state)
    assert [item["id"] for item in state.items] == [service.id]


def test_piano_picker_finds_by_serial_number(signed_in, engine, technician, other_technician):
    client = add_client(engine, technician, "María García")
    wanted = add_piano(engine, technician, client, model="U1", serial_number="H-5123")
    add_piano(engine, technician, client, brand="Kawai", serial_number="K-777")
    other_client = add_client(engine, other_technician, "Ajeno")
    add_piano(engine, other_technician, other_client, serial_number="X-5123")
    state = signed_in(ServicesState, "/servicios")

    ServicesState.search_pianos.fn(state, "5123")

    assert state.piano_options == [
        {"id": wanted.id, "name": "Yamaha U1", "detail": "María García · H-5123"}
    ]
    ServicesState.search_pianos.fn(state, "")
    assert state.piano_options == []


# -- ServiceDetailState -------------------------------------------------------------------


def test_service_checklist(signed_in, engine, technician):
    piano = add_piano(engine, technician, add_client(engine, technician, "María García"))
    service = add_service(engine, technician, piano, service_type="tuning")
    state = signed_in(ServiceDetailState, f"/servicios/{service.id}")
    handle(ServiceDetailState.load_detail)(state)
    assert not state.not_found
    defaults = len(DEFAULT_TASKS[ServiceType.TUNING])
    assert (len(state.tasks), state.tasks_done) == (defaults, 0)
    # Default items are shown in the user's language, not as keys.
    assert not any(task["label"].startswith("task.") for task in state.tasks)

    first = state.tasks[0]["id"]
    ServiceDetailState.toggle_task.fn(state, first, True)
    assert state.tasks_done == 1
    assert state.tasks[0]["done"]
    assert fetch(engine, ServiceTask, first).done

    ServiceDetailState.set_new_task.fn(state, "   ")
    assert ServiceDetailState.add_task.fn(state) is None
    assert len(state.tasks) == defaults
    assert count(engine, ServiceTask, service_id=service.id) == defaults

    ServiceDetailState.set_new_task.fn(state, "  Cambiar fieltros  ")
    ServiceDetailState.add_task.fn(state)
    assert state.new_task == ""
    assert state.tasks[-1]["label"] == "Cambiar fieltros"
    assert count(engine, ServiceTask, service_id=service.id) == defaults + 1

    added = state.tasks[-1]["id"]
    ServiceDetailState.remove_task.fn(state, added)
    ServiceDetailState.remove_task.fn(state, first)
    assert len(state.tasks) == defaults - 1
    assert state.tasks_done == 0
    assert count(engine, ServiceTask, service_id=service.id) == defaults - 1


def test_another_technicians_checklist_cannot_be_touched(
    signed_in, engine, technician, other_technician
):
    foreign_piano = add_piano(engine, other_technician, add_client(engine, other_technician, "X"))
    foreign = add_service(engine, other_technician, foreign_piano, service_type="tuning")
    with Session(engine) as session:
        task_id = session.exec(
            select(ServiceTask.id).where(ServiceTask.service_id == foreign.id)
        ).first()
    state = signed_in(ServiceDetailState, f"/servicios/{foreign.id}")
    handle(ServiceDetailState.load_detail)(state)
    assert state.not_found

    with pytest.raises(NotFound):
        ServiceDetailState.toggle_task.fn(state, task_id, True)
    with pytest.raises(NotFound):
        ServiceDetailState.remove_task.fn(state, task_id)
    ServiceDetailState.set_new_task.fn(state, "Intruso")
    with pytest.raises(NotFound):
        ServiceDetailState.add_task.fn(state)
    with pytest.raises(NotFound):
        ServiceDetailState.set_status.fn(state, "cancelled")

    assert not fetch(engine, ServiceTask, task_id).done
    defaults = len(DEFAULT_TASKS[ServiceType.TUNING])
    assert count(engine, ServiceTask, service_id=foreign.id) == defaults
    assert fetch(engine, Service, foreign.id).status == ServiceStatus.COMPLETED


def test_completing_a_tuning_resolves_the_tuning_alert(signed_in, engine, technician):
    piano = add_piano(engine, technician, add_client(engine, technician, "María García"))
    backdate_piano(engine, piano, 200)  # never tuned, added 200 days ago: tuning pending
    service = add_service(engine, technician, piano, service_type="tuning", status="pending")
    with Session(engine, expire_on_commit=False) as session:
        active = alerts.list_alerts(session, technician, "active", piano_id=piano.id)
        session.commit()
    assert [(a["kind"], a["level"]) for a in active] == [("tuning", "pending")]
    state = signed_in(ServiceDetailState, f"/servicios/{service.id}")
    handle(ServiceDetailState.load_detail)(state)

    result = ServiceDetailState.set_status.fn(state, "completed")

    assert toasts(result) == [("success", "Servicio guardado")]
    assert state.service["status"] == "completed"
    assert fetch(engine, Service, service.id).status == ServiceStatus.COMPLETED
    with Session(engine, expire_on_commit=False) as session:
        active = alerts.list_alerts(session, technician, "active", piano_id=piano.id)
        resolved = alerts.list_alerts(session, technician, "resolved", piano_id=piano.id)
        session.commit()
    assert active == []
    assert [(a["kind"], a["resolved_by_service_id"]) for a in resolved] == [("tuning", service.id)]


def test_set_status_to_an_unknown_value_changes_nothing(signed_in, engine, technician):
    piano = add_piano(engine, technician, add_client(engine, technician, "María García"))
    service = add_service(engine, technician, piano, status="pending")
    state = signed_in(ServiceDetailState, f"/servicios/{service.id}")
    handle(ServiceDetailState.load_detail)(state)

    result = ServiceDetailState.set_status.fn(state, "finished")

    assert [level for level, _ in toasts(result)] == ["error"]
    assert fetch(engine, Service, service.id).status == ServiceStatus.PENDING
    assert state.service["status"] == "pending"


# -- HomeState ---------------------------------------------------------------------------


def test_home_load_fills_the_current_month(signed_in, engine, technician):
    maria = add_client(engine, technician, "María García")
    add_client(engine, technician, "Pedro López")
    piano = add_piano(engine, technician, maria, model="U1")
    add_service(engine, technician, piano, service_type="tuning", cost="90")
    add_service(engine, technician, piano, status="pending")  # not done
    state = signed_in(HomeState, "/")

    run_async(HomeState.load.fn(state))

    today = local_today()
    assert (state.year, state.month) == (today.year, today.month)
    assert state.loaded
    assert state.services_done == 1
    assert (state.new_clients, state.new_pianos) == (2, 1)
    assert state.revenue == format_money(Decimal("0"), "es")  # paid invoices only
    assert len(state.series) == 6
    assert state.series[-1]["services"] == 1
    assert re.fullmatch(rf"\w+ {today.year}", state.month_title)


def test_home_month_picker_never_goes_to_the_future(signed_in, engine, technician):
    add_client(engine, technician, "María García")
    state = signed_in(HomeState, "/")
    run_async(HomeState.load.fn(state))
    today = local_today()
    current = (state.year, state.month, state.month_title)

    HomeState.shift_month.fn(state, 1)
    assert (state.year, state.month, state.month_title) == current

    HomeState.shift_month.fn(state, -1)
    expected = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    assert (state.year, state.month) == expected
    assert state.month_title != current[2]
    assert state.new_clients == 0  # created this month, not last month

    HomeState.shift_month.fn(state, 1)
    assert (state.year, state.month, state.new_clients) == (today.year, today.month, 1)

    # Across a year boundary.
    state.year, state.month = 2025, 1
    HomeState.shift_month.fn(state, -1)
    assert (state.year, state.month) == (2024, 12)
    HomeState.shift_month.fn(state, 1)
    assert (state.year, state.month) == (2025, 1)

    HomeState.this_month.fn(state)
    assert (state.year, state.month) == (today.year, today.month)


def test_home_feed_speaks_spanish_and_english(signed_in, engine, technician):
    client = add_client(engine, technician, "María García")
    piano = add_piano(engine, technician, client, model="U1", condition="needs_repair")
    state = signed_in(HomeState, "/")

    run_async(HomeState.load.fn(state))

    texts = [item["text"] for item in state.feed]
    assert "Necesita reparación: Yamaha U1 (María García)" in texts
    [repair] = [item for item in state.feed if item["text"].startswith("Necesita")]
    assert (repair["severity"], repair["link"]) == ("urgent", f"/pianos/{piano.id}")
    assert not any(text.startswith("feed.") for text in texts)

    set_language(state, "en")
    HomeState.this_month.fn(state)
    assert "Needs repair: Yamaha U1 (María García)" in [item["text"] for item in state.feed]


def test_home_formats_an_unchanged_dashboard_once_and_a_changed_one_again(
    signed_in, engine, technician, monkeypatch
):
    from piano_emotion.ui.state import home

    client = add_client(engine, technician, "María García")
    add_piano(engine, technician, client, model="U1", condition="needs_repair")
    formatted = []
    real_feed_text = home.feed_text
    monkeypatch.setattr(
        home, "feed_text", lambda item, lang: formatted.append(lang) or real_feed_text(item, lang)
    )
    first, second = signed_in(HomeState, "/"), signed_in(HomeState, "/")
    # The first load is a miss whose alert sync then drops what it cached
    # (the day's first sync), the second a miss again, the third the first
    # hit: each of them formats what it got.
    for _ in range(3):
        run_async(HomeState.load.fn(first))
    shown = len(formatted)
    assert shown >= 1
    run_async(HomeState.load.fn(second))  # another tab, same cached dashboard
    assert len(formatted) == shown and second.feed == first.feed
    assert second.feed is not first.feed  # each state owns its list

    # A write that changes the feed: formatted anew, and shown.
    add_piano(engine, technician, client, brand="Steinway", model="B", condition="needs_repair")
    run_async(HomeState.load.fn(second))
    assert len(formatted) > shown
    assert any("Steinway B" in item["text"] for item in second.feed)
    # Another language is formatted on its own.
    set_language(first, "en")
    HomeState.this_month.fn(first)
    assert "en" in formatted and any("Needs repair" in item["text"] for item in first.feed)


# -- signed out ----------------------------------------------------------------------------


@pytest.fixture
def records(engine, technician):
    """One client, piano, service and task of ``technician``, and the row counts."""
    client = add_client(engine, technician, "María García")
    piano = add_piano(engine, technician, client)
    service = add_service(engine, technician, piano, service_type="tuning", status="pending")
    with Session(engine) as session:
        task_id = session.exec(
            select(ServiceTask.id).where(ServiceTask.service_id == service.id)
        ).first()
    return {"client": client.id, "piano": piano.id, "service": service.id, "task": task_id}


def snapshot(engine) -> tuple:
    with Session(engine) as session:
        return (
            tuple(
                (c.id, c.name, c.archived) for c in session.exec(select(Client).order_by(Client.id))
            ),
            tuple(
                (p.id, p.client_id, p.brand, p.archived)
                for p in session.exec(select(Piano).order_by(Piano.id))
            ),
            tuple((s.id, s.status) for s in session.exec(select(Service).order_by(Service.id))),
            tuple(
                (t.id, t.label, t.done)
                for t in session.exec(select(ServiceTask).order_by(ServiceTask.id))
            ),
        )


SIGNED_OUT_CALLS = [
    (ClientsState, "/clientes", "save", lambda r: (VALID_CLIENT,)),
    (ClientsState, "/clientes", "set_search", lambda r: ("garcia",)),
    (ClientsState, "/clientes", "set_filter", lambda r: ("city", "Sevilla")),
    (ClientsState, "/clientes", "clear_filters", lambda r: ()),
    (ClientsState, "/clientes", "archive", lambda r: (r["client"], True)),
    (ClientsState, "/clientes", "open_edit", lambda r: (r["client"],)),
    (ClientDetailState, "/clientes/{client}", "remove", lambda r: ()),
    (ClientDetailState, "/clientes/{client}", "set_archived", lambda r: (True,)),
    (ClientDetailState, "/clientes/{client}", "save_detail", lambda r: (VALID_CLIENT,)),
    (PianosState, "/pianos", "save", lambda r: (PIANO_FORM,)),
    (PianosState, "/pianos", "search_clients", lambda r: ("garcia",)),
    (PianosState, "/pianos", "open_new", lambda r: ()),
    (PianosState, "/pianos", "open_edit", lambda r: (r["piano"],)),
    (PianosState, "/pianos", "set_search", lambda r: ("yamaha",)),
    (PianosState, "/pianos", "set_filter", lambda r: ("category", "grand")),
    (PianoDetailState, "/pianos/{piano}", "confirm_move", lambda r: ()),
    (PianoDetailState, "/pianos/{piano}", "set_archived", lambda r: (True,)),
    (PianoDetailState, "/pianos/{piano}", "remove", lambda r: ()),
    (PianoDetailState, "/pianos/{piano}", "alert_action", lambda r: (1, "dismiss")),
    (ServicesState, "/servicios", "save", lambda r: (service_form(),)),
    (ServicesState, "/servicios", "search_pianos", lambda r: ("5123",)),
    (ServicesState, "/servicios", "open_new", lambda r: ()),
    (ServicesState, "/servicios", "open_new_for_piano", lambda r: (r["piano"],)),
    (ServicesState, "/servicios", "open_edit", lambda r: (r["service"],)),
    (ServicesState, "/servicios", "set_filter", lambda r: ("status", "completed")),
    (ServiceDetailState, "/servicios/{service}", "toggle_task", lambda r: (r["task"], True)),
    (ServiceDetailState, "/servicios/{service}", "add_task", lambda r: ()),
    (ServiceDetailState, "/servicios/{service}", "remove_task", lambda r: (r["task"],)),
    (ServiceDetailState, "/servicios/{service}", "set_status", lambda r: ("completed",)),
    (ServiceDetailState, "/servicios/{service}", "remove", lambda r: ()),
    (HomeState, "/", "shift_month", lambda r: (-1,)),
    (HomeState, "/", "this_month", lambda r: ()),
]


@pytest.mark.parametrize("token", ["none", "forged"])
@pytest.mark.parametrize(
    ("cls", "path", "handler", "args"),
    SIGNED_OUT_CALLS,
    ids=[f"{cls.__name__}.{name}" for cls, _, name, _ in SIGNED_OUT_CALLS],
)
def test_signed_out_handlers_raise_and_write_nothing(
    engine, records, cls, path, handler, args, token
):
    before = snapshot(engine)
    state = make_state(cls, path.format(**records))
    if token == "forged":
        set_session(state, "eyJhbGciOiJIUzI1NiJ9.e30.bm90LWEtc2lnbmF0dXJl")
    # What a page would hold after a load: ids of real records.
    if cls is PianoDetailState:
        state.piano = {"id": str(records["piano"])}
    if cls is ClientDetailState:
        state.client = {"id": str(records["client"])}
    if hasattr(state, "new_task"):
        state.new_task = "Intruso"
    if hasattr(state, "picked_client_id"):
        state.picked_client_id = records["client"]
    if hasattr(state, "picked_piano_id"):
        state.picked_piano_id = records["piano"]

    with pytest.raises(NotSignedIn):
        getattr(cls, handler).fn(state, *args(records))

    assert snapshot(engine) == before


@pytest.mark.parametrize(
    ("cls", "path", "handler"),
    [
        (ClientsState, "/clientes", "load"),
        (ClientDetailState, "/clientes/{client}", "load_detail"),
        (PianosState, "/pianos", "load"),
        (PianoDetailState, "/pianos/{piano}", "load_detail"),
        (ServicesState, "/servicios", "load"),
        (ServiceDetailState, "/servicios/{service}", "load_detail"),
    ],
)
def test_signed_out_loads_show_nothing(engine, records, cls, path, handler):
    # Each page's load (a ``@page_load``) checks the session first and
    # redirects; the page's own work does not run, so nothing is shown.
    before = snapshot(engine)
    state = make_state(cls, path.format(**records))

    result = handle(getattr(cls, handler))(state)

    assert redirect_path(result) == "/entrar?next=" + quote(path.format(**records), safe="")
    assert state.auth_checked and state.user_id == 0

    assert getattr(state, "loaded", False) is False
    for name in ("items", "client", "piano", "service", "pianos", "services", "tasks"):
        if hasattr(state, name):
            assert not getattr(state, name), name
    assert snapshot(engine) == before


def test_signed_out_home_load_shows_nothing(engine, records):
    state = make_state(HomeState, "/")
    assert redirect_path(run_async(HomeState.load.fn(state))) == "/entrar?next=%2F"
    assert (state.loaded, state.year, state.feed) == (False, 0, [])


def test_a_stale_session_is_signed_out(engine, records, technician, configured_app_settings):
    state = make_state(ClientsState, "/clientes", technician, configured_app_settings)
    handle(ClientsState.load)(state)
    assert state.total == 1
    with Session(engine) as session:
        user = session.get(User, technician.id)
        user.session_version += 1  # signed out everywhere (e.g. a password change)
        session.add(user)
        session.commit()
    before = snapshot(engine)

    with pytest.raises(NotSignedIn):
        ClientsState.archive.fn(state, records["client"], True)
    assert snapshot(engine) == before


# -- materials on the service page ------------------------------------------------------
def add_inventory_item(engine, user, name="Fieltro", quantity="5"):
    with Session(engine, expire_on_commit=False) as session:
        item = inventory_domain.create_item(
            session, user, ItemInput(name=name, quantity=quantity, min_stock="1", cost_per_unit="2")
        )
        session.commit()
    return item


def service_detail_state(signed_in, engine, technician):
    piano = add_piano(engine, technician, add_client(engine, technician, "María García"))
    service = add_service(engine, technician, piano)
    state = signed_in(ServiceDetailState, f"/servicios/{service.id}")
    handle(ServiceDetailState.load_detail)(state)
    return state


def test_a_material_takes_stock_and_removing_it_puts_it_back(signed_in, engine, technician):
    item = add_inventory_item(engine, technician)
    state = service_detail_state(signed_in, engine, technician)
    assert any(option["id"] == str(item.id) for option in state.item_options)
    ServiceDetailState.add_material.fn(state, {"item_id": str(item.id), "quantity": "2"})
    assert state.material_error == "" and state.stock_warning == ""
    assert [m["name"] for m in state.materials] == ["Fieltro"]
    assert fetch(engine, InventoryItem, item.id).quantity == Decimal("3")
    ServiceDetailState.remove_material.fn(state, item.id)
    assert state.materials == []
    assert fetch(engine, InventoryItem, item.id).quantity == Decimal("5")


def test_a_shortage_asks_first_and_can_be_confirmed(signed_in, engine, technician):
    item = add_inventory_item(engine, technician, quantity="1")
    state = service_detail_state(signed_in, engine, technician)
    ServiceDetailState.add_material.fn(state, {"item_id": str(item.id), "quantity": "3"})
    assert "No hay existencias suficientes de: Fieltro" in state.stock_warning
    assert fetch(engine, InventoryItem, item.id).quantity == Decimal("1")  # nothing taken yet
    ServiceDetailState.confirm_negative_stock.fn(state)
    assert state.stock_warning == ""
    assert fetch(engine, InventoryItem, item.id).quantity == Decimal("-2")


def test_bad_material_input_writes_nothing(signed_in, engine, technician):
    item = add_inventory_item(engine, technician)
    state = service_detail_state(signed_in, engine, technician)
    ServiceDetailState.add_material.fn(state, {"item_id": "", "quantity": "1"})
    assert state.material_error == "Elige un material"
    ServiceDetailState.add_material.fn(state, {"item_id": str(item.id), "quantity": "-1"})
    assert state.material_error == "Cantidad no válida."
    assert state.materials == []
    assert fetch(engine, InventoryItem, item.id).quantity == Decimal("5")
