"""The public payment page's state (``PayState``): handlers called directly,
the database real (SQLite and MariaDB), Stripe a real local HTTP server."""

from __future__ import annotations

import pytest
from reflex_base.event import EventSpec

from piano_emotion.billing import stripe_payments as sp
from piano_emotion.domain import invoices
from piano_emotion.models import Invoice
from piano_emotion.models.enums import InvoiceStatus
from piano_emotion.settings import get_settings
from piano_emotion.ui import routes
from piano_emotion.ui.i18n import translate
from piano_emotion.ui.state.pay import PayState, pay_token_from_path
from tests.stripe_support import (
    LocalStripeServer,
    checkout_event,
    issued_invoice,
    payload_of,
    sign,
    stripe_env,
)
from tests.ui_states import (
    fetch,
    handle,
    in_a_fresh_interpreter,
    make_state,
    redirect_path,
    set_language,
    toasts,
)

NBSP = "\u00a0"


@pytest.fixture
def stripe_on(configured_app_settings, monkeypatch):
    stripe_env(monkeypatch)
    return get_settings()


@pytest.fixture
def invoice(session, technician) -> Invoice:
    return issued_invoice(session, technician)  # 100 € + 21 % = 121,00 €


def page(path: str, lang: str = "es") -> PayState:
    state = make_state(PayState, path)
    set_language(state, lang)
    handle(PayState.load)(state)
    return state


def click_pay(state: PayState) -> list:
    return [event for event in PayState.pay.fn(state) if event is not None]


def is_external_redirect(events) -> bool:
    for event in events:
        if isinstance(event, EventSpec) and event.handler.fn.__qualname__ == "_redirect":
            args = {name._js_expr: value._var_value for name, value in event.args}
            return bool(args.get("external"))
    return False


def test_the_token_is_read_from_each_pay_address():
    assert pay_token_from_path("/pagar/abc_DEF-1") == "abc_DEF-1"
    assert pay_token_from_path("/pagar/abc/ok") == "abc"
    assert pay_token_from_path("/pagar/abc/cancelado/") == "abc"
    assert pay_token_from_path("/facturas/3") == ""
    assert pay_token_from_path("/pagar") == ""


PAGES_SCRIPT = """
import json
from piano_emotion.ui.pages import pay
from piano_emotion.ui.components.layout import PAGES
from piano_emotion.ui.state.auth import checks_session
from piano_emotion.ui.state.pay import PayState
found = {}
for spec in PAGES:
    events = spec.on_load if isinstance(spec.on_load, list) else [spec.on_load]
    if spec.route.startswith("/pagar/"):
        found[spec.route] = {
            "load": PayState.load in events,
            "session_check": any(checks_session(event) for event in events),
            "events": len(events),
            "component": spec.component.__name__,
            "module": spec.component.__module__,
        }
print(json.dumps(found))
"""


def test_the_pay_pages_are_public():
    # In a fresh interpreter: importing every page here would register every
    # page state in this test process.
    found = in_a_fresh_interpreter(PAGES_SCRIPT)
    assert found == {
        route: {
            "load": True,
            "session_check": False,
            "events": 1,
            "component": component,
            "module": "piano_emotion.ui.pages.pay",
        }
        for route, component in (
            (routes.PAY, "pay_page"),
            (routes.PAY_OK, "pay_ok_page"),
            (routes.PAY_CANCELLED, "pay_cancelled_page"),
        )
    }
    for route in found:
        assert routes.is_public_path(route.replace("[pay_token]", "x"))
    assert not routes.is_public_path("/facturas")


def test_an_unknown_token_says_the_link_is_not_valid(stripe_on, invoice):
    for path in ("/pagar/no-such-token", "/pagar/" + "x" * 200, "/pagar/no-such-token/ok"):
        state = page(path)
        assert state.loaded and not state.found
        assert state.doc == {} and state.lines == [] and not state.can_pay
    events = click_pay(page("/pagar/no-such-token"))
    assert toasts(events) == [("error", translate("pay.invalid_title"))]


