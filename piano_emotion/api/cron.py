"""``POST /api/cron/{job}``: the scheduled jobs for hosts where no process stays up.

Protected by ``Authorization: Bearer <CRON_SECRET>`` (constant-time compare).
503 when ``CRON_SECRET`` is not configured, 401 for a missing or wrong secret,
404 for an unknown job, 200 with the run (status "success", or "skipped" when
the job already ran this period), 500 with the run when the job failed.
Idempotent per period: ``run_job`` runs a job once per period, however many
workers or instances receive the call (``worker``: the process that answered).
"""

from __future__ import annotations

import hmac
import os

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from piano_emotion.jobs import get_job, run_job
from piano_emotion.settings import get_settings


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


async def cron_endpoint(request: Request) -> JSONResponse:
    secret = get_settings().cron_secret
    if not secret:
        return JSONResponse(
            {"error": "cron_disabled", "message": "CRON_SECRET is not configured on this server."},
            status_code=503,
        )
    given = _bearer(request)
    if not given or not hmac.compare_digest(given.encode(), secret.encode()):
        return JSONResponse(
            {"error": "unauthorized", "message": "Send Authorization: Bearer <CRON_SECRET>."},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    name = request.path_params["job"]
    if get_job(name) is None:
        return JSONResponse(
            {"error": "unknown_job", "message": f"No job named {name!r}."}, status_code=404
        )
    run = await run_in_threadpool(run_job, name)
    return JSONResponse(
        {**run, "worker": os.getpid()}, status_code=500 if run["status"] == "failed" else 200
    )
