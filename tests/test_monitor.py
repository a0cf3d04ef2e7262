"""The owner's cache monitor (``/monitor-cache``): the overview functions, the
page state and the bell (owner, technician, signed out), and the CSV route.

Cache traffic goes through a real ``CacheService`` on the local Redis; the
database tests run on SQLite and MariaDB (the ``engine`` fixture).
"""

from __future__ import annotations

import base64
import csv
import io
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from piano_emotion.cache import build_cache, tag, use_cache
from piano_emotion.models import (
    CacheAlertEvent,
    CacheAlertSettings,
    OwnerNotification,
    User,
)
from piano_emotion.models.enums import CacheAlertCause, CacheAlertEventKind, NotificationSeverity
from piano_emotion.monitoring import overview
from piano_emotion.monitoring.access import OwnerOnly
from piano_emotion.monitoring.notifications import notify_owner
from piano_emotion.monitoring.snapshots import take_snapshot
from piano_emotion.piano_emotion import handle_backend_exception
from piano_emotion.ui import routes
from piano_emotion.ui.state import monitor as monitor_state
from piano_emotion.ui.state.auth import NotSignedIn
from piano_emotion.ui.state.monitor import MonitorState
from piano_emotion.ui.state.notifications import NotificationsState
from tests.conftest import REDIS_TEST_URL, redis_available, require_service
from tests.factories import make_technician
from tests.monitoring.conftest import NOW, OWNER_EMAIL, monitor_settings
from tests.monitoring.traffic import Traffic
from tests.ui_states import (
    count,
    events_of,
    handle,
    make_state,
    redirect_path,
    rows,
    set_language,
    toasts,
)

ACCESS_DENIED = "Acceso denegado"


# -- fixtures ---------------------------------------------------------------------------


def _delete_namespace(namespace: str) -> None:
    client = redis.Redis.from_url(REDIS_TEST_URL, decode_responses=True)
    try:
        stale = list(client.scan_iter(match=namespace + "*", count=1000))
        if stale:
            client.delete(*stale)
    finally:
        client.close()


@pytest.fixture
def redis_cache() -> Iterator:
    """The process cache on the real Redis (its own namespace), for this test."""
    require_service(redis_available(), "Redis on 127.0.0.1:6379")
    namespace = f"test-monitor-{secrets.token_hex(4)}"
    service = build_cache(redis_url=REDIS_TEST_URL, namespace=namespace)
    try:
        with use_cache(service):
            yield service
    finally:
        service.close()
        _delete_namespace(namespace)


@pytest.fixture
def people(engine, configured_app_settings) -> tuple[User, User]:
    """The owner (``OWNER_OPEN_ID``, a local account) and a technician."""
    with Session(engine, expire_on_commit=False) as session:
        owner = make_technician(session, "Dueña", OWNER_EMAIL)
        technician = make_technician(session, "Técnico Cualquiera", "tecnico@example.es")
        session.commit()
    return owner, technician


def owner_user() -> User:
    """An owner that lives only in memory (for the functions that need no database)."""
    return User(id=1, name="Dueña", email=OWNER_EMAIL, password_hash="x")


def other_user() -> User:
    return User(id=2, name="Otro", email="otro@example.es", password_hash="x")


SETTINGS = monitor_settings()


def monitor_for(user: User | None, settings, path: str = routes.MONITOR) -> MonitorState:
    return make_state(MonitorState, path, user, settings)


def bell_for(user: User | None, settings) -> NotificationsState:
    return make_state(NotificationsState, "/", user, settings)


def call(handler, state, *args):
    """Run an event handler's function (a coroutine to completion too)."""
    return handle(handler)(state, *args)


def add_notification(engine, title: str = "Caché: latencia alta (150 ms)") -> int:
    with Session(engine, expire_on_commit=False) as session:
        row = notify_owner(
            session, severity=NotificationSeverity.WARNING, title=title, body="Detalle", now=NOW
        )
        session.commit()
        return row.id


# -- overview: connection and current figures (real Redis traffic) -----------------------


def test_connection_status_of_redis(redis_cache):
    status = overview.connection_status(owner_user(), SETTINGS)
    assert status["mode"] == "redis" and status["mode_label"] == "Redis (Producción)"
    assert status["connected"] is True and status["degraded"] is False
    assert status["round_trip_ms"] >= 0
    english = overview.connection_status(owner_user(), SETTINGS, lang="en")
    assert english["mode_label"] == "Redis (Production)"


def test_connection_status_when_redis_does_not_answer():
    service = build_cache(redis_url="redis://127.0.0.1:1/0", namespace="test-monitor-down")
    try:
        status = overview.connection_status(owner_user(), SETTINGS, cache=service)
    finally:
        service.close()
    assert status["connected"] is False and status["degraded"] is True
    assert status["mode_label"] == "Redis (Producción)"


