"""Turn ``DATABASE_URL`` into a SQLAlchemy URL plus driver arguments.

Accepted forms:
- the deployment guide's TiDB Cloud form,
  ``mysql://user:pass@host:4000/db?ssl={"rejectUnauthorized":true}``
  (also ``ssl-mode=VERIFY_IDENTITY`` / ``sslaccept=strict`` style flags);
- ``mysql+pymysql://…`` as SQLAlchemy writes it;
- ``sqlite:///path.db`` (relative to the working directory) and ``sqlite://``.
"""

from __future__ import annotations

import json
import ssl
from dataclasses import dataclass, field
from typing import Any

import certifi
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

# TiDB Cloud closes idle connections after a few minutes; recycle before that.
MYSQL_POOL_RECYCLE_SECONDS = 240

_TRUE = {"true", "1", "yes", "required", "verify_identity", "verify_full", "strict"}
_FALSE = {"false", "0", "no", "disabled", "disable", "accept_invalid_certs"}


class DatabaseUrlError(ValueError):
    pass


@dataclass(frozen=True)
class DatabaseTarget:
    url: URL
    # None: no TLS. True: TLS with certificate and host verification. False: TLS, unverified.
    tls_verify: bool | None = None
    connect_args: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def dialect(self) -> str:
        return self.url.get_backend_name()

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def engine_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``sqlalchemy.create_engine``."""
        if self.is_sqlite:
            return {"connect_args": {"check_same_thread": False, "timeout": 30}}
        connect_args = dict(self.connect_args)
        if self.tls_verify is not None:
            connect_args["ssl"] = tls_context(self.tls_verify)
        return {
            "connect_args": connect_args,
            # Each statement reads what is committed when it runs (MySQL's
            # default, REPEATABLE READ, keeps the snapshot of a transaction's
            # first read): a cached read's loader must see every write whose
            # invalidation it saw, and the alert rows a sync committed just
            # before its marker was stored (``alerts.ensure_alerts_synced``).
            # TiDB supports it with pessimistic transactions, its default.
            "isolation_level": "READ COMMITTED",
            # Instead of a ping at every checkout and a ROLLBACK at every
            # return, ``db.py`` pings a connection idle for a while and rolls
            # back only a transaction still open (``mysql_pool_hygiene``).
            "pool_pre_ping": False,
            "pool_reset_on_return": None,
            "pool_recycle": MYSQL_POOL_RECYCLE_SECONDS,
            "pool_size": 10,
            "max_overflow": 20,
        }

    def redacted(self) -> str:
        return self.url.render_as_string(hide_password=True)


def tls_context(verify: bool) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=certifi.where())
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _ssl_from_json(raw: str) -> bool:
    try:
        options = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise DatabaseUrlError(
            f"DATABASE_URL has an unreadable ssl option {raw!r}; "
            'use ssl={"rejectUnauthorized":true}'
        ) from exc
    if isinstance(options, bool):
        return options
    if not isinstance(options, dict):
        raise DatabaseUrlError("DATABASE_URL ssl option must be a JSON object")
    return bool(options.get("rejectUnauthorized", True))


def _tls_from_query(query: dict[str, Any]) -> tuple[bool | None, dict[str, Any]]:
    """Read the TLS flags out of the query string; return what is left."""
    remaining = dict(query)
    verify: bool | None = None
    raw_ssl = remaining.pop("ssl", None)
    if raw_ssl is not None:
        raw_ssl = raw_ssl if isinstance(raw_ssl, str) else raw_ssl[-1]
        if raw_ssl.strip().startswith("{"):
            verify = _ssl_from_json(raw_ssl)
        elif raw_ssl.lower() in _TRUE:
            verify = True
        elif raw_ssl.lower() in _FALSE:
            verify = None
        else:
            raise DatabaseUrlError(f"DATABASE_URL has an unknown ssl value {raw_ssl!r}")
    for name in ("ssl-mode", "ssl_mode", "sslmode", "sslaccept"):
        raw = remaining.pop(name, None)
        if raw is None:
            continue
        raw = (raw if isinstance(raw, str) else raw[-1]).lower()
        if raw in {"disabled", "disable"}:
            verify = None
        elif raw in {"required", "require", "preferred", "accept_invalid_certs"}:
            verify = False
        else:
            verify = True
    return verify, remaining


def _quote_at_signs_in_credentials(raw: str) -> str:
    """Percent-encode ``@`` inside ``user:password``.

    Node's URL parser (which the deployment guide's form comes from) takes the
    *last* ``@`` of the authority as the end of the credentials, so
    ``mysql://app:p@ss@host/db`` works there; SQLAlchemy would read the host as
    ``ss@host``. Encoding those ``@`` keeps such URLs working the same way.
    """
    scheme, sep, rest = raw.partition("://")
    if not sep:
        return raw
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority, tail = rest[:end], rest[end:]
    if authority.count("@") < 2:
        return raw
    credentials, host = authority.rsplit("@", 1)
    return f"{scheme}://{credentials.replace('@', '%40')}@{host}{tail}"


def parse_database_url(raw: str) -> DatabaseTarget:
    raw = (raw or "").strip()
    if not raw:
        raise DatabaseUrlError("DATABASE_URL is empty")
    try:
        url = make_url(_quote_at_signs_in_credentials(raw))
    except ArgumentError as exc:
        raise DatabaseUrlError(f"DATABASE_URL is not a database URL: {exc}") from exc
    backend = url.get_backend_name()
    if backend == "sqlite":
        return DatabaseTarget(url=url)
    if backend in {"mysql", "mariadb", "tidb"}:
        driver = url.get_driver_name()
        if driver not in {"pymysql", "mysqldb", ""} and "+" in url.drivername:
            raise DatabaseUrlError(
                f"DATABASE_URL driver {url.drivername!r} is not supported; use mysql:// or mysql+pymysql://"
            )
        if not url.host or not url.database:
            raise DatabaseUrlError("DATABASE_URL must name a host and a database")
        verify, query = _tls_from_query(dict(url.query))
        query.setdefault("charset", "utf8mb4")
        url = url.set(drivername="mysql+pymysql", query=query)
        return DatabaseTarget(url=url, tls_verify=verify)
    raise DatabaseUrlError(
        f"DATABASE_URL uses {backend!r}; supported: mysql:// (TiDB, MariaDB, MySQL) and sqlite:///"
    )
