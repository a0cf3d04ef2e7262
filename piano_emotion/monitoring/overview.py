"""What the owner's cache monitor (``/monitor-cache``) shows, assembled here.

Plain functions, each checked with ``require_owner`` (``OwnerOnly``, a
``PermissionError``, for anyone else) before it reads or changes anything;
the page state only calls them and formats nothing of its own but labels.

- ``connection_status``: connected or not, mode and its label, degraded flag,
  the backend's round trip now (one ``ping``).
- ``current_metrics``: the fleet-wide figures of ``CacheService.stats()``:
  hits, misses, hit rate with the *low hit rate* flag (below the owner's
  threshold, only once there were more than ``LOW_HIT_RATE_MIN_OPERATIONS``
  operations), latency avg/p50/p95/p99 with the gauge's colour band (green up
  to the 35 ms target, amber up to the 100 ms limit, red above), operations
  by kind, keys, errors, uptime.
- ``history_series``: the hourly snapshots of a range (1 h, 6 h, 24 h, 7 d) as
  chart points with per-interval values (hit rate, operations, average
  latency of the hour) next to the latency percentiles the cache reported.
- ``alerts_overview`` and ``jobs_overview``: the alert job, its thresholds and
  history; every scheduled job with its schedule, last run and next run.
- Actions: ``invalidate_namespace`` (one collection of cached data, for every
  technician), ``invalidate_everything`` (the whole cache namespace),
  ``reset_cache_metrics``.

"A namespace", for the owner: the cache keys are scoped by technician
(``t42:clients:list:…``) and tagged by collection (``t42:clients``); a
namespace is one collection (``NAMESPACES``: clients, pianos, invoices…)
across every technician, invalidated by bumping that collection's tag for
each account (plus the names it feeds, like a domain write does). The whole
cache namespace (``CACHE_NAMESPACE``, ``pe`` by default) is invalidated at
once by bumping its generation. Neither deletes keys: stale entries are never
served again and expire by their TTL.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from piano_emotion.cache import MODE_LABELS, get_cache, tag
from piano_emotion.doctor import CACHE_LATENCY_ALERT_MS, CACHE_LATENCY_TARGET_MS
from piano_emotion.formatting import format_number, to_local
from piano_emotion.models import CacheAlertSettings, CacheMetricSnapshot, User
from piano_emotion.monitoring.access import require_owner
from piano_emotion.monitoring.figures import COUNTERS
from piano_emotion.settings import Settings

# The history ranges the page offers (key -> how far back).
RANGES: dict[str, timedelta] = {
    "1h": timedelta(hours=1),
    "6h": timedelta(hours=6),
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
}
DEFAULT_RANGE = "24h"
# The low-hit-rate badge needs more than this many operations (a cold cache
# with a handful of misses is not "low").
LOW_HIT_RATE_MIN_OPERATIONS = 10
# The gauge: green up to the target's upper end, amber up to the alert limit.
LATENCY_TARGET_MS = CACHE_LATENCY_TARGET_MS  # (5, 35)
LATENCY_LIMIT_MS = CACHE_LATENCY_ALERT_MS  # 100
# The gauge's full scale (the limit sits at two thirds of it).
LATENCY_GAUGE_MAX_MS = 150.0
OPERATION_KINDS = ("hits", "misses", "sets", "deletes", "refreshes", "errors")
# Tags bumped per cache call when a namespace is invalidated.
_TAG_CHUNK = 200


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def local_text(value: datetime | str | None, pattern: str = "%d/%m/%Y %H:%M") -> str:
    """A moment in Spain's time (``Europe/Madrid``), "" for none."""
    if value is None or value == "":
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return to_local(moment).strftime(pattern)


def _t(key: str, lang: str, **params: Any) -> str:
    from piano_emotion.ui.i18n import translate

    return translate(key, lang, **params)


def mode_label(mode: str, lang: str = "es") -> str:
    """``Redis (Producción)``, ``Upstash Redis (Producción)``, ``Memoria (Desarrollo)``."""
    if lang == "es":
        return MODE_LABELS.get(mode, mode)
    return _t(f"monitor.mode.{mode}", lang)


