"""AuthState and SettingsState handlers, called directly against a real database.

No browser and no build: a state is made as in ``test_ui_state.py``, its
router data (page URL, client address) set by hand, and each handler's
``.fn`` called. ``configured_app_settings`` points ``get_settings()`` and
``get_engine()`` at the test database (SQLite and MariaDB).
"""

from __future__ import annotations

import base64
import inspect
import threading
from datetime import timedelta

import pytest
from reflex.istate.data import ReflexURL, RouterData, SessionData
from reflex_base.event import EventSpec
from sqlmodel import Session, func, select

from piano_emotion.auth import accounts
from piano_emotion.auth.clerk import ClerkIdentity
from piano_emotion.auth.current import user_for_token
from piano_emotion.auth.tokens import decode_session_token, issue_session_token
from piano_emotion.models import BusinessInfo, User
from piano_emotion.models.enums import Locale
from piano_emotion.models.types import utcnow
from piano_emotion.settings import reset_settings_cache
from piano_emotion.ui.state.auth import AuthState, NotSignedIn, safe_next
from piano_emotion.ui.state.settings import SettingsState
from tests.conftest import run_async
from tests.ui_states import handle, in_state_tree, set_language, set_session

PASSWORD = "Afinacion-440Hz"
NEW_PASSWORD = "Regulacion-442Hz"
ORIGIN = "http://localhost:3000"

pytestmark = pytest.mark.usefixtures("configured_app_settings")


def make_state(cls=AuthState, path: str = "/entrar", ip: str = "203.0.113.7"):
    state = in_state_tree(cls)
    state.router = RouterData(session=SessionData(client_ip=ip), url=ReflexURL(ORIGIN + path))
    return state


def redirect_path(result) -> str:
    """The target of the ``rx.redirect`` among a handler's return values."""
    events = result if isinstance(result, list) else [result]
    for event in events:
        if isinstance(event, EventSpec) and event.handler.fn.__qualname__ == "_redirect":
            return {name._js_expr: value._var_value for name, value in event.args}["path"]
    raise AssertionError(f"no redirect in {result!r}")


def sign_up_form(**overrides) -> dict:
    form = {
        "name": "Ana Afinadora",
        "email": "Ana@Example.ES",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
    }
    form.update(overrides)
    return form


def create_user(engine, email: str = "ana@example.es", name: str = "Ana Afinadora") -> User:
    with Session(engine, expire_on_commit=False) as session:
        user = accounts.sign_up(session, name=name, email=email, password=PASSWORD)
        session.commit()
    return user


def signed_in_state(engine, settings, cls=AuthState, path: str = "/", user: User | None = None):
    user = user or create_user(engine)
    state = make_state(cls, path)
    set_session(state, issue_session_token(user.id, user.session_version, settings))
    return state, user


def user_count(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(User)).one()


# -- sign up --------------------------------------------------------------------


def test_sign_up_starts_a_session_and_goes_home(engine, configured_app_settings):
    state = make_state(path="/registro")

    result = run_async(AuthState.sign_up.fn(state, sign_up_form()))

    assert redirect_path(result) == "/"
    claims = decode_session_token(state.session_token, configured_app_settings)
    with Session(engine) as session:
        user = session.exec(select(User)).one()
    assert claims.user_id == user.id
    assert user.email == "ana@example.es"
    assert user.name == "Ana Afinadora"
    assert state.user_name == "Ana Afinadora"
    assert state.user_email == "ana@example.es"
    assert state.user_id == user.id
    assert not state.is_owner
    assert state.form_error == ""
    assert state.field_errors == {}


def test_sign_up_in_english_keeps_english(engine):
    state = make_state(path="/registro")
    set_language(state, "en")
    run_async(AuthState.sign_up.fn(state, sign_up_form()))
    with Session(engine) as session:
        assert session.exec(select(User)).one().locale == Locale.EN
    assert state.lang == "en"


def test_sign_up_with_mismatched_passwords(engine):
    state = make_state(path="/registro")

    result = run_async(AuthState.sign_up.fn(state, sign_up_form(password_confirm="Otra-Cosa-123")))

    assert result is None
    assert state.field_errors == {"password_confirm": "Las contraseñas no coinciden."}
    assert state.form_error == "Revisa los campos marcados."
    assert state.session_token == ""
    assert user_count(engine) == 0


