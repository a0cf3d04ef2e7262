"""Pieces of the quote and invoice pages: totals cards, the lines editor with
live totals, the read-only lines table, the "new document" dialog and the
export links."""

from __future__ import annotations

import reflex as rx

from piano_emotion.models.enums import LineKind
from piano_emotion.ui import routes, styles
from piano_emotion.ui.components.common import enum_text
from piano_emotion.ui.components.picker import picker
from piano_emotion.ui.i18n import tr
from piano_emotion.ui.state.documents import NO_PIANO

MONTHS = tuple(str(m) for m in range(1, 13))


def totals_cards(items: list[tuple[str, rx.Var, str]]) -> rx.Component:
    """``(label key, formatted amount, colour)`` cards over the filtered set."""
    return rx.grid(
        *[
            rx.card(
                rx.text(tr(key), size="1", color=styles.MUTED_TEXT),
                rx.text(value, size="5", weight="bold", color=rx.color(colour, 11)),
                data_testid=f"total-{key.rsplit('.', 1)[-1]}",
            )
            for key, value, colour in items
        ],
        columns=rx.breakpoints(initial="2", md=str(len(items))),
        spacing="3",
        width="100%",
    )


def period_filters(state) -> list[rx.Component]:
    from piano_emotion.ui.components.lists import filter_select

    return [
        filter_select(state, "year", "documents.all_years", dynamic=state.years),
        filter_select(
            state,
            "month",
            "documents.all_months",
            [(m, tr(f"month.{m}")) for m in MONTHS],
        ),
    ]


def client_filter_chip(state) -> rx.Component:
    return rx.cond(
        state.client_filter > 0,
        rx.badge(
            rx.icon("user", size=12),
            rx.cond(state.client_filter_name != "", state.client_filter_name, tr("nav.clients")),
            rx.icon("x", size=12, cursor="pointer", on_click=state.clear_client_filter),
            size="2",
            data_testid="client-filter",
        ),
    )


def export_links(entity: str, query: rx.Var) -> rx.Component:
    """CSV and Excel of what the list shows (its filters), in the UI language."""
    return rx.hstack(
        *[
            rx.link(
                rx.button(rx.icon("download", size=14), label, variant="soft", color_scheme="gray"),
                href=f"/api/export/{entity}.{fmt}?" + query,
                # A file from the server: the browser downloads it (the
                # router would take the click for a page of the app).
                reload_document=True,
                download=True,
                data_testid=f"export-{fmt}",
            )
            for fmt, label in (("csv", "CSV"), ("xlsx", "Excel"))
        ],
        spacing="2",
    )


def status_badge(enum_name: str, status: rx.Var) -> rx.Component:
    return rx.badge(
        enum_text(enum_name, status) if enum_name else status,
        color_scheme=rx.match(
            status,
            ("paid", "green"),
            ("accepted", "green"),
            ("converted", "teal"),
            ("sent", "blue"),
            ("overdue", "red"),
            ("rejected", "red"),
            ("cancelled", "gray"),
            ("expired", "orange"),
            "gray",
        ),
        data_testid="document-status",
    )


def invoice_status_badge(status: rx.Var) -> rx.Component:
    return rx.cond(
        status == "overdue",
        rx.badge(tr("invoices.overdue"), color_scheme="red", data_testid="document-status"),
        status_badge("InvoiceStatus", status),
    )


# -- the new-document dialog ---------------------------------------------------------
def new_document_dialog(state, *, title_key: str, on_submit, test_id: str) -> rx.Component:
    errors = state.new_errors
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(tr(title_key)),
            rx.form(
                rx.vstack(
                    picker(
                        label_key="documents.client",
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
                    rx.cond(
                        state.client_pianos.length() > 0,
                        rx.vstack(
                            rx.text(tr("documents.piano_optional"), size="2", weight="medium"),
                            rx.select.root(
                                rx.select.trigger(width="100%", data_testid="field-piano_id"),
                                rx.select.content(
                                    rx.select.item(tr("documents.no_piano"), value=NO_PIANO),
                                    rx.foreach(
                                        state.client_pianos,
                                        lambda p: rx.select.item(p["name"], value=p["id"]),
                                    ),
                                ),
                                name="piano_id",
                                default_value=NO_PIANO,
                            ),
                            spacing="1",
                            width="100%",
                        ),
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button(
                                tr("common.cancel"),
                                variant="soft",
                                color_scheme="gray",
                                type="button",
                            )
                        ),
                        rx.button(
                            tr("documents.create"), type="submit", data_testid=f"{test_id}-create"
                        ),
                        justify="end",
                        width="100%",
                    ),
                    spacing="4",
                    width="100%",
                ),
                on_submit=on_submit,
                width="100%",
            ),
            max_width="32rem",
            data_testid=test_id,
        ),
        open=state.new_open,
        on_open_change=state.set_new_open,
    )


