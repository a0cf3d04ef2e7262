"""Servicios: the list with filters, the editor (with a piano picker) and the
detail with its tickable checklist."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

import reflex as rx

from piano_emotion.db import session_scope
from piano_emotion.domain import inventory, pianos, services
from piano_emotion.domain.alerts import local_today
from piano_emotion.domain.errors import NotFound, ValidationFailed
from piano_emotion.domain.inventory import ItemQuery
from piano_emotion.domain.services import ServiceInput, ServiceQuery
from piano_emotion.formatting import format_date, format_money, format_number, parse_decimal
from piano_emotion.ui import routes
from piano_emotion.ui.i18n import CATALOGUE, translate
from piano_emotion.ui.state.auth import AuthState, page_load
from piano_emotion.ui.state.lists import EditorMixin, ListPageMixin
from piano_emotion.ui.state.pickers import PianoPickerMixin

EDITABLE_FIELDS = (
    "service_type",
    "status",
    "service_date",
    "cost",
    "duration_minutes",
    "humidity_pct",
    "temperature_c",
    "notes",
    "technician_notes",
)


def _text(value) -> str:
    return "" if value is None else str(value)


def task_label(label: str, lang: str) -> str:
    """Default checklist items are stored as translation keys."""
    return translate(label, lang) if label in CATALOGUE else label


class ServicesState(ListPageMixin, EditorMixin, PianoPickerMixin, AuthState):
    FILTER_DEFAULTS: ClassVar[dict[str, str]] = {
        "service_type": "",
        "status": "",
        "date_from": "",
        "date_to": "",
        "sort": "-date",
    }
    items: list[dict] = []
    service_type: str = ""
    status: str = ""
    date_from: str = ""
    date_to: str = ""
    sort: str = "-date"

    def _refresh(self) -> None:
        user = self.require_user()
        query = ServiceQuery(
            service_type=self.service_type,
            status=self.status,
            date_from=self.date_from or None,
            date_to=self.date_to or None,
            search=self.search,
            sort=self.sort,
            page=self.page,
        )
        with session_scope() as session:
            result = services.list_services(session, user, query)
        self.items = [
            {
                "id": s["id"],
                "date": format_date(s["service_date"]),
                "service_type": s["service_type"],
                "status": s["status"],
                "cost": format_money(s["cost"], self.lang),
                "piano_id": s["piano_id"],
                "piano": s["piano"],
                "client_id": s["client_id"],
                "client_name": s["client_name"],
            }
            for s in result["items"]
        ]
        self._set_page_result(result)

    @rx.event
    @page_load
    def load(self, user):
        self.editor_open = False
        self._refresh()
        piano = self.router.url.query_parameters.get("piano")
        if piano and piano.isdigit():
            return ServicesState.open_new_for_piano(int(piano))
        return None

    # -- editor -----------------------------------------------------------
    def _new_form(self) -> dict[str, str]:
        return {
            "service_type": "tuning",
            "status": "completed",
            # Today where the technician works (what the dashboard's month and
            # the alerts count in), not the server's date.
            "service_date": local_today().isoformat(),
            "duration_minutes": "60",
        }

    @rx.event
    def open_new(self):
        self.require_user()
        self._reset_piano_picker()
        self._open_editor(self._new_form())

    @rx.event
    def open_new_for_piano(self, piano_id: int):
        user = self.require_user()
        try:
            with session_scope() as session:
                piano = pianos.get_piano(session, user, int(piano_id))
        except NotFound:
            return ServicesState.open_new
        name = f"{piano['brand']} {piano['model']}".strip()
        self._reset_piano_picker(piano["id"], f"{name} · {piano['owner']['name']}")
        self._open_editor(self._new_form())
        return None

    @rx.event
    def open_edit(self, service_id: int):
        user = self.require_user()
        with session_scope() as session:
            detail = services.get_service(session, user, int(service_id))
        piano = detail["piano"]
        self._reset_piano_picker(piano["id"], f"{piano['brand']} {piano['model']}".strip())
        form = {name: _text(detail.get(name)) for name in EDITABLE_FIELDS}
        self._open_editor(form, detail["id"])

    @rx.event
    def save(self, form: dict):
        user = self.require_user()
        values = {k: v for k, v in form.items() if k in EDITABLE_FIELDS}
        values["piano_id"] = str(self.picked_piano_id or "")
        data = ServiceInput.from_form(values)
        try:
            with session_scope() as session:
                if self.editing_id:
                    service = services.update_service(session, user, self.editing_id, data)
                else:
                    service = services.create_service(session, user, data)
                saved_id = service.id
        except ValidationFailed as error:
            self._show_errors(form, error)
            return None
        except NotFound:
            self.form_errors = {"piano_id": translate("error.piano_required", self.lang)}
            return None
        created = not self.editing_id
        self.editor_open = False
        # A new service's page opens next: the list reloads when it is opened
        # again (its ``on_load``; the refresher has it ready), not now for nothing.
        if self.loaded and not created:
            self._refresh()
        events = [rx.toast.success(translate("services.saved", self.lang))]
        if created:
            events.append(rx.redirect(routes.service_detail(saved_id)))
        return events


class ServiceDetailState(ServicesState):
    service: dict[str, str] = {}
    tasks: list[dict] = []
    tasks_done: int = 0
    not_found: bool = False
    new_task: str = ""
    # Materials used (stock goes down in the same transaction).
    materials: list[dict] = []
    item_options: list[dict] = []
    stock_warning: str = ""
    material_error: str = ""
    _pending_materials: list[dict] = []

    def _service_id(self) -> int:
        return self._record_id()

    def _load_detail(self) -> None:
        user = self.require_user()
        try:
            with session_scope() as session:
                detail = services.get_service(session, user, self._service_id())
        except NotFound:
            self.not_found, self.service = True, {}
            return
        self.not_found = False
        self.service = {
            "id": str(detail["id"]),
            "service_type": detail["service_type"],
            "status": detail["status"],
            "date": format_date(detail["service_date"]),
            "cost": format_money(detail["cost"], self.lang),
            "duration": f"{detail['duration_minutes']} min",
            "humidity": ""
            if detail["humidity_pct"] is None
            else format_number(detail["humidity_pct"], 0, self.lang) + " %",
            "temperature": ""
            if detail["temperature_c"] is None
            else format_number(detail["temperature_c"], 1, self.lang) + " °C",
            "notes": detail["notes"],
            "technician_notes": detail["technician_notes"],
            "piano_id": str(detail["piano"]["id"]),
            "piano": f"{detail['piano']['brand']} {detail['piano']['model']}".strip(),
            "client_id": str(detail["client"]["id"]),
            "client_name": detail["client"]["name"],
        }
        self.tasks = [
            {"id": t["id"], "label": task_label(t["label"], self.lang), "done": t["done"]}
            for t in detail["tasks"]
        ]
        self.tasks_done = detail["tasks_done"]
        self._load_materials(user)

    def _load_materials(self, user) -> None:
        with session_scope() as session:
            used = inventory.get_service_materials(session, user, self._service_id())
            items = inventory.list_items(session, user, ItemQuery(page_size=100))["items"]
        self.materials = [
            {
                "item_id": m["item_id"],
                "name": m["name"],
                "quantity": format_number(
                    m["quantity"], 0 if m["quantity"] % 1 == 0 else 2, self.lang
                )
                + f" {m['unit']}",
                "raw_quantity": str(m["quantity"]),
                "unit_price": str(m["unit_price"]),
                "total": format_money(m["total"], self.lang),
            }
            for m in used
        ]
        self.item_options = [
            {
                "id": str(i["id"]),
                "name": f"{i['name']} ({format_number(i['quantity'], 0)} {i['unit']})",
            }
            for i in items
        ]

    def _save_materials(self, materials: list[dict], allow_negative: bool):
        user = self.require_user()
        try:
            with session_scope() as session:
                inventory.set_service_materials(
                    session, user, self._service_id(), materials, allow_negative=allow_negative
                )
        except ValidationFailed as error:
            if "materials" in error.fields and error.fields["materials"] == "error.stock_negative":
                short = ", ".join(
                    f"{i['name']} ({format_number(i['available'], 0)} {i['unit']})"
                    for i in error.params.get("items", [])
                )
                self._pending_materials = materials
                self.stock_warning = translate("services.stock_short", self.lang, items=short)
                return None
            self.material_error = translate(next(iter(error.fields.values())), self.lang)
            return None
        self.stock_warning, self.material_error, self._pending_materials = "", "", []
        self._load_materials(user)
        return rx.toast.success(translate("services.materials_saved", self.lang))

    def _current_materials(self) -> list[dict]:
        return [
            {"item_id": m["item_id"], "quantity": m["raw_quantity"], "unit_price": m["unit_price"]}
            for m in self.materials
        ]

    @rx.event
    def add_material(self, form: dict):
        self.material_error = ""
        item_id = str(form.get("item_id", ""))
        if not item_id.isdigit():
            self.material_error = translate("services.choose_item", self.lang)
            return None
        try:
            quantity = parse_decimal(str(form.get("quantity", "")))
        except ValueError:
            quantity = Decimal(0)
        if quantity <= 0:
            self.material_error = translate("error.quantity_invalid", self.lang)
            return None
        materials = [m for m in self._current_materials() if str(m["item_id"]) != item_id]
        previous = next(
            (m for m in self._current_materials() if str(m["item_id"]) == item_id), None
        )
        total = quantity + (Decimal(previous["quantity"]) if previous else 0)
        materials.append({"item_id": int(item_id), "quantity": str(total)})
        return self._save_materials(materials, allow_negative=False)

    @rx.event
    def remove_material(self, item_id: int):
        materials = [m for m in self._current_materials() if int(m["item_id"]) != int(item_id)]
        return self._save_materials(materials, allow_negative=False)

    @rx.event
    def confirm_negative_stock(self):
        return self._save_materials(self._pending_materials, allow_negative=True)

    @rx.event
    def cancel_negative_stock(self):
        self.stock_warning, self._pending_materials = "", []

    @rx.event
    @page_load
    def load_detail(self, user):
        self.editor_open = False
        self._load_detail()

    @rx.event
    def save_detail(self, form: dict):
        outcome = ServicesState.save.fn(self, form)
        if not self.editor_open:
            self._load_detail()
        return outcome

    @rx.event
    def toggle_task(self, task_id: int, done: bool):
        user = self.require_user()
        with session_scope() as session:
            services.set_task_done(session, user, int(task_id), bool(done))
        self._load_detail()

    @rx.event
    def set_new_task(self, value: str):
        self.new_task = value[:200]

    @rx.event
    def add_task(self):
        user = self.require_user()
        label = self.new_task.strip()
        if not label:
            return None
        try:
            with session_scope() as session:
                services.add_task(session, user, self._service_id(), label)
        except ValidationFailed as error:
            return rx.toast.error(translate(next(iter(error.fields.values())), self.lang))
        self.new_task = ""
        self._load_detail()
        return None

    @rx.event
    def remove_task(self, task_id: int):
        user = self.require_user()
        with session_scope() as session:
            services.remove_task(session, user, int(task_id))
        self._load_detail()

    @rx.event
    def set_status(self, status: str):
        user = self.require_user()
        try:
            with session_scope() as session:
                services.set_service_status(session, user, self._service_id(), status)
        except ValidationFailed as error:
            return rx.toast.error(translate(next(iter(error.fields.values())), self.lang))
        self._load_detail()
        return rx.toast.success(translate("services.saved", self.lang))

    @rx.event
    def remove(self):
        user = self.require_user()
        with session_scope() as session:
            services.remove_service(session, user, self._service_id())
        return [
            rx.toast.success(translate("services.deleted", self.lang)),
            rx.redirect(routes.SERVICES),
        ]
