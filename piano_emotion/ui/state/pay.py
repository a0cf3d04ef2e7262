"""The public payment page of a sent invoice (``/pagar/<token>``) and Stripe
Checkout's return pages (``…/ok``, ``…/cancelado``).

No session: the random token in the address is the key. Nothing the browser
holds is trusted: "Pagar" reads the invoice again by its token before asking
Stripe for a Checkout Session, whose amount is the stored total.

Amounts are kept as plain decimal strings (backend vars) and formatted into
plain vars by ``_format``, at every load and when the page's language
selector calls ``PayState.set_language``. Not computed vars of ``lang``:
``lang`` lives in ``UIState``, and such vars would make every event of
``UIState`` (and of the root's other children) load this state too.
"""

from __future__ import annotations

from decimal import Decimal

import reflex as rx

from piano_emotion.billing.pdf import format_iban
from piano_emotion.billing.stripe_payments import (
    PaymentError,
    checkout_invoice,
    create_checkout_session,
)
from piano_emotion.db import session_scope
from piano_emotion.formatting import format_date, format_money, format_percent, format_quantity
from piano_emotion.models.enums import InvoiceStatus
from piano_emotion.settings import get_settings
from piano_emotion.ui import routes
from piano_emotion.ui.i18n import translate
from piano_emotion.ui.state.base import UIState


def pay_token_from_path(path: str) -> str:
    """The token of ``/pagar/<token>``, ``/pagar/<token>/ok`` or ``…/cancelado``."""
    parts = [part for part in (path or "").split("/") if part]
    if len(parts) >= 2 and parts[0] == "pagar":
        return parts[1]
    return ""


def _text(value) -> str:
    return "" if value is None else str(value)


