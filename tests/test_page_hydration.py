"""A protected page loads and is hydrated inside ``on_load_internal``: one
event per page change (``piano_emotion/ui/page_hydration.py``).

Reflex's ``on_load_internal`` queues a page's ``on_load`` events and then
``set_is_hydrated(True)``. Ours runs a protected page's ``page_load`` itself,
on the page's state, and the ``page_load`` sets ``is_hydrated`` as it ends,
signed in or not; a ``page_load`` that raises queues Reflex's own hydrating
event, as before. Pages without a ``page_load`` keep Reflex's chain. The
browser's cookie event before each page change (``update_vars_internal``)
is folded into that ``on_load_internal``, which applies the cookies first.
"""

from __future__ import annotations

import pytest
from reflex.state import OnLoadInternalState
from reflex_base.event.context import EventContext

from piano_emotion.ui import page_hydration
from piano_emotion.ui.state.home import HomeState
from tests.conftest import run_async
from tests.test_page_load import PAGE_IDS, PROTECTED_PAGES
from tests.ui_states import (
    browser_cookies,
    in_a_fresh_interpreter,
    make_state,
    redirect_path,
    set_session,
)

ON_LOAD_INTERNAL_SCRIPT = """
import asyncio, json, sys
from piano_emotion import piano_emotion  # the app: every page, page_hydration installed
from piano_emotion.ui import page_hydration
from reflex.app import EventNamespace
from reflex.istate.data import RouterData
from reflex.state import OnLoadInternalState, State

handler = OnLoadInternalState.event_handlers["on_load_internal"]
root = State(_reflex_internal_init=True)
state = root.get_substate(OnLoadInternalState.get_full_name().split("."))
result = {
    "installed": handler.fn is page_hydration.on_load_internal,
    "coroutine": handler._is_coroutine_function,
    "folds_cookies": getattr(EventNamespace.on_event, "folds_cookies", False)
    and getattr(EventNamespace.on_disconnect, "folds_cookies", False),
    "pages": {},
}
for path in sys.argv[1:]:
    root.router = RouterData.from_router_data({"pathname": path, "asPath": path, "query": {}})
    root.is_hydrated = True
    page_load = page_hydration.protected_page_load(state)
    name = page_load and f"{page_load.state.get_full_name()}.{page_load.fn.__name__}"
    entry = {"page_load": name}
    if page_load is None:  # Reflex's chain, from the installed handler itself
        events = asyncio.run(handler.fn(state)) or []
        entry["is_hydrated"] = root.is_hydrated
        entry["events"] = [
            getattr(event, "name", None) or event.handler.fn.__qualname__ for event in events
        ]
    result["pages"][path] = entry
print(json.dumps(result))
"""

PUBLIC_PATHS = ["/entrar", "/registro"]


@pytest.fixture(scope="module")
def on_load_internal() -> dict:
    """What ``on_load_internal`` does at each address, in the real app (in a
    fresh interpreter: importing the app registers every page)."""
    paths = [path.split("?")[0] for *_, path in PROTECTED_PAGES] + PUBLIC_PATHS
    return in_a_fresh_interpreter(ON_LOAD_INTERNAL_SCRIPT, *paths)


def test_on_load_internal_is_ours_and_a_coroutine(on_load_internal):
    assert on_load_internal["installed"] is True
    assert on_load_internal["coroutine"] is True


def test_the_socket_folds_the_cookie_event_in_the_app(on_load_internal):
    assert on_load_internal["folds_cookies"] is True


@pytest.mark.parametrize(("route", "cls", "handler", "path"), PROTECTED_PAGES, ids=PAGE_IDS)
def test_a_protected_page_change_runs_its_page_load(on_load_internal, route, cls, handler, path):
    page = on_load_internal["pages"][path.split("?")[0]]
    assert page["page_load"] == f"{cls.get_full_name()}.{handler}"


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_a_page_without_page_load_keeps_reflexs_chain(on_load_internal, path):
    page = on_load_internal["pages"][path]
    assert page["page_load"] is None
    if page["events"]:  # its own on_load, then Reflex's hydrating event
        assert page["events"][-1].endswith(".set_is_hydrated"), page["events"]
        assert page["is_hydrated"] is False
    else:  # no on_load: hydrated at once
        assert page["is_hydrated"] is True


