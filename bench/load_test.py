"""Load test: technicians as browser tabs talking to the running app.

Each simulated user is one browser tab. It speaks the protocol the compiled
frontend speaks (``.web/utils/state.js`` of Reflex 0.10), over Socket.IO
(python-socketio's asyncio client, websocket transport only, as the browser):

* Socket.IO path ``/_event``, namespace ``/_event``, query ``token=<uuid>``
  (the tab's session storage token), websocket subprotocol ``0.10.1`` and
  the tab's cookies in the upgrade request.
* The CONNECT packet's ``auth`` carries the boot event
  ``reflex___state____state.hydrate_and_load`` with the page's
  ``router_data`` (``pathname``, ``asPath``, ``query`` incl. the dynamic
  route parameter, e.g. ``client_ref``), the client-storage ``vars`` (our
  ``pe_session`` and ``pe_lang`` cookies, keyed by their state var names)
  and, on a first connect, the ``hashes`` of the compiled initial state,
  plus ``state_schema``. The hashes, the schema and the cookie-to-var map
  are read from the served JS bundle (as the browser gets them), once.
* A client-side navigation sends ``update_vars_internal`` (the cookies)
  followed by ``on_load_internal`` with the new ``router_data``; the page is
  loaded when a delta sets ``is_hydrated`` back to true (``on_load_internal``
  queues the page's ``on_load`` handlers, then ``set_is_hydrated(True)``).
* Other events are ``{"name": "<state full name>.<handler>", "payload":
  {...}, "router_data": {...}}`` emitted as Socket.IO ``event``; the server
  answers with ``event`` messages ``{"delta": {...}, "events": [...]}``.
  Cookies in a delta (the session token) are stored as the browser does,
  ``_redirect`` events are followed as navigations.

Sign-in: the first tab of a technician runs the real flow: open
``/entrar``, send ``AuthState.sign_in`` with the form (Argon2 check,
throttle record, session token in the ``pe_session`` cookie), follow the
``_redirect`` to the dashboard. The other tabs of that technician reuse the
cookie it got (the same person with several tabs/devices) and open the
dashboard directly, so thousands of tabs do not all pay an Argon2 hash. With
``--cookie-cache FILE`` the cookies are kept between runs: a technician with
a saved cookie comes back signed in (a refused cookie falls back to the form),
except the first ``--real-signins`` technicians, who always use the form. No
token is minted outside the app.

Actions (think time between them exponential with mean ``--think-mean``):
open the dashboard, open the clients list, search clients (a prefix of a
known client's name, typed on the clients page), open a client, open a piano
of a client, and (``--write-percent``) record a service: open
``/servicios?piano=ID`` (the list plus the editor for that piano), fill the
form, ``ServicesState.save``, follow the redirect to the new service. The
round trip of each is measured from the first emit until the update that
completes it arrives (``is_hydrated`` for pages, the list's delta for a
search, the redirect for a save). Errors: error/warning toasts (the app's
``backend_exception_handler``), a redirect to the sign-in page, a form
refused, a ``state_mismatch``, a disconnect or a timeout.

Users start evenly over ``--ramp-seconds``, act until ``--duration``
seconds after the ramp, then every tab disconnects and the tool prints the
figures (whole run and steady window after the ramp): p50/p95/p99 per kind,
errors, actions and messages per second, CPU and RSS of the server processes
(the process listening on the port, its reflex/granian parents and all their
children, sampled every second with psutil; MariaDB, Redis and this tool
apart), the cache hit rate over the run (the fleet-wide ``stats()`` of
``piano_emotion.cache`` in Redis, before and after) and how fast the cores
were (``core_speed_ms``: a fixed piece of Python work timed before and
after the run), to compare runs made on different machines.

Only loopback addresses are accepted (the app and the cache's Redis).

    .venv/bin/python -m bench.load_test --url http://127.0.0.1:3000 \
        [--users 20] [--ramp-seconds 30] [--duration 60] [--think-mean 10]
        [--technicians 20] [--real-signins N] [--cookie-cache FILE] [--write-percent 5]
        [--seed 7] [--json out.json] [--server-pids 1,2] [--label L]

Targets (issue 9): 2,500 concurrent connected users, p95 event round trip
under 250 ms, no errors, server memory under 4 GiB.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import json
import math
import os
import random
import re
import resource
import socket
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qsl, urlsplit

DEMO_PASSWORD = "PianoDemo2026!"
EMAIL_PATTERN = "tecnico{i}@demo.pianoemotion.es"
NAMESPACE = "/_event"
SIGN_IN_PATH = "/entrar"

KINDS = (
    "connect",
    "sign_in",
    "dashboard",
    "clients_list",
    "search_clients",
    "client_detail",
    "piano_detail",
    "service_form",
    "record_service",
    "service_detail",
)
# Read actions and their weights (writes: --write-percent on top).
READ_WEIGHTS = {
    "dashboard": 25,
    "clients_list": 15,
    "search_clients": 15,
    "client_detail": 25,
    "piano_detail": 20,
}
DYNAMIC_ROUTES = (
    (re.compile(r"^/clientes/([^/]+)$"), "client_ref"),
    (re.compile(r"^/pianos/([^/]+)$"), "piano_ref"),
    (re.compile(r"^/servicios/([^/]+)$"), "service_ref"),
)
TARGET_USERS = 2500
TARGET_P95_MS = 250.0
TARGET_RSS_BYTES = 4 * 1024**3


# --- Loopback only --------------------------------------------------------------


def require_loopback(url: str, what: str) -> tuple[str, str, int]:
    """(scheme, host, port) of ``url``; exits unless every address is loopback."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "ws", "wss", "redis", "rediss"):
        sys.exit(f"{what}: unsupported URL {url!r}")
    host = parts.hostname or ""
    default = {"http": 80, "ws": 80, "https": 443, "wss": 443}.get(parts.scheme, 6379)
    port = parts.port or default
    require_loopback_host(host, port, what)
    return parts.scheme, host, port


