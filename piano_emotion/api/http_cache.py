"""HTTP caching and compression around the whole app (``build_api``).

The production build serves the frontend from the same process (Reflex's
``PrecompressedStaticFiles``). Its JavaScript and CSS live under ``/assets/``
with a content hash in the name (``clients-Dk3x9_aB.js``): a new build writes
new names, so those files never change and browsers may keep them for a year
without asking again. HTML pages keep their address from build to build, so
they are ``no-cache``: the browser stores them but revalidates every time
(``If-None-Match`` / ``If-Modified-Since`` against the ETag and Last-Modified
the static server sends), and gets a tiny 304 when nothing changed.

Compression: the build already wrote ``.gz`` sidecars of the frontend files,
which the static server sends as they are; ``GZipMiddleware`` compresses the
rest (API JSON, CSV, calendar feeds) above ``GZIP_MINIMUM_SIZE`` bytes. It
leaves responses that already carry a ``Content-Encoding`` alone, passes
websockets (``/_event``) through untouched and compresses streamed bodies
chunk by chunk.
"""

from __future__ import annotations

import re

from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
GZIP_MINIMUM_SIZE = 500
# Level 6: nearly the size of level 9 for a fraction of the CPU (dynamic bodies).
GZIP_LEVEL = 6
# Vite's build names: ``<name>-<8 characters of base64url hash>.<ext>``.
HASHED_ASSET = re.compile(r"^/assets/(?:[^/]+/)*[^/]+-[A-Za-z0-9_-]{8}\.[A-Za-z0-9]+$")


def is_hashed_asset(path: str) -> bool:
    return HASHED_ASSET.match(path) is not None


def _looks_like_page(path: str) -> bool:
    """A page address (``/clientes/``, ``/``, ``/index.html``), not a file."""
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return "." not in last or last.endswith(".html")


def cache_policy(path: str, status: int, content_type: str) -> str | None:
    """The ``Cache-Control`` a response gets when its handler set none."""
    if is_hashed_asset(path):
        # A 404 for an old hash must not be kept for a year.
        return IMMUTABLE if status in (200, 304) else "no-store"
    media_type = content_type.partition(";")[0].strip().lower()
    if media_type == "text/html" or (status == 304 and not media_type and _looks_like_page(path)):
        return REVALIDATE
    return None


class CacheHeadersMiddleware:
    """Adds ``cache_policy``'s ``Cache-Control`` to HTTP responses without one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "cache-control" not in headers:
                    policy = cache_policy(path, message["status"], headers.get("content-type", ""))
                    if policy is not None:
                        headers["Cache-Control"] = policy
            await send(message)

        await self.app(scope, receive, send_with_policy)


def http_middleware() -> list[Middleware]:
    """Outermost first: compression wraps the cache headers."""
    return [
        Middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_SIZE, compresslevel=GZIP_LEVEL),
        Middleware(CacheHeadersMiddleware),
    ]
