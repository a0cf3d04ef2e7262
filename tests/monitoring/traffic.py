"""Cache figures shaped exactly like ``CacheService.stats()``, for injected stats."""

from __future__ import annotations

import bisect
from typing import Any

from piano_emotion.cache import MODE_LABELS
from piano_emotion.cache.metrics import LATENCY_BUCKETS_MS, MetricsSnapshot


class Traffic:
    """Cumulative cache counters that tests grow (and reset) at will."""

    def __init__(self, mode: str = "memory") -> None:
        self.mode = mode
        self.total = MetricsSnapshot()
        self.connected = True
        self.degraded = False
        self.keys = 42

    def add(
        self,
        *,
        hits: int = 0,
        misses: int = 0,
        sets: int = 0,
        deletes: int = 0,
        errors: int = 0,
        latency_ms: float = 2.0,
    ) -> dict[str, Any]:
        """Count these operations (each taking ``latency_ms``); the new stats."""
        count = hits + misses + sets + deletes
        buckets = [0] * len(LATENCY_BUCKETS_MS)
        buckets[bisect.bisect_left(LATENCY_BUCKETS_MS, latency_ms)] = count
        self.total = self.total.add(
            MetricsSnapshot(
                hits=hits,
                misses=misses,
                sets=sets,
                deletes=deletes,
                errors=errors,
                latency_sum_ms=count * latency_ms,
                latency_count=count,
                buckets=buckets,
            )
        )
        return self.stats()

    def reset(self) -> dict[str, Any]:
        self.total = MetricsSnapshot()
        return self.stats()

    def stats(self) -> dict[str, Any]:
        total = self.total
        return {
            "mode": self.mode,
            "mode_label": MODE_LABELS[self.mode],
            "connected": self.connected,
            "degraded": self.degraded,
            "namespace": "test",
            "hits": total.hits,
            "misses": total.misses,
            "sets": total.sets,
            "deletes": total.deletes,
            "errors": total.errors,
            "operations": total.hits + total.misses + total.sets + total.deletes,
            "hit_rate": total.hit_rate,
            "latency_ms": total.latency(),
            "latency_buckets": list(total.buckets),
            "keys": self.keys,
            "uptime_s": 100.0,
        }