def test_mode_labels():
    assert overview.mode_label("upstash") == "Upstash Redis (Producción)"
    assert overview.mode_label("memory") == "Memoria (Desarrollo)"
    assert overview.mode_label("memory", "en") == "Memory (Development)"


def test_current_metrics_count_real_redis_hits_and_misses(redis_cache):
    redis_cache.set("t1:clients:list:-", ["Ana"], 60)
    for _ in range(3):
        assert redis_cache.get("t1:clients:list:-") == ["Ana"]
    assert redis_cache.get("t1:pianos:list:-") is None
    assert redis_cache.get("t1:services:list:-") is None

    figures = overview.current_metrics(owner_user(), SETTINGS)

    assert figures["mode"] == "redis" and figures["connected"]
    assert (figures["hits"], figures["misses"], figures["sets"]) == (3, 2, 1)
    assert figures["operations"] == 6 and figures["lookups"] == 5
    assert figures["hit_rate"] == 60.0
    assert figures["keys"] >= 1 and figures["errors"] == 0
    assert figures["latency_ms"]["avg"] > 0 and figures["latency_ms"]["p95"] > 0
    assert figures["latency_band"] == "green"  # a local Redis answers in well under 35 ms
    assert figures["uptime_s"] >= 0


def test_low_hit_rate_needs_more_than_ten_operations(redis_cache):
    redis_cache.set("t1:clients:list:-", ["Ana"], 60)  # 1 operation
    for index in range(9):  # 9 misses: 10 operations, hit rate 0 %
        redis_cache.get(f"t1:cold:{index}")
    at_ten = overview.current_metrics(owner_user(), SETTINGS)
    assert at_ten["operations"] == 10 and at_ten["hit_rate"] == 0.0
    assert at_ten["low_hit_rate"] is False

    redis_cache.get("t1:cold:9")  # the 11th operation
    at_eleven = overview.current_metrics(owner_user(), SETTINGS)
    assert at_eleven["operations"] == 11
    assert at_eleven["low_hit_rate"] is True


def test_low_hit_rate_follows_the_owners_threshold(redis_cache):
    redis_cache.set("k", 1, 60)
    for _ in range(7):
        redis_cache.get("k")
    for index in range(3):
        redis_cache.get(f"cold-{index}")
    # 11 operations, 7 hits of 10 lookups: 70 %.
    assert overview.current_metrics(owner_user(), SETTINGS)["low_hit_rate"] is True  # < 80 %
    figures = overview.current_metrics(owner_user(), SETTINGS, hit_rate_threshold=70)
    assert figures["hit_rate"] == 70.0 and figures["low_hit_rate"] is False  # not below 70 %
    assert figures["hit_rate_threshold"] == 70.0


def test_writes_alone_are_never_a_low_hit_rate():
    stats = Traffic().add(sets=30)
    assert overview.current_metrics(owner_user(), SETTINGS, stats=stats)["low_hit_rate"] is False


@pytest.mark.parametrize(
    ("latency_ms", "band"),
    [
        (0.5, "green"),
        (35, "green"),
        (35.01, "amber"),
        (100, "amber"),
        (100.01, "red"),
        (900, "red"),
    ],
)
def test_latency_gauge_colour_bands(latency_ms, band):
    assert overview.latency_band(latency_ms) == band
    stats = Traffic().add(hits=20, latency_ms=latency_ms)
    figures = overview.current_metrics(owner_user(), SETTINGS, stats=stats)
    assert figures["latency_ms"]["avg"] == pytest.approx(latency_ms)
    assert figures["latency_band"] == band
    assert 0 <= figures["latency_gauge_pct"] <= 100


def test_gauge_scale():
    assert overview.gauge_percent(0) == 0
    assert overview.gauge_percent(75) == 50
    assert overview.gauge_percent(10_000) == 100


def test_uptime_text():
    assert overview.uptime_text(45) == "45 s"
    assert overview.uptime_text(125) == "2 min 5 s"
    assert overview.uptime_text(3 * 3600 + 12 * 60) == "3 h 12 min"
    assert overview.uptime_text(2 * 86400 + 3 * 3600) == "2 d 3 h"


def test_invalidate_everything_turns_a_cached_entry_into_a_miss(redis_cache):
    redis_cache.set("t1:clients:list:-", ["Ana"], 60)
    assert redis_cache.get("t1:clients:list:-") == ["Ana"]

    overview.invalidate_everything(owner_user(), settings=SETTINGS)

    assert redis_cache.get("t1:clients:list:-") is None
    figures = overview.current_metrics(owner_user(), SETTINGS)
    assert (figures["hits"], figures["misses"]) == (1, 1)


