"""``load_settings``: every variable of the deployment guide, typed and validated."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from piano_emotion.settings import (
    DEFAULT_DATABASE_URL,
    DEV_SECRET_FILE,
    MIN_JWT_SECRET_LENGTH,
    SettingsError,
    load_settings,
)

STRONG_SECRET = "x7Qp2Lm9Zr4Tv8Nb1Kc6Wd3Hf5Js0Gy-A_bCdEfGhIjKlMnO"  # 48 characters
TIDB_URL = (
    "mysql://user:pass@gateway01.eu-central-1.prod.aws.tidbcloud.com:4000/piano"
    '?ssl={"rejectUnauthorized":true}'
)

# Every variable the deployment guide (DEPLOYMENT-GUIDE.es.md) sets, with
# recognisable values so that a leak into ``integrations()`` is easy to spot.
GUIDE_ENV = {
    "DATABASE_URL": TIDB_URL,
    "CLERK_SECRET_KEY": "sk_live_clerk_SECRET_0001",
    "NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY": "pk_live_clerk_PUBLIC_0002",
    "UPSTASH_REDIS_REST_URL": "https://eu1-secret-endpoint-0003.upstash.io",
    "UPSTASH_REDIS_REST_TOKEN": "upstash_TOKEN_0004",
    "STRIPE_SECRET_KEY": "sk_live_stripe_SECRET_0005",
    "STRIPE_WEBHOOK_SECRET": "whsec_WEBHOOK_0006",
    "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY": "pk_live_stripe_PUBLIC_0007",
    "JWT_SECRET": STRONG_SECRET,
    "OWNER_OPEN_ID": "user_2abcOWNER0008",
    "OWNER_NAME": "Inés Ownerson",
    "NODE_ENV": "production",
    "REDIS_URL": "redis://:redis_PASSWORD_0009@cache.internal:6379/0",
}


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path, monkeypatch):
    """Run every test in a scratch directory (``.secrets/`` and ``.env`` go there)."""
    monkeypatch.chdir(tmp_path)


# -- defaults ---------------------------------------------------------------


def test_defaults_with_an_empty_environment():
    settings = load_settings({})

    assert settings.environment == "development"
    assert not settings.is_production
    assert settings.database_url == DEFAULT_DATABASE_URL == "sqlite:///piano_emotion.db"
    assert settings.cache_mode == "memory"
    assert settings.session_days == 7
    assert settings.smtp_port == 587
    assert settings.owner_name == "Owner"
    assert settings.app_url == "http://localhost:3000"
    assert settings.clerk_authorized_parties == ("http://localhost:3000",)
    assert settings.integrations() == {
        "local_accounts": True,
        "clerk": False,
        "upstash": False,
        "redis": False,
        "stripe": False,
        "stripe_webhook": False,
        "smtp": False,
        "alert_webhook": False,
        "cron": False,
        "owner": False,
    }


def test_blank_values_count_as_unset():
    settings = load_settings(
        {"DATABASE_URL": "  ", "CLERK_SECRET_KEY": "", "REDIS_URL": " ", "OWNER_NAME": ""}
    )
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.clerk_secret_key is None
    assert settings.redis_url is None
    assert settings.owner_name == "Owner"


# -- environment name -------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"NODE_ENV": "production", "JWT_SECRET": STRONG_SECRET}, "production"),
        ({"APP_ENV": "production", "JWT_SECRET": STRONG_SECRET}, "production"),
        ({"NODE_ENV": "test"}, "test"),
        ({"NODE_ENV": "Development"}, "development"),
        ({"NODE_ENV": "prod", "JWT_SECRET": STRONG_SECRET}, "production"),
        # APP_ENV wins over NODE_ENV, in both directions.
        ({"NODE_ENV": "production", "APP_ENV": "development"}, "development"),
        (
            {"NODE_ENV": "development", "APP_ENV": "production", "JWT_SECRET": STRONG_SECRET},
            "production",
        ),
    ],
)
def test_node_env_and_app_env_are_accepted(environ, expected):
    assert load_settings(environ).environment == expected


@pytest.mark.parametrize("variable", ["NODE_ENV", "APP_ENV"])
def test_an_unknown_environment_is_an_error_naming_the_variable(variable):
    with pytest.raises(SettingsError, match=variable) as excinfo:
        load_settings({variable: "staging"})
    assert "staging" in str(excinfo.value)


def test_an_invalid_app_env_is_refused_even_with_a_valid_node_env():
    with pytest.raises(SettingsError, match="APP_ENV"):
        load_settings({"NODE_ENV": "production", "APP_ENV": "qa"})


# -- JWT_SECRET -------------------------------------------------------------


def test_production_without_jwt_secret_refuses_to_start():
    with pytest.raises(SettingsError, match="JWT_SECRET") as excinfo:
        load_settings({"NODE_ENV": "production"})
    assert "required" in str(excinfo.value)


def test_production_with_a_blank_jwt_secret_refuses_to_start():
    with pytest.raises(SettingsError, match="JWT_SECRET"):
        load_settings({"NODE_ENV": "production", "JWT_SECRET": "   "})


def test_production_with_a_short_jwt_secret_refuses_to_start():
    short = "a" * (MIN_JWT_SECRET_LENGTH - 1)
    with pytest.raises(SettingsError, match="JWT_SECRET") as excinfo:
        load_settings({"NODE_ENV": "production", "JWT_SECRET": short})
    assert "too short" in str(excinfo.value)


@pytest.mark.parametrize(
    "example",
    [
        "secret-aleatorio-seguro",
        "[secret-aleatorio-seguro]",
        "SECRET-ALEATORIO-SEGURO",
        "changeme",
        "replace-with-a-long-random-string-of-at-least-32-characters",
    ],
)
def test_production_with_a_known_example_secret_refuses_to_start(example):
    with pytest.raises(SettingsError, match="JWT_SECRET"):
        load_settings({"NODE_ENV": "production", "JWT_SECRET": example})


def test_production_with_a_long_random_secret_starts():
    settings = load_settings({"NODE_ENV": "production", "JWT_SECRET": STRONG_SECRET})
    assert len(STRONG_SECRET) == 48
    assert settings.is_production
    assert settings.jwt_secret == STRONG_SECRET


def test_development_without_jwt_secret_generates_and_keeps_one(tmp_path):
    first = load_settings({})

    assert len(first.jwt_secret) >= MIN_JWT_SECRET_LENGTH
    secret_file = tmp_path / DEV_SECRET_FILE
    assert secret_file.is_file()
    assert secret_file.read_text().strip() == first.jwt_secret
    # Only the owner may read it.
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    # A restart reads the same secret back, so sessions survive it.
    assert load_settings({}).jwt_secret == first.jwt_secret


def test_development_replaces_a_stored_secret_that_is_too_short(tmp_path):
    secret_file = tmp_path / DEV_SECRET_FILE
    secret_file.parent.mkdir()
    secret_file.write_text("short")

    secret = load_settings({}).jwt_secret

    assert len(secret) >= MIN_JWT_SECRET_LENGTH
    assert secret_file.read_text().strip() == secret


def test_development_uses_an_explicit_jwt_secret_as_given(tmp_path):
    assert load_settings({"JWT_SECRET": "dev-only"}).jwt_secret == "dev-only"
    assert not (tmp_path / DEV_SECRET_FILE).exists()


# -- the deployment guide's variables ----------------------------------------


def test_every_deployment_guide_variable_is_read():
    settings = load_settings(GUIDE_ENV)

    assert settings.environment == "production"
    assert settings.database_url == TIDB_URL
    assert settings.clerk_secret_key == GUIDE_ENV["CLERK_SECRET_KEY"]
    assert settings.clerk_publishable_key == GUIDE_ENV["NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY"]
    assert settings.upstash_redis_rest_url == GUIDE_ENV["UPSTASH_REDIS_REST_URL"]
    assert settings.upstash_redis_rest_token == GUIDE_ENV["UPSTASH_REDIS_REST_TOKEN"]
    assert settings.stripe_secret_key == GUIDE_ENV["STRIPE_SECRET_KEY"]
    assert settings.stripe_webhook_secret == GUIDE_ENV["STRIPE_WEBHOOK_SECRET"]
    assert settings.stripe_publishable_key == GUIDE_ENV["NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY"]
    assert settings.jwt_secret == STRONG_SECRET
    assert settings.owner_open_id == GUIDE_ENV["OWNER_OPEN_ID"]
    assert settings.owner_name == "Inés Ownerson"
    assert settings.redis_url == GUIDE_ENV["REDIS_URL"]


def test_integrations_reflect_the_guide_variables_as_booleans_only():
    settings = load_settings(GUIDE_ENV)
    integrations = settings.integrations()

    assert integrations == {
        "local_accounts": True,
        "clerk": True,
        "upstash": True,
        "redis": True,
        "stripe": True,
        "stripe_webhook": True,
        "smtp": False,
        "alert_webhook": False,
        "cron": False,
        "owner": True,
    }
    assert all(type(value) is bool for value in integrations.values())
    rendered = str(integrations) + repr(integrations)
    for name, value in GUIDE_ENV.items():
        if name in {"NODE_ENV", "OWNER_NAME"}:
            continue
        assert value not in rendered, f"{name} leaked into integrations()"


def test_half_configured_pairs_are_off_and_not_leaked():
    # integrations() is what the health endpoint shows; it never carries a secret.
    settings = load_settings(
        {"CLERK_SECRET_KEY": "sk_test_only_half", "STRIPE_WEBHOOK_SECRET": "w"}
    )
    assert settings.integrations()["clerk"] is False
    assert settings.integrations()["stripe_webhook"] is False
    assert "sk_test_only_half" not in str(settings.integrations())


@pytest.mark.parametrize(
    ("environ", "mode"),
    [
        ({}, "memory"),
        ({"REDIS_URL": "redis://localhost:6379/0"}, "redis"),
        (
            {"UPSTASH_REDIS_REST_URL": "https://x.upstash.io", "UPSTASH_REDIS_REST_TOKEN": "t"},
            "upstash",
        ),
        (
            {
                "UPSTASH_REDIS_REST_URL": "https://x.upstash.io",
                "UPSTASH_REDIS_REST_TOKEN": "t",
                "REDIS_URL": "redis://localhost:6379/0",
            },
            "upstash",
        ),
        # Upstash needs both its URL and its token; half of it falls back.
        ({"UPSTASH_REDIS_REST_URL": "https://x.upstash.io", "REDIS_URL": "redis://h/0"}, "redis"),
        ({"UPSTASH_REDIS_REST_TOKEN": "t"}, "memory"),
    ],
)
def test_cache_mode_precedence_is_upstash_then_redis_then_memory(environ, mode):
    assert load_settings(environ).cache_mode == mode


# -- .env file ----------------------------------------------------------------


def test_dotenv_file_is_read_and_real_environment_variables_win(tmp_path, monkeypatch):
    for name in ("OWNER_NAME", "OWNER_OPEN_ID", "REDIS_URL", "NODE_ENV", "APP_ENV", "JWT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / ".env").write_text(
        "# local overrides\n"
        "OWNER_NAME=Nombre del fichero\n"
        "OWNER_OPEN_ID=user_from_dotenv\n"
        'REDIS_URL="redis://dotenv-host:6379/1"\n'
        "NODE_ENV=test\n"
    )
    monkeypatch.setenv("OWNER_NAME", "Nombre del entorno")

    settings = load_settings()

    assert settings.owner_name == "Nombre del entorno"  # the real variable wins
    assert settings.owner_open_id == "user_from_dotenv"  # the file fills the rest
    assert settings.redis_url == "redis://dotenv-host:6379/1"
    assert settings.environment == "test"
    assert settings.cache_mode == "redis"


def test_dotenv_file_is_ignored_when_a_mapping_is_given(tmp_path):
    (tmp_path / ".env").write_text("OWNER_NAME=From file\n")
    assert load_settings({}).owner_name == "Owner"


def test_dotenv_file_can_be_switched_off(tmp_path, monkeypatch):
    monkeypatch.delenv("OWNER_NAME", raising=False)
    (tmp_path / ".env").write_text("OWNER_NAME=From file\n")
    assert load_settings(env_file=None).owner_name == "Owner"


def test_missing_dotenv_file_is_fine(tmp_path, monkeypatch):
    monkeypatch.delenv("OWNER_NAME", raising=False)
    assert not Path(".env").exists()
    assert load_settings().owner_name == "Owner"


# -- typed values ---------------------------------------------------------------


def test_typed_values_are_parsed():
    settings = load_settings(
        {
            "SESSION_DAYS": "30",
            "SMTP_HOST": "smtp.example.es",
            "SMTP_PORT": "465",
            "SMTP_FROM": "taller@example.es",
            "SMTP_STARTTLS": "no",
            "LOCAL_ACCOUNTS_ENABLED": "false",
            "APP_URL": "https://app.example.es/",
            "CLERK_AUTHORIZED_PARTIES": "https://a.example.es/, https://b.example.es",
        }
    )
    assert settings.session_days == 30
    assert settings.smtp_port == 465
    assert settings.smtp_starttls is False
    assert settings.smtp_enabled
    assert settings.local_accounts_enabled is False
    assert settings.integrations()["local_accounts"] is False
    assert settings.app_url == "https://app.example.es"
    assert settings.clerk_authorized_parties == ("https://a.example.es", "https://b.example.es")


@pytest.mark.parametrize("value", ["siete", "7.5", "0", "91", "-1"])
def test_invalid_session_days_is_an_error_naming_the_variable(value):
    with pytest.raises(SettingsError, match="SESSION_DAYS"):
        load_settings({"SESSION_DAYS": value})


@pytest.mark.parametrize("value", ["smtp", "5 87", "0", "70000", "-25"])
def test_invalid_smtp_port_is_an_error_naming_the_variable(value):
    with pytest.raises(SettingsError, match="SMTP_PORT"):
        load_settings({"SMTP_PORT": value})


@pytest.mark.parametrize("name", ["SMTP_STARTTLS", "LOCAL_ACCOUNTS_ENABLED"])
def test_invalid_boolean_is_an_error_naming_the_variable(name):
    with pytest.raises(SettingsError, match=name):
        load_settings({name: "maybe"})


@pytest.mark.parametrize(
    "url",
    [
        "postgres://user:pass@localhost/piano",
        "not a url",
        "mysql://user:pass@host:4000/piano?ssl=sometimes",
        'mysql://user:pass@host:4000/piano?ssl={"rejectUnauthorized":',
        "mysql://user:pass@host:4000",
    ],
)
def test_invalid_database_url_is_an_error_naming_the_variable(url):
    with pytest.raises(SettingsError, match="DATABASE_URL"):
        load_settings({"DATABASE_URL": url})
