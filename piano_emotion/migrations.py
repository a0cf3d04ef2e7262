"""Apply and inspect Alembic migrations from Python (start-up, tests, health)."""

from __future__ import annotations

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


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: sa.Engine, revision: str = "base") -> None:
    with engine.begin() as connection:
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
