"""``POST /api/stripe/webhook``: Stripe's payment notifications.

The raw body is checked against ``Stripe-Signature`` with
``STRIPE_WEBHOOK_SECRET`` (``billing.stripe_payments.handle_webhook``):
503 when Stripe or the webhook secret is not configured, 400 for a missing
or bad signature (nothing changes), 200 once the event is applied, ignored or
recognised as already processed, 500 when the database failed (Stripe
retries later; the event was not recorded, so the retry applies it).
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from piano_emotion.billing.stripe_payments import handle_webhook
from piano_emotion.settings import get_settings

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 1024 * 1024  # Stripe's events are a few kB


async def stripe_webhook_endpoint(request: Request) -> JSONResponse:
    payload = await request.body()
    if len(payload) > MAX_BODY_BYTES:
        return JSONResponse(
            {"error": "too_large", "message": "Payload too large."}, status_code=413
        )
    signature = request.headers.get("stripe-signature")
    try:
        result = await run_in_threadpool(handle_webhook, get_settings(), payload, signature)
    except Exception:
        log.exception("Stripe webhook failed")
        return JSONResponse(
            {"error": "internal", "message": "The event could not be processed; retry later."},
            status_code=500,
        )
    return JSONResponse(result.as_json(), status_code=result.status_code)
