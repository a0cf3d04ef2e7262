"""Helpers of the money tests (rates, quotes, invoices, numbering): a
technician's client, piano, completed service with materials and business
info, made through the domain functions and committed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from piano_emotion.domain import business, clients, inventory, pianos, services
from piano_emotion.domain.alerts import local_today  # Spain's date, like the app
from piano_emotion.domain.business import BusinessInfoInput
from piano_emotion.domain.clients import ClientInput
from piano_emotion.domain.inventory import ItemInput
from piano_emotion.domain.pianos import PianoInput
from piano_emotion.domain.services import ServiceInput
from piano_emotion.models import BusinessInfo, Client, Piano, Service, User

TODAY = local_today()
D = Decimal


def add_client(session: Session, user: User, name: str = "Lucía Fernández", **extra) -> Client:
    extra.setdefault("tax_id", "12345678Z")
    extra.setdefault("email", "lucia@example.es")
    extra.setdefault("address", "Calle Mayor 1")
    extra.setdefault("postal_code", "28013")
    extra.setdefault("city", "Madrid")
    client = clients.create_client(session, user, ClientInput(name=name, **extra))
    session.commit()
    return client


def add_piano(session: Session, user: User, client: Client, brand: str = "Yamaha") -> Piano:
    piano = pianos.create_piano(
        session, user, PianoInput(client_id=client.id, brand=brand, model="U3")
    )
    session.commit()
    return piano


def add_service(
    session: Session,
    user: User,
    piano: Piano,
    *,
    service_type: str = "tuning",
    status: str = "completed",
    cost: str = "80",
    materials: list[dict[str, Any]] | None = None,
    days_ago: int = 3,
) -> Service:
    service = services.create_service(
        session,
        user,
        ServiceInput(
            piano_id=piano.id,
            service_type=service_type,
            status=status,
            service_date=TODAY - timedelta(days=days_ago),
            cost=cost,
            materials=materials,
        ),
    )
    session.commit()
    return service


def add_item(session: Session, user: User, name: str, cost: str = "3.50", quantity: str = "20"):
    item = inventory.create_item(
        session, user, ItemInput(name=name, quantity=quantity, cost_per_unit=cost)
    )
    session.commit()
    return item


def complete_business_info(session: Session, user: User, **overrides) -> BusinessInfo:
    values = {
        "business_name": "Pianos Ana SL",
        "tax_id": "B12345674",
        "address": "Calle del Piano 3",
        "city": "Sevilla",
        "postal_code": "41001",
        "region": "Sevilla",
        "phone": "612345678",
        "email": "ana@pianos.es",
        "iban": "ES9121000418450200051332",
        **overrides,
    }
    info = business.save_business_info(session, user, BusinessInfoInput(**values))
    session.commit()
    return info


def line(description: str = "Afinación", price: str = "100", **extra) -> dict[str, Any]:
    return {"kind": "service", "description": description, "unit_price": price, **extra}
