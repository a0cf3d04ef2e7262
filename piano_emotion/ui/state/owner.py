"""The owner-only guard for pages and event handlers.

An owner page's ``on_load`` is a ``@page_load`` handler (``check_owner``, or
the page's own load, as ``MonitorState.load``) that checks the owner on the
server; the page shows its content only when ``owner_confirmed`` is true.
Every owner handler is decorated with ``@owner_only``, which re-checks the
owner on the server before running (the page flag is never trusted).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import reflex as rx

from piano_emotion.auth.owner import is_owner
from piano_emotion.models import User
from piano_emotion.ui.state.auth import AuthState, page_load


def owner_only(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Run the handler only for the platform owner (``PermissionError`` otherwise)."""
    if inspect.iscoroutinefunction(handler):

        @functools.wraps(handler)
        async def async_guarded(self, *args, **kwargs):
            self.require_owner()
            return await handler(self, *args, **kwargs)

        return async_guarded

    @functools.wraps(handler)
    def guarded(self, *args, **kwargs):
        self.require_owner()
        return handler(self, *args, **kwargs)

    return guarded


def owner_only_background(handler: Callable[..., Any]) -> Callable[..., Any]:
    """``owner_only`` for ``@rx.event(background=True)`` coroutines: a background
    task may only touch its state inside ``async with self``, so the owner is
    checked there, before the handler runs (which re-checks inside its loops)."""

    @functools.wraps(handler)
    async def guarded(self, *args, **kwargs):
        async with self:
            self.require_owner()
        return await handler(self, *args, **kwargs)

    return guarded


class OwnerState(AuthState):
    """Base of every owner page's state."""

    owner_confirmed: bool = False
    access_denied: bool = False

    def _signed_out(self) -> None:
        super()._signed_out()
        self.owner_confirmed = self.access_denied = False

    @rx.event
    @page_load
    def check_owner(self, user: User):
        """``on_load`` of an owner page with nothing else to load."""
        self.owner_confirmed = is_owner(user)
        self.access_denied = not self.owner_confirmed
