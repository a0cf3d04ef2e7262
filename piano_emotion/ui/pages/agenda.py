"""Agenda: a day list, a week time grid (a day list on a phone) and a month
grid; the appointment editor; completing a visit; the calendar feed link."""

from __future__ import annotations

import reflex as rx

from piano_emotion.models.enums import AppointmentStatus, ServiceType
from piano_emotion.ui import routes, styles
from piano_emotion.ui.components.common import enum_text
from piano_emotion.ui.components.forms import editor_dialog, field
from piano_emotion.ui.components.layout import template
from piano_emotion.ui.components.picker import picker
from piano_emotion.ui.i18n import tr
from piano_emotion.ui.pages.pianos import choice, enum_options
from piano_emotion.ui.state.agenda import (
    GRID_END_HOUR,
    GRID_START_HOUR,
    HOUR_HEIGHT_PX,
    AgendaState,
)

A = AgendaState
STATUS_COLORS = {"scheduled": "blue", "confirmed": "green", "completed": "gray", "cancelled": "red"}


def status_badge(status) -> rx.Component:
    return rx.badge(
        enum_text("AppointmentStatus", status),
        color_scheme=rx.match(status, *[(k, v) for k, v in STATUS_COLORS.items()], "gray"),
    )


def appointment_actions(item) -> rx.Component:
    return rx.hstack(
        rx.cond(
            item["status"] == "scheduled",
            rx.button(
                tr("agenda.confirm"),
                size="1",
                variant="soft",
                on_click=A.confirm(item["id"]),
                data_testid="appointment-confirm",
            ),
        ),
        rx.cond(
            (item["status"] == "scheduled") | (item["status"] == "confirmed"),
            rx.fragment(
                rx.button(
                    tr("agenda.complete"),
                    size="1",
                    color_scheme="green",
                    on_click=A.complete(item["id"]),
                    data_testid="appointment-complete",
                ),
                rx.button(
                    tr("agenda.cancel"),
                    size="1",
                    variant="ghost",
                    color_scheme="red",
                    on_click=A.cancel(item["id"]),
                    data_testid="appointment-cancel",
                ),
            ),
        ),
        rx.button(
            tr("common.edit"),
            size="1",
            variant="ghost",
            on_click=A.open_edit(item["id"]),
            data_testid="appointment-edit",
        ),
        spacing="2",
        wrap="wrap",
    )


def appointment_card(item) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(item["start"], " – ", item["end"], weight="bold"),
                status_badge(item["status"]),
                rx.cond(item["overlaps"], rx.badge(tr("agenda.overlaps"), color_scheme="amber")),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.text(item["title"], weight="medium"),
            rx.link(
                item["client"], href=f"{routes.CLIENTS}/" + item["client_id"].to(str), size="2"
            ),
            rx.cond(item["piano"] != "", rx.text(item["piano"], size="2", color=styles.MUTED_TEXT)),
            rx.cond(
                item["address"] != "", rx.text(item["address"], size="1", color=styles.MUTED_TEXT)
            ),
            appointment_actions(item),
            spacing="1",
            width="100%",
        ),
        width="100%",
        data_testid="appointment-card",
    )


def day_list() -> rx.Component:
    """Every day of the range with its appointments (the phone's view)."""
    return rx.vstack(
        rx.foreach(
            A.days,
            lambda day: rx.vstack(
                rx.hstack(
                    rx.text(
                        day["label"],
                        weight="bold",
                        color=rx.cond(
                            day["is_today"], rx.color("accent", 11), rx.color("gray", 12)
                        ),
                    ),
                    rx.text(day["full"], size="2", color=styles.MUTED_TEXT),
                    rx.cond(day["is_today"], rx.badge(tr("agenda.today"), color_scheme="indigo")),
                    rx.spacer(),
                    rx.icon_button(
                        rx.icon("plus", size=14),
                        size="1",
                        variant="soft",
                        on_click=A.open_new(day["date"], "09:00"),
                        aria_label=tr("agenda.new"),
                    ),
                    width="100%",
                    align="center",
                ),
                rx.cond(
                    day["items"].to(list[dict]).length() > 0,
                    rx.vstack(
                        rx.foreach(day["items"].to(list[dict]), appointment_card),
                        width="100%",
                        spacing="2",
                    ),
                    rx.text(tr("agenda.free"), size="2", color=styles.MUTED_TEXT),
                ),
                width="100%",
                spacing="2",
                padding_y="0.5rem",
                border_bottom=styles.BORDER,
                data_testid="agenda-day",
            ),
        ),
        width="100%",
        spacing="1",
    )


