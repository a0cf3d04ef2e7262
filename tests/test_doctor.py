"""The post-deploy check (``python -m piano_emotion.doctor``) against real services.

A healthy configuration (a migrated database, Redis, Clerk's JWKS on
loopback, the API served by uvicorn on a free port, recent job runs and a
snapshot) passes every check; a broken one fails the right lines with
hints; the probe leaves nothing behind; and the deployment guides list every
environment variable ``settings.py`` reads.
"""

from __future__ import annotations

import ast
import base64
import json
import re
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from piano_emotion import doctor
from piano_emotion.api import build_api
from piano_emotion.db import create_engine_for
from piano_emotion.doctor import (
    CHECKS,
    EXPECTED_JOBS,
    FAIL,
    OK,
    SKIP,
    WARN,
    CheckResult,
    jwt_secret_problem,
    load_settings_for_check,
    main,
    probe_data,
    run_checks,
)
from piano_emotion.jobs.registry import JOBS
from piano_emotion.models import CacheMetricSnapshot, JobRun, User, metadata
from piano_emotion.models.enums import CacheMode, JobRunStatus
from piano_emotion.models.types import utcnow
from piano_emotion.settings import load_settings
from piano_emotion.ui.i18n import CATALOGUE
from tests.conftest import REDIS_TEST_URL, redis_available, require_service
from tests.factories import make_technician, populate
from tests.test_clerk import JwksServer, jwk, new_key

ROOT = Path(__file__).resolve().parents[1]
OWNER_EMAIL = "owner@example.es"
LINE = re.compile(r"^[✓✗⚠] \S.*$")


def publishable_key(mode: str, host: str = "clerk.pianoemotion.example.com") -> str:
    return f"pk_{mode}_" + base64.b64encode(f"{host}$".encode()).decode().rstrip("=")


def checks(*keys: str):
    return [c for c in CHECKS if c.name_key in keys]


def by_key(results: list[CheckResult]) -> dict[str, CheckResult]:
    """The result of each single-line check (the job-run lines are keyed by job)."""
    found = {}
    for result in results:
        key = result.name_key
        if result.name_params.get("job"):
            key = f"{key}:{result.name_params['job']}"
        found[key] = result
    return found


def database_url(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def row_counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: connection.execute(sa.select(sa.func.count()).select_from(table)).scalar()
            for table in metadata.sorted_tables
        }


# -- a stand-in for the deployed app ------------------------------------------------


class AppServer:
    """``build_api`` around a stand-in for the Reflex app, served by uvicorn."""

    def __init__(self, app) -> None:
        import uvicorn

        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def __enter__(self) -> AppServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()


class BrokenApp:
    """Answers 500 to everything (an app that crashes on every request)."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(500)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> BrokenApp:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def redis_url() -> str:
    require_service(redis_available(), "Redis on 127.0.0.1:6379")
    return REDIS_TEST_URL


@pytest.fixture
def jwks() -> Iterator[JwksServer]:
    with JwksServer() as server:
        server.set_keys(jwk(new_key(), "kid-doctor"))
        yield server


@pytest.fixture
def healthy_env(engine, redis_url, jwks) -> dict[str, str]:
    """A production configuration where every service is set up right."""
    return {
        "NODE_ENV": "production",
        "DATABASE_URL": database_url(engine),
        "JWT_SECRET": secrets.token_urlsafe(48),
        "REDIS_URL": redis_url,
        "CACHE_NAMESPACE": f"doctor{secrets.token_hex(4)}",
        "OWNER_OPEN_ID": OWNER_EMAIL,
        "OWNER_NAME": "Dueña",
        "CLERK_SECRET_KEY": "sk_live_" + secrets.token_hex(16),
        "NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY": publishable_key("live"),
        "CLERK_JWKS_URL": jwks.url,
        "STRIPE_SECRET_KEY": "sk_live_" + secrets.token_hex(16),
        "STRIPE_WEBHOOK_SECRET": "whsec_" + secrets.token_hex(16),
        "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY": "pk_live_" + secrets.token_hex(16),
        "SCHEDULER_ENABLED": "true",
    }


@pytest.fixture
def healthy_data(engine) -> None:
    """The owner's account, a recent run of every job and a recent snapshot."""
    now = utcnow()
    with Session(engine) as session:
        make_technician(session, "Dueña", OWNER_EMAIL)
        for name, job in JOBS.items():
            started = now - timedelta(minutes=1)
            session.add(
                JobRun(
                    job_name=name,
                    period_key=job.period_key_fn(started),
                    started_at=started,
                    finished_at=started + timedelta(seconds=1),
                    duration_ms=1000,
                    status=JobRunStatus.SUCCESS,
                    result="ok",
                )
            )
        session.add(
            CacheMetricSnapshot(
                taken_at=now - timedelta(minutes=10), mode=CacheMode.REDIS, hits=10, misses=1
            )
        )
        session.commit()


