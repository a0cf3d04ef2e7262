"""Monitor de caché (``/monitor-cache``), for the platform owner only.

Connection and mode, the fleet-wide figures now (hit rate with the low badge,
the latency gauge against the 5–35 ms target and the 100 ms limit), the
hourly history charts, the alert job with its thresholds and history, the
scheduled jobs, the cache actions (each confirmed) and the post-deploy
checks. Anyone else gets "Acceso denegado" and no data (``MonitorState.load``).
"""

from __future__ import annotations

import reflex as rx

from piano_emotion.monitoring.overview import (
    LATENCY_GAUGE_MAX_MS,
    LATENCY_LIMIT_MS,
    LATENCY_TARGET_MS,
    RANGES,
)
from piano_emotion.ui import routes, styles
from piano_emotion.ui.components.common import confirm_button
from piano_emotion.ui.components.layout import template
from piano_emotion.ui.i18n import CATALOGUE, tr
from piano_emotion.ui.state.base import BrowserCookies
from piano_emotion.ui.state.monitor import (
    HIDDEN_BUTTON_ID,
    SHOWN_BUTTON_ID,
    THRESHOLD_FIELDS,
    VISIBILITY_SCRIPT,
    MonitorState,
)

M = MonitorState


def _band_color(shade: int) -> rx.Var:
    return rx.match(
        M.latency_band,
        ("green", rx.color("green", shade)),
        ("amber", rx.color("amber", shade)),
        rx.color("red", shade),
    )


def _card(title_key: str, *children: rx.Component, test_id: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(tr(title_key), size="3", as_="h2"),
            *children,
            spacing="3",
            width="100%",
        ),
        width="100%",
        data_testid=test_id,
    )


def _figure(label_key: str, value: rx.Var, test_id: str) -> rx.Component:
    return rx.vstack(
        rx.text(tr(label_key), size="1", color=styles.MUTED_TEXT),
        rx.text(value, size="4", weight="bold", data_testid=test_id),
        spacing="0",
        min_width="0",
    )


def _scroll(table: rx.Component) -> rx.Component:
    """Tables scroll sideways on a phone instead of squeezing."""
    return rx.box(table, width="100%", overflow_x="auto")


# -- header -----------------------------------------------------------------------


def toolbar() -> rx.Component:
    return rx.flex(
        rx.button(
            rx.icon("refresh-cw", size=16),
            tr("monitor.refresh"),
            on_click=M.refresh,
            variant="soft",
            data_testid="monitor-refresh",
        ),
        rx.hstack(
            rx.switch(
                checked=M.auto_refresh,
                on_change=M.set_auto_refresh,
                data_testid="monitor-auto-refresh",
            ),
            rx.text(tr("monitor.auto_refresh"), size="2"),
            align="center",
            spacing="2",
            as_="label",
        ),
        rx.button(
            rx.icon("download", size=16),
            tr("monitor.export_csv"),
            on_click=M.export_csv,
            variant="soft",
            data_testid="monitor-export",
        ),
        rx.spacer(),
        rx.cond(
            M.last_refreshed != "",
            rx.text(
                tr("monitor.last_refreshed"),
                " ",
                M.last_refreshed,
                size="1",
                color=styles.MUTED_TEXT,
                data_testid="monitor-refreshed",
            ),
        ),
        wrap="wrap",
        align="center",
        gap="3",
        width="100%",
    )


# -- connection and current figures ----------------------------------------------


def connection_card() -> rx.Component:
    return _card(
        "monitor.connection",
        rx.hstack(
            rx.cond(
                M.connected,
                rx.badge(tr("monitor.connected"), color_scheme="green", data_testid="cache-up"),
                rx.badge(tr("monitor.disconnected"), color_scheme="red", data_testid="cache-down"),
            ),
            rx.cond(
                M.degraded,
                rx.badge(
                    tr("monitor.degraded"), color_scheme="amber", data_testid="cache-degraded"
                ),
            ),
            wrap="wrap",
            spacing="2",
        ),
        rx.text(M.mode_label, size="4", weight="bold", data_testid="cache-mode"),
        _figure("monitor.round_trip", M.round_trip, "cache-rtt"),
        test_id="monitor-connection",
    )


