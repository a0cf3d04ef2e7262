"""Refresh instead of drop (piano_emotion.domain.refresh): after a write, the
technician's recently read entries it invalidated are recomputed in the
background, never stale, never counted as lookups, never in the write's way."""

from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
import redis
from sqlmodel import Session, select

from piano_emotion.cache import build_cache, serialization, use_cache
from piano_emotion.domain import activity, alerts, clients, dashboard, pianos, refresh, services
from piano_emotion.domain.clients import ClientInput
from piano_emotion.domain.pianos import PianoInput
from piano_emotion.domain.services import ServiceInput
from piano_emotion.models import MaintenanceAlert, Piano, User
from tests.conftest import REDIS_TEST_URL, redis_available, require_service

WAIT_S = 20


@dataclass
class Ids:
    client: int
    piano: int
    service: int


def _drop_namespace(namespace: str) -> None:
    """What a two-worker test wrote in the test Redis."""
    client = redis.Redis.from_url(REDIS_TEST_URL)
    stale = list(client.scan_iter(match=f"{namespace}:*"))
    if stale:
        client.delete(*stale)
    client.close()


def _setup(session: Session, user: User) -> Ids:
    """A client with a piano tuned ten days ago, alerts in line with the rule."""
    today = alerts.local_today()
    client = clients.create_client(session, user, ClientInput(name="Ana Pérez", phone="600000001"))
    session.flush()
    piano = pianos.create_piano(session, user, PianoInput(client_id=client.id, brand="Yamaha"))
    session.flush()
    service = services.create_service(
        session,
        user,
        ServiceInput(
            piano_id=piano.id, status="completed", service_date=today - timedelta(days=10)
        ),
    )
    session.commit()
    alerts.sync_alerts(session, user, today)
    session.commit()
    return Ids(client.id, piano.id, service.id)


def _read_all(session: Session, user: User, ids: Ids) -> dict:
    """What the technician has open: every kind of refreshable view."""
    today = alerts.local_today()
    return {
        "dashboard": dashboard.dashboard(session, user, today.year, today.month),
        "feed": dashboard.alert_feed(session, user),
        "counts": alerts.alert_counts(session, user),
        "clients": clients.list_clients(session, user),
        "pianos": pianos.list_pianos(session, user),
        "services": services.list_services(session, user),
        "client": clients.get_client(session, user, ids.client),
        "piano": pianos.get_piano(session, user, ids.piano),
        "service": services.get_service(session, user, ids.service),
    }


LOADERS = (
    (dashboard, "_dashboard"),
    (dashboard, "_alert_feed"),
    (alerts, "_alert_counts"),
    (alerts, "_list_alerts"),
    (alerts, "_top_active"),
    (alerts, "sync_alerts"),
    (activity, "_client_activity"),
    (activity, "_piano_activity"),
    (clients, "_client_directory"),
    (clients, "_client_detail"),
    (pianos, "_piano_directory"),
    (pianos, "_piano_detail"),
    (services, "_list_services"),
    (services, "_service_detail"),
)


def _boom(*args, **kwargs):
    raise AssertionError("a loader ran: the entry was not refreshed")


def _normal(value):
    return serialization.loads(serialization.dumps(value))


def _pending_visit(session: Session, user: User, ids: Ids) -> int:
    """A write: a visit booked for next week (the alerts need no sync for it)."""
    service = services.create_service(
        session,
        user,
        ServiceInput(
            piano_id=ids.piano,
            status="pending",
            service_date=alerts.local_today() + timedelta(days=7),
            cost=Decimal("90.00"),
        ),
    )
    session.commit()
    return service.id


def _edit_phone(session: Session, user: User, client_id: int, phone: str) -> None:
    clients.update_client(session, user, client_id, ClientInput(name="Ana Pérez", phone=phone))
    session.commit()