@pytest.fixture
def app_server(healthy_env, monkeypatch) -> Iterator[AppServer]:
    """The API (with ``/api/health``) in front of a stand-in home page."""
    from piano_emotion import db, settings

    for name, value in healthy_env.items():
        monkeypatch.setenv(name, value)
    settings.reset_settings_cache()
    db.dispose_engines()
    home = Starlette(
        routes=[Route("/", lambda r: HTMLResponse("<html><title>Piano Emotion</title></html>"))]
    )
    with AppServer(build_api(home)) as server:
        yield server
    settings.reset_settings_cache()
    db.dispose_engines()


# -- a healthy deployment ---------------------------------------------------------


def test_every_expected_job_is_registered():
    assert set(EXPECTED_JOBS) <= set(JOBS)


def test_healthy_configuration_passes_every_check(healthy_env, healthy_data, app_server):
    settings = load_settings(healthy_env)
    results = run_checks(settings, base_url=app_server.url)
    assert [(r.name_key, r.status, r.detail) for r in results if r.status != OK] == []
    keys = {r.name_key for r in results}
    assert keys == {c.name_key for c in CHECKS}
    jobs = {r.name_params["job"] for r in results if r.name_key == "doctor.check.job_runs"}
    assert jobs == set(JOBS)
    latency = by_key(results)["doctor.check.cache_latency"]
    assert "20 pings" in latency.detail


def test_healthy_configuration_exits_0_with_only_ticks(
    healthy_env, healthy_data, app_server, capsys
):
    assert main(["--url", app_server.url, "--lang", "en"], environ=healthy_env) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if LINE.match(line)]
    assert len(lines) == len(CHECKS) - 1 + len(JOBS)  # one line per job run
    assert all(line.startswith("✓ ") for line in lines), out
    assert "✗" not in out and "⚠" not in out and "→" not in out
    assert "✓ Database and migrations — " in out
    assert "✓ Home page — " + app_server.url + "/ answered 200" in out
    assert "All required checks passed." in out


def test_app_url_is_used_when_no_url_is_given(healthy_env, healthy_data, app_server):
    settings = load_settings({**healthy_env, "APP_URL": app_server.url + "/"})
    results = by_key(run_checks(settings, checks=checks("doctor.check.home")))
    assert results["doctor.check.home"].status == OK
    assert app_server.url + "/ " in results["doctor.check.home"].detail


# -- a broken deployment -----------------------------------------------------------


BROKEN = {
    "NODE_ENV": "production",
    # Nothing listens on port 1: refused at once.
    "DATABASE_URL": "mysql://root@127.0.0.1:1/nothing",
    "JWT_SECRET": "changeme",
    "REDIS_URL": "redis://127.0.0.1:1/0",
    "STRIPE_SECRET_KEY": "sk_wrong_123",
    "OWNER_OPEN_ID": "",
}


