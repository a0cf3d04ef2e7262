"""Refresh instead of drop: after a write, recompute in the background the
technician's *hot* cache entries it invalidated, so the next read is a hit.

The pieces:

- **Refreshable views**: module-level functions ``fn(session, user, params)``
  registered once with ``@refreshable("services.list")``; each redoes one
  public cached read (``list_services(session, user, ServiceQuery(**params))``).
  A read names the view that redoes it: ``cached_read(...,
  refresh=("services.list", params))``.
- **The hot registry**: per technician, the entries of refreshable views read
  most recently (cache key → view, parameters, tags, when, how many times by
  any worker), at most ``HOT_PER_TECHNICIAN``, kept with the cache service's
  registries: in Redis when the cache is remote (any worker refreshes what
  any worker served), in memory otherwise. A request only notes a read in
  memory; the refresher thread writes the notes to Redis in batches
  (``NOTE_FLUSH_S``).
- **The refresher**: one thread per cache service (that is, per worker
  process), started on first use. When a session commits, its invalidations
  are flushed (``cached._flush_invalidations``) and a job is queued for each
  technician it wrote for; the jobs of one technician coalesce (a burst of
  writes makes one job). A job reads the technician's registry, keeps the
  entries the writes invalidated that are worth redoing (read at least
  ``HOT_READS`` times and not refreshed ``UNREAD_REFRESHES`` times in a
  row without a read, or the detail of a record the write was about; at
  most ``REFRESH_PER_WRITE``, the most read first), and redoes their views
  in its own session, inside ``cache.refreshing()``: its reads are not
  lookups and its loads are counted as ``refreshes``. The refreshes nobody
  read yet are counted beside the registry (``refreshed_name``).
- **What else is noted**: the sign-in prefetch's reads (the day's working
  set, ``dashboard.prefetch_for_user``), and the read a write's page makes
  next (``cached.note_coming_read``: a new service's detail), so they too
  are loaded after the commit.

The only rows a refresh writes are the alert sync's, when the alerts are
not in line with the rule: like a request's, the sync commits in a
transaction of its own before its marker is stored
(``alerts.ensure_alerts_synced``), and its commit invalidates and asks for
one more job (``MAX_CHAIN``).

Never stale: the job runs after the commit and after the tags were bumped.
Each view runs in a new transaction (the app's MySQL/MariaDB sessions read
committed rows at each statement, ``db_url``, so nested reads too see
everything committed before their tag versions were read) and goes through
``get_or_load``: the tag versions are read before the
loader runs and the value is stored only if they have not moved since, so a
newer write wins and the next request loads. Nothing a refresh does can raise
into the write: failures are logged. ``CACHE_REFRESH=false`` (the service's
``refresh_enabled``) turns all of it off.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from piano_emotion.cache import CacheService, cache_for_thread, serialization
from piano_emotion.cache.service import RefreshContext
from piano_emotion.cpu_load import cpu_saturated
from piano_emotion.db import committed_engine
from piano_emotion.domain.errors import DomainError
from piano_emotion.models import User

log = logging.getLogger(__name__)

RefreshFn = Callable[[Session, User, Any], Any]

# Entries remembered per technician (most recently read): room for the
# working set the sign-in prefetch notes (up to 60 piano details, the
# visited clients, the dashboard and lists) and the pages read meanwhile.
HOT_PER_TECHNICIAN = 96
HOT_TRIM_SLACK = 32  # the registry is trimmed back when it grows this much over
# At most this many entries redone per job (see ``_hot_for``): a contact
# change of an institution invalidates its client detail and each of its
# pianos' and services' (details show the contact), then come the lists.
REFRESH_PER_WRITE = 64
# An entry read this many times (by any worker) is kept fresh. 1: every page
# read recently that a write invalidated (bounded by the registry's size and
# ``RECENT_S``). On the workload bench's day, 2 (only pages read again) left
# ~300 list pages to the next request (a search or filter read once before a
# write and again after it); 1 redoes them for ~30 % more background loads.
HOT_READS = 1
# An entry refreshed this many times in a row without a read waits for a
# read (which notes it again) before the next write redoes it: redoing it
# after every write was wasted work while the technician does not open
# that page (the pianos' service dates the sign-in prefetch warmed, with a
# service recorded every minute: 7 % of the app's CPU in the load test,
# issue 9). 1 stopped at the first unread refresh and cost the workload
# bench (issue 5) a list page read between writes two apart: its hit rate
# fell from 98 % to 95 % (96.9 % with 2).
UNREAD_REFRESHES = 2
HOT_TTL_S = 24 * 3600  # a technician's registry is forgotten a day after its last note
RECENT_S = 2 * 3600  # an entry not read for this long is not refreshed (and is dropped)
NOTE_FLUSH_S = 0.05  # a remote registry gets the notes of this long in one round trip
COALESCE_S = 0.02  # a job waits this long for more writes of its technician
MAX_CHAIN = 1  # a refresh's own commit (an alert sync) may ask for one more job
CLOSE_TIMEOUT_S = 5.0
# List pages that can be kept fresh: the first two, whatever the search,
# filters and sort (when read again and again); deeper pages are dropped by a
# write and reloaded when asked again.
REFRESH_LIST_PAGES = 2
# The refresher (and the sign-in prefetch) share their worker process (and
# the GIL) with the requests. While requests are being served (a lookup in
# the last BUSY_S), they rest after each view so that background loading
# takes at most REFRESH_DUTY of the time (``yield_to_requests``):
# a burst of writes then delays refreshes, not page loads. Idle, it runs at
# full speed. The load test (issue 9), 500 users on 2 workers: p95 154 ms
# without a refresher, 755 ms with it uncapped, 149 ms capped at 10 %.
REFRESH_DUTY = 0.1
BUSY_S = 0.5
# And while the machine's CPU is saturated (``cpu_load``), background work
# waits for spare CPU, up to this long after each view: under saturation a
# refresh takes CPU from the requests it is meant to speed up. The load
# test at 1,000 users (2 cores, 4 workers): 1.2 ms less app CPU per page
# change without a refresher (its 10 % duty in each worker), at 96 % -> 89 %
# cache hits.
SATURATED_WAIT_S = 10.0
SATURATED_POLL_S = 0.25
ATTACHMENT = "refresher"


# -- the views ----------------------------------------------------------------------
@dataclass(frozen=True)
class RefreshableView:
    name: str
    fn: RefreshFn
    stage: int


REFRESHABLE: dict[str, RefreshableView] = {}


def refreshable(name: str, *, stage: int = 1) -> Callable[[RefreshFn], RefreshFn]:
    """Register ``fn(session, user, params)`` as the way to redo the view ``name``.

    ``fn`` must be a module-level function (the registry is shared by every
    worker, so a view is a name, never a closure). ``stage``: lower stages are
    redone first, so a view finds what it reads nested already fresh (the
    alert sync 0, alert lists 1, the feed and counts 2, the dashboard 3).
    """

    def decorator(fn: RefreshFn) -> RefreshFn:
        if "<locals>" in fn.__qualname__ or fn.__name__ == "<lambda>":
            raise ValueError(f"refreshable view {name!r} must be a module-level function")
        current = REFRESHABLE.get(name)
        if current is not None and (current.fn.__module__, current.fn.__qualname__) != (
            fn.__module__,
            fn.__qualname__,
        ):
            raise ValueError(
                f"refreshable view {name!r} is already registered by "
                f"{current.fn.__module__}.{current.fn.__qualname__}"
            )
        REFRESHABLE[name] = RefreshableView(name, fn, stage)
        return fn

    return decorator


def list_view(name: str, query: Any) -> tuple[str, dict[str, Any]] | None:
    """``refresh=`` of a list read: its first pages only (``REFRESH_LIST_PAGES``)."""
    if query.page > REFRESH_LIST_PAGES:
        return None
    return name, dict(query.__dict__)


# -- the hot registry -----------------------------------------------------------------
def registry_name(technician_id: int) -> str:
    return f"hot:t{technician_id}"


def refreshed_name(technician_id: int) -> str:
    """Beside the registry: cache key -> ``"<since> <n>"``, the ``n``
    refreshes of the entry since the epoch second ``since`` (when the first
    of them began), none read yet. Its own hash, so a job's marks never
    overwrite the notes of reads made meanwhile."""
    return f"refreshed:t{technician_id}"


def _unread_refreshes(mark: str | None, read_at: float) -> tuple[float, int]:
    """``(since, n)`` of a mark (``refreshed_name``); ``(0.0, 0)`` when the
    entry was read after ``since`` (``read_at``: ``HotEntry.at``), never
    refreshed, or the mark is unreadable."""
    try:
        since_text, count_text = (mark or "").split()
        since, count = float(since_text), int(count_text)
    except ValueError:
        return 0.0, 0
    return (0.0, 0) if read_at > since else (since, count)


@dataclass(frozen=True)
class HotEntry:
    key: str
    view: str
    params: Any
    tags: frozenset[str]
    at: float  # when it was last noted (epoch seconds: compared across workers)
    reads: int = 1  # how many times it was read (by any worker) while in the registry

    def encode(self) -> str:
        return serialization.dumps(
            {
                "v": self.view,
                "p": self.params,
                "t": sorted(self.tags),
                "at": self.at,
                "n": self.reads,
            }
        )

    @classmethod
    def decode(cls, key: str, raw: str) -> HotEntry | None:
        try:
            data = serialization.loads(raw)
            return cls(
                key,
                data["v"],
                data["p"],
                frozenset(data["t"]),
                float(data["at"]),
                int(data.get("n", 1)),
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return None


def hot_entries(cache: CacheService, technician_id: int) -> list[HotEntry]:
    """The technician's registry, most recently read first (tests and tools)."""
    entries = [
        entry
        for key, raw in cache.registry_get(registry_name(technician_id)).items()
        if (entry := HotEntry.decode(key, raw)) is not None
    ]
    return sorted(entries, key=lambda e: e.at, reverse=True)


