"""Tarifas: the price list that fills quote and invoice lines in one click."""

from __future__ import annotations

import reflex as rx

from piano_emotion.models.enums import ServiceType
from piano_emotion.ui import routes, styles
from piano_emotion.ui.components.common import confirm_button, enum_text
from piano_emotion.ui.components.forms import editor_dialog, field
from piano_emotion.ui.components.layout import template
from piano_emotion.ui.components.lists import filter_select, list_results
from piano_emotion.ui.i18n import tr
from piano_emotion.ui.pages.pianos import choice, enum_options
from piano_emotion.ui.state.rates import NO_CATEGORY, RatesState

S = RatesState


def toolbar() -> rx.Component:
    return rx.flex(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            placeholder=tr("rates.search_placeholder"),
            value=S.search,
            on_change=S.set_search,
            debounce_timeout=300,
            width=["100%", "100%", "18rem"],
            data_testid="rates-search",
        ),
        filter_select(
            S,
            "active",
            "rates.all_states",
            [("active", tr("rates.active_only")), ("inactive", tr("rates.inactive_only"))],
        ),
        filter_select(
            S, "category", "rates.all_categories", enum_options("ServiceType", ServiceType)
        ),
        rx.spacer(),
        rx.button(rx.icon("plus"), tr("rates.new"), on_click=S.open_new, data_testid="rate-new"),
        wrap="wrap",
        gap="2",
        align="center",
        width="100%",
    )


def rate_name(rate) -> rx.Component:
    return rx.hstack(
        rx.link(
            rate["name"],
            on_click=S.open_edit(rate["id"]).prevent_default,
            weight="medium",
            cursor="pointer",
            data_testid="rate-link",
        ),
        rx.cond(~rate["active"].to(bool), rx.badge(tr("rates.inactive"), color_scheme="gray")),
        spacing="2",
        align="center",
    )


def active_switch(rate) -> rx.Component:
    return rx.switch(
        checked=rate["active"].to(bool),
        on_change=lambda value: S.set_active(rate["id"], value),
        aria_label=tr("rates.active"),
        data_testid="rate-active",
    )


def table_view() -> rx.Component:
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                *[
                    rx.table.column_header_cell(tr(k))
                    for k in (
                        "rates.name",
                        "rates.category",
                        "rates.price",
                        "rates.tax",
                        "rates.minutes",
                        "rates.active",
                    )
                ]
            )
        ),
        rx.table.body(
            rx.foreach(
                S.items,
                lambda r: rx.table.row(
                    rx.table.cell(rate_name(r)),
                    rx.table.cell(enum_text("ServiceType", r["category"])),
                    rx.table.cell(r["price"], data_testid="rate-price"),
                    rx.table.cell(r["tax"]),
                    rx.table.cell(r["minutes"]),
                    rx.table.cell(active_switch(r)),
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
            lambda r: rx.card(
                rx.hstack(
                    rx.vstack(
                        rate_name(r),
                        rx.text(
                            enum_text("ServiceType", r["category"]),
                            size="1",
                            color=styles.MUTED_TEXT,
                        ),
                        spacing="0",
                    ),
                    rx.spacer(),
                    rx.text(r["price"], weight="bold"),
                    active_switch(r),
                    align="center",
                    width="100%",
                ),
                width="100%",
                data_testid="rate-card",
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
                "rates.name", "name", errors, required=True, default_value=S.form["name"].to(str)
            ),
            choice(
                "category",
                "rates.category",
                S,
                [(NO_CATEGORY, tr("rates.no_category")), *enum_options("ServiceType", ServiceType)],
            ),
            field("rates.price", "base_price", errors, default_value=S.form["base_price"].to(str)),
            field("rates.tax", "tax_rate", errors, default_value=S.form["tax_rate"].to(str)),
            field(
                "rates.minutes",
                "estimated_minutes",
                errors,
                type_="number",
                default_value=S.form["estimated_minutes"].to(str),
            ),
            rx.hstack(
                rx.checkbox(
                    name="active",
                    default_checked=S.form["active"].to(str) != "",
                    data_testid="field-active",
                ),
                rx.text(tr("rates.active"), size="2"),
                align="center",
                padding_top="1.5rem",
            ),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
        ),
        rx.text_area(
            name="description",
            default_value=S.form["description"].to(str),
            placeholder=tr("rates.description"),
            width="100%",
            rows="2",
        ),
        rx.cond(
            S.editing_id,
            confirm_button(
                rx.button(
                    rx.icon("trash-2", size=14),
                    tr("common.delete"),
                    variant="soft",
                    color_scheme="red",
                    type="button",
                    data_testid="rate-delete",
                ),
                title_key="rates.delete_title",
                body_key="rates.delete_body",
                confirm_key="common.delete",
                on_confirm=S.delete(S.editing_id),
                test_id="rate-delete",
            ),
        ),
        new_key="rates.new",
        edit_key="rates.edit",
        on_submit=S.save,
        save_test_id="rate-save",
        test_id="rate-editor",
        max_width="36rem",
    )


@template(route=routes.RATES, title_key="nav.rates", on_load=RatesState.load)
def rates_page() -> rx.Component:
    return rx.vstack(
        rx.text(tr("rates.intro"), size="2", color=styles.MUTED_TEXT),
        toolbar(),
        list_results(
            S,
            table=table_view,
            cards=cards_view,
            none_found_key="rates.none_found",
            empty_icon="tags",
            empty_key="rates.empty",
            empty_hint_key="rates.empty_hint",
            new_key="rates.new",
        ),
        editor(),
        spacing="4",
        width="100%",
    )