def week_grid() -> rx.Component:
    """The week as a time grid (desktop)."""
    hours = list(range(GRID_START_HOUR, GRID_END_HOUR))
    height = f"{(GRID_END_HOUR - GRID_START_HOUR) * HOUR_HEIGHT_PX}px"
    return rx.hstack(
        rx.vstack(
            rx.box(height="2.5rem"),
            rx.box(
                *[
                    rx.box(
                        rx.text(f"{h:02d}:00", size="1", color=styles.MUTED_TEXT),
                        height=f"{HOUR_HEIGHT_PX}px",
                    )
                    for h in hours
                ],
                height=height,
            ),
            spacing="0",
            width="3rem",
        ),
        rx.foreach(
            A.days,
            lambda day: rx.vstack(
                rx.center(
                    rx.text(
                        day["label"],
                        weight="bold",
                        size="2",
                        color=rx.cond(
                            day["is_today"], rx.color("accent", 11), rx.color("gray", 12)
                        ),
                    ),
                    height="2.5rem",
                    width="100%",
                    background=rx.cond(day["is_today"], rx.color("accent", 3), "transparent"),
                    border_radius="0.4rem",
                    cursor="pointer",
                    on_click=A.open_day(day["date"]),
                ),
                rx.box(
                    rx.foreach(
                        day["items"].to(list[dict]),
                        lambda item: rx.box(
                            rx.text(
                                item["start"],
                                " ",
                                item["title"],
                                size="1",
                                weight="medium",
                                overflow="hidden",
                                white_space="nowrap",
                                text_overflow="ellipsis",
                            ),
                            rx.text(
                                item["client"],
                                size="1",
                                overflow="hidden",
                                white_space="nowrap",
                                text_overflow="ellipsis",
                            ),
                            position="absolute",
                            top=item["top"],
                            height=item["height"],
                            left="2px",
                            right="2px",
                            padding="2px 4px",
                            border_radius="0.35rem",
                            overflow="hidden",
                            cursor="pointer",
                            background=rx.cond(
                                item["status"] == "cancelled",
                                rx.color("gray", 4),
                                rx.color("accent", 4),
                            ),
                            border_left=rx.cond(
                                item["overlaps"],
                                f"3px solid {rx.color('amber', 9)}",
                                f"3px solid {rx.color('accent', 9)}",
                            ),
                            on_click=A.open_edit(item["id"]),
                            data_testid="grid-appointment",
                        ),
                    ),
                    position="relative",
                    height=height,
                    width="100%",
                    border_left=styles.BORDER,
                    background_image=f"repeating-linear-gradient(to bottom, transparent 0, "
                    f"transparent {HOUR_HEIGHT_PX - 1}px, {rx.color('gray', 4)} "
                    f"{HOUR_HEIGHT_PX - 1}px, {rx.color('gray', 4)} {HOUR_HEIGHT_PX}px)",
                ),
                spacing="0",
                flex="1",
                min_width="0",
            ),
        ),
        spacing="0",
        width="100%",
        align="start",
        data_testid="week-grid",
    )


def month_grid() -> rx.Component:
    return rx.grid(
        rx.foreach(
            A.days,
            lambda day: rx.box(
                rx.hstack(
                    rx.text(
                        day["label"],
                        size="1",
                        weight="bold",
                        color=rx.cond(
                            day["is_today"], rx.color("accent", 11), rx.color("gray", 12)
                        ),
                    ),
                    rx.spacer(),
                    rx.cond(
                        day["items"].to(list[dict]).length() > 0,
                        rx.badge(day["items"].to(list[dict]).length().to_string(), size="1"),
                    ),
                ),
                rx.foreach(
                    day["items"].to(list[dict])[:3],
                    lambda item: rx.text(
                        item["start"],
                        " ",
                        item["title"],
                        size="1",
                        overflow="hidden",
                        white_space="nowrap",
                        text_overflow="ellipsis",
                    ),
                ),
                padding="0.35rem",
                min_height="5.5rem",
                border=styles.BORDER,
                border_radius="0.4rem",
                background=rx.cond(
                    day["is_today"],
                    rx.color("accent", 3),
                    rx.cond(day["in_month"], "transparent", rx.color("gray", 2)),
                ),
                cursor="pointer",
                on_click=A.open_day(day["date"]),
                overflow="hidden",
                data_testid="month-day",
            ),
        ),
        columns="7",
        spacing="1",
        width="100%",
    )


