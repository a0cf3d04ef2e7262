"""Presupuestos: the list with totals of the filtered set, and a quote's
page (draft editor, send, accept/reject, convert into an invoice, PDF)."""

from __future__ import annotations

import reflex as rx

from piano_emotion.models.enums import QuoteStatus
from piano_emotion.ui import routes, styles
from piano_emotion.ui.components.common import back_link, confirm_button, detail_frame, enum_text
from piano_emotion.ui.components.documents import (
    client_filter_chip,
    email_dialog,
    lines_editor,
    lines_table,
    new_document_dialog,
    period_filters,
    status_badge,
    totals_box,
    totals_cards,
)
from piano_emotion.ui.components.layout import template
from piano_emotion.ui.components.lists import filter_select, list_results
from piano_emotion.ui.i18n import tr
from piano_emotion.ui.state.quotes import QuoteDetailState, QuotesState

S = QuotesState
D = QuoteDetailState


# -- list ---------------------------------------------------------------------------
def toolbar() -> rx.Component:
    return rx.flex(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            placeholder=tr("quotes.search_placeholder"),
            value=S.search,
            on_change=S.set_search,
            debounce_timeout=300,
            width=["100%", "100%", "16rem"],
            data_testid="quotes-search",
        ),
        filter_select(
            S,
            "status",
            "documents.all_statuses",
            [(s.value, enum_text("QuoteStatus", s.value)) for s in QuoteStatus],
        ),
        *period_filters(S),
        client_filter_chip(S),
        rx.spacer(),
        rx.button(rx.icon("plus"), tr("quotes.new"), on_click=S.open_new, data_testid="quote-new"),
        wrap="wrap",
        gap="2",
        align="center",
        width="100%",
    )


def number_link(quote) -> rx.Component:
    return rx.link(
        rx.cond(quote["number"] != "", quote["number"], tr("documents.draft_number")),
        href=f"{routes.QUOTES}/" + quote["id"].to(str),
        weight="medium",
        data_testid="quote-link",
    )