def test_sign_up_with_bad_fields_shows_spanish_messages(engine):
    state = make_state(path="/registro")

    result = run_async(
        AuthState.sign_up.fn(
            state,
            sign_up_form(
                name="", email="ana-at-example", password="corta", password_confirm="corta"
            ),
        )
    )

    assert result is None
    assert state.field_errors == {
        "name": "El nombre es obligatorio.",
        "email": "El email no es válido.",
        "password": "La contraseña debe tener al menos 8 caracteres.",
    }
    assert state.session_token == ""
    assert user_count(engine) == 0


def test_sign_up_with_a_taken_email(engine):
    create_user(engine)
    state = make_state(path="/registro")

    run_async(AuthState.sign_up.fn(state, sign_up_form(email=" ANA@example.es ")))

    assert state.field_errors == {"email": "Ya existe una cuenta con ese email."}
    assert state.session_token == ""
    assert user_count(engine) == 1


# -- sign in --------------------------------------------------------------------


def test_sign_in_with_a_wrong_password(engine):
    create_user(engine)
    state = make_state()

    result = run_async(
        AuthState.sign_in.fn(state, {"email": "ana@example.es", "password": "no-es-esta"})
    )

    assert result is None
    assert state.form_error == "Email o contraseña incorrectos."
    assert state.session_token == ""
    assert state.user_id == 0


def test_sign_in_errors_follow_the_language(engine):
    create_user(engine)
    state = make_state()
    set_language(state, "en")

    run_async(AuthState.sign_in.fn(state, {"email": "ana@example.es", "password": "not-this-one"}))
    assert state.form_error == "Wrong email or password."
    run_async(AuthState.sign_in.fn(state, {"email": "nobody@example.es", "password": PASSWORD}))
    assert state.form_error == "Wrong email or password."


def test_sign_in_with_the_right_password(engine, configured_app_settings):
    user = create_user(engine)
    state = make_state()
    state.form_error = "un error anterior"

    result = run_async(
        AuthState.sign_in.fn(state, {"email": " ANA@example.es ", "password": PASSWORD})
    )

    assert redirect_path(result) == "/"
    assert decode_session_token(state.session_token, configured_app_settings).user_id == user.id
    assert state.form_error == ""
    assert state.user_name == "Ana Afinadora"
    assert state.auth_checked


def test_sign_in_adopts_the_users_language(engine):
    with Session(engine) as session:
        session.add(User(email="en@example.es", name="Emma", locale=Locale.EN))
        session.commit()
    create_user(engine)
    with Session(engine) as session:
        ana = session.exec(select(User).where(User.email == "ana@example.es")).one()
        accounts.update_profile(session, ana, name="Ana", locale="en")
        session.commit()
    state = make_state()

    run_async(AuthState.sign_in.fn(state, {"email": "ana@example.es", "password": PASSWORD}))

    assert state.lang == "en"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("next=%2Ffacturas", "/facturas"),
        ("next=/clientes?pagina=2", "/clientes?pagina=2"),
        ("next=https://evil.example", "/"),
        ("next=https%3A%2F%2Fevil.example%2Fentrar", "/"),
        ("next=//evil.example", "/"),
        ("next=%2F%2Fevil.example", "/"),
        ("next=javascript:alert(1)", "/"),
        ("next=facturas", "/"),
        ("next=/entrar", "/"),
        ("next=", "/"),
        ("", "/"),
    ],
)
def test_sign_in_follows_only_same_site_next(engine, query, expected):
    create_user(engine)
    state = make_state(path=f"/entrar?{query}" if query else "/entrar")

    result = run_async(
        AuthState.sign_in.fn(state, {"email": "ana@example.es", "password": PASSWORD})
    )

    assert redirect_path(result) == expected


@pytest.mark.parametrize(
    "target",
    [
        "/\\evil.example",
        "/\\/evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/clientes\r\nSet-Cookie: x=1",
        "https:/evil.example",
        " //evil.example",
    ],
)
def test_safe_next_refuses_paths_a_browser_reads_as_another_site(target):
    assert safe_next(target) == "/"


@pytest.mark.parametrize("target", ["/facturas", "/clientes?buscar=ana&pagina=2", "/%2F/x"])
def test_safe_next_keeps_same_site_paths(target):
    assert safe_next(target) == target