# -- the invalidated hot entries become hits without a request ------------------------------
def test_after_a_write_the_hot_entries_are_hits_without_a_request(
    session, technician, fresh_cache, monkeypatch
):
    ids = _setup(session, technician)
    for _ in range(2):  # pages the technician keeps coming back to
        _read_all(session, technician, ids)
    session.commit()
    refresher = refresh.refresher_for(fresh_cache)
    assert refresher is not None and refresh.wait_idle(fresh_cache, technician.id, WAIT_S)

    new_service = _pending_visit(session, technician, ids)
    assert refresh.wait_idle(fresh_cache, technician.id, WAIT_S)
    assert refresher.stats.refreshed >= 7  # dashboard, feed, counts, 3 lists, client, piano…

    before = fresh_cache.stats()
    for module, name in LOADERS:
        monkeypatch.setattr(module, name, _boom)
    cached = _read_all(session, technician, ids)
    after = fresh_cache.stats()
    # Every read a hit (9 entries: each list page is one); the refresh's own
    # loads were not lookups.
    assert (after["hits"] - before["hits"], after["misses"] - before["misses"]) == (9, 0)
    assert after["refreshes"] >= refresher.stats.refreshed
    assert new_service in [s["id"] for s in cached["services"]["items"]]
    assert new_service in [s["id"] for s in cached["piano"]["services"]]

    # And they are what the database says now.
    monkeypatch.undo()
    direct = build_cache(namespace=f"direct-{secrets.token_hex(4)}", refresh=False)
    with use_cache(direct):
        expected = _read_all(session, technician, ids)
        session.rollback()
    direct.close()
    assert _normal(cached) == _normal(expected)


@pytest.mark.parametrize("hot_reads", [1, 2])
def test_what_is_refreshed_is_what_is_read_again(
    session, technician, fresh_cache, monkeypatch, hot_reads
):
    """With ``HOT_READS`` = 1 (the default) every page read recently is redone
    after a write that invalidates it; with 2, a page read once (a search
    tried once) is only dropped, unless it details the record written."""
    monkeypatch.setattr(refresh, "HOT_READS", hot_reads)
    ids = _setup(session, technician)
    assert refresh.wait_idle(fresh_cache, technician.id, WAIT_S)  # the set-up's own job
    refreshed = refresh.refresher_for(fresh_cache).stats.refreshed
    first_page, search, deep_page = (
        services.ServiceQuery(),
        services.ServiceQuery(search="pérez"),
        services.ServiceQuery(page=3),
    )
    services.list_services(session, technician, first_page)
    services.list_services(session, technician, first_page)  # read again: hot
    services.list_services(session, technician, search)  # read once
    services.list_services(session, technician, deep_page)  # past the first pages: never noted
    clients.get_client(session, technician, ids.client)  # once, but the write is about it
    hot = {
        (e.view, e.params.get("search"), e.reads)
        for e in refresh.hot_entries(fresh_cache, technician.id)
    }
    assert hot == {
        ("services.list", "", 2),
        ("services.list", "pérez", 1),
        ("clients.detail", None, 1),
        ("services.detail", None, 1),  # the service ``_setup`` created: shown next
    }

    _edit_phone(session, technician, ids.client, "611111111")
    assert refresh.wait_idle(fresh_cache, technician.id, WAIT_S)
    # The first page, the client, and that service (its detail shows the
    # contact); with ``HOT_READS`` = 1 the search read once too.
    expected = 4 if hot_reads == 1 else 3
    assert refresh.refresher_for(fresh_cache).stats.refreshed - refreshed == expected

    def misses_of(read) -> int:
        before = fresh_cache.stats()["misses"]
        read()
        return fresh_cache.stats()["misses"] - before

    assert misses_of(lambda: clients.get_client(session, technician, ids.client)) == 0
    assert misses_of(lambda: services.list_services(session, technician, first_page)) == 0
    assert misses_of(lambda: services.list_services(session, technician, search)) == (
        0 if hot_reads == 1 else 1
    )
    assert misses_of(lambda: services.list_services(session, technician, deep_page)) == 1
    assert clients.get_client(session, technician, ids.client)["phone"] == "611111111"


