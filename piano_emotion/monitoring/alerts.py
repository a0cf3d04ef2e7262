"""The cache health check (every 5 minutes) and the owner's alert thresholds.

The window. The cache counters are cumulative and fleet-wide (one Redis hash
for every worker). Each check stores the counters it saw (plus the latency
sum and histogram) as the *baseline* for the next check; the traffic of the
window is the difference. The baseline lives next to the metrics it is a
baseline of, in the same store: the Redis/Upstash hash
``<namespace>:metrics:alert_baseline`` when the cache is remote (so every
worker, whichever one runs the job, sees the same one, and a wiped Redis
loses counters and baseline together), and the process memory otherwise (in
memory mode the counters themselves are per process, so a baseline shared
through the database would be compared with another process's counters).
Counters that went down mean the metrics were reset: the window is then the
new cumulative values. The first check (no baseline) only records one.

What is judged, per cause (``CacheAlertCause``):

- ``hit_rate``: hits / lookups of the window, when it has at least
  ``min_operations`` lookups; too low when below ``min_hit_rate_pct``;
- ``latency``: average latency of the window (latency sum difference over
  operations; p95 from the histogram difference is reported too), when it has
  at least ``min_operations`` operations; too high when above ``max_latency_ms``;
- ``connection``: the cache is disconnected or degraded (serving from memory).
  Hit rate and latency are not judged then (the figures are the process's own),
  and the baseline is kept for the first check after the recovery.

A cause that goes bad raises a ``CacheAlertEvent`` and notifies the owner;
while it stays bad (the event still open) nothing new is raised until
``cooldown_minutes`` after the last raise, then it is raised again. When a
judged cause is fine again, its open events get ``recovered_at`` and a
``recovered`` event and notification are recorded. A window that is not
judged (too little traffic, no baseline) changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from piano_emotion.cache import get_cache
from piano_emotion.cache.backends import BackendError
from piano_emotion.cache.metrics import BUCKET_FIELD, LATENCY_BUCKETS_MS
from piano_emotion.domain.errors import ValidationFailed
from piano_emotion.formatting import format_number, parse_decimal
from piano_emotion.models import CacheAlertEvent, CacheAlertSettings, OwnerNotification, User
from piano_emotion.models.enums import CacheAlertCause, CacheAlertEventKind, NotificationSeverity
from piano_emotion.monitoring.access import require_owner
from piano_emotion.monitoring.figures import (
    COUNTERS,
    CacheFigures,
    counter_deltas,
    current_stats,
    hit_rate_of,
    percentile_of,
)
from piano_emotion.monitoring.notifications import notify_owner, owner_language, translate
from piano_emotion.settings import Settings, get_settings

log = logging.getLogger(__name__)

# Accepted ranges of the owner's settings (inclusive).
HIT_RATE_RANGE = (1.0, 100.0)
LATENCY_RANGE = (1.0, 10_000.0)
COOLDOWN_RANGE = (1, 1440)
MIN_OPERATIONS_MIN = 1
BASELINE_SUFFIX = "metrics:alert_baseline"
LATENCY_SUM_FIELD = "lat_sum_ms"
LATENCY_COUNT_FIELD = "lat_count"
CHECKED_AT_FIELD = "checked_at"
MESSAGE_MAX = 500
CAUSE_ORDER = (CacheAlertCause.CONNECTION, CacheAlertCause.HIT_RATE, CacheAlertCause.LATENCY)


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


# ---------------------------------------------------------------------------
# settings
# ---------------------------------------------------------------------------
def get_alert_settings(session: Session) -> CacheAlertSettings:
    """The one settings row, created with the defaults (80 %, 100 ms, 30 min) on first read."""
    row = session.exec(select(CacheAlertSettings).order_by(CacheAlertSettings.id.asc())).first()
    if row is None:
        row = CacheAlertSettings()
        session.add(row)
        session.flush()
    return row


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
        return number if number.is_finite() else None
    try:
        return parse_decimal(str(value))
    except ValueError:
        return None


def _check_range(
    errors: dict[str, str],
    name: str,
    value: Any,
    low: float,
    high: float | None,
    key: str,
    *,
    whole: bool = False,
) -> float | int | None:
    if value is None:
        return None
    number = _number(value)
    if number is None or (whole and number != number.to_integral_value()):
        errors[name] = "error.number_invalid" if whole else "error.monitor_number_invalid"
        return None
    if number < Decimal(str(low)) or (high is not None and number > Decimal(str(high))):
        errors[name] = key
        return None
    return int(number) if whole else float(number)


def save_alert_settings(
    session: Session,
    user: User | None,
    *,
    enabled: bool | None = None,
    min_hit_rate_pct: float | str | None = None,
    max_latency_ms: float | str | None = None,
    cooldown_minutes: int | str | None = None,
    min_operations: int | str | None = None,
    settings: Settings | None = None,
) -> CacheAlertSettings:
    """Change the thresholds (owner only; ``None`` keeps a value).

    Raises ``OwnerOnly`` (a ``PermissionError``) for anyone but the owner and
    ``ValidationFailed`` (field → translation key) for a value out of range:
    hit rate 1–100 %, latency 1–10,000 ms, cooldown 1–1,440 min, min ops ≥ 1.
    """
    require_owner(user, settings)
    errors: dict[str, str] = {}
    hit_rate = _check_range(
        errors,
        "min_hit_rate_pct",
        min_hit_rate_pct,
        *HIT_RATE_RANGE,
        "error.monitor_hit_rate_range",
    )
    latency = _check_range(
        errors, "max_latency_ms", max_latency_ms, *LATENCY_RANGE, "error.monitor_latency_range"
    )
    cooldown = _check_range(
        errors,
        "cooldown_minutes",
        cooldown_minutes,
        *COOLDOWN_RANGE,
        "error.monitor_cooldown_range",
        whole=True,
    )
    operations = _check_range(
        errors,
        "min_operations",
        min_operations,
        MIN_OPERATIONS_MIN,
        None,
        "error.monitor_min_operations_range",
        whole=True,
    )
    if enabled is not None and not isinstance(enabled, bool):
        errors["enabled"] = "error.choice_invalid"
    if errors:
        raise ValidationFailed(errors)
    row = get_alert_settings(session)
    if enabled is not None:
        row.enabled = enabled
    if hit_rate is not None:
        row.min_hit_rate_pct = hit_rate
    if latency is not None:
        row.max_latency_ms = latency
    if cooldown is not None:
        row.cooldown_minutes = cooldown
    if operations is not None:
        row.min_operations = operations
    session.add(row)
    session.flush()
    return row


def alert_settings_to_dict(row: CacheAlertSettings) -> dict[str, Any]:
    return {
        "enabled": row.enabled,
        "min_hit_rate_pct": row.min_hit_rate_pct,
        "max_latency_ms": row.max_latency_ms,
        "cooldown_minutes": row.cooldown_minutes,
        "min_operations": row.min_operations,
    }


# ---------------------------------------------------------------------------
# the window
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Window:
    """The traffic between the previous check and this one."""

    operations: int
    lookups: int
    hits: int
    misses: int
    hit_rate: float | None
    latency_avg_ms: float | None
    latency_p95_ms: float | None
    reset: bool = False
    seconds: float | None = None


def _baseline_store():
    cache = get_cache()
    backend = cache.backend if cache.backend.remote else cache.memory
    return backend, f"{cache.namespace}:{BASELINE_SUFFIX}"


def read_baseline() -> dict[str, float] | None:
    """The figures seen by the previous check, or None (raises ``BackendError``)."""
    backend, key = _baseline_store()
    fields = backend.read_metrics(key)
    if not fields or "hits" not in fields:
        return None
    return {name: float(value) for name, value in fields.items()}


def write_baseline(figures: CacheFigures, now: datetime) -> None:
    """Replace the baseline with ``figures`` (raises ``BackendError``)."""
    backend, key = _baseline_store()
    fields: dict[str, int | float] = dict(figures.counters)
    fields[LATENCY_SUM_FIELD] = float(figures.latency_sum_ms)
    fields[LATENCY_COUNT_FIELD] = int(figures.latency_count)
    fields[CHECKED_AT_FIELD] = float(now.timestamp())
    if figures.buckets is not None:
        for index, count in enumerate(figures.buckets):
            fields[BUCKET_FIELD.format(index)] = int(count)
    # Only the alert job (one at a time, behind its lock) writes it.
    backend.reset_metrics(key)
    backend.push_metrics(key, fields)


def window_between(baseline: Mapping[str, float], figures: CacheFigures, now: datetime) -> Window:
    previous = {name: int(baseline.get(name, 0)) for name in COUNTERS}
    deltas, reset = counter_deltas(previous, figures.counters)
    operations = deltas["hits"] + deltas["misses"] + deltas["sets"] + deltas["deletes"]
    lookups = deltas["hits"] + deltas["misses"]
    buckets: list[int] | None = None
    if reset:
        latency_sum, latency_count = figures.latency_sum_ms, figures.latency_count
        buckets = list(figures.buckets) if figures.buckets is not None else None
    else:
        latency_sum = figures.latency_sum_ms - float(baseline.get(LATENCY_SUM_FIELD, 0.0))
        if LATENCY_COUNT_FIELD in baseline:
            latency_count = figures.latency_count - int(baseline[LATENCY_COUNT_FIELD])
        else:
            latency_count = operations
        if figures.buckets is not None and BUCKET_FIELD.format(0) in baseline:
            buckets = [
                max(0, count - int(baseline.get(BUCKET_FIELD.format(index), 0)))
                for index, count in enumerate(figures.buckets)
            ]
    latency_avg = round(max(latency_sum, 0.0) / latency_count, 4) if latency_count > 0 else None
    if not operations:
        latency_p95 = None
    elif buckets is not None and len(buckets) == len(LATENCY_BUCKETS_MS) and sum(buckets):
        latency_p95 = percentile_of(buckets, 0.95)
    else:
        latency_p95 = figures.latency_p95_ms
    checked_at = baseline.get(CHECKED_AT_FIELD)
    seconds = round(now.timestamp() - checked_at, 1) if checked_at else None
    return Window(
        operations=operations,
        lookups=lookups,
        hits=deltas["hits"],
        misses=deltas["misses"],
        hit_rate=hit_rate_of(deltas["hits"], deltas["misses"]),
        latency_avg_ms=latency_avg,
        latency_p95_ms=latency_p95,
        reset=reset,
        seconds=seconds,
    )


# ---------------------------------------------------------------------------
# the check
# ---------------------------------------------------------------------------
@dataclass
class CheckResult:
    checked_at: datetime
    enabled: bool
    connected: bool
    degraded: bool
    window: Window | None = None
    # Why hit rate and latency were not judged ("" when they were).
    ignored_reason: str = ""
    judged: list[CacheAlertCause] = field(default_factory=list)
    failing: list[CacheAlertCause] = field(default_factory=list)
    raised: list[CacheAlertEvent] = field(default_factory=list)
    recovered: list[CacheAlertEvent] = field(default_factory=list)
    # Still failing but inside the cooldown of their last raise.
    suppressed: list[CacheAlertCause] = field(default_factory=list)
    notifications: list[OwnerNotification] = field(default_factory=list)

    def summary(self) -> str:
        if not self.enabled:
            return "alerts disabled"
        parts = []
        if self.window is not None:
            parts.append(
                f"window {self.window.operations} ops, hit rate {self.window.hit_rate}, "
                f"latency {self.window.latency_avg_ms} ms"
            )
        if self.ignored_reason:
            parts.append(f"not judged: {self.ignored_reason}")
        parts.append("raised " + (",".join(str(e.cause) for e in self.raised) or "-"))
        parts.append("recovered " + (",".join(str(e.cause) for e in self.recovered) or "-"))
        if self.suppressed:
            parts.append("cooldown " + ",".join(str(c) for c in self.suppressed))
        return "; ".join(parts)


@dataclass(frozen=True)
class _Verdict:
    cause: CacheAlertCause
    failing: bool
    value: float
    threshold: float
    params: dict[str, Any]


def _num(value: float | None, lang: str) -> str:
    if value is None:
        return "–"
    rounded = round(float(value), 1)
    return format_number(rounded, 0 if rounded.is_integer() else 1, lang)


def _open_events(session: Session, cause: CacheAlertCause) -> list[CacheAlertEvent]:
    return list(
        session.exec(
            select(CacheAlertEvent)
            .where(
                CacheAlertEvent.cause == cause,
                CacheAlertEvent.kind == CacheAlertEventKind.RAISED,
                CacheAlertEvent.recovered_at.is_(None),
            )
            .order_by(CacheAlertEvent.created_at.desc(), CacheAlertEvent.id.desc())
        )
    )


def _record(
    session: Session,
    verdict: _Verdict,
    kind: CacheAlertEventKind,
    now: datetime,
    lang: str,
    result: CheckResult,
) -> CacheAlertEvent:
    prefix = "monitor.alert" if kind == CacheAlertEventKind.RAISED else "monitor.recovered"
    params = {
        "value": _num(verdict.value, lang),
        "threshold": _num(verdict.threshold, lang),
        **{k: (v if isinstance(v, str) else _num(v, lang)) for k, v in verdict.params.items()},
    }
    if "mode" in params:
        from piano_emotion.ui.i18n import enum_label

        params["mode"] = enum_label(params["mode"], lang, "CacheMode")
    title = translate(f"{prefix}.{verdict.cause}.title", lang, **params)
    body = translate(f"{prefix}.{verdict.cause}.body", lang, **params)
    event = CacheAlertEvent(
        cause=verdict.cause,
        kind=kind,
        value=float(verdict.value),
        threshold=float(verdict.threshold),
        message=f"{title}. {body}"[:MESSAGE_MAX],
        created_at=now,
        updated_at=now,
    )
    session.add(event)
    session.flush()
    if kind == CacheAlertEventKind.RECOVERED:
        severity = NotificationSeverity.INFO
    elif verdict.cause == CacheAlertCause.CONNECTION:
        severity = NotificationSeverity.CRITICAL
    else:
        severity = NotificationSeverity.WARNING
    notification = notify_owner(
        session, severity=severity, title=title, body=body, alert_event_id=event.id, now=now
    )
    event.notified = True
    session.add(event)
    result.notifications.append(notification)
    log.warning("cache alert %s %s: %s", verdict.cause, kind, title)
    return event


def _apply(
    session: Session,
    verdict: _Verdict,
    cooldown: timedelta,
    now: datetime,
    lang: str,
    result: CheckResult,
) -> None:
    open_events = _open_events(session, verdict.cause)
    if verdict.failing:
        result.failing.append(verdict.cause)
        if open_events and now - open_events[0].created_at < cooldown:
            result.suppressed.append(verdict.cause)
            return
        result.raised.append(
            _record(session, verdict, CacheAlertEventKind.RAISED, now, lang, result)
        )
        return
    if not open_events:
        return
    for event in open_events:
        event.recovered_at = now
        event.updated_at = now
        session.add(event)
    result.recovered.append(
        _record(session, verdict, CacheAlertEventKind.RECOVERED, now, lang, result)
    )


def _window_for(figures: CacheFigures, now: datetime, result: CheckResult) -> Window | None:
    """This check's window, and the baseline moved to now; None when not judged."""
    try:
        baseline = read_baseline()
        write_baseline(figures, now)
    except BackendError as error:
        log.warning("cache alert check: baseline unavailable (%s)", error)
        result.ignored_reason = "baseline_unavailable"
        return None
    if baseline is None:
        result.ignored_reason = "first_window"
        return None
    return window_between(baseline, figures, now)


