"""Clerk session tokens verified for real: RSA keys made here, JWKS served on loopback.

Clerk's network is not reachable from tests, so a tiny HTTP server on
127.0.0.1 plays Clerk's ``/.well-known/jwks.json``; it counts the requests
and its key set can be swapped (key rotation).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from reflex.istate.data import ReflexURL, RouterData, SessionData
from sqlmodel import Session, func, select

from piano_emotion.auth import clerk
from piano_emotion.auth.accounts import sign_up
from piano_emotion.auth.clerk import (
    ClerkIdentity,
    ClerkTokenError,
    ClerkVerifier,
    get_verifier,
    jwks_url_from_publishable_key,
    upsert_clerk_user,
)
from piano_emotion.auth.current import user_for_token
from piano_emotion.models import User
from piano_emotion.settings import load_settings, reset_settings_cache
from tests.conftest import run_async
from tests.ui_states import in_state_tree

ORIGIN = "http://localhost:3000"
USER_ID = "user_2NNEqL2nrIRdJ194ndJqAHwEfxC"


# -- keys and the JWKS server ----------------------------------------------------


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def key_a() -> rsa.RSAPrivateKey:
    return new_key()


@pytest.fixture(scope="module")
def key_b() -> rsa.RSAPrivateKey:
    """Another key pair (an attacker's, or the next one after a rotation)."""
    return new_key()


def jwk(private_key: rsa.RSAPrivateKey, kid: str) -> dict:
    document = RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
    document.update(kid=kid, use="sig", alg="RS256")
    return document


class JwksServer:
    """Serves ``{"keys": [...]}`` on loopback and counts the requests."""

    def __init__(self) -> None:
        self.keys: list[dict] = []
        self.requests = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with server._lock:
                    server.requests += 1
                    body = json.dumps({"keys": list(server.keys)}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/.well-known/jwks.json"
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def set_keys(self, *keys: dict) -> None:
        with self._lock:
            self.keys = list(keys)

    def __enter__(self) -> JwksServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def jwks(key_a) -> Iterator[JwksServer]:
    with JwksServer() as server:
        server.set_keys(jwk(key_a, "kid-a"))
        yield server


@pytest.fixture
def verifier(jwks) -> ClerkVerifier:
    return ClerkVerifier(jwks.url, (ORIGIN,))


def clerk_token(private_key, kid: str | None = "kid-a", **overrides) -> str:
    now = int(time.time())
    claims = {
        "sub": USER_ID,
        "azp": ORIGIN,
        "iss": "https://example.clerk.accounts.dev",
        "sid": "sess_2abc",
        "iat": now,
        "nbf": now,
        "exp": now + 60,
    }
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    headers = {"kid": kid} if kid else {}
    return jwt.encode(claims, private_key, algorithm="RS256", headers=headers)


class AdvanceableClock:
    """Stands in for the ``time`` module inside ``jwt.jwks_client``.

    PyJWT refuses to refetch the JWKS for an unknown ``kid`` within
    ``cooldown_duration`` (30 s) of the last fetch; tests move this clock on
    instead of sleeping.
    """

    def __init__(self) -> None:
        self.offset = 0.0

    def monotonic(self) -> float:
        return time.monotonic() + self.offset


@pytest.fixture
def pyjwt_clock(monkeypatch) -> AdvanceableClock:
    clock = AdvanceableClock()
    monkeypatch.setattr(jwt.jwks_client, "time", clock)
    return clock


# -- valid tokens ---------------------------------------------------------------


def test_a_valid_token_gives_the_identity(verifier, key_a):
    identity = verifier.verify(clerk_token(key_a))

    assert identity.user_id == USER_ID
    assert identity.email == ""
    assert identity.name == ""
    assert identity.claims["sid"] == "sess_2abc"


def test_name_and_email_claims_are_read_and_normalised(verifier, key_a):
    identity = verifier.verify(
        clerk_token(key_a, email=" Ana@Example.ES ", name="  Ana Afinadora ")
    )
    assert identity.email == "ana@example.es"
    assert identity.name == "Ana Afinadora"


def test_full_name_claim_is_used_when_there_is_no_name(verifier, key_a):
    assert verifier.verify(clerk_token(key_a, full_name="Bea Técnica")).name == "Bea Técnica"


def test_token_without_azp_is_accepted(verifier, key_a):
    assert verifier.verify(clerk_token(key_a, azp=None)).user_id == USER_ID


def test_azp_with_a_trailing_slash_is_the_same_origin(verifier, key_a):
    assert verifier.verify(clerk_token(key_a, azp=ORIGIN + "/")).user_id == USER_ID


# -- refused tokens -------------------------------------------------------------


def test_expired_token_is_refused(verifier, key_a):
    now = int(time.time())
    with pytest.raises(ClerkTokenError):
        verifier.verify(clerk_token(key_a, iat=now - 600, nbf=now - 600, exp=now - 60))


def test_expiry_within_the_leeway_is_tolerated(verifier, key_a):
    now = int(time.time())
    token = clerk_token(key_a, iat=now - 120, nbf=now - 120, exp=now - 3)
    assert verifier.verify(token).user_id == USER_ID


def test_not_yet_valid_token_is_refused(verifier, key_a):
    now = int(time.time())
    with pytest.raises(ClerkTokenError):
        verifier.verify(clerk_token(key_a, nbf=now + 60, exp=now + 120))


def test_nbf_a_few_seconds_ahead_is_within_the_leeway(verifier, key_a):
    # Clock skew between Clerk and us: 5 s is inside the leeway.
    assert verifier.leeway >= 5
    now = int(time.time())
    assert verifier.verify(clerk_token(key_a, nbf=now + 5)).user_id == USER_ID


def test_a_token_issued_in_the_future_is_refused(verifier, key_a):
    now = int(time.time())
    with pytest.raises(ClerkTokenError):
        verifier.verify(clerk_token(key_a, iat=now + 600, nbf=None, exp=now + 900))


def test_token_signed_by_another_key_with_the_same_kid_is_refused(verifier, key_b):
    with pytest.raises(ClerkTokenError):
        verifier.verify(clerk_token(key_b, kid="kid-a"))


@pytest.mark.parametrize("azp", ["https://evil.example", "http://localhost:3001", "localhost"])
def test_wrong_azp_is_refused(verifier, key_a, azp):
    with pytest.raises(ClerkTokenError, match="azp"):
        verifier.verify(clerk_token(key_a, azp=azp))


@pytest.mark.parametrize("sub", ["org_2abc", "sess_2abc", "admin", "USER_2abc", "1"])
def test_subject_that_is_not_a_clerk_user_is_refused(verifier, key_a, sub):
    with pytest.raises(ClerkTokenError):
        verifier.verify(clerk_token(key_a, sub=sub))


@pytest.mark.parametrize("missing", ["sub", "exp", "iat"])
def test_token_missing_a_required_claim_is_refused(verifier, key_a, missing):
    with pytest.raises(ClerkTokenError):
        verifier.verify(clerk_token(key_a, **{missing: None}))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256_token(secret: bytes, kid: str = "kid-a") -> str:
    now = int(time.time())
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
    payload = b64url(
        json.dumps(
            {"sub": USER_ID, "azp": ORIGIN, "iat": now, "nbf": now, "exp": now + 60}
        ).encode()
    )
    signature = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64url(signature)}"


def test_malformed_tokens_are_refused(verifier, key_a):
    public_pem = key_a.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    unsigned = (
        b64url(json.dumps({"alg": "none", "kid": "kid-a"}).encode())
        + "."
        + b64url(json.dumps({"sub": USER_ID, "exp": int(time.time()) + 60}).encode())
        + "."
    )
    for token in [
        "abc",
        "a.b.c",
        "",
        "..",
        None,
        "eyJhbGciOiJSUzI1NiJ9.e30.",
        unsigned,
        # HMAC with a shared secret, and the classic RS256→HS256 confusion
        # (the public key used as the HMAC secret).
        hs256_token(b"a-shared-secret-that-clerk-never-uses"),
        hs256_token(public_pem),
        clerk_token(key_a)[:-10],
    ]:
        with pytest.raises(ClerkTokenError):
            verifier.verify(token)


# -- the JWKS cache -------------------------------------------------------------


def test_the_key_set_is_fetched_once_and_refetched_for_a_new_kid(
    jwks, verifier, key_a, key_b, pyjwt_clock
):
    assert jwks.requests == 0  # nothing fetched before the first token

    verifier.verify(clerk_token(key_a, sub="user_first"))
    assert jwks.requests == 1
    verifier.verify(clerk_token(key_a, sub="user_second"))
    assert jwks.requests == 1  # cached

    # Clerk rotates its keys: kid-b appears (kid-a stays for tokens in flight).
    jwks.set_keys(jwk(key_a, "kid-a"), jwk(key_b, "kid-b"))
    pyjwt_clock.offset += 60  # past PyJWT's refetch cool-down
    identity = verifier.verify(clerk_token(key_b, kid="kid-b"))

    assert identity.user_id == USER_ID
    assert jwks.requests == 2  # exactly one more fetch
    verifier.verify(clerk_token(key_b, kid="kid-b"))
    verifier.verify(clerk_token(key_a, kid="kid-a"))
    assert jwks.requests == 2


def test_unknown_kids_cannot_make_us_hammer_the_jwks_endpoint(
    jwks, verifier, key_a, key_b, pyjwt_clock
):
    verifier.verify(clerk_token(key_a))
    assert jwks.requests == 1

    # Right after a fetch, unknown kids are refused without fetching again.
    for number in range(5):
        with pytest.raises(ClerkTokenError):
            verifier.verify(clerk_token(key_b, kid=f"random-{number}"))
    assert jwks.requests == 1

    # After the cool-down, one refetch; the kid is still unknown, so refused.
    pyjwt_clock.offset += 60
    with pytest.raises(ClerkTokenError):
        verifier.verify(clerk_token(key_b, kid="random-again"))
    assert jwks.requests == 2
    with pytest.raises(ClerkTokenError):
        verifier.verify(clerk_token(key_b, kid="random-once-more"))
    assert jwks.requests == 2


def test_a_key_removed_from_the_key_set_stops_being_trusted(monkeypatch, jwks, key_a, key_b):
    """After the cached key set expires, a revoked key signs nothing any more."""
    monkeypatch.setattr(clerk, "JWKS_CACHE_SECONDS", 0.2)
    verifier = ClerkVerifier(jwks.url, (ORIGIN,))
    assert verifier.verify(clerk_token(key_a)).user_id == USER_ID

    jwks.set_keys(jwk(key_b, "kid-b"))  # kid-a revoked
    time.sleep(0.3)

    with pytest.raises(ClerkTokenError):
        verifier.verify(clerk_token(key_a))
    assert verifier.verify(clerk_token(key_b, kid="kid-b")).user_id == USER_ID


def test_an_unreachable_jwks_endpoint_is_a_token_error(key_a):
    with JwksServer() as server:
        url = server.url
    verifier = ClerkVerifier(url, (ORIGIN,))
    with pytest.raises(ClerkTokenError):
        verifier.verify(clerk_token(key_a))


# -- configuration --------------------------------------------------------------


def publishable_key(frontend_api: str, prefix: str = "pk_test_") -> str:
    return prefix + base64.b64encode(f"{frontend_api}$".encode()).decode().rstrip("=")


@pytest.mark.parametrize("prefix", ["pk_test_", "pk_live_"])
def test_jwks_url_from_a_publishable_key(prefix):
    key = publishable_key("example.clerk.accounts.dev", prefix)
    assert jwks_url_from_publishable_key(key) == (
        "https://example.clerk.accounts.dev/.well-known/jwks.json"
    )


def test_jwks_url_from_a_padded_publishable_key():
    key = "pk_test_" + base64.b64encode(b"clerk.pianoemotion.es$").decode()
    assert jwks_url_from_publishable_key(key) == (
        "https://clerk.pianoemotion.es/.well-known/jwks.json"
    )


@pytest.mark.parametrize(
    "key",
    [
        "",
        "garbage",
        "pk_test_",
        "pk_test_!!!!",
        "pk_test_abc",
        "pk_test_" + base64.b64encode(b"\xff\xfe\xfd").decode(),
        publishable_key("evil.example/steal"),
    ],
)
def test_garbage_publishable_keys_are_refused(key):
    with pytest.raises(ValueError):
        jwks_url_from_publishable_key(key)


def test_get_verifier_builds_one_verifier_per_configuration():
    env = {
        "NODE_ENV": "test",
        "JWT_SECRET": "clerk-test-secret-0123456789-abcdefghijklmn",
        "CLERK_SECRET_KEY": "sk_test_x",
        "NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY": publishable_key("example.clerk.accounts.dev"),
        "CLERK_AUTHORIZED_PARTIES": "https://app.example.es/, http://localhost:3000",
    }
    first = get_verifier(load_settings(env))

    assert first is get_verifier(load_settings(env))
    assert first.jwks_url == "https://example.clerk.accounts.dev/.well-known/jwks.json"
    assert first.authorized_parties == ("https://app.example.es", "http://localhost:3000")
    explicit = get_verifier(load_settings({**env, "CLERK_JWKS_URL": "http://127.0.0.1:9/jwks"}))
    assert explicit is not first
    assert explicit.jwks_url == "http://127.0.0.1:9/jwks"


# -- the user row ---------------------------------------------------------------


def identity(user_id: str = USER_ID, email: str = "", name: str = "") -> ClerkIdentity:
    return ClerkIdentity(user_id=user_id, email=email, name=name, claims={"sub": user_id})


def users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(User.id)).all())


