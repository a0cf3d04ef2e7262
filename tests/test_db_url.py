"""``DATABASE_URL`` parsing: the deployment guide's TiDB form, TLS, SQLite, errors."""

from __future__ import annotations

import ssl
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from piano_emotion.db import create_engine_for
from piano_emotion.db_url import (
    MYSQL_POOL_RECYCLE_SECONDS,
    DatabaseUrlError,
    parse_database_url,
)
from tests.conftest import MARIADB_ADMIN_URL, mariadb_available, require_service

TIDB_HOST = "gateway01.eu-central-1.prod.aws.tidbcloud.com"
SSL_JSON = '{"rejectUnauthorized":true}'
# Exactly the form of DEPLOYMENT-GUIDE.es.md.
GUIDE_URL = f"mysql://user:pass@{TIDB_HOST}:4000/piano?ssl={SSL_JSON}"


def _assert_verifying_context(context) -> None:
    assert isinstance(context, ssl.SSLContext)
    assert context.check_hostname is True
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
    # certifi's bundle is loaded: TiDB Cloud's public CA chain verifies.
    assert context.cert_store_stats()["x509_ca"] > 0


# -- the deployment guide's TiDB form -------------------------------------------


def test_guide_tidb_url_becomes_pymysql_with_verified_tls():
    target = parse_database_url(GUIDE_URL)

    assert target.url.drivername == "mysql+pymysql"
    assert target.dialect == "mysql"
    assert not target.is_sqlite
    assert target.url.host == TIDB_HOST
    assert target.url.port == 4000
    assert target.url.database == "piano"
    assert target.url.username == "user"
    assert target.url.password == "pass"
    assert "ssl" not in target.url.query
    assert target.url.query["charset"] == "utf8mb4"
    assert target.tls_verify is True

    kwargs = target.engine_kwargs()
    _assert_verifying_context(kwargs["connect_args"]["ssl"])


def test_guide_tidb_url_with_url_encoded_ssl_json():
    target = parse_database_url(
        f"mysql://user:pass@{TIDB_HOST}:4000/piano?ssl={quote(SSL_JSON, safe='')}"
    )
    assert "%7B" in quote(SSL_JSON, safe="")
    assert target.tls_verify is True
    assert "ssl" not in target.url.query
    _assert_verifying_context(target.engine_kwargs()["connect_args"]["ssl"])


def test_reject_unauthorized_false_is_tls_without_verification():
    target = parse_database_url(
        f'mysql://user:pass@{TIDB_HOST}:4000/piano?ssl={{"rejectUnauthorized":false}}'
    )
    assert target.tls_verify is False
    context = target.engine_kwargs()["connect_args"]["ssl"]
    assert isinstance(context, ssl.SSLContext)
    assert context.check_hostname is False
    assert context.verify_mode == ssl.CERT_NONE


def test_ssl_json_without_reject_unauthorized_verifies_by_default():
    target = parse_database_url(f"mysql://u:p@{TIDB_HOST}:4000/piano?ssl={{}}")
    assert target.tls_verify is True


def test_other_query_options_are_kept_and_charset_is_not_overridden():
    target = parse_database_url(
        f"mysql://u:p@{TIDB_HOST}:4000/piano?ssl={SSL_JSON}&charset=utf8mb4&connect_timeout=5"
    )
    assert dict(target.url.query) == {"charset": "utf8mb4", "connect_timeout": "5"}


# -- credentials ------------------------------------------------------------------


def test_percent_encoded_special_characters_in_the_password_survive():
    password = "p@ss/w:rd%#?ñ"
    target = parse_database_url(
        f"mysql://app%40tenant:{quote(password, safe='')}@{TIDB_HOST}:4000/piano?ssl={SSL_JSON}"
    )
    assert target.url.username == "app@tenant"
    assert target.url.password == password
    assert target.url.host == TIDB_HOST
    assert target.url.database == "piano"
    assert target.tls_verify is True


def test_unencoded_at_sign_in_the_password_is_read_like_node_reads_it():
    # Node's URL parser splits the credentials at the last "@" of the authority.
    target = parse_database_url(f"mysql://user:p@ss@{TIDB_HOST}:4000/piano?ssl={SSL_JSON}")
    assert target.url.username == "user"
    assert target.url.password == "p@ss"
    assert target.url.host == TIDB_HOST
    assert target.url.port == 4000


def test_redacted_hides_the_password():
    target = parse_database_url(f"mysql://user:S3cr3t-Pa55@{TIDB_HOST}:4000/piano?ssl={SSL_JSON}")
    shown = target.redacted()
    assert "S3cr3t-Pa55" not in shown
    assert "***" in shown
    assert TIDB_HOST in shown
    assert "user" in shown


# -- plain MySQL forms and TLS flags -----------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "mysql+pymysql://root@127.0.0.1:3306/piano",
        "mysql://root@127.0.0.1:3306/piano",
        "mysql://root:pw@db.internal/piano?ssl=false",
        "mysql://root:pw@db.internal/piano?ssl-mode=DISABLED",
        "mariadb://root@127.0.0.1/piano",
    ],
)
def test_mysql_without_tls_options_has_no_tls_context(url):
    target = parse_database_url(url)
    assert target.url.drivername == "mysql+pymysql"
    assert target.tls_verify is None
    assert "ssl" not in target.engine_kwargs()["connect_args"]
    assert target.url.query["charset"] == "utf8mb4"


