"""The parts of a list page: filter selects and the results area (a table on a
desktop, cards on a phone, pages, and an empty state that says what to do)."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from piano_emotion.ui.components.common import empty_state, pagination
from piano_emotion.ui.i18n import tr
from piano_emotion.ui.state.lists import ALL


def filter_select(state, name: str, all_key: str, options=None, dynamic=None) -> rx.Component:
    """A select bound to ``state.<name>``: fixed ``(value, label)`` options, or
    ``dynamic`` (a list var of strings)."""
    items = [rx.select.item(tr(all_key), value=ALL)]
    if dynamic is not None:
        items.append(rx.foreach(dynamic, lambda o: rx.select.item(o, value=o)))
    else:
        items += [rx.select.item(label, value=value) for value, label in options]
    current = getattr(state, name)
    return rx.select.root(
        rx.select.trigger(data_testid=f"filter-{name}"),
        rx.select.content(*items),
        value=rx.cond(current, current, ALL),
        on_change=lambda v: state.set_filter(name, v),
    )


def list_results(
    state,
    *,
    table: Callable[[], rx.Component],
    cards: Callable[[], rx.Component],
    none_found_key: str,
    empty_icon: str,
    empty_key: str,
    empty_hint_key: str,
    new_key: str,
) -> rx.Component:
    return rx.cond(
        state.loaded,
        rx.cond(
            state.total > 0,
            rx.vstack(
                rx.box(table(), display=["none", "none", "block"], width="100%"),
                rx.box(cards(), display=["block", "block", "none"], width="100%"),
                pagination(state.page, state.pages, state.total, state.prev_page, state.next_page),
                spacing="3",
                width="100%",
            ),
            rx.cond(
                state.filtered,
                empty_state(
                    "search-x",
                    none_found_key,
                    "clients.none_found_hint",
                    rx.button(
                        tr("list.clear_filters"), on_click=state.clear_filters, variant="soft"
                    ),
                ),
                empty_state(
                    empty_icon,
                    empty_key,
                    empty_hint_key,
                    rx.button(rx.icon("plus"), tr(new_key), on_click=state.open_new),
                ),
            ),
        ),
        rx.vstack(
            *[rx.skeleton(rx.box(height="2.5rem", width="100%")) for _ in range(6)], width="100%"
        ),
    )
