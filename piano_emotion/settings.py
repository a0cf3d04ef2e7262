"""Every environment variable the app reads, typed and validated in one place.

Names follow the deployment guide (DEPLOYMENT-GUIDE.es.md). A ``.env`` file in
the working directory is read when present; real environment variables win.
Missing optional services (Clerk, Stripe, Upstash, SMTP) only switch their
feature off; an unsafe ``JWT_SECRET`` in production refuses to start.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from dotenv import dotenv_values

DEFAULT_DATABASE_URL = "sqlite:///piano_emotion.db"
DEV_SECRET_FILE = Path(".secrets/jwt_secret")
MIN_JWT_SECRET_LENGTH = 32
# Secrets that appear in examples and tutorials; never acceptable in production.
KNOWN_WEAK_SECRETS = frozenset(
    {
        "secret",
        "changeme",
        "change-me",
        "jwt_secret",
        "your-secret",
        "secret-aleatorio-seguro",
        "[secret-aleatorio-seguro]",
        "replace-with-a-long-random-string-of-at-least-32-characters",
    }
)
VALID_ENVIRONMENTS = ("development", "test", "production")
# Backend worker processes (WEB_CONCURRENCY): more than one needs REFLEX_REDIS_URL.
MAX_WORKERS = 16
STATE_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class SettingsError(ValueError):
    """The configuration cannot be used; the message names the variable."""


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = _clean(env.get(name))
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from exc


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = _clean(env.get(name))
    if raw is None:
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


@dataclass(frozen=True)
class Settings:
    environment: str = "development"
    database_url: str = DEFAULT_DATABASE_URL
    jwt_secret: str = ""
    session_days: int = 7
    # Clerk (optional: sign-in with Google and others).
    clerk_secret_key: str | None = None
    clerk_publishable_key: str | None = None
    clerk_authorized_parties: tuple[str, ...] = ()
    clerk_jwks_url: str | None = None
    # Cache backends (optional; memory otherwise).
    upstash_redis_rest_url: str | None = None
    upstash_redis_rest_token: str | None = None
    redis_url: str | None = None
    # Stripe (optional: payment links).
    stripe_secret_key: str | None = None
    stripe_webhook_secret: str | None = None
    stripe_publishable_key: str | None = None
    # Another Stripe API address (stripe-mock, a test server); empty = Stripe's own.
    stripe_api_base: str | None = None
    # The platform owner (Clerk user id, or the email of a local account).
    owner_open_id: str | None = None
    owner_name: str = "Owner"
    # Public address of the app, used in links sent to clients.
    app_url: str = "http://localhost:3000"
    # Outgoing email (optional).
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str | None = None
    smtp_starttls: bool = True
    # Implicit TLS from the first byte (SMTPS, usually port 465) instead of STARTTLS.
    smtp_ssl: bool = False
    # Owner alerts to an HTTP webhook (e.g. Slack), and the serverless cron secret.
    alert_webhook_url: str | None = None
    # Where the owner's alerts are mailed (default: the owner account's email).
    alert_email: str | None = None
    cron_secret: str | None = None
    local_accounts_enabled: bool = True
    # Run the scheduled jobs in the app process (off where an outside cron calls them).
    scheduler_enabled: bool = True
    # Prefix of every cache key (several apps can share one Redis).
    cache_namespace: str = "pe"
    # CACHE_TTL_<ENTITY>=<seconds> overrides of the TTL policy (piano_emotion.cache.policy).
    cache_ttl_overrides: dict[str, int] = field(default_factory=dict, compare=False)
    # CACHE_REFRESH: recompute a technician's recently read, invalidated cache
    # entries in the background after a write (piano_emotion.domain.refresh).
    cache_refresh: bool = True
    # A plain Redis for Reflex's UI state (REFLEX_REDIS_URL), shared by every
    # worker; None keeps the state in the single worker's memory/disk.
    reflex_redis_url: str | None = None
    # Backend worker processes of this instance (WEB_CONCURRENCY, or GRANIAN_WORKERS).
    web_concurrency: int = 1

    # -- derived ---------------------------------------------------------
    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def clerk_enabled(self) -> bool:
        return bool(self.clerk_secret_key and self.clerk_publishable_key)

    @property
    def upstash_enabled(self) -> bool:
        return bool(self.upstash_redis_rest_url and self.upstash_redis_rest_token)

    @property
    def stripe_enabled(self) -> bool:
        return bool(self.stripe_secret_key)

    @property
    def smtp_enabled(self) -> bool:
        return bool(self.smtp_host and self.smtp_from)

    @property
    def cache_mode(self) -> str:
        """The cache backend these settings ask for."""
        if self.upstash_enabled:
            return "upstash"
        if self.redis_url:
            return "redis"
        return "memory"

    def integrations(self) -> dict[str, bool]:
        """Which optional integrations are configured (never their secrets)."""
        return {
            "local_accounts": self.local_accounts_enabled,
            "clerk": self.clerk_enabled,
            "upstash": self.upstash_enabled,
            "redis": bool(self.redis_url),
            "stripe": self.stripe_enabled,
            "stripe_webhook": bool(self.stripe_enabled and self.stripe_webhook_secret),
            "smtp": self.smtp_enabled,
            "alert_webhook": bool(self.alert_webhook_url),
            "cron": bool(self.cron_secret),
            "owner": bool(self.owner_open_id),
        }


def _environment(env: Mapping[str, str]) -> str:
    # APP_ENV wins over NODE_ENV; the error names the variable actually used.
    source = "APP_ENV" if _clean(env.get("APP_ENV")) else "NODE_ENV"
    raw = (_clean(env.get(source)) or "development").lower()
    aliases = {"prod": "production", "dev": "development", "testing": "test"}
    raw = aliases.get(raw, raw)
    if raw not in VALID_ENVIRONMENTS:
        raise SettingsError(f"{source} must be one of {', '.join(VALID_ENVIRONMENTS)}, got {raw!r}")
    return raw


def _jwt_secret(env: Mapping[str, str], environment: str) -> str:
    secret = _clean(env.get("JWT_SECRET"))
    if environment == "production":
        if secret is None:
            raise SettingsError(
                "JWT_SECRET is required in production: set it to a random string "
                f"of at least {MIN_JWT_SECRET_LENGTH} characters "
                "(python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        if secret.lower() in KNOWN_WEAK_SECRETS:
            raise SettingsError("JWT_SECRET is a well-known example value; set a random one")
        if len(secret) < MIN_JWT_SECRET_LENGTH:
            raise SettingsError(
                f"JWT_SECRET is too short ({len(secret)} characters); "
                f"production needs at least {MIN_JWT_SECRET_LENGTH}"
            )
        return secret
    if secret:
        return secret
    return _development_secret()


def _development_secret() -> str:
    """A random secret kept in a local file, so dev sessions survive restarts."""
    try:
        if DEV_SECRET_FILE.exists():
            stored = DEV_SECRET_FILE.read_text().strip()
            if len(stored) >= MIN_JWT_SECRET_LENGTH:
                return stored
        DEV_SECRET_FILE.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        stored = secrets.token_urlsafe(48)
        # Created owner-only from the start (no window where others can read it).
        fd = os.open(DEV_SECRET_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(stored)
        DEV_SECRET_FILE.chmod(0o600)
        return stored
    except OSError:
        # A read-only working directory: sessions last until the process ends.
        return secrets.token_urlsafe(48)


def _cache_namespace(env: Mapping[str, str]) -> str:
    namespace = _clean(env.get("CACHE_NAMESPACE")) or "pe"
    if not namespace.replace("-", "").replace("_", "").isalnum() or len(namespace) > 32:
        raise SettingsError("CACHE_NAMESPACE must be up to 32 letters, digits, - or _")
    return namespace


def _cache_ttls(env: Mapping[str, str]) -> dict[str, int]:
    from piano_emotion.cache.policy import TtlPolicy

    try:
        policy = TtlPolicy.from_environ(env)
    except ValueError as exc:
        raise SettingsError(str(exc)) from exc
    return {k: v for k, v in policy.ttls.items() if env.get(f"CACHE_TTL_{k.upper()}")}


def _alert_email(env: Mapping[str, str]) -> str | None:
    email = _clean(env.get("ALERT_EMAIL"))
    if email is not None and ("@" not in email or any(c.isspace() for c in email)):
        raise SettingsError(f"ALERT_EMAIL must be an email address, got {email!r}")
    return email.lower() if email else None


def _redis_target(url: str) -> tuple[str, int, int] | None:
    """(host, port, database number) of a ``redis://`` URL; None for a socket."""
    parsed = urlsplit(url)
    if parsed.scheme not in {"redis", "rediss"}:
        return None
    db = parsed.path.strip("/") or dict(parse_qsl(parsed.query)).get("db", "0")
    try:
        return (parsed.hostname or "localhost").lower(), parsed.port or 6379, int(db or 0)
    except ValueError:
        return None


