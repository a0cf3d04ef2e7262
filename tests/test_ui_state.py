"""UI state handlers called directly, without a browser or a build."""

from __future__ import annotations

from reflex.state import State

from piano_emotion.ui.state.base import BrowserCookies, UIState
from tests.conftest import run_async
from tests.ui_states import browser_cookies, in_state_tree


def make_state() -> UIState:
    """``UIState`` inside a whole state tree, as the app builds it: a language
    change reaches every page state whose computed vars depend on it."""
    return in_state_tree(UIState)


def test_language_defaults_to_spanish():
    state = make_state()
    assert state.lang == "es"
    assert browser_cookies(state).lang == "es"


def test_switching_language_sets_the_browsers_cookie_too():
    state = make_state()
    run_async(UIState.set_language.fn(state, "en"))
    assert state.lang == "en"
    assert browser_cookies(state).lang == "en"
    run_async(UIState.set_language.fn(state, "es"))
    assert (state.lang, browser_cookies(state).lang) == ("es", "es")


def test_unknown_language_is_ignored():
    state = make_state()
    run_async(UIState.set_language.fn(state, "xx"))
    assert (state.lang, browser_cookies(state).lang) == ("es", "es")


def test_the_browsers_cookies_live_in_a_state_of_their_own():
    """Every cookie (and every other value the browser stores) is a var of
    ``BrowserCookies``, a leaf: the browser sends them with every page change,
    and Reflex loads the state holding one with all its substates."""
    stored = {}
    stack = [State]
    while stack:
        cls = stack.pop()
        stack.extend(cls.get_substates())
        names = [name for name in cls.base_vars if cls._is_client_storage(name)]
        if names:
            stored[cls.__name__] = sorted(names)
    assert stored == {"BrowserCookies": ["lang", "session_token"]}
    assert not BrowserCookies.get_substates()
