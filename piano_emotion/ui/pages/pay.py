"""The public payment page of a sent invoice (/pagar/<token>) and the pages
Stripe Checkout returns to (/pagar/<token>/ok, /pagar/<token>/cancelado).

Public: registered without the session check and outside the signed-in
shell. The invoice is shown as a summary headed by the issuer's business
name: dates, client, lines, VAT and total; a "Pagar" button while it is to be
paid and Stripe is configured, "Pagada el …" once paid.
"""

from __future__ import annotations

import reflex as rx

from piano_emotion.ui import routes, styles
from piano_emotion.ui.components.layout import PAGES, PageSpec, language_select
from piano_emotion.ui.i18n import tr
from piano_emotion.ui.state.pay import PayState

S = PayState
MAX_WIDTH = "46rem"


# -- frame ------------------------------------------------------------------------
def _issuer_header() -> rx.Component:
    contact = [
        S.doc["issuer_tax_id"],
        S.doc["issuer_address"],
        S.doc["issuer_email"],
        S.doc["issuer_phone"],
    ]
    return rx.hstack(
        rx.vstack(
            rx.heading(S.doc["issuer_name"], size="6", as_="h1", data_testid="pay-issuer"),
            rx.vstack(
                *[
                    rx.cond(value != "", rx.text(value, size="1", color=styles.MUTED_TEXT))
                    for value in contact
                ],
                spacing="0",
            ),
            spacing="1",
            min_width="0",
        ),
        rx.spacer(),
        language_select(S.set_language),
        align="start",
        width="100%",
        spacing="3",
    )


def public_pay_frame(*children: rx.Component) -> rx.Component:
    return rx.box(
        rx.vstack(
            *children,
            rx.hstack(
                rx.icon("piano", size=14, color=styles.MUTED_TEXT),
                rx.text(tr("app.name"), size="1", color=styles.MUTED_TEXT),
                spacing="1",
                align="center",
                justify="center",
                width="100%",
            ),
            spacing="4",
            width="100%",
            max_width=MAX_WIDTH,
            margin_x="auto",
        ),
        padding=["0.75rem", "1.5rem", "2rem"],
        min_height="100vh",
        background=rx.color("gray", 2),
        as_="main",
    )


def _loading() -> rx.Component:
    return rx.center(rx.spinner(size="3"), min_height="60vh", data_testid="pay-loading")


def _invalid() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon("link-2-off", size=36, color=rx.color("red", 9)),
            rx.heading(tr("pay.invalid_title"), size="5", as_="h1"),
            rx.text(tr("pay.invalid_body"), color=styles.MUTED_TEXT, text_align="center"),
            align="center",
            spacing="3",
            padding_y="2rem",
        ),
        width="100%",
        size="3",
        data_testid="pay-invalid",
    )


def _page(body: rx.Component) -> rx.Component:
    """Loading, "Enlace no válido", or the issuer's header and ``body``."""
    return public_pay_frame(
        rx.cond(
            ~S.loaded,
            _loading(),
            rx.cond(
                S.found,
                rx.vstack(_issuer_header(), body, spacing="4", width="100%"),
                rx.vstack(
                    rx.hstack(rx.spacer(), language_select(S.set_language), width="100%"),
                    _invalid(),
                    spacing="4",
                    width="100%",
                ),
            ),
        )
    )


# -- the invoice ------------------------------------------------------------------
def _status_badge() -> rx.Component:
    return rx.cond(
        S.paid,
        rx.badge(tr("pay.status.paid"), color_scheme="green", size="2", data_testid="pay-status"),
        rx.badge(tr("pay.status.sent"), color_scheme="amber", size="2", data_testid="pay-status"),
    )


def _labelled(label_key: str, value: rx.Var, test_id: str) -> rx.Component:
    return rx.vstack(
        rx.text(tr(label_key), size="1", color=styles.MUTED_TEXT),
        rx.text(value, size="2", weight="medium", data_testid=test_id),
        spacing="0",
    )


