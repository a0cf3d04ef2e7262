"""The owner's bell in the top bar: unread count and the latest notifications.

Rendered only for the owner (``AuthState.is_owner``, display only); every
handler re-checks the owner on the server (``@owner_only``), so a forged flag
gets "Acceso denegado" and nothing else.
"""

from __future__ import annotations

import reflex as rx
from starlette.concurrency import run_in_threadpool

from piano_emotion.db import session_scope
from piano_emotion.models import User
from piano_emotion.monitoring.notifications import list_notifications, mark_read, unread_count
from piano_emotion.monitoring.overview import local_text
from piano_emotion.ui.state.owner import OwnerState, owner_only

BELL_LIMIT = 10


class NotificationsState(OwnerState):
    unread: int = 0
    notifications: list[dict] = []
    bell_loaded: bool = False

    def _load_bell(self, user: User) -> None:
        with session_scope() as session:
            count = unread_count(session, user)
            rows = list_notifications(session, user, BELL_LIMIT)
            items = [
                {
                    "id": row.id,
                    "title": row.title,
                    "body": row.body,
                    "severity": str(row.severity),
                    "created": local_text(row.created_at),
                    "read": row.read_at is not None,
                }
                for row in rows
            ]
        self.unread, self.notifications, self.bell_loaded = count, items, True

    @rx.event
    @owner_only
    async def load_bell(self):
        """On mount of the bell (every page of the owner) and when it opens."""
        user = self.require_owner()
        await run_in_threadpool(self._load_bell, user)

    @rx.event
    @owner_only
    async def bell_open_change(self, is_open: bool):
        if is_open:
            user = self.require_owner()
            await run_in_threadpool(self._load_bell, user)

    @rx.event
    @owner_only
    def mark_all_read(self):
        user = self.require_owner()
        with session_scope() as session:
            mark_read(session, user)
        self._load_bell(user)

    @rx.event
    @owner_only
    def mark_one_read(self, notification_id: int):
        user = self.require_owner()
        with session_scope() as session:
            mark_read(session, user, int(notification_id))
        self._load_bell(user)
