"""The owner's cache monitor (issue #8) in a real browser.

The live app's owner is ``OWNER_EMAIL`` (a local account, signed up once per
module); its cache is the in-process one ("Memoria (Desarrollo)"). The owner
browses a few pages (cache hits and misses), the two monitor jobs run through
``POST /api/cron/<job>``, and ``/monitor-cache`` shows the figures, the
history charts, the jobs, the post-deploy checks and the cache actions. A
technician gets "Acceso denegado" and no data, in the page and in the API.
"""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from piano_emotion.db import create_engine_for
from piano_emotion.models import CacheMetricSnapshot
from piano_emotion.models.enums import CacheMode
from piano_emotion.models.types import utcnow
from tests.browser.conftest import (
    CRON_SECRET,
    DESKTOP_VIEWPORT,
    OWNER_EMAIL,
    PHONE_VIEWPORT,
    LiveApp,
    sign_up,
)

pytestmark = pytest.mark.browser

MONITOR_JOBS = ("cache_snapshot", "cache_alert_check")
METRIC_CARDS = ("monitor-connection", "monitor-hit-rate", "monitor-latency", "monitor-totals")


@pytest.fixture(autouse=True, scope="module")
def _patient_expect():
    """UI assertions wait up to 15 s (the app answers over a websocket)."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


@pytest.fixture(scope="module")
def owner_state(browser, live_app) -> dict:
    """The owner's signed-in browser storage (the account is signed up once)."""
    context = browser.new_context(viewport=DESKTOP_VIEWPORT, base_url=live_app.url)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_up(page, "Dueña", OWNER_EMAIL)
        expect(page.get_by_test_id("owner-badge")).to_be_visible()
        return context.storage_state()
    finally:
        context.close()


