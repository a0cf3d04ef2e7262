"""What quotes and invoices share: their client/piano/service, dates, the
lines pre-filled from a service, and storing lines with server-computed
amounts (``money`` does the arithmetic).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from piano_emotion.domain.business import get_business_info
from piano_emotion.domain.money import LineInput, Totals, compute_totals, with_amounts
from piano_emotion.domain.rates import find_rate_for_service_type
from piano_emotion.domain.services import parse_service_date
from piano_emotion.domain.tenancy import get_owned
from piano_emotion.models import (
    BusinessInfo,
    Client,
    InventoryItem,
    Invoice,
    InvoiceLine,
    Piano,
    Quote,
    QuoteLine,
    Service,
    ServiceMaterial,
    User,
)
from piano_emotion.models.billing import DEFAULT_TAX_RATE
from piano_emotion.models.enums import LineKind, ServiceStatus

YEARS = range(2000, 2101)
MAX_TITLE = 200
MAX_NOTES = 5000
ADDRESS_LIMIT = 400


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_id(value: Any) -> int | None:
    """An id from a form ("12") or code; None when blank; ValueError otherwise."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    return int(str(value).strip())


def parse_document_date(value: Any) -> date | None:
    """``date``, ISO or ``dd/mm/yyyy``; None when blank; ValueError otherwise."""
    parsed = parse_service_date(value)
    if parsed is not None and parsed.year not in YEARS:
        raise ValueError(value)
    return parsed


def default_tax_rate(info: BusinessInfo | None) -> Decimal:
    if info is None or info.default_tax_rate is None:
        return DEFAULT_TAX_RATE
    return Decimal(info.default_tax_rate)


@dataclass
class Parties:
    client: Client
    piano: Piano | None
    service: Service | None


def resolve_parties(
    session: Session, user: User, client_id: Any, piano_id: Any, service_id: Any
) -> tuple[Parties | None, dict[str, str]]:
    """The technician's client, piano and (completed) service of a document.

    Another technician's id raises ``NotFound``; a mismatch is a field error.
    The client may come from the service (or the piano) when not given; the
    piano from the service, when it is still that client's.
    """
    errors: dict[str, str] = {}
    ids: dict[str, int | None] = {}
    for name, value in (
        ("client_id", client_id),
        ("piano_id", piano_id),
        ("service_id", service_id),
    ):
        try:
            ids[name] = parse_id(value)
        except (TypeError, ValueError):
            errors[name] = "error.choice_invalid"
            ids[name] = None
    service = piano = client = None
    if ids["service_id"] is not None:
        service = get_owned(session, Service, ids["service_id"], user)
        if service.status != ServiceStatus.COMPLETED:
            errors["service_id"] = "error.service_not_completed"
    if ids["piano_id"] is not None:
        piano = get_owned(session, Piano, ids["piano_id"], user)
    if ids["client_id"] is not None:
        client = get_owned(session, Client, ids["client_id"], user)
    elif service is not None:
        client = get_owned(session, Client, service.client_id, user)
    elif piano is not None:
        client = get_owned(session, Client, piano.client_id, user)
    elif "client_id" not in errors:
        errors["client_id"] = "error.client_required"
    if client is not None:
        if piano is not None and piano.client_id != client.id:
            errors["piano_id"] = "error.piano_not_of_client"
        if service is not None and service.client_id != client.id:
            errors.setdefault("service_id", "error.service_not_of_client")
        if piano is None and service is not None and "service_id" not in errors:
            of_service = get_owned(session, Piano, service.piano_id, user)
            piano = of_service if of_service.client_id == client.id else None
    if client is None or errors:
        return None, errors
    return Parties(client, piano, service), errors


# -- lines pre-filled from a service ------------------------------------------------
def _service_label(service: Service, user: User) -> str:
    from piano_emotion.ui.i18n import enum_label

    locale = getattr(user.locale, "value", user.locale) or "es"
    return enum_label(service.service_type, locale)