def test_an_entry_refreshed_again_and_again_unread_waits_for_a_read(
    session, technician, fresh_cache
):
    """A page the technician stopped opening is redone after the next
    ``UNREAD_REFRESHES`` writes, not after every write: the one after leaves
    it to the next read (one miss), and that read makes it hot again. The
    detail of a record a write is about is redone whether or not it was read."""
    assert refresh.UNREAD_REFRESHES == 2
    ids = _setup(session, technician)
    assert refresh.wait_idle(fresh_cache, technician.id, WAIT_S)  # the set-up's own job
    refresher = refresh.refresher_for(fresh_cache)
    first_page = services.ServiceQuery()
    services.list_services(session, technician, first_page)
    clients.get_client(session, technician, ids.client)
    session.commit()
    phones = iter(f"6{n:08d}" for n in range(1, 100))

    def write_and_count() -> tuple[int, int]:
        before = refresher.stats.refreshed, refresher.stats.unread
        _edit_phone(session, technician, ids.client, next(phones))
        assert refresh.wait_idle(fresh_cache, technician.id, WAIT_S)
        return refresher.stats.refreshed - before[0], refresher.stats.unread - before[1]

    def misses_of(read) -> int:
        before = fresh_cache.stats()["misses"]
        read()
        return fresh_cache.stats()["misses"] - before

    # The list, the client and the set-up's service (it shows the contact),
    # twice with nothing read in between.
    assert write_and_count() == (3, 0)
    assert write_and_count() == (3, 0)
    # The third write leaves the list to its next read; the client and its
    # service, the records written, are redone anyway.
    assert write_and_count() == (2, 1)
    assert misses_of(lambda: clients.get_client(session, technician, ids.client)) == 0
    assert misses_of(lambda: services.list_services(session, technician, first_page)) == 1
    # Read again (that miss noted it): the next writes redo it.
    session.commit()
    refresher.flush_notes()
    assert write_and_count() == (3, 0)
    assert misses_of(lambda: services.list_services(session, technician, first_page)) == 0
    session.commit()
    refresher.flush_notes()
    assert write_and_count() == (3, 0)  # read since its last refresh: counted afresh
    marks = fresh_cache.registry_get(refresh.refreshed_name(technician.id))
    assert set(marks) <= {e.key for e in refresh.hot_entries(fresh_cache, technician.id)}


def test_a_new_service_is_loaded_after_the_commit_for_its_page(
    session, technician, other_technician, fresh_cache, monkeypatch
):
    ids = _setup(session, technician)
    assert refresh.wait_idle(fresh_cache, technician.id, WAIT_S)
    new_id = _pending_visit(session, technician, ids)
    assert refresh.wait_idle(fresh_cache, technician.id, WAIT_S)
    entry = next(
        e for e in refresh.hot_entries(fresh_cache, technician.id) if e.params == {"id": new_id}
    )
    assert entry.view == "services.detail" and entry.key.startswith(f"t{technician.id}:")
    assert refresh.hot_entries(fresh_cache, other_technician.id) == []
    monkeypatch.setattr(services, "_service_detail", _boom)
    before = fresh_cache.stats()
    assert services.get_service(session, technician, new_id)["id"] == new_id
    after = fresh_cache.stats()
    assert (after["hits"] - before["hits"], after["misses"] - before["misses"]) == (1, 0)


def test_the_most_read_entries_are_refreshed_first(session, technician, fresh_cache):
    ids = _setup(session, technician)
    refresher = refresh.Refresher(fresh_cache, per_write=1)
    for _ in range(3):
        clients.list_clients(session, technician, clients.ClientQuery(page=2))
    clients.get_client(session, technician, ids.client)  # once: the write is about it
    clients.get_client(session, technician, ids.client)
    session.commit()
    tags = {f"t{technician.id}:clients", f"t{technician.id}:client:{ids.client}"}
    job = refresh._Job(technician.id, session.get_bind(), tags, 0.0, 0)
    [chosen] = refresher._hot_for(job)
    assert chosen.view == "clients.page"  # read three times, before the client read twice
    refresher.close()


def test_the_registry_keeps_the_most_recent_entries(session, technician, fresh_cache):
    refresher = refresh.refresher_for(fresh_cache)
    for n in range(refresh.HOT_PER_TECHNICIAN + refresh.HOT_TRIM_SLACK + 5):
        refresher.note(technician.id, f"t{technician.id}:k:{n}", "clients.detail", {"id": n}, [])
    hot = refresh.hot_entries(fresh_cache, technician.id)
    assert len(hot) <= refresh.HOT_PER_TECHNICIAN + refresh.HOT_TRIM_SLACK
    assert hot[0].params == {"id": refresh.HOT_PER_TECHNICIAN + refresh.HOT_TRIM_SLACK + 4}