def test_broken_configuration_fails_the_right_checks_with_hints():
    settings = load_settings_for_check(BROKEN)
    assert settings.jwt_secret == "changeme"  # reported, although production refuses it
    results = by_key(run_checks(settings))
    expected_failures = {
        "doctor.check.database": "doctor.hint.database_unreachable",
        "doctor.check.cache_mode": "doctor.hint.cache_unreachable",
        "doctor.check.stripe": "doctor.hint.stripe",
        "doctor.check.jwt_secret": "doctor.hint.jwt_secret",
        "doctor.check.owner": "doctor.hint.owner_missing",
    }
    for key, hint in expected_failures.items():
        assert results[key].status == FAIL, key
        assert results[key].hint_key == hint
        assert results[key].hint("es")
    failed = {k for k, r in results.items() if r.status == FAIL}
    assert failed == set(expected_failures)
    # What needs the database is skipped, not failed a second time.
    assert results["doctor.check.data_probe"].status == SKIP
    assert results["doctor.check.snapshots"].status == SKIP
    assert results["doctor.check.cache_latency"].status == SKIP
    assert results["doctor.check.home"].status == SKIP  # no URL given
    assert "STRIPE_WEBHOOK_SECRET" in results["doctor.check.stripe"].detail
    assert "STRIPE_SECRET_KEY" in results["doctor.check.stripe"].detail


def test_broken_configuration_exits_non_zero_and_prints_hints(capsys):
    assert main([], environ=BROKEN) == 1
    lines = capsys.readouterr().out.splitlines()

    def line_of(label: str) -> int:
        return next(i for i, line in enumerate(lines) if line.startswith(f"✗ {label} — "))

    for label in (
        "Base de datos y migraciones",
        "Modo de la caché",
        "Stripe",
        "JWT_SECRET",
        "Owner de la plataforma",
    ):
        assert lines[line_of(label) + 1].startswith("    → "), label
    assert lines[line_of("JWT_SECRET") + 1].endswith("print(secrets.token_urlsafe(48))'")
    assert "Hay comprobaciones obligatorias con fallos" in lines[-1]


def test_an_unusable_configuration_exits_2(capsys):
    assert main([], environ={"DATABASE_URL": "postgres://x@y/z"}) == 2
    out = capsys.readouterr().out
    assert out.startswith("✗ Configuración — ")
    assert "DATABASE_URL" in out


def test_memory_cache_fails_in_production_and_warns_in_development(tmp_path):
    only = checks("doctor.check.cache_mode", "doctor.check.cache_latency")
    url = f"sqlite:///{tmp_path / 'x.db'}"
    production = load_settings(
        {"NODE_ENV": "production", "JWT_SECRET": "x" * 40, "DATABASE_URL": url}
    )
    results = by_key(run_checks(production, checks=only))
    assert results["doctor.check.cache_mode"].status == FAIL
    assert results["doctor.check.cache_mode"].hint_key == "doctor.hint.cache_memory_production"
    assert "Memoria (Desarrollo)" in results["doctor.check.cache_mode"].detail
    assert results["doctor.check.cache_latency"].status == SKIP
    development = load_settings({"NODE_ENV": "development", "DATABASE_URL": url})
    results = by_key(run_checks(development, checks=only))
    assert results["doctor.check.cache_mode"].status == WARN


def test_an_app_that_answers_500_fails_the_http_checks():
    with BrokenApp() as app:
        results = by_key(
            run_checks(
                load_settings({}),
                base_url=app.url,
                checks=checks("doctor.check.home", "doctor.check.health"),
            )
        )
    assert results["doctor.check.home"].status == FAIL
    assert "500" in results["doctor.check.home"].detail
    assert results["doctor.check.health"].status == FAIL
    assert results["doctor.check.health"].hint_key == "doctor.hint.health"


def test_an_unmigrated_database_fails_with_the_migrate_hint(tmp_path):
    settings = load_settings({"DATABASE_URL": f"sqlite:///{tmp_path / 'blank.db'}"})
    results = by_key(
        run_checks(settings, checks=checks("doctor.check.database", "doctor.check.data_probe"))
    )
    assert results["doctor.check.database"].status == FAIL
    assert results["doctor.check.database"].hint_key == "doctor.hint.migrate"
    assert results["doctor.check.data_probe"].status == SKIP


