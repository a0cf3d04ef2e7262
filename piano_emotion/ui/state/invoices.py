"""Facturas: the list (status incl. overdue, year, month, client; totals of
the filtered set; exports), the "new invoice" dialog, and an invoice's page
(draft editor with live totals, issue, mark paid, send by email, cancel,
PDF and the public payment link)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar
from urllib.parse import quote_plus

import reflex as rx

from piano_emotion.db import session_scope
from piano_emotion.domain import business, invoices
from piano_emotion.domain.errors import NotFound, ValidationFailed
from piano_emotion.domain.invoices import InvoiceInput, InvoiceQuery, PaymentInput
from piano_emotion.formatting import format_date, format_money
from piano_emotion.settings import get_settings
from piano_emotion.ui import routes
from piano_emotion.ui.i18n import translate
from piano_emotion.ui.state.auth import AuthState, page_load
from piano_emotion.ui.state.documents import (
    DocumentEditorMixin,
    DocumentListMixin,
    NewDocumentMixin,
    iso,
    money_totals,
    today_iso,
    year_options,
)
from piano_emotion.ui.state.lists import ListPageMixin


class InvoicesState(ListPageMixin, DocumentListMixin, NewDocumentMixin, AuthState):
    FILTER_DEFAULTS: ClassVar[dict[str, str]] = {"status": "", "year": "", "month": ""}
    items: list[dict] = []

    def _refresh(self) -> None:
        user = self.require_user()
        query = InvoiceQuery(
            status=self.status,
            client_id=self.client_filter or None,
            year=self.year or None,
            month=self.month or None,
            search=self.search,
            page=self.page,
        )
        with session_scope() as session:
            result = invoices.list_invoices(session, user, query)
        lang = self.lang
        self.items = [
            {
                "id": i["id"],
                "number": i["number"],
                "client_name": i["client_name"],
                "issue_date": format_date(i["issue_date"]),
                "due_date": format_date(i["due_date"]),
                "status": i["display_status"],
                "total": format_money(i["total"], lang),
                "flagged": bool(i["payment_flag"]),
            }
            for i in result["items"]
        ]
        if self.client_filter and not self.client_filter_name and self.items:
            self.client_filter_name = self.items[0]["client_name"]
        self.totals = money_totals(result["totals"], lang)
        self._set_page_result(result)

    @rx.event
    @page_load
    def load(self, user):
        self.new_open = False
        self.years = year_options(invoices.local_today())
        self._read_client_filter()
        params = self.router.url.query_parameters
        if params.get("estado") in invoices.STATUS_FILTERS:
            self.status = params["estado"]
        self._refresh()
        service = params.get("servicio", "")
        if str(service).isdigit():
            return self._create_from_service(int(service))
        return None

    def _create_from_service(self, service_id: int):
        """``?servicio=<id>`` (from a completed service): a draft with its
        client, piano and lines (its type's rate and its materials)."""
        from piano_emotion.domain import services

        user = self.require_user()
        try:
            with session_scope() as session:
                service = services.get_service(session, user, service_id)
                existing = invoices.open_invoice_for_service(session, user, service_id)
                if existing is not None:
                    return rx.redirect(routes.invoice_detail(existing))
                invoice = invoices.create_invoice(
                    session,
                    user,
                    InvoiceInput(
                        client_id=service["client_id"],
                        piano_id=service["piano_id"],
                        service_id=service_id,
                    ),
                )
                invoice_id = invoice.id
        except NotFound:
            return rx.toast.error(translate("error.not_found", self.lang))
        except ValidationFailed as error:
            key = next(iter(error.fields.values()))
            return rx.toast.error(translate(key, self.lang))
        return rx.redirect(routes.invoice_detail(invoice_id))

    @rx.event
    def create(self, form: dict):
        user = self.require_user()
        client_id, piano_id = self._new_form_ids(form)
        if not client_id:
            self.new_errors = {"client_id": translate("error.client_required", self.lang)}
            return None
        try:
            with session_scope() as session:
                invoice = invoices.create_invoice(
                    session, user, InvoiceInput(client_id=client_id, piano_id=piano_id)
                )
                invoice_id = invoice.id
        except NotFound:
            self.new_errors = {"client_id": translate("error.not_found", self.lang)}
            return None
        except ValidationFailed as error:
            self.new_errors = {f: translate(k, self.lang) for f, k in error.fields.items()}
            return None
        self.new_open = False
        return rx.redirect(routes.invoice_detail(invoice_id))

    def _export_query(self) -> str:
        """The list's filters for the export links (the same invoices)."""
        parts = [f"lang={self.lang}"]
        if self.year.isdigit():
            year = int(self.year)
            month = int(self.month) if self.month.isdigit() else 0
            start = date(year, month or 1, 1)
            end = date(year + (month in (0, 12)), (month % 12) + 1 if month else 1, 1)
            parts += [
                f"date_from={start.isoformat()}",
                f"date_to={(end - timedelta(days=1)).isoformat()}",
            ]
        if self.status and self.status != "overdue":
            parts.append(f"status={self.status}")
        if self.search:
            parts.append(f"search={quote_plus(self.search)}")
        if self.client_filter:
            parts.append(f"client_id={self.client_filter}")
        return "&".join(parts)


class InvoiceDetailState(DocumentEditorMixin, AuthState):
    issue_date: str = ""
    due_date: str = ""
    notes: str = ""
    business_ready: bool = True
    pay_open: bool = False
    pay_errors: dict[str, str] = {}
    email_open: bool = False
    email_to: str = ""
    email_errors: dict[str, str] = {}

    def _invoice_id(self) -> int:
        return self._record_id()

    def _load(self) -> None:
        user = self.require_user()
        try:
            with session_scope() as session:
                detail = invoices.get_invoice(session, user, self._invoice_id())
                info = business.get_business_info(session, user)
        except NotFound:
            self.not_found, self.loaded, self.doc = True, True, {}
            return
        lang = self.lang
        settings = get_settings()
        from piano_emotion.billing.stripe_payments import payment_url

        link = payment_url(settings, detail) if detail["status"] == "sent" else None
        piano = detail["piano"]
        self.doc = {
            "id": detail["id"],
            "number": detail["number"],
            "status": detail["status"],
            "display_status": detail["display_status"],
            "editable": detail["editable"],
            "client_id": detail["client_id"],
            "client_name": detail["client_snapshot"]["name"] or detail["client"]["name"],
            "client_email": detail["client_snapshot"]["email"] or detail["client"]["email"],
            "piano_id": detail["piano_id"] or 0,
            "piano_name": piano["name"] if piano else "",
            "service_id": detail["service_id"] or 0,
            "quote_id": detail["quote_id"] or 0,
            "issue_date": format_date(detail["issue_date"]),
            "due_date": format_date(detail["due_date"]),
            "paid_date": format_date(detail["paid_date"]),
            "payment_method": detail["payment_method"],
            "payment_reference": detail["payment_reference"],
            "payment_flag": detail["payment_flag"],
            "payment_url": link or "",
            "notes": detail["notes"],
            "subtotal": format_money(detail["subtotal"], lang),
            "tax_total": format_money(detail["tax_total"], lang),
            "total": format_money(detail["total"], lang),
            "pdf_url": routes.invoice_pdf(detail["id"], lang),
        }
        self.issue_date = iso(detail["issue_date"])
        self.due_date = iso(detail["due_date"])
        self.notes = detail["notes"]
        self._set_lines(detail["lines"])
        self.business_ready = business.is_complete(info)
        self.not_found, self.loaded, self.dirty = False, True, False
        self.field_errors = {}
        if detail["editable"]:
            self._load_rates()

    @rx.event
    @page_load
    def load(self, user):
        self.loaded = False
        self.pay_open = self.email_open = False
        self._load()

    @rx.event
    def set_header(self, name: str, value: str):
        if name in ("issue_date", "due_date", "notes"):
            setattr(self, name, str(value)[:5000])
            self.field_errors.pop(name, None)
            self.dirty = True

    def _save_draft(self, session, user) -> None:
        invoices.update_invoice(
            session,
            user,
            self._invoice_id(),
            InvoiceInput(
                client_id=self.doc["client_id"],
                piano_id=self.doc["piano_id"] or None,
                service_id=self.doc["service_id"] or None,
                issue_date=self.issue_date,
                due_date=self.due_date,
                notes=self.notes,
                lines=list(self.lines),
            ),
        )

    @rx.event
    def save(self):
        user = self.require_user()
        try:
            with session_scope() as session:
                self._save_draft(session, user)
        except ValidationFailed as error:
            return self._show_field_errors(error)
        except NotFound:
            return rx.toast.error(translate("error.not_found", self.lang))
        self._load()
        return rx.toast.success(translate("invoices.saved", self.lang))

    @rx.event
    def issue(self):
        """Save what is typed and issue it, in one transaction: a number is
        only taken when everything is valid."""
        user = self.require_user()
        try:
            with session_scope() as session:
                if self.doc.get("editable"):
                    self._save_draft(session, user)
                invoice = invoices.issue_invoice(session, user, self._invoice_id())
                number = invoice.number
        except ValidationFailed as error:
            return self._show_field_errors(error)
        except NotFound:
            return rx.toast.error(translate("error.not_found", self.lang))
        self._load()
        return rx.toast.success(translate("invoices.issued", self.lang, number=number))

    # -- payment ---------------------------------------------------------
    @rx.event
    def open_pay(self):
        self.pay_errors, self.pay_open = {}, True

    @rx.event
    def set_pay_open(self, value: bool):
        self.pay_open = value

    @rx.event
    def mark_paid(self, form: dict):
        user = self.require_user()
        try:
            with session_scope() as session:
                invoices.mark_invoice_paid(
                    session, user, self._invoice_id(), PaymentInput.from_form(form)
                )
        except ValidationFailed as error:
            self.pay_errors = {f: translate(k, self.lang) for f, k in error.fields.items()}
            return None
        except NotFound:
            return rx.toast.error(translate("error.not_found", self.lang))
        self.pay_open = False
        self._load()
        return rx.toast.success(translate("invoices.paid_saved", self.lang))

    @rx.var
    def today(self) -> str:
        return today_iso()

    # -- cancel / delete ----------------------------------------------------
    @rx.event
    def cancel_invoice(self):
        user = self.require_user()
        try:
            with session_scope() as session:
                invoices.cancel_invoice(session, user, self._invoice_id())
        except ValidationFailed as error:
            return self._show_field_errors(error)
        except NotFound:
            return rx.toast.error(translate("error.not_found", self.lang))
        self._load()
        return rx.toast.success(translate("invoices.cancelled", self.lang))

    @rx.event
    def delete_draft(self):
        user = self.require_user()
        try:
            with session_scope() as session:
                invoices.delete_invoice(session, user, self._invoice_id())
        except ValidationFailed as error:
            return self._show_field_errors(error)
        except NotFound:
            return rx.toast.error(translate("error.not_found", self.lang))
        return [
            rx.redirect(routes.INVOICES),
            rx.toast.success(translate("invoices.deleted", self.lang)),
        ]

    # -- email --------------------------------------------------------------
    @rx.event
    def open_email(self):
        self.email_to = str(self.doc.get("client_email", "") or "")
        self.email_errors, self.email_open = {}, True

    @rx.event
    def set_email_open(self, value: bool):
        self.email_open = value

    @rx.event
    def send_email(self, form: dict):
        from piano_emotion.billing.delivery import send_invoice_email

        user = self.require_user()
        to = str(form.get("to", "") or "").strip()
        try:
            with session_scope() as session:
                send_invoice_email(
                    session, user, self._invoice_id(), get_settings(), self.lang, to=to or None
                )
        except ValidationFailed as error:
            self.email_errors = {f: translate(k, self.lang) for f, k in error.fields.items()}
            return None
        except NotFound:
            return rx.toast.error(translate("error.not_found", self.lang))
        self.email_open = False
        return rx.toast.success(translate("invoices.email_sent", self.lang, to=to))
