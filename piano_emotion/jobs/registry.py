"""The scheduled jobs: what each runs, when, and how its period is named.

A job's *period key* names the slot a run belongs to ("2026-11-27" for a daily
job, "2026-11-27T14" hourly, "2026-11-27T14:05" for 5-minute buckets), in
Spain's local time. The runner lets one run per (job, period) happen.

Adding a job (extension point): build a ``Job`` and pass it to
``register_job`` at import time of this module's ``_register_builtin_jobs``
(or from the module that owns the work). The cache snapshot (hourly,
``hourly_period`` with ``schedule="cron"``, ``{"minute": 0}``) and the cache
alert check (every 5 minutes, ``bucket_period(5)`` with ``schedule="interval"``,
``{"minutes": 5}``) are added that way by the cache monitor.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlmodel import Session

SCHEDULER_TIMEZONE = ZoneInfo("Europe/Madrid")

SessionFactory = Callable[[], AbstractContextManager[Session]]


def _local(now: datetime) -> datetime:
    if now.tzinfo is None:  # naive values are UTC, like every stored timestamp
        now = now.replace(tzinfo=UTC)
    return now.astimezone(SCHEDULER_TIMEZONE)


def daily_period(now: datetime) -> str:
    return _local(now).strftime("%Y-%m-%d")


def hourly_period(now: datetime) -> str:
    return _local(now).strftime("%Y-%m-%dT%H")


def bucket_period(minutes: int) -> Callable[[datetime], str]:
    """Period keys of ``minutes``-wide buckets within the hour (e.g. 14:05)."""

    def period(now: datetime) -> str:
        local = _local(now)
        return f"{local:%Y-%m-%dT%H}:{local.minute - local.minute % minutes:02d}"

    return period


@dataclass(frozen=True)
class Job:
    """A scheduled job.

    ``schedule`` is an APScheduler trigger type, ``"cron"`` or ``"interval"``,
    and ``trigger_args`` its fields (``{"hour": 6, "minute": 0}``,
    ``{"minutes": 5}``), in ``SCHEDULER_TIMEZONE``. ``run(session_factory, now)``
    does the work and returns a short result text. ``expected_duration`` bounds
    a normal run: the Redis lock lives twice that long, and a database row left
    "running" for longer than twice that is taken as a crashed run.
    """

    name: str
    schedule: Literal["cron", "interval"]
    trigger_args: dict[str, Any]
    period_key_fn: Callable[[datetime], str]
    run: Callable[[SessionFactory, datetime], str]
    expected_duration: timedelta = timedelta(minutes=5)
    description: str = field(default="")

    def build_trigger(self):
        """The APScheduler trigger of this job (Europe/Madrid)."""
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        if self.schedule == "cron":
            return CronTrigger(timezone=SCHEDULER_TIMEZONE, **self.trigger_args)
        return IntervalTrigger(timezone=SCHEDULER_TIMEZONE, **self.trigger_args)

    def next_run_after(self, now: datetime) -> datetime | None:
        """When the scheduler fires this job next after ``now`` (aware)."""
        now = _local(now)
        if self.schedule == "interval":
            # Interval jobs are aligned to the start of the day for display.
            step = timedelta(**self.trigger_args)
            midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
            elapsed = now - midnight
            return midnight + step * (elapsed // step + 1)
        return self.build_trigger().get_next_fire_time(None, now)

    def describe_schedule(self) -> str:
        args = ", ".join(f"{key}={value}" for key, value in self.trigger_args.items())
        return f"{self.schedule}({args})"


JOBS: dict[str, Job] = {}


def register_job(job: Job) -> Job:
    """Add (or replace) a job in the registry."""
    JOBS[job.name] = job
    return job


def get_job(name: str) -> Job | None:
    return JOBS.get(name)


# Built-in jobs


def _run_daily_reminders(session_factory: SessionFactory, now: datetime) -> str:
    from piano_emotion.domain import reminders

    created = reminders.run_daily_reminders(session_factory, today=_local(now).date())
    return str(sum(created.values()))


def _run_daily_alert_sync(session_factory: SessionFactory, now: datetime) -> str:
    from piano_emotion.domain import alerts

    changed = alerts.run_daily_alert_sync(session_factory, today=_local(now).date())
    return str(sum(changed.values()))


def _run_purge_login_attempts(session_factory: SessionFactory, now: datetime) -> str:
    from piano_emotion.auth import throttle

    with session_factory() as session:
        purged = throttle.purge_old_attempts(session, now)
    return str(purged)


def _register_builtin_jobs() -> None:
    register_job(
        Job(
            name="daily_reminders",
            schedule="cron",
            trigger_args={"hour": 6, "minute": 0},
            period_key_fn=daily_period,
            run=_run_daily_reminders,
            expected_duration=timedelta(minutes=30),
            description="Recordatorios de servicio del día para cada técnico",
        )
    )
    register_job(
        Job(
            name="daily_alert_sync",
            schedule="cron",
            trigger_args={"hour": 0, "minute": 5},
            period_key_fn=daily_period,
            run=_run_daily_alert_sync,
            expected_duration=timedelta(minutes=30),
            description="Avisos de mantenimiento al día para cada técnico (los días cuentan)",
        )
    )
    register_job(
        Job(
            name="purge_login_attempts",
            schedule="cron",
            trigger_args={"hour": 3, "minute": 30},
            period_key_fn=daily_period,
            run=_run_purge_login_attempts,
            expected_duration=timedelta(minutes=5),
            description="Borra los intentos de acceso de más de un día",
        )
    )
    # The cache monitor: hourly snapshot and the 5-minute alert check.
    from piano_emotion.monitoring.jobs import register_monitoring_jobs

    register_monitoring_jobs()


_register_builtin_jobs()
