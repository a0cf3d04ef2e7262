"""``bench/warm_cache.py`` run for real: afterwards the record pages' reads are hits.

The tool fills the app's cache with what the client and piano pages read on
their first load, so that the load test measures the steady state of a
long-running server. If it read anything else (another key, another
technician's record in a technician's name, a value the page would not get),
the load test would still start from a cold cache, or from a wrong one,
without any error.

The test runs the tool's ``main`` in this process (``--processes 1``) on the
test database (SQLite and MariaDB) with three technicians, of whom it warms
the first two, and a cache in Redis database 15 under a namespace of its own
(its keys are deleted afterwards). It then reads every record of those two
through the domain layer, as the pages do, with a fresh cache service on the
same namespace: every read must be a hit (no SQL statement), and equal to
what a cold read gives. No entry may exist for a record in another
technician's name, nor any of the third technician's. A second run finds
everything cached.

The tool sets the environment and the settings of the process it runs in:
both are restored after each test, and the engines it opened are disposed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import event
from sqlmodel import Session

import piano_emotion.cache as cache_module
from bench import warm_cache
from piano_emotion.cache import build_cache, cache_key, use_cache
from piano_emotion.db import dispose_engines
from piano_emotion.domain import alerts, clients, pianos
from piano_emotion.domain.alerts import local_today
from piano_emotion.models import Client, Piano
from piano_emotion.settings import reset_settings_cache
from tests.conftest import BENCH_REDIS_URL
from tests.factories import make_technician, populate

REDIS_URL = BENCH_REDIS_URL
SUMMARY = re.compile(
    r"warmed (\d+) technicians \((\d+) clients, (\d+) pianos\): (\d+) reads in [\d.]+ s, "
    r"([\d.]+) % already cached"
)


@pytest.fixture
def restored_process(monkeypatch) -> Iterator[None]:
    """The environment, settings, engines and TTL policy as they were, after the tool."""
    saved = dict(os.environ)
    monkeypatch.setattr(cache_module, "_policy", None)
    reset_settings_cache()
    dispose_engines()
    yield
    dispose_engines()
    reset_settings_cache()
    os.environ.clear()
    os.environ.update(saved)


def _technician(session: Session, label: str):
    """A technician with the factories' records plus an archived client with a piano."""
    data = populate(session, make_technician(session, f"Técnico {label}"), label)
    user = data.user
    archived = Client(
        technician_id=user.id, name=f"Antiguo {label}", archived=True, search_text="antiguo"
    )
    session.add(archived)
    session.flush()
    piano = Piano(
        technician_id=user.id,
        client_id=archived.id,
        brand="Petrof",
        model="P118",
        archived=True,
        search_text="petrof p118",
    )
    session.add(piano)
    session.commit()
    return user, [data.ids["client"], archived.id], [data.ids["piano"], piano.id]


def _entry_keys(namespace: str, technician_id: int, client_ids, piano_ids) -> list[str]:
    """The Redis keys of the pages' entries for those records, in that technician's name."""
    today = local_today()
    keys = [cache_key(technician_id, "clients", "detail", {"id": c}) for c in client_ids]
    for pid in piano_ids:
        keys.append(cache_key(technician_id, "pianos", "detail", {"id": pid}))
        params = {"status": "active", "piano_id": pid, "today": today}
        keys.append(cache_key(technician_id, "alerts", "list", params))
    return [f"{namespace}:{key}" for key in keys]


def _run(capsys, database_url: str, namespace: str) -> tuple[float, ...]:
    warm_cache.main(
        [
            *("--database-url", database_url, "--redis-url", REDIS_URL),
            *("--namespace", namespace, "--technicians", "2", "--processes", "1", "--quiet"),
        ]
    )
    summary = SUMMARY.search(capsys.readouterr().out)
    assert summary, "no summary printed"
    return tuple(float(n) if "." in n else int(n) for n in summary.groups())


def test_the_warm_up_caches_every_record_page_read_of_the_technicians(
    cache_namespace, restored_process, engine, capsys
):
    import redis

    with Session(engine, expire_on_commit=False) as session:
        technicians = [_technician(session, label) for label in "ABC"]
    warmed, third = technicians[:2], technicians[2]
    url = engine.url.render_as_string(hide_password=False)

    # Two technicians of three (the first by id), each read once: a client
    # page per client, a piano page (detail and active alerts) per piano.
    assert _run(capsys, url, cache_namespace) == (2, 4, 4, 4 + 2 * 4, 0.0)

    statements = []

    def sent(*_args) -> None:
        statements.append(1)

    event.listen(engine, "before_cursor_execute", sent)
    warm = build_cache(redis_url=REDIS_URL, namespace=cache_namespace, refresh=False)
    cold = build_cache()
    try:
        for user, client_ids, piano_ids in warmed:
            reads = [(clients.get_client, (cid,), {}) for cid in client_ids]
            for pid in piano_ids:
                reads += [
                    (pianos.get_piano, (pid,), {}),
                    (alerts.list_alerts, (), {"status": "active", "piano_id": pid}),
                ]
            for read, arguments, options in reads:
                with use_cache(warm), Session(engine, expire_on_commit=False) as session:
                    before = len(statements)
                    cached = read(session, user, *arguments, **options)
                    assert len(statements) == before, (read.__name__, arguments, options)
                with use_cache(cold), Session(engine, expire_on_commit=False) as session:
                    assert cached == read(session, user, *arguments, **options)
    finally:
        event.remove(engine, "before_cursor_execute", sent)
        warm.close()
        cold.close()

    # Each entry is in its own technician's name: none for another's record
    # (those of their own records exist, so the key names are right), none
    # of the third technician's.
    client = redis.Redis.from_url(REDIS_URL)
    try:
        for user, client_ids, piano_ids in warmed:
            own = _entry_keys(cache_namespace, user.id, client_ids, piano_ids)
            assert client.exists(*own) == len(own)
            foreign = [
                key
                for other, their_clients, their_pianos in technicians
                if other.id != user.id
                for key in _entry_keys(cache_namespace, user.id, their_clients, their_pianos)
            ]
            assert client.exists(*foreign) == 0
        assert not list(client.scan_iter(match=f"{cache_namespace}:t{third[0].id}:*"))
    finally:
        client.close()

    # The steady state: run again, every read is already cached.
    assert _run(capsys, url, cache_namespace) == (2, 4, 4, 12, 100.0)


@pytest.mark.parametrize(
    ("option", "url"),
    [("--redis-url", "redis://10.1.2.3:6379/0"), ("--database-url", "mysql://root@10.1.2.3/pe")],
)
def test_the_warm_up_refuses_an_address_of_another_machine(restored_process, option, url):
    given = {
        "--database-url": "sqlite:///unused.db",
        "--redis-url": REDIS_URL,
        "--namespace": "wctest",
        option: url,
    }
    with pytest.raises(SystemExit, match="not a loopback address"):
        warm_cache.main([part for pair in given.items() for part in pair])
