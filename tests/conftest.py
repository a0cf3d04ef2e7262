"""Shared fixtures: real databases (SQLite and MariaDB) and real Redis.

Each pytest run creates its own MariaDB database (``piano_test_<random>``)
and drops it at the end. When MariaDB, Redis or Chromium is not reachable the
tests that need it are skipped with a clear reason, unless
``REQUIRE_SERVICES=1`` (CI), which turns that into a failure.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from piano_emotion import migrations
from piano_emotion.db import create_engine_for
from piano_emotion.models import metadata

MARIADB_ADMIN_URL = os.environ.get("TEST_MARIADB_URL", "mysql://root@127.0.0.1:3306/test")
REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# Where the bench tools' tests point them: a database of their own, each
# test in a namespace of its own (``cache_namespace``).
BENCH_REDIS_URL = "redis://127.0.0.1:6379/15"
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def require_service(available: bool, what: str) -> None:
    """Skip (a user's machine) or fail (CI) when a service is missing."""
    if available:
        return
    message = f"{what} is not available"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message} and REQUIRE_SERVICES=1", pytrace=False)
    pytest.skip(f"{message}; start it (see PLATFORM.md) to run this test")


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def mariadb_available() -> bool:
    return _port_open("127.0.0.1", 3306)


def redis_available() -> bool:
    return _port_open("127.0.0.1", 6379)


def chromium_available() -> bool:
    return Path(CHROMIUM_PATH).exists() or shutil.which("chromium") is not None


def mariadb_url(database: str) -> str:
    return MARIADB_ADMIN_URL.rsplit("/", 1)[0] + f"/{database}"


class MariaDBDatabases:
    """Creates throw-away databases on the local MariaDB and drops them."""

    def __init__(self) -> None:
        self.admin = create_engine_for(MARIADB_ADMIN_URL)
        self.created: list[str] = []

    def create(self) -> str:
        name = f"piano_test_{secrets.token_hex(5)}"
        with self.admin.begin() as conn:
            conn.execute(
                sa.text(
                    f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                )
            )
        self.created.append(name)
        return mariadb_url(name)

    def drop_all(self) -> None:
        with self.admin.begin() as conn:
            for name in self.created:
                conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
        self.admin.dispose()


@pytest.fixture(scope="session")
def mariadb_databases() -> Iterator[MariaDBDatabases]:
    require_service(mariadb_available(), "MariaDB on 127.0.0.1:3306")
    databases = MariaDBDatabases()
    yield databases
    databases.drop_all()


@pytest.fixture
def empty_database_url(request, tmp_path) -> str:
    """URL of a brand-new empty database of the backend in ``request.param``."""
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return request.getfixturevalue("mariadb_databases").create()


@pytest.fixture(scope="session", params=["sqlite", "mariadb"])
def migrated_engine(request, tmp_path_factory) -> Iterator[sa.Engine]:
    """One database per backend for the whole run, migrated to head."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        url = request.getfixturevalue("mariadb_databases").create()
    engine = create_engine_for(url)
    migrations.upgrade(engine)
    yield engine
    engine.dispose()


def _clear_tables(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def engine(migrated_engine) -> Iterator[sa.Engine]:
    """A migrated database (SQLite and MariaDB), emptied after each test."""
    yield migrated_engine
    _clear_tables(migrated_engine)


@pytest.fixture
def session(engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


def run_async(coroutine):
    """Run a coroutine to completion on a fresh event loop in its own thread.

    Async tests use this instead of an async test runner: the browser tests'
    Playwright (sync API) keeps an event loop of its own in the main thread
    for the whole session, and a second loop there would clash with it.
    """
    import asyncio
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture
def configured_app_settings(engine, monkeypatch) -> Iterator[object]:
    """The process-wide settings and engine, pointed at the ``engine`` test database.

    For code that reads ``get_settings()``/``get_engine()`` itself (Reflex event
    handlers, the owner guard of API routes). The environment is set with
    ``monkeypatch``: ``DATABASE_URL`` names the database of the ``engine``
    fixture (so the test runs on SQLite and on MariaDB), ``JWT_SECRET`` is a
    fixed test secret, ``OWNER_OPEN_ID`` is ``owner@example.es`` (a local
    account), ``OWNER_NAME`` is ``Dueña de la plataforma``, and Clerk is off.
    The cached settings and engines are dropped before and after, so a test
    may change a variable with ``monkeypatch.setenv`` and then call
    ``reset_settings_cache()``. Yields the settings in force.
    """
    from piano_emotion.db import dispose_engines
    from piano_emotion.settings import get_settings, reset_settings_cache

    environment = {
        "NODE_ENV": "test",
        "APP_ENV": "",
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "JWT_SECRET": "test-secret-for-sessions-0123456789-abcdefghij",
        "SESSION_DAYS": "7",
        "OWNER_OPEN_ID": "owner@example.es",
        "OWNER_NAME": "Dueña de la plataforma",
        # Empty values win over a developer's .env and switch Clerk off.
        "CLERK_SECRET_KEY": "",
        "NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY": "",
        "CLERK_JWKS_URL": "",
        "CLERK_AUTHORIZED_PARTIES": "",
        "LOCAL_ACCOUNTS_ENABLED": "",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    reset_settings_cache()
    dispose_engines()
    yield get_settings()
    dispose_engines()
    reset_settings_cache()


@pytest.fixture(autouse=True)
def spare_cpu(monkeypatch):
    """Background work (the cache refresher, the sign-in prefetch) waits
    while the machine's CPU is saturated; a busy test machine must not make
    the tests wait for it. Tests of that wait set it themselves."""
    from piano_emotion.domain import refresh

    monkeypatch.setattr(refresh, "cpu_saturated", lambda: False)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Every test starts with an empty process cache.

    Cache keys are scoped by technician id, and ids repeat from one test
    database to the next, so a shared cache would leak entries between tests.
    """
    import secrets

    from piano_emotion.cache import build_cache, use_cache

    cache = build_cache(namespace=f"test-{secrets.token_hex(4)}")
    with use_cache(cache):
        yield cache
    cache.close()


@pytest.fixture
def cache_namespace() -> Iterator[str]:
    """A namespace of this test in ``BENCH_REDIS_URL``, its keys deleted after."""
    import redis

    require_service(redis_available(), "Redis on 127.0.0.1:6379")
    namespace = f"benchtest-{secrets.token_hex(4)}"
    yield namespace
    client = redis.Redis.from_url(BENCH_REDIS_URL)
    try:
        stale = list(client.scan_iter(match=f"{namespace}:*", count=1000))
        if stale:
            client.delete(*stale)
    finally:
        client.close()
