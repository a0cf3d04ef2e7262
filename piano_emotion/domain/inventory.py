"""Inventory: items in stock, their movements, and the materials a service uses.

Stock only changes through movements (``record_movement``): each one locks
the item row (``SELECT … FOR UPDATE``), so two transactions using the same
item are serialised, and stores the quantity it left (``quantity_after``).
Stock never goes negative silently: a movement that would take it below
zero is refused with ``error.stock_negative`` unless the technician
confirmed (``allow_negative=True``).

A service's ``ServiceMaterial`` rows are always what that service currently
has taken from stock: ``set_service_materials`` records the differences
(``service_use`` / ``service_return``) in the caller's transaction, and a
cancelled or deleted service gives everything back
(``return_service_materials``) and keeps no materials.

Reads return plain dicts through the cache; writes invalidate ``inventory``
and the item records they touched (material changes also ``services`` and
the service's record).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from piano_emotion.domain.cached import cached_read, invalidate_on_commit
from piano_emotion.domain.errors import NotFound, ValidationFailed
from piano_emotion.domain.listing import ARCHIVE_FILTERS, PageResult, clamp_page, search_words
from piano_emotion.domain.tenancy import get_owned, get_owned_for_update, owned
from piano_emotion.formatting import parse_decimal
from piano_emotion.models import InventoryItem, Service, ServiceMaterial, StockMovement, User
from piano_emotion.models.enums import InventoryCategory, ServiceStatus, StockMovementReason
from piano_emotion.text import normalise_search_text

QUANTUM = Decimal("0.001")  # QUANTITY columns keep three decimals
CENT = Decimal("0.01")
MAX_QUANTITY = Decimal("999999999.999")  # NUMERIC(12, 3)
MAX_AMOUNT = Decimal("9999999999.99")  # NUMERIC(12, 2)
MAX_MATERIALS = 100
HISTORY_LIMIT = 100
SORTS = {
    "name": (InventoryItem.name, InventoryItem.id),
    "-name": (InventoryItem.name.desc(), InventoryItem.id.desc()),
    "quantity": (InventoryItem.quantity, InventoryItem.name, InventoryItem.id),
    "-quantity": (InventoryItem.quantity.desc(), InventoryItem.name, InventoryItem.id),
    "category": (InventoryItem.category, InventoryItem.name, InventoryItem.id),
    "-updated": (InventoryItem.updated_at.desc(), InventoryItem.id.desc()),
}
# Reasons and the sign their delta must have (None: either, not zero).
REASON_SIGN = {
    StockMovementReason.PURCHASE: 1,
    StockMovementReason.SERVICE_USE: -1,
    StockMovementReason.SERVICE_RETURN: 1,
    StockMovementReason.ADJUSTMENT: None,
}


# -- parsing ------------------------------------------------------------------
def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(value: Any, quantum: Decimal) -> Decimal | None:
    """A number typed by a user ("1,5", "1.234,56") or given by code; ValueError if not one."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | float):
        number = Decimal(str(value))
    else:
        number = parse_decimal(str(value))
    if not number.is_finite():
        raise ValueError(value)
    try:
        return number.quantize(quantum, rounding=ROUND_HALF_UP)
    except ArithmeticError as exc:  # too many digits
        raise ValueError(value) from exc


def _quantity(value: Any) -> Decimal | None:
    number = _number(value, QUANTUM)
    if number is not None and abs(number) > MAX_QUANTITY:
        raise ValueError(value)
    return number


def _amount(value: Any) -> Decimal | None:
    number = _number(value, CENT)
    if number is not None and abs(number) > MAX_AMOUNT:
        raise ValueError(value)
    return number


def _id(value: Any) -> int | None:
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    return int(str(value).strip()) if not isinstance(value, int) else value


# -- items --------------------------------------------------------------------
@dataclass
class ItemInput:
    name: str = ""
    category: str = InventoryCategory.OTHER.value
    sku: str = ""
    # The initial stock (create only: afterwards stock changes through movements).
    quantity: Decimal | int | str | None = None
    unit: str = "ud"
    min_stock: Decimal | int | str | None = None
    cost_per_unit: Decimal | int | str | None = None
    supplier: str = ""
    notes: str = ""

    @classmethod
    def from_form(cls, form: dict[str, Any]) -> ItemInput:
        return cls(
            **{
                f.name: str(form.get(f.name, "") or "").strip()
                for f in fields(cls)
                if f.name in form
            }
        )


