"""Clientes: the list (search, filters, sort, pages), the editor and the detail."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from piano_emotion.db import session_scope
from piano_emotion.domain import clients
from piano_emotion.domain.clients import ClientInput, ClientQuery
from piano_emotion.domain.contact import tel_url, whatsapp_url
from piano_emotion.domain.errors import NotFound, ValidationFailed
from piano_emotion.formatting import format_date, format_money
from piano_emotion.ui import routes
from piano_emotion.ui.i18n import translate
from piano_emotion.ui.state.auth import AuthState, page_load
from piano_emotion.ui.state.lists import EditorMixin, ListPageMixin

EDITABLE_FIELDS = tuple(f for f in ClientInput.__dataclass_fields__)


def _display_client_row(item: dict) -> dict:
    return {
        **{k: v for k, v in item.items() if k != "last_service_date"},
        "last_service": format_date(item["last_service_date"]),
    }


class ClientsState(ListPageMixin, EditorMixin, AuthState):
    FILTER_DEFAULTS: ClassVar[dict[str, str]] = {
        "client_type": "",
        "city": "",
        "route_group": "",
        "archived": "active",
        "sort": "name",
    }
    items: list[dict] = []
    client_type: str = ""
    city: str = ""
    route_group: str = ""
    archived: str = "active"
    sort: str = "name"
    cities: list[str] = []
    route_groups: list[str] = []
    counts: dict[str, int] = {}

    def _query(self) -> ClientQuery:
        return ClientQuery(
            search=self.search,
            client_type=self.client_type,
            city=self.city,
            route_group=self.route_group,
            archived=self.archived,
            sort=self.sort,
            page=self.page,
        )

    def _refresh(self) -> None:
        user = self.require_user()
        with session_scope() as session:
            result = clients.list_clients(session, user, self._query())
            options = clients.client_filter_options(session, user)
            self.counts = clients.client_counts(session, user)
        if result["page"] > result["pages"] and result["total"]:
            self.page = result["pages"]
            return self._refresh()
        self.items = [_display_client_row(i) for i in result["items"]]
        self._set_page_result(result)
        self.cities, self.route_groups = options["cities"], options["route_groups"]

    @rx.event
    @page_load
    def load(self, user):
        self.editor_open = False
        self._refresh()

    # -- list controls -----------------------------------------------------

    # -- editor ------------------------------------------------------------
    @rx.event
    def open_new(self):
        self._open_editor({"client_type": "particular"})

    @rx.event
    def open_edit(self, client_id: int):
        user = self.require_user()
        with session_scope() as session:
            detail = clients.get_client(session, user, int(client_id))
        form = {
            name: "" if detail.get(name) is None else str(detail.get(name))
            for name in EDITABLE_FIELDS
        }
        self._open_editor(form, detail["id"])

    @rx.event
    def save(self, form: dict):
        user = self.require_user()
        data = ClientInput.from_form(form)
        try:
            with session_scope() as session:
                if self.editing_id:
                    client = clients.update_client(session, user, self.editing_id, data)
                else:
                    client = clients.create_client(session, user, data)
                saved_id = client.id
        except ValidationFailed as error:
            self._show_errors(form, error)
            return None
        self.editor_open = False
        self.form_errors = {}
        created = not self.editing_id
        self._refresh()
        events = [rx.toast.success(translate("clients.saved", self.lang))]
        if created:
            events.append(rx.redirect(routes.client_detail(saved_id)))
        return events

    @rx.event
    def archive(self, client_id: int, archived: bool):
        user = self.require_user()
        with session_scope() as session:
            clients.set_client_archived(session, user, int(client_id), bool(archived))
        self._refresh()
        key = "clients.archived" if archived else "clients.restored"
        return rx.toast.success(translate(key, self.lang))


class ClientDetailState(ClientsState):
    client: dict = {}
    pianos: list[dict] = []
    services: list[dict] = []
    not_found: bool = False

    def _load_detail(self) -> None:
        user = self.require_user()
        try:
            with session_scope() as session:
                detail = clients.get_client(session, user, self._record_id())
        except NotFound:
            self.not_found, self.client, self.pianos, self.services = True, {}, [], []
            return
        self.not_found = False
        self.client = {
            k: ("" if v is None else str(v))
            for k, v in detail.items()
            if k not in ("pianos", "services", "created_at")
        }
        self.client["whatsapp"] = whatsapp_link(detail["phone"])
        self.client["tel"] = tel_url(detail["phone"]) or ""
        self.client["mailto"] = f"mailto:{detail['email']}" if detail["email"] else ""
        self.client["place"] = " ".join(p for p in (detail["postal_code"], detail["city"]) if p)
        self.pianos = detail["pianos"]
        self.services = [
            {
                **{k: v for k, v in s.items() if k not in ("service_date", "cost")},
                "date": format_date(s["service_date"]),
                "cost": format_money(s["cost"], self.lang),
            }
            for s in detail["services"]
        ]

    @rx.event
    @page_load
    def load_detail(self, user):
        self.editor_open = False
        self._load_detail()

    @rx.event
    def save_detail(self, form: dict):
        outcome = ClientsState.save.fn(self, form)
        if not self.editor_open:
            self._load_detail()
        return outcome

    @rx.event
    def remove(self):
        user = self.require_user()
        with session_scope() as session:
            result = clients.remove_client(session, user, int(self.client["id"]))
        if result == "deleted":
            return [
                rx.toast.success(translate("clients.deleted", self.lang)),
                rx.redirect(routes.CLIENTS),
            ]
        self._load_detail()
        return rx.toast.info(translate("clients.archived_instead", self.lang))

    @rx.event
    def set_archived(self, archived: bool):
        ClientsState.archive.fn(self, int(self.client["id"]), archived)
        self._load_detail()
        key = "clients.archived" if archived else "clients.restored"
        return rx.toast.success(translate(key, self.lang))


def whatsapp_link(phone: str) -> str:
    return whatsapp_url(phone) or ""
