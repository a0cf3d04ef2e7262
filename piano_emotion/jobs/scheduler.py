"""APScheduler in the app process: one trigger per registered job.

Every worker runs its own scheduler; ``run_job`` makes sure each period runs
once across all of them. Started by the Reflex lifespan (``scheduler_lifespan``),
never at import. ``SCHEDULER_ENABLED=false`` (or 0/no/off) switches it off,
e.g. on serverless hosts that call ``POST /api/cron/{job}`` instead.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import AsyncIterator

from apscheduler.schedulers.background import BackgroundScheduler

from piano_emotion.jobs.registry import JOBS, SCHEDULER_TIMEZONE
from piano_emotion.jobs.runner import run_job

log = logging.getLogger(__name__)

_scheduler: BackgroundScheduler | None = None
_lock = threading.Lock()


def scheduler_enabled() -> bool:
    from piano_emotion.settings import get_settings

    return get_settings().scheduler_enabled


def _run_safely(name: str) -> None:
    """What the scheduler calls: never lets an error escape into APScheduler."""
    try:
        run = run_job(name)
    except Exception:
        log.exception("scheduled job %s could not run", name)
        return
    log.info("scheduled job %s: %s", name, run["status"])


def start_scheduler() -> BackgroundScheduler | None:
    """Start the process scheduler (once); None when disabled."""
    global _scheduler
    if not scheduler_enabled():
        log.info("scheduler disabled (SCHEDULER_ENABLED=false)")
        return None
    with _lock:
        if _scheduler is not None:
            return _scheduler
        scheduler = BackgroundScheduler(timezone=SCHEDULER_TIMEZONE)
        for job in JOBS.values():
            scheduler.add_job(
                _run_safely,
                trigger=job.build_trigger(),
                args=[job.name],
                id=job.name,
                name=job.name,
                replace_existing=True,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=int(job.expected_duration.total_seconds()),
            )
        scheduler.start()
        _scheduler = scheduler
        log.info("scheduler started with jobs: %s", ", ".join(JOBS))
        return scheduler


def current_scheduler() -> BackgroundScheduler | None:
    """The scheduler running in this process, or None (not started, disabled)."""
    scheduler = _scheduler
    return scheduler if scheduler is not None and scheduler.running else None


def shutdown_scheduler(wait: bool = True) -> None:
    """Stop the process scheduler if it runs."""
    global _scheduler
    with _lock:
        scheduler, _scheduler = _scheduler, None
    if scheduler is not None and scheduler.running:
        scheduler.shutdown(wait=wait)
        log.info("scheduler stopped")


@contextlib.asynccontextmanager
async def scheduler_lifespan() -> AsyncIterator[None]:
    """Reflex lifespan task: the scheduler lives as long as the backend."""
    start_scheduler()
    try:
        yield
    finally:
        shutdown_scheduler(wait=False)