# -- lines --------------------------------------------------------------------------
def _cell_input(state, line, index, name: str, width: str, align: str = "right") -> rx.Component:
    return rx.input(
        value=line[name],
        on_change=lambda value: state.set_line_field(index, name, value),
        debounce_timeout=400,
        width=width,
        text_align=align,
        color_scheme=rx.cond(state.field_errors[f"lines.{index}.{name}"], "red", "gray"),
        aria_label=tr(f"documents.line_{name}"),
        data_testid=f"line-{name}",
    )


def _line_error(state, index) -> rx.Component:
    messages = [
        state.field_errors[f"lines.{index}.{name}"]
        for name in ("description", "quantity", "unit_price", "discount_pct", "tax_rate", "kind")
    ]
    return rx.foreach(
        messages,
        # Truthiness: a field without an error is undefined, not "".
        lambda message: rx.cond(
            message,
            rx.text(message, color=rx.color("red", 11), size="1", data_testid="line-error"),
        ),
    )


def _line_row(state, line, index) -> rx.Component:
    kind_select = rx.select.root(
        rx.select.trigger(width="100%"),
        rx.select.content(
            *[rx.select.item(enum_text("LineKind", k.value), value=k.value) for k in LineKind]
        ),
        value=line["kind"],
        on_change=lambda value: state.set_line_field(index, "kind", value),
    )
    return rx.box(
        rx.grid(
            rx.box(kind_select, grid_column=["span 2", "span 2", "auto"]),
            rx.box(
                rx.input(
                    value=line["description"],
                    on_change=lambda value: state.set_line_field(index, "description", value),
                    debounce_timeout=400,
                    width="100%",
                    placeholder=tr("documents.line_description"),
                    color_scheme=rx.cond(
                        state.field_errors[f"lines.{index}.description"], "red", "gray"
                    ),
                    data_testid="line-description",
                ),
                grid_column=["span 2", "span 2", "auto"],
            ),
            _cell_input(state, line, index, "quantity", "100%"),
            _cell_input(state, line, index, "unit_price", "100%"),
            _cell_input(state, line, index, "discount_pct", "100%"),
            _cell_input(state, line, index, "tax_rate", "100%"),
            rx.text(
                state.line_totals[index],
                weight="medium",
                text_align="right",
                data_testid="line-total",
            ),
            rx.icon_button(
                rx.icon("trash-2", size=14),
                variant="ghost",
                color_scheme="red",
                on_click=state.remove_line(index),
                aria_label=tr("documents.remove_line"),
                type="button",
                data_testid="line-remove",
            ),
            columns=rx.breakpoints(initial="2", md="8"),
            grid_template_columns=rx.breakpoints(
                initial="1fr 1fr", md="8rem 3fr 4.5rem 6rem 4.5rem 4.5rem 6.5rem 2rem"
            ),
            spacing="2",
            align="center",
            width="100%",
        ),
        _line_error(state, index),
        padding_y="0.4rem",
        border_bottom=styles.BORDER,
        width="100%",
        data_testid="line-row",
    )


def lines_header() -> rx.Component:
    return rx.grid(
        *[
            rx.text(tr(key), size="1", color=styles.MUTED_TEXT, text_align=align)
            for key, align in (
                ("documents.line_kind", "left"),
                ("documents.line_description", "left"),
                ("documents.line_quantity", "right"),
                ("documents.line_unit_price", "right"),
                ("documents.line_discount_pct", "right"),
                ("documents.line_tax_rate", "right"),
                ("documents.line_total", "right"),
            )
        ],
        rx.box(),  # over the remove buttons
        grid_template_columns="8rem 3fr 4.5rem 6rem 4.5rem 4.5rem 6.5rem 2rem",
        spacing="2",
        width="100%",
        display=["none", "none", "grid"],
    )