def editor() -> rx.Component:
    errors = A.form_errors
    return editor_dialog(
        A,
        picker(
            label_key="nav.clients",
            placeholder_key="picker.search_client",
            query=A.picker_query,
            options=A.picker_options,
            picked_id=A.picked_client_id,
            picked_name=A.picked_client_name,
            on_search=A.search_clients,
            on_pick=A.pick_client,
            error=errors["client_id"],
            name="client_picked",
            test_id="appointment-client",
        ),
        rx.vstack(
            rx.text(tr("pianos.piano"), size="2", weight="medium"),
            rx.select.root(
                rx.select.trigger(width="100%", data_testid="field-piano_id"),
                rx.select.content(
                    rx.select.item(tr("agenda.no_piano"), value="none"),
                    rx.foreach(
                        A.client_pianos,
                        lambda p: rx.select.item(p["name"], value=p["id"]),
                    ),
                ),
                name="piano_id",
                default_value=A.form["piano_id"].to(str),
            ),
            rx.cond(
                errors["piano_id"],
                rx.text(errors["piano_id"], color=rx.color("red", 11), size="2"),
            ),
            width="100%",
            spacing="1",
        ),
        rx.grid(
            field(
                "agenda.title",
                "title",
                errors,
                default_value=A.form["title"].to(str),
                placeholder_key="agenda.title_hint",
            ),
            choice(
                "service_type",
                "services.type",
                A,
                [
                    ("none", tr("agenda.no_type")),
                    *enum_options("ServiceType", ServiceType),
                ],
            ),
            field(
                "services.date",
                "date",
                errors,
                type_="date",
                required=True,
                default_value=A.form["date"].to(str),
            ),
            field(
                "agenda.time",
                "time",
                errors,
                type_="time",
                required=True,
                default_value=A.form["time"].to(str),
            ),
            field(
                "services.duration",
                "duration_minutes",
                errors,
                type_="number",
                default_value=A.form["duration_minutes"].to(str),
            ),
            choice(
                "status",
                "services.status",
                A,
                enum_options("AppointmentStatus", AppointmentStatus),
            ),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
        ),
        field(
            "settings.address",
            "address",
            errors,
            default_value=A.form["address"].to(str),
            placeholder_key="agenda.address_hint",
        ),
        rx.text_area(
            name="notes",
            default_value=A.form["notes"].to(str),
            placeholder=tr("clients.notes"),
            width="100%",
            rows="2",
        ),
        new_key="agenda.new",
        edit_key="agenda.edit",
        on_submit=A.save,
        save_test_id="appointment-save",
        test_id="appointment-editor",
        max_width="40rem",
    )