def state_redis_url(env: Mapping[str, str]) -> str | None:
    """``REFLEX_REDIS_URL``: the plain Redis holding Reflex's UI state, checked.

    Reflex's state manager holds a real Redis connection (locks, keyspace
    notifications, pub/sub), which Upstash's REST API cannot provide.
    """
    url = _clean(env.get("REFLEX_REDIS_URL"))
    if url is None:
        return None
    if url.lower().startswith(("http://", "https://")):
        raise SettingsError(
            "REFLEX_REDIS_URL must be a plain Redis URL (redis://, rediss:// or unix://), "
            f"got an HTTP address ({urlsplit(url).hostname}): Reflex keeps its state over a "
            "real Redis connection, which Upstash's REST API cannot provide. Keep Upstash "
            "for the cache (UPSTASH_REDIS_REST_URL) and point REFLEX_REDIS_URL at a plain Redis."
        )
    if not url.lower().startswith(STATE_REDIS_SCHEMES):
        raise SettingsError(
            "REFLEX_REDIS_URL must start with redis://, rediss:// or unix://, "
            f"got {url.split('://', 1)[0]!r}"
        )
    return url


def _check_state_apart_from_cache(
    state_url: str | None, redis_url: str | None, upstash_url: str | None
) -> None:
    """Reflex's state and the cache must not share one Redis database.

    Their keys cannot collide (Reflex's are ``<uuid>_<state>``, ours
    ``<namespace>:…``), but the cache reports the size of its database as its
    key count, and a cache Redis may evict keys under memory pressure, which
    must never drop a user's state.
    """
    if state_url is None:
        return
    state = _redis_target(state_url)
    if state is None:
        return
    if upstash_url:
        if (urlsplit(upstash_url).hostname or "").lower() == state[0]:
            raise SettingsError(
                "REFLEX_REDIS_URL points at the cache's Upstash database "
                f"({state[0]}): give Reflex's state a Redis of its own"
            )
    elif redis_url and _redis_target(redis_url) == state:
        host, port, db = state
        raise SettingsError(
            f"REFLEX_REDIS_URL and REDIS_URL name the same Redis database ({host}:{port}/{db}): "
            "give Reflex's state a database of its own (e.g. /2), apart from the cache"
        )


