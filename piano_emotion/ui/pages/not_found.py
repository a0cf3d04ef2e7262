"""The 404 page, inside the shell."""

from __future__ import annotations

import reflex as rx

from piano_emotion.ui.components.layout import app_shell
from piano_emotion.ui.i18n import tr
from piano_emotion.ui.routes import HOME


def not_found_content() -> rx.Component:
    return app_shell(
        rx.vstack(
            rx.text(tr("page.not_found"), size="4"),
            rx.link(tr("common.back_home"), href=HOME),
            spacing="3",
        ),
        route="",
        title_key="common.not_found",
    )
