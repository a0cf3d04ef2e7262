"""GET /api/health through the real Starlette stack (no browser needed)."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from piano_emotion import migrations
from piano_emotion.api import build_api
from piano_emotion.api.health import health_report
from piano_emotion.db import create_engine_for
from piano_emotion.settings import load_settings

SECRETS = {
    "JWT_SECRET": "k" * 48,
    "CLERK_SECRET_KEY": "sk_test_clerk_very_secret",
    "NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY": "pk_test_clerk_public",
    "STRIPE_SECRET_KEY": "sk_test_stripe_very_secret",
    "STRIPE_WEBHOOK_SECRET": "whsec_very_secret",
    "UPSTASH_REDIS_REST_URL": "https://eu1-example.upstash.io",
    "UPSTASH_REDIS_REST_TOKEN": "upstash_token_very_secret",
}


def test_healthy_database_reports_revision_and_round_trip(engine):
    status, body = health_report(load_settings({}), engine)
    assert status == 200
    assert body["status"] == "ok"
    database = body["database"]
    assert database["reachable"] is True
    assert database["dialect"] in {"sqlite", "mysql"}
    assert database["round_trip_ms"] >= 0
    assert database["migration_revision"] == migrations.head_revision()
    assert database["migrations_up_to_date"] is True
    assert body["cache"]["mode"] == "memory"
    assert body["version"]


def test_unreachable_database_gives_503():
    # Nothing listens on port 1: the connection is refused at once.
    engine = create_engine_for("mysql://root@127.0.0.1:1/nothing")
    status, body = health_report(load_settings({}), engine)
    assert status == 503
    assert body["status"] == "error"
    assert body["database"]["reachable"] is False


def test_unmigrated_database_is_reachable_but_not_up_to_date(tmp_path):
    engine = create_engine_for(f"sqlite:///{tmp_path / 'blank.db'}")
    status, body = health_report(load_settings({}), engine)
    assert status == 200
    assert body["database"]["migration_revision"] is None
    assert body["database"]["migrations_up_to_date"] is False


def test_integrations_are_reported_without_secrets():
    engine = create_engine_for("sqlite://")
    _status, body = health_report(load_settings(SECRETS), engine)
    assert body["integrations"]["clerk"] is True
    assert body["integrations"]["stripe"] is True
    assert body["integrations"]["stripe_webhook"] is True
    assert body["integrations"]["upstash"] is True
    assert body["cache"]["mode"] == "upstash"
    assert body["auth"] == {"local_accounts": True, "clerk": True}
    text = repr(body)
    for value in SECRETS.values():
        if "secret" in value or "token" in value:
            assert value not in text


@pytest.fixture
def http_client(tmp_path, monkeypatch):
    """The API in front of a stand-in for the Reflex app, on a migrated SQLite."""
    from piano_emotion import db, settings

    url = f"sqlite:///{tmp_path / 'api.db'}"
    migrations.upgrade(create_engine_for(url))
    monkeypatch.setenv("DATABASE_URL", url)
    settings.reset_settings_cache()
    reflex_stand_in = Starlette(routes=[Route("/", lambda r: PlainTextResponse("reflex"))])
    with TestClient(build_api(reflex_stand_in)) as client:
        yield client
    settings.reset_settings_cache()
    db.dispose_engines()


def test_health_route_is_json_and_not_cached(http_client):
    response = http_client.get("/api/health")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "no-store"
    assert response.json()["database"]["migrations_up_to_date"] is True


def test_reflex_app_stays_mounted_below_the_api(http_client):
    assert http_client.get("/").text == "reflex"


def test_build_api_makes_a_fresh_app_each_time():
    inner = Starlette()
    assert build_api(inner) is not build_api(inner)


def test_cache_block_reports_mode_connection_and_round_trip(engine):
    from piano_emotion.cache import build_cache

    cache = build_cache(namespace="health-test")
    try:
        _status, body = health_report(load_settings({}), engine, cache)
    finally:
        cache.close()
    assert body["cache"]["mode"] == "memory"
    assert body["cache"]["mode_label"] == "Memoria (Desarrollo)"
    assert body["cache"]["connected"] is True
    assert body["cache"]["degraded"] is False
    assert body["cache"]["round_trip_ms"] >= 0


def test_a_cache_outage_does_not_make_the_app_unhealthy(engine):
    from piano_emotion.cache import build_cache

    # Nothing listens on port 1: Redis is configured but unreachable.
    cache = build_cache(redis_url="redis://127.0.0.1:1/0", namespace="health-down")
    try:
        status, body = health_report(load_settings({}), engine, cache)
    finally:
        cache.close()
    assert status == 200
    assert body["cache"]["mode"] == "redis"
    assert body["cache"]["connected"] is False
    assert body["cache"]["degraded"] is True
