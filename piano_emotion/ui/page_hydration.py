"""A protected page loads and is hydrated inside Reflex's ``on_load_internal``.

On every page change (and after the first connect) the browser sends
``on_load_internal``, which in Reflex sets ``is_hydrated`` to false and
queues the page's ``on_load`` events and then ``set_is_hydrated(True)``:
three events, each with its own turn through the state manager (lock, state
tree, delta, packet to the browser). A protected page of ours has exactly
one ``on_load``, its ``page_load`` (``layout.template`` checks it), so
``on_load_internal`` runs it itself, on the page's state (``get_state``, as
any cross-state handler), and sets ``is_hydrated`` again as it ends: one
event and one delta instead of three. Load test at 2,000 users
(issue 9, runs alternated): 6.7/7.4 -> 5.3/5.5 ms of app CPU per action
without the hydrating event, then 6.4/6.2 -> 5.6/5.5 ms with the page's load
run here rather than queued.

Everything else keeps Reflex's chain: pages without a ``page_load`` (sign-in,
payment links, the 404). A ``page_load`` that fails queues Reflex's own
``set_is_hydrated(True)``, after the error's toast. A
newer navigation still cancels this event (``on_load_internal`` supersedes
the older one), page load included, as it cancelled the queued chain.
"""

from __future__ import annotations

from typing import Any

from reflex import state as reflex_state
from reflex.state import OnLoadInternalState
from reflex_base.event import Event
from reflex_base.event.context import EventContext
from reflex_base.registry import RegistrationContext

from piano_emotion.ui.state.auth import checks_session


def protected_page_load(state: Any) -> Any | None:
    """The ``page_load`` handler of the page ``state``'s browser is on, if
    its only ``on_load`` is one (a protected page); None otherwise."""
    load_events = RegistrationContext.get().app.get_load_events(state.rx_router_url.path)
    if len(load_events) == 1 and checks_session(load_events[0]):
        return getattr(load_events[0], "handler", load_events[0])
    return None


async def on_load_internal(self: OnLoadInternalState) -> Any:
    """``OnLoadInternalState.on_load_internal``: a protected page's load runs
    here; any other page gets Reflex's events."""
    page_load = protected_page_load(self)
    if page_load is None:
        return reflex_state._load_events_for_page(self)
    self.is_hydrated = False
    try:
        page_state = await self.get_state(page_load.state)
        result = await page_load.fn(page_state)
    except Exception:
        # Reflex's own hydrating event, queued after the failed load as in
        # Reflex's chain (the page shows the error's toast, not a spinner).
        await EventContext.get().enqueue(
            *Event.from_event_type(OnLoadInternalState.set_is_hydrated(True))
        )
        raise
    self.is_hydrated = True  # in the same delta as the page's data
    return result


def install() -> None:
    """Make ``on_load_internal`` (the one handler object Reflex registered for
    it) run ``on_load_internal`` above."""
    handler = OnLoadInternalState.event_handlers["on_load_internal"]
    if handler.fn is on_load_internal:
        return
    on_load_internal.__qualname__ = handler.fn.__qualname__  # its name in logs and traces
    object.__setattr__(handler, "fn", on_load_internal)  # a frozen dataclass
    handler.__dict__.pop("_is_coroutine_function", None)  # cached: now a coroutine
