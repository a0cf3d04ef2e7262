"""Inventory in the domain layer (items, movements, materials used in a
service), on SQLite and MariaDB."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from piano_emotion.domain import clients, dashboard, inventory, pianos, services
from piano_emotion.domain.alerts import local_today  # Spain's date, like the app
from piano_emotion.domain.clients import ClientInput
from piano_emotion.domain.errors import NotFound, ValidationFailed
from piano_emotion.domain.inventory import ItemInput, ItemQuery
from piano_emotion.domain.pianos import PianoInput
from piano_emotion.domain.services import ServiceInput
from piano_emotion.models import InventoryItem, Service, ServiceMaterial, StockMovement
from piano_emotion.models.enums import StockMovementReason

TODAY = local_today()
D = Decimal


def add_item(session, user, name="Cuerda 17", quantity="10", min_stock="2", **extra):
    item = inventory.create_item(
        session, user, ItemInput(name=name, quantity=quantity, min_stock=min_stock, **extra)
    )
    session.commit()
    return item


def stock(session, item_id) -> Decimal:
    session.expire_all()
    return session.get(InventoryItem, item_id).quantity


def movements(session, item_id) -> list[tuple[str, Decimal, Decimal, int | None]]:
    session.expire_all()
    rows = session.exec(
        select(StockMovement)
        .where(StockMovement.item_id == item_id)
        .order_by(StockMovement.created_at, StockMovement.id)
    ).all()
    return [(m.reason.value, m.quantity_delta, m.quantity_after, m.service_id) for m in rows]


def materials_of(session, service_id) -> dict[int, Decimal]:
    session.expire_all()
    rows = session.exec(
        select(ServiceMaterial).where(ServiceMaterial.service_id == service_id)
    ).all()
    return {m.item_id: m.quantity for m in rows}


@pytest.fixture
def piano(session, technician):
    owner = clients.create_client(session, technician, ClientInput(name="Lucía Fernández"))
    session.flush()
    piano = pianos.create_piano(
        session, technician, PianoInput(client_id=owner.id, brand="Yamaha", model="U1")
    )
    session.commit()
    return piano


def add_service(session, user, piano, materials=None, allow=False, **extra):
    extra.setdefault("service_type", "repair")
    service = services.create_service(
        session,
        user,
        ServiceInput(
            piano_id=piano.id,
            service_date=TODAY - timedelta(days=1),
            materials=materials,
            allow_negative_stock=allow,
            **extra,
        ),
    )
    session.commit()
    return service


def update(session, user, service_id, materials=None, allow=False, **extra):
    extra.setdefault("service_type", "repair")
    extra.setdefault("service_date", TODAY - timedelta(days=1))
    services.update_service(
        session,
        user,
        service_id,
        ServiceInput(
            materials=materials,
            allow_negative_stock=allow,
            **extra,
        ),
    )
    session.commit()


# -- items ----------------------------------------------------------------------
def test_create_read_update_archive(session, technician):
    item = add_item(
        session,
        technician,
        "Fieltro de martillo",
        quantity="1,5",
        min_stock="0,5",
        category="felts",
        sku="FM-01",
        unit="m",
        cost_per_unit="12,40",
        supplier="Renner",
    )
    detail = inventory.get_item(session, technician, item.id)
    assert detail["name"] == "Fieltro de martillo"
    assert detail["category"] == "felts"
    assert detail["quantity"] == D("1.5") and detail["min_stock"] == D("0.5")
    assert detail["cost_per_unit"] == D("12.40") and detail["unit"] == "m"
    assert detail["stock_value"] == D("18.60")
    assert detail["low_stock"] is False
    [movement] = detail["movements"]
    assert movement["reason"] == "purchase"
    assert movement["quantity_delta"] == D("1.5") and movement["quantity_after"] == D("1.5")

    # An edit never changes the quantity (stock changes through movements).
    inventory.update_item(
        session,
        technician,
        item.id,
        ItemInput(name="Fieltro", quantity="999", min_stock="2", category="felts"),
    )
    session.commit()
    detail = inventory.get_item(session, technician, item.id)
    assert detail["name"] == "Fieltro"
    assert detail["quantity"] == D("1.5") and detail["min_stock"] == D("2")
    assert detail["unit"] == "ud"  # blank unit: the default
    assert detail["low_stock"] is True
    assert detail["movement_count"] == 1

    inventory.set_item_archived(session, technician, item.id, True)
    session.commit()
    assert inventory.list_items(session, technician)["total"] == 0
    archived = inventory.list_items(session, technician, ItemQuery(archived="archived"))
    assert [i["name"] for i in archived["items"]] == ["Fieltro"]
    inventory.set_item_archived(session, technician, item.id, False)
    session.commit()
    assert inventory.list_items(session, technician)["total"] == 1


def test_an_item_without_quantity_records_no_movement(session, technician):
    item = add_item(session, technician, "Llave de afinar", quantity="", category="tools")
    detail = inventory.get_item(session, technician, item.id)
    assert detail["quantity"] == D("0") and detail["movements"] == []


def test_from_form_reads_strings():
    data = ItemInput.from_form({"name": "  Cuerda ", "quantity": "2,5", "other": "x"})
    assert data.name == "Cuerda" and data.quantity == "2,5" and data.unit == "ud"


@pytest.mark.parametrize(
    ("changes", "field", "key"),
    [
        ({"name": ""}, "name", "error.name_required"),
        ({"name": "x" * 161}, "name", "error.too_long"),
        ({"category": "banana"}, "category", "error.choice_invalid"),
        ({"quantity": "-1"}, "quantity", "error.quantity_negative"),
        ({"quantity": "muchas"}, "quantity", "error.quantity_invalid"),
        ({"min_stock": "-0,5"}, "min_stock", "error.quantity_negative"),
        ({"cost_per_unit": "-3"}, "cost_per_unit", "error.amount_negative"),
        ({"cost_per_unit": "tres"}, "cost_per_unit", "error.amount_invalid"),
        ({"unit": "x" * 17}, "unit", "error.too_long"),
        ({"sku": "x" * 65}, "sku", "error.too_long"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(session, technician, changes, field, key):
    data = {"name": "Cuerda", "quantity": "3", **changes}
    with pytest.raises(ValidationFailed) as refused:
        inventory.create_item(session, technician, ItemInput(**data))
    session.rollback()
    assert refused.value.fields[field] == key
    assert session.exec(select(InventoryItem)).all() == []
    assert session.exec(select(StockMovement)).all() == []


def test_a_bad_edit_changes_nothing(session, technician):
    item = add_item(session, technician, "Cuerda", cost_per_unit="2")
    with pytest.raises(ValidationFailed) as refused:
        inventory.update_item(
            session, technician, item.id, ItemInput(name="Otra", cost_per_unit="-1")
        )
    session.rollback()
    assert refused.value.fields == {"cost_per_unit": "error.amount_negative"}
    assert inventory.get_item(session, technician, item.id)["name"] == "Cuerda"


# -- movements ----------------------------------------------------------------------
def test_movements_arithmetic_and_history(session, technician):
    item = add_item(session, technician, quantity="10", min_stock="2")
    inventory.record_movement(session, technician, item.id, "purchase", "2,5", note="Renner")
    session.commit()
    inventory.record_movement(session, technician, item.id, "adjustment", D("-0.5"))
    session.commit()
    inventory.record_movement(session, technician, item.id, StockMovementReason.SERVICE_USE, -4)
    session.commit()
    assert stock(session, item.id) == D("8.000")
    assert movements(session, item.id) == [
        ("purchase", D("10"), D("10"), None),
        ("purchase", D("2.5"), D("12.5"), None),
        ("adjustment", D("-0.5"), D("12"), None),
        ("service_use", D("-4"), D("8"), None),
    ]
    detail = inventory.get_item(session, technician, item.id)
    assert [m["quantity_after"] for m in detail["movements"]] == [D(8), D(12), D("12.5"), D(10)]
    assert detail["movements"][2]["note"] == "Renner"
    assert detail["quantity"] == D(8) and detail["movement_count"] == 4


@pytest.mark.parametrize(
    ("reason", "delta", "field", "key"),
    [
        ("purchase", "-1", "quantity", "error.quantity_invalid"),
        ("service_use", "1", "quantity", "error.quantity_invalid"),
        ("adjustment", "0", "quantity", "error.quantity_invalid"),
        ("adjustment", "abc", "quantity", "error.quantity_invalid"),
        ("robo", "1", "reason", "error.choice_invalid"),
    ],
)
def test_bad_movements_are_refused(session, technician, reason, delta, field, key):
    item = add_item(session, technician, quantity="5")
    with pytest.raises(ValidationFailed) as refused:
        inventory.record_movement(session, technician, item.id, reason, delta)
    session.rollback()
    assert refused.value.fields == {field: key}
    assert stock(session, item.id) == D(5) and len(movements(session, item.id)) == 1


def test_stock_never_goes_negative_silently(session, technician):
    item = add_item(session, technician, quantity="2", unit="m")
    with pytest.raises(ValidationFailed) as refused:
        inventory.record_movement(session, technician, item.id, "adjustment", "-3")
    session.rollback()
    assert refused.value.fields == {"quantity": "error.stock_negative"}
    assert refused.value.params["available"] == D(2)
    assert refused.value.params["requested"] == D(3)
    assert stock(session, item.id) == D(2)
    # Confirmed by the technician: it goes below zero, and says so.
    movement = inventory.record_movement(
        session, technician, item.id, "adjustment", "-3", allow_negative=True
    )
    session.commit()
    assert movement.quantity_after == D(-1) and stock(session, item.id) == D(-1)
    # Adding to a negative stock is always allowed, even if it stays negative.
    inventory.record_movement(session, technician, item.id, "adjustment", "0,5")
    session.commit()
    assert stock(session, item.id) == D("-0.5")


def test_a_movement_for_a_service_links_it(session, technician, piano):
    item = add_item(session, technician, quantity="5")
    service = add_service(session, technician, piano)
    inventory.record_movement(
        session, technician, item.id, "service_use", "-1", service_id=service.id
    )
    session.commit()
    newest = inventory.get_item(session, technician, item.id)["movements"][0]
    assert newest["service_id"] == service.id
    assert newest["service_date"] == TODAY - timedelta(days=1)


def test_a_movement_uses_the_rows_current_quantity(session, technician, engine):
    """The session's copy of the item may be stale: the locked row is what counts."""
    item = add_item(session, technician, quantity="5")
    inventory.get_item(session, technician, item.id)
    with Session(engine) as other:
        inventory.record_movement(other, technician, item.id, "adjustment", "-4")
        other.commit()
    movement = inventory.record_movement(session, technician, item.id, "adjustment", "-1")
    session.commit()
    assert movement.quantity_after == D(0)


