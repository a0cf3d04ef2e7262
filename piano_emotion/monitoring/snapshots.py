"""Hourly snapshots of the fleet-wide cache figures (the monitor's charts).

Each snapshot stores the cumulative counters as read, their increase since
the previous snapshot (the per-hour values the charts draw), the cumulative
and the per-interval hit rate, the latency figures reported by the cache
(since its metrics started), the mode, connection state and key count. Only
the newest ``SNAPSHOT_RETENTION`` snapshots are kept (7 days of hours).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from piano_emotion.models import CacheMetricSnapshot
from piano_emotion.models.enums import CacheMode
from piano_emotion.monitoring.figures import (
    COUNTERS,
    CacheFigures,
    counter_deltas,
    current_stats,
    hit_rate_of,
)

# How many snapshots are kept (hourly: 7 days). The one source of truth.
SNAPSHOT_RETENTION = 168
_DELETE_CHUNK = 500


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def latest_snapshot(session: Session) -> CacheMetricSnapshot | None:
    return session.exec(
        select(CacheMetricSnapshot)
        .order_by(CacheMetricSnapshot.taken_at.desc(), CacheMetricSnapshot.id.desc())
        .limit(1)
    ).first()


def take_snapshot(
    session: Session, now: datetime, stats: Mapping[str, Any] | None = None
) -> CacheMetricSnapshot:
    """Store a snapshot of ``stats`` (default: the cache service's) taken at ``now``,
    then keep only the newest ``SNAPSHOT_RETENTION``. Flushed, not committed."""
    figures = CacheFigures.from_stats(stats if stats is not None else current_stats())
    previous = latest_snapshot(session)
    previous_counters = (
        {name: getattr(previous, name) for name in COUNTERS} if previous is not None else None
    )
    deltas, _reset = counter_deltas(previous_counters, figures.counters)
    row = CacheMetricSnapshot(
        taken_at=_aware(now),
        mode=CacheMode(figures.mode),
        connected=figures.connected,
        degraded=figures.degraded,
        **figures.counters,
        **{f"delta_{name}": value for name, value in deltas.items()},
        hit_rate=figures.hit_rate,
        interval_hit_rate=hit_rate_of(deltas["hits"], deltas["misses"]),
        latency_avg_ms=figures.latency_avg_ms,
        latency_p50_ms=figures.latency_p50_ms,
        latency_p95_ms=figures.latency_p95_ms,
        latency_p99_ms=figures.latency_p99_ms,
        keys=figures.keys,
    )
    session.add(row)
    session.flush()
    prune_snapshots(session)
    return row


def prune_snapshots(session: Session, keep: int = SNAPSHOT_RETENTION) -> int:
    """Delete every snapshot but the newest ``keep``; how many were deleted.

    The ids are read first (MariaDB refuses ``LIMIT`` inside an ``IN``
    subquery); normally there is one old row per hour.
    """
    old_ids = list(
        session.exec(
            select(CacheMetricSnapshot.id)
            .order_by(CacheMetricSnapshot.taken_at.desc(), CacheMetricSnapshot.id.desc())
            .offset(keep)
        )
    )
    for start in range(0, len(old_ids), _DELETE_CHUNK):
        chunk = old_ids[start : start + _DELETE_CHUNK]
        session.exec(sa.delete(CacheMetricSnapshot).where(CacheMetricSnapshot.id.in_(chunk)))
    return len(old_ids)


def snapshot_to_dict(row: CacheMetricSnapshot) -> dict[str, Any]:
    """A snapshot as plain values (ISO time in UTC, for charts and state)."""
    from piano_emotion.formatting import to_local

    data: dict[str, Any] = {
        "id": row.id,
        "taken_at": _aware(row.taken_at).isoformat(),
        "taken_at_local": to_local(row.taken_at).strftime("%d/%m %H:%M"),
        "mode": str(row.mode),
        "connected": row.connected,
        "degraded": row.degraded,
    }
    for name in COUNTERS:
        data[name] = getattr(row, name)
        data[f"delta_{name}"] = getattr(row, f"delta_{name}")
    data.update(
        hit_rate=row.hit_rate,
        interval_hit_rate=row.interval_hit_rate,
        latency_avg_ms=row.latency_avg_ms,
        latency_p50_ms=row.latency_p50_ms,
        latency_p95_ms=row.latency_p95_ms,
        latency_p99_ms=row.latency_p99_ms,
        keys=row.keys,
    )
    return data


def history(session: Session, since: datetime | None = None) -> list[dict[str, Any]]:
    """The kept snapshots taken at or after ``since``, oldest first, as dicts."""
    query = select(CacheMetricSnapshot)
    if since is not None:
        query = query.where(CacheMetricSnapshot.taken_at >= _aware(since))
    rows = session.exec(
        query.order_by(CacheMetricSnapshot.taken_at.asc(), CacheMetricSnapshot.id.asc())
    )
    return [snapshot_to_dict(row) for row in rows]


# Columns of the CSV export: (field, translation key, decimals or None for text).
CSV_COLUMNS: tuple[tuple[str, str, int | None], ...] = (
    ("taken_at", "monitor.csv.taken_at", None),
    ("mode", "monitor.csv.mode", None),
    ("connected", "monitor.csv.connected", None),
    ("degraded", "monitor.csv.degraded", None),
    ("delta_hits", "monitor.csv.delta_hits", 0),
    ("delta_misses", "monitor.csv.delta_misses", 0),
    ("delta_sets", "monitor.csv.delta_sets", 0),
    ("delta_deletes", "monitor.csv.delta_deletes", 0),
    ("delta_errors", "monitor.csv.delta_errors", 0),
    ("interval_hit_rate", "monitor.csv.interval_hit_rate", 2),
    ("hit_rate", "monitor.csv.hit_rate", 2),
    ("latency_avg_ms", "monitor.csv.latency_avg_ms", 3),
    ("latency_p50_ms", "monitor.csv.latency_p50_ms", 3),
    ("latency_p95_ms", "monitor.csv.latency_p95_ms", 3),
    ("latency_p99_ms", "monitor.csv.latency_p99_ms", 3),
    ("keys", "monitor.csv.keys", 0),
    ("hits", "monitor.csv.hits", 0),
    ("misses", "monitor.csv.misses", 0),
)


def history_csv(rows: Iterable[Mapping[str, Any] | CacheMetricSnapshot], lang: str = "es") -> bytes:
    """The history as CSV for a spreadsheet, in ``lang``.

    Spanish: ``;`` between fields and a decimal comma (what Excel expects in
    Spain); English: ``,`` and a decimal point. Times are local (Europe/Madrid),
    ``YYYY-MM-DD HH:MM``. UTF-8 with a byte-order mark, so accents survive Excel.
    """
    from piano_emotion.formatting import to_local
    from piano_emotion.ui.i18n import translate

    delimiter, decimal_mark = (";", ",") if lang == "es" else (",", ".")
    yes, no = translate("monitor.csv.yes", lang), translate("monitor.csv.no", lang)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([translate(key, lang) for _field, key, _places in CSV_COLUMNS])
    for row in rows:
        data = snapshot_to_dict(row) if isinstance(row, CacheMetricSnapshot) else row
        cells = []
        for field, _key, places in CSV_COLUMNS:
            value = data.get(field)
            if field == "taken_at":
                moment = datetime.fromisoformat(value) if isinstance(value, str) else value
                cells.append(to_local(moment).strftime("%Y-%m-%d %H:%M"))
            elif isinstance(value, bool):
                cells.append(yes if value else no)
            elif value is None:
                cells.append("")
            elif places is None:
                cells.append(str(value))
            else:
                cells.append(f"{float(value):.{places}f}".replace(".", decimal_mark))
        writer.writerow(cells)
    return buffer.getvalue().encode("utf-8-sig")
