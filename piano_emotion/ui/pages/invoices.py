"""Facturas: the list with totals of the filtered set and exports, and an
invoice's page (draft editor, issue, payment, email, PDF, payment link)."""

from __future__ import annotations

import reflex as rx

from piano_emotion.models.enums import PaymentMethod
from piano_emotion.ui import routes, styles
from piano_emotion.ui.components.common import back_link, confirm_button, detail_frame, enum_text
from piano_emotion.ui.components.documents import (
    client_filter_chip,
    email_dialog,
    export_links,
    invoice_status_badge,
    lines_editor,
    lines_table,
    new_document_dialog,
    period_filters,
    totals_box,
    totals_cards,
)
from piano_emotion.ui.components.layout import template
from piano_emotion.ui.components.lists import filter_select, list_results
from piano_emotion.ui.i18n import tr
from piano_emotion.ui.state.invoices import InvoiceDetailState, InvoicesState

S = InvoicesState
D = InvoiceDetailState
STATUS_CHOICES = ("draft", "sent", "overdue", "paid", "cancelled")


# -- list ---------------------------------------------------------------------------
def toolbar() -> rx.Component:
    return rx.flex(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            placeholder=tr("invoices.search_placeholder"),
            value=S.search,
            on_change=S.set_search,
            debounce_timeout=300,
            width=["100%", "100%", "16rem"],
            data_testid="invoices-search",
        ),
        filter_select(
            S,
            "status",
            "documents.all_statuses",
            [
                (s, tr("invoices.overdue") if s == "overdue" else enum_text("InvoiceStatus", s))
                for s in STATUS_CHOICES
            ],
        ),
        *period_filters(S),
        client_filter_chip(S),
        rx.spacer(),
        export_links("invoices", S.export_query),
        rx.button(
            rx.icon("plus"), tr("invoices.new"), on_click=S.open_new, data_testid="invoice-new"
        ),
        wrap="wrap",
        gap="2",
        align="center",
        width="100%",
    )


def number_link(invoice) -> rx.Component:
    return rx.link(
        rx.cond(invoice["number"] != "", invoice["number"], tr("documents.draft_number")),
        href=f"{routes.INVOICES}/" + invoice["id"].to(str),
        weight="medium",
        data_testid="invoice-link",
    )


def flag(invoice) -> rx.Component:
    return rx.cond(
        invoice["flagged"].to(bool),
        rx.tooltip(
            rx.icon("triangle-alert", size=14, color=rx.color("amber", 10)),
            content=tr("invoices.flagged"),
        ),
    )


def table_view() -> rx.Component:
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                *[
                    rx.table.column_header_cell(tr(k))
                    for k in (
                        "invoices.number",
                        "documents.client",
                        "invoices.issue_date",
                        "invoices.due_date",
                        "documents.status",
                        "documents.total",
                    )
                ]
            )
        ),
        rx.table.body(
            rx.foreach(
                S.items,
                lambda i: rx.table.row(
                    rx.table.cell(rx.hstack(number_link(i), flag(i), spacing="2")),
                    rx.table.cell(i["client_name"]),
                    rx.table.cell(i["issue_date"]),
                    rx.table.cell(i["due_date"]),
                    rx.table.cell(invoice_status_badge(i["status"])),
                    rx.table.cell(i["total"], text_align="right"),
                    data_testid="invoice-row",
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
                        rx.hstack(number_link(i), flag(i), spacing="2"),
                        rx.text(i["client_name"], size="2"),
                        rx.text(i["issue_date"], size="1", color=styles.MUTED_TEXT),
                        spacing="0",
                    ),
                    rx.spacer(),
                    rx.vstack(
                        rx.text(i["total"], weight="bold"),
                        invoice_status_badge(i["status"]),
                        align="end",
                        spacing="1",
                    ),
                    width="100%",
                ),
                width="100%",
                data_testid="invoice-card",
            ),
        ),
        spacing="2",
        width="100%",
    )


