"""Who is asking: turn a session token into the current user (or None)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import configure_mappers
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from piano_emotion.auth.tokens import SessionClaims, decode_session_token
from piano_emotion.cache import cache_key, get_cache, tag, ttl_for
from piano_emotion.db import get_engine
from piano_emotion.models import User
from piano_emotion.models.enums import Locale, UserRole
from piano_emotion.settings import Settings, get_settings

SESSION_COOKIE = "pe_session"


# What a request needs to know of the account asking, cached by id: the
# password hash and the calendar token stay in the database (secrets), so
# the copy holds None there. ``_drop_changed_accounts`` drops the entry when
# any write of the row commits; the TTL (``cache.policy``) bounds the copy
# where that cannot reach (a memory cache of another process).
SESSION_ACCOUNT_FIELDS = (
    "id",
    "external_id",
    "email",
    "name",
    "locale",
    "role",
    "is_active",
    "session_version",
    "last_login_at",
    "created_at",
    "updated_at",
)
ACCOUNT_ENTITY = "account"
# Ids of the accounts a session has written in its current transaction.
CHANGED_ACCOUNTS_KEY = "changed_accounts"


def _account_tag(user_id: int) -> str:
    return tag(user_id, ACCOUNT_ENTITY)


def _account_fields(session: Session, user_id: int) -> dict[str, Any]:
    row = session.get(User, user_id)
    if row is None:
        return {}
    values = {name: getattr(row, name) for name in SESSION_ACCOUNT_FIELDS}
    return {**values, "locale": row.locale.value, "role": row.role.value}


def session_account(session: Session, user_id: int) -> User | None:
    """A detached copy of the account (see ``SESSION_ACCOUNT_FIELDS``), through
    the cache; ``session`` reads it on a miss. Never add the copy to a
    session: a write loads the row (``session.get``)."""
    fields = get_cache().get_or_load(
        cache_key(user_id, ACCOUNT_ENTITY, "session", None),
        lambda: _account_fields(session, user_id),
        ttl_for(ACCOUNT_ENTITY),
        tags=[_account_tag(user_id)],
        counted=False,
    )
    if not fields:
        return None
    return _detached_account(
        {**fields, "locale": Locale(fields["locale"]), "role": UserRole(fields["role"])}
    )


# The secrets the cached copy leaves out (``SESSION_ACCOUNT_FIELDS``).
_WITHHELD_FIELDS = dict.fromkeys(sorted(set(User.model_fields) - set(SESSION_ACCOUNT_FIELDS)))


def _detached_account(fields: dict[str, Any]) -> User:
    """A transient ``User`` holding ``fields``, built as SQLAlchemy builds a
    row it loads (``new_instance``, the values put in its ``__dict__``):
    3 µs, where ``User(**fields)`` fires an attribute event per field,
    39 µs on every page change (issue 9: a third of the session check)."""
    values = {**_WITHHELD_FIELDS, **fields}
    # A worker may serve a cached account before its first query: the
    # mapped attributes exist only once the mappers are configured (~2 µs after).
    configure_mappers()
    user = User._sa_class_manager.new_instance()
    user.__dict__.update(values)
    object.__setattr__(user, "__pydantic_fields_set__", set(fields))
    return user


def user_for_claims(session: Session, claims: SessionClaims | None) -> User | None:
    """The active account a valid session names (``session_account``), or None."""
    if claims is None:
        return None
    user = session_account(session, claims.user_id)
    if user is None or not user.is_active or user.session_version != claims.version:
        return None
    return user


@event.listens_for(OrmSession, "after_flush")
def _note_changed_accounts(session: OrmSession, _flush_context) -> None:
    changed = {
        obj.id
        for obj in (*session.new, *session.dirty, *session.deleted)
        if isinstance(obj, User) and obj.id is not None
    }
    if changed:
        session.info.setdefault(CHANGED_ACCOUNTS_KEY, set()).update(changed)


@event.listens_for(OrmSession, "after_commit")
def _drop_changed_accounts(session: OrmSession) -> None:
    changed = session.info.pop(CHANGED_ACCOUNTS_KEY, None)
    if changed:
        get_cache().invalidate(*(_account_tag(user_id) for user_id in sorted(changed)))


@event.listens_for(OrmSession, "after_rollback")
def _forget_changed_accounts(session: OrmSession) -> None:
    session.info.pop(CHANGED_ACCOUNTS_KEY, None)


def user_for_token(token: str | None, settings: Settings | None = None) -> User | None:
    """The active user a session token names, or None for anything else."""
    settings = settings or get_settings()
    claims = decode_session_token(token, settings)
    if claims is None:
        return None
    with Session(get_engine(), expire_on_commit=False) as session:
        return user_for_claims(session, claims)


def token_from_request(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(SESSION_COOKIE)


async def user_from_request(request: Request) -> User | None:
    return await run_in_threadpool(user_for_token, token_from_request(request))
