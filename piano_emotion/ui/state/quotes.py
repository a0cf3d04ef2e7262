"""Presupuestos: the list (status, year, month, client; totals of the
filtered set), the "new quote" dialog, and a quote's page (draft editor with
live totals, send, accept/reject, convert once into an invoice, PDF, email)."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from piano_emotion.db import session_scope
from piano_emotion.domain import quotes
from piano_emotion.domain.alerts import local_today
from piano_emotion.domain.errors import NotFound, ValidationFailed
from piano_emotion.domain.quotes import QuoteInput, QuoteQuery
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
    year_options,
)
from piano_emotion.ui.state.lists import ListPageMixin


class QuotesState(ListPageMixin, DocumentListMixin, NewDocumentMixin, AuthState):
    FILTER_DEFAULTS: ClassVar[dict[str, str]] = {"status": "", "year": "", "month": ""}
    items: list[dict] = []

    def _refresh(self) -> None:
        user = self.require_user()
        query = QuoteQuery(
            status=self.status,
            client_id=self.client_filter or None,
            year=self.year or None,
            month=self.month or None,
            search=self.search,
            page=self.page,
        )
        with session_scope() as session:
            result = quotes.list_quotes(session, user, query)
        lang = self.lang
        self.items = [
            {
                "id": q["id"],
                "number": q["number"],
                "title": q["title"],
                "client_name": q["client_name"],
                "quote_date": format_date(q["quote_date"]),
                "valid_until": format_date(q["valid_until"]),
                "status": q["status"],
                "total": format_money(q["total"], lang),
            }
            for q in result["items"]
        ]
        if self.client_filter and not self.client_filter_name and self.items:
            self.client_filter_name = self.items[0]["client_name"]
        self.totals = money_totals(result["totals"], lang)
        self._set_page_result(result)

    @rx.event
    @page_load
    def load(self, user):
        self.new_open = False
        self.years = year_options(local_today())
        self._read_client_filter()
        self._refresh()
        # "Nuevo presupuesto" from a client's page opens the dialog with them.
        if self.client_filter and self.router.url.query_parameters.get("nuevo") == "1":
            self._open_new(self.client_filter, self.client_filter_name)

    @rx.event
    def create(self, form: dict):
        user = self.require_user()
        client_id, piano_id = self._new_form_ids(form)
        if not client_id:
            self.new_errors = {"client_id": translate("error.client_required", self.lang)}
            return None
        try:
            with session_scope() as session:
                quote = quotes.create_quote(
                    session, user, QuoteInput(client_id=client_id, piano_id=piano_id)
                )
                quote_id = quote.id
        except NotFound:
            self.new_errors = {"client_id": translate("error.not_found", self.lang)}
            return None
        except ValidationFailed as error:
            self.new_errors = {f: translate(k, self.lang) for f, k in error.fields.items()}
            return None
        self.new_open = False
        return rx.redirect(routes.quote_detail(quote_id))


class QuoteDetailState(DocumentEditorMixin, AuthState):
    title: str = ""
    quote_date: str = ""
    valid_until: str = ""
    notes: str = ""
    email_open: bool = False
    email_to: str = ""
    email_errors: dict[str, str] = {}

    def _quote_id(self) -> int:
        return self._record_id()

    def _load(self) -> None:
        user = self.require_user()
        try:
            with session_scope() as session:
                detail = quotes.get_quote(session, user, self._quote_id())
        except NotFound:
            self.not_found, self.loaded, self.doc = True, True, {}
            return
        lang = self.lang
        piano = detail["piano"]
        self.doc = {
            "id": detail["id"],
            "number": detail["number"],
            "title": detail["title"],
            "status": detail["status"],
            "editable": detail["editable"],
            "client_id": detail["client_id"],
            "client_name": detail["client"]["name"],
            "client_email": detail["client"]["email"],
            "piano_id": detail["piano_id"] or 0,
            "piano_name": piano["name"] if piano else "",
            "quote_date": format_date(detail["quote_date"]),
            "valid_until": format_date(detail["valid_until"]),
            "converted_invoice_id": detail["converted_invoice_id"] or 0,
            "notes": detail["notes"],
            "pdf_url": routes.quote_pdf(detail["id"], lang),
        }
        self.title = detail["title"]
        self.quote_date = iso(detail["quote_date"])
        self.valid_until = iso(detail["valid_until"])
        self.notes = detail["notes"]
        self._set_lines(detail["lines"])
        self.not_found, self.loaded, self.dirty = False, True, False
        self.field_errors = {}
        if detail["editable"]:
            self._load_rates()

    @rx.event
    @page_load
    def load(self, user):
        self.loaded, self.email_open = False, False
        self._load()

    @rx.event
    def set_header(self, name: str, value: str):
        if name in ("title", "quote_date", "valid_until", "notes"):
            setattr(self, name, str(value)[:5000])
            self.field_errors.pop(name, None)
            self.dirty = True

    def _save_draft(self, session, user) -> None:
        quotes.update_quote(
            session,
            user,
            self._quote_id(),
            QuoteInput(
                client_id=self.doc["client_id"],
                piano_id=self.doc["piano_id"] or None,
                title=self.title,
                quote_date=self.quote_date,
                valid_until=self.valid_until,
                notes=self.notes,
                lines=list(self.lines),
            ),
        )

    def _act(self, action, success_key: str, save_first: bool = False):
        user = self.require_user()
        try:
            with session_scope() as session:
                if save_first and self.doc.get("editable"):
                    self._save_draft(session, user)
                result = action(session, user, self._quote_id())
        except ValidationFailed as error:
            return None, self._show_field_errors(error)
        except NotFound:
            return None, rx.toast.error(translate("error.not_found", self.lang))
        return result, rx.toast.success(translate(success_key, self.lang))

    @rx.event
    def save(self):
        result, toast = self._act(lambda *_: True, "quotes.saved", save_first=True)
        if result:
            self._load()
        return toast

    @rx.event
    def send(self):
        result, toast = self._act(quotes.send_quote, "quotes.sent", save_first=True)
        if result is not None:
            self._load()
        return toast

    @rx.event
    def accept(self):
        result, toast = self._act(quotes.accept_quote, "quotes.accepted")
        if result is not None:
            self._load()
        return toast

    @rx.event
    def reject(self):
        result, toast = self._act(quotes.reject_quote, "quotes.rejected")
        if result is not None:
            self._load()
        return toast

    @rx.event
    def convert(self):
        invoice, toast = self._act(quotes.convert_quote_to_invoice, "quotes.converted")
        if invoice is None:
            return toast
        return [toast, rx.redirect(routes.invoice_detail(invoice.id))]

    @rx.event
    def delete_draft(self):
        result, toast = self._act(quotes.delete_quote, "quotes.deleted")
        if result is None:
            return toast
        return [toast, rx.redirect(routes.QUOTES)]

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
        from piano_emotion.billing.delivery import send_quote_email

        user = self.require_user()
        to = str(form.get("to", "") or "").strip()
        try:
            with session_scope() as session:
                send_quote_email(
                    session, user, self._quote_id(), get_settings(), self.lang, to=to or None
                )
        except ValidationFailed as error:
            self.email_errors = {f: translate(k, self.lang) for f, k in error.fields.items()}
            return None
        except NotFound:
            return rx.toast.error(translate("error.not_found", self.lang))
        self.email_open = False
        return rx.toast.success(translate("invoices.email_sent", self.lang, to=to))
