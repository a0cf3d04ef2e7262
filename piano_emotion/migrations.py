"""Apply and inspect Alembic migrations from Python (start-up, tests, health)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from alembic import command
from piano_emotion.models.types import UtcDateTime

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def alembic_config(connection: sa.Connection | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.attributes["skip_logging"] = True
    if connection is not None:
        config.attributes["connection"] = connection
    return config


class MigrationError(RuntimeError):
    """A migration could not run safely, or left the database inconsistent."""


@contextmanager
def migration_connection(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection to run migrations on, inside one transaction.

    On SQLite, foreign keys are off while migrations run. Batch mode alters a
    table by copying it and dropping the original, and with foreign keys on,
    that ``DROP TABLE`` first deletes every row, which ON DELETE CASCADE
    carries to the children: rebuilding ``users`` would erase every
    technician's clients, pianos and invoices. ``PRAGMA foreign_key_check``
    then makes sure the migrations left no dangling reference, and foreign
    keys are switched back on before the connection returns to the pool.
    """
    with engine.connect() as connection:
        if connection.dialect.name != "sqlite":
            with connection.begin():
                yield connection
            return
        # The pragma is a no-op inside a transaction: set it, then check it.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        foreign_keys = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
        connection.commit()
        if foreign_keys != 0:
            raise MigrationError("could not switch SQLite foreign keys off to migrate")
        try:
            with connection.begin():
                yield connection
                dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if dangling:
                    raise MigrationError(
                        f"migrations left rows pointing to missing rows: {dangling[:10]}"
                    )
        finally:
            try:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()
            except Exception:
                # Never hand a connection without foreign keys back to the pool.
                connection.invalidate()
                raise


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    with migration_connection(engine) as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: sa.Engine, revision: str = "base") -> None:
    with migration_connection(engine) as connection:
        command.downgrade(alembic_config(connection), revision)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: sa.Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def compare_type(context, inspected_column, metadata_column, inspected_type, metadata_type):
    """Compare our UTC timestamp by what it stores, not by its Python class."""
    if isinstance(metadata_type, UtcDateTime):
        return not isinstance(inspected_type, sa.DateTime)
    return None  # Alembic's default comparison


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    # Alembic's own bookkeeping table is not part of the models.
    return not (type_ == "table" and name == "alembic_version")
