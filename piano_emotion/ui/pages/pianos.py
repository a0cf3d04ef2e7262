"""Pianos: list with search and filters; detail with owner, timeline, alerts
and a chart of the humidity and temperature measured at each visit."""

from __future__ import annotations

import reflex as rx

from piano_emotion.models.enums import AlertLevel, PianoCategory, PianoCondition, PianoType
from piano_emotion.ui import routes, styles
from piano_emotion.ui.components.common import (
    archive_and_delete,
    back_link,
    detail_frame,
    enum_text,
    labelled,
)
from piano_emotion.ui.components.documents import export_links
from piano_emotion.ui.components.forms import editor_dialog, field
from piano_emotion.ui.components.layout import template
from piano_emotion.ui.components.lists import filter_select, list_results
from piano_emotion.ui.components.picker import picker
from piano_emotion.ui.i18n import tr
from piano_emotion.ui.state.pianos import PianoDetailState, PianosState

S = PianosState


def choice(name: str, label_key: str, state, options, test_id: str | None = None) -> rx.Component:
    """A select inside a form (``options``: (value, label) pairs)."""
    return rx.vstack(
        rx.text(tr(label_key), size="2", weight="medium"),
        rx.select.root(
            rx.select.trigger(width="100%", data_testid=test_id or f"field-{name}"),
            rx.select.content(*[rx.select.item(label, value=value) for value, label in options]),
            name=name,
            default_value=state.form[name].to(str),
        ),
        rx.cond(
            state.form_errors[name],
            rx.text(
                state.form_errors[name],
                color=rx.color("red", 11),
                size="2",
                data_testid=f"error-{name}",
            ),
        ),
        spacing="1",
        width="100%",
    )


def enum_options(enum_name: str, enum_cls) -> list:
    return [(m.value, enum_text(enum_name, m.value)) for m in enum_cls]


