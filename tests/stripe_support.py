"""What the Stripe tests share: a real local HTTP server standing in for
Stripe's API (it records each form-encoded request and answers with a
Checkout Session, or with the queued error statuses), Stripe-signed webhook
payloads, and an issued invoice."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from sqlmodel import Session

from piano_emotion.domain import invoices
from piano_emotion.domain.invoices import InvoiceInput
from piano_emotion.models import Invoice, User
from tests.domain.billing_support import add_client, complete_business_info, line

STRIPE_KEY = "sk_test_" + "a1" * 12
WEBHOOK_SECRET = "whsec_" + "b2" * 16
APP_URL = "https://pianos.example.es"


@dataclass
class StripeRequest:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]


@dataclass
class LocalStripeServer:
    """``POST /v1/checkout/sessions`` on 127.0.0.1: answers 200 with a
    Checkout Session (``url`` ``https://checkout.stripe.com/c/pay/cs_test_N``)
    or the next queued status with a Stripe error body."""

    statuses: list[int] = field(default_factory=list)
    received: list[StripeRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        outer = self
        counter = itertools.count(1)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                outer.received.append(
                    StripeRequest(
                        "POST",
                        self.path,
                        {k.lower(): v for k, v in self.headers.items()},
                        dict(parse_qsl(body, keep_blank_values=True)),
                    )
                )
                status = outer.statuses.pop(0) if outer.statuses else 200
                if status == 200:
                    n = next(counter)
                    answer = {
                        "id": f"cs_test_{n}",
                        "object": "checkout.session",
                        "url": f"https://checkout.stripe.com/c/pay/cs_test_{n}",
                        "payment_status": "unpaid",
                    }
                else:
                    answer = {"error": {"type": "api_error", "message": "Stripe is down"}}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", f"req_{secrets.token_hex(6)}")
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> LocalStripeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)


def stripe_env(monkeypatch, **extra: str) -> None:
    """Stripe on (test keys, ``APP_URL``) for ``get_settings()``."""
    from piano_emotion.settings import reset_settings_cache

    values = {
        "STRIPE_SECRET_KEY": STRIPE_KEY,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY": "pk_test_" + "c3" * 12,
        "STRIPE_API_BASE": "",
        "APP_URL": APP_URL,
        **extra,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    reset_settings_cache()


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """A ``Stripe-Signature`` header, computed as Stripe does."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def checkout_event(
    invoice: Invoice,
    *,
    event_type: str = "checkout.session.completed",
    event_id: str | None = None,
    amount: int | None = None,
    currency: str = "eur",
    payment_status: str = "paid",
    payment_intent: str = "pi_3TestPaymentIntent",
    metadata: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A Checkout Session event for ``invoice``, shaped as Stripe sends it."""
    total = int((invoice.total * 100).to_integral_value())
    return {
        "id": event_id or f"evt_{secrets.token_hex(12)}",
        "object": "event",
        "api_version": "2024-06-20",
        "created": int(time.time()),
        "livemode": False,
        "type": event_type,
        "data": {
            "object": {
                "id": f"cs_test_{secrets.token_hex(8)}",
                "object": "checkout.session",
                "mode": "payment",
                "amount_total": total if amount is None else amount,
                "currency": currency,
                "payment_status": payment_status,
                "payment_intent": payment_intent,
                "client_reference_id": str(invoice.id),
                "metadata": (
                    metadata
                    if metadata is not None
                    else {
                        "invoice_id": str(invoice.id),
                        "invoice_number": invoice.number or "",
                        "technician_id": str(invoice.technician_id),
                    }
                ),
            }
        },
    }


def payload_of(event: dict[str, Any]) -> bytes:
    return json.dumps(event, separators=(",", ":")).encode()


def issued_invoice(
    session: Session,
    user: User,
    *,
    price: str = "100",
    email: str = "lucia@example.es",
    client_name: str = "Lucía Fernández",
) -> Invoice:
    """A sent invoice (one line of ``price`` + 21 % VAT) with business info."""
    complete_business_info(session, user)
    client = add_client(session, user, client_name, email=email)
    draft = invoices.create_invoice(
        session, user, InvoiceInput(client_id=client.id, lines=[line(price=price)])
    )
    session.commit()
    invoices.issue_invoice(session, user, draft.id)
    session.commit()
    session.expire_all()
    return session.get(Invoice, draft.id)
