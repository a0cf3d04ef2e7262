"""Card payments of sent invoices with Stripe Checkout, and Stripe's webhook.

The flow (issue #7):

1. A sent invoice has a public link, ``{APP_URL}/pagar/<payment_token>``
   (``payment_url``), printed on its PDF and written in its email. The token
   is random and unguessable; the page needs no sign-in.
2. The page's "Pagar" button creates a Checkout Session for the invoice's
   exact total in euros (``create_checkout_session``) and sends the browser
   to Stripe. A double click reuses the same session (idempotency key per
   invoice, amount and language).
3. Stripe calls ``POST /api/stripe/webhook``; ``handle_webhook`` checks the
   ``Stripe-Signature`` header with ``STRIPE_WEBHOOK_SECRET`` and, for a paid
   session, records the payment (``invoices.record_online_payment``: paid
   only when the amount and currency match, flagged otherwise).

Every processed event id is stored (``StripeEvent``, unique) in the same
transaction as its effect, so a replayed event, or one delivered ten times
at once, has one effect: a concurrent delivery of the same event waits on
the unique key and is then refused as a duplicate.

Without ``STRIPE_SECRET_KEY`` there are no payment links, and the webhook
answers 503 (also without ``STRIPE_WEBHOOK_SECRET``). ``STRIPE_API_BASE``
points the Stripe library at another address (stripe-mock, a test server).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import stripe
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from piano_emotion.domain import invoices
from piano_emotion.domain.cached import invalidate_on_commit
from piano_emotion.domain.errors import DomainError
from piano_emotion.domain.validation import email_problem
from piano_emotion.models import Invoice, User
from piano_emotion.models.billing import StripeEvent
from piano_emotion.models.enums import InvoiceStatus
from piano_emotion.settings import Settings
from piano_emotion.ui.i18n import LANGUAGES, translate

log = logging.getLogger(__name__)

PAY_PATH = "/pagar"
CURRENCY = invoices.CURRENCY  # "eur"
# A click waits at most this long for Stripe (one retry, same idempotency key).
STRIPE_TIMEOUT_S = 20
STRIPE_RETRIES = 1

COMPLETED = "checkout.session.completed"
ASYNC_SUCCEEDED = "checkout.session.async_payment_succeeded"
ASYNC_FAILED = "checkout.session.async_payment_failed"
HANDLED_EVENTS = (COMPLETED, ASYNC_SUCCEEDED, ASYNC_FAILED)

# Webhook outcomes besides those of ``invoices.record_online_payment``.
DUPLICATE = "duplicate"
IGNORED = "ignored"
AWAITING_PAYMENT = "awaiting_payment"
PAYMENT_FAILED = "payment_failed"


class PaymentError(DomainError):
    """A payment could not be started; ``key`` is a translation key."""


@dataclass(frozen=True)
class WebhookResult:
    status_code: int
    message: str
    outcome: str = ""

    def as_json(self) -> dict[str, Any]:
        if self.status_code == 200:
            return {"received": True, "outcome": self.outcome, "message": self.message}
        return {"error": self.outcome, "message": self.message}


# -- links --------------------------------------------------------------------
def _field(invoice: Any, name: str) -> Any:
    return invoice.get(name) if isinstance(invoice, dict) else getattr(invoice, name, None)


def _status(invoice: Any) -> str:
    status = _field(invoice, "status")
    return InvoiceStatus(status).value if status else ""


def pay_path(token: str) -> str:
    return f"{PAY_PATH}/{token}"


def payment_url(settings: Settings, invoice: Invoice | dict[str, Any]) -> str | None:
    """``{APP_URL}/pagar/<token>`` for a sent invoice when Stripe is on;
    None without Stripe, for a draft, paid or cancelled invoice, or without
    a token. ``invoice`` is an ``Invoice`` or a dict of ``get_invoice``."""
    token = _field(invoice, "payment_token")
    if not settings.stripe_enabled or not token or _status(invoice) != InvoiceStatus.SENT:
        return None
    return f"{settings.app_url}{pay_path(token)}"


# -- Checkout -----------------------------------------------------------------
def stripe_client(settings: Settings, *, api_base: str | None = None) -> stripe.StripeClient:
    """A client with the secret key; ``api_base`` (or ``STRIPE_API_BASE``)
    replaces Stripe's API address."""
    if not settings.stripe_secret_key:
        raise PaymentError("pay.error.unavailable")
    base = (api_base or settings.stripe_api_base or "").rstrip("/")
    return stripe.StripeClient(
        settings.stripe_secret_key,
        base_addresses={"api": base} if base else None,
        max_network_retries=STRIPE_RETRIES,
        http_client=stripe.RequestsClient(timeout=STRIPE_TIMEOUT_S),
    )


