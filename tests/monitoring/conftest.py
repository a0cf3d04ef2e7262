"""Fixtures of the cache monitor tests: the owner, settings, local servers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from piano_emotion.models import User
from piano_emotion.settings import Settings, load_settings
from tests.factories import make_technician
from tests.monitoring.servers import LocalSMTPServer, LocalWebhookServer
from tests.monitoring.traffic import Traffic

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
OWNER_EMAIL = "owner@example.es"  # OWNER_OPEN_ID of ``configured_app_settings``
JWT = "monitor-test-secret-0123456789-abcdefghijklmnop"


def monitor_settings(**environ: str) -> Settings:
    """Settings from a mapping (the owner is the local account ``OWNER_EMAIL``)."""
    base = {"NODE_ENV": "test", "JWT_SECRET": JWT, "OWNER_OPEN_ID": OWNER_EMAIL}
    base.update(environ)
    return load_settings(base)


def smtp_env(server: LocalSMTPServer) -> dict[str, str]:
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(server.port),
        "SMTP_FROM": "Piano Emotion <alertas@example.es>",
        "SMTP_STARTTLS": "false",
    }


@pytest.fixture
def owner(session: Session, configured_app_settings) -> User:
    user = make_technician(session, "Dueña", OWNER_EMAIL)
    session.commit()
    return user


@pytest.fixture
def stranger(session: Session, configured_app_settings) -> User:
    user = make_technician(session, "Técnico Cualquiera", "tecnico@example.es")
    session.commit()
    return user


@pytest.fixture
def traffic() -> Traffic:
    return Traffic()


@pytest.fixture
def smtp_server() -> Iterator[LocalSMTPServer]:
    with LocalSMTPServer() as server:
        yield server


@pytest.fixture
def webhook_server() -> Iterator[LocalWebhookServer]:
    with LocalWebhookServer() as server:
        yield server
