"""HTTP routes next to the Reflex app (health now; webhooks and cron later)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.types import ASGIApp

from piano_emotion.api.calendar import calendar_endpoint
from piano_emotion.api.cron import cron_endpoint
from piano_emotion.api.health import health_endpoint
from piano_emotion.ui.routes import API_CALENDAR, API_CRON, API_HEALTH


def api_routes() -> list[Route]:
    return [
        Route(API_HEALTH, health_endpoint, methods=["GET"]),
        Route(API_CALENDAR, calendar_endpoint, methods=["GET"]),
        Route(API_CRON, cron_endpoint, methods=["POST"]),
    ]


def build_api(reflex_asgi_app: ASGIApp) -> Starlette:
    """A fresh Starlette app with our routes, the Reflex app mounted below them.

    Built anew each time (PLATFORM.md): a module-level Starlette breaks when a
    second ``rx.App`` is built in the same process.
    """
    return Starlette(routes=[*api_routes(), Mount("", app=reflex_asgi_app)])
