"""Cached reads and exact invalidation for the domain layer.

Every read a page makes goes through ``cached_read``: the entry is keyed by
technician, entity, view and parameters, lives for the entity's TTL, and is
tagged with every collection it *shows* (a list of services shows client
names and piano brands, so it depends on ``services``, ``clients`` and
``pianos``) plus the records it details. Every write calls ``invalidate``
with the collections and records it changed, so no entry that shows them
is ever returned again, in any process.

A read that names a refreshable view (``refresh=("services.list", params)``)
is noted as *hot* for the technician; after a commit, the hot entries its
invalidations dropped are recomputed in the background (see ``refresh.py``),
so the technician's next read of them is a hit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession

from piano_emotion.cache import cache_key, get_cache, tag, ttl_for
from piano_emotion.domain import refresh as refresh_module
from piano_emotion.models import User

log = logging.getLogger(__name__)
PENDING_KEY = "pending_cache_invalidations"
# The same tags by technician: whose hot entries to refresh after the commit.
PENDING_BY_TECHNICIAN_KEY = "pending_cache_invalidations_by_technician"
# Set when the session flushed writes in its current transaction.
WROTE_KEY = "wrote_in_transaction"

T = TypeVar("T")

# Collections a technician's cached reads can depend on.
COLLECTIONS = frozenset(
    {
        "clients",
        "pianos",
        "services",
        "appointments",
        "reminders",
        "inventory",
        "quotes",
        "invoices",
        "rates",
        "alerts",
        # Every piano's own list of alerts (the piano page): dropped by a
        # request to sync every piano; one piano's by ``piano_alerts`` records.
        "piano_alerts",
        "settings",
        # What dashboards and alert lists show of clients and pianos: names
        # (and counts). A write to "clients"/"pianos" is also a write to these
        # unless the writer says no name changed (a phone or a note edit),
        # so such edits do not throw away the dashboard.
        "client_names",
        "piano_names",
    }
)
NAME_COLLECTIONS = {"clients": "client_names", "pianos": "piano_names"}


def _tags(user: User, collections: Iterable[str], records: Iterable[tuple[str, int]]) -> list[str]:
    tags = []
    for name in collections:
        if name not in COLLECTIONS:
            raise ValueError(f"unknown cache collection {name!r}")
        tags.append(tag(user.id, name))
    tags += [tag(user.id, kind, record_id) for kind, record_id in records]
    return tags


def cached_read(
    user: User,
    entity: str,
    view: str,
    params: Any,
    loader: Callable[[], T],
    *,
    depends_on: Iterable[str],
    records: Iterable[tuple[str, int]] = (),
    refresh: tuple[str, Any] | None = None,
    shared: bool = False,
) -> T:
    """``loader()`` through the cache, scoped to ``user`` (see module docstring).

    ``refresh``: ``(view, params)`` of the refreshable view that redoes this
    read (``refresh.refreshable``); the entry is then kept fresh after writes
    while the technician keeps reading it. ``shared``: a large value decoded
    once per process while unchanged (``CacheService.get_or_load``); the
    caller must never change it.

    A read about given ``records`` (a record's page) is loaded without the
    cross-process lock: it is cheap, and two workers seldom load the same
    record at the same moment, while the lock costs every first read of a
    record two Redis round trips. Reads over a whole collection (the
    dashboard, the lists), which a write makes every tab reload at once, keep it.
    """
    records = tuple(records)
    key = cache_key(user.id, entity, view, params)
    tags = _tags(user, depends_on, records)
    cache = get_cache()
    value = cache.get_or_load(
        key, loader, ttl_for(entity), tags=tags, shared=shared, lock=not records
    )
    if refresh is not None:
        refresh_module.note_read(cache, user.id, key, refresh, tags)
    return value


def cached_page(
    user: User,
    entity: str,
    view: str,
    query: Any,
    loader: Callable[[], T],
    *,
    depends_on: Iterable[str],
) -> T:
    """One page of a list (``query``: its normalised dataclass) through the
    cache, keyed by the query and kept fresh after writes while read (its
    first pages, ``refresh.list_view``) by the refreshable view
    ``"<entity>.<view>"``, which the list's module registers."""
    return cached_read(
        user,
        entity,
        view,
        query.__dict__,
        loader,
        depends_on=depends_on,
        refresh=refresh_module.list_view(f"{entity}.{view}", query),
    )


def note_coming_read(
    user: User,
    entity: str,
    view: str,
    params: Any,
    *,
    depends_on: Iterable[str] = (),
    records: Iterable[tuple[str, int]] = (),
    refresh: tuple[str, Any],
) -> None:
    """A write notes the read its page makes next (the detail of the record
    it created), with the arguments that read passes to ``cached_read``: the
    record is then among what the write changed, so the refresher loads it
    after the commit and that read is a hit. Nothing is read or stored now."""
    key = cache_key(user.id, entity, view, params)
    refresh_module.note_read(get_cache(), user.id, key, refresh, _tags(user, depends_on, records))


def invalidate(user: User, *collections: str, records: Iterable[tuple[str, int]] = ()) -> None:
    """Hide, now, every entry that shows what changed (after the write is committed)."""
    collections += tuple(NAME_COLLECTIONS[c] for c in collections if c in NAME_COLLECTIONS)
    tags = _tags(user, collections, records)
    if tags:
        get_cache().invalidate(*tags)


def invalidate_on_commit(
    session: OrmSession,
    user: User,
    *collections: str,
    records: Iterable[tuple[str, int]] = (),
    names_changed: bool = True,
) -> None:
    """What domain writes call: the tags are invalidated when ``session`` commits.

    Invalidating before the commit would let another worker reload the old
    rows and cache them under the new tag versions; after a rollback nothing
    changed, so nothing is invalidated.
    """
    if names_changed:
        collections += tuple(NAME_COLLECTIONS[c] for c in collections if c in NAME_COLLECTIONS)
    tags = _tags(user, collections, records)
    session.info.setdefault(PENDING_KEY, []).extend(tags)
    session.info.setdefault(PENDING_BY_TECHNICIAN_KEY, {}).setdefault(user.id, set()).update(tags)


def writes_pending(session: OrmSession) -> bool:
    """Has ``session`` written (or is about to write) in its current
    transaction? Another session cannot see those rows yet."""
    return bool(session.info.get(WROTE_KEY) or session.new or session.dirty or session.deleted)


@event.listens_for(OrmSession, "after_flush")
def _note_writes(session: OrmSession, _flush_context) -> None:
    session.info[WROTE_KEY] = True


@event.listens_for(OrmSession, "do_orm_execute")
def _note_statement_writes(state) -> None:
    # INSERT/UPDATE/DELETE statements run through ``session.execute``.
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[WROTE_KEY] = True


@event.listens_for(OrmSession, "after_commit")
def _flush_invalidations(session: OrmSession) -> None:
    session.info.pop(WROTE_KEY, None)
    tags = session.info.pop(PENDING_KEY, None)
    by_technician = session.info.pop(PENDING_BY_TECHNICIAN_KEY, None)
    if tags:
        cache = get_cache()
        cache.invalidate(*dict.fromkeys(tags))
        # Only now (committed, tags bumped): recompute what was hot. Never raises.
        refresh_module.schedule_after_commit(cache, session, by_technician)


@event.listens_for(OrmSession, "after_rollback")
def _drop_invalidations(session: OrmSession) -> None:
    session.info.pop(WROTE_KEY, None)
    session.info.pop(PENDING_KEY, None)
    session.info.pop(PENDING_BY_TECHNICIAN_KEY, None)