# -- the probe ---------------------------------------------------------------------


def test_the_probe_leaves_no_rows(engine, session):
    technician = make_technician(session)
    populate(session, technician)
    session.commit()
    before = row_counts(engine)
    seen = probe_data(engine)
    assert seen["clients_total"] == before["clients"]
    assert seen["listed"] == 1
    assert row_counts(engine) == before


def test_a_failing_probe_also_leaves_no_rows(engine, monkeypatch):
    from piano_emotion.domain import services

    def broken(*args, **kwargs):
        raise RuntimeError("cannot delete")

    monkeypatch.setattr(services, "remove_service", broken)
    before = row_counts(engine)
    settings = load_settings({"DATABASE_URL": database_url(engine)})
    result = by_key(run_checks(settings, checks=checks("doctor.check.data_probe")))
    assert result["doctor.check.data_probe"].status == FAIL
    assert "cannot delete" in result["doctor.check.data_probe"].detail
    assert row_counts(engine) == before


def test_the_probe_caches_nothing(engine, fresh_cache):
    probe_data(engine)
    assert fresh_cache.stats()["keys"] == 0


# -- Clerk, Stripe, JWT ----------------------------------------------------------


def clerk_results(env: dict[str, str]) -> dict[str, CheckResult]:
    settings = load_settings({"NODE_ENV": "test", **env})
    return by_key(
        run_checks(settings, checks=checks("doctor.check.clerk_keys", "doctor.check.clerk_jwks"))
    )


def test_clerk_keys_and_a_reachable_jwks(jwks):
    results = clerk_results(
        {
            "CLERK_SECRET_KEY": "sk_test_" + "a1" * 10,
            "NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY": publishable_key(
                "test", "fine-eel-42.clerk.accounts.dev"
            ),
            "CLERK_JWKS_URL": jwks.url,
        }
    )
    assert results["doctor.check.clerk_keys"].status == OK
    assert "fine-eel-42.clerk.accounts.dev" in results["doctor.check.clerk_keys"].detail
    assert results["doctor.check.clerk_jwks"].status == OK
    assert jwks.requests == 1


def test_clerk_jwks_unreachable_or_empty_fails(jwks):
    keys = {
        "CLERK_SECRET_KEY": "sk_test_" + "a1" * 10,
        "NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY": publishable_key("test"),
    }
    closed = clerk_results({**keys, "CLERK_JWKS_URL": "http://127.0.0.1:1/.well-known/jwks.json"})
    assert closed["doctor.check.clerk_jwks"].status == FAIL
    assert closed["doctor.check.clerk_jwks"].hint_key == "doctor.hint.clerk_jwks"
    jwks.set_keys()
    empty = clerk_results({**keys, "CLERK_JWKS_URL": jwks.url})
    assert empty["doctor.check.clerk_jwks"].status == FAIL


@pytest.mark.parametrize(
    "secret_key, publishable",
    [
        ("sk_test_" + "a1" * 10, "pk_test_bm90LWEtaG9zdA"),  # decodes to "not-a-host"
        ("sk_test_" + "a1" * 10, "pk_test_!!!"),
        ("secret_" + "a1" * 10, publishable_key("test")),
        ("sk_live_" + "a1" * 10, publishable_key("test")),  # mixed modes
        ("sk_test_" + "a1" * 10, ""),  # half configured
    ],
)
def test_malformed_clerk_keys_fail(secret_key, publishable):
    results = clerk_results(
        {"CLERK_SECRET_KEY": secret_key, "NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY": publishable}
    )
    assert results["doctor.check.clerk_keys"].status == FAIL
    assert results["doctor.check.clerk_keys"].hint_key == "doctor.hint.clerk_keys"


def test_without_clerk_local_accounts_are_a_warning_and_no_sign_in_a_failure():
    results = clerk_results({})
    assert results["doctor.check.clerk_keys"].status == WARN
    assert results["doctor.check.clerk_jwks"].status == SKIP
    results = clerk_results({"LOCAL_ACCOUNTS_ENABLED": "false"})
    assert results["doctor.check.clerk_keys"].status == FAIL


