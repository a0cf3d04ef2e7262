"""Messages for the platform owner: the bell, email and the alert webhook.

``notify_owner`` stores an ``OwnerNotification`` (the bell shows it at once);
``deliver_pending`` (run by the monitor's jobs) sends the pending ones:

- by email (``send_mail``) to ``ALERT_EMAIL``, else the owner account's email
  (``OWNER_OPEN_ID`` is that email for a local account, or the Clerk id of a
  user whose email is used), when SMTP is configured;
- to ``ALERT_WEBHOOK_URL`` as a JSON POST, Slack-compatible (``{"text": …}``)
  plus structured fields, when configured.

Each channel ends ``sent``, ``skipped`` (not configured: no SMTP or no
recipient, no webhook URL) or ``failed``. A failed channel is retried by later
runs with an exponential backoff counted from the notification's creation
(``RETRY_BASE × (2^attempts − 1)``: 0, 5, 15, 35, 75 minutes) until
``MAX_DELIVERY_ATTEMPTS`` rounds were made; every failure is logged and its
text stored in ``last_error``; the notification stays in the bell whatever
happens. A round is claimed with a conditional ``UPDATE`` of ``attempts``, so
two jobs delivering at once never send the same round twice.

The bell functions (``list_notifications``, ``unread_count``, ``mark_read``)
are for the owner only: anyone else gets ``PermissionError`` (``OwnerOnly``).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from sqlmodel import Session, func, select

from piano_emotion.auth.passwords import normalise_email
from piano_emotion.mail import MailError, mail_configured, send_mail
from piano_emotion.models import OwnerNotification, User
from piano_emotion.models.enums import DeliveryStatus, NotificationSeverity
from piano_emotion.models.types import utcnow
from piano_emotion.monitoring.access import require_owner
from piano_emotion.settings import Settings

log = logging.getLogger(__name__)

# Delivery rounds per notification, failures included (the one constant).
MAX_DELIVERY_ATTEMPTS = 5
# Round n (n = attempts already made) is due RETRY_BASE × (2^n − 1) after creation.
RETRY_BASE = timedelta(minutes=5)
WEBHOOK_TIMEOUT_S = 10.0
# One run delivers at most this many notifications, for at most this long.
DELIVERY_BATCH = 20
DELIVERY_BUDGET_S = 60.0
TITLE_MAX = 200
ERROR_MAX = 500
BELL_LIMIT_MAX = 200
RETRYABLE = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)
MONITOR_PATH = "/monitor-cache"


class DeliveryError(Exception):
    """A channel could not deliver (the text says why, never a secret)."""


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def translate(key: str, lang: str, **params: Any) -> str:
    from piano_emotion.ui.i18n import translate as _translate

    return _translate(key, lang, **params)


# ---------------------------------------------------------------------------
# the owner
# ---------------------------------------------------------------------------
def owner_user(session: Session, settings: Settings) -> User | None:
    """The owner's account, when it exists."""
    owner = settings.owner_open_id
    if not owner:
        return None
    if "@" in owner:
        query = select(User).where(User.email == normalise_email(owner), User.external_id.is_(None))
    else:
        query = select(User).where(User.external_id == owner)
    user = session.exec(query).first()
    return user if user is not None and user.is_active else None


def owner_email(session: Session, settings: Settings) -> str | None:
    """Where the owner's alerts are mailed: ``ALERT_EMAIL``, else the owner's email."""
    if settings.alert_email:
        return settings.alert_email
    owner = settings.owner_open_id
    if owner and "@" in owner:
        return normalise_email(owner)
    user = owner_user(session, settings)
    return user.email if user is not None else None


def owner_language(session: Session, settings: Settings) -> str:
    user = owner_user(session, settings)
    return str(user.locale) if user is not None else "es"