def test_a_burst_of_writes_makes_one_job(session, technician, fresh_cache):
    ids = _setup(session, technician)
    refresher = refresh.refresher_for(fresh_cache)
    # The set-up's own job (it created a service, whose detail is noted) first.
    assert refresh.wait_idle(fresh_cache, technician.id, WAIT_S)
    refresher.stats = refresh.RefreshStats()
    refresher.delay_s = 1.0  # a job waits a second for more writes of its technician
    clients.get_client(session, technician, ids.client)
    for phone in ("611111111", "622222222", "633333333"):
        _edit_phone(session, technician, ids.client, phone)
    assert refresh.wait_idle(fresh_cache, technician.id, WAIT_S)
    assert (refresher.stats.jobs, refresher.stats.writes) == (1, 3)
    # The client, and the service the set-up created (it shows the contact).
    assert refresher.stats.refreshed == 2
    misses = fresh_cache.stats()["misses"]
    assert clients.get_client(session, technician, ids.client)["phone"] == "633333333"
    assert fresh_cache.stats()["misses"] == misses


def test_the_refresher_syncs_the_alerts_and_redoes_the_views_that_show_them(
    session, technician, fresh_cache, monkeypatch
):
    """A write that opens an alert: the refresher syncs (committed in a
    transaction of its own before the marker is stored) and redoes the
    dashboard, so the next request is a hit that shows the new alert."""
    ids = _setup(session, technician)
    today = alerts.local_today()
    for _ in range(2):
        dashboard.dashboard(session, technician, today.year, today.month)
    session.commit()
    refresher = refresh.refresher_for(fresh_cache)
    assert refresh.wait_idle(fresh_cache, technician.id, WAIT_S)

    old = Piano(
        technician_id=technician.id,
        client_id=ids.client,
        brand="Pleyel",
        created_at=dashboard.utcnow() - timedelta(days=400),
    )
    session.add(old)
    session.flush()
    alerts.request_alert_sync(session, technician, [old.id])
    pianos.invalidate_on_commit(session, technician, "pianos")
    session.commit()
    assert refresh.wait_idle(fresh_cache, technician.id, WAIT_S)
    assert refresher.stats.errors == 0
    for module, name in LOADERS:
        monkeypatch.setattr(module, name, _boom)
    misses = fresh_cache.stats()["misses"]
    board = dashboard.dashboard(session, technician, today.year, today.month)
    assert fresh_cache.stats()["misses"] == misses
    pleyel = [i for i in board["alerts"] if i["params"].get("piano") == "Pleyel"]
    assert [i["severity"] for i in pleyel] == ["urgent"]
    # The rows are committed: a session of its own sees the open alert.
    session.rollback()
    with Session(session.get_bind()) as other:
        opened = other.exec(
            select(MaintenanceAlert).where(MaintenanceAlert.piano_id == old.id)
        ).all()
    assert [a.level.value for a in opened] == ["urgent"]


# -- never stale ----------------------------------------------------------------------------
def test_a_write_racing_a_refresh_never_leaves_a_stale_entry(session, technician, monkeypatch):
    """Two workers on one Redis: worker A refreshes a client's detail after a
    write; worker B's newer write lands while A's refresh is loading. A's
    value is refused; B reads the newer one."""
    require_service(redis_available(), "Redis on 127.0.0.1:6379")
    ids = _setup(session, technician)
    namespace = f"refresh-{secrets.token_hex(4)}"
    worker_a = build_cache(redis_url=REDIS_TEST_URL, namespace=namespace)
    worker_b = build_cache(redis_url=REDIS_TEST_URL, namespace=namespace, refresh=False)
    loading, go = threading.Event(), threading.Event()
    real_detail = clients._client_detail

    def detail_held_by_the_refresher(session, user, client_id):
        value = real_detail(session, user, client_id)
        if threading.current_thread().name.startswith("cache-refresh") and not loading.is_set():
            loading.set()  # loaded the first write's value…
            go.wait(WAIT_S)  # …and stores it only after the second write
        return value

    monkeypatch.setattr(clients, "_client_detail", detail_held_by_the_refresher)
    try:
        with use_cache(worker_a):
            clients.get_client(session, technician, ids.client)
            session.commit()
            _edit_phone(session, technician, ids.client, "611111111")
        assert loading.wait(WAIT_S), "the refresh did not start"
        with use_cache(worker_b):
            _edit_phone(session, technician, ids.client, "622222222")
        go.set()
        refresher = refresh.refresher_for(worker_a)
        assert refresher.wait_idle(technician.id, WAIT_S)
        assert (refresher.stats.refused, refresher.stats.refreshed) == (1, 0)

        with use_cache(worker_b):
            misses = worker_b._metrics.peek().misses
            assert clients.get_client(session, technician, ids.client)["phone"] == "622222222"
            assert worker_b._metrics.peek().misses == misses + 1  # A's value was not stored
        with use_cache(worker_a):
            assert clients.get_client(session, technician, ids.client)["phone"] == "622222222"
    finally:
        go.set()
        worker_a.close()
        worker_b.close()
        _drop_namespace(namespace)