def service_lines(session: Session, user: User, service_id: int) -> list[dict[str, Any]]:
    """The lines a document made from a service starts with (for the editor):
    one line from the active rate of the service's type (else the service's
    cost, described by its type), and one ``material`` line per material
    used, at its unit price. ``NotFound`` if the service is not theirs."""
    service = get_owned(session, Service, service_id, user)
    tax_rate = default_tax_rate(get_business_info(session, user))
    rate = find_rate_for_service_type(session, user, service.service_type)
    if rate is not None:
        first = {
            "kind": LineKind.SERVICE.value,
            "description": rate.name,
            "quantity": Decimal("1.000"),
            "unit_price": Decimal(rate.base_price),
            "discount_pct": Decimal("0.00"),
            "tax_rate": Decimal(rate.tax_rate),
        }
    else:
        first = {
            "kind": LineKind.SERVICE.value,
            "description": _service_label(service, user),
            "quantity": Decimal("1.000"),
            "unit_price": Decimal(service.cost or 0),
            "discount_pct": Decimal("0.00"),
            "tax_rate": tax_rate,
        }
    lines = [first]
    materials = session.exec(
        select(ServiceMaterial, InventoryItem)
        .join(InventoryItem, InventoryItem.id == ServiceMaterial.item_id)
        .where(
            ServiceMaterial.technician_id == user.id,
            ServiceMaterial.service_id == service.id,
            InventoryItem.technician_id == user.id,
        )
        .order_by(InventoryItem.name, ServiceMaterial.id)
    ).all()
    for material, item in materials:
        lines.append(
            {
                "kind": LineKind.MATERIAL.value,
                "description": item.name[:255],
                "quantity": Decimal(material.quantity),
                "unit_price": Decimal(material.unit_price),
                "discount_pct": Decimal("0.00"),
                "tax_rate": tax_rate,
            }
        )
    return lines


# -- stored lines -------------------------------------------------------------------
def _line_table(document: Quote | Invoice) -> tuple[type, Any]:
    if isinstance(document, Quote):
        return QuoteLine, QuoteLine.quote_id
    return InvoiceLine, InvoiceLine.invoice_id


def store_lines(
    session: Session, document: Quote | Invoice, lines: list[LineInput], *, replace: bool = True
) -> Totals:
    """Replace a (loaded, owned, locked) document's lines and set its totals.

    ``replace=False`` for a new document (it has no lines). The old lines are
    deleted by primary key: a ``DELETE … WHERE invoice_id = ?`` would lock
    the gap of the index after them (InnoDB, REPEATABLE READ), and two
    transactions inserting lines into the same gap would deadlock.
    """
    model, parent = _line_table(document)
    if replace:
        old = session.exec(
            select(model.id).where(
                model.technician_id == document.technician_id, parent == document.id
            )
        ).all()
        if old:
            session.execute(sa.delete(model).where(model.id.in_(list(old))))
    for position, line in enumerate(lines):
        values = with_amounts(line)
        values["kind"] = LineKind(values["kind"])
        session.add(
            model(
                technician_id=document.technician_id,
                position=position,
                **{parent.key: document.id},
                **values,
            )
        )
    totals = compute_totals(lines)
    document.subtotal = totals.subtotal
    document.tax_total = totals.tax_total
    document.total = totals.total
    session.add(document)
    session.flush()
    return totals


def stored_lines(session: Session, document: Quote | Invoice) -> list[Any]:
    model, parent = _line_table(document)
    return list(
        session.exec(
            select(model)
            .where(model.technician_id == document.technician_id, parent == document.id)
            .order_by(model.position, model.id)
        ).all()
    )


def as_line_inputs(rows: list[Any]) -> list[LineInput]:
    """Stored lines as cleaned ``LineInput`` values (to copy them)."""
    return [
        LineInput(
            kind=LineKind(row.kind).value,
            description=row.description,
            quantity=Decimal(row.quantity),
            unit_price=Decimal(row.unit_price),
            discount_pct=Decimal(row.discount_pct),
            tax_rate=Decimal(row.tax_rate),
        )
        for row in rows
    ]


def line_dict(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "position": row.position,
        "kind": LineKind(row.kind).value,
        "description": row.description,
        "quantity": Decimal(row.quantity),
        "unit_price": Decimal(row.unit_price),
        "discount_pct": Decimal(row.discount_pct),
        "tax_rate": Decimal(row.tax_rate),
        "net_amount": Decimal(row.net_amount),
        "tax_amount": Decimal(row.tax_amount),
        "total_amount": Decimal(row.total_amount),
    }


def client_dict(client: Client) -> dict[str, Any]:
    return {
        "id": client.id,
        "name": client.name,
        "email": client.email,
        "phone": client.phone,
        "tax_id": client.tax_id,
        "address": client.address,
        "city": client.city,
        "postal_code": client.postal_code,
        "region": client.region,
    }


def piano_dict(piano: Piano | None) -> dict[str, Any] | None:
    if piano is None:
        return None
    return {
        "id": piano.id,
        "name": f"{piano.brand} {piano.model}".strip(),
        "brand": piano.brand,
        "model": piano.model,
        "serial_number": piano.serial_number,
    }


def full_address(address: str, postal_code: str, city: str, region: str) -> str:
    town = " ".join(part for part in (postal_code, city) if part)
    return ", ".join(part for part in (address, town, region) if part)[:ADDRESS_LIMIT]
