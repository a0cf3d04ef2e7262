"""Probes of domain.inventory (see tests/isolation.py): B calls every function
with A's inventory item, service and movement ids, and B's own reads list
nothing of A's."""

from __future__ import annotations

from decimal import Decimal

from piano_emotion.domain import inventory, services
from piano_emotion.domain.alerts import local_today  # Spain's date, like the app
from piano_emotion.domain.inventory import ItemInput, ItemQuery
from piano_emotion.domain.services import ServiceInput
from piano_emotion.domain.tenancy import owned
from piano_emotion.models import InventoryItem, Piano, Service
from tests.isolation import assert_no_trace_of, probe


def _own(session, b, model):
    """B's own row of ``model`` (factories.populate gives B one of each)."""
    return session.exec(owned(model, b)).first()


def _assert_owner(result, a):
    assert result.technician_id != a.user.id


def _no_foreign_items(result, a):
    assert a.ids["inventory_item"] not in {item["id"] for item in result["items"]}
    assert "Cuerda A" not in repr(result)
    assert_no_trace_of(result, a)


def _nothing_listed(result, a):
    assert result["items"] == [] and result["total"] == 0


# -- items ------------------------------------------------------------------------
@probe("inventory.create_item", expect=_assert_owner)
def _create_item(session, b, a):
    return inventory.create_item(session, b, ItemInput(name="Nuevo de B", quantity="3"))


@probe("inventory.update_item")
def _update_item(session, b, a):
    return inventory.update_item(session, b, a.ids["inventory_item"], ItemInput(name="Robado"))


@probe("inventory.set_item_archived")
def _archive_item(session, b, a):
    return inventory.set_item_archived(session, b, a.ids["inventory_item"], True)


@probe("inventory.record_movement")
def _record_movement(session, b, a):
    return inventory.record_movement(session, b, a.ids["inventory_item"], "adjustment", "-5")


@probe("inventory.record_movement")
def _record_movement_for_foreign_service(session, b, a):
    return inventory.record_movement(
        session,
        b,
        _own(session, b, InventoryItem).id,
        "service_use",
        "-1",
        service_id=a.ids["service"],
    )


@probe("inventory.list_items", expect=_no_foreign_items)
def _list_items(session, b, a):
    return inventory.list_items(session, b, ItemQuery(archived="all", page_size=100))


@probe("inventory.list_items", expect=_no_foreign_items)
def _list_items_searching_foreign_name(session, b, a):
    # "a" is also in B's "Cuerda B": only B's item may be listed.
    return inventory.list_items(session, b, ItemQuery(search="Cuerda A", archived="all"))


@probe("inventory.list_items", expect=_nothing_listed)
def _list_items_of_a_category_b_lacks(session, b, a):
    return inventory.list_items(session, b, ItemQuery(category="hammers", archived="all"))


@probe("inventory.list_items", expect=_no_foreign_items)
def _list_low_stock_items(session, b, a):
    return inventory.list_items(session, b, ItemQuery(low_stock_only=True, archived="all"))


def _no_low_stock(result, a):
    # B's only item has 10 with a minimum of 2 (A's is the same: not counted).
    assert result == 0


@probe("inventory.low_stock_count", expect=_no_low_stock)
def _low_stock_count(session, b, a):
    return inventory.low_stock_count(session, b)


@probe("inventory.get_item")
def _get_item(session, b, a):
    return inventory.get_item(session, b, a.ids["inventory_item"])


def _own_history(result, a):
    assert a.ids["stock_movement"] not in {m["id"] for m in result["movements"]}
    assert a.ids["service"] not in {m["service_id"] for m in result["movements"]}
    assert_no_trace_of(result, a)


@probe("inventory.get_item", expect=_own_history)
def _get_own_item(session, b, a):
    return inventory.get_item(session, b, _own(session, b, InventoryItem).id)


# -- materials used in a service ----------------------------------------------------
@probe("inventory.set_service_materials")
def _set_foreign_service_materials(session, b, a):
    return inventory.set_service_materials(session, b, a.ids["service"], [])


@probe("inventory.set_service_materials")
def _set_own_service_materials_with_foreign_item(session, b, a):
    return inventory.set_service_materials(
        session,
        b,
        _own(session, b, Service).id,
        [{"item_id": a.ids["inventory_item"], "quantity": "1"}],
    )


@probe("inventory.return_service_materials")
def _return_service_materials(session, b, a):
    return inventory.return_service_materials(session, b, a.ids["service"])


@probe("inventory.get_service_materials")
def _get_service_materials(session, b, a):
    return inventory.get_service_materials(session, b, a.ids["service"])


def _own_materials(result, a):
    assert [m["item_id"] for m in result] != [a.ids["inventory_item"]]
    assert all(m["quantity"] == Decimal(1) for m in result)
    assert "Cuerda A" not in repr(result)


@probe("inventory.get_service_materials", expect=_own_materials)
def _get_own_service_materials(session, b, a):
    return inventory.get_service_materials(session, b, _own(session, b, Service).id)


# -- services saved with materials --------------------------------------------------
@probe("services.create_service")
def _create_service_with_foreign_material(session, b, a):
    return services.create_service(
        session,
        b,
        ServiceInput(
            piano_id=_own(session, b, Piano).id,
            service_type="repair",
            service_date=local_today(),
            materials=[{"item_id": a.ids["inventory_item"], "quantity": "1"}],
        ),
    )


@probe("services.update_service")
def _update_service_with_foreign_material(session, b, a):
    return services.update_service(
        session,
        b,
        _own(session, b, Service).id,
        ServiceInput(
            service_type="repair",
            service_date=local_today(),
            materials=[{"item_id": a.ids["inventory_item"], "quantity": "1"}],
        ),
    )
