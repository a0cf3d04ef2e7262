"""Hourly snapshots: counter deltas, resets, interval hit rate, retention, history, CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlmodel import Session, func, select

from piano_emotion.models import CacheMetricSnapshot
from piano_emotion.models.enums import CacheMode
from piano_emotion.monitoring.snapshots import (
    SNAPSHOT_RETENTION,
    history,
    history_csv,
    prune_snapshots,
    take_snapshot,
)
from tests.monitoring.conftest import NOW


def _count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(CacheMetricSnapshot)).one()


def test_the_first_snapshot_counts_everything_since_the_metrics_started(session, traffic):
    stats = traffic.add(hits=30, misses=10, sets=12, deletes=3, errors=1, latency_ms=4)
    row = take_snapshot(session, NOW, stats)
    session.commit()
    assert row.taken_at == NOW
    assert row.mode == CacheMode.MEMORY and row.connected and not row.degraded
    assert (row.hits, row.misses, row.sets, row.deletes, row.errors) == (30, 10, 12, 3, 1)
    assert (row.delta_hits, row.delta_misses, row.delta_sets, row.delta_deletes) == (30, 10, 12, 3)
    assert row.delta_errors == 1
    assert row.hit_rate == 75.0 and row.interval_hit_rate == 75.0
    assert row.latency_avg_ms == 4.0 and 3 < row.latency_p50_ms <= 5
    assert row.latency_p95_ms > 0 and row.latency_p99_ms > 0
    assert row.keys == 42


def test_deltas_and_interval_hit_rate_since_the_previous_snapshot(session, traffic):
    take_snapshot(session, NOW, traffic.add(hits=90, misses=10, sets=10))
    stats = traffic.add(hits=20, misses=20, sets=5, deletes=2, errors=3)
    row = take_snapshot(session, NOW + timedelta(hours=1), stats)
    assert (row.hits, row.misses, row.sets, row.deletes, row.errors) == (110, 30, 15, 2, 3)
    assert (row.delta_hits, row.delta_misses, row.delta_sets, row.delta_deletes) == (20, 20, 5, 2)
    assert row.delta_errors == 3
    assert row.interval_hit_rate == 50.0  # this hour only
    assert row.hit_rate == round(100 * 110 / 140, 2)  # since the metrics started


def test_an_interval_without_lookups_has_no_hit_rate(session, traffic):
    take_snapshot(session, NOW, traffic.add(hits=5, misses=5))
    row = take_snapshot(session, NOW + timedelta(hours=1), traffic.add(sets=3))
    assert row.delta_hits == row.delta_misses == 0 and row.delta_sets == 3
    assert row.interval_hit_rate is None
    quiet = take_snapshot(session, NOW + timedelta(hours=2), traffic.stats())
    assert quiet.interval_hit_rate is None
    assert (quiet.delta_hits, quiet.delta_sets) == (0, 0)


def test_reset_metrics_make_the_delta_the_new_cumulative_value(session, traffic):
    take_snapshot(session, NOW, traffic.add(hits=500, misses=100, sets=80, errors=4))
    traffic.reset()
    row = take_snapshot(session, NOW + timedelta(hours=1), traffic.add(hits=600, misses=3))
    # hits grew past the old value, but misses went down: the metrics were reset.
    assert (row.delta_hits, row.delta_misses, row.delta_sets, row.delta_errors) == (600, 3, 0, 0)
    assert row.interval_hit_rate == round(100 * 600 / 603, 2)


def test_a_snapshot_of_the_real_cache_service(session, fresh_cache):
    fresh_cache.set("a", 1, 60)
    fresh_cache.get("a")
    fresh_cache.get("b")
    row = take_snapshot(session, NOW)
    assert (row.hits, row.misses, row.sets) == (1, 1, 1)
    assert row.interval_hit_rate == 50.0 and row.keys == 1
    assert row.mode == CacheMode.MEMORY


def test_retention_keeps_exactly_the_newest_168(session, traffic):
    assert SNAPSHOT_RETENTION == 168
    start = NOW - timedelta(hours=200)
    session.add_all(
        CacheMetricSnapshot(taken_at=start + timedelta(hours=i), mode=CacheMode.REDIS)
        for i in range(200)
    )
    session.commit()
    row = take_snapshot(session, NOW, traffic.add(hits=1))
    session.commit()
    assert _count(session) == SNAPSHOT_RETENTION
    kept = session.exec(select(CacheMetricSnapshot.taken_at)).all()
    assert max(kept) == NOW and row.id is not None
    assert min(kept) == NOW - timedelta(hours=SNAPSHOT_RETENTION - 1)
    assert prune_snapshots(session) == 0
    take_snapshot(session, NOW + timedelta(hours=1), traffic.stats())
    session.commit()
    assert _count(session) == SNAPSHOT_RETENTION
    assert min(session.exec(select(CacheMetricSnapshot.taken_at)).all()) == NOW - timedelta(
        hours=SNAPSHOT_RETENTION - 2
    )


def test_history_is_oldest_first_and_filtered_by_time(session, traffic):
    for hour in range(5):
        take_snapshot(session, NOW + timedelta(hours=hour), traffic.add(hits=10, misses=hour))
    session.commit()
    rows = history(session, since=NOW + timedelta(hours=2))
    assert [r["taken_at"] for r in rows] == [
        (NOW + timedelta(hours=h)).isoformat() for h in (2, 3, 4)
    ]
    assert rows[0]["taken_at_local"] == "27/11 13:00"  # Madrid
    assert [r["delta_misses"] for r in rows] == [2, 3, 4]
    assert len(history(session)) == 5


def _parse(data: bytes, delimiter: str) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the accents
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))


def test_history_csv_in_spanish_and_english(session, traffic):
    take_snapshot(session, NOW, traffic.add(hits=2, misses=1, latency_ms=1.5))
    take_snapshot(session, NOW + timedelta(hours=1), traffic.add(sets=1))
    rows = history(session)

    header, first, second = _parse(history_csv(rows, "es"), ";")
    assert header[0] == "Fecha" and "Tasa de aciertos (hora) %" in header
    column = dict(zip(header, first, strict=True))
    assert column["Fecha"] == "2026-11-27 11:00"
    assert column["Tasa de aciertos (hora) %"] == "66,67"
    assert column["Conectada"] == "sí" and column["Modo"] == "memory"
    assert column["Latencia media ms"] == "1,500"
    assert dict(zip(header, second, strict=True))["Tasa de aciertos (hora) %"] == ""

    header, first, _second = _parse(history_csv(rows, "en"), ",")
    column = dict(zip(header, first, strict=True))
    assert column["Hit rate (hour) %"] == "66.67" and column["Connected"] == "yes"
    assert column["Date"] == "2026-11-27 11:00"
    # Rows straight from the table work too.
    snapshots = session.exec(select(CacheMetricSnapshot)).all()
    assert history_csv(snapshots, "en") == history_csv(rows, "en")
