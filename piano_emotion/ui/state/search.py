"""Global search (top bar): clients, pianos, services and invoices of the
signed-in technician, grouped by kind, as you type, with arrow keys."""

from __future__ import annotations

import reflex as rx

from piano_emotion.db import session_scope
from piano_emotion.domain import search
from piano_emotion.ui.state.auth import AuthState

GROUPS = (
    ("clients", "nav.clients"),
    ("pianos", "nav.pianos"),
    ("services", "nav.services"),
    ("invoices", "nav.invoices"),
)


class SearchState(AuthState):
    search_open: bool = False
    query: str = ""
    groups: list[dict] = []
    links: list[str] = []
    active: int = 0

    @rx.event
    def set_search_open(self, value: bool):
        self.search_open = value
        if not value:
            self.query, self.groups, self.links, self.active = "", [], [], 0

    @rx.event
    def set_query(self, text: str):
        user = self.require_user()
        self.query = text[:100]
        with session_scope() as session:
            found = search.global_search(session, user, self.query)
        groups, links = [], []
        for kind, label_key in GROUPS:
            items = []
            for item in found.get(kind, []):
                items.append(
                    {
                        "title": item["title"],
                        "subtitle": item["subtitle"],
                        "link": item["link"],
                        "index": len(links),
                    }
                )
                links.append(item["link"])
            if items:
                groups.append({"label_key": label_key, "kind": kind, "items": items})
        self.groups, self.links, self.active = groups, links, 0

    @rx.event
    def key_down(self, key: str):
        if not self.links:
            return None
        if key == "ArrowDown":
            self.active = (self.active + 1) % len(self.links)
        elif key == "ArrowUp":
            self.active = (self.active - 1) % len(self.links)
        elif key == "Enter":
            target = self.links[self.active]
            SearchState.set_search_open.fn(self, False)
            return rx.redirect(target)
        return None

    @rx.event
    def go(self, link: str):
        SearchState.set_search_open.fn(self, False)
        return rx.redirect(link)