def default_workers() -> int:
    """Two backend workers per CPU core, at most ``MAX_WORKERS``."""
    return max(2, min(MAX_WORKERS, 2 * (os.cpu_count() or 1)))


def worker_count(env: Mapping[str, str], state_url: str | None, shared_cache: bool) -> int:
    """``WEB_CONCURRENCY`` (or Reflex's ``GRANIAN_WORKERS``): backend processes.

    Default 1, or two per CPU core when Reflex's state is in Redis (event
    handlers wait on the database and Redis without giving the core away: the
    load test served 500 users at p95 108 ms with 4 workers on 2 cores, 224 ms
    with 2). More than one worker needs
    ``REFLEX_REDIS_URL`` (a user's events reach whichever worker their current
    websocket landed on, and all of them must see the same state) and a shared
    cache, Redis or Upstash (a write on one worker must invalidate what the
    others would serve).
    """
    name = "WEB_CONCURRENCY" if _clean(env.get("WEB_CONCURRENCY")) else "GRANIAN_WORKERS"
    workers = _int(env, name, default_workers() if state_url else 1)
    if not 1 <= workers <= MAX_WORKERS:
        raise SettingsError(f"{name} must be between 1 and {MAX_WORKERS}, got {workers}")
    if workers > 1 and state_url is None:
        raise SettingsError(
            f"{name}={workers} needs REFLEX_REDIS_URL (a plain Redis): with several workers "
            "Reflex must keep its state in Redis, shared by all of them"
        )
    if workers > 1 and not shared_cache:
        raise SettingsError(
            f"{name}={workers} needs a shared cache (REDIS_URL or UPSTASH_REDIS_REST_URL and "
            "_TOKEN): with the in-process cache a write on one worker would not invalidate "
            "what the others serve"
        )
    return workers


def _environ(environ: Mapping[str, str] | None, env_file: str | None) -> Mapping[str, str]:
    if environ is not None:
        return environ
    merged: dict[str, str] = {}
    if env_file and Path(env_file).is_file():
        merged.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    merged.update(os.environ)
    return merged