def require_loopback_host(host: str, port: int, what: str) -> None:
    """Exits unless every address ``host`` resolves to is loopback."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        sys.exit(f"{what}: cannot resolve {host!r}: {exc}")
    addresses = {info[4][0] for info in infos}
    if not addresses or not all(ipaddress.ip_address(a).is_loopback for a in addresses):
        sys.exit(
            f"{what}: {host!r} is not a loopback address ({', '.join(sorted(addresses))}); refused"
        )


# --- What the compiled frontend knows -------------------------------------------


@dataclass
class Frontend:
    """State names (from the app's state classes) and what the bundle holds."""

    root: str
    auth: str
    home: str
    clients: str
    client_detail: str
    services: str
    hydrate: str
    on_load_internal: str
    update_vars_internal: str
    hashes: list[str] | None = None
    schema: str | None = None
    cookie_vars: dict[str, str] = field(default_factory=dict)  # cookie name -> state var key

    @classmethod
    def with_cookies_in(cls, cookies_state: str, **pages: str) -> Frontend:
        """The names Reflex compiles for its own events and for the cookie
        vars of the state ``cookies_state`` (full name), with the app's
        ``pages`` state names (``auth``, ``home``, ...; empty when absent)."""
        from reflex.state import OnLoadInternalState, State, UpdateVarsInternalState

        root = State.get_full_name()
        names = dict.fromkeys(("auth", "home", "clients", "client_detail", "services"), "")
        return cls(
            root=root,
            **{**names, **pages},
            hydrate=f"{root}.hydrate_and_load",
            on_load_internal=f"{OnLoadInternalState.get_full_name()}.on_load_internal",
            update_vars_internal=f"{UpdateVarsInternalState.get_full_name()}.update_vars_internal",
            cookie_vars={
                "pe_session": f"{cookies_state}.session_token_rx_state_",
                "pe_lang": f"{cookies_state}.lang_rx_state_",
            },
        )

    @classmethod
    def from_app(cls) -> Frontend:
        from piano_emotion.ui.state.auth import AuthState
        from piano_emotion.ui.state.base import BrowserCookies
        from piano_emotion.ui.state.clients import ClientDetailState, ClientsState
        from piano_emotion.ui.state.home import HomeState
        from piano_emotion.ui.state.services import ServicesState

        # The cookie vars are fallbacks if the bundle cannot be read.
        return cls.with_cookies_in(
            BrowserCookies.get_full_name(),
            auth=AuthState.get_full_name(),
            home=HomeState.get_full_name(),
            clients=ClientsState.get_full_name(),
            client_detail=ClientDetailState.get_full_name(),
            services=ServicesState.get_full_name(),
        )

    async def read_bundle(self, http, base: str) -> list[str]:
        """Read the initial-state hashes, the schema and the cookie map from
        the JS the browser loads (the modulepreload assets of ``/``)."""
        notes = []
        async with http.get(base + "/") as response:
            html = await response.text()
        assets = list(dict.fromkeys(re.findall(r'href="(/assets/[^"]+\.js)"', html)))
        for asset in assets:
            async with http.get(base + asset) as response:
                if response.status != 200:
                    continue
                text = await response.text()
            if "initialStateHashes" not in text:
                continue
            if m := re.search(r"initialStateHashes\s*=\s*`([0-9a-f.]+)`", text):
                self.hashes = m.group(1).split(".")
            elif m := re.search(r"initialStateHashes\s*=\s*(\[[^\]]*\])", text):
                self.hashes = json.loads(m.group(1))
            if m := re.search(r"stateSchema\s*=\s*[`\"']([0-9a-f]{16,64})[`\"']", text):
                self.schema = m.group(1)
            for key, name in re.findall(r'"([\w.]+_rx_state_)":\{name:[`"\']([\w-]+)[`"\']', text):
                self.cookie_vars[name] = key
            if self.hashes:
                break
        if not self.hashes:
            notes.append(
                "initial-state hashes not found in the bundle: hydrates send the full state"
            )
        if not self.schema:
            notes.append("state schema not found in the bundle")
        return notes


def router_data(path: str) -> dict:
    """What ``withRouterData`` puts in an event for the page at ``path``."""
    parts = urlsplit(path)
    data: dict = {"pathname": parts.path, "asPath": path}
    query = dict(parse_qsl(parts.query))
    for pattern, param in DYNAMIC_ROUTES:
        if m := pattern.match(parts.path):
            query[param] = m.group(1)
    if query:
        data["query"] = query
    return data


# --- Measurements -----------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[rank]


@dataclass
class Sample:
    kind: str
    start: float  # seconds since the run started
    ms: float
    error: str | None = None


class Recorder:
    def __init__(self) -> None:
        self.t0 = time.perf_counter()
        self.samples: list[Sample] = []
        self.messages_in = 0
        self.messages_out = 0
        self.bytes_in = 0
        self.connected = 0
        self.connected_max = 0

    def now(self) -> float:
        return time.perf_counter() - self.t0

    def add(self, kind: str, started: float, error: str | None = None) -> None:
        self.samples.append(
            Sample(kind, started - self.t0, (time.perf_counter() - started) * 1000, error)
        )

    def summary(self, since: float = 0.0, until: float = float("inf")) -> dict:
        rows: dict[str, dict] = {}
        window = [s for s in self.samples if since <= s.start < until]
        for kind in dict.fromkeys([*KINDS, *(s.kind for s in window), "all"]):
            chosen = [s for s in window if kind == "all" or s.kind == kind]
            if not chosen:
                continue
            ok = [s.ms for s in chosen if s.error is None]
            rows[kind] = {
                "count": len(chosen),
                "errors": len(chosen) - len(ok),
                "p50": percentile(ok, 50),
                "p95": percentile(ok, 95),
                "p99": percentile(ok, 99),
                "max": max(ok) if ok else float("nan"),
            }
        return rows


class ActionFailed(Exception):
    pass


# --- Shared knowledge of a technician's data (as their pages showed it) -------------


@dataclass
class Technician:
    index: int
    email: str
    cookie: asyncio.Future | None = None  # the pe_session cookie of its first sign-in
    clients: dict[int, str] = field(default_factory=dict)
    pianos: dict[int, int] = field(default_factory=dict)  # piano id -> client id

    def learn(self, fe: Frontend, delta: dict) -> None:
        clients = delta.get(fe.clients) or {}
        for item in clients.get("items_rx_state_") or ():
            if isinstance(item, dict) and "id" in item:
                self.clients[int(item["id"])] = str(item.get("name", ""))
        home = delta.get(fe.home) or {}
        for item in home.get("upcoming_rx_state_") or ():
            if isinstance(item, dict) and item.get("client_id"):
                self.clients[int(item["client_id"])] = str(item.get("client_name", ""))
        detail = delta.get(fe.client_detail) or {}
        client = detail.get("client_rx_state_") or {}
        for item in detail.get("pianos_rx_state_") or ():
            if isinstance(item, dict) and "id" in item:
                self.pianos[int(item["id"])] = int(client.get("id") or 0)


# --- One browser tab ----------------------------------------------------------------


class Tab:
    def __init__(self, run: Run, tech: Technician, index: int, real_sign_in: bool):
        self.run = run
        self.fe = run.frontend
        self.tech = tech
        self.index = index
        self.real_sign_in = real_sign_in
        self.rng = random.Random(run.args.seed * 100_003 + index)
        self.token = str(uuid.uuid4())
        self.cookies: dict[str, str] = {}
        self.path = "/"
        self.sio = None
        self.http = None
        self.connected = False
        self.first_connect = True
        self._waiter: tuple | None = None

    # -- transport ---------------------------------------------------------------
    def _client_vars(self) -> dict:
        return {
            self.fe.cookie_vars[n]: v for n, v in self.cookies.items() if n in self.fe.cookie_vars
        }

    def _event(self, name: str, payload: dict | None = None, path: str | None = None) -> dict:
        event = {"name": name, "router_data": router_data(path or self.path)}
        if payload:
            event["payload"] = payload
        return event

    async def _open(self, path: str) -> None:
        """Load the page ``path`` and connect: the boot hydrate rides in CONNECT."""
        import aiohttp
        import socketio

        await self.close()
        self.path = path
        self.http = aiohttp.ClientSession(
            connector=self.run.connector, connector_owner=False, cookie_jar=aiohttp.DummyCookieJar()
        )
        headers = {"User-Agent": "pe-load-test"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.run.fetch_pages:
            # The page itself (static HTML; the JS assets are in the browser cache).
            async with self.http.get(self.run.base + path, headers=headers) as response:
                await response.read()
                if response.status >= 400:
                    raise ActionFailed(f"http {response.status}")
        payload: dict = {}
        if vars_ := self._client_vars():
            payload["vars"] = vars_
        if self.first_connect and self.fe.hashes:
            payload["hashes"] = self.fe.hashes
        auth: dict = {"event": self._event(self.fe.hydrate, payload)}
        if self.fe.schema:
            auth["state_schema"] = self.fe.schema
        sio = socketio.AsyncClient(
            reconnection=False,
            handle_sigint=False,
            http_session=self.http,
            request_timeout=self.run.args.timeout,
            websocket_extra_options={"headers": headers, "protocols": (self.run.reflex_version,)},
        )
        sio.on("event", self._on_update, namespace=NAMESPACE)
        sio.on("state_mismatch", self._on_mismatch, namespace=NAMESPACE)
        sio.on("disconnect", self._on_disconnect, namespace=NAMESPACE)
        sio.on("new_token", self._on_new_token, namespace=NAMESPACE)
        self.sio = sio
        await sio.connect(
            f"{self.run.base}?token={self.token}",
            transports=["websocket"],
            namespaces=[NAMESPACE],
            socketio_path=NAMESPACE,
            auth=auth,
            wait_timeout=self.run.args.timeout,
        )
        self.first_connect = False
        self.connected = True
        self.run.rec.connected += 1
        self.run.rec.connected_max = max(self.run.rec.connected_max, self.run.rec.connected)
        self.run.rec.messages_out += 1

    async def close(self) -> None:
        sio, http = self.sio, self.http
        self.sio = self.http = None
        if self.connected:
            self.connected = False
            self.run.rec.connected -= 1
        if sio is not None:
            with contextlib.suppress(Exception):
                await sio.disconnect()
        if http is not None:
            await http.close()

    async def _emit(self, event: dict) -> None:
        self.run.rec.messages_out += 1
        await self.sio.emit("event", event, namespace=NAMESPACE)

    # -- what comes back -------------------------------------------------------
    async def _on_update(self, update) -> None:
        rec = self.run.rec
        rec.messages_in += 1
        delta = update.get("delta") or {}
        events = update.get("events") or []
        root = delta.get(self.fe.root) or {}
        if delta:
            self.tech.learn(self.fe, delta)
            # applyClientStorageDelta: not while the root says "not hydrated".
            if root.get("is_hydrated_rx_state_") is not False:
                for substate, values in delta.items():
                    for var, value in values.items():
                        key = f"{substate}.{var}"
                        for name, state_key in self.fe.cookie_vars.items():
                            if state_key == key:
                                self.cookies[name] = str(value)
        error = None
        for event in events:
            name = event.get("name")
            payload = event.get("payload") or {}
            if name == "_call_function" and re.search(
                r"__toast'\]\?\.\[\"(error|warning)\"\]", str(payload.get("function", ""))
            ):
                error = "toast: " + re.sub(r"\s+", " ", str(payload.get("function")))[-80:]
            elif (
                name == "_redirect"
                and str(payload.get("path", "")).startswith(SIGN_IN_PATH)
                and not self.path.startswith(SIGN_IN_PATH)
            ):
                error = "redirected to sign-in"
        waiter = self._waiter
        if waiter is None:
            return
        predicate, future = waiter
        if future.done():
            return
        if error:
            future.set_exception(ActionFailed(error))
            return
        try:
            result = predicate(delta, events)
        except ActionFailed as exc:
            future.set_exception(exc)
            return
        if result is not None:
            future.set_result(result)

    async def _on_new_token(self, token=None) -> None:
        # The server saw this token on another socket: the tab adopts a new one.
        if isinstance(token, str) and token:
            self.token = token

    async def _on_mismatch(self, data=None) -> None:
        self._fail("state_mismatch")

    async def _on_disconnect(self, *args) -> None:
        if self.connected:
            self.connected = False
            self.run.rec.connected -= 1
        self._fail("disconnected")

    def _fail(self, reason: str) -> None:
        if self._waiter and not self._waiter[1].done():
            self._waiter[1].set_exception(ActionFailed(reason))

    async def _until(self, predicate, send) -> object:
        """Run ``send`` and wait until an update satisfies ``predicate``."""
        future = asyncio.get_running_loop().create_future()
        self._waiter = (predicate, future)
        try:
            await send()
            return await asyncio.wait_for(future, self.run.args.timeout)
        except TimeoutError:
            raise ActionFailed("timeout") from None
        finally:
            self._waiter = None
            if not future.done():
                future.cancel()
            elif not future.cancelled():
                future.exception()  # retrieved: a failure after the wait ended is no news

    # -- predicates ------------------------------------------------------------
    def _hydrated(self, extra=None):
        seen = {"hydrated": False, "extra": extra is None}

        def check(delta, events):
            if (delta.get(self.fe.root) or {}).get("is_hydrated_rx_state_") is True:
                seen["hydrated"] = True
            if extra is not None and extra(delta, events):
                seen["extra"] = True
            return True if seen["hydrated"] and seen["extra"] else None

        return check

    @staticmethod
    def _redirect(delta, events):
        for event in events:
            if event.get("name") == "_redirect":
                return str((event.get("payload") or {}).get("path", ""))
        return None

    # -- actions (each measured) -------------------------------------------------
    async def timed(self, kind: str, action) -> object:
        started = time.perf_counter()
        try:
            if not self.connected and kind != "connect":
                await self._open(self.path)  # the browser reconnects first
            result = await action()
        except ActionFailed as exc:
            self.run.rec.add(kind, started, str(exc))
            return None
        except Exception as exc:  # connection refused, protocol errors
            self.run.rec.add(kind, started, f"{type(exc).__name__}: {exc}"[:120])
            await self.close()
            return None
        self.run.rec.add(kind, started)
        return result if result is not None else True

    async def open_page(self, kind: str, path: str, extra=None):
        """A first load (``connect``) or a client-side navigation to ``path``."""
        if kind == "connect" or not self.connected:
            return await self.timed(
                kind, lambda: self._until(self._hydrated(extra), lambda: self._open(path))
            )

        async def navigate():
            self.path = path
            if vars_ := self._client_vars():
                await self._emit(self._event(self.fe.update_vars_internal, {"vars": vars_}))
            await self._emit(self._event(self.fe.on_load_internal))

        return await self.timed(kind, lambda: self._until(self._hydrated(extra), navigate))

    async def sign_in(self) -> bool:
        if not await self.open_page("connect", SIGN_IN_PATH):
            return False
        form = {"email": self.tech.email, "password": self.run.args.password}
        target = await self.timed(
            "sign_in",
            lambda: self._until(
                self._redirect,
                lambda: self._emit(self._event(f"{self.fe.auth}.sign_in", {"form": form})),
            ),
        )
        if not target or "pe_session" not in self.cookies:
            return False
        # Signed in: the browser follows the redirect (measured as a dashboard load).
        await self.open_page("dashboard", target if isinstance(target, str) else "/")
        return True

    async def search_clients(self) -> None:
        if self.path != "/clientes":  # the search box is on the clients page
            if not await self.open_page("clients_list", "/clientes"):
                return
            await self.run.pause(self.rng.uniform(1.0, 4.0))  # typing
        names = [n for n in self.tech.clients.values() if n]
        words = [w for n in names for w in n.split() if len(w) >= 4] or ["garc"]
        word = self.rng.choice(words)
        term = word[: self.rng.randint(3, min(6, len(word)))]
        event = self._event(f"{self.fe.clients}.set_search", {"value": term})
        await self.timed(
            "search_clients",
            lambda: self._until(
                lambda d, e: True if self.fe.clients in d else None, lambda: self._emit(event)
            ),
        )

    async def record_service(self, piano_id: int) -> None:
        def editor_open(delta, events):
            return (delta.get(self.fe.services) or {}).get("editor_open_rx_state_") is True

        if not await self.open_page("service_form", f"/servicios?piano={piano_id}", editor_open):
            return
        await self.run.pause(self.rng.uniform(3.0, 12.0))  # filling in the form
        form = {
            "service_type": "tuning",
            "status": "completed",
            "service_date": date.today().isoformat(),
            "cost": str(self.rng.choice((60, 75, 85, 90, 120))),
            "duration_minutes": "60",
            "humidity_pct": str(self.rng.randint(35, 65)),
            "temperature_c": "",
            "notes": "Afinación (prueba de carga)",
            "technician_notes": "",
        }
        event = self._event(f"{self.fe.services}.save", {"form": form})

        def saved(delta, events):
            errors = (delta.get(self.fe.services) or {}).get("form_errors_rx_state_")
            if errors:
                raise ActionFailed("form refused: " + json.dumps(errors)[:80])
            return self._redirect(delta, events)

        target = await self.timed(
            "record_service", lambda: self._until(saved, lambda: self._emit(event))
        )
        if isinstance(target, str) and target.startswith("/servicios/"):
            await self.open_page("service_detail", target)

    # -- the user ------------------------------------------------------------------
    async def act(self) -> None:
        rng, tech = self.rng, self.tech
        if tech.pianos and rng.random() * 100 < self.run.args.write_percent:
            await self.record_service(rng.choice(list(tech.pianos)))
            return
        kind = rng.choices(list(READ_WEIGHTS), weights=list(READ_WEIGHTS.values()))[0]
        if kind == "piano_detail" and not tech.pianos:
            kind = "client_detail"
        if kind == "client_detail" and not tech.clients:
            kind = "clients_list"
        if kind == "dashboard":
            await self.open_page("dashboard", "/")
        elif kind == "clients_list":
            await self.open_page("clients_list", "/clientes")
        elif kind == "search_clients":
            await self.search_clients()
        elif kind == "client_detail":
            await self.open_page("client_detail", f"/clientes/{rng.choice(list(tech.clients))}")
        else:
            await self.open_page("piano_detail", f"/pianos/{rng.choice(list(tech.pianos))}")

    async def live(self, start_at: float, end_at: float) -> None:
        run = self.run
        await run.pause_until(start_at)
        if self.real_sign_in:
            ok = await self.sign_in() or await self.sign_in()  # one retry
            if self.tech.cookie is not None and not self.tech.cookie.done():
                self.tech.cookie.set_result(self.cookies["pe_session"] if ok else None)
            if not ok:
                return
        else:
            cookie = await self.tech.cookie
            if cookie is not None:
                self.cookies["pe_session"] = cookie
                if not await self.open_page("connect", "/"):
                    # Refused (e.g. a saved cookie of another JWT secret) or
                    # failed: the tab signs in with the form, once.
                    self.cookies.pop("pe_session", None)
                    cookie = None
            if cookie is None and not await self.sign_in():
                return
        await self.act_until(end_at)

    async def act_until(self, end_at: float) -> None:
        """Act after each think time (exponential, mean ``--think-mean``,
        capped at six times it) until ``end_at``, then stay connected."""
        run = self.run
        while True:
            think = min(self.rng.expovariate(1 / run.args.think_mean), run.args.think_mean * 6)
            if time.perf_counter() + think >= end_at:
                break
            await run.pause(max(0.2, think))
            await self.act()
        await run.pause_until(end_at)


# --- Resources of the server ------------------------------------------------------


class Sampler:
    """CPU and RSS of the app's processes (and MariaDB, Redis, this tool) every second."""

    def __init__(self, port: int, pids: list[int] | None, interval: float = 1.0):
        import psutil

        self.psutil = psutil
        self.port = port
        self.fixed = pids
        self.interval = interval
        self.rows: list[dict] = []
        self.app_roots: list[int] = []
        self._procs: dict[int, object] = {}
        self.me = psutil.Process()

    def _app_pids(self) -> set[int]:
        ps = self.psutil
        if self.fixed:
            roots = self.fixed
        else:
            if not self.app_roots:
                listeners = {
                    c.pid
                    for c in ps.net_connections(kind="tcp")
                    if c.status == ps.CONN_LISTEN
                    and c.laddr
                    and c.laddr.port == self.port
                    and c.pid
                }
                roots = set()
                for pid in listeners:
                    proc = ps.Process(pid)
                    while True:
                        parent = proc.parent()
                        if parent is None or not re.search(
                            r"reflex|granian", " ".join(parent.cmdline())
                        ):
                            break
                        proc = parent
                    roots.add(proc.pid)
                self.app_roots = sorted(roots)
            roots = self.app_roots
        found = set()
        for pid in roots:
            try:
                proc = ps.Process(pid)
                found.add(pid)
                found.update(child.pid for child in proc.children(recursive=True))
            except ps.NoSuchProcess:
                continue
        return found

    def _named(self, *names: str) -> set[int]:
        return {
            p.pid for p in self.psutil.process_iter(["name"]) if (p.info["name"] or "") in names
        }

    def _measure(self, pids: set[int]) -> tuple[float, int]:
        cpu, rss = 0.0, 0
        for pid in pids:
            proc = self._procs.get(pid)
            try:
                if proc is None:
                    proc = self._procs[pid] = self.psutil.Process(pid)
                    proc.cpu_percent(None)
                    continue
                cpu += proc.cpu_percent(None)
                rss += proc.memory_info().rss
            except self.psutil.NoSuchProcess:
                self._procs.pop(pid, None)
        return cpu, rss

    @staticmethod
    def _run_delay(pids: set[int]) -> float:
        """Seconds the threads of ``pids`` have spent runnable but waiting for a
        CPU (``/proc/<pid>/task/*/schedstat``): what other work on the machine
        took from the app."""
        total = 0
        for pid in pids:
            try:
                tasks = os.listdir(f"/proc/{pid}/task")
            except OSError:
                continue
            for tid in tasks:
                try:
                    with open(f"/proc/{pid}/task/{tid}/schedstat") as handle:
                        total += int(handle.read().split()[1])
                except (OSError, IndexError, ValueError):
                    continue
        return total / 1e9

    @staticmethod
    def _cpu_pressure() -> float | None:
        """``some avg10`` of ``/proc/pressure/cpu``: % of time something waited for a CPU."""
        try:
            with open("/proc/pressure/cpu") as handle:
                first = handle.readline()
            return float(re.search(r"avg10=([\d.]+)", first).group(1))
        except (OSError, AttributeError, ValueError):
            return None

    async def run(self, rec: Recorder, stop: asyncio.Event) -> None:
        db, redis = self._named("mariadbd", "mysqld"), self._named("redis-server")
        self.psutil.cpu_percent(None)
        self.me.cpu_percent(None)
        app = self._app_pids()
        self._measure(app | db | redis)
        delay_before = self._run_delay(app)
        lag_at = time.perf_counter()
        while not stop.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval)
            lag = max(0.0, time.perf_counter() - lag_at - self.interval) * 1000
            app = self._app_pids()
            app_cpu, app_rss = self._measure(app)
            db_cpu, _ = self._measure(db)
            redis_cpu, _ = self._measure(redis)
            delay = self._run_delay(app)
            waited, delay_before = max(0.0, delay - delay_before), delay
            self.rows.append(
                {
                    "t": round(rec.now(), 2),
                    "users": rec.connected,
                    "app_cpu": round(app_cpu, 1),
                    "app_rss": app_rss,
                    "app_pids": len(app),
                    "db_cpu": round(db_cpu, 1),
                    "redis_cpu": round(redis_cpu, 1),
                    "loadgen_cpu": round(self.me.cpu_percent(None), 1),
                    "machine_cpu": round(self.psutil.cpu_percent(None), 1),
                    "loop_lag_ms": round(lag, 1),
                    "app_cpu_wait": round(
                        waited / max(1e-9, time.perf_counter() - lag_at) * 100, 1
                    ),
                    "cpu_pressure": self._cpu_pressure(),
                    "load_avg": round(os.getloadavg()[0], 2),
                    "done": len(rec.samples),
                }
            )
            lag_at = time.perf_counter()


# --- Cache hit rate -----------------------------------------------------------------


def cache_service(args):
    url = args.cache_redis_url or os.environ.get("REDIS_URL")
    if args.no_cache_stats or not url:
        return None
    require_loopback(url, "--cache-redis-url")
    from piano_emotion.cache import build_cache

    namespace = args.cache_namespace or os.environ.get("CACHE_NAMESPACE") or "pe"
    return build_cache(redis_url=url, namespace=namespace)


def cache_totals(service) -> dict | None:
    if service is None:
        return None
    stats = service.stats()
    return {
        k: stats.get(k, 0) for k in ("hits", "misses", "sets", "deletes", "errors", "refreshes")
    }


# --- The run -------------------------------------------------------------------------


class Run:
    def __init__(self, args, frontend: Frontend, base: str):
        self.args = args
        self.frontend = frontend
        self.base = base
        self.rec = Recorder()
        self.connector = None
        self.reflex_version = "0.10.1"
        self.fetch_pages = True  # GET a page's HTML before its socket opens, as a browser
        self._stop = asyncio.Event()

    async def pause(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    async def pause_until(self, moment: float) -> None:
        delay = moment - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)


def load_cookies(path: str | None) -> dict[str, str]:
    if not path or not os.path.exists(path):
        return {}
    with open(path) as handle:
        return {str(k): str(v) for k, v in json.load(handle).items()}


def save_cookies(path: str, saved: dict[str, str], tabs: list[Tab]) -> None:
    """Keep each technician's latest session cookie for the next run."""
    cookies = dict(saved)
    for tab in tabs:
        if cookie := tab.cookies.get("pe_session"):
            cookies[tab.tech.email] = cookie
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(cookies, handle)


def raise_open_files(wanted: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = max(soft, wanted)
    if hard != resource.RLIM_INFINITY and target > hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, target))
            return target
        except (ValueError, OSError):
            target = hard
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return target


