"""Pianos in the domain layer, on SQLite and MariaDB."""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from piano_emotion.cache import build_cache, use_cache
from piano_emotion.domain import activity, clients, pianos, refresh, services
from piano_emotion.domain.alerts import local_today  # Spain's date, like the app
from piano_emotion.domain.clients import ClientInput
from piano_emotion.domain.errors import NotFound, ValidationFailed
from piano_emotion.domain.pianos import PianoInput, PianoQuery, piano_type_for_size
from piano_emotion.domain.services import ServiceInput
from piano_emotion.models import (
    Appointment,
    MaintenanceSettings,
    Piano,
    Service,
)
from piano_emotion.models.enums import (
    PianoCategory,
    PianoType,
)
from piano_emotion.models.types import utcnow
from tests.conftest import REDIS_TEST_URL, redis_available, require_service

TODAY = local_today()


def add_client(session, user, name, **extra):
    client = clients.create_client(session, user, ClientInput(name=name, **extra))
    session.commit()
    return client


def add_piano(session, user, client, brand="Yamaha", **extra):
    piano = pianos.create_piano(
        session, user, PianoInput(client_id=client.id, brand=brand, **extra)
    )
    session.commit()
    return piano


def add_service(session, user, piano, days_ago=10, **extra):
    extra.setdefault("service_type", "maintenance_basic")
    service = services.create_service(
        session,
        user,
        ServiceInput(piano_id=piano.id, service_date=TODAY - timedelta(days=days_ago), **extra),
    )
    session.commit()
    return service


def brands(page):
    return [item["brand"] for item in page["items"]]


# -- create, read, update ---------------------------------------------------------
def test_create_read_update(session, technician):
    owner = add_client(
        session, technician, "María García", phone="612345678", email="maria@example.es"
    )
    piano = add_piano(
        session,
        technician,
        owner,
        brand="Yamaha",
        model="U3",
        serial_number="5123456",
        year="1985",
        size_cm="131",
        room="Salón",
        floor="2º",
        service_interval_months="6",
        notes="Teclas amarillas",
    )
    detail = pianos.get_piano(session, technician, piano.id)
    assert detail["brand"] == "Yamaha" and detail["model"] == "U3"
    assert detail["year"] == 1985 and detail["size_cm"] == 131
    assert detail["category"] == "vertical"
    assert detail["piano_type"] == "upright_professional"  # derived from 131 cm
    assert detail["condition"] == "good"
    assert detail["service_interval_months"] == 6
    assert detail["owner"] == {
        "id": owner.id,
        "name": "María García",
        "phone": "612345678",
        "email": "maria@example.es",
    }
    assert detail["services"] == [] and detail["readings"] == []
    assert detail["last_tuning_date"] is None and detail["last_service_date"] is None

    pianos.update_piano(
        session,
        technician,
        piano.id,
        PianoInput(
            brand="Kawai",
            model="K-300",
            category="grand",
            piano_type="semi_concert",
            condition="needs_repair",
            service_interval_months="0",
            tuning_pending_days="90",
            tuning_urgent_days="120",
        ),
    )
    session.commit()
    detail = pianos.get_piano(session, technician, piano.id)
    assert detail["brand"] == "Kawai" and detail["model"] == "K-300"
    assert detail["category"] == "grand" and detail["piano_type"] == "semi_concert"
    assert detail["condition"] == "needs_repair"
    assert detail["service_interval_months"] == 0
    assert (detail["tuning_pending_days"], detail["tuning_urgent_days"]) == (90, 120)
    assert detail["client_id"] == owner.id  # an empty client_id keeps the owner
    assert detail["serial_number"] == ""  # the form is the whole piano


def test_from_form_reads_strings():
    data = PianoInput.from_form({"client_id": "7", "brand": "  Steinway ", "year": "", "x": "1"})
    assert data.client_id == "7" and data.brand == "Steinway" and data.year == ""


