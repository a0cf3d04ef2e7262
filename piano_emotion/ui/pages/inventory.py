"""Inventario: parts and materials with low-stock warnings, and each item's
stock movements."""

from __future__ import annotations

import reflex as rx

from piano_emotion.models.enums import InventoryCategory
from piano_emotion.ui import routes, styles
from piano_emotion.ui.components.common import enum_text
from piano_emotion.ui.components.documents import export_links
from piano_emotion.ui.components.forms import editor_dialog, field
from piano_emotion.ui.components.layout import template
from piano_emotion.ui.components.lists import filter_select, list_results
from piano_emotion.ui.i18n import tr
from piano_emotion.ui.pages.pianos import choice, enum_options
from piano_emotion.ui.state.inventory import InventoryState

S = InventoryState
MOVEMENT_LABELS = {
    "purchase": "inventory.reason_purchase",
    "service_use": "inventory.reason_service_use",
    "service_return": "inventory.reason_service_return",
    "adjustment": "inventory.reason_adjustment",
}


def toolbar() -> rx.Component:
    return rx.flex(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            placeholder=tr("inventory.search_placeholder"),
            value=S.search,
            on_change=S.set_search,
            debounce_timeout=300,
            width=["100%", "100%", "18rem"],
            data_testid="inventory-search",
        ),
        filter_select(
            S,
            "category",
            "inventory.all_categories",
            enum_options("InventoryCategory", InventoryCategory),
        ),
        filter_select(S, "low_stock", "inventory.all_stock", [("yes", tr("inventory.low_only"))]),
        rx.cond(
            S.low_count > 0,
            rx.badge(
                S.low_count.to_string(),
                " ",
                tr("inventory.low_items"),
                color_scheme="red",
                data_testid="low-stock-count",
            ),
        ),
        rx.spacer(),
        export_links("inventory", S.export_query),
        rx.button(
            rx.icon("plus"), tr("inventory.new"), on_click=S.open_new, data_testid="item-new"
        ),
        wrap="wrap",
        gap="2",
        align="center",
        width="100%",
    )


def item_name(item) -> rx.Component:
    return rx.link(
        item["name"],
        # No href: without preventDefault the browser follows "#", which
        # re-runs the page's on_load and closes the dialog just opened.
        on_click=S.open_detail(item["id"]).prevent_default,
        weight="medium",
        cursor="pointer",
        data_testid="item-link",
    )


def stock_badge(item) -> rx.Component:
    return rx.cond(item["low_stock"], rx.badge(tr("inventory.low"), color_scheme="red"))


def table_view() -> rx.Component:
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                *[
                    rx.table.column_header_cell(tr(k))
                    for k in (
                        "inventory.name",
                        "inventory.category",
                        "inventory.quantity",
                        "inventory.min_stock",
                        "inventory.cost",
                        "inventory.supplier",
                    )
                ]
            )
        ),
        rx.table.body(
            rx.foreach(
                S.items,
                lambda i: rx.table.row(
                    rx.table.cell(rx.hstack(item_name(i), stock_badge(i), spacing="2")),
                    rx.table.cell(enum_text("InventoryCategory", i["category"])),
                    rx.table.cell(i["quantity"]),
                    rx.table.cell(i["min_stock"]),
                    rx.table.cell(i["cost"]),
                    rx.table.cell(i["supplier"]),
                ),
            )
        ),
        width="100%",
        variant="surface",
    )


def cards_view() -> rx.Component:
    return rx.vstack(
        rx.foreach(
            S.items,
            lambda i: rx.card(
                rx.hstack(
                    rx.vstack(
                        item_name(i),
                        rx.text(
                            enum_text("InventoryCategory", i["category"]),
                            size="1",
                            color=styles.MUTED_TEXT,
                        ),
                        spacing="0",
                    ),
                    rx.spacer(),
                    stock_badge(i),
                    rx.text(i["quantity"], weight="bold"),
                    align="center",
                    width="100%",
                ),
                width="100%",
                data_testid="item-card",
            ),
        ),
        spacing="2",
        width="100%",
    )


def editor() -> rx.Component:
    errors = S.form_errors
    return editor_dialog(
        S,
        rx.grid(
            field(
                "inventory.name",
                "name",
                errors,
                required=True,
                default_value=S.form["name"].to(str),
            ),
            choice(
                "category",
                "inventory.category",
                S,
                enum_options("InventoryCategory", InventoryCategory),
            ),
            rx.cond(
                S.editing_id == 0,
                field(
                    "inventory.initial_quantity",
                    "quantity",
                    errors,
                    default_value=S.form["quantity"].to(str),
                ),
            ),
            field("inventory.unit", "unit", errors, default_value=S.form["unit"].to(str)),
            field(
                "inventory.min_stock",
                "min_stock",
                errors,
                default_value=S.form["min_stock"].to(str),
            ),
            field(
                "inventory.cost",
                "cost_per_unit",
                errors,
                default_value=S.form["cost_per_unit"].to(str),
            ),
            field("inventory.sku", "sku", errors, default_value=S.form["sku"].to(str)),
            field(
                "inventory.supplier",
                "supplier",
                errors,
                default_value=S.form["supplier"].to(str),
            ),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
        ),
        rx.text_area(
            name="notes",
            default_value=S.form["notes"].to(str),
            placeholder=tr("clients.notes"),
            width="100%",
            rows="2",
        ),
        new_key="inventory.new",
        edit_key="inventory.edit",
        on_submit=S.save,
        save_test_id="item-save",
        test_id="item-editor",
        max_width="36rem",
    )


