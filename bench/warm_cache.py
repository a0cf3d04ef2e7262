"""The cache of a server that has run for an hour, filled in minutes.

The load test (``bench/load_test.py``) measures a long-running server, but
on a fresh machine the cache is empty: for its first many minutes a large
share of the page loads are the first-ever read of a client or a piano (the
demo gives each of its 250 technicians some 300 clients and 690 pianos),
which a server that has run for an hour under that load has long cached
(the entries live 12 hours, and writes invalidate exactly what they change).
This reads, through the domain layer, what the record pages read on their
first load, for every technician (by id): each client's detail (what
``ClientDetailState`` shows) and each piano's detail and active alerts
(``PianoDetailState``), archived ones too, as the pages can open any. The
load test then measures that steady state: its misses are the ones its own
writes cause.

It is set-up, not a measurement: its figures (reads, time, how many were
already cached) only say how much there was to do. Its reads are loads
ahead of any request, like the sign-in prefetch's
(``CacheService.refreshing()``): the cache's statistics count them as
``refreshes``, not as hits or misses, so the app's hit rate is not blurred.
The refresher is off (``CACHE_REFRESH=false``): nothing is noted as a
technician's hot entry. Each technician's alerts are synced before its
reads, as a first page load of the day does; a sync's commit would
otherwise drop the alert lists read meanwhile.

    python -m bench.warm_cache --database-url mysql+pymysql://root@127.0.0.1:3306/pe_load \\
        --redis-url redis://127.0.0.1:6379/1 --namespace pe [--technicians 250] \\
        [--processes 2] [--quiet]

``--namespace`` is the one the app uses (its ``CACHE_NAMESPACE``): the
entries go where the server reads them, and nothing is flushed. Give the
tool the server's ``CACHE_TTL_*`` variables too, if it has any. Technician
``i`` (0-based, by id) is warmed by process ``i % P``; each prints its
progress about every 10 seconds. Only loopback addresses are accepted.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

PROGRESS_S = 10.0
MYSQL_PORT = 3306
COUNTS = ("technicians", "clients", "pianos", "reads", "cached", "refused", "gone")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", required=True)
    parser.add_argument(
        "--namespace", required=True, help="the app's cache namespace (its CACHE_NAMESPACE)"
    )
    parser.add_argument(
        "--technicians", type=int, help="only the first N technicians (by id); default all"
    )
    parser.add_argument("--processes", type=int, default=2, help="worker processes")
    parser.add_argument("--quiet", action="store_true", help="no progress, only the summary")
    args = parser.parse_args(argv)
    if args.processes < 1:
        parser.error("--processes must be at least 1")
    if args.technicians is not None and args.technicians < 1:
        parser.error("--technicians must be at least 1")
    return args


def _configure(args: argparse.Namespace) -> None:
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["REDIS_URL"] = args.redis_url
    os.environ["CACHE_NAMESPACE"] = args.namespace
    os.environ["CACHE_REFRESH"] = "false"
    os.environ.setdefault("JWT_SECRET", "warm-cache-secret-0123456789abcdef0123456789abcdef")


def _require_loopback(args: argparse.Namespace) -> None:
    """Exits unless Redis and the database are on this machine."""
    from bench.load_test import require_loopback, require_loopback_host
    from piano_emotion.db_url import DatabaseUrlError, parse_database_url

    require_loopback(args.redis_url, "--redis-url")
    try:
        target = parse_database_url(args.database_url)
    except DatabaseUrlError as exc:
        sys.exit(f"--database-url: {exc}")
    if target.is_sqlite:
        return  # a file of this machine
    require_loopback_host(target.url.host or "", target.url.port or MYSQL_PORT, "--database-url")


def _warm(args: argparse.Namespace, worker: int) -> dict[str, int]:
    """Process ``worker``'s share: technicians ``worker``, ``worker + P``, …"""
    _configure(args)  # a spawned process has it already; this one may not
    from sqlmodel import select

    from piano_emotion.cache import build_cache, use_cache
    from piano_emotion.db import session_scope
    from piano_emotion.domain import alerts, clients, pianos
    from piano_emotion.domain.errors import NotFound
    from piano_emotion.models import Client, Piano, User
    from piano_emotion.models.enums import UserRole

    totals = dict.fromkeys(COUNTS, 0)
    started = shown = time.monotonic()
    with session_scope() as session:
        technicians = session.exec(
            select(User)
            .where(User.role == UserRole.TECHNICIAN)
            .order_by(User.id)
            .limit(args.technicians)
        ).all()
    mine = technicians[worker :: args.processes]
    cache = build_cache(redis_url=args.redis_url, namespace=args.namespace, refresh=False)

    def read(context, function, *arguments, **options) -> None:
        """One domain read: already cached if it ran no top-level loader."""
        nonlocal shown
        loads = context.top_loads
        function(*arguments, **options)
        totals["reads"] += 1
        totals["cached"] += context.top_loads == loads
        if not args.quiet and time.monotonic() - shown >= PROGRESS_S:
            shown = time.monotonic()
            print(f"[{worker}] {_progress(totals, len(mine), shown - started)}", flush=True)

    def warm(context, user) -> None:
        with session_scope() as session:
            client_ids = session.exec(
                select(Client.id).where(Client.technician_id == user.id).order_by(Client.id)
            ).all()
            piano_ids = session.exec(
                select(Piano.id).where(Piano.technician_id == user.id).order_by(Piano.id)
            ).all()
            alerts.ensure_alerts_synced(session, user)
        for client_id in client_ids:
            try:  # one session per page load, as ClientDetailState._load_detail
                with session_scope() as session:
                    read(context, clients.get_client, session, user, client_id)
            except NotFound:  # removed since it was listed
                totals["gone"] += 1
        for piano_id in piano_ids:
            try:  # as PianoDetailState._load_detail
                with session_scope() as session:
                    read(context, pianos.get_piano, session, user, piano_id)
                    read(
                        context,
                        alerts.list_alerts,
                        session,
                        user,
                        status="active",
                        piano_id=piano_id,
                    )
            except NotFound:
                totals["gone"] += 1
        totals["technicians"] += 1
        totals["clients"] += len(client_ids)
        totals["pianos"] += len(piano_ids)

    try:
        with use_cache(cache), cache.refreshing() as context:
            for user in mine:
                warm(context, user)
            # Loads whose value was not stored: a write changed what they read meanwhile.
            totals["refused"] = context.top_loads - context.top_stored
    finally:
        cache.close()
    if not args.quiet and totals["technicians"]:
        elapsed = time.monotonic() - started
        print(f"[{worker}] done: {_progress(totals, len(mine), elapsed)}", flush=True)
    return totals


