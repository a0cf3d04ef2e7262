"""The owner's cache monitor page (``/monitor-cache``): a thin state over
``piano_emotion.monitoring.overview``.

Owner only, on the server: ``load`` (the page's ``on_load``) shows "Acceso
denegado" and sets no data for anyone else; every other handler is
``@owner_only`` (``@owner_only_background`` for the two background tasks,
which also re-check the owner at every round).

Auto-refresh (off by default) is a background task that reloads the live
figures every ``AUTO_REFRESH_SECONDS`` while ``auto_refresh`` is on, the page
is visible and open: the browser reports ``document.visibilitychange``
(``VISIBILITY_SCRIPT`` clicks one of two hidden buttons), and leaving the page
(``on_unmount``) stops it. The post-deploy checks (``doctor.run_checks``)
take seconds, so they run in a background task too.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import reflex as rx
from starlette.concurrency import run_in_threadpool

from piano_emotion.auth.owner import is_owner
from piano_emotion.db import get_engine, session_scope
from piano_emotion.domain.errors import ValidationFailed
from piano_emotion.formatting import format_number
from piano_emotion.models import User
from piano_emotion.models.types import utcnow
from piano_emotion.monitoring import overview
from piano_emotion.monitoring.alerts import save_alert_settings
from piano_emotion.ui.i18n import enum_label, translate
from piano_emotion.ui.state.auth import page_load
from piano_emotion.ui.state.owner import OwnerState, owner_only, owner_only_background

AUTO_REFRESH_SECONDS = 5.0
# Every this many rounds (a minute) the history, alerts and jobs are read again too.
FULL_REFRESH_ROUNDS = 12
SHOWN_BUTTON_ID = "monitor-page-shown"
HIDDEN_BUTTON_ID = "monitor-page-hidden"
# Registered once per tab: reports the page's visibility by clicking the
# hidden button of the monitor page (nothing happens on any other page).
VISIBILITY_SCRIPT = (
    "(() => { if (window.__peMonitorVisibility) return;"
    " window.__peMonitorVisibility = () => {"
    f" const id = document.hidden ? '{HIDDEN_BUTTON_ID}' : '{SHOWN_BUTTON_ID}';"
    " const button = document.getElementById(id); if (button) button.click(); };"
    " document.addEventListener('visibilitychange', window.__peMonitorVisibility); })()"
)
THRESHOLD_FIELDS = ("min_hit_rate_pct", "max_latency_ms", "cooldown_minutes", "min_operations")
OPERATION_KEYS = ("hits", "misses", "sets", "deletes", "refreshes", "errors")


async def _pause(seconds: float) -> None:
    """The auto-refresh's wait (tests replace it)."""
    await asyncio.sleep(seconds)


def _plain(value: float | int | None, lang: str) -> str:
    """A number as typed in a form: ``80``, ``80,5`` (``80.5`` in English)."""
    if value is None:
        return ""
    number = float(value)
    if number.is_integer():
        return str(int(number))
    return format_number(number, 2, lang).rstrip("0").rstrip(",.")


def _ms(value: float, lang: str) -> str:
    return f"{format_number(value, 2, lang)} ms"


