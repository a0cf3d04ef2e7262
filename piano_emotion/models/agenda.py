"""Appointments (agenda) and reminders."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field

from piano_emotion.models.base import TenantTable
from piano_emotion.models.enums import (
    AppointmentStatus,
    ReminderSource,
    ReminderType,
    ServiceType,
)
from piano_emotion.models.types import UtcDateTime, enum_field


class Appointment(TenantTable, table=True):
    __tablename__ = "appointments"
    __table_args__ = (
        sa.Index("ix_appointments_tech_starts", "technician_id", "starts_at"),
        sa.Index("ix_appointments_tech_status_starts", "technician_id", "status", "starts_at"),
        sa.CheckConstraint("duration_minutes > 0", name="duration_positive"),
    )

    client_id: int = Field(foreign_key="clients.id", ondelete="CASCADE", index=True, nullable=False)
    piano_id: int | None = Field(
        default=None, foreign_key="pianos.id", ondelete="SET NULL", index=True
    )
    title: str = Field(max_length=200)
    starts_at: datetime = Field(sa_type=UtcDateTime(), nullable=False)
    duration_minutes: int = Field(default=60)
    service_type: ServiceType | None = enum_field(ServiceType, "service_type", default=None)
    address: str = Field(default="", max_length=255)
    notes: str = Field(default="", sa_type=sa.Text())
    status: AppointmentStatus = enum_field(
        AppointmentStatus, "status", default=AppointmentStatus.SCHEDULED
    )


class Reminder(TenantTable, table=True):
    __tablename__ = "reminders"
    __table_args__ = (
        sa.Index("ix_reminders_tech_done_due", "technician_id", "done", "due_date"),
        # At most one due-service reminder (and one follow-up) per piano per due date.
        sa.UniqueConstraint("piano_id", "due_cycle_date", "source"),
    )

    client_id: int = Field(foreign_key="clients.id", ondelete="CASCADE", index=True, nullable=False)
    piano_id: int | None = Field(
        default=None, foreign_key="pianos.id", ondelete="SET NULL", index=True
    )
    reminder_type: ReminderType = enum_field(
        ReminderType, "reminder_type", default=ReminderType.CALL
    )
    source: ReminderSource = enum_field(ReminderSource, "source", default=ReminderSource.MANUAL)
    # For due-service reminders: the date the piano fell due (the cycle).
    due_cycle_date: date | None = Field(default=None)
    due_date: date = Field(nullable=False)
    title: str = Field(max_length=200)
    notes: str = Field(default="", sa_type=sa.Text())
    done: bool = Field(default=False)
    done_at: datetime | None = Field(default=None, sa_type=UtcDateTime())
