"""The memory backend is bounded (entries and bytes, LRU) and honours TTLs."""

from __future__ import annotations

import secrets
import time

from piano_emotion.cache import CacheService, MemoryBackend

GEN = "ns:gen"


def incompressible(n: int) -> str:
    """``n`` characters that deflate does not shrink (large values are stored packed)."""
    return secrets.token_hex(n // 2 + 1)[:n]


def _service(**bounds) -> CacheService:
    memory = MemoryBackend(**bounds)
    return CacheService(None, namespace="ns", memory=memory)


def test_max_entries_evicts_least_recently_used():
    cache = _service(max_entries=100)
    for i in range(100):
        cache.set(f"k{i}", i, 60)
    assert cache.memory.key_count() == 100
    assert cache.get("k0") == 0  # read recently: survives
    for i in range(100, 150):
        cache.set(f"k{i}", i, 60)
    assert cache.memory.key_count() == 100
    assert len(cache.memory._data) <= 100
    assert cache.get("k0") == 0
    # The 50 least recently used (k1..k50) went; the newest are all there.
    assert all(cache.get(f"k{i}") is None for i in range(1, 51))
    assert all(cache.get(f"k{i}") == i for i in range(51, 150))
    assert cache.stats()["keys"] == 100


def test_overwriting_does_not_count_twice():
    cache = _service(max_entries=10)
    for _ in range(50):
        cache.set("same", "x" * 100, 60)
    assert cache.memory.key_count() == 1
    assert cache.memory.bytes_used < 300


def test_max_bytes_bound():
    max_bytes = 200_000
    cache = _service(max_bytes=max_bytes)
    value = incompressible(10_000)  # ~10 kB each, stored
    for i in range(100):
        cache.set(f"big:{i}", value, 60)
        assert cache.memory.bytes_used <= max_bytes
    assert 0 < cache.memory.key_count() < 100
    assert cache.get("big:99") == value  # the newest is kept
    assert cache.get("big:0") is None  # the oldest went
    # bytes_used is the sum of what is really stored.
    assert cache.memory.bytes_used == sum(e.size for e in cache.memory._data.values())
    for i in range(100):
        cache.delete(f"big:{i}")
    assert cache.memory.bytes_used == 0


def test_ttl_honoured():
    cache = _service()
    cache.set("short", 1, 0.3)
    cache.set("long", 2, 60)
    assert cache.get("short") == 1
    time.sleep(0.4)  # 0.3 s + 10 % jitter
    assert cache.get("short") is None
    assert cache.get("long") == 2
    assert cache.memory.key_count() == 1  # expired entries are not counted


def test_expired_entries_free_their_bytes():
    memory = MemoryBackend()
    memory.write("a", GEN, "x" * 1000, 50, [], None)
    used = memory.bytes_used
    assert used > 1000
    time.sleep(0.08)
    assert memory.read("a", GEN, []).payload is None
    assert memory.bytes_used == 0


def test_value_bigger_than_max_bytes_is_not_stored():
    cache = _service(max_bytes=5_000)
    cache.set("small", "s", 60)
    cache.set("huge", incompressible(10_000), 60)
    assert cache.get("huge") is None
    assert cache.get("small") == "s"  # nothing else was evicted for it
    assert cache.memory.bytes_used <= 5_000


def test_too_big_overwrite_drops_the_old_value():
    """Storing a new value that does not fit must not leave the previous one."""
    cache = _service(max_bytes=5_000)
    cache.set("k", "old", 60)
    cache.set("k", incompressible(10_000), 60)
    assert cache.get("k") is None  # never the stale "old"
