"""The platform owner: ``is_owner``, the display name, and the guard of API routes."""

from __future__ import annotations

import pytest
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from piano_emotion.auth import accounts
from piano_emotion.auth.clerk import ClerkIdentity, upsert_clerk_user
from piano_emotion.auth.current import SESSION_COOKIE
from piano_emotion.auth.owner import is_owner, owner_display_name, owner_route
from piano_emotion.auth.tokens import issue_session_token
from piano_emotion.models import User
from piano_emotion.models.types import utcnow
from piano_emotion.settings import load_settings, reset_settings_cache

CLERK_OWNER_ID = "user_2OwnerABCdef"
PASSWORD = "Afinacion-440Hz"


def settings_for(owner: str | None = None, name: str | None = None):
    env = {"NODE_ENV": "test", "JWT_SECRET": "owner-test-secret-0123456789-abcdefghijklm"}
    if owner is not None:
        env["OWNER_OPEN_ID"] = owner
    if name is not None:
        env["OWNER_NAME"] = name
    return load_settings(env)


def local_user(session: Session, email: str, name: str = "Técnica Local") -> User:
    user = accounts.sign_up(session, name=name, email=email, password=PASSWORD)
    session.commit()
    return user


def clerk_user(session: Session, user_id: str, email: str, name: str = "Técnico Clerk") -> User:
    user = upsert_clerk_user(
        session, ClerkIdentity(user_id=user_id, email=email, name=name, claims={})
    )
    session.commit()
    return user


# -- is_owner -------------------------------------------------------------------


def test_owner_by_clerk_id(session):
    settings = settings_for(CLERK_OWNER_ID)
    owner = clerk_user(session, CLERK_OWNER_ID, "dueno@example.es")
    other = clerk_user(session, "user_2SomeoneElse", "otro@example.es")

    assert is_owner(owner, settings)
    assert not is_owner(other, settings)
    assert not is_owner(None, settings)


def test_a_clerk_id_is_compared_exactly(session):
    owner = clerk_user(session, CLERK_OWNER_ID, "dueno@example.es")
    assert not is_owner(owner, settings_for(CLERK_OWNER_ID.lower()))
    assert not is_owner(owner, settings_for(CLERK_OWNER_ID + "x"))


def test_a_local_user_whose_email_is_the_clerk_id_is_not_the_owner(session):
    # Only a row written around the sign-up validation could look like this.
    impostor = User(email=CLERK_OWNER_ID.lower(), name="Impostor", password_hash="x")
    session.add(impostor)
    session.commit()

    assert not is_owner(impostor, settings_for(CLERK_OWNER_ID))
    assert not is_owner(impostor, settings_for(CLERK_OWNER_ID.lower()))


def test_owner_by_email_of_a_local_account(session):
    owner = local_user(session, "dueno@example.es")
    other = local_user(session, "otra@example.es")

    for configured in ["dueno@example.es", " Dueno@Example.ES ", "DUENO@EXAMPLE.ES"]:
        settings = settings_for(configured)
        assert is_owner(owner, settings), configured
        assert not is_owner(other, settings), configured


def test_a_clerk_user_with_the_owner_email_is_not_the_owner(session):
    clerk = clerk_user(session, "user_2HasTheEmail", "dueno@example.es")
    assert not is_owner(clerk, settings_for("dueno@example.es"))


def test_nobody_is_the_owner_when_unset(session):
    local = local_user(session, "dueno@example.es")
    clerk = clerk_user(session, CLERK_OWNER_ID, "clerk@example.es")

    for settings in (settings_for(), settings_for("")):
        assert settings.owner_open_id is None
        assert not is_owner(local, settings)
        assert not is_owner(clerk, settings)


def test_an_inactive_user_is_never_the_owner(session):
    local = local_user(session, "dueno@example.es")
    clerk = clerk_user(session, CLERK_OWNER_ID, "clerk@example.es")
    for user in (local, clerk):
        user.is_active = False
        session.add(user)
    session.commit()

    assert not is_owner(local, settings_for("dueno@example.es"))
    assert not is_owner(clerk, settings_for(CLERK_OWNER_ID))


def test_owner_display_name(session):
    owner = local_user(session, "dueno@example.es", name="Juan García")
    other = local_user(session, "otra@example.es", name="Lucía Pérez")
    settings = settings_for("dueno@example.es", name="Inés Ownerson")

    assert owner_display_name(owner, settings) == "Inés Ownerson"
    assert owner_display_name(other, settings) == "Lucía Pérez"
    assert owner_display_name(owner, settings_for("dueno@example.es")) == "Owner"
    assert owner_display_name(owner, settings_for()) == "Juan García"


# -- the owner_route guard ------------------------------------------------------

SECRET_DATA = "cache-hit-ratio-97-percent"


