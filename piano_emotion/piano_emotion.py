"""The Reflex app: pages and API routes (the theme is set in rxconfig.py)."""

from __future__ import annotations

import reflex as rx

from piano_emotion.api import build_api
from piano_emotion.ui import (
    pages,  # noqa: F401  (registers every page)
    styles,
)
from piano_emotion.ui.components.layout import PAGES
from piano_emotion.ui.pages.not_found import not_found_content

APP_TITLE = "Piano Emotion Manager"

app = rx.App(
    style=styles.BASE_STYLE,
    html_lang="es",
    api_transformer=build_api,
)
for spec in PAGES:
    app.add_page(spec.component, route=spec.route, title=APP_TITLE, on_load=spec.on_load)
app.add_page(not_found_content, route="404", title=APP_TITLE)