@pytest.mark.parametrize(
    ("changes", "field", "key"),
    [
        ({"brand": ""}, "brand", "error.brand_required"),
        ({"brand": "   "}, "brand", "error.brand_required"),
        ({"brand": "B" * 81}, "brand", "error.too_long"),
        ({"year": "1699"}, "year", "error.year_invalid"),
        ({"year": str(TODAY.year + 1)}, "year", "error.year_invalid"),
        ({"year": "antiguo"}, "year", "error.year_invalid"),
        ({"category": "banana"}, "category", "error.choice_invalid"),
        ({"condition": "roto"}, "condition", "error.choice_invalid"),
        ({"piano_type": "rocket"}, "piano_type", "error.choice_invalid"),
        ({"piano_type": "baby_grand"}, "piano_type", "error.piano_type_category"),
        (
            {"category": "digital", "piano_type": "studio"},
            "piano_type",
            "error.piano_type_category",
        ),
        ({"size_cm": "5"}, "size_cm", "error.size_invalid"),
        ({"size_cm": "110,5"}, "size_cm", "error.size_invalid"),
        ({"service_interval_months": "61"}, "service_interval_months", "error.interval_invalid"),
        ({"service_interval_months": "-1"}, "service_interval_months", "error.interval_invalid"),
        ({"service_interval_months": "a"}, "service_interval_months", "error.interval_invalid"),
        ({"tuning_pending_days": "0"}, "tuning_pending_days", "error.days_invalid"),
        ({"regulation_urgent_days": "-5"}, "regulation_urgent_days", "error.days_invalid"),
        (
            {"tuning_pending_days": "300", "tuning_urgent_days": "200"},
            "tuning_pending_days",
            "error.pending_not_before_urgent",
        ),
        (
            {"tuning_pending_days": "200", "tuning_urgent_days": "200"},
            "tuning_pending_days",
            "error.pending_not_before_urgent",
        ),
        # One end alone is checked against the technician's other end (270 by default).
        ({"tuning_pending_days": "300"}, "tuning_pending_days", "error.pending_not_before_urgent"),
        (
            {"regulation_urgent_days": "700"},
            "regulation_urgent_days",
            "error.pending_not_before_urgent",
        ),
        ({"client_id": None}, "client_id", "error.client_required"),
        ({"client_id": "abc"}, "client_id", "error.client_required"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(session, technician, changes, field, key):
    owner = add_client(session, technician, "Dueño")
    values = {"client_id": owner.id, "brand": "Yamaha", **changes}
    with pytest.raises(ValidationFailed) as refused:
        pianos.create_piano(session, technician, PianoInput(**values))
    session.rollback()
    assert refused.value.fields[field] == key
    assert session.exec(select(Piano).where(Piano.technician_id == technician.id)).all() == []


def test_overrides_are_checked_against_the_technicians_own_thresholds(session, technician):
    session.add(MaintenanceSettings(technician_id=technician.id, tuning_urgent_days=400))
    session.commit()
    owner = add_client(session, technician, "Dueño")
    piano = add_piano(session, technician, owner, tuning_pending_days="300")
    assert piano.tuning_pending_days == 300
    with pytest.raises(ValidationFailed) as refused:
        pianos.update_piano(
            session, technician, piano.id, PianoInput(brand="Yamaha", tuning_pending_days="400")
        )
    assert refused.value.fields == {"tuning_pending_days": "error.pending_not_before_urgent"}


def test_a_bad_update_changes_nothing(session, technician):
    owner = add_client(session, technician, "Dueño")
    piano = add_piano(session, technician, owner, brand="Yamaha")
    with pytest.raises(ValidationFailed):
        pianos.update_piano(session, technician, piano.id, PianoInput(brand="", year="3000"))
    session.rollback()
    assert pianos.get_piano(session, technician, piano.id)["brand"] == "Yamaha"


# -- piano type by size --------------------------------------------------------------
# DOMAIN.md's ranges share their end points ("100–110", "110–120"): the shared
# end point belongs to the lower range.
@pytest.mark.parametrize(
    ("category", "size", "expected"),
    [
        ("vertical", 99, PianoType.SPINET),
        ("vertical", 100, PianoType.CONSOLE),
        ("vertical", 110, PianoType.CONSOLE),
        ("vertical", 111, PianoType.STUDIO),
        ("vertical", 120, PianoType.STUDIO),
        ("vertical", 121, PianoType.UPRIGHT_PROFESSIONAL),
        ("grand", 149, PianoType.BABY_GRAND),
        ("grand", 150, PianoType.MEDIUM_GRAND),
        ("grand", 180, PianoType.MEDIUM_GRAND),
        ("grand", 181, PianoType.PARLOR_GRAND),
        ("grand", 210, PianoType.PARLOR_GRAND),
        ("grand", 211, PianoType.CONCERT_GRAND),
        ("digital", 130, None),
        ("vertical", None, None),
        ("banana", 120, None),
    ],
)
def test_type_by_size_at_the_thresholds(category, size, expected):
    assert piano_type_for_size(category, size) == expected


def test_type_is_derived_only_when_not_chosen(session, technician):
    owner = add_client(session, technician, "Dueño")
    derived = add_piano(session, technician, owner, category="grand", size_cm="150")
    assert derived.piano_type == PianoType.MEDIUM_GRAND
    chosen = add_piano(
        session, technician, owner, category="grand", size_cm="150", piano_type="baby_grand"
    )
    assert chosen.piano_type == PianoType.BABY_GRAND
    unknown = add_piano(session, technician, owner, category="vertical")
    assert unknown.piano_type is None
    digital = add_piano(session, technician, owner, category="digital", size_cm="90")
    assert digital.piano_type is None and digital.category == PianoCategory.DIGITAL
    # Every category's types are exactly the enum's (no type belongs to two).
    seen = [t for c in PianoCategory for t in pianos.PIANO_TYPES_BY_CATEGORY[c]]
    assert sorted(seen) == sorted(PianoType)


# -- search, lists, counts -----------------------------------------------------------
def test_search_is_accent_and_case_insensitive_and_includes_the_owner(session, technician):
    garcia = add_client(session, technician, "José García")
    munoz = add_client(session, technician, "Ana Muñoz")
    add_piano(
        session, technician, garcia, brand="Bösendorfer", model="Imperial", serial_number="AB-12345"
    )
    add_piano(session, technician, munoz, brand="Yamaha", model="C3", serial_number="6543210")
    add_piano(session, technician, munoz, brand="Schimmel", model="Konzert")

    def found(search):
        return sorted(brands(pianos.list_pianos(session, technician, PianoQuery(search=search))))

    assert found("bosendorfer") == ["Bösendorfer"]
    assert found("BÖSENDORFER imperial") == ["Bösendorfer"]
    assert found("garcia") == ["Bösendorfer"]
    assert found("jose GARCÍA") == ["Bösendorfer"]
    assert found("munoz") == ["Schimmel", "Yamaha"]
    assert found("muñoz c3") == ["Yamaha"]
    assert found("ab-123") == ["Bösendorfer"]
    assert found("654321") == ["Yamaha"]
    assert found("konzert") == ["Schimmel"]
    assert found("100%") == [] and found("steinway") == []
    item = pianos.list_pianos(session, technician, PianoQuery(search="imperial"))["items"][0]
    assert item["client_name"] == "José García" and item["client_id"] == garcia.id
    assert item["serial_number"] == "AB-12345"


def test_renaming_a_client_refreshes_its_pianos_search(session, technician):
    owner = add_client(session, technician, "Pedro Pérez")
    piano = add_piano(session, technician, owner, brand="Petrof")
    assert brands(pianos.list_pianos(session, technician, PianoQuery(search="perez"))) == ["Petrof"]
    assert pianos.get_piano(session, technician, piano.id)["owner"]["name"] == "Pedro Pérez"
    clients.update_client(
        session, technician, owner.id, ClientInput(name="Íñigo Ibáñez", phone="699111222")
    )
    session.commit()
    assert pianos.list_pianos(session, technician, PianoQuery(search="perez"))["total"] == 0
    assert brands(pianos.list_pianos(session, technician, PianoQuery(search="inigo ibanez"))) == [
        "Petrof"
    ]
    detail = pianos.get_piano(session, technician, piano.id)
    assert detail["owner"]["name"] == "Íñigo Ibáñez" and detail["owner"]["phone"] == "699111222"
    assert session.get(Piano, piano.id).search_text == "petrof inigo ibanez"


def test_refresh_returns_how_many_pianos_changed(session, technician):
    owner = add_client(session, technician, "Dueño")
    add_piano(session, technician, owner, brand="A")
    add_piano(session, technician, owner, brand="B")
    assert pianos.refresh_piano_search_text(session, technician, owner.id) == 0
    session.get(type(owner), owner.id).name = "Otro"
    assert pianos.refresh_piano_search_text(session, technician, owner.id) == 2


def test_pagination_sort_filters_and_counts(session, technician):
    ana = add_client(session, technician, "Ana")
    bea = add_client(session, technician, "Bea")
    for i in range(30):
        add_piano(
            session,
            technician,
            ana if i < 20 else bea,
            brand=f"Marca {i:02d}",
            category="grand" if i % 3 == 0 else "vertical",
            condition="poor" if i % 5 == 0 else "good",
        )
    first = pianos.list_pianos(session, technician, PianoQuery(page=1, page_size=25))
    second = pianos.list_pianos(session, technician, PianoQuery(page=2, page_size=25))
    assert first["total"] == 30 and first["pages"] == 2
    assert len(first["items"]) == 25 and len(second["items"]) == 5
    assert first["items"][0]["brand"] == "Marca 00" and second["items"][-1]["brand"] == "Marca 29"
    assert brands(pianos.list_pianos(session, technician, PianoQuery(sort="-brand")))[0] == (
        "Marca 29"
    )
    by_client = pianos.list_pianos(session, technician, PianoQuery(sort="client", page_size=100))
    assert [i["client_name"] for i in by_client["items"]] == ["Ana"] * 20 + ["Bea"] * 10
    assert pianos.list_pianos(session, technician, PianoQuery(category="grand"))["total"] == 10
    assert pianos.list_pianos(session, technician, PianoQuery(condition="poor"))["total"] == 6
    assert pianos.list_pianos(session, technician, PianoQuery(client_id=bea.id))["total"] == 10
    both = PianoQuery(category="grand", condition="poor", client_id=ana.id)
    assert brands(pianos.list_pianos(session, technician, both)) == ["Marca 00", "Marca 15"]
    # Unknown filter values are ignored rather than failing.
    odd = PianoQuery(category="x", condition="y", sort="z", archived="w", page=0, page_size=500)
    assert pianos.list_pianos(session, technician, odd)["total"] == 30
    assert pianos.piano_counts(session, technician) == {
        "active": 30,
        "archived": 0,
        "all": 30,
        "vertical": 20,
        "grand": 10,
        "digital": 0,
    }


def test_list_shows_last_tuning_and_last_service(session, technician):
    owner = add_client(session, technician, "Dueño")
    tuned = add_piano(session, technician, owner, brand="Afinado")
    never = add_piano(session, technician, owner, brand="Nunca")
    add_service(session, technician, tuned, days_ago=100, service_type="tuning")
    add_service(session, technician, tuned, days_ago=40, service_type="repair")
    add_service(session, technician, tuned, days_ago=5, service_type="tuning", status="pending")
    add_service(
        session, technician, tuned, days_ago=2, service_type="regulation", status="cancelled"
    )
    items = {i["brand"]: i for i in pianos.list_pianos(session, technician)["items"]}
    assert items["Afinado"]["last_tuning_date"] == TODAY - timedelta(days=100)
    assert items["Afinado"]["last_service_date"] == TODAY - timedelta(days=40)
    assert items["Nunca"]["last_tuning_date"] is None
    assert items["Nunca"]["last_service_date"] is None
    recent = pianos.list_pianos(session, technician, PianoQuery(sort="-last_service"))
    assert brands(recent) == ["Afinado", "Nunca"]
    # As in SQL: pianos never serviced first when ascending, last when descending.
    oldest = pianos.list_pianos(session, technician, PianoQuery(sort="last_service"))
    assert brands(oldest) == ["Nunca", "Afinado"]
    assert pianos.get_piano(session, technician, never.id)["last_service_date"] is None


def test_brands_sort_accent_and_case_free_on_every_database(session, technician):
    owner = add_client(session, technician, "Dueño")
    for brand in ("yamaha", "Bösendorfer", "Steinway", "Blüthner"):
        add_piano(session, technician, owner, brand=brand)
    page = pianos.list_pianos(session, technician)
    assert brands(page) == ["Blüthner", "Bösendorfer", "Steinway", "yamaha"]
    assert set(page["items"][0]) == set(pianos.LIST_FIELDS)


def test_alert_level_filter_follows_the_maintenance_rules(session, technician):
    """The filter brings the alert rows up to date first (alerts.sync_alerts)."""
    owner = add_client(session, technician, "Dueño")
    never_tuned = {
        "Urgente": 300,  # days since it was added: past the 270-day urgent threshold
        "Pendiente": 200,  # past 180: pending
        "Al día": 20,
    }
    for brand, days in never_tuned.items():
        piano = add_piano(session, technician, owner, brand=brand)
        piano.created_at = utcnow() - timedelta(days=days)
        session.add(piano)
    session.commit()
    by_level = {
        level: brands(pianos.list_pianos(session, technician, PianoQuery(alert_level=level)))
        for level in ("urgent", "pending")
    }
    assert by_level == {"urgent": ["Urgente"], "pending": ["Pendiente"]}
    assert pianos.list_pianos(session, technician, PianoQuery(alert_level="nope"))["total"] == 3
    # Tuning the urgent piano today takes it out of the urgent list.
    urgent = session.exec(select(Piano).where(Piano.brand == "Urgente")).one()
    add_service(session, technician, urgent, days_ago=0, service_type="tuning")
    assert brands(pianos.list_pianos(session, technician, PianoQuery(alert_level="urgent"))) == []


# -- archive, restore, remove ----------------------------------------------------------
def test_archive_hides_by_default_and_restore_brings_back(session, technician):
    owner = add_client(session, technician, "Dueño")
    piano = add_piano(session, technician, owner, brand="Archivable")
    assert clients.list_clients(session, technician)["items"][0]["piano_count"] == 1
    pianos.set_piano_archived(session, technician, piano.id, True)
    session.commit()
    assert pianos.list_pianos(session, technician)["total"] == 0
    archived = pianos.list_pianos(session, technician, PianoQuery(archived="archived"))
    assert brands(archived) == ["Archivable"] and archived["items"][0]["archived"] is True
    assert pianos.list_pianos(session, technician, PianoQuery(archived="all"))["total"] == 1
    assert pianos.piano_counts(session, technician)["archived"] == 1
    assert pianos.get_piano(session, technician, piano.id)["archived"] is True
    assert clients.list_clients(session, technician)["items"][0]["piano_count"] == 0
    assert clients.get_client(session, technician, owner.id)["pianos"][0]["archived"] is True
    pianos.set_piano_archived(session, technician, piano.id, False)
    session.commit()
    assert brands(pianos.list_pianos(session, technician)) == ["Archivable"]
    assert pianos.piano_counts(session, technician)["active"] == 1


def test_piano_with_history_is_archived_not_deleted(session, technician):
    owner = add_client(session, technician, "Dueño")
    with_service = add_piano(session, technician, owner, brand="Con servicio")
    with_appointment = add_piano(session, technician, owner, brand="Con cita")
    without = add_piano(session, technician, owner, brand="Sin historial")
    add_service(session, technician, with_service)
    session.add(
        Appointment(
            technician_id=technician.id,
            client_id=owner.id,
            piano_id=with_appointment.id,
            title="Visita",
            starts_at=utcnow(),
        )
    )
    session.commit()
    assert [p["brand"] for p in clients.get_client(session, technician, owner.id)["pianos"]] == [
        "Con cita",
        "Con servicio",
        "Sin historial",
    ]
    assert pianos.piano_has_history(session, technician, with_service.id) is True
    assert pianos.piano_has_history(session, technician, without.id) is False
    assert pianos.remove_piano(session, technician, with_service.id) == "archived"
    assert pianos.remove_piano(session, technician, with_appointment.id) == "archived"
    assert pianos.remove_piano(session, technician, without.id) == "deleted"
    session.commit()
    assert session.get(Piano, with_service.id).archived is True
    assert session.get(Piano, with_appointment.id).archived is True
    assert session.get(Piano, without.id) is None
    with pytest.raises(NotFound):
        pianos.get_piano(session, technician, without.id)
    remaining = clients.get_client(session, technician, owner.id)["pianos"]
    assert [(p["brand"], p["archived"]) for p in remaining] == [
        ("Con cita", True),
        ("Con servicio", True),
    ]
    assert pianos.piano_counts(session, technician) == {
        "active": 0,
        "archived": 2,
        "all": 2,
        "vertical": 0,
        "grand": 0,
        "digital": 0,
    }


# -- moving a piano ------------------------------------------------------------------
def test_move_piano_keeps_history_with_the_piano(session, technician):
    seller = add_client(session, technician, "Vendedora")
    buyer = add_client(session, technician, "Compradora")
    piano = add_piano(session, technician, seller, brand="Steinway")
    old = add_service(session, technician, piano, days_ago=60, service_type="tuning")
    # Reads cached before the move.
    assert pianos.get_piano(session, technician, piano.id)["owner"]["name"] == "Vendedora"
    assert len(clients.get_client(session, technician, seller.id)["pianos"]) == 1
    assert clients.get_client(session, technician, buyer.id)["pianos"] == []
    assert brands(pianos.list_pianos(session, technician, PianoQuery(search="vendedora"))) == [
        "Steinway"
    ]

    moved = pianos.move_piano(session, technician, piano.id, buyer.id)
    session.commit()
    assert moved.client_id == buyer.id
    assert session.get(Service, old.id).client_id == seller.id  # history stays as it was
    detail = pianos.get_piano(session, technician, piano.id)
    assert detail["owner"]["name"] == "Compradora"
    assert [(s["id"], s["client_name"]) for s in detail["services"]] == [(old.id, "Vendedora")]
    assert detail["last_tuning_date"] == TODAY - timedelta(days=60)
    assert clients.get_client(session, technician, seller.id)["pianos"] == []
    assert [s["id"] for s in clients.get_client(session, technician, seller.id)["services"]] == [
        old.id
    ]
    assert [p["id"] for p in clients.get_client(session, technician, buyer.id)["pianos"]] == [
        piano.id
    ]
    assert pianos.list_pianos(session, technician, PianoQuery(search="vendedora"))["total"] == 0
    assert brands(pianos.list_pianos(session, technician, PianoQuery(search="compradora"))) == [
        "Steinway"
    ]
    assert pianos.list_pianos(session, technician, PianoQuery(client_id=buyer.id))["total"] == 1
    # A new service is for the new owner.
    new = add_service(session, technician, piano, days_ago=1)
    assert new.client_id == buyer.id


def test_move_and_create_refuse_another_technicians_client(session, technician, other_technician):
    mine = add_client(session, technician, "Mía")
    theirs = add_client(session, other_technician, "Ajena")
    piano = add_piano(session, technician, mine, brand="Mío")
    with pytest.raises(NotFound):
        pianos.move_piano(session, technician, piano.id, theirs.id)
    with pytest.raises(NotFound):
        pianos.update_piano(
            session, technician, piano.id, PianoInput(client_id=theirs.id, brand="Mío")
        )
    with pytest.raises(NotFound):
        pianos.create_piano(session, technician, PianoInput(client_id=theirs.id, brand="X"))
    with pytest.raises(NotFound):
        pianos.move_piano(session, other_technician, piano.id, theirs.id)
    with pytest.raises(NotFound):
        pianos.move_piano(session, technician, piano.id, 987654321)
    session.rollback()
    assert session.get(Piano, piano.id).client_id == mine.id
    assert session.exec(select(Piano)).all() == [session.get(Piano, piano.id)]


def test_update_with_another_client_moves_the_piano(session, technician):
    seller = add_client(session, technician, "Vendedor")
    buyer = add_client(session, technician, "Comprador")
    piano = add_piano(session, technician, seller, brand="Kawai")
    clients.get_client(session, technician, seller.id)
    pianos.update_piano(
        session, technician, piano.id, PianoInput(client_id=str(buyer.id), brand="Kawai")
    )
    session.commit()
    assert clients.get_client(session, technician, seller.id)["pianos"] == []
    assert pianos.get_piano(session, technician, piano.id)["owner"]["id"] == buyer.id


def test_other_technicians_pianos_do_not_exist(session, technician, other_technician):
    owner = add_client(session, technician, "Dueño")
    piano = add_piano(session, technician, owner, brand="Privado")
    for call in (
        lambda: pianos.get_piano(session, other_technician, piano.id),
        lambda: pianos.update_piano(session, other_technician, piano.id, PianoInput(brand="X")),
        lambda: pianos.set_piano_archived(session, other_technician, piano.id, True),
        lambda: pianos.remove_piano(session, other_technician, piano.id),
        lambda: pianos.refresh_piano_search_text(session, other_technician, owner.id),
    ):
        with pytest.raises(NotFound):
            call()
    session.rollback()
    assert pianos.list_pianos(session, other_technician)["total"] == 0
    assert (
        pianos.list_pianos(session, other_technician, PianoQuery(client_id=owner.id))["total"] == 0
    )
    assert pianos.piano_counts(session, other_technician)["all"] == 0


# -- detail: timeline and readings ----------------------------------------------------
def test_timeline_newest_first_and_readings_oldest_first(session, technician):
    owner = add_client(session, technician, "Dueño")
    piano = add_piano(session, technician, owner, brand="Grotrian")
    add_service(
        session,
        technician,
        piano,
        days_ago=300,
        service_type="tuning",
        humidity_pct="42,5",
        temperature_c="19",
        cost="90",
        notes="Primera",
    )
    add_service(session, technician, piano, days_ago=200, service_type="repair")  # no readings
    add_service(session, technician, piano, days_ago=100, service_type="tuning", humidity_pct="55")
    add_service(
        session,
        technician,
        piano,
        days_ago=50,
        service_type="inspection",
        status="cancelled",
        humidity_pct="99",
        temperature_c="30",
    )
    add_service(
        session, technician, piano, days_ago=10, service_type="regulation", temperature_c="-2,5"
    )
    detail = pianos.get_piano(session, technician, piano.id)
    timeline = detail["services"]
    assert [s["service_date"] for s in timeline] == [
        TODAY - timedelta(days=d) for d in (10, 50, 100, 200, 300)
    ]
    assert [s["service_type"] for s in timeline] == [
        "regulation",
        "inspection",
        "tuning",
        "repair",
        "tuning",
    ]
    first = timeline[-1]
    assert first["cost"] == Decimal("90.00") and first["notes"] == "Primera"
    assert first["humidity_pct"] == Decimal("42.50") and first["temperature_c"] == Decimal("19.00")
    assert first["status"] == "completed" and timeline[1]["status"] == "cancelled"
    assert detail["readings"] == [
        {
            "date": TODAY - timedelta(days=300),
            "label": (TODAY - timedelta(days=300)).strftime("%d/%m/%Y"),
            "humidity": 42.5,
            "temperature": 19.0,
        },
        {
            "date": TODAY - timedelta(days=100),
            "label": (TODAY - timedelta(days=100)).strftime("%d/%m/%Y"),
            "humidity": 55.0,
            "temperature": None,
        },
        {
            "date": TODAY - timedelta(days=10),
            "label": (TODAY - timedelta(days=10)).strftime("%d/%m/%Y"),
            "humidity": None,
            "temperature": -2.5,
        },
    ]
    assert detail["last_tuning_date"] == TODAY - timedelta(days=100)
    assert detail["last_service_date"] == TODAY - timedelta(days=10)


# -- cache: every write is seen by the next read ------------------------------------
def _reads(session, user, piano_id, client_id):
    """What the pages show of one piano, through the cache."""
    listed = {
        i["id"]: i
        for i in pianos.list_pianos(session, user, PianoQuery(archived="all", page_size=100))[
            "items"
        ]
    }
    return {
        "list": listed.get(piano_id),
        "search": [
            i["id"]
            for i in pianos.list_pianos(session, user, PianoQuery(search="tomas", archived="all"))[
                "items"
            ]
        ],
        "detail": pianos.get_piano(session, user, piano_id),
        "counts": pianos.piano_counts(session, user),
        "client": clients.get_client(session, user, client_id)["pianos"],
        "client_list": {
            c["id"]: c["piano_count"] for c in clients.list_clients(session, user)["items"]
        },
    }


def _run_write_scenario(session, technician, write_through, read_through):
    """Each kind of piano write through ``write_through`` is seen by the next read
    through ``read_through`` (two workers, or one)."""
    with write_through():
        tomas = add_client(session, technician, "Tomás")
        other = add_client(session, technician, "Otra")
        piano = add_piano(session, technician, tomas, brand="Antes")
    with read_through():
        before = _reads(session, technician, piano.id, tomas.id)
    assert before["list"]["brand"] == "Antes" and before["search"] == [piano.id]
    assert before["counts"]["active"] == 1 and before["client_list"][tomas.id] == 1

    with write_through():  # update
        pianos.update_piano(session, technician, piano.id, PianoInput(brand="Después"))
        session.commit()
    with read_through():
        after = _reads(session, technician, piano.id, tomas.id)
    assert after["list"]["brand"] == "Después" and after["detail"]["brand"] == "Después"
    assert after["client"][0]["brand"] == "Después"

    with write_through():  # client renamed
        clients.update_client(session, technician, tomas.id, ClientInput(name="Tomasa Ruiz"))
        session.commit()
    with read_through():
        after = _reads(session, technician, piano.id, tomas.id)
    assert after["detail"]["owner"]["name"] == "Tomasa Ruiz"
    assert after["list"]["client_name"] == "Tomasa Ruiz" and after["search"] == [piano.id]

    with write_through():  # archive
        pianos.set_piano_archived(session, technician, piano.id, True)
        session.commit()
    with read_through():
        after = _reads(session, technician, piano.id, tomas.id)
    assert after["list"]["archived"] is True and after["detail"]["archived"] is True
    assert after["counts"]["archived"] == 1 and after["client"][0]["archived"] is True
    assert after["client_list"][tomas.id] == 0

    with write_through():  # restore and move
        pianos.set_piano_archived(session, technician, piano.id, False)
        pianos.move_piano(session, technician, piano.id, other.id)
        session.commit()
    with read_through():
        after = _reads(session, technician, piano.id, tomas.id)
        assert clients.get_client(session, technician, other.id)["pianos"][0]["id"] == piano.id
    assert after["client"] == [] and after["detail"]["owner"]["name"] == "Otra"
    assert after["list"]["client_name"] == "Otra" and after["search"] == []
    assert after["client_list"] == {tomas.id: 0, other.id: 1}

    with write_through():  # create
        second = add_piano(session, technician, tomas, brand="Nuevo")
    with read_through():
        after = _reads(session, technician, piano.id, tomas.id)
    assert after["counts"]["active"] == 2 and [p["id"] for p in after["client"]] == [second.id]
    assert after["search"] == [second.id]

    with write_through():  # remove (no history: deleted)
        assert pianos.remove_piano(session, technician, second.id) == "deleted"
        session.commit()
    with read_through():
        after = _reads(session, technician, piano.id, tomas.id)
    assert after["counts"]["active"] == 1 and after["client"] == [] and after["search"] == []

    # The reads above really come from the cache: a change made behind the
    # domain's back (no invalidation) is not seen.
    with write_through():
        session.get(Piano, piano.id).brand = "A escondidas"
        session.commit()
    with read_through():
        assert pianos.get_piano(session, technician, piano.id)["brand"] == "Después"


def test_every_write_is_seen_by_the_next_read(session, technician):
    from contextlib import nullcontext

    _run_write_scenario(session, technician, nullcontext, nullcontext)


def test_uncommitted_writes_do_not_invalidate(session, technician):
    owner = add_client(session, technician, "Dueño")
    piano = add_piano(session, technician, owner, brand="Antes")
    assert pianos.get_piano(session, technician, piano.id)["brand"] == "Antes"
    pianos.update_piano(session, technician, piano.id, PianoInput(brand="Después"))
    session.rollback()
    assert pianos.get_piano(session, technician, piano.id)["brand"] == "Antes"


@pytest.fixture
def two_workers() -> Iterator[tuple]:
    """Two cache services on one Redis and one namespace: two app workers."""
    require_service(redis_available(), "Redis on 127.0.0.1:6379")
    import redis

    namespace = f"test-pianos-{secrets.token_hex(6)}"
    first = build_cache(redis_url=REDIS_TEST_URL, namespace=namespace)
    second = build_cache(redis_url=REDIS_TEST_URL, namespace=namespace)
    yield first, second
    first.close()
    second.close()
    client = redis.Redis.from_url(REDIS_TEST_URL)
    stale = list(client.scan_iter(match=f"{namespace}:*", count=1000))
    if stale:
        client.delete(*stale)
    client.close()


def test_every_write_is_seen_by_another_worker_with_redis(session, technician, two_workers):
    first, second = two_workers
    assert first.mode == "redis" and second.mode == "redis"
    _run_write_scenario(session, technician, lambda: use_cache(first), lambda: use_cache(second))
    assert not first.degraded and not second.degraded


def test_a_service_recorded_changes_the_dates_the_lists_show_not_their_directories(
    session, technician, fresh_cache, monkeypatch
):
    # Recording a service is the day's most frequent write: it reloads the
    # small maps of last service dates (activity), not the client and piano
    # directories, and both lists show the new dates at once.
    owner = add_client(session, technician, "Dueño")
    piano = add_piano(session, technician, owner, brand="Afinado")
    assert pianos.list_pianos(session, technician)["items"][0]["last_tuning_date"] is None
    assert clients.list_clients(session, technician)["items"][0]["last_service_date"] is None
    loads: Counter[str] = Counter()
    for module, name in (
        (pianos, "_piano_directory"),
        (clients, "_client_directory"),
        (activity, "_client_activity"),
        (activity, "_piano_activity"),
    ):
        real = getattr(module, name)
        monkeypatch.setattr(
            module,
            name,
            lambda *args, _real=real, _name=name: loads.update([_name]) or _real(*args),
        )

    add_service(session, technician, piano, days_ago=3, service_type="tuning")
    assert refresh.wait_idle(fresh_cache, technician.id, 20)
    piano_row = pianos.list_pianos(session, technician)["items"][0]
    client_row = clients.list_clients(session, technician)["items"][0]
    assert piano_row["last_tuning_date"] == piano_row["last_service_date"] == TODAY - timedelta(3)
    assert client_row["last_service_date"] == TODAY - timedelta(days=3)
    assert loads == Counter({"_client_activity": 1, "_piano_activity": 1})
