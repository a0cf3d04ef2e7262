"""Rates, quotes, invoices, their lines, numbering counters and Stripe events."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from piano_emotion.models.base import TenantTable, TimestampedTable
from piano_emotion.models.enums import (
    DocumentKind,
    InvoiceStatus,
    LineKind,
    PaymentMethod,
    QuoteStatus,
    ServiceType,
)
from piano_emotion.models.types import (
    PERCENT,
    QUANTITY,
    UtcDateTime,
    enum_field,
    money_field,
)

DEFAULT_TAX_RATE = Decimal("21.00")  # IVA general (DOMAIN.md)


class ServiceRate(TenantTable, table=True):
    """A price list entry (tarifa) used to fill quote and invoice lines."""

    __tablename__ = "service_rates"
    __table_args__ = (
        sa.Index("ix_service_rates_tech_active_name", "technician_id", "active", "name"),
        sa.CheckConstraint("base_price >= 0", name="price_not_negative"),
        sa.CheckConstraint("tax_rate >= 0 AND tax_rate <= 100", name="tax_range"),
    )

    name: str = Field(max_length=160)
    category: ServiceType | None = enum_field(ServiceType, "category", default=None)
    description: str = Field(default="", sa_type=sa.Text())
    base_price: Decimal = money_field()
    tax_rate: Decimal = Field(default=DEFAULT_TAX_RATE, sa_type=PERCENT)
    estimated_minutes: int = Field(default=60)
    active: bool = Field(default=True)


class DocumentLine(SQLModel):
    """The fields a quote line and an invoice line share (DOMAIN.md "Line")."""

    position: int = Field(default=0)
    kind: LineKind = enum_field(LineKind, "kind", default=LineKind.SERVICE)
    description: str = Field(max_length=255)
    quantity: Decimal = Field(default=Decimal("1.000"), sa_type=QUANTITY)
    unit_price: Decimal = money_field()
    discount_pct: Decimal = Field(default=Decimal("0.00"), sa_type=PERCENT)
    tax_rate: Decimal = Field(default=DEFAULT_TAX_RATE, sa_type=PERCENT)
    # Computed on the server from the fields above, rounded half-up per line.
    net_amount: Decimal = money_field()
    tax_amount: Decimal = money_field()
    total_amount: Decimal = money_field()


LINE_CHECKS = (
    ("quantity > 0", "quantity_positive"),
    ("discount_pct >= 0 AND discount_pct <= 100", "discount_range"),
    ("tax_rate >= 0 AND tax_rate <= 100", "tax_range"),
)


class DocumentTotals(SQLModel):
    subtotal: Decimal = money_field()
    tax_total: Decimal = money_field()
    total: Decimal = money_field()


class Quote(TenantTable, DocumentTotals, table=True):
    __tablename__ = "quotes"
    __table_args__ = (
        sa.UniqueConstraint("technician_id", "number"),
        sa.Index("ix_quotes_tech_status_date", "technician_id", "status", "quote_date"),
        sa.Index("ix_quotes_tech_date", "technician_id", "quote_date"),
    )

    client_id: int = Field(foreign_key="clients.id", ondelete="CASCADE", index=True, nullable=False)
    piano_id: int | None = Field(
        default=None, foreign_key="pianos.id", ondelete="SET NULL", index=True
    )
    number: str | None = Field(default=None, max_length=32)
    title: str = Field(default="", max_length=200)
    quote_date: date = Field(nullable=False)
    valid_until: date | None = Field(default=None)
    status: QuoteStatus = enum_field(QuoteStatus, "status", default=QuoteStatus.DRAFT)
    notes: str = Field(default="", sa_type=sa.Text())
    converted_invoice_id: int | None = Field(default=None)


class QuoteLine(TenantTable, DocumentLine, table=True):
    __tablename__ = "quote_lines"
    __table_args__ = tuple(sa.CheckConstraint(sql, name=n) for sql, n in LINE_CHECKS)

    quote_id: int = Field(foreign_key="quotes.id", ondelete="CASCADE", index=True, nullable=False)


class Invoice(TenantTable, DocumentTotals, table=True):
    __tablename__ = "invoices"
    __table_args__ = (
        sa.UniqueConstraint("technician_id", "number"),
        sa.Index("ix_invoices_tech_status_date", "technician_id", "status", "issue_date"),
        sa.Index("ix_invoices_tech_date", "technician_id", "issue_date"),
        sa.Index("ix_invoices_tech_status_due", "technician_id", "status", "due_date"),
        sa.Index("ix_invoices_tech_paid", "technician_id", "paid_date"),
    )

    client_id: int = Field(foreign_key="clients.id", ondelete="CASCADE", index=True, nullable=False)
    piano_id: int | None = Field(
        default=None, foreign_key="pianos.id", ondelete="SET NULL", index=True
    )
    service_id: int | None = Field(
        default=None, foreign_key="services.id", ondelete="SET NULL", index=True
    )
    quote_id: int | None = Field(
        default=None, foreign_key="quotes.id", ondelete="SET NULL", index=True
    )
    # Assigned when the invoice is issued; drafts have none (gap-free numbering).
    number: str | None = Field(default=None, max_length=32)
    issue_date: date = Field(nullable=False)
    due_date: date | None = Field(default=None)
    status: InvoiceStatus = enum_field(InvoiceStatus, "status", default=InvoiceStatus.DRAFT)
    notes: str = Field(default="", sa_type=sa.Text())
    # Client snapshot at issue time.
    client_name: str = Field(default="", max_length=160)
    client_tax_id: str = Field(default="", max_length=32)
    client_email: str = Field(default="", max_length=191)
    client_address: str = Field(default="", max_length=400)
    # Issuer snapshot (the technician's business info) at issue time.
    issuer_name: str = Field(default="", max_length=160)
    issuer_tax_id: str = Field(default="", max_length=32)
    issuer_address: str = Field(default="", max_length=400)
    issuer_email: str = Field(default="", max_length=191)
    issuer_phone: str = Field(default="", max_length=32)
    issuer_iban: str = Field(default="", max_length=42)
    # Payment.
    paid_date: date | None = Field(default=None)
    payment_method: PaymentMethod | None = enum_field(PaymentMethod, "payment_method", default=None)
    payment_reference: str = Field(default="", max_length=255)
    # Unguessable token of the public payment link (/pagar/<token>).
    payment_token: str | None = Field(default=None, max_length=64, unique=True)
    # Set when a payment arrived whose amount does not match the total.
    payment_flag: str = Field(default="", max_length=255)
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime())
    cancelled_at: datetime | None = Field(default=None, sa_type=UtcDateTime())


class InvoiceLine(TenantTable, DocumentLine, table=True):
    __tablename__ = "invoice_lines"
    __table_args__ = tuple(sa.CheckConstraint(sql, name=n) for sql, n in LINE_CHECKS)

    invoice_id: int = Field(
        foreign_key="invoices.id", ondelete="CASCADE", index=True, nullable=False
    )


class DocumentCounter(TimestampedTable, table=True):
    """Last number issued per technician, kind and year.

    Locked with ``SELECT … FOR UPDATE`` in the transaction that issues a
    number, so numbers are gap-free and never collide (TiDB ids are not
    ordered, so numbers are never derived from ids).
    """

    __tablename__ = "document_counters"
    __table_args__ = (sa.UniqueConstraint("technician_id", "kind", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    technician_id: int = Field(
        foreign_key="users.id", ondelete="CASCADE", index=True, nullable=False
    )
    kind: DocumentKind = enum_field(DocumentKind, "kind")
    year: int = Field(nullable=False)
    last_number: int = Field(default=0)


class StripeEvent(TimestampedTable, table=True):
    """Stripe webhook events already processed (replays have one effect)."""

    __tablename__ = "stripe_events"

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=255, unique=True)
    event_type: str = Field(max_length=120)
    invoice_id: int | None = Field(default=None, index=True)
    outcome: str = Field(default="", max_length=255)