@pytest.mark.parametrize(
    "query",
    [
        "sslaccept=strict",
        "ssl-mode=VERIFY_IDENTITY",
        "ssl_mode=verify_ca",
        "sslmode=verify-full",
        "ssl=true",
        "ssl=1",
    ],
)
def test_strict_tls_flags_verify(query):
    target = parse_database_url(f"mysql://u:p@{TIDB_HOST}:4000/piano?{query}")
    assert target.tls_verify is True
    assert set(target.url.query) == {"charset"}
    _assert_verifying_context(target.engine_kwargs()["connect_args"]["ssl"])


@pytest.mark.parametrize("query", ["ssl-mode=REQUIRED", "sslaccept=accept_invalid_certs"])
def test_encrypt_only_tls_flags_do_not_verify(query):
    target = parse_database_url(f"mysql://u:p@{TIDB_HOST}:4000/piano?{query}")
    assert target.tls_verify is False
    assert target.engine_kwargs()["connect_args"]["ssl"].verify_mode == ssl.CERT_NONE


def test_mysql_pool_options_survive_idle_timeouts():
    kwargs = parse_database_url(GUIDE_URL).engine_kwargs()
    # The pool's own ping and reset give way to db.mysql_pool_hygiene's.
    assert kwargs["pool_pre_ping"] is False and kwargs["pool_reset_on_return"] is None
    # TiDB Cloud drops idle connections after about five minutes.
    assert kwargs["pool_recycle"] == MYSQL_POOL_RECYCLE_SECONDS < 300
    assert kwargs["pool_size"] >= 1


def test_each_engine_gets_its_own_tls_context():
    target = parse_database_url(GUIDE_URL)
    first = target.engine_kwargs()["connect_args"]["ssl"]
    second = target.engine_kwargs()["connect_args"]["ssl"]
    assert first is not second


# -- SQLite -------------------------------------------------------------------------


def test_sqlite_relative_file():
    target = parse_database_url("sqlite:///relative.db")
    assert target.is_sqlite
    assert target.url.database == "relative.db"
    assert target.tls_verify is None
    kwargs = target.engine_kwargs()
    assert kwargs["connect_args"]["check_same_thread"] is False
    assert "pool_recycle" not in kwargs


def test_sqlite_in_memory():
    target = parse_database_url("sqlite://")
    assert target.is_sqlite
    assert target.url.database in (None, "")


def test_sqlite_in_memory_engine_enables_foreign_keys():
    engine = create_engine_for("sqlite://")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.execute(sa.text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


def test_sqlite_file_engine_uses_wal(tmp_path):
    engine = create_engine_for(f"sqlite:///{tmp_path / 'wal.db'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


# -- errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "hint"),
    [
        ("postgres://user:pass@localhost/piano", "mysql://"),
        ("postgresql+psycopg://user:pass@localhost/piano", "mysql://"),
        ("garbage", "not a database URL"),
        ("", "empty"),
        ("   ", "empty"),
        ("mysql+mysqlconnector://u:p@h/piano", "mysql+pymysql://"),
        ("mysql://u:p@h:4000", "database"),
        ("mysql:///piano", "host"),
        ("mysql://u:p@h/piano?ssl=sometimes", "ssl"),
        ('mysql://u:p@h/piano?ssl={"rejectUnauthorized":', "rejectUnauthorized"),
        ("mysql://u:p@h/piano?ssl=[true]", "unknown ssl value"),
    ],
)
def test_unusable_urls_raise_a_helpful_error(url, hint):
    with pytest.raises(DatabaseUrlError) as excinfo:
        parse_database_url(url)
    message = str(excinfo.value)
    assert "DATABASE_URL" in message
    assert hint in message


def test_error_messages_do_not_echo_the_password():
    with pytest.raises(DatabaseUrlError) as excinfo:
        parse_database_url("postgres://user:TopSecretPw@localhost/piano")
    assert "TopSecretPw" not in str(excinfo.value)


# -- against the real MariaDB ---------------------------------------------------------


def test_plain_mysql_url_connects_to_the_local_mariadb():
    require_service(mariadb_available(), "MariaDB on 127.0.0.1:3306")
    engine = create_engine_for(MARIADB_ADMIN_URL)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT 1")).scalar() == 1
            charset = conn.execute(sa.text("SELECT @@character_set_client")).scalar()
            assert charset == "utf8mb4"
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "tls_query",
    [
        f"ssl={SSL_JSON}",
        'ssl={"rejectUnauthorized":false}',
        "ssl-mode=VERIFY_IDENTITY",
        "ssl-mode=REQUIRED",
    ],
)
def test_tls_url_against_a_server_without_tls_fails_instead_of_falling_back(tls_query):
    """A URL that asks for TLS must never end up connected in clear text.

    The local MariaDB has TLS disabled (``have_ssl=DISABLED``); PyMySQL, given an
    ``ssl`` context, refuses with error 2026 rather than downgrading.
    """
    require_service(mariadb_available(), "MariaDB on 127.0.0.1:3306")
    plain = create_engine_for(MARIADB_ADMIN_URL)
    try:
        with plain.connect() as conn:
            have_ssl = conn.execute(sa.text("SELECT @@have_ssl")).scalar()
    finally:
        plain.dispose()
    if have_ssl == "YES":
        pytest.skip("this MariaDB has TLS enabled; the downgrade check needs one without")

    engine = create_engine_for(f"{MARIADB_ADMIN_URL}?{tls_query}")
    try:
        with pytest.raises(sa.exc.OperationalError) as excinfo, engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    finally:
        engine.dispose()
    assert excinfo.value.orig.args[0] == 2026
    assert "SSL is required" in str(excinfo.value)
