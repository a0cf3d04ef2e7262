"""Who is asking: turn a session token into the current user (or None)."""

from __future__ import annotations

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from piano_emotion.auth.tokens import SessionClaims, decode_session_token
from piano_emotion.db import get_engine
from piano_emotion.models import User
from piano_emotion.settings import Settings, get_settings

SESSION_COOKIE = "pe_session"


def user_for_claims(session: Session, claims: SessionClaims | None) -> User | None:
    if claims is None:
        return None
    user = session.get(User, claims.user_id)
    if user is None or not user.is_active or user.session_version != claims.version:
        return None
    return user


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
