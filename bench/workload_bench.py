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
status change, a piano's notes). Each technician signs in first (the app's
prefetch warms the dashboard, first page of clients and the alert feed), and
has an agenda for the day: eight clients, whom 70 % of the detail reads and
all the writes are about; list reads ask page 1 (60 %), page 2 (20 %) or any
page, and a fifth of the clients lists search a word of a client's name.

Stale reads: before every write the pages that show what it changes are read
through the other worker (so they are cached), and right after its commit
they are read again through that other worker and compared with a direct
database read (an empty memory cache, so the loader runs). One plain read in
``--check-every`` is checked the same way. Every mismatch is a stale read.

Then a shorter replay with the cache switched off (``NoCache``: every read
runs its loader) gives the uncached latency of each page.

The hit rate is the fleet-wide one of ``stats()`` (both workers, every
lookup, including the nested ones of a dashboard miss and the checker's);
the same without the checker's lookups, the share of page requests answered
from the cache and why the others missed are printed under it.

    .venv/bin/python -m bench.workload_bench [--technicians 20] [--ops 20000]
        [--uncached-ops 3000] [--check-every 50] [--write-percent 4]
        [--seed 7] [--keep] [--json out.json] [--database-url URL]

Targets (issue 5): hit rate at least 95 %, zero stale reads, warm dashboard
p95 under 5 ms, cold dashboard p95 under 100 ms.
"""

from __future__ import annotations

import argparse
import json
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
from piano_emotion.cache import CacheService, build_cache, serialization, use_cache
from piano_emotion.db import create_engine_for
from piano_emotion.demo import DEMO_EMAIL_DOMAIN, load_demo_data
from piano_emotion.domain import alerts as alerts_domain
from piano_emotion.domain.clients import (
    ClientInput,
    ClientQuery,
    get_client,
    list_clients,
    update_client,
)
from piano_emotion.domain.dashboard import alert_feed, dashboard, prefetch_for_user
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
AGENDA_CLIENTS = 8
AGENDA_SHARE = 0.7

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
WRITES = [name for name, _ in MIX if name.startswith("write")]

TARGET_HIT_RATE = 95.0
TARGET_WARM_P95_MS = 5.0
TARGET_COLD_P95_MS = 100.0


class NoCache:
    """The cache switched off: every read runs its loader, nothing is kept.

    Offers what the domain layer calls on the process-wide cache."""

    mode = "none"
    degraded = False

    def get_or_load(self, key: str, loader: Callable[[], Any], ttl_seconds: float, tags=()) -> Any:
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
    open_services: dict[int, list[int]]  # pending/in progress, by client
    agenda: list[int] = field(default_factory=list)
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
                select(Service.id, Service.client_id, Service.status)
                .where(Service.technician_id == user.id)
                .order_by(Service.id)
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
                open_services=defaultdict(list),
                pages={k: max(1, -(-int(v) // PAGE_SIZE)) for k, v in counts.items()},
            )
            for pid, cid in pianos:
                tech.pianos_of[cid].append(pid)
                tech.piano_owner[pid] = cid
            for sid, cid, status in services:
                tech.services_of[cid].append(sid)
                if ServiceStatus(status) in (ServiceStatus.PENDING, ServiceStatus.IN_PROGRESS):
                    tech.open_services[cid].append(sid)
            with_pianos = [cid for cid in tech.clients if tech.pianos_of.get(cid)]
            tech.agenda = rng.sample(with_pianos, min(AGENDA_CLIENTS, len(with_pianos)))
            technicians.append(tech)
    return technicians


class Day:
    """Draws the requests of the day (deterministic for a seed)."""

    def __init__(
        self, technicians: list[Technician], rng: random.Random, write_percent: float = 4.0
    ) -> None:
        self.technicians = technicians
        self.rng = rng
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
    def client(self, tech: Technician) -> int:
        if self.rng.random() < AGENDA_SHARE:
            return self.rng.choice(tech.agenda)
        return self.rng.choice(tech.clients)

    def piano(self, tech: Technician) -> int:
        if self.rng.random() < AGENDA_SHARE:
            return self.rng.choice(tech.pianos_of[self.rng.choice(tech.agenda)])
        return self.rng.choice(tech.pianos)

    def service(self, tech: Technician) -> int:
        if self.rng.random() < AGENDA_SHARE:
            for _ in range(4):
                services = tech.services_of.get(self.rng.choice(tech.agenda))
                if services:
                    return self.rng.choice(services[-20:])
        while True:
            services = tech.services_of.get(self.rng.choice(tech.clients))
            if services:
                return self.rng.choice(services)

    def page(self, pages: int) -> int:
        roll = self.rng.random()
        if roll < 0.6:
            return 1
        if roll < 0.8:
            return min(2, pages)
        return self.rng.randint(1, pages)

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
            if rng.random() < 0.2:
                clients = ClientQuery(search=self.search_word(tech))
            else:
                clients = ClientQuery(page=self.page(tech.pages["clients"]))
            return (page, clients), lambda s: list_clients(s, user, clients)
        if page == "client detail":
            cid = self.client(tech)
            return (page, cid), lambda s: get_client(s, user, cid)
        if page == "pianos list":
            if rng.random() < 0.2:
                pianos = PianoQuery(category=rng.choice(["vertical", "grand", "digital"]))
            else:
                pianos = PianoQuery(page=self.page(tech.pages["pianos"]))
            return (page, pianos), lambda s: list_pianos(s, user, pianos)
        if page == "piano detail":
            pid = self.piano(tech)
            return (page, pid), lambda s: get_piano(s, user, pid)
        if page == "services list":
            if rng.random() < 0.25:
                services = ServiceQuery(status=rng.choice(["pending", "completed"]))
            else:
                services = ServiceQuery(page=self.page(tech.pages["services"]))
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
    checker_hits: int = 0
    checker_misses: int = 0
    reads: int = 0
    request: int = 0
    # Why page requests missed: by the page and parameters asked before.
    seen: dict[tuple, int] = field(default_factory=dict)
    last_write: dict[int, tuple[int, str]] = field(default_factory=dict)
    miss_reasons: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def miss_reason(self, tech: Technician, spec: tuple) -> str:
        if spec not in self.seen:
            return "first request of that page and parameters"
        request, kind = self.last_write.get(tech.user.id, (-1, ""))
        if request > self.seen[spec]:
            return f"invalidated: a write since its last request (last one: {kind})"
        return "other (TTL expiry or an alert sync in a read)"

    # -- sessions and workers -----------------------------------------------------
    @contextmanager
    def session(self, cache: Any) -> Iterator[Session]:
        with use_cache(cache), Session(self.engine, expire_on_commit=False) as session:
            yield session
            session.commit()

    def _remote(self, cache: Any) -> bool:
        return isinstance(cache, CacheService) and cache.backend.remote

    @contextmanager
    def checker(self) -> Iterator[None]:
        """The bench's own reads: left out of the hit rate."""
        before = [_counts(w) for w in self.workers if self._remote(w)]
        try:
            yield
        finally:
            after = [_counts(w) for w in self.workers if self._remote(w)]
            for (h0, m0), (h1, m1) in zip(before, after, strict=True):
                self.checker_hits += h1 - h0
                self.checker_misses += m1 - m0

    # -- one request ---------------------------------------------------------------
    def run(self, ops: int, progress: str = "") -> None:
        started = time.monotonic()
        for i in range(ops):
            self.request += 1
            worker = self.workers[self.request % len(self.workers)]
            other = self.workers[(self.request + 1) % len(self.workers)]
            tech, kind = self.day.next()
            if kind.startswith("write"):
                self.write(tech, kind, worker, other)
            else:
                self.read(tech, kind, worker)
            if progress and (i + 1) % 2000 == 0:
                elapsed = time.monotonic() - started
                print(f"  {progress}: {i + 1:,}/{ops:,} requests, {elapsed:.0f} s", file=sys.stderr)

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
                self.miss_reasons[self.miss_reason(tech, spec)] += 1
            else:
                self.warm[page].append(elapsed)
            self.seen[spec] = self.request
        self.reads += 1
        if self.check_every and self.reads % self.check_every == 0:
            self.compare(f"read {page}", fn, value)

    # -- stale-read detection ---------------------------------------------------------
    def direct(self, fn: Callable[[Session], Any]) -> Any:
        """The same read straight from the database (an empty cache: the loader runs)."""
        fresh = build_cache()
        try:
            with use_cache(fresh), Session(self.engine, expire_on_commit=False) as session:
                try:
                    return fn(session)
                finally:
                    session.rollback()  # a read must not write (alert sync)
        finally:
            fresh.close()

    def compare(self, what: str, fn: Callable[[Session], Any], cached: Any) -> None:
        self.checks += 1
        expected = _normal(self.direct(fn))
        got = _normal(cached)
        if got != expected:
            self.stale.append({"what": what, "cached": got, "database": expected})

    def verify(self, checks: list[tuple[str, Callable[[Session], Any]]], other: Any) -> None:
        for what, fn in checks:
            with self.checker(), self.session(other) as session:
                value = fn(session)
            self.compare(what, fn, value)

    def prewarm(self, checks: list[tuple[str, Callable[[Session], Any]]], other: Any) -> None:
        for _what, fn in checks:
            with self.checker(), self.session(other) as session:
                fn(session)

    # -- writes ---------------------------------------------------------------------
    def write(self, tech: Technician, kind: str, worker: Any, other: Any) -> None:
        checking = self.check_every > 0
        day, user = self.day, tech.user
        try:
            if kind == "write: client":
                cid = day.rng.choice(tech.agenda)
                page = self.client_page(tech, cid)
                checks = [
                    ("client detail", lambda s: get_client(s, user, cid)),
                    (
                        f"clients list p{page}",
                        lambda s: list_clients(s, user, ClientQuery(page=page)),
                    ),
                ]
                if checking:
                    self.prewarm(checks, other)
                phone = f"6{day.rng.randint(10_000_000, 99_999_999)}"
                with self.session(worker) as session:
                    client = session.get(Client, cid)
                    update_client(session, user, cid, client_input(client, phone, day.rng))
            elif kind == "write: piano":
                pid = day.piano(tech)
                owner = tech.piano_owner[pid]
                checks = [
                    ("piano detail", lambda s: get_piano(s, user, pid)),
                    ("client detail (owner)", lambda s: get_client(s, user, owner)),
                ]
                if checking:
                    self.prewarm(checks, other)
                with self.session(worker) as session:
                    piano = session.get(Piano, pid)
                    update_piano(session, user, pid, piano_input(piano, day.rng))
            elif kind == "write: new service":
                pid = day.rng.choice(tech.pianos_of[day.rng.choice(tech.agenda)])
                owner = tech.piano_owner[pid]
                before = [
                    ("piano detail", lambda s: get_piano(s, user, pid)),
                    ("services list p1", lambda s: list_services(s, user, ServiceQuery())),
                    ("client detail (owner)", lambda s: get_client(s, user, owner)),
                ]
                if checking:
                    self.prewarm(before, other)
                with self.session(worker) as session:
                    service = create_service(session, user, service_input(pid, day.rng))
                sid, status = service.id, service.status
                tech.services_of[owner].append(sid)
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
                    self.prewarm(checks, other)
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

    def service_to_move(self, tech: Technician) -> tuple[int, int, str]:
        """An open service of the agenda (completed now), else a recent one."""
        for cid in self.day.rng.sample(tech.agenda, len(tech.agenda)):
            if tech.open_services.get(cid):
                sid = tech.open_services[cid].pop(0)
                return sid, cid, ServiceStatus.COMPLETED.value
        cid = self.day.rng.choice([c for c in tech.agenda if tech.services_of.get(c)])
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
    args = parser.parse_args(argv)

    began = time.monotonic()
    rng = random.Random(args.seed)
    created: str | None = None
    namespace = f"bench-workload-{secrets.token_hex(4)}"
    workers: list[CacheService] = []
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
            build_cache(redis_url=REDIS_URL, namespace=namespace, flush_interval_s=3600)
            for _ in range(2)
        ]
        workers[0].reset_metrics()
        day = Day(technicians, rng, args.write_percent)
        replay = Replay(engine, day, workers, check_every=args.check_every)
        t0 = time.monotonic()
        today = alerts_domain.local_today()
        for i, tech in enumerate(technicians):  # sign-in: the app's prefetch
            with use_cache(workers[i % 2]):
                prefetch_for_user(lambda: Session(engine, expire_on_commit=False), tech.user)
            uid = tech.user.id
            for spec in (
                (uid, "dashboard", today),
                (uid, "clients list", ClientQuery()),
                (uid, "alert feed"),
            ):
                replay.seen[spec] = 0
        replay.run(args.ops, "cached")
        cached_s = time.monotonic() - t0
        workers[1].flush_metrics()
        stats = workers[0].stats()

        uncached_day = Day(technicians, random.Random(args.seed + 1), args.write_percent)
        uncached = Replay(engine, uncached_day, [NoCache()])
        t0 = time.monotonic()
        uncached.run(args.uncached_ops, "uncached")
        uncached_s = time.monotonic() - t0
    finally:
        for worker in workers:
            worker.close()
        removed = clean_namespace(namespace)
        if engine is not None:
            engine.dispose()
        if created and not args.keep:
            drop_database(created)
        elif created:
            print(f"kept database {created}", file=sys.stderr)
    total_s = time.monotonic() - began

    # -- figures ---------------------------------------------------------------
    page_hits = stats["hits"] - replay.checker_hits
    page_misses = stats["misses"] - replay.checker_misses
    lookups = page_hits + page_misses
    hit_rate = 100.0 * page_hits / lookups if lookups else 0.0
    fleet_rate = stats["hit_rate"]
    dash_warm = percentile(replay.warm["dashboard"], 0.95)
    dash_cold = percentile(replay.cold["dashboard"], 0.95)
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
    print()
    fleet_lookups = stats["hits"] + stats["misses"]
    print(
        f"cache hit rate (Redis stats(), both workers): {fleet_rate:.2f} %  "
        f"({stats['hits']:,} hits / {fleet_lookups:,} lookups)"
    )
    print(
        f"  without the stale-read checker's own lookups: {hit_rate:.2f} %  "
        f"({page_hits:,} / {lookups:,})"
    )
    requests = sum(len(v) for v in replay.timings.values())
    served = sum(len(v) for v in replay.warm.values())
    print(
        f"  page requests answered from the cache: {100.0 * served / requests:.2f} %  "
        f"({served:,} / {requests:,}); misses by cause:"
    )
    for reason, count in sorted(replay.miss_reasons.items(), key=lambda kv: -kv[1]):
        print(f"    {count:>6,}  {reason}")
    print(
        f"stale reads: {len(replay.stale)}  ({replay.checks:,} comparisons: "
        f"{replay.checked_writes} writes re-read from the other worker, "
        f"1 in {args.check_every} plain reads)"
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
        f"cold p50 {_ms(percentile(replay.cold['dashboard'], 0.5))} ms, "
        f"p95 {_ms(dash_cold)} ms ({len(replay.cold['dashboard'])} misses)"
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
                    "hit_rate_without_checker": round(hit_rate, 2),
                    "requests_answered_from_cache": served,
                    "requests": requests,
                    "miss_reasons": dict(replay.miss_reasons),
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
