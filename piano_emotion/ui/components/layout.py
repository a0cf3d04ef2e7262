"""The app shell: sidebar (a drawer menu on a phone), top bar and content."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import reflex as rx

from piano_emotion.ui import styles
from piano_emotion.ui.components.bell import notification_bell
from piano_emotion.ui.components.search import global_search
from piano_emotion.ui.i18n import LANGUAGES, tr
from piano_emotion.ui.routes import HOME, OWNER_SECTIONS, SECTIONS, SETTINGS, Section
from piano_emotion.ui.state.auth import AuthState, checks_session
from piano_emotion.ui.state.base import BrowserCookies, UIState


def nav_link(section: Section, active: bool) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon(section.icon, size=18),
            rx.text(tr(section.label_key), size="3", weight="medium"),
            rx.spacer(),
            rx.cond(
                AuthState.nav_badges[section.route].to(int) > 0,
                rx.badge(
                    AuthState.nav_badges[section.route].to(str),
                    color_scheme="red",
                    radius="full",
                    data_testid=f"badge-{section.label_key.removeprefix('nav.')}",
                ),
            ),
            align="center",
            spacing="3",
            padding_x="0.75rem",
            padding_y="0.5rem",
            border_radius="0.5rem",
            width="100%",
            background=styles.ACTIVE_BG if active else "transparent",
            color=styles.ACTIVE_TEXT if active else rx.color("gray", 12),
            _hover={"background": styles.ACTIVE_BG if active else styles.HOVER_BG},
        ),
        href=section.route,
        underline="none",
        width="100%",
        aria_current="page" if active else None,
        data_testid=f"nav-{section.label_key.removeprefix('nav.')}",
    )


def nav_links(active_route: str) -> rx.Component:
    return rx.vstack(
        *[nav_link(section, section.route == active_route) for section in SECTIONS],
        # The owner's pages (the monitor): shown to the owner only, checked on the server.
        *[
            rx.cond(AuthState.is_owner, nav_link(section, section.route == active_route))
            for section in OWNER_SECTIONS
        ],
        spacing="1",
        width="100%",
        as_="nav",
    )


def brand() -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon("piano", size=22, color=rx.color("accent", 10)),
            rx.text(tr("app.name"), size="3", weight="bold"),
            align="center",
            spacing="2",
        ),
        href=HOME,
        underline="none",
        color=rx.color("gray", 12),
    )


def sidebar(active_route: str) -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.box(brand(), padding="1rem"),
            rx.box(nav_links(active_route), padding_x="0.5rem", width="100%"),
            spacing="2",
            width="100%",
        ),
        width=styles.SIDEBAR_WIDTH,
        min_width=styles.SIDEBAR_WIDTH,
        height="100vh",
        position="sticky",
        top="0",
        background=styles.SIDEBAR_BG,
        border_right=styles.BORDER,
        overflow_y="auto",
        display=["none", "none", "block"],
        data_testid="sidebar",
    )


def mobile_menu(active_route: str) -> rx.Component:
    return rx.drawer.root(
        rx.drawer.trigger(
            rx.icon_button(
                rx.icon("menu"),
                variant="ghost",
                size="3",
                aria_label=tr("shell.menu"),
                data_testid="mobile-menu-button",
            ),
        ),
        rx.drawer.overlay(z_index="40"),
        rx.drawer.portal(
            rx.drawer.content(
                rx.vstack(
                    rx.hstack(
                        brand(),
                        rx.spacer(),
                        rx.drawer.close(
                            rx.icon_button(
                                rx.icon("x"), variant="ghost", aria_label=tr("shell.close_menu")
                            )
                        ),
                        width="100%",
                        align="center",
                    ),
                    nav_links(active_route),
                    spacing="4",
                    width="100%",
                    padding="1rem",
                ),
                height="100%",
                width="17rem",
                background=rx.color("gray", 1),
                z_index="50",
                data_testid="mobile-menu",
            )
        ),
        direction="left",
    )


def language_select(on_change: Any = UIState.set_language) -> rx.Component:
    """``on_change``: a page state whose texts are formatted on the server
    (the public payment page) passes its own handler, which re-formats them."""
    return rx.select.root(
        rx.select.trigger(aria_label=tr("shell.language"), data_testid="language-select"),
        rx.select.content(
            *[
                rx.select.item(label, value=code, data_testid=f"language-{code}")
                for code, label in LANGUAGES.items()
            ]
        ),
        value=BrowserCookies.lang,
        on_change=on_change,
        size="2",
    )


def user_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.icon("circle-user", size=18),
                rx.text(AuthState.user_name, display=["none", "inline"], data_testid="user-name"),
                rx.cond(
                    AuthState.is_owner,
                    rx.badge(tr("auth.owner"), color_scheme="amber", data_testid="owner-badge"),
                ),
                variant="ghost",
                size="2",
                data_testid="user-menu",
            )
        ),
        rx.menu.content(
            rx.box(
                rx.text(AuthState.user_email, size="1", color=styles.MUTED_TEXT),
                padding_x="0.75rem",
                padding_y="0.25rem",
            ),
            rx.menu.item(
                rx.link(tr("nav.settings"), href=SETTINGS, underline="none"),
            ),
            rx.menu.separator(),
            rx.menu.item(
                tr("auth.sign_out"),
                on_select=AuthState.sign_out,
                color_scheme="red",
                data_testid="sign-out",
            ),
        ),
    )


def top_bar(active_route: str, title_key: str) -> rx.Component:
    return rx.hstack(
        rx.box(mobile_menu(active_route), display=["block", "block", "none"]),
        # On a phone the title gives way (ellipsis) so the bar never overflows.
        rx.heading(
            tr(title_key),
            size="5",
            as_="h1",
            white_space="nowrap",
            overflow="hidden",
            text_overflow="ellipsis",
            min_width="0",
            data_testid="page-title",
        ),
        rx.spacer(),
        global_search(),
        language_select(),
        rx.color_mode.button(variant="ghost", aria_label=tr("shell.theme")),
        rx.cond(AuthState.is_owner, notification_bell()),
        user_menu(),
        align="center",
        spacing=rx.breakpoints(initial="2", sm="3"),
        height=styles.TOPBAR_HEIGHT,
        padding_x=["0.75rem", "1rem"],
        border_bottom=styles.BORDER,
        position="sticky",
        top="0",
        z_index="10",
        background=rx.color("gray", 1),
        width="100%",
    )


def app_shell(content: rx.Component, *, route: str, title_key: str) -> rx.Component:
    return rx.hstack(
        sidebar(route),
        rx.box(
            top_bar(route, title_key),
            rx.box(
                content,
                padding=["1rem", "1.5rem", "2rem"],
                max_width=styles.CONTENT_MAX_WIDTH,
                width="100%",
                margin_x="auto",
                as_="main",
            ),
            flex="1",
            min_width="0",
        ),
        spacing="0",
        align="start",
        width="100%",
        min_height="100vh",
    )


@dataclass(frozen=True)
class PageSpec:
    route: str
    component: Callable[[], rx.Component]
    on_load: Any = None


# Filled by @template as page modules are imported; the app adds them all.
PAGES: list[PageSpec] = []


def signing_in_placeholder() -> rx.Component:
    """What a protected page shows until the server has checked the session."""
    return rx.center(rx.spinner(size="3"), min_height="100vh", data_testid="auth-pending")


def template(
    *, route: str, title_key: str, on_load
) -> Callable[[Callable[[], rx.Component]], Callable[[], rx.Component]]:
    """Register a protected page inside the shell: the module holds only its content.

    ``on_load`` is the page state's own load, a ``@page_load`` handler: it
    checks the session on the server first (without one the browser goes to
    the sign-in page and comes back after), then loads the page, all in one
    event. A page without one is refused here, at import.
    """
    events = list(on_load) if isinstance(on_load, list) else [on_load]
    if not events or not checks_session(events[0]):
        raise ValueError(f"{route}: the first on_load of a protected page must be a @page_load")

    def decorator(page_content: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
        def page() -> rx.Component:
            return rx.cond(
                AuthState.user_id > 0,
                app_shell(page_content(), route=route, title_key=title_key),
                signing_in_placeholder(),
            )

        page.__name__ = page_content.__name__
        PAGES.append(PageSpec(route=route, component=page, on_load=events))
        return page_content

    return decorator