def hit_rate_card() -> rx.Component:
    return _card(
        "monitor.hit_rate",
        rx.hstack(
            rx.text(M.metrics["hit_rate"], size="7", weight="bold", data_testid="hit-rate"),
            rx.cond(
                M.low_hit_rate,
                rx.badge(
                    tr("monitor.low_hit_rate"), color_scheme="red", data_testid="low-hit-rate"
                ),
            ),
            align="center",
            wrap="wrap",
            spacing="2",
        ),
        rx.text(
            tr("monitor.threshold"), ": ", M.metrics["threshold"], size="1", color=styles.MUTED_TEXT
        ),
        rx.grid(
            _figure("monitor.ops.hits", M.metrics["hits"], "metric-hits"),
            _figure("monitor.ops.misses", M.metrics["misses"], "metric-misses"),
            columns="2",
            spacing="3",
            width="100%",
        ),
        test_id="monitor-hit-rate",
    )


def latency_gauge() -> rx.Component:
    """A bar over 0–150 ms: the 5–35 ms target shaded, a mark at the 100 ms limit,
    the average latency filled in green, amber or red."""
    scale = LATENCY_GAUGE_MAX_MS
    low, high = LATENCY_TARGET_MS
    return rx.box(
        rx.box(
            position="absolute",
            left=f"{100 * low / scale:.2f}%",
            width=f"{100 * (high - low) / scale:.2f}%",
            top="0",
            bottom="0",
            background=rx.color("green", 4),
        ),
        rx.box(
            position="absolute",
            left="0",
            top="0",
            bottom="0",
            width=M.latency_gauge.to_string() + "%",
            background=_band_color(9),
            opacity="0.85",
            border_radius="999px",
            data_testid="latency-gauge-fill",
        ),
        rx.box(
            position="absolute",
            left=f"{100 * LATENCY_LIMIT_MS / scale:.2f}%",
            top="-0.2rem",
            bottom="-0.2rem",
            width="2px",
            background=rx.color("red", 10),
        ),
        position="relative",
        height="0.75rem",
        width="100%",
        border_radius="999px",
        background=rx.color("gray", 4),
        role="progressbar",
        aria_valuenow=M.latency_gauge,
        aria_valuemin=0,
        aria_valuemax=int(scale),
        data_band=M.latency_band,
        data_testid="latency-gauge",
    )


def latency_card() -> rx.Component:
    return _card(
        "monitor.latency",
        rx.text(
            M.metrics["avg"],
            size="7",
            weight="bold",
            color=_band_color(11),
            data_testid="latency-avg",
        ),
        latency_gauge(),
        rx.text(tr("monitor.latency_target"), size="1", color=styles.MUTED_TEXT),
        rx.grid(
            _figure("monitor.p50", M.metrics["p50"], "latency-p50"),
            _figure("monitor.p95", M.metrics["p95"], "latency-p95"),
            _figure("monitor.p99", M.metrics["p99"], "latency-p99"),
            columns="3",
            spacing="3",
            width="100%",
        ),
        test_id="monitor-latency",
    )


def totals_card() -> rx.Component:
    return _card(
        "monitor.operations",
        rx.grid(
            _figure("monitor.operations", M.metrics["operations"], "metric-operations"),
            _figure("monitor.keys", M.metrics["keys"], "metric-keys"),
            _figure("monitor.errors", M.metrics["errors"], "metric-errors"),
            _figure("monitor.uptime", M.metrics["uptime"], "metric-uptime"),
            columns="2",
            spacing="3",
            width="100%",
        ),
        test_id="monitor-totals",
    )


def operations_by_kind() -> rx.Component:
    return _card(
        "monitor.operations_by_kind",
        rx.grid(
            rx.foreach(
                M.operations_by_kind,
                lambda row: rx.vstack(
                    rx.text(row["kind"], size="1", color=styles.MUTED_TEXT),
                    rx.text(row["count"].to_string(), size="3", weight="bold"),
                    spacing="0",
                ),
            ),
            columns=rx.breakpoints(initial="2", sm="3", lg="6"),
            spacing="3",
            width="100%",
        ),
        test_id="monitor-ops",
    )


# -- history ------------------------------------------------------------------------


def range_picker() -> rx.Component:
    return rx.segmented_control.root(
        *[rx.segmented_control.item(tr(f"monitor.range.{key}"), value=key) for key in RANGES],
        value=M.history_range,
        on_change=M.set_history_range,
        data_testid="history-range",
    )