# -- low stock ----------------------------------------------------------------------
def test_low_stock_flag_filter_and_count_at_the_boundary(session, technician):
    add_item(session, technician, "A justo", quantity="2", min_stock="2")  # == min: low
    add_item(session, technician, "B por debajo", quantity="1", min_stock="2")
    add_item(session, technician, "C por encima", quantity="2,001", min_stock="2")
    add_item(session, technician, "D sin mínimo", quantity="", min_stock="")  # 0 ≤ 0: low
    archived = add_item(session, technician, "E archivado", quantity="0", min_stock="1")
    inventory.set_item_archived(session, technician, archived.id, True)
    session.commit()
    flags = {i["name"]: i["low_stock"] for i in inventory.list_items(session, technician)["items"]}
    assert flags == {
        "A justo": True,
        "B por debajo": True,
        "C por encima": False,
        "D sin mínimo": True,
    }
    low = inventory.list_items(session, technician, ItemQuery(low_stock_only=True))
    assert [i["name"] for i in low["items"]] == ["A justo", "B por debajo", "D sin mínimo"]
    assert inventory.low_stock_count(session, technician) == 3
    feed = dashboard.low_stock_feed(session, technician, TODAY)
    assert {f["key"] for f in feed} == {f"low_stock:{i['id']}" for i in low["items"]}

    # A purchase takes "A" above its minimum: count and list follow.
    item_a = low["items"][0]["id"]
    inventory.record_movement(session, technician, item_a, "purchase", "0,001")
    session.commit()
    assert inventory.low_stock_count(session, technician) == 2
    assert inventory.list_items(session, technician, ItemQuery(low_stock_only=True))["total"] == 2


