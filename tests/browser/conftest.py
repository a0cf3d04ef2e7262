"""End-to-end fixtures: the real app in production mode, driven by Chromium.

The app is started once per test run with ``reflex run --env prod`` on a free
port, on its own SQLite database, and stopped by process group at the end.
Stripe is on, with test keys, and its API is a local fake (``FakeStripe``):
the app's Checkout Sessions are created there and their pages served there.
"""

from __future__ import annotations

import contextlib
import html
import itertools
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from tests.conftest import CHROMIUM_PATH, chromium_available, require_service
from tests.stripe_support import STRIPE_KEY, WEBHOOK_SECRET, StripeRequest

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 240
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE_VIEWPORT = {"width": 390, "height": 844}
DESKTOP_VIEWPORT = {"width": 1280, "height": 800}
# The platform owner of the live app (a local account, signed up by the tests
# that need it) and the secret of its ``POST /api/cron/<job>`` route.
OWNER_EMAIL = "owner@example.es"
CRON_SECRET = "cron-" + secrets.token_urlsafe(24)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- a fake Stripe ------------------------------------------------------------------
CHECKOUT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fake Stripe Checkout</title></head>
<body>
<h1 data-testid="checkout-title">Fake Stripe Checkout</h1>
<p data-testid="checkout-session">{id}</p>
<p data-testid="checkout-amount">{amount} {currency}</p>
<a data-testid="checkout-pay" href="{success_url}">Pay</a>
<a data-testid="checkout-cancel" href="{cancel_url}">Cancel</a>
</body></html>
"""


@dataclass
class FakeStripe:
    """Stripe at the HTTP boundary, on 127.0.0.1: ``POST /v1/checkout/sessions``
    records the form-encoded request (``received``) and answers with a
    Checkout Session whose ``url`` is ``GET /checkout/<id>`` on this same
    server: a page with "Pay" (to the session's ``success_url``) and "Cancel"
    links. A repeated ``Idempotency-Key`` gets the same session back, as
    from Stripe."""

    received: list[StripeRequest] = field(default_factory=list)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._by_key: dict[str, str] = {}
        self._counter = itertools.count(1)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Request-Id", f"req_{secrets.token_hex(6)}")
                self.end_headers()
                self.wfile.write(body)

            def _json(self, status: int, data: dict[str, Any]) -> None:
                self._send(status, json.dumps(data).encode(), "application/json")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                request = StripeRequest(
                    "POST",
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    dict(parse_qsl(body, keep_blank_values=True)),
                )
                with outer._lock:
                    outer.received.append(request)
                if self.path.split("?", 1)[0] != "/v1/checkout/sessions":
                    error = {"type": "invalid_request_error", "message": "Unrecognized URL"}
                    self._json(404, {"error": error})
                    return
                self._json(200, outer._checkout_session(request))

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                session = outer.sessions.get(path.removeprefix("/checkout/"))
                if not path.startswith("/checkout/") or session is None:
                    self._send(404, b"not found", "text/plain")
                    return
                page = CHECKOUT_PAGE.format(
                    **{k: html.escape(str(session[k]), quote=True) for k in ("id", "currency")},
                    amount=session["amount_total"],
                    success_url=html.escape(
                        session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"])
                    ),
                    cancel_url=html.escape(session["cancel_url"]),
                )
                self._send(200, page.encode(), "text/html; charset=utf-8")

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def _checkout_session(self, request: StripeRequest) -> dict[str, Any]:
        form = request.form
        key = request.headers.get("idempotency-key", "")
        with self._lock:
            if key and key in self._by_key:
                return self.sessions[self._by_key[key]]
            session_id = f"cs_test_{next(self._counter)}_{secrets.token_hex(4)}"
            session = {
                "id": session_id,
                "object": "checkout.session",
                "mode": form.get("mode", "payment"),
                "url": f"{self.url}/checkout/{session_id}",
                "payment_status": "unpaid",
                "status": "open",
                "amount_total": int(form.get("line_items[0][price_data][unit_amount]") or 0),
                "currency": form.get("line_items[0][price_data][currency]", ""),
                "client_reference_id": form.get("client_reference_id"),
                "customer_email": form.get("customer_email"),
                "metadata": {
                    name.removeprefix("metadata[").removesuffix("]"): value
                    for name, value in form.items()
                    if name.startswith("metadata[")
                },
                "success_url": form.get("success_url", ""),
                "cancel_url": form.get("cancel_url", ""),
            }
            self.sessions[session_id] = session
            if key:
                self._by_key[key] = session_id
            return session

    def checkout_requests(self, invoice_id: int) -> list[StripeRequest]:
        """The Checkout Session requests made for one invoice."""
        return [
            r
            for r in list(self.received)
            if r.path.startswith("/v1/checkout/sessions")
            and r.form.get("metadata[invoice_id]") == str(invoice_id)
        ]

    def start(self) -> FakeStripe:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)


@pytest.fixture(scope="session")
def fake_stripe() -> Iterator[FakeStripe]:
    server = FakeStripe().start()
    try:
        yield server
    finally:
        server.stop()


# -- the app -------------------------------------------------------------------------
@dataclass
class LiveApp:
    url: str
    database_url: str
    env: dict[str, str]
    log_path: Path

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _wait_until_up(url: str, process: subprocess.Popen, live: LiveApp) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the app exited with {process.returncode}:\n{live.log_tail()}")
        try:
            if (
                httpx.get(f"{url}/ping", timeout=2).status_code == 200
                and httpx.get(url, timeout=5).status_code == 200
            ):
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    pytest.fail(f"the app did not answer within {START_TIMEOUT_S}s:\n{live.log_tail()}")


@pytest.fixture(scope="session")
def live_app(tmp_path_factory, fake_stripe) -> Iterator[LiveApp]:
    workdir = tmp_path_factory.mktemp("live_app")
    port = free_port()
    database_url = f"sqlite:///{workdir / 'app.db'}"
    env = {
        **os.environ,
        "NODE_ENV": "production",
        "DATABASE_URL": database_url,
        "JWT_SECRET": secrets.token_urlsafe(48),
        "APP_URL": f"http://127.0.0.1:{port}",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "PYTHONUNBUFFERED": "1",
        # Stripe on, in test mode, against the fake (payment links, webhook).
        "STRIPE_SECRET_KEY": STRIPE_KEY,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY": "pk_test_" + "c3" * 12,
        "STRIPE_API_BASE": fake_stripe.url,
        "OWNER_OPEN_ID": OWNER_EMAIL,
        "CRON_SECRET": CRON_SECRET,
    }
    for name in ("REDIS_URL", "UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"):
        env.pop(name, None)
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [sys.executable, "-m", "piano_emotion.manage", "migrate"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    log_path = workdir / "app.log"
    live = LiveApp(
        url=f"http://127.0.0.1:{port}", database_url=database_url, env=env, log_path=log_path
    )
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(bin_dir / "reflex"),
                "run",
                "--env",
                "prod",
                "--frontend-port",
                str(port),
                "--backend-port",
                str(port),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_up(live.url, process, live)
        yield live
    finally:
        # Stop the whole process group so no node/granian child is orphaned.
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def browser():
    require_service(chromium_available(), f"Chromium ({CHROMIUM_PATH})")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_app):
    context = browser.new_context(viewport=DESKTOP_VIEWPORT, base_url=live_app.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_app):
    context = browser.new_context(
        viewport=PHONE_VIEWPORT, base_url=live_app.url, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def sign_up(page, name: str, email: str, password: str = "Secreta123!") -> None:
    """Create a local account through the sign-up page (lands on the home page)."""
    page.goto("/registro")
    page.get_by_test_id("field-name").fill(name)
    page.get_by_test_id("field-email").fill(email)
    page.get_by_test_id("field-password").fill(password)
    page.get_by_test_id("field-password_confirm").fill(password)
    page.get_by_test_id("sign-up-submit").click()
    page.get_by_test_id("user-menu").wait_for()


def sign_in(page, email: str, password: str, *, navigate: bool = True) -> None:
    if navigate:
        page.goto("/entrar")
    page.get_by_test_id("field-email").fill(email)
    page.get_by_test_id("field-password").fill(password)
    page.get_by_test_id("sign-in-submit").click()


def unique_email(prefix: str = "tecnico") -> str:
    return f"{prefix}-{secrets.token_hex(4)}@example.es"


@pytest.fixture
def signed_in_page(page):
    """A desktop page signed in as a brand-new technician."""
    sign_up(page, "Técnica de Prueba", unique_email())
    return page


@pytest.fixture
def signed_in_phone_page(phone_page):
    sign_up(phone_page, "Técnico Móvil", unique_email("movil"))
    return phone_page