def _chart_frame(title_key: str, chart: rx.Component, test_id: str) -> rx.Component:
    return rx.vstack(
        rx.text(tr(title_key), size="2", weight="bold"),
        chart,
        spacing="1",
        width="100%",
        data_testid=test_id,
    )


def hit_rate_chart() -> rx.Component:
    return _chart_frame(
        "monitor.chart.hit_rate",
        rx.recharts.line_chart(
            rx.recharts.line(
                data_key="hit_rate",
                name=tr("monitor.series.hit_rate"),
                stroke=rx.color("accent", 9),
                is_animation_active=False,
                connect_nulls=False,
            ),
            rx.recharts.reference_line(
                y=M.hit_rate_threshold.to(int), stroke=rx.color("red", 9), stroke_dasharray="4 4"
            ),
            rx.recharts.x_axis(data_key="label"),
            rx.recharts.y_axis(domain=[0, 100], unit="%", width=48),
            rx.recharts.graphing_tooltip(),
            rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
            data=M.history_points,
            width="100%",
            height=220,
        ),
        "chart-hit-rate",
    )


def latency_chart() -> rx.Component:
    return _chart_frame(
        "monitor.chart.latency",
        rx.recharts.line_chart(
            rx.recharts.line(
                data_key="p50",
                name=tr("monitor.p50"),
                stroke=rx.color("blue", 9),
                is_animation_active=False,
            ),
            rx.recharts.line(
                data_key="p95",
                name=tr("monitor.p95"),
                stroke=rx.color("orange", 9),
                is_animation_active=False,
            ),
            rx.recharts.line(
                data_key="latency_avg",
                name=tr("monitor.series.avg"),
                stroke=rx.color("gray", 10),
                stroke_dasharray="5 3",
                is_animation_active=False,
                connect_nulls=False,
            ),
            rx.recharts.reference_line(
                y=int(LATENCY_TARGET_MS[1]), stroke=rx.color("green", 9), stroke_dasharray="4 4"
            ),
            rx.recharts.reference_line(
                y=int(LATENCY_LIMIT_MS), stroke=rx.color("red", 9), stroke_dasharray="4 4"
            ),
            rx.recharts.x_axis(data_key="label"),
            rx.recharts.y_axis(unit=" ms", width=56),
            rx.recharts.graphing_tooltip(),
            rx.recharts.legend(),
            rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
            data=M.history_points,
            width="100%",
            height=220,
        ),
        "chart-latency",
    )


def operations_chart() -> rx.Component:
    bars = [("hits", "green"), ("misses", "red"), ("sets", "blue"), ("deletes", "gray")]
    return _chart_frame(
        "monitor.chart.operations",
        rx.recharts.bar_chart(
            *[
                rx.recharts.bar(
                    data_key=key,
                    name=tr(f"monitor.ops.{key}"),
                    stack_id="ops",
                    fill=rx.color(color, 8),
                    is_animation_active=False,
                )
                for key, color in bars
            ],
            rx.recharts.x_axis(data_key="label"),
            rx.recharts.y_axis(allow_decimals=False, width=56),
            rx.recharts.graphing_tooltip(),
            rx.recharts.legend(),
            rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
            data=M.history_points,
            width="100%",
            height=220,
        ),
        "chart-operations",
    )


def history_card() -> rx.Component:
    return _card(
        "monitor.history",
        range_picker(),
        rx.cond(
            M.history_empty,
            rx.callout.root(
                rx.callout.icon(rx.icon("clock")),
                rx.callout.text(
                    tr("monitor.history_empty"),
                    " ",
                    tr("monitor.history_next"),
                    " ",
                    M.next_snapshot,
                    ".",
                ),
                color_scheme="gray",
                width="100%",
                data_testid="history-empty",
            ),
            rx.vstack(
                rx.text(tr("monitor.history_note"), size="1", color=styles.MUTED_TEXT),
                rx.grid(
                    hit_rate_chart(),
                    latency_chart(),
                    operations_chart(),
                    columns=rx.breakpoints(initial="1", lg="3"),
                    spacing="4",
                    width="100%",
                ),
                width="100%",
            ),
        ),
        test_id="monitor-history",
    )


# -- alerts -------------------------------------------------------------------------