# -- the machine's core speed ---------------------------------------------------------
# The same code gave 8.6 and 11.1 ms of app CPU per action on two machines
# (sessions 7 and 8), and one machine's speed drifts within a session: a
# fixed piece of pure-Python work like the app's own (rows built, JSON and
# pickle round trips, sorting, string work), timed on one core before and
# after the run, tells how fast the cores were, so runs are compared by it.
CORE_SPEED_ROWS = 200
CORE_SPEED_ROUNDS = 50


def core_speed_ms(repeats: int = 7) -> float:
    """The fastest of ``repeats`` timings (ms) of the reference work on one
    core; lower is faster. The fastest, not the median: with two vCPUs a
    busy sibling (the app settling, MariaDB) halves the speed of a repeat."""
    import pickle

    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(CORE_SPEED_ROUNDS):
            rows = [
                {"id": i, "name": f"Cliente {i}", "city": "Madrid", "pianos": [i, i + 1]}
                for i in range(CORE_SPEED_ROWS)
            ]
            json.loads(json.dumps(rows))
            pickle.loads(pickle.dumps(rows))
            rows.sort(key=lambda row: (row["city"], -row["id"]))
            " ".join(row["name"].lower() for row in rows)
        times.append((time.perf_counter() - started) * 1000)
    return min(times)


