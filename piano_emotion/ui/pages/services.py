"""Servicios: list with filters by type, status and dates; the editor with a
piano picker; the detail with a checklist that is easy to tick on a phone."""

from __future__ import annotations

import reflex as rx

from piano_emotion.models.enums import ServiceStatus, ServiceType
from piano_emotion.ui import routes, styles
from piano_emotion.ui.components.common import (
    back_link,
    confirm_button,
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
from piano_emotion.ui.pages.pianos import choice, enum_options
from piano_emotion.ui.state.services import ServiceDetailState, ServicesState

S = ServicesState


def service_editor(state, on_submit) -> rx.Component:
    errors = state.form_errors
    return editor_dialog(
        state,
        picker(
            label_key="pianos.piano",
            placeholder_key="picker.search_piano",
            query=state.piano_query,
            options=state.piano_options,
            picked_id=state.picked_piano_id,
            picked_name=state.picked_piano_name,
            on_search=state.search_pianos,
            on_pick=state.pick_piano,
            error=errors["piano_id"],
            name="piano_picked",
            test_id="piano-picker",
        ),
        rx.grid(
            choice(
                "service_type",
                "services.type",
                state,
                enum_options("ServiceType", ServiceType),
            ),
            choice(
                "status",
                "services.status",
                state,
                enum_options("ServiceStatus", ServiceStatus),
            ),
            field(
                "services.date",
                "service_date",
                errors,
                type_="date",
                required=True,
                default_value=state.form["service_date"].to(str),
            ),
            field(
                "services.cost",
                "cost",
                errors,
                default_value=state.form["cost"].to(str),
                placeholder_key="services.cost_hint",
            ),
            field(
                "services.duration",
                "duration_minutes",
                errors,
                type_="number",
                default_value=state.form["duration_minutes"].to(str),
            ),
            field(
                "services.humidity",
                "humidity_pct",
                errors,
                default_value=state.form["humidity_pct"].to(str),
            ),
            field(
                "services.temperature",
                "temperature_c",
                errors,
                default_value=state.form["temperature_c"].to(str),
            ),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
        ),
        rx.vstack(
            rx.text(tr("services.notes"), size="2", weight="medium"),
            rx.text_area(
                name="notes",
                default_value=state.form["notes"].to(str),
                width="100%",
                rows="2",
            ),
            rx.text(tr("services.technician_notes"), size="2", weight="medium"),
            rx.text_area(
                name="technician_notes",
                default_value=state.form["technician_notes"].to(str),
                width="100%",
                rows="2",
            ),
            width="100%",
            spacing="1",
        ),
        new_key="services.new",
        edit_key="services.edit",
        on_submit=on_submit,
        save_test_id="service-save",
        test_id="service-editor",
        max_width="40rem",
    )


def toolbar() -> rx.Component:
    return rx.flex(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            placeholder=tr("services.search_placeholder"),
            value=S.search,
            on_change=S.set_search,
            debounce_timeout=300,
            width=["100%", "100%", "16rem"],
            data_testid="services-search",
        ),
        filter_select(
            S, "service_type", "services.all_types", enum_options("ServiceType", ServiceType)
        ),
        filter_select(
            S, "status", "services.all_statuses", enum_options("ServiceStatus", ServiceStatus)
        ),
        rx.flex(
            rx.text(tr("services.from"), size="2"),
            rx.input(
                type="date",
                value=S.date_from,
                on_change=lambda v: S.set_filter("date_from", v),
                data_testid="filter-date-from",
            ),
            rx.text(tr("services.to"), size="2"),
            rx.input(
                type="date",
                value=S.date_to,
                on_change=lambda v: S.set_filter("date_to", v),
                data_testid="filter-date-to",
            ),
            align="center",
            gap="2",
            wrap="wrap",
        ),
        rx.spacer(),
        export_links("services", S.export_query),
        rx.button(
            rx.icon("plus"), tr("services.new"), on_click=S.open_new, data_testid="service-new"
        ),
        wrap="wrap",
        gap="2",
        align="center",
        width="100%",
    )


def service_link(item) -> rx.Component:
    return rx.link(
        enum_text("ServiceType", item["service_type"]),
        weight="medium",
        href=f"{routes.SERVICES}/" + item["id"].to(str),
        data_testid="service-link",
    )


def table_view() -> rx.Component:
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                *[
                    rx.table.column_header_cell(tr(k))
                    for k in (
                        "services.date",
                        "services.type",
                        "pianos.piano",
                        "pianos.owner",
                        "services.status",
                        "services.cost",
                    )
                ]
            )
        ),
        rx.table.body(
            rx.foreach(
                S.items,
                lambda i: rx.table.row(
                    rx.table.cell(i["date"]),
                    rx.table.cell(service_link(i)),
                    rx.table.cell(
                        rx.link(i["piano"], href=f"{routes.PIANOS}/" + i["piano_id"].to(str))
                    ),
                    rx.table.cell(
                        rx.link(
                            i["client_name"], href=f"{routes.CLIENTS}/" + i["client_id"].to(str)
                        )
                    ),
                    rx.table.cell(rx.badge(enum_text("ServiceStatus", i["status"]))),
                    rx.table.cell(i["cost"]),
                ),
            )
        ),
        width="100%",
        variant="surface",
        data_testid="services-table",
    )


