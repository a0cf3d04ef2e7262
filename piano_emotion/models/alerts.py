"""Maintenance alerts of pianos (tuning, regulation, repair)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field

from piano_emotion.models.base import TenantTable
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
