"""The cache never takes the app down: fallback to memory, breaker, recovery, no stale value.

Redis: a second, throw-away ``redis-server`` on a free port is killed and
started again on the same port. Upstash: the test server's outage switch.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
import redis

from piano_emotion.cache import CacheService, build_cache
from tests.cache.conftest import delete_namespace
from tests.conftest import require_service
from tests.upstash_server import UpstashTestServer

LOGGER = "piano_emotion.cache"
RETRY_AFTER_S = 0.5


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisProcess:
    """A throw-away redis-server on a fixed port, killed and restarted at will."""

    def __init__(self, binary: str, port: int) -> None:
        self.binary = binary
        self.port = port
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis(port=self.port, socket_timeout=0.5).ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()  # our own child, by its pid
            self.process.wait(10)
        self.process = None


@pytest.fixture
def redis_process() -> Iterator[RedisProcess]:
    binary = shutil.which("redis-server")
    require_service(binary is not None, "the redis-server binary")
    assert binary is not None
    server = RedisProcess(binary, _free_port())
    server.start()
    yield server
    server.kill()


@pytest.fixture
def services() -> Iterator[list[CacheService]]:
    made: list[CacheService] = []
    yield made
    for service in made:
        service.close()


def _warnings(caplog, text: str) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == LOGGER and r.levelno >= logging.WARNING and text in r.getMessage()
    ]


def _wait_recovered(cache: CacheService, timeout: float = 30.0) -> float:
    """Polls with ordinary reads (every 0.1 s) until the service is back."""
    started = time.monotonic()
    while cache.degraded:
        assert time.monotonic() - started < timeout, "the cache did not come back"
        cache.get("probe")
        time.sleep(0.1)
    return time.monotonic() - started


def _assert_fallback(cache: CacheService, caplog, *, stored_key: str) -> None:
    """Every operation answers from memory, quickly, and the warning is logged once."""
    started = time.perf_counter()
    assert cache.get(stored_key) is None  # reads miss (memory has nothing)
    assert time.perf_counter() - started < 1.0
    assert cache.degraded is True

    started = time.perf_counter()
    assert cache.get_or_load("loaded", lambda: {"from": "db"}, 60, tags=["t"]) == {"from": "db"}
    assert time.perf_counter() - started < 1.0
    cache.set("written", [1, 2], 60)  # goes to memory
    assert cache.get("written") == [1, 2]
    assert cache.get("loaded") == {"from": "db"}
    cache.delete("written")
    assert cache.get("written") is None
    cache.invalidate("t")
    assert cache.get("loaded") is None

    # The breaker skips the backend between retries: 200 reads are quick.
    started = time.perf_counter()
    for i in range(200):
        op_started = time.perf_counter()
        cache.get(f"many:{i}")
        assert time.perf_counter() - op_started < 1.0
    assert time.perf_counter() - started < 2.0

    stats = cache.stats()
    assert stats["degraded"] is True
    assert stats["connected"] is False
    assert stats["errors"] > 0
    assert stats["misses"] >= 200
    ok, _rtt = cache.ping()
    assert ok is False
    assert len(_warnings(caplog, "unreachable")) == 1


# --------------------------------------------------------------------------
# Redis: the port closes, then a server comes back on it
# --------------------------------------------------------------------------
def test_redis_fallback_and_recovery(redis_process, services, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    namespace = "t-" + secrets.token_hex(4)
    cache = build_cache(
        redis_url=f"redis://127.0.0.1:{redis_process.port}/0",
        namespace=namespace,
        retry_after_s=RETRY_AFTER_S,
    )
    services.append(cache)
    cache.set("k", "value", 60, tags=["t"])
    assert cache.get("k") == "value"
    stats = cache.stats()
    assert (stats["connected"], stats["degraded"], stats["errors"]) == (True, False, 0)

    redis_process.kill()
    _assert_fallback(cache, caplog, stored_key="k")
    time.sleep(RETRY_AFTER_S)
    for _ in range(20):  # half-open retries that fail again do not log again
        cache.get("k")
        time.sleep(0.05)
    assert len(_warnings(caplog, "unreachable")) == 1
    assert not _warnings(caplog, "is back")
    cache.set("during", "outage", 60)

    redis_process.start()  # a fresh, empty server on the same port
    waited = _wait_recovered(cache)
    assert waited < 30
    stats = cache.stats()
    assert (stats["connected"], stats["degraded"]) == (True, False)
    assert len(_warnings(caplog, "is back")) == 1
    ok, rtt_ms = cache.ping()
    assert ok is True and rtt_ms >= 0
    # Back on Redis: what memory held during the outage is gone, writes persist.
    assert cache.get("during") is None
    cache.set("after", "recovery", 60, tags=["t"])
    assert cache.get("after") == "recovery"
    raw = redis.Redis(port=redis_process.port, decode_responses=True)
    assert raw.exists(f"{namespace}:after") == 1
    raw.close()
    # The metrics counted during the outage reached Redis after it.
    assert cache.stats()["errors"] > 0


def test_redis_down_from_the_start(services, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    cache = build_cache(
        redis_url=f"redis://127.0.0.1:{_free_port()}/0",
        namespace="t-" + secrets.token_hex(4),
        retry_after_s=RETRY_AFTER_S,
    )
    services.append(cache)
    _assert_fallback(cache, caplog, stored_key="k")


# --------------------------------------------------------------------------
# Upstash: the REST endpoint fails (503 or dropped connection)
# --------------------------------------------------------------------------
@pytest.fixture
def upstash_pair(real_redis) -> Iterator[tuple[UpstashTestServer, UpstashTestServer]]:
    """Two REST servers on the same Redis: A's can be switched off, B's stays up."""
    with UpstashTestServer(real_redis) as a, UpstashTestServer(real_redis) as b:
        yield a, b


@pytest.fixture
def namespace(real_redis) -> Iterator[str]:
    name = "t-" + secrets.token_hex(4)
    yield name
    delete_namespace(real_redis, name)


def _upstash(server: UpstashTestServer, namespace: str, services) -> CacheService:
    cache = build_cache(
        upstash_url=server.url,
        upstash_token=server.token,
        namespace=namespace,
        retry_after_s=RETRY_AFTER_S,
    )
    services.append(cache)
    return cache


@pytest.mark.parametrize("close", [False, True], ids=["503", "dropped"])
def test_upstash_fallback_and_recovery(upstash_pair, namespace, services, caplog, close):
    caplog.set_level(logging.INFO, logger=LOGGER)
    server, _ = upstash_pair
    cache = _upstash(server, namespace, services)
    cache.set("k", "value", 60)
    assert cache.get("k") == "value"
    assert cache.stats()["connected"] is True

    server.set_down(True, close=close)
    _assert_fallback(cache, caplog, stored_key="k")

    server.set_down(False)
    waited = _wait_recovered(cache)
    assert waited < 30
    stats = cache.stats()
    assert (stats["connected"], stats["degraded"]) == (True, False)
    assert len(_warnings(caplog, "is back")) == 1
    assert len(_warnings(caplog, "unreachable")) == 1
    cache.set("k2", "v2", 60)
    assert cache.get("k2") == "v2"


def test_upstash_single_failure_then_back(upstash_pair, namespace, services, caplog):
    """A blip (one failed request) degrades briefly and recovers by itself."""
    caplog.set_level(logging.INFO, logger=LOGGER)
    server, _ = upstash_pair
    cache = _upstash(server, namespace, services)
    cache.set("k", "v", 60)
    server.fail_next(1)
    assert cache.get("k") is None  # the failed read falls back to memory
    assert cache.degraded is True
    _wait_recovered(cache, timeout=5)
    assert cache.stats()["degraded"] is False


# --------------------------------------------------------------------------
# No stale value after an invalidation made during an outage
# --------------------------------------------------------------------------
def test_no_stale_value_after_an_outage(upstash_pair, namespace, services, real_redis, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    server_a, server_b = upstash_pair
    a = _upstash(server_a, namespace, services)  # this worker loses its connection
    b = _upstash(server_b, namespace, services)  # this one never does
    a.set("k", "old", 300, tags=["t"])
    a.get_or_load("list", lambda: ["old"], 300, tags=["t"])
    assert b.get("k") == "old"

    server_a.set_down(True)
    a.invalidate("t")  # the database changed: A can only tell its memory
    assert a.degraded is True
    assert a.get("k") is None
    assert real_redis.get(f"{namespace}:k") is not None  # Redis still holds "old"

    server_a.set_down(False)
    time.sleep(RETRY_AFTER_S + 0.05)
    # The very first read after the outage must not serve "old" either.
    assert a.get("k") is None
    assert a.degraded is False
    assert a.get("list") is None
    assert a.get_or_load("k", lambda: "loaded", 300, tags=["t"]) == "loaded"
    assert len(_warnings(caplog, "is back")) == 1
    # The worker that was never down does not see "old" any more either.
    assert b.get("list") is None
    assert b.get("k") == "loaded"


def test_no_stale_value_when_recovery_starts_with_a_write(
    upstash_pair, namespace, services, real_redis
):
    server_a, server_b = upstash_pair
    a = _upstash(server_a, namespace, services)
    b = _upstash(server_b, namespace, services)
    a.set("k", "old", 300, tags=["t"])
    server_a.set_down(True)
    a.invalidate("t")
    server_a.set_down(False)
    time.sleep(RETRY_AFTER_S + 0.05)
    a.set("other", 1, 300)  # the first request after the outage is a write
    assert a.degraded is False
    assert a.get("k") is None
    assert b.get("k") is None


def test_no_stale_value_when_recovery_starts_with_stats_or_ping(
    upstash_pair, namespace, services, real_redis
):
    server_a, server_b = upstash_pair
    a = _upstash(server_a, namespace, services)
    b = _upstash(server_b, namespace, services)
    a.set("k", "old", 300, tags=["t"])
    server_a.set_down(True)
    a.invalidate("t")
    server_a.set_down(False)
    time.sleep(RETRY_AFTER_S + 0.05)
    assert a.ping()[0] is True
    assert a.stats()["degraded"] is False
    assert a.get("k") is None
    assert b.get("k") is None
