"""HTTP routes next to the Reflex app, and the HTTP middleware of the whole app
(cache headers and compression, ``piano_emotion.api.http_cache``)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.types import ASGIApp

from piano_emotion.api.calendar import calendar_endpoint
from piano_emotion.api.cron import cron_endpoint
from piano_emotion.api.downloads import backup_endpoint, document_pdf_endpoint, export_endpoint
from piano_emotion.api.health import health_endpoint
from piano_emotion.api.http_cache import http_middleware
from piano_emotion.api.monitor import monitor_history_csv_endpoint
from piano_emotion.api.stripe import stripe_webhook_endpoint
from piano_emotion.ui.routes import (
    API_BACKUP,
    API_CALENDAR,
    API_CRON,
    API_DOCUMENT_PDF,
    API_EXPORT,
    API_HEALTH,
    API_MONITOR_HISTORY_CSV,
    API_STRIPE_WEBHOOK,
)


def api_routes() -> list[Route]:
    return [
        Route(API_HEALTH, health_endpoint, methods=["GET"]),
        Route(API_CALENDAR, calendar_endpoint, methods=["GET"]),
        Route(API_CRON, cron_endpoint, methods=["POST"]),
        Route(API_STRIPE_WEBHOOK, stripe_webhook_endpoint, methods=["POST"]),
        Route(API_DOCUMENT_PDF, document_pdf_endpoint, methods=["GET"]),
        Route(API_EXPORT, export_endpoint, methods=["GET"]),
        Route(API_BACKUP, backup_endpoint, methods=["GET"]),
        Route(API_MONITOR_HISTORY_CSV, monitor_history_csv_endpoint, methods=["GET"]),
    ]


def build_api(reflex_asgi_app: ASGIApp) -> Starlette:
    """A fresh Starlette app with our routes, the Reflex app mounted below them.

    Built anew each time (PLATFORM.md): a module-level Starlette breaks when a
    second ``rx.App`` is built in the same process. Its middleware (gzip,
    ``Cache-Control``) covers our routes and everything Reflex serves over HTTP,
    the built frontend included; websockets pass through untouched.
    """
    return Starlette(
        routes=[*api_routes(), Mount("", app=reflex_asgi_app)],
        middleware=http_middleware(),
    )
