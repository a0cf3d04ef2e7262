"""The wall between technicians: every query goes through these helpers.

``owned(...)`` adds ``technician_id = current user`` to a select, and
``get_owned`` loads one row only if it belongs to the current technician,
raising ``NotFound`` otherwise (same as a missing id: existence never leaks).
"""

from __future__ import annotations

from typing import TypeVar

from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

from piano_emotion.domain.errors import NotFound
from piano_emotion.models import TenantTable, User

T = TypeVar("T", bound=TenantTable)


def owned(model: type[T], user: User) -> SelectOfScalar[T]:
    """``SELECT model WHERE technician_id = user`` to build on."""
    return select(model).where(model.technician_id == user.id)


def get_owned(session: Session, model: type[T], record_id: int | None, user: User) -> T:
    if record_id is None:
        raise NotFound(model.__tablename__)
    row = session.exec(owned(model, user).where(model.id == record_id)).first()
    if row is None:
        raise NotFound(model.__tablename__)
    return row


def get_owned_for_update(session: Session, model: type[T], record_id: int | None, user: User) -> T:
    """Like ``get_owned`` but locks the row (``SELECT … FOR UPDATE``)."""
    if record_id is None:
        raise NotFound(model.__tablename__)
    row = session.exec(owned(model, user).where(model.id == record_id).with_for_update()).first()
    if row is None:
        raise NotFound(model.__tablename__)
    return row