def test_first_sign_in_creates_the_user(session):
    user = upsert_clerk_user(session, identity(email="ana@example.es", name="Ana Afinadora"))
    session.commit()

    [stored] = users(session)
    assert stored.id == user.id
    assert stored.external_id == USER_ID
    assert stored.email == "ana@example.es"
    assert stored.name == "Ana Afinadora"
    assert stored.password_hash is None
    assert stored.is_active
    assert stored.last_login_at is not None


def test_later_sign_ins_update_name_and_email(session):
    first = upsert_clerk_user(session, identity(email="ana@example.es", name="Ana"))
    session.commit()
    second = upsert_clerk_user(session, identity(email="ana.nueva@example.es", name="Ana María"))
    session.commit()

    [stored] = users(session)
    assert stored.id == first.id == second.id
    assert stored.email == "ana.nueva@example.es"
    assert stored.name == "Ana María"


def test_a_token_without_name_or_email_keeps_what_we_know(session):
    upsert_clerk_user(session, identity(email="ana@example.es", name="Ana"))
    session.commit()
    upsert_clerk_user(session, identity())
    session.commit()

    [stored] = users(session)
    assert stored.email == "ana@example.es"
    assert stored.name == "Ana"


def test_a_local_account_with_the_same_email_is_linked(session):
    local = sign_up(session, name="Ana Local", email="ana@example.es", password="Afinacion-440")
    session.commit()

    linked = upsert_clerk_user(session, identity(email="ana@example.es", name="Ana Google"))
    session.commit()

    [stored] = users(session)
    assert linked.id == local.id == stored.id
    assert stored.external_id == USER_ID
    assert stored.password_hash == local.password_hash  # the local password still works