def test_reset_metrics_puts_every_figure_back_to_zero(redis_cache):
    redis_cache.set("k", 1, 60)
    redis_cache.get("k")
    redis_cache.get("missing")
    assert overview.current_metrics(owner_user(), SETTINGS)["operations"] == 3

    overview.reset_cache_metrics(owner_user(), settings=SETTINGS)

    figures = overview.current_metrics(owner_user(), SETTINGS)
    assert figures["hits"] == figures["misses"] == figures["sets"] == figures["operations"] == 0
    assert figures["hit_rate"] == 0.0 and figures["latency_ms"]["avg"] == 0.0
    assert figures["low_hit_rate"] is False
    assert redis_cache.get("k") == 1  # the entries stay: only the figures were reset


def test_invalidate_namespace_for_every_technician(session, redis_cache, configured_app_settings):
    first = make_technician(session, "Ana")
    second = make_technician(session, "Luis")
    session.commit()
    loads: list[str] = []

    def read(user: User, collection: str) -> str:
        def loader() -> str:
            loads.append(f"{user.id}:{collection}")
            return collection

        key = f"t{user.id}:{collection}:list:-"
        return redis_cache.get_or_load(key, loader, 60, tags=[tag(user.id, collection)])

    for user in (first, second):
        read(user, "clients")
        read(user, "pianos")
    loads.clear()

    owner = User(id=10_000, name="Dueña", email=OWNER_EMAIL, password_hash="x")
    bumped = overview.invalidate_namespace(session, owner, "clients")

    assert bumped == 2 * 2  # clients and client_names for both technicians
    for user in (first, second):
        read(user, "clients")  # a miss: loaded again
        read(user, "pianos")  # another collection: still a hit
    assert loads == [f"{first.id}:clients", f"{second.id}:clients"]
    with pytest.raises(ValueError):
        overview.invalidate_namespace(session, owner, "nothing")


def test_namespaces_are_the_domain_collections():
    names = overview.namespaces()
    assert "clients" in names and "invoices" in names and names == sorted(names)


def test_every_overview_function_refuses_anyone_but_the_owner(session, configured_app_settings):
    stranger, nobody = other_user(), None
    for user in (stranger, nobody):
        calls = [
            lambda u=user: overview.connection_status(u),
            lambda u=user: overview.current_metrics(u),
            lambda u=user: overview.history_series(session, u, "24h", NOW),
            lambda u=user: overview.history_csv_for(session, u, "24h", NOW),
            lambda u=user: overview.jobs_overview(session, u, NOW),
            lambda u=user: overview.alerts_overview(session, u, NOW),
            lambda u=user: overview.invalidate_namespace(session, u, "clients"),
            lambda u=user: overview.invalidate_everything(u),
            lambda u=user: overview.reset_cache_metrics(u),
        ]
        for refused in calls:
            with pytest.raises(OwnerOnly):
                refused()


# -- overview: history from stored snapshots ----------------------------------------------


def _snapshots(session: Session) -> Traffic:
    """Snapshots 30 h, 5 h, 3 h, 2 h and 30 min before ``NOW``, with known traffic."""
    traffic = Traffic()
    take_snapshot(session, NOW - timedelta(hours=30), traffic.add(hits=10, misses=10))
    take_snapshot(session, NOW - timedelta(hours=5), traffic.add(hits=90, misses=10, sets=5))
    take_snapshot(session, NOW - timedelta(hours=3), traffic.add(hits=40, misses=60, latency_ms=8))
    take_snapshot(session, NOW - timedelta(hours=2), traffic.stats())  # a quiet hour
    take_snapshot(session, NOW - timedelta(minutes=30), traffic.add(hits=30, misses=10, deletes=2))
    session.commit()
    return traffic


def test_history_series_has_per_interval_values(session, configured_app_settings):
    _snapshots(session)
    owner = owner_user()

    day = overview.history_series(session, owner, "24h", NOW)

    assert not day["empty"]
    points = day["points"]
    # 30 h ago is outside the last 24 hours.
    assert [p["label"] for p in points] == ["06:00", "08:00", "09:00", "10:30"]  # Madrid, UTC+1
    five, three, two, half = points
    assert (five["hits"], five["misses"], five["sets"], five["operations"]) == (90, 10, 5, 105)
    assert five["hit_rate"] == 90.0 and five["cumulative_hit_rate"] == round(100 * 100 / 120, 2)
    assert (three["hits"], three["misses"], three["hit_rate"]) == (40, 60, 40.0)
    # The average latency of that hour alone (8 ms), though the cumulative one is lower.
    assert three["latency_avg"] == pytest.approx(8.0)
    assert (two["operations"], two["hit_rate"], two["latency_avg"]) == (0, None, None)
    assert (half["hits"], half["misses"], half["deletes"], half["hit_rate"]) == (30, 10, 2, 75.0)
    assert half["latency_avg"] == pytest.approx(2.0)
    for point in points:
        assert point["p50"] is not None and point["p95"] >= point["p50"]
        assert datetime.fromisoformat(point["taken_at"]).tzinfo is not None


