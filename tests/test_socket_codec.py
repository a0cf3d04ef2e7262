"""The websocket's JSON codec (``piano_emotion.ui.socket_codec``): orjson
writes the same JSON as Reflex's encoder, and the app's server uses it."""

from __future__ import annotations

import dataclasses
import enum
import json
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from reflex_base.utils.format import json_dumps as reflex_dumps
from socketio import packet
from sqlmodel import Session

from piano_emotion.models import User
from piano_emotion.models.enums import ServiceType
from piano_emotion.ui import socket_codec


class Colour(enum.Enum):
    RED = "red"


@dataclasses.dataclass
class Row:
    id: int
    when: datetime


def state_update() -> dict:
    """A state update of the kinds of values the pages send."""
    return {
        "delta": {
            "ui_state.auth_state.clients_state": {
                "rows_rx_state_": [
                    {
                        "id": 7,
                        "name": "Conservatorio de Música «Ñandú»",
                        "balance": "1.234,56 €",
                        "last": date(2026, 11, 27),
                        "active": True,
                        "score": 0.25,
                        "tags": ("a", "b"),
                        "none": None,
                    }
                ],
                "counts_rx_state_": {3: 1, "all": 2},
                "opened_rx_state_": datetime(2026, 11, 27, 9, 30, 5),
                "at_rx_state_": time(8, 15),
                "type_rx_state_": ServiceType.TUNING,
                "colour_rx_state_": Colour.RED,
                "cost_rx_state_": Decimal("85.50"),
                "ids_rx_state_": {1, 2},
                "row_rx_state_": Row(1, datetime(2026, 1, 2, 3, 4, 5)),
            }
        },
        "events": [{"name": "_redirect", "payload": {"path": "/clientes/7"}}],
        "final": True,
    }


def test_a_state_update_encodes_to_the_same_json_as_reflexs_encoder():
    update = state_update()
    ours = socket_codec.dumps(update, separators=(",", ":"))
    assert json.loads(ours) == json.loads(reflex_dumps(update, separators=(",", ":")))
    assert "Ñandú" in ours  # UTF-8 as is, like Reflex (ensure_ascii=False)
    assert (
        json.loads(ours)["delta"]["ui_state.auth_state.clients_state"]["opened_rx_state_"]
        == "2026-11-27 09:30:05"
    )


def test_what_orjson_refuses_is_encoded_by_reflexs_encoder():
    update = {"big": 2**70, "list": [1, 2]}
    assert socket_codec.dumps(update) == reflex_dumps(update)


def test_a_nan_is_written_as_null_which_the_browser_can_parse():
    assert json.loads(socket_codec.dumps({"x": float("nan")})) == {"x": None}


@pytest.mark.parametrize(
    "text",
    [
        '["event",{"name":"x.set_search","payload":{"value":"garc"}}]',
        '{"big":1180591620717411303424}',
    ],
)
def test_incoming_packets_decode_like_the_standard_library(text):
    assert socket_codec.loads(text) == json.loads(text)
    assert socket_codec.loads(text.encode()) == json.loads(text)


def test_malformed_input_is_still_an_error():
    with pytest.raises(json.JSONDecodeError):
        socket_codec.loads('["event", {')


def test_the_apps_socket_server_encodes_its_packets_with_the_codec():
    from piano_emotion.piano_emotion import app

    assert app.sio.packet_class.json is socket_codec.CODEC
    event = packet.Packet(packet.EVENT, namespace="/_event", data=["event", state_update()])
    encoded = event.encode()
    decoded = packet.Packet(encoded_packet=encoded)
    assert decoded.data[1]["delta"]["ui_state.auth_state.clients_state"]["cost_rx_state_"] == 85.5


def test_the_codec_benchmark_encodes_three_pages_updates(
    engine, technician, configured_app_settings, tmp_path, capsys
):
    from bench import socket_codec_bench
    from tests.factories import populate

    with Session(engine, expire_on_commit=False) as session:
        populate(session, session.get(User, technician.id))
        session.commit()
    out = tmp_path / "codec.json"
    assert socket_codec_bench.main(["--repeats", "3", "--json", str(out)]) == 0
    figures = json.loads(out.read_text())
    assert [f["update"] for f in figures] == ["clients list", "client page", "piano page"]
    assert all(f["bytes"] > 200 and f["reflex_us"] > 0 and f["orjson_us"] > 0 for f in figures)
    assert "piano page" in capsys.readouterr().out