def threshold_field(name: str) -> rx.Component:
    return rx.vstack(
        rx.text(tr(f"monitor.field.{name}"), size="2", as_="label", html_for=f"threshold-{name}"),
        rx.input(
            id=f"threshold-{name}",
            name=name,
            default_value=M.thresholds[name],
            # A new key after every save or reload shows the stored value again.
            key=f"{name}-" + M.thresholds_version.to_string(),
            input_mode="decimal",
            width="100%",
            data_testid=f"threshold-{name}",
        ),
        rx.cond(
            M.threshold_errors.contains(name),
            rx.text(
                M.threshold_errors[name],
                size="1",
                color=rx.color("red", 11),
                data_testid=f"threshold-{name}-error",
            ),
        ),
        spacing="1",
        width="100%",
    )


def thresholds_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text(tr("monitor.thresholds"), weight="bold", size="2"),
            rx.grid(
                *[threshold_field(name) for name in THRESHOLD_FIELDS],
                columns=rx.breakpoints(initial="1", sm="2", lg="4"),
                spacing="3",
                width="100%",
            ),
            rx.button(tr("monitor.save_thresholds"), type="submit", data_testid="thresholds-save"),
            spacing="3",
            width="100%",
        ),
        on_submit=M.save_thresholds,
        width="100%",
    )


def _yes_no(value: rx.Var) -> rx.Component:
    return rx.cond(value, rx.text(tr("common.yes")), rx.text(tr("common.no")))


def alert_history() -> rx.Component:
    return rx.cond(
        M.alert_events.length() > 0,
        _scroll(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell(tr("monitor.col.when")),
                        rx.table.column_header_cell(tr("monitor.col.kind")),
                        rx.table.column_header_cell(tr("monitor.col.cause")),
                        rx.table.column_header_cell(tr("monitor.col.message")),
                        rx.table.column_header_cell(tr("monitor.col.recovered")),
                        rx.table.column_header_cell(tr("monitor.col.notified")),
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        M.alert_events,
                        lambda event: rx.table.row(
                            rx.table.cell(event["created"], white_space="nowrap"),
                            rx.table.cell(
                                rx.badge(
                                    event["kind_label"],
                                    color_scheme=rx.cond(event["kind"] == "raised", "red", "green"),
                                )
                            ),
                            rx.table.cell(event["cause_label"]),
                            rx.table.cell(event["message"], min_width="16rem"),
                            rx.table.cell(event["recovered"], white_space="nowrap"),
                            rx.table.cell(_yes_no(event["notified"])),
                            data_testid="alert-event",
                        ),
                    )
                ),
                size="1",
                width="100%",
            )
        ),
        rx.text(tr("monitor.no_alerts"), size="2", color=styles.MUTED_TEXT),
    )


def alerts_card() -> rx.Component:
    return _card(
        "monitor.alerts",
        rx.flex(
            rx.hstack(
                rx.switch(
                    checked=M.alerts_enabled,
                    on_change=M.set_alerts_enabled,
                    data_testid="alerts-enabled",
                ),
                rx.text(tr("monitor.alerts_job"), size="2"),
                rx.cond(
                    M.alerts_enabled,
                    rx.badge(tr("monitor.alerts_on"), color_scheme="green"),
                    rx.badge(tr("monitor.alerts_off"), color_scheme="gray"),
                ),
                align="center",
                spacing="2",
            ),
            rx.text(
                tr("monitor.last_run"),
                ": ",
                rx.cond(M.alert_last_run != "", M.alert_last_run, tr("monitor.never")),
                size="2",
                data_testid="alert-last-run",
            ),
            rx.text(
                tr("monitor.next_run"),
                ": ",
                M.alert_next_run,
                size="2",
                data_testid="alert-next-run",
            ),
            wrap="wrap",
            gap="4",
            align="center",
        ),
        thresholds_form(),
        rx.text(tr("monitor.alert_history"), weight="bold", size="2"),
        alert_history(),
        test_id="monitor-alerts",
    )


# -- jobs -----------------------------------------------------------------------------


def _status_badge(row: rx.Var) -> rx.Component:
    return rx.cond(
        row["status"] != "",
        rx.badge(
            row["status_label"],
            color_scheme=rx.match(
                row["status"],
                ("success", "green"),
                ("failed", "red"),
                ("running", "blue"),
                "gray",
            ),
        ),
        rx.text(tr("monitor.never"), size="1", color=styles.MUTED_TEXT),
    )