def test_history_series_ranges(session, configured_app_settings):
    _snapshots(session)
    owner = owner_user()
    counts = {
        key: len(overview.history_series(session, owner, key, NOW)["points"])
        for key in overview.RANGES
    }
    assert counts == {"1h": 1, "6h": 4, "24h": 4, "7d": 5}
    week = overview.history_series(session, owner, "7d", NOW)["points"]
    assert week[0]["label"] == "26/11 05:00"  # day and time beyond 24 hours
    assert week[0]["operations"] == 20  # the first snapshot counts since the metrics started
    with pytest.raises(ValueError):
        overview.history_series(session, owner, "2y", NOW)


def test_history_series_empty_says_when_the_first_snapshot_comes(session, configured_app_settings):
    now = datetime(2026, 11, 27, 10, 10, tzinfo=UTC)
    result = overview.history_series(session, owner_user(), "24h", now)
    assert result["empty"] and result["points"] == []
    # The hourly snapshot job fires at minute 0 (Europe/Madrid): 11:00 UTC, 12:00 in Madrid.
    following = datetime.fromisoformat(result["next_snapshot_at"])
    assert following == datetime(2026, 11, 27, 11, 0, tzinfo=UTC)
    assert overview.local_text(result["next_snapshot_at"]) == "27/11/2026 12:00"


def test_history_csv_of_a_range(session, configured_app_settings):
    _snapshots(session)
    data = overview.history_csv_for(session, owner_user(), "6h", NOW)
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert table[0][:2] == ["Fecha", "Modo"]
    assert len(table) == 1 + 4
    assert table[1][0] == "2026-11-27 06:00"


def test_jobs_overview_lists_every_job_with_its_next_run(session, configured_app_settings):
    from piano_emotion.jobs import JOBS
    from piano_emotion.models import JobRun
    from piano_emotion.models.enums import JobRunStatus

    session.add(
        JobRun(
            job_name="cache_snapshot",
            period_key="2026-11-27T10",
            started_at=NOW - timedelta(minutes=50),
            finished_at=NOW - timedelta(minutes=50) + timedelta(milliseconds=1500),
            duration_ms=1500,
            status=JobRunStatus.SUCCESS,
            result="snapshot hit rate 75.0",
        )
    )
    session.commit()

    jobs = {row["job"]: row for row in overview.jobs_overview(session, owner_user(), NOW)}

    assert set(jobs) == set(JOBS)
    snapshot = jobs["cache_snapshot"]
    assert snapshot["schedule_text"] == "Cada hora (minuto 00)"
    assert snapshot["last_started"] == "27/11/2026 10:10"
    assert snapshot["duration"] == "1,5 s" and snapshot["status"] == "success"
    assert snapshot["next_run"] == "27/11/2026 11:00"  # NOW is 10:00 UTC, 11:00 in Madrid
    assert jobs["cache_alert_check"]["schedule_text"] == "Cada 5 min"
    assert jobs["cache_alert_check"]["next_run"] == "27/11/2026 11:05"
    assert jobs["daily_reminders"]["schedule_text"] == "Cada día a las 06:00"
    assert jobs["daily_reminders"]["last_started"] == "" and jobs["daily_reminders"]["status"] == ""
    assert snapshot["scheduler_running"] is False


# -- the page: load -----------------------------------------------------------------------------


@pytest.fixture
def badges_outside_the_figures(monkeypatch):
    """Opening the page reads the sidebar badges first (``@page_load``), through
    the same cache; the tests of the figures count their own cache traffic only
    (the badges are tested in ``test_page_load.py`` and ``test_workspace2_states.py``)."""
    monkeypatch.setattr(MonitorState, "_load_nav_badges", lambda self, user, session=None: None)


@pytest.mark.usefixtures("badges_outside_the_figures")
def test_the_owner_loads_the_page(people, redis_cache, configured_app_settings, engine):
    owner, _ = people
    redis_cache.set("t1:clients:list:-", ["Ana"], 60)
    redis_cache.get("t1:clients:list:-")
    redis_cache.get("t1:cold")
    state = monitor_for(owner, configured_app_settings)

    result = call(MonitorState.load, state)

    assert result is None
    assert state.owner_confirmed and not state.access_denied and state.loaded
    assert state.mode_label == "Redis (Producción)" and state.connected and not state.degraded
    assert state.round_trip.endswith(" ms")
    assert state.metrics["hits"] == "1" and state.metrics["misses"] == "1"
    assert state.metrics["hit_rate"] == "50,0 %" and state.metrics["threshold"] == "80 %"
    assert state.latency_band == "green" and not state.low_hit_rate
    assert [row["kind"] for row in state.operations_by_kind][:2] == ["Aciertos", "Fallos"]
    assert state.history_empty and state.next_snapshot
    assert state.thresholds == {
        "min_hit_rate_pct": "80",
        "max_latency_ms": "100",
        "cooldown_minutes": "30",
        "min_operations": "10",
    }
    assert state.alerts_enabled and state.alert_next_run
    assert {row["job"] for row in state.jobs} >= {"cache_snapshot", "cache_alert_check"}
    assert "clients" in state.namespace_options and state.selected_namespace
    assert count(engine, CacheAlertSettings) == 1  # created with the defaults on first read