def test_a_sent_invoice_is_shown_with_its_totals(stripe_on, invoice):
    state = page(f"/pagar/{invoice.payment_token}")

    assert state.found and state.status == "sent" and not state.paid
    assert state.can_pay
    assert state.doc["number"] == invoice.number
    assert state.doc["issuer_name"] == "Pianos Ana SL"
    assert state.doc["client_name"] == "Lucía Fernández"
    assert state.doc["issue_date"] == invoice.issue_date.strftime("%d/%m/%Y")
    assert state.doc["due_date"] == invoice.due_date.strftime("%d/%m/%Y")
    assert state.doc["iban"] == "ES91 2100 0418 4502 0005 1332"
    assert state.money == {
        "subtotal": f"100,00{NBSP}€",
        "tax_total": f"21,00{NBSP}€",
        "total": f"121,00{NBSP}€",
    }
    [row] = state.lines
    assert row["description"] == "Afinación" and row["amount"] == f"100,00{NBSP}€"
    assert state.breakdown == [{"label": f"IVA 21{NBSP}%", "tax": f"21,00{NBSP}€"}]
    assert state.pay_label == f"Pagar 121,00{NBSP}€"
    assert invoice.number in state.transfer_note

    # In English the amounts are formatted the English way.
    english = page(f"/pagar/{invoice.payment_token}", "en")
    assert english.money["total"] == "€121.00"
    assert english.pay_label == "Pay €121.00"


def test_the_language_selector_formats_the_invoice_again(stripe_on, invoice):
    """The page's selector (``PayState.set_language``): the formatted amounts
    and sentences are plain vars, formatted again in the chosen language."""
    state = page(f"/pagar/{invoice.payment_token}")
    spanish = {
        "money": dict(state.money),
        "lines": [dict(line) for line in state.lines],
        "breakdown": [dict(row) for row in state.breakdown],
        "pay_label": state.pay_label,
        "paid_on": state.paid_on,
        "ok_message": state.ok_message,
        "transfer_note": state.transfer_note,
    }

    handle(PayState.set_language)(state, "en")

    assert state.lang == "en"
    assert state.money == {"subtotal": "€100.00", "tax_total": "€21.00", "total": "€121.00"}
    [row] = state.lines
    assert row["amount"] == "€100.00" and row["unit_price"] == "€100.00"
    assert state.breakdown == [{"label": "VAT 21%", "tax": "€21.00"}]
    assert state.pay_label == "Pay €121.00"
    assert state.ok_message == translate("pay.ok_body", "en", number=invoice.number)
    assert state.transfer_note == translate(
        "pay.transfer", "en", iban=state.doc["iban"], number=invoice.number
    )
    assert state.transfer_note != spanish["transfer_note"]

    # An unknown language changes nothing; back in Spanish, the Spanish texts again.
    handle(PayState.set_language)(state, "de")
    assert state.lang == "en" and state.money["total"] == "€121.00"
    handle(PayState.set_language)(state, "es")
    assert state.lang == "es"
    assert state.money["total"] == f"121,00{NBSP}€"
    assert {
        "money": state.money,
        "lines": state.lines,
        "breakdown": state.breakdown,
        "pay_label": state.pay_label,
        "paid_on": state.paid_on,
        "ok_message": state.ok_message,
        "transfer_note": state.transfer_note,
    } == spanish


def test_thousands_follow_the_language(stripe_on, session, technician):
    """``1.234,56 €`` in Spanish, ``€1,234.56`` in English."""
    invoice = issued_invoice(session, technician, price="1020.30")  # + 214,26 € of VAT
    state = page(f"/pagar/{invoice.payment_token}")
    assert state.money["total"] == f"1.234,56{NBSP}€"
    assert state.pay_label == f"Pagar 1.234,56{NBSP}€"
    handle(PayState.set_language)(state, "en")
    assert state.money["total"] == "€1,234.56"
    assert state.pay_label == "Pay €1,234.56"
    handle(PayState.set_language)(state, "es")
    assert state.money == {
        "subtotal": f"1.020,30{NBSP}€",
        "tax_total": f"214,26{NBSP}€",
        "total": f"1.234,56{NBSP}€",
    }


