"""Reflex configuration of the floor app (see ``bench/reflex_floor.py``).

The same server settings as the product's ``rxconfig.py``: several granian
workers, Reflex's state in a plain Redis, opportunistic locking with the
same hold and lock times, so the floor app pays what the product pays for
an event and nothing else.
"""

import os

os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
os.environ.setdefault("REFLEX_OPLOCK_ENABLED", "true")
os.environ.setdefault("REFLEX_OPLOCK_HOLD_TIME", "60s")
os.environ.setdefault("REFLEX_REDIS_LOCK_EXPIRATION", "90000")
os.environ.setdefault("GRANIAN_WORKERS", os.environ.get("WEB_CONCURRENCY", "4"))

import reflex as rx

config = rx.Config(
    app_name="floor_app",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    disable_plugins=[rx.plugins.SitemapPlugin],
    redis_url=os.environ["REFLEX_REDIS_URL"],
)