def test_six_wrong_sign_ins_lock_the_form(engine):
    create_user(engine)
    state = make_state()

    for _ in range(5):
        run_async(
            AuthState.sign_in.fn(state, {"email": "ana@example.es", "password": "no-es-esta"})
        )
        assert state.form_error == "Email o contraseña incorrectos."
    run_async(AuthState.sign_in.fn(state, {"email": "ana@example.es", "password": "no-es-esta"}))

    assert "Demasiados intentos" in state.form_error
    assert " min" in state.form_error
    # Locked even with the right password.
    assert (
        run_async(AuthState.sign_in.fn(state, {"email": "ana@example.es", "password": PASSWORD}))
        is None
    )
    assert "Demasiados intentos" in state.form_error
    assert state.session_token == ""


def test_sign_in_work_runs_off_the_event_loop(engine, monkeypatch):
    """The password hashing/checking (Argon2id) and the Clerk verification and
    upsert run in the thread pool: the worker's event loop keeps serving the
    other websocket events meanwhile."""
    import piano_emotion.ui.state.auth as auth_state

    for handler in (AuthState.sign_in, AuthState.sign_up, AuthState.clerk_session):
        assert inspect.iscoroutinefunction(handler.fn), handler.fn.__name__

    threads: dict[str, threading.Thread] = {}

    def recording(name, real):
        def record(*args, **kwargs):
            threads[name] = threading.current_thread()
            return real(*args, **kwargs)

        return record

    monkeypatch.setattr(accounts, "sign_up", recording("sign_up", accounts.sign_up))
    monkeypatch.setattr(accounts, "sign_in", recording("sign_in", accounts.sign_in))
    monkeypatch.setattr(
        auth_state, "upsert_clerk_user", recording("upsert", auth_state.upsert_clerk_user)
    )

    class Verifier:
        def verify(self, token):
            threads["clerk_verify"] = threading.current_thread()
            return ClerkIdentity(
                user_id="user_thread", email="clerk@example.es", name="Clara", claims={}
            )

    monkeypatch.setattr(auth_state, "get_verifier", lambda settings: Verifier())
    monkeypatch.setenv("CLERK_SECRET_KEY", "sk_test_x")
    monkeypatch.setenv(
        "NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY",
        "pk_test_" + base64.b64encode(b"example.clerk.accounts.dev$").decode().rstrip("="),
    )
    reset_settings_cache()

    # States are made here: Reflex's registration context is this thread's.
    up_state, state, clerk_state = make_state(path="/registro"), make_state(), make_state()

    async def scenario():
        threads["loop"] = threading.current_thread()
        signed_up = await AuthState.sign_up.fn(up_state, sign_up_form())
        signed_in = await AuthState.sign_in.fn(
            state, {"email": "ana@example.es", "password": PASSWORD}
        )
        clerk = await AuthState.clerk_session.fn(clerk_state, "a.clerk.token")
        return signed_up, signed_in, clerk

    signed_up, signed_in, clerk = run_async(scenario())

    assert redirect_path(signed_up) == "/"
    assert redirect_path(signed_in) == "/"
    assert redirect_path(clerk) == "/"
    assert state.user_name == "Ana Afinadora"
    assert state.auth_checked
    assert clerk_state.user_name == "Clara"
    assert set(threads) == {"loop", "sign_up", "sign_in", "clerk_verify", "upsert"}
    for name in ("sign_up", "sign_in", "clerk_verify", "upsert"):
        assert threads[name] is not threads["loop"], name


# -- checking the session -------------------------------------------------------
# Every protected page's ``on_load`` is a ``@page_load`` handler that checks
# the session first (``test_page_load.py`` runs every one of them); here,
# Ajustes's, whose own work is small.


def open_page(state: SettingsState):
    """The ``on_load`` of a protected page (Ajustes)."""
    return handle(SettingsState.load)(state)


def test_a_page_without_a_token_redirects_to_sign_in():
    state = make_state(SettingsState, path="/facturas")
    result = open_page(state)
    assert redirect_path(result) == "/entrar?next=%2Ffacturas"
    assert state.auth_checked
    assert state.user_id == 0
    assert state.profile_name == ""  # the page's own load did not run


