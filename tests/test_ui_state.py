"""UI state handlers called directly, without a browser or a build."""

from __future__ import annotations

from reflex.state import State

from piano_emotion.ui.state.base import UIState


def make_state() -> UIState:
    """``UIState`` inside a whole state tree, as the app builds it: a language
    change reaches every page state whose computed vars depend on it."""
    root = State(_reflex_internal_init=True)
    return root.get_substate(UIState.get_full_name().split("."))


def test_language_defaults_to_spanish():
    assert make_state().lang == "es"


def test_switching_language():
    state = make_state()
    UIState.set_language.fn(state, "en")
    assert state.lang == "en"
    UIState.set_language.fn(state, "es")
    assert state.lang == "es"


def test_unknown_language_is_ignored():
    state = make_state()
    UIState.set_language.fn(state, "xx")
    assert state.lang == "es"