def stripe_result(env: dict[str, str], environment: str = "test") -> CheckResult:
    settings = load_settings({"NODE_ENV": environment, "JWT_SECRET": "s" * 40, **env})
    return run_checks(settings, checks=checks("doctor.check.stripe"))[0]


def test_stripe_forms():
    good = {
        "STRIPE_SECRET_KEY": "sk_test_" + "b2" * 12,
        "STRIPE_WEBHOOK_SECRET": "whsec_" + "c3" * 12,
        "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY": "pk_test_" + "d4" * 12,
    }
    assert stripe_result({}).status == SKIP
    assert stripe_result(good).status == OK
    assert stripe_result({**good, "STRIPE_SECRET_KEY": "rk_test_" + "b2" * 12}).status == OK
    # Test keys in production: a warning, not a failure.
    assert stripe_result(good, "production").status == WARN
    for broken in (
        {"STRIPE_SECRET_KEY": "pk_test_" + "b2" * 12},
        {"STRIPE_SECRET_KEY": "sk_test_short"},
        {"STRIPE_WEBHOOK_SECRET": ""},
        {"STRIPE_WEBHOOK_SECRET": "secret_" + "c3" * 12},
        {"NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY": "sk_test_" + "d4" * 12},
        {"NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY": "pk_live_" + "d4" * 12},  # mixed modes
    ):
        result = stripe_result({**good, **broken})
        assert result.status == FAIL, broken
        assert result.hint_key == "doctor.hint.stripe"


def test_jwt_secret_strength():
    assert jwt_secret_problem(secrets.token_urlsafe(48)) is None
    assert jwt_secret_problem(secrets.token_hex(16)) is None
    assert jwt_secret_problem("")[0] == "doctor.detail.jwt_missing"
    assert jwt_secret_problem("changeme")[0] == "doctor.detail.jwt_example"
    assert jwt_secret_problem("my-super-secret-jwt-key-for-prod-2026")[0] == (
        "doctor.detail.jwt_example"
    )
    assert jwt_secret_problem("Xk9_f2Lq")[0] == "doctor.detail.jwt_short"
    assert jwt_secret_problem("k" * 48)[0] == "doctor.detail.jwt_low_entropy"
    assert jwt_secret_problem("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ")[0] == (
        "doctor.detail.jwt_low_entropy"
    )


# -- owner, jobs, snapshots --------------------------------------------------------


def owner_result(engine, env: dict[str, str]) -> CheckResult:
    settings = load_settings({"DATABASE_URL": database_url(engine), **env})
    return run_checks(settings, checks=checks("doctor.check.owner"))[0]


def test_owner_matches_an_existing_user(engine, session):
    make_technician(session, "Dueña", OWNER_EMAIL)
    clerk_user = User(email="clerk@example.es", name="Clerk owner", external_id="user_2abc")
    session.add(clerk_user)
    session.commit()
    assert owner_result(engine, {"OWNER_OPEN_ID": "Owner@Example.es"}).status == OK
    assert owner_result(engine, {"OWNER_OPEN_ID": "nobody@example.es"}).status == WARN
    clerk = {
        "OWNER_OPEN_ID": "user_2abc",
        "CLERK_SECRET_KEY": "sk_test_" + "a1" * 10,
        "NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY": publishable_key("test"),
    }
    result = owner_result(engine, clerk)
    assert result.status == OK
    assert "Clerk owner" in result.detail
    # A Clerk user id while Clerk is off can never sign in.
    result = owner_result(engine, {"OWNER_OPEN_ID": "user_2abc"})
    assert result.status == FAIL
    assert result.hint_key == "doctor.hint.owner_clerk_off"


def job_results(engine, env: dict[str, str] | None = None) -> dict[str, CheckResult]:
    settings = load_settings({"DATABASE_URL": database_url(engine), **(env or {})})
    return by_key(
        run_checks(
            settings,
            checks=checks(
                "doctor.check.jobs_registered", "doctor.check.job_runs", "doctor.check.snapshots"
            ),
        )
    )


