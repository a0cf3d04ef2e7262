"""What the sidebar shows on every page: its badges, in one cache entry.

Every page change reads them (``AuthState._open_page``), so they are one
cache round trip, not one per badge; a miss reads each badge's own cached
count (``reminders.reminder_counts``, ``inventory.low_stock_count``).
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from piano_emotion.domain import inventory, reminders
from piano_emotion.domain.alerts import local_today
from piano_emotion.domain.cached import cached_read
from piano_emotion.models import User

# Badge name -> what it counts; the keys are what ``nav_badges`` returns.
REMINDERS_BADGE = "reminders"  # reminders overdue or due today
INVENTORY_BADGE = "inventory"  # active items at or below their minimum stock
BADGE_READS = (*reminders.REMINDER_READS, "inventory")


def _nav_badges(session: Session, user: User, today: date) -> dict[str, int]:
    return {
        REMINDERS_BADGE: reminders.reminder_counts(session, user, today)["badge"],
        INVENTORY_BADGE: inventory.low_stock_count(session, user),
    }


def nav_badges(session: Session, user: User, today: date | None = None) -> dict[str, int]:
    """The sidebar's badges: ``{"reminders": n, "inventory": n}``."""
    today = today or local_today()
    return cached_read(
        user,
        "navigation",
        "badges",
        {"today": today},
        lambda: _nav_badges(session, user, today),
        depends_on=BADGE_READS,
    )