def _about_a_written_record(entry: HotEntry, written: set[str]) -> bool:
    """Does the entry detail a record the write changed (``t42:client:7``)?"""
    return any(tag.count(":") == 2 for tag in entry.tags & written)


def _worth_it(entry: HotEntry, written: set[str], unread_refreshes: int = 0) -> bool:
    """Invalidated by the write, and likely to be read again: the detail of a
    record the write was about (what the technician looks at after saving),
    or read at least ``HOT_READS`` times (with 2: a first page, the
    dashboard, the day's clients, while a search tried once is only
    dropped) and not already refreshed ``UNREAD_REFRESHES`` times in a row
    that nobody read (``unread_refreshes``)."""
    if entry.tags.isdisjoint(written):
        return False
    if _about_a_written_record(entry, written):
        return True
    return entry.reads >= HOT_READS and unread_refreshes < UNREAD_REFRESHES


_unnoted = threading.local()


@contextmanager
def reads_not_noted() -> Iterator[None]:
    """Reads inside the block, in this thread, are nobody's: not noted as a
    technician's (a checker's or a tool's reads)."""
    _unnoted.depth = getattr(_unnoted, "depth", 0) + 1
    try:
        yield
    finally:
        _unnoted.depth -= 1


# -- the refresher ----------------------------------------------------------------------
@dataclass
class RefreshStats:
    """What this worker's refresher did (process-local)."""

    jobs: int = 0  # jobs run
    writes: int = 0  # commits they answered (several coalesce into one job)
    entries: int = 0  # views redone
    refreshed: int = 0  # of which stored: the next read is a hit
    fresh: int = 0  # of which already fresh (a request or another worker reloaded it)
    refused: int = 0  # of which refused: a newer write invalidated it while it loaded
    unread: int = 0  # invalidated hot entries left to the next read (``UNREAD_REFRESHES``)
    errors: int = 0
    seconds: float = 0.0  # spent in jobs

    def as_dict(self) -> dict[str, float]:
        return dict(self.__dict__)


