"""Session tokens (HS256 JWTs), Argon2id password hashes and email normalisation."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import jwt
import pytest

from piano_emotion.auth import tokens as tokens_module
from piano_emotion.auth.passwords import (
    hash_password,
    needs_rehash,
    normalise_email,
    verify_password,
)
from piano_emotion.auth.tokens import (
    AUDIENCE,
    ISSUER,
    LEEWAY_SECONDS,
    REFRESH_AFTER,
    decode_session_token,
    issue_session_token,
)
from piano_emotion.models.types import utcnow
from piano_emotion.settings import load_settings

SECRET = "session-secret-for-tests-0123456789-abcdefghijkl"
OTHER_SECRET = "another-deployment-secret-9876543210-zyxwvutsrq"


def make_settings(secret: str = SECRET, **env: str):
    return load_settings({"NODE_ENV": "test", "JWT_SECRET": secret, **env})


@pytest.fixture
def settings():
    return make_settings()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_json(value: dict) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def valid_claims(**overrides) -> dict:
    now = int(utcnow().timestamp())
    claims = {
        "sub": "7",
        "ver": 1,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


# -- round trip -----------------------------------------------------------------


def test_issue_and_decode_round_trip(settings):
    before = utcnow().replace(microsecond=0)
    token = issue_session_token(42, 3, settings)
    claims = decode_session_token(token, settings)

    assert claims is not None
    assert claims.user_id == 42
    assert claims.version == 3
    assert before <= claims.issued_at <= utcnow()
    assert claims.expires_at - claims.issued_at == timedelta(days=7)
    assert not claims.should_refresh()


def test_session_days_sets_the_expiry():
    settings = make_settings(SESSION_DAYS="30")
    claims = decode_session_token(issue_session_token(1, 1, settings), settings)
    assert claims.expires_at - claims.issued_at == timedelta(days=30)


def test_token_is_a_standard_hs256_jwt(settings):
    token = issue_session_token(5, 2, settings)
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "HS256"
    payload = jwt.decode(token, SECRET, algorithms=["HS256"], audience=AUDIENCE)
    assert payload["sub"] == "5"
    assert payload["ver"] == 2
    assert payload["iss"] == ISSUER


# -- tampering and foreign tokens ----------------------------------------------


def test_tampered_payload_is_refused(settings):
    token = issue_session_token(42, 1, settings)
    header, payload, signature = token.split(".")
    claims = json.loads(unb64url(payload))
    claims["sub"] = "43"  # try to become another user
    forged = f"{header}.{b64url_json(claims)}.{signature}"

    assert decode_session_token(forged, settings) is None


def test_tampered_version_is_refused(settings):
    token = issue_session_token(42, 1, settings)
    header, payload, signature = token.split(".")
    claims = json.loads(unb64url(payload))
    claims["ver"] = 2
    assert decode_session_token(f"{header}.{b64url_json(claims)}.{signature}", settings) is None


def test_tampered_signature_is_refused(settings):
    token = issue_session_token(42, 1, settings)
    header, payload, signature = token.split(".")
    raw = bytearray(unb64url(signature))
    raw[0] ^= 0x01
    assert decode_session_token(f"{header}.{payload}.{b64url(bytes(raw))}", settings) is None
    assert decode_session_token(f"{header}.{payload}.", settings) is None


def test_token_signed_with_another_secret_is_refused(settings):
    foreign = issue_session_token(42, 1, make_settings(OTHER_SECRET))
    assert decode_session_token(foreign, settings) is None
    # ...and the other deployment refuses ours.
    assert (
        decode_session_token(issue_session_token(42, 1, settings), make_settings(OTHER_SECRET))
        is None
    )


def test_expired_token_is_refused(settings):
    eight_days_ago = utcnow() - timedelta(days=8)
    token = issue_session_token(42, 1, settings, now=eight_days_ago)
    assert decode_session_token(token, settings) is None


def test_token_inside_its_lifetime_is_accepted(settings):
    six_days_ago = utcnow() - timedelta(days=6)
    claims = decode_session_token(issue_session_token(42, 1, settings, now=six_days_ago), settings)
    assert claims is not None
    assert claims.user_id == 42


def test_token_not_yet_valid_is_refused(settings):
    tomorrow = utcnow() + timedelta(days=1)
    assert (
        decode_session_token(issue_session_token(42, 1, settings, now=tomorrow), settings) is None
    )


@pytest.mark.parametrize(
    "token",
    [
        None,
        "",
        " ",
        "garbage",
        "a.b.c",
        "..",
        "Bearer abc",
        "eyJhbGciOiJIUzI1NiJ9.e30.",
        "é.ñ.ü",
        "x" * 10_000,
        "a" * 5000 + "." + "b" * 5000 + "." + "c" * 43,
        12345,
        b"bytes.are.not.tokens",
    ],
    ids=lambda value: repr(value)[:24],
)
def test_garbage_is_refused_without_raising(settings, token):
    assert decode_session_token(token, settings) is None


def test_unsigned_alg_none_token_is_refused(settings):
    header = b64url_json({"alg": "none", "typ": "JWT"})
    token = f"{header}.{b64url_json(valid_claims())}."
    assert decode_session_token(token, settings) is None


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_other_hmac_algorithm_with_the_right_secret_is_refused(settings):
    token = jwt.encode(valid_claims(), SECRET, algorithm="HS512")
    assert decode_session_token(token, settings) is None


def test_hand_made_token_with_valid_claims_is_accepted(settings):
    # Control for the cases below: only the named claim differs there.
    token = jwt.encode(valid_claims(), SECRET, algorithm="HS256")
    claims = decode_session_token(token, settings)
    assert claims is not None
    assert claims.user_id == 7


@pytest.mark.parametrize(
    "overrides",
    [
        {"aud": "someone-else"},
        {"aud": None},
        {"iss": "https://evil.example"},
        {"iss": None},
        {"ver": None},
        {"sub": None},
        {"exp": None},
        {"iat": None},
        {"sub": "not-a-number"},
        {"ver": "x"},
        {"ver": {"nested": 1}},
    ],
    ids=lambda value: repr(value),
)
def test_hs256_token_with_wrong_or_missing_claims_is_refused(settings, overrides):
    token = jwt.encode(valid_claims(**overrides), SECRET, algorithm="HS256")
    assert decode_session_token(token, settings) is None


# -- sliding sessions -----------------------------------------------------------


def test_should_refresh_after_twelve_hours(settings):
    issued = utcnow().replace(microsecond=0)
    claims = decode_session_token(issue_session_token(1, 1, settings, now=issued), settings)

    assert claims.issued_at == issued
    assert timedelta(hours=12) == REFRESH_AFTER
    assert not claims.should_refresh(now=issued + timedelta(hours=11, minutes=59, seconds=59))
    assert claims.should_refresh(now=issued + timedelta(hours=12))
    assert claims.should_refresh(now=issued + timedelta(days=3))


def test_a_thirteen_hour_old_token_still_works_and_asks_for_refresh(settings):
    claims = decode_session_token(
        issue_session_token(1, 1, settings, now=utcnow() - timedelta(hours=13)), settings
    )
    assert claims is not None
    assert claims.should_refresh()


# -- passwords ------------------------------------------------------------------


def test_hash_password_uses_argon2id_with_a_salt():
    first = hash_password("Afinador-2024")
    second = hash_password("Afinador-2024")

    assert first.startswith("$argon2id$")
    assert first != second  # random salt
    assert "Afinador-2024" not in first
    assert not needs_rehash(first)


def test_verify_password():
    stored = hash_password("Afinador-2024")

    assert verify_password(stored, "Afinador-2024")
    assert not verify_password(stored, "afinador-2024")
    assert not verify_password(stored, "Afinador-2024 ")
    assert not verify_password(stored, "")


@pytest.mark.parametrize("stored", [None, "", "plain-text", "$argon2id$broken", "$2b$12$abc"])
def test_verify_password_with_a_missing_or_broken_hash_is_false(stored):
    assert verify_password(stored, "plain-text") is False


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" Ana@Example.ES ", "ana@example.es"),
        ("ANA@EXAMPLE.ES", "ana@example.es"),
        ("\tana@example.es\n", "ana@example.es"),
        ("ana@example.es", "ana@example.es"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalise_email(raw, expected):
    assert normalise_email(raw) == expected


def test_a_token_accepted_once_is_refused_once_it_expires(settings, monkeypatch):
    # A verified token is kept (the signature check is not redone); its expiry
    # is still checked on every use.
    token = issue_session_token(42, 1, settings, now=utcnow() - timedelta(days=6))
    assert decode_session_token(token, settings) is not None
    later = utcnow() + timedelta(days=1, seconds=LEEWAY_SECONDS + 1)
    monkeypatch.setattr(tokens_module, "utcnow", lambda: later)
    assert decode_session_token(token, settings) is None


def test_a_kept_token_is_refused_under_another_secret(settings):
    token = issue_session_token(42, 1, settings)
    assert decode_session_token(token, settings) is not None
    assert decode_session_token(token, make_settings(OTHER_SECRET)) is None