def jobs_card() -> rx.Component:
    return _card(
        "monitor.jobs",
        _scroll(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell(tr("monitor.col.job")),
                        rx.table.column_header_cell(tr("monitor.col.schedule")),
                        rx.table.column_header_cell(tr("monitor.col.last_run")),
                        rx.table.column_header_cell(tr("monitor.col.duration")),
                        rx.table.column_header_cell(tr("monitor.col.result")),
                        rx.table.column_header_cell(tr("monitor.col.next_run")),
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        M.jobs,
                        lambda row: rx.table.row(
                            rx.table.cell(
                                rx.vstack(
                                    rx.text(row["job"], size="2", weight="medium"),
                                    rx.text(row["description"], size="1", color=styles.MUTED_TEXT),
                                    spacing="0",
                                ),
                                min_width="12rem",
                            ),
                            rx.table.cell(row["schedule_text"], white_space="nowrap"),
                            rx.table.cell(row["last_started"], white_space="nowrap"),
                            rx.table.cell(row["duration"], white_space="nowrap"),
                            rx.table.cell(
                                rx.vstack(
                                    _status_badge(row),
                                    rx.text(row["result"], size="1", color=styles.MUTED_TEXT),
                                    rx.text(row["error"], size="1", color=rx.color("red", 11)),
                                    spacing="1",
                                ),
                                min_width="12rem",
                            ),
                            rx.table.cell(row["next_run"], white_space="nowrap"),
                            data_testid="job-row",
                        ),
                    )
                ),
                size="1",
                width="100%",
            )
        ),
        rx.cond(
            M.jobs.length() > 0,
            rx.cond(
                M.jobs[0]["scheduler_running"],
                rx.text(tr("monitor.scheduler_here"), size="1", color=styles.MUTED_TEXT),
                rx.text(tr("monitor.scheduler_elsewhere"), size="1", color=styles.MUTED_TEXT),
            ),
        ),
        test_id="monitor-jobs",
    )


# -- actions --------------------------------------------------------------------------


def _namespace_label(name: rx.Var) -> rx.Var:
    keys = [key.removeprefix("monitor.ns.") for key in CATALOGUE if key.startswith("monitor.ns.")]
    return rx.match(
        name,
        *[
            (
                key,
                rx.cond(
                    BrowserCookies.lang == "en",
                    CATALOGUE[f"monitor.ns.{key}"][1],
                    CATALOGUE[f"monitor.ns.{key}"][0],
                ),
            )
            for key in keys
        ],
        name,
    )


def actions_card() -> rx.Component:
    return _card(
        "monitor.actions",
        rx.text(tr("monitor.actions_hint"), size="1", color=styles.MUTED_TEXT),
        rx.flex(
            rx.select.root(
                rx.select.trigger(
                    aria_label=tr("monitor.namespace"), data_testid="namespace-select"
                ),
                rx.select.content(
                    rx.foreach(
                        M.namespace_options,
                        lambda name: rx.select.item(_namespace_label(name), value=name),
                    )
                ),
                value=M.selected_namespace,
                on_change=M.set_namespace,
            ),
            confirm_button(
                rx.button(
                    rx.icon("eraser", size=16),
                    tr("monitor.invalidate_namespace"),
                    variant="soft",
                    color_scheme="amber",
                    data_testid="invalidate-namespace",
                ),
                title_key="monitor.invalidate_namespace_title",
                body_key="monitor.invalidate_namespace_body",
                confirm_key="monitor.invalidate_namespace",
                on_confirm=M.invalidate_namespace,
                test_id="invalidate-namespace",
            ),
            confirm_button(
                rx.button(
                    rx.icon("trash-2", size=16),
                    tr("monitor.invalidate_all"),
                    variant="soft",
                    color_scheme="red",
                    data_testid="invalidate-all",
                ),
                title_key="monitor.invalidate_all_title",
                body_key="monitor.invalidate_all_body",
                confirm_key="monitor.invalidate_all",
                on_confirm=M.invalidate_all,
                test_id="invalidate-all",
            ),
            confirm_button(
                rx.button(
                    rx.icon("rotate-ccw", size=16),
                    tr("monitor.reset_metrics"),
                    variant="soft",
                    color_scheme="red",
                    data_testid="reset-metrics",
                ),
                title_key="monitor.reset_metrics_title",
                body_key="monitor.reset_metrics_body",
                confirm_key="monitor.reset_metrics",
                on_confirm=M.reset_metrics,
                test_id="reset-metrics",
            ),
            wrap="wrap",
            gap="3",
            align="center",
        ),
        test_id="monitor-actions",
    )


