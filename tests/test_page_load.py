"""Opening a protected page: one event, the session checked first (``@page_load``),
and few states loaded per event under the Redis state manager.

Every protected page's ``on_load`` is its state's own load, decorated with
``page_load``: the user is resolved on the server (a sliding session gets a
fresh token), ``auth_checked`` set, the sidebar badges loaded, and without a
valid session the browser goes to the sign-in page with ``next=``, before the
page's own work runs. The handlers are called directly, as in
``test_workspace_states.py`` (SQLite and MariaDB).

The state counts come from the Redis manager's own planning
(``_get_required_state_classes``): an event of a state loads (and writes
back) that state, its substates, its parents and the states with computed
vars depending on any of those. A computed var of a page state reading
``self.router`` or ``self.lang`` (the root's or ``UIState``'s vars) would make
every event load that page's state too; these tests catch it.
"""

from __future__ import annotations

import copy
import inspect
from datetime import timedelta
from urllib.parse import quote

import pytest

from piano_emotion.auth.tokens import decode_session_token, issue_session_token
from piano_emotion.models.types import utcnow
from piano_emotion.ui.components.layout import template
from piano_emotion.ui.state.agenda import AgendaState
from piano_emotion.ui.state.auth import AuthState, checks_session
from piano_emotion.ui.state.clients import ClientDetailState, ClientsState
from piano_emotion.ui.state.home import HomeState
from piano_emotion.ui.state.inventory import InventoryState
from piano_emotion.ui.state.invoices import InvoiceDetailState, InvoicesState
from piano_emotion.ui.state.monitor import MonitorState
from piano_emotion.ui.state.pianos import PianoDetailState, PianosState
from piano_emotion.ui.state.quotes import QuoteDetailState, QuotesState
from piano_emotion.ui.state.rates import RatesState
from piano_emotion.ui.state.reminders import RemindersState
from piano_emotion.ui.state.services import ServiceDetailState, ServicesState
from piano_emotion.ui.state.settings import SettingsState
from tests.ui_states import (
    browser_cookies,
    events_of,
    handle,
    in_a_fresh_interpreter,
    make_state,
    redirect_path,
    set_session,
)

# Every protected page: its route, its ``on_load`` and an address of it.
PROTECTED_PAGES = [
    ("/", HomeState, "load", "/"),
    ("/clientes", ClientsState, "load", "/clientes?buscar=ana"),
    ("/clientes/[client_ref]", ClientDetailState, "load_detail", "/clientes/7"),
    ("/pianos", PianosState, "load", "/pianos"),
    ("/pianos/[piano_ref]", PianoDetailState, "load_detail", "/pianos/7"),
    ("/servicios", ServicesState, "load", "/servicios"),
    ("/servicios/[service_ref]", ServiceDetailState, "load_detail", "/servicios/7"),
    ("/agenda", AgendaState, "load", "/agenda?vista=day"),
    ("/presupuestos", QuotesState, "load", "/presupuestos"),
    ("/presupuestos/[quote_ref]", QuoteDetailState, "load", "/presupuestos/7"),
    ("/facturas", InvoicesState, "load", "/facturas?estado=sent"),
    ("/facturas/[invoice_ref]", InvoiceDetailState, "load", "/facturas/7"),
    ("/tarifas", RatesState, "load", "/tarifas"),
    ("/inventario", InventoryState, "load", "/inventario"),
    ("/recordatorios", RemindersState, "load", "/recordatorios"),
    ("/ajustes", SettingsState, "load", "/ajustes"),
    ("/monitor-cache", MonitorState, "load", "/monitor-cache"),
]
PAGE_IDS = [route for route, *_ in PROTECTED_PAGES]
# What the session check itself writes (everything else is the page's own work).
SESSION_FIELDS = {"auth_checked", "user_id", "user_name", "user_email", "is_owner", "nav_badges"}
NO_BADGES = {"/recordatorios": 0, "/inventario": 0}


def open_page(cls, handler: str, state):
    return handle(getattr(cls, handler))(state)


def page_vars(state) -> dict:
    """Every var of the state (its own and inherited), but the router's."""
    names = [
        name
        for name in type(state).get_fields()
        if not name.startswith(("rx_router", "router_data", "is_hydrated", "_reflex"))
    ]
    return {name: copy.deepcopy(getattr(state, name)) for name in names}


# -- the mechanism -------------------------------------------------------------------------