# ---------------------------------------------------------------------------
# connection and current figures
# ---------------------------------------------------------------------------
def connection_status(
    user: User | None, settings: Settings | None = None, *, cache=None, lang: str = "es"
) -> dict[str, Any]:
    """Connected or not, the mode, the degraded flag and the round trip now."""
    require_owner(user, settings)
    cache = cache or get_cache()
    ok, round_trip_ms = cache.ping()
    return {
        "mode": cache.mode,
        "mode_label": mode_label(cache.mode, lang),
        "remote": bool(cache.backend.remote),
        "connected": bool(ok) and not cache.degraded,
        "degraded": bool(cache.degraded),
        "round_trip_ms": round_trip_ms,
        "namespace": cache.namespace,
    }


def latency_band(latency_ms: float) -> str:
    """The gauge's colour: ``green`` up to 35 ms, ``amber`` up to 100 ms, ``red`` above."""
    if latency_ms <= LATENCY_TARGET_MS[1]:
        return "green"
    if latency_ms <= LATENCY_LIMIT_MS:
        return "amber"
    return "red"


def gauge_percent(latency_ms: float) -> int:
    """Where ``latency_ms`` sits on the gauge (0–100 of ``LATENCY_GAUGE_MAX_MS``)."""
    return max(0, min(100, round(100 * float(latency_ms) / LATENCY_GAUGE_MAX_MS)))


def is_low_hit_rate(hit_rate: float, operations: int, lookups: int, threshold: float) -> bool:
    """Below the owner's threshold, once there were more than 10 operations
    (and at least one lookup: writes alone have no hit rate)."""
    return operations > LOW_HIT_RATE_MIN_OPERATIONS and lookups > 0 and hit_rate < threshold


def current_metrics(
    user: User | None,
    settings: Settings | None = None,
    *,
    hit_rate_threshold: float | None = None,
    stats: Mapping[str, Any] | None = None,
    cache=None,
) -> dict[str, Any]:
    """The fleet-wide figures now (see the module docstring).

    ``hit_rate_threshold`` defaults to the alert settings' default (80 %);
    the page passes the owner's saved one. ``stats`` defaults to the cache
    service's ``stats()``.
    """
    require_owner(user, settings)
    if stats is None:
        stats = (cache or get_cache()).stats()
    if hit_rate_threshold is None:
        hit_rate_threshold = float(CacheAlertSettings().min_hit_rate_pct)
    latency = {
        name: float((stats.get("latency_ms") or {}).get(name) or 0.0)
        for name in ("avg", "p50", "p95", "p99")
    }
    counts = {kind: int(stats.get(kind) or 0) for kind in OPERATION_KINDS}
    operations = counts["hits"] + counts["misses"] + counts["sets"] + counts["deletes"]
    lookups = counts["hits"] + counts["misses"]
    hit_rate = float(stats.get("hit_rate") or 0.0)
    return {
        "mode": str(stats.get("mode") or "memory"),
        "connected": bool(stats.get("connected", True)),
        "degraded": bool(stats.get("degraded", False)),
        **counts,
        "operations": operations,
        "lookups": lookups,
        "hit_rate": hit_rate,
        "hit_rate_threshold": float(hit_rate_threshold),
        "low_hit_rate": is_low_hit_rate(hit_rate, operations, lookups, hit_rate_threshold),
        "latency_ms": latency,
        "latency_band": latency_band(latency["avg"]),
        "latency_gauge_pct": gauge_percent(latency["avg"]),
        "keys": int(stats.get("keys") or 0),
        "uptime_s": float(stats.get("uptime_s") or 0.0),
    }


