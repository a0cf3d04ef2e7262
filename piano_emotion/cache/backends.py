"""Where cached bytes live: Redis, Upstash (Redis over REST) or memory.

Every backend offers the same small set of operations, with the same
meaning, so the service above them does not care which one it talks to:

- ``read(key, tag_keys)``: the payload if it is still *fresh* (written under
  the current generation and the current versions of the tags it was stored
  with), else ``None`` together with the current generation and the current
  versions of ``tag_keys`` (so a loader can write back only if nothing was
  invalidated meanwhile);
- ``write(key, payload, ttl_ms, tag_keys, expect)``: store, stamped with the
  current generation and tag versions; with ``expect`` it stores only if
  those are still the ones read before the loader ran;
- ``bump_tags`` / ``bump_generation``: invalidation without touching keys;
- locks, metric hashes, key counts and ping;
- small *registries* (a hash of short strings with a TTL): what the cache
  refresher remembers of each technician's recently read views.

On Redis and Upstash a read is one ``MGET`` of the entry, the generation and
the tag versions (atomic, one round trip, as cheap as a plain ``GET``); the
freshness check runs here. A write is one Lua script that stamps the entry
with the current versions, or refuses when they moved since the read.
"""

from __future__ import annotations

import contextlib
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

# Stored value: "<generation>[\x1f<tag key>\x1f<version>]...\n<payload>": the
# generation and tag versions current when it was written.
TAG_SEPARATOR = "\x1f"

WRITE_SCRIPT = """
local gen = redis.call('GET', KEYS[2]) or '0'
if ARGV[3] ~= '' and ARGV[3] ~= gen then
  return 0
end
local header = gen
for i = 3, #KEYS do
  local current = redis.call('GET', KEYS[i]) or '0'
  local expected = ARGV[i + 1]
  if expected ~= nil and expected ~= '' and expected ~= current then
    return 0
  end
  header = header .. '\\31' .. KEYS[i] .. '\\31' .. current
end
redis.call('SET', KEYS[1], header .. '\\n' .. ARGV[2], 'PX', ARGV[1])
return 1
"""

UNLOCK_SCRIPT = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class BackendError(Exception):
    """The backend did not answer (down, timed out, refused)."""


class ReadResult(NamedTuple):
    payload: str | None
    generation: str = "0"
    versions: tuple[str, ...] = ()


@dataclass(frozen=True)
class WriteExpectation:
    generation: str
    versions: tuple[str, ...]


class Backend(Protocol):
    mode: str
    remote: bool

    def read(self, key: str, gen_key: str, tag_keys: Sequence[str]) -> ReadResult: ...
    def write(
        self,
        key: str,
        gen_key: str,
        payload: str,
        ttl_ms: int,
        tag_keys: Sequence[str],
        expect: WriteExpectation | None,
    ) -> bool: ...
    def delete(self, key: str) -> bool: ...
    def bump_tags(self, tag_keys: Sequence[str]) -> None: ...
    def bump_generation(self, gen_key: str) -> None: ...
    def try_lock(self, key: str, token: str, ttl_ms: int) -> bool: ...
    def unlock(self, key: str, token: str) -> None: ...
    def push_metrics(self, key: str, fields: dict[str, int | float]) -> None: ...
    def read_metrics(self, key: str) -> dict[str, str]: ...
    def reset_metrics(self, key: str) -> None: ...
    def registry_put(self, key: str, fields: dict[str, str], ttl_ms: int) -> int: ...
    def registry_get(self, key: str, fields: Sequence[str] | None = None) -> dict[str, str]: ...
    def registry_drop(self, key: str, fields: Sequence[str]) -> None: ...
    def key_count(self) -> int: ...
    def ping(self) -> None: ...
    def close(self) -> None: ...


def _script_args(tag_keys: Sequence[str], expect: WriteExpectation | None) -> tuple[str, list[str]]:
    if expect is None:
        return "", ["" for _ in tag_keys]
    return expect.generation, list(expect.versions)


# --------------------------------------------------------------------------
# Memory
# --------------------------------------------------------------------------
@dataclass
class _Entry:
    expires_at: float
    generation: int
    tags: dict[str, int]
    payload: str
    size: int


