"""Column types and field helpers shared by every table.

One place decides how money, enums and timestamps are stored so that SQLite,
MariaDB and TiDB behave the same.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlmodel import Field


def utcnow() -> datetime:
    """Current time, aware, in UTC (what every timestamp column stores)."""
    return datetime.now(UTC)


class UtcDateTime(sa.types.TypeDecorator):
    """A timestamp stored as naive UTC and always read back as aware UTC.

    MySQL's DATETIME keeps no zone and SQLite keeps text, so the zone is
    normalised here; on MySQL/TiDB microseconds are kept (fsp=6) so that
    ordering by time never ties on rows written in the same second.
    """

    impl = sa.DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine:
        if dialect.name == "mysql":
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(sa.DateTime())

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; pass an aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


# Money: DECIMAL(12,2) everywhere; quantities and rates get their own precision.
MONEY = sa.Numeric(12, 2, asdecimal=True)
QUANTITY = sa.Numeric(12, 3, asdecimal=True)
PERCENT = sa.Numeric(5, 2, asdecimal=True)
COORDINATE = sa.Numeric(9, 6, asdecimal=True)

ZERO = Decimal("0.00")


def enum_type(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    """A portable enum column: VARCHAR plus a CHECK constraint on its values.

    Native MySQL ENUMs make every new value a table rebuild; a checked
    VARCHAR behaves the same on SQLite, MariaDB and TiDB and still refuses
    values that are not in the Python enum.
    """
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls) + 8,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def enum_field(enum_cls: type[enum.Enum], name: str, default: Any = ..., **kw: Any) -> Any:
    if default is ...:
        return Field(sa_type=enum_type(enum_cls, name), nullable=False, **kw)
    return Field(
        default=default,
        sa_type=enum_type(enum_cls, name),
        nullable=default is None,
        **kw,
    )


def money_field(default: Decimal | None = ZERO, **kw: Any) -> Any:
    return Field(default=default, sa_type=MONEY, nullable=default is None, **kw)


def timestamp_field(**kw: Any) -> Any:
    return Field(sa_type=UtcDateTime(), **kw)
