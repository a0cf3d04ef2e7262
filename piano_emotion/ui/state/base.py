"""The root UI state: language (kept in a cookie) shared by every page."""

from __future__ import annotations

import reflex as rx

from piano_emotion.ui.i18n import DEFAULT_LANGUAGE, LANGUAGES


class UIState(rx.State):
    """Preferences every page reads. Page states inherit from it."""

    lang: str = rx.Cookie(DEFAULT_LANGUAGE, name="pe_lang", max_age=365 * 24 * 3600)

    @rx.event
    def set_language(self, lang: str):
        # Unknown values are ignored: the page keeps its current language.
        if lang in LANGUAGES:
            self.lang = lang