class MemoryBackend:
    """In-process LRU, bounded by entries and bytes, TTLs honoured."""

    mode = "memory"
    remote = False

    def __init__(self, max_entries: int = 20_000, max_bytes: int = 128 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._data: OrderedDict[str, _Entry] = OrderedDict()
        self._tags: dict[str, int] = {}
        self._generations: dict[str, int] = {}
        self._locks: dict[str, tuple[str, float]] = {}
        self._hashes: dict[str, dict[str, float]] = {}
        # Registries: key -> (expires at, fields); few and small (bounded by their users).
        self._registries: dict[str, tuple[float, dict[str, str]]] = {}
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def bytes_used(self) -> int:
        return self._bytes

    def _drop(self, key: str) -> None:
        entry = self._data.pop(key, None)
        if entry is not None:
            self._bytes -= entry.size

    def read(self, key: str, gen_key: str, tag_keys: Sequence[str]) -> ReadResult:
        with self._lock:
            generation = self._generations.get(gen_key, 0)
            entry = self._data.get(key)
            if entry is not None:
                if entry.expires_at <= time.monotonic():
                    self._drop(key)
                elif entry.generation == generation and (
                    not entry.tags
                    or all(self._tags.get(tag, 0) == ver for tag, ver in entry.tags.items())
                ):
                    self._data.move_to_end(key)
                    return ReadResult(entry.payload)
            return ReadResult(
                None, str(generation), tuple(str(self._tags.get(t, 0)) for t in tag_keys)
            )

    def write(self, key, gen_key, payload, ttl_ms, tag_keys, expect) -> bool:
        size = len(payload) + len(key) + 64
        if size > self.max_bytes:
            # Not stored, but the previous value of the key is now stale: a
            # later get must miss, not serve what this write replaced.
            with self._lock:
                self._drop(key)
            return False
        with self._lock:
            generation = self._generations.get(gen_key, 0)
            versions = {tag: self._tags.get(tag, 0) for tag in tag_keys}
            if expect is not None and (
                expect.generation != str(generation)
                or any(
                    exp and exp != str(versions[tag])
                    for tag, exp in zip(tag_keys, expect.versions, strict=True)
                )
            ):
                return False
            self._drop(key)
            self._data[key] = _Entry(
                time.monotonic() + ttl_ms / 1000, generation, versions, payload, size
            )
            self._bytes += size
            while self._data and (
                len(self._data) > self.max_entries or self._bytes > self.max_bytes
            ):
                _oldest, entry = self._data.popitem(last=False)
                self._bytes -= entry.size
            return True

    def delete(self, key: str) -> bool:
        with self._lock:
            existed = key in self._data
            self._drop(key)
            return existed

    def bump_tags(self, tag_keys: Sequence[str]) -> None:
        with self._lock:
            for tag in tag_keys:
                self._tags[tag] = self._tags.get(tag, 0) + 1

    def bump_generation(self, gen_key: str) -> None:
        with self._lock:
            self._generations[gen_key] = self._generations.get(gen_key, 0) + 1

    def try_lock(self, key: str, token: str, ttl_ms: int) -> bool:
        now = time.monotonic()
        with self._lock:
            holder = self._locks.get(key)
            if holder is not None and holder[1] > now:
                return False
            self._locks[key] = (token, now + ttl_ms / 1000)
            return True

    def unlock(self, key: str, token: str) -> None:
        with self._lock:
            holder = self._locks.get(key)
            if holder is not None and holder[0] == token:
                del self._locks[key]

    def push_metrics(self, key: str, fields: dict[str, int | float]) -> None:
        with self._lock:
            target = self._hashes.setdefault(key, {})
            for name, amount in fields.items():
                target[name] = target.get(name, 0) + amount

    def read_metrics(self, key: str) -> dict[str, str]:
        with self._lock:
            return {name: str(value) for name, value in self._hashes.get(key, {}).items()}

    def reset_metrics(self, key: str) -> None:
        with self._lock:
            self._hashes.pop(key, None)

    def registry_put(self, key: str, fields: dict[str, str], ttl_ms: int) -> int:
        now = time.monotonic()
        with self._lock:
            expires_at, current = self._registries.get(key, (0.0, {}))
            if expires_at <= now:
                current = {}
            current.update(fields)
            self._registries[key] = (now + ttl_ms / 1000, current)
            return len(current)

    def registry_get(self, key: str, fields: Sequence[str] | None = None) -> dict[str, str]:
        with self._lock:
            expires_at, current = self._registries.get(key, (0.0, {}))
            if expires_at <= time.monotonic():
                self._registries.pop(key, None)
                return {}
            if fields is None:
                return dict(current)
            return {name: current[name] for name in fields if name in current}

    def registry_drop(self, key: str, fields: Sequence[str]) -> None:
        with self._lock:
            _expires_at, current = self._registries.get(key, (0.0, {}))
            for name in fields:
                current.pop(name, None)

    def key_count(self) -> int:
        with self._lock:
            now = time.monotonic()
            expired = [k for k, e in self._data.items() if e.expires_at <= now]
            for key in expired:
                self._drop(key)
            return len(self._data)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._registries.clear()
            self._bytes = 0

    def ping(self) -> None:
        return None

    def close(self) -> None:
        self.clear()


# --------------------------------------------------------------------------
# Reads shared by the remote backends
# --------------------------------------------------------------------------
MAX_TAG_HINTS = 50_000


class RemoteReader:
    """``read`` on top of the backend's ``_mget``.

    The tags an entry was stored with are remembered per key (bounded), so a
    plain ``get`` of a tagged entry still takes one round trip; an entry with
    tags not fetched yet costs a second ``MGET`` (reading versions later can
    only make an entry look staler, never fresher).
    """

    _tag_hints: dict[str, tuple[str, ...]]

    def _mget(self, keys: list[str]) -> list[str | None]:
        raise NotImplementedError

    def _remember_tags(self, key: str, tag_keys: Sequence[str]) -> None:
        if len(self._tag_hints) >= MAX_TAG_HINTS:
            self._tag_hints.clear()
        self._tag_hints[key] = tuple(tag_keys)

    # Same calls in redis-py and upstash-redis (the subclasses give _run and client).
    def registry_get(self, key: str, fields: Sequence[str] | None = None) -> dict[str, str]:
        if fields is None:
            return self._run(self.client.hgetall, key) or {}
        fields = list(fields)
        if not fields:
            return {}
        values = self._run(self.client.hmget, key, *fields)
        return {name: v for name, v in zip(fields, values, strict=True) if v is not None}

    def registry_drop(self, key: str, fields: Sequence[str]) -> None:
        if fields:
            self._run(self.client.hdel, key, *fields)

    def read(self, key: str, gen_key: str, tag_keys: Sequence[str]) -> ReadResult:
        wanted = [key, gen_key, *tag_keys]
        hinted = self._tag_hints.get(key)
        if hinted:
            wanted += [t for t in hinted if t not in tag_keys]
        values = self._mget(wanted)
        generation = values[1] or "0"
        current = {k: v or "0" for k, v in zip(wanted[2:], values[2:], strict=True)}
        value = values[0]
        if value is not None:
            newline = value.find("\n")
            if newline >= 0:
                parts = value[:newline].split(TAG_SEPARATOR)
                if parts[0] == generation:
                    stored = list(zip(parts[1::2], parts[2::2], strict=True))
                    missing = [t for t, _ in stored if t not in current]
                    if missing:
                        current.update(
                            (k, v or "0") for k, v in zip(missing, self._mget(missing), strict=True)
                        )
                    if not hinted or len(hinted) != len(stored):
                        self._remember_tags(key, [t for t, _ in stored])
                    if all(current[t] == version for t, version in stored):
                        return ReadResult(value[newline + 1 :])
        return ReadResult(None, generation, tuple(current[t] for t in tag_keys))


# --------------------------------------------------------------------------
# Redis
# --------------------------------------------------------------------------
class RedisBackend(RemoteReader):
    """A plain Redis through ``redis-py``: pooled connections, short timeouts."""

    mode = "redis"
    remote = True

    def __init__(self, url: str, *, timeout_s: float = 0.5, max_connections: int = 64) -> None:
        import redis

        self._redis_module = redis
        self.pool = redis.ConnectionPool.from_url(
            url,
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            max_connections=max_connections,
            health_check_interval=30,
            decode_responses=True,
        )
        self.client = redis.Redis(connection_pool=self.pool)
        self._shas: dict[str, str] = {}
        self._tag_hints = {}
        # Reads (the hot path) use one connection per thread, talked to
        # directly: no pool checkout per call. It is made outside the pool's
        # count and closed when its thread ends (see ``_ThreadReader``).
        self._local = threading.local()
        self._readers: weakref.WeakSet[_ThreadReader] = weakref.WeakSet()

    def _eval(self, script: str, keys: list[str], args: Sequence[Any] = ()) -> Any:
        """EVALSHA straight through ``execute_command`` (the hot path), loading
        the script on first use or after a server restart (NOSCRIPT)."""
        sha = self._shas.get(script)
        try:
            if sha is None:
                sha = self._shas[script] = self.client.script_load(script)
            return self.client.execute_command("EVALSHA", sha, len(keys), *keys, *args)
        except self._redis_module.exceptions.NoScriptError:
            try:
                self._shas[script] = self.client.script_load(script)
                return self.client.execute_command(
                    "EVALSHA", self._shas[script], len(keys), *keys, *args
                )
            except self._redis_module.RedisError as exc:
                raise BackendError(f"redis: {exc}") from exc
        except self._redis_module.RedisError as exc:
            raise BackendError(f"redis: {exc}") from exc

    def _run(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except self._redis_module.RedisError as exc:
            raise BackendError(f"redis: {exc}") from exc

    def _mget(self, keys: list[str]) -> list[str | None]:
        reader = getattr(self._local, "reader", None)
        if reader is None:
            # Not ``pool.make_connection()``: that counts against
            # ``max_connections`` forever, and thread pools replace their idle
            # threads, so after 64 of them every new thread's reads failed.
            pool = self.pool
            reader = _ThreadReader(pool.connection_class(**pool.connection_kwargs))
            self._local.reader = reader
            self._readers.add(reader)
        connection = reader.connection
        try:
            connection.send_command("MGET", *keys)
            return connection.read_response()
        except (self._redis_module.RedisError, OSError) as exc:
            # A broken connection is dropped; the next call makes a new one.
            connection.disconnect()
            raise BackendError(f"redis: {exc}") from exc

    def write(self, key, gen_key, payload, ttl_ms, tag_keys, expect) -> bool:
        generation, versions = _script_args(tag_keys, expect)
        result = self._eval(
            WRITE_SCRIPT, [key, gen_key, *tag_keys], [int(ttl_ms), payload, generation, *versions]
        )
        self._remember_tags(key, tag_keys)
        return result == 1

    def delete(self, key: str) -> bool:
        return bool(self._run(self.client.delete, key))

    def bump_tags(self, tag_keys) -> None:
        def bump():
            pipe = self.client.pipeline(transaction=True)
            for tag in tag_keys:
                pipe.incr(tag)
            pipe.execute()

        self._run(bump)

    def bump_generation(self, gen_key: str) -> None:
        self._run(self.client.incr, gen_key)

    def try_lock(self, key, token, ttl_ms) -> bool:
        return bool(self._run(self.client.set, key, token, nx=True, px=int(ttl_ms)))

    def unlock(self, key, token) -> None:
        self._eval(UNLOCK_SCRIPT, [key], [token])

    def push_metrics(self, key, fields) -> None:
        def push():
            pipe = self.client.pipeline(transaction=False)
            for name, amount in fields.items():
                if isinstance(amount, float):
                    pipe.hincrbyfloat(key, name, amount)
                else:
                    pipe.hincrby(key, name, amount)
            pipe.hsetnx(key, "started_at", time.time())
            pipe.execute()

        self._run(push)

    def read_metrics(self, key) -> dict[str, str]:
        return self._run(self.client.hgetall, key)

    def reset_metrics(self, key) -> None:
        def reset():
            pipe = self.client.pipeline(transaction=True)
            pipe.delete(key)
            pipe.hset(key, "started_at", time.time())
            pipe.execute()

        self._run(reset)

    def registry_put(self, key: str, fields: dict[str, str], ttl_ms: int) -> int:
        def put():
            pipe = self.client.pipeline(transaction=False)
            pipe.hset(key, mapping=fields)
            pipe.pexpire(key, int(ttl_ms))
            pipe.hlen(key)
            return int(pipe.execute()[-1])

        return self._run(put)

    def key_count(self) -> int:
        return int(self._run(self.client.dbsize))

    def ping(self) -> None:
        self._run(self.client.ping)

    def close(self) -> None:
        for reader in list(self._readers):
            reader.close()
        self.pool.disconnect()


class _ThreadReader:
    """A thread's own read connection. The thread-local that holds it is
    dropped when the thread ends, and the connection is closed with it."""

    __slots__ = ("__weakref__", "connection")

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.connection.disconnect()

    def __del__(self) -> None:
        self.close()


# --------------------------------------------------------------------------
# Upstash (Redis over HTTPS)
# --------------------------------------------------------------------------
class UpstashBackend(RemoteReader):
    """Upstash Redis through its REST API (``upstash-redis``), telemetry off."""

    mode = "upstash"
    remote = True

    def __init__(self, url: str, token: str, *, timeout_s: float = 1.0) -> None:
        import httpx
        from upstash_redis import Redis

        self.client = Redis(url=url, token=token, allow_telemetry=False, rest_retries=0)
        # The package's HTTP client has no timeout at all; a hung request
        # must not hang a page, so give it a short one (the breaker retries).
        self.client._http._client.close()
        self.client._http._client = httpx.Client(
            timeout=httpx.Timeout(timeout_s, connect=timeout_s),
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
        )
        self._shas: dict[str, str] = {}
        self._sha_lock = threading.Lock()
        self._tag_hints = {}

    def _run(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # httpx errors, UpstashError, bad JSON: all mean "not now"
            raise BackendError(f"upstash: {type(exc).__name__}: {exc}") from exc

    def _eval(self, script: str, keys: list[str], args: list[Any]) -> Any:
        sha = self._shas.get(script)
        if sha is None:
            with self._sha_lock:
                sha = self._shas.get(script) or self._run(self.client.script_load, script)
                self._shas[script] = sha
        try:
            return self.client.evalsha(sha, keys=keys, args=args)
        except Exception as exc:
            if "NOSCRIPT" not in str(exc):
                raise BackendError(f"upstash: {type(exc).__name__}: {exc}") from exc
            return self._run(self.client.eval, script, keys=keys, args=args)

    def _mget(self, keys: list[str]) -> list[str | None]:
        return self._run(self.client.mget, *keys)

    def write(self, key, gen_key, payload, ttl_ms, tag_keys, expect) -> bool:
        generation, versions = _script_args(tag_keys, expect)
        result = self._eval(
            WRITE_SCRIPT, [key, gen_key, *tag_keys], [int(ttl_ms), payload, generation, *versions]
        )
        self._remember_tags(key, tag_keys)
        return int(result) == 1

    def delete(self, key: str) -> bool:
        return bool(self._run(self.client.delete, key))

    def bump_tags(self, tag_keys) -> None:
        def bump():
            tx = self.client.multi()
            for tag in tag_keys:
                tx.incr(tag)
            tx.exec()

        self._run(bump)

    def bump_generation(self, gen_key: str) -> None:
        self._run(self.client.incr, gen_key)

    def try_lock(self, key, token, ttl_ms) -> bool:
        return bool(self._run(self.client.set, key, token, nx=True, px=int(ttl_ms)))

    def unlock(self, key, token) -> None:
        self._eval(UNLOCK_SCRIPT, [key], [token])

    def push_metrics(self, key, fields) -> None:
        def push():
            pipe = self.client.pipeline()
            for name, amount in fields.items():
                if isinstance(amount, float):
                    pipe.hincrbyfloat(key, name, amount)
                else:
                    pipe.hincrby(key, name, amount)
            pipe.hsetnx(key, "started_at", str(time.time()))
            pipe.exec()

        self._run(push)

    def read_metrics(self, key) -> dict[str, str]:
        return self._run(self.client.hgetall, key) or {}

    def reset_metrics(self, key) -> None:
        def reset():
            tx = self.client.multi()
            tx.delete(key)
            tx.hset(key, "started_at", str(time.time()))
            tx.exec()

        self._run(reset)

    def registry_put(self, key: str, fields: dict[str, str], ttl_ms: int) -> int:
        def put():
            pipe = self.client.pipeline()
            pipe.hset(key, values=fields)
            pipe.pexpire(key, int(ttl_ms))
            pipe.hlen(key)
            return int(pipe.exec()[-1])

        return self._run(put)

    def key_count(self) -> int:
        return int(self._run(self.client.dbsize))

    def ping(self) -> None:
        self._run(self.client.ping)

    def close(self) -> None:
        self.client.close()
