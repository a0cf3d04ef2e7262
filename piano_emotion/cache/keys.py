"""Cache keys and tags, built by one helper so that every key is scoped.

A key looks like ``t42:clients:list:3f9c1a0b2d`` (technician 42, entity,
view, a hash of the parameters); the service prefixes its namespace. Keys
without a technician are only for platform-wide data (``platform:…``).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

PLATFORM_SCOPE = "platform"


def _scope(technician_id: int | None) -> str:
    if technician_id is None:
        return PLATFORM_SCOPE
    # bool is an int subclass: True would pass as technician 1 and build the
    # key "tTrue:…", outside every real technician's scope.
    if not isinstance(technician_id, int) or isinstance(technician_id, bool) or technician_id <= 0:
        raise ValueError(f"invalid technician id {technician_id!r} for a cache key")
    return f"t{technician_id}"


def params_hash(params: Any) -> str:
    if params is None or params == {}:
        return "-"
    canonical = json.dumps(params, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.blake2s(canonical.encode(), digest_size=8).hexdigest()


def cache_key(technician_id: int | None, entity: str, view: str, params: Any = None) -> str:
    """The one way to name a cache entry."""
    return f"{_scope(technician_id)}:{entity}:{view}:{params_hash(params)}"


def tag(technician_id: int | None, name: str, record_id: int | None = None) -> str:
    """A tag: ``t42:clients`` (every list of clients of 42) or ``t42:client:7``."""
    base = f"{_scope(technician_id)}:{name}"
    return base if record_id is None else f"{base}:{record_id}"