def test_a_token_without_email_gets_a_placeholder(session):
    user = upsert_clerk_user(session, identity())
    session.commit()

    assert user.email == f"{USER_ID.lower()}@clerk.invalid"
    assert user.name == USER_ID
    assert users(session)[0].external_id == USER_ID

    upsert_clerk_user(session, identity(email="ana@example.es", name="Ana"))
    session.commit()
    [stored] = users(session)
    assert stored.email == "ana@example.es"


def test_the_email_of_another_clerk_user_is_not_taken_over(session):
    other = upsert_clerk_user(session, identity("user_other", email="ana@example.es", name="A"))
    session.commit()

    # A second Clerk user arrives with that email (e.g. the first changed
    # theirs in Clerk and has not signed in here since).
    newcomer = upsert_clerk_user(session, identity(email="ana@example.es", name="Ana"))
    session.commit()

    assert newcomer.id != other.id
    assert newcomer.external_id == USER_ID
    assert newcomer.email == f"{USER_ID.lower()}@clerk.invalid"
    stored_other = session.get(User, other.id)
    assert stored_other.external_id == "user_other"
    assert stored_other.email == "ana@example.es"

    # Nor on a later sign-in.
    upsert_clerk_user(session, identity(email="ana@example.es", name="Ana"))
    session.commit()
    assert session.get(User, newcomer.id).email == f"{USER_ID.lower()}@clerk.invalid"
    assert session.exec(select(func.count()).select_from(User)).one() == 2


