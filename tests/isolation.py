"""The isolation probe: technician B calls every domain function with ids
belonging to technician A, and nothing of A's is read, changed or counted.

Every domain function that takes the current user is registered here with
``@probe``; ``tests/test_isolation.py`` runs them all on SQLite and MariaDB
and fails when a domain function exists without a probe.

A probe receives ``(session, b, a)`` where ``b`` is the caller (a ``User``)
and ``a`` is the other technician's ``TenantData``. It returns what the
function returned; ``expect`` says what is acceptable:
- ``NOT_FOUND``: the call raises ``NotFound`` (same as a missing id);
- a callable ``check(result, a) -> None`` that asserts on the result (for
  lists and counts: none of A's ids, names or numbers appear in it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from piano_emotion.models import User, metadata
from tests.factories import TenantData

NOT_FOUND = "not_found"


@dataclass(frozen=True)
class Probe:
    name: str  # "module.function" of the domain function it covers
    call: Callable[[Session, User, TenantData], Any]
    expect: str | Callable[[Any, TenantData], None]


PROBES: dict[str, list[Probe]] = {}


def probe(name: str, expect: str | Callable[[Any, TenantData], None] = NOT_FOUND):
    """Register ``fn(session, b, a)`` as a probe of the domain function ``name``."""

    def decorator(fn: Callable[[Session, User, TenantData], Any]):
        PROBES.setdefault(name, []).append(Probe(name=name, call=fn, expect=expect))
        return fn

    return decorator


def all_probes() -> list[Probe]:
    return [p for probes in PROBES.values() for p in probes]


def tenant_snapshot(session: Session, user: User) -> dict[str, list[tuple]]:
    """Every row of every table that carries ``technician_id``, for ``user``."""
    snapshot = {}
    for table in metadata.sorted_tables:
        if "technician_id" not in table.c:
            continue
        rows = session.execute(
            sa.select(table).where(table.c.technician_id == user.id).order_by(*table.primary_key)
        ).all()
        snapshot[table.name] = [tuple(row) for row in rows]
    return snapshot


def assert_no_trace_of(result: Any, a: TenantData) -> None:
    """A list/dict/object result mentions none of A's ids, names or emails."""
    text = repr(result)
    for marker in (a.user.email, f"Cliente {a.user.name}"):
        assert marker not in text, f"{marker!r} of the other technician leaked"