def change_page(monkeypatch, cls, handler: str, state):
    """``on_load_internal`` of ``state``'s tree, at a page whose ``page_load``
    is ``cls.handler`` (what ``protected_page_load`` finds in the real app,
    tested above), run to its end; what it returned."""
    root = state._get_root_state()
    internal = root.get_substate(OnLoadInternalState.get_full_name().split("."))
    monkeypatch.setattr(page_hydration, "protected_page_load", lambda _: getattr(cls, handler))
    return run_async(page_hydration.on_load_internal(internal))


def test_on_load_internal_loads_and_hydrates_the_page_in_one_event(signed_in, monkeypatch):
    """The page's state is reached from ``on_load_internal``'s own state
    (``get_state``, here in the same tree), loaded, and hydrated; nothing is
    queued after it."""
    home = signed_in(HomeState, "/")
    root = home._get_root_state()
    root.is_hydrated = True  # the previous page's

    queued = change_page(monkeypatch, HomeState, "load", home)

    assert queued is None
    assert root.is_hydrated is True
    assert home.auth_checked and home.user_name == "Ana Técnica"
    assert home.year  # the dashboard's own load ran
    assert "is_hydrated" in root.dirty_vars  # sent with the page's data


@pytest.mark.parametrize(("route", "cls", "handler", "path"), PROTECTED_PAGES, ids=PAGE_IDS)
def test_a_page_load_hydrates_the_page_signed_in(signed_in, monkeypatch, route, cls, handler, path):
    state = signed_in(cls, path)
    change_page(monkeypatch, cls, handler, state)
    assert state.is_hydrated is True
    assert state.auth_checked


@pytest.mark.parametrize(("route", "cls", "handler", "path"), PROTECTED_PAGES, ids=PAGE_IDS)
def test_a_page_load_hydrates_the_page_signed_out(
    engine, configured_app_settings, monkeypatch, route, cls, handler, path
):
    state = make_state(cls, path)
    set_session(state, "garbage")
    result = change_page(monkeypatch, cls, handler, state)
    assert redirect_path(result).startswith("/entrar?next=")
    assert state.is_hydrated is True


def test_a_failing_page_load_queues_reflexs_hydrating_event(signed_in, monkeypatch):
    queued = []

    async def enqueue(token, *events):
        queued.extend((token, event.name, event.payload) for event in events)

    def broken(self):
        raise RuntimeError("the dashboard failed")

    monkeypatch.setattr(HomeState, "_load", broken)
    monkeypatch.setattr(page_hydration, "protected_page_load", lambda _: HomeState.load)
    state = signed_in(HomeState, "/")
    internal = state._get_root_state().get_substate(OnLoadInternalState.get_full_name().split("."))
    context = EventContext(token="tab-1", state_manager=None, enqueue_impl=enqueue)

    async def open_home_in_an_event():
        EventContext.set(context)  # as the event processor does for every event
        await page_hydration.on_load_internal(internal)

    with pytest.raises(RuntimeError, match="dashboard failed"):
        run_async(open_home_in_an_event())
    hydrating = f"{OnLoadInternalState.get_full_name()}.set_is_hydrated"
    assert queued == [("tab-1", hydrating, {"value": True})]
    assert state.is_hydrated is False  # Reflex's event sets it, after the error's toast


# -- the browser's cookie event rides with the page's load ---------------------


def cookie_key(name: str) -> str:
    from piano_emotion.ui.state.base import BrowserCookies

    return f"{BrowserCookies.get_full_name()}.{name}_rx_state_"


def cookie_event(**cookies) -> dict:
    """What the browser sends before each page change."""
    values = {cookie_key(name): value for name, value in cookies.items()}
    return {
        "name": page_hydration.UPDATE_VARS_INTERNAL,
        "payload": {"vars": values},
        "router_data": {"pathname": "/clientes"},
    }


def load_event() -> dict:
    return {"name": page_hydration.ON_LOAD_INTERNAL, "router_data": {"pathname": "/clientes"}}