def _heading() -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.hstack(
                rx.heading(tr("pay.invoice"), size="5", as_="h2"),
                rx.heading(S.doc["number"], size="5", as_="h2", data_testid="pay-number"),
                spacing="2",
                wrap="wrap",
            ),
            _status_badge(),
            spacing="2",
        ),
        rx.spacer(),
        rx.hstack(
            _labelled("pay.issue_date", S.doc["issue_date"], "pay-issue-date"),
            rx.cond(
                S.doc["due_date"] != "",
                _labelled("pay.due_date", S.doc["due_date"], "pay-due-date"),
            ),
            spacing="5",
        ),
        direction=rx.breakpoints(initial="column", sm="row"),
        gap="4",
        width="100%",
    )


def _client() -> rx.Component:
    return rx.box(
        rx.text(tr("pay.bill_to"), size="1", color=styles.MUTED_TEXT),
        rx.text(S.doc["client_name"], weight="bold", data_testid="pay-client"),
        rx.cond(S.doc["client_tax_id"] != "", rx.text(S.doc["client_tax_id"], size="2")),
        rx.cond(S.doc["client_address"] != "", rx.text(S.doc["client_address"], size="2")),
        width="100%",
    )


def _lines_table() -> rx.Component:
    """Desktop: a table of the lines."""

    def row(line) -> rx.Component:
        return rx.table.row(
            rx.table.cell(line["description"], white_space="normal"),
            rx.table.cell(line["quantity"], text_align="right"),
            rx.table.cell(line["unit_price"], text_align="right", white_space="nowrap"),
            rx.table.cell(line["tax_rate"], text_align="right", white_space="nowrap"),
            rx.table.cell(line["amount"], text_align="right", white_space="nowrap"),
        )

    headers = [
        ("pay.description", "left"),
        ("pay.quantity", "right"),
        ("pay.unit_price", "right"),
        ("pay.tax_rate", "right"),
        ("pay.amount", "right"),
    ]
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                *[rx.table.column_header_cell(tr(key), text_align=align) for key, align in headers]
            )
        ),
        rx.table.body(rx.foreach(S.lines, row)),
        width="100%",
        size="1",
        display=["none", "none", "table"],
        data_testid="pay-lines",
    )


def _lines_list() -> rx.Component:
    """Phone: one block per line (no sideways scrolling)."""

    def item(line) -> rx.Component:
        return rx.hstack(
            rx.vstack(
                rx.text(line["description"], size="2", weight="medium"),
                rx.text(
                    line["quantity"],
                    " × ",
                    line["unit_price"],
                    " · ",
                    tr("pay.tax_rate"),
                    " ",
                    line["tax_rate"],
                    size="1",
                    color=styles.MUTED_TEXT,
                ),
                spacing="0",
                min_width="0",
            ),
            rx.spacer(),
            rx.text(line["amount"], size="2", white_space="nowrap"),
            width="100%",
            align="start",
            padding_y="0.5rem",
            border_bottom=styles.BORDER,
        )

    return rx.vstack(
        rx.foreach(S.lines, item),
        spacing="0",
        width="100%",
        display=["flex", "flex", "none"],
    )


def _total_row(label, value, *, strong: bool = False, test_id: str = "") -> rx.Component:
    size = "4" if strong else "2"
    weight = "bold" if strong else "regular"
    return rx.hstack(
        rx.text(label, size=size, weight=weight),
        rx.spacer(),
        rx.text(value, size=size, weight=weight, data_testid=test_id, white_space="nowrap"),
        width="100%",
    )


def _totals() -> rx.Component:
    return rx.vstack(
        _total_row(tr("pay.subtotal"), S.money["subtotal"], test_id="pay-subtotal"),
        rx.foreach(S.breakdown, lambda row: _total_row(row["label"], row["tax"])),
        rx.separator(size="4"),
        _total_row(tr("pay.total"), S.money["total"], strong=True, test_id="pay-total"),
        spacing="2",
        width="100%",
        max_width=["100%", "20rem"],
        margin_left="auto",
    )