def table_view() -> rx.Component:
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                *[
                    rx.table.column_header_cell(tr(k))
                    for k in (
                        "quotes.number",
                        "documents.client",
                        "quotes.title",
                        "quotes.date",
                        "quotes.valid_until",
                        "documents.status",
                        "documents.total",
                    )
                ]
            )
        ),
        rx.table.body(
            rx.foreach(
                S.items,
                lambda q: rx.table.row(
                    rx.table.cell(number_link(q)),
                    rx.table.cell(q["client_name"]),
                    rx.table.cell(q["title"]),
                    rx.table.cell(q["quote_date"]),
                    rx.table.cell(q["valid_until"]),
                    rx.table.cell(status_badge("QuoteStatus", q["status"])),
                    rx.table.cell(q["total"], text_align="right"),
                    data_testid="quote-row",
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
            lambda q: rx.card(
                rx.hstack(
                    rx.vstack(
                        number_link(q),
                        rx.text(q["client_name"], size="2"),
                        rx.text(q["title"], size="1", color=styles.MUTED_TEXT),
                        spacing="0",
                    ),
                    rx.spacer(),
                    rx.vstack(
                        rx.text(q["total"], weight="bold"),
                        status_badge("QuoteStatus", q["status"]),
                        align="end",
                        spacing="1",
                    ),
                    width="100%",
                ),
                width="100%",
                data_testid="quote-card",
            ),
        ),
        spacing="2",
        width="100%",
    )


@template(route=routes.QUOTES, title_key="nav.quotes", on_load=QuotesState.load)
def quotes_page() -> rx.Component:
    return rx.vstack(
        toolbar(),
        rx.cond(
            S.loaded,
            totals_cards(
                [
                    ("quotes.total_quoted", S.totals["quoted"], "gray"),
                    ("quotes.total_pending", S.totals["pending"], "blue"),
                    ("quotes.total_accepted", S.totals["accepted"], "green"),
                    ("quotes.total_lost", S.totals["lost"], "red"),
                ]
            ),
        ),
        list_results(
            S,
            table=table_view,
            cards=cards_view,
            none_found_key="quotes.none_found",
            empty_icon="file-text",
            empty_key="quotes.empty",
            empty_hint_key="quotes.empty_hint",
            new_key="quotes.new",
        ),
        new_document_dialog(S, title_key="quotes.new", on_submit=S.create, test_id="quote-new"),
        spacing="4",
        width="100%",
    )


# -- one quote ------------------------------------------------------------------------
def actions() -> rx.Component:
    doc = D.doc
    pdf = rx.link(
        rx.button(rx.icon("file-down", size=14), tr("documents.pdf"), variant="soft"),
        href=doc["pdf_url"].to(str),
        is_external=True,
        data_testid="quote-pdf",
    )
    delete = confirm_button(
        rx.button(
            rx.icon("trash-2", size=14),
            tr("common.delete"),
            variant="soft",
            color_scheme="red",
            data_testid="quote-delete",
        ),
        title_key="quotes.delete_title",
        body_key="quotes.delete_body",
        confirm_key="common.delete",
        on_confirm=D.delete_draft,
        test_id="quote-delete",
    )
    email = rx.button(
        rx.icon("mail", size=14),
        tr("documents.send_email"),
        variant="soft",
        on_click=D.open_email,
        data_testid="quote-email",
    )
    return rx.flex(
        pdf,
        rx.match(
            doc["status"].to(str),
            (
                "draft",
                rx.hstack(
                    rx.button(
                        rx.icon("save", size=14),
                        tr("common.save"),
                        variant="soft",
                        on_click=D.save,
                        data_testid="quote-save",
                    ),
                    rx.button(
                        rx.icon("send", size=14),
                        tr("quotes.send"),
                        on_click=D.send,
                        data_testid="quote-send",
                    ),
                    delete,
                    spacing="2",
                    wrap="wrap",
                ),
            ),
            (
                "sent",
                rx.hstack(
                    rx.button(
                        rx.icon("thumbs-up", size=14),
                        tr("quotes.accept"),
                        color_scheme="green",
                        on_click=D.accept,
                        data_testid="quote-accept",
                    ),
                    rx.button(
                        rx.icon("thumbs-down", size=14),
                        tr("quotes.reject"),
                        variant="soft",
                        color_scheme="red",
                        on_click=D.reject,
                        data_testid="quote-reject",
                    ),
                    email,
                    spacing="2",
                    wrap="wrap",
                ),
            ),
            (
                "accepted",
                confirm_button(
                    rx.button(
                        rx.icon("receipt", size=14),
                        tr("quotes.convert"),
                        color_scheme="green",
                        data_testid="quote-convert",
                    ),
                    title_key="quotes.convert_title",
                    body_key="quotes.convert_body",
                    confirm_key="quotes.convert",
                    on_confirm=D.convert,
                    test_id="quote-convert",
                ),
            ),
            (
                "converted",
                rx.link(
                    rx.button(rx.icon("receipt", size=14), tr("quotes.open_invoice")),
                    href=f"{routes.INVOICES}/" + doc["converted_invoice_id"].to(str),
                    data_testid="quote-invoice-link",
                ),
            ),
            rx.fragment(),
        ),
        gap="2",
        wrap="wrap",
    )


def header() -> rx.Component:
    doc = D.doc
    return rx.flex(
        rx.vstack(
            rx.hstack(
                rx.heading(
                    rx.cond(doc["number"] != "", doc["number"], tr("documents.draft_number")),
                    size="6",
                    data_testid="quote-number",
                ),
                status_badge("QuoteStatus", doc["status"].to(str)),
                align="center",
                spacing="3",
            ),
            rx.hstack(
                rx.link(doc["client_name"], href=f"{routes.CLIENTS}/" + doc["client_id"].to(str)),
                rx.cond(
                    doc["piano_id"].to(int) > 0,
                    rx.link(
                        doc["piano_name"],
                        href=f"{routes.PIANOS}/" + doc["piano_id"].to(str),
                        color=styles.MUTED_TEXT,
                    ),
                ),
                spacing="3",
                wrap="wrap",
            ),
            spacing="1",
        ),
        rx.spacer(),
        actions(),
        wrap="wrap",
        gap="3",
        width="100%",
        align="start",
    )


def draft_fields() -> rx.Component:
    errors = D.field_errors

    def input_field(label_key: str, name: str, value: rx.Var, type_: str = "text"):
        return rx.vstack(
            rx.text(tr(label_key), size="2", weight="medium"),
            rx.input(
                type=type_,
                value=value,
                on_change=lambda v: D.set_header(name, v),
                debounce_timeout=400 if type_ == "text" else None,
                width="100%",
                data_testid=f"field-{name}",
            ),
            rx.cond(
                errors[name],
                rx.text(errors[name], color=rx.color("red", 11), size="1"),
            ),
            spacing="1",
            width="100%",
        )

    return rx.vstack(
        rx.grid(
            input_field("quotes.title", "title", D.title),
            input_field("quotes.date", "quote_date", D.quote_date, "date"),
            input_field("quotes.valid_until", "valid_until", D.valid_until, "date"),
            columns=rx.breakpoints(initial="1", md="3"),
            spacing="3",
            width="100%",
        ),
        lines_editor(D),
        rx.text_area(
            value=D.notes,
            on_change=lambda v: D.set_header("notes", v),
            debounce_timeout=400,
            placeholder=tr("documents.notes"),
            width="100%",
            rows="2",
        ),
        spacing="4",
        width="100%",
    )


def sent_view() -> rx.Component:
    doc = D.doc
    return rx.vstack(
        rx.cond(doc["title"].to(str) != "", rx.heading(doc["title"], size="4")),
        rx.flex(
            rx.text(tr("quotes.date"), ": ", rx.text.strong(doc["quote_date"])),
            rx.text(tr("quotes.valid_until"), ": ", rx.text.strong(doc["valid_until"])),
            gap="4",
            wrap="wrap",
        ),
        lines_table(D),
        rx.cond(doc["notes"].to(str) != "", rx.text(doc["notes"], size="2")),
        spacing="3",
        width="100%",
    )


def quote_body() -> rx.Component:
    return rx.vstack(
        back_link(routes.QUOTES, "nav.quotes"),
        header(),
        rx.cond(D.doc["editable"].to(bool), draft_fields(), sent_view()),
        totals_box(D),
        email_dialog(D),
        spacing="4",
        width="100%",
    )


@template(route=routes.QUOTE_DETAIL, title_key="nav.quotes", on_load=QuoteDetailState.load)
def quote_detail_page() -> rx.Component:
    return detail_frame(
        D.not_found,
        D.loaded,
        quote_body(),
        icon="file-text",
        area="quotes",
        route=routes.QUOTES,
        label_key="nav.quotes",
    )
