"""Gap-free, collision-free document numbers: ``F-2026-0001``, ``P-2026-0001``.

One ``DocumentCounter`` row per technician, kind and year holds the last
number issued. ``next_number`` locks that row (``SELECT … FOR UPDATE``) in
the caller's transaction and increments it, so two transactions issuing a
number at once are serialised on the row, and a transaction that rolls back
gives its number back (the next one reuses it: no gaps). Numbers are never
derived from ids (TiDB ids are unique but not ordered).

The row is created the first time a technician issues a document of a kind
in a year. Two transactions may try to create it at once: the unique
constraint (technician, kind, year) lets only one insert win, and the other
then locks the row the winner made. The creation is an "insert if missing"
that does not take shared locks (MySQL ``ON DUPLICATE KEY UPDATE`` waits for
an exclusive lock on a row being created by another transaction; a plain
insert that fails on the duplicate would keep a shared lock, and two such
transactions upgrading to exclusive at once deadlock), and the first look for
the row is a plain read (a locking read of a missing row takes a gap lock,
and two gap locks block each other's inserts).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, sqlite
from sqlmodel import Session, select

from piano_emotion.domain.business import get_business_info
from piano_emotion.domain.errors import ValidationFailed
from piano_emotion.models import DocumentCounter, User
from piano_emotion.models.enums import DocumentKind
from piano_emotion.models.types import utcnow

DEFAULT_PREFIXES = {DocumentKind.INVOICE: "F", DocumentKind.QUOTE: "P"}
YEARS = range(2000, 2101)
DIGITS = 4


def document_prefix(session: Session, user: User, kind: DocumentKind) -> str:
    """The technician's prefix for ``kind`` (business info), or ``F`` / ``P``."""
    kind = DocumentKind(kind)
    info = get_business_info(session, user)
    prefix = ""
    if info is not None:
        prefix = info.invoice_prefix if kind == DocumentKind.INVOICE else info.quote_prefix
    return (prefix or "").strip() or DEFAULT_PREFIXES[kind]


def format_number(prefix: str, year: int, sequence: int) -> str:
    return f"{prefix}-{year}-{sequence:0{DIGITS}d}"


def _counter(session: Session, user: User, kind: DocumentKind, year: int, *, lock: bool):
    query = select(DocumentCounter).where(
        DocumentCounter.technician_id == user.id,
        DocumentCounter.kind == kind,
        DocumentCounter.year == year,
    )
    if lock:
        # Re-read from the row: a copy already in the session may be older.
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.exec(query).first()


def _create_counter(session: Session, user: User, kind: DocumentKind, year: int) -> None:
    """Insert the counter row unless it exists (the unique constraint decides)."""
    now = utcnow()
    values = {
        "technician_id": user.id,
        "kind": kind,
        "year": year,
        "last_number": 0,
        "created_at": now,
        "updated_at": now,
    }
    table = DocumentCounter.__table__
    dialect = session.get_bind().dialect.name
    if dialect == "mysql":
        # On a duplicate, "update" the row to itself: keeps its number, and
        # waits for an exclusive lock (never a shared one) on it.
        statement = mysql.insert(table).values(**values)
        statement = statement.on_duplicate_key_update(last_number=table.c.last_number)
        session.execute(statement)
    elif dialect == "sqlite":
        session.execute(sqlite.insert(table).values(**values).on_conflict_do_nothing())
    else:  # pragma: no cover - other backends: the unique constraint, then re-select
        try:
            with session.begin_nested():
                session.execute(sa.insert(table).values(**values))
        except sa.exc.IntegrityError:
            pass


def next_number(session: Session, user: User, kind: DocumentKind, year: int) -> str:
    """The technician's next number of ``kind`` in ``year`` (``F-2026-0001``).

    Takes the number in the caller's transaction: the counter row stays
    locked until it commits (or rolls back, and the number is not used).
    """
    try:
        kind = DocumentKind(kind)
    except ValueError:
        raise ValidationFailed({"kind": "error.choice_invalid"}) from None
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationFailed({"year": "error.year_invalid"}) from None
    if year not in YEARS:
        raise ValidationFailed({"year": "error.year_invalid"})
    prefix = document_prefix(session, user, kind)
    if _counter(session, user, kind, year, lock=False) is None:
        _create_counter(session, user, kind, year)
    counter = _counter(session, user, kind, year, lock=True)
    if counter is None:  # pragma: no cover - created above
        raise RuntimeError("document counter missing after creation")
    counter.last_number += 1
    session.add(counter)
    session.flush()
    return format_number(prefix, year, counter.last_number)
