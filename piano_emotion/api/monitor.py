"""``GET /api/monitor/history.csv?range=24h&lang=es``: the cache monitor's
history as CSV, for the platform owner only (``owner_route``: 401 without a
session, 403 "Acceso denegado" for anyone else, and no data either way).

``range`` is one of ``1h``, ``6h``, ``24h`` (default) and ``7d`` (400
otherwise); ``lang`` (``es`` default, ``en``) picks the column names and the
separators (``;`` and a decimal comma in Spanish).
"""

from __future__ import annotations

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from piano_emotion.auth.owner import owner_route
from piano_emotion.db import get_engine
from piano_emotion.models import User
from piano_emotion.models.types import utcnow
from piano_emotion.monitoring import overview
from piano_emotion.ui.i18n import LANGUAGES

CSV_TYPE = "text/csv; charset=utf-8"


def _history_csv(user: User, range_key: str, lang: str) -> tuple[bytes, str]:
    now = utcnow()
    with Session(get_engine()) as session:
        data = overview.history_csv_for(session, user, range_key, now, lang)
    return data, overview.csv_filename(range_key, now)


@owner_route
async def monitor_history_csv_endpoint(request: Request, user: User) -> Response:
    range_key = request.query_params.get("range", overview.DEFAULT_RANGE)
    if range_key not in overview.RANGES:
        return JSONResponse(
            {"error": "invalid_range", "allowed": list(overview.RANGES)}, status_code=400
        )
    lang = request.query_params.get("lang", "es")
    lang = lang if lang in LANGUAGES else "es"
    data, filename = await run_in_threadpool(_history_csv, user, range_key, lang)
    return Response(
        data,
        media_type=CSV_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            # The owner's figures: never kept by a shared cache.
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