def test_list_search_category_sort_and_pages(session, technician):
    add_item(session, technician, "Martillo Renner", category="hammers", supplier="Renner")
    add_item(session, technician, "Apagador de fieltro", category="dampers", sku="AP-9")
    add_item(session, technician, "Cuerda de acero", category="strings", quantity="30")
    for i in range(4):
        add_item(session, technician, f"Clavija {i}", category="tuning_pins", quantity=str(i))

    def names(**query):
        return [
            i["name"]
            for i in inventory.list_items(session, technician, ItemQuery(**query))["items"]
        ]

    assert names(search="MARTÍLLO") == ["Martillo Renner"]
    assert names(search="renner") == ["Martillo Renner"]
    assert names(search="ap-9") == ["Apagador de fieltro"]
    assert names(search="clavija 3") == ["Clavija 3"]
    assert names(search="100%") == []
    assert names(category="strings") == ["Cuerda de acero"]
    assert names(sort="-quantity")[0] == "Cuerda de acero"
    assert names(sort="quantity")[0] == "Clavija 0"
    page = inventory.list_items(
        session, technician, ItemQuery(search="clavija", page=2, page_size=3)
    )
    assert page["total"] == 4 and page["pages"] == 2
    assert [i["name"] for i in page["items"]] == ["Clavija 3"]
    assert names(category="banana", sort="nope", archived="nope") == names()


