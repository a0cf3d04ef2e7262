"""Scheduled jobs: the registry, the once-per-period runner and the scheduler.

- ``registry``: what runs and when (``JOBS``; ``register_job`` adds one).
- ``runner``: ``run_job(name)`` runs a job at most once per period across every
  worker and process (Redis/Upstash lock, then a ``JobRun`` row as the source of
  truth) and records start, end, result and error; ``last_runs`` feeds the monitor.
- ``scheduler``: APScheduler started from the Reflex lifespan (``start_scheduler``).

The serverless alternative is ``POST /api/cron/{job}`` (``piano_emotion.api.cron``).
"""

from __future__ import annotations

from piano_emotion.jobs.registry import JOBS, Job, get_job, register_job
from piano_emotion.jobs.runner import UnknownJobError, last_runs, run_job

__all__ = ["JOBS", "Job", "UnknownJobError", "get_job", "last_runs", "register_job", "run_job"]
