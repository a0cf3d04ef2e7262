"""A small Upstash-compatible Redis REST server for tests.

It speaks the subset of the Upstash REST protocol that the ``upstash-redis`` Python
client uses and forwards every command to a real Redis::

    with UpstashTestServer(redis.Redis(host="127.0.0.1", port=6379)) as server:
        client = upstash_redis.Redis(url=server.url, token=server.token,
                                     allow_telemetry=False, rest_retries=0)
        client.set("k", "v")

Protocol (what ``upstash_redis/http.py`` sends and ``format_response`` expects):

* ``POST /`` with a JSON array (``["SET", "k", "v", "EX", 10]``) → ``{"result": ...}``;
  a Redis error → HTTP 400 ``{"error": "ERR ..."}`` (the client raises ``UpstashError``).
* ``POST /pipeline`` with a JSON array of command arrays → a JSON array with one
  ``{"result": ...}`` / ``{"error": ...}`` per command (not atomic).
* ``POST /multi-exec`` → same shape, run inside ``MULTI``/``EXEC``.
* Path form, as the Upstash REST API also accepts it: ``GET /set/k/v?EX=10`` (URL-decoded
  path segments, then the query parameters as ``name value`` pairs); with ``POST`` a
  non-empty body is appended as the last argument.
* ``Authorization: Bearer <token>`` (or ``?_token=<token>``); otherwise HTTP 401
  ``{"error": "Unauthorized"}``.
* ``Upstash-Encoding: base64``: every string in a result (recursively inside arrays) is
  the base64 of the raw bytes, except the status reply ``OK``, which the client's
  ``decode`` expects verbatim (it calls ``b64decode`` on every other string). Integers and
  null stay as they are. Without the header strings are plain UTF-8 text (invalid UTF-8 is
  replaced with U+FFFD, as there is no lossless way to put it in JSON).

``set_down()`` and ``fail_next()`` simulate an outage (HTTP 503 with a JSON error, or the
connection closed without a response).
"""

from __future__ import annotations

import base64
import contextlib
import hmac
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote_to_bytes, urlsplit

import redis
from redis.exceptions import ResponseError

__all__ = ["UpstashTestServer"]

# Commands that would change the state of a pooled connection (and so leak into other
# requests) or that do not fit a request/response protocol.
_FORBIDDEN = frozenset(
    {
        b"MULTI",
        b"EXEC",
        b"DISCARD",
        b"WATCH",
        b"UNWATCH",
        b"SELECT",
        b"AUTH",
        b"HELLO",
        b"RESET",
        b"QUIT",
        b"MONITOR",
        b"SUBSCRIBE",
        b"PSUBSCRIBE",
        b"SSUBSCRIBE",
        b"UNSUBSCRIBE",
        b"PUNSUBSCRIBE",
        b"SUNSUBSCRIBE",
        b"SYNC",
        b"PSYNC",
    }
)


class _CommandError(Exception):
    """A request that is not a valid command (answered like a Redis error)."""


def _error_text(exc: ResponseError) -> str:
    """The Redis error line, with the code that redis-py strips (``ERR``, ``NOSCRIPT``…)."""
    code = getattr(exc, "status_code", None)
    message = str(exc)
    return f"{code} {message}" if code else message


def _to_arg(value: Any) -> bytes:
    """A JSON value of a command → the bytes sent to Redis (numbers as their JSON text)."""
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, bytes):
        return value
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def _to_command(value: Any) -> list[bytes]:
    if not isinstance(value, list) or not value:
        raise _CommandError("ERR the command must be a non-empty JSON array")
    args = [_to_arg(v) for v in value]
    if args[0].upper() in _FORBIDDEN:
        raise _CommandError(
            f"ERR command is not supported by the test server: '{args[0].decode(errors='replace')}'"
        )
    return args