def test_other_technicians_items_do_not_exist(session, technician, other_technician):
    item = add_item(session, technician)
    for call in (
        lambda: inventory.get_item(session, other_technician, item.id),
        lambda: inventory.update_item(session, other_technician, item.id, ItemInput(name="X")),
        lambda: inventory.set_item_archived(session, other_technician, item.id, True),
        lambda: inventory.record_movement(session, other_technician, item.id, "purchase", 1),
    ):
        with pytest.raises(NotFound):
            call()
        session.rollback()
    assert inventory.list_items(session, other_technician)["total"] == 0
    assert stock(session, item.id) == D(10)


# -- materials used in a service -------------------------------------------------------
def test_a_service_with_materials_takes_them_from_stock(session, technician, piano):
    strings = add_item(session, technician, "Cuerda", quantity="10", cost_per_unit="3,50")
    felt = add_item(session, technician, "Fieltro", quantity="4", unit="m")
    service = add_service(
        session,
        technician,
        piano,
        materials=[
            {"item_id": strings.id, "quantity": "3"},
            {"item_id": felt.id, "quantity": "1,5", "unit_price": "8"},
            {"item_id": "", "quantity": ""},  # a blank row of the form
        ],
    )
    assert stock(session, strings.id) == D(7) and stock(session, felt.id) == D("2.5")
    assert movements(session, strings.id)[-1] == ("service_use", D(-3), D(7), service.id)
    assert materials_of(session, service.id) == {strings.id: D(3), felt.id: D("1.5")}
    listed = inventory.get_service_materials(session, technician, service.id)
    assert [(m["name"], m["unit_price"], m["total"]) for m in listed] == [
        ("Cuerda", D("3.50"), D("10.50")),
        ("Fieltro", D("8.00"), D("12.00")),
    ]


