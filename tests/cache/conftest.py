"""Fixtures of the cache suite: one service per test on every backend.

``cache`` is parametrised over ``memory``, ``redis`` (the real Redis on
127.0.0.1:6379) and ``upstash`` (the real ``upstash-redis`` client talking to
``tests.upstash_server.UpstashTestServer`` on loopback, which forwards to the
same Redis). Every test gets its own namespace (``t-<random>``); on teardown
the services are closed and every Redis key of that namespace is deleted.
A test that only makes sense on some backends overrides the parameter with
``@pytest.mark.parametrize("backend", ["redis", "upstash"])``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator

import pytest
import redis

from piano_emotion.cache import CacheService, build_cache
from tests.conftest import REDIS_TEST_URL, redis_available, require_service
from tests.upstash_server import UpstashTestServer

BACKENDS = ("memory", "redis", "upstash")
REMOTE_BACKENDS = ("redis", "upstash")
MODE_LABELS = {
    "memory": "Memoria (Desarrollo)",
    "redis": "Redis (Producción)",
    "upstash": "Upstash Redis (Producción)",
}


def delete_namespace(client: redis.Redis, namespace: str) -> None:
    """Test cleanup only: the service itself never scans the keyspace."""
    stale = list(client.scan_iter(match=namespace + "*", count=1000))
    if stale:
        client.delete(*stale)


@pytest.fixture(scope="session")
def real_redis() -> Iterator[redis.Redis]:
    """A raw client on the real Redis (for checks and cleanup)."""
    require_service(redis_available(), "Redis on 127.0.0.1:6379")
    client = redis.Redis.from_url(REDIS_TEST_URL, decode_responses=True)
    yield client
    client.close()


@pytest.fixture(scope="session")
def upstash_server(real_redis) -> Iterator[UpstashTestServer]:
    with UpstashTestServer(real_redis) as server:
        yield server


@pytest.fixture
def namespace() -> str:
    return "t-" + secrets.token_hex(4)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def make_cache(backend, namespace, request) -> Iterator[Callable[..., CacheService]]:
    """Builds services on ``backend`` in the test's namespace (several = several workers)."""
    made: list[CacheService] = []
    real: redis.Redis | None = None
    server: UpstashTestServer | None = None
    if backend != "memory":
        real = request.getfixturevalue("real_redis")
    if backend == "upstash":
        server = request.getfixturevalue("upstash_server")
        server.set_down(False)
        server.fail_next(0)

    def make(**options) -> CacheService:
        if backend == "memory":
            service = build_cache(namespace=namespace, **options)
        elif backend == "redis":
            service = build_cache(redis_url=REDIS_TEST_URL, namespace=namespace, **options)
        else:
            assert server is not None
            service = build_cache(
                upstash_url=server.url,
                upstash_token=server.token,
                namespace=namespace,
                **options,
            )
        made.append(service)
        return service

    yield make
    for service in made:
        service.close()
    if real is not None:
        delete_namespace(real, namespace)


@pytest.fixture
def cache(make_cache) -> CacheService:
    return make_cache()


@pytest.fixture
def cache_pair(make_cache) -> tuple[CacheService, CacheService]:
    """Two separate services on the same backend and namespace (two workers)."""
    return make_cache(), make_cache()