def test_any_worker_refreshes_what_another_worker_served(session, technician):
    """The registry lives in Redis: B served the read, A's write refreshes it."""
    require_service(redis_available(), "Redis on 127.0.0.1:6379")
    ids = _setup(session, technician)
    namespace = f"refresh-{secrets.token_hex(4)}"
    worker_a = build_cache(redis_url=REDIS_TEST_URL, namespace=namespace)
    worker_b = build_cache(redis_url=REDIS_TEST_URL, namespace=namespace)
    try:
        for worker in (worker_b, worker_a):
            with use_cache(worker):
                clients.get_client(session, technician, ids.client)
                session.commit()
            refresh.refresher_for(worker).flush_notes()  # the note is in Redis
        (entry,) = refresh.hot_entries(worker_a, technician.id)
        assert entry.reads == 2  # one read on each worker
        with use_cache(worker_a):
            _edit_phone(session, technician, ids.client, "611111111")
        assert refresh.wait_idle(worker_a, technician.id, WAIT_S)
        assert refresh.refresher_for(worker_a).stats.refreshed == 1
        with use_cache(worker_b):
            misses = worker_b._metrics.peek().misses
            assert clients.get_client(session, technician, ids.client)["phone"] == "611111111"
            assert worker_b._metrics.peek().misses == misses
    finally:
        worker_a.close()
        worker_b.close()
        _drop_namespace(namespace)


# -- failures and the flag --------------------------------------------------------------------
def test_refresh_errors_are_logged_and_never_reach_the_write(
    session, technician, fresh_cache, caplog, monkeypatch
):
    ids = _setup(session, technician)
    assert refresh.wait_idle(fresh_cache, technician.id, WAIT_S)  # the set-up's own job
    clients.get_client(session, technician, ids.client)

    def broken(session, user, params):
        raise RuntimeError("database went away")

    monkeypatch.setitem(
        refresh.REFRESHABLE, "clients.detail", refresh.RefreshableView("clients.detail", broken, 1)
    )
    with caplog.at_level(logging.ERROR, logger="piano_emotion.domain.refresh"):
        _edit_phone(session, technician, ids.client, "611111111")  # the write goes through
        assert refresh.wait_idle(fresh_cache, technician.id, WAIT_S)
    (record,) = [r for r in caplog.records if "refresh of clients.detail" in r.getMessage()]
    assert record.exc_info and record.exc_info[0] is RuntimeError
    assert refresh.refresher_for(fresh_cache).stats.errors == 1
    # The entry was dropped by the write, as without a refresher.
    assert clients.get_client(session, technician, ids.client)["phone"] == "611111111"


def test_a_failure_to_schedule_is_logged_and_the_write_commits(
    session, technician, fresh_cache, caplog, monkeypatch
):
    ids = _setup(session, technician)
    clients.get_client(session, technician, ids.client)

    def broken(self, *args, **kwargs):
        raise RuntimeError("no thread for you")

    monkeypatch.setattr(refresh.Refresher, "schedule", broken)
    with caplog.at_level(logging.ERROR, logger="piano_emotion.domain.refresh"):
        _edit_phone(session, technician, ids.client, "611111111")
    assert any("could not schedule" in r.getMessage() for r in caplog.records)
    assert clients.get_client(session, technician, ids.client)["phone"] == "611111111"


def test_with_refresh_off_a_write_only_drops_the_entries(session, technician):
    ids = _setup(session, technician)
    cache = build_cache(namespace=f"off-{secrets.token_hex(4)}", refresh=False)
    try:
        with use_cache(cache):
            clients.get_client(session, technician, ids.client)
            _edit_phone(session, technician, ids.client, "611111111")
            assert refresh.refresher_for(cache) is None
            assert cache.attached(refresh.ATTACHMENT) is None
            assert cache.registry_get(refresh.registry_name(technician.id)) == {}
            misses = cache.stats()["misses"]
            assert clients.get_client(session, technician, ids.client)["phone"] == "611111111"
            stats = cache.stats()
            assert stats["misses"] == misses + 1 and stats["refreshes"] == 0
    finally:
        cache.close()