# ---------------------------------------------------------------------------
# creating
# ---------------------------------------------------------------------------
def notify_owner(
    session: Session,
    *,
    severity: NotificationSeverity,
    title: str,
    body: str,
    alert_event_id: int | None = None,
    now: datetime | None = None,
) -> OwnerNotification:
    """Store a notification for the owner (delivered later by ``deliver_pending``)."""
    now = _aware(now) if now is not None else utcnow()
    row = OwnerNotification(
        alert_event_id=alert_event_id,
        severity=NotificationSeverity(severity),
        title=title[:TITLE_MAX],
        body=body,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


# ---------------------------------------------------------------------------
# delivering
# ---------------------------------------------------------------------------
@dataclass
class DeliveryReport:
    """What one ``deliver_pending`` run did."""

    emails_sent: int = 0
    webhooks_sent: int = 0
    skipped: int = 0  # channels marked skipped (not configured)
    failed: list[tuple[int, str, str]] = field(default_factory=list)  # (id, channel, error)
    gave_up: list[int] = field(default_factory=list)  # no attempts left
    deferred: int = 0  # waiting for their next retry time
    attempted: int = 0  # notifications with a delivery round in this run

    def summary(self) -> str:
        parts = [f"email {self.emails_sent}", f"webhook {self.webhooks_sent}"]
        if self.failed:
            parts.append(f"failed {len(self.failed)}")
        if self.gave_up:
            parts.append(f"gave up {len(self.gave_up)}")
        if self.deferred:
            parts.append(f"deferred {self.deferred}")
        return "sent " + ", ".join(parts)


def next_attempt_at(row: OwnerNotification) -> datetime:
    """When the next delivery round of ``row`` is due."""
    return _aware(row.created_at) + RETRY_BASE * (2**row.attempts - 1)


def _email_content(row: OwnerNotification, settings: Settings, lang: str) -> tuple[str, str]:
    subject = translate("monitor.email.subject", lang, title=row.title)
    url = settings.app_url + MONITOR_PATH
    text = f"{row.body}\n\n{translate('monitor.email.footer', lang, url=url)}\n"
    return subject, text


def webhook_payload(row: OwnerNotification, settings: Settings) -> dict[str, Any]:
    """Slack-compatible (``text``) plus structured fields for other receivers."""
    return {
        "text": f"*{row.title}*\n{row.body}",
        "title": row.title,
        "body": row.body,
        "severity": str(row.severity),
        "notification_id": row.id,
        "alert_event_id": row.alert_event_id,
        "created_at": _aware(row.created_at).isoformat(),
        "source": "piano-emotion-manager",
        "url": settings.app_url + MONITOR_PATH,
    }


def post_webhook(url: str, payload: dict[str, Any]) -> None:
    """POST ``payload`` as JSON; ``DeliveryError`` unless the answer is 2xx.

    The URL is never put in the error (a Slack webhook URL is a secret).
    """
    try:
        response = httpx.post(url, json=payload, timeout=WEBHOOK_TIMEOUT_S)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"webhook: {type(exc).__name__}: {exc}") from exc
    if not 200 <= response.status_code < 300:
        detail = response.text.strip().replace("\n", " ")[:120]
        raise DeliveryError(f"webhook: HTTP {response.status_code} {detail}".rstrip())