def add_run(engine, name: str, age: timedelta, status=JobRunStatus.SUCCESS) -> None:
    started = utcnow() - age
    with Session(engine) as session:
        session.add(
            JobRun(
                job_name=name,
                period_key=f"test-{secrets.token_hex(4)}",
                started_at=started,
                status=status,
                error="Traceback…\nRuntimeError: boom" if status == JobRunStatus.FAILED else "",
            )
        )
        session.commit()


def test_job_runs_fresh_stale_failed_and_never(engine):
    add_run(engine, "daily_reminders", timedelta(hours=30))  # within 2 × 24 h
    add_run(engine, "purge_login_attempts", timedelta(days=3))  # older than 2 × 24 h
    add_run(engine, "cache_snapshot", timedelta(minutes=5), JobRunStatus.FAILED)
    results = job_results(engine)
    assert results["doctor.check.jobs_registered"].status == OK
    assert results["doctor.check.job_runs:daily_reminders"].status == OK
    stale = results["doctor.check.job_runs:purge_login_attempts"]
    assert (stale.status, stale.hint_key) == (FAIL, "doctor.hint.job_stale")
    failed = results["doctor.check.job_runs:cache_snapshot"]
    assert (failed.status, failed.hint_key) == (FAIL, "doctor.hint.job_failed")
    assert "RuntimeError: boom" in failed.detail
    never = results["doctor.check.job_runs:cache_alert_check"]
    assert (never.status, never.hint_key) == (WARN, "doctor.hint.job_never")
    assert "5 min" in never.detail
    # No snapshot yet: a warning (not required).
    assert results["doctor.check.snapshots"].status == WARN
    assert results["doctor.check.snapshots"].required is False


def test_an_old_snapshot_is_a_warning(engine):
    with Session(engine) as session:
        session.add(
            CacheMetricSnapshot(taken_at=utcnow() - timedelta(hours=3), mode=CacheMode.REDIS)
        )
        session.commit()
    result = job_results(engine)["doctor.check.snapshots"]
    assert result.status == WARN
    assert "3 h" in result.detail


def test_missing_jobs_and_no_runner_fail(engine, monkeypatch):
    monkeypatch.delitem(JOBS, "cache_alert_check")
    result = job_results(engine)["doctor.check.jobs_registered"]
    assert result.status == FAIL
    assert "cache_alert_check" in result.detail
    monkeypatch.undo()
    result = job_results(engine, {"SCHEDULER_ENABLED": "false"})["doctor.check.jobs_registered"]
    assert (result.status, result.hint_key) == (FAIL, "doctor.hint.scheduler_off")
    env = {"SCHEDULER_ENABLED": "false", "CRON_SECRET": "c" * 40}
    assert job_results(engine, env)["doctor.check.jobs_registered"].status == OK


def test_a_crashing_check_is_a_failed_line(monkeypatch):
    def crash(ctx):
        raise ZeroDivisionError("oops")

    broken = doctor.Check("doctor.check.home", crash)
    result = run_checks(load_settings({}), checks=[broken])[0]
    assert result.status == FAIL
    assert "ZeroDivisionError" in result.detail
    assert result.hint_key == "doctor.hint.check_crashed"


# -- the command's output ----------------------------------------------------------


