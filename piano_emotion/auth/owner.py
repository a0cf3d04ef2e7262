"""The platform owner: whoever ``OWNER_OPEN_ID`` names (a Clerk user id, or
the email of a local account). Computed on the server at every request,
never stored in the browser."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from piano_emotion.auth.passwords import normalise_email
from piano_emotion.models import User
from piano_emotion.settings import Settings, get_settings


def is_owner(user: User | None, settings: Settings | None = None) -> bool:
    settings = settings or get_settings()
    owner = settings.owner_open_id
    if user is None or not owner or not user.is_active:
        return False
    if user.external_id and user.external_id == owner:
        return True
    # An email names a local account; a Clerk id never matches an email column.
    return "@" in owner and user.external_id is None and user.email == normalise_email(owner)


def owner_display_name(user: User, settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    return settings.owner_name if is_owner(user, settings) else user.name


def owner_route(
    endpoint: Callable[[Request, User], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """Protect an API route: a valid session of the owner, or 401/403 and no data.

    The session comes as ``Authorization: Bearer <token>`` or the session cookie.
    """
    from piano_emotion.auth.current import user_from_request

    @functools.wraps(endpoint)
    async def guarded(request: Request) -> Response:
        user = await user_from_request(request)
        if user is None:
            return JSONResponse({"error": "authentication required"}, status_code=401)
        if not is_owner(user):
            return JSONResponse({"error": "Acceso denegado"}, status_code=403)
        return await endpoint(request, user)

    return guarded