def cards_view() -> rx.Component:
    return rx.vstack(
        rx.foreach(
            S.items,
            lambda i: rx.card(
                rx.vstack(
                    rx.hstack(service_link(i), rx.spacer(), rx.text(i["date"], size="2")),
                    rx.text(i["piano"], " · ", i["client_name"], size="2", color=styles.MUTED_TEXT),
                    rx.hstack(
                        rx.badge(enum_text("ServiceStatus", i["status"])),
                        rx.spacer(),
                        rx.text(i["cost"]),
                    ),
                    spacing="1",
                    width="100%",
                ),
                width="100%",
                data_testid="service-card",
            ),
        ),
        spacing="2",
        width="100%",
    )


@template(route=routes.SERVICES, title_key="nav.services", on_load=ServicesState.load)
def services_page() -> rx.Component:
    return rx.vstack(
        toolbar(),
        list_results(
            S,
            table=table_view,
            cards=cards_view,
            none_found_key="services.none_found",
            empty_icon="wrench",
            empty_key="services.empty",
            empty_hint_key="services.empty_hint",
            new_key="services.new",
        ),
        service_editor(S, S.save),
        spacing="4",
        width="100%",
    )


# -- detail ----------------------------------------------------------------------
D = ServiceDetailState


def checklist() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(tr("services.checklist"), weight="bold"),
                rx.spacer(),
                rx.text(
                    D.tasks_done.to_string(),
                    " / ",
                    D.tasks.length().to_string(),
                    size="2",
                    data_testid="tasks-progress",
                ),
                width="100%",
            ),
            rx.foreach(
                D.tasks,
                lambda t: rx.hstack(
                    rx.checkbox(
                        checked=t["done"].to(bool),
                        on_change=lambda checked: D.toggle_task(t["id"], checked),
                        size="3",
                        data_testid="task-checkbox",
                    ),
                    rx.text(
                        t["label"],
                        size="3",
                        text_decoration=rx.cond(t["done"], "line-through", "none"),
                        color=rx.cond(t["done"], styles.MUTED_TEXT, rx.color("gray", 12)),
                    ),
                    rx.spacer(),
                    rx.icon_button(
                        rx.icon("x", size=14),
                        variant="ghost",
                        size="1",
                        on_click=D.remove_task(t["id"]),
                        aria_label=tr("common.delete"),
                    ),
                    width="100%",
                    align="center",
                    padding_y="0.45rem",
                    border_bottom=styles.BORDER,
                ),
            ),
            rx.hstack(
                rx.input(
                    placeholder=tr("services.add_task"),
                    value=D.new_task,
                    on_change=D.set_new_task,
                    width="100%",
                    data_testid="new-task",
                ),
                rx.button(
                    rx.icon("plus"),
                    on_click=D.add_task,
                    variant="soft",
                    aria_label=tr("services.add_task"),
                    data_testid="add-task",
                ),
                width="100%",
            ),
            spacing="1",
            width="100%",
        ),
        width="100%",
        data_testid="checklist",
    )


def materials_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(tr("services.materials"), weight="bold"),
            rx.foreach(
                D.materials,
                lambda m: rx.hstack(
                    rx.text(m["name"], size="2"),
                    rx.spacer(),
                    rx.text(m["quantity"], size="2"),
                    rx.text(m["total"], size="2", color=styles.MUTED_TEXT),
                    rx.icon_button(
                        rx.icon("x", size=14),
                        variant="ghost",
                        size="1",
                        on_click=D.remove_material(m["item_id"]),
                        aria_label=tr("common.delete"),
                    ),
                    width="100%",
                    align="center",
                    border_bottom=styles.BORDER,
                    padding_y="0.3rem",
                    data_testid="material-row",
                ),
            ),
            rx.cond(
                D.stock_warning != "",
                rx.callout(
                    rx.vstack(
                        rx.text(D.stock_warning),
                        rx.hstack(
                            rx.button(
                                tr("services.use_anyway"),
                                size="1",
                                color_scheme="amber",
                                on_click=D.confirm_negative_stock,
                                data_testid="confirm-negative-stock",
                            ),
                            rx.button(
                                tr("common.cancel"),
                                size="1",
                                variant="soft",
                                on_click=D.cancel_negative_stock,
                            ),
                        ),
                    ),
                    icon="triangle-alert",
                    color_scheme="amber",
                    width="100%",
                    data_testid="stock-warning",
                ),
            ),
            rx.form(
                rx.flex(
                    rx.select.root(
                        rx.select.trigger(
                            placeholder=tr("services.choose_item"), data_testid="material-item"
                        ),
                        rx.select.content(
                            rx.foreach(
                                D.item_options,
                                lambda i: rx.select.item(i["name"], value=i["id"]),
                            )
                        ),
                        name="item_id",
                    ),
                    rx.input(
                        name="quantity",
                        placeholder=tr("inventory.quantity"),
                        width="7rem",
                        data_testid="material-quantity",
                    ),
                    rx.button(
                        rx.icon("plus"),
                        tr("services.add_material"),
                        type="submit",
                        variant="soft",
                        data_testid="material-add",
                    ),
                    gap="2",
                    wrap="wrap",
                    align="center",
                ),
                on_submit=D.add_material,
                reset_on_submit=True,
                width="100%",
            ),
            rx.cond(
                D.material_error != "",
                rx.text(D.material_error, color=rx.color("red", 11), size="2"),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        data_testid="materials",
    )


