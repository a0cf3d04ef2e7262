"""Run a job at most once per period, however many workers try, and record it.

The lock, in two layers:

1. When the process cache talks to Redis/Upstash (``get_cache().backend.remote``),
   ``try_lock("<namespace>:job:<name>:<period>", token, ttl)`` (``SET NX PX``)
   lets one caller through; the others are "skipped" without touching the
   database. A crashed holder's lock expires after ``2 × expected_duration``.
2. Always, the ``JobRun`` row (``job_name``, ``period_key``) is inserted before
   the job runs; the unique constraint makes a second insert fail, so the
   database stays the source of truth (and the only lock without Redis).

Stale runs: a row still "running" more than ``2 × expected_duration`` after it
started belongs to a crashed process. The next caller of that period takes it
over with a conditional ``UPDATE`` (only one caller can win) and runs the job.

A job's error is recorded on its row (status "failed", traceback text) and
logged with ``log.exception``; ``run_job`` returns it instead of raising.
"""

from __future__ import annotations

import logging
import secrets
import time
import traceback
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from piano_emotion.cache import get_cache
from piano_emotion.cache.backends import BackendError
from piano_emotion.db import session_scope
from piano_emotion.jobs.registry import JOBS, Job, SessionFactory, get_job
from piano_emotion.models import JobRun
from piano_emotion.models.enums import JobRunStatus
from piano_emotion.models.types import utcnow

log = logging.getLogger(__name__)

RESULT_MAX = 500


class UnknownJobError(KeyError):
    """No job of that name is registered."""


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def run_to_dict(row: JobRun) -> dict[str, Any]:
    return {
        "id": row.id,
        "job": row.job_name,
        "period_key": row.period_key,
        "status": str(row.status),
        "started_at": _iso(row.started_at),
        "finished_at": _iso(row.finished_at),
        "duration_ms": row.duration_ms,
        "result": row.result,
        "error": row.error,
    }


def _skipped(job: Job, period: str, reason: str) -> dict[str, Any]:
    log.info("job %s already ran or is running for %s (%s): skipped", job.name, period, reason)
    return {
        "id": None,
        "job": job.name,
        "period_key": period,
        "status": str(JobRunStatus.SKIPPED),
        "started_at": None,
        "finished_at": None,
        "duration_ms": None,
        "result": "",
        "error": "",
        "reason": reason,
    }


def _claim(session_factory: SessionFactory, job: Job, period: str) -> int | None:
    """Insert this period's ``JobRun`` row ("running"); its id, or None when
    another caller has it (or a stale row could not be taken over)."""
    try:
        with session_factory() as session:
            row = JobRun(job_name=job.name, period_key=period, started_at=utcnow())
            session.add(row)
            session.flush()
            return row.id
    except sa.exc.IntegrityError:
        pass
    return _take_over_stale(session_factory, job, period)


def _take_over_stale(session_factory: SessionFactory, job: Job, period: str) -> int | None:
    with session_factory() as session:
        row = session.exec(
            select(JobRun).where(JobRun.job_name == job.name, JobRun.period_key == period)
        ).one_or_none()
        if row is None or row.status != JobRunStatus.RUNNING:
            return None
        if utcnow() - row.started_at <= 2 * job.expected_duration:
            return None
        # Only the caller whose UPDATE matches the old start wins the takeover.
        taken = session.exec(
            sa.update(JobRun)
            .where(
                JobRun.id == row.id,
                JobRun.status == JobRunStatus.RUNNING,
                JobRun.started_at == row.started_at,
            )
            .values(started_at=utcnow(), error="", result="")
        )
        if taken.rowcount != 1:
            return None
        log.warning("job %s: taking over a stale run of %s (crashed holder)", job.name, period)
        return row.id


def _finish(
    session_factory: SessionFactory,
    run_id: int,
    status: JobRunStatus,
    result: str,
    error: str,
    duration_ms: int,
) -> dict[str, Any]:
    with session_factory() as session:
        row = session.get(JobRun, run_id)
        row.finished_at = utcnow()
        row.duration_ms = duration_ms
        row.status = status
        row.result = result[:RESULT_MAX]
        row.error = error
        session.add(row)
        session.flush()
        return run_to_dict(row)


def run_job(
    name: str, now: datetime | None = None, session_factory: SessionFactory = session_scope
) -> dict[str, Any]:
    """Run job ``name`` for the period of ``now`` unless someone already did.

    Returns the run as a dict (``status`` success, failed or skipped). Raises
    ``UnknownJobError`` for a name that is not registered.
    """
    job = get_job(name)
    if job is None:
        raise UnknownJobError(name)
    now = now or utcnow()
    period = job.period_key_fn(now)

    cache = get_cache()
    backend = cache.backend
    lock_key = f"{cache.namespace}:job:{job.name}:{period}"
    token = secrets.token_hex(16)
    locked = False
    if backend.remote:
        ttl_ms = int(2 * job.expected_duration.total_seconds() * 1000)
        try:
            locked = backend.try_lock(lock_key, token, ttl_ms)
        except BackendError as error:
            # Redis is down: the database row alone still guarantees one run.
            log.warning("job %s: lock backend unavailable (%s), using the database", name, error)
            locked = None
        if locked is False:
            return _skipped(job, period, "locked")
    try:
        run_id = _claim(session_factory, job, period)
        if run_id is None:
            return _skipped(job, period, "already recorded")
        started = time.perf_counter()
        try:
            result = job.run(session_factory, now)
        except Exception:
            log.exception("job %s failed for %s", name, period)
            status, result, error = JobRunStatus.FAILED, "", traceback.format_exc()
        else:
            status, result, error = JobRunStatus.SUCCESS, str(result or ""), ""
        duration_ms = int((time.perf_counter() - started) * 1000)
        return _finish(session_factory, run_id, status, result, error, duration_ms)
    finally:
        if locked:
            try:
                backend.unlock(lock_key, token)
            except BackendError:
                log.warning("job %s: could not release its lock (it expires by itself)", name)


def last_runs(session: Session, now: datetime | None = None) -> list[dict[str, Any]]:
    """Every registered job with its schedule, last run and next run time."""
    now = now or utcnow()
    rows = []
    for job in JOBS.values():
        last = session.exec(
            select(JobRun)
            .where(JobRun.job_name == job.name)
            .order_by(JobRun.started_at.desc(), JobRun.id.desc())
            .limit(1)
        ).first()
        next_run = job.next_run_after(now)
        rows.append(
            {
                "job": job.name,
                "description": job.description,
                "schedule": job.describe_schedule(),
                "last_run": run_to_dict(last) if last is not None else None,
                "next_run_at": next_run.isoformat() if next_run else None,
            }
        )
    return rows
