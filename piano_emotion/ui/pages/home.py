"""Inicio: the month's figures, six months of services and revenue, the next
appointments and the alert feed with links to the records."""

from __future__ import annotations

import reflex as rx

from piano_emotion.ui import routes, styles
from piano_emotion.ui.components.layout import template
from piano_emotion.ui.i18n import tr
from piano_emotion.ui.state.home import HomeState

H = HomeState
SEVERITY_COLORS = {"urgent": "red", "warning": "amber", "info": "blue"}


def metric(label_key: str, value, icon: str, test_id: str) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.center(
                rx.icon(icon, size=20),
                background=rx.color("accent", 3),
                color=rx.color("accent", 11),
                border_radius="0.5rem",
                padding="0.5rem",
            ),
            rx.vstack(
                rx.text(tr(label_key), size="2", color=styles.MUTED_TEXT),
                rx.text(value, size="6", weight="bold", data_testid=test_id),
                spacing="0",
            ),
            align="center",
            spacing="3",
        ),
        width="100%",
    )


def month_picker() -> rx.Component:
    return rx.hstack(
        rx.icon_button(
            rx.icon("chevron-left"),
            variant="soft",
            on_click=H.shift_month(-1),
            aria_label=tr("home.previous_month"),
            data_testid="month-prev",
        ),
        rx.text(
            H.month_title,
            weight="bold",
            size="4",
            min_width="9rem",
            text_align="center",
            data_testid="month-title",
        ),
        rx.icon_button(
            rx.icon("chevron-right"),
            variant="soft",
            on_click=H.shift_month(1),
            aria_label=tr("home.next_month"),
            data_testid="month-next",
        ),
        rx.button(tr("home.this_month"), variant="ghost", on_click=H.this_month),
        align="center",
        spacing="2",
    )


def series_chart() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(tr("home.six_months"), weight="bold"),
            rx.recharts.composed_chart(
                rx.recharts.bar(
                    data_key="services",
                    name=tr("home.services_done"),
                    fill=rx.color("accent", 8),
                    y_axis_id="left",
                    is_animation_active=False,
                ),
                rx.recharts.line(
                    data_key="revenue",
                    name=tr("home.revenue"),
                    stroke=rx.color("green", 9),
                    y_axis_id="right",
                    is_animation_active=False,
                ),
                rx.recharts.x_axis(data_key="label"),
                rx.recharts.y_axis(y_axis_id="left", allow_decimals=False),
                rx.recharts.y_axis(y_axis_id="right", orientation="right", unit="€"),
                rx.recharts.graphing_tooltip(),
                rx.recharts.legend(),
                rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
                data=H.series,
                width="100%",
                height=260,
            ),
            width="100%",
        ),
        width="100%",
        data_testid="series-chart",
    )


def feed() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(tr("home.alerts"), weight="bold"),
            rx.cond(
                H.feed.length() > 0,
                rx.vstack(
                    rx.foreach(
                        H.feed,
                        lambda item: rx.link(
                            rx.hstack(
                                rx.box(
                                    width="0.55rem",
                                    height="0.55rem",
                                    border_radius="50%",
                                    flex_shrink="0",
                                    background=rx.match(
                                        item["severity"],
                                        ("urgent", rx.color("red", 9)),
                                        ("warning", rx.color("amber", 9)),
                                        rx.color("blue", 9),
                                    ),
                                ),
                                rx.text(item["text"], size="2"),
                                align="center",
                                spacing="2",
                            ),
                            href=item["link"],
                            underline="none",
                            color=rx.color("gray", 12),
                            padding_y="0.35rem",
                            border_bottom=styles.BORDER,
                            width="100%",
                            data_testid="feed-item",
                        ),
                    ),
                    spacing="0",
                    width="100%",
                    max_height="24rem",
                    overflow_y="auto",
                ),
                rx.text(tr("home.no_alerts"), color=styles.MUTED_TEXT),
            ),
            width="100%",
        ),
        width="100%",
        data_testid="alert-feed",
    )


def upcoming() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(tr("home.upcoming"), weight="bold"),
            rx.cond(
                H.upcoming.length() > 0,
                rx.vstack(
                    rx.foreach(
                        H.upcoming,
                        lambda a: rx.hstack(
                            rx.text(
                                a["when"], size="2", color=styles.MUTED_TEXT, min_width="8.5rem"
                            ),
                            rx.vstack(
                                rx.text(a["title"], size="2", weight="medium"),
                                rx.link(
                                    a["client_name"],
                                    size="1",
                                    href=f"{routes.CLIENTS}/" + a["client_id"].to(str),
                                ),
                                spacing="0",
                            ),
                            width="100%",
                            padding_y="0.3rem",
                            border_bottom=styles.BORDER,
                        ),
                    ),
                    spacing="0",
                    width="100%",
                ),
                rx.text(tr("home.no_upcoming"), color=styles.MUTED_TEXT),
            ),
            width="100%",
        ),
        width="100%",
        data_testid="upcoming",
    )


@template(route=routes.HOME, title_key="home.title", on_load=HomeState.load)
def home() -> rx.Component:
    return rx.vstack(
        month_picker(),
        rx.grid(
            metric("home.services_done", H.services_done, "wrench", "metric-services"),
            metric("home.revenue", H.revenue, "euro", "metric-revenue"),
            metric("home.new_clients", H.new_clients, "user-plus", "metric-clients"),
            metric("home.new_pianos", H.new_pianos, "piano", "metric-pianos"),
            columns=rx.breakpoints(initial="2", lg="4"),
            spacing="3",
            width="100%",
        ),
        rx.grid(
            series_chart(),
            feed(),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="3",
            width="100%",
        ),
        upcoming(),
        spacing="4",
        width="100%",
    )
