"""Mixins every table is built from, and the metadata naming convention.

Constraint names are deterministic so that Alembic migrations name the same
constraint the same way on SQLite, MariaDB and TiDB.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from piano_emotion.models.types import UtcDateTime, utcnow

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class TimestampedTable(SQLModel):
    """``created_at`` / ``updated_at`` in UTC, kept by the ORM."""

    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime(), nullable=False)
    updated_at: datetime = Field(
        default_factory=utcnow,
        sa_type=UtcDateTime(),
        nullable=False,
        sa_column_kwargs={"onupdate": utcnow},
    )


class TenantTable(TimestampedTable):
    """A business row: it belongs to exactly one technician."""

    id: int | None = Field(default=None, primary_key=True)
    technician_id: int = Field(
        foreign_key="users.id", ondelete="CASCADE", index=True, nullable=False
    )
