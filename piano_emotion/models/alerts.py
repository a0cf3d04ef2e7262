"""Maintenance alerts of pianos (tuning, regulation, repair)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field

from piano_emotion.models.base import TenantTable, TimestampedTable
from piano_emotion.models.enums import AlertLevel, MaintenanceAlertKind, MaintenanceAlertStatus
from piano_emotion.models.types import UtcDateTime, enum_field


class MaintenanceAlert(TenantTable, table=True):
    __tablename__ = "maintenance_alerts"
    __table_args__ = (
        sa.Index("ix_maintenance_alerts_tech_status_level", "technician_id", "status", "level"),
        sa.Index("ix_maintenance_alerts_piano_kind_status", "piano_id", "kind", "status"),
    )

    piano_id: int = Field(foreign_key="pianos.id", ondelete="CASCADE", index=True, nullable=False)
    kind: MaintenanceAlertKind = enum_field(MaintenanceAlertKind, "kind")
    level: AlertLevel = enum_field(AlertLevel, "level")
    status: MaintenanceAlertStatus = enum_field(
        MaintenanceAlertStatus, "status", default=MaintenanceAlertStatus.OPEN
    )
    days_since: int = Field(default=0)
    # The date the count starts from (last completed tuning/regulation, or the
    # day the piano was added): one alert per piano, kind and cycle.
    due_since: date | None = Field(default=None)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UtcDateTime())
    dismissed_at: datetime | None = Field(default=None, sa_type=UtcDateTime())
    resolved_at: datetime | None = Field(default=None, sa_type=UtcDateTime())
    resolved_by_service_id: int | None = Field(
        default=None, foreign_key="services.id", ondelete="SET NULL"
    )


class AlertSyncRequest(TimestampedTable, table=True):
    """A piano whose alerts the next sync must recompute: written in the same
    transaction as the change to what the rule reads (the piano, its completed
    services, its owner being archived, the thresholds), so the request is
    committed exactly when the change is. ``piano_id`` NULL asks for every
    piano of the technician. The sync deletes the rows it has served (by id:
    a request written while it ran stays for the next one)."""

    __tablename__ = "alert_sync_requests"

    id: int | None = Field(default=None, primary_key=True)
    technician_id: int = Field(
        foreign_key="users.id", ondelete="CASCADE", index=True, nullable=False
    )
    piano_id: int | None = Field(default=None, foreign_key="pianos.id", ondelete="CASCADE")


class AlertSyncState(TimestampedTable, table=True):
    """The day the technician's alerts were last synced for every piano: on
    that day only the requested pianos need syncing; on any other, all of
    them (``days_since`` moves with the date)."""

    __tablename__ = "alert_sync_states"

    id: int | None = Field(default=None, primary_key=True)
    technician_id: int = Field(
        foreign_key="users.id", ondelete="CASCADE", unique=True, nullable=False
    )
    synced_on: date = Field(nullable=False)
