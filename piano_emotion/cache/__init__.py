"""The distributed cache (Upstash, Redis or memory behind one service).

``get_cache()`` is the process-wide service built from the settings;
``build_cache(...)`` makes a new one (tests and tools). See ``service.py``.
``cache_for_thread(service)`` makes ``service`` the one ``get_cache()``
returns in the current thread only (the refresher's thread works for the
service that scheduled it, whatever ``use_cache`` says elsewhere).
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from piano_emotion.cache.backends import MemoryBackend, RedisBackend, UpstashBackend
from piano_emotion.cache.keys import cache_key, params_hash, tag
from piano_emotion.cache.policy import TtlPolicy
from piano_emotion.cache.service import MODE_LABELS, CacheService

DEFAULT_NAMESPACE = "pe"

_cache: CacheService | None = None
_cache_lock = threading.Lock()
_thread = threading.local()


def build_cache(
    *,
    redis_url: str | None = None,
    upstash_url: str | None = None,
    upstash_token: str | None = None,
    namespace: str | None = None,
    **options,
) -> CacheService:
    """A new cache service: Upstash if its URL and token are given, else Redis
    if a URL is given, else memory."""
    namespace = namespace or DEFAULT_NAMESPACE
    if upstash_url and upstash_token:
        backend = UpstashBackend(upstash_url, upstash_token)
    elif redis_url:
        backend = RedisBackend(redis_url)
    else:
        backend = None
    return CacheService(backend, namespace=namespace, **options)


def get_cache() -> CacheService:
    """The process-wide cache service, built once from the settings (or the
    one ``cache_for_thread`` set for this thread)."""
    global _cache
    override = getattr(_thread, "cache", None)
    if override is not None:
        return override
    if _cache is None:
        with _cache_lock:
            if _cache is None:
                from piano_emotion.settings import get_settings

                settings = get_settings()
                _cache = build_cache(
                    redis_url=settings.redis_url,
                    upstash_url=settings.upstash_redis_rest_url,
                    upstash_token=settings.upstash_redis_rest_token,
                    namespace=settings.cache_namespace,
                    refresh=settings.cache_refresh,
                )
                atexit.register(_cache.close)
    return _cache


_policy: TtlPolicy | None = None


def ttl_for(entity: str) -> int:
    """Seconds an entry of ``entity`` lives (the one TTL policy, with settings overrides)."""
    global _policy
    if _policy is None:
        from piano_emotion.settings import get_settings

        _policy = TtlPolicy(get_settings().cache_ttl_overrides)
    return _policy.ttl(entity)


@contextmanager
def use_cache(service: CacheService) -> Iterator[CacheService]:
    """Make ``service`` the process-wide cache inside the block (tests and tools:
    e.g. two services on one Redis stand for two workers)."""
    global _cache
    with _cache_lock:
        previous, _cache = _cache, service
    try:
        yield service
    finally:
        with _cache_lock:
            _cache = previous


@contextmanager
def cache_for_thread(service: CacheService) -> Iterator[CacheService]:
    """Make ``service`` what ``get_cache()`` returns in this thread, inside the block."""
    previous = getattr(_thread, "cache", None)
    _thread.cache = service
    try:
        yield service
    finally:
        _thread.cache = previous


def reset_cache() -> None:
    """Close and forget the process-wide service (tests change the settings)."""
    global _cache, _policy
    with _cache_lock:
        if _cache is not None:
            _cache.close()
        _cache = None
        _policy = None


__all__ = [
    "MODE_LABELS",
    "CacheService",
    "MemoryBackend",
    "RedisBackend",
    "TtlPolicy",
    "UpstashBackend",
    "build_cache",
    "cache_for_thread",
    "cache_key",
    "get_cache",
    "params_hash",
    "reset_cache",
    "tag",
    "ttl_for",
    "use_cache",
]
