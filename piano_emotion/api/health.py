"""``GET /api/health``: is the app able to serve, and how is it configured.

200 when the database answers, 503 when it does not. Integrations are
reported as configured or not, never with their secrets. ``worker`` is the
id of the backend process that answered (several workers share one port).
"""

from __future__ import annotations

import os
import time
from typing import Any

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from piano_emotion import __version__, migrations
from piano_emotion.cache import MODE_LABELS, CacheService, get_cache
from piano_emotion.db import get_engine
from piano_emotion.settings import Settings, get_settings


def database_status(engine: sa.Engine, *, detailed: bool = False) -> dict[str, Any]:
    """Reachability, round trip and migration revision of ``engine``'s database.

    Shared by ``/api/health`` and the deployment check (``piano_emotion.doctor``);
    ``detailed`` adds the driver's error message, which the public endpoint
    never shows (it can name hosts and users).
    """
    started = time.perf_counter()
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
            revision = migrations.current_revision(connection)
    except Exception as exc:  # any driver error means "not reachable"
        status = {
            "reachable": False,
            "dialect": engine.dialect.name,
            "error": type(exc).__name__,
        }
        if detailed:
            status["message"] = str(getattr(exc, "orig", None) or exc)[:300]
        return status
    head = migrations.head_revision()
    return {
        "reachable": True,
        "dialect": engine.dialect.name,
        "round_trip_ms": round((time.perf_counter() - started) * 1000, 2),
        "migration_revision": revision,
        "migration_head": head,
        "migrations_up_to_date": revision == head,
    }


def cache_status(cache: CacheService) -> dict[str, Any]:
    connected, round_trip_ms = cache.ping()
    return {
        "mode": cache.mode,
        "mode_label": MODE_LABELS[cache.mode],
        "connected": connected,
        "degraded": cache.degraded,
        "round_trip_ms": round_trip_ms,
    }


def health_report(
    settings: Settings, engine: sa.Engine, cache: CacheService | None = None
) -> tuple[int, dict[str, Any]]:
    """The database decides the status: without it nothing works, while a
    cache outage only slows the app down (it falls back to memory)."""
    database = database_status(engine)
    integrations = settings.integrations()
    body = {
        "status": "ok" if database["reachable"] else "error",
        "version": __version__,
        "environment": settings.environment,
        "database": database,
        "cache": cache_status(cache) if cache is not None else {"mode": settings.cache_mode},
        "auth": {
            "local_accounts": integrations["local_accounts"],
            "clerk": integrations["clerk"],
        },
        "integrations": integrations,
        # Which backend process answered, and how this instance is laid out.
        "worker": os.getpid(),
        "server": {
            "workers": settings.web_concurrency,
            "ui_state": "redis" if settings.reflex_redis_url else "local",
        },
    }
    return (200 if database["reachable"] else 503), body


async def health_endpoint(request: Request) -> JSONResponse:
    settings = get_settings()
    status, body = await run_in_threadpool(health_report, settings, get_engine(), get_cache())
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})
