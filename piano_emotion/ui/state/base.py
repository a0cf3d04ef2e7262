"""The root UI states: the browser's cookies, and the language every page reads."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from piano_emotion.auth.current import SESSION_COOKIE
from piano_emotion.ui.i18n import DEFAULT_LANGUAGE, LANGUAGES

SESSION_MAX_AGE = 90 * 24 * 3600  # the JWT's own expiry is what really counts


class BrowserCookies(rx.State):
    """The cookies the browser keeps for us, in a state without substates.

    The browser sends its cookies with every page change
    (``update_vars_internal``), and Reflex loads the state holding a cookie
    together with all of that state's substates. In ``UIState`` and
    ``AuthState`` that was every page's state, read from Redis at the start
    of each hold (4 % of the app's CPU under load, issue 9); here it is this
    state alone. The page states keep a copy for their handlers
    (``UIState.lang``, ``AuthState.session_token``): each page's load takes
    it from here (``_adopt_cookies``), and the handlers that change one write
    it back (``_write_cookies``), which also sets it in the browser. The
    components read the language from here, so a page shows the browser's
    language from its first render.
    """

    lang: str = rx.Cookie(DEFAULT_LANGUAGE, name="pe_lang", max_age=365 * 24 * 3600)
    session_token: str = rx.Cookie(
        "", name=SESSION_COOKIE, max_age=SESSION_MAX_AGE, same_site="lax"
    )


def _copy(source: rx.State, target: rx.State, names: tuple[str, ...]) -> None:
    # Only what differs: an assignment marks the var dirty, and a dirty
    # cookie is sent to the browser again.
    for name in names:
        value = getattr(source, name)
        if getattr(target, name) != value:
            setattr(target, name, value)


class UIState(rx.State):
    """Preferences every page reads. Page states inherit from it."""

    # The ``BrowserCookies`` vars this state keeps a copy of, by the same name.
    _COOKIE_COPIES: ClassVar[tuple[str, ...]] = ("lang",)
    # The handlers' copy of ``BrowserCookies.lang`` (server-side texts).
    lang: str = DEFAULT_LANGUAGE

    async def _adopt_cookies(self) -> BrowserCookies:
        """Take the browser's cookies (first thing of a page's load)."""
        cookies = await self.get_state(BrowserCookies)
        _copy(cookies, self, self._COOKIE_COPIES)
        return cookies

    async def _write_cookies(self) -> BrowserCookies:
        """Write this state's copies back to the browser's cookies."""
        cookies = await self.get_state(BrowserCookies)
        _copy(self, cookies, self._COOKIE_COPIES)
        return cookies

    @rx.event
    async def set_language(self, lang: str):
        # Unknown values are ignored: the page keeps its current language.
        if lang in LANGUAGES:
            self.lang = lang
            await self._write_cookies()
