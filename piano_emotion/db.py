"""Database engine and sessions for SQLite (embedded) and MySQL/TiDB."""

from __future__ import annotations

import threading
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
    """A session that commits on success and rolls back on error."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
