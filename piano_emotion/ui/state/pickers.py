"""Pickers that search as you type: a client (for pianos) or a piano (for services)."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from piano_emotion.db import session_scope
from piano_emotion.domain import clients, pianos
from piano_emotion.domain.clients import ClientQuery
from piano_emotion.domain.pianos import PianoQuery

PICKER_RESULTS = 8


class ClientPickerMixin(rx.State, mixin=True):
    picker_query: str = ""
    picker_options: list[dict] = []
    picked_client_id: int = 0
    picked_client_name: str = ""
    # The picked client's pianos, for editors that then choose one of them.
    client_pianos: list[dict] = []
    PICK_LOADS_PIANOS: ClassVar[bool] = False

    @rx.event
    def search_clients(self, text: str):
        user = self.require_user()
        self.picker_query = text[:100]
        if not self.picker_query.strip():
            self.picker_options = []
            return
        with session_scope() as session:
            page = clients.list_clients(
                session, user, ClientQuery(search=self.picker_query, page_size=PICKER_RESULTS)
            )
        self.picker_options = [
            {"id": c["id"], "name": c["name"], "detail": c["city"]} for c in page["items"]
        ]

    @rx.event
    def pick_client(self, client_id: int, name: str):
        self.picked_client_id, self.picked_client_name = int(client_id), name
        self.picker_options, self.picker_query = [], ""
        if self.PICK_LOADS_PIANOS:
            self._load_client_pianos(int(client_id))

    def _load_client_pianos(self, client_id: int) -> None:
        user = self.require_user()
        with session_scope() as session:
            page = pianos.list_pianos(session, user, PianoQuery(client_id=client_id, page_size=100))
        self.client_pianos = [
            {"id": str(p["id"]), "name": f"{p['brand']} {p['model']}".strip()}
            for p in page["items"]
        ]

    def _reset_picker(self, client_id: int = 0, name: str = "") -> None:
        self.picker_query, self.picker_options = "", []
        self.picked_client_id, self.picked_client_name = client_id, name


class PianoPickerMixin(rx.State, mixin=True):
    piano_query: str = ""
    piano_options: list[dict] = []
    picked_piano_id: int = 0
    picked_piano_name: str = ""

    @rx.event
    def search_pianos(self, text: str):
        user = self.require_user()
        self.piano_query = text[:100]
        if not self.piano_query.strip():
            self.piano_options = []
            return
        with session_scope() as session:
            page = pianos.list_pianos(
                session, user, PianoQuery(search=self.piano_query, page_size=PICKER_RESULTS)
            )
        self.piano_options = [
            {
                "id": p["id"],
                "name": f"{p['brand']} {p['model']}".strip(),
                "detail": " · ".join(x for x in (p["client_name"], p["serial_number"]) if x),
            }
            for p in page["items"]
        ]

    @rx.event
    def pick_piano(self, piano_id: int, name: str):
        self.picked_piano_id, self.picked_piano_name = int(piano_id), name
        self.piano_options, self.piano_query = [], ""

    def _reset_piano_picker(self, piano_id: int = 0, name: str = "") -> None:
        self.piano_query, self.piano_options = "", []
        self.picked_piano_id, self.picked_piano_name = piano_id, name