def _progress(totals: dict[str, int], technicians: int, seconds: float) -> str:
    return (
        f"{totals['technicians']}/{technicians} technicians, {totals['reads']} reads "
        f"({_cached_share(totals)} already cached), {seconds:.0f} s"
    )


def _cached_share(totals: dict[str, int]) -> str:
    if not totals["reads"]:
        return "-"
    return f"{100 * totals['cached'] / totals['reads']:.1f} %"


def main(argv=None) -> int:
    args = parse_args(argv)
    _configure(args)
    _require_loopback(args)
    started = time.monotonic()
    if args.processes == 1:
        results = [_warm(args, 0)]
    else:
        import multiprocessing

        # Spawned, not forked: each process opens its own database and Redis connections.
        with multiprocessing.get_context("spawn").Pool(args.processes) as pool:
            results = pool.starmap(_warm, [(args, worker) for worker in range(args.processes)])
    seconds = time.monotonic() - started
    totals = {name: sum(result[name] for result in results) for name in COUNTS}
    if not totals["technicians"]:
        sys.exit("no technician in that database")
    print(
        f"warmed {totals['technicians']} technicians ({totals['clients']} clients, "
        f"{totals['pianos']} pianos): {totals['reads']} reads in {seconds:.1f} s, "
        f"{_cached_share(totals)} already cached"
    )
    if totals["refused"] or totals["gone"]:
        print(
            f"not stored: {totals['refused']} (written meanwhile); "
            f"records gone since listed: {totals['gone']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
