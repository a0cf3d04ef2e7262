"""The post-deploy check: the deployment guide's checklist, run for real.

``python -m piano_emotion.doctor [--url https://app.example.com] [--json] [--lang es|en]``
checks the configured services one by one and prints a line per check:
``✓`` passed, ``✗`` failed (with a hint to fix it), ``⚠`` a warning, an
optional feature that is off, or a check that could not run. The exit code
is 0 only when no *required* check failed (1 otherwise, 2 when the
configuration cannot even be read).

The checks (DEPLOY.md, "Validación"): the home page and ``/api/health``
answer; the database is reachable and at the latest migration; a probe
(a throwaway technician, client, piano and service, listed and deleted inside
one transaction that is rolled back, so nothing is left behind); the cache
mode and its round trip (median of 20 pings against the 5-35 ms target);
Clerk keys and JWKS; Stripe keys and webhook secret; a strong
``JWT_SECRET``; the owner; the scheduled jobs and their last runs; recent
cache snapshots.

``run_checks(settings, base_url=...)`` returns the same results as a list of
``CheckResult`` (for the owner's monitor page: run it in a background task,
it makes network calls). Labels, details and hints are translation keys
(``doctor.*`` in ``piano_emotion.ui.i18n``).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import re
import secrets
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import sqlalchemy as sa

from piano_emotion.settings import (
    KNOWN_WEAK_SECRETS,
    MIN_JWT_SECRET_LENGTH,
    Settings,
    SettingsError,
    load_settings,
)

Status = Literal["ok", "fail", "warn", "skip"]
OK: Status = "ok"
FAIL: Status = "fail"
WARN: Status = "warn"
SKIP: Status = "skip"
SYMBOLS: dict[str, str] = {OK: "✓", FAIL: "✗", WARN: "⚠", SKIP: "⚠"}

# Every job the deployment guide expects the scheduler (or the outside cron) to run.
EXPECTED_JOBS = (
    "daily_reminders",
    "daily_alert_sync",
    "purge_login_attempts",
    "cache_snapshot",
    "cache_alert_check",
)
CACHE_LATENCY_TARGET_MS = (5.0, 35.0)
# Above this the cache alert fires (CacheAlertSettings.max_latency_ms default).
CACHE_LATENCY_ALERT_MS = 100.0
CACHE_PING_SAMPLES = 20
SNAPSHOT_MAX_AGE = timedelta(hours=2)
HTTP_TIMEOUT_S = 10.0
JWKS_TIMEOUT_S = 5.0
# Estimated entropy (bits) a JWT secret must carry: secrets.token_hex(16) has ~115.
MIN_SECRET_BITS = 96
# Words that give away a secret typed by a person.
WEAK_SECRET_WORDS = ("secret", "password", "changeme", "change-me", "example", "123456", "qwerty")
PROBE_EMAIL_DOMAIN = "doctor-probe.invalid"
USER_AGENT = "piano-emotion-doctor"

STRIPE_SECRET_RE = re.compile(r"(sk|rk)_(live|test)_[A-Za-z0-9]{8,}")
STRIPE_PUBLISHABLE_RE = re.compile(r"pk_(live|test)_[A-Za-z0-9]{8,}")
STRIPE_WEBHOOK_RE = re.compile(r"whsec_[A-Za-z0-9+/=]{8,}")
CLERK_SECRET_RE = re.compile(r"sk_(live|test)_[A-Za-z0-9]{8,}")
CLERK_PUBLISHABLE_RE = re.compile(r"pk_(live|test)_[A-Za-z0-9+/=_-]+")


def _t(key: str, lang: str, **params: Any) -> str:
    from piano_emotion.ui.i18n import translate

    return translate(key, lang, **params)


# -- results --------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    """One line of the report.

    ``name_key`` (with ``name_params``) and ``hint_key`` are translation keys;
    ``detail`` is already in the language the checks ran in. ``required``
    says whether this check decides the exit code; a non-required check
    never fails (its problems are warnings).
    """

    name_key: str
    status: Status
    detail: str = ""
    hint_key: str | None = None
    required: bool = True
    name_params: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.status == FAIL

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.status]

    def label(self, lang: str = "es") -> str:
        return _t(self.name_key, lang, **self.name_params)

    def hint(self, lang: str = "es") -> str:
        return _t(self.hint_key, lang) if self.hint_key else ""

    def to_dict(self, lang: str = "es") -> dict[str, Any]:
        return {
            "check": self.name_key,
            "params": dict(self.name_params),
            "label": self.label(lang),
            "status": self.status,
            "symbol": self.symbol,
            "required": self.required,
            "detail": self.detail,
            "hint_key": self.hint_key,
            "hint": self.hint(lang),
        }


@dataclass(frozen=True)
class Outcome:
    """What a check function returns; the runner turns it into a ``CheckResult``."""

    status: Status
    detail: str = ""
    hint_key: str | None = None
    name_params: dict[str, Any] = field(default_factory=dict)


class DoctorContext:
    """What the checks share: settings, one engine, one cache, and the probes
    several checks need (database status, first cache ping), run once."""

    def __init__(
        self,
        settings: Settings,
        *,
        engine: sa.Engine,
        cache,
        base_url: str | None,
        lang: str,
        now: datetime,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.cache = cache
        self.base_url = base_url
        self.lang = lang
        self.now = now
        self._database: dict[str, Any] | None = None
        self._cache_ping: tuple[bool, float] | None = None

    def t(self, key: str, **params: Any) -> str:
        return _t(key, self.lang, **params)

    def database(self) -> dict[str, Any]:
        if self._database is None:
            from piano_emotion.api.health import database_status

            self._database = database_status(self.engine, detailed=True)
        return self._database

    @property
    def database_ok(self) -> bool:
        return bool(self.database()["reachable"])

    @property
    def schema_ok(self) -> bool:
        return self.database_ok and bool(self.database().get("migrations_up_to_date"))

    def cache_ping(self) -> tuple[bool, float]:
        if self._cache_ping is None:
            self._cache_ping = self.cache.ping()
        return self._cache_ping

    def ago(self, moment: datetime) -> str:
        return self.duration(self.now - moment)

    def duration(self, delta: timedelta) -> str:
        minutes = max(0, int(delta.total_seconds() // 60))
        if minutes < 120:
            return self.t("doctor.unit.minutes", n=minutes)
        if minutes < 48 * 60:
            return self.t("doctor.unit.hours", n=minutes // 60)
        return self.t("doctor.unit.days", n=minutes // (24 * 60))


CheckFunction = Callable[[DoctorContext], "Outcome | list[Outcome]"]


@dataclass(frozen=True)
class Check:
    name_key: str
    run: CheckFunction
    required: bool = True


# -- HTTP -----------------------------------------------------------------------


def _http_get(url: str, timeout: float = HTTP_TIMEOUT_S):
    """(response, milliseconds); raises ``httpx.HTTPError`` when nothing answers."""
    import httpx

    started = time.perf_counter()
    response = httpx.get(
        url, timeout=timeout, follow_redirects=True, headers={"User-Agent": USER_AGENT}
    )
    return response, round((time.perf_counter() - started) * 1000)


def _error_text(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__


def check_home(ctx: DoctorContext) -> Outcome:
    if not ctx.base_url:
        return Outcome(SKIP, ctx.t("doctor.detail.no_url"), "doctor.hint.no_url")
    url = ctx.base_url + "/"
    try:
        response, ms = _http_get(url)
    except Exception as exc:
        detail = ctx.t("doctor.detail.http_error", url=url, error=_error_text(exc))
        return Outcome(FAIL, detail, "doctor.hint.home")
    detail = ctx.t("doctor.detail.http_status", url=url, status=response.status_code, ms=ms)
    if response.status_code >= 400:
        return Outcome(FAIL, detail, "doctor.hint.home")
    return Outcome(OK, detail)


def check_health(ctx: DoctorContext) -> Outcome:
    if not ctx.base_url:
        return Outcome(SKIP, ctx.t("doctor.detail.no_url"), "doctor.hint.no_url")
    url = ctx.base_url + "/api/health"
    try:
        response, ms = _http_get(url)
    except Exception as exc:
        return Outcome(
            FAIL,
            ctx.t("doctor.detail.http_error", url=url, error=_error_text(exc)),
            "doctor.hint.health",
        )
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code != 200 or not isinstance(body, dict):
        status = response.status_code
        hint = "doctor.hint.health_database" if status == 503 else "doctor.hint.health"
        return Outcome(
            FAIL, ctx.t("doctor.detail.http_status", url=url, status=status, ms=ms), hint
        )
    database = body.get("database") or {}
    if database.get("migrations_up_to_date") is False:
        return Outcome(
            FAIL,
            ctx.t(
                "doctor.detail.schema_behind",
                current=database.get("migration_revision") or "—",
                head=database.get("migration_head") or "—",
            ),
            "doctor.hint.migrate",
        )
    return Outcome(
        OK,
        ctx.t(
            "doctor.detail.health_ok",
            status=response.status_code,
            ms=ms,
            version=body.get("version", "?"),
            environment=body.get("environment", "?"),
        ),
    )


# -- database -------------------------------------------------------------------


def check_database(ctx: DoctorContext) -> Outcome:
    status = ctx.database()
    if not status["reachable"]:
        error = status.get("message") or status.get("error") or ""
        return Outcome(
            FAIL,
            ctx.t("doctor.detail.database_unreachable", dialect=status["dialect"], error=error),
            "doctor.hint.database_unreachable",
        )
    if not status["migrations_up_to_date"]:
        return Outcome(
            FAIL,
            ctx.t(
                "doctor.detail.schema_behind",
                current=status["migration_revision"] or "—",
                head=status["migration_head"] or "—",
            ),
            "doctor.hint.migrate",
        )
    return Outcome(
        OK,
        ctx.t(
            "doctor.detail.database_ok",
            dialect=status["dialect"],
            ms=status["round_trip_ms"],
            revision=status["migration_revision"],
        ),
    )


def probe_data(engine: sa.Engine) -> dict[str, Any]:
    """List clients and create + delete a service on a throwaway technician,
    client and piano, all in one transaction that is rolled back.

    Returns what was seen (``clients_total``, ``listed``, ``service_id``).
    Raises when any step fails. Reads go straight to the database (not
    through the cache: an entry cached for the throwaway technician's id
    could outlive the rollback, and SQLite reuses a rolled-back id).
    """
    from sqlmodel import Session, func, select

    from piano_emotion.domain import activity, clients, pianos, services
    from piano_emotion.models import Client, Service, User

    email = f"probe-{secrets.token_hex(6)}@{PROBE_EMAIL_DOMAIN}"
    seen: dict[str, Any] = {}
    with Session(engine, expire_on_commit=False) as session:
        try:
            seen["clients_total"] = int(session.exec(select(func.count(Client.id))).one())
            user = User(email=email, name="Doctor probe", is_active=False)
            session.add(user)
            session.flush()
            client = clients.create_client(
                session, user, clients.ClientInput(name="Doctor probe", city="Probe")
            )
            piano = pianos.create_piano(
                session, user, pianos.PianoInput(client_id=client.id, brand="Probe")
            )
            service = services.create_service(
                session,
                user,
                services.ServiceInput(piano_id=piano.id, service_date=_today()),
            )
            seen["service_id"] = service.id
            # What every list page shows: the directory and the service dates.
            items = clients._client_directory(session, user)
            last_service = activity._client_activity(session, user)
            if (
                len(items) != 1
                or items[0]["id"] != client.id
                or items[0]["piano_count"] != 1
                or last_service.get(client.id) != service.service_date
            ):
                raise RuntimeError(f"the probe client is not listed as written: {items}")
            seen["listed"] = len(items)
            if services.remove_service(session, user, service.id) != "deleted":
                raise RuntimeError("the probe service was not deleted")
            session.flush()
            if session.get(Service, service.id) is not None:
                raise RuntimeError("the probe service is still there after deleting it")
        finally:
            session.rollback()
    with Session(engine) as session:
        left = session.exec(select(func.count(User.id)).where(User.email == email)).one()
    if left:
        raise RuntimeError("the probe technician was left behind after the rollback")
    return seen


def _today():
    from piano_emotion.jobs.registry import SCHEDULER_TIMEZONE

    return datetime.now(SCHEDULER_TIMEZONE).date()


def check_data_probe(ctx: DoctorContext) -> Outcome:
    if not ctx.schema_ok:
        return Outcome(SKIP, ctx.t("doctor.detail.needs_database"))
    try:
        seen = probe_data(ctx.engine)
    except Exception as exc:
        return Outcome(
            FAIL,
            ctx.t("doctor.detail.probe_failed", error=_error_text(exc)),
            "doctor.hint.data_probe",
        )
    return Outcome(OK, ctx.t("doctor.detail.probe_ok", clients=seen["clients_total"]))


# -- cache ----------------------------------------------------------------------


def check_cache_mode(ctx: DoctorContext) -> Outcome:
    from piano_emotion.cache import MODE_LABELS

    mode = ctx.cache.mode
    label = MODE_LABELS[mode]
    if mode == "memory":
        if ctx.settings.is_production:
            return Outcome(
                FAIL,
                ctx.t("doctor.detail.cache_memory", label=label),
                "doctor.hint.cache_memory_production",
            )
        return Outcome(
            WARN, ctx.t("doctor.detail.cache_memory", label=label), "doctor.hint.cache_memory"
        )
    connected, _ms = ctx.cache_ping()
    if not connected:
        return Outcome(
            FAIL,
            ctx.t("doctor.detail.cache_unreachable", label=label),
            "doctor.hint.cache_unreachable",
        )
    return Outcome(OK, ctx.t("doctor.detail.cache_ok", label=label))


def measure_cache_latency(cache, samples: int = CACHE_PING_SAMPLES) -> list[float] | None:
    """Round trips (ms) of ``samples`` pings after one warm-up; None if one failed."""
    connected, _ = cache.ping()
    if not connected:
        return None
    timings = []
    for _ in range(samples):
        connected, ms = cache.ping()
        if not connected:
            return None
        timings.append(ms)
    return timings


def check_cache_latency(ctx: DoctorContext) -> Outcome:
    if ctx.cache.mode == "memory":
        return Outcome(SKIP, ctx.t("doctor.detail.cache_in_process"))
    if not ctx.cache_ping()[0]:
        return Outcome(SKIP, ctx.t("doctor.detail.cache_not_measured"))
    timings = measure_cache_latency(ctx.cache)
    if timings is None:
        return Outcome(
            FAIL, ctx.t("doctor.detail.cache_not_measured"), "doctor.hint.cache_unreachable"
        )
    median = statistics.median(timings)
    low, high = CACHE_LATENCY_TARGET_MS
    detail = ctx.t(
        "doctor.detail.cache_latency",
        median=f"{median:.1f}",
        worst=f"{max(timings):.1f}",
        samples=len(timings),
        low=f"{low:g}",
        high=f"{high:g}",
    )
    if median <= high:
        return Outcome(OK, detail)
    if median <= CACHE_LATENCY_ALERT_MS:
        return Outcome(WARN, detail, "doctor.hint.cache_latency")
    return Outcome(FAIL, detail, "doctor.hint.cache_latency")


# -- Clerk ----------------------------------------------------------------------


def _key_mode(key: str) -> str:
    return "live" if "_live_" in key else "test"


def clerk_frontend_host(publishable_key: str) -> str:
    """The Frontend API host a Clerk publishable key encodes (ValueError if none)."""
    from piano_emotion.auth.clerk import jwks_url_from_publishable_key

    host = urlsplit(jwks_url_from_publishable_key(publishable_key)).hostname or ""
    if "." not in host:
        raise ValueError("the publishable key does not name a Clerk Frontend API host")
    return host


def check_clerk_keys(ctx: DoctorContext) -> Outcome:
    s = ctx.settings
    secret, publishable = s.clerk_secret_key, s.clerk_publishable_key
    if not secret and not publishable:
        if s.local_accounts_enabled:
            return Outcome(WARN, ctx.t("doctor.detail.clerk_off"), "doctor.hint.clerk_off")
        return Outcome(FAIL, ctx.t("doctor.detail.no_sign_in"), "doctor.hint.no_sign_in")
    problems = []
    if not secret:
        problems.append(ctx.t("doctor.detail.missing", name="CLERK_SECRET_KEY"))
    elif not CLERK_SECRET_RE.fullmatch(secret):
        problems.append(
            ctx.t("doctor.detail.bad_form", name="CLERK_SECRET_KEY", form="sk_live_…/sk_test_…")
        )
    host = ""
    if not publishable:
        problems.append(ctx.t("doctor.detail.missing", name="NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY"))
    elif not CLERK_PUBLISHABLE_RE.fullmatch(publishable):
        problems.append(
            ctx.t(
                "doctor.detail.bad_form",
                name="NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY",
                form="pk_live_…/pk_test_…",
            )
        )
    else:
        try:
            host = clerk_frontend_host(publishable)
        except ValueError:
            problems.append(ctx.t("doctor.detail.clerk_pk_host"))
    if not problems and _key_mode(secret) != _key_mode(publishable):
        problems.append(
            ctx.t(
                "doctor.detail.mixed_modes",
                first="CLERK_SECRET_KEY",
                second="NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY",
            )
        )
    if problems:
        return Outcome(FAIL, "; ".join(problems), "doctor.hint.clerk_keys")
    mode = _key_mode(secret)
    detail = ctx.t("doctor.detail.clerk_ok", mode=mode, host=host)
    if mode == "test" and s.is_production:
        return Outcome(WARN, detail, "doctor.hint.test_keys_in_production")
    return Outcome(OK, detail)


def check_clerk_jwks(ctx: DoctorContext) -> Outcome:
    s = ctx.settings
    if not s.clerk_enabled:
        return Outcome(SKIP, ctx.t("doctor.detail.clerk_off"))
    url = s.clerk_jwks_url
    if not url:
        try:
            host = clerk_frontend_host(s.clerk_publishable_key or "")
        except ValueError:
            return Outcome(SKIP, ctx.t("doctor.detail.clerk_pk_host"))
        url = f"https://{host}/.well-known/jwks.json"
    try:
        response, ms = _http_get(url, timeout=JWKS_TIMEOUT_S)
    except Exception as exc:
        return Outcome(
            FAIL,
            ctx.t("doctor.detail.http_error", url=url, error=_error_text(exc)),
            "doctor.hint.clerk_jwks",
        )
    try:
        keys = response.json().get("keys") if response.status_code == 200 else None
    except (ValueError, AttributeError):
        keys = None
    usable = [k for k in keys or [] if isinstance(k, dict) and k.get("kid") and k.get("kty")]
    if not usable:
        return Outcome(
            FAIL,
            ctx.t("doctor.detail.jwks_empty", url=url, status=response.status_code),
            "doctor.hint.clerk_jwks",
        )
    return Outcome(OK, ctx.t("doctor.detail.jwks_ok", count=len(usable), url=url, ms=ms))


# -- Stripe ---------------------------------------------------------------------


def check_stripe(ctx: DoctorContext) -> Outcome:
    s = ctx.settings
    secret, webhook, publishable = (
        s.stripe_secret_key,
        s.stripe_webhook_secret,
        s.stripe_publishable_key,
    )
    if not (secret or webhook or publishable):
        return Outcome(SKIP, ctx.t("doctor.detail.stripe_off"))
    problems = []
    if not secret:
        problems.append(ctx.t("doctor.detail.missing", name="STRIPE_SECRET_KEY"))
    elif not STRIPE_SECRET_RE.fullmatch(secret):
        problems.append(
            ctx.t(
                "doctor.detail.bad_form", name="STRIPE_SECRET_KEY", form="sk_live_…/sk_test_…/rk_…"
            )
        )
    if not webhook:
        problems.append(ctx.t("doctor.detail.missing", name="STRIPE_WEBHOOK_SECRET"))
    elif not STRIPE_WEBHOOK_RE.fullmatch(webhook):
        problems.append(
            ctx.t("doctor.detail.bad_form", name="STRIPE_WEBHOOK_SECRET", form="whsec_…")
        )
    if publishable and not STRIPE_PUBLISHABLE_RE.fullmatch(publishable):
        problems.append(
            ctx.t(
                "doctor.detail.bad_form",
                name="NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY",
                form="pk_live_…/pk_test_…",
            )
        )
    if not problems and publishable and _key_mode(secret) != _key_mode(publishable):
        problems.append(
            ctx.t(
                "doctor.detail.mixed_modes",
                first="STRIPE_SECRET_KEY",
                second="NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY",
            )
        )
    if problems:
        return Outcome(FAIL, "; ".join(problems), "doctor.hint.stripe")
    mode = _key_mode(secret)
    detail = ctx.t("doctor.detail.stripe_ok", mode=mode)
    if not publishable:
        missing = ctx.t("doctor.detail.missing", name="NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY")
        return Outcome(WARN, f"{detail}; {missing}", "doctor.hint.stripe")
    if mode == "test" and s.is_production:
        return Outcome(WARN, detail, "doctor.hint.test_keys_in_production")
    return Outcome(OK, detail)


# -- JWT secret -----------------------------------------------------------------


def secret_bits(secret: str) -> float:
    """Estimated entropy: length × the Shannon entropy of its characters."""
    if not secret:
        return 0.0
    counts = Counter(secret)
    n = len(secret)
    return -n * sum(c / n * math.log2(c / n) for c in counts.values())


def jwt_secret_problem(secret: str | None) -> tuple[str, dict[str, Any]] | None:
    """Why ``secret`` is not fit to sign sessions (a translation key and its
    parameters), or None when it is."""
    if not secret:
        return "doctor.detail.jwt_missing", {}
    lowered = secret.lower()
    if lowered in KNOWN_WEAK_SECRETS or any(word in lowered for word in WEAK_SECRET_WORDS):
        return "doctor.detail.jwt_example", {}
    if len(secret) < MIN_JWT_SECRET_LENGTH:
        return "doctor.detail.jwt_short", {"length": len(secret), "min": MIN_JWT_SECRET_LENGTH}
    steps = [ord(b) - ord(a) for a, b in itertools.pairwise(secret)]
    bits = secret_bits(secret)
    if bits < MIN_SECRET_BITS or sum(abs(d) <= 1 for d in steps) > len(steps) / 2:
        return "doctor.detail.jwt_low_entropy", {"bits": round(bits), "min": MIN_SECRET_BITS}
    return None


def check_jwt_secret(ctx: DoctorContext) -> Outcome:
    secret = ctx.settings.jwt_secret
    problem = jwt_secret_problem(secret)
    if problem is not None:
        key, params = problem
        return Outcome(FAIL, ctx.t(key, **params), "doctor.hint.jwt_secret")
    return Outcome(
        OK, ctx.t("doctor.detail.jwt_ok", length=len(secret), bits=round(secret_bits(secret)))
    )


# -- owner ----------------------------------------------------------------------


def check_owner(ctx: DoctorContext) -> Outcome:
    s = ctx.settings
    owner = s.owner_open_id
    if not owner:
        return Outcome(FAIL, ctx.t("doctor.detail.owner_missing"), "doctor.hint.owner_missing")
    is_clerk_id, is_email = owner.startswith("user_"), "@" in owner
    if not (is_clerk_id or is_email):
        return Outcome(
            FAIL, ctx.t("doctor.detail.owner_form", owner=owner), "doctor.hint.owner_missing"
        )
    if is_clerk_id and not s.clerk_enabled:
        return Outcome(
            FAIL, ctx.t("doctor.detail.owner_clerk_off", owner=owner), "doctor.hint.owner_clerk_off"
        )
    if is_email and not s.local_accounts_enabled:
        return Outcome(
            FAIL, ctx.t("doctor.detail.owner_local_off", owner=owner), "doctor.hint.owner_local_off"
        )
    if not ctx.database_ok:
        return Outcome(WARN, ctx.t("doctor.detail.owner_unverified", owner=owner))
    from sqlmodel import Session, select

    from piano_emotion.auth.owner import is_owner
    from piano_emotion.auth.passwords import normalise_email
    from piano_emotion.models import User

    condition = (
        User.external_id == owner
        if is_clerk_id
        else sa.and_(User.email == normalise_email(owner), User.external_id.is_(None))
    )
    with Session(ctx.engine) as session:
        user = session.exec(select(User).where(condition)).first()
    if user is None or not is_owner(user, s):
        return Outcome(
            WARN, ctx.t("doctor.detail.owner_no_user", owner=owner), "doctor.hint.owner_no_user"
        )
    return Outcome(OK, ctx.t("doctor.detail.owner_ok", owner=owner, name=user.name))


# -- scheduled jobs and snapshots ---------------------------------------------------


def load_jobs() -> dict:
    """The job registry (the built-in jobs and the cache monitor's register on import)."""
    from piano_emotion.jobs.registry import JOBS

    return JOBS


def job_period(job, now: datetime) -> timedelta:
    """The time between two runs of ``job`` around ``now``."""
    if job.schedule == "interval":
        return timedelta(**job.trigger_args)
    first = job.next_run_after(now)
    second = job.next_run_after(first + timedelta(seconds=1))
    return second - first


def check_jobs_registered(ctx: DoctorContext) -> Outcome:
    jobs = load_jobs()
    missing = [name for name in EXPECTED_JOBS if name not in jobs]
    if missing:
        return Outcome(
            FAIL,
            ctx.t("doctor.detail.jobs_missing", names=", ".join(missing)),
            "doctor.hint.jobs_missing",
        )
    s = ctx.settings
    if s.scheduler_enabled:
        runner = ctx.t("doctor.detail.scheduler_in_app")
    elif s.cron_secret:
        runner = ctx.t("doctor.detail.scheduler_cron")
    else:
        return Outcome(FAIL, ctx.t("doctor.detail.scheduler_off"), "doctor.hint.scheduler_off")
    return Outcome(
        OK, ctx.t("doctor.detail.jobs_ok", count=len(jobs), names=", ".join(jobs), runner=runner)
    )


def check_job_runs(ctx: DoctorContext) -> list[Outcome]:
    jobs = load_jobs()
    names = [n for n in EXPECTED_JOBS if n in jobs] + [n for n in jobs if n not in EXPECTED_JOBS]
    if not ctx.schema_ok:
        return [
            Outcome(SKIP, ctx.t("doctor.detail.needs_database"), name_params={"job": name})
            for name in names
        ]
    from sqlmodel import Session, select

    from piano_emotion.models import JobRun
    from piano_emotion.models.enums import JobRunStatus

    outcomes = []
    with Session(ctx.engine) as session:
        for name in names:
            params = {"job": name}
            period = job_period(jobs[name], ctx.now)
            last = session.exec(
                select(JobRun)
                .where(JobRun.job_name == name)
                .order_by(JobRun.started_at.desc(), JobRun.id.desc())
                .limit(1)
            ).first()
            if last is None:
                outcomes.append(
                    Outcome(
                        WARN,
                        ctx.t("doctor.detail.job_never", period=ctx.duration(period)),
                        "doctor.hint.job_never",
                        params,
                    )
                )
                continue
            ago = ctx.ago(last.started_at)
            if last.status == JobRunStatus.FAILED:
                error = (last.error or "").strip().splitlines()[-1:] or [""]
                outcomes.append(
                    Outcome(
                        FAIL,
                        ctx.t("doctor.detail.job_failed", ago=ago, error=error[0][:200]),
                        "doctor.hint.job_failed",
                        params,
                    )
                )
            elif ctx.now - last.started_at > 2 * period:
                outcomes.append(
                    Outcome(
                        FAIL,
                        ctx.t("doctor.detail.job_stale", ago=ago, limit=ctx.duration(2 * period)),
                        "doctor.hint.job_stale",
                        params,
                    )
                )
            else:
                outcomes.append(
                    Outcome(
                        OK,
                        ctx.t("doctor.detail.job_ok", ago=ago, status=str(last.status)),
                        name_params=params,
                    )
                )
    return outcomes


def check_snapshots(ctx: DoctorContext) -> Outcome:
    if not ctx.schema_ok:
        return Outcome(SKIP, ctx.t("doctor.detail.needs_database"))
    from sqlmodel import Session, func, select

    from piano_emotion.models import CacheMetricSnapshot

    since = ctx.now - SNAPSHOT_MAX_AGE
    with Session(ctx.engine) as session:
        latest = session.exec(
            select(CacheMetricSnapshot.taken_at)
            .order_by(CacheMetricSnapshot.taken_at.desc())
            .limit(1)
        ).first()
        recent = session.exec(
            select(func.count(CacheMetricSnapshot.id)).where(CacheMetricSnapshot.taken_at >= since)
        ).one()
    if latest is None:
        return Outcome(WARN, ctx.t("doctor.detail.snapshot_none"), "doctor.hint.snapshots")
    if not recent:
        return Outcome(
            WARN, ctx.t("doctor.detail.snapshot_old", ago=ctx.ago(latest)), "doctor.hint.snapshots"
        )
    return Outcome(OK, ctx.t("doctor.detail.snapshot_ok", ago=ctx.ago(latest), count=recent))


# -- running --------------------------------------------------------------------

CHECKS: tuple[Check, ...] = (
    Check("doctor.check.home", check_home),
    Check("doctor.check.health", check_health),
    Check("doctor.check.database", check_database),
    Check("doctor.check.data_probe", check_data_probe),
    Check("doctor.check.cache_mode", check_cache_mode),
    Check("doctor.check.cache_latency", check_cache_latency),
    Check("doctor.check.clerk_keys", check_clerk_keys),
    Check("doctor.check.clerk_jwks", check_clerk_jwks),
    Check("doctor.check.stripe", check_stripe),
    Check("doctor.check.jwt_secret", check_jwt_secret),
    Check("doctor.check.owner", check_owner),
    Check("doctor.check.jobs_registered", check_jobs_registered),
    Check("doctor.check.job_runs", check_job_runs),
    Check("doctor.check.snapshots", check_snapshots, required=False),
)


def configured_base_url(settings: Settings) -> str | None:
    """``APP_URL`` when it was set (the built-in default names no deployment)."""
    return None if settings.app_url == Settings.app_url else settings.app_url


def normalise_url(url: str | None) -> str | None:
    """``www.example.com/`` → ``https://www.example.com``; None for nothing."""
    url = (url or "").strip().rstrip("/")
    if not url:
        return None
    return url if "://" in url else f"https://{url}"


def run_checks(
    settings: Settings,
    *,
    base_url: str | None = None,
    lang: str = "es",
    engine: sa.Engine | None = None,
    cache=None,
    checks: Sequence[Check] = CHECKS,
    now: datetime | None = None,
) -> list[CheckResult]:
    """Run every check against ``settings``' services; one result per line.

    ``base_url`` is the app's address (default: ``APP_URL`` when set; the
    HTTP checks are skipped without one). ``engine`` and ``cache`` default to
    new ones built from the settings (closed afterwards); the monitor page
    may pass the process-wide ones.
    """
    from piano_emotion.cache import build_cache
    from piano_emotion.db import create_engine_for
    from piano_emotion.models.types import utcnow

    own_engine = engine is None
    own_cache = cache is None
    if engine is None:
        engine = create_engine_for(settings.database_url)
    if cache is None:
        cache = build_cache(
            redis_url=settings.redis_url,
            upstash_url=settings.upstash_redis_rest_url,
            upstash_token=settings.upstash_redis_rest_token,
            namespace=settings.cache_namespace,
        )
    url = normalise_url(base_url or configured_base_url(settings))
    ctx = DoctorContext(
        settings, engine=engine, cache=cache, base_url=url, lang=lang, now=now or utcnow()
    )
    results: list[CheckResult] = []
    try:
        for check in checks:
            try:
                outcomes = check.run(ctx)
            except Exception as exc:  # a check that breaks is a failed check
                outcomes = Outcome(
                    FAIL,
                    ctx.t("doctor.detail.check_crashed", error=_error_text(exc)),
                    "doctor.hint.check_crashed",
                )
            for outcome in outcomes if isinstance(outcomes, list) else [outcomes]:
                status = outcome.status
                if status == FAIL and not check.required:
                    status = WARN
                results.append(
                    CheckResult(
                        name_key=check.name_key,
                        status=status,
                        detail=outcome.detail,
                        hint_key=outcome.hint_key,
                        required=check.required,
                        name_params=dict(outcome.name_params),
                    )
                )
    finally:
        if own_cache:
            cache.close()
        if own_engine:
            engine.dispose()
    return results


def all_required_passed(results: Sequence[CheckResult]) -> bool:
    return not any(r.failed and r.required for r in results)


# -- the command ----------------------------------------------------------------


def _environ(env_file: str | None = ".env") -> dict[str, str]:
    """``.env`` plus the real environment (which wins), as ``load_settings`` reads it."""
    from dotenv import dotenv_values

    merged: dict[str, str] = {}
    if env_file and Path(env_file).is_file():
        merged.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    merged.update(os.environ)
    return merged


def load_settings_for_check(environ: Mapping[str, str]) -> Settings:
    """The settings, even when ``JWT_SECRET`` alone makes them unusable.

    Production refuses to start with a missing or weak ``JWT_SECRET``; the
    doctor still wants to check everything else, and to report the secret
    as a failed check. Any other configuration error is raised.
    """
    try:
        return load_settings(environ)
    except SettingsError as exc:
        if "JWT_SECRET" not in str(exc):
            raise
    stand_in = dict(environ, JWT_SECRET=secrets.token_urlsafe(48))
    return replace(load_settings(stand_in), jwt_secret=(environ.get("JWT_SECRET") or "").strip())


def format_report(
    results: Sequence[CheckResult], lang: str, settings: Settings, base_url: str | None
) -> str:
    lines = [
        _t(
            "doctor.title",
            lang,
            environment=settings.environment,
            url=base_url or _t("doctor.no_url_short", lang),
        ),
        "",
    ]
    for result in results:
        line = f"{result.symbol} {result.label(lang)}"
        if result.detail:
            line += f" — {result.detail}"
        if result.status == SKIP:
            line += f" ({_t('doctor.skipped', lang)})"
        lines.append(line)
        if result.hint_key and result.status != OK:
            lines.append(f"    → {result.hint(lang)}")
    counts = Counter(r.status for r in results)
    lines += [
        "",
        _t(
            "doctor.summary",
            lang,
            ok=counts[OK],
            failed=counts[FAIL],
            warnings=counts[WARN] + counts[SKIP],
        ),
        _t("doctor.verdict_ok" if all_required_passed(results) else "doctor.verdict_fail", lang),
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None, *, environ: Mapping[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m piano_emotion.doctor",
        description="Post-deploy check of Piano Emotion Manager (DEPLOY.md, validation).",
    )
    parser.add_argument("--url", help="public address of the app (default: APP_URL when set)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--lang", choices=["es", "en"], default="es", help="language (es)")
    args = parser.parse_args(argv)
    env = dict(environ) if environ is not None else _environ()
    try:
        settings = load_settings_for_check(env)
    except SettingsError as exc:
        if args.json:
            print(json.dumps({"ok": False, "configuration_error": str(exc)}, ensure_ascii=False))
        else:
            print(f"{SYMBOLS[FAIL]} {_t('doctor.config_error', args.lang)} — {exc}")
            print(f"    → {_t('doctor.hint.config_error', args.lang)}")
        return 2
    results = run_checks(settings, base_url=args.url, lang=args.lang)
    url = normalise_url(args.url or configured_base_url(settings))
    passed = all_required_passed(results)
    if args.json:
        print(
            json.dumps(
                {
                    "ok": passed,
                    "environment": settings.environment,
                    "url": url,
                    "checks": [r.to_dict(args.lang) for r in results],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(format_report(results, args.lang, settings, url))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
