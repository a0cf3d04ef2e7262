"""One TTL policy for every cached read (seconds), tunable from settings.

``CACHE_TTL_<ENTITY>=<seconds>`` overrides one entry (e.g. ``CACHE_TTL_CLIENTS=600``).
Writes invalidate by tag, so TTLs only bound how long an entry lives unused.
"""

from __future__ import annotations

from collections.abc import Mapping

DEFAULT_TTLS: dict[str, int] = {
    "clients": 300,
    "pianos": 600,
    "services": 120,
    "appointments": 120,
    "reminders": 300,
    "inventory": 300,
    "quotes": 300,
    "invoices": 300,
    "rates": 900,
    "dashboard": 300,
    "alerts": 300,
    "search": 120,
    "forecast": 1800,
    "settings": 900,
    "platform": 60,
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
