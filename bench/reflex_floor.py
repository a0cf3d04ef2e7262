"""The floor under the load test: what a page change costs with no work of ours.

``bench/floor_app`` is the smallest Reflex app with the product's page-change
shape: the browser's cookies in a leaf state, two pages whose ``on_load``
changes two vars, no database, no cache, no session check. This tool starts
it the way the product runs (``reflex run --env prod``, granian with
``--workers`` processes, Reflex's state in Redis with the same opportunistic
locking) and drives it with the load test's own browser tabs
(``bench/load_test.py``: Socket.IO, the boot hydrate in CONNECT, then
navigations that send the cookies and ``on_load_internal`` and wait for
``is_hydrated``), each acting every ``--think-mean`` seconds on average.

The figures are the load test's: round trips, actions per second, the CPU of
the app's processes per action, and the CPU of MariaDB, Redis and this tool
beside it. What the app's CPU per action is here, Reflex and its server
spend on any page change of the product before our handlers run; the
product's own figure (``bench.load_test``) minus this one is what our code
adds.

    .venv/bin/python -m bench.reflex_floor --users 1000 [--workers 4]
        [--url http://127.0.0.1:3400] [--state-redis-url redis://127.0.0.1:6379/12]
        [--ramp-seconds 50] [--duration 60] [--think-mean 10] [--json out.json]

Only loopback addresses are accepted.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench import load_test

FLOOR_APP = Path(__file__).with_name("floor_app")
# A session cookie as long as the product's (an HS256 JWT), and its language.
COOKIES = {"pe_session": "e" * 36 + "." + "p" * 120 + "." + "s" * 43, "pe_lang": "es"}
PAGES = ("/", "/b")


def floor_frontend() -> load_test.Frontend:
    """The state names the floor app compiles (Reflex's naming, without
    importing the app: its ``rx.App()`` would read this repo's rxconfig)."""
    from reflex.state import State
    from reflex_base.utils.format import to_snake_case

    cookies = f"{State.get_full_name()}.{to_snake_case('floor_app___floor_app___FloorCookies')}"
    return load_test.Frontend.with_cookies_in(cookies)


class FloorTab(load_test.Tab):
    """A tab that opens the floor app and then goes back and forth between its pages."""

    async def act(self) -> None:
        await self.open_page("page_change", PAGES[1] if self.path == PAGES[0] else PAGES[0])

    async def live(self, start_at: float, end_at: float) -> None:
        await self.run.pause_until(start_at)
        self.cookies = dict(COOKIES)
        if await self.open_page("connect", PAGES[0]):
            await self.act_until(end_at)


def start_floor_app(args, port: int) -> subprocess.Popen:
    """The floor app on ``port``, as the product runs (production mode, granian
    workers, state in Redis); returns once it answers ``/ping``."""
    load_test.require_loopback(args.state_redis_url, "--state-redis-url")
    env = {
        **os.environ,
        "REFLEX_REDIS_URL": args.state_redis_url,
        "WEB_CONCURRENCY": str(args.workers),
        "GRANIAN_WORKERS": str(args.workers),
    }
    reflex = Path(sys.executable).with_name("reflex")
    process = subprocess.Popen(
        [str(reflex), "run", "--env", "prod", "--backend-only", "--backend-port", str(port)],
        cwd=FLOOR_APP,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"the floor app stopped at start (exit {process.returncode})")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=2):
                return process
        except OSError:
            time.sleep(0.5)
    stop_floor_app(process)
    sys.exit("the floor app did not answer /ping within 120 s")


def stop_floor_app(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, 15)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)


async def main_async(args) -> dict:
    run, port = load_test.new_run(args, floor_frontend())
    run.fetch_pages = False  # a backend without a frontend build: no HTML to fetch
    tabs = [FloorTab(run, load_test.Technician(0, ""), i, False) for i in range(args.users)]
    return await load_test.drive(args, run, tabs, port, [], None, "the floor app")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--workers", type=int, default=4, help="granian worker processes")
    p.add_argument("--state-redis-url", default="redis://127.0.0.1:6379/12")
    p.add_argument("--no-start", action="store_true", help="drive an app already running on --url")
    ours, rest = p.parse_known_args(argv)
    if not any(a == "--url" or a.startswith("--url=") for a in rest):
        rest = ["--url", "http://127.0.0.1:3400", *rest]
    args = load_test.parse_args([*rest, "--write-percent", "0", "--no-cache-stats"])
    args.__dict__.update(vars(ours))
    if args.workers < 1:
        p.error("--workers must be at least 1")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    _, _, port = load_test.require_loopback(args.url, "--url")
    process = None if args.no_start else start_floor_app(args, port)
    try:
        import uvloop

        result = uvloop.run(main_async(args))
    finally:
        if process is not None:
            stop_floor_app(process)
    load_test.write_json(args.json, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
