"""When each client and piano was last serviced: the dates the lists show.

The client and piano directories (``clients.client_directory``,
``pianos.piano_directory``) hold what a list filters, searches and sorts by,
and change only when a client or piano is written. The dates of the last
completed services change with every service recorded, the most frequent
write of a working day, so they live here, in small entries per technician:
recording a service reloads these maps (a grouped query each, no rows of
clients or pianos) instead of both directories (about 1,000 rows).

One map per list: the clients list reads and decodes only its clients'
dates (about 300 for a demo technician), not the pianos' too (about 1,400).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from piano_emotion.domain.cached import cached_read
from piano_emotion.domain.refresh import refreshable
from piano_emotion.models import Service, User
from piano_emotion.models.enums import ServiceStatus, ServiceType

# Only services decide these dates (a service keeps the client it was done
# for when its piano changes hands, so moving a piano changes none of them).
ACTIVITY_READS = ("services",)


def _completed(user: User) -> tuple:
    return (Service.technician_id == user.id, Service.status == ServiceStatus.COMPLETED)


def _client_activity(session: Session, user: User) -> dict[int, date]:
    last = sa.func.max(Service.service_date)
    rows = session.exec(
        select(Service.client_id, last).where(*_completed(user)).group_by(Service.client_id)
    ).all()
    return {client_id: day for client_id, day in rows}


def _piano_activity(session: Session, user: User) -> dict[str, dict[int, date]]:
    last = sa.func.max(Service.service_date)
    last_tuning = sa.func.max(
        sa.case((Service.service_type == ServiceType.TUNING, Service.service_date))
    )
    rows = session.exec(
        select(Service.piano_id, last_tuning, last)
        .where(*_completed(user))
        .group_by(Service.piano_id)
    ).all()
    return {
        "last_service": {piano_id: day for piano_id, _, day in rows},
        "last_tuning": {piano_id: day for piano_id, day, _ in rows if day is not None},
    }


def _cached_dates(session: Session, user: User, view: str, load: Callable[[Session, User], Any]):
    # One entry per view, refreshed after writes under "services.<view>".
    return cached_read(
        user,
        "services",
        view,
        None,
        lambda: load(session, user),
        depends_on=ACTIVITY_READS,
        refresh=(f"services.{view}", {}),
        shared=True,  # only read: the lists copy the dates into their own rows
    )


def client_last_service(session: Session, user: User) -> dict[int, date]:
    """client id -> date of the technician's last completed service for that
    client, for the clients that have one."""
    return _cached_dates(session, user, "client_activity", _client_activity)


def piano_service_dates(session: Session, user: User) -> dict[str, dict[int, date]]:
    """``last_service`` and ``last_tuning``: piano id -> date of the last
    completed service (tuning), for the technician's pianos that have one."""
    return _cached_dates(session, user, "piano_activity", _piano_activity)


@refreshable("services.client_activity")
def _refresh_client_activity(session: Session, user: User, params: dict[str, Any]) -> None:
    client_last_service(session, user)


@refreshable("services.piano_activity")
def _refresh_piano_activity(session: Session, user: User, params: dict[str, Any]) -> None:
    piano_service_dates(session, user)
