"""Small pieces every list and detail page uses: empty states, pagination,
confirmation dialogs, labelled values and enum badges."""

from __future__ import annotations

import reflex as rx

from piano_emotion.ui import styles
from piano_emotion.ui.i18n import ENUM_LABELS, tr
from piano_emotion.ui.state.base import BrowserCookies


def enum_text(enum_name: str, value: rx.Var) -> rx.Var:
    """The label of an enum value in the user's language (reactive)."""
    labels = ENUM_LABELS[enum_name]
    return rx.match(
        value,
        *[
            (raw, rx.cond(BrowserCookies.lang == "en", english, spanish))
            for raw, (spanish, english) in labels.items()
        ],
        value,
    )


def empty_state(icon: str, title_key: str, hint_key: str, *actions: rx.Component) -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon(icon, size=36, color=rx.color("gray", 9)),
            rx.text(tr(title_key), weight="bold", size="4"),
            rx.text(tr(hint_key), color=styles.MUTED_TEXT, text_align="center"),
            *actions,
            align="center",
            spacing="3",
            max_width="28rem",
        ),
        padding_y="3rem",
        width="100%",
        data_testid="empty-state",
    )


def pagination(page: rx.Var, pages: rx.Var, total: rx.Var, on_prev, on_next) -> rx.Component:
    return rx.hstack(
        rx.text(
            total.to_string(),
            " ",
            tr("list.results"),
            color=styles.MUTED_TEXT,
            size="2",
            data_testid="list-total",
        ),
        rx.spacer(),
        rx.icon_button(
            rx.icon("chevron-left"),
            on_click=on_prev,
            disabled=page <= 1,
            variant="soft",
            aria_label=tr("list.previous"),
            data_testid="page-prev",
        ),
        rx.text(page.to_string(), " / ", pages.to_string(), size="2", data_testid="page-number"),
        rx.icon_button(
            rx.icon("chevron-right"),
            on_click=on_next,
            disabled=page >= pages,
            variant="soft",
            aria_label=tr("list.next"),
            data_testid="page-next",
        ),
        align="center",
        width="100%",
        spacing="2",
    )


def confirm_button(
    trigger: rx.Component,
    *,
    title_key: str,
    body_key: str,
    confirm_key: str,
    on_confirm,
    test_id: str,
) -> rx.Component:
    """A button that asks before doing something that cannot be undone lightly."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(trigger),
        rx.alert_dialog.content(
            rx.alert_dialog.title(tr(title_key)),
            rx.alert_dialog.description(tr(body_key)),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button(tr("common.cancel"), variant="soft", color_scheme="gray")
                ),
                rx.alert_dialog.action(
                    rx.button(
                        tr(confirm_key),
                        color_scheme="red",
                        on_click=on_confirm,
                        data_testid=f"{test_id}-confirm",
                    ),
                ),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
        ),
    )


def labelled(label_key: str, value: rx.Var | str, test_id: str | None = None) -> rx.Component:
    return rx.vstack(
        rx.text(tr(label_key), size="1", color=styles.MUTED_TEXT),
        rx.text(value, size="3", data_testid=test_id),
        spacing="0",
        align="start",
    )


def archive_and_delete(
    state, archived: rx.Var, *, prefix: str, archive_title_key: str, delete_body_key: str
) -> rx.Component:
    """Archive (asks first) or restore, and delete (asks first; the domain
    archives instead when the record has history). ``prefix`` names the test ids."""
    delete_title_key = archive_title_key.replace("archive_title", "delete_title")
    return rx.fragment(
        rx.cond(
            archived,
            rx.button(
                rx.icon("archive-restore"),
                tr("clients.restore"),
                variant="soft",
                on_click=state.set_archived(False),
                data_testid=f"{prefix}-restore",
            ),
            confirm_button(
                rx.button(
                    rx.icon("archive"),
                    tr("clients.archive"),
                    variant="soft",
                    color_scheme="gray",
                    data_testid=f"{prefix}-archive",
                ),
                title_key=archive_title_key,
                body_key="clients.archive_body",
                confirm_key="clients.archive",
                on_confirm=state.set_archived(True),
                test_id=f"{prefix}-archive",
            ),
        ),
        confirm_button(
            rx.button(
                rx.icon("trash-2"),
                tr("common.delete"),
                variant="soft",
                color_scheme="red",
                data_testid=f"{prefix}-delete",
            ),
            title_key=delete_title_key,
            body_key=delete_body_key,
            confirm_key="common.delete",
            on_confirm=state.remove,
            test_id=f"{prefix}-delete",
        ),
    )


def back_link(route: str, label_key: str) -> rx.Component:
    """ "← Clientes" at the top of a detail page."""
    return rx.link(
        rx.hstack(
            rx.icon("arrow-left", size=16), rx.text(tr(label_key)), spacing="1", align="center"
        ),
        href=route,
        size="2",
    )


def detail_frame(
    not_found: rx.Var,
    loaded: rx.Var,
    body: rx.Component,
    *,
    icon: str,
    area: str,
    route: str,
    label_key: str,
) -> rx.Component:
    """A detail page: "not found" (never saying whether it exists elsewhere),
    a skeleton while it loads, then the body. ``area`` prefixes the keys."""
    return rx.cond(
        not_found,
        empty_state(
            icon, f"{area}.not_found", f"{area}.not_found_hint", rx.link(tr(label_key), href=route)
        ),
        rx.cond(loaded, body, rx.skeleton(rx.box(height="12rem", width="100%"))),
    )
