"""Clients and their pianos."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field

from piano_emotion.models.base import TenantTable
from piano_emotion.models.enums import ClientType, PianoCategory, PianoCondition, PianoType
from piano_emotion.models.types import COORDINATE, enum_field


class Client(TenantTable, table=True):
    __tablename__ = "clients"
    __table_args__ = (
        sa.Index("ix_clients_tech_archived_name", "technician_id", "archived", "name"),
        sa.Index("ix_clients_tech_city", "technician_id", "city"),
        sa.Index("ix_clients_tech_type", "technician_id", "client_type"),
        sa.Index("ix_clients_tech_route", "technician_id", "route_group"),
        sa.Index("ix_clients_tech_created", "technician_id", "created_at"),
    )

    name: str = Field(max_length=160)
    client_type: ClientType = enum_field(ClientType, "client_type", default=ClientType.PARTICULAR)
    email: str = Field(default="", max_length=191)
    phone: str = Field(default="", max_length=32)
    tax_id: str = Field(default="", max_length=32)
    address: str = Field(default="", max_length=255)
    city: str = Field(default="", max_length=120)
    postal_code: str = Field(default="", max_length=16)
    region: str = Field(default="", max_length=120)
    notes: str = Field(default="", sa_type=sa.Text())
    route_group: str = Field(default="", max_length=80)
    latitude: Decimal | None = Field(default=None, sa_type=COORDINATE)
    longitude: Decimal | None = Field(default=None, sa_type=COORDINATE)
    archived: bool = Field(default=False)
    # Lower-case, accent-free copy of the searchable fields ("garcia" finds "García").
    search_text: str = Field(default="", max_length=1024)


class Piano(TenantTable, table=True):
    __tablename__ = "pianos"
    __table_args__ = (
        sa.Index("ix_pianos_tech_archived_brand", "technician_id", "archived", "brand"),
        sa.Index("ix_pianos_tech_category", "technician_id", "category"),
        sa.Index("ix_pianos_tech_condition", "technician_id", "condition"),
        sa.Index("ix_pianos_tech_serial", "technician_id", "serial_number"),
        sa.Index("ix_pianos_tech_created", "technician_id", "created_at"),
        sa.CheckConstraint(
            "service_interval_months IS NULL OR service_interval_months BETWEEN 0 AND 60",
            name="interval_range",
        ),
    )

    client_id: int = Field(foreign_key="clients.id", ondelete="CASCADE", index=True, nullable=False)
    brand: str = Field(max_length=80)
    model: str = Field(default="", max_length=80)
    serial_number: str = Field(default="", max_length=64)
    year: int | None = Field(default=None)
    category: PianoCategory = enum_field(PianoCategory, "category", default=PianoCategory.VERTICAL)
    piano_type: PianoType | None = enum_field(PianoType, "piano_type", default=None)
    # Height (vertical) or length (grand) in cm, which decides the type.
    size_cm: int | None = Field(default=None)
    condition: PianoCondition = enum_field(PianoCondition, "condition", default=PianoCondition.GOOD)
    room: str = Field(default="", max_length=80)
    floor: str = Field(default="", max_length=40)
    notes: str = Field(default="", sa_type=sa.Text())
    # Months between services for this piano (3, 6, 12; 0 = the client calls);
    # NULL uses the technician's default.
    service_interval_months: int | None = Field(default=None)
    # Per-piano overrides of the maintenance thresholds (days); NULL = technician's.
    tuning_pending_days: int | None = Field(default=None)
    tuning_urgent_days: int | None = Field(default=None)
    regulation_pending_days: int | None = Field(default=None)
    regulation_urgent_days: int | None = Field(default=None)
    archived: bool = Field(default=False)
    search_text: str = Field(default="", max_length=1024)


class PianoPhoto(TenantTable, table=True):
    __tablename__ = "piano_photos"

    piano_id: int = Field(foreign_key="pianos.id", ondelete="CASCADE", index=True, nullable=False)
    # Path under the upload directory, never a URL given by the browser.
    file_path: str = Field(max_length=255)
    caption: str = Field(default="", max_length=200)