# -- post-deploy checks ---------------------------------------------------------------


def doctor_row(row: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.text(
            row["symbol"],
            weight="bold",
            size="4",
            min_width="1.25rem",
            color=rx.match(
                row["status"],
                ("ok", rx.color("green", 10)),
                ("fail", rx.color("red", 10)),
                rx.color("amber", 10),
            ),
        ),
        rx.vstack(
            rx.hstack(
                rx.text(row["label"], size="2", weight="medium"),
                rx.cond(
                    row["required"],
                    rx.badge(
                        tr("monitor.required"), size="1", variant="outline", color_scheme="gray"
                    ),
                ),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.text(row["detail"], size="1", color=styles.MUTED_TEXT),
            rx.cond(
                row["hint"] != "",
                rx.text(row["hint"], size="1", color=rx.color("amber", 11)),
            ),
            spacing="0",
            min_width="0",
        ),
        align="start",
        spacing="2",
        padding_y="0.4rem",
        border_bottom=styles.BORDER,
        width="100%",
        data_testid="doctor-row",
    )


def doctor_card() -> rx.Component:
    return _card(
        "monitor.doctor",
        rx.flex(
            rx.button(
                rx.icon("stethoscope", size=16),
                tr("monitor.doctor_run"),
                on_click=M.run_doctor,
                loading=M.doctor_running,
                data_testid="doctor-run",
            ),
            rx.cond(
                M.doctor_running,
                rx.text(tr("monitor.doctor_running"), size="2", color=styles.MUTED_TEXT),
                rx.cond(
                    M.doctor_ran_at != "",
                    rx.text(
                        tr("monitor.doctor_ran_at"),
                        ": ",
                        M.doctor_ran_at,
                        " · ",
                        M.doctor_summary,
                        size="2",
                        data_testid="doctor-summary",
                    ),
                    rx.text(tr("monitor.doctor_never"), size="2", color=styles.MUTED_TEXT),
                ),
            ),
            wrap="wrap",
            gap="3",
            align="center",
        ),
        rx.cond(
            M.doctor_results.length() > 0,
            rx.vstack(rx.foreach(M.doctor_results, doctor_row), spacing="0", width="100%"),
        ),
        test_id="monitor-doctor",
    )


# -- the page ---------------------------------------------------------------------------


def visibility_reporters() -> rx.Component:
    """Two hidden buttons the browser's ``visibilitychange`` listener clicks."""
    hidden = {"display": "none"}
    return rx.fragment(
        rx.el.button(
            id=SHOWN_BUTTON_ID, type="button", on_click=M.page_shown, style=hidden, tab_index=-1
        ),
        rx.el.button(
            id=HIDDEN_BUTTON_ID, type="button", on_click=M.page_hidden, style=hidden, tab_index=-1
        ),
    )


def monitor_content() -> rx.Component:
    return rx.vstack(
        visibility_reporters(),
        toolbar(),
        rx.grid(
            connection_card(),
            hit_rate_card(),
            latency_card(),
            totals_card(),
            columns=rx.breakpoints(initial="1", sm="2", xl="4"),
            spacing="3",
            width="100%",
        ),
        operations_by_kind(),
        history_card(),
        alerts_card(),
        jobs_card(),
        actions_card(),
        doctor_card(),
        spacing="4",
        width="100%",
        on_mount=rx.call_script(VISIBILITY_SCRIPT),
        on_unmount=M.leave_page,
        data_testid="monitor-page",
    )


def access_denied() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("shield-alert")),
        rx.vstack(
            rx.text(tr("monitor.access_denied_title"), weight="bold"),
            rx.callout.text(tr("monitor.access_denied_body")),
            spacing="1",
        ),
        color_scheme="red",
        width="100%",
        data_testid="access-denied",
    )


@template(route=routes.MONITOR, title_key="monitor.title", on_load=MonitorState.load)
def monitor() -> rx.Component:
    return rx.cond(
        M.owner_confirmed,
        monitor_content(),
        rx.cond(
            M.access_denied,
            access_denied(),
            rx.center(rx.spinner(size="3"), padding_y="3rem", width="100%"),
        ),
    )
