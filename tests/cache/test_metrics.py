"""Hits, misses, sets, deletes and latency, counted in every mode; fleet-wide on Redis."""

from __future__ import annotations

import random
import time

import pytest

from piano_emotion.cache.metrics import (
    LATENCY_BUCKETS_MS,
    MetricsRecorder,
    MetricsSnapshot,
)


def _wait_for(predicate, timeout: float = 5.0):
    """Polls ``predicate`` (which returns a value or None) until it gives a value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value is not None or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


@pytest.mark.parametrize(("hits", "misses"), [(7, 3), (1, 2)])
def test_counts_and_latency(cache, hits, misses):
    cache.reset_metrics()
    cache.set("present", "v", 60)
    cache.set("other", "w", 60)
    for _ in range(hits):
        assert cache.get("present") == "v"
    for i in range(misses):
        assert cache.get(f"absent:{i}") is None
    cache.delete("other")
    stats = cache.stats()
    assert stats["hits"] == hits
    assert stats["misses"] == misses
    assert stats["sets"] == 2
    assert stats["deletes"] == 1
    assert stats["errors"] == 0
    assert stats["hit_rate"] == round(100 * hits / (hits + misses), 2)
    latency = stats["latency_ms"]
    assert latency["p50"] > 0
    assert latency["avg"] > 0
    assert latency["p50"] <= latency["p95"] <= latency["p99"]
    # Every operation went into the histogram, none was lost.
    assert sum(stats["latency_buckets"]) == hits + misses + 3


def test_get_or_load_counts_a_miss_a_set_then_hits(cache):
    cache.reset_metrics()
    for _ in range(4):
        assert cache.get_or_load("loaded", lambda: [1, 2], 60) == [1, 2]
    stats = cache.stats()
    assert (stats["misses"], stats["sets"], stats["hits"]) == (1, 1, 3)
    assert stats["hit_rate"] == 75.0


def test_reset_metrics_zeroes_everything(cache):
    cache.set("k", 1, 60)
    cache.get("k")
    cache.get("nope")
    cache.delete("k")
    assert cache.stats()["hits"] == 1
    cache.reset_metrics()
    stats = cache.stats()
    for name in ("hits", "misses", "sets", "deletes", "errors"):
        assert stats[name] == 0, name
    assert stats["hit_rate"] == 0.0
    assert stats["latency_ms"] == {"avg": 0.0, "p50": 0.0, "p95": 0.0, "p99": 0.0}
    assert stats["uptime_s"] >= 0.0
    # Counting starts again after a reset.
    cache.get("nope")
    assert cache.stats()["misses"] == 1


@pytest.mark.parametrize("backend", ["redis", "upstash"])
def test_fleet_wide_metrics_seen_from_either_instance(cache_pair):
    first, second = cache_pair
    first.set("shared", "v", 60)
    for _ in range(5):
        assert first.get("shared") == "v"
    for i in range(3):
        assert second.get(f"missing:{i}") is None
    # The values are shared too: the second worker hits what the first stored.
    assert second.get("shared") == "v"
    expected = {"hits": 6, "misses": 3, "sets": 1, "deletes": 0}

    def fleet(service):
        stats = service.stats()
        seen = {name: stats[name] for name in expected}
        return stats if seen == expected else None

    # Each instance pushes its counts about once a second: both converge on
    # exactly the same fleet-wide figures, without any explicit flush.
    for service in (first, second):
        stats = _wait_for(lambda s=service: fleet(s))
        assert stats is not None, service.stats()
        assert stats["hit_rate"] == round(100 * 6 / 9, 2)
        assert sum(stats["latency_buckets"]) == 10
    # And stay exact (nothing counted twice).
    time.sleep(1.2)
    assert fleet(first) is not None and fleet(second) is not None


@pytest.mark.parametrize("backend", ["memory"])
def test_memory_metrics_are_per_process(cache_pair):
    first, second = cache_pair
    first.set("k", "v", 60)
    for _ in range(4):
        assert first.get("k") == "v"
    for i in range(2):
        assert second.get(f"m:{i}") is None
    assert second.get("k") is None  # separate memories too
    one, two = first.stats(), second.stats()
    assert (one["hits"], one["misses"], one["sets"]) == (4, 0, 1)
    assert (two["hits"], two["misses"], two["sets"]) == (0, 3, 0)


@pytest.mark.parametrize("backend", ["redis", "upstash"])
def test_reset_is_fleet_wide(cache_pair):
    first, second = cache_pair
    first.get("a")
    second.get("b")
    second.flush_metrics()
    assert first.stats()["misses"] == 2
    first.reset_metrics()
    assert second.stats()["misses"] == 0


# --------------------------------------------------------------------------
# the histogram itself
# --------------------------------------------------------------------------
def _snapshot(counts: dict[float, int]) -> MetricsSnapshot:
    buckets = [0] * len(LATENCY_BUCKETS_MS)
    for upper, count in counts.items():
        buckets[LATENCY_BUCKETS_MS.index(upper)] = count
    return MetricsSnapshot(latency_count=sum(counts.values()), buckets=buckets)


def test_percentile_arithmetic():
    # 10 operations in (0.5, 1] ms and 10 in (1, 2] ms, interpolated inside a bucket.
    snapshot = _snapshot({1: 10, 2: 10})
    assert snapshot.percentile(0.50) == 1.0
    assert snapshot.percentile(0.25) == 0.75
    assert snapshot.percentile(0.95) == 1.9
    assert snapshot.percentile(0.99) == 1.98
    assert snapshot.percentile(1.0) == 2.0
    # 100 operations: 90 in (0.1, 0.25], 9 in (3, 5], 1 in (250, 500].
    snapshot = _snapshot({0.25: 90, 5: 9, 500: 1})
    assert snapshot.percentile(0.50) == pytest.approx(0.1 + 0.15 * 50 / 90, abs=1e-4)
    assert snapshot.percentile(0.95) == pytest.approx(3 + 2 * 5 / 9, abs=1e-4)
    assert snapshot.percentile(0.99) == 5.0
    assert snapshot.percentile(0.995) == pytest.approx(250 + 250 * 0.5, abs=1e-4)
    # The open-ended last bucket reports its lower bound.
    assert _snapshot({float("inf"): 3}).percentile(0.5) == 2500
    assert MetricsSnapshot().percentile(0.5) == 0.0
    assert MetricsSnapshot().latency() == {"avg": 0.0, "p50": 0.0, "p95": 0.0, "p99": 0.0}


def test_hit_rate_rounding():
    assert MetricsSnapshot(hits=2, misses=1).hit_rate == 66.67
    assert MetricsSnapshot(hits=1, misses=2).hit_rate == 33.33
    assert MetricsSnapshot().hit_rate == 0.0


def test_snapshot_survives_the_redis_hash_form():
    snapshot = MetricsSnapshot(hits=3, misses=1, sets=2, deletes=1, errors=4)
    snapshot.latency_sum_ms, snapshot.latency_count = 12.5, 7
    snapshot.buckets[3], snapshot.buckets[10] = 5, 2
    fields = {k: str(v) for k, v in snapshot.to_fields().items()}
    assert MetricsSnapshot.from_fields(fields) == snapshot


def test_histogram_is_fixed_size_after_100k_observations():
    recorder = MetricsRecorder()
    rng = random.Random(4)
    for _ in range(100_000):
        recorder.record("hits", rng.lognormvariate(0, 2))
    snapshot = recorder.peek()
    assert len(snapshot.buckets) == len(LATENCY_BUCKETS_MS)
    assert sum(snapshot.buckets) == snapshot.latency_count == snapshot.hits == 100_000
    # Nothing in the recorder grows with the number of observations.
    sizes = {name: len(value) for name, value in vars(recorder).items() if isinstance(value, list)}
    assert sizes and all(size <= len(LATENCY_BUCKETS_MS) for size in sizes.values())
    latency = snapshot.latency()
    assert 0 < latency["p50"] <= latency["p95"] <= latency["p99"]


@pytest.mark.parametrize("backend", ["memory"])  # one mode is enough for the size check
def test_service_histogram_stays_bounded(cache):
    cache.set("k", 1, 60)
    for _ in range(20_000):
        cache.get("k")
    stats = cache.stats()
    assert stats["hits"] == 20_000
    assert len(stats["latency_buckets"]) == len(LATENCY_BUCKETS_MS)