def _encode(value: Any, b64: bool) -> Any:
    """A raw RESP value (bytes, int, None, list…) → the JSON value Upstash returns."""
    if isinstance(value, bytes):
        if b64 and value != b"OK":
            return base64.b64encode(value).decode("ascii")
        return value.decode("utf-8", errors="replace")
    if isinstance(value, bool):  # RESP3 booleans, if ever
        return int(value)
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, (list, tuple, set)):
        return [_encode(v, b64) for v in value]
    if isinstance(value, dict):  # RESP3 maps → flat field/value list, as in RESP2
        return [_encode(x, b64) for pair in value.items() for x in pair]
    if isinstance(value, ResponseError):  # an error nested in an array (EVAL, EXEC)
        return _encode(_error_text(value).encode("utf-8"), b64)
    if isinstance(value, float):  # RESP3 doubles → the string RESP2 would send
        return _encode(repr(value).encode("ascii"), b64)
    return _encode(str(value).encode("utf-8"), b64)


def _result(value: Any, b64: bool) -> dict[str, Any]:
    if isinstance(value, ResponseError):
        return {"error": _error_text(value)}
    return {"result": _encode(value, b64)}


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # Many client threads connect at once; the default backlog (5) stalls them.
    request_queue_size = 128

    def __init__(self, owner: UpstashTestServer) -> None:
        self.owner = owner
        self.open_sockets: set[socket.socket] = set()
        self.sockets_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def process_request(self, request, client_address) -> None:
        with self.sockets_lock:
            self.open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:
        with self.sockets_lock:
            self.open_sockets.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address) -> None:
        """Quiet: a client that goes away mid-request is not worth a traceback."""

    def close_open_connections(self) -> None:
        with self.sockets_lock:
            sockets = list(self.open_sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real service
    disable_nagle_algorithm = True  # no 40 ms delayed-ACK stalls on loopback
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet: no request log
        pass

    def do_POST(self) -> None:
        self.server.owner._handle(self)

    do_GET = do_POST

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def send_json(self, status: int, payload: Any) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class UpstashTestServer:
    """Upstash REST API on ``127.0.0.1:<free port>``, backed by a real Redis.

    ``redis_client`` only provides the connection settings: the server makes its own
    pool from them with ``decode_responses=False``, RESP2 and no response callbacks, so
    it sees the raw replies (bytes, ints, None, lists) that Upstash would serialise.
    """

    def __init__(self, redis_client: redis.Redis, token: str = "test-token") -> None:
        self.token = token
        self.url = ""
        self.request_count = 0
        self._lock = threading.Lock()
        self._down: str | None = None  # None, "503" or "close"
        self._fail_next = 0
        self._fail_mode = "503"
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

        source = redis_client.connection_pool
        kwargs = dict(source.connection_kwargs)
        for key in ("cache", "cache_config"):  # client-side caching needs RESP3
            kwargs.pop(key, None)
        kwargs.update(decode_responses=False, protocol=2)
        self._pool = redis.ConnectionPool(connection_class=source.connection_class, **kwargs)
        self._redis = redis.Redis(connection_pool=self._pool)
        self._redis.response_callbacks.clear()  # raw replies: SET → b"OK", not True

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> UpstashTestServer:
        if self._httpd is not None:
            raise RuntimeError("UpstashTestServer is already running")
        self._httpd = _HTTPServer(self)
        port = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"upstash-test-server-{port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.close_open_connections()  # end keep-alive connections too
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._pool.disconnect()

    def __enter__(self) -> UpstashTestServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ------------------------------------------------------------ outage switch
    def set_down(self, down: bool = True, *, close: bool = False) -> None:
        """While down, answer every request with 503 (or close the connection)."""
        with self._lock:
            self._down = ("close" if close else "503") if down else None

    def fail_next(self, n: int = 1, *, close: bool = False) -> None:
        """Fail the next ``n`` requests with 503 (or by closing the connection)."""
        with self._lock:
            self._fail_next = n
            self._fail_mode = "close" if close else "503"

    def _outage(self) -> str | None:
        with self._lock:
            self.request_count += 1
            if self._down:
                return self._down
            if self._fail_next > 0:
                self._fail_next -= 1
                return self._fail_mode
            return None

    # ------------------------------------------------------------------ requests
    def _authorized(self, handler: _Handler, query: list[tuple[str, str]]) -> bool:
        header = handler.headers.get("Authorization") or ""
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer":
            given = dict(query).get("_token", "")
        return hmac.compare_digest(given.strip().encode(), self.token.encode())

    def _handle(self, handler: _Handler) -> None:
        try:
            body = handler.read_body()
            outage = self._outage()
            if outage == "close":
                handler.close_connection = True
                return
            if outage == "503":
                handler.send_json(503, {"error": "Service Unavailable"})
                return
            url = urlsplit(handler.path)
            query = parse_qsl(url.query, keep_blank_values=True)
            if not self._authorized(handler, query):
                handler.send_json(401, {"error": "Unauthorized"})
                return
            b64 = (handler.headers.get("Upstash-Encoding") or "").strip().lower() == "base64"
            status, payload = self._dispatch(handler.command, url.path, query, body, b64)
            handler.send_json(status, payload)
        except OSError:  # the HTTP client went away
            handler.close_connection = True
        except Exception as exc:  # never let a handler thread die silently mid-response
            handler.close_connection = True
            with contextlib.suppress(OSError):
                handler.send_json(500, {"error": f"ERR test server: {exc!r}"})

    def _dispatch(
        self, method: str, path: str, query: list[tuple[str, str]], body: bytes, b64: bool
    ) -> tuple[int, Any]:
        route = path.strip("/")
        try:
            if route in ("", "pipeline", "multi-exec"):
                try:
                    data = json.loads(body) if body else None
                except ValueError:
                    raise _CommandError("ERR the body is not valid JSON") from None
                if route == "":
                    return self._single(_to_command(data), b64)
                if not isinstance(data, list) or not data:
                    raise _CommandError("ERR the body must be a non-empty array of commands")
                commands = [_to_command(c) for c in data]
                if route == "pipeline":
                    return 200, [_result(r, b64) for r in self._pipeline(commands)]
                return self._transaction(commands, b64)
            # Path form: /set/key/value?EX=10 (+ the POST body as the last argument).
            args: list[Any] = [unquote_to_bytes(part) for part in route.split("/")]
            for name, value in query:
                if name != "_token":
                    args.append(name)
                    if value:
                        args.append(value)
            if method == "POST" and body:
                args.append(body)
            return self._single(_to_command(args), b64)
        except _CommandError as exc:
            return 400, {"error": str(exc)}
        except redis.RedisError as exc:  # Redis unreachable, timeouts…
            return 500, {"error": f"ERR {type(exc).__name__}: {exc}"}

    def _single(self, args: list[bytes], b64: bool) -> tuple[int, Any]:
        try:
            value = self._redis.execute_command(*args)
        except ResponseError as exc:
            return 400, {"error": _error_text(exc)}
        return 200, {"result": _encode(value, b64)}

    def _pipeline(self, commands: list[list[bytes]]) -> list[Any]:
        """Send all commands on one connection; an error is a ResponseError in the list."""
        conn = self._pool.get_connection()
        try:
            conn.send_packed_command(conn.pack_commands(commands))
            results: list[Any] = []
            for _ in commands:
                try:
                    results.append(conn.read_response())
                except ResponseError as exc:
                    results.append(exc)
            return results
        finally:
            self._pool.release(conn)

    def _transaction(self, commands: list[list[bytes]], b64: bool) -> tuple[int, Any]:
        replies = self._pipeline([[b"MULTI"], *commands, [b"EXEC"]])
        queued, executed = replies[1:-1], replies[-1]
        if isinstance(replies[0], ResponseError):
            return 400, [_result(replies[0], b64) for _ in commands]
        if isinstance(executed, ResponseError):  # EXECABORT: a command was rejected
            aborted = _error_text(executed)
            return 400, [
                _result(q, b64) if isinstance(q, ResponseError) else {"error": aborted}
                for q in queued
            ]
        if executed is None:  # only with WATCH, which is not accepted
            return 400, {"error": "ERR transaction aborted"}
        return 200, [_result(r, b64) for r in executed]
