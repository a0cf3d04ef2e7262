"""Domain tests: a technician in a migrated database (SQLite and MariaDB)."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from piano_emotion.models import User
from tests.factories import make_technician


@pytest.fixture
def technician(session: Session) -> User:
    user = make_technician(session, "Ana Técnica")
    session.commit()
    return user


@pytest.fixture
def other_technician(session: Session) -> User:
    user = make_technician(session, "Otro Técnico")
    session.commit()
    return user
