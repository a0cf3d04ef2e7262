"""Clientes: list with search, filters, sort and pages; detail with contact
actions, pianos and service history."""

from __future__ import annotations

import reflex as rx

from piano_emotion.models.enums import ClientType
from piano_emotion.ui import routes, styles
from piano_emotion.ui.components.client_editor import client_editor
from piano_emotion.ui.components.common import (
    archive_and_delete,
    back_link,
    detail_frame,
    enum_text,
    labelled,
)
from piano_emotion.ui.components.documents import export_links
from piano_emotion.ui.components.layout import template
from piano_emotion.ui.components.lists import filter_select, list_results
from piano_emotion.ui.i18n import tr
from piano_emotion.ui.state.clients import ClientDetailState, ClientsState

S = ClientsState


def toolbar() -> rx.Component:
    return rx.flex(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            placeholder=tr("clients.search_placeholder"),
            value=S.search,
            on_change=S.set_search,
            debounce_timeout=300,
            width=["100%", "100%", "20rem"],
            data_testid="clients-search",
        ),
        filter_select(
            S,
            "client_type",
            "list.all_types",
            [(t.value, enum_text("ClientType", t.value)) for t in ClientType],
        ),
        filter_select(S, "city", "list.all_cities", dynamic=S.cities),
        filter_select(S, "route_group", "list.all_routes", dynamic=S.route_groups),
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
                rx.select.item(tr("sort.name_asc"), value="name"),
                rx.select.item(tr("sort.name_desc"), value="-name"),
                rx.select.item(tr("sort.city"), value="city"),
                rx.select.item(tr("sort.newest"), value="-created"),
                rx.select.item(tr("sort.oldest"), value="created"),
            ),
            value=S.sort,
            on_change=lambda v: S.set_filter("sort", v),
        ),
        rx.spacer(),
        export_links("clients", S.export_query),
        rx.button(
            rx.icon("plus"), tr("clients.new"), on_click=S.open_new, data_testid="client-new"
        ),
        wrap="wrap",
        gap="2",
        align="center",
        width="100%",
    )


def client_link(row) -> rx.Component:
    return rx.link(
        row["name"],
        href=f"{routes.CLIENTS}/" + row["id"].to(str),
        weight="medium",
        data_testid="client-link",
    )


def table_view() -> rx.Component:
    def row(item) -> rx.Component:
        return rx.table.row(
            rx.table.cell(client_link(item)),
            rx.table.cell(enum_text("ClientType", item["client_type"])),
            rx.table.cell(item["city"]),
            rx.table.cell(item["phone"]),
            rx.table.cell(item["piano_count"]),
            rx.table.cell(item["last_service"]),
            rx.table.cell(
                rx.cond(item["archived"], rx.badge(tr("list.archived"), color_scheme="gray"))
            ),
        )

    return rx.table.root(
        rx.table.header(
            rx.table.row(
                *[
                    rx.table.column_header_cell(tr(key))
                    for key in (
                        "clients.name",
                        "clients.type",
                        "settings.city",
                        "settings.phone",
                        "nav.pianos",
                        "clients.last_service",
                        "list.status",
                    )
                ]
            )
        ),
        rx.table.body(rx.foreach(S.items, row)),
        width="100%",
        variant="surface",
        data_testid="clients-table",
    )


def cards_view() -> rx.Component:
    def card(item) -> rx.Component:
        return rx.card(
            rx.vstack(
                rx.hstack(
                    client_link(item),
                    rx.spacer(),
                    rx.badge(enum_text("ClientType", item["client_type"])),
                ),
                rx.text(item["city"], " · ", item["phone"], color=styles.MUTED_TEXT, size="2"),
                rx.text(tr("nav.pianos"), ": ", item["piano_count"], size="2"),
                spacing="1",
                width="100%",
            ),
            width="100%",
            data_testid="client-card",
        )

    return rx.vstack(rx.foreach(S.items, card), spacing="2", width="100%")


@template(route=routes.CLIENTS, title_key="nav.clients", on_load=ClientsState.load)
def clients_page() -> rx.Component:
    return rx.vstack(
        toolbar(),
        list_results(
            S,
            table=table_view,
            cards=cards_view,
            none_found_key="clients.none_found",
            empty_icon="users",
            empty_key="clients.empty",
            empty_hint_key="clients.empty_hint",
            new_key="clients.new",
        ),
        client_editor(S, S.save),
        spacing="4",
        width="100%",
    )


# -- detail -------------------------------------------------------------------------
D = ClientDetailState