def check_cache_health(
    session: Session,
    now: datetime,
    stats: Mapping[str, Any] | None = None,
    *,
    settings: Settings | None = None,
) -> CheckResult:
    """Judge the cache over the window since the previous check (see the module
    docstring); raise, repeat after the cooldown, or recover alerts, and notify
    the owner of each. ``stats`` defaults to the cache service's. Flushed, not
    committed."""
    now = _aware(now)
    settings = settings or get_settings()
    config = get_alert_settings(session)
    figures = CacheFigures.from_stats(stats if stats is not None else current_stats())
    result = CheckResult(
        checked_at=now,
        enabled=config.enabled,
        connected=figures.connected,
        degraded=figures.degraded,
    )
    disconnected = not figures.connected or figures.degraded
    verdicts = [
        _Verdict(
            CacheAlertCause.CONNECTION,
            disconnected,
            0.0 if disconnected else 1.0,
            1.0,
            {"mode": figures.mode},
        )
    ]
    if disconnected:
        # The figures are this process's own: keep the baseline for later.
        result.ignored_reason = "disconnected"
    else:
        window = result.window = _window_for(figures, now, result)
        if window is not None:
            if window.lookups >= config.min_operations and window.hit_rate is not None:
                verdicts.append(
                    _Verdict(
                        CacheAlertCause.HIT_RATE,
                        window.hit_rate < config.min_hit_rate_pct,
                        window.hit_rate,
                        config.min_hit_rate_pct,
                        {"lookups": window.lookups},
                    )
                )
            if window.operations >= config.min_operations and window.latency_avg_ms is not None:
                verdicts.append(
                    _Verdict(
                        CacheAlertCause.LATENCY,
                        window.latency_avg_ms > config.max_latency_ms,
                        window.latency_avg_ms,
                        config.max_latency_ms,
                        {"p95": window.latency_p95_ms, "operations": window.operations},
                    )
                )
            if len(verdicts) == 1:
                result.ignored_reason = "too_few_operations"
    if not config.enabled:
        return result
    lang = owner_language(session, settings)
    cooldown = timedelta(minutes=config.cooldown_minutes)
    for verdict in sorted(verdicts, key=lambda v: CAUSE_ORDER.index(v.cause)):
        result.judged.append(verdict.cause)
        _apply(session, verdict, cooldown, now, lang, result)
    session.flush()
    return result


def event_to_dict(row: CacheAlertEvent) -> dict[str, Any]:
    """An alert event as plain values (for page state)."""
    return {
        "id": row.id,
        "cause": str(row.cause),
        "kind": str(row.kind),
        "value": row.value,
        "threshold": row.threshold,
        "message": row.message,
        "created_at": _aware(row.created_at).isoformat(),
        "recovered_at": _aware(row.recovered_at).isoformat() if row.recovered_at else None,
        "notified": row.notified,
    }


def recent_events(session: Session, user: User | None, limit: int = 50) -> list[CacheAlertEvent]:
    """The newest alert events, newest first (owner only; for the monitor page)."""
    require_owner(user)
    limit = max(1, min(int(limit), 500))
    return list(
        session.exec(
            select(CacheAlertEvent)
            .order_by(CacheAlertEvent.created_at.desc(), CacheAlertEvent.id.desc())
            .limit(limit)
        )
    )