def _payment() -> rx.Component:
    return rx.cond(
        S.paid,
        rx.callout(
            S.paid_on,
            icon="circle-check",
            color_scheme="green",
            size="2",
            width="100%",
            data_testid="pay-paid-on",
        ),
        rx.vstack(
            rx.cond(
                S.can_pay,
                rx.vstack(
                    rx.button(
                        rx.icon("credit-card", size=18),
                        S.pay_label,
                        on_click=S.pay,
                        loading=S.paying,
                        size="4",
                        width="100%",
                        data_testid="pay-button",
                    ),
                    rx.hstack(
                        rx.icon("lock", size=14, color=styles.MUTED_TEXT),
                        rx.text(tr("pay.secure"), size="1", color=styles.MUTED_TEXT),
                        spacing="1",
                        align="center",
                    ),
                    spacing="2",
                    width="100%",
                    align="center",
                ),
                rx.text(tr("pay.no_online"), size="2", color=styles.MUTED_TEXT),
            ),
            rx.cond(
                S.transfer_note != "",
                rx.text(S.transfer_note, size="2", color=styles.MUTED_TEXT),
            ),
            spacing="3",
            width="100%",
        ),
    )


def invoice_summary() -> rx.Component:
    return rx.card(
        rx.vstack(
            _heading(),
            rx.separator(size="4"),
            _client(),
            _lines_table(),
            _lines_list(),
            _totals(),
            rx.cond(
                S.doc["notes"] != "",
                rx.text(S.doc["notes"], size="2", color=styles.MUTED_TEXT, white_space="pre-wrap"),
            ),
            rx.separator(size="4"),
            _payment(),
            spacing="4",
            width="100%",
        ),
        size=rx.breakpoints(initial="2", sm="4"),
        width="100%",
        data_testid="pay-invoice",
    )


def pay_page() -> rx.Component:
    return _page(invoice_summary())


# -- Stripe's return pages --------------------------------------------------------
def _outcome_card(icon: str, colour: str, title, body, *actions, test_id: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon(icon, size=40, color=rx.color(colour, 9)),
            rx.heading(title, size="5", as_="h2", text_align="center"),
            rx.text(body, color=styles.MUTED_TEXT, text_align="center"),
            *actions,
            align="center",
            spacing="3",
            padding_y="1.5rem",
        ),
        width="100%",
        size="3",
        data_testid=test_id,
    )


def pay_ok_page() -> rx.Component:
    return _page(
        rx.cond(
            S.paid,
            _outcome_card(
                "circle-check",
                "green",
                tr("pay.ok_title"),
                S.ok_message,
                rx.link(tr("pay.view_invoice"), href=S.invoice_path),
                test_id="pay-received",
            ),
            _outcome_card(
                "hourglass",
                "amber",
                tr("pay.confirming_title"),
                tr("pay.confirming_body"),
                rx.button(
                    rx.icon("refresh-cw", size=16),
                    tr("pay.check_again"),
                    on_click=S.load,
                    variant="soft",
                    data_testid="pay-check-again",
                ),
                test_id="pay-confirming",
            ),
        )
    )


def pay_cancelled_page() -> rx.Component:
    return _page(
        _outcome_card(
            "circle-x",
            "gray",
            tr("pay.cancelled_title"),
            tr("pay.cancelled_body"),
            rx.link(
                rx.button(tr("pay.back_to_invoice"), size="3"),
                href=S.invoice_path,
                data_testid="pay-back",
            ),
            test_id="pay-cancelled",
        )
    )


# Public: no session check (no @page_load) in on_load, no signed-in shell.
PAGES.append(PageSpec(routes.PAY, pay_page, PayState.load))
PAGES.append(PageSpec(routes.PAY_OK, pay_ok_page, PayState.load))
PAGES.append(PageSpec(routes.PAY_CANCELLED, pay_cancelled_page, PayState.load))
