"""What the page-state tests share: a signed-in state at a URL, and readers
of what a handler returned (redirects, toasts) and of what it wrote.

Loaded as a pytest plugin from the root ``conftest.py``; directory
conftests (``tests/domain``) override ``technician`` with their own.
"""

from __future__ import annotations

import inspect
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from reflex.istate.data import ReflexURL, RouterData, SessionData
from reflex.state import State
from reflex_base.event import EventSpec
from sqlmodel import Session, func, select

from piano_emotion.auth.tokens import issue_session_token
from piano_emotion.models import User
from piano_emotion.ui.state.base import BrowserCookies
from tests.conftest import run_async
from tests.factories import make_technician

ORIGIN = "http://localhost:3000"


def new_technician(engine, name: str) -> User:
    with Session(engine, expire_on_commit=False) as session:
        user = make_technician(session, name)
        session.commit()
    return user


@pytest.fixture
def technician(engine) -> User:
    return new_technician(engine, "Ana Técnica")


@pytest.fixture
def other_technician(engine) -> User:
    return new_technician(engine, "Otro Técnico")


def handle(handler):
    """``handler``'s function, called as Reflex calls it: a coroutine is run
    to its end (page loads read the browser's cookies, so they are async)."""

    def call(state, *args, **kwargs):
        result = handler.fn(state, *args, **kwargs)
        return run_async(result) if inspect.iscoroutine(result) else result

    return call


def in_state_tree(cls):
    """A state of ``cls`` inside a whole state tree, as the app builds it:
    its handlers reach the browser's cookies (``BrowserCookies``)."""
    root = State(_reflex_internal_init=True)
    return root.get_substate(cls.get_full_name().split("."))


def browser_cookies(state) -> BrowserCookies:
    """The cookies of ``state``'s browser (in its state tree)."""
    root = state
    while root.parent_state is not None:
        root = root.parent_state
    return root.get_substate(BrowserCookies.get_full_name().split("."))


def set_session(state, token: str) -> None:
    """The browser holds the session ``token`` (and the state its copy)."""
    browser_cookies(state).session_token = token
    state.session_token = token


def set_language(state, lang: str) -> None:
    """The browser's language is ``lang`` (and the state's copy)."""
    browser_cookies(state).lang = lang
    state.lang = lang


def make_state(cls, path: str = "/", user: User | None = None, settings=None):
    state = in_state_tree(cls)
    state.router = RouterData(
        session=SessionData(client_ip="203.0.113.7"), url=ReflexURL(ORIGIN + path)
    )
    if user is not None:
        set_session(state, issue_session_token(user.id, user.session_version, settings))
    return state


@pytest.fixture
def signed_in(technician, configured_app_settings):
    """``signed_in(cls, path)``: a state of ``cls`` at ``path`` for ``technician``."""

    def make(cls, path: str = "/", user: User | None = None):
        return make_state(cls, path, user or technician, configured_app_settings)

    return make


def in_a_fresh_interpreter(script: str, *args: str):
    """The JSON ``script`` prints last, run in a fresh interpreter: for what
    the other tests of this process must not see or have done already
    (importing the app: every page registered, the root's route vars,
    ``page_hydration`` installed; a first query configuring the mappers)."""
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def events_of(result) -> list:
    return result if isinstance(result, list) else [result]


def redirect_path(result) -> str:
    for event in events_of(result):
        if isinstance(event, EventSpec) and event.handler.fn.__qualname__ == "_redirect":
            return {name._js_expr: value._var_value for name, value in event.args}["path"]
    raise AssertionError(f"no redirect in {result!r}")


_TOAST = re.compile(r"""__toast'\]\?\.\["(\w+)"\]\((".*")\)""")


def toasts(result) -> list[tuple[str, str]]:
    """``(level, message)`` of every ``rx.toast`` among a handler's return values."""
    found = []
    for event in events_of(result):
        if isinstance(event, EventSpec):
            for _, value in event.args:
                if match := _TOAST.search(getattr(value, "_js_expr", "")):
                    found.append((match[1], json.loads(match[2])))
    return found


def count(engine, model, **where) -> int:
    with Session(engine) as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return session.exec(query).one()


def fetch(engine, model, row_id: int):
    with Session(engine, expire_on_commit=False) as session:
        return session.get(model, row_id)


def rows(engine, model, **where) -> list:
    with Session(engine, expire_on_commit=False) as session:
        query = select(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return list(session.exec(query.order_by(model.id)).all())