@pytest.mark.usefixtures("badges_outside_the_figures")
def test_the_page_in_english(people, redis_cache, configured_app_settings):
    owner, _ = people
    redis_cache.set("k", 1, 60)
    redis_cache.get("k")
    redis_cache.get("cold")
    state = monitor_for(owner, configured_app_settings)
    set_language(state, "en")
    call(MonitorState.load, state)
    assert state.mode_label == "Redis (Production)"
    assert state.metrics["hit_rate"] == "50.0 %"
    assert state.operations_by_kind[0]["kind"] == "Hits"
    jobs = {row["job"]: row for row in state.jobs}
    assert jobs["cache_alert_check"]["schedule_text"] == "Every 5 min"


def test_a_technician_gets_access_denied_and_no_data(people, configured_app_settings):
    _, technician = people
    state = monitor_for(technician, configured_app_settings)

    result = call(MonitorState.load, state)

    assert toasts(result) == [("error", ACCESS_DENIED)]
    assert state.access_denied and not state.owner_confirmed and not state.loaded
    assert state.metrics == {} and state.jobs == [] and state.alert_events == []
    assert state.history_points == [] and state.thresholds == {} and state.mode_label == ""
    assert state.namespace_options == [] and state.doctor_results == []


def test_signed_out_goes_to_sign_in(people, configured_app_settings):
    state = monitor_for(None, configured_app_settings)
    result = call(MonitorState.load, state)
    assert redirect_path(result) == "/entrar?next=%2Fmonitor-cache"
    assert not state.owner_confirmed and state.metrics == {}


def test_a_forged_owner_flag_grants_nothing(people, configured_app_settings):
    _, technician = people
    state = monitor_for(technician, configured_app_settings)
    state.is_owner = state.owner_confirmed = True
    with pytest.raises(PermissionError):
        call(MonitorState.refresh, state)
    assert state.metrics == {}


# -- the page: every handler is for the owner only ----------------------------------------------

MONITOR_CALLS = {
    "refresh": (),
    "set_history_range": ("6h",),
    "export_csv": (),
    "set_auto_refresh": (True,),
    "page_shown": (),
    "page_hidden": (),
    "leave_page": (),
    "auto_refresh_loop": (),
    "set_alerts_enabled": (False,),
    "save_thresholds": (
        {
            "min_hit_rate_pct": "50",
            "max_latency_ms": "20",
            "cooldown_minutes": "5",
            "min_operations": "1",
        },
    ),
    "set_namespace": ("pianos",),
    "invalidate_namespace": (),
    "invalidate_all": (),
    "reset_metrics": (),
    "run_doctor": (),
}
BELL_CALLS = {
    "load_bell": (),
    "bell_open_change": (True,),
    "mark_all_read": (),
    "mark_one_read": (1,),
}


def _own_handlers(cls) -> set[str]:
    # ``setvar`` is Reflex's generic setter of every state: it sets display
    # flags at most (every figure comes from an owner-checked handler).
    return {name for name in cls.event_handlers if name in cls.__dict__} - {"setvar"}


def test_every_handler_is_in_the_guard_tests():
    assert _own_handlers(MonitorState) == set(MONITOR_CALLS) | {"load"}
    assert _own_handlers(NotificationsState) == set(BELL_CALLS)


@pytest.mark.parametrize("name", sorted(MONITOR_CALLS))
def test_monitor_handlers_refuse_a_technician(
    name, people, redis_cache, configured_app_settings, engine
):
    _, technician = people
    redis_cache.set("t1:clients:list:-", ["Ana"], 60)
    state = monitor_for(technician, configured_app_settings)
    state.auto_refresh = True  # even with the loop's conditions met

    with pytest.raises(PermissionError) as refused:
        call(getattr(MonitorState, name), state, *MONITOR_CALLS[name])

    assert handle_backend_exception(refused.value)[0] is not None
    assert toasts(handle_backend_exception(refused.value)) == [("error", ACCESS_DENIED)]
    assert state.metrics == {} and state.history_points == [] and state.jobs == []
    assert state.doctor_results == [] and not state.doctor_running
    assert state.history_range == "24h" and state.selected_namespace == ""
    # Nothing was done either.
    assert redis_cache.get("t1:clients:list:-") == ["Ana"]
    assert redis_cache.stats()["hits"] == 1
    assert count(engine, CacheAlertSettings) == 0


