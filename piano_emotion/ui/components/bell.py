"""The owner's bell in the top bar: unread count and the latest notifications.

Only rendered for the owner (``AuthState.is_owner``); its handlers check the
owner on the server again (``NotificationsState``).
"""

from __future__ import annotations

import reflex as rx

from piano_emotion.ui import styles
from piano_emotion.ui.i18n import tr
from piano_emotion.ui.routes import MONITOR
from piano_emotion.ui.state.notifications import NotificationsState

N = NotificationsState


def _item(item: rx.Var) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.box(
                width="0.55rem",
                height="0.55rem",
                border_radius="50%",
                flex_shrink="0",
                margin_top="0.4rem",
                background=rx.match(
                    item["severity"],
                    ("critical", rx.color("red", 9)),
                    ("warning", rx.color("amber", 9)),
                    rx.color("blue", 9),
                ),
            ),
            rx.vstack(
                rx.text(
                    item["title"],
                    size="2",
                    weight=rx.cond(item["read"], "regular", "bold"),
                ),
                rx.text(item["body"], size="1", color=styles.MUTED_TEXT),
                rx.text(item["created"], size="1", color=styles.MUTED_TEXT),
                spacing="1",
                min_width="0",
            ),
            align="start",
            spacing="2",
        ),
        on_click=N.mark_one_read(item["id"]),
        cursor="pointer",
        padding_y="0.5rem",
        border_bottom=styles.BORDER,
        width="100%",
        data_testid="bell-item",
    )


def notification_bell() -> rx.Component:
    return rx.popover.root(
        rx.popover.trigger(
            rx.icon_button(
                rx.icon("bell", size=18),
                rx.cond(
                    N.unread > 0,
                    rx.badge(
                        N.unread.to_string(),
                        color_scheme="red",
                        variant="solid",
                        radius="full",
                        size="1",
                        position="absolute",
                        top="-0.3rem",
                        right="-0.45rem",
                        data_testid="owner-bell-count",
                    ),
                ),
                position="relative",
                variant="ghost",
                size="2",
                aria_label=tr("monitor.bell"),
                on_mount=N.load_bell,
                data_testid="owner-bell",
            )
        ),
        rx.popover.content(
            rx.vstack(
                rx.hstack(
                    rx.text(tr("monitor.bell"), weight="bold"),
                    rx.spacer(),
                    rx.button(
                        tr("monitor.mark_all_read"),
                        size="1",
                        variant="ghost",
                        disabled=N.unread == 0,
                        on_click=N.mark_all_read,
                        data_testid="bell-mark-all",
                    ),
                    align="center",
                    width="100%",
                ),
                rx.cond(
                    N.notifications.length() > 0,
                    rx.vstack(
                        rx.foreach(N.notifications, _item),
                        spacing="0",
                        width="100%",
                        max_height="22rem",
                        overflow_y="auto",
                    ),
                    rx.text(tr("monitor.bell_empty"), size="2", color=styles.MUTED_TEXT),
                ),
                rx.link(tr("monitor.open_monitor"), href=MONITOR, size="2"),
                spacing="2",
                width="100%",
            ),
            width=["92vw", "24rem"],
            max_width="24rem",
            data_testid="bell-popover",
        ),
        on_open_change=N.bell_open_change,
    )
