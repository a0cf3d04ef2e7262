"""Websocket codec benchmark: Reflex's JSON encoder against ours (orjson).

Builds the state updates three pages send, from a technician's real data
(the clients list, a client's page, a piano's page: each page state loaded
as its ``on_load`` loads it, and its delta), then encodes each the way
the Socket.IO server does, with Reflex's encoder and with
``piano_emotion.ui.socket_codec``, and prints µs per packet and the ratio.

    .venv/bin/python -m bench.socket_codec_bench [--repeats 2000]

The data is the app's (``DATABASE_URL``, else the embedded SQLite with the
demo data: ``./scripts/start.sh --demo`` loads it; ``JWT_SECRET`` as the
app's).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable

from reflex.istate.data import ReflexURL, RouterData, SessionData
from reflex_base.utils.format import json_dumps as reflex_dumps
from sqlmodel import Session, func, select

from piano_emotion.auth.tokens import issue_session_token
from piano_emotion.db import get_engine
from piano_emotion.models import Client, Piano, User
from piano_emotion.settings import get_settings
from piano_emotion.ui import socket_codec
from piano_emotion.ui.state.clients import ClientDetailState, ClientsState
from piano_emotion.ui.state.pianos import PianoDetailState

COMPACT = (",", ":")  # what Socket.IO asks its codec for


def page_update(state_cls, path: str, user: User, load: Callable) -> dict:
    """The state update a page's ``on_load`` sends: its state's delta."""
    state = state_cls(_reflex_internal_init=True)
    state.router = RouterData(
        session=SessionData(client_ip="127.0.0.1"), url=ReflexURL(f"http://localhost{path}")
    )
    state.session_token = issue_session_token(user.id, user.session_version, get_settings())
    load(state)
    return {"delta": state.get_delta(), "events": [], "final": True}


def page_updates(session: Session) -> dict[str, dict]:
    """The updates of three pages, for the technician with the most clients."""
    user_id = session.exec(
        select(Client.technician_id).group_by(Client.technician_id).order_by(func.count().desc())
    ).first()
    if user_id is None:
        sys.exit("no technician with clients: load the demo data first")
    user = session.get(User, user_id)
    client_id = session.exec(select(Client.id).where(Client.technician_id == user_id)).first()
    piano_id = session.exec(select(Piano.id).where(Piano.technician_id == user_id)).first()
    return {
        "clients list": page_update(ClientsState, "/clientes", user, ClientsState._refresh),
        "client page": page_update(
            ClientDetailState, f"/clientes/{client_id}", user, ClientDetailState._load_detail
        ),
        "piano page": page_update(
            PianoDetailState, f"/pianos/{piano_id}", user, PianoDetailState._load_detail
        ),
    }


def per_packet_us(encode: Callable[[dict], str], packet: dict, repeats: int) -> float:
    best = float("inf")
    for _ in range(5):  # the fastest of 5 rounds: the other vCPU's load is noise
        started = time.perf_counter()
        for _ in range(repeats):
            encode(packet)
        best = min(best, (time.perf_counter() - started) / repeats)
    return best * 1e6


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2000)
    parser.add_argument("--json", default=None, help="write the figures here")
    args = parser.parse_args(argv)
    with Session(get_engine()) as session:
        packets = page_updates(session)
    figures = []
    print(f"{'state update':32} {'bytes':>7} {'Reflex µs':>10} {'orjson µs':>10} {'ratio':>6}")
    for name, packet in packets.items():
        ours = socket_codec.dumps(packet, separators=COMPACT)
        theirs = reflex_dumps(packet, separators=COMPACT)
        if json.loads(ours) != json.loads(theirs):
            sys.exit(f"{name}: the codec wrote other JSON than Reflex's encoder")
        reflex_us = per_packet_us(
            lambda p: reflex_dumps(p, separators=COMPACT), packet, args.repeats
        )
        orjson_us = per_packet_us(
            lambda p: socket_codec.dumps(p, separators=COMPACT), packet, args.repeats
        )
        size = len(ours.encode())
        ratio = reflex_us / orjson_us
        print(f"{name:32} {size:>7,} {reflex_us:>10.1f} {orjson_us:>10.1f} {ratio:>5.1f}×")
        figures.append(
            {"update": name, "bytes": size, "reflex_us": reflex_us, "orjson_us": orjson_us}
        )
    if args.json:
        with open(args.json, "w") as out:
            json.dump(figures, out, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
