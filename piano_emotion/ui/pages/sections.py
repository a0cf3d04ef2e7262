"""Sections whose features land in later releases: real routes in the shell
that say what each section will hold."""

from __future__ import annotations

import reflex as rx

from piano_emotion.ui import styles
from piano_emotion.ui.components.layout import template
from piano_emotion.ui.i18n import tr
from piano_emotion.ui.routes import (
    AGENDA,
    CLIENTS,
    INVENTORY,
    PIANOS,
    RATES,
    REMINDERS,
    SECTIONS,
    SERVICES,
    SETTINGS,
    Section,
)


def _register(section: Section) -> None:
    name = section.label_key.removeprefix("nav.")

    def content() -> rx.Component:
        return rx.card(
            rx.vstack(
                rx.hstack(
                    rx.icon(section.icon, size=28, color=rx.color("accent", 10)),
                    rx.badge(tr("section.coming"), color_scheme="amber"),
                    align="center",
                    spacing="3",
                ),
                rx.text(tr(f"section.{name}.desc"), size="3", color=styles.MUTED_TEXT),
                spacing="3",
            ),
            width="100%",
            data_testid=f"section-{name}",
        )

    content.__name__ = f"section_{name}"
    template(route=section.route, title_key=section.label_key)(content)


for _section in SECTIONS[1:]:
    if _section.route in (SETTINGS, CLIENTS, PIANOS, SERVICES, AGENDA, REMINDERS, INVENTORY, RATES):
        continue  # real pages (pages/settings.py, pages/clients.py)
    _register(_section)
