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

The browser's cookies ride with the load too. Before each
``on_load_internal`` the browser sends ``update_vars_internal`` with its
cookies (the session, the language): an event of its own, with its own
turn through the state manager and its own packet back, for values that
``on_load_internal`` is the next to read. The socket layer holds such an
event (``hold_cookies``: only ``BrowserCookies`` vars, nothing else) and
hands its values to the ``on_load_internal`` that follows it on the same
socket, which applies them first, as Reflex's handler would have; any
other next event, or a second cookie event, sends the held one on first,
unchanged, so the order of what the server applies never changes.
"""

from __future__ import annotations

from typing import Any

from reflex import state as reflex_state
from reflex.app import EventNamespace
from reflex.state import OnLoadInternalState, UpdateVarsInternalState
from reflex_base.constants.state import FIELD_MARKER
from reflex_base.event import Event
from reflex_base.event.context import EventContext
from reflex_base.registry import RegistrationContext

from piano_emotion.ui.state.auth import checks_session
from piano_emotion.ui.state.base import BrowserCookies

ON_LOAD_INTERNAL = f"{OnLoadInternalState.get_full_name()}.on_load_internal"
UPDATE_VARS_INTERNAL = f"{UpdateVarsInternalState.get_full_name()}.update_vars_internal"
# The payload key of both Reflex's cookie event and our on_load_internal.
COOKIE_VARS = "vars"


def protected_page_load(state: Any) -> Any | None:
    """The ``page_load`` handler of the page ``state``'s browser is on, if
    its only ``on_load`` is one (a protected page); None otherwise."""
    load_events = RegistrationContext.get().app.get_load_events(state.rx_router_url.path)
    if len(load_events) == 1 and checks_session(load_events[0]):
        return getattr(load_events[0], "handler", load_events[0])
    return None


def browser_cookie(key: Any) -> str | None:
    """The ``BrowserCookies`` cookie a browser storage key names
    (``<state>.<var>_rx_state_``), or None for any other key."""
    state_name, _, name = str(key).rpartition(".")
    name = name.removesuffix(FIELD_MARKER)
    if state_name == BrowserCookies.get_full_name() and BrowserCookies._is_client_storage(name):
        return name
    return None


def only_cookies(event: Any) -> dict[str, Any] | None:
    """The vars of a browser's ``update_vars_internal`` event if they are all
    ``BrowserCookies`` cookies (what a page change sends); None otherwise."""
    if not isinstance(event, dict) or event.get("name") != UPDATE_VARS_INTERNAL:
        return None
    payload = event.get("payload")
    values = payload.get(COOKIE_VARS) if isinstance(payload, dict) else None
    if not isinstance(values, dict) or not values:
        return None
    if any(browser_cookie(key) is None for key in values):
        return None
    return values


# A cookie event held for the next event of its socket, by socket id.
_held: dict[str, dict[str, Any]] = {}


def hold_cookies(original_on_event):
    """``EventNamespace.on_event`` with a page change's cookie event folded
    into the ``on_load_internal`` that follows it (see the module's doc)."""

    async def on_event(namespace: EventNamespace, sid: str, data: Any) -> None:
        held = _held.pop(sid, None)
        if only_cookies(data) is not None:
            if held is not None:
                await original_on_event(namespace, sid, held)
            _held[sid] = data
            return
        if held is not None:
            if isinstance(data, dict) and data.get("name") == ON_LOAD_INTERNAL:
                payload = dict(data.get("payload") or {})
                payload[COOKIE_VARS] = held["payload"][COOKIE_VARS]
                data = {**data, "payload": payload}
            else:
                await original_on_event(namespace, sid, held)
        await original_on_event(namespace, sid, data)

    on_event.folds_cookies = True
    return on_event


def drop_held(original_on_disconnect):
    """``EventNamespace.on_disconnect`` forgetting the socket's held cookies
    (the browser sends them again with its reconnect's hydrate)."""

    def on_disconnect(namespace: EventNamespace, sid: str):
        _held.pop(sid, None)
        return original_on_disconnect(namespace, sid)

    on_disconnect.folds_cookies = True
    return on_disconnect


async def apply_cookies(state: Any, values: dict[str, Any]) -> None:
    """Set the browser's cookies on ``BrowserCookies``, as Reflex's
    ``update_vars_internal`` would (only that state's cookies are taken)."""
    cookies = None
    for key, value in values.items():
        if (name := browser_cookie(key)) is not None:
            cookies = cookies or await state.get_state(BrowserCookies)
            setattr(cookies, name, value)


async def on_load_internal(self: OnLoadInternalState, vars: dict | None = None) -> Any:
    """``OnLoadInternalState.on_load_internal``: the browser's cookies of
    this page change first (``vars``, folded in by ``hold_cookies``); then a
    protected page's load runs here, and any other page gets Reflex's events."""
    if isinstance(vars, dict):
        await apply_cookies(self, vars)
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
    it) run ``on_load_internal`` above, and the socket fold a page change's
    cookie event into it."""
    if not getattr(EventNamespace.on_event, "folds_cookies", False):
        EventNamespace.on_event = hold_cookies(EventNamespace.on_event)
        EventNamespace.on_disconnect = drop_held(EventNamespace.on_disconnect)
    handler = OnLoadInternalState.event_handlers["on_load_internal"]
    if handler.fn is on_load_internal:
        return
    on_load_internal.__qualname__ = handler.fn.__qualname__  # its name in logs and traces
    object.__setattr__(handler, "fn", on_load_internal)  # a frozen dataclass
    handler.__dict__.pop("_is_coroutine_function", None)  # cached: now a coroutine
