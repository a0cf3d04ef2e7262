"""State of the home page."""

from __future__ import annotations

import reflex as rx
from starlette.concurrency import run_in_threadpool

from piano_emotion.api.health import health_report
from piano_emotion.cache import get_cache
from piano_emotion.db import get_engine
from piano_emotion.settings import get_settings
from piano_emotion.ui.state.auth import AuthState


class HomeState(AuthState):
    database_ok: bool = False
    database_ms: float = 0.0
    cache_mode: str = ""
    version: str = ""
    loaded: bool = False

    @rx.event
    async def load(self):
        if self.current_user() is None:
            return
        _status, report = await run_in_threadpool(
            health_report, get_settings(), get_engine(), get_cache()
        )
        self.database_ok = report["database"]["reachable"]
        self.database_ms = report["database"].get("round_trip_ms", 0.0)
        self.cache_mode = report["cache"]["mode_label"]
        self.version = report["version"]
        self.loaded = True