def checkout_invoice(session: Session, token: str | None) -> dict[str, Any] | None:
    """The public page's invoice (``invoice_by_payment_token``) with its
    technician's id, which the Checkout Session's metadata carries."""
    invoice = invoices.invoice_by_payment_token(session, token)
    if invoice is None:
        return None
    technician_id = session.exec(
        select(Invoice.technician_id).where(Invoice.id == invoice["id"])
    ).first()
    return {**invoice, "technician_id": technician_id}


def _metadata(invoice: dict[str, Any]) -> dict[str, str]:
    metadata = {"invoice_id": str(invoice["id"]), "invoice_number": invoice.get("number") or ""}
    if invoice.get("technician_id") is not None:
        metadata["technician_id"] = str(invoice["technician_id"])
    return metadata


def _idempotency_key(token: str, cents: int, lang: str) -> str:
    # The token (random) keeps two installations sharing a Stripe account apart.
    digest = hashlib.sha256(f"{token}|{cents}|{CURRENCY}|{lang}".encode()).hexdigest()
    return f"pe-checkout-{digest[:48]}"


def checkout_params(settings: Settings, invoice: dict[str, Any], lang: str = "es") -> dict:
    """What ``create_checkout_session`` sends to Stripe (refuses an invoice
    that cannot be paid online)."""
    if not settings.stripe_enabled:
        raise PaymentError("pay.error.unavailable")
    status = _status(invoice)
    if status == InvoiceStatus.PAID:
        raise PaymentError("pay.error.already_paid")
    token = invoice.get("payment_token") or ""
    cents = invoice.get("total_cents")
    if status != InvoiceStatus.SENT or not token or not isinstance(cents, int) or cents <= 0:
        raise PaymentError("pay.error.not_payable")
    lang = lang if lang in LANGUAGES else "es"
    number = invoice.get("number") or ""
    metadata = _metadata(invoice)
    base = f"{settings.app_url}{pay_path(token)}"
    issuer = (invoice.get("issuer") or {}).get("name") or ""
    params: dict[str, Any] = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": CURRENCY,
                    "unit_amount": cents,
                    "product_data": {
                        "name": translate("pay.checkout_item", lang, number=number),
                        **({"description": issuer} if issuer else {}),
                    },
                },
            }
        ],
        "metadata": metadata,
        "client_reference_id": str(invoice["id"]),
        "payment_intent_data": {
            "metadata": metadata,
            "description": translate("pay.checkout_item", lang, number=number),
        },
        "success_url": f"{base}/ok?session_id={{CHECKOUT_SESSION_ID}}",
        "cancel_url": f"{base}/cancelado",
        "locale": lang,
    }
    email = ((invoice.get("client_snapshot") or {}).get("email") or "").strip()
    if email and email_problem(email) is None:
        params["customer_email"] = email
    return params


def create_checkout_session(
    settings: Settings,
    invoice: dict[str, Any],
    *,
    lang: str = "es",
    api_base: str | None = None,
) -> str:
    """A Stripe Checkout Session for the invoice's exact total; returns its
    URL. ``invoice`` is ``checkout_invoice``'s dict (or
    ``invoice_by_payment_token``'s). ``PaymentError`` when the invoice cannot
    be paid, Stripe is off, or Stripe refuses or cannot be reached."""
    params = checkout_params(settings, invoice, lang)
    client = stripe_client(settings, api_base=api_base)
    key = _idempotency_key(invoice["payment_token"], invoice["total_cents"], params["locale"])
    try:
        checkout = client.v1.checkout.sessions.create(
            params=params, options={"idempotency_key": key}
        )
    except stripe.StripeError as exc:
        log.warning(
            "Stripe refused the Checkout Session of invoice %s: %s: %s",
            invoice.get("id"),
            type(exc).__name__,
            exc.user_message or exc,
        )
        raise PaymentError("pay.error.stripe") from exc
    url = getattr(checkout, "url", None)
    if not url:
        log.warning("Stripe answered without a Checkout URL for invoice %s", invoice.get("id"))
        raise PaymentError("pay.error.stripe")
    log.info("Checkout Session %s for invoice %s", getattr(checkout, "id", "?"), invoice["id"])
    return url


# -- webhook ------------------------------------------------------------------
def _invoice_for(session: Session, data: dict[str, Any]) -> int | None:
    """The invoice a Checkout Session is for, when its metadata matches one
    of ours (id, and the number and technician written at creation)."""
    metadata = data.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    raw = metadata.get("invoice_id") or data.get("client_reference_id")
    try:
        invoice_id = int(str(raw).strip())
    except (TypeError, ValueError):
        return None
    row = session.exec(
        select(Invoice.technician_id, Invoice.number).where(Invoice.id == invoice_id)
    ).first()
    if row is None:
        return None
    technician_id, number = row
    if metadata.get("technician_id") and str(metadata["technician_id"]) != str(technician_id):
        return None
    if metadata.get("invoice_number") and metadata["invoice_number"] != (number or ""):
        return None
    return invoice_id


