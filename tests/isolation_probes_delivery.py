"""Probes of billing.delivery (see tests/isolation.py): technician B mailing
A's invoice or quote gets ``NotFound``, and a real SMTP server on 127.0.0.1
receives nothing."""

from __future__ import annotations

from piano_emotion.billing import delivery
from piano_emotion.settings import load_settings
from tests.isolation import probe
from tests.monitoring.servers import LocalSMTPServer


def _mailing(send, record: str, **extra):
    def call(session, b, a):
        with LocalSMTPServer() as server:
            settings = load_settings(
                {
                    "SMTP_HOST": "127.0.0.1",
                    "SMTP_PORT": str(server.port),
                    "SMTP_FROM": "Pianos B <b@example.es>",
                    "SMTP_STARTTLS": "false",
                    "STRIPE_SECRET_KEY": "sk_test_" + "a1" * 12,
                }
            )
            try:
                return send(session, b, a.ids[record], settings, "es", **extra)
            finally:
                assert server.received == [], "a mail was sent for the other technician"

    return call


probe("delivery.send_invoice_email")(_mailing(delivery.send_invoice_email, "invoice"))
probe("delivery.send_invoice_email")(
    _mailing(delivery.send_invoice_email, "invoice", to="b@example.es")
)
probe("delivery.send_quote_email")(_mailing(delivery.send_quote_email, "quote"))
probe("delivery.send_quote_email")(_mailing(delivery.send_quote_email, "quote", to="b@example.es"))
