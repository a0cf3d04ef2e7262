"""Values in and out of the cache, exactly: JSON types plus ``Decimal``,
``date``, ``datetime`` (zone kept), ``time``, ``tuple`` and dicts with
non-string keys, nested in lists and dicts.

Special values become one-key objects whose key starts with ``$``; a plain
dict that happens to use such keys is escaped, so nothing is ambiguous.
"""

from __future__ import annotations

import base64
import zlib
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import orjson

_MARK = '"$'
# Stored form: JSON text, or above ``COMPRESS_OVER`` characters, that text
# deflated and in base64 behind ``_PACKED`` (a JSON text never starts with
# "~"). A directory of 690 pianos is 320 KB of JSON and 40 KB packed: less to
# move to Redis/Upstash and to hold in memory.
COMPRESS_OVER = 8 * 1024
_PACKED = "~z:"


# orjson reads and writes integers of 64 bits at most (a wider one it reads
# back as a float): those are written as text.
_INT_MIN, _INT_MAX = -(2**63), 2**64 - 1


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, int):
        return value if _INT_MIN <= value <= _INT_MAX else {"$int": str(value)}
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return {"$float": repr(value)}
        return value
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, datetime):
        encoded: dict[str, Any] = {"$dt": value.isoformat()}
        if isinstance(value.tzinfo, ZoneInfo):
            encoded["tz"] = value.tzinfo.key
        return encoded
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, tuple):
        return {"$tuple": [_encode(item) for item in value]}
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("$") for k in value):
            return {k: _encode(v) for k, v in value.items()}
        return {"$map": [[_encode(k), _encode(v)] for k, v in value.items()]}
    raise TypeError(f"cannot cache a value of type {type(value).__name__}")


def _decode_hook(obj: dict[str, Any]) -> Any:
    if len(obj) > 2 or not obj:
        return obj
    key = next(iter(obj))
    if not key.startswith("$"):
        return obj
    raw = obj[key]
    if key == "$dec":
        return Decimal(raw)
    if key == "$dt":
        parsed = datetime.fromisoformat(raw)
        zone = obj.get("tz")
        if zone and parsed.tzinfo is not None:
            parsed = parsed.astimezone(ZoneInfo(zone))
        return parsed
    if key == "$date":
        return date.fromisoformat(raw)
    if key == "$time":
        return time.fromisoformat(raw)
    if key == "$tuple":
        return tuple(raw)
    if key == "$map":
        return {_freeze(k): v for k, v in raw}
    if key == "$float":
        return float(raw)
    if key == "$int":
        return int(raw)
    return obj


def _revive(node: Any) -> Any:
    """What ``_decode_hook`` does inside ``json.loads``, on a tree orjson
    decoded: the special values, innermost first."""
    if type(node) is dict:
        for key, value in node.items():
            if type(value) is dict or type(value) is list:
                node[key] = _revive(value)
        return _decode_hook(node)
    if type(node) is list:
        for index, value in enumerate(node):
            if type(value) is dict or type(value) is list:
                node[index] = _revive(value)
    return node


def _freeze(key: Any) -> Any:
    # Keys decoded from JSON arrays come back as lists; dict keys must be hashable.
    return tuple(_freeze(k) for k in key) if isinstance(key, list) else key


def dumps(value: Any) -> str:
    """Encode a value for the cache (raises ``TypeError`` for other types).

    orjson writes the encoded tree ~15 times faster than ``json`` (a
    directory of 300 clients: 0.94 → 0.06 ms)."""
    return orjson.dumps(_encode(value)).decode()


def loads(payload: str) -> Any:
    """The value back. orjson reads it 3-4 times faster than ``json`` (a
    directory of 300 clients, 117 KB: 0.55 → 0.17 ms; the last service
    dates of 300 clients: 0.12 → 0.03 ms), which counts on every hit."""
    value = orjson.loads(payload)
    return _revive(value) if _MARK in payload else value


def pack(text: str) -> str:
    """What is stored for the encoded ``text`` (``dumps``)."""
    if len(text) <= COMPRESS_OVER:
        return text
    return _PACKED + base64.b64encode(zlib.compress(text.encode(), 6)).decode("ascii")


def unpack(stored: str) -> str:
    """The encoded text back from what ``pack`` stored."""
    if stored.startswith(_PACKED):
        return zlib.decompress(base64.b64decode(stored[len(_PACKED) :])).decode()
    return stored
