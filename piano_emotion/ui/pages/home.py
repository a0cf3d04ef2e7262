"""Inicio: the technician's starting page."""

from __future__ import annotations

import reflex as rx

from piano_emotion.ui import styles
from piano_emotion.ui.components.layout import template
from piano_emotion.ui.i18n import tr
from piano_emotion.ui.routes import HOME, SECTIONS
from piano_emotion.ui.state.home import HomeState


def section_card(section) -> rx.Component:
    return rx.link(
        rx.card(
            rx.hstack(
                rx.icon(section.icon, size=22, color=rx.color("accent", 10)),
                rx.text(tr(section.label_key), weight="medium"),
                align="center",
                spacing="3",
            ),
            width="100%",
            _hover={"background": styles.HOVER_BG},
        ),
        href=section.route,
        underline="none",
        color=rx.color("gray", 12),
    )


def status_row(label_key: str, value: rx.Component) -> rx.Component:
    return rx.hstack(
        rx.text(tr(label_key), color=styles.MUTED_TEXT),
        rx.spacer(),
        value,
        width="100%",
    )


def system_status() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(tr("home.status"), size="3", as_="h2"),
            status_row(
                "home.database",
                rx.cond(
                    HomeState.database_ok,
                    rx.badge(tr("home.ok"), color_scheme="green"),
                    rx.badge(tr("home.down"), color_scheme="red"),
                ),
            ),
            status_row("home.cache", rx.badge(HomeState.cache_mode, color_scheme="gray")),
            status_row("home.version", rx.text(HomeState.version)),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


@template(route=HOME, title_key="home.title", on_load=HomeState.load)
def home() -> rx.Component:
    return rx.vstack(
        rx.heading(tr("home.welcome"), size="7", as_="h2"),
        rx.text(tr("home.intro"), color=styles.MUTED_TEXT, size="3"),
        rx.heading(tr("home.sections"), size="4", as_="h2", margin_top="1rem"),
        rx.grid(
            *[section_card(section) for section in SECTIONS[1:]],
            columns=rx.breakpoints(initial="1", sm="2", lg="3"),
            spacing="3",
            width="100%",
        ),
        rx.skeleton(system_status(), loading=~HomeState.loaded, width="100%"),
        spacing="4",
        width="100%",
    )
