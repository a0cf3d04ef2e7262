"""Invoices and quotes sent by email (``billing.delivery``) to a real SMTP
server on 127.0.0.1 (aiosmtpd), on SQLite and MariaDB."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from piano_emotion.billing.delivery import send_invoice_email, send_quote_email
from piano_emotion.domain import invoices, quotes
from piano_emotion.domain.errors import NotFound, ValidationFailed
from piano_emotion.domain.invoices import InvoiceInput, PaymentInput
from piano_emotion.domain.quotes import QuoteInput
from piano_emotion.models import Invoice, Quote
from piano_emotion.models.enums import InvoiceStatus
from piano_emotion.settings import load_settings
from tests.domain.billing_support import TODAY, add_client, complete_business_info, line
from tests.monitoring.servers import LocalSMTPServer, free_port
from tests.stripe_support import APP_URL, STRIPE_KEY, issued_invoice
from tests.ui_states import fetch

SENDER = "Pianos Ana <facturas@example.es>"


@pytest.fixture
def smtp_server():
    with LocalSMTPServer() as server:
        yield server


def mail_settings(server: LocalSMTPServer | None = None, *, stripe: bool = False, **extra):
    env = {"APP_URL": APP_URL, **extra}
    if server is not None:
        env.update(
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=str(server.port),
            SMTP_FROM=SENDER,
            SMTP_STARTTLS="false",
        )
    if stripe:
        env["STRIPE_SECRET_KEY"] = STRIPE_KEY
    return load_settings(env)


@pytest.fixture
def invoice(session, technician) -> Invoice:
    return issued_invoice(session, technician)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def attachment(message, filename: str) -> bytes:
    parts = {part.get_filename(): part for part in message.iter_attachments()}
    assert list(parts) == [filename]
    assert parts[filename].get_content_type() == "application/pdf"
    return parts[filename].get_content()


# -- invoices -----------------------------------------------------------------------
def test_an_invoice_is_mailed_with_its_pdf_and_the_payment_link(
    smtp_server, session, technician, invoice, engine
):
    settings = mail_settings(smtp_server, stripe=True)

    recipient = send_invoice_email(session, technician, invoice.id, settings, "es")

    assert recipient == "lucia@example.es"
    [mail] = smtp_server.received
    assert mail.rcpt_tos == ["lucia@example.es"]
    assert mail.mail_from == "facturas@example.es"
    message = mail.message
    assert message["Subject"] == f"Factura {invoice.number} de Pianos Ana SL"
    assert message["To"] == "lucia@example.es"
    body = message.get_body(("plain",)).get_content()
    link = f"{APP_URL}/pagar/{invoice.payment_token}"
    assert link in body
    assert "121,00\u00a0€" in body
    assert invoice.due_date.strftime("%d/%m/%Y") in body
    assert "ES91 2100 0418 4502 0005 1332" in body
    text = pdf_text(attachment(message, f"{invoice.number}.pdf"))
    assert invoice.number in text
    assert "Pianos Ana SL" in text
    # Sending changes nothing.
    stored = fetch(engine, Invoice, invoice.id)
    assert stored.status == InvoiceStatus.SENT and stored.updated_at == invoice.updated_at


def test_without_stripe_there_is_no_payment_link_and_english_works(
    smtp_server, session, technician, invoice
):
    send_invoice_email(
        session, technician, invoice.id, mail_settings(smtp_server), "en", to="pay@example.com"
    )
    [mail] = smtp_server.received
    assert mail.rcpt_tos == ["pay@example.com"]
    assert mail.message["Subject"] == f"Invoice {invoice.number} from Pianos Ana SL"
    body = mail.message.get_body(("plain",)).get_content()
    assert "/pagar/" not in body
    assert "€121.00" in body
    assert "/pagar/" not in pdf_text(attachment(mail.message, f"{invoice.number}.pdf"))


def test_a_paid_invoice_is_mailed_as_paid_without_a_link(smtp_server, session, technician, invoice):
    invoices.mark_invoice_paid(
        session,
        technician,
        invoice.id,
        PaymentInput(paid_date=TODAY, payment_method="transfer", reference="TR-9"),
    )
    session.commit()
    send_invoice_email(session, technician, invoice.id, mail_settings(smtp_server, stripe=True))
    body = smtp_server.received[0].message.get_body(("plain",)).get_content()
    assert "/pagar/" not in body
    assert f"Pagada el {TODAY.strftime('%d/%m/%Y')}" in body


def test_no_smtp_is_a_clear_refusal(session, technician, invoice):
    with pytest.raises(ValidationFailed) as refused:
        send_invoice_email(session, technician, invoice.id, mail_settings(None, stripe=True))
    assert refused.value.fields == {"mail": "error.mail_not_configured"}


def test_drafts_and_cancelled_invoices_are_not_mailed(smtp_server, session, technician, invoice):
    settings = mail_settings(smtp_server)
    draft = invoices.create_invoice(
        session, technician, InvoiceInput(client_id=invoice.client_id, lines=[line()])
    )
    session.commit()
    with pytest.raises(ValidationFailed) as refused:
        send_invoice_email(session, technician, draft.id, settings)
    assert refused.value.fields == {"status": "error.mail_invoice_draft"}
    invoices.cancel_invoice(session, technician, invoice.id)
    session.commit()
    with pytest.raises(ValidationFailed) as refused:
        send_invoice_email(session, technician, invoice.id, settings)
    assert refused.value.fields == {"status": "error.invoice_cancelled"}
    assert smtp_server.received == []


@pytest.mark.parametrize(
    ("to", "key"),
    [
        (None, "error.mail_no_recipient"),
        ("no-es-un-email", "error.email_invalid"),
        ("a@example.es, b@example.es", "error.email_invalid"),
    ],
)
def test_a_missing_or_bad_recipient_is_refused(smtp_server, session, technician, to, key):
    invoice = issued_invoice(session, technician, email="")
    with pytest.raises(ValidationFailed) as refused:
        send_invoice_email(session, technician, invoice.id, mail_settings(smtp_server), to=to)
    assert refused.value.fields == {"to": key}
    assert smtp_server.received == []


def test_a_server_that_is_down_is_a_clear_refusal(session, technician, invoice):
    settings = load_settings(
        {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(free_port()), "SMTP_FROM": SENDER}
    )
    with pytest.raises(ValidationFailed) as refused:
        send_invoice_email(session, technician, invoice.id, settings)
    assert refused.value.fields == {"mail": "error.mail_send_failed"}


def test_another_technicians_invoice_is_not_found_and_nothing_is_sent(
    smtp_server, session, technician, other_technician, invoice
):
    for invoice_id in (invoice.id, 987654321, "abc", None):
        with pytest.raises(NotFound):
            send_invoice_email(
                session, other_technician, invoice_id, mail_settings(smtp_server, stripe=True)
            )
    assert smtp_server.received == []


# -- quotes -------------------------------------------------------------------------
def sent_quote(session, user, **extra) -> Quote:
    complete_business_info(session, user)
    client = add_client(session, user, "Marta Ruiz", email="marta@example.es")
    quote = quotes.create_quote(
        session,
        user,
        QuoteInput(
            client_id=client.id,
            title="Regulación del Steinway",
            lines=[line("Regulación", "250")],
            **extra,
        ),
    )
    session.commit()
    quotes.send_quote(session, user, quote.id)
    session.commit()
    session.expire_all()
    return session.get(Quote, quote.id)


def test_a_sent_quote_is_mailed_with_its_pdf(smtp_server, session, technician, engine):
    quote = sent_quote(session, technician, valid_until=TODAY + timedelta(days=30))

    assert send_quote_email(session, technician, quote.id, mail_settings(smtp_server)) == (
        "marta@example.es"
    )
    [mail] = smtp_server.received
    assert mail.rcpt_tos == ["marta@example.es"]
    assert mail.message["Subject"] == f"Presupuesto {quote.number} de Pianos Ana SL"
    body = mail.message.get_body(("plain",)).get_content()
    assert "302,50\u00a0€" in body and "Regulación del Steinway" in body
    assert (TODAY + timedelta(days=30)).strftime("%d/%m/%Y") in body
    text = pdf_text(attachment(mail.message, f"{quote.number}.pdf"))
    assert quote.number in text and "Regulación" in text
    assert fetch(engine, Quote, quote.id).status == quote.status


def test_draft_quotes_and_missing_smtp_are_refused(smtp_server, session, technician):
    complete_business_info(session, technician)
    client = add_client(session, technician, "Marta Ruiz", email="marta@example.es")
    draft = quotes.create_quote(
        session, technician, QuoteInput(client_id=client.id, lines=[line()])
    )
    session.commit()
    with pytest.raises(ValidationFailed) as refused:
        send_quote_email(session, technician, draft.id, mail_settings(smtp_server))
    assert refused.value.fields == {"status": "error.mail_quote_draft"}
    with pytest.raises(ValidationFailed) as refused:
        send_quote_email(session, technician, draft.id, mail_settings(None))
    assert refused.value.fields == {"mail": "error.mail_not_configured"}
    assert smtp_server.received == []


def test_rejected_or_expired_quotes_are_not_mailed(smtp_server, session, technician):
    quote = sent_quote(session, technician, valid_until=TODAY + timedelta(days=3))
    with pytest.raises(ValidationFailed) as refused:
        send_quote_email(
            session,
            technician,
            quote.id,
            mail_settings(smtp_server),
            today=TODAY + timedelta(days=4),
        )
    assert refused.value.fields == {"status": "error.mail_quote_closed"}
    quotes.reject_quote(session, technician, quote.id)
    session.commit()
    with pytest.raises(ValidationFailed):
        send_quote_email(session, technician, quote.id, mail_settings(smtp_server))
    assert smtp_server.received == []


def test_another_technicians_quote_is_not_found_and_nothing_is_sent(
    smtp_server, session, technician, other_technician
):
    quote = sent_quote(session, technician)
    with pytest.raises(NotFound):
        send_quote_email(session, other_technician, quote.id, mail_settings(smtp_server))
    assert smtp_server.received == []
