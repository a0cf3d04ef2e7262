"""Page weight of the dashboard: bytes over the wire, first and repeat visit.

Against a running production app (``reflex run --env prod``, or
``./scripts/start.sh``) with the demo data loaded (``python -m
piano_emotion.demo``)::

    python -m bench.page_weight http://127.0.0.1:3000
    python -m bench.page_weight http://127.0.0.1:3000 --json bench/results/weight.json

Headless Chromium (``/usr/bin/chromium``, Playwright) signs in with the demo
technician, then:

- **first visit**: the HTTP cache is emptied (``Network.clearBrowserCache``;
  the session cookie stays), and the dashboard (``/``) is loaded until the
  network is idle and its figures are on screen;
- **repeat visit**: ``about:blank``, then the dashboard again with the warm
  HTTP cache, as a user coming back to the tab or opening it again.

Every request is recorded through the Chrome DevTools protocol: bytes over
the wire are ``Network.loadingFinished.encodedDataLength`` (headers plus the
body as sent, compressed when it was), the decoded size is the sum of
``Network.dataReceived.dataLength``; a request answered by the memory or
disk cache costs no bytes. The websocket (``/_event``, Reflex's state
updates) is counted apart: its handshake, and the payload of its frames in
both directions (what Chromium reports; no websocket compression is
negotiated by the server, so payload ≈ wire). "shown s" is the time from
the navigation to the dashboard's figures on screen (loopback, so mostly
parsing and rendering, plus the server's answer to the page's events).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_EMAIL = "tecnico1@demo.pianoemotion.es"
DEMO_PASSWORD = "PianoDemo2026!"
SETTLE_S = 1.0


@dataclass
class Request:
    url: str
    kind: str = "Other"
    status: int = 0
    from_cache: bool = False
    wire_bytes: int = 0
    decoded_bytes: int = 0
    content_encoding: str = ""
    cache_control: str = ""
    finished: bool = False


@dataclass
class Visit:
    name: str
    requests: list[Request] = field(default_factory=list)
    ws_frames: int = 0
    ws_payload_bytes: int = 0
    ws_extensions: str = ""
    seconds: float = 0.0

    # -- figures -------------------------------------------------------------
    @property
    def network(self) -> list[Request]:
        return [r for r in self.requests if not r.from_cache and r.kind != "WebSocket"]

    @property
    def cached(self) -> list[Request]:
        return [r for r in self.requests if r.from_cache]

    @property
    def wire_bytes(self) -> int:
        return sum(r.wire_bytes for r in self.network)

    @property
    def decoded_bytes(self) -> int:
        return sum(r.decoded_bytes for r in self.requests if r.kind != "WebSocket")

    def by_kind(self) -> dict[str, dict[str, int]]:
        table: dict[str, dict[str, int]] = defaultdict(
            lambda: {"requests": 0, "from_cache": 0, "wire_bytes": 0, "decoded_bytes": 0}
        )
        for r in self.requests:
            if r.kind == "WebSocket":
                continue
            row = table[r.kind]
            row["requests"] += 1
            row["from_cache"] += int(r.from_cache)
            row["wire_bytes"] += 0 if r.from_cache else r.wire_bytes
            row["decoded_bytes"] += r.decoded_bytes
        return dict(table)

    def summary(self) -> dict[str, Any]:
        statuses: dict[str, int] = defaultdict(int)
        for r in self.network:
            statuses[str(r.status)] += 1
        return {
            "visit": self.name,
            "requests": len([r for r in self.requests if r.kind != "WebSocket"]),
            "over_network": len(self.network),
            "from_cache": len(self.cached),
            "wire_bytes": self.wire_bytes,
            "decoded_bytes": self.decoded_bytes,
            "statuses": dict(statuses),
            "ws_frames": self.ws_frames,
            "ws_payload_bytes": self.ws_payload_bytes,
            "ws_extensions": self.ws_extensions,
            "seconds": round(self.seconds, 2),
            "by_kind": self.by_kind(),
        }


class Recorder:
    """Collects the CDP network events of one page into the current ``Visit``."""

    def __init__(self, cdp) -> None:
        self.visit: Visit | None = None
        self._by_id: dict[str, Request] = {}
        for event in (
            "requestWillBeSent",
            "requestServedFromCache",
            "responseReceived",
            "dataReceived",
            "loadingFinished",
            "webSocketHandshakeResponseReceived",
            "webSocketFrameSent",
            "webSocketFrameReceived",
        ):
            cdp.on(f"Network.{event}", getattr(self, f"_{event}"))

    def start(self, name: str) -> Visit:
        self.visit = Visit(name)
        self._by_id = {}
        return self.visit

    def _request(self, event: dict) -> Request | None:
        return self._by_id.get(event["requestId"]) if self.visit else None

    def _requestWillBeSent(self, event: dict) -> None:
        if self.visit is None or event["request"]["url"].startswith("data:"):
            return
        request = Request(url=event["request"]["url"], kind=event.get("type", "Other"))
        self._by_id[event["requestId"]] = request
        self.visit.requests.append(request)

    def _requestServedFromCache(self, event: dict) -> None:
        if request := self._request(event):
            request.from_cache = True

    def _responseReceived(self, event: dict) -> None:
        if request := self._request(event):
            response = event["response"]
            request.status = response.get("status", 0)
            request.kind = event.get("type", request.kind)
            if response.get("fromDiskCache") or response.get("fromMemoryCache"):
                request.from_cache = True
            headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
            request.content_encoding = headers.get("content-encoding", "")
            request.cache_control = headers.get("cache-control", "")

    def _dataReceived(self, event: dict) -> None:
        if request := self._request(event):
            request.decoded_bytes += event.get("dataLength", 0)

    def _loadingFinished(self, event: dict) -> None:
        if request := self._request(event):
            request.wire_bytes = int(event.get("encodedDataLength", 0))
            request.finished = True

    def _webSocketHandshakeResponseReceived(self, event: dict) -> None:
        if self.visit is not None:
            headers = {k.lower(): v for k, v in event["response"].get("headers", {}).items()}
            self.visit.ws_extensions = headers.get("sec-websocket-extensions", "")

    def _frame(self, event: dict) -> None:
        if self.visit is not None:
            self.visit.ws_frames += 1
            self.visit.ws_payload_bytes += len(event["response"].get("payloadData", "").encode())

    _webSocketFrameSent = _frame
    _webSocketFrameReceived = _frame


def _wait_for_dashboard(page) -> float:
    """Wait until the dashboard shows its figures (returns when, on the
    ``perf_counter`` clock), then until the network is quiet."""
    page.get_by_test_id("month-title").wait_for()
    page.wait_for_function(
        "() => { const e = document.querySelector('[data-testid=metric-services]');"
        " return e && e.textContent.trim() !== ''; }"
    )
    shown = time.perf_counter()
    page.wait_for_load_state("networkidle")
    time.sleep(SETTLE_S)
    return shown


def measure(base_url: str, email: str, password: str) -> list[Visit]:
    from playwright.sync_api import sync_playwright

    base_url = base_url.rstrip("/")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=base_url)
        page = context.new_page()
        page.set_default_timeout(30_000)
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        recorder = Recorder(cdp)

        page.goto("/entrar")
        page.get_by_test_id("field-email").fill(email)
        page.get_by_test_id("field-password").fill(password)
        page.get_by_test_id("sign-in-submit").click()
        page.get_by_test_id("user-menu").wait_for()

        visits = []
        for name, prepare in (
            ("first", lambda: cdp.send("Network.clearBrowserCache")),
            ("repeat", lambda: None),
        ):
            page.goto("about:blank")
            prepare()
            visit = recorder.start(name)
            started = time.perf_counter()
            page.goto("/")
            visit.seconds = _wait_for_dashboard(page) - started
            recorder.visit = None
            visits.append(visit)
        context.close()
        browser.close()
    return visits


def _kb(n: int) -> str:
    return f"{n / 1024:,.1f}"


def report(visits: list[Visit], base_url: str) -> str:
    lines = [f"dashboard page weight, {base_url}/ (demo technician, Chromium headless)", ""]
    header = (
        f"{'visit':<8}{'requests':>9}{'network':>9}{'cached':>8}{'wire KiB':>10}"
        f"{'decoded KiB':>13}{'ws frames':>11}{'ws KiB':>8}{'shown s':>9}"
    )
    lines += [header, "-" * len(header)]
    for v in visits:
        s = v.summary()
        lines.append(
            f"{v.name:<8}{s['requests']:>9}{s['over_network']:>9}{s['from_cache']:>8}"
            f"{_kb(s['wire_bytes']):>10}{_kb(s['decoded_bytes']):>13}{s['ws_frames']:>11}"
            f"{_kb(s['ws_payload_bytes']):>8}{s['seconds']:>9.2f}"
        )
    for v in visits:
        lines += ["", f"{v.name} visit by resource type:"]
        sub = f"  {'type':<12}{'requests':>9}{'cached':>8}{'wire KiB':>10}{'decoded KiB':>13}"
        lines += [sub]
        for kind, row in sorted(v.by_kind().items(), key=lambda kv: -kv[1]["decoded_bytes"]):
            lines.append(
                f"  {kind:<12}{row['requests']:>9}{row['from_cache']:>8}"
                f"{_kb(row['wire_bytes']):>10}{_kb(row['decoded_bytes']):>13}"
            )
        statuses = ", ".join(f"{k}: {n}" for k, n in sorted(v.summary()["statuses"].items()))
        lines.append(f"  over the network by status: {statuses}")
        if v.name == "first":
            encodings = defaultdict(int)
            for r in v.network:
                encodings[r.content_encoding or "identity"] += 1
            lines.append(
                "  content-encoding: " + ", ".join(f"{k} {n}" for k, n in sorted(encodings.items()))
            )
            policies = defaultdict(int)
            for r in v.network:
                path = urlsplit(r.url).path
                group = "/assets/*" if path.startswith("/assets/") else "pages and other"
                policies[(group, r.cache_control or "(none)")] += 1
            for (group, policy), n in sorted(policies.items()):
                lines.append(f"  cache-control {group}: {policy} ({n})")
        lines.append(f"  websocket extensions: {v.ws_extensions or '(none)'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.page_weight", description=__doc__)
    parser.add_argument("url", help="the running app, e.g. http://127.0.0.1:3000")
    parser.add_argument("--email", default=DEMO_EMAIL)
    parser.add_argument("--password", default=DEMO_PASSWORD)
    parser.add_argument("--json", help="also write the figures (and every request) here")
    args = parser.parse_args(argv)
    visits = measure(args.url, args.email, args.password)
    print(report(visits, args.url.rstrip("/")))
    if args.json:
        data = [{**v.summary(), "request_list": [asdict(r) for r in v.requests]} for v in visits]
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as handle:
            json.dump(data, handle, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
