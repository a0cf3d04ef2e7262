"""Stripe payments (issue #7): the payment link, Checkout Session creation
against a real local HTTP server, and ``POST /api/stripe/webhook`` through
the real Starlette stack with payloads signed as Stripe signs them, on
SQLite and MariaDB."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import Session
from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient

from piano_emotion.api import build_api
from piano_emotion.billing import stripe_payments as sp
from piano_emotion.domain import invoices
from piano_emotion.domain.invoices import InvoiceInput, PaymentInput
from piano_emotion.models import Invoice, StripeEvent
from piano_emotion.models.enums import InvoiceStatus, PaymentMethod
from piano_emotion.settings import get_settings, load_settings
from tests.domain.billing_support import TODAY, line
from tests.stripe_support import (
    APP_URL,
    STRIPE_KEY,
    WEBHOOK_SECRET,
    LocalStripeServer,
    checkout_event,
    issued_invoice,
    payload_of,
    sign,
    stripe_env,
)
from tests.ui_states import count, fetch, rows

WEBHOOK = "/api/stripe/webhook"


@pytest.fixture
def stripe_on(configured_app_settings, monkeypatch):
    stripe_env(monkeypatch)
    return get_settings()


@pytest.fixture
def api():
    with TestClient(build_api(PlainTextResponse("reflex app"))) as client:
        yield client


@pytest.fixture
def invoice(session, technician) -> Invoice:
    return issued_invoice(session, technician)  # 100 € + 21 % = 121,00 €


def post(api, event=None, *, body: bytes | None = None, **signing):
    payload = body if body is not None else payload_of(event)
    headers = {"Content-Type": "application/json"}
    if signing.pop("header", True):
        headers["Stripe-Signature"] = sign(payload, **signing)
    return api.post(WEBHOOK, content=payload, headers=headers)


def unchanged(engine, before: Invoice) -> None:
    after = fetch(engine, Invoice, before.id)
    assert after.status == InvoiceStatus.SENT
    assert after.paid_date is None and after.payment_method is None
    assert after.payment_reference == "" and after.payment_flag == ""
    assert after.updated_at == before.updated_at


# -- the payment link -------------------------------------------------------------------
def test_payment_url_only_for_a_sent_invoice_with_stripe_on(session, technician, invoice):
    on = load_settings({"STRIPE_SECRET_KEY": STRIPE_KEY, "APP_URL": APP_URL + "/"})
    off = load_settings({"APP_URL": APP_URL})
    assert sp.payment_url(on, invoice) == f"{APP_URL}/pagar/{invoice.payment_token}"
    assert len(invoice.payment_token) >= 40  # 32 random bytes, url-safe
    assert sp.payment_url(off, invoice) is None
    detail = invoices.get_invoice(session, technician, invoice.id)
    assert sp.payment_url(on, detail) == f"{APP_URL}/pagar/{invoice.payment_token}"
    draft = invoices.create_invoice(
        session, technician, InvoiceInput(client_id=invoice.client_id, lines=[line()])
    )
    session.commit()
    assert sp.payment_url(on, draft) is None
    invoices.mark_invoice_paid(
        session,
        technician,
        invoice.id,
        PaymentInput(paid_date=TODAY, payment_method="transfer", reference="TR"),
    )
    session.commit()
    assert sp.payment_url(on, session.get(Invoice, invoice.id)) is None


# -- webhook: paying ------------------------------------------------------------------
def test_a_signed_completed_checkout_marks_the_invoice_paid(
    stripe_on, api, engine, session, technician, invoice
):
    # The technician's cached detail says "sent" before the webhook arrives.
    assert invoices.get_invoice(session, technician, invoice.id)["status"] == "sent"
    event = checkout_event(invoice, payment_intent="pi_3PagoReal")

    response = post(api, event)

    assert response.status_code == 200, response.text
    assert response.json()["outcome"] == "paid"
    paid = fetch(engine, Invoice, invoice.id)
    assert paid.status == InvoiceStatus.PAID
    assert paid.payment_method == PaymentMethod.STRIPE
    assert paid.payment_reference == "pi_3PagoReal"
    assert paid.paid_date == max(TODAY, paid.issue_date)
    [stored] = rows(engine, StripeEvent)
    assert (stored.event_id, stored.invoice_id, stored.outcome) == (event["id"], invoice.id, "paid")
    with Session(engine) as fresh:  # the technician's next read: the cache was invalidated
        assert invoices.get_invoice(fresh, technician, invoice.id)["status"] == "paid"


def test_the_same_event_posted_ten_times_has_one_effect(stripe_on, api, engine, invoice):
    event = checkout_event(invoice, payment_intent="pi_once")
    outcomes = [post(api, event).json()["outcome"] for _ in range(10)]
    assert outcomes == ["paid"] + ["duplicate"] * 9
    assert count(engine, StripeEvent) == 1
    paid = fetch(engine, Invoice, invoice.id)
    assert paid.status == InvoiceStatus.PAID and paid.payment_reference == "pi_once"


def test_the_same_event_delivered_ten_times_at_once_has_one_effect(stripe_on, engine, invoice):
    payload = payload_of(checkout_event(invoice))
    signature = sign(payload)
    barrier = threading.Barrier(10)

    def deliver(_):
        barrier.wait()
        return sp.handle_webhook(stripe_on, payload, signature, engine=engine)

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(deliver, range(10)))

    assert all(r.status_code == 200 for r in results), results
    assert sorted(r.outcome for r in results) == ["duplicate"] * 9 + ["paid"]
    assert count(engine, StripeEvent) == 1
    assert fetch(engine, Invoice, invoice.id).status == InvoiceStatus.PAID


def test_ten_different_events_for_one_invoice_pay_it_once(stripe_on, api, engine, invoice):
    events = [checkout_event(invoice, payment_intent=f"pi_{n}") for n in range(10)]
    events[3]["type"] = "checkout.session.async_payment_succeeded"
    outcomes = [post(api, event).json()["outcome"] for event in events]
    assert outcomes == ["paid"] + ["already_paid"] * 9
    assert count(engine, StripeEvent) == 10
    paid = fetch(engine, Invoice, invoice.id)
    assert paid.status == InvoiceStatus.PAID and paid.payment_reference == "pi_0"


def test_different_events_for_one_invoice_at_once_pay_it_once(stripe_on, engine, invoice):
    payloads = [payload_of(checkout_event(invoice, payment_intent=f"pi_{n}")) for n in range(8)]
    barrier = threading.Barrier(len(payloads))

    def deliver(payload):
        barrier.wait()
        return sp.handle_webhook(stripe_on, payload, sign(payload), engine=engine)

    with ThreadPoolExecutor(max_workers=len(payloads)) as pool:
        results = list(pool.map(deliver, payloads))

    assert sorted(r.outcome for r in results) == ["already_paid"] * 7 + ["paid"]
    assert count(engine, StripeEvent) == 8
    assert fetch(engine, Invoice, invoice.id).status == InvoiceStatus.PAID


# -- webhook: refusals -------------------------------------------------------------------
@pytest.mark.parametrize(
    "signing",
    [
        {"header": False},
        {"secret": "whsec_" + "f0" * 16},  # another endpoint's secret
        {"timestamp": int(time.time()) - 3600},  # stale: a replay of an old delivery
    ],
    ids=["missing-header", "wrong-secret", "stale"],
)
def test_a_bad_or_missing_signature_is_400_and_changes_nothing(
    stripe_on, api, engine, invoice, signing
):
    response = post(api, checkout_event(invoice), **signing)
    assert response.status_code == 400
    assert response.json()["error"] == "bad_signature"
    unchanged(engine, invoice)
    assert count(engine, StripeEvent) == 0


def test_a_tampered_payload_or_garbage_header_is_400(stripe_on, api, engine, invoice):
    event = checkout_event(invoice, amount=1)
    payload = payload_of(event)
    signature = sign(payload)
    tampered = payload.replace(b'"amount_total":1', b'"amount_total":12100')
    for headers in (
        {"Stripe-Signature": signature},
        {"Stripe-Signature": "t=abc,v1=zz"},
        {"Stripe-Signature": ""},
    ):
        response = api.post(WEBHOOK, content=tampered, headers=headers)
        assert response.status_code == 400, headers
    unchanged(engine, invoice)
    assert count(engine, StripeEvent) == 0


@pytest.mark.parametrize("body", [b"not json at all", b"[]", b'"text"', b"\xff\xfe"])
def test_a_signed_payload_that_is_not_a_json_object_is_400(stripe_on, api, engine, body):
    response = post(api, body=body)
    assert response.status_code == 400
    assert response.json()["error"] == "bad_payload"
    assert count(engine, StripeEvent) == 0


def test_a_signed_event_of_an_odd_shape_is_acknowledged_and_ignored(stripe_on, api, engine):
    completed = sp.COMPLETED
    for event in (
        {"id": "evt_1", "type": completed, "data": {"object": "cs_1"}},
        {"id": "evt_2", "type": completed},
        {"type": completed, "data": {"object": {"metadata": {}}}},
        {},
    ):
        response = post(api, event)
        assert response.status_code == 200 and response.json()["outcome"] == "ignored"
    assert count(engine, StripeEvent) == 0


def test_an_unknown_invoice_is_200_logged_and_nothing_changes(
    stripe_on, api, engine, invoice, caplog
):
    ghost = checkout_event(invoice)
    ghost["data"]["object"]["metadata"]["invoice_id"] = "987654321"
    ghost["data"]["object"]["client_reference_id"] = "987654321"
    # Same id, but another installation's invoice (number and technician differ).
    other = checkout_event(
        invoice,
        metadata={
            "invoice_id": str(invoice.id),
            "invoice_number": "F-1999-0042",
            "technician_id": str(invoice.technician_id),
        },
    )
    none = checkout_event(invoice, metadata={})
    none["data"]["object"]["client_reference_id"] = None
    with caplog.at_level("WARNING", logger="piano_emotion.billing.stripe_payments"):
        for event in (ghost, other, none):
            response = post(api, event)
            assert response.status_code == 200
            assert response.json()["outcome"] == "unknown"
    assert "unknown invoice" in caplog.text
    unchanged(engine, invoice)
    assert {e.outcome for e in rows(engine, StripeEvent)} == {"unknown"}


def test_an_amount_that_does_not_match_is_flagged_not_paid(stripe_on, api, engine, invoice):
    response = post(api, checkout_event(invoice, amount=100, payment_intent="pi_short"))
    assert response.status_code == 200
    assert response.json()["outcome"] == "flagged_amount"
    flagged = fetch(engine, Invoice, invoice.id)
    assert flagged.status == InvoiceStatus.SENT and flagged.paid_date is None
    assert "amount" in flagged.payment_flag and "pi_short" in flagged.payment_flag
    assert "12100" in flagged.payment_flag

    other_currency = post(api, checkout_event(invoice, currency="usd"))
    assert other_currency.json()["outcome"] == "flagged_currency"
    assert fetch(engine, Invoice, invoice.id).status == InvoiceStatus.SENT


def test_a_delayed_payment_waits_and_its_failure_is_flagged(stripe_on, api, engine, invoice):
    pending = post(api, checkout_event(invoice, payment_status="unpaid"))
    assert pending.json()["outcome"] == "awaiting_payment"
    assert fetch(engine, Invoice, invoice.id).status == InvoiceStatus.SENT

    failed = post(
        api,
        checkout_event(
            invoice,
            event_type="checkout.session.async_payment_failed",
            payment_status="unpaid",
            payment_intent="pi_sepa_failed",
        ),
    )
    assert failed.status_code == 200 and failed.json()["outcome"] == "payment_failed"
    after = fetch(engine, Invoice, invoice.id)
    assert after.status == InvoiceStatus.SENT and after.paid_date is None
    assert "failed" in after.payment_flag and "pi_sepa_failed" in after.payment_flag

    # The client pays again later, successfully: paid, and the flag is cleared.
    later = post(api, checkout_event(invoice, event_type=sp.ASYNC_SUCCEEDED))
    assert later.json()["outcome"] == "paid"
    paid = fetch(engine, Invoice, invoice.id)
    assert paid.status == InvoiceStatus.PAID and paid.payment_flag == ""


def test_other_event_types_are_acknowledged_and_ignored(stripe_on, api, engine, invoice):
    event = checkout_event(invoice, event_type="payment_intent.succeeded")
    response = post(api, event)
    assert response.status_code == 200 and response.json()["outcome"] == "ignored"
    unchanged(engine, invoice)
    assert count(engine, StripeEvent) == 0


@pytest.mark.parametrize(
    "env",
    [{"STRIPE_SECRET_KEY": ""}, {"STRIPE_WEBHOOK_SECRET": ""}],
    ids=["no-stripe", "no-webhook-secret"],
)
def test_without_stripe_the_webhook_is_503_with_a_clear_message(
    configured_app_settings, monkeypatch, api, engine, invoice, env
):
    stripe_env(monkeypatch, **env)
    response = post(api, checkout_event(invoice))
    assert response.status_code == 503
    body = response.json()
    assert body["error"] == "stripe_disabled"
    assert "STRIPE_WEBHOOK_SECRET" in body["message"]
    unchanged(engine, invoice)
    assert count(engine, StripeEvent) == 0


# -- Checkout Session creation ------------------------------------------------------------
def _payable(session, invoice) -> dict:
    return sp.checkout_invoice(session, invoice.payment_token)


def test_checkout_session_asks_stripe_for_the_exact_amount(session, technician, invoice):
    settings = load_settings({"STRIPE_SECRET_KEY": STRIPE_KEY, "APP_URL": APP_URL})
    with LocalStripeServer() as stripe_api:
        url = sp.create_checkout_session(
            settings, _payable(session, invoice), api_base=stripe_api.url
        )
        again = sp.create_checkout_session(
            settings, _payable(session, invoice), api_base=stripe_api.url
        )

    assert url == "https://checkout.stripe.com/c/pay/cs_test_1"
    assert again.startswith("https://checkout.stripe.com/c/pay/")
    first, second = stripe_api.received
    assert first.path == "/v1/checkout/sessions"
    assert first.headers["authorization"] == f"Bearer {STRIPE_KEY}"
    # A double click sends the same idempotency key: Stripe answers with one session.
    assert first.headers["idempotency-key"] == second.headers["idempotency-key"]
    assert invoice.payment_token not in first.headers["idempotency-key"]
    form = first.form
    token = invoice.payment_token
    assert form["mode"] == "payment"
    assert form["line_items[0][quantity]"] == "1"
    assert form["line_items[0][price_data][unit_amount]"] == "12100"
    assert form["line_items[0][price_data][currency]"] == "eur"
    assert form["line_items[0][price_data][product_data][name]"] == f"Factura {invoice.number}"
    assert form["metadata[invoice_number]"] == invoice.number
    assert form["metadata[invoice_id]"] == str(invoice.id)
    assert form["metadata[technician_id]"] == str(technician.id)
    assert form["client_reference_id"] == str(invoice.id)
    assert form["payment_intent_data[metadata][invoice_number]"] == invoice.number
    assert form["success_url"] == f"{APP_URL}/pagar/{token}/ok?session_id={{CHECKOUT_SESSION_ID}}"
    assert form["cancel_url"] == f"{APP_URL}/pagar/{token}/cancelado"
    assert form["customer_email"] == "lucia@example.es"
    assert form["locale"] == "es"
    assert fetch(session.get_bind(), Invoice, invoice.id).status == InvoiceStatus.SENT


def test_checkout_uses_stripe_api_base_from_the_settings(session, technician):
    invoice = issued_invoice(session, technician, price="19.99", email="")
    with LocalStripeServer() as stripe_api:
        settings = load_settings(
            {"STRIPE_SECRET_KEY": STRIPE_KEY, "STRIPE_API_BASE": stripe_api.url}
        )
        sp.create_checkout_session(settings, _payable(session, invoice), lang="en")
    [request] = stripe_api.received
    assert request.form["line_items[0][price_data][unit_amount]"] == "2419"  # 19,99 × 1,21
    assert request.form["line_items[0][price_data][product_data][name]"].startswith("Invoice ")
    assert request.form["locale"] == "en"
    assert "customer_email" not in request.form


def test_stripe_down_is_a_clear_error_and_nothing_changes(session, technician, invoice):
    settings = load_settings({"STRIPE_SECRET_KEY": STRIPE_KEY})
    payable = _payable(session, invoice)
    with (
        LocalStripeServer(statuses=[500, 500]) as stripe_api,
        pytest.raises(sp.PaymentError) as refused,
    ):
        sp.create_checkout_session(settings, payable, api_base=stripe_api.url)
    assert refused.value.key == "pay.error.stripe"
    assert 1 <= len(stripe_api.received) <= 2  # one retry at most, same idempotency key
    assert len({r.headers["idempotency-key"] for r in stripe_api.received}) == 1
    with Session(session.get_bind()) as fresh:
        stored = fresh.get(Invoice, invoice.id)
        assert stored.status == InvoiceStatus.SENT and stored.payment_flag == ""


def test_stripe_unreachable_is_a_clear_error(session, technician, invoice):
    from tests.monitoring.servers import free_port

    settings = load_settings({"STRIPE_SECRET_KEY": STRIPE_KEY})
    with pytest.raises(sp.PaymentError) as refused:
        sp.create_checkout_session(
            settings, _payable(session, invoice), api_base=f"http://127.0.0.1:{free_port()}"
        )
    assert refused.value.key == "pay.error.stripe"


def test_checkout_refuses_what_cannot_be_paid(session, technician, invoice):
    on = load_settings({"STRIPE_SECRET_KEY": STRIPE_KEY})
    payable = _payable(session, invoice)
    with LocalStripeServer() as stripe_api:
        cases = [
            (load_settings({}), payable, "pay.error.unavailable"),
            (on, {**payable, "status": "paid"}, "pay.error.already_paid"),
            (on, {**payable, "status": "draft"}, "pay.error.not_payable"),
            (on, {**payable, "status": "cancelled"}, "pay.error.not_payable"),
            (on, {**payable, "total_cents": 0}, "pay.error.not_payable"),
            (on, {**payable, "payment_token": ""}, "pay.error.not_payable"),
        ]
        for settings, data, key in cases:
            with pytest.raises(sp.PaymentError) as refused:
                sp.create_checkout_session(settings, data, api_base=stripe_api.url)
            assert refused.value.key == key
    assert stripe_api.received == []


def test_checkout_invoice_is_found_by_token_only_while_sent_or_paid(session, technician, invoice):
    found = sp.checkout_invoice(session, invoice.payment_token)
    assert found["id"] == invoice.id and found["technician_id"] == technician.id
    assert found["total_cents"] == 12100
    assert sp.checkout_invoice(session, "x" * 43) is None
    assert sp.checkout_invoice(session, "") is None
    invoices.cancel_invoice(session, technician, invoice.id)
    session.commit()
    assert sp.checkout_invoice(session, invoice.payment_token) is None


def test_the_webhook_route_is_registered_on_the_app():
    from piano_emotion.ui.routes import API_STRIPE_WEBHOOK

    assert API_STRIPE_WEBHOOK == WEBHOOK
    app = build_api(PlainTextResponse("x"))
    assert any(getattr(r, "path", "") == WEBHOOK for r in app.routes)
    assert WEBHOOK_SECRET.startswith("whsec_")
