"""End-to-end fixtures: the real app in production mode, driven by Chromium.

The app is started once per test run with ``reflex run --env prod`` on a free
port, on its own SQLite database, and stopped by process group at the end.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import CHROMIUM_PATH, chromium_available, require_service

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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
def live_app(tmp_path_factory) -> Iterator[LiveApp]:
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