def validate_item(
    data: ItemInput, *, initial: bool = True
) -> tuple[dict[str, str], dict[str, Any]]:
    """Field errors (translation keys) and the cleaned values.

    ``initial`` False (an edit) ignores ``quantity``: stock only changes
    through movements.
    """
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    name = str(data.name or "").strip()
    if not name:
        errors["name"] = "error.name_required"
    elif len(name) > 160:
        errors["name"] = "error.too_long"
    cleaned["name"] = name
    category = str(data.category or "").strip() or InventoryCategory.OTHER.value
    if category in InventoryCategory._value2member_map_:
        cleaned["category"] = InventoryCategory(category)
    else:
        errors["category"] = "error.choice_invalid"
    for name_, limit in (("sku", 64), ("unit", 16), ("supplier", 160)):
        text = str(getattr(data, name_) or "").strip()
        if len(text) > limit:
            errors[name_] = "error.too_long"
        cleaned[name_] = text
    cleaned["unit"] = cleaned["unit"] or "ud"
    cleaned["notes"] = str(data.notes or "").strip()

    quantities = ("quantity", "min_stock") if initial else ("min_stock",)
    for name_ in quantities:
        try:
            value = _quantity(getattr(data, name_))
            value = Decimal("0.000") if value is None else value
            if value < 0:
                errors[name_] = "error.quantity_negative"
            cleaned[name_] = value
        except ValueError:
            errors[name_] = "error.quantity_invalid"
    try:
        cost = _amount(data.cost_per_unit)
        cost = Decimal("0.00") if cost is None else cost
        if cost < 0:
            errors["cost_per_unit"] = "error.amount_negative"
        cleaned["cost_per_unit"] = cost
    except ValueError:
        errors["cost_per_unit"] = "error.amount_invalid"
    return errors, cleaned


def _apply(item: InventoryItem, cleaned: dict[str, Any]) -> None:
    for name in ("name", "category", "sku", "unit", "min_stock", "cost_per_unit", "supplier"):
        setattr(item, name, cleaned[name])
    item.notes = cleaned["notes"]


def _item_changed(session: Session, user: User, *item_ids: int, more: tuple[str, ...] = ()):
    invalidate_on_commit(
        session,
        user,
        "inventory",
        *more,
        records=[("inventory_item", item_id) for item_id in dict.fromkeys(item_ids)],
    )


