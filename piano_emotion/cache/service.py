"""The cache service: one object the whole app talks to.

- Talks to Redis or Upstash when configured, and falls back to an in-process
  memory cache when they fail: reads miss, loaders run, writes go to memory,
  ``degraded`` is true and the failure is logged once. A circuit breaker
  retries the real backend after a short pause and goes back to it by itself.
  On every recovery the generation is bumped, so no entry written before or
  during the outage is served (invalidations made meanwhile are not lost).
- Tags are versioned namespaces: ``invalidate(tag)`` increments the tag's
  version; entries stamped with an older version are never returned again,
  in any process, without scanning the keyspace.
- ``get_or_load`` is single-flight inside a process and, through a short
  Redis lock, about once across processes; a value loaded while one of its
  tags was invalidated is returned but not stored.
- Metrics are counted in every mode; with Redis/Upstash they are pushed to a
  shared hash about once a second, so every process reports fleet-wide
  figures.
- ``refreshing()`` marks the loads made in the background ahead of any
  request: the refresher's (``piano_emotion.domain.refresh``) and the
  sign-in prefetch's. Their reads are not lookups, each load
  is counted as a ``refresh``, and the value is stored under the same write
  expectation as any other load (a newer invalidation wins). ``registry_*``
  keep the refresher's small per-technician registries next to the entries
  (in Redis when the cache is remote, so every worker sees them).
"""

from __future__ import annotations

import logging
import random
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from time import perf_counter
from typing import Any, TypeVar

from piano_emotion.cache import serialization
from piano_emotion.cache.backends import (
    Backend,
    BackendError,
    MemoryBackend,
    ReadResult,
    WriteExpectation,
)
from piano_emotion.cache.metrics import MetricsRecorder, MetricsSnapshot

log = logging.getLogger("piano_emotion.cache")
T = TypeVar("T")

MODE_LABELS = {
    "upstash": "Upstash Redis (Producción)",
    "redis": "Redis (Producción)",
    "memory": "Memoria (Desarrollo)",
}
TTL_JITTER = 0.1  # ±10 %
MAX_VALUE_BYTES = 1024 * 1024 + 1024  # values up to 1 MB, plus the header
RETRY_AFTER_S = 5.0  # circuit breaker pause before trying the backend again
METRICS_FLUSH_S = 1.0
LOCK_TTL_MS = 5_000
LOCK_POLL_S = 0.02
# Decoded values kept per process for reads that share them (``shared=True``):
# a hit whose stored payload is the one decoded last time is not decoded again.
# Bounded by the size of their JSON text (a decoded value takes about 2-3
# times that in memory), not by count: 250 technicians' dashboards and
# directories did not fit in 256 entries, and every list view decoded its
# directory again (issue 9).
SHARED_DECODED_MAX_CHARS = 32 * 1024 * 1024


class ValueTooLarge(ValueError):
    """A value over the 1 MB limit: ``set`` refuses it; ``get_or_load``
    returns it without storing it."""


@dataclass
class RefreshContext:
    """What the loads of one ``refreshing()`` block did (for the refresher's figures)."""

    loads: int = 0  # loaders run (nested ones too)
    stored: int = 0  # of which stored
    refused: int = 0  # of which refused: a tag moved while it loaded (a newer write)
    depth: int = 0  # loaders running now (0: the next load is a top-level one)
    top_loads: int = 0
    top_stored: int = 0
    # Are reads noted as the technician's (``refresh.note_read``)? The
    # refresher's are not; the sign-in prefetch's are (the day's working set).
    note_reads: bool = False


