"""Domain tests: a technician in a migrated database (SQLite and MariaDB),
and a fresh in-memory cache per test (Redis-backed variants where asked)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from sqlmodel import Session

from piano_emotion.cache import CacheService, build_cache, use_cache
from piano_emotion.models import User
from tests.factories import make_technician


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[CacheService]:
    """Every domain test starts with an empty process cache."""
    cache = build_cache(namespace=f"dom-{secrets.token_hex(4)}")
    with use_cache(cache):
        yield cache
    cache.close()


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