@dataclass
class _Job:
    technician_id: int
    engine: sa.Engine
    tags: set[str]
    due: float
    chain: int
    writes: int = 1
    # Cache key -> the entry's unread refreshes before this job (``_hot_for``).
    unread: dict[str, tuple[float, int]] = field(default_factory=dict)


class Refresher:
    """The background refresher of one cache service (see the module docstring)."""

    def __init__(
        self,
        cache: CacheService,
        *,
        hot_per_technician: int = HOT_PER_TECHNICIAN,
        per_write: int = REFRESH_PER_WRITE,
        delay_s: float = COALESCE_S,
    ) -> None:
        self.cache = cache
        self.hot_per_technician = hot_per_technician
        self.per_write = per_write
        self.delay_s = delay_s
        self.stats = RefreshStats()
        self._cond = threading.Condition()
        self._jobs: dict[tuple[int, sa.Engine], _Job] = {}
        self._running: tuple[int, sa.Engine] | None = None
        self._notes: dict[int, dict[str, HotEntry]] = {}  # not yet written (remote cache)
        self._notes_due = 0.0
        self._writing_notes = False  # the thread is writing a batch
        self._closed = False
        self._thread: threading.Thread | None = None
        self._local = threading.local()  # the chain depth of the job this thread runs

    def __repr__(self) -> str:
        return f"<Refresher {self.cache.namespace}>"

    # -- the request side ---------------------------------------------------------
    def note(
        self, technician_id: int, key: str, view: str, params: Any, tags: Iterable[str]
    ) -> None:
        """``key`` (of ``view`` with ``params``) was just read by the technician."""
        if getattr(_unnoted, "depth", 0):
            return
        entry = HotEntry(key, view, params, frozenset(tags), time.time())
        if not self.cache.backend.remote:
            self._write_notes({technician_id: {key: entry}})  # in memory: cheap
            return
        # Written by the refresher thread, in batches: no round trip here.
        with self._cond:
            if self._closed:
                return
            if not self._notes:
                self._notes_due = time.monotonic() + NOTE_FLUSH_S
                self._start()
                self._cond.notify_all()
            pending = self._notes.setdefault(technician_id, {})
            known = pending.get(key)
            pending[key] = entry if known is None else replace(entry, reads=known.reads + 1)

    def schedule(self, technician_id: int, engine: sa.Engine, tags: Iterable[str]) -> None:
        """A commit for the technician invalidated ``tags`` (after the bump)."""
        chain = getattr(self._local, "chain", None)
        if chain is None:
            chain = 0
        elif chain >= MAX_CHAIN:
            return  # a commit of a chained refresh: no job for it
        else:
            chain += 1
        if not self.cache.backend.remote and not self.cache.registry_get(
            registry_name(technician_id)
        ):
            return  # memory: nothing of the technician is hot
        tags = set(tags)
        with self._cond:
            if self._closed:
                return
            job = self._jobs.get((technician_id, engine))
            if job is None:
                self._jobs[(technician_id, engine)] = _Job(
                    technician_id, engine, tags, time.monotonic() + self.delay_s, chain
                )
            else:
                job.tags |= tags
                job.writes += 1
                job.chain = min(job.chain, chain)
            self._start()
            self._cond.notify_all()

    def _busy(self, technician_id: int | None) -> bool:
        if technician_id is None:
            return bool(self._jobs) or self._running is not None
        return any(tid == technician_id for tid, _ in self._jobs) or (
            self._running is not None and self._running[0] == technician_id
        )

    def flush_notes(self) -> None:
        """Write the pending notes now (tests and tools; the thread does it
        every ``NOTE_FLUSH_S`` and before each job)."""
        with self._cond:
            while self._writing_notes and not self._closed:
                self._cond.wait()  # the thread's batch first, then ours
            notes, self._notes = self._notes, {}
            self._writing_notes = bool(notes)
        try:
            if notes:
                self._write_notes(notes)
        finally:
            with self._cond:
                self._writing_notes = False
                self._cond.notify_all()

    def wait_idle(self, technician_id: int | None = None, timeout: float | None = None) -> bool:
        """Wait until no job of the technician (of anyone: ``None``) is queued
        or running; ``False`` if ``timeout`` passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._busy(technician_id):
                if self._closed:
                    return False
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    # -- the thread ---------------------------------------------------------------
    def _start(self) -> None:
        """Start the thread if it is not running (called holding ``_cond``)."""
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(
                target=self._loop, name=f"cache-refresh-{self.cache.namespace}", daemon=True
            )
            self._thread.start()

    def _next(self) -> tuple[dict[int, dict[str, HotEntry]], _Job | None] | None:
        """Wait for notes to write or a job that is due (``None``: closed)."""
        with self._cond:
            while not self._closed:
                if self._writing_notes:  # ``flush_notes`` is writing a batch: after it
                    self._cond.wait()
                    continue
                now = time.monotonic()
                job = min(
                    (j for j in self._jobs.values() if j.due <= now),
                    key=lambda j: j.due,
                    default=None,
                )
                notes: dict[int, dict[str, HotEntry]] = {}
                # Before a job, every note so far: its entries may be the job's.
                if self._notes and (job is not None or now >= self._notes_due):
                    notes, self._notes = self._notes, {}
                    self._writing_notes = True
                if job is not None:
                    del self._jobs[(job.technician_id, job.engine)]
                    self._running = (job.technician_id, job.engine)
                if notes or job is not None:
                    return notes, job
                wake = [j.due for j in self._jobs.values()]
                if self._notes:
                    wake.append(self._notes_due)
                self._cond.wait(max(0.0, min(wake) - now) if wake else None)
            return None

    def _loop(self) -> None:
        while (work := self._next()) is not None:
            notes, job = work
            try:  # the thread must never die
                if notes:
                    try:
                        self._write_notes(notes)
                    except Exception:
                        log.exception("could not write the cache refresher's notes")
                if job is not None:
                    try:
                        self._run(job)
                    except Exception:
                        self.stats.errors += 1
                        log.exception("cache refresh failed")
            finally:
                with self._cond:
                    self._running = None
                    if notes:
                        self._writing_notes = False
                    self._cond.notify_all()

    def _write_notes(self, notes: Mapping[int, dict[str, HotEntry]]) -> None:
        for technician_id, entries in notes.items():
            name = registry_name(technician_id)
            # Reads add up across workers (a lost race only undercounts). Only
            # the noted fields are read: the whole registry (up to 128
            # entries) was 4 % of the app's CPU under load (issue 9).
            current = self.cache.registry_get(name, entries)
            fields = {}
            for key, entry in entries.items():
                known = HotEntry.decode(key, current[key]) if key in current else None
                if known is not None:
                    entry = replace(entry, reads=entry.reads + known.reads)
                fields[key] = entry.encode()
            size = self.cache.registry_put(name, fields, HOT_TTL_S)
            if size > self.hot_per_technician + HOT_TRIM_SLACK:
                raw = self.cache.registry_get(name)
                read_at = {}
                for key, value in raw.items():
                    entry = HotEntry.decode(key, value)
                    read_at[key] = entry.at if entry is not None else 0.0
                newest_first = sorted(read_at, key=read_at.__getitem__, reverse=True)
                self.cache.registry_drop(name, newest_first[self.hot_per_technician :])

    def _hot_for(self, job: _Job) -> list[HotEntry]:
        """The job's entries: hot, refreshable, invalidated by its writes."""
        name = registry_name(job.technician_id)
        now = time.time()
        entries, dead = [], []
        registry = self.cache.registry_get(name)
        marks = self.cache.registry_get(refreshed_name(job.technician_id))
        for key, raw in registry.items():
            entry = HotEntry.decode(key, raw)
            if entry is None or now - entry.at > RECENT_S:
                dead.append(key)
            elif entry.view in REFRESHABLE:
                # A chained job (after the first job's alert sync) redoes
                # what that job just did, read or not: the same write's work.
                since, unread = (0.0, 0)
                if job.chain == 0:
                    since, unread = _unread_refreshes(marks.get(key), entry.at)
                if _worth_it(entry, job.tags, unread):
                    entries.append(entry)
                    job.unread[key] = (since, unread)
                elif _worth_it(entry, job.tags):
                    self.stats.unread += 1
        if dead:
            self.cache.registry_drop(name, dead)
        # Marks of entries the registry no longer holds (dropped or trimmed).
        gone = [key for key in marks if key not in registry or key in dead]
        if gone:
            self.cache.registry_drop(refreshed_name(job.technician_id), gone)
        # The most read first (the dashboard, first pages, the day's clients:
        # what is read again soonest), then the most recently read. A contact
        # change of an institution names each of its pianos and services as
        # written, most of them read once: they come after the hot pages.
        entries.sort(key=lambda e: (e.reads, e.at), reverse=True)
        entries = entries[: self.per_write]
        entries.sort(key=lambda e: (REFRESHABLE[e.view].stage, -e.at))
        return entries

    def _run(self, job: _Job) -> None:
        started = time.perf_counter()
        # A read from now on counts as a read of what this job refreshes (it
        # may be served while the job loads).
        began_at = time.time()
        self.stats.jobs += 1
        self.stats.writes += job.writes
        try:
            entries = self._hot_for(job)
            if not entries:
                return
            self._local.chain = job.chain
            with (
                cache_for_thread(self.cache),
                self.cache.refreshing() as context,
                Session(job.engine, expire_on_commit=False) as session,
            ):
                user = session.get(User, job.technician_id)
                session.commit()  # each view below starts a transaction of its own
                if user is None:
                    self.cache.registry_drop(
                        registry_name(job.technician_id), [e.key for e in entries]
                    )
                    return
                marks = {}  # the entries this job loaded, one more unread refresh each
                for entry in entries:
                    view_started = time.perf_counter()
                    if self._redo(session, user, entry, context) and job.chain == 0:
                        since, unread = job.unread.get(entry.key, (0.0, 0))
                        marks[entry.key] = f"{since if unread else began_at!r} {unread + 1}"
                    yield_to_requests(self.cache, view_started)
                if marks:
                    self.cache.registry_put(refreshed_name(user.id), marks, HOT_TTL_S)
        finally:
            self._local.chain = None
            self.stats.seconds += time.perf_counter() - started

    def _redo(self, session: Session, user: User, entry: HotEntry, context: RefreshContext) -> bool:
        """Redo one entry's view: ``True`` if this loaded it (not already
        fresh, not failed)."""
        loads, stored = context.top_loads, context.top_stored
        try:
            REFRESHABLE[entry.view].fn(session, user, entry.params)
            # Ends the transaction, so the next view starts afresh. (The one
            # write a view makes, the alert sync, commits in its own session.)
            session.commit()
        except DomainError as error:
            # The record is gone or no longer the technician's: forget it.
            session.rollback()
            self.stats.errors += 1
            self.cache.registry_drop(registry_name(user.id), [entry.key])
            log.info("refresh of %s for technician %s: %r", entry.view, user.id, error)
            return False
        except Exception:
            session.rollback()
            self.stats.errors += 1
            log.exception("refresh of %s for technician %s failed", entry.view, user.id)
            return False
        self.stats.entries += 1
        if context.top_loads == loads:
            self.stats.fresh += 1  # a request loaded it, and read it
            return False
        if context.top_stored > stored:
            self.stats.refreshed += 1
        else:
            self.stats.refused += 1
        return True

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._jobs.clear()
            self._notes.clear()
            self._cond.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=CLOSE_TIMEOUT_S)


