"""A protected page is hydrated by its own load event, not by one more.

On every page change Reflex's ``on_load_internal`` sets ``is_hydrated`` to
false and queues the page's ``on_load`` events followed by
``set_is_hydrated(True)``: one more event after the page's load, with its own
turn through the state manager (lock, state tree, delta, packet to the
browser), for one boolean. A protected page of ours has exactly one
``on_load``, its ``page_load`` (``layout.template`` checks it), which now
sets the flag itself as it ends (``auth.page_load``): the same delta as
its data, one event and one packet fewer per page change (issue 9).

Everything else keeps Reflex's chain: pages without a ``page_load`` (sign-in,
payment links, the 404), and a ``page_load`` that fails, which queues
Reflex's own ``set_is_hydrated(True)`` as before, after the error's toast.
"""

from __future__ import annotations

from typing import Any

from reflex import state as reflex_state
from reflex_base.event import Event
from reflex_base.registry import RegistrationContext

from piano_emotion.ui.state.auth import checks_session

_reflex_load_events_for_page = reflex_state._load_events_for_page


def load_events_for_page(state: Any) -> list[Any] | None:
    """``on_load_internal``'s events: a protected page's ``page_load`` alone."""
    load_events = RegistrationContext.get().app.get_load_events(state.rx_router_url.path)
    if len(load_events) == 1 and checks_session(load_events[0]):
        state.is_hydrated = False
        return Event.from_event_type(load_events)
    return _reflex_load_events_for_page(state)


def install() -> None:
    """Route ``on_load_internal`` through ``load_events_for_page``."""
    reflex_state._load_events_for_page = load_events_for_page
