"""What one page change costs the app's own code, on a warm cache.

The load test measures everything at once (Reflex, the server, the
database, the cache, the load generator); this isolates the part that is
ours: each page's ``on_load`` handler (the session check, the sidebar
badges, the page's reads and the formatting into its vars), called in this
process as Reflex calls it, against the real database and cache. Per page
it prints the CPU time of one load, and the Redis commands and SQL
statements it sent, averaged over the technicians and rounds.

The cache is warmed first (loads of each page per technician until they
read nothing from the database), so the figures are those of the usual
page change: every read a hit. The
refresher is off (``CACHE_REFRESH=false``): its background work would be
counted against the handler.

    python -m bench.page_cost --database-url mysql+pymysql://root@127.0.0.1:3306/pe_load \\
        --redis-url redis://127.0.0.1:6379/11 --namespace pc [--technicians 40] [--rounds 5]

Use a cache namespace of its own: the cache is flushed at the start.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time

PAGES = ("dashboard", "clients_list", "client_detail", "piano_detail", "service_detail")
DETAILS = ("client_detail", "piano_detail", "service_detail")
WARM_PASSES_MAX = 4
# The load test's read actions and weights (its searches are on the clients page).
READ_WEIGHTS = {"dashboard": 25, "clients_list": 30, "client_detail": 25, "piano_detail": 20}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--namespace", default="pc", help="cache namespace (flushed first)")
    parser.add_argument("--technicians", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", help="also write the figures to this file")
    return parser.parse_args(argv)


def _configure(args: argparse.Namespace) -> None:
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["REDIS_URL"] = args.redis_url
    os.environ["CACHE_NAMESPACE"] = args.namespace
    os.environ["CACHE_REFRESH"] = "false"
    os.environ["REFLEX_ENV_MODE"] = "prod"  # as served: no deep type checks of state vars
    os.environ.setdefault("JWT_SECRET", "page-cost-secret-0123456789abcdef0123456789abcdef")


class Counters:
    """SQL statements (an engine event), the database's round trips (its
    server's count of commands: also pings, COMMITs, ROLLBACKs) and Redis
    commands (the server's count)."""

    def __init__(self, engine, redis_url: str):
        import redis
        from sqlalchemy import event

        from piano_emotion.db import create_engine_for

        self.sql = 0
        self._redis = redis.Redis.from_url(redis_url)
        self._db = None
        if engine.dialect.name == "mysql":
            # One connection in autocommit: each reading is one command, no more.
            url = engine.url.render_as_string(hide_password=False)
            self._db = (
                create_engine_for(url).connect().execution_options(isolation_level="AUTOCOMMIT")
            )

        @event.listens_for(engine, "before_cursor_execute")
        def _count(*_args):
            self.sql += 1

    def db_commands(self) -> int:
        """MySQL/MariaDB: commands the server received (0 on SQLite)."""
        if self._db is None:
            return 0
        status = self._db.exec_driver_sql("SHOW GLOBAL STATUS LIKE 'Questions'").one()
        return int(status[1])

    def redis_commands(self) -> int:
        # Minus the INFO itself, which the server counts once it has run.
        return int(self._redis.info("stats")["total_commands_processed"])


def _targets(engine, count: int, rng: random.Random, per_kind: int) -> list[dict]:
    """Technicians with at least ``per_kind`` clients, pianos and services,
    and that many of each, picked at random (the first is the warm one)."""
    from sqlmodel import Session, select

    from piano_emotion.models import Client, Piano, Service, User
    from piano_emotion.models.enums import UserRole

    found = []
    with Session(engine) as session:
        users = session.exec(
            select(User).where(User.role == UserRole.TECHNICIAN).order_by(User.id)
        ).all()
        for user in users:
            ids = {}
            for model, name in ((Client, "client"), (Piano, "piano"), (Service, "service")):
                rows = session.exec(select(model.id).where(model.technician_id == user.id)).all()
                if len(rows) < per_kind:
                    break
                ids[name] = rng.sample(list(rows), per_kind)
            else:
                session.expunge(user)
                found.append({"user": user, **ids})
            if len(found) == count:
                break
    return found


def _loaders():
    from piano_emotion.ui import routes
    from piano_emotion.ui.state.clients import ClientDetailState, ClientsState
    from piano_emotion.ui.state.home import HomeState
    from piano_emotion.ui.state.pianos import PianoDetailState
    from piano_emotion.ui.state.services import ServiceDetailState

    return {
        "dashboard": (HomeState, "load", lambda t, i=0: routes.HOME),
        "clients_list": (ClientsState, "load", lambda t, i=0: routes.CLIENTS),
        "client_detail": (
            ClientDetailState,
            "load_detail",
            lambda t, i=0: routes.client_detail(t["client"][i]),
        ),
        "piano_detail": (
            PianoDetailState,
            "load_detail",
            lambda t, i=0: routes.piano_detail(t["piano"][i]),
        ),
        "service_detail": (
            ServiceDetailState,
            "load_detail",
            lambda t, i=0: routes.service_detail(t["service"][i]),
        ),
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    _configure(args)
    import asyncio

    from piano_emotion.cache import get_cache
    from piano_emotion.db import get_engine
    from piano_emotion.settings import get_settings
    from tests.ui_states import make_state

    engine = get_engine()
    get_cache().invalidate_all()
    targets = _targets(engine, args.technicians, random.Random(args.seed), args.rounds + 1)
    if not targets:
        sys.exit("no technician with enough clients, pianos and services in that database")
    loaders = _loaders()
    counters = Counters(engine, args.redis_url)
    loop = asyncio.new_event_loop()

    def load(page: str, target: dict, record: int = 0) -> None:
        cls, handler, path = loaders[page]
        state = make_state(cls, path(target, record), target["user"], get_settings())
        result = getattr(cls, handler).fn(state)
        if asyncio.iscoroutine(result):
            result = loop.run_until_complete(result)
        if getattr(state, "user_id", 0) != target["user"].id:
            raise SystemExit(f"{page}: the load did not sign in (returned {result!r})")

    def measure(page: str, record_of_round) -> dict:
        cpu, sql, db_commands, commands = [], 0, 0, 0
        for round_ in range(args.rounds):
            for target in targets:
                sql_before, redis_before = counters.sql, counters.redis_commands()
                db_before = counters.db_commands()
                started = time.process_time()
                load(page, target, record_of_round(round_))
                cpu.append((time.process_time() - started) * 1000)
                sql += counters.sql - sql_before
                db_commands += counters.db_commands() - db_before - 1  # minus the SHOW
                commands += counters.redis_commands() - redis_before - 1
        n = len(cpu)
        return {
            "loads": n,
            "cpu_ms_mean": round(statistics.fmean(cpu), 3),
            "cpu_ms_median": round(statistics.median(cpu), 3),
            "sql_per_load": round(sql / n, 2),
            "db_round_trips_per_load": round(db_commands / n, 2),
            "redis_commands_per_load": round(commands / n, 2),
        }

    # Warm the session, the lists and the first record of each kind, until a
    # whole pass reads nothing from the database: a technician's first load
    # of the day syncs their maintenance alerts, and the sync's commit drops
    # the alert reads that load had just cached.
    for _ in range(WARM_PASSES_MAX):
        sql_before = counters.sql
        for target in targets:
            for page in PAGES:
                load(page, target)
        if counters.sql == sql_before:
            break
    else:
        sys.exit(f"the cache is still cold after {WARM_PASSES_MAX} warm-up passes")
    figures = {page: measure(page, lambda _round: 0) for page in PAGES}
    # A record read for the first time: the page's own entry is a miss.
    figures.update(
        {f"{page} (first read)": measure(page, lambda round_: round_ + 1) for page in DETAILS}
    )
    warm = _read_mix({p: figures[p] for p in PAGES})
    cold = _read_mix({**figures, **{p: figures[f"{p} (first read)"] for p in DETAILS}})
    print(
        f"{'page':28s} {'loads':>6s} {'cpu mean':>9s} {'median':>8s} {'sql':>6s} "
        f"{'db rt':>6s} {'redis':>6s}"
    )
    for page, row in figures.items():
        print(
            f"{page:28s} {row['loads']:6d} {row['cpu_ms_mean']:8.3f}  {row['cpu_ms_median']:7.3f} "
            f"{row['sql_per_load']:6.2f} {row['db_round_trips_per_load']:6.2f} "
            f"{row['redis_commands_per_load']:6.2f}"
        )
    print(f"read mix of the load test, every entry warm: {warm:.3f} ms of CPU per page change")
    print(f"the same with every record read for the first time: {cold:.3f} ms")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(
                {"pages": figures, "read_mix_cpu_ms": {"warm": warm, "first_read": cold}},
                out,
                indent=2,
            )
    return 0


def _read_mix(figures: dict) -> float:
    """CPU per page change, weighted as the load test's reads."""
    total = sum(figures[page]["cpu_ms_mean"] * w for page, w in READ_WEIGHTS.items())
    return round(total / sum(READ_WEIGHTS.values()), 3)


if __name__ == "__main__":
    raise SystemExit(main())