def test_a_session_on_a_connection_is_not_refreshed(engine, technician, fresh_cache):
    """Its commit may sit inside an outer transaction that other connections
    cannot see yet: refreshing from another connection could cache old rows."""
    with Session(engine, expire_on_commit=False) as setup:
        ids = _setup(setup, setup.merge(technician))
    refresher = refresh.refresher_for(fresh_cache)
    assert refresher.wait_idle(None, WAIT_S)  # the set-up's own job
    jobs = refresher.stats.jobs
    with engine.connect() as connection, Session(connection, expire_on_commit=False) as session:
        user = session.get(User, technician.id)
        clients.get_client(session, user, ids.client)
        _edit_phone(session, user, ids.client, "611111111")
        connection.commit()
    assert refresher.wait_idle(None, WAIT_S)
    assert refresher.stats.jobs == jobs


def test_refreshable_views_are_module_level_functions():
    with pytest.raises(ValueError, match="module-level"):
        refresh.refreshable("tests.closure")(lambda session, user, params: None)

    def local(session, user, params):
        return None

    with pytest.raises(ValueError, match="module-level"):
        refresh.refreshable("tests.local")(local)
    with pytest.raises(ValueError, match="already registered"):
        refresh.refreshable("clients.detail")(_boom)
    assert "tests.closure" not in refresh.REFRESHABLE


def test_reads_on_nobodys_behalf_are_not_noted(session, technician, fresh_cache):
    ids = _setup(session, technician)
    noted = refresh.hot_entries(fresh_cache, technician.id)  # the set-up's new service
    with refresh.reads_not_noted():
        clients.get_client(session, technician, ids.client)
    assert refresh.hot_entries(fresh_cache, technician.id) == noted
    assert all(e.view == "services.detail" for e in noted)
    clients.get_client(session, technician, ids.client)
    assert [e.view for e in refresh.hot_entries(fresh_cache, technician.id)] == [
        "clients.detail",
        "services.detail",
    ]


def test_background_work_rests_only_while_requests_are_served(fresh_cache):
    """Background loads (the refresher's, the prefetch's) share the worker's
    GIL with page loads: while the process answers requests a view is
    followed by a rest nine times as long (at most 10 % of the time loading);
    idle, the next view follows at once."""
    import time

    fresh_cache.get("anything")  # a request's lookup, just now
    view_started = time.perf_counter() - 0.02  # a view that took 20 ms
    started = time.perf_counter()
    refresh.yield_to_requests(fresh_cache, view_started)
    busy_rest = time.perf_counter() - started
    assert busy_rest >= 0.02 * (1 - refresh.REFRESH_DUTY) / refresh.REFRESH_DUTY * 0.9

    fresh_cache.last_request_read = time.perf_counter() - refresh.BUSY_S - 0.1
    started = time.perf_counter()
    refresh.yield_to_requests(fresh_cache, time.perf_counter() - 0.02)
    assert time.perf_counter() - started < 0.05


def test_background_work_waits_while_the_cpu_is_saturated(fresh_cache, monkeypatch):
    """Serving requests on a saturated machine, background work waits for
    spare CPU after each view (at most ``SATURATED_WAIT_S``); idle, it
    does not look."""
    import time

    readings = iter([True, True, True, False])
    monkeypatch.setattr(refresh, "cpu_saturated", lambda: next(readings))
    monkeypatch.setattr(refresh, "SATURATED_POLL_S", 0.05)
    fresh_cache.get("anything")  # serving requests
    started = time.perf_counter()
    refresh.yield_to_requests(fresh_cache, time.perf_counter())
    assert 0.15 <= time.perf_counter() - started < 1.0  # three polls, then spare CPU
    assert next(readings, "used up") == "used up"

    monkeypatch.setattr(refresh, "cpu_saturated", lambda: True)
    monkeypatch.setattr(refresh, "SATURATED_WAIT_S", 0.2)
    started = time.perf_counter()
    refresh.yield_to_requests(fresh_cache, time.perf_counter())
    assert 0.2 <= time.perf_counter() - started < 1.0  # saturated for good: bounded

    fresh_cache.last_request_read = time.perf_counter() - refresh.BUSY_S - 0.1
    monkeypatch.setattr(refresh, "cpu_saturated", lambda: pytest.fail("looked while idle"))
    refresh.yield_to_requests(fresh_cache, time.perf_counter())
