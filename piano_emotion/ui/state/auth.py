"""Authentication state: the session cookie and the server-side checks.

The browser only holds a signed session token (cookie ``pe_session``). Every
event that touches data resolves it again on the server (``require_user``;
``page_load`` for the ``on_load`` of a protected page); the display fields
below are conveniences for the page, never trusted.
"""

from __future__ import annotations

import inspect
import logging
import threading
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

import reflex as rx
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from piano_emotion.auth import accounts
from piano_emotion.auth.clerk import ClerkTokenError, get_verifier, upsert_clerk_user
from piano_emotion.auth.current import user_for_claims
from piano_emotion.auth.owner import is_owner, owner_display_name
from piano_emotion.auth.tokens import decode_session_token, issue_session_token
from piano_emotion.db import get_engine, session_scope
from piano_emotion.domain.dashboard import prefetch_for_user
from piano_emotion.domain.errors import DomainError, ValidationFailed
from piano_emotion.models import User
from piano_emotion.settings import Settings, get_settings
from piano_emotion.ui import routes
from piano_emotion.ui.i18n import translate
from piano_emotion.ui.state.base import UIState

log = logging.getLogger(__name__)


class NotSignedIn(Exception):
    """Raised inside handlers when the session is missing or no longer valid."""


def safe_next(target: str | None) -> str:
    """Only same-site paths are followed after sign-in (no open redirect)."""
    if not target:
        return routes.HOME
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return routes.HOME
    # Browsers read a backslash as "/" (so "/\evil.example" leads to evil.example)
    # and drop tabs and newlines: neither may appear in a same-site path.
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return routes.HOME
    if parts.path in routes.PUBLIC_ROUTES:
        return routes.HOME
    return target


# The user a ``page_load`` just resolved, for the rest of that event: the
# page's own work asks ``require_user`` again (its helpers serve other
# events too), and a second SQL read of the account in the same event would
# only repeat the first (a fifth of the app's CPU under load, issue 9).
_page_user: ContextVar[User | None] = ContextVar("page_user", default=None)


def page_load(load: Callable[..., Any]) -> Callable[..., Any]:
    """The ``on_load`` of a protected page: the session first, then the page.

    ``load(self, user)`` runs only for a valid session (the browser's
    cookies taken first: ``BrowserCookies``), with the user just
    resolved on the server (``AuthState._open_page``: sliding refresh,
    ``auth_checked``, sidebar badges); without one the browser goes to the
    sign-in page with ``next=`` this address, and ``load`` does not run. One
    event per page change: the session check is not a separate ``on_load``
    event of ``AuthState`` (whose events load every page's state); it runs
    inside ``on_load_internal``, which hydrates the page (``ui/page_hydration.py``).

    Stack it under ``@rx.event``. The event handler takes no argument: the
    wrapper is not a ``functools.wraps`` (its signature would show ``user``).
    ``layout.template`` refuses a protected page whose ``on_load`` lacks it.
    """
    is_async = inspect.iscoroutinefunction(load)

    async def checked(self):
        await self._adopt_cookies()
        # The session check reads the database: off the event loop when the
        # page's own work is too.
        user = await run_in_threadpool(self._open_page) if is_async else self._open_page()
        await self._write_cookies()  # a sliding session's fresh token
        if user is None:
            return self._sign_in_redirect()
        resolved = _page_user.set(user)
        try:
            return await load(self, user) if is_async else load(self, user)
        finally:
            _page_user.reset(resolved)

    for name in ("__module__", "__name__", "__qualname__", "__doc__"):
        setattr(checked, name, getattr(load, name))
    checked.checks_session = True
    return checked


# -- the blocking part of the sign-in events (run in the thread pool) --------
# Argon2id costs ~120 ms of CPU per hash or check, plus the database round
# trips: on the event loop that would hold up every other event of the worker.
# These take plain values and return the user (or raise); the event handler
# changes the state itself, back on its own coroutine.


def _signed_in_user(email: str, password: str, address: str) -> User:
    """The user for these credentials (the attempt recorded), or ``DomainError``."""
    with session_scope() as session:
        return accounts.sign_in(session, email=email, password=password, address=address)


