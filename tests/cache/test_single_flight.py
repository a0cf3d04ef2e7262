"""Stampede protection: one loader per cold key, and TTL jitter."""

from __future__ import annotations

import threading
import time

import pytest


class SlowLoader:
    """Counts its calls (under a lock) and takes a while, like a heavy query."""

    def __init__(self, value, delay: float = 0.2) -> None:
        self.value = value
        self.delay = delay
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self):
        with self._lock:
            self.calls += 1
        time.sleep(self.delay)
        return self.value


def _run_together(targets) -> list:
    """Starts every callable at the same instant; returns their results."""
    barrier = threading.Barrier(len(targets))
    results: list = [None] * len(targets)
    errors: list[BaseException] = []

    def run(index, target):
        try:
            barrier.wait(5)
            results[index] = target()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    return results


def test_twenty_threads_one_loader(cache):
    value = {"dashboard": [1, 2, 3], "total": 6}
    loader = SlowLoader(value)
    results = _run_together(
        [lambda: cache.get_or_load("t1:dashboard:main:-", loader, 60, tags=["t1:dash"])] * 20
    )
    assert loader.calls == 1
    assert results == [value] * 20
    # One lookup per call: the waiters' internal re-checks are not counted.
    stats = cache.stats()
    assert (stats["hits"], stats["misses"], stats["sets"]) == (0, 20, 1)
    assert cache.get("t1:dashboard:main:-") == value


def test_single_flight_is_per_key(cache):
    loaders = {name: SlowLoader(name, delay=0.1) for name in ("a", "b")}
    results = _run_together(
        [
            lambda n=name: cache.get_or_load(n, loaders[n], 60)
            for name in ("a", "b")
            for _ in range(5)
        ]
    )
    assert results == ["a"] * 5 + ["b"] * 5
    assert [loader.calls for loader in loaders.values()] == [1, 1]


def test_a_failing_loader_lets_the_others_try(cache):
    calls = []

    def failing():
        calls.append(1)
        time.sleep(0.05)
        raise RuntimeError("database down")

    with pytest.raises(RuntimeError):
        cache.get_or_load("k", failing, 60)
    assert cache.get("k") is None
    assert cache.get_or_load("k", lambda: "ok", 60) == "ok"


@pytest.mark.parametrize("backend", ["redis", "upstash"])
def test_across_processes_about_once(cache_pair):
    first, second = cache_pair
    loader = SlowLoader(["expensive"], delay=0.2)
    targets = [lambda: first.get_or_load("cold", loader, 60)] * 10
    targets += [lambda: second.get_or_load("cold", loader, 60)] * 10
    results = _run_together(targets)
    assert results == [["expensive"]] * 20
    assert loader.calls <= 2  # the Redis lock makes it about once
    assert loader.calls == 1, "expected one call through the Redis lock"
    # The waiting process polls Redis every 20 ms; those polls are not lookups.
    second.flush_metrics()
    stats = first.stats()
    assert stats["hits"] + stats["misses"] == 20
    assert stats["sets"] == loader.calls


@pytest.mark.parametrize("backend", ["redis"])
def test_without_the_lock_one_load_per_process_and_no_redis_lock(cache_pair, monkeypatch):
    # A record's page (``cached_read`` with records): no cross-process lock,
    # so at most one load per process, and no lock command at all.
    first, second = cache_pair
    locked = []
    for cache in (first, second):
        real_try_lock = cache.backend.try_lock
        monkeypatch.setattr(
            cache.backend,
            "try_lock",
            lambda *args, _real=real_try_lock: locked.append(args) or _real(*args),
        )
    loader = SlowLoader({"piano": 7}, delay=0.2)
    targets = [lambda: first.get_or_load("t1:pianos:detail:7", loader, 60, lock=False)] * 10
    targets += [lambda: second.get_or_load("t1:pianos:detail:7", loader, 60, lock=False)] * 10
    results = _run_together(targets)
    assert results == [{"piano": 7}] * 20
    assert 1 <= loader.calls <= 2 and locked == []
    # Stored, and a newer write still wins over a load that began before it.
    assert second.get("t1:pianos:detail:7") == {"piano": 7}
    started = threading.Event()

    def slow_old_value():
        started.set()
        time.sleep(0.2)
        return {"piano": "old"}

    worker = threading.Thread(
        target=lambda: first.get_or_load(
            "t1:pianos:detail:8", slow_old_value, 60, tags=["t1:piano:8"], lock=False
        )
    )
    worker.start()
    assert started.wait(5)
    second.invalidate("t1:piano:8")  # a write while it loads
    worker.join(5)
    again = first.get_or_load("t1:pianos:detail:8", lambda: {"piano": "new"}, 60, ["t1:piano:8"])
    assert again == {"piano": "new"}  # the old value was not stored


def _remaining_ms(cache, backend, real_redis, key: str) -> float:
    if backend == "memory":
        entry = cache.memory._data[cache._key(key)]
        return (entry.expires_at - time.monotonic()) * 1000
    return real_redis.pttl(cache._key(key))


def test_ttl_jitter_spreads_expiry(cache, backend, request):
    real_redis = request.getfixturevalue("real_redis") if backend != "memory" else None
    for i in range(200):
        cache.set(f"burst:{i}", i, 100)
    remaining = [_remaining_ms(cache, backend, real_redis, f"burst:{i}") for i in range(200)]
    assert all(88_000 <= ms <= 110_000 for ms in remaining), (min(remaining), max(remaining))
    assert len({round(ms / 100) for ms in remaining}) > 50  # not all together
    assert max(remaining) - min(remaining) > 5_000  # spread over the ±10 % window