def new_run(args, fe: Frontend) -> tuple[Run, int]:
    """A run against ``args.url`` (loopback only) and the app's port; call it
    inside the event loop (the connection pool belongs to it)."""
    import aiohttp

    scheme, host, port = require_loopback(args.url, "--url")
    secure = scheme in ("https", "wss")
    base = f"{'https' if secure else 'http'}://{f'[{host}]' if ':' in host else host}:{port}"
    raise_open_files(args.users * 2 + 1024)
    try:
        from reflex_base import constants

        version = constants.Reflex.VERSION
    except Exception:  # pragma: no cover
        version = "0.10.1"
    run = Run(args, fe, base)
    run.reflex_version = version
    run.connector = aiohttp.TCPConnector(limit=0, force_close=False, enable_cleanup_closed=True)
    return run, port


async def main_async(args) -> dict:
    import aiohttp

    fe = Frontend.from_app()
    run, port = new_run(args, fe)
    async with aiohttp.ClientSession(connector=run.connector, connector_owner=False) as http:
        notes = await fe.read_bundle(http, run.base)
    for note in notes:
        print("note:", note)

    rng = random.Random(args.seed)
    technicians = [
        Technician(i, args.email_pattern.format(i=i)) for i in range(1, args.technicians + 1)
    ]
    # Cookies of an earlier run (a returning user's browser still has one).
    saved = load_cookies(args.cookie_cache)
    tabs: list[Tab] = []
    for index in range(args.users):
        tech = technicians[index % len(technicians)]
        first_of_tech = index < len(technicians)
        real_sign_in = False
        if first_of_tech:
            tech.cookie = asyncio.get_running_loop().create_future()
            real_sign_in = tech.email not in saved or index < args.real_signins
            if not real_sign_in:
                tech.cookie.set_result(saved[tech.email])
        tabs.append(Tab(run, tech, index, real_sign_in=real_sign_in))
    real = sum(tab.real_sign_in for tab in tabs)
    # The first tab of each technician (the one that signs in, if any) is
    # spread evenly over the ramp; the other tabs (shuffled) fill the slots between.
    firsts, others = tabs[: len(technicians)], tabs[len(technicians) :]
    rng.shuffle(others)
    slots = {t * args.users // len(technicians) for t in range(len(technicians))}
    tabs = [firsts.pop(0) if slot in slots else others.pop() for slot in range(args.users)]

    cache = cache_service(args)
    who = f"{real} real sign-ins, {len(technicians)} technicians"
    result = await drive(args, run, tabs, port, notes, cache, who)
    if args.cookie_cache:
        save_cookies(args.cookie_cache, saved, tabs)
    return result


async def drive(args, run: Run, tabs: list, port: int, notes: list[str], cache, who: str) -> dict:
    """Start ``tabs`` evenly over the ramp, let them act until the end of the
    steady window, close them and report (the app's resources sampled every
    second, the cache's counters before and after when ``cache`` is given)."""
    speed_before = core_speed_ms()
    cache_before = await asyncio.to_thread(cache_totals, cache) if cache else None
    sampler = Sampler(port, args.server_pids, args.sample_interval)
    stop = asyncio.Event()
    rec = run.rec
    rec.t0 = time.perf_counter()
    start = time.perf_counter()
    ramp_end = start + args.ramp_seconds
    end = ramp_end + args.duration
    limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    print(
        f"load test: {args.users} users ({who}) "
        f"on {run.base}, ramp {args.ramp_seconds:.0f} s, steady {args.duration:.0f} s, "
        f"think mean {args.think_mean:.0f} s, writes {args.write_percent:g} %, open files {limit}",
        flush=True,
    )
    sampler_task = asyncio.create_task(sampler.run(rec, stop))
    progress_task = asyncio.create_task(progress(run, sampler, stop, args.progress))
    step = args.ramp_seconds / max(1, args.users)
    tasks = [asyncio.create_task(tab.live(start + i * step, end)) for i, tab in enumerate(tabs)]
    done, pending = await asyncio.wait(tasks, timeout=end - time.perf_counter() + args.timeout + 30)
    for task in pending:
        task.cancel()
    for task in done:
        if task.exception() is not None:
            rec.add("connect", time.perf_counter(), f"task crashed: {task.exception()!r}"[:120])
    wall = time.perf_counter() - start
    connected_at_end = rec.connected
    stop.set()
    await asyncio.gather(sampler_task, progress_task, return_exceptions=True)
    await asyncio.gather(*(tab.close() for tab in tabs), return_exceptions=True)
    await run.connector.close()
    # The app pushes its metrics once a second, and flushes the closed tabs' states.
    await asyncio.sleep(2.5)
    cache_after = await asyncio.to_thread(cache_totals, cache) if cache else None
    core_speed = {"before_ms": speed_before, "after_ms": core_speed_ms()}
    return report(
        args, run, sampler, wall, connected_at_end, cache_before, cache_after, notes, core_speed
    )


async def progress(run: Run, sampler: Sampler, stop: asyncio.Event, every: float) -> None:
    if every <= 0:
        return
    last = 0
    while not stop.is_set():
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
        rec = run.rec
        recent = [s for s in rec.samples[last:] if s.error is None]
        errors = sum(1 for s in rec.samples[last:] if s.error)
        last = len(rec.samples)
        row = sampler.rows[-1] if sampler.rows else {}
        print(
            f"  t={rec.now():6.0f}s users={rec.connected:5d} actions={len(recent):5d} "
            f"p95={percentile([s.ms for s in recent], 95):8.1f} ms errors={errors:4d} "
            f"app cpu={row.get('app_cpu', 0):5.0f}% rss={row.get('app_rss', 0) / 2**20:6.0f} MiB "
            f"tool cpu={row.get('loadgen_cpu', 0):4.0f}% "
            f"cpu wait={row.get('app_cpu_wait', 0):4.0f}% load={row.get('load_avg', 0):4.1f}",
            flush=True,
        )


def _avg(values):
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def steady_windows(rec: Recorder, rows: list[dict], start: float, end: float, width: float):
    """The steady window in slices of ``width`` seconds: how the round trips
    and the app's CPU per action move along a long run (a cache filling up,
    memory growing), which the whole window's figures average away."""
    windows = []
    since = start
    while since < end - 1e-9:
        until = min(since + width, end)
        # The last slice also takes the actions begun as the run wound down,
        # as the steady window's own figures do.
        last = until >= end - 1e-9
        actions = rec.summary(since, float("inf") if last else until).get("all")
        count = actions["count"] if actions else 0
        sampled = [r for r in rows if since <= r["t"] < until]
        cpu = _avg(r["app_cpu"] for r in sampled)
        windows.append(
            {
                "from": round(since, 1),
                "until": round(until, 1),
                "count": count,
                "errors": actions["errors"] if actions else 0,
                "p50": actions["p50"] if actions else float("nan"),
                "p95": actions["p95"] if actions else float("nan"),
                "app_cpu_ms_per_action": (
                    cpu / 100 * (until - since) * 1000 / count if count else None
                ),
                "app_rss_max": max((r["app_rss"] for r in sampled), default=0),
            }
        )
        since = until
    return windows


def report(
    args, run, sampler, wall, connected_at_end, cache_before, cache_after, notes, core_speed
) -> dict:
    rec = run.rec
    ramp_end = args.ramp_seconds
    whole = rec.summary()
    steady = rec.summary(since=ramp_end)
    rows = sampler.rows
    steady_rows = [r for r in rows if r["t"] >= ramp_end] or rows
    errors = Counter(
        s.error.split(":")[0] if s.error.startswith("toast") else s.error
        for s in rec.samples
        if s.error
    )
    resources = {
        "app_pids": sampler.app_roots or args.server_pids,
        "app_cpu_avg": _avg(r["app_cpu"] for r in steady_rows),
        "app_cpu_max": max((r["app_cpu"] for r in rows), default=0.0),
        "app_rss_max": max((r["app_rss"] for r in rows), default=0),
        "app_rss_end": rows[-1]["app_rss"] if rows else 0,
        "db_cpu_avg": _avg(r["db_cpu"] for r in steady_rows),
        "redis_cpu_avg": _avg(r["redis_cpu"] for r in steady_rows),
        "loadgen_cpu_avg": _avg(r["loadgen_cpu"] for r in steady_rows),
        "machine_cpu_avg": _avg(r["machine_cpu"] for r in steady_rows),
        "loop_lag_p95_ms": percentile([r["loop_lag_ms"] for r in rows], 95),
        # Runnable app threads waiting for a CPU (100 % = one thread all the time).
        "app_cpu_wait_avg": _avg(r["app_cpu_wait"] for r in steady_rows),
        "cpu_pressure_avg": _avg(r["cpu_pressure"] or 0 for r in steady_rows),
        "load_avg_mean": _avg(r["load_avg"] for r in steady_rows),
    }
    cache = None
    if cache_before and cache_after:
        delta = {k: cache_after[k] - cache_before[k] for k in cache_after}
        lookups = delta["hits"] + delta["misses"]
        cache = {**delta, "hit_rate": delta["hits"] / lookups if lookups else None}
    steady_seconds = max(1e-9, min(args.duration, wall - ramp_end))
    steady_actions = steady.get("all", {}).get("count", 0)
    # The app's CPU time per action (steady window): what capacity is made of.
    resources["app_cpu_ms_per_action"] = (
        resources["app_cpu_avg"] / 100 * steady_seconds * 1000 / steady_actions
        if steady_actions
        else None
    )
    windows = steady_windows(rec, rows, ramp_end, ramp_end + steady_seconds, args.window_seconds)
    result = {
        "label": args.label,
        "config": {k: v for k, v in vars(args).items() if k not in ("password", "json")},
        "wall_seconds": round(wall, 1),
        "users_connected_max": rec.connected_max,
        # Sockets open at once during the steady window (sampled every second).
        "users_connected_steady_min": min((r["users"] for r in steady_rows), default=0),
        "users_connected_steady_avg": _avg(r["users"] for r in steady_rows),
        "users_connected_at_end": connected_at_end,
        "whole_run": whole,
        "steady": steady,
        "steady_windows": windows,
        "actions_per_second_steady": steady_actions / steady_seconds,
        "messages_in": rec.messages_in,
        "messages_out": rec.messages_out,
        "messages_per_second": (rec.messages_in + rec.messages_out) / max(1e-9, wall),
        "errors": dict(errors.most_common()),
        "resources": resources,
        "core_speed": core_speed,
        "cache": cache,
        "notes": notes,
        "timeseries": rows,
    }
    print_report(result)
    return result


def print_report(r: dict) -> None:
    cfg = r["config"]
    print()
    print(
        f"users {cfg['users']} (connected max {r['users_connected_max']}, at end "
        f"{r['users_connected_at_end']}; during the steady window min "
        f"{r['users_connected_steady_min']}, mean {r['users_connected_steady_avg']:.0f}), "
        f"ramp {cfg['ramp_seconds']:.0f} s + steady "
        f"{cfg['duration']:.0f} s, think mean {cfg['think_mean']:.0f} s, "
        f"wall {r['wall_seconds']:.0f} s"
    )
    for title, rows in (("steady (after the ramp)", r["steady"]), ("whole run", r["whole_run"])):
        print(f"\n{title}")
        heads = ("count", "errors", "p50", "p95", "p99", "max")
        print(
            f"{'kind':16s} "
            + " ".join(f"{h:>{7 if h == 'count' else 6 if h == 'errors' else 8}s}" for h in heads)
            + "  (ms)"
        )
        print("-" * 72)
        for kind, row in rows.items():
            print(
                f"{kind:16s} {row['count']:7d} {row['errors']:6d} {row['p50']:8.1f} "
                f"{row['p95']:8.1f} {row['p99']:8.1f} {row['max']:8.1f}"
            )
    if len(r["steady_windows"]) > 1:
        print(f"\nsteady window by {cfg['window_seconds']:.0f} s")
        print(
            f"{'from (s)':>8s} {'count':>7s} {'errors':>6s} {'p50':>8s} {'p95':>8s} "
            "CPU/action RSS max"
        )
        print("-" * 72)
        for w in r["steady_windows"]:
            per_action = w["app_cpu_ms_per_action"]
            print(
                f"{w['from']:8.0f} {w['count']:7d} {w['errors']:6d} {w['p50']:8.1f} "
                f"{w['p95']:8.1f} {per_action or float('nan'):7.1f} ms "
                f"{w['app_rss_max'] / 2**30:5.2f} GiB"
            )
    res = r["resources"]
    print(
        f"\nactions/s (steady): {r['actions_per_second_steady']:.1f}   socket messages/s: "
        f"{r['messages_per_second']:.1f} ({r['messages_in']} in, {r['messages_out']} out)"
    )
    print("errors:", ", ".join(f"{n} × {k}" for k, n in r["errors"].items()) or "none")
    print(
        f"server processes {res['app_pids']}: CPU avg {res['app_cpu_avg']:.0f} % "
        f"(max {res['app_cpu_max']:.0f} %; 100 % = one core), RSS max "
        f"{res['app_rss_max'] / 2**20:.0f} MiB (end {res['app_rss_end'] / 2**20:.0f} MiB)"
    )
    per_action = res["app_cpu_ms_per_action"]
    print(
        f"  app CPU per action {per_action or float('nan'):.1f} ms; app threads waiting for a CPU "
        f"{res['app_cpu_wait_avg']:.0f} % (machine CPU pressure {res['cpu_pressure_avg']:.0f} %, "
        f"load average {res['load_avg_mean']:.1f})"
    )
    print(
        f"MariaDB CPU avg {res['db_cpu_avg']:.0f} %, Redis {res['redis_cpu_avg']:.0f} %, "
        f"this tool {res['loadgen_cpu_avg']:.0f} % (loop lag p95 {res['loop_lag_p95_ms']:.0f} ms), "
        f"machine {res['machine_cpu_avg']:.0f} % of 2 cores"
    )
    speed = r["core_speed"]
    print(
        f"core speed reference (fixed Python work on one core, lower is faster): "
        f"{speed['before_ms']:.0f} ms before the run, {speed['after_ms']:.0f} ms after"
    )
    if r["cache"]:
        c = r["cache"]
        rate = f"{c['hit_rate'] * 100:.1f} %" if c["hit_rate"] is not None else "n/a"
        print(
            f"cache hit rate during the run: {rate} ({c['hits']} hits, {c['misses']} misses, "
            f"{c['sets']} sets, {c['refreshes']} refreshes, {c['errors']} errors)"
        )
    steady = r["steady"].get("all", {})
    p95 = steady.get("p95", float("nan"))
    checks = [
        (
            f"{TARGET_USERS:,} concurrent connected users (steady window, min)",
            r["users_connected_steady_min"] >= TARGET_USERS,
            f"{r['users_connected_steady_min']:,}",
        ),
        (f"p95 round trip < {TARGET_P95_MS:.0f} ms (steady)", p95 < TARGET_P95_MS, f"{p95:.1f} ms"),
        ("no errors", not r["errors"], f"{sum(r['errors'].values())}"),
        (
            "server memory < 4 GiB",
            res["app_rss_max"] < TARGET_RSS_BYTES,
            f"{res['app_rss_max'] / 2**30:.2f} GiB",
        ),
    ]
    print()
    for name, ok, value in checks:
        print(f"  {'✓' if ok else '✗'} {name}: {value}")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", default="http://127.0.0.1:3000", help="the app (loopback only)")
    p.add_argument("--users", type=int, default=20)
    p.add_argument("--ramp-seconds", type=float, default=30.0)
    p.add_argument(
        "--duration", type=float, default=60.0, help="seconds of steady load after the ramp"
    )
    p.add_argument(
        "--think-mean", type=float, default=10.0, help="mean think time between actions (s)"
    )
    p.add_argument(
        "--technicians", type=int, default=20, help="demo technicians to spread users over"
    )
    p.add_argument("--email-pattern", default=EMAIL_PATTERN)
    p.add_argument("--password", default=DEMO_PASSWORD)
    p.add_argument(
        "--real-signins",
        type=int,
        default=0,
        help="the first tab of this many technicians signs in with the form even "
        "with a saved cookie (without one, a technician's first tab always does); "
        "the other tabs reuse their technician's cookie",
    )
    p.add_argument(
        "--cookie-cache",
        help="a JSON file of session cookies kept between runs (technician -> cookie), "
        "so returning technicians need not all sign in again",
    )
    p.add_argument(
        "--write-percent", type=float, default=5.0, help="share of actions that record a service"
    )
    p.add_argument(
        "--timeout", type=float, default=30.0, help="seconds before an action counts as failed"
    )
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--json", help="write the figures (and the per-second series) here")
    p.add_argument("--label", default="", help="a name for this run in the JSON (e.g. 1 worker)")
    p.add_argument(
        "--server-pids",
        type=lambda s: [int(x) for x in s.split(",") if x],
        help="the app's root processes (default: whoever listens on the URL's port, "
        "up to its reflex/granian parent)",
    )
    p.add_argument("--sample-interval", type=float, default=1.0)
    p.add_argument(
        "--window-seconds",
        type=float,
        default=60.0,
        help="also report the steady window in slices this long (a long run)",
    )
    p.add_argument(
        "--progress", type=float, default=10.0, help="print a progress line every N s (0: never)"
    )
    p.add_argument("--cache-redis-url", help="the cache's Redis (default: $REDIS_URL)")
    p.add_argument(
        "--cache-namespace", help="the cache namespace (default: $CACHE_NAMESPACE or pe)"
    )
    p.add_argument("--no-cache-stats", action="store_true")
    args = p.parse_args(argv)
    if (
        args.users < 1
        or args.technicians < 1
        or args.think_mean <= 0
        or args.duration <= 0
        or args.window_seconds <= 0
    ):
        p.error(
            "--users, --technicians, --think-mean, --duration and --window-seconds must be positive"
        )
    args.technicians = min(args.technicians, args.users)
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    # uvloop (in requirements, for the server) spends less CPU per message than
    # asyncio's loop: this tool shares the machine with the app it measures.
    import uvloop

    result = uvloop.run(main_async(args))
    write_json(args.json, result)
    return 0


def write_json(path: str | None, result: dict) -> None:
    if path:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "w") as handle:
            json.dump(result, handle, indent=1, default=str)
        print(f"\nfigures written to {path}")


if __name__ == "__main__":
    sys.exit(main())