def lines_editor(state) -> rx.Component:
    return rx.vstack(
        lines_header(),
        rx.foreach(state.lines, lambda line, index: _line_row(state, line, index)),
        rx.cond(
            state.field_errors["lines"],
            rx.text(state.field_errors["lines"], color=rx.color("red", 11), size="2"),
        ),
        rx.flex(
            rx.button(
                rx.icon("plus", size=14),
                tr("documents.add_line"),
                variant="soft",
                on_click=state.add_line,
                type="button",
                data_testid="line-add",
            ),
            rx.cond(
                state.rate_options.length() > 0,
                rx.select.root(
                    rx.select.trigger(
                        placeholder=tr("documents.add_rate"), data_testid="line-add-rate"
                    ),
                    rx.select.content(
                        rx.foreach(
                            state.rate_options,
                            lambda r: rx.select.item(r["label"], value=r["id"]),
                        )
                    ),
                    value="",
                    on_change=state.add_rate,
                ),
                rx.link(tr("documents.no_rates"), href=routes.RATES, size="2"),
            ),
            gap="2",
            wrap="wrap",
            align="center",
        ),
        spacing="1",
        width="100%",
        data_testid="lines-editor",
    )


def lines_table(state) -> rx.Component:
    """A sent document's lines (read-only), a table that scrolls on a phone."""
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(tr(k))
                        for k in (
                            "documents.line_description",
                            "documents.line_quantity",
                            "documents.line_unit_price",
                            "documents.line_discount_pct",
                            "documents.line_tax_rate",
                            "documents.line_total",
                        )
                    ]
                )
            ),
            rx.table.body(
                rx.foreach(
                    state.lines_view,
                    lambda line: rx.table.row(
                        rx.table.cell(line["description"]),
                        rx.table.cell(line["quantity"]),
                        rx.table.cell(line["unit_price"]),
                        rx.table.cell(line["discount_pct"]),
                        rx.table.cell(line["tax_rate"]),
                        rx.table.cell(line["total"]),
                        data_testid="line-view",
                    ),
                )
            ),
            width="100%",
            variant="surface",
        ),
        overflow_x="auto",
        width="100%",
        data_testid="lines-table",
    )


def totals_box(state) -> rx.Component:
    def row(label: rx.Component, value: rx.Var, test_id: str, bold: bool = False):
        return rx.hstack(
            label,
            rx.spacer(),
            rx.text(value, weight="bold" if bold else "regular", data_testid=test_id),
            width="100%",
        )

    return rx.card(
        rx.vstack(
            row(rx.text(tr("documents.subtotal")), state.preview["subtotal"], "doc-subtotal"),
            rx.foreach(
                state.preview_breakdown,
                lambda b: row(
                    rx.text(tr("documents.tax_on"), " ", b["rate"], " (", b["base"], ")", size="2"),
                    b["tax"],
                    "doc-tax-row",
                ),
            ),
            row(rx.text(tr("documents.tax_total")), state.preview["tax_total"], "doc-tax"),
            rx.divider(),
            row(
                rx.text(tr("documents.total"), weight="bold", size="4"),
                state.preview["total"],
                "doc-total",
                bold=True,
            ),
            spacing="2",
            width="100%",
        ),
        width=["100%", "100%", "22rem"],
        margin_left="auto",
        data_testid="doc-totals",
    )


def email_dialog(D) -> rx.Component:
    """Send the document's PDF by email (state: ``email_*`` vars, ``send_email``)."""
    errors = D.email_errors
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(tr("documents.send_email")),
            rx.form(
                rx.vstack(
                    rx.text(tr("documents.email_to"), size="2", weight="medium"),
                    rx.input(
                        name="to",
                        type="email",
                        default_value=D.email_to,
                        width="100%",
                        data_testid="email-to",
                    ),
                    rx.foreach(
                        errors.values(),
                        lambda message: rx.text(message, color=rx.color("red", 11), size="1"),
                    ),
                    rx.text(tr("documents.email_hint"), size="1", color=styles.MUTED_TEXT),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button(
                                tr("common.cancel"),
                                variant="soft",
                                color_scheme="gray",
                                type="button",
                            )
                        ),
                        rx.button(tr("documents.send"), type="submit", data_testid="email-send"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
                on_submit=D.send_email,
            ),
            max_width="28rem",
        ),
        open=D.email_open,
        on_open_change=D.set_email_open,
    )
