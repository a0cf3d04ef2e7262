"""The production app with two backend workers, on the local MariaDB and Redis.

The app runs from a private copy of the repository (``PE_WORKERS_APP_DIR``,
by default ``<tmp>/pe_workers_app_<uid>``, kept between runs so its frontend
build is reused) with ``WEB_CONCURRENCY=2``: Reflex's state in a Redis
database of its own (``REFLEX_REDIS_URL``), the cache in another
(``REDIS_URL``, a namespace of its own) and a fresh MariaDB database.

Which worker serves a browser: Chromium opens a new TCP connection for every
websocket, and the worker process that accepted it owns the socket. After a
page is loaded the test sends an event that travels only over the websocket
(a search in the clients list) and asks ``ss`` which established connection
to the app's port received bytes meanwhile, and which worker holds it.
Reloading the tab opens a new websocket, so a user's events land on one
worker, then the other, while their state lives in Redis.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP_VIEWPORT, free_port
from tests.conftest import mariadb_available, redis_available, require_service

# The first test also waits for the app (a first build in a new copy).
pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 2
START_TIMEOUT_S = 420  # a first build in a new copy; later runs reuse it
APP_DIR = Path(
    os.environ.get("PE_WORKERS_APP_DIR")
    or Path(tempfile.gettempdir()) / f"pe_workers_app_{os.getuid()}"
)
COPY_EXCLUDES = (".web", ".states", ".venv", "*.db", ".git", ".env", ".secrets", "uploaded_files")
REDIS_MARKER = "pe_workers_test:owner"
MAX_RELOADS = 12
EVENT_MIN_BYTES = 60
CLIENT_URL = re.compile(r"/clientes/(\d+)$")
DAILY_JOBS = ("purge_login_attempts", "daily_reminders", "daily_alert_sync")
ALL_JOBS = (*DAILY_JOBS, "cache_snapshot", "cache_alert_check")


@pytest.fixture(autouse=True, scope="module")
def _patient_expect():
    expect.set_options(timeout=20_000)
    yield
    expect.set_options(timeout=5_000)


# -- the app ----------------------------------------------------------------------
def _copy_repository(target: Path) -> None:
    """The working tree into ``target``, keeping its ``.web`` (the build)."""
    target.mkdir(parents=True, exist_ok=True)
    if shutil.which("rsync"):
        excludes = [f"--exclude={pattern}" for pattern in COPY_EXCLUDES]
        subprocess.run(["rsync", "-a", "--delete", *excludes, f"{ROOT}/", f"{target}/"], check=True)
        return
    shutil.copytree(ROOT, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns(*COPY_EXCLUDES))


def _claim_empty_redis_databases(count: int) -> list[int]:
    """``count`` empty databases of the local Redis, marked as ours."""
    import redis

    claimed = []
    for number in secrets.SystemRandom().sample(range(1, 16), 15):
        client = redis.Redis(host="127.0.0.1", port=6379, db=number)
        try:
            if client.dbsize() == 0 and client.set(REDIS_MARKER, os.getpid(), nx=True, ex=3600):
                claimed.append(number)
        finally:
            client.close()
        if len(claimed) == count:
            return claimed
    pytest.skip("no empty Redis database left on 127.0.0.1:6379 for the workers test")


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces, so split after ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.add(int(entry.name))
    return found


@dataclass
class WorkersApp:
    url: str
    port: int
    process: subprocess.Popen
    env: dict[str, str]
    log_path: Path
    database_url: str
    namespace: str
    state_db: int
    cache_db: int
    cron_secret: str
    owner_email: str
    owner_password: str = "Secreta123!"

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def worker_pids(self) -> set[int]:
        return _children(self.process.pid)

    def health(self) -> dict:
        # A new connection each time, so successive calls can reach either worker.
        with httpx.Client(base_url=self.url, timeout=10) as client:
            response = client.get("/api/health")
        response.raise_for_status()
        return response.json()

    def redis(self, db: int):
        import redis

        return redis.Redis(host="127.0.0.1", port=6379, db=db, decode_responses=True)

    # -- which worker holds a connection ------------------------------------------
    def connections(self) -> dict[int, tuple[int, int]]:
        """Established connections to the app: peer port -> (worker pid, bytes received)."""
        out = subprocess.run(
            ["ss", "-Htnpi", "state", "established", f"( sport = :{self.port} )"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        result: dict[int, tuple[int, int]] = {}
        peer = None
        for line in out.splitlines():
            head = re.search(rf"127\.0\.0\.1:{self.port}\s+\S+:(\d+).*?pid=(\d+)", line)
            if head:
                peer = (int(head.group(1)), int(head.group(2)))
                result[peer[0]] = (peer[1], 0)
                continue
            received = re.search(r"bytes_received:(\d+)", line)
            if peer and received:
                result[peer[0]] = (peer[1], int(received.group(1)))
        return result


def _wait_until_up(app: WorkersApp) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if app.process.poll() is not None:
            pytest.fail(f"the app exited with {app.process.returncode}:\n{app.log_tail()}")
        try:
            if (
                httpx.get(f"{app.url}/ping", timeout=2).status_code == 200
                and httpx.get(app.url, timeout=5).status_code == 200
            ):
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    pytest.fail(f"the app did not answer within {START_TIMEOUT_S}s:\n{app.log_tail()}")


@pytest.fixture(scope="module")
def workers_app(mariadb_databases, tmp_path_factory) -> Iterator[WorkersApp]:
    require_service(redis_available(), "Redis on 127.0.0.1:6379")
    require_service(mariadb_available(), "MariaDB on 127.0.0.1:3306")
    require_service(shutil.which("ss") is not None, "ss (iproute2)")
    _copy_repository(APP_DIR)
    state_db, cache_db = _claim_empty_redis_databases(2)
    port = free_port()
    database_url = mariadb_databases.create()
    namespace = f"pw{secrets.token_hex(3)}"
    cron_secret = secrets.token_urlsafe(24)
    owner_email = f"owner-{secrets.token_hex(4)}@example.es"
    env = {
        **os.environ,
        "NODE_ENV": "production",
        "DATABASE_URL": database_url,
        "JWT_SECRET": secrets.token_urlsafe(48),
        "APP_URL": f"http://127.0.0.1:{port}",
        "REFLEX_REDIS_URL": f"redis://127.0.0.1:6379/{state_db}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{cache_db}",
        "CACHE_NAMESPACE": namespace,
        "WEB_CONCURRENCY": str(WORKERS),
        "OWNER_OPEN_ID": owner_email,
        "CRON_SECRET": cron_secret,
        "REFLEX_TELEMETRY_ENABLED": "false",
        "PYTHONUNBUFFERED": "1",
    }
    for name in (
        "GRANIAN_WORKERS",
        "UPSTASH_REDIS_REST_URL",
        "UPSTASH_REDIS_REST_TOKEN",
        "STRIPE_SECRET_KEY",
        "STRIPE_API_BASE",
        "APP_ENV",
    ):
        env.pop(name, None)
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [sys.executable, "-m", "piano_emotion.manage", "migrate"],
        cwd=APP_DIR,
        env=env,
        check=True,
        capture_output=True,
    )
    log_path = tmp_path_factory.mktemp("workers_app") / "app.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(bin_dir / "reflex"),
                *("run", "--env", "prod"),
                *("--frontend-port", str(port), "--backend-port", str(port)),
            ],
            cwd=APP_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    app = WorkersApp(
        url=f"http://127.0.0.1:{port}",
        port=port,
        process=process,
        env=env,
        log_path=log_path,
        database_url=database_url,
        namespace=namespace,
        state_db=state_db,
        cache_db=cache_db,
        cron_secret=cron_secret,
        owner_email=owner_email,
    )
    try:
        _wait_until_up(app)
        yield app
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        # Only what this run wrote: Reflex's state keys and the cache's namespace.
        for db, patterns in (
            (state_db, ("*_reflex___state*", "*_lock")),
            (cache_db, (f"{namespace}:*",)),
        ):
            client = app.redis(db)
            for pattern in patterns:
                for key in client.scan_iter(match=pattern, count=1000):
                    client.delete(key)
            client.delete(REDIS_MARKER)
            client.close()


@pytest.fixture
def new_page(browser, workers_app):
    contexts = []

    def make() -> Page:
        context = browser.new_context(viewport=DESKTOP_VIEWPORT, base_url=workers_app.url)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        return page

    yield make
    for context in contexts:
        context.close()


# -- browser helpers --------------------------------------------------------------
def sign_up(page: Page, name: str, email: str, password: str = "Secreta123!") -> None:
    """Create a local account. The page is prerendered HTML, so a click that
    comes before React has hydrated it (a loaded machine) would submit the
    form natively and be lost: wait for the page's websocket first (opened
    once the app runs in the page)."""
    with page.expect_websocket():
        page.goto("/registro")
    page.get_by_test_id("field-name").fill(name)
    page.get_by_test_id("field-email").fill(email)
    page.get_by_test_id("field-password").fill(password)
    page.get_by_test_id("field-password_confirm").fill(password)
    page.get_by_test_id("sign-up-submit").click()
    page.get_by_test_id("user-menu").wait_for()


def wait_for_list(page: Page) -> None:
    expect(
        page.get_by_test_id("list-total").or_(page.get_by_test_id("empty-state"))
    ).to_be_visible()


def create_client(page: Page, name: str) -> None:
    page.goto("/clientes")
    wait_for_list(page)
    page.get_by_test_id("client-new").click()
    editor = page.get_by_test_id("client-editor")
    expect(editor).to_be_visible()
    editor.get_by_test_id("field-name").fill(name)
    page.get_by_test_id("client-save").click()
    expect(page).to_have_url(CLIENT_URL)
    expect(page.get_by_test_id("client-name")).to_have_text(name)


def search_clients(app: WorkersApp, page: Page, query: str, expected: list[str]) -> int:
    """Search the clients list (an event over the websocket only) and return
    the worker that handled it."""
    search = page.get_by_test_id("clients-search")
    assert search.input_value() != query, "typing the same search sends no event"
    before = app.connections()
    search.fill(query)
    links = page.get_by_test_id("clients-table").get_by_test_id("client-link")
    if expected:
        expect(links).to_have_text(expected)
    else:
        expect(page.get_by_test_id("empty-state")).to_be_visible()
    # The list may already look like the answer (an empty list searched for
    # nothing): wait until the event's frame has reached a worker.
    deadline = time.monotonic() + 10
    while True:
        after = app.connections()
        # An event frame is a few hundred bytes; a heartbeat of another open
        # page's websocket (engine.io pong) only a few.
        grew = {
            pid
            for port, (pid, received) in after.items()
            if received - before.get(port, (pid, 0))[1] >= EVENT_MIN_BYTES
        }
        if grew or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(grew) == 1, f"expected one websocket to carry the event, saw {before} -> {after}"
    return grew.pop()


def websocket_worker(app: WorkersApp, page: Page) -> int:
    """The worker of the page's current websocket: go to the clients list
    within the app (the same websocket) and search there."""
    sockets = []

    def opened(websocket) -> None:
        sockets.append(websocket.url)

    page.on("websocket", opened)
    page.get_by_test_id("sidebar").get_by_test_id("nav-clients").click()
    wait_for_list(page)
    worker = search_clients(app, page, f"zz-{secrets.token_hex(3)}", [])
    page.get_by_test_id("clients-search").fill("")
    wait_for_list(page)
    page.remove_listener("websocket", opened)
    assert sockets == [], "the navigation opened a new websocket"
    return worker


def metric_number(page: Page, test_id: str) -> int:
    return int(re.sub(r"\D", "", page.get_by_test_id(test_id).inner_text()) or 0)


# -- tests ------------------------------------------------------------------------
def test_two_workers_serve_one_port_with_cache_headers(workers_app):
    app = workers_app
    pids = app.worker_pids()
    assert len(pids) == WORKERS, f"worker processes: {pids}\n{app.log_tail()}"
    seen = set()
    for _ in range(40):
        health = app.health()
        assert health["status"] == "ok"
        assert health["server"] == {"workers": WORKERS, "ui_state": "redis"}
        seen.add(health["worker"])
        if seen == pids:
            break
    assert seen == pids

    # The real build: pages revalidate, content-hashed assets are immutable,
    # both come precompressed (brotli when accepted, else gzip).
    with httpx.Client(base_url=app.url, headers={"Accept-Encoding": "gzip"}) as http:
        page = http.get("/")
        assert page.headers["cache-control"] == "no-cache"
        assert page.headers["content-encoding"] == "gzip"
        assert page.headers["etag"] and page.headers["last-modified"]
        again = http.get("/", headers={"If-None-Match": page.headers["etag"]})
        assert again.status_code == 304
        assert again.headers["cache-control"] == "no-cache"
        assets = sorted(set(re.findall(r'/assets/[^"\'\s]+\.(?:js|css)', page.text)))
        assert assets
        compressed = 0
        for path in assets:
            for encoding in ("gzip", "br"):
                asset = http.get(path, headers={"Accept-Encoding": encoding})
                assert asset.status_code == 200, path
                assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
                # The build leaves files under 256 bytes as they are.
                if asset.headers.get("content-encoding") == encoding:
                    compressed += 1
                else:
                    assert int(asset.headers["content-length"]) < 256, path
        assert compressed >= len(assets)  # most of them, in both encodings
        health = http.get("/api/health")
        assert health.headers["cache-control"] == "no-store"
        assert health.headers["content-encoding"] == "gzip"


def test_a_users_events_reach_both_workers_and_keep_one_state(workers_app, new_page):
    app = workers_app
    page = new_page()
    sign_up(page, "Técnica Multiproceso", f"workers-{secrets.token_hex(4)}@example.es")
    create_client(page, "Ana Trabajadora")
    create_client(page, "Bruno Trabajador")
    page.goto("/clientes")
    wait_for_list(page)
    workers = [search_clients(app, page, "Ana", ["Ana Trabajadora"])]
    queries = [("Bruno", ["Bruno Trabajador"]), ("Ana", ["Ana Trabajadora"])]
    for attempt in range(MAX_RELOADS):
        previous = queries[(attempt + 1) % 2][0]
        # A reload opens a new websocket (maybe to the other worker); the tab
        # keeps its Reflex token, so the state comes back from Redis: still
        # signed in, the search typed before the reload is still there and
        # still applied.
        page.reload()
        expect(page.get_by_test_id("user-menu")).to_be_visible()
        expect(page.get_by_test_id("clients-search")).to_have_value(previous)
        links = page.get_by_test_id("clients-table").get_by_test_id("client-link")
        expect(links).to_have_count(1)
        query, expected = queries[attempt % 2]
        workers.append(search_clients(app, page, query, expected))
        if len(set(workers)) == WORKERS and attempt >= 2:
            break
    assert set(workers) == app.worker_pids(), f"events were handled by {workers}"

    # A new tab is a new Reflex session: the sign-in cookie still opens it,
    # and the data written through either worker is there.
    other = page.context.new_page()
    other.goto("/clientes")
    wait_for_list(other)
    expect(other.get_by_test_id("clients-search")).to_have_value("")
    expect(other.get_by_test_id("clients-table").get_by_test_id("client-link")).to_have_count(2)


def test_the_owner_guard_holds_on_every_worker(workers_app, new_page):
    app = workers_app
    page = new_page()
    sign_up(page, "Técnico Curioso", f"nosy-{secrets.token_hex(4)}@example.es")
    denied_on = set()
    for _ in range(MAX_RELOADS):
        page.goto("/monitor-cache")
        expect(page.get_by_test_id("access-denied")).to_be_visible()
        expect(page.get_by_test_id("access-denied")).to_contain_text("Acceso denegado")
        expect(page.get_by_test_id("monitor-page")).to_have_count(0)
        denied_on.add(websocket_worker(app, page))
        if denied_on == app.worker_pids():
            break
    assert denied_on == app.worker_pids()
    # The monitor's API route refuses the same session whichever worker answers.
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    for _ in range(6):
        with httpx.Client(base_url=app.url, cookies=cookies) as http:
            response = http.get("/api/monitor/history.csv")
        assert response.status_code == 403
        assert response.json() == {"error": "Acceso denegado"}


def test_cache_metrics_are_fleet_wide(workers_app, new_page):
    app = workers_app
    owner = new_page()
    sign_up(owner, "Owner", app.owner_email, app.owner_password)
    technician = new_page()
    sign_up(technician, "Técnica Métricas", f"metrics-{secrets.token_hex(4)}@example.es")
    create_client(technician, "Carla Métrica")

    owner.goto("/monitor-cache")
    expect(owner.get_by_test_id("monitor-page")).to_be_visible()
    owner_worker = websocket_worker(app, owner)
    owner.get_by_test_id("sidebar").get_by_test_id("nav-monitor").click()
    expect(owner.get_by_test_id("monitor-page")).to_be_visible()

    # The technician's websocket on the other worker.
    technician.goto("/clientes")
    wait_for_list(technician)
    for attempt in range(MAX_RELOADS):
        # The search survives the reload: each attempt types another one.
        query = ("Carla", "Métrica")[attempt % 2]
        tech_worker = search_clients(app, technician, query, ["Carla Métrica"])
        if tech_worker != owner_worker:
            break
        technician.reload()
        wait_for_list(technician)
    assert tech_worker != owner_worker

    cache = app.redis(app.cache_db)
    metrics_key = f"{app.namespace}:metrics"

    def fleet_operations() -> int:
        fields = cache.hgetall(metrics_key)
        return sum(int(fields.get(name, 0)) for name in ("hits", "misses", "sets", "deletes"))

    time.sleep(1.5)  # each worker pushes its counts every second
    before = fleet_operations()
    for query in ("Carl", "Carla M", "zz-none"):
        search_clients(app, technician, query, [] if query.startswith("zz") else ["Carla Métrica"])
    deadline = time.monotonic() + 10
    while fleet_operations() <= before and time.monotonic() < deadline:
        time.sleep(0.5)
    after = fleet_operations()
    assert after > before, "the technician's worker did not push its cache counts"

    # The owner's worker reports the figures of both workers.
    owner.get_by_test_id("monitor-refresh").click()
    expect(owner.get_by_test_id("metric-operations")).not_to_have_text("")
    deadline = time.monotonic() + 10
    while metric_number(owner, "metric-operations") < after and time.monotonic() < deadline:
        owner.get_by_test_id("monitor-refresh").click()
        time.sleep(1)
    assert metric_number(owner, "metric-operations") >= after

    # Reflex's state and the cache live apart: no cache key in the state
    # database, and only namespaced keys (plus the test's marker) in the cache's.
    state_keys = set(app.redis(app.state_db).scan_iter(count=1000)) - {REDIS_MARKER}
    cache_keys = set(cache.scan_iter(count=1000)) - {REDIS_MARKER}
    assert state_keys and cache_keys
    assert not any(key.startswith(f"{app.namespace}:") for key in state_keys)
    assert all(key.startswith(f"{app.namespace}:") for key in cache_keys)


def test_a_job_runs_once_however_many_workers_are_asked(workers_app):
    import sqlalchemy as sa

    from piano_emotion.db import create_engine_for

    app = workers_app
    results: dict[str, list[dict]] = {job: [] for job in ALL_JOBS}
    lock = threading.Lock()
    start = threading.Barrier(6 * len(ALL_JOBS))

    def call(job: str) -> None:
        with httpx.Client(base_url=app.url, timeout=60) as http:
            start.wait()
            response = http.post(
                f"/api/cron/{job}", headers={"Authorization": f"Bearer {app.cron_secret}"}
            )
        with lock:
            results[job].append({"http": response.status_code, **response.json()})

    threads = [threading.Thread(target=call, args=(job,)) for job in ALL_JOBS for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)

    answered_by = set()
    for job, runs in results.items():
        assert len(runs) == 6, job
        assert {r["http"] for r in runs} == {200}, runs
        statuses = [r["status"] for r in runs]
        assert statuses.count("success") <= 1 and set(statuses) <= {"success", "skipped"}, runs
        if job in DAILY_JOBS:  # nobody else runs these at this hour
            assert statuses.count("success") == 1, runs
        answered_by |= {r["worker"] for r in runs}
    assert answered_by == app.worker_pids()

    engine = create_engine_for(app.database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT job_name, period_key, COUNT(*) FROM job_runs "
                    "GROUP BY job_name, period_key"
                )
            ).all()
    finally:
        engine.dispose()
    per_job = {}
    for job, _period, count in rows:
        assert count == 1
        per_job[job] = per_job.get(job, 0) + 1
    for job in DAILY_JOBS:
        assert per_job.get(job) == 1


def _bench_figures(module: str, *args: str, out: Path, cwd: Path, timeout: float, env=None):
    """The figures ``python -m <module> <args>`` writes to ``out`` (its
    ``--json``), after checking it ended well."""
    import json

    run = subprocess.run(
        [sys.executable, "-m", module, *args, "--progress", "0", "--json", str(out)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return json.loads(out.read_text())


def test_the_load_test_drives_both_workers_without_errors(workers_app, tmp_path):
    """``bench/load_test.py`` in miniature: a few technicians' tabs sign in over
    the Socket.IO protocol, open every page kind, search and record services,
    with every round trip measured and no error."""

    app = workers_app
    env = {**app.env, "DATABASE_URL": app.database_url}
    subprocess.run(
        [sys.executable, "-m", "piano_emotion.demo", "--technicians", "2", "--quiet"],
        cwd=APP_DIR,
        env=env,
        check=True,
        capture_output=True,
    )
    result = _bench_figures(
        "bench.load_test",
        *("--url", app.url, "--users", "6", "--technicians", "2", "--ramp-seconds", "3"),
        *("--duration", "20", "--think-mean", "1.5", "--write-percent", "25"),
        *("--window-seconds", "10"),
        out=tmp_path / "load.json",
        cwd=APP_DIR,
        env=env,
        timeout=180,
    )
    assert result["errors"] == {}, result["errors"]
    assert result["users_connected_max"] == 6
    kinds = result["whole_run"]
    for kind in ("connect", "sign_in", "dashboard", "record_service", "service_detail"):
        assert kinds.get(kind, {}).get("count", 0) >= 1, (kind, sorted(kinds))
    assert all(0 < kinds[k]["p95"] < 30_000 for k in kinds if kinds[k]["count"])
    # The steady window in two 10 s slices that count every steady action once.
    windows = result["steady_windows"]
    assert [(w["from"], w["until"]) for w in windows] == [(3.0, 13.0), (13.0, 23.0)]
    assert sum(w["count"] for w in windows) == result["steady"]["all"]["count"]
    assert all(w["p95"] > 0 and w["app_cpu_ms_per_action"] > 0 for w in windows)
    # Both workers' processes are what was sampled, and the cache counted the run.
    assert result["resources"]["app_rss_max"] > 0
    assert result["cache"] and result["cache"]["hits"] + result["cache"]["misses"] > 0
    # How fast the cores were, to compare runs on different machines.
    assert all(0 < result["core_speed"][when] < 60_000 for when in ("before_ms", "after_ms"))


def test_the_reflex_floor_bench_drives_its_own_two_worker_app(tmp_path):
    """``bench/reflex_floor.py`` in miniature: it starts the floor app the
    way the product runs (production mode, two granian workers, Reflex's
    state in the local Redis), drives page changes with the load test's
    tabs, reports them without error, and stops the app."""
    from tests.conftest import REDIS_TEST_URL

    require_service(redis_available(), "Redis")
    port = free_port()
    result = _bench_figures(
        "bench.reflex_floor",
        *("--url", f"http://127.0.0.1:{port}", "--workers", "2"),
        *("--state-redis-url", REDIS_TEST_URL),
        *("--users", "6", "--ramp-seconds", "2", "--duration", "8", "--think-mean", "1"),
        out=tmp_path / "floor.json",
        cwd=ROOT,
        timeout=240,
    )
    assert result["errors"] == {}, result["errors"]
    assert result["users_connected_max"] == 6
    changes = result["whole_run"]["page_change"]
    assert changes["count"] >= 6 and 0 < changes["p95"] < 30_000
    assert result["resources"]["app_rss_max"] > 0
    with pytest.raises(httpx.ConnectError):  # the tool stopped the app it started
        httpx.get(f"http://127.0.0.1:{port}/ping", timeout=2)
