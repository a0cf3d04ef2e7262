"""Exact value round trips through the cache's serialisation."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from piano_emotion.cache.serialization import dumps, loads

MADRID = ZoneInfo("Europe/Madrid")


def round_trip(value):
    payload = dumps(value)
    assert isinstance(payload, str)
    json.loads(payload)  # always valid JSON
    return loads(payload)


def assert_exact(actual, expected):
    assert type(actual) is type(expected), (actual, expected)
    if isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(actual)
        return
    assert actual == expected
    if isinstance(expected, (list, tuple)):
        for a, e in zip(actual, expected, strict=True):
            assert_exact(a, e)
    elif isinstance(expected, dict):
        assert list(actual) == list(expected)
        for (ak, av), (ek, ev) in zip(actual.items(), expected.items(), strict=True):
            assert_exact(ak, ek)
            assert_exact(av, ev)
    elif isinstance(expected, (datetime, time)):
        assert actual.tzinfo == expected.tzinfo
        if isinstance(expected.tzinfo, ZoneInfo):
            assert actual.tzinfo.key == expected.tzinfo.key


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        False,
        0,
        -(2**80),
        1.5,
        -0.0,
        1e308,
        5e-324,
        float("inf"),
        float("-inf"),
        "",
        'texto con ñ, ü, 🎹 y "comillas" \\ \n\t\x00',
        '"$dec"',
        "$dec",
        [],
        {},
        [1, [2, [3, []]]],
        Decimal("0"),
        Decimal("-1234.5600"),
        Decimal("1E+10"),
        Decimal("3.141592653589793238462643383279"),
        date(1, 1, 1),
        date(9999, 12, 31),
        datetime(2024, 10, 27, 2, 30, tzinfo=MADRID),  # the ambiguous hour, first
        datetime(2024, 10, 27, 2, 30, fold=1, tzinfo=MADRID),  # and second time
        datetime(2024, 3, 31, 12, 0, tzinfo=MADRID),
        datetime(2024, 1, 1, tzinfo=UTC),
        datetime(2024, 1, 1, 0, 0, 0, 1, tzinfo=timezone(timedelta(hours=5, minutes=45))),
        datetime(2024, 1, 1, 23, 59, 59),
        time(0, 0),
        time(23, 59, 59, 999999),
        time(9, 30, tzinfo=timezone(timedelta(hours=1))),
        (),
        (1,),
        (1, (2, (3, "x")), [4, (5,)]),
        {1: "a", 2: "b"},
        {(1, 2): "tuple key", 3.5: "float key", None: "none key", True: "bool key"},
        {date(2024, 1, 1): Decimal("1.0")},
        {"$dec": "not a decimal", "$tuple": [1]},
        {"$map": [[1, 2]]},
        {"$dt": "2024-01-01T00:00:00", "tz": "Europe/Madrid"},
        {"a": {"$nested": True}, "b": [{"$x": 1}]},
        {"$": 1},
        {"normal": 1, "$mixed": 2},
        {"tz": "Europe/Madrid", "x": 1},
        {"a": 1, "b": 2, "c": 3},
    ],
    ids=repr,
)
def test_exact_round_trip(value):
    assert_exact(round_trip(value), value)


def test_nan():
    value = round_trip({"x": float("nan"), "list": [float("nan"), 1.0]})
    assert math.isnan(value["x"])
    assert math.isnan(value["list"][0]) and value["list"][1] == 1.0


def test_ambiguous_hour_keeps_its_offset():
    first = datetime(2024, 10, 27, 2, 30, tzinfo=MADRID)
    second = first.replace(fold=1)
    assert round_trip(first).utcoffset() == timedelta(hours=2)
    assert round_trip(second).utcoffset() == timedelta(hours=1)


def test_dollar_keys_are_escaped_not_interpreted():
    decoded = round_trip({"$dec": "1.5"})
    assert decoded == {"$dec": "1.5"}
    assert not isinstance(decoded, Decimal)
    decoded = round_trip([{"$date": "2024-01-01"}, {"$float": "nan"}])
    assert decoded == [{"$date": "2024-01-01"}, {"$float": "nan"}]


def test_large_nested_structure():
    rows = [
        {
            "id": i,
            "amount": Decimal(i) / 8,
            "when": datetime(2024, 1, 1 + i % 28, tzinfo=MADRID),
            "pair": (i, str(i)),
            "by_id": {i: [date(2024, 1, 1)]},
        }
        for i in range(500)
    ]
    assert_exact(round_trip(rows), rows)


@pytest.mark.parametrize(
    "value",
    [
        {1, 2},
        frozenset({1}),
        b"bytes",
        bytearray(b"x"),
        object(),
        complex(1, 2),
        timedelta(seconds=1),
        [1, {"nested": {1, 2}}],
        {"key": object()},
    ],
    ids=lambda v: type(v).__name__,
)
def test_unsupported_types_raise_type_error(value):
    with pytest.raises(TypeError):
        dumps(value)


def test_unsupported_type_is_refused_by_the_service(cache):
    with pytest.raises(TypeError):
        cache.set("k", {1, 2}, 60)
    assert cache.get("k") is None


def test_integers_wider_than_64_bits_are_stored_as_text():
    # orjson, which reads every payload, would read such a number back as a float.
    for value in (2**64, -(2**63) - 1, 10**30):
        payload = dumps({"n": value})
        assert json.loads(payload) == {"n": {"$int": str(value)}}
        assert_exact(loads(payload), {"n": value})
    for value in (2**64 - 1, -(2**63)):  # the edges orjson handles itself
        assert json.loads(dumps(value)) == value
        assert_exact(loads(dumps(value)), value)