def test_a_page_keeps_the_query_in_next():
    state = make_state(SettingsState, path="/clientes/?buscar=ana&pagina=2")
    result = open_page(state)
    assert redirect_path(result) == "/entrar?next=%2Fclientes%3Fbuscar%3Dana%26pagina%3D2"


def test_a_page_with_a_valid_token(engine, configured_app_settings):
    state, user = signed_in_state(engine, configured_app_settings, SettingsState, "/facturas")
    token = state.session_token

    assert open_page(state) is None
    assert state.auth_checked
    assert state.user_id == user.id
    assert state.user_name == "Ana Afinadora"
    assert state.session_token == token  # fresh: not re-issued
    assert state.profile_name == "Ana Afinadora"  # then the page's own load


def test_a_page_slides_an_old_session(engine, configured_app_settings):
    user = create_user(engine)
    state = make_state(SettingsState, path="/")
    set_session(
        state,
        issue_session_token(
            user.id, 1, configured_app_settings, now=utcnow() - timedelta(hours=13)
        ),
    )

    assert open_page(state) is None
    claims = decode_session_token(state.session_token, configured_app_settings)
    assert claims.user_id == user.id
    assert not claims.should_refresh()


def bad_tokens(user: User, settings) -> list[str]:
    good = issue_session_token(user.id, user.session_version, settings)
    header, payload, signature = good.split(".")
    return [
        f"{header}.{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}",
        issue_session_token(
            user.id, user.session_version, settings, now=utcnow() - timedelta(days=8)
        ),
        issue_session_token(user.id, user.session_version + 1, settings),
        issue_session_token(user.id + 999, 1, settings),
        "garbage",
        "a.b.c",
        "x" * 10_000,
    ]


def test_a_page_with_bad_tokens_redirects_and_never_raises(engine, configured_app_settings):
    user = create_user(engine)
    for token in bad_tokens(user, configured_app_settings):
        state = make_state(SettingsState, path="/ajustes")
        set_session(state, token)
        result = open_page(state)
        assert redirect_path(result) == "/entrar?next=%2Fajustes", token[:40]
        assert state.user_id == 0
        assert state.profile_name == ""


def test_require_user(engine, configured_app_settings):
    state, user = signed_in_state(engine, configured_app_settings)
    assert state.require_user().id == user.id

    with pytest.raises(NotSignedIn):
        make_state().require_user()
    for token in bad_tokens(user, configured_app_settings):
        state = make_state()
        set_session(state, token)
        with pytest.raises(NotSignedIn):
            state.require_user()


def test_require_user_after_deactivation(engine, configured_app_settings):
    state, user = signed_in_state(engine, configured_app_settings)
    with Session(engine) as session:
        stored = session.get(User, user.id)
        stored.is_active = False
        session.add(stored)
        session.commit()
    with pytest.raises(NotSignedIn):
        state.require_user()


def test_require_owner(engine, configured_app_settings):
    technician_state, _ = signed_in_state(engine, configured_app_settings)
    with pytest.raises(PermissionError):
        technician_state.require_owner()
    assert not technician_state.is_owner

    owner = create_user(engine, email=configured_app_settings.owner_open_id, name="Juana")
    owner_state, _ = signed_in_state(engine, configured_app_settings, user=owner)
    assert owner_state.require_owner().id == owner.id
    assert owner_state.is_owner
    assert owner_state.user_name == "Dueña de la plataforma"

    with pytest.raises(NotSignedIn):
        make_state().require_owner()


def test_redirect_if_signed_in(engine, configured_app_settings):
    anonymous = make_state(path="/entrar?next=%2Fclientes")
    anonymous.form_error = "antiguo"
    assert handle(AuthState.redirect_if_signed_in)(anonymous) is None
    assert anonymous.form_error == ""
    assert anonymous.auth_checked

    state, _ = signed_in_state(engine, configured_app_settings, path="/entrar?next=%2Fclientes")
    assert redirect_path(handle(AuthState.redirect_if_signed_in)(state)) == "/clientes"
    state, _ = signed_in_state(
        engine,
        configured_app_settings,
        path="/entrar?next=https://evil.example",
        user=create_user(engine, email="bea@example.es"),
    )
    assert redirect_path(handle(AuthState.redirect_if_signed_in)(state)) == "/"