def _reference(data: dict[str, Any]) -> str:
    intent = data.get("payment_intent")
    if isinstance(intent, dict):
        intent = intent.get("id")
    return str(intent or data.get("id") or "")


def _flag_failed(session: Session, invoice_id: int, reference: str) -> str:
    """An asynchronous payment (e.g. SEPA debit) failed: the invoice stays
    unpaid and says so for the technician."""
    invoice = session.exec(
        select(Invoice)
        .where(Invoice.id == invoice_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if invoice is None:
        return invoices.UNKNOWN
    if invoice.status != InvoiceStatus.SENT:
        return IGNORED
    invoice.payment_flag = f"payment failed ({reference})"[:255]
    session.add(invoice)
    session.flush()
    owner = session.get(User, invoice.technician_id)
    if owner is not None:
        invalidate_on_commit(session, owner, "invoices", records=[("invoice", invoice.id)])
    log.warning("online payment of invoice %s failed (%s)", invoice_id, reference)
    return PAYMENT_FAILED


def _apply(session: Session, event_type: str, data: dict[str, Any]) -> tuple[str, int | None]:
    invoice_id = _invoice_for(session, data)
    if invoice_id is None:
        log.warning(
            "Stripe event for an unknown invoice (metadata %s, session %s): ignored",
            data.get("metadata"),
            data.get("id"),
        )
        return invoices.UNKNOWN, None
    reference = _reference(data)
    if event_type == ASYNC_FAILED:
        return _flag_failed(session, invoice_id, reference), invoice_id
    if event_type == COMPLETED and data.get("payment_status") != "paid":
        # Paid later (bank debit): async_payment_succeeded/failed will follow.
        return AWAITING_PAYMENT, invoice_id
    outcome = invoices.record_online_payment(
        session,
        invoice_id=invoice_id,
        amount_cents=data.get("amount_total"),
        currency=str(data.get("currency") or ""),
        reference=reference,
    )
    return outcome, invoice_id


def _already_processed(session: Session, event_id: str) -> bool:
    return (
        session.exec(select(StripeEvent.id).where(StripeEvent.event_id == event_id)).first()
        is not None
    )


def process_event(engine: sa.Engine, event: dict[str, Any]) -> str:
    """Apply one verified event once; returns its outcome (``duplicate`` when
    it was processed before, or is being processed right now elsewhere)."""
    event_id = str(event.get("id") or "")
    event_type = str(event.get("type") or "")
    data = event.get("data")
    data = data.get("object") if isinstance(data, dict) else None
    if event_type not in HANDLED_EVENTS or not event_id or not isinstance(data, dict):
        return IGNORED
    with Session(engine, expire_on_commit=False) as session:
        try:
            if _already_processed(session, event_id):
                return DUPLICATE
            record = StripeEvent(event_id=event_id[:255], event_type=event_type[:120])
            session.add(record)
            # The unique key: a concurrent delivery of this event waits here,
            # then fails once this transaction commits.
            session.flush()
            outcome, invoice_id = _apply(session, event_type, data)
            record.outcome, record.invoice_id = outcome, invoice_id
            session.add(record)
            session.commit()
        except IntegrityError:
            session.rollback()
            log.info("Stripe event %s was already processed", event_id)
            return DUPLICATE
    log.info("Stripe event %s (%s): %s", event_id, event_type, outcome)
    return outcome


def handle_webhook(
    settings: Settings,
    payload: bytes,
    signature: str | None,
    *,
    engine: sa.Engine | None = None,
) -> WebhookResult:
    """Verify and apply one webhook delivery (see the module docstring)."""
    if not settings.stripe_enabled or not settings.stripe_webhook_secret:
        return WebhookResult(
            503,
            "Stripe is not configured on this server: set STRIPE_SECRET_KEY and "
            "STRIPE_WEBHOOK_SECRET to receive Stripe webhooks.",
            "stripe_disabled",
        )
    if not signature:
        return WebhookResult(400, "Missing Stripe-Signature header.", "bad_signature")
    try:
        stripe.Webhook.construct_event(payload, signature, settings.stripe_webhook_secret)
        event = json.loads(payload)
    except stripe.SignatureVerificationError:
        log.warning("Stripe webhook with a bad signature refused")
        return WebhookResult(400, "Invalid Stripe-Signature.", "bad_signature")
    except (ValueError, TypeError, AttributeError):
        # Signed, but not a JSON object (construct_event checks the signature first).
        return WebhookResult(400, "Invalid payload.", "bad_payload")
    if not isinstance(event, dict):
        return WebhookResult(400, "Invalid payload.", "bad_payload")
    if engine is None:
        from piano_emotion.db import get_engine

        engine = get_engine()
    outcome = process_event(engine, event)
    return WebhookResult(200, f"{event.get('type')}: {outcome}", outcome)
