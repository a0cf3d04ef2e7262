"""Workload benchmark: a day of technicians replayed on MariaDB and Redis.

Creates its own MariaDB database (``bench_workload_<random>``, dropped at the
end unless ``--keep``), migrates it and loads the demo data (DOMAIN.md sizes
per technician). Two cache services on one Redis namespace stand for two
workers; consecutive requests alternate between them, so a write handled by
one is followed by reads on the other.

The day (``--ops`` requests, technicians picked at random): 25 % dashboard of
the current month, 20 % clients list, 15 % client detail, 10 % pianos list,
10 % piano detail, 8 % services list, 5 % service detail, 3 % alert feed and
4 % writes (a client's phone and notes, a new service on a piano, a service
status change, a piano's notes).

The model of a technician's day: their day is their agenda. Each signs in
first (the app's prefetch, ``prefetch_for_user``, warms the dashboard, the
alert feed and counts, the clients' and pianos' directories (one entry each
answers every page, search and filter of those lists), the first two pages
of services, and the working set of their next two working days: the detail of each client
with a visit and of each of their pianos, at most 60, and the last service
of each visit's piano). The records they open
are those of their visits: the clients of the visits of the working day and
of the next one (their real appointments; a technician with fewer than three
such clients gets clients picked at random to make up three), the piano of
each visit (a visit without a piano: any of the client's) or, one time in
four, another piano of that client (an institution has many), and the
history of a visit's piano: its last one or two services, or a service
recorded today.
``--focus`` (95 %) of the detail reads are about these records; the rest
open any record of the technician (a client calls, a look-up). The writes
are about the day's records too. Lists: the first page (65 %), the second
(15 %), a deeper one (5 %) or a filter (15 %: a search for a word of a
client's name, mostly of a client of the day; a piano category; a service
status). They come back to the dashboard and the lists all day.

Time: the day is replayed as fast as it runs, but a technician's next click
comes after think time. After a write the worker's refresher recomputes, in
its background thread, the technician's recently read entries the write
invalidated (``piano_emotion.domain.refresh``). So, before each request of a
technician, the bench waits until both workers' refreshers have no job of
*that* technician (``wait_idle``, capped at ``THINK_CAP_S`` = 2 s, a short
think time; the other technicians' requests are not held). This waits for
the refresh itself rather than a fixed modelled think time: what is cached
does not depend on the machine's speed, and a refresh slower than 2 s shows
as misses. How long it waited is printed. ``--think all`` waits for every
technician's refreshes instead, so no refresh runs during a request (as when
writes are as rare as in a real day): latencies without the refresher's
competition for the GIL.

Stale reads: before every write the pages that show what it changes are
cached (read by the checker's own cache service: a third process on the same
Redis namespace, whose lookups are counted apart and printed, not pushed to
the fleet's). Right after the commit (without waiting for the refresh) each
page is read as the *other* worker holds it (a peek: a fresh entry is
returned as is, none runs the loader; nothing counted or stored) and compared
with a direct database read (an empty memory cache, so the loader runs).
Once the technician's refresh is done (at their next request), the same
pages are compared again as the cache holds them (so the refreshed entries
themselves are checked). One plain read in ``--check-every`` is checked the
same way. After each write, the alert rows themselves are checked: once the
sync requests it left are served, a sync of every piano must find nothing
to change. Every mismatch is a stale read.

Then a shorter replay with the cache switched off (``NoCache``: every read
runs its loader) gives the uncached latency of each page.

The hit rate is the fleet-wide one of ``stats()`` (the two workers, every
lookup of the day's requests, including the nested ones of a dashboard
miss; the refresher's loads are not lookups and are counted apart as
``refreshes``); the page-level one (the share of page requests answered
from the cache) and why the others missed are printed under it.

    .venv/bin/python -m bench.workload_bench [--technicians 20] [--ops 20000]
        [--uncached-ops 3000] [--check-every 50] [--write-percent 4]
        [--seed 7] [--keep] [--json out.json] [--database-url URL]
        [--think technician|all] [--focus 0.95] [--no-refresh]

Targets (issue 5): hit rate at least 95 %, zero stale reads, warm dashboard
p95 under 5 ms, cold dashboard p95 under 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

import redis
import sqlalchemy as sa
from sqlmodel import Session, select

from piano_emotion import migrations
from piano_emotion.cache import (
    CacheService,
    build_cache,
    serialization,
    ttl_for,
    use_cache,
)
from piano_emotion.db import create_engine_for
from piano_emotion.demo import DEMO_EMAIL_DOMAIN, load_demo_data
from piano_emotion.domain import alerts as alerts_domain
from piano_emotion.domain import refresh as refresh_domain
from piano_emotion.domain.cached import COLLECTIONS, invalidate
from piano_emotion.domain.clients import (
    ClientInput,
    ClientQuery,
    get_client,
    list_clients,
    update_client,
)
from piano_emotion.domain.dashboard import (
    WorkingSet,
    alert_feed,
    dashboard,
    dashboard_cache_key,
    prefetch_for_user,
    working_set,
)
from piano_emotion.domain.errors import DomainError
from piano_emotion.domain.pianos import PianoInput, PianoQuery, get_piano, list_pianos, update_piano
from piano_emotion.domain.services import (
    ServiceInput,
    ServiceQuery,
    create_service,
    get_service,
    list_services,
    set_service_status,
)
from piano_emotion.models import Client, Piano, Service, User, metadata
from piano_emotion.models.enums import ServiceStatus, ServiceType
from piano_emotion.text import normalise_search_text

SERVER_URL = "mysql://root@127.0.0.1:3306/"
ADMIN_URL = SERVER_URL + "mysql"  # to create and drop the bench database
REDIS_URL = "redis://127.0.0.1:6379/0"
PAGE_SIZE = 25
MIN_DAY_CLIENTS = 3  # fewer clients with visits: made up at random
DAY_FOCUS = 0.95  # share of detail reads about the day's records (``--focus``)
THINK_CAP_S = 2.0  # longest wait for a technician's refresh before their next click
COLD_SAMPLES = 6  # dashboards loaded on a miss on purpose per technician, after the day

# Page reads and writes of the day, with their share of the requests.
MIX: tuple[tuple[str, float], ...] = (
    ("dashboard", 25),
    ("clients list", 20),
    ("client detail", 15),
    ("pianos list", 10),
    ("piano detail", 10),
    ("services list", 8),
    ("service detail", 5),
    ("alert feed", 3),
    ("write: client", 1.2),
    ("write: new service", 1.2),
    ("write: service status", 1.0),
    ("write: piano", 0.6),
)
PAGES = [name for name, _ in MIX if not name.startswith("write")]
# The cache entity (so the TTL) of each page's entry.
PAGE_ENTITY = {
    "dashboard": "dashboard",
    "alert feed": "dashboard",
    "clients list": "clients",
    "client detail": "clients",
    "pianos list": "pianos",
    "piano detail": "pianos",
    "services list": "services",
    "service detail": "services",
}
WRITES = [name for name, _ in MIX if name.startswith("write")]

TARGET_HIT_RATE = 95.0
TARGET_WARM_P95_MS = 5.0
TARGET_COLD_P95_MS = 100.0


class NoCache:
    """The cache switched off: every read runs its loader, nothing is kept.

    Offers what the domain layer calls on the process-wide cache."""

    mode = "none"
    degraded = False
    refresh_enabled = False
    in_refresh = False

    def get_or_load(
        self, key: str, loader: Callable[[], Any], ttl_seconds: float, tags=(), shared=False
    ) -> Any:
        return loader()

    def get(self, key: str) -> Any:
        return None

    def set(self, key: str, value: Any, ttl_seconds: float, tags=()) -> None:
        pass

    def delete(self, key: str) -> None:
        pass

    def invalidate(self, *tags: str) -> None:
        pass

    def invalidate_all(self) -> None:
        pass

    def close(self) -> None:
        pass


class Peek:
    """The cache as it is: fresh entries are returned, misses load without
    storing, nothing is counted (the checker's look after a refresh)."""

    mode = "peek"
    degraded = False
    refresh_enabled = False
    in_refresh = False

    def __init__(self, service: CacheService) -> None:
        self.service = service
        self.found = 0

    def get_or_load(
        self, key: str, loader: Callable[[], Any], ttl_seconds: float, tags=(), shared=False
    ) -> Any:
        tag_keys = self.service._tag_keys(tags)
        result, value = self.service._read(key, tag_keys, count=False, shared=shared)
        if result.payload is not None:
            self.found += 1
            return value
        return loader()

    def invalidate(self, *tags: str) -> None:
        pass

    def delete(self, key: str) -> None:
        pass  # a peek changes nothing


# Lists served from the technician's directory (one cache entry answers
# every page, search and filter of them: ``client_directory``, ``piano_directory``).
DIRECTORY_LISTS = ("clients list", "pianos list")


def cache_entry(spec: tuple) -> tuple:
    """The cache entry a page (``(technician, page, parameters…)``) is answered from."""
    if spec[1] in DIRECTORY_LISTS:
        return (spec[0], spec[1], "directory")
    return spec


def refreshable(spec: tuple) -> bool:
    """Is the page one the refresher redoes?"""
    page = spec[1]
    if page.endswith("list") and page not in DIRECTORY_LISTS:
        return spec[2].page <= refresh_domain.REFRESH_LIST_PAGES
    return True


# --------------------------------------------------------------------------
# What each technician has and does today
# --------------------------------------------------------------------------
@dataclass
class Technician:
    user: User
    clients: list[int]
    client_words: dict[int, list[str]]
    pianos_of: dict[int, list[int]]
    piano_owner: dict[int, int]
    services_of: dict[int, list[int]]  # by client
    services_of_piano: dict[int, list[int]]  # by piano, oldest first
    open_services: dict[int, list[int]]  # pending/in progress, by client
    # The day: the clients of the visits of the next two working days, the
    # pianos of those visits (a visit without a piano: each of the client's),
    # and every piano of those clients.
    day_clients: list[int] = field(default_factory=list)
    day_pianos: list[int] = field(default_factory=list)
    client_pianos: list[int] = field(default_factory=list)
    recorded_today: list[int] = field(default_factory=list)  # services created in the replay
    agenda_source: str = "appointments"
    prefetched: WorkingSet | None = None
    pages: dict[str, int] = field(default_factory=dict)

    @property
    def pianos(self) -> list[int]:
        return list(self.piano_owner)


def load_technicians(engine: sa.Engine, rng: random.Random) -> list[Technician]:
    technicians = []
    with Session(engine, expire_on_commit=False) as session:
        users = session.exec(
            select(User).where(User.email.like(f"%@{DEMO_EMAIL_DOMAIN}")).order_by(User.id)
        ).all()
        for user in users:
            clients = session.exec(
                select(Client.id, Client.name)
                .where(Client.technician_id == user.id, Client.archived == sa.false())
                .order_by(Client.id)
            ).all()
            pianos = session.exec(
                select(Piano.id, Piano.client_id)
                .where(Piano.technician_id == user.id, Piano.archived == sa.false())
                .order_by(Piano.id)
            ).all()
            services = session.exec(
                select(Service.id, Service.client_id, Service.piano_id, Service.status)
                .where(Service.technician_id == user.id)
                .order_by(Service.service_date, Service.id)
            ).all()
            counts = {
                name: session.exec(
                    select(sa.func.count(model.id)).where(model.technician_id == user.id)
                ).one()
                for name, model in (("clients", Client), ("pianos", Piano), ("services", Service))
            }
            tech = Technician(
                user=user,
                clients=[cid for cid, _ in clients],
                client_words={
                    cid: [w for w in normalise_search_text(name).split() if len(w) > 2]
                    for cid, name in clients
                },
                pianos_of=defaultdict(list),
                piano_owner={},
                services_of=defaultdict(list),
                services_of_piano=defaultdict(list),
                open_services=defaultdict(list),
                pages={k: max(1, -(-int(v) // PAGE_SIZE)) for k, v in counts.items()},
            )
            for pid, cid in pianos:
                tech.pianos_of[cid].append(pid)
                tech.piano_owner[pid] = cid
            for sid, cid, pid, status in services:
                tech.services_of[cid].append(sid)
                tech.services_of_piano[pid].append(sid)
                if ServiceStatus(status) in (ServiceStatus.PENDING, ServiceStatus.IN_PROGRESS):
                    tech.open_services[cid].append(sid)
            plan_day(session, tech, rng)
            technicians.append(tech)
    return technicians


def plan_day(session: Session, tech: Technician, rng: random.Random) -> None:
    """The technician's day: the visits of their next two working days (their
    real appointments, the set the sign-in prefetch warms too). A technician
    with fewer than ``MIN_DAY_CLIENTS`` such clients gets clients with pianos
    picked at random to make up the number."""
    found = working_set(session, tech.user, alerts_domain.local_today(), max_pianos=10_000)
    clients = [c for c in found.clients if tech.pianos_of.get(c)]
    if len(clients) < MIN_DAY_CLIENTS:
        tech.agenda_source = "appointments + random"
        rest = [c for c in tech.clients if tech.pianos_of.get(c) and c not in clients]
        clients += rng.sample(rest, min(MIN_DAY_CLIENTS - len(clients), len(rest)))
    tech.day_clients = clients
    day_pianos = [p for c, p in found.visits if p is not None and p in tech.piano_owner]
    for client in clients:
        if not any(c == client and p is not None for c, p in found.visits):
            day_pianos += tech.pianos_of[client]  # a visit without a piano: any of them
    tech.day_pianos = list(dict.fromkeys(day_pianos))
    tech.client_pianos = [p for c in clients for p in tech.pianos_of[c]]


class Day:
    """Draws the requests of the day (deterministic for a seed)."""

    def __init__(
        self,
        technicians: list[Technician],
        rng: random.Random,
        write_percent: float = 4.0,
        focus: float = DAY_FOCUS,
    ) -> None:
        self.technicians = technicians
        self.rng = rng
        self.focus = focus
        self.names = [name for name, _ in MIX]
        # The writes scaled to ``write_percent`` of the requests, the reads to the rest.
        reads = sum(w for n, w in MIX if n in PAGES)
        writes = sum(w for n, w in MIX if n in WRITES)
        self.weights = [
            w * write_percent / writes if n in WRITES else w * (100 - write_percent) / reads
            for n, w in MIX
        ]

    def next(self) -> tuple[Technician, str]:
        return self.rng.choice(self.technicians), self.rng.choices(self.names, self.weights)[0]

    # -- picks ----------------------------------------------------------------
    def on_day(self) -> bool:
        """Is this detail read about the day's records (else anything)?"""
        return self.rng.random() < self.focus

    def client(self, tech: Technician) -> int:
        if self.on_day():
            return self.rng.choice(tech.day_clients)
        return self.rng.choice(tech.clients)

    def day_piano(self, tech: Technician) -> int:
        """A piano of the visits (mostly), or another piano of a visited client."""
        if self.rng.random() < 0.75:
            return self.rng.choice(tech.day_pianos)
        return self.rng.choice(tech.client_pianos)

    def piano(self, tech: Technician) -> int:
        if self.on_day():
            return self.day_piano(tech)
        return self.rng.choice(tech.pianos)

    def service(self, tech: Technician) -> int:
        """A service recorded today, or the last one or two of a piano of the
        visits (what was done there last time); else any service."""
        if self.on_day():
            if tech.recorded_today and self.rng.random() < 0.5:
                return self.rng.choice(tech.recorded_today[-5:])
            for _ in range(8):
                services = tech.services_of_piano.get(self.rng.choice(tech.day_pianos))
                if services:
                    return self.rng.choice(services[-2:])
        while True:
            services = tech.services_of.get(self.rng.choice(tech.clients))
            if services:
                return self.rng.choice(services)

    def list_kind(self) -> str:
        """``first`` page, ``second`` page, a ``deeper`` page, or ``filter`` (a search)."""
        roll = self.rng.random()
        if roll < 0.65:
            return "first"
        if roll < 0.80:
            return "second"
        if roll < 0.85:
            return "deeper"
        return "filter"

    def page(self, kind: str, pages: int) -> int:
        if kind == "first" or pages == 1:
            return 1
        if kind == "second" or pages == 2:
            return 2
        return self.rng.randint(3, pages)

    def search_word(self, tech: Technician) -> str:
        for _ in range(8):
            words = tech.client_words.get(self.client(tech))
            if words:
                return self.rng.choice(words)
        return ""

    # -- the page reads ---------------------------------------------------------
    def read(self, tech: Technician, page: str) -> tuple[tuple, Callable[[Session], Any]]:
        """What the page asks (``(page, parameters)``) and how it loads it."""
        user, rng = tech.user, self.rng
        if page == "dashboard":
            today = alerts_domain.local_today()
            return (page, today), lambda s: dashboard(s, user, today.year, today.month, today)
        if page == "alert feed":
            return (page,), lambda s: alert_feed(s, user)
        if page == "clients list":
            kind = self.list_kind()
            if kind == "filter":
                clients = ClientQuery(search=self.search_word(tech))
            else:
                clients = ClientQuery(page=self.page(kind, tech.pages["clients"]))
            return (page, clients), lambda s: list_clients(s, user, clients)
        if page == "client detail":
            cid = self.client(tech)
            return (page, cid), lambda s: get_client(s, user, cid)
        if page == "pianos list":
            kind = self.list_kind()
            if kind == "filter":
                pianos = PianoQuery(category=rng.choice(["vertical", "grand", "digital"]))
            else:
                pianos = PianoQuery(page=self.page(kind, tech.pages["pianos"]))
            return (page, pianos), lambda s: list_pianos(s, user, pianos)
        if page == "piano detail":
            pid = self.piano(tech)
            return (page, pid), lambda s: get_piano(s, user, pid)
        if page == "services list":
            kind = self.list_kind()
            if kind == "filter":
                services = ServiceQuery(status=rng.choice(["pending", "completed"]))
            else:
                services = ServiceQuery(page=self.page(kind, tech.pages["services"]))
            return (page, services), lambda s: list_services(s, user, services)
        if page == "service detail":
            sid = self.service(tech)
            return (page, sid), lambda s: get_service(s, user, sid)
        raise ValueError(page)


# --------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------
def percentile(samples: list[float], q: float) -> float | None:
    if not samples:
        return None
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _counts(cache: CacheService) -> tuple[int, int]:
    # This process's not-yet-pushed counters (the bench pushes them only at
    # the end, so deltas around one call are that call's lookups).
    snapshot = cache._metrics.peek()
    return snapshot.hits, snapshot.misses


def _normal(value: Any) -> Any:
    """A value as the cache would give it back (for comparing)."""
    return serialization.loads(serialization.dumps(value))


@dataclass
class Replay:
    engine: sa.Engine
    day: Day
    workers: list[Any]
    check_every: int = 0
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    warm: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    cold: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    writes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    write_errors: list[str] = field(default_factory=list)
    checks: int = 0
    checked_writes: int = 0
    stale: list[dict[str, Any]] = field(default_factory=list)
    # The checker's own cache service: a third process on the same Redis
    # namespace whose lookups are its own (never pushed to the fleet figures).
    checker_cache: Any = None
    reads: int = 0
    request: int = 0
    # Why page requests missed: by the page and parameters asked before.
    seen: dict[tuple, int] = field(default_factory=dict)
    seen_at: dict[tuple, float] = field(default_factory=dict)
    miss_by_page: dict[str, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    last_write: dict[int, tuple[int, str]] = field(default_factory=dict)
    miss_reasons: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    miss_details: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # Think time: waits for a technician's refresh before their next request.
    think_waits: int = 0
    think_wait_s: float = 0.0
    think_capped: int = 0
    # Pages of each technician's last write, compared again after the refresh.
    after_refresh: dict[int, list[tuple[str, Callable[[Session], Any]]]] = field(
        default_factory=dict
    )
    checks_after_refresh: int = 0
    found_after_refresh: int = 0
    wait_for: str = "technician"  # whose refreshes a request waits for: "technician" or "all"

    def miss_reason(self, tech: Technician, spec: tuple) -> str:
        spec = cache_entry(spec)
        if spec not in self.seen:
            return "first request of that page and parameters"
        # Entries live their TTL (±10 %) after their last load or refresh.
        if time.monotonic() - self.seen_at[spec] > 0.9 * ttl_for(PAGE_ENTITY[spec[1]]):
            return "not asked for longer than its TTL (expired, or invalidated meanwhile)"
        request, kind = self.last_write.get(tech.user.id, (-1, ""))
        if request > self.seen[spec]:
            if not refreshable(spec):
                reason = (
                    f"invalidated by a write; a list page after the first "
                    f"{refresh_domain.REFRESH_LIST_PAGES} (never refreshed)"
                )
            else:
                reason = (
                    "invalidated by a write; refreshable, not refreshed (not "
                    "among the recent reads, or a newer write won)"
                )
            self.miss_details[f"{reason} — last write: {kind}"] += 1
            return reason
        return "other (an alert sync in a read)"

    # -- sessions and workers -----------------------------------------------------
    @contextmanager
    def session(self, cache: Any) -> Iterator[Session]:
        with use_cache(cache), Session(self.engine, expire_on_commit=False) as session:
            yield session
            session.commit()

    def _remote(self, cache: Any) -> bool:
        return isinstance(cache, CacheService) and cache.backend.remote

    def cold_dashboards(self, technicians: list[Technician], samples: int) -> list[float]:
        """Dashboards loaded on a miss on purpose, after the day (so that the
        day's hit rate is not touched): for each technician, ``samples``
        loads, alternately with only the dashboard's own entry dropped (it
        expired, or a write hid it but not the alerts) and with every entry
        of the technician hidden (nothing of theirs cached: the feed, the
        counts and the alert sync's marker load too). Each waits for the
        refreshers first, so nothing else runs meanwhile."""
        timings = []
        today = alerts_domain.local_today()
        for tech in technicians:
            user = tech.user
            for sample in range(samples):
                worker = self.workers[sample % len(self.workers)]
                for refresher in self.refreshers():
                    refresher.wait_idle(None, 30)
                with use_cache(worker):
                    if sample % 2 == 0:
                        worker.delete(dashboard_cache_key(user.id, today.year, today.month, today))
                    else:
                        invalidate(user, *COLLECTIONS)
                _, misses0 = _counts(worker)
                with self.session(worker) as session:
                    t0 = time.perf_counter()
                    dashboard(session, user, today.year, today.month, today)
                    elapsed = (time.perf_counter() - t0) * 1000
                _, misses1 = _counts(worker)
                if misses1 > misses0:
                    timings.append(elapsed)
        return timings

    @contextmanager
    def checker(self) -> Iterator[None]:
        """The bench's own reads: not a technician's (the refresher does not
        note them)."""
        with refresh_domain.reads_not_noted():
            yield

    # -- think time ------------------------------------------------------------------
    def refreshers(self) -> list[refresh_domain.Refresher]:
        found = [refresh_domain.refresher_for(w, create=False) for w in self.workers]
        return [r for r in found if r is not None]

    def think(self, tech: Technician) -> None:
        """The technician's next click comes after their refresh (capped)."""
        refreshers = self.refreshers()
        if not refreshers:
            return
        started = time.perf_counter()
        deadline = time.monotonic() + THINK_CAP_S
        whose = tech.user.id if self.wait_for == "technician" else None
        for refresher in refreshers:
            if not refresher.wait_idle(whose, max(0.0, deadline - time.monotonic())):
                self.think_capped += 1
                break
        self.think_waits += 1
        self.think_wait_s += time.perf_counter() - started
        checks = self.after_refresh.pop(tech.user.id, None)
        if checks:
            self.verify_after_refresh(checks)

    def verify_after_refresh(self, checks: list[tuple[str, Callable[[Session], Any]]]) -> None:
        """The pages of the last write as the cache holds them now (refreshed or
        not), compared with the database: a peek that neither counts nor stores."""
        peek = Peek(self.workers[0])
        for what, fn in checks:
            with use_cache(peek), self.read_only_session() as session:
                value = fn(session)
            if peek.found:
                self.checks_after_refresh += 1
                self.found_after_refresh += 1
                self.compare(f"{what} (after the refresh)", fn, value)
            peek.found = 0

    # -- one request ---------------------------------------------------------------
    def run(self, ops: int, progress: str = "") -> None:
        started = time.monotonic()
        for i in range(ops):
            self.request += 1
            worker = self.workers[self.request % len(self.workers)]
            other = self.workers[(self.request + 1) % len(self.workers)]
            tech, kind = self.day.next()
            self.think(tech)
            if kind.startswith("write"):
                self.write(tech, kind, worker, other)
            else:
                self.read(tech, kind, worker)
            if progress and (i + 1) % 2000 == 0:
                elapsed = time.monotonic() - started
                print(f"  {progress}: {i + 1:,}/{ops:,} requests, {elapsed:.0f} s", file=sys.stderr)
        # The day is over: the last refreshes finish and are checked too.
        for refresher in self.refreshers():
            refresher.wait_idle(None, 30)
        for checks in self.after_refresh.values():
            self.verify_after_refresh(checks)
        self.after_refresh.clear()

    def read(self, tech: Technician, page: str, worker: Any) -> None:
        spec, fn = self.day.read(tech, page)
        spec = (tech.user.id, *spec)
        remote = self._remote(worker)
        with self.session(worker) as session:
            if remote:
                _, misses0 = _counts(worker)
            t0 = time.perf_counter()
            value = fn(session)
            elapsed = (time.perf_counter() - t0) * 1000
            if remote:
                _, misses1 = _counts(worker)
        self.timings[page].append(elapsed)
        if remote:
            if misses1 > misses0:
                self.cold[page].append(elapsed)
                reason = self.miss_reason(tech, spec)
                self.miss_reasons[reason] += 1
                self.miss_by_page[reason][page] += 1
            else:
                self.warm[page].append(elapsed)
            self.seen[cache_entry(spec)] = self.request
            self.seen_at[cache_entry(spec)] = time.monotonic()
        self.reads += 1
        if self.check_every and self.reads % self.check_every == 0:
            self.compare(f"read {page}", fn, value)

    # -- stale-read detection ---------------------------------------------------------
    def direct(self, fn: Callable[[Session], Any]) -> Any:
        """The same read straight from the database (an empty cache: the loader runs)."""
        fresh = build_cache(refresh=False)
        try:
            with use_cache(fresh), self.read_only_session() as session:
                return fn(session)
        finally:
            fresh.close()

    @contextmanager
    def read_only_session(self) -> Iterator[Session]:
        """A session whose writes are undone: on a connection in a transaction
        that is rolled back, an alert sync (which commits on its own in the
        app) stays in that transaction. The checker's reads through a peek or
        an empty cache must not write rows that no cache it shares saw
        invalidated."""
        with self.engine.connect() as connection:
            outer = connection.begin()
            try:
                with Session(bind=connection, expire_on_commit=False) as session:
                    yield session
            finally:
                outer.rollback()

    def compare(self, what: str, fn: Callable[[Session], Any], cached: Any) -> None:
        self.checks += 1
        expected = _normal(self.direct(fn))
        got = _normal(cached)
        if got != expected:
            self.stale.append({"what": what, "cached": got, "database": expected})

    def verify(self, checks: list[tuple[str, Callable[[Session], Any]]], other: Any) -> None:
        """Right after the commit: each page as the *other* worker would serve
        it now (a fresh entry is returned as is; none: the loader runs), not
        counted and not stored, compared with the database."""
        peek = Peek(other)
        for what, fn in checks:
            with self.checker(), use_cache(peek), self.read_only_session() as session:
                value = fn(session)
            self.compare(what, fn, value)

    def verify_alert_rows(self, user: User) -> None:
        """The incremental alert sync against the rule: after serving the
        sync requests the write left, a sync of every piano must find
        nothing to change (else a write did not ask for the sync it needed,
        and the alerts every read shows would be stale). Counted as a stale
        read; nothing is written."""
        self.checks += 1
        today = alerts_domain.local_today()
        with self.read_only_session() as session:
            # Exclusive, as the app's syncs: after any sync running now.
            alerts_domain.sync_requested_alerts(session, user, today, exclusive=True)
            left = alerts_domain.sync_alerts(session, user, today, write=False)
        if any(left.values()):
            self.stale.append({"what": "alert rows", "cached": left, "database": "in sync"})

    def prewarm(self, checks: list[tuple[str, Callable[[Session], Any]]]) -> None:
        """Before the write: the pages it will change are cached (so that a
        missed invalidation would show), by the checker's own process."""
        for _what, fn in checks:
            with self.checker(), self.session(self.checker_cache) as session:
                fn(session)

    # -- writes ---------------------------------------------------------------------
    def write(self, tech: Technician, kind: str, worker: Any, other: Any) -> None:
        checking = self.check_every > 0
        day, user = self.day, tech.user
        try:
            if kind == "write: client":
                cid = day.rng.choice(tech.day_clients)
                page = self.client_page(tech, cid)
                checks = [
                    ("client detail", lambda s: get_client(s, user, cid)),
                    (
                        f"clients list p{page}",
                        lambda s: list_clients(s, user, ClientQuery(page=page)),
                    ),
                ]
                if checking:
                    self.prewarm(checks)
                phone = f"6{day.rng.randint(10_000_000, 99_999_999)}"
                with self.session(worker) as session:
                    client = session.get(Client, cid)
                    update_client(session, user, cid, client_input(client, phone, day.rng))
            elif kind == "write: piano":
                pid = day.day_piano(tech)
                owner = tech.piano_owner[pid]
                checks = [
                    ("piano detail", lambda s: get_piano(s, user, pid)),
                    ("client detail (owner)", lambda s: get_client(s, user, owner)),
                ]
                if checking:
                    self.prewarm(checks)
                with self.session(worker) as session:
                    piano = session.get(Piano, pid)
                    update_piano(session, user, pid, piano_input(piano, day.rng))
            elif kind == "write: new service":
                pid = day.day_piano(tech)
                owner = tech.piano_owner[pid]
                before = [
                    ("piano detail", lambda s: get_piano(s, user, pid)),
                    ("services list p1", lambda s: list_services(s, user, ServiceQuery())),
                    ("client detail (owner)", lambda s: get_client(s, user, owner)),
                ]
                if checking:
                    self.prewarm(before)
                with self.session(worker) as session:
                    service = create_service(session, user, service_input(pid, day.rng))
                sid, status = service.id, service.status
                tech.services_of[owner].append(sid)
                tech.services_of_piano[pid].append(sid)
                tech.recorded_today.append(sid)
                if status != ServiceStatus.COMPLETED:
                    tech.open_services[owner].append(sid)
                page = self.service_page(tech, sid)
                checks = [
                    *before,
                    ("service detail (new)", lambda s: get_service(s, user, sid)),
                    (
                        f"services list p{page}",
                        lambda s: list_services(s, user, ServiceQuery(page=page)),
                    ),
                ]
            elif kind == "write: service status":
                sid, owner, status = self.service_to_move(tech)
                page = self.service_page(tech, sid)
                checks = [
                    ("service detail", lambda s: get_service(s, user, sid)),
                    (
                        f"services list p{page}",
                        lambda s: list_services(s, user, ServiceQuery(page=page)),
                    ),
                    ("client detail (owner)", lambda s: get_client(s, user, owner)),
                ]
                if checking:
                    self.prewarm(checks)
                with self.session(worker) as session:
                    service = set_service_status(session, user, sid, status)
                    pid = service.piano_id
                checks.append(("piano detail", lambda s: get_piano(s, user, pid)))
            else:
                raise ValueError(kind)
        except DomainError as error:
            self.write_errors.append(f"{kind}: {error!r}")
            return
        self.writes[kind] += 1
        self.last_write[user.id] = (self.request, kind.removeprefix("write: "))
        if checking:
            self.checked_writes += 1
            self.verify(checks, other)
            self.verify_alert_rows(user)
            self.after_refresh[user.id] = checks

    def service_to_move(self, tech: Technician) -> tuple[int, int, str]:
        """An open service of a client of the day (completed now), else a recent one."""
        for cid in self.day.rng.sample(tech.day_clients, len(tech.day_clients)):
            if tech.open_services.get(cid):
                sid = tech.open_services[cid].pop(0)
                return sid, cid, ServiceStatus.COMPLETED.value
        cid = self.day.rng.choice([c for c in tech.day_clients if tech.services_of.get(c)])
        sid = self.day.rng.choice(tech.services_of[cid][-10:])
        with Session(self.engine) as session:
            current = session.get(Service, sid).status
        choices = [s.value for s in ServiceStatus if s != current]
        return sid, cid, self.day.rng.choice(choices)

    def client_page(self, tech: Technician, client_id: int) -> int:
        """The page of the default clients list (by name) that shows the client."""
        with Session(self.engine) as session:
            client = session.get(Client, client_id)
            before = session.exec(
                select(sa.func.count(Client.id)).where(
                    Client.technician_id == tech.user.id,
                    Client.archived == sa.false(),
                    sa.or_(
                        Client.name < client.name,
                        sa.and_(Client.name == client.name, Client.id < client.id),
                    ),
                )
            ).one()
        return int(before) // PAGE_SIZE + 1

    def service_page(self, tech: Technician, service_id: int) -> int:
        """The page of the default services list (newest first) that shows it."""
        with Session(self.engine) as session:
            service = session.get(Service, service_id)
            before = session.exec(
                select(sa.func.count(Service.id)).where(
                    Service.technician_id == tech.user.id,
                    sa.or_(
                        Service.service_date > service.service_date,
                        sa.and_(
                            Service.service_date == service.service_date,
                            Service.id > service.id,
                        ),
                    ),
                )
            ).one()
        return int(before) // PAGE_SIZE + 1


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def client_input(client: Client, phone: str, rng: random.Random) -> ClientInput:
    """The client as its edit form holds it, with a new phone and a note added."""
    note = f"Llamada {rng.randint(8, 20)}:{rng.randint(0, 59):02d}: confirma la visita."
    return ClientInput(
        name=client.name,
        client_type=client.client_type.value,
        email=client.email or "",
        phone=phone,
        tax_id=client.tax_id or "",
        address=client.address or "",
        city=client.city or "",
        postal_code=client.postal_code or "",
        region=client.region or "",
        notes=((client.notes or "") + "\n" + note).strip()[-2000:],
        route_group=client.route_group or "",
        latitude=_text(client.latitude),
        longitude=_text(client.longitude),
    )


def piano_input(piano: Piano, rng: random.Random) -> PianoInput:
    """The piano as its edit form holds it, with a note added."""
    note = f"Humedad alta en la sala ({rng.randint(55, 75)} %)."
    return PianoInput(
        client_id=None,
        brand=piano.brand,
        model=piano.model or "",
        serial_number=piano.serial_number or "",
        year=piano.year,
        category=piano.category.value,
        piano_type=piano.piano_type.value if piano.piano_type else "",
        size_cm=piano.size_cm,
        condition=piano.condition.value,
        room=piano.room or "",
        floor=piano.floor or "",
        notes=((piano.notes or "") + "\n" + note).strip()[-2000:],
        service_interval_months=piano.service_interval_months,
        tuning_pending_days=piano.tuning_pending_days,
        tuning_urgent_days=piano.tuning_urgent_days,
        regulation_pending_days=piano.regulation_pending_days,
        regulation_urgent_days=piano.regulation_urgent_days,
    )


def service_input(piano_id: int, rng: random.Random) -> ServiceInput:
    """A tuning done today (mostly) or a visit planned for the coming weeks."""
    today = alerts_domain.local_today()
    if rng.random() < 0.7:
        status, when = ServiceStatus.COMPLETED, today
    else:
        status, when = ServiceStatus.PENDING, today + timedelta(days=rng.randint(1, 30))
    service_type = rng.choices(
        [ServiceType.TUNING, ServiceType.REPAIR, ServiceType.MAINTENANCE_BASIC], [8, 1, 1]
    )[0]
    return ServiceInput(
        piano_id=piano_id,
        service_type=service_type.value,
        status=status.value,
        service_date=when,
        cost=Decimal(rng.choice(["85.00", "95.00", "110.00", "140.00"])),
        duration_minutes=rng.choice([60, 75, 90]),
        humidity_pct=Decimal(rng.randint(35, 65)),
        temperature_c=Decimal(rng.randint(17, 25)),
        notes="Afinación a 440 Hz." if service_type == ServiceType.TUNING else "",
    )


# --------------------------------------------------------------------------
# Database and cache set-up
# --------------------------------------------------------------------------
def create_database() -> tuple[str, str]:
    name = f"bench_workload_{secrets.token_hex(4)}"
    admin = create_engine_for(ADMIN_URL)
    try:
        with admin.begin() as conn:
            conn.execute(
                sa.text(
                    f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                )
            )
    finally:
        admin.dispose()
    return name, SERVER_URL + name


def drop_database(name: str) -> None:
    admin = create_engine_for(ADMIN_URL)
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
    finally:
        admin.dispose()


def row_counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table.name: int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar())
            for table in metadata.sorted_tables
        }


def clean_namespace(namespace: str) -> int:
    client = redis.Redis.from_url(REDIS_URL)
    deleted = 0
    try:
        batch = []
        for key in client.scan_iter(match=f"{namespace}:*", count=1000):
            batch.append(key)
            if len(batch) >= 500:
                deleted += client.delete(*batch)
                batch = []
        if batch:
            deleted += client.delete(*batch)
    finally:
        client.close()
    return deleted


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------
def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--technicians", type=int, default=20)
    parser.add_argument("--ops", type=int, default=20_000, help="requests of the cached replay")
    parser.add_argument("--uncached-ops", type=int, default=3_000, help="requests without cache")
    parser.add_argument("--check-every", type=int, default=50, help="check 1 plain read in N")
    parser.add_argument(
        "--write-percent", type=float, default=4.0, help="share of writes in the day (%%)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the database it creates")
    parser.add_argument("--database-url", help="use this (existing) database instead")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument(
        "--think",
        choices=("technician", "all"),
        default="technician",
        help="before a request, wait for that technician's refreshes (default) or for "
        "every technician's (no refresh overlaps a request, as when writes are rare)",
    )
    parser.add_argument(
        "--focus",
        type=float,
        default=DAY_FOCUS,
        help="share of the detail reads about the records of the day's visits "
        "(the rest: any record of the technician)",
    )
    parser.add_argument(
        "--no-refresh",
        action="store_true",
        help="workers without the background refresher (CACHE_REFRESH=false)",
    )
    args = parser.parse_args(argv)

    began = time.monotonic()
    load_before = os.getloadavg()
    refresh_totals = refresh_domain.RefreshStats()
    rng = random.Random(args.seed)
    created: str | None = None
    namespace = f"bench-workload-{secrets.token_hex(4)}"
    workers: list[CacheService] = []
    workers_and_checker: list[CacheService] = []
    engine: sa.Engine | None = None
    try:
        redis.Redis.from_url(REDIS_URL).ping()
        if args.database_url:
            url = args.database_url
        else:
            created, url = create_database()
            print(f"database: {created}", file=sys.stderr)
        engine = create_engine_for(url)
        migrations.upgrade(engine)
        t0 = time.monotonic()
        accounts = load_demo_data(
            engine, technicians=args.technicians, progress=False, include_owner=False
        )
        loaded = sum(1 for account in accounts if account.created)
        load_s = time.monotonic() - t0
        rows = row_counts(engine)
        technicians = load_technicians(engine, rng)[: args.technicians]
        print(f"demo data loaded in {load_s:.1f} s; replaying…", file=sys.stderr)

        # Two workers on one Redis namespace; metrics pushed only when asked.
        workers = [
            build_cache(
                redis_url=REDIS_URL,
                namespace=namespace,
                flush_interval_s=3600,
                refresh=not args.no_refresh,
            )
            for _ in range(2)
        ]
        workers[0].reset_metrics()
        # The stale-read checker's process: same Redis namespace, its lookups
        # counted apart (its metrics are never pushed to the fleet's).
        checker_cache = build_cache(
            redis_url=REDIS_URL, namespace=namespace, flush_interval_s=86_400, refresh=False
        )
        workers_and_checker = [*workers, checker_cache]
        day = Day(technicians, rng, args.write_percent, args.focus)
        replay = Replay(engine, day, workers, check_every=args.check_every, wait_for=args.think)
        replay.checker_cache = checker_cache
        t0 = time.monotonic()
        today = alerts_domain.local_today()
        prefetch_loads = 0
        for i, tech in enumerate(technicians):  # sign-in: the app's prefetch
            before = workers[i % 2]._metrics.peek().refreshes
            with use_cache(workers[i % 2]):
                prefetch_for_user(lambda: Session(engine, expire_on_commit=False), tech.user)
            prefetch_loads += workers[i % 2]._metrics.peek().refreshes - before
            uid = tech.user.id
            with Session(engine) as session:
                tech.prefetched = working_set(session, tech.user, today)
            for spec in (
                (uid, "dashboard", today),
                (uid, "clients list", "directory"),
                (uid, "pianos list", "directory"),
                (uid, "services list", ServiceQuery()),
                (uid, "services list", ServiceQuery(page=2)),
                (uid, "alert feed"),
                *((uid, "client detail", cid) for cid in tech.prefetched.clients),
                *((uid, "piano detail", pid) for pid in tech.prefetched.pianos),
                *((uid, "service detail", sid) for sid in tech.prefetched.services),
            ):
                replay.seen[spec] = 0
                replay.seen_at[spec] = time.monotonic()
        replay.run(args.ops, "cached")
        cached_s = time.monotonic() - t0
        for refresher in replay.refreshers():
            refresher.wait_idle(None, 30)
            for name, value in refresher.stats.as_dict().items():
                setattr(refresh_totals, name, getattr(refresh_totals, name) + value)
        workers[1].flush_metrics()
        stats = workers[0].stats()
        checker_hits, checker_misses = _counts(checker_cache)
        cold_probes = replay.cold_dashboards(technicians, COLD_SAMPLES)

        uncached_day = Day(
            technicians, random.Random(args.seed + 1), args.write_percent, args.focus
        )
        uncached = Replay(engine, uncached_day, [NoCache()])
        t0 = time.monotonic()
        uncached.run(args.uncached_ops, "uncached")
        uncached_s = time.monotonic() - t0
    finally:
        for worker in workers_and_checker:
            worker.close()
        removed = clean_namespace(namespace)
        if engine is not None:
            engine.dispose()
        if created and not args.keep:
            drop_database(created)
        elif created:
            print(f"kept database {created}", file=sys.stderr)
    total_s = time.monotonic() - began
    load_after = os.getloadavg()

    # -- figures ---------------------------------------------------------------
    checker_lookups = checker_hits + checker_misses
    fleet_rate = stats["hit_rate"]
    dash_warm = percentile(replay.warm["dashboard"], 0.95)
    # Cold: the day's own dashboard misses and the loads on a miss on purpose.
    dash_cold_all = replay.cold["dashboard"] + cold_probes
    dash_cold = percentile(dash_cold_all, 0.95)
    table = []
    for page in PAGES:
        cached, off = replay.timings[page], uncached.timings[page]
        table.append(
            {
                "page": page,
                "requests": len(cached),
                "hits": len(replay.warm[page]),
                "cached_p50": percentile(cached, 0.5),
                "cached_p95": percentile(cached, 0.95),
                "warm_p95": percentile(replay.warm[page], 0.95),
                "cold_p95": percentile(replay.cold[page], 0.95),
                "warm_p50": percentile(replay.warm[page], 0.5),
                "cold_p50": percentile(replay.cold[page], 0.5),
                "uncached_requests": len(off),
                "uncached_p50": percentile(off, 0.5),
                "uncached_p95": percentile(off, 0.95),
            }
        )

    users = len(technicians)
    print(
        f"technicians: {users}   rows: {sum(rows.values()):,} "
        f"(clients {rows['clients']:,}, pianos {rows['pianos']:,}, "
        f"services {rows['services']:,}, invoices {rows['invoices']:,})"
    )
    print(
        f"demo data load: {load_s:.1f} s ({loaded} technicians loaded, "
        f"{len(accounts) - loaded} already present)"
    )
    print(
        f"cached replay: {args.ops:,} requests in {cached_s:.1f} s "
        f"({sum(replay.writes.values())} writes: "
        + ", ".join(f"{k.removeprefix('write: ')} {v}" for k, v in sorted(replay.writes.items()))
        + f"; {len(replay.write_errors)} refused)"
    )
    print(f"uncached replay: {args.uncached_ops:,} requests in {uncached_s:.1f} s")
    made_up = sum(1 for t in technicians if t.agenda_source != "appointments")
    print(
        f"the day: {sum(len(t.day_clients) for t in technicians)} clients with visits "
        f"today or on the next working day ({made_up} technicians made up to "
        f"{MIN_DAY_CLIENTS} at random), {sum(len(t.day_pianos) for t in technicians)} pianos "
        f"of those visits, {sum(len(t.client_pianos) for t in technicians)} pianos of those "
        f"clients; {args.focus:.0%} of the detail reads about them; prefetched at sign-in: "
        f"{sum(len(t.prefetched.clients) for t in technicians if t.prefetched)} client and "
        f"{sum(len(t.prefetched.pianos) for t in technicians if t.prefetched)} piano and "
        f"{sum(len(t.prefetched.services) for t in technicians if t.prefetched)} service details"
    )
    print(
        f"load average: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f} "
        f"at the start, {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f} at the end "
        f"({os.cpu_count()} CPUs)"
    )
    print()
    fleet_lookups = stats["hits"] + stats["misses"]
    print(
        f"cache hit rate, fleet-wide (Redis stats(), both workers, lookups only): "
        f"{fleet_rate:.2f} %  ({stats['hits']:,} hits / {fleet_lookups:,} lookups)"
    )
    requests = sum(len(v) for v in replay.timings.values())
    served = sum(len(v) for v in replay.warm.values())
    page_rate = 100.0 * served / requests if requests else 0.0
    print(
        f"  page-level (page requests answered from the cache): {page_rate:.2f} %  "
        f"({served:,} / {requests:,}); misses by cause:"
    )
    for reason, count in sorted(replay.miss_reasons.items(), key=lambda kv: -kv[1]):
        print(f"    {count:>6,}  {reason}")
        by_page = sorted(replay.miss_by_page[reason].items(), key=lambda kv: -kv[1])
        print("            " + ", ".join(f"{name} {n:,}" for name, n in by_page))
    r = refresh_totals
    print(
        f"refreshes (background loads, not lookups): {stats.get('refreshes', 0):,}: "
        f"{prefetch_loads:,} by the prefetch at sign-in, the others by the refreshers: "
        f"{r.jobs:,} jobs for {r.writes:,} commits, {r.entries:,} views redone: "
        f"{r.refreshed:,} refreshed, {r.fresh:,} already fresh, "
        f"{r.refused:,} refused (newer write); {r.errors} errors; "
        f"{r.seconds:.1f} s in jobs"
    )
    if args.no_refresh:
        print("think time: none (no refresher: --no-refresh)")
    else:
        whose = "that technician's" if args.think == "technician" else "every technician's"
        print(
            f"think time: {replay.think_wait_s:.1f} s waited for {whose} refreshes before a "
            f"request ({replay.think_waits:,} requests; {replay.think_capped} reached the "
            f"{THINK_CAP_S:.0f} s cap)"
        )
    print(
        f"stale reads: {len(replay.stale)}  ({replay.checks:,} comparisons: "
        f"{replay.checked_writes} writes whose pages were read as the other worker holds "
        f"them right after the commit, "
        f"{replay.checks_after_refresh:,} of their pages compared as cached at the "
        f"technician's next request, "
        f"1 in {args.check_every} plain reads)"
    )
    print(
        f"the checker's own lookups (a third process on the same Redis, counted apart: "
        f"caching the pages before each write): {checker_hits:,} hits / "
        f"{checker_lookups:,}"
    )
    print()
    header = (
        f"{'page':<16}{'reqs':>6}{'hit %':>7}{'cached p50':>12}{'cached p95':>12}"
        f"{'warm p95':>10}{'cold p95':>10}{'uncached p50':>14}{'uncached p95':>14}"
    )
    print(header + "   (ms)")
    print("-" * len(header))
    for row in table:
        share = 100.0 * row["hits"] / row["requests"] if row["requests"] else 0.0
        print(
            f"{row['page']:<16}{row['requests']:>6}{share:>7.1f}"
            f"{_ms(row['cached_p50']):>12}{_ms(row['cached_p95']):>12}"
            f"{_ms(row['warm_p95']):>10}{_ms(row['cold_p95']):>10}"
            f"{_ms(row['uncached_p50']):>14}{_ms(row['uncached_p95']):>14}"
        )
    print()
    print(
        f"dashboard warm p50 {_ms(percentile(replay.warm['dashboard'], 0.5))} ms, "
        f"p95 {_ms(dash_warm)} ms ({len(replay.warm['dashboard'])} hits); "
        f"cold p50 {_ms(percentile(dash_cold_all, 0.5))} ms, p95 {_ms(dash_cold)} ms "
        f"({len(replay.cold['dashboard'])} misses in the day, {len(cold_probes)} loads on a "
        f"miss on purpose after it: p50 {_ms(percentile(cold_probes, 0.5))} ms, "
        f"p95 {_ms(percentile(cold_probes, 0.95))} ms)"
    )
    targets = [
        (
            f"hit rate ≥ {TARGET_HIT_RATE:.0f} %",
            fleet_rate >= TARGET_HIT_RATE,
            f"{fleet_rate:.2f} %",
        ),
        ("zero stale reads", not replay.stale, str(len(replay.stale))),
        (
            f"warm dashboard p95 < {TARGET_WARM_P95_MS:.0f} ms",
            dash_warm is not None and dash_warm < TARGET_WARM_P95_MS,
            f"{_ms(dash_warm)} ms",
        ),
        (
            f"cold dashboard p95 < {TARGET_COLD_P95_MS:.0f} ms",
            dash_cold is not None and dash_cold < TARGET_COLD_P95_MS,
            f"{_ms(dash_cold)} ms",
        ),
    ]
    print()
    for label, ok, value in targets:
        print(f"  {_mark(ok)} {label}: {value}")
    for sample in replay.stale[:3]:
        print(f"\nstale read ({sample['what']}):\n  cached:   {sample['cached']!r:.600}")
        print(f"  database: {sample['database']!r:.600}")
    for error in replay.write_errors[:5]:
        print(f"refused write: {error}", file=sys.stderr)
    print(
        f"\ntotal run time: {total_s:.0f} s; "
        f"cleanup: {removed} Redis keys removed"
        + ("" if args.database_url or args.keep else f", database {created} dropped")
    )

    if args.json:
        with open(args.json, "w") as out:
            json.dump(
                {
                    "technicians": users,
                    "rows": rows,
                    "load_s": round(load_s, 2),
                    "ops": args.ops,
                    "uncached_ops": args.uncached_ops,
                    "seed": args.seed,
                    "writes": dict(replay.writes),
                    "write_errors": replay.write_errors,
                    "hit_rate": fleet_rate,
                    "hits": stats["hits"],
                    "misses": stats["misses"],
                    "checker_hits": checker_hits,
                    "checker_misses": checker_misses,
                    "page_hit_rate": round(page_rate, 2),
                    "requests_answered_from_cache": served,
                    "requests": requests,
                    "miss_reasons": dict(replay.miss_reasons),
                    "miss_details": dict(replay.miss_details),
                    "miss_by_page": {k: dict(v) for k, v in replay.miss_by_page.items()},
                    "refreshes": stats.get("refreshes", 0),
                    "refresher": refresh_totals.as_dict(),
                    "prefetch_loads": prefetch_loads,
                    "think": None if args.no_refresh else args.think,
                    "focus": args.focus,
                    "think_wait_s": round(replay.think_wait_s, 2),
                    "think_capped": replay.think_capped,
                    "checks_after_refresh": replay.checks_after_refresh,
                    "day_clients": sum(len(t.day_clients) for t in technicians),
                    "load_average": [load_before, load_after],
                    "write_percent": args.write_percent,
                    "stale_reads": len(replay.stale),
                    "comparisons": replay.checks,
                    "pages": table,
                    "dashboard_warm_p95_ms": dash_warm,
                    "dashboard_cold_p95_ms": dash_cold,
                    "targets": {label: ok for label, ok, _ in targets},
                    "total_s": round(total_s, 1),
                },
                out,
                indent=2,
                default=str,
            )
    return 0 if all(ok for _, ok, _ in targets) else 1


if __name__ == "__main__":
    raise SystemExit(main())