def detail_body() -> rx.Component:
    s = D.service
    return rx.vstack(
        back_link(routes.SERVICES, "nav.services"),
        rx.flex(
            rx.vstack(
                rx.heading(
                    enum_text("ServiceType", s["service_type"]),
                    size="7",
                    data_testid="service-title",
                ),
                rx.hstack(
                    rx.badge(enum_text("ServiceStatus", s["status"]), data_testid="service-status"),
                    rx.text(s["date"], color=styles.MUTED_TEXT),
                    spacing="2",
                    align="center",
                ),
                spacing="2",
            ),
            rx.spacer(),
            rx.flex(
                rx.cond(
                    s["status"] != "completed",
                    rx.button(
                        rx.icon("check"),
                        tr("services.mark_completed"),
                        color_scheme="green",
                        on_click=D.set_status("completed"),
                        data_testid="service-complete",
                    ),
                ),
                rx.cond(
                    s["status"] == "completed",
                    rx.link(
                        rx.button(rx.icon("receipt"), tr("services.invoice_it"), variant="soft"),
                        href=f"{routes.INVOICES}?servicio=" + s["id"].to(str),
                        data_testid="service-invoice",
                    ),
                ),
                rx.button(
                    rx.icon("pencil"),
                    tr("common.edit"),
                    variant="soft",
                    on_click=D.open_edit(s["id"].to(int)),
                    data_testid="service-edit",
                ),
                confirm_button(
                    rx.button(
                        rx.icon("trash-2"),
                        tr("common.delete"),
                        variant="soft",
                        color_scheme="red",
                        data_testid="service-delete",
                    ),
                    title_key="services.delete_title",
                    body_key="services.delete_body",
                    confirm_key="common.delete",
                    on_confirm=D.remove,
                    test_id="service-delete",
                ),
                gap="2",
                wrap="wrap",
            ),
            width="100%",
            gap="3",
            wrap="wrap",
        ),
        rx.card(
            rx.grid(
                rx.vstack(
                    rx.text(tr("pianos.piano"), size="1", color=styles.MUTED_TEXT),
                    rx.link(s["piano"], href=f"{routes.PIANOS}/" + s["piano_id"]),
                    spacing="0",
                ),
                rx.vstack(
                    rx.text(tr("pianos.owner"), size="1", color=styles.MUTED_TEXT),
                    rx.link(s["client_name"], href=f"{routes.CLIENTS}/" + s["client_id"]),
                    spacing="0",
                ),
                labelled("services.cost", s["cost"]),
                labelled("services.duration", s["duration"]),
                labelled("services.humidity", s["humidity"]),
                labelled("services.temperature", s["temperature"]),
                columns=rx.breakpoints(initial="2", lg="3"),
                spacing="4",
                width="100%",
            ),
            width="100%",
        ),
        checklist(),
        materials_card(),
        rx.cond(
            s["notes"] != "",
            rx.card(
                rx.text(tr("services.notes"), weight="bold"),
                rx.text(s["notes"], white_space="pre-wrap"),
                width="100%",
            ),
        ),
        rx.cond(
            s["technician_notes"] != "",
            rx.card(
                rx.text(tr("services.technician_notes"), weight="bold"),
                rx.text(s["technician_notes"], white_space="pre-wrap"),
                width="100%",
            ),
        ),
        service_editor(D, D.save_detail),
        spacing="4",
        width="100%",
    )


@template(
    route=routes.SERVICE_DETAIL, title_key="nav.services", on_load=ServiceDetailState.load_detail
)
def service_detail_page() -> rx.Component:
    return detail_frame(
        D.not_found,
        D.service.contains("id"),
        detail_body(),
        icon="circle-x",
        area="services",
        route=routes.SERVICES,
        label_key="nav.services",
    )