def detail_dialog() -> rx.Component:
    d = S.detail
    errors = S.movement_errors
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(d["name"]),
            rx.hstack(
                rx.text(
                    tr("inventory.quantity"),
                    ": ",
                    rx.text.strong(d["quantity"]),
                    data_testid="item-quantity",
                ),
                rx.cond(d["low_stock"] != "", rx.badge(tr("inventory.low"), color_scheme="red")),
                rx.spacer(),
                rx.text(tr("inventory.stock_value"), ": ", d["stock_value"], size="2"),
                width="100%",
            ),
            rx.form(
                rx.flex(
                    rx.select.root(
                        rx.select.trigger(),
                        rx.select.content(
                            rx.select.item(tr("inventory.reason_purchase"), value="purchase"),
                            rx.select.item(tr("inventory.reason_adjustment"), value="adjustment"),
                        ),
                        name="reason",
                        default_value="purchase",
                    ),
                    rx.input(
                        name="amount",
                        placeholder=tr("inventory.amount_hint"),
                        data_testid="movement-amount",
                    ),
                    rx.input(name="note", placeholder=tr("inventory.note")),
                    rx.button(tr("inventory.record"), type="submit", data_testid="movement-save"),
                    gap="2",
                    wrap="wrap",
                    align="center",
                ),
                rx.cond(
                    errors["amount"],
                    rx.text(
                        errors["amount"],
                        color=rx.color("red", 11),
                        size="2",
                        data_testid="error-amount",
                    ),
                ),
                on_submit=S.record_movement,
                reset_on_submit=True,
                width="100%",
                margin_y="0.75rem",
            ),
            rx.text(tr("inventory.movements"), weight="bold"),
            rx.vstack(
                rx.foreach(
                    S.movements,
                    lambda m: rx.hstack(
                        rx.text(m["when"], size="1", color=styles.MUTED_TEXT, min_width="7.5rem"),
                        rx.text(
                            rx.match(
                                m["reason"],
                                *[(k, tr(v)) for k, v in MOVEMENT_LABELS.items()],
                                m["reason"],
                            ),
                            size="2",
                        ),
                        rx.cond(
                            m["service_id"].to(int) > 0,
                            rx.link(
                                tr("nav.services"),
                                size="1",
                                href=f"{routes.SERVICES}/" + m["service_id"].to(str),
                            ),
                        ),
                        rx.spacer(),
                        rx.text(m["delta"], weight="bold", size="2"),
                        rx.text(m["after"], size="2", color=styles.MUTED_TEXT),
                        width="100%",
                        border_bottom=styles.BORDER,
                        padding_y="0.25rem",
                    ),
                ),
                max_height="16rem",
                overflow_y="auto",
                width="100%",
                spacing="0",
                data_testid="item-movements",
            ),
            rx.hstack(
                rx.button(tr("common.edit"), variant="soft", on_click=S.open_edit(d["id"].to(int))),
                rx.cond(
                    d["archived"] != "",
                    rx.button(
                        tr("clients.restore"),
                        variant="soft",
                        on_click=S.set_archived(d["id"].to(int), False),
                    ),
                    rx.button(
                        tr("clients.archive"),
                        variant="soft",
                        color_scheme="gray",
                        on_click=S.set_archived(d["id"].to(int), True),
                    ),
                ),
                rx.spacer(),
                rx.dialog.close(rx.button(tr("agenda.close"), variant="soft", color_scheme="gray")),
                width="100%",
                margin_top="1rem",
            ),
            max_width="40rem",
            data_testid="item-detail",
        ),
        open=S.detail_open,
        on_open_change=S.set_detail_open,
    )


@template(route=routes.INVENTORY, title_key="nav.inventory", on_load=InventoryState.load)
def inventory_page() -> rx.Component:
    return rx.vstack(
        toolbar(),
        list_results(
            S,
            table=table_view,
            cards=cards_view,
            none_found_key="inventory.none_found",
            empty_icon="package",
            empty_key="inventory.empty",
            empty_hint_key="inventory.empty_hint",
            new_key="inventory.new",
        ),
        editor(),
        detail_dialog(),
        spacing="4",
        width="100%",
    )
