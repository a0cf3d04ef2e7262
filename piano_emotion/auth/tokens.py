"""Our own session tokens: JWTs signed with ``JWT_SECRET`` (HS256).

A token names the user by id and carries a ``ver`` (the user's token version)
so that a password change or a sign-out everywhere invalidates older tokens.
Sessions slide: a token older than ``REFRESH_AFTER`` is replaced by a fresh
one while the user is active.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from piano_emotion.models.types import utcnow
from piano_emotion.settings import Settings

ALGORITHM = "HS256"
ISSUER = "piano-emotion"
AUDIENCE = "piano-emotion:session"
REFRESH_AFTER = timedelta(hours=12)
LEEWAY_SECONDS = 30


@dataclass(frozen=True)
class SessionClaims:
    user_id: int
    version: int
    issued_at: datetime
    expires_at: datetime

    def should_refresh(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) - self.issued_at >= REFRESH_AFTER


def issue_session_token(
    user_id: int, version: int, settings: Settings, now: datetime | None = None
) -> str:
    now = now or utcnow()
    claims = {
        "sub": str(user_id),
        "ver": version,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int((now + timedelta(days=settings.session_days)).timestamp()),
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm=ALGORITHM)


def decode_session_token(token: str | None, settings: Settings) -> SessionClaims | None:
    """The claims of a valid token, or None (tampered, expired, foreign, garbage)."""
    if not token or not isinstance(token, str) or len(token) > 4096:
        return None
    try:
        claims = _verified_claims(token, settings.jwt_secret)
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    # Kept from an earlier check: only the clock has moved since (as PyJWT
    # compares ``exp``, with the same leeway).
    if claims.expires_at.timestamp() <= utcnow().timestamp() - LEEWAY_SECONDS:
        return None
    return claims


# Every page change of a tab brings its token: verifying the HMAC signature and
# the claims each time was ~1.5 % of the server's CPU under load. What a token
# says and whether its signature matches the secret never change, so a token
# that passed is kept (by token and secret) and only its expiry is checked
# again. A refused token raises and is not kept (one not valid yet may become
# valid).
VERIFIED_TOKENS_KEPT = 4096


@functools.lru_cache(maxsize=VERIFIED_TOKENS_KEPT)
def _verified_claims(token: str, secret: str) -> SessionClaims:
    claims = jwt.decode(
        token,
        secret,
        algorithms=[ALGORITHM],
        audience=AUDIENCE,
        issuer=ISSUER,
        leeway=LEEWAY_SECONDS,
        options={"require": ["sub", "exp", "iat", "ver"]},
    )
    return SessionClaims(
        user_id=int(claims["sub"]),
        version=int(claims["ver"]),
        issued_at=datetime.fromtimestamp(claims["iat"], UTC),
        expires_at=datetime.fromtimestamp(claims["exp"], UTC),
    )
