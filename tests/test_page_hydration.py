"""A protected page is hydrated by its own ``page_load``, not by one more event
(``piano_emotion/ui/page_hydration.py``).

Reflex's ``on_load_internal`` queues a page's ``on_load`` events and then
``set_is_hydrated(True)``. For a protected page it queues the ``page_load``
alone, which sets ``is_hydrated`` as it ends, signed in or not; a
``page_load`` that raises queues Reflex's own hydrating event, as before.
Pages without a ``page_load`` keep Reflex's chain.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from reflex.state import OnLoadInternalState
from reflex_base.event.context import EventContext

from piano_emotion.ui.state.home import HomeState
from tests.conftest import run_async
from tests.test_page_load import PAGE_IDS, PROTECTED_PAGES, open_page
from tests.ui_states import make_state, redirect_path, set_session

ON_LOAD_INTERNAL_SCRIPT = """
import json, sys
from piano_emotion import piano_emotion  # the app: every page, page_hydration installed
from reflex.istate.data import RouterData
from reflex.state import OnLoadInternalState, State

root = State(_reflex_internal_init=True)
state = root.get_substate(OnLoadInternalState.get_full_name().split("."))
result = {}
for path in sys.argv[1:]:
    root.router = RouterData.from_router_data({"pathname": path, "asPath": path, "query": {}})
    root.is_hydrated = True
    events = OnLoadInternalState.on_load_internal.fn(state) or []
    result[path] = {
        "is_hydrated": root.is_hydrated,
        "events": [
            getattr(event, "name", None) or event.handler.fn.__qualname__ for event in events
        ],
    }
print(json.dumps(result))
"""

PUBLIC_PATHS = ["/entrar", "/registro"]


@pytest.fixture(scope="module")
def on_load_internal() -> dict:
    """What ``on_load_internal`` queues at each address, in the real app (in a
    fresh interpreter: importing the app registers every page)."""
    paths = [path.split("?")[0] for *_, path in PROTECTED_PAGES] + PUBLIC_PATHS
    done = subprocess.run(
        [sys.executable, "-c", ON_LOAD_INTERNAL_SCRIPT, *paths],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(("route", "cls", "handler", "path"), PROTECTED_PAGES, ids=PAGE_IDS)
def test_a_protected_page_change_queues_its_page_load_alone(
    on_load_internal, route, cls, handler, path
):
    queued = on_load_internal[path.split("?")[0]]
    assert queued["is_hydrated"] is False  # the browser shows the page loading
    assert queued["events"] == [f"{cls.get_full_name()}.{handler}"]


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_a_page_without_page_load_keeps_reflexs_chain(on_load_internal, path):
    events = on_load_internal[path]["events"]
    if events:  # its own on_load, then Reflex's hydrating event
        assert events[-1].endswith(".set_is_hydrated"), events
    else:  # no on_load: hydrated at once
        assert on_load_internal[path]["is_hydrated"] is True


@pytest.mark.parametrize(("route", "cls", "handler", "path"), PROTECTED_PAGES, ids=PAGE_IDS)
def test_a_page_load_hydrates_the_page_signed_in(signed_in, route, cls, handler, path):
    state = signed_in(cls, path)
    state.is_hydrated = False  # as on_load_internal leaves it
    open_page(cls, handler, state)
    assert state.is_hydrated is True
    assert state.auth_checked


@pytest.mark.parametrize(("route", "cls", "handler", "path"), PROTECTED_PAGES, ids=PAGE_IDS)
def test_a_page_load_hydrates_the_page_signed_out(
    engine, configured_app_settings, route, cls, handler, path
):
    state = make_state(cls, path)
    set_session(state, "garbage")
    state.is_hydrated = False
    result = open_page(cls, handler, state)
    assert redirect_path(result).startswith("/entrar?next=")
    assert state.is_hydrated is True


def test_a_failing_page_load_queues_reflexs_hydrating_event(signed_in, monkeypatch):
    queued = []

    async def enqueue(token, *events):
        queued.extend((token, event.name, event.payload) for event in events)

    def broken(self):
        raise RuntimeError("the dashboard failed")

    monkeypatch.setattr(HomeState, "_load", broken)
    state = signed_in(HomeState, "/")
    state.is_hydrated = False
    context = EventContext(token="tab-1", state_manager=None, enqueue_impl=enqueue)

    async def open_home_in_an_event():
        EventContext.set(context)  # as the event processor does for every event
        await HomeState.load.fn(state)

    with pytest.raises(RuntimeError, match="dashboard failed"):
        run_async(open_home_in_an_event())
    hydrating = f"{OnLoadInternalState.get_full_name()}.set_is_hydrated"
    assert queued == [("tab-1", hydrating, {"value": True})]
    assert state.is_hydrated is False  # Reflex's event sets it, after the error's toast