def piano_editor(state, on_submit) -> rx.Component:
    errors = state.form_errors
    return editor_dialog(
        state,
        picker(
            label_key="pianos.owner",
            placeholder_key="picker.search_client",
            query=state.picker_query,
            options=state.picker_options,
            picked_id=state.picked_client_id,
            picked_name=state.picked_client_name,
            on_search=state.search_clients,
            on_pick=state.pick_client,
            error=errors["client_id"],
            name="client_id_picked",
            test_id="client-picker",
        ),
        rx.grid(
            field(
                "pianos.brand",
                "brand",
                errors,
                required=True,
                default_value=state.form["brand"].to(str),
            ),
            field(
                "pianos.model",
                "model",
                errors,
                default_value=state.form["model"].to(str),
            ),
            field(
                "pianos.serial",
                "serial_number",
                errors,
                default_value=state.form["serial_number"].to(str),
            ),
            field(
                "pianos.year",
                "year",
                errors,
                type_="number",
                default_value=state.form["year"].to(str),
            ),
            choice(
                "category",
                "pianos.category",
                state,
                enum_options("PianoCategory", PianoCategory),
            ),
            choice(
                "piano_type",
                "pianos.type",
                state,
                [
                    ("auto", tr("pianos.type_auto")),
                    *enum_options("PianoType", PianoType),
                ],
            ),
            field(
                "pianos.size_cm",
                "size_cm",
                errors,
                type_="number",
                default_value=state.form["size_cm"].to(str),
            ),
            choice(
                "condition",
                "pianos.condition",
                state,
                enum_options("PianoCondition", PianoCondition),
            ),
            field("pianos.room", "room", errors, default_value=state.form["room"].to(str)),
            field(
                "pianos.floor",
                "floor",
                errors,
                default_value=state.form["floor"].to(str),
            ),
            choice(
                "interval",
                "pianos.interval",
                state,
                [
                    ("default", tr("pianos.interval_default")),
                    ("3", tr("pianos.interval_3")),
                    ("6", tr("pianos.interval_6")),
                    ("12", tr("pianos.interval_12")),
                    ("0", tr("pianos.interval_0")),
                ],
            ),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
        ),
        rx.el.details(
            rx.el.summary(tr("pianos.overrides")),
            rx.text(tr("pianos.overrides_hint"), size="1", color=styles.MUTED_TEXT),
            rx.grid(
                *[
                    field(
                        f"pianos.{name}",
                        name,
                        errors,
                        type_="number",
                        default_value=state.form[name].to(str),
                    )
                    for name in (
                        "tuning_pending_days",
                        "tuning_urgent_days",
                        "regulation_pending_days",
                        "regulation_urgent_days",
                    )
                ],
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
        rx.vstack(
            rx.text(tr("clients.notes"), size="2", weight="medium"),
            rx.text_area(
                name="notes",
                default_value=state.form["notes"].to(str),
                width="100%",
                rows="3",
            ),
            width="100%",
            spacing="1",
        ),
        new_key="pianos.new",
        edit_key="pianos.edit",
        on_submit=on_submit,
        save_test_id="piano-save",
        test_id="piano-editor",
        max_width="42rem",
    )


def toolbar() -> rx.Component:
    return rx.flex(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            placeholder=tr("pianos.search_placeholder"),
            value=S.search,
            on_change=S.set_search,
            debounce_timeout=300,
            width=["100%", "100%", "20rem"],
            data_testid="pianos-search",
        ),
        filter_select(
            S, "category", "pianos.all_categories", enum_options("PianoCategory", PianoCategory)
        ),
        filter_select(
            S, "condition", "pianos.all_conditions", enum_options("PianoCondition", PianoCondition)
        ),
        filter_select(
            S,
            "alert_level",
            "pianos.all_alerts",
            [
                (AlertLevel.URGENT.value, tr("alerts.urgent")),
                (AlertLevel.PENDING.value, tr("alerts.pending")),
            ],
        ),
        rx.select.root(
            rx.select.trigger(data_testid="filter-archived"),
            rx.select.content(
                rx.select.item(tr("list.active"), value="active"),
                rx.select.item(tr("list.archived"), value="archived"),
                rx.select.item(tr("list.all"), value="all"),
            ),
            value=S.archived,
            on_change=lambda v: S.set_filter("archived", v),
        ),
        rx.select.root(
            rx.select.trigger(data_testid="sort"),
            rx.select.content(
                rx.select.item(tr("pianos.sort_brand"), value="brand"),
                rx.select.item(tr("pianos.sort_client"), value="client"),
                rx.select.item(tr("pianos.sort_last_service_old"), value="last_service"),
                rx.select.item(tr("pianos.sort_last_service_new"), value="-last_service"),
                rx.select.item(tr("sort.newest"), value="-created"),
            ),
            value=S.sort,
            on_change=lambda v: S.set_filter("sort", v),
        ),
        rx.spacer(),
        export_links("pianos", S.export_query),
        rx.button(rx.icon("plus"), tr("pianos.new"), on_click=S.open_new, data_testid="piano-new"),
        wrap="wrap",
        gap="2",
        align="center",
        width="100%",
    )


def piano_link(item) -> rx.Component:
    return rx.link(
        item["name"],
        href=f"{routes.PIANOS}/" + item["id"].to(str),
        weight="medium",
        data_testid="piano-link",
    )


def table_view() -> rx.Component:
    def row(item) -> rx.Component:
        return rx.table.row(
            rx.table.cell(piano_link(item)),
            rx.table.cell(item["serial_number"]),
            rx.table.cell(enum_text("PianoCategory", item["category"])),
            rx.table.cell(
                rx.link(item["client_name"], href=f"{routes.CLIENTS}/" + item["client_id"].to(str))
            ),
            rx.table.cell(enum_text("PianoCondition", item["condition"])),
            rx.table.cell(item["last_tuning"]),
        )

    return rx.table.root(
        rx.table.header(
            rx.table.row(
                *[
                    rx.table.column_header_cell(tr(k))
                    for k in (
                        "pianos.piano",
                        "pianos.serial",
                        "pianos.category",
                        "pianos.owner",
                        "pianos.condition",
                        "pianos.last_tuning",
                    )
                ]
            )
        ),
        rx.table.body(rx.foreach(S.items, row)),
        width="100%",
        variant="surface",
        data_testid="pianos-table",
    )


def cards_view() -> rx.Component:
    return rx.vstack(
        rx.foreach(
            S.items,
            lambda item: rx.card(
                rx.vstack(
                    rx.hstack(
                        piano_link(item),
                        rx.spacer(),
                        rx.badge(enum_text("PianoCategory", item["category"])),
                    ),
                    rx.text(
                        item["client_name"],
                        " · ",
                        item["serial_number"],
                        size="2",
                        color=styles.MUTED_TEXT,
                    ),
                    rx.text(tr("pianos.last_tuning"), ": ", item["last_tuning"], size="2"),
                    spacing="1",
                    width="100%",
                ),
                width="100%",
                data_testid="piano-card",
            ),
        ),
        spacing="2",
        width="100%",
    )


@template(route=routes.PIANOS, title_key="nav.pianos", on_load=PianosState.load)
def pianos_page() -> rx.Component:
    return rx.vstack(
        toolbar(),
        list_results(
            S,
            table=table_view,
            cards=cards_view,
            none_found_key="pianos.none_found",
            empty_icon="piano",
            empty_key="pianos.empty",
            empty_hint_key="pianos.empty_hint",
            new_key="pianos.new",
        ),
        piano_editor(S, S.save),
        spacing="4",
        width="100%",
    )


# -- detail ----------------------------------------------------------------------
D = PianoDetailState


def readings_chart() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(tr("pianos.readings"), weight="bold"),
            rx.cond(
                D.readings.length() > 0,
                rx.recharts.line_chart(
                    rx.recharts.line(
                        data_key="humidity",
                        name=tr("pianos.humidity"),
                        stroke=rx.color("blue", 9),
                        y_axis_id="left",
                        is_animation_active=False,
                        connect_nulls=True,
                    ),
                    rx.recharts.line(
                        data_key="temperature",
                        name=tr("pianos.temperature"),
                        stroke=rx.color("orange", 9),
                        y_axis_id="right",
                        is_animation_active=False,
                        connect_nulls=True,
                    ),
                    rx.recharts.x_axis(data_key="label"),
                    rx.recharts.y_axis(y_axis_id="left", unit="%"),
                    rx.recharts.y_axis(y_axis_id="right", orientation="right", unit="°C"),
                    rx.recharts.graphing_tooltip(),
                    rx.recharts.legend(),
                    rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
                    data=D.readings,
                    width="100%",
                    height=260,
                ),
                rx.text(tr("pianos.no_readings"), color=styles.MUTED_TEXT),
            ),
            width="100%",
        ),
        width="100%",
        data_testid="readings-chart",
    )


