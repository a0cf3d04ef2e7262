"""The cache monitor's scheduled jobs (registered by ``piano_emotion.jobs.registry``).

- ``cache_snapshot``: hourly at minute 0 (``hourly_period``), stores a snapshot;
- ``cache_alert_check``: every 5 minutes (``bucket_period(5)``), judges the window.

Both then deliver the owner's pending notifications (in a session of their
own, after the main work is committed). They run through ``run_job`` like
every job (Redis lock, one ``JobRun`` per period), from the scheduler or
``POST /api/cron/<name>``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from piano_emotion.jobs.registry import (
    Job,
    SessionFactory,
    bucket_period,
    hourly_period,
    register_job,
)

SNAPSHOT_JOB = "cache_snapshot"
ALERT_CHECK_JOB = "cache_alert_check"
ALERT_CHECK_MINUTES = 5


def _deliver(session_factory: SessionFactory, now: datetime) -> str:
    from piano_emotion.monitoring.notifications import deliver_pending
    from piano_emotion.settings import get_settings

    with session_factory() as session:
        return deliver_pending(session, get_settings(), now).summary()


def run_cache_snapshot(session_factory: SessionFactory, now: datetime) -> str:
    from piano_emotion.monitoring.snapshots import take_snapshot

    with session_factory() as session:
        row = take_snapshot(session, now)
        text = f"snapshot hit rate {row.interval_hit_rate}, +{row.delta_hits + row.delta_misses}"
    return f"{text}; {_deliver(session_factory, now)}"


def run_cache_alert_check(session_factory: SessionFactory, now: datetime) -> str:
    from piano_emotion.monitoring.alerts import check_cache_health

    with session_factory() as session:
        text = check_cache_health(session, now).summary()
    return f"{text}; {_deliver(session_factory, now)}"


def register_monitoring_jobs() -> None:
    register_job(
        Job(
            name=SNAPSHOT_JOB,
            schedule="cron",
            trigger_args={"minute": 0},
            period_key_fn=hourly_period,
            run=run_cache_snapshot,
            expected_duration=timedelta(minutes=5),
            description="Foto horaria de las métricas de la caché (se guardan 7 días)",
        )
    )
    register_job(
        Job(
            name=ALERT_CHECK_JOB,
            schedule="interval",
            trigger_args={"minutes": ALERT_CHECK_MINUTES},
            period_key_fn=bucket_period(ALERT_CHECK_MINUTES),
            run=run_cache_alert_check,
            expected_duration=timedelta(minutes=2),
            description="Comprueba la tasa de aciertos y la latencia de la caché y avisa al owner",
        )
    )
