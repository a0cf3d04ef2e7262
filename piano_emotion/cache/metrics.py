"""Cache metrics: counters and a fixed-bucket latency histogram.

Memory stays bounded whatever the traffic (one integer per bucket). Each
process counts locally; with Redis/Upstash the counts are pushed as deltas
to one Redis hash, so every process reads the same fleet-wide figures.

``hits`` and ``misses`` are lookups made for a request; ``refreshes`` counts
the loads run in the background ahead of any request (``CacheService.
refreshing()``): the refresher's after a write and the sign-in prefetch's.
Those are not requests, so their reads are neither hits nor misses.
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass, field

# Upper bounds of the latency buckets, in milliseconds (the last is +inf).
LATENCY_BUCKETS_MS: tuple[float, ...] = (
    0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 35, 50, 75, 100, 150, 250,
    500, 1000, 2500, float("inf"),
)  # fmt: skip
COUNTERS = ("hits", "misses", "sets", "deletes", "errors", "refreshes")
BUCKET_FIELD = "lat_b{}"
LATENCY_SUM_FIELD = "lat_sum_ms"
LATENCY_COUNT_FIELD = "lat_count"


@dataclass
class MetricsSnapshot:
    hits: int = 0
    misses: int = 0
    sets: int = 0
    deletes: int = 0
    errors: int = 0
    refreshes: int = 0
    latency_sum_ms: float = 0.0
    latency_count: int = 0
    buckets: list[int] = field(default_factory=lambda: [0] * len(LATENCY_BUCKETS_MS))

    def add(self, other: MetricsSnapshot) -> MetricsSnapshot:
        return MetricsSnapshot(
            hits=self.hits + other.hits,
            misses=self.misses + other.misses,
            sets=self.sets + other.sets,
            deletes=self.deletes + other.deletes,
            errors=self.errors + other.errors,
            refreshes=self.refreshes + other.refreshes,
            latency_sum_ms=self.latency_sum_ms + other.latency_sum_ms,
            latency_count=self.latency_count + other.latency_count,
            buckets=[a + b for a, b in zip(self.buckets, other.buckets, strict=True)],
        )

    def is_empty(self) -> bool:
        return self.latency_count == 0 and not any(getattr(self, c) for c in COUNTERS)

    # -- derived figures ----------------------------------------------------
    @property
    def hit_rate(self) -> float:
        lookups = self.hits + self.misses
        return round(100.0 * self.hits / lookups, 2) if lookups else 0.0

    def percentile(self, fraction: float) -> float:
        """Latency below which ``fraction`` of operations fall (interpolated)."""
        total = sum(self.buckets)
        if total == 0:
            return 0.0
        rank = fraction * total
        seen = 0
        lower = 0.0
        for upper, count in zip(LATENCY_BUCKETS_MS, self.buckets, strict=True):
            if count and seen + count >= rank:
                if upper == float("inf"):
                    return lower
                return round(lower + (upper - lower) * (rank - seen) / count, 4)
            seen += count
            lower = upper
        return lower

    def latency(self) -> dict[str, float]:
        avg = self.latency_sum_ms / self.latency_count if self.latency_count else 0.0
        return {
            "avg": round(avg, 4),
            "p50": self.percentile(0.50),
            "p95": self.percentile(0.95),
            "p99": self.percentile(0.99),
        }

    # -- Redis hash form ----------------------------------------------------
    def to_fields(self) -> dict[str, int | float]:
        fields: dict[str, int | float] = {c: getattr(self, c) for c in COUNTERS if getattr(self, c)}
        for index, count in enumerate(self.buckets):
            if count:
                fields[BUCKET_FIELD.format(index)] = count
        if self.latency_count:
            fields[LATENCY_COUNT_FIELD] = self.latency_count
            fields[LATENCY_SUM_FIELD] = self.latency_sum_ms
        return fields

    @classmethod
    def from_fields(cls, fields: dict[str, str]) -> MetricsSnapshot:
        snapshot = cls()
        for counter in COUNTERS:
            setattr(snapshot, counter, int(float(fields.get(counter, 0) or 0)))
        snapshot.latency_count = int(float(fields.get(LATENCY_COUNT_FIELD, 0) or 0))
        snapshot.latency_sum_ms = float(fields.get(LATENCY_SUM_FIELD, 0) or 0)
        snapshot.buckets = [
            int(float(fields.get(BUCKET_FIELD.format(i), 0) or 0))
            for i in range(len(LATENCY_BUCKETS_MS))
        ]
        return snapshot


COUNTER_INDEX = {name: index for index, name in enumerate(COUNTERS)}


class MetricsRecorder:
    """Thread-safe local counters; ``drain()`` hands the pending deltas over.

    Kept as plain lists: ``record`` sits on every cache operation's path.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self._counts = [0] * len(COUNTERS)
        self._buckets = [0] * len(LATENCY_BUCKETS_MS)
        self._latency_sum = 0.0
        self._latency_count = 0

    def count(self, counter: str, amount: int = 1) -> None:
        with self._lock:
            self._counts[COUNTER_INDEX[counter]] += amount

    def record(self, counter: str | None, elapsed_ms: float) -> None:
        """One operation: its outcome counter and its latency, under one lock."""
        index = bisect.bisect_left(LATENCY_BUCKETS_MS, elapsed_ms)
        with self._lock:
            if counter is not None:
                self._counts[COUNTER_INDEX[counter]] += 1
            self._buckets[index] += 1
            self._latency_count += 1
            self._latency_sum += elapsed_ms

    def _snapshot(self) -> MetricsSnapshot:
        return MetricsSnapshot(
            *self._counts,
            latency_sum_ms=self._latency_sum,
            latency_count=self._latency_count,
            buckets=list(self._buckets),
        )

    def drain(self) -> MetricsSnapshot:
        with self._lock:
            snapshot = self._snapshot()
            self._reset()
        return snapshot

    def peek(self) -> MetricsSnapshot:
        with self._lock:
            return self._snapshot()

    def restore(self, snapshot: MetricsSnapshot) -> None:
        """Put back deltas that could not be pushed (the backend was down)."""
        with self._lock:
            for index, name in enumerate(COUNTERS):
                self._counts[index] += getattr(snapshot, name)
            for index, count in enumerate(snapshot.buckets):
                self._buckets[index] += count
            self._latency_sum += snapshot.latency_sum_ms
            self._latency_count += snapshot.latency_count