def alerts_block() -> rx.Component:
    return rx.cond(
        D.piano_alerts.length() > 0,
        rx.vstack(
            rx.foreach(
                D.piano_alerts,
                lambda a: rx.callout(
                    rx.hstack(
                        rx.text(
                            enum_text("MaintenanceAlertKind", a["kind"]),
                            " · ",
                            a["days"].to(str),
                            " ",
                            tr("alerts.days"),
                            weight="medium",
                        ),
                        rx.spacer(),
                        rx.cond(
                            a["status"] == "open",
                            rx.button(
                                tr("alerts.acknowledge"),
                                size="1",
                                variant="soft",
                                on_click=D.alert_action(a["id"], "acknowledge"),
                            ),
                        ),
                        rx.button(
                            tr("alerts.dismiss"),
                            size="1",
                            variant="ghost",
                            on_click=D.alert_action(a["id"], "dismiss"),
                        ),
                        width="100%",
                        align="center",
                    ),
                    icon="triangle-alert",
                    color_scheme=rx.cond(a["level"] == "urgent", "red", "amber"),
                    width="100%",
                    data_testid="piano-alert",
                ),
            ),
            width="100%",
            spacing="2",
        ),
    )


def move_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(tr("pianos.move")),
            rx.dialog.description(tr("pianos.move_hint")),
            picker(
                label_key="pianos.new_owner",
                placeholder_key="picker.search_client",
                query=D.picker_query,
                options=D.picker_options,
                picked_id=D.picked_client_id,
                picked_name=D.picked_client_name,
                on_search=D.search_clients,
                on_pick=D.pick_client,
                error=D.form_errors["client_id"],
                name="new_client",
                test_id="move-picker",
            ),
            rx.hstack(
                rx.dialog.close(
                    rx.button(tr("common.cancel"), variant="soft", color_scheme="gray")
                ),
                rx.button(tr("pianos.move"), on_click=D.confirm_move, data_testid="move-confirm"),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
        ),
        open=D.move_open,
        on_open_change=D.set_move_open,
    )


