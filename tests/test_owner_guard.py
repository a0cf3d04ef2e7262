"""The owner guard of event handlers and owner pages, called directly."""

from __future__ import annotations

import secrets

import pytest
import reflex as rx
from sqlmodel import Session

from piano_emotion import db, settings
from piano_emotion.auth.tokens import issue_session_token
from piano_emotion.models import User
from piano_emotion.ui.state.auth import NotSignedIn
from piano_emotion.ui.state.owner import OwnerState, owner_only, owner_only_background
from tests.conftest import run_async
from tests.ui_states import handle, in_state_tree, set_session


class GuardedProbeState(OwnerState):
    """A stand-in owner page state with one sync and one async owner handler."""

    secret_figure: int = 0

    @rx.event
    @owner_only
    def reveal(self, value: int):
        self.secret_figure = value

    @rx.event
    @owner_only
    async def reveal_async(self, value: int):
        self.secret_figure = value

    @rx.event(background=True)
    @owner_only_background
    async def reveal_background(self, value: int):
        async with self:
            self.secret_figure = value


@pytest.fixture
def owner_env(engine, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("JWT_SECRET", secrets.token_urlsafe(48))
    monkeypatch.setenv("OWNER_OPEN_ID", "dueno@example.es")
    monkeypatch.setenv("OWNER_NAME", "La Dueña")
    settings.reset_settings_cache()
    db.dispose_engines()
    with Session(engine, expire_on_commit=False) as session:
        owner = User(name="Dueña", email="dueno@example.es", password_hash="x")
        other = User(name="Otro", email="otro@example.es", password_hash="x")
        session.add_all([owner, other])
        session.commit()
    yield owner, other
    settings.reset_settings_cache()
    db.dispose_engines()


def state_for(user: User | None) -> GuardedProbeState:
    state = in_state_tree(GuardedProbeState)
    if user is not None:
        set_session(
            state,
            issue_session_token(user.id, user.session_version, settings.get_settings()),
        )
    return state


def test_owner_runs_guarded_handlers(owner_env):
    owner, _ = owner_env
    state = state_for(owner)
    GuardedProbeState.reveal.fn(state, 42)
    assert state.secret_figure == 42
    assert state.is_owner is True
    assert state.user_name == "La Dueña"


def test_owner_runs_guarded_async_handlers(owner_env):
    owner, _ = owner_env
    state = state_for(owner)
    run_async(GuardedProbeState.reveal_async.fn(state, 7))
    assert state.secret_figure == 7


def test_owner_runs_guarded_background_handlers(owner_env):
    owner, other = owner_env
    state = state_for(owner)
    run_async(GuardedProbeState.reveal_background.fn(state, 9))
    assert state.secret_figure == 9

    for refused, error in ((state_for(other), PermissionError), (state_for(None), NotSignedIn)):
        with pytest.raises(error):
            run_async(GuardedProbeState.reveal_background.fn(refused, 9))
        assert refused.secret_figure == 0


def test_non_owner_is_refused_and_nothing_changes(owner_env):
    _, other = owner_env
    state = state_for(other)
    with pytest.raises(PermissionError):
        GuardedProbeState.reveal.fn(state, 42)
    assert state.secret_figure == 0


def test_signed_out_is_refused(owner_env):
    state = state_for(None)
    with pytest.raises(NotSignedIn):
        GuardedProbeState.reveal.fn(state, 42)
    assert state.secret_figure == 0


def test_a_forged_display_flag_grants_nothing(owner_env):
    """``is_owner`` on the state is display only: the guard asks the server."""
    _, other = owner_env
    state = state_for(other)
    state.is_owner = True
    state.owner_confirmed = True
    with pytest.raises(PermissionError):
        GuardedProbeState.reveal.fn(state, 42)


def test_check_owner_on_load(owner_env):
    owner, other = owner_env
    state = state_for(owner)
    assert handle(GuardedProbeState.check_owner)(state) is None
    assert state.owner_confirmed and not state.access_denied

    state = state_for(other)
    assert handle(GuardedProbeState.check_owner)(state) is None
    assert not state.owner_confirmed and state.access_denied

    state = state_for(None)
    assert handle(GuardedProbeState.check_owner)(state) is not None  # a redirect to sign-in
    assert not state.owner_confirmed
