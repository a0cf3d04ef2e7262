"""``GET /api/calendar/{token}.ics``: a technician's agenda as an iCalendar feed.

The token is the secret (see ``domain.calendar_feed``): a known token gives
the feed, anything else a bare 404 that tells nothing about why.
"""

from __future__ import annotations

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from piano_emotion.db import get_engine
from piano_emotion.domain.calendar_feed import build_ics, user_for_calendar_token

ICS_MEDIA_TYPE = "text/calendar; charset=utf-8"


def calendar_feed(token: str) -> bytes | None:
    """The feed for ``token``, or None when no technician has it."""
    with Session(get_engine(), expire_on_commit=False) as session:
        user = user_for_calendar_token(session, token)
        if user is None:
            return None
        return build_ics(session, user)


async def calendar_endpoint(request: Request) -> Response:
    body = await run_in_threadpool(calendar_feed, request.path_params.get("token", ""))
    if body is None:
        return PlainTextResponse("Not Found", status_code=404)
    return Response(
        body,
        headers={
            "Content-Type": ICS_MEDIA_TYPE,
            "Content-Disposition": 'inline; filename="piano-emotion.ics"',
            # A secret URL: no shared cache keeps it, no search engine lists it.
            "Cache-Control": "private, max-age=300",
            "X-Robots-Tag": "noindex",
        },
    )
