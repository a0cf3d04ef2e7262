"""The cache figures the monitor works with, read from ``CacheService.stats()``.

Counters are cumulative since the metrics started (or were reset); the
monitor turns them into per-interval values by subtracting an earlier reading.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from piano_emotion.cache.metrics import LATENCY_BUCKETS_MS, MetricsSnapshot

COUNTERS = ("hits", "misses", "sets", "deletes", "errors")


@dataclass(frozen=True)
class CacheFigures:
    mode: str
    connected: bool
    degraded: bool
    keys: int
    hits: int
    misses: int
    sets: int
    deletes: int
    errors: int
    hit_rate: float
    latency_avg_ms: float
    latency_p50_ms: float
    latency_p95_ms: float
    latency_p99_ms: float
    # Cumulative latency histogram (``LATENCY_BUCKETS_MS``), when known.
    buckets: tuple[int, ...] | None = None

    @classmethod
    def from_stats(cls, stats: Mapping[str, Any]) -> CacheFigures:
        latency = stats.get("latency_ms") or {}
        buckets = stats.get("latency_buckets")
        if buckets is not None and len(buckets) != len(LATENCY_BUCKETS_MS):
            buckets = None
        return cls(
            mode=str(stats.get("mode") or "memory"),
            connected=bool(stats.get("connected", True)),
            degraded=bool(stats.get("degraded", False)),
            keys=int(stats.get("keys") or 0),
            hits=int(stats.get("hits") or 0),
            misses=int(stats.get("misses") or 0),
            sets=int(stats.get("sets") or 0),
            deletes=int(stats.get("deletes") or 0),
            errors=int(stats.get("errors") or 0),
            hit_rate=float(stats.get("hit_rate") or 0.0),
            latency_avg_ms=float(latency.get("avg") or 0.0),
            latency_p50_ms=float(latency.get("p50") or 0.0),
            latency_p95_ms=float(latency.get("p95") or 0.0),
            latency_p99_ms=float(latency.get("p99") or 0.0),
            buckets=tuple(int(b) for b in buckets) if buckets is not None else None,
        )

    @property
    def counters(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNTERS}

    @property
    def operations(self) -> int:
        """Timed operations (every one of them has a latency sample)."""
        return self.hits + self.misses + self.sets + self.deletes

    @property
    def latency_count(self) -> int:
        """Latency samples: the histogram's total (every timed operation)."""
        return sum(self.buckets) if self.buckets is not None else self.operations

    @property
    def latency_sum_ms(self) -> float:
        return self.latency_avg_ms * self.latency_count


def counter_deltas(
    previous: Mapping[str, int] | None, current: Mapping[str, int]
) -> tuple[dict[str, int], bool]:
    """Per-counter increase since ``previous``, and whether the metrics were reset.

    A counter that went down means the metrics were reset in between (all of
    them are reset together): every delta is then the new cumulative value.
    With no previous reading the deltas are the cumulative values too.
    """
    if previous is None:
        return {name: int(current[name]) for name in COUNTERS}, False
    reset = any(int(current[name]) < int(previous.get(name, 0)) for name in COUNTERS)
    if reset:
        return {name: int(current[name]) for name in COUNTERS}, True
    return {name: int(current[name]) - int(previous.get(name, 0)) for name in COUNTERS}, False


def hit_rate_of(hits: int, misses: int) -> float | None:
    """Hits over lookups in %, or None without lookups."""
    lookups = hits + misses
    return round(100.0 * hits / lookups, 2) if lookups else None


def percentile_of(buckets: list[int], fraction: float) -> float:
    return MetricsSnapshot(buckets=list(buckets)).percentile(fraction)


def current_stats() -> dict[str, Any]:
    """The fleet-wide figures of the process cache service."""
    from piano_emotion.cache import get_cache

    return get_cache().stats()
