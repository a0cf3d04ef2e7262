"""The monitor's jobs: registered, run once per period through ``run_job``
(JobRun rows), reachable by ``POST /api/cron/<job>``, and delivering mail."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from piano_emotion.api import build_api
from piano_emotion.jobs import JOBS, last_runs, registry, run_job
from piano_emotion.models import CacheAlertEvent, CacheMetricSnapshot, JobRun, OwnerNotification
from piano_emotion.models.enums import DeliveryStatus, JobRunStatus, NotificationSeverity
from piano_emotion.monitoring.notifications import notify_owner
from piano_emotion.settings import reset_settings_cache
from tests.monitoring.conftest import NOW, smtp_env

SECRET = "cron-secret-0123456789-abcdefghij"


def _runs(engine, name: str) -> list[JobRun]:
    with Session(engine) as session:
        return list(session.exec(select(JobRun).where(JobRun.job_name == name)))


def test_the_jobs_are_registered_with_their_schedules():
    snapshot, check = JOBS["cache_snapshot"], JOBS["cache_alert_check"]
    assert (snapshot.schedule, snapshot.trigger_args) == ("cron", {"minute": 0})
    assert snapshot.period_key_fn is registry.hourly_period
    assert (check.schedule, check.trigger_args) == ("interval", {"minutes": 5})
    assert check.period_key_fn(NOW + timedelta(minutes=7)) == "2026-11-27T11:05"
    assert snapshot.next_run_after(NOW + timedelta(minutes=1)).isoformat() == (
        "2026-11-27T12:00:00+01:00"
    )
    assert check.next_run_after(NOW + timedelta(minutes=1)).isoformat() == (
        "2026-11-27T11:05:00+01:00"
    )


def test_the_snapshot_runs_once_per_hour(engine, configured_app_settings, fresh_cache):
    fresh_cache.set("a", 1, 60)
    fresh_cache.get("a")
    first = run_job("cache_snapshot", now=NOW)
    assert first["status"] == "success", first["error"]
    assert first["period_key"] == "2026-11-27T11"
    assert run_job("cache_snapshot", now=NOW + timedelta(minutes=30))["status"] == "skipped"
    assert run_job("cache_snapshot", now=NOW + timedelta(hours=1))["status"] == "success"
    with Session(engine) as session:
        rows = session.exec(select(CacheMetricSnapshot).order_by(CacheMetricSnapshot.id)).all()
    assert [r.taken_at for r in rows] == [NOW, NOW + timedelta(hours=1)]
    assert rows[0].delta_hits == 1 and rows[1].delta_hits == 0
    assert sorted(r.period_key for r in _runs(engine, "cache_snapshot")) == [
        "2026-11-27T11",
        "2026-11-27T12",
    ]
    assert all(r.status == JobRunStatus.SUCCESS for r in _runs(engine, "cache_snapshot"))


def test_the_alert_check_runs_once_per_5_minutes_and_raises(
    engine, configured_app_settings, fresh_cache
):
    assert run_job("cache_alert_check", now=NOW)["status"] == "success"
    assert run_job("cache_alert_check", now=NOW + timedelta(minutes=4))["status"] == "skipped"
    for i in range(30):
        fresh_cache.get(f"cold-{i}")
    run = run_job("cache_alert_check", now=NOW + timedelta(minutes=5))
    assert run["status"] == "success" and "raised hit_rate" in run["result"]
    with Session(engine) as session:
        [event] = session.exec(select(CacheAlertEvent)).all()
        [note] = session.exec(select(OwnerNotification)).all()
    assert event.cause == "hit_rate" and note.alert_event_id == event.id
    # No SMTP and no webhook configured: skipped, and said so in the bell row.
    assert note.email_status == DeliveryStatus.SKIPPED
    assert note.webhook_status == DeliveryStatus.SKIPPED
    assert len(_runs(engine, "cache_alert_check")) == 2


def test_the_jobs_deliver_pending_notifications(
    engine, configured_app_settings, smtp_server, monkeypatch
):
    for name, value in smtp_env(smtp_server).items():
        monkeypatch.setenv(name, value)
    reset_settings_cache()
    with Session(engine) as session:
        notify_owner(
            session,
            severity=NotificationSeverity.INFO,
            title="Aviso de prueba",
            body="Cuerpo",
            now=NOW,
        )
        session.commit()
    run = run_job("cache_snapshot", now=NOW)
    assert run["status"] == "success" and "email 1" in run["result"]
    [mail] = smtp_server.received
    assert mail.message["Subject"] == "[Piano Emotion] Aviso de prueba"
    assert mail.rcpt_tos == ["owner@example.es"]


def test_the_cron_route_runs_the_monitor_jobs(engine, configured_app_settings, monkeypatch):
    monkeypatch.setenv("CRON_SECRET", SECRET)
    reset_settings_cache()
    client = TestClient(build_api(Starlette()))
    headers = {"Authorization": f"Bearer {SECRET}"}
    for name in ("cache_snapshot", "cache_alert_check"):
        first = client.post(f"/api/cron/{name}", headers=headers)
        assert first.status_code == 200 and first.json()["status"] == "success", first.json()
    # Idempotent per period (the hourly one: no period boundary between two calls).
    second = client.post("/api/cron/cache_snapshot", headers=headers)
    assert second.status_code == 200 and second.json()["status"] == "skipped"
    with Session(engine) as session:
        assert len(session.exec(select(CacheMetricSnapshot)).all()) == 1
        listed = {row["job"]: row for row in last_runs(session)}
    assert listed["cache_snapshot"]["last_run"]["status"] == "success"
    assert listed["cache_alert_check"]["last_run"]["status"] == "success"