@pytest.fixture
def owner_page(browser, live_app, owner_state):
    def make(viewport: dict = DESKTOP_VIEWPORT, **options) -> Page:
        context = browser.new_context(
            viewport=viewport, base_url=live_app.url, storage_state=owner_state, **options
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    contexts = []
    yield make
    for context in contexts:
        context.close()


# -- helpers ---------------------------------------------------------------------
def toast(page: Page, text: str | re.Pattern):
    return page.locator("[data-sonner-toast]").filter(has_text=text).first


def wait_for_list(page: Page) -> None:
    expect(
        page.get_by_test_id("list-total").or_(page.get_by_test_id("empty-state"))
    ).to_be_visible()


def number(page: Page, test_id: str) -> int:
    """A whole number as the page shows it (``1.234`` in Spanish)."""
    text = page.get_by_test_id(test_id).inner_text()
    digits = re.sub(r"\D", "", text)
    assert digits, f"{test_id} shows {text!r}"
    return int(digits)


def run_cron(live_app: LiveApp, job: str) -> dict:
    response = httpx.post(
        f"{live_app.url}/api/cron/{job}",
        headers={"Authorization": f"Bearer {CRON_SECRET}"},
        timeout=60,
    )
    assert response.status_code == 200, (response.status_code, response.text)
    run = response.json()
    # "skipped": the in-app scheduler already ran it in this period.
    assert run["status"] in {"success", "skipped"}, run
    return run


def add_earlier_snapshots(live_app: LiveApp) -> None:
    """Two hourly snapshots before now (one snapshot alone draws no line)."""
    now = utcnow()
    engine = create_engine_for(live_app.database_url)
    try:
        with Session(engine) as session:
            for hours_ago, (hits, misses) in ((2, (6, 4)), (1, (15, 5))):
                session.add(
                    CacheMetricSnapshot(
                        taken_at=now - timedelta(hours=hours_ago, minutes=5),
                        mode=CacheMode.MEMORY,
                        hits=hits,
                        misses=misses,
                        sets=misses,
                        delta_hits=hits,
                        delta_misses=misses,
                        delta_sets=misses,
                        hit_rate=round(100.0 * hits / (hits + misses), 2),
                        interval_hit_rate=round(100.0 * hits / (hits + misses), 2),
                        latency_avg_ms=0.05,
                        latency_p50_ms=0.03,
                        latency_p95_ms=0.2,
                        latency_p99_ms=0.4,
                        keys=misses,
                    )
                )
            session.commit()
    finally:
        engine.dispose()


def open_monitor(page: Page) -> None:
    page.goto("/monitor-cache")
    expect(page.get_by_test_id("monitor-page")).to_be_visible()
    expect(page.get_by_test_id("cache-mode")).not_to_be_empty()


# -- the owner -------------------------------------------------------------------
def test_owner_sees_the_figures_charts_jobs_and_actions(owner_page, live_app):
    page = owner_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    # Cache traffic: the same lists and the dashboard read again and again.
    for _ in range(3):
        page.goto("/clientes")
        wait_for_list(page)
        page.goto("/")
        expect(page.get_by_test_id("metric-services")).to_be_visible()
        page.goto("/pianos")
        wait_for_list(page)

    add_earlier_snapshots(live_app)
    for job in MONITOR_JOBS:
        run_cron(live_app, job)

    open_monitor(page)
    # The bell is in the owner's top bar.
    expect(page.get_by_test_id("owner-bell")).to_be_visible()

    # Connection and mode.
    connection = page.get_by_test_id("monitor-connection")
    expect(connection.get_by_test_id("cache-mode")).to_have_text("Memoria (Desarrollo)")
    expect(connection.get_by_test_id("cache-up")).to_have_text("Conectada")
    expect(connection.get_by_test_id("cache-rtt")).to_contain_text("ms")

    # Current figures: hits, misses and a hit rate above zero.
    hit_rate = page.get_by_test_id("monitor-hit-rate")
    expect(hit_rate.get_by_test_id("metric-hits")).not_to_have_text(re.compile(r"^0?$"))
    expect(hit_rate.get_by_test_id("metric-misses")).not_to_have_text(re.compile(r"^0?$"))
    assert number(page, "metric-hits") > 0
    assert number(page, "metric-misses") > 0
    expect(page.get_by_test_id("hit-rate")).to_have_text(re.compile(r"^\d+(,\d)? %$"))
    expect(page.get_by_test_id("hit-rate")).not_to_have_text("0,0 %")
    assert number(page, "metric-operations") >= number(page, "metric-hits") + number(
        page, "metric-misses"
    )

    # The latency card: average, gauge (a progress bar over 0–150 ms), percentiles.
    latency = page.get_by_test_id("monitor-latency")
    expect(latency.get_by_test_id("latency-avg")).to_have_text(re.compile(r" ms$"))
    gauge = latency.get_by_test_id("latency-gauge")
    expect(gauge).to_be_visible()
    expect(gauge).to_have_attribute("role", "progressbar")
    expect(gauge).to_have_attribute("aria-valuemax", "150")
    expect(gauge).to_have_attribute("data-band", re.compile(r"^(green|amber|red)$"))
    for test_id in ("latency-p50", "latency-p95", "latency-p99"):
        expect(latency.get_by_test_id(test_id)).to_have_text(re.compile(r" ms$"))

    # The history: three charts drawn from the snapshots (no "empty" notice).
    history = page.get_by_test_id("monitor-history")
    expect(history.get_by_test_id("history-empty")).to_have_count(0)
    for chart in ("chart-hit-rate", "chart-latency", "chart-operations"):
        # The chart's own surface (legend icons are small surfaces too).
        surface = history.get_by_test_id(chart).locator(
            "svg.recharts-surface:has(.recharts-cartesian-grid)"
        )
        expect(surface).to_have_count(1)
        expect(surface).to_be_visible()
        box = surface.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100, (chart, box)
    line = history.get_by_test_id("chart-hit-rate").locator("path.recharts-line-curve").first
    expect(line).to_have_attribute("d", re.compile(r"^M[\d.\-]+,[\d.\-]+[LC]"))
    bars = history.get_by_test_id("chart-operations").locator(".recharts-bar-rectangle")
    expect(bars.first).to_be_attached()
    assert bars.count() >= 3

    # The jobs: both monitor jobs ran (a start time and a result).
    jobs = page.get_by_test_id("monitor-jobs")
    for job in MONITOR_JOBS:
        row = jobs.get_by_test_id("job-row").filter(has_text=job)
        expect(row).to_have_count(1)
        expect(row).not_to_contain_text("Nunca")
        expect(row).to_contain_text(re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}"))
        expect(row).to_contain_text(re.compile("Correcta|Omitida"))
    expect(page.get_by_test_id("alert-last-run")).not_to_contain_text("Nunca")

    # The post-deploy checks: a ✓/✗ list and a summary.
    doctor = page.get_by_test_id("monitor-doctor")
    doctor.get_by_test_id("doctor-run").click()
    expect(doctor.get_by_test_id("doctor-summary")).to_be_visible(timeout=60_000)
    rows = doctor.get_by_test_id("doctor-row")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 3
    symbols = {rows.nth(i).inner_text().strip()[:1] for i in range(rows.count())}
    assert symbols <= {"✓", "✗", "⚠"}, symbols
    assert "✓" in symbols
    # The owner is configured and has signed up.
    expect(rows.filter(has_text="Owner de la plataforma")).to_contain_text("✓")

    # Invalidate everything: asked first, then a toast.
    actions = page.get_by_test_id("monitor-actions")
    actions.get_by_test_id("invalidate-all").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_visible()
    page.get_by_test_id("invalidate-all-confirm").click()
    expect(dialog).to_be_hidden()
    expect(toast(page, "Toda la caché está invalidada.")).to_be_visible()
    # Every entry is stale now (a generation bump): the clients list read
    # again is a miss, where it was a hit before.
    misses = number(page, "metric-misses")
    page.goto("/clientes")
    wait_for_list(page)
    open_monitor(page)
    expect(page.get_by_test_id("metric-misses")).not_to_have_text(re.compile(r"^0?$"))
    assert number(page, "metric-misses") > misses
    # No uncaught script error on any page on the way.
    assert page_errors == []


def test_a_technician_is_denied_the_monitor(signed_in_page, live_app):
    page = signed_in_page
    expect(page.get_by_test_id("user-menu")).to_be_visible()
    expect(page.get_by_test_id("owner-bell")).to_have_count(0)
    expect(page.get_by_test_id("owner-badge")).to_have_count(0)

    page.goto("/monitor-cache")
    denied = page.get_by_test_id("access-denied")
    expect(denied).to_be_visible()
    expect(denied).to_contain_text("Acceso denegado")
    expect(page.get_by_test_id("monitor-page")).to_have_count(0)
    for card in METRIC_CARDS:
        expect(page.get_by_test_id(card)).to_have_count(0)
    expect(page.get_by_test_id("hit-rate")).to_have_count(0)
    expect(page.get_by_test_id("owner-bell")).to_have_count(0)
    expect(page.get_by_test_id("sidebar").get_by_test_id("nav-monitor")).to_have_count(0)

    # The monitor's CSV route refuses the technician's session, with no data.
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies, "the technician has a session cookie"
    with httpx.Client(base_url=live_app.url, cookies=cookies, timeout=15) as http:
        response = http.get("/api/monitor/history.csv")
        anonymous = httpx.get(f"{live_app.url}/api/monitor/history.csv", timeout=15)
    assert response.status_code == 403
    assert response.json() == {"error": "Acceso denegado"}
    assert anonymous.status_code == 401


def test_owner_monitor_on_a_phone(owner_page):
    page = owner_page(PHONE_VIEWPORT, is_mobile=True, has_touch=True)
    open_monitor(page)
    expect(page.get_by_test_id("metric-hits")).not_to_be_empty()

    # The four cards stacked: one column, each below the previous, full width.
    boxes = []
    for card in METRIC_CARDS:
        locator = page.get_by_test_id(card)
        expect(locator).to_be_visible()
        boxes.append(locator.bounding_box())
    for above, below in itertools.pairwise(boxes):
        assert abs(above["x"] - below["x"]) < 1, (above, below)
        assert below["y"] >= above["y"] + above["height"] - 1, (above, below)
    assert all(box["width"] > PHONE_VIEWPORT["width"] * 0.7 for box in boxes), boxes

    # Nothing sticks out sideways (wide tables scroll inside their card).
    overflow = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert overflow[0] <= overflow[1] + 1, overflow