# -- what the rest of the app calls --------------------------------------------------------
def refresher_for(cache: Any, *, create: bool = True) -> Refresher | None:
    """The refresher of ``cache`` (``None`` when refreshing is off or it is
    not a cache service, e.g. a tool's stand-in)."""
    if not isinstance(cache, CacheService) or not cache.refresh_enabled:
        return None
    if not create:
        return cache.attached(ATTACHMENT)
    return cache.attachment(ATTACHMENT, Refresher)


def note_read(
    cache: Any, technician_id: int, key: str, refresh: tuple[str, Any], tags: Iterable[str]
) -> None:
    """``cached_read`` read ``key``, which the view ``refresh`` redoes."""
    if not getattr(cache, "refresh_enabled", False) or not cache.notes_reads:
        return
    try:
        refresher = refresher_for(cache)
        if refresher is not None:
            view, params = refresh
            refresher.note(technician_id, key, view, params, tags)
    except Exception:  # a read never fails because of the refresher
        log.warning("could not note a read for the cache refresher", exc_info=True)


def yield_to_requests(cache: Any, work_started: float) -> None:
    """After a piece of background work begun at ``work_started``
    (``perf_counter``): rest, if the process is serving requests, so that
    background work takes at most ``REFRESH_DUTY`` of its time, and longer
    while the CPU is saturated (``SATURATED_WAIT_S``)."""
    now = time.perf_counter()
    if now - getattr(cache, "last_request_read", 0.0) >= BUSY_S:
        return  # idle: full speed
    time.sleep((now - work_started) * (1 - REFRESH_DUTY) / REFRESH_DUTY)
    waited = 0.0
    while waited < SATURATED_WAIT_S and cpu_saturated():
        time.sleep(SATURATED_POLL_S)
        waited += SATURATED_POLL_S


def schedule_after_commit(
    cache: Any, session: Any, tags_by_technician: Mapping[int, Iterable[str]]
) -> None:
    """After ``session`` committed and its tags were invalidated: queue a
    refresh for each technician it wrote for. Never raises."""
    if not getattr(cache, "refresh_enabled", False) or not tags_by_technician:
        return
    try:
        engine = committed_engine(session)
        refresher = refresher_for(cache) if engine is not None else None
        if refresher is None:
            return
        for technician_id, tags in tags_by_technician.items():
            refresher.schedule(technician_id, engine, tags)
    except Exception:
        log.exception("could not schedule the cache refresh")


def wait_idle(cache: Any, technician_id: int | None = None, timeout: float | None = None) -> bool:
    """Wait for ``cache``'s refresher to finish the technician's jobs (tests, tools)."""
    refresher = refresher_for(cache, create=False)
    return True if refresher is None else refresher.wait_idle(technician_id, timeout)