def test_sign_out_clears_the_session(engine, configured_app_settings):
    state, _ = signed_in_state(engine, configured_app_settings, SettingsState)
    open_page(state)
    assert state.user_id

    result = handle(AuthState.sign_out)(state)

    assert redirect_path(result) == "/entrar"
    assert state.session_token == ""
    assert (state.user_id, state.user_name, state.user_email, state.is_owner) == (0, "", "", False)
    assert redirect_path(open_page(state)).startswith("/entrar?next=")


def test_clerk_session_is_ignored_when_clerk_is_off(engine):
    state = make_state()
    assert run_async(AuthState.clerk_session.fn(state, "any.token.here")) is None
    assert state.session_token == ""
    assert user_count(engine) == 0


# -- settings -------------------------------------------------------------------

VALID_BUSINESS = {
    "business_name": "Afinaciones Ana",
    "tax_id": "b-1234567-4",
    "address": "Calle Mayor 1",
    "city": "Madrid",
    "postal_code": "28013",
    "region": "Madrid",
    "phone": "+34 600 123 456",
    "email": "Facturas@Example.ES",
    "iban": "es91 2100 0418 4502 0005 1332",
}


def business_rows(engine) -> list[BusinessInfo]:
    with Session(engine) as session:
        return list(session.exec(select(BusinessInfo)).all())


def test_settings_load(engine, configured_app_settings):
    state, _ = signed_in_state(engine, configured_app_settings, SettingsState, "/ajustes")

    handle(SettingsState.load)(state)

    assert state.profile_name == "Ana Afinadora"
    assert state.profile_locale == "es"
    assert state.has_password
    assert state.business["tax_id"] == ""
    assert not state.business_complete


def test_settings_load_without_a_session_does_nothing():
    state = make_state(SettingsState, "/ajustes")
    assert redirect_path(handle(SettingsState.load)(state)) == "/entrar?next=%2Fajustes"
    assert state.profile_name == ""


def test_save_business_with_an_invalid_nif_writes_nothing(engine, configured_app_settings):
    state, _ = signed_in_state(engine, configured_app_settings, SettingsState, "/ajustes")

    result = SettingsState.save_business.fn(state, {**VALID_BUSINESS, "tax_id": "12345678A"})

    assert result is None
    assert state.business_errors == {"tax_id": "NIF/CIF no válido (revisa la letra de control)."}
    assert business_rows(engine) == []


def test_save_business_reports_every_bad_field(engine, configured_app_settings):
    state, _ = signed_in_state(engine, configured_app_settings, SettingsState, "/ajustes")

    SettingsState.save_business.fn(
        state,
        {
            **VALID_BUSINESS,
            "tax_id": "B12345675",
            "iban": "ES9121000418450200051333",
            "postal_code": "60000",
            "phone": "llámame",
            "email": "facturas",
        },
    )

    assert set(state.business_errors) == {"tax_id", "iban", "postal_code", "phone", "email"}
    assert state.business_errors["iban"] == "IBAN no válido."
    assert business_rows(engine) == []


def test_save_business_with_valid_data(engine, configured_app_settings):
    state, user = signed_in_state(engine, configured_app_settings, SettingsState, "/ajustes")

    result = SettingsState.save_business.fn(state, VALID_BUSINESS)

    assert isinstance(result, EventSpec)  # the "saved" toast
    assert state.business_errors == {}
    [info] = business_rows(engine)
    assert info.technician_id == user.id
    assert info.tax_id == "B12345674"
    assert info.iban == "ES91 2100 0418 4502 0005 1332"
    assert info.email == "facturas@example.es"
    assert info.postal_code == "28013"
    assert state.business["tax_id"] == "B12345674"
    assert state.business_complete

    # Saving again updates the same row.
    SettingsState.save_business.fn(state, {**VALID_BUSINESS, "tax_id": "12345678Z"})
    [info] = business_rows(engine)
    assert info.tax_id == "12345678Z"


def test_save_business_without_a_session_raises_and_writes_nothing():
    state = make_state(SettingsState, "/ajustes")
    with pytest.raises(NotSignedIn):
        SettingsState.save_business.fn(state, VALID_BUSINESS)


def test_save_profile(engine, configured_app_settings):
    state, user = signed_in_state(engine, configured_app_settings, SettingsState, "/ajustes")

    handle(SettingsState.save_profile)(state, {"name": "Ana María", "locale": "en"})

    assert state.profile_errors == {}
    assert state.lang == "en"
    assert state.user_name == "Ana María"
    with Session(engine) as session:
        stored = session.get(User, user.id)
        assert (stored.name, stored.locale) == ("Ana María", Locale.EN)