# -- the Reflex handler, end to end ---------------------------------------------


def test_clerk_session_handler_creates_the_user_and_a_session(
    configured_app_settings, monkeypatch, jwks, key_a, engine
):
    from piano_emotion.ui.state.auth import AuthState

    monkeypatch.setenv("CLERK_SECRET_KEY", "sk_test_x")
    monkeypatch.setenv(
        "NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY", publishable_key("example.clerk.accounts.dev")
    )
    monkeypatch.setenv("CLERK_JWKS_URL", jwks.url)
    monkeypatch.setenv("CLERK_AUTHORIZED_PARTIES", ORIGIN)
    reset_settings_cache()

    state = in_state_tree(AuthState)
    state.router = RouterData(
        session=SessionData(client_ip="192.0.2.4"),
        url=ReflexURL(f"{ORIGIN}/entrar?next=%2Fclientes"),
    )

    run_async(AuthState.clerk_session.fn(state, "not-a-token"))
    assert state.session_token == ""
    assert state.form_error == "No se ha podido verificar la sesión de Clerk."

    token = clerk_token(key_a, email="ana@example.es", name="Ana Afinadora")
    result = run_async(AuthState.clerk_session.fn(state, token))

    redirect = {name._js_expr: value._var_value for name, value in result.args}
    assert redirect["path"] == "/clientes"
    user = user_for_token(state.session_token)
    assert user is not None
    assert user.external_id == USER_ID
    assert state.user_name == "Ana Afinadora"
    with Session(engine) as check:
        assert [u.email for u in users(check)] == ["ana@example.es"]
