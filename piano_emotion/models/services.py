"""Work done or planned on a piano, its checklist and the materials used."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field

from piano_emotion.models.base import TenantTable
from piano_emotion.models.enums import ServiceStatus, ServiceType
from piano_emotion.models.types import MONEY, PERCENT, QUANTITY, enum_field, money_field


class Service(TenantTable, table=True):
    __tablename__ = "services"
    __table_args__ = (
        sa.Index("ix_services_tech_date", "technician_id", "service_date"),
        sa.Index("ix_services_tech_status_date", "technician_id", "status", "service_date"),
        sa.Index("ix_services_tech_type_date", "technician_id", "service_type", "service_date"),
        sa.Index("ix_services_piano_type_date", "piano_id", "service_type", "service_date"),
        sa.CheckConstraint(
            "humidity_pct IS NULL OR (humidity_pct >= 0 AND humidity_pct <= 100)",
            name="humidity_range",
        ),
        sa.CheckConstraint(
            "temperature_c IS NULL OR (temperature_c >= -30 AND temperature_c <= 60)",
            name="temperature_range",
        ),
        sa.CheckConstraint("cost >= 0", name="cost_not_negative"),
        sa.CheckConstraint("duration_minutes >= 0", name="duration_not_negative"),
    )

    piano_id: int = Field(foreign_key="pianos.id", ondelete="CASCADE", index=True, nullable=False)
    # The piano's owner when the work was done (a piano can later move).
    client_id: int = Field(foreign_key="clients.id", ondelete="CASCADE", index=True, nullable=False)
    appointment_id: int | None = Field(
        default=None, foreign_key="appointments.id", ondelete="SET NULL", index=True
    )
    service_type: ServiceType = enum_field(ServiceType, "service_type")
    status: ServiceStatus = enum_field(ServiceStatus, "status", default=ServiceStatus.COMPLETED)
    service_date: date = Field(nullable=False)
    cost: Decimal = money_field()
    duration_minutes: int = Field(default=60)
    humidity_pct: Decimal | None = Field(default=None, sa_type=PERCENT)
    temperature_c: Decimal | None = Field(default=None, sa_type=PERCENT)
    notes: str = Field(default="", sa_type=sa.Text())
    technician_notes: str = Field(default="", sa_type=sa.Text())


class ServiceTask(TenantTable, table=True):
    """One line of a service's checklist."""

    __tablename__ = "service_tasks"

    service_id: int = Field(
        foreign_key="services.id", ondelete="CASCADE", index=True, nullable=False
    )
    position: int = Field(default=0)
    label: str = Field(max_length=200)
    done: bool = Field(default=False)


class ServiceMaterial(TenantTable, table=True):
    """An inventory item used in a service (stock goes down by ``quantity``)."""

    __tablename__ = "service_materials"
    __table_args__ = (sa.CheckConstraint("quantity > 0", name="quantity_positive"),)

    service_id: int = Field(
        foreign_key="services.id", ondelete="CASCADE", index=True, nullable=False
    )
    item_id: int = Field(
        foreign_key="inventory_items.id", ondelete="CASCADE", index=True, nullable=False
    )
    quantity: Decimal = Field(sa_type=QUANTITY)
    unit_price: Decimal = Field(default=Decimal("0.00"), sa_type=MONEY)