@pytest.mark.parametrize("name", sorted(MONITOR_CALLS))
def test_monitor_handlers_refuse_the_signed_out(name, people, configured_app_settings):
    state = monitor_for(None, configured_app_settings)
    with pytest.raises(NotSignedIn) as refused:
        call(getattr(MonitorState, name), state, *MONITOR_CALLS[name])
    assert redirect_path(handle_backend_exception(refused.value)) == routes.SIGN_IN
    assert state.metrics == {} and state.jobs == []


@pytest.mark.parametrize("name", sorted(BELL_CALLS))
def test_bell_handlers_refuse_anyone_but_the_owner(name, people, configured_app_settings, engine):
    _, technician = people
    add_notification(engine)
    state = bell_for(technician, configured_app_settings)
    with pytest.raises(PermissionError):
        call(getattr(NotificationsState, name), state, *BELL_CALLS[name])
    assert state.unread == 0 and state.notifications == [] and not state.bell_loaded
    assert count(engine, OwnerNotification) == 1
    assert rows(engine, OwnerNotification)[0].read_at is None  # nothing marked read

    signed_out = bell_for(None, configured_app_settings)
    with pytest.raises(NotSignedIn):
        call(getattr(NotificationsState, name), signed_out, *BELL_CALLS[name])
    assert signed_out.notifications == []


# -- the page: what the owner's handlers do -------------------------------------------------


@pytest.fixture
def owner_page(
    people, redis_cache, configured_app_settings, badges_outside_the_figures
) -> MonitorState:
    owner, _ = people
    state = monitor_for(owner, configured_app_settings)
    call(MonitorState.load, state)
    return state


def test_history_range_and_charts(owner_page, engine):
    with Session(engine) as session:
        now = datetime.now(UTC)
        traffic = Traffic()
        take_snapshot(session, now - timedelta(hours=3), traffic.add(hits=8, misses=2))
        take_snapshot(session, now - timedelta(minutes=20), traffic.add(hits=1, misses=3))
        session.commit()
    state = owner_page

    call(MonitorState.set_history_range, state, "1h")
    assert state.history_range == "1h" and not state.history_empty
    assert [p["hit_rate"] for p in state.history_points] == [25.0]

    call(MonitorState.set_history_range, state, ["6h"])  # the segmented control's list form
    assert state.history_range == "6h"
    assert [p["hit_rate"] for p in state.history_points] == [80.0, 25.0]
    assert [p["operations"] for p in state.history_points] == [10, 4]

    call(MonitorState.set_history_range, state, "forever")  # ignored
    assert state.history_range == "6h"


def test_export_csv_downloads_the_range(owner_page, engine):
    with Session(engine) as session:
        take_snapshot(session, datetime.now(UTC) - timedelta(minutes=5), Traffic().add(hits=4))
        session.commit()
    result = call(MonitorState.export_csv, owner_page)
    [event] = events_of(result)
    args = {name._js_expr: value._var_value for name, value in event.args}
    assert args["filename"].startswith("cache-monitor-24h-") and args["filename"].endswith(".csv")
    prefix, _, encoded = args["url"].partition(";base64,")
    assert prefix == "data:text/csv"
    text = base64.b64decode(encoded).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert table[0][0] == "Fecha" and len(table) == 2
    assert table[1][table[0].index("Aciertos (hora)")] == "4"


def test_thresholds_bad_input_shows_spanish_messages_and_writes_nothing(owner_page, engine):
    state = owner_page
    before = rows(engine, CacheAlertSettings)[0]

    result = call(
        MonitorState.save_thresholds,
        state,
        {
            "min_hit_rate_pct": "120",
            "max_latency_ms": "cero",
            "cooldown_minutes": "2,5",
            "min_operations": "0",
        },
    )

    assert result is None
    assert state.threshold_errors == {
        "min_hit_rate_pct": "Entre 1 y 100 %.",
        "max_latency_ms": "Escribe un número.",
        "cooldown_minutes": "Escribe un número entero.",
        "min_operations": "Al menos 1 operación.",
    }
    after = rows(engine, CacheAlertSettings)[0]
    assert (after.min_hit_rate_pct, after.max_latency_ms) == (before.min_hit_rate_pct, 100.0)
    assert (after.cooldown_minutes, after.min_operations) == (30, 10)

    call(
        MonitorState.save_thresholds,
        state,
        {
            "min_hit_rate_pct": "",
            "max_latency_ms": "100",
            "cooldown_minutes": "30",
            "min_operations": "10",
        },
    )
    assert state.threshold_errors == {"min_hit_rate_pct": "Escribe un número."}
    assert rows(engine, CacheAlertSettings)[0].min_hit_rate_pct == 80.0