@pytest.mark.parametrize(("route", "cls", "handler", "path"), PROTECTED_PAGES, ids=PAGE_IDS)
def test_every_page_load_is_a_page_load_without_arguments(route, cls, handler, path):
    event = getattr(cls, handler)
    assert checks_session(event), route
    # An on_load takes no event argument (the user is handed over inside).
    assert list(inspect.signature(event.fn).parameters) == ["self"]
    assert event.fn.__qualname__.endswith(f".{handler}")
    # Asynchronous: the browser's cookies are read first (``BrowserCookies``).
    assert inspect.iscoroutinefunction(event.fn)


def test_the_template_refuses_a_page_without_its_session_check():
    for on_load in (None, [], AuthState.redirect_if_signed_in, [AuthState.sign_out]):
        with pytest.raises(ValueError, match="@page_load"):
            template(route="/sin-control", title_key="nav.home", on_load=on_load)
    # A @page_load first is what a protected page needs (nothing is registered
    # until the returned decorator is applied to the page's content).
    assert callable(template(route="/con-control", title_key="nav.home", on_load=HomeState.load))


# -- signed out: sign-in with next=, and nothing of the page ------------------------------


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "x" * 10_000])
@pytest.mark.parametrize(("route", "cls", "handler", "path"), PROTECTED_PAGES, ids=PAGE_IDS)
def test_signed_out_every_page_goes_to_sign_in_and_shows_nothing(
    engine, configured_app_settings, route, cls, handler, path, token
):
    state = make_state(cls, path)
    set_session(state, token)
    before = page_vars(state)

    result = open_page(cls, handler, state)  # never raises

    assert redirect_path(result) == f"/entrar?next={quote(path, safe='')}"
    assert state.auth_checked
    assert (state.user_id, state.user_name, state.is_owner) == (0, "", False)
    assert state.nav_badges == {}
    after = page_vars(state)
    changed = {name for name in before if after[name] != before[name]}
    assert changed <= {"auth_checked"}, changed  # the page's own load did not run


def test_signed_out_owner_page_keeps_no_owner_flags(engine, configured_app_settings):
    state = make_state(MonitorState, "/monitor-cache")
    state.owner_confirmed, state.loaded, state.metrics = True, True, {"hit_rate": "99 %"}
    result = open_page(MonitorState, "load", state)
    assert redirect_path(result) == "/entrar?next=%2Fmonitor-cache"
    assert (state.owner_confirmed, state.access_denied) == (False, False)
    assert (state.loaded, state.metrics) == (False, {})


# -- signed in: the user, the badges, a sliding session, then the page --------------------


@pytest.mark.parametrize(("route", "cls", "handler", "path"), PROTECTED_PAGES, ids=PAGE_IDS)
def test_signed_in_every_page_checks_the_session_then_loads(
    signed_in, technician, route, cls, handler, path
):
    state = signed_in(cls, path)
    token = state.session_token
    before = page_vars(state)

    result = open_page(cls, handler, state)

    for event in events_of(result):
        if event is not None:
            with pytest.raises(AssertionError):  # whatever it returns: not the sign-in page
                redirect_path(event)
    assert state.auth_checked
    assert (state.user_id, state.user_name) == (technician.id, "Ana Técnica")
    assert state.nav_badges == NO_BADGES
    assert state.session_token == token  # fresh: not re-issued
    # Then the page's own load ran (a list, a "not found", "Acceso denegado"…).
    after = page_vars(state)
    assert {name for name in before if after[name] != before[name]} - SESSION_FIELDS, route


@pytest.mark.parametrize(("route", "cls", "handler", "path"), PROTECTED_PAGES, ids=PAGE_IDS)
def test_a_page_load_reads_the_account_once(signed_in, monkeypatch, route, cls, handler, path):
    """The page's own work asks for the user again: within the same event it
    gets the one its session check resolved, not a second SQL read; the next
    event checks again."""
    from piano_emotion.ui.state import auth

    state = signed_in(cls, path)
    reads = []
    real = auth.user_for_claims

    def counted(session, claims):
        reads.append(claims)
        return real(session, claims)

    monkeypatch.setattr(auth, "user_for_claims", counted)
    open_page(cls, handler, state)
    assert len(reads) == 1, route
    state.require_user()  # another event: checked again
    assert len(reads) == 2


@pytest.mark.parametrize(("route", "cls", "handler", "path"), PROTECTED_PAGES, ids=PAGE_IDS)
def test_every_page_slides_an_old_session(
    engine, configured_app_settings, technician, route, cls, handler, path
):
    state = make_state(cls, path)
    old = issue_session_token(
        technician.id,
        technician.session_version,
        configured_app_settings,
        now=utcnow() - timedelta(hours=13),
    )
    set_session(state, old)

    open_page(cls, handler, state)

    claims = decode_session_token(state.session_token, configured_app_settings)
    assert claims.user_id == technician.id
    assert not claims.should_refresh()
    assert state.user_id == technician.id
    # The browser gets the fresh token (its cookie is what the next page sends).
    assert browser_cookies(state).session_token == state.session_token != old