def uptime_text(seconds: float, lang: str = "es") -> str:
    """``2 d 3 h``, ``3 h 12 min``, ``4 min 5 s``, ``45 s``."""
    total = max(0, int(seconds))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return _t("monitor.uptime.days", lang, d=days, h=hours)
    if hours:
        return _t("monitor.uptime.hours", lang, h=hours, m=minutes)
    if minutes:
        return _t("monitor.uptime.minutes", lang, m=minutes, s=secs)
    return _t("monitor.uptime.seconds", lang, s=secs)


# ---------------------------------------------------------------------------
# history
# ---------------------------------------------------------------------------
def _operations(row: CacheMetricSnapshot, prefix: str = "") -> int:
    return sum(
        int(getattr(row, f"{prefix}{name}")) for name in ("hits", "misses", "sets", "deletes")
    )


def _interval_latency(
    row: CacheMetricSnapshot, previous: CacheMetricSnapshot | None
) -> float | None:
    """The average latency of the hour before ``row``: the cumulative latency sum
    (average × operations) minus the previous snapshot's, over the hour's operations.
    After a metrics reset (every delta equals its counter) the hour is all there is."""
    operations = _operations(row, "delta_")
    if operations <= 0:
        return None
    reset = previous is None or all(
        int(getattr(row, f"delta_{name}")) == int(getattr(row, name)) for name in COUNTERS
    )
    total = float(row.latency_avg_ms) * _operations(row)
    if not reset:
        total -= float(previous.latency_avg_ms) * _operations(previous)
    return round(max(total, 0.0) / operations, 3)


def next_snapshot_at(now: datetime) -> datetime | None:
    """When the hourly snapshot job fires next (scheduler or its trigger)."""
    from piano_emotion.monitoring.jobs import SNAPSHOT_JOB

    return _next_run(SNAPSHOT_JOB, now)