class CacheService:
    def __init__(
        self,
        backend: Backend | None = None,
        *,
        namespace: str = "pe",
        memory: MemoryBackend | None = None,
        retry_after_s: float = RETRY_AFTER_S,
        flush_interval_s: float = METRICS_FLUSH_S,
        refresh: bool = True,
    ) -> None:
        self.namespace = namespace
        # Recompute a technician's invalidated hot entries after a write
        # (``piano_emotion.domain.refresh``); off: invalidated entries wait
        # for the next request.
        self.refresh_enabled = refresh
        self.memory = memory or MemoryBackend()
        self.backend: Backend = backend or self.memory
        self.mode = self.backend.mode
        self._remote = self.backend.remote
        self.retry_after_s = retry_after_s
        self._prefix = f"{namespace}:"
        self._gen_key = f"{namespace}:gen"
        self._metrics_key = f"{namespace}:metrics"
        self._metrics = MetricsRecorder()
        # perf_counter() of the last lookup made for a request in this
        # process: background work (the refresher) yields while it is recent.
        self.last_request_read = 0.0
        self._local_total = MetricsSnapshot()  # memory mode: what was counted here
        self._started = time.time()
        # Circuit breaker.
        self._state_lock = threading.Lock()
        self._open_until = 0.0
        self._degraded = False
        # Decoded values of shared reads: full key -> (stored payload, value,
        # size of its JSON text); ``_decoded_chars`` is the sum of the sizes.
        self._decoded: OrderedDict[str, tuple[str, Any, int]] = OrderedDict()
        self._decoded_chars = 0
        self._decoded_lock = threading.Lock()
        # In-process single flight.
        self._flights: dict[str, threading.Event] = {}
        self._flights_lock = threading.Lock()
        # Per-thread state: the refresh context of a refresher thread.
        self._tls = threading.local()
        # Helpers that live and die with this service (the refresher).
        self._attachments: dict[str, Any] = {}
        self._attachments_lock = threading.Lock()
        self._closed = False
        # Periodic push of the metrics to the shared hash.
        self._stop = threading.Event()
        self._flusher: threading.Thread | None = None
        if self.backend.remote:
            self._flusher = threading.Thread(
                target=self._flush_loop,
                args=(flush_interval_s,),
                name=f"cache-metrics-{namespace}",
                daemon=True,
            )
            self._flusher.start()

    # ------------------------------------------------------------------
    # keys
    # ------------------------------------------------------------------
    def _key(self, key: str) -> str:
        if not isinstance(key, str) or not key:
            raise ValueError("cache keys are non-empty strings")
        return self._prefix + key

    def _tag_keys(self, tags: Iterable[str]) -> list[str]:
        if isinstance(tags, str):
            tags = (tags,)
        tag_keys = []
        for tag in dict.fromkeys(tags):
            if not isinstance(tag, str) or not tag or not tag.isprintable():
                raise ValueError(f"invalid cache tag {tag!r}")
            tag_keys.append(f"{self._prefix}tag:{tag}")
        return tag_keys

    # ------------------------------------------------------------------
    # circuit breaker
    # ------------------------------------------------------------------
    def _use_backend(self) -> bool:
        if not self._remote:
            return False
        if not self._degraded:
            return True
        return time.monotonic() >= self._open_until  # half-open: try once

    def _failed(self, error: BackendError) -> None:
        with self._state_lock:
            first = not self._degraded
            self._degraded = True
            self._open_until = time.monotonic() + self.retry_after_s
        self._metrics.count("errors")
        if first:
            log.warning(
                "cache backend %s unreachable, serving from memory until it answers: %s",
                self.mode,
                error,
            )

    def _succeeded(self) -> None:
        if not self._degraded:
            return
        with self._state_lock:
            if not self._degraded:
                return
            try:
                # Whatever was written before or during the outage may be stale.
                self.backend.bump_generation(self._gen_key)
            except BackendError as error:
                self._open_until = time.monotonic() + self.retry_after_s
                self._metrics.count("errors")  # a failed call, like in _failed
                log.debug("cache backend still unreachable: %s", error)
                return
            self._degraded = False
            self.memory.clear()
        log.warning("cache backend %s is back; stale entries discarded", self.mode)

    def _call(self, operation: Callable[[Backend], T]) -> T:
        """Run on the real backend, or on memory when it is unavailable."""
        if not self._remote:
            return operation(self.memory)
        if self._use_backend():
            if self._degraded:
                # Half-open: bump the generation BEFORE the first operation on
                # the backend. Bumping only after it succeeded let that first
                # read return an entry written before the outage, although an
                # invalidation made during the outage (memory only) had made
                # it stale.
                self._succeeded()
                if self._degraded:  # the bump failed: still unreachable
                    return operation(self.memory)
            try:
                result = operation(self.backend)
            except BackendError as error:
                self._failed(error)
            else:
                self._succeeded()
                return result
        return operation(self.memory)

    # ------------------------------------------------------------------
    # public contract
    # ------------------------------------------------------------------
    def _ttl_ms(self, ttl_seconds: float) -> int:
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        jitter = 1 + random.uniform(-TTL_JITTER, TTL_JITTER)
        return max(1, int(ttl_seconds * 1000 * jitter))

    def _read(
        self, key: str, tag_keys: list[str], *, count: bool = True, shared: bool = False
    ) -> tuple[ReadResult, Any]:
        """``count=False``: an internal re-check inside one ``get_or_load``
        (after waiting for another thread's or process's load), which must not
        count as another lookup: the cross-process wait polls every 20 ms and
        recorded a miss per poll (20 callers of one cold key gave 68 misses
        and 19 hits, a hit rate of 22 % for one load). Each ``get`` and each
        ``get_or_load`` is one lookup, counted by its first read."""
        full_key = self._key(key)
        gen_key = self._gen_key
        if count and getattr(self._tls, "refresh", None) is not None:
            count = False  # a refresh is not a request: not a lookup
        started = perf_counter()
        if self._remote:
            result = self._call(lambda b: b.read(full_key, gen_key, tag_keys))
        else:
            result = self.memory.read(full_key, gen_key, tag_keys)
        elapsed_ms = (perf_counter() - started) * 1000
        if count:
            self.last_request_read = started
        if result.payload is None:
            if count:
                self._metrics.record("misses", elapsed_ms)
            return result, None
        if count:
            self._metrics.record("hits", elapsed_ms)
        if shared:
            return result, self._shared_value(full_key, result.payload)
        return result, serialization.loads(serialization.unpack(result.payload))

    def _shared_value(self, full_key: str, payload: str) -> Any:
        """The value of ``payload``, decoded once per process while it is the
        stored one (a directory of hundreds of rows takes milliseconds to
        decode). The value is shared: callers must not change it."""
        with self._decoded_lock:
            memo = self._decoded.get(full_key)
            if memo is not None and memo[0] == payload:
                self._decoded.move_to_end(full_key)
                return memo[1]
        text = serialization.unpack(payload)
        value = serialization.loads(text)
        with self._decoded_lock:
            replaced = self._decoded.pop(full_key, None)
            if replaced is not None:
                self._decoded_chars -= replaced[2]
            if len(text) <= SHARED_DECODED_MAX_CHARS:
                self._decoded[full_key] = (payload, value, len(text))
                self._decoded_chars += len(text)
            while self._decoded_chars > SHARED_DECODED_MAX_CHARS:
                self._decoded_chars -= self._decoded.popitem(last=False)[1][2]
        return value

    def get(self, key: str) -> Any:
        """The cached value, or ``None``."""
        return self._read(key, [])[1]

    def _write(
        self,
        key: str,
        value: Any,
        ttl_seconds: float,
        tags: Iterable[str],
        expect: WriteExpectation | None = None,
        tag_keys: list[str] | None = None,
    ) -> bool:
        payload = serialization.dumps(value)
        # The limit is on bytes: the payload is UTF-8 text (ensure_ascii=False),
        # so 600,000 "ñ" are 1.2 MB although len() says 600,000. Encode only
        # when the character count cannot settle it (1 char is 1..4 bytes).
        if len(payload) > MAX_VALUE_BYTES or (
            len(payload) * 4 > MAX_VALUE_BYTES and len(payload.encode()) > MAX_VALUE_BYTES
        ):
            raise ValueTooLarge("cache values are limited to 1 MB")
        payload = serialization.pack(payload)
        full_key = self._key(key)
        tag_keys = tag_keys if tag_keys is not None else self._tag_keys(tags)
        ttl_ms = self._ttl_ms(ttl_seconds)
        started = time.perf_counter()
        stored = self._call(
            lambda b: b.write(full_key, self._gen_key, payload, ttl_ms, tag_keys, expect)
        )
        self._metrics.record("sets", (time.perf_counter() - started) * 1000)
        return stored

    def set(self, key: str, value: Any, ttl_seconds: float, tags: Iterable[str] = ()) -> None:
        self._write(key, value, ttl_seconds, tags)

    def delete(self, key: str) -> None:
        full_key = self._key(key)
        started = time.perf_counter()
        self._call(lambda b: b.delete(full_key))
        self._metrics.record("deletes", (time.perf_counter() - started) * 1000)

    def get_or_load(
        self,
        key: str,
        loader: Callable[[], T],
        ttl_seconds: float,
        tags: Iterable[str] = (),
        *,
        shared: bool = False,
        counted: bool = True,
        lock: bool = True,
    ) -> T:
        """The cached value, or the loader's result, stored and returned.

        ``shared``: a hit returns the value this process decoded last time if
        the stored payload has not changed (for large values only read, never
        changed, by their callers: the list directories). A value too large
        to cache is returned without being stored. ``counted=False``: not a
        lookup of the cache's metrics (the account behind every event, which
        would otherwise drown the hit rate of the pages' data). ``lock=False``:
        single flight inside this process only, not across processes (no
        Redis lock, two round trips less per miss), for cheap entries that
        several processes seldom load at once; a value loaded twice is
        stored under the same write expectation, so it is never stale."""
        tag_keys = self._tag_keys(tags)
        result, value = self._read(key, tag_keys, count=counted, shared=shared)
        if result.payload is not None:
            return value
        # One loader per key in this process: the others wait for it.
        with self._flights_lock:
            flight = self._flights.get(key)
            leader = flight is None
            if leader:
                flight = self._flights[key] = threading.Event()
        if not leader:
            flight.wait(timeout=LOCK_TTL_MS / 1000)
            result, value = self._read(key, tag_keys, count=False, shared=shared)
            if result.payload is not None:
                return value
            return self._load_and_store(key, loader, ttl_seconds, tag_keys, result)
        try:
            if not lock:
                return self._load_and_store(key, loader, ttl_seconds, tag_keys, result)
            return self._load_across_processes(key, loader, ttl_seconds, tag_keys, result, shared)
        finally:
            with self._flights_lock:
                self._flights.pop(key, None)
            flight.set()

    def _load_across_processes(self, key, loader, ttl_seconds, tag_keys, result, shared):
        if not (self.backend.remote and self._use_backend()):
            return self._load_and_store(key, loader, ttl_seconds, tag_keys, result)
        lock_key = f"{self._prefix}lock:{key}"
        token = secrets.token_hex(8)
        try:
            acquired = self.backend.try_lock(lock_key, token, LOCK_TTL_MS)
        except BackendError as error:
            self._failed(error)
            return self._load_and_store(key, loader, ttl_seconds, tag_keys, result)
        if not acquired:
            # Another process is loading: wait a little for its value.
            deadline = time.monotonic() + LOCK_TTL_MS / 1000
            while time.monotonic() < deadline:
                time.sleep(LOCK_POLL_S)
                result, value = self._read(key, tag_keys, count=False, shared=shared)
                if result.payload is not None:
                    return value
            return self._load_and_store(key, loader, ttl_seconds, tag_keys, result)
        try:
            return self._load_and_store(key, loader, ttl_seconds, tag_keys, result)
        finally:
            try:
                self.backend.unlock(lock_key, token)
            except BackendError as error:
                self._failed(error)

    def _load_and_store(self, key, loader, ttl_seconds, tag_keys, result: ReadResult):
        refresh: RefreshContext | None = getattr(self._tls, "refresh", None)
        if refresh is not None:
            return self._refresh_and_store(refresh, key, loader, ttl_seconds, tag_keys, result)
        value = loader()
        # Stored only if no tag was invalidated while the loader ran.
        self._store_loaded(key, value, ttl_seconds, tag_keys, result)
        return value

    def _store_loaded(self, key, value, ttl_seconds, tag_keys, result: ReadResult) -> bool:
        expect = WriteExpectation(result.generation, result.versions)
        try:
            return self._write(key, value, ttl_seconds, (), expect=expect, tag_keys=tag_keys)
        except ValueTooLarge:
            # Served, not cached: the page works, each read loads it.
            log.warning("cache: %s is over the 1 MB limit; served without caching", key)
            return False

    def _refresh_and_store(self, refresh, key, loader, ttl_seconds, tag_keys, result):
        top = refresh.depth == 0
        refresh.depth += 1
        try:
            value = loader()
        finally:
            refresh.depth -= 1
        # The same rule as a request's load: the generation and tag versions
        # were read before the loader ran (so after the write that asked for
        # the refresh was committed and invalidated); a write invalidated
        # meanwhile refuses the value.
        stored = self._store_loaded(key, value, ttl_seconds, tag_keys, result)
        self._metrics.count("refreshes")
        refresh.loads += 1
        refresh.stored += stored
        refresh.refused += not stored
        if top:
            refresh.top_loads += 1
            refresh.top_stored += stored
        return value

    @contextmanager
    def refreshing(self, *, note_reads: bool = False) -> Iterator[RefreshContext]:
        """Inside the block, in this thread: reads are not counted as lookups
        and loads are counted as ``refreshes`` (background loads ahead of any
        request: the refresher, the sign-in prefetch). ``note_reads``: the
        reads are still noted as the technician's (see ``notes_reads``)."""
        previous = getattr(self._tls, "refresh", None)
        context = self._tls.refresh = RefreshContext(note_reads=note_reads)
        try:
            yield context
        finally:
            self._tls.refresh = previous

    @property
    def in_refresh(self) -> bool:
        """Is this thread inside ``refreshing()``?"""
        return getattr(self._tls, "refresh", None) is not None

    @property
    def notes_reads(self) -> bool:
        """Are this thread's reads noted as a technician's? Yes outside
        ``refreshing()``, and inside ``refreshing(note_reads=True)``."""
        context = getattr(self._tls, "refresh", None)
        return context is None or context.note_reads

    # ------------------------------------------------------------------
    # registries (the refresher's memory of recently read views)
    # ------------------------------------------------------------------
    def _registry_key(self, name: str) -> str:
        if not isinstance(name, str) or not name or not name.isprintable():
            raise ValueError(f"invalid registry name {name!r}")
        return f"{self._prefix}reg:{name}"

    def registry_put(self, name: str, fields: dict[str, str], ttl_seconds: float) -> int:
        """Add or replace ``fields`` of the registry ``name`` (which lives
        ``ttl_seconds`` after its last put); returns how many fields it has."""
        key = self._registry_key(name)
        ttl_ms = max(1, int(ttl_seconds * 1000))
        return self._call(lambda b: b.registry_put(key, fields, ttl_ms))

    def registry_get(self, name: str, fields: Iterable[str] | None = None) -> dict[str, str]:
        """The registry ``name``: every field, or only those of ``fields`` it has."""
        key = self._registry_key(name)
        wanted = None if fields is None else list(fields)
        return self._call(lambda b: b.registry_get(key, wanted))

    def registry_drop(self, name: str, fields: Iterable[str]) -> None:
        key = self._registry_key(name)
        fields = list(fields)
        if fields:
            self._call(lambda b: b.registry_drop(key, fields))

    # ------------------------------------------------------------------
    # attachments
    # ------------------------------------------------------------------
    def attached(self, name: str) -> Any:
        """The helper ``name`` if it was made, else ``None``."""
        return self._attachments.get(name)

    def attachment(self, name: str, factory: Callable[[CacheService], T]) -> T | None:
        """The helper ``name`` of this service, made by ``factory(self)`` on
        first use and closed (``close()``) with the service; ``None`` once
        the service is closed."""
        found = self._attachments.get(name)
        if found is not None or self._closed:
            return found
        with self._attachments_lock:
            if self._closed:
                return None
            found = self._attachments.get(name)
            if found is None:
                found = self._attachments[name] = factory(self)
            return found

    def invalidate(self, *tags: str) -> None:
        """After this returns, no entry stored with any of ``tags`` is returned again."""
        tag_keys = self._tag_keys(tags)
        if not tag_keys:
            return
        started = time.perf_counter()
        self._call(lambda b: b.bump_tags(tag_keys))
        if self.backend.remote:
            # Keep the stand-in honest too, in case the backend fails next.
            self.memory.bump_tags(tag_keys)
        self._metrics.record("deletes", (time.perf_counter() - started) * 1000)

    def invalidate_all(self) -> None:
        """Every entry of this namespace becomes stale (owner action)."""
        self._call(lambda b: b.bump_generation(self._gen_key))
        self.memory.bump_generation(self._gen_key)

    # ------------------------------------------------------------------
    # health and metrics
    # ------------------------------------------------------------------
    def ping(self) -> tuple[bool, float]:
        """Is the configured backend answering, and its round trip in ms."""
        started = time.perf_counter()
        try:
            self.backend.ping()
        except BackendError as error:
            self._failed(error)
            return False, round((time.perf_counter() - started) * 1000, 3)
        self._succeeded()
        return True, round((time.perf_counter() - started) * 1000, 3)

    def flush_metrics(self) -> None:
        pending = self._metrics.drain()
        if pending.is_empty():
            return
        if not self.backend.remote:
            self._local_total = self._local_total.add(pending)
            return
        if self._degraded and time.monotonic() < self._open_until:
            self._metrics.restore(pending)
            return
        try:
            self.backend.push_metrics(self._metrics_key, pending.to_fields())
        except BackendError as error:
            self._metrics.restore(pending)
            self._failed(error)
        else:
            self._succeeded()

    def _flush_loop(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                self.flush_metrics()
            except Exception:  # the flusher must never die
                log.exception("could not push cache metrics")

    def _totals(self) -> tuple[MetricsSnapshot, float | None]:
        self.flush_metrics()
        if not self.backend.remote:
            return self._local_total, self._started
        try:
            fields = self.backend.read_metrics(self._metrics_key)
        except BackendError as error:
            self._failed(error)
            # Fleet figures unavailable: report what this process still holds.
            return self._metrics.peek(), self._started
        started_at = fields.get("started_at")
        return MetricsSnapshot.from_fields(fields), float(started_at) if started_at else None

    def stats(self) -> dict[str, Any]:
        totals, started_at = self._totals()
        connected = True
        keys = 0
        if self.backend.remote and self._use_backend():
            try:
                keys = self.backend.key_count()
                self._succeeded()
            except BackendError as error:
                self._failed(error)
        if self.backend.remote:
            connected = not self._degraded
            if not connected:
                keys = self.memory.key_count()
        else:
            keys = self.memory.key_count()
        return {
            "mode": self.mode,
            "mode_label": MODE_LABELS[self.mode],
            "connected": connected,
            "degraded": self._degraded,
            "namespace": self.namespace,
            "hits": totals.hits,
            "misses": totals.misses,
            "sets": totals.sets,
            "deletes": totals.deletes,
            "errors": totals.errors,
            "refreshes": totals.refreshes,
            "operations": totals.hits + totals.misses + totals.sets + totals.deletes,
            "hit_rate": totals.hit_rate,
            "latency_ms": totals.latency(),
            "latency_buckets": totals.buckets,
            "keys": keys,
            "uptime_s": round(time.time() - started_at, 1) if started_at else 0.0,
        }

    def reset_metrics(self) -> None:
        self._metrics.drain()
        self._local_total = MetricsSnapshot()
        self._started = time.time()
        if self.backend.remote:
            try:
                self.backend.reset_metrics(self._metrics_key)
            except BackendError as error:
                self._failed(error)

    @property
    def degraded(self) -> bool:
        return self._degraded

    def close(self) -> None:
        with self._attachments_lock:
            self._closed = True
            attachments = list(self._attachments.values())
        for helper in attachments:
            try:
                helper.close()
            except Exception:
                log.exception("could not close %r", helper)
        self._stop.set()
        if self._flusher is not None:
            self._flusher.join(timeout=2)
        try:
            self.flush_metrics()
        except Exception:
            log.debug("metrics not pushed at close", exc_info=True)
        self.backend.close()
        if self.backend is not self.memory:
            self.memory.close()