def test_a_refused_service_writes_neither_service_nor_movements(session, technician, piano):
    item = add_item(session, technician, quantity="10")
    with pytest.raises(ValidationFailed) as refused:
        services.create_service(
            session,
            technician,
            ServiceInput(
                piano_id=piano.id,
                service_date="no es fecha",
                materials=[{"item_id": item.id, "quantity": "2"}],
            ),
        )
    session.rollback()
    assert "service_date" in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:
        services.create_service(
            session,
            technician,
            ServiceInput(
                piano_id=piano.id,
                service_date=TODAY,
                materials=[{"item_id": item.id, "quantity": "-2"}],
            ),
        )
    session.rollback()
    assert refused.value.fields["materials.0.quantity"] == "error.quantity_invalid"
    assert session.exec(select(Service)).all() == []
    assert stock(session, item.id) == D(10) and len(movements(session, item.id)) == 1


def test_editing_materials_moves_only_the_difference(session, technician, piano):
    a = add_item(session, technician, "A", quantity="10")
    b = add_item(session, technician, "B", quantity="10")
    c = add_item(session, technician, "C", quantity="10")
    service = add_service(
        session,
        technician,
        piano,
        materials=[{"item_id": a.id, "quantity": "3"}, {"item_id": b.id, "quantity": "2"}],
    )
    # A: 3 → 1 (2 back), B dropped (2 back), C added (4 taken).
    update(
        session,
        technician,
        service.id,
        materials=[{"item_id": a.id, "quantity": "1"}, {"item_id": c.id, "quantity": "4"}],
    )
    assert (stock(session, a.id), stock(session, b.id), stock(session, c.id)) == (9, 10, 6)
    assert movements(session, a.id)[-1] == ("service_return", D(2), D(9), service.id)
    assert movements(session, b.id)[-1] == ("service_return", D(2), D(10), service.id)
    assert movements(session, c.id)[-1] == ("service_use", D(-4), D(6), service.id)
    assert materials_of(session, service.id) == {a.id: D(1), c.id: D(4)}
    # The same list again moves nothing; None leaves the materials alone.
    count = len(movements(session, a.id))
    update(
        session,
        technician,
        service.id,
        materials=[{"item_id": a.id, "quantity": "1"}, {"item_id": c.id, "quantity": "4"}],
    )
    update(session, technician, service.id, notes="Sin cambios de material")
    assert len(movements(session, a.id)) == count
    assert materials_of(session, service.id) == {a.id: D(1), c.id: D(4)}
    # The same item twice is one line.
    update(
        session,
        technician,
        service.id,
        materials=[{"item_id": a.id, "quantity": "1"}, {"item_id": a.id, "quantity": "2"}],
    )
    assert materials_of(session, service.id) == {a.id: D(3)}
    assert (stock(session, a.id), stock(session, c.id)) == (7, 10)


def test_cancelling_a_service_returns_its_materials(session, technician, piano):
    item = add_item(session, technician, quantity="10")
    service = add_service(
        session, technician, piano, materials=[{"item_id": item.id, "quantity": 4}]
    )
    services.set_service_status(session, technician, service.id, "cancelled")
    session.commit()
    assert stock(session, item.id) == D(10)
    assert movements(session, item.id)[-1] == ("service_return", D(4), D(10), service.id)
    assert materials_of(session, service.id) == {}
    # Cancelled again, or saved while cancelled: nothing more comes back.
    services.set_service_status(session, technician, service.id, "cancelled")
    update(session, technician, service.id, status="cancelled", materials=[
        {"item_id": item.id, "quantity": 1}])  # fmt: skip
    assert stock(session, item.id) == D(10) and len(movements(session, item.id)) == 3
    with pytest.raises(ValidationFailed) as refused:
        inventory.set_service_materials(
            session, technician, service.id, [{"item_id": item.id, "quantity": 1}]
        )
    session.rollback()
    assert refused.value.fields == {"materials": "error.service_cancelled"}


