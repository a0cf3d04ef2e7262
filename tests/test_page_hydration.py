"""A protected page loads and is hydrated inside ``on_load_internal``: one
event per page change (``piano_emotion/ui/page_hydration.py``).

Reflex's ``on_load_internal`` queues a page's ``on_load`` events and then
``set_is_hydrated(True)``. Ours runs a protected page's ``page_load`` itself,
on the page's state, and the ``page_load`` sets ``is_hydrated`` as it ends,
signed in or not; a ``page_load`` that raises queues Reflex's own hydrating
event, as before. Pages without a ``page_load`` keep Reflex's chain.
"""

from __future__ import annotations

import pytest
from reflex.state import OnLoadInternalState
from reflex_base.event.context import EventContext

from piano_emotion.ui import page_hydration
from piano_emotion.ui.state.home import HomeState
from tests.conftest import run_async
from tests.test_page_load import PAGE_IDS, PROTECTED_PAGES
from tests.ui_states import in_the_app, make_state, redirect_path, set_session

ON_LOAD_INTERNAL_SCRIPT = """
import asyncio, json, sys
from piano_emotion import piano_emotion  # the app: every page, page_hydration installed
from piano_emotion.ui import page_hydration
from reflex.istate.data import RouterData
from reflex.state import OnLoadInternalState, State

handler = OnLoadInternalState.event_handlers["on_load_internal"]
root = State(_reflex_internal_init=True)
state = root.get_substate(OnLoadInternalState.get_full_name().split("."))
result = {
    "installed": handler.fn is page_hydration.on_load_internal,
    "coroutine": handler._is_coroutine_function,
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
    return in_the_app(ON_LOAD_INTERNAL_SCRIPT, *paths)


def test_on_load_internal_is_ours_and_a_coroutine(on_load_internal):
    assert on_load_internal["installed"] is True
    assert on_load_internal["coroutine"] is True


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
