"""Database engine and sessions for SQLite (embedded) and MySQL/TiDB."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session

from piano_emotion.db_url import DatabaseTarget, parse_database_url
from piano_emotion.settings import get_settings

_engines: dict[str, sa.Engine] = {}
_lock = threading.Lock()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # Foreign keys are off by default in SQLite; WAL lets readers run during a write.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# A failed CHECK constraint: MariaDB 4025 (ER_CONSTRAINT_FAILED), MySQL/TiDB 3819
# (ER_CHECK_CONSTRAINT_VIOLATED). Both carry SQLSTATE 23000, but PyMySQL raises
# them as OperationalError, while SQLite raises IntegrityError.
_MYSQL_CHECK_CONSTRAINT_ERRORS = frozenset({3819, 4025})


def _check_violation_as_integrity_error(context) -> Exception | None:
    """Report a refused CHECK constraint as ``IntegrityError`` on every backend."""
    orig = context.original_exception
    args = getattr(orig, "args", ())
    if not (
        isinstance(context.sqlalchemy_exception, sa.exc.OperationalError)
        and args
        and args[0] in _MYSQL_CHECK_CONSTRAINT_ERRORS
    ):
        return None
    dbapi_error = context.dialect.loaded_dbapi.IntegrityError(*args)
    return sa.exc.IntegrityError(
        context.statement,
        context.parameters,
        dbapi_error,
        hide_parameters=context.engine.hide_parameters,
    )


# -- MySQL/TiDB connections: the pool's checks at the price of what they catch --
# SQLAlchemy's pre-ping costs a round trip at every checkout, and its reset a
# ROLLBACK at every return, also after a COMMIT: a page whose cache entry was
# a miss sent 5 SELECTs and 3 of these (issue 9). Here a connection idle in
# the pool for PING_AFTER_IDLE_S is pinged before use (a dead one is replaced,
# as pre-ping does), and a returned connection is rolled back only when the
# server's last reply said a transaction was still open.
PING_AFTER_IDLE_S = 10.0
SERVER_STATUS_IN_TRANS = 1  # the MySQL protocol's status flag (PyMySQL's SERVER_STATUS)


def _note_idle_since(dbapi_connection, record) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
    idle_since = record.info.pop("idle_since", None)
    if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_S:
        return
    try:
        dbapi_connection.ping(reconnect=False)
    except Exception as exc:
        # The pool discards this connection and checks out another one.
        raise sa.exc.DisconnectionError(f"idle connection is gone: {exc}") from exc


def _end_open_transaction(dbapi_connection, _record, reset_state) -> None:
    if reset_state.transaction_was_reset or reset_state.terminate_only:
        return
    status = getattr(dbapi_connection, "server_status", None)
    if status is None or status & SERVER_STATUS_IN_TRANS:
        dbapi_connection.rollback()


def mysql_pool_hygiene(engine: sa.Engine) -> None:
    """Install the checks above on a MySQL/TiDB engine's pool (whose options,
    ``db_url.engine_kwargs``, turn off SQLAlchemy's own)."""
    event.listen(engine, "checkin", _note_idle_since)
    event.listen(engine, "checkout", _ping_if_idle)
    event.listen(engine, "reset", _end_open_transaction)


def create_engine_for(database_url: str, **overrides) -> sa.Engine:
    """A new engine for a ``DATABASE_URL`` (any accepted form)."""
    target: DatabaseTarget = parse_database_url(database_url)
    kwargs = target.engine_kwargs()
    kwargs.update(overrides)
    engine = sa.create_engine(target.url, **kwargs)
    if target.is_sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        event.listen(engine, "handle_error", _check_violation_as_integrity_error)
        mysql_pool_hygiene(engine)
    return engine


def get_engine() -> sa.Engine:
    """The process-wide engine for the configured database."""
    url = get_settings().database_url
    engine = _engines.get(url)
    if engine is None:
        with _lock:
            engine = _engines.get(url)
            if engine is None:
                engine = create_engine_for(url)
                _engines[url] = engine
    return engine


def committed_engine(session: Any) -> sa.Engine | None:
    """The engine on which another session sees what ``session`` commits
    (and commits what ``session`` will see), or None: a session bound to a
    connection may be inside an outer transaction (tests), and each
    connection to an in-memory SQLite database is another database."""
    try:
        bind = session.get_bind()
    except Exception:
        return None
    if not isinstance(bind, sa.Engine):
        return None
    if bind.dialect.name == "sqlite" and bind.url.database in (None, "", ":memory:"):
        return None
    return bind


def dispose_engines() -> None:
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


@contextmanager
def session_scope(engine: sa.Engine | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error.

    A page whose reads were all cache hits never sent a statement: nothing
    began, so nothing is committed (``Session.commit`` would begin a
    transaction only to end it: 15-25 µs of CPU per session, and a page change
    opens two, issue 9).
    Work queued for the commit hooks (``session.info``) still commits."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            if session.in_transaction() or session.info:
                session.commit()
        except BaseException:
            session.rollback()
            raise