@pytest.fixture
def dev_env(tmp_path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = create_engine_for(url)
    from piano_emotion import migrations

    migrations.upgrade(engine)
    engine.dispose()
    return {"NODE_ENV": "development", "DATABASE_URL": url, "JWT_SECRET": secrets.token_urlsafe(48)}


def test_cli_text_output_format(dev_env, capsys):
    code = main(["--lang", "en"], environ=dev_env)
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == (
        "Piano Emotion Manager: deployment check (environment development, no address)"
    )
    assert lines[1] == ""
    body = lines[2 : lines.index("", 2)]
    for line in body:
        assert LINE.match(line) or line.startswith("    → "), line
    assert "⚠ Home page — no app address (--url or APP_URL) (skipped)" in body
    assert "✗ Platform owner — OWNER_OPEN_ID is not set" in body
    hint = body[body.index("✗ Platform owner — OWNER_OPEN_ID is not set") + 1]
    assert hint.startswith("    → Set OWNER_OPEN_ID")
    assert re.fullmatch(r"\d+ passed, \d+ failed, \d+ warnings", lines[-2])
    assert lines[-1] == "Some required checks failed: fix them and run again."
    assert code == 1


def test_cli_json_output(dev_env, capsys):
    code = main(["--json", "--lang", "es"], environ={**dev_env, "OWNER_OPEN_ID": OWNER_EMAIL})
    report = json.loads(capsys.readouterr().out)
    assert report["environment"] == "development"
    assert report["url"] is None
    statuses = {c["check"]: c["status"] for c in report["checks"]}
    assert statuses["doctor.check.database"] == OK
    assert statuses["doctor.check.data_probe"] == OK
    assert statuses["doctor.check.owner"] == WARN  # set, but nobody signed in yet
    first = report["checks"][0]
    assert set(first) == {
        "check",
        "params",
        "label",
        "status",
        "symbol",
        "required",
        "detail",
        "hint_key",
        "hint",
    }
    assert first["label"] == "Página de inicio"
    # Memory cache and no snapshots are warnings in development: nothing required failed.
    assert report["ok"] is True
    assert code == 0


def test_every_doctor_key_is_translated():
    source = (ROOT / "piano_emotion" / "doctor.py").read_text()
    keys = set(re.findall(r"[\"'](doctor\.[a-z_.]+)[\"']", source))
    assert keys
    assert sorted(k for k in keys if k not in CATALOGUE) == []


# -- the deployment guides -------------------------------------------------------


def settings_env_vars() -> tuple[set[str], set[str]]:
    """Every variable name ``settings.py`` reads, and the prefixes it reads
    (``CACHE_TTL_<ENTITY>``)."""
    tree = ast.parse((ROOT / "piano_emotion" / "settings.py").read_text())
    names, prefixes = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and node.values:
            first = node.values[0]
            if isinstance(first, ast.Constant) and re.fullmatch(r"[A-Z][A-Z0-9_]*_", first.value):
                prefixes.add(first.value)
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and re.fullmatch(r"[A-Z][A-Z0-9]*(_[A-Z0-9]+)+", node.value)
        ):
            names.add(node.value)
    return names, prefixes


@pytest.mark.parametrize("guide", ["DEPLOY.md", "DEPLOY.en.md"])
def test_the_deployment_guides_list_every_environment_variable(guide):
    text = (ROOT / guide).read_text()
    names, prefixes = settings_env_vars()
    assert {"DATABASE_URL", "JWT_SECRET", "OWNER_OPEN_ID"} <= names
    missing = sorted(n for n in names if f"`{n}`" not in text)
    missing += sorted(p for p in prefixes if f"`{p}" not in text)
    assert missing == []
    for needed in (
        "python -m piano_emotion.manage migrate",
        "python -m piano_emotion.doctor --url",
        "/api/stripe/webhook",
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
        "checkout.session.async_payment_failed",
        "Authorization: Bearer $CRON_SECRET",
        "REFLEX_REDIS_URL",
        "alembic downgrade",
    ):
        assert needed in text, needed
    for job in EXPECTED_JOBS:
        assert f"/api/cron/{job}" in text, job


def test_the_readme_links_both_guides():
    readme = (ROOT / "README.md").read_text()
    assert "(DEPLOY.md)" in readme
    assert "(DEPLOY.en.md)" in readme


def test_urls_without_a_scheme_are_https():
    assert doctor.normalise_url("www.pianoemotion.com/") == "https://www.pianoemotion.com"
    assert doctor.normalise_url("http://127.0.0.1:3000/") == "http://127.0.0.1:3000"
    assert doctor.normalise_url("  ") is None