def server_layout(
    environ: Mapping[str, str] | None = None, *, env_file: str | None = ".env"
) -> tuple[str | None, int]:
    """``(REFLEX_REDIS_URL, workers)`` for ``rxconfig.py``, checked like
    ``load_settings`` does, without needing the rest of the configuration."""
    env = _environ(environ, env_file)
    redis_url = _clean(env.get("REDIS_URL"))
    upstash_url = _clean(env.get("UPSTASH_REDIS_REST_URL"))
    upstash_on = bool(upstash_url and _clean(env.get("UPSTASH_REDIS_REST_TOKEN")))
    state_url = state_redis_url(env)
    _check_state_apart_from_cache(state_url, redis_url, upstash_url if upstash_on else None)
    return state_url, worker_count(env, state_url, bool(upstash_on or redis_url))


def load_settings(
    environ: Mapping[str, str] | None = None, *, env_file: str | None = ".env"
) -> Settings:
    """Build the settings from a mapping (default: ``.env`` plus ``os.environ``)."""
    env = _environ(environ, env_file)
    environment = _environment(env)
    parties = tuple(
        p.strip().rstrip("/")
        for p in (env.get("CLERK_AUTHORIZED_PARTIES") or "").split(",")
        if p.strip()
    )
    app_url = (_clean(env.get("APP_URL")) or "http://localhost:3000").rstrip("/")
    session_days = _int(env, "SESSION_DAYS", 7)
    if not 1 <= session_days <= 90:
        raise SettingsError("SESSION_DAYS must be between 1 and 90")
    smtp_port = _int(env, "SMTP_PORT", 587)
    if not 1 <= smtp_port <= 65535:
        raise SettingsError(f"SMTP_PORT must be a TCP port (1-65535), got {smtp_port}")
    database_url = _clean(env.get("DATABASE_URL")) or DEFAULT_DATABASE_URL
    # Fail at start-up, naming the variable, rather than at the first query.
    from piano_emotion.db_url import DatabaseUrlError, parse_database_url

    try:
        parse_database_url(database_url)
    except DatabaseUrlError as exc:
        raise SettingsError(str(exc)) from exc
    redis_url = _clean(env.get("REDIS_URL"))
    reflex_redis_url, web_concurrency = server_layout(env)
    return Settings(
        environment=environment,
        database_url=database_url,
        jwt_secret=_jwt_secret(env, environment),
        session_days=session_days,
        clerk_secret_key=_clean(env.get("CLERK_SECRET_KEY")),
        clerk_publishable_key=_clean(env.get("NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY")),
        clerk_authorized_parties=parties or (app_url,),
        clerk_jwks_url=_clean(env.get("CLERK_JWKS_URL")),
        upstash_redis_rest_url=_clean(env.get("UPSTASH_REDIS_REST_URL")),
        upstash_redis_rest_token=_clean(env.get("UPSTASH_REDIS_REST_TOKEN")),
        redis_url=redis_url,
        stripe_secret_key=_clean(env.get("STRIPE_SECRET_KEY")),
        stripe_webhook_secret=_clean(env.get("STRIPE_WEBHOOK_SECRET")),
        stripe_publishable_key=_clean(env.get("NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY")),
        stripe_api_base=(_clean(env.get("STRIPE_API_BASE")) or "").rstrip("/") or None,
        owner_open_id=_clean(env.get("OWNER_OPEN_ID")),
        owner_name=_clean(env.get("OWNER_NAME")) or "Owner",
        app_url=app_url,
        smtp_host=_clean(env.get("SMTP_HOST")),
        smtp_port=smtp_port,
        smtp_user=_clean(env.get("SMTP_USER")),
        smtp_password=_clean(env.get("SMTP_PASSWORD")),
        smtp_from=_clean(env.get("SMTP_FROM")),
        smtp_starttls=_bool(env, "SMTP_STARTTLS", True),
        smtp_ssl=_bool(env, "SMTP_SSL", smtp_port == 465),
        alert_webhook_url=_clean(env.get("ALERT_WEBHOOK_URL")),
        alert_email=_alert_email(env),
        cron_secret=_clean(env.get("CRON_SECRET")),
        local_accounts_enabled=_bool(env, "LOCAL_ACCOUNTS_ENABLED", True),
        scheduler_enabled=_bool(env, "SCHEDULER_ENABLED", True),
        cache_namespace=_cache_namespace(env),
        cache_ttl_overrides=_cache_ttls(env),
        cache_refresh=_bool(env, "CACHE_REFRESH", True),
        reflex_redis_url=reflex_redis_url,
        web_concurrency=web_concurrency,
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return load_settings()


def reset_settings_cache() -> None:
    """Forget the process-wide settings (tests change the environment)."""
    get_settings.cache_clear()