def test_cancelling_through_an_edit_returns_the_materials(session, technician, piano):
    item = add_item(session, technician, quantity="10")
    service = add_service(
        session, technician, piano, materials=[{"item_id": item.id, "quantity": 4}]
    )
    update(session, technician, service.id, status="cancelled")
    assert stock(session, item.id) == D(10) and materials_of(session, service.id) == {}
    # Back to pending with materials: they are taken again.
    update(session, technician, service.id, status="pending", materials=[
        {"item_id": item.id, "quantity": 1}])  # fmt: skip
    assert stock(session, item.id) == D(9)


def test_deleting_a_service_returns_its_materials(session, technician, piano):
    item = add_item(session, technician, quantity="10")
    service = add_service(
        session, technician, piano, materials=[{"item_id": item.id, "quantity": 4}]
    )
    assert stock(session, item.id) == D(6)
    services.remove_service(session, technician, service.id)
    session.commit()
    assert stock(session, item.id) == D(10)
    history = inventory.get_item(session, technician, item.id)["movements"]
    assert [(m["reason"], m["quantity_after"]) for m in history][:2] == [
        ("service_return", D(10)),
        ("service_use", D(6)),
    ]


def test_insufficient_stock_is_refused_unless_confirmed(session, technician, piano):
    a = add_item(session, technician, "A", quantity="2", unit="m")
    b = add_item(session, technician, "B", quantity="10")
    materials = [{"item_id": a.id, "quantity": "3"}, {"item_id": b.id, "quantity": "1"}]
    with pytest.raises(ValidationFailed) as refused:
        add_service(session, technician, piano, materials=materials)
    session.rollback()
    assert refused.value.fields == {"materials": "error.stock_negative"}
    assert refused.value.params["items"] == [
        {"item_id": a.id, "name": "A", "unit": "m", "available": D(2), "requested": D(3)}
    ]
    assert session.exec(select(Service)).all() == []
    assert (stock(session, a.id), stock(session, b.id)) == (2, 10)
    assert len(movements(session, b.id)) == 1

    service = add_service(session, technician, piano, materials=materials, allow=True)
    assert (stock(session, a.id), stock(session, b.id)) == (-1, 9)
    # Giving back part of it is never refused, even below zero.
    update(session, technician, service.id, materials=[{"item_id": a.id, "quantity": "2"}])
    assert (stock(session, a.id), stock(session, b.id)) == (0, 10)
    # Taking more of an item already below zero needs the confirmation again.
    with pytest.raises(ValidationFailed):
        update(session, technician, service.id, materials=[{"item_id": a.id, "quantity": "2,5"}])
    session.rollback()
    assert stock(session, a.id) == 0


def test_materials_of_another_technician_do_not_exist(session, technician, other_technician, piano):
    foreign = add_item(session, other_technician, quantity="10")
    with pytest.raises(NotFound):
        add_service(
            session, technician, piano, materials=[{"item_id": foreign.id, "quantity": "1"}]
        )
    session.rollback()
    assert session.exec(select(Service)).all() == []
    service = add_service(session, technician, piano)
    for call in (
        lambda: inventory.set_service_materials(session, other_technician, service.id, []),
        lambda: inventory.return_service_materials(session, other_technician, service.id),
        lambda: inventory.get_service_materials(session, other_technician, service.id),
    ):
        with pytest.raises(NotFound):
            call()
        session.rollback()
    assert stock(session, foreign.id) == D(10)


