"""Small, complete data sets for tests: one row of every kind per technician.

``populate`` gives a technician a client, a piano, a service with its
checklist and materials, an appointment, a reminder, a quote and an invoice
with lines, a rate, an inventory item with a movement, an alert, business
info, maintenance settings and a message template, and returns their ids.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from sqlmodel import Session

from piano_emotion.auth.passwords import hash_password
from piano_emotion.domain.alerts import local_today  # Spain's date, like the app
from piano_emotion.models import (
    Appointment,
    BusinessInfo,
    Client,
    DocumentCounter,
    InventoryItem,
    Invoice,
    InvoiceLine,
    MaintenanceAlert,
    MaintenanceSettings,
    MessageTemplate,
    Piano,
    PianoPhoto,
    Quote,
    QuoteLine,
    Reminder,
    Service,
    ServiceMaterial,
    ServiceRate,
    ServiceTask,
    StockMovement,
    User,
)
from piano_emotion.models.enums import (
    AlertLevel,
    DocumentKind,
    InventoryCategory,
    InvoiceStatus,
    MaintenanceAlertKind,
    MessageChannel,
    ServiceStatus,
    ServiceType,
    StockMovementReason,
)
from piano_emotion.models.types import utcnow

# Hashing is slow on purpose; tests share one hash.
TEST_PASSWORD = "Secreta123!"
_TEST_HASH = hash_password(TEST_PASSWORD)


@dataclass
class TenantData:
    user: User
    ids: dict[str, int] = field(default_factory=dict)


def make_technician(session: Session, name: str = "Técnico", email: str | None = None) -> User:
    user = User(
        name=name,
        email=email or f"tec-{secrets.token_hex(4)}@example.es",
        password_hash=_TEST_HASH,
    )
    session.add(user)
    session.flush()
    return user


def populate(session: Session, user: User, label: str = "A") -> TenantData:
    """One row of every business table for ``user``; committed."""
    tid = user.id
    today = local_today()
    data = TenantData(user=user)

    def add(key: str, row):
        session.add(row)
        session.flush()
        data.ids[key] = row.id
        return row

    client = add(
        "client",
        Client(
            technician_id=tid,
            name=f"Cliente {label} García",
            email=f"cliente{label.lower()}@example.es",
            phone="612345678",
            city="Madrid",
            search_text=f"cliente {label.lower()} garcia",
        ),
    )
    piano = add(
        "piano",
        Piano(
            technician_id=tid,
            client_id=client.id,
            brand="Yamaha",
            model="U3",
            serial_number=f"SER-{label}-1",
            search_text=f"yamaha u3 ser-{label.lower()}-1",
        ),
    )
    add("piano_photo", PianoPhoto(technician_id=tid, piano_id=piano.id, file_path="p/1.jpg"))
    item = add(
        "inventory_item",
        InventoryItem(
            technician_id=tid,
            name=f"Cuerda {label}",
            category=InventoryCategory.STRINGS,
            quantity=Decimal("10"),
            min_stock=Decimal("2"),
            cost_per_unit=Decimal("3.50"),
        ),
    )
    add(
        "stock_movement",
        StockMovement(
            technician_id=tid,
            item_id=item.id,
            reason=StockMovementReason.PURCHASE,
            quantity_delta=Decimal("10"),
            quantity_after=Decimal("10"),
        ),
    )
    appointment = add(
        "appointment",
        Appointment(
            technician_id=tid,
            client_id=client.id,
            piano_id=piano.id,
            title=f"Afinación {label}",
            starts_at=utcnow() + timedelta(days=2),
        ),
    )
    service = add(
        "service",
        Service(
            technician_id=tid,
            piano_id=piano.id,
            client_id=client.id,
            appointment_id=appointment.id,
            service_type=ServiceType.TUNING,
            status=ServiceStatus.COMPLETED,
            service_date=today - timedelta(days=30),
            cost=Decimal("90.00"),
        ),
    )
    add("service_task", ServiceTask(technician_id=tid, service_id=service.id, label="Afinar"))
    add(
        "service_material",
        ServiceMaterial(
            technician_id=tid, service_id=service.id, item_id=item.id, quantity=Decimal("1")
        ),
    )
    add(
        "reminder",
        Reminder(
            technician_id=tid,
            client_id=client.id,
            piano_id=piano.id,
            due_date=today + timedelta(days=5),
            title=f"Llamar {label}",
        ),
    )
    add(
        "rate",
        ServiceRate(technician_id=tid, name=f"Afinación {label}", base_price=Decimal("90.00")),
    )
    quote = add(
        "quote",
        Quote(
            technician_id=tid,
            client_id=client.id,
            number=f"P-{today.year}-0001",
            quote_date=today,
            total=Decimal("121.00"),
        ),
    )
    add(
        "quote_line",
        QuoteLine(
            technician_id=tid,
            quote_id=quote.id,
            description="Regulación",
            unit_price=Decimal("100"),
        ),
    )
    invoice = add(
        "invoice",
        Invoice(
            technician_id=tid,
            client_id=client.id,
            service_id=service.id,
            number=f"F-{today.year}-0001",
            issue_date=today,
            status=InvoiceStatus.SENT,
            total=Decimal("108.90"),
            payment_token=secrets.token_urlsafe(24),
        ),
    )
    add(
        "invoice_line",
        InvoiceLine(
            technician_id=tid,
            invoice_id=invoice.id,
            description="Afinación",
            unit_price=Decimal("90"),
        ),
    )
    add(
        "document_counter",
        DocumentCounter(
            technician_id=tid, kind=DocumentKind.INVOICE, year=today.year, last_number=1
        ),
    )
    add(
        "maintenance_alert",
        MaintenanceAlert(
            technician_id=tid,
            piano_id=piano.id,
            kind=MaintenanceAlertKind.REGULATION,
            level=AlertLevel.PENDING,
        ),
    )
    add(
        "business_info",
        BusinessInfo(technician_id=tid, business_name=f"Pianos {label} SL", tax_id="B12345674"),
    )
    add("maintenance_settings", MaintenanceSettings(technician_id=tid))
    add(
        "message_template",
        MessageTemplate(technician_id=tid, channel=MessageChannel.EMAIL, body=f"Hola {label}"),
    )
    session.commit()
    return data