def _signed_up_user(name: str, email: str, password: str, locale: str) -> User:
    """The new local account, committed, or ``ValidationFailed``."""
    with session_scope() as session:
        return accounts.sign_up(session, name=name, email=email, password=password, locale=locale)


def _clerk_user(settings: Settings, token: str) -> User:
    """The user of a verified Clerk session token (created or updated), or
    ``ClerkTokenError`` before anything is written. Verifying may fetch Clerk's
    JWKS over the network."""
    identity = get_verifier(settings).verify(token)
    with session_scope() as session:
        return upsert_clerk_user(session, identity)


def checks_session(event: Any) -> bool:
    """Whether an ``on_load`` event handler (or spec) is a ``page_load``."""
    handler = getattr(event, "handler", event)
    return bool(getattr(getattr(handler, "fn", None), "checks_session", False))


class AuthState(UIState):
    _COOKIE_COPIES: ClassVar[tuple[str, ...]] = ("lang", "session_token")
    # The handlers' copy of ``BrowserCookies.session_token``: taken at each
    # page's load, written back by whoever changes it (``_write_cookies``).
    session_token: str = ""
    # Display only (re-derived on the server at every check).
    user_id: int = 0
    user_name: str = ""
    user_email: str = ""
    is_owner: bool = False
    auth_checked: bool = False
    # Counts shown next to sidebar entries (reminders due, low stock).
    nav_badges: dict[str, int] = {}
    # Sign-in / sign-up forms.
    form_error: str = ""
    field_errors: dict[str, str] = {}
    submitting: bool = False

    # -- server-side helpers (not events) ---------------------------------
    def _resolve_user(self, session: Session) -> User | None:
        settings = get_settings()
        claims = decode_session_token(self.session_token, settings)
        user = user_for_claims(session, claims)
        if user is not None and claims is not None and claims.should_refresh():
            # Sliding session: an active user gets a fresh token.
            self.session_token = issue_session_token(user.id, user.session_version, settings)
        return user

    def current_user(self, session: Session | None = None) -> User | None:
        """The signed-in user, checked now (in ``session`` if given)."""
        if session is None:
            with Session(get_engine(), expire_on_commit=False) as session:
                return self.current_user(session)
        user = self._resolve_user(session)
        self._show_user(user)
        return user

    def require_user(self) -> User:
        """The signed-in user, checked now on the server (or earlier in this
        same event, by its ``page_load``); raises ``NotSignedIn``."""
        user = _page_user.get() or self.current_user()
        if user is None:
            raise NotSignedIn
        return user

    def require_owner(self) -> User:
        user = self.require_user()
        if not is_owner(user):
            raise PermissionError("owner only")
        return user

    def _show_user(self, user: User | None) -> None:
        if user is None:
            self.user_id, self.user_name, self.user_email, self.is_owner = 0, "", "", False
            return
        self.user_id = user.id
        self.user_name = owner_display_name(user)
        self.user_email = user.email
        self.is_owner = is_owner(user)

    async def _start_session(self, user: User) -> None:
        # Called once the account's transaction has committed (the prefetch
        # thread reads the user again by id). Warm the pages opened first
        # (dashboard, clients, alerts) in the background, so the first clicks
        # are cache hits.
        threading.Thread(target=prefetch_for_user, args=(session_scope, user), daemon=True).start()
        settings = get_settings()
        self.session_token = issue_session_token(user.id, user.session_version, settings)
        self._show_user(user)
        if user.locale and user.locale.value != self.lang:
            self.lang = user.locale.value
        self.auth_checked = True
        await self._write_cookies()

    def _current_path(self) -> str:
        url = self.router.url
        path = url.path.rstrip("/") or routes.HOME
        return f"{path}?{url.query}" if url.query else path

    def _sign_in_redirect(self):
        return rx.redirect(f"{routes.SIGN_IN}?next={quote(self._current_path(), safe='')}")

    def _message(self, error: DomainError) -> str:
        return translate(error.key, self.lang, **error.params)

    def _set_field_errors(self, error: ValidationFailed) -> None:
        self.field_errors = {
            field: translate(key, self.lang) for field, key in error.fields.items()
        }
        self.form_error = translate("error.check_fields", self.lang)

    def _record_id(self) -> int:
        """The id at the end of a detail page's address (``/clientes/12`` → 12), 0 if none.

        A plain method, read when a handler runs: a computed var reading
        ``self.router`` would make the root state load this page's state with
        every event of every page."""
        return routes.record_id(self.router.url.path)

    # -- opening a protected page (see ``page_load``) ----------------------
    def _open_page(self) -> User | None:
        """First thing every protected page's ``on_load`` does, on the server:
        the signed-in user (a sliding session gets a fresh token) and the
        sidebar badges; ``None`` (after ``_signed_out``) without a valid session."""
        # One session for both reads (each a cache hit, most of the time).
        with session_scope() as session:
            user = self.current_user(session)
            self.auth_checked = True
            if user is None:
                self._signed_out()
                return None
            self._load_nav_badges(user, session)
        return user

    def _signed_out(self) -> None:
        """What a page state clears when its page is opened without a session."""

    def _load_nav_badges(self, user: User, session: Session | None = None) -> None:
        # One cached read on every page change (both badges in one entry).
        from piano_emotion.domain import navigation

        if session is None:
            with session_scope() as session:
                return self._load_nav_badges(user, session)
        badges = navigation.nav_badges(session, user)
        self.nav_badges = {
            routes.REMINDERS: badges[navigation.REMINDERS_BADGE],
            routes.INVENTORY: badges[navigation.INVENTORY_BADGE],
        }

    # -- events -----------------------------------------------------------
    @rx.event
    async def redirect_if_signed_in(self):
        """``on_load`` of the sign-in and sign-up pages."""
        await self._adopt_cookies()
        self.form_error = ""
        self.field_errors = {}
        self.submitting = False
        if self.current_user() is not None:
            await self._write_cookies()  # a sliding session's fresh token
            return rx.redirect(safe_next(self.router.url.query_parameters.get("next")))
        self.auth_checked = True
        return None

    @rx.event
    async def sign_in(self, form: dict):
        self.form_error, self.field_errors = "", {}
        address = self.router.session.client_ip or ""
        try:
            user = await run_in_threadpool(
                _signed_in_user,
                str(form.get("email", "")),
                str(form.get("password", "")),
                address,
            )
        except DomainError as error:
            self.form_error = self._message(error)
            return None
        await self._start_session(user)
        return rx.redirect(safe_next(self.router.url.query_parameters.get("next")))

    @rx.event
    async def sign_up(self, form: dict):
        self.form_error, self.field_errors = "", {}
        if form.get("password") != form.get("password_confirm"):
            self.field_errors = {
                "password_confirm": translate("error.password_mismatch", self.lang)
            }
            self.form_error = translate("error.check_fields", self.lang)
            return None
        try:
            user = await run_in_threadpool(
                _signed_up_user,
                str(form.get("name", "")),
                str(form.get("email", "")),
                str(form.get("password", "")),
                self.lang,
            )
        except ValidationFailed as error:
            self._set_field_errors(error)
            return None
        await self._start_session(user)
        return rx.redirect(safe_next(self.router.url.query_parameters.get("next")))

    @rx.event
    async def clerk_session(self, token: str):
        """Called by the Clerk component with the Clerk session token."""
        settings = get_settings()
        if not settings.clerk_enabled:
            return None
        try:
            user = await run_in_threadpool(_clerk_user, settings, token)
        except ClerkTokenError as exc:
            log.warning("Clerk token refused: %s", exc)
            self.form_error = translate("error.clerk_refused", self.lang)
            return None
        await self._start_session(user)
        if self.router.url.path in routes.PUBLIC_ROUTES:
            return rx.redirect(safe_next(self.router.url.query_parameters.get("next")))
        return None

    @rx.event
    def clerk_signed_out(self):
        """Clerk reports no session: nothing to do for local-account sessions."""
        return None

    @rx.event
    async def sign_out(self):
        self.session_token = ""
        await self._write_cookies()
        self._show_user(None)
        self.reset_forms()
        outcome = [rx.redirect(routes.SIGN_IN)]
        if get_settings().clerk_enabled:
            outcome.insert(0, rx.call_script("window.Clerk && window.Clerk.signOut()"))
        return outcome

    def reset_forms(self) -> None:
        self.form_error = ""
        self.field_errors = {}
        self.submitting = False