@template(route=routes.INVOICES, title_key="nav.invoices", on_load=InvoicesState.load)
def invoices_page() -> rx.Component:
    return rx.vstack(
        toolbar(),
        rx.cond(
            S.loaded,
            totals_cards(
                [
                    ("invoices.total_invoiced", S.totals["invoiced"], "gray"),
                    ("invoices.total_pending", S.totals["pending"], "blue"),
                    ("invoices.total_overdue", S.totals["overdue"], "red"),
                    ("invoices.total_collected", S.totals["collected"], "green"),
                ]
            ),
        ),
        list_results(
            S,
            table=table_view,
            cards=cards_view,
            none_found_key="invoices.none_found",
            empty_icon="receipt",
            empty_key="invoices.empty",
            empty_hint_key="invoices.empty_hint",
            new_key="invoices.new",
        ),
        new_document_dialog(S, title_key="invoices.new", on_submit=S.create, test_id="invoice-new"),
        spacing="4",
        width="100%",
    )


# -- one invoice ----------------------------------------------------------------------
def header() -> rx.Component:
    doc = D.doc
    return rx.flex(
        rx.vstack(
            rx.hstack(
                rx.heading(
                    rx.cond(doc["number"] != "", doc["number"], tr("documents.draft_number")),
                    size="6",
                    data_testid="invoice-number",
                ),
                invoice_status_badge(doc["display_status"].to(str)),
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


def actions() -> rx.Component:
    doc = D.doc
    status = doc["status"].to(str)
    pdf = rx.link(
        rx.button(rx.icon("file-down", size=14), tr("documents.pdf"), variant="soft"),
        href=doc["pdf_url"].to(str),
        is_external=True,
        data_testid="invoice-pdf",
    )
    issue = confirm_button(
        rx.button(rx.icon("send", size=14), tr("invoices.issue"), data_testid="invoice-issue"),
        title_key="invoices.issue_title",
        body_key="invoices.issue_body",
        confirm_key="invoices.issue",
        on_confirm=D.issue,
        test_id="invoice-issue",
    )
    cancel = confirm_button(
        rx.button(
            rx.icon("ban", size=14),
            tr("invoices.cancel"),
            variant="soft",
            color_scheme="red",
            data_testid="invoice-cancel",
        ),
        title_key="invoices.cancel_title",
        body_key="invoices.cancel_body",
        confirm_key="invoices.cancel",
        on_confirm=D.cancel_invoice,
        test_id="invoice-cancel",
    )
    delete = confirm_button(
        rx.button(
            rx.icon("trash-2", size=14),
            tr("common.delete"),
            variant="soft",
            color_scheme="red",
            data_testid="invoice-delete",
        ),
        title_key="invoices.delete_title",
        body_key="invoices.delete_body",
        confirm_key="common.delete",
        on_confirm=D.delete_draft,
        test_id="invoice-delete",
    )
    return rx.flex(
        pdf,
        rx.match(
            status,
            (
                "draft",
                rx.hstack(
                    rx.button(
                        rx.icon("save", size=14),
                        tr("common.save"),
                        variant="soft",
                        on_click=D.save,
                        data_testid="invoice-save",
                    ),
                    issue,
                    delete,
                    spacing="2",
                    wrap="wrap",
                ),
            ),
            (
                "sent",
                rx.hstack(
                    rx.button(
                        rx.icon("circle-check", size=14),
                        tr("invoices.mark_paid"),
                        color_scheme="green",
                        on_click=D.open_pay,
                        data_testid="invoice-mark-paid",
                    ),
                    rx.button(
                        rx.icon("mail", size=14),
                        tr("documents.send_email"),
                        variant="soft",
                        on_click=D.open_email,
                        data_testid="invoice-email",
                    ),
                    cancel,
                    spacing="2",
                    wrap="wrap",
                ),
            ),
            ("paid", cancel),
            rx.fragment(),
        ),
        gap="2",
        wrap="wrap",
    )


def draft_fields() -> rx.Component:
    errors = D.field_errors

    def date_field(label_key: str, name: str, value: rx.Var) -> rx.Component:
        return rx.vstack(
            rx.text(tr(label_key), size="2", weight="medium"),
            rx.input(
                type="date",
                value=value,
                on_change=lambda v: D.set_header(name, v),
                data_testid=f"field-{name}",
            ),
            rx.cond(
                errors[name],
                rx.text(errors[name], color=rx.color("red", 11), size="1"),
            ),
            spacing="1",
        )

    return rx.vstack(
        rx.cond(
            ~D.business_ready,
            rx.callout(
                rx.hstack(
                    rx.text(tr("invoices.business_required")),
                    rx.link(tr("nav.settings"), href=routes.SETTINGS),
                    spacing="2",
                    wrap="wrap",
                ),
                icon="info",
                color_scheme="amber",
                width="100%",
                data_testid="business-required",
            ),
        ),
        rx.flex(
            date_field("invoices.issue_date", "issue_date", D.issue_date),
            date_field("invoices.due_date_optional", "due_date", D.due_date),
            gap="4",
            wrap="wrap",
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


def issued_view() -> rx.Component:
    doc = D.doc
    return rx.vstack(
        rx.flex(
            rx.text(tr("invoices.issue_date"), ": ", rx.text.strong(doc["issue_date"])),
            rx.text(tr("invoices.due_date"), ": ", rx.text.strong(doc["due_date"])),
            rx.cond(
                doc["status"].to(str) == "paid",
                rx.text(
                    tr("invoices.paid_on"),
                    " ",
                    rx.text.strong(doc["paid_date"]),
                    " · ",
                    enum_text("PaymentMethod", doc["payment_method"].to(str)),
                    " ",
                    doc["payment_reference"],
                    data_testid="invoice-paid-info",
                ),
            ),
            gap="4",
            wrap="wrap",
        ),
        rx.cond(
            doc["payment_flag"].to(str) != "",
            rx.callout(
                tr("invoices.flagged"), icon="triangle-alert", color_scheme="amber", width="100%"
            ),
        ),
        rx.cond(
            doc["payment_url"].to(str) != "",
            rx.hstack(
                rx.icon("link", size=14),
                rx.text(tr("invoices.payment_link"), size="2"),
                rx.code(doc["payment_url"].to(str), data_testid="payment-url"),
                rx.icon_button(
                    rx.icon("copy", size=14),
                    variant="ghost",
                    on_click=[
                        rx.set_clipboard(doc["payment_url"].to(str)),
                        rx.toast.info(tr("invoices.link_copied")),
                    ],
                    aria_label=tr("invoices.copy_link"),
                ),
                wrap="wrap",
                align="center",
            ),
        ),
        lines_table(D),
        rx.cond(doc["notes"].to(str) != "", rx.text(doc["notes"], size="2")),
        spacing="3",
        width="100%",
    )


def pay_dialog() -> rx.Component:
    errors = D.pay_errors

    def error(name: str) -> rx.Component:
        return rx.cond(
            errors[name],
            rx.text(errors[name], color=rx.color("red", 11), size="1", data_testid=f"error-{name}"),
        )

    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(tr("invoices.mark_paid")),
            rx.form(
                rx.vstack(
                    rx.text(tr("invoices.paid_date"), size="2", weight="medium"),
                    rx.input(
                        type="date",
                        name="paid_date",
                        default_value=D.today,
                        data_testid="paid-date",
                    ),
                    error("paid_date"),
                    rx.text(tr("invoices.payment_method"), size="2", weight="medium"),
                    rx.select.root(
                        rx.select.trigger(width="100%", data_testid="payment-method"),
                        rx.select.content(
                            *[
                                rx.select.item(enum_text("PaymentMethod", m.value), value=m.value)
                                for m in PaymentMethod
                            ]
                        ),
                        name="payment_method",
                        default_value=PaymentMethod.TRANSFER.value,
                    ),
                    error("payment_method"),
                    rx.text(tr("invoices.payment_reference"), size="2", weight="medium"),
                    rx.input(name="reference", width="100%"),
                    error("reference"),
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
                            tr("invoices.mark_paid"),
                            type="submit",
                            color_scheme="green",
                            data_testid="paid-save",
                        ),
                        justify="end",
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
                on_submit=D.mark_paid,
            ),
            max_width="26rem",
            data_testid="pay-dialog",
        ),
        open=D.pay_open,
        on_open_change=D.set_pay_open,
    )


def invoice_body() -> rx.Component:
    return rx.vstack(
        back_link(routes.INVOICES, "nav.invoices"),
        header(),
        rx.cond(D.doc["editable"].to(bool), draft_fields(), issued_view()),
        totals_box(D),
        pay_dialog(),
        email_dialog(D),
        spacing="4",
        width="100%",
    )


@template(route=routes.INVOICE_DETAIL, title_key="nav.invoices", on_load=InvoiceDetailState.load)
def invoice_detail_page() -> rx.Component:
    return detail_frame(
        D.not_found,
        D.loaded,
        invoice_body(),
        icon="receipt",
        area="invoices",
        route=routes.INVOICES,
        label_key="nav.invoices",
    )