def _claim(session: Session, row: OwnerNotification, now: datetime) -> bool:
    """Count this round (``attempts`` + 1) unless another run already did."""
    claimed = session.exec(
        sa.update(OwnerNotification)
        .where(OwnerNotification.id == row.id, OwnerNotification.attempts == row.attempts)
        .values(attempts=row.attempts + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if claimed.rowcount != 1:
        return False
    session.refresh(row)  # the stored count, whatever the session's expiry policy
    return True


def _deliver_one(
    session: Session,
    row: OwnerNotification,
    settings: Settings,
    now: datetime,
    recipient: str | None,
    lang: str,
    report: DeliveryReport,
) -> None:
    email_due = row.email_status in RETRYABLE
    webhook_due = row.webhook_status in RETRYABLE
    notes: list[str] = []
    if email_due and not (mail_configured(settings) and recipient):
        row.email_status = DeliveryStatus.SKIPPED
        report.skipped += 1
        email_due = False
        if mail_configured(settings):
            notes.append("email: no recipient (set ALERT_EMAIL or the owner's account)")
    if webhook_due and not settings.alert_webhook_url:
        row.webhook_status = DeliveryStatus.SKIPPED
        report.skipped += 1
        webhook_due = False
    if not (email_due or webhook_due):
        if notes:
            row.last_error = "; ".join(notes)[:ERROR_MAX]
            log.warning("owner notification %s not mailed: %s", row.id, notes[0])
        row.updated_at = now
        session.add(row)
        session.commit()
        return
    if next_attempt_at(row) > now:
        report.deferred += 1
        if notes or session.is_modified(row):
            session.add(row)
            session.commit()
        return
    if not _claim(session, row, now):
        return  # another run is delivering this round
    report.attempted += 1
    errors: list[str] = []
    if email_due:
        subject, text = _email_content(row, settings, lang)
        try:
            send_mail(settings, to=recipient, subject=subject, text=text)
        except MailError as exc:
            row.email_status = DeliveryStatus.FAILED
            errors.append(f"email: {exc}")
            report.failed.append((row.id, "email", str(exc)))
        else:
            row.email_status = DeliveryStatus.SENT
            report.emails_sent += 1
    if webhook_due:
        try:
            post_webhook(settings.alert_webhook_url, webhook_payload(row, settings))
        except DeliveryError as exc:
            row.webhook_status = DeliveryStatus.FAILED
            errors.append(str(exc))
            report.failed.append((row.id, "webhook", str(exc)))
        else:
            row.webhook_status = DeliveryStatus.SENT
            report.webhooks_sent += 1
    if errors or notes:
        row.last_error = "; ".join(notes + errors)[:ERROR_MAX]
    if errors:
        last = row.attempts >= MAX_DELIVERY_ATTEMPTS
        if last:
            report.gave_up.append(row.id)
        log.error(
            "owner notification %s: delivery round %s/%s failed%s: %s",
            row.id,
            row.attempts,
            MAX_DELIVERY_ATTEMPTS,
            " (giving up)" if last else f", retry after {next_attempt_at(row).isoformat()}",
            "; ".join(errors),
        )
    row.updated_at = now
    session.add(row)
    session.commit()


def deliver_pending(session: Session, settings: Settings, now: datetime) -> DeliveryReport:
    """Send every notification whose email or webhook is pending or due for a retry.

    Commits after each notification (a message sent is never sent again
    because a later one failed). Never raises for a delivery failure.
    """
    now = _aware(now)
    report = DeliveryReport()
    rows = list(
        session.exec(
            select(OwnerNotification)
            .where(
                sa.or_(
                    OwnerNotification.email_status.in_(RETRYABLE),
                    OwnerNotification.webhook_status.in_(RETRYABLE),
                ),
                OwnerNotification.attempts < MAX_DELIVERY_ATTEMPTS,
            )
            .order_by(OwnerNotification.created_at.asc(), OwnerNotification.id.asc())
            .limit(DELIVERY_BATCH)
        )
    )
    if not rows:
        return report
    recipient = owner_email(session, settings)
    lang = owner_language(session, settings)
    deadline = time.monotonic() + DELIVERY_BUDGET_S
    for row in rows:
        if time.monotonic() > deadline:
            report.deferred += 1
            continue
        _deliver_one(session, row, settings, now, recipient, lang, report)
    return report


# ---------------------------------------------------------------------------
# the owner's bell
# ---------------------------------------------------------------------------
def notification_to_dict(row: OwnerNotification) -> dict[str, Any]:
    """A notification as plain values (for page state)."""
    return {
        "id": row.id,
        "alert_event_id": row.alert_event_id,
        "severity": str(row.severity),
        "title": row.title,
        "body": row.body,
        "created_at": _aware(row.created_at).isoformat(),
        "read": row.read_at is not None,
        "email_status": str(row.email_status),
        "webhook_status": str(row.webhook_status),
        "attempts": row.attempts,
        "last_error": row.last_error,
    }


def list_notifications(
    session: Session, user: User | None, limit: int = 20, *, settings: Settings | None = None
) -> list[OwnerNotification]:
    """The newest notifications, newest first (owner only)."""
    require_owner(user, settings)
    limit = max(1, min(int(limit), BELL_LIMIT_MAX))
    return list(
        session.exec(
            select(OwnerNotification)
            .order_by(OwnerNotification.created_at.desc(), OwnerNotification.id.desc())
            .limit(limit)
        )
    )


def unread_count(session: Session, user: User | None, *, settings: Settings | None = None) -> int:
    """How many notifications the owner has not read (owner only)."""
    require_owner(user, settings)
    return int(
        session.exec(
            select(func.count())
            .select_from(OwnerNotification)
            .where(OwnerNotification.read_at.is_(None))
        ).one()
    )


def mark_read(
    session: Session,
    user: User | None,
    notification_id: int | None = None,
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> int:
    """Mark one notification (or all, with ``None``) as read; how many changed."""
    require_owner(user, settings)
    now = _aware(now) if now is not None else utcnow()
    query = (
        sa.update(OwnerNotification)
        .where(OwnerNotification.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session="fetch")
    )
    if notification_id is not None:
        query = query.where(OwnerNotification.id == int(notification_id))
    changed = session.exec(query).rowcount
    session.flush()
    return int(changed)