class MonitorState(OwnerState):
    loaded: bool = False
    last_refreshed: str = ""
    # Connection and mode.
    mode_label: str = ""
    connected: bool = False
    degraded: bool = False
    round_trip: str = ""
    # Current figures (texts) and their flags.
    metrics: dict[str, str] = {}
    low_hit_rate: bool = False
    latency_band: str = "green"
    latency_gauge: int = 0
    operations_by_kind: list[dict] = []
    # History.
    history_range: str = overview.DEFAULT_RANGE
    history_points: list[dict] = []
    history_empty: bool = True
    next_snapshot: str = ""
    # Alerts: the job, the thresholds form and the history.
    alerts_enabled: bool = True
    alert_last_run: str = ""
    alert_next_run: str = ""
    alert_last_status: str = ""
    alert_events: list[dict] = []
    thresholds: dict[str, str] = {}
    hit_rate_threshold: float = 0.0
    # Bumped when the stored thresholds are read again (the form shows them anew).
    thresholds_version: int = 0
    threshold_errors: dict[str, str] = {}
    # Scheduled jobs.
    jobs: list[dict] = []
    # Actions.
    namespace_options: list[str] = []
    selected_namespace: str = ""
    auto_refresh: bool = False
    page_visible: bool = True
    # Post-deploy checks.
    doctor_running: bool = False
    doctor_results: list[dict] = []
    doctor_summary: str = ""
    doctor_ran_at: str = ""
    # The running auto-refresh loop (a new one makes the old one stop).
    _loop_token: str = ""

    # -- reading (server-side helpers, not events) ------------------------
    def _clear(self) -> None:
        """No data on the state (anyone but the owner)."""
        self.loaded = False
        self.last_refreshed = ""
        self.mode_label, self.connected, self.degraded, self.round_trip = "", False, False, ""
        self.metrics, self.low_hit_rate, self.latency_gauge = {}, False, 0
        self.latency_band, self.operations_by_kind = "green", []
        self.history_points, self.history_empty, self.next_snapshot = [], True, ""
        self.alert_last_run = self.alert_next_run = self.alert_last_status = ""
        self.alert_events, self.thresholds, self.threshold_errors = [], {}, {}
        self.hit_rate_threshold = 0.0
        self.jobs, self.namespace_options, self.selected_namespace = [], [], ""
        self.doctor_results, self.doctor_summary, self.doctor_ran_at = [], "", ""
        self.auto_refresh = False
        self._loop_token = ""

    def _live(self, user: User) -> dict[str, Any]:
        return _live_figures(user, self.lang, self.hit_rate_threshold or None)

    def _apply_live(self, live: dict[str, Any]) -> None:
        lang = self.lang
        connection, figures = live["connection"], live["metrics"]
        self.mode_label = connection["mode_label"]
        self.connected = connection["connected"]
        self.degraded = connection["degraded"]
        self.round_trip = _ms(connection["round_trip_ms"], lang)
        latency = figures["latency_ms"]
        texts = {key: format_number(figures[key], 0, lang) for key in OPERATION_KEYS}
        texts.update(
            operations=format_number(figures["operations"], 0, lang),
            keys=format_number(figures["keys"], 0, lang),
            hit_rate=f"{format_number(figures['hit_rate'], 1, lang)} %",
            threshold=f"{_plain(figures['hit_rate_threshold'], lang)} %",
            avg=_ms(latency["avg"], lang),
            p50=_ms(latency["p50"], lang),
            p95=_ms(latency["p95"], lang),
            p99=_ms(latency["p99"], lang),
            uptime=overview.uptime_text(figures["uptime_s"], lang),
        )
        self.metrics = texts
        self.low_hit_rate = figures["low_hit_rate"]
        self.latency_band = figures["latency_band"]
        self.latency_gauge = figures["latency_gauge_pct"]
        self.operations_by_kind = [
            {"kind": translate(f"monitor.ops.{key}", lang), "count": figures[key]}
            for key in OPERATION_KEYS
        ]
        self.last_refreshed = overview.local_text(utcnow(), "%H:%M:%S")

    def _apply_history(self, history: dict[str, Any]) -> None:
        self.history_points = history["points"]
        self.history_empty = history["empty"]
        self.next_snapshot = overview.local_text(history["next_snapshot_at"])

    def _apply_alerts(self, alerts: dict[str, Any], jobs: list[dict[str, Any]]) -> None:
        lang = self.lang
        config = alerts["settings"]
        self.alerts_enabled = config["enabled"]
        thresholds = {name: _plain(config[name], lang) for name in THRESHOLD_FIELDS}
        if thresholds != self.thresholds:
            self.thresholds = thresholds
            self.thresholds_version += 1  # the form shows the stored values anew
        self.hit_rate_threshold = float(config["min_hit_rate_pct"])
        job = alerts["job"] or {}
        self.alert_last_run = job.get("last_started", "")
        self.alert_next_run = job.get("next_run", "")
        self.alert_last_status = job.get("status", "")
        self.alert_events = alerts["events"]
        self.jobs = [
            {
                **row,
                "status_label": (
                    enum_label(row["status"], lang, "JobRunStatus") if row["status"] else ""
                ),
            }
            for row in jobs
        ]

    def _apply_all(self, data: dict[str, Any]) -> None:
        self._apply_alerts(data["alerts"], data["jobs"])
        names = data["namespaces"]
        self.namespace_options = names
        if self.selected_namespace not in names:
            self.selected_namespace = names[0] if names else ""
        self._apply_live(data["live"])
        self._apply_history(data["history"])
        self.loaded = True

    def _load_all(self, user: User) -> None:
        self._apply_all(_gather_all(user, self.lang, self.history_range))

    def _toast_ok(self, key: str, **params: Any):
        return rx.toast.success(translate(key, self.lang, **params))

    # -- the page ---------------------------------------------------------
    def _signed_out(self) -> None:
        super()._signed_out()
        self.page_visible = True
        self._clear()

    @rx.event
    @page_load
    async def load(self, user: User):
        """``on_load``: the owner gets every figure; anyone else "Acceso denegado"."""
        self.page_visible = True
        if not is_owner(user):
            self.owner_confirmed, self.access_denied = False, True
            self._clear()
            return rx.toast.error(translate("auth.access_denied", self.lang))
        self.owner_confirmed, self.access_denied = True, False
        await run_in_threadpool(self._load_all, user)
        return None

    @rx.event
    @owner_only
    async def refresh(self):
        user = self.require_owner()
        await run_in_threadpool(self._load_all, user)

    @rx.event
    @owner_only
    async def set_history_range(self, range_key: str | list[str]):
        if isinstance(range_key, list):  # the segmented control's type allows a list
            range_key = range_key[0] if range_key else ""
        if range_key not in overview.RANGES:
            return
        user = self.require_owner()
        self.history_range = range_key
        self._apply_history(await run_in_threadpool(_read_history, user, range_key))

    @rx.event
    @owner_only
    def export_csv(self):
        """The current range's snapshots as a CSV download (Spanish: ``;`` and ``,``)."""
        user = self.require_owner()
        now = utcnow()
        with session_scope() as session:
            data = overview.history_csv_for(session, user, self.history_range, now, self.lang)
        return rx.download(
            data=data,
            filename=overview.csv_filename(self.history_range, now),
            mime_type="text/csv",
        )

    # -- auto-refresh -----------------------------------------------------
    @rx.event
    @owner_only
    def set_auto_refresh(self, enabled: bool):
        self.auto_refresh = bool(enabled)
        if self.auto_refresh and self.page_visible:
            return MonitorState.auto_refresh_loop
        self._loop_token = ""
        return None

    @rx.event
    @owner_only
    def page_shown(self):
        self.page_visible = True
        if self.auto_refresh:
            return MonitorState.auto_refresh_loop
        return None

    @rx.event
    @owner_only
    def page_hidden(self):
        self.page_visible = False
        self._loop_token = ""

    @rx.event
    @owner_only
    def leave_page(self):
        """``on_unmount``: the auto-refresh stops with the page (and stays off)."""
        self.auto_refresh = False
        self._loop_token = ""

    @rx.event(background=True)
    @owner_only_background
    async def auto_refresh_loop(self):
        """Reload the live figures every ``AUTO_REFRESH_SECONDS`` (and everything,
        history, alerts and jobs included, every ``FULL_REFRESH_ROUNDS``) while the
        auto-refresh is on and the page visible; one loop per page (a newer one
        replaces it). The owner is checked again at every round."""
        token = secrets.token_hex(8)
        async with self:
            if not (self.auto_refresh and self.page_visible):
                return
            self._loop_token = token
        rounds = 0
        while True:
            await _pause(AUTO_REFRESH_SECONDS)
            rounds += 1
            async with self:
                if self._loop_token != token or not (self.auto_refresh and self.page_visible):
                    return
                user = self.require_owner()
                lang, range_key = self.lang, self.history_range
                threshold = self.hit_rate_threshold or None
            if rounds % FULL_REFRESH_ROUNDS == 0:
                data = await run_in_threadpool(_gather_all, user, lang, range_key)
            else:
                data = {"live": await run_in_threadpool(_live_figures, user, lang, threshold)}
            async with self:
                if self._loop_token != token:
                    return
                if "history" in data:
                    self._apply_all(data)
                else:
                    self._apply_live(data["live"])

    # -- thresholds -------------------------------------------------------
    @rx.event
    @owner_only
    def set_alerts_enabled(self, enabled: bool):
        user = self.require_owner()
        with session_scope() as session:
            save_alert_settings(session, user, enabled=bool(enabled))
        self.alerts_enabled = bool(enabled)
        return self._toast_ok(
            "monitor.alerts_enabled_saved" if enabled else "monitor.alerts_disabled_saved"
        )

    @rx.event
    @owner_only
    def save_thresholds(self, form: dict):
        """Validate and save the thresholds; field errors and no write on bad input."""
        user = self.require_owner()
        # An empty field is "not a number" too (None would keep the old value).
        values = {name: str(form.get(name, "")).strip() for name in THRESHOLD_FIELDS}
        self.threshold_errors = {}
        try:
            with session_scope() as session:
                save_alert_settings(session, user, **values)
        except ValidationFailed as error:
            self.threshold_errors = {
                name: translate(key, self.lang) for name, key in error.fields.items()
            }
            return None
        self._load_all(user)
        return self._toast_ok("monitor.thresholds_saved")

    # -- actions ----------------------------------------------------------
    @rx.event
    @owner_only
    def set_namespace(self, name: str):
        if name in overview.namespaces():
            self.selected_namespace = name

    @rx.event
    @owner_only
    def invalidate_namespace(self):
        user = self.require_owner()
        name = self.selected_namespace
        if name not in overview.namespaces():
            return rx.toast.error(translate("monitor.namespace_unknown", self.lang))
        with session_scope() as session:
            overview.invalidate_namespace(session, user, name)
        self._apply_live(self._live(user))
        return self._toast_ok(
            "monitor.namespace_invalidated", name=translate(f"monitor.ns.{name}", self.lang)
        )

    @rx.event
    @owner_only
    def invalidate_all(self):
        user = self.require_owner()
        overview.invalidate_everything(user)
        self._apply_live(self._live(user))
        return self._toast_ok("monitor.all_invalidated")

    @rx.event
    @owner_only
    def reset_metrics(self):
        user = self.require_owner()
        overview.reset_cache_metrics(user)
        self._apply_live(self._live(user))
        return self._toast_ok("monitor.metrics_reset")

    # -- post-deploy checks -----------------------------------------------
    @rx.event(background=True)
    @owner_only_background
    async def run_doctor(self):
        """``doctor.run_checks`` against this deployment (takes seconds)."""
        async with self:
            if self.doctor_running:
                return
            self.doctor_running = True
            lang = self.lang
        try:
            results = await run_in_threadpool(_doctor_checks, lang)
        except Exception:
            async with self:
                self.doctor_running = False
            raise
        async with self:
            self.require_owner()
            self.doctor_results = [result.to_dict(lang) for result in results]
            counts = {status: 0 for status in ("ok", "fail", "warn")}
            for result in results:
                counts["warn" if result.status == "skip" else result.status] += 1
            self.doctor_summary = translate(
                "doctor.summary",
                lang,
                ok=counts["ok"],
                failed=counts["fail"],
                warnings=counts["warn"],
            )
            self.doctor_ran_at = overview.local_text(utcnow())
            self.doctor_running = False