@pytest.mark.parametrize(("route", "cls", "handler", "path"), PROTECTED_PAGES, ids=PAGE_IDS)
def test_every_page_takes_the_session_and_language_of_the_browsers_cookies(
    engine, configured_app_settings, technician, other_technician, route, cls, handler, path
):
    """What the browser sent wins over the state's copies: a sign-out or a
    sign-in in another tab, a language chosen elsewhere."""
    state = make_state(cls, path, other_technician, configured_app_settings)
    token = issue_session_token(technician.id, technician.session_version, configured_app_settings)
    browser_cookies(state).session_token = token
    browser_cookies(state).lang = "en"

    open_page(cls, handler, state)

    assert (state.user_id, state.session_token, state.lang) == (technician.id, token, "en")

    browser_cookies(state).session_token = ""  # signed out in another tab
    assert redirect_path(open_page(cls, handler, state)).startswith("/entrar?next=")
    assert state.session_token == ""


# -- how many states an event loads (Redis) -------------------------------------------------

PLAN_SCRIPT = """
import json
from piano_emotion import piano_emotion  # the app: every page and the route vars
from piano_emotion.ui import routes
from piano_emotion.ui.components.layout import PAGES
from piano_emotion.ui.state.auth import checks_session
from reflex.istate.manager.redis import StateManagerRedis
from reflex.state import State

manager = StateManagerRedis.__new__(StateManagerRedis)  # only its planning, no connection


def walk(cls):
    yield cls
    for sub in cls.get_substates():
        yield from walk(sub)


def names(classes):
    return sorted(cls.__name__ for cls in classes)


states = {}
for cls in walk(State):
    ancestors, parent = [], cls.get_parent_state()
    while parent is not None:
        ancestors.append(parent)
        parent = parent.get_parent_state()
    states[cls.__name__] = {
        "loads": names(manager._get_required_state_classes(cls, subclasses=True)),
        "family": names([*ancestors, *walk(cls)]),
        "potentially_dirty": names(
            c for c in walk(State) if c.get_full_name() in cls._potentially_dirty_states
        ),
    }
pages = {}
for spec in PAGES:
    if routes.is_public_path(spec.route.replace("[pay_token]", "x")):
        continue
    events = spec.on_load if isinstance(spec.on_load, list) else [spec.on_load]
    pages[spec.route] = [
        [event.state.__name__, event.fn.__name__, checks_session(event)] for event in events
    ]
print(json.dumps({"states": states, "pages": pages}))
"""


@pytest.fixture(scope="module")
def plan() -> dict:
    return in_a_fresh_interpreter(PLAN_SCRIPT)


def test_a_page_change_is_one_event_that_checks_the_session(plan):
    assert plan["pages"] == {
        route: [[cls.__name__, handler, True]] for route, cls, handler, _ in PROTECTED_PAGES
    }


def test_a_page_event_loads_only_its_own_states(plan):
    states = plan["states"]
    assert states["ClientsState"]["loads"] == [
        "AuthState",
        "ClientDetailState",
        "ClientsState",
        "State",
        "UIState",
    ]
    assert states["HomeState"]["loads"] == ["AuthState", "HomeState", "State", "UIState"]
    assert states["OnLoadInternalState"]["loads"] == ["OnLoadInternalState", "State"]
    assert states["PayState"]["loads"] == ["PayState", "State", "UIState"]
    # The cookies the browser sends with every page change: their state alone.
    assert states["BrowserCookies"]["loads"] == ["BrowserCookies", "State"]
    for _, cls, _, _ in PROTECTED_PAGES:
        loads = states[cls.__name__]["loads"]
        assert len(loads) <= 6, (cls.__name__, loads)
    # In general: an event of any state loads its parents, itself and its
    # substates, and nothing else (no other page's state).
    for name, entry in states.items():
        assert entry["loads"] == entry["family"], name


def test_no_computed_var_depends_on_a_parent(plan):
    """The root (router, route vars), ``UIState`` (``lang``) and ``AuthState``
    have no other state's computed var depending on them; a page state's
    computed vars depend on its own vars only."""
    states = plan["states"]
    assert states["State"]["potentially_dirty"] == ["State"]  # its own route vars
    assert states["UIState"]["potentially_dirty"] == []
    assert states["AuthState"]["potentially_dirty"] == []
    for name, entry in states.items():
        assert set(entry["potentially_dirty"]) <= {name}, name
