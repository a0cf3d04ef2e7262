"""Platform tables of the owner's cache monitor and the scheduled jobs.

These rows are platform-wide (not a technician's business data).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field

from piano_emotion.models.base import TimestampedTable
from piano_emotion.models.enums import (
    CacheAlertCause,
    CacheAlertEventKind,
    CacheMode,
    DeliveryStatus,
    JobRunStatus,
    NotificationSeverity,
)
from piano_emotion.models.types import UtcDateTime, enum_field


class CacheMetricSnapshot(TimestampedTable, table=True):
    """Hourly picture of the fleet-wide cache counters and their deltas."""

    __tablename__ = "cache_metric_snapshots"

    id: int | None = Field(default=None, primary_key=True)
    taken_at: datetime = Field(sa_type=UtcDateTime(), index=True, nullable=False)
    mode: CacheMode = enum_field(CacheMode, "mode")
    connected: bool = Field(default=True)
    degraded: bool = Field(default=False)
    # Cumulative counters as read at ``taken_at``.
    hits: int = Field(default=0, sa_type=sa.BigInteger())
    misses: int = Field(default=0, sa_type=sa.BigInteger())
    sets: int = Field(default=0, sa_type=sa.BigInteger())
    deletes: int = Field(default=0, sa_type=sa.BigInteger())
    errors: int = Field(default=0, sa_type=sa.BigInteger())
    # Deltas since the previous snapshot (per-interval values for the charts).
    delta_hits: int = Field(default=0, sa_type=sa.BigInteger())
    delta_misses: int = Field(default=0, sa_type=sa.BigInteger())
    delta_sets: int = Field(default=0, sa_type=sa.BigInteger())
    delta_deletes: int = Field(default=0, sa_type=sa.BigInteger())
    delta_errors: int = Field(default=0, sa_type=sa.BigInteger())
    hit_rate: float = Field(default=0.0)
    interval_hit_rate: float | None = Field(default=None)
    latency_avg_ms: float = Field(default=0.0)
    latency_p50_ms: float = Field(default=0.0)
    latency_p95_ms: float = Field(default=0.0)
    latency_p99_ms: float = Field(default=0.0)
    keys: int = Field(default=0, sa_type=sa.BigInteger())


class CacheAlertSettings(TimestampedTable, table=True):
    """Thresholds of the cache alert job, editable by the owner (one row)."""

    __tablename__ = "cache_alert_settings"

    id: int | None = Field(default=None, primary_key=True)
    enabled: bool = Field(default=True)
    min_hit_rate_pct: float = Field(default=80.0)
    max_latency_ms: float = Field(default=100.0)
    # Windows with fewer operations than this are ignored.
    min_operations: int = Field(default=10)
    cooldown_minutes: int = Field(default=30)


class CacheAlertEvent(TimestampedTable, table=True):
    """An alert raised by the cache check, or its recovery."""

    __tablename__ = "cache_alert_events"
    __table_args__ = (sa.Index("ix_cache_alert_events_cause_created", "cause", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    cause: CacheAlertCause = enum_field(CacheAlertCause, "cause")
    kind: CacheAlertEventKind = enum_field(CacheAlertEventKind, "kind")
    value: float = Field(default=0.0)
    threshold: float = Field(default=0.0)
    message: str = Field(default="", max_length=500)
    recovered_at: datetime | None = Field(default=None, sa_type=UtcDateTime())
    notified: bool = Field(default=False)


class OwnerNotification(TimestampedTable, table=True):
    """A message for the platform owner (bell, email, webhook)."""

    __tablename__ = "owner_notifications"
    __table_args__ = (sa.Index("ix_owner_notifications_read_created", "read_at", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    alert_event_id: int | None = Field(
        default=None, foreign_key="cache_alert_events.id", ondelete="SET NULL"
    )
    severity: NotificationSeverity = enum_field(
        NotificationSeverity, "severity", default=NotificationSeverity.WARNING
    )
    title: str = Field(max_length=200)
    body: str = Field(default="", sa_type=sa.Text())
    read_at: datetime | None = Field(default=None, sa_type=UtcDateTime())
    email_status: DeliveryStatus = enum_field(
        DeliveryStatus, "email_status", default=DeliveryStatus.PENDING
    )
    webhook_status: DeliveryStatus = enum_field(
        DeliveryStatus, "webhook_status", default=DeliveryStatus.PENDING
    )
    attempts: int = Field(default=0)
    last_error: str = Field(default="", max_length=500)


class JobRun(TimestampedTable, table=True):
    """One run of a scheduled job (for the monitor and the doctor)."""

    __tablename__ = "job_runs"
    __table_args__ = (
        sa.Index("ix_job_runs_job_started", "job_name", "started_at"),
        # A job runs once per period however many workers try.
        sa.UniqueConstraint("job_name", "period_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    job_name: str = Field(max_length=64)
    period_key: str = Field(max_length=64)
    started_at: datetime = Field(sa_type=UtcDateTime(), nullable=False)
    finished_at: datetime | None = Field(default=None, sa_type=UtcDateTime())
    duration_ms: int | None = Field(default=None)
    status: JobRunStatus = enum_field(JobRunStatus, "status", default=JobRunStatus.RUNNING)
    result: str = Field(default="", max_length=500)
    error: str = Field(default="", sa_type=sa.Text())
