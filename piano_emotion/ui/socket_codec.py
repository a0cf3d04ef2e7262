"""The JSON codec of the websocket: orjson, with Reflex's serializers for the rest.

Every state update a page receives is one Socket.IO packet, encoded by
``json.JSONEncoder`` in pure Python: 3 % of the app's CPU under load (issue 9,
py-spy at 900 users). orjson encodes the same packets several times faster
(``bench/socket_codec_bench.py``). The output is the same JSON: the types
orjson would write its own way (datetimes, dataclasses, subclasses of str,
int, dict and list such as str enums) go to Reflex's ``serialize`` like
before, and so does what orjson does not know (sets, Decimal, models). A
packet orjson refuses (an int wider than 64 bits) is encoded by Reflex's
encoder, so nothing that worked before fails now. One difference: a NaN or
an infinity is written as ``null`` (the browser's ``JSON.parse`` refused
the ``NaN`` the standard library wrote).
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import orjson
from reflex_base.utils import format as reflex_format
from reflex_base.utils.serializers import serialize

_OPTIONS = (
    orjson.OPT_NON_STR_KEYS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)


def dumps(obj: Any, **kwargs: Any) -> str:
    """A packet's JSON (Socket.IO asks for compact separators, as orjson writes)."""
    try:
        return orjson.dumps(obj, default=serialize, option=_OPTIONS).decode()
    except orjson.JSONEncodeError:
        return reflex_format.json_dumps(obj, **kwargs)


def loads(data: str | bytes, **kwargs: Any) -> Any:
    """An incoming packet (event names and payloads from the page)."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        # What orjson refuses and the standard library reads (a NaN, an int
        # wider than 64 bits), or a real error, which json raises itself.
        return json.loads(data, **kwargs)


CODEC = SimpleNamespace(dumps=staticmethod(dumps), loads=staticmethod(loads))


def install(app: Any) -> None:
    """Encode and decode the app's Socket.IO packets with ``CODEC``.

    Reflex builds the server in ``rx.App(...)`` with its own codec; python-
    socketio keeps the codec on the packet class, which is where the server
    looks it up for every packet."""
    app.sio.packet_class.json = CODEC