def _read_history(user: User, range_key: str) -> dict[str, Any]:
    with session_scope() as session:
        return overview.history_series(session, user, range_key, utcnow())


def _gather_all(user: User, lang: str, range_key: str) -> dict[str, Any]:
    """Everything the page shows (database and cache), read with the owner's rights."""
    now = utcnow()
    with session_scope() as session:
        jobs = overview.jobs_overview(session, user, now, lang=lang)
        alerts = overview.alerts_overview(session, user, now, lang=lang, jobs=jobs)
        history = overview.history_series(session, user, range_key, now)
    threshold = float(alerts["settings"]["min_hit_rate_pct"])
    return {
        "alerts": alerts,
        "jobs": jobs,
        "history": history,
        "namespaces": overview.namespaces(),
        "live": _live_figures(user, lang, threshold),
    }


def _live_figures(user: User, lang: str, threshold: float | None) -> dict[str, Any]:
    """Connection and current figures (the cache only, no database)."""
    return {
        "connection": overview.connection_status(user, lang=lang),
        "metrics": overview.current_metrics(user, hit_rate_threshold=threshold),
    }


def _doctor_checks(lang: str):
    from piano_emotion.cache import get_cache
    from piano_emotion.doctor import run_checks
    from piano_emotion.settings import get_settings

    return run_checks(get_settings(), lang=lang, engine=get_engine(), cache=get_cache())
