"""Recordatorios: pianos due for service with contact actions, the reminder
lists (overdue, today, this week, later), the reminder editor and the
message templates."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from piano_emotion.db import session_scope
from piano_emotion.domain import reminders
from piano_emotion.domain.errors import DomainError, NotFound, ValidationFailed
from piano_emotion.domain.reminders import ReminderInput
from piano_emotion.formatting import format_date
from piano_emotion.ui.i18n import translate
from piano_emotion.ui.state.auth import AuthState, page_load
from piano_emotion.ui.state.lists import EditorMixin
from piano_emotion.ui.state.pickers import ClientPickerMixin

BUCKETS = ("overdue", "today", "this_week", "later", "done")


class RemindersState(EditorMixin, ClientPickerMixin, AuthState):
    PICK_LOADS_PIANOS: ClassVar[bool] = True
    due_groups: list[dict] = []
    buckets: dict[str, list[dict]] = {}
    counts: dict[str, int] = {}
    templates: dict[str, str] = {}
    template_errors: dict[str, str] = {}
    contact: dict[str, str] = {}
    contact_open: bool = False
    loaded: bool = False

    def _refresh(self) -> None:
        user = self.require_user()
        with session_scope() as session:
            due = reminders.due_pianos(session, user)
            lists = reminders.list_reminders(session, user)
            self.counts = reminders.reminder_counts(session, user)
            templates = reminders.get_message_templates(session, user)
        self.due_groups = [
            {
                "client_id": group["client"]["id"],
                "client": group["client"]["name"],
                "phone": group["client"]["phone"] or "",
                "pianos": [
                    {
                        "id": p["id"],
                        "name": f"{p['brand']} {p['model']}".strip(),
                        "last": format_date(p["last_service_date"]) or "—",
                        "due": format_date(p["due_date"]),
                        "months": p["months_since"],
                        "overdue": p["overdue"],
                        "contacted": p["contacted"],
                    }
                    for p in group["pianos"]
                ],
            }
            for group in due
        ]
        self.buckets = {
            name: [
                {
                    "id": r["id"],
                    "title": r["title"],
                    "client": r["client_name"],
                    "client_id": r["client_id"],
                    "piano": r["piano"],
                    "type": r["reminder_type"],
                    "due": format_date(r["due_date"]),
                    "done": r["done"],
                    "days_overdue": r["days_overdue"],
                }
                for r in lists.get(name, [])
            ]
            for name in BUCKETS
        }
        self.templates = {
            "email_subject": templates["email"]["subject"],
            "email_body": templates["email"]["body"],
            "whatsapp_body": templates["whatsapp"]["body"],
        }
        self._load_nav_badges(user)  # the sidebar badge follows the lists
        self.loaded = True

    @rx.event
    @page_load
    def load(self, user):
        self.editor_open = self.contact_open = False
        self._refresh()

    # -- due pianos --------------------------------------------------------------
    @rx.event
    def open_contact(self, piano_id: int):
        user = self.require_user()
        try:
            with session_scope() as session:
                message = reminders.contact_message(session, user, int(piano_id))
        except (NotFound, DomainError) as error:
            return rx.toast.error(translate(getattr(error, "key", "error.not_found"), self.lang))
        self.contact = {
            "piano_id": str(message["piano_id"]),
            "subject": message["email_subject"],
            "email_body": message["email_body"],
            "whatsapp_text": message["whatsapp_text"],
            "whatsapp_url": message["whatsapp_url"] or "",
            "mailto_url": message["mailto_url"] or "",
        }
        self.contact_open = True
        return None

    @rx.event
    def set_contact_open(self, value: bool):
        self.contact_open = value

    @rx.event
    def mark_contacted(self, channel: str):
        user = self.require_user()
        try:
            with session_scope() as session:
                reminders.mark_contacted(session, user, int(self.contact["piano_id"]), channel)
        except DomainError as error:
            return rx.toast.error(translate(error.key, self.lang))
        self.contact_open = False
        self._refresh()
        return rx.toast.success(translate("reminders.contacted", self.lang))

    # -- reminders ---------------------------------------------------------------
    def _change(self, action, reminder_id: int, message_key: str):
        user = self.require_user()
        with session_scope() as session:
            action(session, user, int(reminder_id))
        self._refresh()
        return rx.toast.success(translate(message_key, self.lang))

    @rx.event
    def complete(self, reminder_id: int):
        return self._change(reminders.complete_reminder, reminder_id, "reminders.done")

    @rx.event
    def reopen(self, reminder_id: int):
        return self._change(reminders.reopen_reminder, reminder_id, "reminders.reopened")

    @rx.event
    def remove(self, reminder_id: int):
        return self._change(reminders.remove_reminder, reminder_id, "reminders.deleted")

    @rx.event
    def open_new(self):
        from piano_emotion.domain.alerts import local_today

        self.require_user()
        self._reset_picker()
        self.client_pianos = []
        self._open_editor(
            {"reminder_type": "call", "due_date": local_today().isoformat(), "piano_id": "none"}
        )

    @rx.event
    def save(self, form: dict):
        user = self.require_user()
        values = {k: ("" if v == "none" else v) for k, v in form.items()}
        values["client_id"] = str(self.picked_client_id or "")
        try:
            with session_scope() as session:
                reminders.create_reminder(session, user, ReminderInput.from_form(values))
        except ValidationFailed as error:
            self._show_errors(form, error)
            return None
        except NotFound:
            self.form_errors = {"client_id": translate("error.client_required", self.lang)}
            return None
        self.editor_open = False
        self._refresh()
        return rx.toast.success(translate("reminders.saved", self.lang))

    # -- templates ---------------------------------------------------------------
    @rx.event
    def save_templates(self, form: dict):
        user = self.require_user()
        errors: dict[str, str] = {}
        with session_scope() as session:
            for channel, subject, body in (
                ("email", form.get("email_subject", ""), form.get("email_body", "")),
                ("whatsapp", "", form.get("whatsapp_body", "")),
            ):
                try:
                    reminders.save_message_template(session, user, channel, subject, body)
                except ValidationFailed as error:
                    for field, key in error.fields.items():
                        errors[f"{channel}_{field}"] = translate(key, self.lang)
            if errors:
                session.rollback()
        self.template_errors = errors
        if errors:
            return None
        self._refresh()
        return rx.toast.success(translate("settings.saved", self.lang))
