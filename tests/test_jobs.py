"""Scheduled jobs: once per period across threads (DB lock and Redis lock),
failures recorded, the monitor's last runs, the cron route and the scheduler."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from piano_emotion.api import build_api
from piano_emotion.cache import build_cache, use_cache
from piano_emotion.jobs import JOBS, Job, last_runs, registry, run_job, scheduler
from piano_emotion.models import JobRun
from piano_emotion.models.enums import JobRunStatus
from piano_emotion.models.types import utcnow
from piano_emotion.settings import reset_settings_cache
from tests.conftest import REDIS_TEST_URL, redis_available, require_service

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
SECRET = "cron-secret-0123456789-abcdefghij"


class Counter:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[datetime] = []
        self.fail = fail
        self.lock = threading.Lock()

    def __call__(self, session_factory, now: datetime) -> str:
        with self.lock:
            self.calls.append(now)
        time.sleep(0.3)  # long enough for every other thread to try meanwhile
        if self.fail:
            raise RuntimeError("boom: the job broke")
        return "done"


@pytest.fixture
def counter(configured_app_settings, monkeypatch) -> Counter:
    counter = Counter()
    job = Job(
        name="test_counter",
        schedule="cron",
        trigger_args={"hour": 4, "minute": 0},
        period_key_fn=registry.daily_period,
        run=counter,
        expected_duration=timedelta(minutes=1),
    )
    monkeypatch.setitem(JOBS, job.name, job)
    return counter


def _rows(engine, name: str) -> list[JobRun]:
    with Session(engine) as session:
        return list(session.exec(select(JobRun).where(JobRun.job_name == name)))


def _race(name: str, now: datetime, workers: int = 5) -> list[dict]:
    barrier = threading.Barrier(workers)

    def call() -> dict:
        barrier.wait()
        return run_job(name, now=now)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return [f.result() for f in [pool.submit(call) for _ in range(workers)]]


def _assert_once(runs: list[dict], counter: Counter, engine) -> None:
    statuses = sorted(run["status"] for run in runs)
    assert statuses == ["skipped"] * 4 + ["success"]
    assert len(counter.calls) == 1
    rows = _rows(engine, "test_counter")
    assert len(rows) == 1
    assert rows[0].status == JobRunStatus.SUCCESS
    assert rows[0].result == "done"
    assert rows[0].finished_at is not None and rows[0].duration_ms >= 300


def test_period_keys():
    assert registry.daily_period(NOW) == "2026-11-27"
    assert registry.hourly_period(NOW) == "2026-11-27T11"  # Madrid is UTC+1 in November
    assert registry.bucket_period(5)(NOW + timedelta(minutes=7)) == "2026-11-27T11:05"


def test_runs_once_per_period_with_the_database_lock(engine, counter):
    _assert_once(_race("test_counter", NOW), counter, engine)


def test_runs_once_per_period_with_the_redis_lock(engine, counter):
    require_service(redis_available(), "Redis on 127.0.0.1:6379")
    cache = build_cache(redis_url=REDIS_TEST_URL, namespace=f"test-jobs-{secrets.token_hex(4)}")
    try:
        with use_cache(cache):
            assert cache.backend.remote
            runs = _race("test_counter", NOW)
            # The late caller of the same period is refused by the database row.
            late = run_job("test_counter", now=NOW)
    finally:
        cache.close()
    _assert_once(runs, counter, engine)
    assert any(run.get("reason") == "locked" for run in runs)
    assert late["status"] == "skipped" and late["reason"] == "already recorded"


def test_a_new_period_runs_again(engine, counter):
    assert run_job("test_counter", now=NOW)["status"] == "success"
    assert run_job("test_counter", now=NOW + timedelta(hours=1))["status"] == "skipped"
    assert run_job("test_counter", now=NOW + timedelta(days=1))["status"] == "success"
    assert len(counter.calls) == 2
    periods = sorted(row.period_key for row in _rows(engine, "test_counter"))
    assert periods == ["2026-11-27", "2026-11-28"]


def test_a_failing_job_is_recorded_and_not_raised(engine, counter, caplog):
    counter.fail = True
    with caplog.at_level(logging.ERROR):
        run = run_job("test_counter", now=NOW)
        scheduler._run_safely("test_counter")  # the scheduler's call never raises
    assert run["status"] == "failed"
    assert "boom: the job broke" in run["error"] and "Traceback" in run["error"]
    [row] = [r for r in _rows(engine, "test_counter") if r.period_key == "2026-11-27"]
    assert row.status == JobRunStatus.FAILED and "boom" in row.error
    assert any("job test_counter failed" in r.getMessage() for r in caplog.records)


def test_a_stale_running_row_is_taken_over(engine, counter):
    with Session(engine) as session:
        session.add(
            JobRun(
                job_name="test_counter",
                period_key="2026-11-27",
                started_at=utcnow() - timedelta(hours=1),
            )
        )
        session.commit()
    assert run_job("test_counter", now=NOW)["status"] == "success"
    [row] = _rows(engine, "test_counter")
    assert row.status == JobRunStatus.SUCCESS


def test_a_recent_running_row_is_not_taken_over(engine, counter):
    with Session(engine) as session:
        session.add(JobRun(job_name="test_counter", period_key="2026-11-27", started_at=utcnow()))
        session.commit()
    assert run_job("test_counter", now=NOW)["status"] == "skipped"
    assert counter.calls == []


def test_builtin_jobs_run_and_last_runs_lists_them(engine, configured_app_settings):
    assert {"daily_reminders", "daily_alert_sync", "purge_login_attempts"} <= set(JOBS)
    assert run_job("purge_login_attempts", now=NOW)["status"] == "success"
    reminders = run_job("daily_reminders", now=NOW)
    assert reminders["status"] == "success" and reminders["result"] == "0"
    assert run_job("daily_alert_sync", now=NOW)["status"] == "success"
    with Session(engine) as session:
        listed = {row["job"]: row for row in last_runs(session, now=NOW)}
    assert set(listed) == set(JOBS)
    daily = listed["daily_reminders"]
    assert daily["next_run_at"] == "2026-11-28T06:00:00+01:00"
    assert daily["last_run"]["status"] == "success"
    assert listed["purge_login_attempts"]["next_run_at"] == "2026-11-28T03:30:00+01:00"
    assert listed["daily_alert_sync"]["next_run_at"] == "2026-11-28T00:05:00+01:00"
    assert listed["purge_login_attempts"]["last_run"]["result"] == "0"


def test_cron_route(engine, counter, monkeypatch):
    client = TestClient(build_api(Starlette()))
    monkeypatch.setenv("CRON_SECRET", "")
    reset_settings_cache()
    response = client.post("/api/cron/test_counter")
    assert response.status_code == 503 and "CRON_SECRET" in response.json()["message"]

    monkeypatch.setenv("CRON_SECRET", SECRET)
    reset_settings_cache()
    assert client.post("/api/cron/test_counter").status_code == 401
    wrong = {"Authorization": "Bearer not-the-secret"}
    assert client.post("/api/cron/test_counter", headers=wrong).status_code == 401
    right = {"Authorization": f"Bearer {SECRET}"}
    assert client.post("/api/cron/nope", headers=right).status_code == 404
    first = client.post("/api/cron/test_counter", headers=right)
    assert first.status_code == 200 and first.json()["status"] == "success"
    second = client.post("/api/cron/test_counter", headers=right)
    assert second.status_code == 200 and second.json()["status"] == "skipped"
    assert len(counter.calls) == 1


def test_scheduler_starts_and_stops(monkeypatch):
    monkeypatch.setenv("SCHEDULER_ENABLED", "false")
    reset_settings_cache()
    assert scheduler.start_scheduler() is None
    monkeypatch.setenv("SCHEDULER_ENABLED", "true")
    reset_settings_cache()
    running = scheduler.start_scheduler()
    try:
        assert running is not None and running.running
        assert scheduler.start_scheduler() is running  # once per process
        assert {job.id for job in running.get_jobs()} == set(JOBS)
        assert all(job.next_run_time is not None for job in running.get_jobs())
    finally:
        scheduler.shutdown_scheduler()
    assert not running.running
    scheduler.shutdown_scheduler()  # a second stop is harmless


def test_the_reflex_lifespan_task_starts_and_stops_the_scheduler(monkeypatch):
    from tests.conftest import run_async

    monkeypatch.setenv("SCHEDULER_ENABLED", "true")
    reset_settings_cache()

    async def lifespan() -> bool:
        async with scheduler.scheduler_lifespan():
            return scheduler._scheduler is not None and scheduler._scheduler.running

    assert run_async(lifespan()) is True
    assert scheduler._scheduler is None