def completion_dialog() -> rx.Component:
    c = A.completion
    errors = A.form_errors
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(tr("agenda.completed_title")),
            rx.dialog.description(c["client"], " · ", c["piano"]),
            rx.cond(
                c.contains("service_id"),
                rx.callout(
                    tr("agenda.service_recorded"),
                    icon="circle-check",
                    color_scheme="green",
                    width="100%",
                ),
                rx.cond(
                    c["has_piano"] != "",
                    rx.form(
                        rx.vstack(
                            rx.text(tr("agenda.record_service"), weight="bold"),
                            rx.grid(
                                rx.select.root(
                                    rx.select.trigger(width="100%"),
                                    rx.select.content(
                                        *[
                                            rx.select.item(label, value=value)
                                            for value, label in enum_options(
                                                "ServiceType", ServiceType
                                            )
                                        ]
                                    ),
                                    name="service_type",
                                    default_value=c["service_type"],
                                ),
                                field(
                                    "services.cost",
                                    "cost",
                                    errors,
                                    placeholder_key="services.cost_hint",
                                ),
                                columns="2",
                                spacing="2",
                                width="100%",
                            ),
                            rx.button(
                                rx.icon("wrench"),
                                tr("agenda.record_service"),
                                type="submit",
                                data_testid="completion-record-service",
                            ),
                            spacing="2",
                            width="100%",
                        ),
                        on_submit=A.record_service,
                        width="100%",
                    ),
                    rx.text(tr("agenda.no_piano_no_service"), size="2", color=styles.MUTED_TEXT),
                ),
            ),
            rx.separator(margin_y="0.75rem"),
            rx.cond(
                c["next_date"] != "",
                rx.form(
                    rx.vstack(
                        rx.text(tr("agenda.book_next"), weight="bold"),
                        rx.text(
                            tr("agenda.interval_hint"),
                            " ",
                            c["interval"],
                            " ",
                            tr("agenda.months"),
                            size="2",
                            color=styles.MUTED_TEXT,
                        ),
                        rx.grid(
                            field(
                                "services.date",
                                "next_date",
                                errors,
                                type_="date",
                                default_value=c["next_date"],
                            ),
                            field(
                                "agenda.time",
                                "next_time",
                                errors,
                                type_="time",
                                default_value=c["next_time"],
                            ),
                            columns="2",
                            spacing="2",
                            width="100%",
                        ),
                        rx.button(
                            rx.icon("calendar-plus"),
                            tr("agenda.book_next"),
                            type="submit",
                            data_testid="completion-book-next",
                        ),
                        spacing="2",
                        width="100%",
                    ),
                    on_submit=A.book_next,
                    width="100%",
                ),
                rx.text(tr("agenda.client_calls"), size="2", color=styles.MUTED_TEXT),
            ),
            rx.hstack(
                rx.dialog.close(rx.button(tr("agenda.close"), variant="soft", color_scheme="gray")),
                justify="end",
                margin_top="1rem",
            ),
            max_width="32rem",
            data_testid="completion-dialog",
        ),
        open=A.completion_open,
        on_open_change=A.set_completion_open,
    )


def toolbar() -> rx.Component:
    return rx.flex(
        rx.hstack(
            rx.icon_button(
                rx.icon("chevron-left"),
                variant="soft",
                on_click=A.shift(-1),
                aria_label=tr("agenda.previous"),
                data_testid="agenda-prev",
            ),
            rx.button(
                tr("agenda.today"), variant="soft", on_click=A.go_today, data_testid="agenda-today"
            ),
            rx.icon_button(
                rx.icon("chevron-right"),
                variant="soft",
                on_click=A.shift(1),
                aria_label=tr("agenda.next"),
                data_testid="agenda-next",
            ),
            rx.text(A.range_title, weight="bold", data_testid="agenda-range"),
            align="center",
            spacing="2",
        ),
        rx.spacer(),
        rx.segmented_control.root(
            rx.segmented_control.item(tr("agenda.day"), value="day"),
            rx.segmented_control.item(tr("agenda.week"), value="week"),
            rx.segmented_control.item(tr("agenda.month"), value="month"),
            value=A.view,
            on_change=A.set_view,
            data_testid="agenda-view",
        ),
        rx.button(
            rx.icon("plus"),
            tr("agenda.new"),
            on_click=A.open_new("", "09:00"),
            data_testid="appointment-new",
        ),
        wrap="wrap",
        gap="2",
        align="center",
        width="100%",
    )


def calendar_feed_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(tr("agenda.feed_title"), weight="bold"),
            rx.text(tr("agenda.feed_hint"), size="2", color=styles.MUTED_TEXT),
            rx.hstack(
                rx.code(A.calendar_url, data_testid="calendar-url", overflow_wrap="anywhere"),
                rx.icon_button(
                    rx.icon("copy", size=14),
                    variant="soft",
                    on_click=rx.set_clipboard(A.calendar_url),
                    aria_label=tr("agenda.copy"),
                ),
                align="center",
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


@template(route=routes.AGENDA, title_key="nav.agenda", on_load=AgendaState.load)
def agenda_page() -> rx.Component:
    return rx.vstack(
        toolbar(),
        rx.match(
            A.view,
            (
                "week",
                rx.fragment(
                    rx.box(week_grid(), display=["none", "none", "block"], width="100%"),
                    rx.box(day_list(), display=["block", "block", "none"], width="100%"),
                ),
            ),
            ("month", month_grid()),
            day_list(),
        ),
        calendar_feed_card(),
        editor(),
        completion_dialog(),
        spacing="4",
        width="100%",
    )