def test_thresholds_are_saved(owner_page, engine):
    state = owner_page
    version = state.thresholds_version
    result = call(
        MonitorState.save_thresholds,
        state,
        {
            "min_hit_rate_pct": "72,5",
            "max_latency_ms": "60",
            "cooldown_minutes": "45",
            "min_operations": "25",
        },
    )
    assert toasts(result) == [("success", "Umbrales guardados.")]
    assert state.threshold_errors == {}
    stored = rows(engine, CacheAlertSettings)[0]
    assert (stored.min_hit_rate_pct, stored.max_latency_ms) == (72.5, 60.0)
    assert (stored.cooldown_minutes, stored.min_operations) == (45, 25)
    assert state.thresholds["min_hit_rate_pct"] == "72,5"
    assert state.metrics["threshold"] == "72,5 %" and state.hit_rate_threshold == 72.5
    assert state.thresholds_version > version

    call(MonitorState.set_alerts_enabled, state, False)
    assert rows(engine, CacheAlertSettings)[0].enabled is False and not state.alerts_enabled


def test_alert_history_on_the_page(people, redis_cache, configured_app_settings, engine):
    owner, _ = people
    with Session(engine) as session:
        raised = CacheAlertEvent(
            cause=CacheAlertCause.LATENCY,
            kind=CacheAlertEventKind.RAISED,
            value=150.0,
            threshold=100.0,
            message="Caché: latencia alta (150 ms). …",
            created_at=NOW,
            updated_at=NOW,
            recovered_at=NOW + timedelta(minutes=10),
            notified=True,
        )
        session.add(raised)
        session.commit()
    state = monitor_for(owner, configured_app_settings)
    call(MonitorState.load, state)
    [event] = state.alert_events
    assert event["created"] == "27/11/2026 11:00" and event["recovered"] == "27/11/2026 11:10"
    assert event["cause_label"] == "Latencia" and event["kind_label"] == "Alerta"
    assert event["notified"] is True and event["message"].startswith("Caché: latencia alta")


def test_invalidate_actions_and_reset_from_the_page(owner_page, redis_cache, people, engine):
    _owner, technician = people
    state = owner_page
    loads = []

    def read():
        key = f"t{technician.id}:pianos:list:-"
        return redis_cache.get_or_load(
            key, lambda: loads.append(1) or "x", 60, tags=[tag(technician.id, "pianos")]
        )

    read()
    read()
    assert len(loads) == 1

    call(MonitorState.set_namespace, state, "pianos")
    result = call(MonitorState.invalidate_namespace, state)
    assert toasts(result) == [("success", "Colección «Pianos» invalidada para todos los técnicos.")]
    read()
    assert len(loads) == 2  # a miss after the invalidation

    redis_cache.set("t1:clients:list:-", ["Ana"], 60)
    result = call(MonitorState.invalidate_all, state)
    assert toasts(result) == [("success", "Toda la caché está invalidada.")]
    assert redis_cache.get("t1:clients:list:-") is None

    assert redis_cache.stats()["operations"] > 0
    result = call(MonitorState.reset_metrics, state)
    assert toasts(result) == [("success", "Métricas reiniciadas.")]
    assert state.metrics["hits"] == state.metrics["misses"] == state.metrics["operations"] == "0"
    stats = redis_cache.stats()
    assert stats["hits"] == stats["misses"] == stats["sets"] == 0

    call(MonitorState.set_namespace, state, "not-a-collection")  # ignored
    assert state.selected_namespace == "pianos"


def test_auto_refresh_runs_while_visible_and_stops(owner_page, redis_cache, engine, monkeypatch):
    state = owner_page
    assert state.auto_refresh is False  # off by default
    assert state.history_empty
    pauses = []

    async def pause(seconds):
        pauses.append(seconds)
        redis_cache.get("t1:cold")  # traffic between two rounds
        if len(pauses) == 2:
            with Session(engine) as session:
                take_snapshot(
                    session, datetime.now(UTC) - timedelta(minutes=1), Traffic().add(hits=3)
                )
                session.commit()
        if len(pauses) == 3:
            call(MonitorState.page_hidden, state)  # the tab is hidden

    monkeypatch.setattr(monitor_state, "_pause", pause)
    monkeypatch.setattr(monitor_state, "FULL_REFRESH_ROUNDS", 2)

    result = call(MonitorState.set_auto_refresh, state, True)
    assert result.fn.__name__ == "auto_refresh_loop"
    call(MonitorState.auto_refresh_loop, state)

    assert pauses == [monitor_state.AUTO_REFRESH_SECONDS] * 3  # stopped once hidden
    assert state.metrics["misses"] == "2" and not state.page_visible
    # The second round read everything again: the new snapshot is on the chart.
    assert not state.history_empty and [p["hits"] for p in state.history_points] == [3]

    assert call(MonitorState.page_shown, state).fn.__name__ == "auto_refresh_loop"
    call(MonitorState.leave_page, state)  # leaving the page stops it for good
    assert state.auto_refresh is False
    pauses.clear()
    call(MonitorState.auto_refresh_loop, state)
    assert pauses == []
    assert call(MonitorState.page_shown, state) is None
    assert call(MonitorState.set_auto_refresh, state, False) is None


