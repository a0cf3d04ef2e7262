"""Agenda: day, week and month views, the appointment editor (overlaps are a
warning, not a refusal), completing a visit into a service and the next visit,
and the technician's calendar feed URL."""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar

import reflex as rx

from piano_emotion.db import session_scope
from piano_emotion.domain import agenda, calendar_feed
from piano_emotion.domain.agenda import AppointmentInput
from piano_emotion.domain.alerts import local_today
from piano_emotion.domain.errors import DomainError, NotFound, ValidationFailed
from piano_emotion.domain.services import ServiceInput
from piano_emotion.formatting import format_date
from piano_emotion.settings import get_settings
from piano_emotion.ui import routes
from piano_emotion.ui.i18n import translate
from piano_emotion.ui.state.auth import AuthState, page_load
from piano_emotion.ui.state.lists import EditorMixin
from piano_emotion.ui.state.pickers import ClientPickerMixin

VIEWS = ("day", "week", "month")
GRID_START_HOUR, GRID_END_HOUR = 7, 22
HOUR_HEIGHT_PX = 44


def _weekday_key(day: date) -> str:
    return f"weekday.{day.isoweekday()}"


class AgendaState(EditorMixin, ClientPickerMixin, AuthState):
    PICK_LOADS_PIANOS: ClassVar[bool] = True
    view: str = "week"
    anchor: str = ""
    range_title: str = ""
    days: list[dict] = []
    calendar_url: str = ""
    # Completing a visit.
    completion_open: bool = False
    completion: dict[str, str] = {}

    def _anchor_date(self) -> date:
        try:
            return date.fromisoformat(self.anchor)
        except ValueError:
            return local_today()

    def _refresh(self) -> None:
        user = self.require_user()
        anchor = self._anchor_date()
        first, last = agenda.agenda_range(self.view, anchor)
        with session_scope() as session:
            items = agenda.list_appointments(session, user, first, last)
        today = local_today()
        by_day: dict[str, list[dict]] = {}
        for item in items:
            by_day.setdefault(item["date"], []).append(self._display(item))
        days = []
        day = first
        while day <= last:
            days.append(
                {
                    "date": day.isoformat(),
                    "label": f"{translate(_weekday_key(day), self.lang)} {day.day}",
                    "full": format_date(day),
                    "is_today": day == today,
                    "in_month": day.month == anchor.month,
                    "items": by_day.get(day.isoformat(), []),
                }
            )
            day += timedelta(days=1)
        self.days = days
        if self.view == "day":
            self.range_title = f"{translate(_weekday_key(anchor), self.lang)} {format_date(anchor)}"
        elif self.view == "week":
            self.range_title = f"{format_date(first)} – {format_date(last)}"
        else:
            self.range_title = f"{translate(f'month.{anchor.month}', self.lang)} {anchor.year}"

    def _display(self, item: dict) -> dict:
        hour, minute = (int(x) for x in item["start"].split(":"))
        offset = max(0, (hour - GRID_START_HOUR) * 60 + minute)
        height = max(22, item["duration_minutes"] * HOUR_HEIGHT_PX // 60)
        return {
            "id": item["id"],
            "start": item["start"],
            "end": item["end"],
            "title": item["title"],
            "client": item["client"],
            "client_id": item["client_id"],
            "piano": item["piano"],
            "status": item["status"],
            "address": item["address"],
            "overlaps": item.get("overlaps", False),
            "top": f"{offset * HOUR_HEIGHT_PX // 60}px",
            "height": f"{height}px",
        }

    @rx.event
    @page_load
    def load(self, user):
        self.editor_open = self.completion_open = False
        params = self.router.url.query_parameters
        if params.get("vista") in VIEWS:
            self.view = params["vista"]
        self.anchor = params.get("fecha", "") or self.anchor or local_today().isoformat()
        with session_scope() as session:
            token = calendar_feed.calendar_token(session, user)
        self.calendar_url = get_settings().app_url + routes.API_CALENDAR.format(token=token)
        self._refresh()

    @rx.event
    def set_view(self, view: str | list[str]):
        if isinstance(view, str) and view in VIEWS:
            self.view = view
            self._refresh()

    @rx.event
    def shift(self, direction: int):
        anchor = self._anchor_date()
        step = int(direction)
        if self.view == "day":
            anchor += timedelta(days=step)
        elif self.view == "week":
            anchor += timedelta(weeks=step)
        else:
            anchor = agenda.add_months(anchor.replace(day=1), step)
        self.anchor = anchor.isoformat()
        self._refresh()

    @rx.event
    def go_today(self):
        self.anchor = local_today().isoformat()
        self._refresh()

    @rx.event
    def open_day(self, day: str):
        self.anchor, self.view = day, "day"
        self._refresh()

    # -- editor ------------------------------------------------------------
    @rx.event
    def open_new(self, day: str = "", at: str = "09:00"):
        self.require_user()
        self._reset_picker()
        self.client_pianos = []
        self._open_editor(
            {
                "date": day or self._anchor_date().isoformat(),
                "time": at,
                "duration_minutes": "60",
                "service_type": "tuning",
                "piano_id": "none",
            }
        )

    @rx.event
    def open_edit(self, appointment_id: int):
        user = self.require_user()
        with session_scope() as session:
            detail = agenda.get_appointment(session, user, int(appointment_id))
        self._reset_picker(detail["client_id"], detail["client"])
        self._load_client_pianos(detail["client_id"])
        form = {
            "title": detail["title"],
            "date": detail["date"],
            "time": detail["start"],
            "duration_minutes": str(detail["duration_minutes"]),
            "service_type": detail["service_type"] or "none",
            "piano_id": str(detail["piano_id"] or "none"),
            "address": detail["address"],
            "notes": detail["notes"],
            "status": detail["status"],
        }
        self._open_editor(form, detail["id"])

    @rx.event
    def save(self, form: dict):
        user = self.require_user()
        values = {k: ("" if v in ("none",) else v) for k, v in form.items()}
        values["client_id"] = str(self.picked_client_id or "")
        data = AppointmentInput.from_form(values)
        try:
            with session_scope() as session:
                if self.editing_id:
                    _appointment, overlaps = agenda.update_appointment(
                        session, user, self.editing_id, data
                    )
                else:
                    _appointment, overlaps = agenda.create_appointment(session, user, data)
        except ValidationFailed as error:
            self._show_errors(form, error)
            return None
        except NotFound:
            self.form_errors = {"client_id": translate("error.client_required", self.lang)}
            return None
        self.editor_open = False
        self._refresh()
        events = [rx.toast.success(translate("agenda.saved", self.lang))]
        if overlaps:
            names = ", ".join(f"{o['start']} {o['title']}" for o in overlaps)
            events.append(rx.toast.warning(translate("agenda.overlap", self.lang, names=names)))
        return events

    # -- status and completion --------------------------------------------
    def _status_change(self, action, appointment_id: int):
        user = self.require_user()
        try:
            with session_scope() as session:
                action(session, user, int(appointment_id))
        except DomainError as error:
            return rx.toast.error(translate(error.key, self.lang))
        self._refresh()
        return rx.toast.success(translate("agenda.saved", self.lang))

    @rx.event
    def confirm(self, appointment_id: int):
        return self._status_change(agenda.confirm_appointment, appointment_id)

    @rx.event
    def cancel(self, appointment_id: int):
        return self._status_change(agenda.cancel_appointment, appointment_id)

    @rx.event
    def complete(self, appointment_id: int):
        user = self.require_user()
        try:
            with session_scope() as session:
                proposal = agenda.complete_appointment(session, user, int(appointment_id))
        except DomainError as error:
            return rx.toast.error(translate(error.key, self.lang))
        service = proposal["service"]
        next_visit = proposal["next_visit"] or {}
        self.completion = {
            "appointment_id": str(proposal["appointment_id"]),
            "client": proposal["client_name"],
            "piano": proposal["piano"],
            "has_piano": "yes" if proposal["piano_id"] else "",
            "service_type": service["service_type"],
            "service_date": str(service["service_date"]),
            "duration_minutes": str(service.get("duration_minutes") or ""),
            "next_date": str(next_visit.get("date") or ""),
            "next_time": str(next_visit.get("time") or "09:00"),
            "interval": str(next_visit.get("interval_months") or ""),
        }
        self.form_errors = {}
        self.completion_open = True
        self._refresh()
        return None

    @rx.event
    def set_completion_open(self, value: bool):
        self.completion_open = value

    @rx.event
    def record_service(self, form: dict):
        user = self.require_user()
        data = ServiceInput.from_form(
            {
                "service_type": form.get("service_type", "tuning"),
                "status": "completed",
                "service_date": self.completion.get("service_date", ""),
                "cost": form.get("cost", ""),
                "duration_minutes": self.completion.get("duration_minutes", ""),
                "notes": form.get("notes", ""),
            }
        )
        try:
            with session_scope() as session:
                service = agenda.record_service_from_appointment(
                    session, user, int(self.completion["appointment_id"]), data
                )
                service_id = service.id
        except ValidationFailed as error:
            self._show_errors(form, error)
            return None
        except NotFound:
            raise
        except DomainError as error:  # e.g. cancelled meanwhile on another device
            return rx.toast.error(translate(error.key, self.lang))
        self.completion["service_id"] = str(service_id)
        return rx.toast.success(translate("services.saved", self.lang))

    @rx.event
    def book_next(self, form: dict):
        user = self.require_user()
        try:
            with session_scope() as session:
                _appointment, overlaps = agenda.book_next_visit(
                    session,
                    user,
                    int(self.completion["appointment_id"]),
                    form.get("next_date", ""),
                    form.get("next_time", ""),
                )
        except ValidationFailed as error:
            self._show_errors(form, error)
            return None
        except NotFound:
            raise
        except DomainError as error:
            return rx.toast.error(translate(error.key, self.lang))
        self.completion_open = False
        self._refresh()
        events = [rx.toast.success(translate("agenda.next_booked", self.lang))]
        if overlaps:
            names = ", ".join(f"{o['start']} {o['title']}" for o in overlaps)
            events.append(rx.toast.warning(translate("agenda.overlap", self.lang, names=names)))
        return events
