"""The global search box of the top bar (a dialog on every screen size)."""

from __future__ import annotations

import reflex as rx

from piano_emotion.ui import styles
from piano_emotion.ui.i18n import tr
from piano_emotion.ui.state.search import SearchState

S = SearchState


def result_group(group) -> rx.Component:
    return rx.vstack(
        rx.text(
            rx.match(
                group["kind"],
                ("clients", tr("nav.clients")),
                ("pianos", tr("nav.pianos")),
                ("services", tr("nav.services")),
                tr("nav.invoices"),
            ),
            size="1",
            weight="bold",
            color=styles.MUTED_TEXT,
            text_transform="uppercase",
        ),
        rx.foreach(
            group["items"].to(list[dict]),
            lambda item: rx.box(
                rx.text(item["title"], size="2", weight="medium"),
                rx.text(item["subtitle"], size="1", color=styles.MUTED_TEXT),
                on_click=S.go(item["link"]),
                padding="0.4rem 0.6rem",
                border_radius="0.4rem",
                cursor="pointer",
                width="100%",
                background=rx.cond(item["index"] == S.active, styles.ACTIVE_BG, "transparent"),
                _hover={"background": styles.HOVER_BG},
                data_testid="search-result",
            ),
        ),
        spacing="1",
        width="100%",
    )


def global_search() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(
                rx.icon("search", size=16),
                rx.text(tr("search.placeholder_short"), display=["none", "none", "inline"]),
                variant="soft",
                color_scheme="gray",
                aria_label=tr("search.title"),
                data_testid="global-search-open",
            )
        ),
        rx.dialog.content(
            rx.dialog.title(tr("search.title")),
            rx.input(
                placeholder=tr("search.placeholder"),
                value=S.query,
                on_change=S.set_query,
                on_key_down=S.key_down,
                debounce_timeout=250,
                auto_focus=True,
                size="3",
                width="100%",
                data_testid="global-search-input",
            ),
            rx.cond(
                S.groups.length() > 0,
                rx.vstack(
                    rx.foreach(S.groups, result_group),
                    spacing="3",
                    width="100%",
                    margin_top="0.75rem",
                    max_height="60vh",
                    overflow_y="auto",
                ),
                rx.cond(
                    S.query.length() >= 2,
                    rx.text(tr("search.nothing"), color=styles.MUTED_TEXT, margin_top="0.75rem"),
                    rx.text(
                        tr("search.hint"), size="2", color=styles.MUTED_TEXT, margin_top="0.75rem"
                    ),
                ),
            ),
            max_width="36rem",
            data_testid="global-search",
        ),
        open=S.search_open,
        on_open_change=S.set_search_open,
    )
