"""One TTL policy for every cached read (seconds), tunable from settings.

``CACHE_TTL_<ENTITY>=<seconds>`` overrides one entry (e.g. ``CACHE_TTL_CLIENTS=600``).
Writes invalidate by tag, so TTLs only bound how long an entry lives unused
(see ``EXACT_TTL``).
"""

from __future__ import annotations

from collections.abc import Mapping

# Entries of these entities are invalidated exactly: every write bumps the
# tags of what it changed (``piano_emotion.domain.cached``), and a read whose
# result depends on the date carries the day in its parameters (the alerts,
# the dashboard, overdue invoices and quotes, due reminders). An entry that is
# never invalidated is therefore still right hours later, and its TTL is only
# a safety net and a bound on memory: it spans a working day, so a page read
# in the morning is still a hit in the afternoon. (It assumes, like every
# TTL here, that the cache Redis never evicts a tag version: those keys have
# no TTL, so ``noeviction`` and the ``volatile-*`` policies keep them.)
EXACT_TTL = 12 * 3600
EXACTLY_INVALIDATED = (
    "clients",
    "pianos",
    "services",
    "dashboard",
    "alerts",
    "reminders",
    "inventory",
    "quotes",
    "invoices",
    "rates",
    "settings",
    "navigation",
)
DEFAULT_TTLS: dict[str, int] = {
    **dict.fromkeys(EXACTLY_INVALIDATED, EXACT_TTL),
    # Short: what they hold also depends on the clock, not only on the rows
    # (upcoming appointments are "from now"), or they are one-off reads
    # (search as you type) or platform figures that are not tag-invalidated.
    "appointments": 120,
    "search": 120,
    "forecast": 1800,
    "platform": 60,
    # Who is asking (auth.current.session_account): dropped on every write of
    # the row, and short where a drop cannot reach (another process's memory
    # cache), so a disabled account or a revoked session stops within it.
    "account": 60,
}
FALLBACK_TTL = 300
MIN_TTL, MAX_TTL = 1, 7 * 24 * 3600


class TtlPolicy:
    def __init__(self, overrides: Mapping[str, int] | None = None) -> None:
        self.ttls = dict(DEFAULT_TTLS)
        for entity, seconds in (overrides or {}).items():
            if not MIN_TTL <= int(seconds) <= MAX_TTL:
                raise ValueError(f"CACHE_TTL_{entity.upper()} must be {MIN_TTL}..{MAX_TTL} seconds")
            self.ttls[entity.lower()] = int(seconds)

    def ttl(self, entity: str) -> int:
        return self.ttls.get(entity, FALLBACK_TTL)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> TtlPolicy:
        overrides = {}
        for name, value in environ.items():
            if name.startswith("CACHE_TTL_") and value.strip():
                try:
                    overrides[name.removeprefix("CACHE_TTL_").lower()] = int(value)
                except ValueError as exc:
                    raise ValueError(f"{name} must be a number of seconds") from exc
        return cls(overrides)
