"""The Reflex app: pages and API routes (the theme is set in rxconfig.py)."""

from __future__ import annotations

import logging

import reflex as rx
from reflex.event import EventSpec

from piano_emotion.api import build_api
from piano_emotion.gc_tuning import gc_lifespan
from piano_emotion.jobs.scheduler import scheduler_lifespan
from piano_emotion.settings import get_settings
from piano_emotion.ui import (
    page_hydration,
    pages,  # noqa: F401  (registers every page)
    routes,
    socket_codec,
    state_trees,
    styles,
)
from piano_emotion.ui.components.clerk import wrap_app_with_clerk
from piano_emotion.ui.components.layout import PAGES
from piano_emotion.ui.i18n import translate
from piano_emotion.ui.pages.not_found import not_found_content
from piano_emotion.ui.state.auth import NotSignedIn

APP_TITLE = "Piano Emotion Manager"
log = logging.getLogger(__name__)


def handle_backend_exception(exception: Exception) -> list[EventSpec]:
    """One place turns a refused session or action into what the user sees."""
    exc = exception
    if isinstance(exc, NotSignedIn):
        return [
            rx.toast.warning(translate("auth.session_expired")),
            rx.redirect(routes.SIGN_IN),
        ]
    if isinstance(exc, PermissionError):
        return [rx.toast.error(translate("auth.access_denied"))]
    log.exception("unhandled error in an event handler", exc_info=exc)
    return [rx.toast.error(translate("error.unexpected"))]


app = rx.App(
    style=styles.BASE_STYLE,
    html_lang="es",
    api_transformer=build_api,
    backend_exception_handler=handle_backend_exception,
)
socket_codec.install(app)  # state updates encoded by orjson (issue 9)
page_hydration.install()  # a protected page hydrates in its own load event
state_trees.install()  # a tab's state tree is freed once written back to Redis
for spec in PAGES:
    app.add_page(spec.component, route=spec.route, title=APP_TITLE, on_load=spec.on_load)
app.add_page(not_found_content, route="404", title=APP_TITLE)
# The job scheduler lives with the backend (never started at import).
app.register_lifespan_task(scheduler_lifespan)
app.register_lifespan_task(gc_lifespan)  # last: what the others built is frozen too

_settings = get_settings()
if _settings.clerk_enabled:
    wrap_app_with_clerk(app, _settings.clerk_publishable_key)
