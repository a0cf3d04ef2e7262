"""Sending an invoice or a quote to the client by email, its PDF attached.

``send_invoice_email`` mails an issued (sent or paid) invoice: subject
"Factura F-2026-0001 de <issuer>", a short text with the total, the due
date, the IBAN for a transfer and, when Stripe is on, the card payment link
(``/pagar/<token>``), which the attached PDF also prints. ``send_quote_email``
does the same for a sent (or accepted) quote. Neither changes the document.

Both take the signed-in technician: another technician's id is ``NotFound``
(and nothing is sent). Refusals are ``ValidationFailed`` with translation
keys: email not configured (``SMTP_HOST``/``SMTP_FROM``), a draft or
cancelled document, no or a bad recipient address, or the SMTP server
refusing the message (the detail goes to the log).
"""

from __future__ import annotations

import logging
from datetime import date

from sqlmodel import Session

from piano_emotion.billing.pdf import format_iban, render_invoice_pdf, render_quote_pdf
from piano_emotion.billing.stripe_payments import payment_url
from piano_emotion.domain import business
from piano_emotion.domain import documents as docs
from piano_emotion.domain.alerts import local_today
from piano_emotion.domain.errors import NotFound, ValidationFailed
from piano_emotion.domain.tenancy import get_owned
from piano_emotion.domain.validation import email_problem
from piano_emotion.formatting import format_date, format_money
from piano_emotion.mail import Attachment, MailError, mail_configured, send_mail
from piano_emotion.models import Client, Invoice, Quote, User
from piano_emotion.models.enums import InvoiceStatus, QuoteStatus
from piano_emotion.settings import Settings
from piano_emotion.ui.i18n import LANGUAGES, translate

log = logging.getLogger(__name__)

PDF_MIME = "application/pdf"
# Quotes that can be mailed (a draft has no number; rejected/expired are closed).
MAILABLE_QUOTES = (QuoteStatus.SENT, QuoteStatus.ACCEPTED, QuoteStatus.CONVERTED)


def _id(value: object, model: type) -> int:
    try:
        record_id = docs.parse_id(value)
    except (TypeError, ValueError):
        record_id = None
    if record_id is None:
        raise NotFound(model.__tablename__)
    return record_id


def _lang(lang: str | None) -> str:
    return lang if lang in LANGUAGES else "es"


def _recipient(given: str | None, fallback: str | None) -> str:
    address = str(given if given is not None and str(given).strip() else fallback or "").strip()
    if not address:
        raise ValidationFailed({"to": "error.mail_no_recipient"})
    problem = email_problem(address)
    if problem is not None or any(c in address for c in ",;<>\r\n"):
        raise ValidationFailed({"to": problem or "error.email_invalid"})
    return address


def _require_mail(settings: Settings) -> None:
    if not mail_configured(settings):
        raise ValidationFailed({"mail": "error.mail_not_configured"})


def _send(settings: Settings, **message) -> None:
    try:
        send_mail(settings, **message)
    except MailError as exc:
        log.warning("mail to %s not sent: %s", message.get("to"), exc)
        raise ValidationFailed({"mail": "error.mail_send_failed"}) from exc


def _greeting(name: str, lang: str) -> str:
    name = (name or "").strip()
    return translate("mail.greeting", lang, name=name) if name else translate("mail.hello", lang)


def invoice_email_text(invoice: Invoice, lang: str, pay_link: str | None) -> str:
    """The plain-text body of an invoice's email."""
    number, issuer = invoice.number or "", invoice.issuer_name
    parts = [
        _greeting(invoice.client_name, lang),
        "",
        translate("mail.invoice.intro", lang, number=number, issuer=issuer),
        "",
        translate("mail.total", lang, total=format_money(invoice.total, lang)),
    ]
    if invoice.status == InvoiceStatus.PAID:
        paid = format_date(invoice.paid_date) if invoice.paid_date else ""
        parts.append(translate("mail.invoice.paid", lang, date=paid))
    else:
        if invoice.due_date is not None:
            parts.append(translate("mail.invoice.due", lang, date=format_date(invoice.due_date)))
        iban = format_iban(invoice.issuer_iban)
        if iban:
            parts += ["", translate("mail.invoice.transfer", lang, iban=iban, number=number)]
        if pay_link:
            parts += ["", translate("mail.invoice.pay_online", lang), pay_link]
    parts += ["", translate("mail.sign_off", lang), issuer]
    return "\n".join(parts).strip() + "\n"