@pytest.fixture
def owner_app(configured_app_settings):
    calls: list[str] = []

    @owner_route
    async def monitor(request: Request, user: User) -> JSONResponse:
        calls.append(user.email)
        return JSONResponse({"data": SECRET_DATA, "owner": user.email})

    app = Starlette(routes=[Route("/api/monitor", monitor)])
    with TestClient(app) as client:
        client.calls = calls
        yield client


@pytest.fixture
def people(engine, configured_app_settings):
    """The owner (``owner@example.es``, a local account) and a technician."""
    with Session(engine, expire_on_commit=False) as session:
        owner = local_user(session, configured_app_settings.owner_open_id, "Dueña")
        technician = local_user(session, "tecnico@example.es", "Técnico")
    return owner, technician


def token_for(user: User, settings, **kw) -> str:
    return issue_session_token(user.id, user.session_version, settings, **kw)


def assert_refused(response, status: int) -> None:
    assert response.status_code == status
    assert SECRET_DATA not in response.text


def test_no_session_is_401(owner_app, people):
    assert_refused(owner_app.get("/api/monitor"), 401)
    assert_refused(owner_app.get("/api/monitor", headers={"Authorization": "Bearer "}), 401)
    assert owner_app.calls == []


def test_a_technician_is_403(owner_app, people, configured_app_settings):
    _, technician = people
    token = token_for(technician, configured_app_settings)

    response = owner_app.get("/api/monitor", headers={"Authorization": f"Bearer {token}"})

    assert_refused(response, 403)
    assert "Acceso denegado" in response.text
    assert owner_app.calls == []


def test_the_owner_with_a_bearer_token(owner_app, people, configured_app_settings):
    owner, _ = people
    token = token_for(owner, configured_app_settings)

    response = owner_app.get("/api/monitor", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert response.json() == {"data": SECRET_DATA, "owner": "owner@example.es"}
    assert owner_app.calls == ["owner@example.es"]
    lower = owner_app.get("/api/monitor", headers={"authorization": f"bearer {token}"})
    assert lower.status_code == 200


def test_the_owner_with_the_session_cookie(owner_app, people, configured_app_settings):
    owner, _ = people
    owner_app.cookies.set(SESSION_COOKIE, token_for(owner, configured_app_settings))

    response = owner_app.get("/api/monitor")

    assert response.status_code == 200
    assert response.json()["data"] == SECRET_DATA


def test_a_technician_cookie_is_403(owner_app, people, configured_app_settings):
    _, technician = people
    owner_app.cookies.set(SESSION_COOKIE, token_for(technician, configured_app_settings))
    assert_refused(owner_app.get("/api/monitor"), 403)


def test_bad_owner_tokens_are_401(owner_app, people, configured_app_settings, engine):
    from datetime import timedelta

    owner, _ = people
    good = token_for(owner, configured_app_settings)
    header, payload, signature = good.split(".")
    tampered = f"{header}.{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    expired = token_for(owner, configured_app_settings, now=utcnow() - timedelta(days=8))
    foreign = issue_session_token(owner.id, owner.session_version, settings_for())

    for token in [tampered, expired, foreign, "garbage", good + "x"]:
        response = owner_app.get("/api/monitor", headers={"Authorization": f"Bearer {token}"})
        assert_refused(response, 401)

    # A password change ends the owner's older sessions too.
    with Session(engine, expire_on_commit=False) as session:
        stored = session.get(User, owner.id)
        accounts.change_password(session, stored, current=PASSWORD, new="Otra-Clave-2024")
        session.commit()
    assert_refused(owner_app.get("/api/monitor", headers={"Authorization": f"Bearer {good}"}), 401)
    assert owner_app.calls == []


def test_a_deactivated_owner_is_401(owner_app, people, configured_app_settings, engine):
    owner, _ = people
    token = token_for(owner, configured_app_settings)
    with Session(engine) as session:
        stored = session.get(User, owner.id)
        stored.is_active = False
        session.add(stored)
        session.commit()
    assert_refused(owner_app.get("/api/monitor", headers={"Authorization": f"Bearer {token}"}), 401)


def test_a_clerk_owner_through_the_guard(owner_app, configured_app_settings, monkeypatch, engine):
    monkeypatch.setenv("OWNER_OPEN_ID", CLERK_OWNER_ID)
    reset_settings_cache()
    with Session(engine, expire_on_commit=False) as session:
        owner = clerk_user(session, CLERK_OWNER_ID, "clerk.owner@example.es")
        # The local account named by the previous setting is now just a technician.
        local = local_user(session, "owner@example.es")
    settings = load_settings({"NODE_ENV": "test", "JWT_SECRET": configured_app_settings.jwt_secret})

    owner_response = owner_app.get(
        "/api/monitor", headers={"Authorization": f"Bearer {token_for(owner, settings)}"}
    )
    local_response = owner_app.get(
        "/api/monitor", headers={"Authorization": f"Bearer {token_for(local, settings)}"}
    )

    assert owner_response.status_code == 200
    assert owner_response.json()["owner"] == "clerk.owner@example.es"
    assert_refused(local_response, 403)
