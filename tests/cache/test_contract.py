"""The original app's ten cache tests, made mode-agnostic (memory, Redis, Upstash)."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tests.cache.conftest import MODE_LABELS

STATS_FIELDS = {
    "mode",
    "mode_label",
    "connected",
    "degraded",
    "hits",
    "misses",
    "sets",
    "deletes",
    "errors",
    "hit_rate",
    "latency_ms",
    "keys",
    "uptime_s",
}
MADRID = ZoneInfo("Europe/Madrid")


# 1 -------------------------------------------------------------------------
def test_statistics_fields(cache):
    stats = cache.stats()
    assert stats.keys() >= STATS_FIELDS
    assert {"avg", "p50", "p95", "p99"} <= stats["latency_ms"].keys()
    assert callable(cache.reset_metrics)
    cache.reset_metrics()
    assert cache.stats().keys() >= STATS_FIELDS


# 2 -------------------------------------------------------------------------
def test_set_get_round_trip(cache):
    cache.set("piano:1", {"brand": "Yamaha", "model": "U3"}, 60)
    assert cache.get("piano:1") == {"brand": "Yamaha", "model": "U3"}
    cache.set("piano:1", "overwritten", 60)
    assert cache.get("piano:1") == "overwritten"


# 3 -------------------------------------------------------------------------
def test_missing_key_is_none(cache):
    assert cache.get("does-not-exist") is None


# 4 -------------------------------------------------------------------------
def test_delete(cache):
    cache.set("to-delete", 1, 60)
    assert cache.get("to-delete") == 1
    cache.delete("to-delete")
    assert cache.get("to-delete") is None
    cache.delete("never-existed")  # no error


# 5 -------------------------------------------------------------------------
VALUES = {
    "str": "Afinación — piano de cola ñ",
    "empty-str": "",
    "int": 42,
    "big-int": 2**70,
    "negative": -7,
    "float": 3.14159,
    "bool-true": True,
    "bool-false": False,
    "none-in-list": [None, 1],
    "list": [1, "dos", 3.0, False],
    "dict": {"a": 1, "b": [1, 2], "c": {"d": None}},
    "decimal": Decimal("1234.50"),
    "decimal-small": Decimal("0.000001"),
    "date": date(2024, 2, 29),
    "naive-datetime": datetime(2024, 3, 1, 10, 30, 15, 123456),
    "utc-datetime": datetime(2024, 3, 1, 10, 30, tzinfo=UTC),
    "fixed-offset": datetime(2024, 3, 1, 10, 30, tzinfo=timezone(timedelta(hours=-3, minutes=-30))),
    "madrid-winter": datetime(2024, 1, 15, 9, 0, tzinfo=MADRID),
    "madrid-summer": datetime(2024, 7, 15, 9, 0, tzinfo=MADRID),
    "tuple": (1, "a", Decimal("2.5")),
    "int-keys": {1: "uno", 2: "dos"},
    "nested": {
        "invoice": {
            "total": Decimal("121.00"),
            "lines": [
                {"qty": 2, "price": Decimal("50.00"), "day": date(2024, 5, 1)},
                {"qty": 1, "price": Decimal("21.00"), "at": datetime(2024, 5, 1, 8, tzinfo=MADRID)},
            ],
            "by_id": {7: (date(2024, 1, 1), Decimal("3"))},
        }
    },
}


def _assert_same(actual, expected):
    """Equal and of the same types, recursively (True is not 1, Decimal is not float)."""
    assert type(actual) is type(expected), (actual, expected)
    assert actual == expected
    if isinstance(expected, (list, tuple)):
        for a, e in zip(actual, expected, strict=True):
            _assert_same(a, e)
    elif isinstance(expected, dict):
        assert list(actual) == list(expected)
        for k in expected:
            _assert_same(actual[k], expected[k])
    elif isinstance(expected, datetime):
        assert actual.utcoffset() == expected.utcoffset()
        assert actual.tzinfo == expected.tzinfo
        if isinstance(expected.tzinfo, ZoneInfo):
            assert actual.tzinfo.key == expected.tzinfo.key


@pytest.mark.parametrize("name", list(VALUES))
def test_data_types_round_trip_exactly(cache, name):
    value = VALUES[name]
    cache.set(f"type:{name}", value, 60)
    _assert_same(cache.get(f"type:{name}"), value)


def test_data_types_all_in_one_value(cache):
    cache.set("all", VALUES, 60)
    _assert_same(cache.get("all"), VALUES)


def test_get_or_load_round_trips_the_same_types(cache):
    value = VALUES["nested"]
    first = cache.get_or_load("loaded", lambda: value, 60)
    _assert_same(first, value)
    _assert_same(cache.get_or_load("loaded", lambda: pytest.fail("loader ran"), 60), value)


# 6 -------------------------------------------------------------------------
def test_ttl_expiry(cache):
    cache.set("short", "lived", 1)
    cache.get_or_load("short-loaded", lambda: "loaded", 1)
    assert cache.get("short") == "lived"
    assert cache.get("short-loaded") == "loaded"
    time.sleep(1.3)  # 1 s ± 10 % jitter
    assert cache.get("short") is None
    assert cache.get("short-loaded") is None


def test_ttl_must_be_positive(cache):
    with pytest.raises(ValueError):
        cache.set("k", 1, 0)


# 7 -------------------------------------------------------------------------
def test_statistics_types(cache):
    cache.set("k", 1, 60)
    cache.get("k")
    cache.get("missing")
    cache.delete("k")
    stats = cache.stats()
    for name in ("hits", "misses", "sets", "deletes", "errors", "keys"):
        assert type(stats[name]) is int, name
        assert stats[name] >= 0
    assert type(stats["hit_rate"]) is float
    assert 0.0 <= stats["hit_rate"] <= 100.0
    assert stats["hit_rate"] == 50.0
    assert isinstance(stats["latency_ms"], dict)
    for name in ("avg", "p50", "p95", "p99"):
        assert type(stats["latency_ms"][name]) is float, name
        assert stats["latency_ms"][name] >= 0
    assert type(stats["connected"]) is bool
    assert type(stats["degraded"]) is bool
    assert isinstance(stats["uptime_s"], float)
    assert isinstance(stats["mode"], str) and isinstance(stats["mode_label"], str)


# 8 -------------------------------------------------------------------------
SPECIAL_KEYS = [
    "a:b:c",
    "dash-key",
    "under_score",
    "dot.key",
    "with spaces inside",
    " leading and trailing ",
    "año:niño:ñandú",
    "über:grüße",
    "emoji:🎹🎼",
    "mixed: ñ-ü_🎹.x",
]


def test_special_character_keys(cache):
    for index, key in enumerate(SPECIAL_KEYS):
        cache.set(key, {"i": index, "key": key}, 60)
    for index, key in enumerate(SPECIAL_KEYS):
        assert cache.get(key) == {"i": index, "key": key}, key
    cache.delete("emoji:🎹🎼")
    assert cache.get("emoji:🎹🎼") is None
    assert cache.get("a:b:c") == {"i": 0, "key": "a:b:c"}


# 9 -------------------------------------------------------------------------
def test_hundred_rows(cache):
    rows = [
        {
            "id": i,
            "name": f"Cliente {i} Ñúñez",
            "balance": Decimal(f"{i}.{i % 100:02d}"),
            "since": date(2020, 1 + i % 12, 1 + i % 28),
            "active": i % 2 == 0,
            "tags": ["vip"] if i % 10 == 0 else [],
        }
        for i in range(100)
    ]
    cache.set("t1:clients:list:-", rows, 60)
    assert cache.get("t1:clients:list:-") == rows


def test_one_megabyte_value(cache):
    value = "x" * (1024 * 1024)  # 1 MB of text
    cache.set("big", value, 60)
    assert cache.get("big") == value
    rows = [{"id": i, "text": "y" * 1000} for i in range(1000)]  # ~1 MB of rows
    cache.set("big-rows", rows, 60)
    assert cache.get("big-rows") == rows


def test_more_than_one_megabyte_is_refused(cache):
    with pytest.raises(ValueError):
        cache.set("too-big", "x" * (1024 * 1024 + 4096), 60)
    # 600,000 "ñ" are 1.2 MB once encoded: the limit is on bytes, not characters.
    with pytest.raises(ValueError):
        cache.set("too-big-utf8", "ñ" * 600_000, 60)
    assert cache.get("too-big") is None
    assert cache.get("too-big-utf8") is None


# 10 ------------------------------------------------------------------------
def test_connection_status(cache, backend):
    stats = cache.stats()
    assert stats["connected"] is True
    assert stats["degraded"] is False
    assert stats["mode"] == backend
    assert stats["mode_label"] == MODE_LABELS[backend]
    assert cache.degraded is False
    ok, rtt_ms = cache.ping()
    assert ok is True
    assert rtt_ms >= 0
