"""Technicians (the accounts), their business info and their settings."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field

from piano_emotion.models.base import TimestampedTable
from piano_emotion.models.enums import Locale, MessageChannel, UserRole
from piano_emotion.models.types import PERCENT, UtcDateTime, enum_field


class User(TimestampedTable, table=True):
    """A technician's account (local, or created from a Clerk sign-in).

    Being the platform owner is not stored: it is computed on the server from
    ``OWNER_OPEN_ID`` at every request.
    """

    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    # Clerk user id (``sub``); NULL for local accounts.
    external_id: str | None = Field(default=None, max_length=191, unique=True)
    # Normalised (trimmed, lower-case); unique across the platform.
    email: str = Field(max_length=191, unique=True)
    name: str = Field(max_length=120)
    # Argon2id hash for local accounts; NULL for Clerk-only accounts.
    password_hash: str | None = Field(default=None, max_length=255)
    locale: Locale = enum_field(Locale, "locale", default=Locale.ES)
    role: UserRole = enum_field(UserRole, "role", default=UserRole.TECHNICIAN)
    is_active: bool = Field(default=True)
    # Bumped on password change / sign-out everywhere: older sessions stop working.
    session_version: int = Field(default=1)
    last_login_at: datetime | None = Field(default=None, sa_type=UtcDateTime())
    # Secret for the technician's iCalendar feed URL.
    calendar_token: str | None = Field(default=None, max_length=64, unique=True)


class LoginAttempt(TimestampedTable, table=True):
    """Sign-in attempts, for throttling by email and by address."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        sa.Index("ix_login_attempts_email_created", "email", "created_at"),
        sa.Index("ix_login_attempts_address_created", "address", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=191)
    address: str = Field(default="", max_length=64)
    succeeded: bool = Field(default=False)


class BusinessInfo(TimestampedTable, table=True):
    """Fiscal data printed on quotes and invoices (one row per technician)."""

    __tablename__ = "business_info"

    id: int | None = Field(default=None, primary_key=True)
    technician_id: int = Field(
        foreign_key="users.id", ondelete="CASCADE", unique=True, nullable=False
    )
    business_name: str = Field(default="", max_length=160)
    tax_id: str = Field(default="", max_length=32)
    address: str = Field(default="", max_length=255)
    city: str = Field(default="", max_length=120)
    postal_code: str = Field(default="", max_length=16)
    region: str = Field(default="", max_length=120)
    phone: str = Field(default="", max_length=32)
    email: str = Field(default="", max_length=191)
    iban: str = Field(default="", max_length=42)
    invoice_prefix: str = Field(default="F", max_length=12)
    quote_prefix: str = Field(default="P", max_length=12)
    default_tax_rate: Decimal = Field(default=Decimal("21.00"), sa_type=PERCENT)
    payment_terms_days: int = Field(default=30)


class MaintenanceSettings(TimestampedTable, table=True):
    """A technician's maintenance-alert thresholds (DOMAIN.md defaults)."""

    __tablename__ = "maintenance_settings"

    id: int | None = Field(default=None, primary_key=True)
    technician_id: int = Field(
        foreign_key="users.id", ondelete="CASCADE", unique=True, nullable=False
    )
    tuning_pending_days: int = Field(default=180)
    tuning_urgent_days: int = Field(default=270)
    regulation_pending_days: int = Field(default=730)
    regulation_urgent_days: int = Field(default=1095)
    # Default service interval for pianos without their own (months; 0 = client calls).
    default_interval_months: int = Field(default=12)


class MessageTemplate(TimestampedTable, table=True):
    """Editable text of the due-service messages (email / WhatsApp)."""

    __tablename__ = "message_templates"
    __table_args__ = (sa.UniqueConstraint("technician_id", "channel"),)

    id: int | None = Field(default=None, primary_key=True)
    technician_id: int = Field(
        foreign_key="users.id", ondelete="CASCADE", index=True, nullable=False
    )
    channel: MessageChannel = enum_field(MessageChannel, "channel")
    subject: str = Field(default="", max_length=200)
    body: str = Field(default="", sa_type=sa.Text())
