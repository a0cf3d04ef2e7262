"""The wall between technicians: every query goes through these helpers.

``owned(...)`` adds ``technician_id = current user`` to a select, and
``get_owned`` loads one row only if it belongs to the current technician,
raising ``NotFound`` otherwise (same as a missing id: existence never leaks).
A statement built once at import compares ``technician_id`` with the
``TECHNICIAN`` placeholder and runs with ``scoped(user, ...)``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TypeVar

import sqlalchemy as sa
from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

from piano_emotion.domain.errors import NotFound
from piano_emotion.models import TenantTable, User

T = TypeVar("T", bound=TenantTable)
R = TypeVar("R")
log = logging.getLogger(__name__)


# A statement run on every first read of a page is built once, at import,
# with these placeholders, and run with ``scoped(user, ...)``: building one
# and its cache key cost ~0.13 ms of CPU each time, more than running it
# (issue 9's load test, where most pages read a record for the first time).
TECHNICIAN = sa.bindparam("technician_id")


def scoped(user: User, **params: object) -> dict[str, object]:
    """The parameters of a statement built with ``TECHNICIAN``: the current
    technician's id, and ``params``."""
    return {"technician_id": user.id, **params}


def owned(model: type[T], user: User) -> SelectOfScalar[T]:
    """``SELECT model WHERE technician_id = user`` to build on."""
    return select(model).where(model.technician_id == user.id)


@functools.cache
def _one_owned(model: type[TenantTable], lock: bool) -> SelectOfScalar:
    """``SELECT model WHERE technician_id AND id`` (``FOR UPDATE`` if
    ``lock``), built once per model with the placeholders (``TECHNICIAN``,
    ``record_id``): every page and write loads its record through it."""
    query = select(model).where(
        model.technician_id == TECHNICIAN, model.id == sa.bindparam("record_id")
    )
    return query.with_for_update() if lock else query


def _get_one(session: Session, model: type[T], record_id: int | None, user: User, lock: bool) -> T:
    if record_id is None:
        raise NotFound(model.__tablename__)
    found = session.exec(_one_owned(model, lock), params=scoped(user, record_id=record_id))
    row = found.first()
    if row is None:
        raise NotFound(model.__tablename__)
    return row


def get_owned(session: Session, model: type[T], record_id: int | None, user: User) -> T:
    return _get_one(session, model, record_id, user, lock=False)


def get_owned_for_update(session: Session, model: type[T], record_id: int | None, user: User) -> T:
    """Like ``get_owned`` but locks the row (``SELECT … FOR UPDATE``)."""
    return _get_one(session, model, record_id, user, lock=True)


def for_each_active_technician(
    session_factory: Callable[[], AbstractContextManager[Session]],
    work: Callable[[Session, User], R],
    *,
    what: str,
    retry_on: tuple[type[Exception], ...] = (),
) -> dict[int, R]:
    """What a platform job does for every active account: ``work(session,
    user)`` in a session and transaction of each one's own, committed after
    it. Returns each one's result by id. A technician whose run fails is
    logged (with its traceback) and left out, and the others still run; an
    error of ``retry_on`` (a collision with a concurrent run) is retried once.
    """
    with session_factory() as session:
        ids = list(
            session.exec(select(User.id).where(User.is_active == sa.true()).order_by(User.id))
        )
    results: dict[int, R] = {}
    for technician_id in ids:
        for attempt in (1, 2):
            try:
                with session_factory() as session:
                    user = session.get(User, technician_id)
                    if user is None or not user.is_active:
                        break
                    result = work(session, user)
                    session.commit()
                results[technician_id] = result
                break
            except retry_on:
                if attempt == 2:
                    log.exception("%s failed for technician %s", what, technician_id)
            except Exception:
                log.exception("%s failed for technician %s", what, technician_id)
                break
    return results