def test_save_profile_with_bad_data(engine, configured_app_settings):
    state, user = signed_in_state(engine, configured_app_settings, SettingsState, "/ajustes")

    assert handle(SettingsState.save_profile)(state, {"name": " ", "locale": "de"}) is None

    assert state.profile_errors == {
        "name": "El nombre es obligatorio.",
        "locale": "Idioma no disponible.",
    }
    with Session(engine) as session:
        assert session.get(User, user.id).name == "Ana Afinadora"


def test_change_password(engine, configured_app_settings):
    state, user = signed_in_state(engine, configured_app_settings, SettingsState, "/ajustes")
    old_token = state.session_token
    assert user_for_token(old_token).id == user.id

    result = handle(SettingsState.change_password)(
        state,
        {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_confirm": NEW_PASSWORD,
        },
    )

    assert isinstance(result, EventSpec)
    assert state.password_errors == {}
    assert state.session_token != old_token
    assert user_for_token(state.session_token).id == user.id
    assert user_for_token(old_token) is None
    # Another device still holding the old token is sent to sign in.
    other_device = make_state(SettingsState, "/ajustes")
    set_session(other_device, old_token)
    assert redirect_path(open_page(other_device)).startswith("/entrar")


def test_change_password_errors(engine, configured_app_settings):
    state, user = signed_in_state(engine, configured_app_settings, SettingsState, "/ajustes")
    token = state.session_token

    handle(SettingsState.change_password)(
        state,
        {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_confirm": "algo-distinto",
        },
    )
    assert state.password_errors == {"new_password_confirm": "Las contraseñas no coinciden."}

    handle(SettingsState.change_password)(
        state,
        {
            "current_password": "no-es-la-actual",
            "new_password": NEW_PASSWORD,
            "new_password_confirm": NEW_PASSWORD,
        },
    )
    assert state.password_errors == {"current_password": "La contraseña actual no es correcta."}

    handle(SettingsState.change_password)(
        state,
        {"current_password": PASSWORD, "new_password": PASSWORD, "new_password_confirm": PASSWORD},
    )
    assert state.password_errors == {
        "new_password": "La nueva contraseña debe ser distinta de la actual."
    }

    # Nothing changed: the original token still works.
    assert state.session_token == token
    assert user_for_token(token).id == user.id


# -- maintenance thresholds (Ajustes) ----------------------------------------------------
def test_thresholds_load_with_the_defaults(engine, configured_app_settings):
    state, _ = signed_in_state(engine, configured_app_settings, SettingsState, "/ajustes")
    handle(SettingsState.load)(state)
    assert state.thresholds == {
        "tuning_pending_days": "180",
        "tuning_urgent_days": "270",
        "regulation_pending_days": "730",
        "regulation_urgent_days": "1095",
        "default_interval_months": "12",
    }


def test_thresholds_out_of_range_are_refused_with_a_message(engine, configured_app_settings):
    from piano_emotion.models import MaintenanceSettings

    state, _ = signed_in_state(engine, configured_app_settings, SettingsState, "/ajustes")
    handle(SettingsState.load)(state)
    form = {**state.thresholds, "tuning_pending_days": "5", "tuning_urgent_days": "abc"}
    assert SettingsState.save_thresholds.fn(state, form) is None
    assert state.threshold_errors["tuning_pending_days"] == "Entre 30 y 730 días."
    assert state.threshold_errors["tuning_urgent_days"] == "Escribe un número entero."
    with Session(engine) as session:
        assert session.exec(select(MaintenanceSettings)).all() == []


def test_thresholds_are_saved(engine, configured_app_settings):
    state, _ = signed_in_state(engine, configured_app_settings, SettingsState, "/ajustes")
    handle(SettingsState.load)(state)
    form = {**state.thresholds, "tuning_pending_days": "150", "default_interval_months": "6"}
    assert SettingsState.save_thresholds.fn(state, form) is not None  # a toast
    assert state.threshold_errors == {}
    assert state.thresholds["tuning_pending_days"] == "150"
    assert state.thresholds["default_interval_months"] == "6"