def detail_body() -> rx.Component:
    p = D.piano
    return rx.vstack(
        back_link(routes.PIANOS, "nav.pianos"),
        rx.flex(
            rx.vstack(
                rx.heading(p["name"], size="7", data_testid="piano-name"),
                rx.hstack(
                    rx.badge(enum_text("PianoCategory", p["category"])),
                    rx.cond(
                        p["piano_type"] != "",
                        rx.badge(enum_text("PianoType", p["piano_type"]), variant="outline"),
                    ),
                    rx.badge(
                        enum_text("PianoCondition", p["condition"]),
                        color_scheme=rx.cond(p["condition"] == "needs_repair", "red", "gray"),
                    ),
                    rx.cond(
                        p["archived"] == "True", rx.badge(tr("list.archived"), color_scheme="gray")
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
                spacing="2",
            ),
            rx.spacer(),
            rx.flex(
                rx.link(
                    rx.button(
                        rx.icon("wrench"),
                        tr("pianos.record_service"),
                        data_testid="piano-record-service",
                    ),
                    href=f"{routes.SERVICES}?piano=" + p["id"],
                ),
                rx.button(
                    rx.icon("pencil"),
                    tr("common.edit"),
                    variant="soft",
                    on_click=D.open_edit(p["id"].to(int)),
                    data_testid="piano-edit",
                ),
                rx.button(
                    rx.icon("arrow-right-left"),
                    tr("pianos.move"),
                    variant="soft",
                    on_click=D.open_move,
                    data_testid="piano-move",
                ),
                archive_and_delete(
                    D,
                    p["archived"] == "True",
                    prefix="piano",
                    archive_title_key="pianos.archive_title",
                    delete_body_key="pianos.delete_body",
                ),
                gap="2",
                wrap="wrap",
            ),
            width="100%",
            gap="3",
            wrap="wrap",
        ),
        alerts_block(),
        rx.card(
            rx.grid(
                rx.vstack(
                    rx.text(tr("pianos.owner"), size="1", color=styles.MUTED_TEXT),
                    rx.link(
                        D.owner["name"],
                        href=f"{routes.CLIENTS}/" + D.owner["id"],
                        data_testid="piano-owner",
                    ),
                    spacing="0",
                ),
                labelled("pianos.serial", p["serial_number"]),
                labelled("pianos.year", p["year"]),
                labelled("pianos.size_cm", p["size_cm"]),
                labelled("pianos.room", p["room"]),
                labelled("pianos.floor", p["floor"]),
                labelled("pianos.last_tuning", p["last_tuning"], "piano-last-tuning"),
                labelled("pianos.last_service", p["last_service"]),
                labelled("pianos.added", p["added"]),
                columns=rx.breakpoints(initial="1", sm="2", lg="3"),
                spacing="4",
                width="100%",
            ),
            width="100%",
        ),
        readings_chart(),
        rx.heading(tr("clients.history"), size="4", as_="h2"),
        rx.cond(
            D.services.length() > 0,
            rx.vstack(
                rx.foreach(
                    D.services,
                    lambda s: rx.hstack(
                        rx.box(
                            width="0.6rem",
                            height="0.6rem",
                            border_radius="50%",
                            background=rx.color("accent", 9),
                            margin_top="0.45rem",
                        ),
                        rx.vstack(
                            rx.hstack(
                                rx.link(
                                    enum_text("ServiceType", s["service_type"]),
                                    weight="medium",
                                    href=f"{routes.SERVICES}/" + s["id"].to(str),
                                ),
                                rx.text(s["date"], color=styles.MUTED_TEXT, size="2"),
                                rx.badge(enum_text("ServiceStatus", s["status"])),
                                spacing="2",
                                wrap="wrap",
                                align="center",
                            ),
                            rx.text(
                                s["client_name"],
                                " ",
                                s["humidity"],
                                " ",
                                s["temperature"],
                                size="1",
                                color=styles.MUTED_TEXT,
                            ),
                            rx.cond(s["notes"] != "", rx.text(s["notes"], size="2")),
                            spacing="1",
                            align="start",
                        ),
                        rx.spacer(),
                        rx.text(s["cost"]),
                        width="100%",
                        align="start",
                        padding_y="0.4rem",
                        border_bottom=styles.BORDER,
                    ),
                ),
                width="100%",
                spacing="0",
                data_testid="piano-timeline",
            ),
            rx.text(tr("clients.no_history"), color=styles.MUTED_TEXT),
        ),
        piano_editor(D, D.save_detail),
        move_dialog(),
        spacing="4",
        width="100%",
    )


@template(route=routes.PIANO_DETAIL, title_key="nav.pianos", on_load=PianoDetailState.load_detail)
def piano_detail_page() -> rx.Component:
    return detail_frame(
        D.not_found,
        D.piano.contains("id"),
        detail_body(),
        icon="circle-x",
        area="pianos",
        route=routes.PIANOS,
        label_key="nav.pianos",
    )