def history_series(
    session: Session,
    user: User | None,
    range_key: str,
    now: datetime,
    *,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """The snapshots of the last ``range_key`` (``1h``, ``6h``, ``24h``, ``7d``) as
    chart points, oldest first.

    Each point: ``label`` (local ``dd/mm HH:MM``), ``taken_at`` (ISO, UTC),
    per-interval ``hits``, ``misses``, ``sets``, ``deletes``, ``errors``,
    ``operations``, ``hit_rate`` (of the interval's lookups; None without
    any), ``latency_avg`` (of the interval), and the ``p50``/``p95``/``p99``
    the cache reported at that moment (since its metrics started: snapshots
    keep no histogram). ``empty`` with ``next_snapshot_at`` when there is no
    point to draw.
    """
    require_owner(user, settings)
    if range_key not in RANGES:
        raise ValueError(f"unknown history range {range_key!r}")
    now = _aware(now)
    since = now - RANGES[range_key]
    rows = list(
        session.exec(
            select(CacheMetricSnapshot)
            .where(CacheMetricSnapshot.taken_at >= since, CacheMetricSnapshot.taken_at <= now)
            .order_by(CacheMetricSnapshot.taken_at.asc(), CacheMetricSnapshot.id.asc())
        )
    )
    previous = None
    if rows:
        previous = session.exec(
            select(CacheMetricSnapshot)
            .where(CacheMetricSnapshot.taken_at < since)
            .order_by(CacheMetricSnapshot.taken_at.desc(), CacheMetricSnapshot.id.desc())
            .limit(1)
        ).first()
    pattern = "%H:%M" if RANGES[range_key] <= timedelta(hours=24) else "%d/%m %H:%M"
    points = []
    for row in rows:
        points.append(
            {
                "taken_at": _aware(row.taken_at).isoformat(),
                "label": local_text(row.taken_at, pattern),
                "when": local_text(row.taken_at),
                "hits": int(row.delta_hits),
                "misses": int(row.delta_misses),
                "sets": int(row.delta_sets),
                "deletes": int(row.delta_deletes),
                "errors": int(row.delta_errors),
                "operations": _operations(row, "delta_"),
                "hit_rate": row.interval_hit_rate,
                "cumulative_hit_rate": row.hit_rate,
                "latency_avg": _interval_latency(row, previous),
                "p50": row.latency_p50_ms,
                "p95": row.latency_p95_ms,
                "p99": row.latency_p99_ms,
                "keys": int(row.keys),
            }
        )
        previous = row
    following = next_snapshot_at(now)
    return {
        "range": range_key,
        "since": since.isoformat(),
        "points": points,
        "empty": not points,
        "next_snapshot_at": following.isoformat() if following else None,
    }


def history_rows(
    session: Session,
    user: User | None,
    range_key: str,
    now: datetime,
    *,
    settings: Settings | None = None,
) -> list[CacheMetricSnapshot]:
    """The snapshot rows of a range, oldest first (for the CSV export)."""
    require_owner(user, settings)
    if range_key not in RANGES:
        raise ValueError(f"unknown history range {range_key!r}")
    now = _aware(now)
    return list(
        session.exec(
            select(CacheMetricSnapshot)
            .where(
                CacheMetricSnapshot.taken_at >= now - RANGES[range_key],
                CacheMetricSnapshot.taken_at <= now,
            )
            .order_by(CacheMetricSnapshot.taken_at.asc(), CacheMetricSnapshot.id.asc())
        )
    )


def history_csv_for(
    session: Session,
    user: User | None,
    range_key: str,
    now: datetime,
    lang: str = "es",
    *,
    settings: Settings | None = None,
) -> bytes:
    """The range's snapshots as CSV (``snapshots.history_csv``), owner only."""
    from piano_emotion.monitoring.snapshots import history_csv

    return history_csv(history_rows(session, user, range_key, now, settings=settings), lang)


def csv_filename(range_key: str, now: datetime) -> str:
    return f"cache-monitor-{range_key}-{to_local(_aware(now)):%Y%m%d-%H%M}.csv"


# ---------------------------------------------------------------------------
# scheduled jobs and alerts
# ---------------------------------------------------------------------------
def _next_run(name: str, now: datetime) -> datetime | None:
    """The scheduler's next run of job ``name`` when it runs in this process,
    else the job's trigger's next fire time after ``now``."""
    from piano_emotion.jobs.registry import get_job
    from piano_emotion.jobs.scheduler import current_scheduler

    scheduler = current_scheduler()
    if scheduler is not None:
        scheduled = scheduler.get_job(name)
        if scheduled is not None and scheduled.next_run_time is not None:
            return scheduled.next_run_time
    job = get_job(name)
    return job.next_run_after(_aware(now)) if job is not None else None


def schedule_text(job, lang: str = "es") -> str:
    """``Cada 5 min``, ``Cada hora (minuto 00)``, ``Cada día a las 06:00``."""
    args = job.trigger_args
    if job.schedule == "interval":
        if set(args) == {"minutes"}:
            return _t("monitor.schedule.every_minutes", lang, n=args["minutes"])
        if set(args) == {"hours"}:
            return _t("monitor.schedule.every_hours", lang, n=args["hours"])
    elif set(args) == {"minute"}:
        return _t("monitor.schedule.hourly", lang, minute=f"{int(args['minute']):02d}")
    elif set(args) == {"hour", "minute"}:
        return _t(
            "monitor.schedule.daily",
            lang,
            time=f"{int(args['hour']):02d}:{int(args['minute']):02d}",
        )
    return job.describe_schedule()


def duration_text(duration_ms: int | None, lang: str = "es") -> str:
    if duration_ms is None:
        return ""
    if duration_ms < 1000:
        return f"{int(duration_ms)} ms"
    return f"{format_number(duration_ms / 1000, 1, lang)} s"


def jobs_overview(
    session: Session,
    user: User | None,
    now: datetime,
    *,
    lang: str = "es",
    settings: Settings | None = None,
) -> list[dict[str, Any]]:
    """Every registered job: its schedule, last run (start, duration, result) and next run."""
    from piano_emotion.jobs.registry import JOBS
    from piano_emotion.jobs.runner import last_runs
    from piano_emotion.jobs.scheduler import current_scheduler

    require_owner(user, settings)
    now = _aware(now)
    running = current_scheduler() is not None
    rows = []
    for entry in last_runs(session, now):
        job = JOBS[entry["job"]]
        last = entry["last_run"] or {}
        following = _next_run(job.name, now)
        error = (last.get("error") or "").strip().splitlines()[-1:] or [""]
        rows.append(
            {
                "job": job.name,
                "description": job.description,
                "schedule": job.describe_schedule(),
                "schedule_text": schedule_text(job, lang),
                "last_started_at": last.get("started_at"),
                "last_started": local_text(last.get("started_at")),
                "duration_ms": last.get("duration_ms"),
                "duration": duration_text(last.get("duration_ms"), lang),
                "status": last.get("status") or "",
                "result": last.get("result") or "",
                "error": error[0][:300],
                "next_run_at": following.isoformat() if following else None,
                "next_run": local_text(following),
                "scheduler_running": running,
            }
        )
    return rows


def alerts_overview(
    session: Session,
    user: User | None,
    now: datetime,
    *,
    lang: str = "es",
    limit: int = 50,
    jobs: list[dict[str, Any]] | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """The alert job (enabled, last and next run), its thresholds and its history.

    ``jobs``: the ``jobs_overview`` rows when the caller already has them."""
    from piano_emotion.monitoring.alerts import (
        alert_settings_to_dict,
        event_to_dict,
        get_alert_settings,
        recent_events,
    )
    from piano_emotion.monitoring.jobs import ALERT_CHECK_JOB
    from piano_emotion.ui.i18n import enum_label

    require_owner(user, settings)
    config = alert_settings_to_dict(get_alert_settings(session))
    if jobs is None:
        jobs = jobs_overview(session, user, now, lang=lang, settings=settings)
    job = next((row for row in jobs if row["job"] == ALERT_CHECK_JOB), None)
    events = []
    for row in recent_events(session, user, limit):
        data = event_to_dict(row)
        data.update(
            created=local_text(data["created_at"]),
            recovered=local_text(data["recovered_at"]),
            cause_label=enum_label(data["cause"], lang, "CacheAlertCause"),
            kind_label=enum_label(data["kind"], lang, "CacheAlertEventKind"),
        )
        events.append(data)
    return {"settings": config, "job": job, "events": events}


# ---------------------------------------------------------------------------
# actions
# ---------------------------------------------------------------------------
def namespaces() -> list[str]:
    """The collections the owner may invalidate (``domain.cached.COLLECTIONS``)."""
    from piano_emotion.domain.cached import COLLECTIONS

    return sorted(COLLECTIONS)


def invalidate_namespace(
    session: Session, user: User | None, name: str, *, settings: Settings | None = None
) -> int:
    """Make every cached entry of collection ``name`` stale, for every technician
    (with the names it feeds: ``clients`` also drops ``client_names``). Returns
    how many tags were bumped. ``ValueError`` for an unknown collection."""
    from piano_emotion.domain.cached import NAME_COLLECTIONS

    require_owner(user, settings)
    if name not in namespaces():
        raise ValueError(f"unknown cache namespace {name!r}")
    collections = [name] + ([NAME_COLLECTIONS[name]] if name in NAME_COLLECTIONS else [])
    account_ids = list(session.exec(select(User.id).order_by(User.id)))
    tags = [tag(account_id, collection) for account_id in account_ids for collection in collections]
    cache = get_cache()
    for start in range(0, len(tags), _TAG_CHUNK):
        cache.invalidate(*tags[start : start + _TAG_CHUNK])
    return len(tags)


def invalidate_everything(user: User | None, *, settings: Settings | None = None) -> None:
    """Every entry of the cache namespace becomes stale (one generation bump)."""
    require_owner(user, settings)
    get_cache().invalidate_all()


def reset_cache_metrics(user: User | None, *, settings: Settings | None = None) -> None:
    """Counters and latency back to zero, fleet-wide (uptime restarts)."""
    require_owner(user, settings)
    get_cache().reset_metrics()
