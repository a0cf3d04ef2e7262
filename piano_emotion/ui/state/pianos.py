"""Pianos: the list, the editor (with a client picker), the detail with its
timeline, alerts and readings chart, and moving a piano to another client."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from piano_emotion.db import session_scope
from piano_emotion.domain import alerts, pianos
from piano_emotion.domain.errors import DomainError, NotFound, ValidationFailed
from piano_emotion.domain.pianos import PianoInput, PianoQuery
from piano_emotion.formatting import format_date, format_money, format_number
from piano_emotion.ui import routes
from piano_emotion.ui.i18n import translate
from piano_emotion.ui.state.auth import AuthState, page_load
from piano_emotion.ui.state.lists import EditorMixin, ListPageMixin
from piano_emotion.ui.state.pickers import ClientPickerMixin

EDITABLE_FIELDS = tuple(PianoInput.__dataclass_fields__)
NEW_PIANO_FORM = {
    "category": "vertical",
    "piano_type": "auto",
    "condition": "good",
    "interval": "default",
}


def _text(value) -> str:
    return "" if value is None else str(value)


class PianosState(ListPageMixin, EditorMixin, ClientPickerMixin, AuthState):
    FILTER_DEFAULTS: ClassVar[dict[str, str]] = {
        "category": "",
        "condition": "",
        "alert_level": "",
        "archived": "active",
        "sort": "brand",
    }
    items: list[dict] = []
    category: str = ""
    condition: str = ""
    alert_level: str = ""
    archived: str = "active"
    sort: str = "brand"

    def _refresh(self) -> None:
        user = self.require_user()
        query = PianoQuery(
            search=self.search,
            category=self.category,
            condition=self.condition,
            alert_level=self.alert_level,
            archived=self.archived,
            sort=self.sort,
            page=self.page,
        )
        with session_scope() as session:
            result = pianos.list_pianos(session, user, query)
        self.items = [
            {
                "id": p["id"],
                "name": f"{p['brand']} {p['model']}".strip(),
                "serial_number": p["serial_number"],
                "category": p["category"],
                "condition": p["condition"],
                "client_id": p["client_id"],
                "client_name": p["client_name"],
                "archived": p["archived"],
                "last_tuning": format_date(p["last_tuning_date"]),
                "last_service": format_date(p["last_service_date"]),
            }
            for p in result["items"]
        ]
        self._set_page_result(result)

    @rx.event
    @page_load
    def load(self, user):
        self.editor_open = False
        params = self.router.url.query_parameters
        self.alert_level = params.get("alerta", self.alert_level)
        self._refresh()
        client = params.get("cliente")
        if client and client.isdigit():
            return PianosState.open_new_for_client(int(client))
        return None

    # -- editor -----------------------------------------------------------
    @rx.event
    def open_new(self):
        self.require_user()
        self._reset_picker()
        self._open_editor(NEW_PIANO_FORM.copy())

    @rx.event
    def open_new_for_client(self, client_id: int):
        from piano_emotion.domain import clients

        user = self.require_user()
        try:
            with session_scope() as session:
                client = clients.get_client(session, user, int(client_id))
        except NotFound:
            return PianosState.open_new
        self._reset_picker(client["id"], client["name"])
        self._open_editor(NEW_PIANO_FORM.copy())
        return None

    @rx.event
    def open_edit(self, piano_id: int):
        user = self.require_user()
        with session_scope() as session:
            detail = pianos.get_piano(session, user, int(piano_id))
        self._reset_picker(detail["owner"]["id"], detail["owner"]["name"])
        form = {name: _text(detail.get(name)) for name in EDITABLE_FIELDS}
        interval = detail.get("service_interval_months")
        form["interval"] = "default" if interval is None else str(interval)
        # A type that is what the size gives shows as "auto", so that a
        # corrected size or category gives the matching type again.
        derived = pianos.piano_type_for_size(detail["category"], detail["size_cm"])
        if not form["piano_type"] or (derived and form["piano_type"] == derived.value):
            form["piano_type"] = "auto"
        self._open_editor(form, detail["id"])

    def _input(self, form: dict) -> PianoInput:
        form = dict(form)
        interval = form.pop("interval", "default")
        form["service_interval_months"] = "" if interval == "default" else interval
        if form.get("piano_type") == "auto":
            form["piano_type"] = ""  # derived from the size
        form["client_id"] = str(self.picked_client_id or "")
        return PianoInput.from_form(form)

    @rx.event
    def save(self, form: dict):
        user = self.require_user()
        try:
            with session_scope() as session:
                if self.editing_id:
                    piano = pianos.update_piano(session, user, self.editing_id, self._input(form))
                else:
                    piano = pianos.create_piano(session, user, self._input(form))
                saved_id = piano.id
        except ValidationFailed as error:
            self._show_errors(form, error)
            return None
        except NotFound:
            self.form_errors = {"client_id": translate("error.client_required", self.lang)}
            return None
        created = not self.editing_id
        self.editor_open = False
        # A new piano's page opens next: the list reloads when it is opened
        # again (its ``on_load``; the refresher has it ready), not now for nothing.
        if self.loaded and not created:
            self._refresh()
        events = [rx.toast.success(translate("pianos.saved", self.lang))]
        if created:
            events.append(rx.redirect(routes.piano_detail(saved_id)))
        return events


class PianoDetailState(PianosState):
    piano: dict[str, str] = {}
    owner: dict[str, str] = {}
    services: list[dict] = []
    readings: list[dict] = []
    piano_alerts: list[dict] = []
    not_found: bool = False
    move_open: bool = False

    def _load_detail(self) -> None:
        user = self.require_user()
        piano_id = self._record_id()
        try:
            with session_scope() as session:
                detail = pianos.get_piano(session, user, piano_id)
                active = alerts.list_alerts(session, user, status="active", piano_id=piano_id)
        except NotFound:
            self.not_found, self.piano = True, {}
            return
        self.not_found = False
        self.piano = {
            k: _text(v)
            for k, v in detail.items()
            if k not in ("owner", "services", "readings", "created_at")
        }
        self.piano["name"] = f"{detail['brand']} {detail['model']}".strip()
        self.piano["last_tuning"] = format_date(detail["last_tuning_date"])
        self.piano["last_service"] = format_date(detail["last_service_date"])
        self.piano["added"] = format_date(detail["created_at"])
        self.owner = {k: _text(v) for k, v in detail["owner"].items()}
        self.services = [
            {
                "id": s["id"],
                "service_type": s["service_type"],
                "status": s["status"],
                "date": format_date(s["service_date"]),
                "cost": format_money(s["cost"], self.lang),
                "humidity": ""
                if s["humidity_pct"] is None
                else format_number(s["humidity_pct"], 0, self.lang) + " %",
                "temperature": ""
                if s["temperature_c"] is None
                else format_number(s["temperature_c"], 1, self.lang) + " °C",
                "notes": s["notes"],
                "client_name": s["client_name"],
            }
            for s in detail["services"]
        ]
        self.readings = [
            {"label": r["label"], "humidity": r["humidity"], "temperature": r["temperature"]}
            for r in detail["readings"]
        ]
        self.piano_alerts = [
            {
                "id": a["id"],
                "kind": a["kind"],
                "level": a["level"],
                "status": a["status"],
                "days": a["days_since"],
            }
            for a in active
        ]

    @rx.event
    @page_load
    def load_detail(self, user):
        self.editor_open = self.move_open = False
        self._load_detail()

    @rx.event
    def save_detail(self, form: dict):
        outcome = PianosState.save.fn(self, form)
        if not self.editor_open:
            self._load_detail()
        return outcome

    @rx.event
    def set_archived(self, archived: bool):
        user = self.require_user()
        with session_scope() as session:
            pianos.set_piano_archived(session, user, int(self.piano["id"]), bool(archived))
        self._load_detail()
        key = "pianos.archived" if archived else "pianos.restored"
        return rx.toast.success(translate(key, self.lang))

    @rx.event
    def remove(self):
        user = self.require_user()
        with session_scope() as session:
            result = pianos.remove_piano(session, user, int(self.piano["id"]))
        if result == "deleted":
            return [
                rx.toast.success(translate("pianos.deleted", self.lang)),
                rx.redirect(routes.PIANOS),
            ]
        self._load_detail()
        return rx.toast.info(translate("pianos.archived_instead", self.lang))

    @rx.event
    def open_move(self):
        self._reset_picker()
        self.form_errors = {}
        self.move_open = True

    @rx.event
    def set_move_open(self, value: bool):
        self.move_open = value

    @rx.event
    def confirm_move(self):
        user = self.require_user()
        if not self.picked_client_id:
            self.form_errors = {"client_id": translate("error.client_required", self.lang)}
            return None
        try:
            with session_scope() as session:
                pianos.move_piano(session, user, int(self.piano["id"]), self.picked_client_id)
        except (NotFound, ValidationFailed):
            self.form_errors = {"client_id": translate("error.client_required", self.lang)}
            return None
        self.move_open = False
        self._load_detail()
        return rx.toast.success(translate("pianos.moved", self.lang))

    @rx.event
    def alert_action(self, alert_id: int, action: str):
        user = self.require_user()
        handlers = {
            "acknowledge": alerts.acknowledge_alert,
            "dismiss": alerts.dismiss_alert,
            "reopen": alerts.reopen_alert,
        }
        if action not in handlers:
            return None
        try:
            with session_scope() as session:
                handlers[action](session, user, int(alert_id))
        except DomainError as error:
            # E.g. resolved meanwhile (a tuning recorded on another device).
            self._load_detail()
            return rx.toast.error(self._message(error))
        self._load_detail()
        return None
