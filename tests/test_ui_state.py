"""UI state handlers called directly, without a browser or a build."""

from __future__ import annotations

from piano_emotion.ui.state.base import UIState


def make_state() -> UIState:
    return UIState(_reflex_internal_init=True)


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
