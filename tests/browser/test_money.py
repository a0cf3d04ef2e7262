"""Money in a real browser (issue #7): a rate, a quote sent, accepted and
converted into an invoice, the invoice issued and paid by the client through
its public link with Stripe Checkout (Stripe is the local fake of
``conftest.FakeStripe``, and its webhook is signed here as Stripe signs it),
then the invoice is "Pagada" and the month's revenue on the dashboard grows.
Also: a bad line's message on a draft, the clients' CSV export, and the quote
list on a phone.

Every test signs up a brand-new technician, so no test sees another's data.
"""

from __future__ import annotations

import csv
import io
import re
import time
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from piano_emotion.db import create_engine_for
from piano_emotion.domain.alerts import local_today
from piano_emotion.formatting import format_date, format_money
from piano_emotion.models import Invoice
from tests.browser.conftest import PHONE_VIEWPORT, FakeStripe, LiveApp
from tests.stripe_support import STRIPE_KEY, checkout_event, payload_of, sign

pytestmark = pytest.mark.browser

CLIENT_URL = re.compile(r"/clientes/(\d+)$")
QUOTE_URL = re.compile(r"/presupuestos/(\d+)$")
INVOICE_URL = re.compile(r"/facturas/(\d+)$")
BUSINESS = {
    "business_name": "Pianos Ana SL",
    "tax_id": "B12345674",
    "address": "Calle del Piano 3",
    "city": "Sevilla",
    "postal_code": "41001",
    "phone": "612345678",
    "email": "ana@pianos.es",
}


@pytest.fixture(autouse=True, scope="module")
def _patient_expect():
    """UI assertions wait up to 15 s (the app answers over a websocket)."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


# -- helpers ---------------------------------------------------------------------
def money(amount: str) -> str:
    return format_money(Decimal(amount), "es")


def toast(page: Page, text: str | re.Pattern):
    return page.locator("[data-sonner-toast]").filter(has_text=text).first


def wait_for_list(page: Page) -> None:
    expect(
        page.get_by_test_id("list-total").or_(page.get_by_test_id("empty-state"))
    ).to_be_visible()


def fill_business_info(page: Page) -> None:
    """Ajustes → the fiscal data an invoice needs."""
    page.goto("/ajustes")
    section = page.get_by_test_id("settings-business")
    expect(section.get_by_test_id("business-required")).to_be_visible()
    for name, value in BUSINESS.items():
        section.get_by_test_id(f"field-{name}").fill(value)
    section.get_by_test_id("save-business").click()
    expect(toast(page, "Cambios guardados")).to_be_visible()
    expect(section.get_by_test_id("business-required")).to_have_count(0)


def create_client(page: Page, name: str, **values: str) -> str:
    """Clientes → Nuevo cliente; returns the client's detail path."""
    page.goto("/clientes")
    wait_for_list(page)
    page.get_by_test_id("client-new").click()
    editor = page.get_by_test_id("client-editor")
    expect(editor).to_be_visible()
    editor.get_by_test_id("field-name").fill(name)
    for field, value in values.items():
        editor.get_by_test_id(f"field-{field}").fill(value)
    page.get_by_test_id("client-save").click()
    expect(page).to_have_url(CLIENT_URL)
    expect(page.get_by_test_id("client-name")).to_have_text(name)
    return "/clientes/" + CLIENT_URL.search(page.url).group(1)


def create_rate(page: Page, name: str, price: str) -> None:
    """Tarifas → Nueva tarifa (21 % VAT, active)."""
    page.goto("/tarifas")
    wait_for_list(page)
    page.get_by_test_id("rate-new").click()
    editor = page.get_by_test_id("rate-editor")
    expect(editor).to_be_visible()
    editor.get_by_test_id("field-name").fill(name)
    editor.get_by_test_id("field-base_price").fill(price)
    expect(editor.get_by_test_id("field-tax_rate")).to_have_value("21")
    page.get_by_test_id("rate-save").click()
    expect(toast(page, "Tarifa guardada")).to_be_visible()
    expect(editor).to_be_hidden()
    row = page.get_by_role("table").get_by_role("row").filter(has_text=name)
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("rate-price")).to_have_text(money(price))