def test_material_writes_are_seen_by_the_next_read(session, technician, piano):
    item = add_item(session, technician, quantity="3", min_stock="1")
    assert inventory.list_items(session, technician)["items"][0]["quantity"] == D(3)
    assert inventory.low_stock_count(session, technician) == 0
    before = inventory.get_item(session, technician, item.id)
    service = add_service(
        session, technician, piano, materials=[{"item_id": item.id, "quantity": 2}]
    )
    assert inventory.get_service_materials(session, technician, service.id)[0]["quantity"] == 2
    assert inventory.list_items(session, technician)["items"][0]["quantity"] == D(1)
    assert inventory.low_stock_count(session, technician) == 1
    assert inventory.get_item(session, technician, item.id)["movement_count"] == (
        before["movement_count"] + 1
    )
    update(session, technician, service.id, materials=[])
    assert inventory.get_service_materials(session, technician, service.id) == []
    assert inventory.low_stock_count(session, technician) == 0
    # A service's new date shows in the item's history.
    update(session, technician, service.id, service_date=TODAY - timedelta(days=9))
    history = inventory.get_item(session, technician, item.id)["movements"]
    assert history[0]["service_date"] == TODAY - timedelta(days=9)


# -- concurrency (MariaDB) ----------------------------------------------------------
def _skip_on_sqlite(engine):
    if engine.dialect.name == "sqlite":
        # SQLite has no row locks (FOR UPDATE is ignored; it locks the whole
        # database on write), so two concurrent transactions cannot be shown.
        pytest.skip("SQLite has no row locks; the concurrent case runs on MariaDB")


def _concurrent_uses(engine, user, piano_id, item_id, allow):
    """Two transactions each use 3 of the item; the first holds its lock a while."""
    first_locked = threading.Event()
    outcomes: dict[str, object] = {}

    def use(name: str, hold: float, wait: threading.Event | None):
        if wait is not None:
            wait.wait(10)
        started = time.monotonic()
        try:
            with Session(engine, expire_on_commit=False) as session:
                services.create_service(
                    session,
                    user,
                    ServiceInput(
                        piano_id=piano_id,
                        service_type="repair",
                        service_date=TODAY,
                        materials=[{"item_id": item_id, "quantity": "3"}],
                        allow_negative_stock=allow,
                    ),
                )
                if wait is None:
                    first_locked.set()  # holds the item's lock until the commit
                    time.sleep(hold)
                session.commit()
            outcomes[name] = "ok"
        except ValidationFailed as refused:
            outcomes[name] = refused
        except Exception as exc:  # pragma: no cover - reported by the assertion
            outcomes[name] = exc
        finally:
            first_locked.set()
            outcomes[f"{name}_seconds"] = time.monotonic() - started

    threads = [
        threading.Thread(target=use, args=("first", 0.6, None)),
        threading.Thread(target=use, args=("second", 0, first_locked)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


def test_two_services_using_the_same_item_at_once_are_serialised(
    engine, session, technician, piano
):
    _skip_on_sqlite(engine)
    item = add_item(session, technician, quantity="5")
    outcomes = _concurrent_uses(engine, technician, piano.id, item.id, allow=False)
    assert outcomes["first"] == "ok"
    refused = outcomes["second"]
    assert isinstance(refused, ValidationFailed), refused
    assert refused.fields == {"materials": "error.stock_negative"}
    # The second saw the first's committed stock, after waiting for its lock.
    assert refused.params["items"][0]["available"] == D(2)
    assert outcomes["second_seconds"] >= 0.3
    assert stock(session, item.id) == D(2)
    assert [m[:3] for m in movements(session, item.id)] == [
        ("purchase", D(5), D(5)),
        ("service_use", D(-3), D(2)),
    ]
    assert len(session.exec(select(Service)).all()) == 1


def test_two_confirmed_services_using_the_same_item_both_count(engine, session, technician, piano):
    _skip_on_sqlite(engine)
    item = add_item(session, technician, quantity="5")
    outcomes = _concurrent_uses(engine, technician, piano.id, item.id, allow=True)
    assert outcomes["first"] == "ok" and outcomes["second"] == "ok"
    assert stock(session, item.id) == D(-1)
    assert [m[:3] for m in movements(session, item.id)] == [
        ("purchase", D(5), D(5)),
        ("service_use", D(-3), D(2)),
        ("service_use", D(-3), D(-1)),
    ]
