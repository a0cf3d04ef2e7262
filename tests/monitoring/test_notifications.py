"""Owner notifications: the bell (owner only) and delivery to a real local SMTP
server and a real local HTTP webhook, with retries and recorded failures."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from piano_emotion.auth.clerk import ClerkIdentity, upsert_clerk_user
from piano_emotion.models import OwnerNotification
from piano_emotion.models.enums import DeliveryStatus, NotificationSeverity
from piano_emotion.monitoring.notifications import (
    MAX_DELIVERY_ATTEMPTS,
    RETRY_BASE,
    deliver_pending,
    list_notifications,
    mark_read,
    notification_to_dict,
    notify_owner,
    owner_email,
    unread_count,
)
from tests.monitoring.conftest import NOW, OWNER_EMAIL, monitor_settings, smtp_env
from tests.monitoring.servers import free_port


def _note(
    session: Session, title: str = "Caché: latencia alta (150 ms)", **kw
) -> OwnerNotification:
    row = notify_owner(
        session,
        severity=kw.pop("severity", NotificationSeverity.WARNING),
        title=title,
        body=kw.pop("body", "La latencia media es de 150 ms."),
        now=kw.pop("now", NOW),
        **kw,
    )
    session.commit()
    return row


def _reload(session: Session, row: OwnerNotification) -> OwnerNotification:
    session.expire_all()
    return session.get(OwnerNotification, row.id)


# -- the bell -------------------------------------------------------------------


def test_the_owners_bell(session, owner):
    first = _note(session, "uno", now=NOW)
    second = _note(session, "dos", now=NOW + timedelta(minutes=1))
    third = _note(session, "tres", now=NOW + timedelta(minutes=2))
    assert [n.title for n in list_notifications(session, owner, 10)] == ["tres", "dos", "uno"]
    assert [n.title for n in list_notifications(session, owner, 2)] == ["tres", "dos"]
    assert unread_count(session, owner) == 3
    assert mark_read(session, owner, second.id, now=NOW) == 1
    assert mark_read(session, owner, second.id, now=NOW) == 0  # already read
    session.commit()
    assert unread_count(session, owner) == 2
    assert mark_read(session, owner) == 2  # all the rest
    session.commit()
    assert unread_count(session, owner) == 0
    assert all(_reload(session, n).read_at is not None for n in (first, second, third))
    data = notification_to_dict(_reload(session, third))
    assert data["title"] == "tres" and data["read"] is True
    assert data["severity"] == "warning" and data["email_status"] == "pending"
    assert data["created_at"] == (NOW + timedelta(minutes=2)).isoformat()


def test_the_bell_is_for_the_owner_only(session, owner, stranger):
    note = _note(session)
    for user in (stranger, None):
        with pytest.raises(PermissionError):
            list_notifications(session, user, 10)
        with pytest.raises(PermissionError):
            unread_count(session, user)
        with pytest.raises(PermissionError):
            mark_read(session, user, note.id)
        with pytest.raises(PermissionError):
            mark_read(session, user)
    session.commit()
    assert _reload(session, note).read_at is None
    assert unread_count(session, owner) == 1


# -- the recipient ----------------------------------------------------------------


def test_the_owners_email(session):
    assert owner_email(session, monitor_settings()) == OWNER_EMAIL
    assert owner_email(session, monitor_settings(OWNER_OPEN_ID="")) is None
    assert (
        owner_email(session, monitor_settings(ALERT_EMAIL="Guardia@Example.es"))
        == "guardia@example.es"
    )
    clerk = monitor_settings(OWNER_OPEN_ID="user_2OwnerClerk")
    assert owner_email(session, clerk) is None  # no such account yet
    upsert_clerk_user(
        session,
        ClerkIdentity(
            user_id="user_2OwnerClerk", email="clerk.owner@example.es", name="D", claims={}
        ),
    )
    session.commit()
    assert owner_email(session, clerk) == "clerk.owner@example.es"


# -- delivery -------------------------------------------------------------------


def test_email_to_a_real_smtp_server(session, smtp_server):
    settings = monitor_settings(**smtp_env(smtp_server), APP_URL="https://app.example.es")
    note = _note(session)
    report = deliver_pending(session, settings, NOW)
    assert report.emails_sent == 1 and report.webhooks_sent == 0 and report.failed == []
    [mail] = smtp_server.received
    assert mail.rcpt_tos == [OWNER_EMAIL] and mail.mail_from == "alertas@example.es"
    assert mail.message["To"] == OWNER_EMAIL
    assert mail.message["Subject"] == "[Piano Emotion] Caché: latencia alta (150 ms)"
    text = mail.message.get_body(("plain",)).get_content()
    assert "La latencia media es de 150 ms." in text
    assert "https://app.example.es/monitor-cache" in text
    row = _reload(session, note)
    assert row.email_status == DeliveryStatus.SENT
    assert row.webhook_status == DeliveryStatus.SKIPPED  # no ALERT_WEBHOOK_URL
    assert row.attempts == 1 and row.last_error == ""
    # Nothing left: a second run sends nothing again.
    assert deliver_pending(session, settings, NOW + timedelta(hours=1)).emails_sent == 0
    assert len(smtp_server.received) == 1


def test_alert_email_overrides_the_recipient(session, smtp_server):
    settings = monitor_settings(**smtp_env(smtp_server), ALERT_EMAIL="guardia@example.es")
    _note(session)
    deliver_pending(session, settings, NOW)
    assert smtp_server.received[0].rcpt_tos == ["guardia@example.es"]


def test_webhook_to_a_real_http_server(session, webhook_server):
    settings = monitor_settings(ALERT_WEBHOOK_URL=webhook_server.url)
    note = _note(session, severity=NotificationSeverity.CRITICAL)
    report = deliver_pending(session, settings, NOW)
    assert report.webhooks_sent == 1
    [request] = webhook_server.received
    assert request.path == "/hooks/alerts"
    assert request.headers["content-type"] == "application/json"
    payload = request.json()
    assert payload["text"] == "*Caché: latencia alta (150 ms)*\nLa latencia media es de 150 ms."
    assert payload["severity"] == "critical" and payload["notification_id"] == note.id
    assert payload["title"] == "Caché: latencia alta (150 ms)"
    assert payload["created_at"] == NOW.isoformat()
    row = _reload(session, note)
    assert row.webhook_status == DeliveryStatus.SENT
    assert row.email_status == DeliveryStatus.SKIPPED  # no SMTP


def test_a_webhook_answering_500_is_retried_with_backoff_and_then_sent(
    session, webhook_server, smtp_server, caplog
):
    webhook_server.statuses = [500]
    settings = monitor_settings(**smtp_env(smtp_server), ALERT_WEBHOOK_URL=webhook_server.url)
    note = _note(session)
    with caplog.at_level(logging.ERROR):
        first = deliver_pending(session, settings, NOW)
    assert first.emails_sent == 1 and [(f[0], f[1]) for f in first.failed] == [(note.id, "webhook")]
    row = _reload(session, note)
    assert (row.email_status, row.webhook_status) == (DeliveryStatus.SENT, DeliveryStatus.FAILED)
    assert row.attempts == 1 and "HTTP 500" in row.last_error
    assert webhook_server.url not in row.last_error
    assert any("delivery round 1/5 failed" in r.getMessage() for r in caplog.records)

    # Before the backoff is over nothing is tried.
    early = deliver_pending(session, settings, NOW + RETRY_BASE - timedelta(seconds=1))
    assert early.deferred == 1 and len(webhook_server.received) == 1

    later = deliver_pending(session, settings, NOW + RETRY_BASE)
    assert later.webhooks_sent == 1 and later.emails_sent == 0  # the email is not sent twice
    row = _reload(session, note)
    assert row.webhook_status == DeliveryStatus.SENT and row.attempts == 2
    assert "HTTP 500" in row.last_error  # the last error stays on record
    assert len(webhook_server.received) == 2 and len(smtp_server.received) == 1


def test_an_unreachable_smtp_server_is_recorded_not_raised(session, caplog):
    port = free_port()
    settings = monitor_settings(
        SMTP_HOST="127.0.0.1", SMTP_PORT=str(port), SMTP_FROM="a@example.es", SMTP_STARTTLS="no"
    )
    note = _note(session)
    now = NOW
    with caplog.at_level(logging.ERROR):
        for attempt in range(1, MAX_DELIVERY_ATTEMPTS + 1):
            report = deliver_pending(session, settings, now)
            assert report.failed and report.failed[0][1] == "email"
            row = _reload(session, note)
            assert row.attempts == attempt and row.email_status == DeliveryStatus.FAILED
            assert f"SMTP 127.0.0.1:{port}" in row.last_error
            now = NOW + RETRY_BASE * (2**attempt - 1)
    assert report.gave_up == [note.id]
    assert any("giving up" in r.getMessage() for r in caplog.records)
    # Given up: no more rounds, but the notification stays in the bell.
    assert deliver_pending(session, settings, now + timedelta(days=1)).attempted == 0
    assert _reload(session, note).attempts == MAX_DELIVERY_ATTEMPTS
    assert session.exec(select(OwnerNotification)).one().id == note.id


def test_nothing_configured_marks_both_channels_skipped(session):
    note = _note(session)
    report = deliver_pending(session, monitor_settings(), NOW)
    assert report.skipped == 2 and report.attempted == 0
    row = _reload(session, note)
    assert (row.email_status, row.webhook_status) == (DeliveryStatus.SKIPPED,) * 2
    assert row.attempts == 0


def test_smtp_without_a_known_recipient_is_skipped_with_the_reason(session, smtp_server):
    settings = monitor_settings(**smtp_env(smtp_server), OWNER_OPEN_ID="user_2Nobody")
    note = _note(session)
    deliver_pending(session, settings, NOW)
    row = _reload(session, note)
    assert row.email_status == DeliveryStatus.SKIPPED and "ALERT_EMAIL" in row.last_error
    assert smtp_server.received == []


def test_the_owners_language_is_used_for_the_email(session, smtp_server, owner):
    owner.locale = "en"
    session.add(owner)
    session.commit()
    _note(session, "Cache: high latency (150 ms)")
    deliver_pending(session, monitor_settings(**smtp_env(smtp_server)), NOW)
    message = smtp_server.received[0].message
    assert "Automatic notice from the cache monitor" in message.get_body(("plain",)).get_content()
