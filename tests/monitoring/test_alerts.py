"""The 5-minute cache health check: windows, thresholds, cooldown, recovery,
the owner's settings; injected stats, the real memory cache and real Redis."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
import redis
from sqlmodel import Session, select

from piano_emotion.cache import build_cache, use_cache
from piano_emotion.domain.errors import ValidationFailed
from piano_emotion.models import CacheAlertEvent, CacheAlertSettings, OwnerNotification
from piano_emotion.models.enums import (
    CacheAlertCause,
    CacheAlertEventKind,
    NotificationSeverity,
)
from piano_emotion.monitoring.alerts import (
    alert_settings_to_dict,
    check_cache_health,
    event_to_dict,
    get_alert_settings,
    read_baseline,
    recent_events,
    save_alert_settings,
)
from tests.conftest import REDIS_TEST_URL, redis_available, require_service
from tests.monitoring.conftest import NOW

FIVE = timedelta(minutes=5)


def _events(session: Session) -> list[CacheAlertEvent]:
    return list(session.exec(select(CacheAlertEvent).order_by(CacheAlertEvent.id)))


def _notifications(session: Session) -> list[OwnerNotification]:
    return list(session.exec(select(OwnerNotification).order_by(OwnerNotification.id)))


def _baseline(session, traffic, **ops):
    """A first check with some normal traffic: it only records the baseline."""
    result = check_cache_health(session, NOW, traffic.add(hits=95, misses=5, **ops))
    assert result.ignored_reason == "first_window" and result.window is None
    assert result.raised == [] and result.recovered == []
    return result


# -- the window ---------------------------------------------------------------


def test_low_hit_rate_in_the_window_raises_an_alert(session, traffic, configured_app_settings):
    _baseline(session, traffic)
    result = check_cache_health(session, NOW + FIVE, traffic.add(hits=30, misses=70))
    session.commit()
    assert result.window.lookups == 100 and result.window.hit_rate == 30.0
    assert [e.cause for e in result.raised] == [CacheAlertCause.HIT_RATE]
    [event] = _events(session)
    assert event.kind == CacheAlertEventKind.RAISED and event.recovered_at is None
    assert event.value == 30.0 and event.threshold == 80.0 and event.notified
    assert event.created_at == NOW + FIVE
    [note] = _notifications(session)
    assert note.alert_event_id == event.id and note.severity == NotificationSeverity.WARNING
    assert note.title == "Caché: tasa de aciertos baja (30 %)"
    assert "mínimo del 80 %" in note.body and "100 búsquedas" in note.body
    # Cumulatively the hit rate is 62.5 %: the window, not the total, is judged.
    assert result.judged == [
        CacheAlertCause.CONNECTION,
        CacheAlertCause.HIT_RATE,
        CacheAlertCause.LATENCY,
    ]


def test_hit_rate_exactly_at_the_threshold_is_fine(session, traffic, configured_app_settings):
    _baseline(session, traffic)
    result = check_cache_health(session, NOW + FIVE, traffic.add(hits=80, misses=20))
    assert result.failing == [] and _events(session) == []


def test_high_latency_in_the_window_raises_an_alert(session, traffic, configured_app_settings):
    check_cache_health(session, NOW, traffic.add(hits=100, latency_ms=2))
    stats = traffic.add(hits=100, latency_ms=150)
    assert stats["latency_ms"]["avg"] == 76.0  # the cumulative average looks fine
    result = check_cache_health(session, NOW + FIVE, stats)
    session.commit()
    assert result.window.latency_avg_ms == 150.0
    assert 100 < result.window.latency_p95_ms <= 150
    assert [e.cause for e in result.raised] == [CacheAlertCause.LATENCY]
    [event] = _events(session)
    assert (event.value, event.threshold) == (150.0, 100.0)
    [note] = _notifications(session)
    assert note.title == "Caché: latencia alta (150 ms)"
    assert "máximo de 100 ms" in note.body and "100 operaciones" in note.body


def test_a_window_with_too_little_traffic_is_ignored(session, traffic, configured_app_settings):
    _baseline(session, traffic)
    result = check_cache_health(session, NOW + FIVE, traffic.add(misses=9, latency_ms=900))
    assert result.window.operations == 9
    assert result.ignored_reason == "too_few_operations"
    assert result.judged == [CacheAlertCause.CONNECTION] and result.raised == []
    # Lookups and operations are counted apart: writes alone judge only the latency.
    result = check_cache_health(session, NOW + 2 * FIVE, traffic.add(sets=50, misses=1))
    assert CacheAlertCause.HIT_RATE not in result.judged
    assert CacheAlertCause.LATENCY in result.judged
    assert _events(session) == [] and _notifications(session) == []


def test_the_minimum_of_operations_is_the_owners_setting(
    session, traffic, owner, configured_app_settings
):
    save_alert_settings(session, owner, min_operations=200)
    _baseline(session, traffic)
    result = check_cache_health(session, NOW + FIVE, traffic.add(hits=10, misses=90))
    assert result.ignored_reason == "too_few_operations" and result.raised == []


def test_metrics_reset_between_checks(session, traffic, configured_app_settings):
    check_cache_health(session, NOW, traffic.add(hits=1000, misses=10))
    traffic.reset()
    result = check_cache_health(session, NOW + FIVE, traffic.add(hits=10, misses=40))
    assert result.window.reset and result.window.lookups == 50
    assert result.window.hit_rate == 20.0
    assert [e.cause for e in result.raised] == [CacheAlertCause.HIT_RATE]


# -- cooldown and recovery ------------------------------------------------------


def test_cooldown_no_repeat_within_30_minutes_then_repeat(
    session, traffic, configured_app_settings
):
    _baseline(session, traffic)
    first = check_cache_health(session, NOW + FIVE, traffic.add(hits=10, misses=90))
    assert len(first.raised) == 1
    for minutes in (10, 15, 20, 25, 30):
        result = check_cache_health(
            session, NOW + timedelta(minutes=minutes), traffic.add(hits=10, misses=90)
        )
        assert result.raised == [] and result.suppressed == [CacheAlertCause.HIT_RATE], minutes
    assert len(_notifications(session)) == 1
    again = check_cache_health(session, NOW + timedelta(minutes=35), traffic.add(misses=100))
    session.commit()
    assert [e.cause for e in again.raised] == [CacheAlertCause.HIT_RATE]
    raised = [e for e in _events(session) if e.kind == CacheAlertEventKind.RAISED]
    assert [e.created_at - NOW for e in raised] == [FIVE, timedelta(minutes=35)]
    assert len(_notifications(session)) == 2


def test_recovery_closes_the_alert_and_notifies(session, traffic, configured_app_settings):
    _baseline(session, traffic)
    check_cache_health(session, NOW + FIVE, traffic.add(hits=10, misses=90))
    check_cache_health(session, NOW + 2 * FIVE, traffic.add(hits=5, misses=95))  # cooldown
    result = check_cache_health(session, NOW + 3 * FIVE, traffic.add(hits=97, misses=3))
    session.commit()
    assert [e.cause for e in result.recovered] == [CacheAlertCause.HIT_RATE]
    raised, recovered = _events(session)
    assert raised.recovered_at == NOW + 3 * FIVE
    assert recovered.kind == CacheAlertEventKind.RECOVERED
    assert (recovered.value, recovered.threshold) == (97.0, 80.0) and recovered.notified
    _alert_note, recovery_note = _notifications(session)
    assert recovery_note.severity == NotificationSeverity.INFO
    assert recovery_note.alert_event_id == recovered.id
    assert recovery_note.title == "Caché: tasa de aciertos recuperada (97 %)"
    # Still fine later: nothing new; bad again: raised at once (no open alert).
    assert (
        check_cache_health(session, NOW + 4 * FIVE, traffic.add(hits=99, misses=1)).recovered == []
    )
    bad = check_cache_health(session, NOW + 5 * FIVE, traffic.add(misses=50))
    assert [e.cause for e in bad.raised] == [CacheAlertCause.HIT_RATE]
    assert len(_notifications(session)) == 3


def test_an_ignored_window_neither_repeats_nor_recovers(session, traffic, configured_app_settings):
    _baseline(session, traffic)
    check_cache_health(session, NOW + FIVE, traffic.add(misses=100))
    quiet = check_cache_health(session, NOW + timedelta(hours=2), traffic.add(hits=3))
    assert quiet.ignored_reason == "too_few_operations"
    assert quiet.raised == [] and quiet.recovered == []
    [event] = _events(session)
    assert event.recovered_at is None


def test_disconnected_cache_raises_a_critical_alert_and_recovers(
    session, traffic, configured_app_settings
):
    traffic.mode = "redis"
    _baseline(session, traffic)
    traffic.connected, traffic.degraded = False, True
    down = check_cache_health(session, NOW + FIVE, traffic.add(misses=100))
    assert [e.cause for e in down.raised] == [CacheAlertCause.CONNECTION]
    assert down.ignored_reason == "disconnected" and down.window is None
    [note] = _notifications(session)
    assert note.severity == NotificationSeverity.CRITICAL
    assert note.title == "Caché: sin conexión con Redis"
    traffic.connected, traffic.degraded = True, False
    up = check_cache_health(session, NOW + 2 * FIVE, traffic.add(hits=100))
    assert [e.cause for e in up.recovered] == [CacheAlertCause.CONNECTION]
    # The baseline was kept through the outage: the window spans it.
    assert up.window.lookups == 200 and up.window.hit_rate == 50.0
    assert [e.cause for e in up.raised] == [CacheAlertCause.HIT_RATE]
    assert _notifications(session)[-2].title == "Caché: conexión recuperada con Redis"


def test_disabled_alerts_raise_nothing(session, traffic, owner, configured_app_settings):
    save_alert_settings(session, owner, enabled=False)
    _baseline(session, traffic)
    result = check_cache_health(session, NOW + FIVE, traffic.add(misses=100))
    assert not result.enabled and result.raised == [] and result.summary() == "alerts disabled"
    assert _events(session) == [] and _notifications(session) == []


def test_texts_follow_the_owners_language(session, traffic, owner, configured_app_settings):
    owner.locale = "en"
    session.add(owner)
    session.commit()
    _baseline(session, traffic)
    check_cache_health(session, NOW + FIVE, traffic.add(hits=45, misses=55))
    [note] = _notifications(session)
    assert note.title == "Cache: low hit rate (45 %)"


# -- the real cache service ---------------------------------------------------------


def test_check_reads_the_real_memory_cache(session, fresh_cache, configured_app_settings):
    fresh_cache.set("x", 1, 60)
    check_cache_health(session, NOW)
    for i in range(20):
        fresh_cache.get(f"missing-{i}")
    result = check_cache_health(session, NOW + FIVE)
    assert result.window.lookups == 20 and result.window.hit_rate == 0.0
    assert [e.cause for e in result.raised] == [CacheAlertCause.HIT_RATE]
    assert read_baseline()["misses"] == 20


def test_the_baseline_is_shared_by_every_worker_through_redis(session, configured_app_settings):
    require_service(redis_available(), "Redis on 127.0.0.1:6379")
    namespace = f"test-alerts-{secrets.token_hex(4)}"
    worker_a = build_cache(redis_url=REDIS_TEST_URL, namespace=namespace)
    worker_b = build_cache(redis_url=REDIS_TEST_URL, namespace=namespace)
    try:
        with use_cache(worker_a):
            worker_a.set("k", 1, 60)
            for _ in range(30):
                worker_a.get("k")
            first = check_cache_health(session, NOW)
            assert first.ignored_reason == "first_window"
        with use_cache(worker_b):
            # The other worker sees worker A's baseline in Redis.
            assert read_baseline()["hits"] == 30
            for i in range(40):
                worker_b.get(f"cold-{i}")
            result = check_cache_health(session, NOW + FIVE)
        assert result.window.lookups == 40 and result.window.hit_rate == 0.0
        assert [e.cause for e in result.raised] == [CacheAlertCause.HIT_RATE]
    finally:
        worker_a.close()
        worker_b.close()
        client = redis.Redis.from_url(REDIS_TEST_URL, decode_responses=True)
        stale = list(client.scan_iter(match=namespace + "*"))
        if stale:
            client.delete(*stale)
        client.close()


# -- the owner's settings -------------------------------------------------------------


def test_settings_are_created_with_the_defaults_once(session):
    first = get_alert_settings(session)
    session.commit()
    assert (first.min_hit_rate_pct, first.max_latency_ms, first.cooldown_minutes) == (80, 100, 30)
    assert first.enabled and first.min_operations == 10
    assert get_alert_settings(session).id == first.id
    assert len(session.exec(select(CacheAlertSettings)).all()) == 1


def test_the_owner_changes_the_thresholds(session, owner, traffic):
    row = save_alert_settings(
        session,
        owner,
        min_hit_rate_pct="75,5",
        max_latency_ms=250,
        cooldown_minutes="60",
        min_operations=25,
    )
    session.commit()
    assert (row.min_hit_rate_pct, row.max_latency_ms) == (75.5, 250.0)
    assert (row.cooldown_minutes, row.min_operations, row.enabled) == (60, 25, True)
    assert save_alert_settings(session, owner, max_latency_ms="1").max_latency_ms == 1.0
    assert get_alert_settings(session).min_hit_rate_pct == 75.5  # None keeps a value


@pytest.mark.parametrize(
    ("field", "value", "key"),
    [
        ("min_hit_rate_pct", 0, "error.monitor_hit_rate_range"),
        ("min_hit_rate_pct", "100,5", "error.monitor_hit_rate_range"),
        ("min_hit_rate_pct", "mucho", "error.monitor_number_invalid"),
        ("min_hit_rate_pct", float("nan"), "error.monitor_number_invalid"),
        ("max_latency_ms", 0.5, "error.monitor_latency_range"),
        ("max_latency_ms", 10_001, "error.monitor_latency_range"),
        ("cooldown_minutes", 0, "error.monitor_cooldown_range"),
        ("cooldown_minutes", 1441, "error.monitor_cooldown_range"),
        ("cooldown_minutes", "2,5", "error.number_invalid"),
        ("min_operations", 0, "error.monitor_min_operations_range"),
        ("min_operations", -3, "error.monitor_min_operations_range"),
        ("enabled", "sí", "error.choice_invalid"),
    ],
)
def test_out_of_range_settings_are_refused(session, owner, field, value, key):
    from piano_emotion.ui.i18n import CATALOGUE

    before = alert_settings_to_dict(get_alert_settings(session))
    session.commit()
    with pytest.raises(ValidationFailed) as excinfo:
        save_alert_settings(session, owner, **{"cooldown_minutes": 45, field: value})
    assert excinfo.value.fields == {field: key}
    assert key in CATALOGUE
    session.rollback()
    assert alert_settings_to_dict(get_alert_settings(session)) == before


def test_the_limits_themselves_are_accepted(session, owner):
    row = save_alert_settings(
        session, owner, min_hit_rate_pct=100, max_latency_ms=10_000, cooldown_minutes=1440
    )
    assert (row.min_hit_rate_pct, row.max_latency_ms, row.cooldown_minutes) == (100, 10_000, 1440)
    row = save_alert_settings(
        session, owner, min_hit_rate_pct=1, max_latency_ms=1, cooldown_minutes=1, min_operations=1
    )
    assert (row.min_hit_rate_pct, row.max_latency_ms, row.cooldown_minutes) == (1, 1, 1)


def test_only_the_owner_changes_the_settings(session, stranger, owner):
    before = alert_settings_to_dict(get_alert_settings(session))
    session.commit()
    for user in (stranger, None):
        with pytest.raises(PermissionError):
            save_alert_settings(session, user, min_hit_rate_pct=50, enabled=False)
    session.rollback()
    assert alert_settings_to_dict(get_alert_settings(session)) == before


def test_recent_events_are_for_the_owner_only(session, traffic, owner, stranger):
    _baseline(session, traffic)
    check_cache_health(session, NOW + FIVE, traffic.add(misses=100))
    check_cache_health(session, NOW + 2 * FIVE, traffic.add(hits=100))
    session.commit()
    recovered, raised = recent_events(session, owner)
    assert event_to_dict(raised) | {"id": None, "message": ""} == {
        "id": None,
        "cause": "hit_rate",
        "kind": "raised",
        "value": 0.0,
        "threshold": 80.0,
        "message": "",
        "created_at": (NOW + FIVE).isoformat(),
        "recovered_at": (NOW + 2 * FIVE).isoformat(),
        "notified": True,
    }
    assert event_to_dict(recovered)["kind"] == "recovered"
    with pytest.raises(PermissionError):
        recent_events(session, stranger)
