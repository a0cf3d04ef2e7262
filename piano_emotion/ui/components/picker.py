"""A search-as-you-type picker: an input, a short list of matches, the choice."""

from __future__ import annotations

import reflex as rx

from piano_emotion.ui import styles
from piano_emotion.ui.i18n import tr


def picker(
    *,
    label_key: str,
    placeholder_key: str,
    query: rx.Var,
    options: rx.Var,
    picked_id: rx.Var,
    picked_name: rx.Var,
    on_search,
    on_pick,
    error: rx.Var,
    name: str,
    test_id: str,
) -> rx.Component:
    """``name`` is the form field that carries the chosen id."""
    return rx.vstack(
        rx.text(tr(label_key), size="2", weight="medium"),
        rx.cond(
            picked_id > 0,
            rx.hstack(
                rx.badge(picked_name, size="2", data_testid=f"{test_id}-picked"),
                rx.text(tr("picker.change"), size="1", color=styles.MUTED_TEXT),
                align="center",
            ),
        ),
        rx.input(
            placeholder=tr(placeholder_key),
            value=query,
            on_change=on_search,
            debounce_timeout=250,
            width="100%",
            data_testid=f"{test_id}-search",
        ),
        rx.cond(
            options.length() > 0,
            rx.vstack(
                rx.foreach(
                    options,
                    lambda o: rx.box(
                        rx.text(o["name"], weight="medium", size="2"),
                        rx.text(o["detail"], size="1", color=styles.MUTED_TEXT),
                        on_click=on_pick(o["id"], o["name"]),
                        padding="0.4rem 0.6rem",
                        cursor="pointer",
                        width="100%",
                        _hover={"background": styles.HOVER_BG},
                        data_testid=f"{test_id}-option",
                    ),
                ),
                border=styles.BORDER,
                border_radius="0.5rem",
                spacing="0",
                width="100%",
                max_height="16rem",
                overflow_y="auto",
            ),
        ),
        rx.el.input(type="hidden", name=name, value=picked_id.to_string(), read_only=True),
        rx.cond(
            error, rx.text(error, color=rx.color("red", 11), size="2", data_testid=f"error-{name}")
        ),
        spacing="1",
        width="100%",
    )
