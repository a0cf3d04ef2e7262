"""Large values: stored packed, decoded once per process when shared, and
served uncached when over the limit (memory, Redis and Upstash)."""

from __future__ import annotations

from datetime import date

import pytest

from piano_emotion.cache import serialization
from piano_emotion.cache.service import ValueTooLarge


def directory(n: int, brand: str = "Yamaha") -> list[dict]:
    return [
        {"id": i, "brand": brand, "model": f"U{i % 5}", "last": date(2026, 1, 1 + i % 28)}
        for i in range(n)
    ]


def test_pack_round_trip_and_only_above_the_threshold():
    small = serialization.dumps({"a": 1})
    assert serialization.pack(small) == small
    large = serialization.dumps(directory(2000))
    packed = serialization.pack(large)
    assert packed.startswith("~z:") and len(packed) < len(large) / 4
    assert serialization.unpack(packed) == large
    assert serialization.unpack(small) == small


def test_a_large_value_round_trips_through_every_backend(cache):
    rows = directory(3000)
    cache.set("t1:pianos:directory:-", rows, 60)
    assert cache.get("t1:pianos:directory:-") == rows


def test_shared_reads_decode_once_while_the_value_is_unchanged(cache_pair):
    worker, other = cache_pair
    loads = []

    def load(brand: str):
        def loader():
            loads.append(brand)
            return directory(500, brand)

        return loader

    key, tags = "t1:pianos:directory:-", ["t1:pianos"]
    worker.get_or_load(key, load("Yamaha"), 60, tags, shared=True)  # a miss: loaded
    first = worker.get_or_load(key, load("Yamaha"), 60, tags, shared=True)
    again = worker.get_or_load(key, load("Yamaha"), 60, tags, shared=True)
    assert again is first and loads == ["Yamaha"]
    # Changed (by another worker where they share the backend): decoded anew.
    writer = other if worker.backend.remote else worker
    writer.invalidate("t1:pianos")
    writer.get_or_load(key, load("Steinway"), 60, tags, shared=True)
    changed = worker.get_or_load(key, load("Yamaha"), 60, tags, shared=True)
    assert changed is not first and changed[0]["brand"] == "Steinway"
    # Reads that do not share get their own copy.
    assert worker.get(key) is not changed


def test_over_the_limit_set_refuses_and_get_or_load_serves_uncached(cache):
    too_big = "x" * (1024 * 1024 + 4096)
    with pytest.raises(ValueTooLarge):
        cache.set("too-big", too_big, 60)
    calls = []

    def loader():
        calls.append(1)
        return too_big

    assert cache.get_or_load("too-big", loader, 60) == too_big
    assert cache.get_or_load("too-big", loader, 60) == too_big
    assert len(calls) == 2 and cache.get("too-big") is None


def test_shared_values_are_kept_within_a_size_budget_oldest_first(cache, monkeypatch):
    from piano_emotion.cache import service

    text_size = len(serialization.dumps(directory(200)))
    # Room for three values' JSON text, not four.
    monkeypatch.setattr(service, "SHARED_DECODED_MAX_CHARS", text_size * 3 + text_size // 2)
    keys = [f"t{n}:pianos:directory:-" for n in range(4)]
    for key in keys:
        cache.set(key, directory(200), 60)
    first = {key: cache.get_or_load(key, lambda: None, 60, shared=True) for key in keys}
    assert cache._decoded_chars <= service.SHARED_DECODED_MAX_CHARS
    assert list(cache._decoded) == [cache._key(key) for key in keys[1:]]
    # The three newest are shared; the oldest was dropped and is decoded anew.
    for key in keys[1:]:
        assert cache.get_or_load(key, lambda: None, 60, shared=True) is first[key]
    again = cache.get_or_load(keys[0], lambda: None, 60, shared=True)
    assert again == first[keys[0]] and again is not first[keys[0]]
    # A value larger than the whole budget is decoded for its caller, never kept.
    monkeypatch.setattr(service, "SHARED_DECODED_MAX_CHARS", text_size // 2)
    cache.set("t9:pianos:directory:-", directory(200), 60)
    big = cache.get_or_load("t9:pianos:directory:-", lambda: None, 60, shared=True)
    assert big == directory(200) and cache._key("t9:pianos:directory:-") not in cache._decoded
    assert cache._decoded_chars <= service.SHARED_DECODED_MAX_CHARS