def test_a_newer_auto_refresh_loop_replaces_the_older(owner_page, monkeypatch):
    state = owner_page
    state.auto_refresh = True
    rounds = []

    async def pause(seconds):
        rounds.append(seconds)
        state._loop_token = "another loop"

    monkeypatch.setattr(monitor_state, "_pause", pause)
    call(MonitorState.auto_refresh_loop, state)
    assert rounds == [monitor_state.AUTO_REFRESH_SECONDS]


def test_the_doctor_runs_in_the_background(owner_page):
    state = owner_page
    call(MonitorState.run_doctor, state)
    assert not state.doctor_running and state.doctor_ran_at
    labels = [row["label"] for row in state.doctor_results]
    assert "Base de datos y migraciones" in labels and "Modo de la caché" in labels
    database = next(r for r in state.doctor_results if r["check"] == "doctor.check.database")
    assert database["symbol"] == "✓" and database["status"] == "ok"
    assert {row["symbol"] for row in state.doctor_results} <= {"✓", "✗", "⚠"}
    assert all("hint" in row and "detail" in row for row in state.doctor_results)
    assert "correctas" in state.doctor_summary


# -- the bell --------------------------------------------------------------------------


def test_the_owners_bell(people, configured_app_settings, engine):
    owner, _ = people
    first = add_notification(engine, "Caché: latencia alta (150 ms)")
    add_notification(engine, "Caché: tasa de aciertos baja (40 %)")
    state = bell_for(owner, configured_app_settings)

    call(NotificationsState.load_bell, state)
    assert state.unread == 2 and state.bell_loaded
    assert {item["title"] for item in state.notifications} == {
        "Caché: latencia alta (150 ms)",
        "Caché: tasa de aciertos baja (40 %)",
    }
    assert state.notifications[0]["created"] == "27/11/2026 11:00"

    call(NotificationsState.mark_one_read, state, first)
    assert state.unread == 1
    assert next(i for i in state.notifications if i["id"] == first)["read"] is True

    call(NotificationsState.mark_all_read, state)
    assert state.unread == 0
    with Session(engine) as session:
        assert all(row.read_at is not None for row in session.exec(select(OwnerNotification)))

    add_notification(engine, "Caché: conexión recuperada")
    call(NotificationsState.bell_open_change, state, False)  # closing reads nothing
    assert state.unread == 0
    call(NotificationsState.bell_open_change, state, True)
    assert state.unread == 1


# -- the CSV route ------------------------------------------------------------------------------


@pytest.fixture
def api(configured_app_settings) -> Iterator[TestClient]:
    from piano_emotion.api import api_routes

    with TestClient(Starlette(routes=api_routes())) as client:
        yield client


def _token(user: User, settings) -> str:
    from piano_emotion.auth.tokens import issue_session_token

    return issue_session_token(user.id, user.session_version, settings)


def test_history_csv_route(api, people, configured_app_settings, engine):
    owner, technician = people
    with Session(engine) as session:
        take_snapshot(
            session, datetime.now(UTC) - timedelta(minutes=5), Traffic().add(hits=7, misses=3)
        )
        session.commit()
    path = routes.API_MONITOR_HISTORY_CSV

    anonymous = api.get(path + "?range=24h")
    assert anonymous.status_code == 401 and "Fecha" not in anonymous.text

    refused = api.get(
        path + "?range=24h",
        headers={"Authorization": f"Bearer {_token(technician, configured_app_settings)}"},
    )
    assert refused.status_code == 403 and ACCESS_DENIED in refused.text
    assert "Fecha" not in refused.text

    owner_headers = {"Authorization": f"Bearer {_token(owner, configured_app_settings)}"}
    response = api.get(path + "?range=24h", headers=owner_headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.headers["cache-control"] == "private, no-store"
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert table[0][0] == "Fecha" and len(table) == 2
    assert table[1][table[0].index("Aciertos (hora)")] == "7"

    english = api.get(path + "?range=1h&lang=en", headers=owner_headers)
    assert english.status_code == 200 and english.content.decode("utf-8-sig").startswith("Date,")

    assert api.get(path + "?range=1y", headers=owner_headers).status_code == 400


# -- the page renders ----------------------------------------------------------------------------


def test_the_page_and_the_shell_render():
    from piano_emotion.ui.components.layout import PAGES, nav_links, top_bar

    [spec] = [spec for spec in PAGES if spec.route == routes.MONITOR]
    assert MonitorState.load in spec.on_load
    rendered = str(spec.component().render())
    for test_id in (
        "monitor-page",
        "latency-gauge",
        "chart-hit-rate",
        "doctor-run",
        "access-denied",
    ):
        assert test_id in rendered
    assert "owner-bell" in str(top_bar(routes.HOME, "home.title").render())
    assert "nav-monitor" in str(nav_links(routes.HOME).render())
