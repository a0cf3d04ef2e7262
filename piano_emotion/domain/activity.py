"""When each client and piano was last serviced: the dates the lists show.

The client and piano directories (``clients.client_directory``,
``pianos.piano_directory``) hold what a list filters, searches and sorts by,
and change only when a client or piano is written. The dates of the last
completed services change with every service recorded, the most frequent
write of a working day, so they live here, in one small entry per technician:
recording a service reloads this map (two grouped queries, no rows of clients
or pianos) instead of both directories (about 1,000 rows).
"""

from __future__ import annotations

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


def _service_activity(session: Session, user: User) -> dict[str, dict[int, date]]:
    completed = (Service.technician_id == user.id, Service.status == ServiceStatus.COMPLETED)
    last = sa.func.max(Service.service_date)
    last_tuning = sa.func.max(
        sa.case((Service.service_type == ServiceType.TUNING, Service.service_date))
    )
    by_client = session.exec(
        select(Service.client_id, last).where(*completed).group_by(Service.client_id)
    ).all()
    by_piano = session.exec(
        select(Service.piano_id, last_tuning, last).where(*completed).group_by(Service.piano_id)
    ).all()
    return {
        "client_last_service": {client_id: day for client_id, day in by_client},
        "piano_last_service": {piano_id: day for piano_id, _, day in by_piano},
        "piano_last_tuning": {piano_id: day for piano_id, day, _ in by_piano if day is not None},
    }


def service_activity(session: Session, user: User) -> dict[str, dict[int, date]]:
    """``client_last_service``, ``piano_last_service`` and ``piano_last_tuning``:
    id -> date of the last completed service (of a tuning), for the
    technician's clients and pianos that have one."""
    return cached_read(
        user,
        "services",
        "activity",
        None,
        lambda: _service_activity(session, user),
        depends_on=ACTIVITY_READS,
        refresh=("services.activity", {}),
        shared=True,  # only read: the lists copy the dates into their own rows
    )


@refreshable("services.activity")
def _refresh_activity(session: Session, user: User, params: dict[str, Any]) -> None:
    service_activity(session, user)