def contact_actions() -> rx.Component:
    client = D.client
    return rx.flex(
        rx.cond(
            client["tel"] != "",
            rx.link(
                rx.button(rx.icon("phone"), tr("clients.call"), variant="soft"),
                href=client["tel"],
                data_testid="action-call",
            ),
        ),
        rx.cond(
            client["mailto"] != "",
            rx.link(
                rx.button(rx.icon("mail"), tr("clients.email"), variant="soft"),
                href=client["mailto"],
                data_testid="action-email",
            ),
        ),
        rx.cond(
            client["whatsapp"] != "",
            rx.link(
                rx.button(
                    rx.icon("message-circle"), "WhatsApp", variant="soft", color_scheme="green"
                ),
                href=client["whatsapp"],
                is_external=True,
                data_testid="action-whatsapp",
            ),
        ),
        rx.link(
            rx.button(rx.icon("file-text"), tr("quotes.new"), variant="soft", color_scheme="gray"),
            href=f"{routes.QUOTES}?nuevo=1&cliente=" + client["id"].to(str),
            data_testid="action-new-quote",
        ),
        rx.link(
            rx.button(rx.icon("receipt"), tr("nav.invoices"), variant="soft", color_scheme="gray"),
            href=f"{routes.INVOICES}?cliente=" + client["id"].to(str),
            data_testid="action-invoices",
        ),
        gap="2",
        wrap="wrap",
    )


def detail_body() -> rx.Component:
    client = D.client
    return rx.vstack(
        back_link(routes.CLIENTS, "nav.clients"),
        rx.flex(
            rx.vstack(
                rx.heading(client["name"], size="7", data_testid="client-name"),
                rx.hstack(
                    rx.badge(enum_text("ClientType", client["client_type"])),
                    rx.cond(
                        client["archived"] == "True",
                        rx.badge(
                            tr("list.archived"), color_scheme="gray", data_testid="client-archived"
                        ),
                    ),
                    spacing="2",
                ),
                spacing="2",
            ),
            rx.spacer(),
            rx.flex(
                rx.button(
                    rx.icon("pencil"),
                    tr("common.edit"),
                    variant="soft",
                    on_click=D.open_edit(client["id"].to(int)),
                    data_testid="client-edit",
                ),
                archive_and_delete(
                    D,
                    client["archived"] == "True",
                    prefix="client",
                    archive_title_key="clients.archive_title",
                    delete_body_key="clients.delete_body",
                ),
                gap="2",
                wrap="wrap",
            ),
            width="100%",
            gap="3",
            wrap="wrap",
        ),
        contact_actions(),
        rx.card(
            rx.grid(
                labelled("auth.email", client["email"]),
                labelled("settings.phone", client["phone"]),
                labelled("settings.address", client["address"]),
                labelled("settings.city", client["place"]),
                labelled("settings.region", client["region"]),
                labelled("clients.route_group", client["route_group"]),
                labelled("clients.tax_id", client["tax_id"]),
                columns=rx.breakpoints(initial="1", sm="2", lg="3"),
                spacing="4",
                width="100%",
            ),
            width="100%",
        ),
        rx.cond(
            client["notes"] != "",
            rx.card(
                rx.text(tr("clients.notes"), weight="bold"),
                rx.text(client["notes"], white_space="pre-wrap"),
                width="100%",
            ),
        ),
        rx.heading(tr("nav.pianos"), size="4", as_="h2"),
        rx.cond(
            D.pianos.length() > 0,
            rx.vstack(
                rx.foreach(
                    D.pianos,
                    lambda p: rx.card(
                        rx.hstack(
                            rx.link(
                                p["brand"].to(str) + " " + p["model"].to(str),
                                href=f"{routes.PIANOS}/" + p["id"].to(str),
                                weight="medium",
                            ),
                            rx.spacer(),
                            rx.text(p["serial_number"], color=styles.MUTED_TEXT, size="2"),
                            rx.badge(enum_text("PianoCategory", p["category"])),
                            width="100%",
                            align="center",
                        ),
                        width="100%",
                    ),
                ),
                width="100%",
                spacing="2",
                data_testid="client-pianos",
            ),
            rx.text(tr("clients.no_pianos"), color=styles.MUTED_TEXT),
        ),
        rx.heading(tr("clients.history"), size="4", as_="h2"),
        rx.cond(
            D.services.length() > 0,
            rx.vstack(
                rx.foreach(
                    D.services,
                    lambda s: rx.hstack(
                        rx.text(s["date"], width="6.5rem", color=styles.MUTED_TEXT),
                        rx.text(enum_text("ServiceType", s["service_type"]), weight="medium"),
                        rx.text(s["piano"], color=styles.MUTED_TEXT, display=["none", "inline"]),
                        rx.spacer(),
                        rx.badge(enum_text("ServiceStatus", s["status"])),
                        rx.text(s["cost"]),
                        width="100%",
                        align="center",
                        border_bottom=styles.BORDER,
                        padding_y="0.4rem",
                    ),
                ),
                width="100%",
                spacing="0",
                data_testid="client-history",
            ),
            rx.text(tr("clients.no_history"), color=styles.MUTED_TEXT),
        ),
        client_editor(D, D.save_detail),
        spacing="4",
        width="100%",
    )


@template(
    route=routes.CLIENT_DETAIL, title_key="nav.clients", on_load=ClientDetailState.load_detail
)
def client_detail_page() -> rx.Component:
    return detail_frame(
        D.not_found,
        D.client.contains("id"),
        detail_body(),
        icon="user-x",
        area="clients",
        route=routes.CLIENTS,
        label_key="nav.clients",
    )