def _lock_item(session: Session, user: User, item_id: Any) -> InventoryItem:
    """The technician's item, locked (``FOR UPDATE``) and re-read from the row.

    ``populate_existing``: an item already in the session (loaded before
    another transaction changed it) must not be used with its old quantity.
    """
    # Same as tenancy.get_owned_for_update, plus populate_existing.
    try:
        item_id = _id(item_id)
    except (TypeError, ValueError):
        item_id = None
    row = None
    if item_id is not None:
        row = session.exec(
            owned(InventoryItem, user)
            .where(InventoryItem.id == item_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()
    if row is None:
        raise NotFound(InventoryItem.__tablename__)
    return row


def _move(
    session: Session,
    user: User,
    item: InventoryItem,
    reason: StockMovementReason,
    delta: Decimal,
    *,
    note: str = "",
    service_id: int | None = None,
) -> StockMovement:
    """Apply ``delta`` to a locked item and record the movement (no checks)."""
    item.quantity = (Decimal(item.quantity) + delta).quantize(QUANTUM)
    session.add(item)
    movement = StockMovement(
        technician_id=user.id,
        item_id=item.id,
        reason=reason,
        quantity_delta=delta,
        quantity_after=item.quantity,
        service_id=service_id,
        note=note,
    )
    session.add(movement)
    return movement


def create_item(session: Session, user: User, data: ItemInput) -> InventoryItem:
    """A new item; an initial quantity above zero is recorded as a purchase."""
    errors, cleaned = validate_item(data)
    if errors:
        raise ValidationFailed(errors)
    item = InventoryItem(technician_id=user.id, name=cleaned["name"], quantity=Decimal("0.000"))
    _apply(item, cleaned)
    session.add(item)
    session.flush()
    if cleaned["quantity"] > 0:
        _move(session, user, item, StockMovementReason.PURCHASE, cleaned["quantity"])
        session.flush()
    _item_changed(session, user, item.id)
    return item


def update_item(session: Session, user: User, item_id: int, data: ItemInput) -> InventoryItem:
    """Save an item's details; ``data.quantity`` is ignored (use movements)."""
    item = get_owned(session, InventoryItem, item_id, user)
    errors, cleaned = validate_item(data, initial=False)
    if errors:
        raise ValidationFailed(errors)
    _apply(item, cleaned)
    session.add(item)
    session.flush()
    # Service details may show the item's name.
    _item_changed(session, user, item.id, more=("services",))
    return item


def set_item_archived(session: Session, user: User, item_id: int, archived: bool) -> InventoryItem:
    item = get_owned(session, InventoryItem, item_id, user)
    item.archived = bool(archived)
    session.add(item)
    session.flush()
    _item_changed(session, user, item.id)
    return item


def _reason(value: Any) -> StockMovementReason:
    if isinstance(value, StockMovementReason):
        return value
    text = str(value or "").strip()
    if text not in StockMovementReason._value2member_map_:
        raise ValidationFailed({"reason": "error.choice_invalid"})
    return StockMovementReason(text)


def record_movement(
    session: Session,
    user: User,
    item_id: int,
    reason: StockMovementReason | str,
    quantity_delta: Decimal | int | str,
    note: str = "",
    service_id: int | None = None,
    allow_negative: bool = False,
) -> StockMovement:
    """Change an item's stock by ``quantity_delta`` (signed) for ``reason``.

    Purchases and returns add, a service use takes, an adjustment does
    either. The item row is locked until the caller's transaction ends. A
    movement that takes the stock below zero raises ``ValidationFailed``
    (``error.stock_negative``, with ``available``) unless ``allow_negative``.
    """
    reason = _reason(reason)
    try:
        delta = _quantity(quantity_delta)
    except ValueError:
        raise ValidationFailed({"quantity": "error.quantity_invalid"}) from None
    sign = REASON_SIGN[reason]
    if delta is None or delta == 0 or (sign is not None and delta * sign < 0):
        raise ValidationFailed({"quantity": "error.quantity_invalid"})
    text = str(note or "").strip()
    if len(text) > 255:
        raise ValidationFailed({"note": "error.too_long"})
    if service_id is not None:
        service_id = get_owned(session, Service, service_id, user).id
    item = _lock_item(session, user, item_id)
    after = Decimal(item.quantity) + delta
    if abs(after) > MAX_QUANTITY:
        raise ValidationFailed({"quantity": "error.quantity_invalid"})
    if delta < 0 and after < 0 and not allow_negative:
        raise ValidationFailed(
            {"quantity": "error.stock_negative"},
            available=Decimal(item.quantity),
            requested=-delta,
            item=item.name,
            unit=item.unit,
        )
    movement = _move(session, user, item, reason, delta, note=text, service_id=service_id)
    session.flush()
    more = ("services",) if service_id is not None else ()
    _item_changed(session, user, item.id, more=more)
    return movement


# -- materials used in a service ------------------------------------------------
@dataclass(frozen=True)
class MaterialLine:
    item_id: int
    quantity: Decimal
    unit_price: Decimal | None  # None: the item's cost (or the price already set)


def parse_materials(raw: list[dict[str, Any]] | None) -> tuple[list[MaterialLine], dict[str, str]]:
    """The material rows of a service form and their field errors.

    Rows without an item are blank rows of the form and are skipped; the
    same item twice is one line with the quantities added up. Errors are
    keyed ``materials.<row>.<field>`` (and ``materials`` with the first one).
    """
    errors: dict[str, str] = {}
    lines: dict[int, MaterialLine] = {}
    rows = list(raw or [])
    if len(rows) > MAX_MATERIALS:
        return [], {"materials": "error.too_many_materials"}
    for row_number, entry in enumerate(rows):
        entry = entry if isinstance(entry, dict) else {}
        try:
            item_id = _id(entry.get("item_id"))
        except (TypeError, ValueError):
            errors[f"materials.{row_number}.item_id"] = "error.choice_invalid"
            continue
        if item_id is None:
            continue
        try:
            quantity = _quantity(entry.get("quantity"))
            if quantity is None or quantity <= 0:
                raise ValueError(quantity)
        except ValueError:
            errors[f"materials.{row_number}.quantity"] = "error.quantity_invalid"
            continue
        try:
            price = _amount(entry.get("unit_price"))
            if price is not None and price < 0:
                errors[f"materials.{row_number}.unit_price"] = "error.amount_negative"
                continue
        except ValueError:
            errors[f"materials.{row_number}.unit_price"] = "error.amount_invalid"
            continue
        if item_id in lines:
            previous = lines[item_id]
            quantity += previous.quantity
            price = price if price is not None else previous.unit_price
            if quantity > MAX_QUANTITY:
                errors[f"materials.{row_number}.quantity"] = "error.quantity_invalid"
                continue
        lines[item_id] = MaterialLine(item_id, quantity, price)
    if errors:
        errors["materials"] = next(iter(errors.values()))
    return list(lines.values()), errors


def _lines(materials: list[dict[str, Any]] | list[MaterialLine] | None) -> list[MaterialLine]:
    if materials and all(isinstance(m, MaterialLine) for m in materials):
        return list(materials)  # type: ignore[arg-type]
    lines, errors = parse_materials(materials)  # type: ignore[arg-type]
    if errors:
        raise ValidationFailed(errors)
    return lines


def _current_materials(session: Session, user: User, service_id: int) -> list[ServiceMaterial]:
    # A locking read: under REPEATABLE READ it sees the latest committed rows
    # (a plain read could see the transaction's older snapshot).
    return list(
        session.exec(
            owned(ServiceMaterial, user)
            .where(ServiceMaterial.service_id == service_id)
            .order_by(ServiceMaterial.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()
    )


def _lock_service(session: Session, user: User, service_id: Any) -> Service:
    """The technician's service, locked: two edits of one service's materials
    never compute their differences from the same rows."""
    try:
        service_id = _id(service_id)
    except (TypeError, ValueError):
        service_id = None
    return get_owned_for_update(session, Service, service_id, user)


def set_service_materials(
    session: Session,
    user: User,
    service_id: int,
    materials: list[dict[str, Any]] | list[MaterialLine],
    allow_negative: bool = False,
) -> list[ServiceMaterial]:
    """Make ``materials`` (``[{item_id, quantity, unit_price?}]``) the service's
    materials, in the caller's transaction.

    Per item, the difference with what the service had is taken from stock
    (``service_use``) or put back (``service_return``). If that leaves any
    item below zero, nothing is written and ``ValidationFailed``
    (``{"materials": "error.stock_negative"}``, ``items=[{item_id, name,
    unit, available, requested}]``) is raised, unless ``allow_negative``
    (the technician confirmed). A cancelled service takes no materials.
    """
    service = _lock_service(session, user, service_id)
    lines = _lines(materials)
    if lines and service.status == ServiceStatus.CANCELLED:
        raise ValidationFailed({"materials": "error.service_cancelled"})
    current = _current_materials(session, user, service.id)
    if not current and not lines:
        return []
    had: dict[int, Decimal] = {}
    old_price: dict[int, Decimal] = {}
    for row in current:
        had[row.item_id] = had.get(row.item_id, Decimal(0)) + Decimal(row.quantity)
        old_price[row.item_id] = Decimal(row.unit_price)
    wanted = {line.item_id: line for line in lines}

    # Lock every item involved in id order (two services sharing items
    # never wait for each other in opposite orders), then check, then write.
    items = {
        item_id: _lock_item(session, user, item_id) for item_id in sorted(set(had) | set(wanted))
    }
    changes: list[tuple[InventoryItem, Decimal]] = []
    short = []
    for item_id, item in items.items():
        need = wanted[item_id].quantity if item_id in wanted else Decimal(0)
        delta = had.get(item_id, Decimal(0)) - need  # what goes back to stock (signed)
        if delta == 0:
            continue
        after = Decimal(item.quantity) + delta
        if abs(after) > MAX_QUANTITY:
            raise ValidationFailed({"materials": "error.quantity_invalid"})
        if delta < 0 and after < 0:
            short.append(
                {
                    "item_id": item.id,
                    "name": item.name,
                    "unit": item.unit,
                    "available": Decimal(item.quantity),
                    "requested": -delta,
                }
            )
        changes.append((item, delta))
    if short and not allow_negative:
        raise ValidationFailed({"materials": "error.stock_negative"}, items=short)

    for item, delta in changes:
        reason = (
            StockMovementReason.SERVICE_RETURN if delta > 0 else StockMovementReason.SERVICE_USE
        )
        _move(session, user, item, reason, delta, service_id=service.id)
    for row in current:
        session.delete(row)
    session.flush()
    rows = []
    for line in lines:
        price = line.unit_price
        if price is None:
            price = old_price.get(line.item_id, Decimal(items[line.item_id].cost_per_unit))
        row = ServiceMaterial(
            technician_id=user.id,
            service_id=service.id,
            item_id=line.item_id,
            quantity=line.quantity,
            unit_price=price,
        )
        session.add(row)
        rows.append(row)
    session.flush()
    invalidate_on_commit(
        session,
        user,
        "inventory",
        "services",
        records=[("service", service.id)] + [("inventory_item", i) for i in items],
    )
    return rows


def return_service_materials(session: Session, user: User, service_id: int) -> int:
    """Put everything the service took back in stock (``service_return``) and
    drop its materials (a cancelled or deleted service). Returns how many
    material rows were returned."""
    service = _lock_service(session, user, service_id)
    current = _current_materials(session, user, service.id)
    if not current:
        return 0
    back: dict[int, Decimal] = {}
    for row in current:
        back[row.item_id] = back.get(row.item_id, Decimal(0)) + Decimal(row.quantity)
    for item_id in sorted(back):
        item = _lock_item(session, user, item_id)
        _move(
            session,
            user,
            item,
            StockMovementReason.SERVICE_RETURN,
            back[item_id],
            service_id=service.id,
        )
    for row in current:
        session.delete(row)
    session.flush()
    invalidate_on_commit(
        session,
        user,
        "inventory",
        "services",
        records=[("service", service.id)] + [("inventory_item", i) for i in back],
    )
    return len(current)


# -- reads --------------------------------------------------------------------
def _flag_filter(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on", "si", "sí"}
    return bool(value)


@dataclass(frozen=True)
class ItemQuery:
    search: str = ""
    category: str = ""
    low_stock_only: bool = False
    archived: str = "active"
    sort: str = "name"
    page: int = 1
    page_size: int = 25

    def normalised(self) -> ItemQuery:
        page, size = clamp_page(self.page, self.page_size)
        return ItemQuery(
            search=(self.search or "").strip()[:100],
            category=self.category if self.category in InventoryCategory._value2member_map_ else "",
            low_stock_only=_flag_filter(self.low_stock_only),
            archived=self.archived if self.archived in ARCHIVE_FILTERS else "active",
            sort=self.sort if self.sort in SORTS else "name",
            page=page,
            page_size=size,
        )


def _is_low(item: InventoryItem) -> bool:
    return Decimal(item.quantity) <= Decimal(item.min_stock)


def _item_summary(item: InventoryItem) -> dict[str, Any]:
    quantity = Decimal(item.quantity)
    cost = Decimal(item.cost_per_unit)
    return {
        "id": item.id,
        "name": item.name,
        "category": item.category.value,
        "sku": item.sku,
        "quantity": quantity,
        "unit": item.unit,
        "min_stock": Decimal(item.min_stock),
        "cost_per_unit": cost,
        "stock_value": (quantity * cost).quantize(CENT, rounding=ROUND_HALF_UP),
        "supplier": item.supplier,
        "archived": item.archived,
        "low_stock": _is_low(item),
    }


def _item_search_text(item: InventoryItem) -> str:
    return normalise_search_text(item.name, item.sku, item.supplier)


def _list_items(session: Session, user: User, query: ItemQuery) -> dict[str, Any]:
    filters = [InventoryItem.technician_id == user.id]
    if query.archived == "active":
        filters.append(InventoryItem.archived == sa.false())
    elif query.archived == "archived":
        filters.append(InventoryItem.archived == sa.true())
    if query.category:
        filters.append(InventoryItem.category == InventoryCategory(query.category))
    if query.low_stock_only:
        filters.append(InventoryItem.quantity <= InventoryItem.min_stock)
    ordered = select(InventoryItem).where(*filters).order_by(*SORTS[query.sort])
    offset = (query.page - 1) * query.page_size
    words = search_words(query.search)
    if words:
        # Items have no stored search key, so the accent-free match is made
        # here (one technician's inventory is a few hundred rows at most).
        matching = [
            item
            for item in session.exec(ordered).all()
            if all(word in _item_search_text(item) for word in words)
        ]
        total = len(matching)
        rows = matching[offset : offset + query.page_size]
    else:
        total = session.exec(select(sa.func.count(InventoryItem.id)).where(*filters)).one()
        rows = session.exec(ordered.offset(offset).limit(query.page_size)).all()
    items = [_item_summary(item) for item in rows]
    return PageResult(items, int(total), query.page, query.page_size).as_dict()


def list_items(session: Session, user: User, query: ItemQuery | None = None) -> dict[str, Any]:
    """A page of items (``{items, total, page, page_size, pages}``), each with
    its ``low_stock`` flag (quantity ≤ minimum)."""
    query = (query or ItemQuery()).normalised()
    return cached_read(
        user,
        "inventory",
        "list",
        query.__dict__,
        lambda: _list_items(session, user, query),
        depends_on=("inventory",),
    )


def _low_stock_count(session: Session, user: User) -> int:
    return int(
        session.exec(
            select(sa.func.count(InventoryItem.id)).where(
                InventoryItem.technician_id == user.id,
                InventoryItem.archived == sa.false(),
                InventoryItem.quantity <= InventoryItem.min_stock,
            )
        ).one()
    )


def low_stock_count(session: Session, user: User) -> int:
    """Active items at or below their minimum stock (the sidebar badge)."""
    return cached_read(
        user,
        "inventory",
        "low_stock_count",
        None,
        lambda: _low_stock_count(session, user),
        depends_on=("inventory",),
    )


def _item_detail(session: Session, user: User, item_id: int) -> dict[str, Any]:
    item = get_owned(session, InventoryItem, item_id, user)
    rows = session.exec(
        select(StockMovement, Service.service_date)
        .outerjoin(
            Service,
            sa.and_(Service.id == StockMovement.service_id, Service.technician_id == user.id),
        )
        .where(StockMovement.technician_id == user.id, StockMovement.item_id == item.id)
        .order_by(StockMovement.created_at.desc(), StockMovement.id.desc())
        .limit(HISTORY_LIMIT)
    ).all()
    total = session.exec(
        select(sa.func.count(StockMovement.id)).where(
            StockMovement.technician_id == user.id, StockMovement.item_id == item.id
        )
    ).one()
    return {
        **_item_summary(item),
        "notes": item.notes,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "movement_count": int(total),
        "movements": [
            {
                "id": movement.id,
                "created_at": movement.created_at,
                "reason": movement.reason.value,
                "quantity_delta": Decimal(movement.quantity_delta),
                "quantity_after": Decimal(movement.quantity_after),
                "note": movement.note,
                "service_id": movement.service_id,
                "service_date": service_date,
            }
            for movement, service_date in rows
        ],
    }


def get_item(session: Session, user: User, item_id: int) -> dict[str, Any]:
    """An item with its latest movements (newest first, with the linked
    service's id and date); ``NotFound`` if not theirs."""
    return cached_read(
        user,
        "inventory",
        "detail",
        {"id": item_id},
        lambda: _item_detail(session, user, item_id),
        # Movements show their service's date.
        depends_on=("services",),
        records=[("inventory_item", item_id)],
    )


def _service_materials(session: Session, user: User, service_id: int) -> list[dict[str, Any]]:
    service = get_owned(session, Service, service_id, user)
    rows = session.exec(
        select(ServiceMaterial, InventoryItem)
        .join(InventoryItem, InventoryItem.id == ServiceMaterial.item_id)
        .where(
            ServiceMaterial.technician_id == user.id,
            ServiceMaterial.service_id == service.id,
            InventoryItem.technician_id == user.id,
        )
        .order_by(InventoryItem.name, ServiceMaterial.id)
    ).all()
    return [
        {
            "item_id": item.id,
            "name": item.name,
            "unit": item.unit,
            "quantity": Decimal(material.quantity),
            "unit_price": Decimal(material.unit_price),
            "total": (Decimal(material.quantity) * Decimal(material.unit_price)).quantize(
                CENT, rounding=ROUND_HALF_UP
            ),
        }
        for material, item in rows
    ]


def get_service_materials(session: Session, user: User, service_id: int) -> list[dict[str, Any]]:
    """The materials a service used (item, quantity, unit price, line total)."""
    return cached_read(
        user,
        "inventory",
        "service_materials",
        {"service_id": service_id},
        lambda: _service_materials(session, user, service_id),
        depends_on=("inventory",),
        records=[("service", service_id)],
    )