def send_invoice_email(
    session: Session,
    user: User,
    invoice_id: int,
    settings: Settings,
    lang: str = "es",
    *,
    to: str | None = None,
) -> str:
    """Mail the technician's issued invoice, PDF attached; returns the
    recipient (``to``, else the email of the invoice's client snapshot)."""
    invoice = get_owned(session, Invoice, _id(invoice_id, Invoice), user)
    lang = _lang(lang)
    _require_mail(settings)
    if invoice.status == InvoiceStatus.DRAFT or not invoice.number:
        raise ValidationFailed({"status": "error.mail_invoice_draft"})
    if invoice.status == InvoiceStatus.CANCELLED:
        raise ValidationFailed({"status": "error.invoice_cancelled"})
    recipient = _recipient(to, invoice.client_email)
    pay_link = payment_url(settings, invoice)
    pdf = render_invoice_pdf(
        invoice, docs.stored_lines(session, invoice), lang=lang, payment_url=pay_link
    )
    subject = translate(
        "mail.invoice.subject", lang, number=invoice.number, issuer=invoice.issuer_name
    )
    _send(
        settings,
        to=recipient,
        subject=subject,
        text=invoice_email_text(invoice, lang, pay_link),
        attachments=[Attachment(f"{invoice.number}.pdf", pdf, PDF_MIME)],
    )
    log.info("invoice %s mailed to %s", invoice.number, recipient)
    return recipient


def quote_email_text(quote: Quote, client: Client, issuer: str, lang: str) -> str:
    """The plain-text body of a quote's email."""
    number = quote.number or ""
    parts = [
        _greeting(client.name, lang),
        "",
        translate("mail.quote.intro", lang, number=number, issuer=issuer),
    ]
    if quote.title:
        parts.append(translate("mail.quote.title", lang, title=quote.title))
    parts += ["", translate("mail.total", lang, total=format_money(quote.total, lang))]
    if quote.valid_until is not None:
        valid = format_date(quote.valid_until)
        parts.append(translate("mail.quote.valid_until", lang, date=valid))
    parts += ["", translate("mail.sign_off", lang), issuer]
    return "\n".join(parts).strip() + "\n"


def send_quote_email(
    session: Session,
    user: User,
    quote_id: int,
    settings: Settings,
    lang: str = "es",
    *,
    to: str | None = None,
    today: date | None = None,
) -> str:
    """Mail the technician's sent quote, PDF attached; returns the recipient
    (``to``, else the client's email)."""
    quote = get_owned(session, Quote, _id(quote_id, Quote), user)
    client = get_owned(session, Client, quote.client_id, user)
    lang = _lang(lang)
    today = today or local_today()
    _require_mail(settings)
    status = QuoteStatus(quote.status)
    if status == QuoteStatus.DRAFT or not quote.number:
        raise ValidationFailed({"status": "error.mail_quote_draft"})
    expired = status == QuoteStatus.SENT and quote.valid_until and quote.valid_until < today
    if status not in MAILABLE_QUOTES or expired:
        raise ValidationFailed({"status": "error.mail_quote_closed"})
    recipient = _recipient(to, client.email)
    info = business.get_business_info(session, user)
    issuer = (info.business_name if info else "") or user.name
    pdf = render_quote_pdf(
        quote, docs.stored_lines(session, quote), client=client, issuer=info, lang=lang
    )
    _send(
        settings,
        to=recipient,
        subject=translate("mail.quote.subject", lang, number=quote.number, issuer=issuer),
        text=quote_email_text(quote, client, issuer, lang),
        attachments=[Attachment(f"{quote.number}.pdf", pdf, PDF_MIME)],
    )
    log.info("quote %s mailed to %s", quote.number, recipient)
    return recipient
