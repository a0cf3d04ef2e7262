"""Sign-in throttling: 5 failed attempts for an email or an address within
15 minutes lock further attempts until the window has passed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from piano_emotion.models import LoginAttempt
from piano_emotion.models.types import utcnow

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class Lockout:
    locked: bool
    retry_after_minutes: int = 0


def _failures_since(session: Session, column, value: str, since: datetime) -> list[datetime]:
    rows = session.exec(
        select(LoginAttempt.created_at)
        .where(column == value, LoginAttempt.succeeded == sa.false())
        .where(LoginAttempt.created_at >= since)
        .order_by(LoginAttempt.created_at)
    ).all()
    return list(rows)


def check_lockout(
    session: Session, email: str, address: str, now: datetime | None = None
) -> Lockout:
    now = now or utcnow()
    since = now - WINDOW
    worst: datetime | None = None
    for column, value in ((LoginAttempt.email, email), (LoginAttempt.address, address)):
        if not value:
            continue
        failures = _failures_since(session, column, value, since)
        if len(failures) >= MAX_FAILURES:
            # Unlocks when the oldest failure that counts leaves the window.
            unlock_at = failures[-MAX_FAILURES] + WINDOW
            worst = unlock_at if worst is None else max(worst, unlock_at)
    if worst is None:
        return Lockout(False)
    minutes = max(1, int((worst - now).total_seconds() // 60) + 1)
    return Lockout(True, minutes)


def record_attempt(
    session: Session, email: str, address: str, succeeded: bool, now: datetime | None = None
) -> None:
    now = now or utcnow()
    session.add(
        LoginAttempt(
            email=email[:191],
            address=(address or "")[:64],
            succeeded=succeeded,
            created_at=now,
            updated_at=now,
        )
    )


def purge_old_attempts(session: Session, now: datetime | None = None) -> int:
    """Forget attempts older than a day (called by a periodic job)."""
    cutoff = (now or utcnow()) - timedelta(days=1)
    result = session.exec(sa.delete(LoginAttempt).where(LoginAttempt.created_at < cutoff))
    return result.rowcount or 0