def new_document(page: Page, section: str, kind: str, query: str, client: str) -> str:
    """``/presupuestos`` or ``/facturas`` → "Nuevo" → a client → the draft's path."""
    page.goto(f"/{section}")
    wait_for_list(page)
    page.get_by_test_id(f"{kind}-new").first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_test_id("client-picker-search").fill(query)
    option = dialog.get_by_test_id("client-picker-option").filter(has_text=client)
    expect(option).to_have_count(1)
    option.click()
    expect(dialog.get_by_test_id("client-picker-picked")).to_have_text(client)
    dialog.get_by_test_id(f"{kind}-new-create").click()
    pattern = QUOTE_URL if kind == "quote" else INVOICE_URL
    expect(page).to_have_url(pattern)
    expect(page.get_by_test_id("lines-editor")).to_be_visible()
    return f"/{section}/" + pattern.search(page.url).group(1)


def status(page: Page):
    return page.get_by_test_id("document-status").first


def load_invoice(database_url: str, invoice_id: int) -> Invoice:
    """The invoice as stored (straight from the app's database)."""
    engine = create_engine_for(database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            invoice = session.get(Invoice, invoice_id)
            assert invoice is not None
            return invoice
    finally:
        engine.dispose()


def open_checkout(payer: Page, fake_stripe: FakeStripe) -> Page:
    """Click "Pagar" and return the tab that shows Stripe Checkout (this one,
    or the new tab the app may open for it)."""
    prefix = f"{fake_stripe.url}/checkout/"
    payer.get_by_test_id("pay-button").click()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for candidate in payer.context.pages:
            if candidate.url.startswith(prefix):
                candidate.wait_for_load_state()
                return candidate
        payer.wait_for_timeout(200)
    raise AssertionError(f"Stripe Checkout never opened; pages: {payer.context.pages}")


def post_webhook(live_app: LiveApp, event: dict, *, secret: str | None = None) -> httpx.Response:
    payload = payload_of(event)
    signature = sign(payload) if secret is None else sign(payload, secret)
    return httpx.post(
        f"{live_app.url}/api/stripe/webhook",
        content=payload,
        headers={"Content-Type": "application/json", "Stripe-Signature": signature},
        timeout=15,
    )


# -- tests ----------------------------------------------------------------------
def test_quote_to_invoice_paid_online_through_the_public_link(
    signed_in_page, browser, live_app, fake_stripe
):
    page = signed_in_page
    client_name = "Lucía Fernández Ortiz"
    client_email = "lucia.fernandez@example.es"
    rate_name = "Afinación de concierto"
    # 95 € + 21 % VAT (19,95 €).
    total, cents = "114.95", 11495

    # A brand-new technician has earned nothing this month.
    page.goto("/")
    revenue = page.get_by_test_id("metric-revenue")
    expect(revenue).to_have_text(money("0"))

    fill_business_info(page)
    create_client(page, client_name, email=client_email, phone="612345678", city="Sevilla")
    create_rate(page, rate_name, "95")

    # A quote for the client, its line from the rate: totals live.
    quote_path = new_document(page, "presupuestos", "quote", "lucia", client_name)
    expect(status(page)).to_have_text("Borrador")
    page.get_by_test_id("line-add-rate").click()
    page.get_by_role("option", name=re.compile("^" + re.escape(rate_name))).click()
    expect(page.get_by_test_id("line-description")).to_have_value(rate_name)
    expect(page.get_by_test_id("line-unit_price")).to_have_value("95")
    expect(page.get_by_test_id("line-total")).to_have_text(money(total))
    expect(page.get_by_test_id("doc-subtotal")).to_have_text(money("95"))
    expect(page.get_by_test_id("doc-tax")).to_have_text(money("19.95"))
    expect(page.get_by_test_id("doc-total")).to_have_text(money(total))

    # Sent (saved first, numbered), then accepted, then converted once.
    page.get_by_test_id("quote-send").click()
    expect(toast(page, "Presupuesto enviado")).to_be_visible()
    expect(status(page)).to_have_text("Enviado")
    expect(page.get_by_test_id("quote-number")).not_to_have_text("Borrador")
    expect(page.get_by_test_id("line-view")).to_have_count(1)
    expect(page.get_by_test_id("line-view")).to_contain_text(rate_name)
    page.get_by_test_id("quote-accept").click()
    expect(toast(page, "Presupuesto aceptado")).to_be_visible()
    expect(status(page)).to_have_text("Aceptado")
    page.get_by_test_id("quote-convert").click()
    page.get_by_test_id("quote-convert-confirm").click()

    # The invoice's draft, with the quote's line.
    expect(page).to_have_url(INVOICE_URL)
    invoice_id = int(INVOICE_URL.search(page.url).group(1))
    invoice_path = f"/facturas/{invoice_id}"
    expect(status(page)).to_have_text("Borrador")
    expect(page.get_by_test_id("business-required")).to_have_count(0)
    expect(page.get_by_test_id("line-description")).to_have_value(rate_name)
    expect(page.get_by_test_id("doc-total")).to_have_text(money(total))

    # Issued (sent): a number and the public payment link.
    page.get_by_test_id("invoice-issue").click()
    page.get_by_test_id("invoice-issue-confirm").click()
    expect(toast(page, re.compile(r"Factura .+ emitida"))).to_be_visible()
    expect(status(page)).to_have_text("Enviada")
    number = page.get_by_test_id("invoice-number")
    expect(number).not_to_have_text("Borrador")
    invoice_number = number.inner_text().strip()
    link = page.get_by_test_id("payment-url")
    expect(link).to_have_text(re.compile(re.escape(live_app.url) + r"/pagar/[\w-]{20,}$"))
    payment_url = link.inner_text().strip()
    expect(page.get_by_test_id("doc-total")).to_have_text(money(total))

    # The client opens the link on a phone, without any session.
    payer_context = browser.new_context(
        viewport=PHONE_VIEWPORT, base_url=live_app.url, is_mobile=True, has_touch=True
    )
    try:
        payer = payer_context.new_page()
        payer.set_default_timeout(15_000)
        payer.goto(payment_url)
        expect(payer.get_by_test_id("pay-invoice")).to_be_visible()
        expect(payer.get_by_test_id("pay-issuer")).to_have_text(BUSINESS["business_name"])
        expect(payer.get_by_test_id("pay-number")).to_have_text(invoice_number)
        expect(payer.get_by_test_id("pay-client")).to_have_text(client_name)
        expect(payer.get_by_test_id("pay-status")).to_have_text("Pendiente de pago")
        expect(payer.get_by_test_id("pay-total")).to_have_text(money(total))
        expect(payer.get_by_test_id("pay-button")).to_have_text(f"Pagar {money(total)}")

        # "Pagar" → Stripe Checkout (the fake) for the exact total.
        checkout = open_checkout(payer, fake_stripe)
        expect(checkout.get_by_test_id("checkout-amount")).to_have_text(f"{cents} eur")

        invoice = load_invoice(live_app.database_url, invoice_id)
        assert invoice.number == invoice_number
        assert invoice.total == Decimal(total)
        requests = fake_stripe.checkout_requests(invoice_id)
        assert len(requests) == 1
        sent = requests[0]
        assert sent.headers["authorization"] == f"Bearer {STRIPE_KEY}"
        assert sent.headers["idempotency-key"].startswith("pe-checkout-")
        form = sent.form
        assert form["mode"] == "payment"
        assert form["line_items[0][quantity]"] == "1"
        assert form["line_items[0][price_data][unit_amount]"] == str(cents)
        assert form["line_items[0][price_data][currency]"] == "eur"
        assert form["line_items[0][price_data][product_data][name]"] == (
            f"Factura {invoice_number}"
        )
        assert form["metadata[invoice_id]"] == str(invoice_id)
        assert form["metadata[invoice_number]"] == invoice_number
        assert form["metadata[technician_id]"] == str(invoice.technician_id)
        assert form["client_reference_id"] == str(invoice_id)
        assert form["customer_email"] == client_email
        assert form["success_url"] == f"{payment_url}/ok?session_id={{CHECKOUT_SESSION_ID}}"
        assert form["cancel_url"] == f"{payment_url}/cancelado"
        assert form["locale"] == "es"

        # Stripe calls the webhook: a forged signature changes nothing…
        event = checkout_event(invoice, amount=cents, payment_intent="pi_3BrowserTest0001")
        forged = post_webhook(live_app, event, secret="whsec_" + "0" * 32)
        assert forged.status_code == 400, forged.text
        assert load_invoice(live_app.database_url, invoice_id).status == "sent"
        # …the signed one pays the invoice, once.
        answer = post_webhook(live_app, event)
        assert answer.status_code == 200, answer.text
        assert answer.json()["outcome"] == "paid"
        again = post_webhook(live_app, event)
        assert again.status_code == 200, again.text
        assert again.json()["outcome"] == "duplicate"

        # Back from Checkout: the payment is received.
        checkout.get_by_test_id("checkout-pay").click()
        expect(checkout).to_have_url(re.compile(re.escape(payment_url) + r"/ok\?session_id="))
        received = checkout.get_by_test_id("pay-received")
        expect(received).to_be_visible()
        expect(received).to_contain_text("Pago recibido")
        expect(received).to_contain_text(f"La factura {invoice_number} está pagada")

        # The public link now says it is paid, with no button.
        payer.goto(payment_url)
        expect(payer.get_by_test_id("pay-status")).to_have_text("Pagada")
        expect(payer.get_by_test_id("pay-paid-on")).to_contain_text(
            f"Pagada el {format_date(local_today())}"
        )
        expect(payer.get_by_test_id("pay-button")).to_have_count(0)
    finally:
        payer_context.close()

    # The technician's invoice is "Pagada", by card through Stripe.
    page.goto(invoice_path)
    expect(status(page)).to_have_text("Pagada")
    paid = page.get_by_test_id("invoice-paid-info")
    expect(paid).to_contain_text(format_date(local_today()))
    expect(paid).to_contain_text("Tarjeta (Stripe)")
    expect(paid).to_contain_text("pi_3BrowserTest0001")
    expect(page.get_by_test_id("payment-url")).to_have_count(0)
    paid_invoice = load_invoice(live_app.database_url, invoice_id)
    assert paid_invoice.payment_method == "stripe"
    assert paid_invoice.payment_flag == ""

    # The quote leads to its invoice; the list counts it as collected.
    page.goto(quote_path)
    expect(status(page)).to_have_text("Convertido")
    expect(page.get_by_test_id("quote-invoice-link")).to_have_attribute("href", invoice_path)
    page.goto("/facturas")
    wait_for_list(page)
    expect(page.get_by_test_id("total-total_collected")).to_contain_text(money(total))

    # The dashboard: this month's revenue grew by the payment.
    page.goto("/")
    expect(revenue).to_have_text(money(total))


def test_bad_line_message_and_clients_csv_export(signed_in_page):
    page = signed_in_page
    client_name = "Íñigo Sáez Martínez"
    create_client(page, client_name, phone="698765432", city="Bilbao")

    # A draft invoice: a negative price is refused with the row's message.
    new_document(page, "facturas", "invoice", "inigo", client_name)
    expect(status(page)).to_have_text("Borrador")
    page.get_by_test_id("line-add").click()
    row = page.get_by_test_id("line-row").last
    row.get_by_test_id("line-description").fill("Cambio de cuerdas")
    row.get_by_test_id("line-unit_price").fill("-20")
    expect(row.get_by_test_id("line-total")).to_have_text("—")
    page.get_by_test_id("invoice-save").click()
    expect(row.get_by_test_id("line-error")).to_have_text("El importe no puede ser negativo.")
    expect(toast(page, "El importe no puede ser negativo.")).to_be_visible()
    expect(status(page)).to_have_text("Borrador")
    # Corrected: the message goes and the line counts.
    row.get_by_test_id("line-unit_price").fill("20")
    expect(row.get_by_test_id("line-error")).to_have_count(0)
    expect(row.get_by_test_id("line-total")).to_have_text(money("24.20"))
    expect(page.get_by_test_id("doc-total")).to_have_text(money("24.20"))
    page.get_by_test_id("invoice-save").click()
    expect(toast(page, "Borrador guardado")).to_be_visible()

    # Clientes → CSV: a file with the client in it.
    page.goto("/clientes")
    wait_for_list(page)
    with page.expect_download() as download_info:
        page.get_by_test_id("export-csv").click()
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename.endswith(".csv")
    text = Path(download.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) >= 2, text
    assert any(client_name in cells for cells in rows[1:]), text


def test_phone_quote_list_shows_cards(signed_in_phone_page):
    page = signed_in_phone_page
    client_name = "Carmen Ruiz Peña"
    create_client(page, client_name, phone="612345678")
    quote_path = new_document(page, "presupuestos", "quote", "carmen", client_name)
    page.get_by_test_id("line-add").click()
    row = page.get_by_test_id("line-row").last
    row.get_by_test_id("line-description").fill("Regulación completa")
    row.get_by_test_id("line-unit_price").fill("200")
    expect(page.get_by_test_id("doc-total")).to_have_text(money("242"))
    page.get_by_test_id("quote-save").click()
    expect(toast(page, "Borrador guardado")).to_be_visible()

    page.goto("/presupuestos")
    wait_for_list(page)
    card = page.get_by_test_id("quote-card").filter(has_text=client_name)
    expect(card).to_have_count(1)
    expect(card).to_be_visible()
    expect(card).to_contain_text(money("242"))
    expect(card).to_contain_text("Borrador")
    expect(page.get_by_test_id("quote-row").first).to_be_hidden()
    card.get_by_test_id("quote-link").click()
    expect(page).to_have_url(re.compile(re.escape(quote_path) + "$"))