class PayState(UIState):
    loaded: bool = False
    found: bool = False
    status: str = ""
    stripe_on: bool = False
    paying: bool = False
    # The page of the invoice (``/pagar/<token>``), for the return pages' links.
    invoice_path: str = ""
    # What the invoice says, unformatted (dates already dd/mm/aaaa).
    doc: dict[str, str] = {}
    _amounts: dict[str, str] = {}
    _raw_lines: list[dict[str, str]] = []
    _raw_breakdown: list[dict[str, str]] = []
    # The same, formatted in the page's language (``_format``).
    money: dict[str, str] = {}
    lines: list[dict[str, str]] = []
    breakdown: list[dict[str, str]] = []
    pay_label: str = ""
    paid_on: str = ""
    ok_message: str = ""
    transfer_note: str = ""

    # -- what the page shows -------------------------------------------------
    # (Computed from this state's own vars only.)
    @rx.var
    def paid(self) -> bool:
        return self.status == InvoiceStatus.PAID.value

    @rx.var
    def can_pay(self) -> bool:
        return self.found and self.stripe_on and self.status == InvoiceStatus.SENT.value

    def _format(self) -> None:
        """The amounts and sentences of the invoice in the current language."""
        lang = self.lang
        self.money = {
            name: format_money(Decimal(value), lang) for name, value in self._amounts.items()
        }
        self.lines = [
            {
                "description": line["description"],
                "quantity": format_quantity(Decimal(line["quantity"]), lang),
                "unit_price": format_money(Decimal(line["unit_price"]), lang),
                "discount": (
                    format_percent(Decimal(line["discount_pct"]), lang)
                    if Decimal(line["discount_pct"])
                    else ""
                ),
                "tax_rate": format_percent(Decimal(line["tax_rate"]), lang),
                "amount": format_money(Decimal(line["net_amount"]), lang),
            }
            for line in self._raw_lines
        ]
        self.breakdown = [
            {
                "label": translate(
                    "pay.tax_at", lang, rate=format_percent(Decimal(row["rate"]), lang)
                ),
                "tax": format_money(Decimal(row["tax"]), lang),
            }
            for row in self._raw_breakdown
        ]
        total = self._amounts.get("total")
        self.pay_label = (
            translate("pay.button", lang, amount=format_money(Decimal(total), lang))
            if total
            else ""
        )
        self.paid_on = translate("pay.paid_on", lang, date=self.doc.get("paid_date", ""))
        self.ok_message = translate("pay.ok_body", lang, number=self.doc.get("number", ""))
        iban = self.doc.get("iban", "")
        self.transfer_note = (
            translate("pay.transfer", lang, iban=iban, number=self.doc.get("number", ""))
            if iban
            else ""
        )

    @rx.event
    async def set_language(self, lang: str):
        """The page's language selector: ``UIState.set_language``, then the
        invoice again in that language (an event of this state only)."""
        await UIState.set_language.fn(self, lang)
        self._format()

    # -- loading -------------------------------------------------------------
    def _token(self) -> str:
        return pay_token_from_path(self.router.url.path)

    def _clear(self) -> None:
        self.found, self.status = False, ""
        self.doc, self._amounts, self._raw_lines, self._raw_breakdown = {}, {}, [], []
        self._format()

    def _fill(self, invoice: dict | None) -> None:
        if invoice is None:
            self._clear()
            return
        issuer, client = invoice["issuer"], invoice["client_snapshot"]
        self.found = True
        self.status = invoice["status"]
        self.doc = {
            "number": invoice["number"],
            "issue_date": format_date(invoice["issue_date"]),
            "due_date": format_date(invoice["due_date"]),
            "paid_date": format_date(invoice["paid_date"]),
            "notes": invoice.get("notes") or "",
            "issuer_name": issuer["name"],
            "issuer_tax_id": issuer["tax_id"],
            "issuer_address": issuer["address"],
            "issuer_email": issuer["email"],
            "issuer_phone": issuer["phone"],
            "iban": format_iban(issuer["iban"]),
            "client_name": client["name"],
            "client_tax_id": client["tax_id"],
            "client_address": client["address"],
        }
        self._amounts = {name: _text(invoice[name]) for name in ("subtotal", "tax_total", "total")}
        self._raw_lines = [
            {
                name: _text(line[name])
                for name in (
                    "description",
                    "quantity",
                    "unit_price",
                    "discount_pct",
                    "tax_rate",
                    "net_amount",
                )
            }
            for line in invoice["lines"]
        ]
        self._raw_breakdown = [
            {"rate": _text(row["rate"]), "tax": _text(row["tax"])}
            for row in invoice.get("breakdown") or []
        ]
        self._format()

    def _read(self, token: str) -> dict | None:
        with session_scope() as session:
            return checkout_invoice(session, token)

    @rx.event
    async def load(self):
        """``on_load`` of the three pages: the invoice of the token, or "Enlace no válido"."""
        await self._adopt_cookies()
        token = self._token()
        self.paying = False
        self.stripe_on = get_settings().stripe_enabled
        self.invoice_path = routes.pay_page(token) if token else ""
        self._fill(self._read(token) if token else None)
        self.loaded = True

    @rx.event
    def pay(self):
        """The "Pagar" button: a Checkout Session for the stored total, then off to Stripe.

        A generator: the button shows it is working while Stripe answers."""
        if self.paying:
            return
        self.paying = True
        yield
        try:
            token = self._token()
            invoice = self._read(token) if token else None
            self._fill(invoice)
            self.loaded = True
            if invoice is None:
                yield rx.toast.error(translate("pay.invalid_title", self.lang))
                return
            if self.status == InvoiceStatus.PAID.value:
                yield rx.toast.info(translate("pay.error.already_paid", self.lang))
                return
            try:
                url = create_checkout_session(get_settings(), invoice, lang=self.lang)
            except PaymentError as error:
                yield rx.toast.error(translate(error.key, self.lang))
                return
        finally:
            self.paying = False
        # Same tab: a new tab opened after the server's reply is blocked as a
        # popup on phones.
        yield rx.redirect(url)