class Socket:
    """The socket layer with ``hold_cookies`` installed over a recording of
    what reaches Reflex's own ``on_event`` (then its event processor)."""

    def __init__(self):
        self.reached: list[tuple[str, dict]] = []

        async def reflex_on_event(namespace, sid, data):
            self.reached.append((sid, data))

        def reflex_on_disconnect(namespace, sid):
            self.reached.append((sid, "disconnected"))

        self.on_event = page_hydration.hold_cookies(reflex_on_event)
        self.on_disconnect = page_hydration.drop_held(reflex_on_disconnect)

    def send(self, sid: str, *events: dict) -> None:
        async def in_order():
            for event in events:
                await self.on_event(None, sid, event)

        run_async(in_order())


def test_a_page_changes_cookies_reach_reflex_inside_its_on_load_internal():
    socket = Socket()
    socket.send("tab", cookie_event(session_token="tok", lang="en"), load_event())

    assert len(socket.reached) == 1  # one event instead of two
    sid, event = socket.reached[0]
    assert sid == "tab" and event["name"] == page_hydration.ON_LOAD_INTERNAL
    assert event["payload"]["vars"] == {
        cookie_key("session_token"): "tok",
        cookie_key("lang"): "en",
    }
    assert event["router_data"] == {"pathname": "/clientes"}


def test_a_held_cookie_event_goes_first_and_unchanged_before_any_other_event():
    socket = Socket()
    cookies = cookie_event(session_token="tok")
    click = {"name": "some_state.save", "payload": {"form": {}}}
    socket.send("tab", cookies, click)
    assert socket.reached == [("tab", cookies), ("tab", click)]


def test_two_cookie_events_in_a_row_keep_their_order():
    socket = Socket()
    older, newer = cookie_event(session_token="old"), cookie_event(session_token="new")
    socket.send("tab", older, newer, load_event())
    assert socket.reached[0] == ("tab", older)
    assert socket.reached[1][1]["payload"]["vars"] == {cookie_key("session_token"): "new"}
    assert len(socket.reached) == 2


def test_each_socket_holds_its_own_cookies():
    socket = Socket()
    socket.send("tab-a", cookie_event(session_token="a"))
    socket.send("tab-b", cookie_event(session_token="b"), load_event())
    socket.send("tab-a", load_event())
    folded = {sid: event["payload"]["vars"] for sid, event in socket.reached}
    assert folded == {
        "tab-b": {cookie_key("session_token"): "b"},
        "tab-a": {cookie_key("session_token"): "a"},
    }


def test_other_storage_events_are_not_held():
    """Only ``BrowserCookies`` vars are folded: any other var of the browser's
    storage (or a malformed payload) goes to Reflex as it came."""
    socket = Socket()
    foreign = {
        "name": page_hydration.UPDATE_VARS_INTERNAL,
        "payload": {"vars": {cookie_key("lang"): "en", "other_state.draft_rx_state_": "x"}},
    }
    malformed = {"name": page_hydration.UPDATE_VARS_INTERNAL, "payload": {"vars": "nope"}}
    socket.send("tab", foreign, malformed, load_event())
    assert [event for _, event in socket.reached] == [foreign, malformed, load_event()]


def test_a_disconnect_forgets_the_held_cookies():
    socket = Socket()
    socket.send("tab", cookie_event(session_token="tok"))
    socket.on_disconnect(None, "tab")
    socket.send("tab", load_event())  # a new connection reusing the id
    assert socket.reached == [("tab", "disconnected"), ("tab", load_event())]


def test_on_load_internal_applies_the_cookies_before_the_pages_load(
    engine, configured_app_settings, technician, monkeypatch
):
    """A tab whose state has no session yet is signed in by the cookies that
    came with the page change: they are applied before the page's load."""
    from piano_emotion.auth.tokens import issue_session_token

    state = make_state(HomeState, "/")
    token = issue_session_token(technician.id, technician.session_version, configured_app_settings)
    root = state._get_root_state()
    internal = root.get_substate(OnLoadInternalState.get_full_name().split("."))
    monkeypatch.setattr(page_hydration, "protected_page_load", lambda _: HomeState.load)

    cookies = {cookie_key("session_token"): token, cookie_key("lang"): "en"}
    foreign = {"other_state.draft_rx_state_": "x"}  # only BrowserCookies vars are taken
    result = run_async(page_hydration.on_load_internal(internal, vars={**cookies, **foreign}))

    assert result is None  # no redirect to the sign-in page
    assert browser_cookies(state).session_token == token
    assert state.auth_checked and state.user_name == "Ana Técnica"
    assert state.lang == "en"
    assert root.is_hydrated is True
