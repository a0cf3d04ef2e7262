"""Scoped keys, tags, the one TTL policy and the process-wide service from settings."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

import pytest

import piano_emotion.cache as cache_module
from piano_emotion.cache import cache_key, get_cache, params_hash, reset_cache, tag, ttl_for
from piano_emotion.cache.policy import DEFAULT_TTLS, EXACT_TTL, EXACTLY_INVALIDATED, TtlPolicy
from piano_emotion.settings import SettingsError, reset_settings_cache
from tests.cache.conftest import delete_namespace
from tests.conftest import REDIS_TEST_URL


# --------------------------------------------------------------------------
# keys and tags
# --------------------------------------------------------------------------
def test_cache_key_is_scoped_by_technician():
    key = cache_key(42, "clients", "list", {"page": 1, "q": "ana"})
    assert re.fullmatch(r"t42:clients:list:[0-9a-f]{16}", key)
    assert key.startswith("t42:clients:list:")
    assert cache_key(42, "clients", "list") == "t42:clients:list:-"
    assert cache_key(42, "clients", "list", {}) == "t42:clients:list:-"


def test_cache_key_is_stable_in_any_dict_order():
    one = cache_key(7, "pianos", "list", {"page": 2, "sort": "brand", "filters": {"a": 1, "b": 2}})
    two = cache_key(7, "pianos", "list", {"filters": {"b": 2, "a": 1}, "sort": "brand", "page": 2})
    assert one == two
    assert one == cache_key(
        7, "pianos", "list", {"page": 2, "sort": "brand", "filters": {"a": 1, "b": 2}}
    )


def test_cache_key_differs_for_different_params_and_scopes():
    keys = {
        cache_key(7, "pianos", "list", {"page": 1}),
        cache_key(7, "pianos", "list", {"page": 2}),
        cache_key(7, "pianos", "list", {"page": "1"}),
        cache_key(7, "pianos", "list", {"page": 1, "q": ""}),
        cache_key(8, "pianos", "list", {"page": 1}),
        cache_key(7, "pianos", "detail", {"page": 1}),
        cache_key(7, "clients", "list", {"page": 1}),
        cache_key(None, "pianos", "list", {"page": 1}),
    }
    assert len(keys) == 8
    assert params_hash({"a": 1}) != params_hash({"a": 2})


@pytest.mark.parametrize("bad", [0, -1, -42, "42", 4.2, True, False, [1]])
def test_cache_key_refuses_bad_technician_ids(bad):
    with pytest.raises(ValueError):
        cache_key(bad, "clients", "list")
    with pytest.raises(ValueError):
        tag(bad, "clients")


def test_platform_keys():
    assert cache_key(None, "platform", "stats") == "platform:platform:stats:-"
    assert cache_key(None, "technicians", "count", {"active": True}).startswith(
        "platform:technicians:count:"
    )
    assert tag(None, "technicians") == "platform:technicians"


def test_tags():
    assert tag(42, "clients") == "t42:clients"
    assert tag(42, "client", 7) == "t42:client:7"
    assert tag(42, "client", 7) != tag(43, "client", 7)


# --------------------------------------------------------------------------
# TTL policy
# --------------------------------------------------------------------------
def test_ttl_policy_defaults():
    policy = TtlPolicy()
    assert policy.ttl("clients") == EXACT_TTL
    assert policy.ttl("pianos") == EXACT_TTL
    assert policy.ttl("services") == EXACT_TTL
    assert policy.ttl("dashboard") == EXACT_TTL
    assert policy.ttl("appointments") == 120
    assert policy.ttl("forecast") == 1800
    assert policy.ttl("something-new") == 300  # the fallback
    assert all(1 <= seconds <= 7 * 24 * 3600 for seconds in DEFAULT_TTLS.values())


def test_exactly_invalidated_entries_live_a_working_day_and_the_others_do_not():
    # Invalidation by tag is exact for these, so the TTL is only a safety
    # net: a page read in the morning is still a hit in the afternoon.
    assert EXACT_TTL >= 10 * 3600
    policy = TtlPolicy()
    for entity in EXACTLY_INVALIDATED:
        assert policy.ttl(entity) == EXACT_TTL, entity
    # What also depends on the clock (upcoming appointments are "from now"),
    # one-off searches and platform figures keep short TTLs.
    for entity in ("appointments", "search", "platform"):
        assert entity not in EXACTLY_INVALIDATED
        assert policy.ttl(entity) <= 300
    # Every entity the domain layer caches is in the policy, long or short.
    assert {
        "clients", "pianos", "services", "appointments", "reminders", "inventory", "quotes",
        "invoices", "rates", "dashboard", "alerts", "search", "settings",
    } <= set(DEFAULT_TTLS)  # fmt: skip


def test_ttl_policy_overrides():
    policy = TtlPolicy({"clients": 60, "FORECAST": 3600, "custom": 5})
    assert policy.ttl("clients") == 60
    assert policy.ttl("forecast") == 3600
    assert policy.ttl("custom") == 5
    assert policy.ttl("pianos") == EXACT_TTL  # untouched


@pytest.mark.parametrize("bad", [0, -5, 7 * 24 * 3600 + 1, "soon"])
def test_ttl_policy_invalid_values(bad):
    with pytest.raises(ValueError):
        TtlPolicy({"clients": bad})


def test_ttl_policy_from_environ():
    policy = TtlPolicy.from_environ({"CACHE_TTL_CLIENTS": "60", "OTHER": "x", "CACHE_TTL_X": ""})
    assert policy.ttl("clients") == 60
    with pytest.raises(ValueError, match="CACHE_TTL_PIANOS"):
        TtlPolicy.from_environ({"CACHE_TTL_PIANOS": "ten"})


# --------------------------------------------------------------------------
# the process-wide service and policy, from the settings
# --------------------------------------------------------------------------
CACHE_VARIABLES = (
    "REDIS_URL",
    "UPSTASH_REDIS_REST_URL",
    "UPSTASH_REDIS_REST_TOKEN",
    "CACHE_NAMESPACE",
    "CACHE_TTL_CLIENTS",
    "CACHE_TTL_PIANOS",
    "CACHE_REFRESH",
)


@pytest.fixture
def settings_env(monkeypatch, tmp_path) -> Iterator[pytest.MonkeyPatch]:
    """A clean cache configuration; process-wide caches dropped before and after."""
    monkeypatch.chdir(tmp_path)  # no developer .env
    monkeypatch.setenv("NODE_ENV", "test")
    monkeypatch.setenv("APP_ENV", "")
    monkeypatch.setenv("JWT_SECRET", "test-secret-for-the-cache-suite-0123456789")
    for name in CACHE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    reset_cache()
    reset_settings_cache()
    yield monkeypatch
    reset_cache()
    reset_settings_cache()


def test_ttl_for_follows_the_settings(settings_env):
    assert ttl_for("clients") == EXACT_TTL
    settings_env.setenv("CACHE_TTL_CLIENTS", "60")
    assert ttl_for("clients") == EXACT_TTL  # still the cached policy
    reset_cache()
    reset_settings_cache()
    assert ttl_for("clients") == 60
    assert ttl_for("pianos") == EXACT_TTL


def test_invalid_ttl_setting_is_a_settings_error(settings_env):
    settings_env.setenv("CACHE_TTL_CLIENTS", "0")
    with pytest.raises(SettingsError, match="CACHE_TTL_CLIENTS"):
        ttl_for("clients")


def test_get_cache_refreshes_after_writes_unless_cache_refresh_is_off(settings_env):
    assert get_cache().refresh_enabled is True
    settings_env.setenv("CACHE_REFRESH", "false")
    reset_cache()
    reset_settings_cache()
    assert get_cache().refresh_enabled is False
    settings_env.setenv("CACHE_REFRESH", "maybe")
    reset_cache()
    reset_settings_cache()
    with pytest.raises(SettingsError, match="CACHE_REFRESH"):
        get_cache()


def test_get_cache_defaults_to_memory_and_is_one_instance(settings_env):
    first = get_cache()
    assert first is get_cache()
    assert first.mode == "memory"
    assert first.namespace == "pe"
    assert first.stats()["mode_label"] == "Memoria (Desarrollo)"
    first.set("k", 1, 60)
    assert get_cache().get("k") == 1
    reset_cache()
    second = get_cache()
    assert second is not first
    assert second.get("k") is None


def test_get_cache_is_one_instance_across_threads(settings_env):
    import threading

    seen = []
    barrier = threading.Barrier(8)

    def grab():
        barrier.wait(5)
        seen.append(get_cache())

    threads = [threading.Thread(target=grab) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(seen) == 8 and all(service is seen[0] for service in seen)


def test_get_cache_uses_redis_with_redis_url(settings_env, real_redis):
    namespace = "t-" + secrets.token_hex(4)
    settings_env.setenv("REDIS_URL", REDIS_TEST_URL)
    settings_env.setenv("CACHE_NAMESPACE", namespace)
    try:
        cache = get_cache()
        assert cache.mode == "redis"
        assert cache.namespace == namespace
        assert cache.stats()["mode_label"] == "Redis (Producción)"
        cache.set("k", "v", 60)
        assert real_redis.exists(f"{namespace}:k") == 1
    finally:
        reset_cache()
        delete_namespace(real_redis, namespace)


def test_get_cache_uses_upstash_with_both_variables(settings_env, upstash_server, real_redis):
    namespace = "t-" + secrets.token_hex(4)
    settings_env.setenv("REDIS_URL", REDIS_TEST_URL)  # Upstash wins when both are set
    settings_env.setenv("UPSTASH_REDIS_REST_URL", upstash_server.url)
    settings_env.setenv("UPSTASH_REDIS_REST_TOKEN", upstash_server.token)
    settings_env.setenv("CACHE_NAMESPACE", namespace)
    try:
        cache = get_cache()
        assert cache.mode == "upstash"
        assert cache.stats()["mode_label"] == "Upstash Redis (Producción)"
        cache.set("k", "v", 60)
        assert cache.get("k") == "v"
        assert real_redis.exists(f"{namespace}:k") == 1
    finally:
        reset_cache()
        delete_namespace(real_redis, namespace)


def test_upstash_needs_both_variables(settings_env):
    settings_env.setenv("UPSTASH_REDIS_REST_URL", "http://127.0.0.1:9")
    assert get_cache().mode == "memory"


def test_public_exports():
    for name in ("get_cache", "build_cache", "cache_key", "tag", "ttl_for", "reset_cache"):
        assert name in cache_module.__all__
