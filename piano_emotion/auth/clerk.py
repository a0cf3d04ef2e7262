"""Clerk session tokens, verified on our server with PyJWT.

RS256 against Clerk's JWKS (fetched once, cached, refetched when a token
names an unknown ``kid``), ``exp``/``nbf`` with a small leeway, and ``azp``
checked against the allowed origins. The first valid token of a Clerk user
creates their row (keyed by ``sub``); later ones refresh name and email.
"""

from __future__ import annotations

import base64
import binascii
import logging
import threading
from dataclasses import dataclass
from typing import Any

import jwt
import sqlalchemy as sa
from jwt import PyJWKClient
from sqlmodel import Session, select

from piano_emotion.auth.passwords import normalise_email
from piano_emotion.models import User
from piano_emotion.models.types import utcnow
from piano_emotion.settings import Settings

log = logging.getLogger(__name__)

LEEWAY_SECONDS = 10
JWKS_CACHE_SECONDS = 6 * 3600
JWKS_TIMEOUT_SECONDS = 5


class ClerkTokenError(Exception):
    """The token cannot be trusted (the reason is for logs, not for users)."""


@dataclass(frozen=True)
class ClerkIdentity:
    user_id: str
    email: str
    name: str
    claims: dict[str, Any]


def jwks_url_from_publishable_key(publishable_key: str) -> str:
    """``pk_test_<base64 "frontend-api$">`` → ``https://frontend-api/.well-known/jwks.json``."""
    try:
        encoded = publishable_key.split("_", 2)[2]
        padded = encoded + "=" * (-len(encoded) % 4)
        frontend_api = base64.b64decode(padded).decode().rstrip("$")
    except (IndexError, ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError(
            "NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY is not a Clerk publishable key"
        ) from exc
    if not frontend_api or "/" in frontend_api:
        raise ValueError("NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY is not a Clerk publishable key")
    return f"https://{frontend_api}/.well-known/jwks.json"


class ClerkVerifier:
    def __init__(
        self,
        jwks_url: str,
        authorized_parties: tuple[str, ...],
        *,
        leeway: int = LEEWAY_SECONDS,
    ) -> None:
        self.jwks_url = jwks_url
        self.authorized_parties = tuple(p.rstrip("/") for p in authorized_parties)
        self.leeway = leeway
        # PyJWKClient caches the key set and refetches it when a kid is unknown.
        # No per-kid cache (``cache_keys``): it never expires, so a key Clerk
        # removed from its JWKS would stay trusted until the process restarts.
        self._jwks = PyJWKClient(
            jwks_url,
            cache_keys=False,
            cache_jwk_set=True,
            lifespan=JWKS_CACHE_SECONDS,
            timeout=JWKS_TIMEOUT_SECONDS,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> ClerkVerifier:
        url = settings.clerk_jwks_url or jwks_url_from_publishable_key(
            settings.clerk_publishable_key or ""
        )
        return cls(url, settings.clerk_authorized_parties)

    def verify(self, token: str) -> ClerkIdentity:
        if not token or not isinstance(token, str) or token.count(".") != 2:
            raise ClerkTokenError("malformed token")
        try:
            signing_key = self._jwks.get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                signing_key.key,
                algorithms=["RS256"],
                leeway=self.leeway,
                options={"require": ["sub", "exp", "iat"], "verify_aud": False},
            )
        except jwt.PyJWKClientError as exc:
            raise ClerkTokenError(f"signing key: {exc}") from exc
        except jwt.PyJWTError as exc:
            raise ClerkTokenError(f"invalid token: {exc}") from exc
        azp = claims.get("azp")
        if azp is not None and azp.rstrip("/") not in self.authorized_parties:
            raise ClerkTokenError(f"azp {azp!r} is not an allowed origin")
        subject = str(claims["sub"])
        if not subject.startswith("user_"):
            raise ClerkTokenError("sub is not a Clerk user id")
        return ClerkIdentity(
            user_id=subject,
            email=normalise_email(str(claims.get("email") or "")),
            name=str(claims.get("name") or claims.get("full_name") or "").strip(),
            claims=claims,
        )


_verifier_lock = threading.Lock()
_verifiers: dict[tuple, ClerkVerifier] = {}


def get_verifier(settings: Settings) -> ClerkVerifier:
    """One verifier (and so one JWKS cache) per configuration, per process."""
    key = (
        settings.clerk_jwks_url,
        settings.clerk_publishable_key,
        settings.clerk_authorized_parties,
    )
    with _verifier_lock:
        verifier = _verifiers.get(key)
        if verifier is None:
            verifier = ClerkVerifier.from_settings(settings)
            _verifiers[key] = verifier
        return verifier


def upsert_clerk_user(session: Session, identity: ClerkIdentity) -> User:
    """The user row of this Clerk user, created on the first sign-in.

    Clerk's default session token carries only the id; name and email come
    from the token when the Clerk JWT template adds them (``email``,
    ``name``), and otherwise keep a readable placeholder until they do.
    """
    user = session.exec(select(User).where(User.external_id == identity.user_id)).first()
    email = identity.email or f"{identity.user_id.lower()}@clerk.invalid"
    name = identity.name or (identity.email.split("@")[0] if identity.email else identity.user_id)
    now = utcnow()
    if user is None:
        # A local account with the same email becomes this Clerk user's account.
        user = session.exec(select(User).where(User.email == email)).first()
        if user is not None and user.external_id is None:
            user.external_id = identity.user_id
        else:
            if user is not None:
                # The email still belongs to another Clerk user: keep the placeholder.
                email = f"{identity.user_id.lower()}@clerk.invalid"
            user = User(external_id=identity.user_id, email=email, name=name[:120])
    else:
        if identity.email and user.email != identity.email:
            taken = session.exec(
                select(User.id).where(User.email == identity.email, User.id != user.id)
            ).first()
            if taken is None:
                user.email = identity.email
        if identity.name:
            user.name = identity.name[:120]
    user.last_login_at = now
    session.add(user)
    try:
        session.flush()
    except sa.exc.IntegrityError:
        # The same user signing in twice at once: the other request created it.
        session.rollback()
        user = session.exec(select(User).where(User.external_id == identity.user_id)).one()
    return user