def test_a_paid_invoice_shows_when_it_was_paid_and_no_button(stripe_on, session, invoice):
    invoices.record_online_payment(
        session, invoice_id=invoice.id, amount_cents=12100, currency="eur", reference="pi_1"
    )
    session.commit()
    state = page(f"/pagar/{invoice.payment_token}")
    paid = fetch(session.get_bind(), Invoice, invoice.id)
    assert state.found and state.paid and not state.can_pay
    assert state.paid_on == f"Pagada el {paid.paid_date.strftime('%d/%m/%Y')}"
    with LocalStripeServer() as stripe_api:
        events = click_pay(state)
    assert toasts(events) == [("info", translate("pay.error.already_paid"))]
    assert stripe_api.received == []


def test_a_cancelled_invoice_link_is_no_longer_valid(stripe_on, session, technician, invoice):
    invoices.cancel_invoice(session, technician, invoice.id)
    session.commit()
    state = page(f"/pagar/{invoice.payment_token}")
    assert state.loaded and not state.found


def test_pay_redirects_to_the_checkout_url_stripe_gave(
    configured_app_settings, monkeypatch, session, invoice
):
    with LocalStripeServer() as stripe_api:
        stripe_env(monkeypatch, STRIPE_API_BASE=stripe_api.url)
        state = page(f"/pagar/{invoice.payment_token}", lang="en")
        events = click_pay(state)

    assert redirect_path(events) == "https://checkout.stripe.com/c/pay/cs_test_1"
    # Same tab (window.location.assign for another host), never a popup.
    assert not is_external_redirect(events)
    assert not state.paying
    [request] = stripe_api.received
    assert request.form["line_items[0][price_data][unit_amount]"] == "12100"
    assert request.form["metadata[invoice_number]"] == invoice.number
    assert request.form["locale"] == "en"
    # Starting a payment changes nothing: only the webhook marks it paid.
    assert fetch(session.get_bind(), Invoice, invoice.id).status == InvoiceStatus.SENT


def test_a_stripe_error_is_a_clear_toast_and_nothing_changes(
    configured_app_settings, monkeypatch, session, invoice
):
    with LocalStripeServer(statuses=[500, 500]) as stripe_api:
        stripe_env(monkeypatch, STRIPE_API_BASE=stripe_api.url)
        state = page(f"/pagar/{invoice.payment_token}")
        events = click_pay(state)
    assert toasts(events) == [("error", translate("pay.error.stripe"))]
    assert not any(
        isinstance(e, EventSpec) and e.handler.fn.__qualname__ == "_redirect" for e in events
    )
    assert not state.paying and state.can_pay
    stored = fetch(session.get_bind(), Invoice, invoice.id)
    assert stored.status == InvoiceStatus.SENT and stored.payment_flag == ""


def test_without_stripe_there_is_no_pay_button(configured_app_settings, monkeypatch, invoice):
    stripe_env(monkeypatch, STRIPE_SECRET_KEY="")
    state = page(f"/pagar/{invoice.payment_token}")
    assert state.found and not state.stripe_on and not state.can_pay
    assert state.money["total"] == f"121,00{NBSP}€"  # the invoice is still shown
    events = click_pay(state)
    assert toasts(events) == [("error", translate("pay.error.unavailable"))]


def test_the_ok_page_confirms_once_the_webhook_has_arrived(stripe_on, engine, invoice):
    path = f"/pagar/{invoice.payment_token}/ok"
    state = page(path)
    assert state.found and not state.paid  # "Estamos confirmando tu pago"
    assert state.invoice_path == f"/pagar/{invoice.payment_token}"

    payload = payload_of(checkout_event(invoice))
    result = sp.handle_webhook(stripe_on, payload, sign(payload), engine=engine)
    assert result.outcome == "paid"

    handle(PayState.load)(state)  # "Comprobar de nuevo"
    assert state.paid
    assert state.ok_message == f"Gracias. La factura {invoice.number} está pagada."


def test_the_cancel_page_links_back_to_the_invoice(stripe_on, invoice):
    state = page(f"/pagar/{invoice.payment_token}/cancelado")
    assert state.found and state.can_pay
    assert state.invoice_path == routes.pay_page(invoice.payment_token)
