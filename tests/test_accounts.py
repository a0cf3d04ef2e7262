"""Local accounts on a real database: sign up, sign in, throttling, passwords, profile."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, func, select

from piano_emotion.auth import accounts, current, throttle
from piano_emotion.auth.current import user_for_claims
from piano_emotion.auth.passwords import verify_password
from piano_emotion.auth.tokens import decode_session_token, issue_session_token
from piano_emotion.domain.errors import DomainError, ValidationFailed
from piano_emotion.models import LoginAttempt, User
from piano_emotion.models.enums import Locale
from piano_emotion.models.types import utcnow
from piano_emotion.settings import load_settings

PASSWORD = "Afinacion-440Hz"
OTHER_PASSWORD = "Regulacion-442Hz"
SETTINGS = load_settings(
    {"NODE_ENV": "test", "JWT_SECRET": "accounts-test-secret-0123456789-abcdefghijk"}
)


def sign_up(session: Session, email: str = "ana@example.es", password: str = PASSWORD, **kw):
    user = accounts.sign_up(
        session, name=kw.pop("name", "Ana Afinadora"), email=email, password=password, **kw
    )
    session.commit()
    return user


def user_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(User)).one()


def attempt_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(LoginAttempt)).one()


def wrong_sign_in(session: Session, email: str, address: str = "198.51.100.1") -> DomainError:
    with pytest.raises(DomainError) as caught:
        accounts.sign_in(session, email=email, password="not-the-password", address=address)
    session.rollback()
    return caught.value


# -- sign up --------------------------------------------------------------------


def test_sign_up_normalises_the_email_and_hashes_the_password(session):
    user = sign_up(session, email=" Ana@Example.ES ", name="  Ana Afinadora  ")

    stored = session.exec(select(User)).one()
    assert stored.id == user.id
    assert stored.email == "ana@example.es"
    assert stored.name == "Ana Afinadora"
    assert stored.external_id is None
    assert stored.is_active
    assert stored.session_version == 1
    assert stored.locale == Locale.ES
    assert stored.password_hash.startswith("$argon2id$")
    assert verify_password(stored.password_hash, PASSWORD)


def test_sign_up_keeps_an_english_locale_and_ignores_unknown_ones(session):
    assert sign_up(session, email="en@example.es", locale="en").locale == Locale.EN
    assert sign_up(session, email="xx@example.es", locale="xx").locale == Locale.ES


@pytest.mark.parametrize("again", ["ana@example.es", "ANA@EXAMPLE.ES", "  Ana@Example.Es "])
def test_duplicate_email_in_any_case_is_refused(session, again):
    sign_up(session, email="ana@example.es")

    with pytest.raises(ValidationFailed) as caught:
        accounts.sign_up(session, name="Otra Ana", email=again, password=OTHER_PASSWORD)
    session.rollback()

    assert caught.value.fields == {"email": "error.email_taken"}
    assert user_count(session) == 1
    assert session.exec(select(User)).one().name == "Ana Afinadora"


def test_bad_input_reports_every_field_and_writes_nothing(session):
    with pytest.raises(ValidationFailed) as caught:
        accounts.sign_up(session, name="   ", email="not-an-email", password="1234567")
    session.rollback()

    assert caught.value.fields == {
        "name": "error.name_required",
        "email": "error.email_invalid",
        "password": "error.password_too_short",
    }
    assert user_count(session) == 0


@pytest.mark.parametrize(
    ("name", "email", "password", "field", "key"),
    [
        ("", "ana@example.es", PASSWORD, "name", "error.name_required"),
        ("A" * 121, "ana@example.es", PASSWORD, "name", "error.name_too_long"),
        ("Ana", "", PASSWORD, "email", "error.email_required"),
        ("Ana", "ana", PASSWORD, "email", "error.email_invalid"),
        ("Ana", "ana@", PASSWORD, "email", "error.email_invalid"),
        ("Ana", "ana@example", PASSWORD, "email", "error.email_invalid"),
        ("Ana", "ana maria@example.es", PASSWORD, "email", "error.email_invalid"),
        ("Ana", "a" * 190 + "@example.es", PASSWORD, "email", "error.email_invalid"),
        ("Ana", "ana@example.es", "", "password", "error.password_too_short"),
        ("Ana", "ana@example.es", "7chars!", "password", "error.password_too_short"),
        ("Ana", "ana@example.es", "x" * 257, "password", "error.password_too_long"),
    ],
)
def test_each_bad_field_is_reported_and_nothing_is_written(
    session, name, email, password, field, key
):
    with pytest.raises(ValidationFailed) as caught:
        accounts.sign_up(session, name=name, email=email, password=password)
    session.rollback()

    assert caught.value.fields == {field: key}
    assert user_count(session) == 0


def test_an_eight_character_password_is_enough(session):
    user = sign_up(session, password="8chars!!")
    assert verify_password(user.password_hash, "8chars!!")


def test_the_password_is_never_stored_in_clear(session):
    secret = "Clave-Muy-Secreta-2024"
    sign_up(session, password=secret)
    accounts.sign_in(session, email="ana@example.es", password=secret, address="192.0.2.10")
    session.commit()

    users = session.connection().execute(sa.select(User.__table__)).mappings().all()
    attempts = session.connection().execute(sa.select(LoginAttempt.__table__)).mappings().all()
    assert len(users) == 1
    assert attempts
    assert users[0]["password_hash"] != secret
    for row in [*users, *attempts]:
        for column, value in row.items():
            assert secret not in str(value), f"password found in {column}"


# -- sign in --------------------------------------------------------------------


def test_sign_in_with_the_right_password(session):
    user = sign_up(session)

    signed_in = accounts.sign_in(
        session, email=" ANA@example.es", password=PASSWORD, address="192.0.2.1"
    )
    session.commit()

    assert signed_in.id == user.id
    assert signed_in.last_login_at is not None
    attempt = session.exec(select(LoginAttempt)).one()
    assert attempt.succeeded
    assert attempt.email == "ana@example.es"
    assert attempt.address == "192.0.2.1"


def test_wrong_password_and_unknown_email_give_the_same_error(session):
    sign_up(session)

    wrong_password = wrong_sign_in(session, "ana@example.es")
    unknown_email = wrong_sign_in(session, "nadie@example.es")

    assert type(wrong_password) is DomainError
    assert type(unknown_email) is DomainError
    assert wrong_password.key == unknown_email.key == "error.wrong_credentials"
    assert wrong_password.params == unknown_email.params == {}
    # Both failures were recorded (and survive the caller's rollback).
    failures = session.exec(select(LoginAttempt).where(LoginAttempt.succeeded == sa.false()))
    assert sorted(a.email for a in failures) == ["ana@example.es", "nadie@example.es"]


def test_an_empty_password_is_wrong(session):
    sign_up(session)
    with pytest.raises(DomainError) as caught:
        accounts.sign_in(session, email="ana@example.es", password="")
    assert caught.value.key == "error.wrong_credentials"


def test_an_inactive_user_cannot_sign_in(session):
    user = sign_up(session)
    user.is_active = False
    session.add(user)
    session.commit()

    error = wrong_sign_in(session, "ana@example.es")
    assert error.key == "error.wrong_credentials"
    with pytest.raises(DomainError) as caught:
        accounts.sign_in(session, email="ana@example.es", password=PASSWORD)
    assert caught.value.key == "error.wrong_credentials"


def test_an_account_without_a_password_cannot_sign_in_locally(session):
    session.add(User(email="clerk@example.es", name="Clerk", external_id="user_2abc"))
    session.commit()
    with pytest.raises(DomainError) as caught:
        accounts.sign_in(session, email="clerk@example.es", password="")
    assert caught.value.key == "error.wrong_credentials"


# -- throttling -----------------------------------------------------------------


def test_five_failures_for_an_email_lock_it_even_for_the_right_password(session):
    sign_up(session)
    for attempt in range(5):
        # A different address each time: the email alone triggers the lock.
        assert wrong_sign_in(session, "ana@example.es", f"198.51.100.{attempt}").key == (
            "error.wrong_credentials"
        )

    with pytest.raises(DomainError) as caught:
        accounts.sign_in(session, email="ANA@example.es", password=PASSWORD, address="203.0.113.99")
    assert caught.value.key == "error.too_many_attempts"
    assert 1 <= caught.value.params["minutes"] <= 16
    # The refused attempt is not even checked against the password, nor counted.
    assert attempt_count(session) == 5


def test_four_failures_do_not_lock(session):
    sign_up(session)
    for _ in range(4):
        wrong_sign_in(session, "ana@example.es")
    assert accounts.sign_in(session, email="ana@example.es", password=PASSWORD).email == (
        "ana@example.es"
    )


def test_the_email_lock_does_not_touch_other_accounts(session):
    sign_up(session)
    sign_up(session, email="bea@example.es", name="Bea")
    for attempt in range(5):
        wrong_sign_in(session, "ana@example.es", f"198.51.100.{attempt}")

    bea = accounts.sign_in(session, email="bea@example.es", password=PASSWORD, address="192.0.2.8")
    assert bea.email == "bea@example.es"


def test_five_failures_from_one_address_lock_that_address(session):
    sign_up(session)
    for number in range(5):
        wrong_sign_in(session, f"probe{number}@example.es", address="198.51.100.66")

    with pytest.raises(DomainError) as caught:
        accounts.sign_in(
            session, email="ana@example.es", password=PASSWORD, address="198.51.100.66"
        )
    assert caught.value.key == "error.too_many_attempts"
    assert caught.value.params["minutes"] >= 1

    # The same account from another address is fine.
    user = accounts.sign_in(session, email="ana@example.es", password=PASSWORD, address="192.0.2.2")
    assert user.email == "ana@example.es"


def test_failures_older_than_fifteen_minutes_do_not_count(session):
    sign_up(session)
    now = utcnow()
    for minutes_ago in (16, 17, 20, 30, 60):
        throttle.record_attempt(
            session,
            "ana@example.es",
            "198.51.100.7",
            False,
            now=now - timedelta(minutes=minutes_ago),
        )
    session.commit()

    assert not throttle.check_lockout(session, "ana@example.es", "198.51.100.7", now=now).locked
    user = accounts.sign_in(
        session, email="ana@example.es", password=PASSWORD, address="198.51.100.7"
    )
    assert user.email == "ana@example.es"


def test_a_lock_lasts_until_the_fifth_most_recent_failure_leaves_the_window(session):
    start = utcnow() - timedelta(minutes=10, seconds=30)
    for second in range(5):
        throttle.record_attempt(
            session, "ana@example.es", "", False, now=start + timedelta(seconds=second)
        )
    session.commit()
    now = utcnow()

    lockout = throttle.check_lockout(session, "ana@example.es", "", now=now)
    assert lockout.locked
    # The oldest counting failure leaves the window 4.5 minutes from now.
    assert lockout.retry_after_minutes == 5

    almost = start + throttle.WINDOW - timedelta(seconds=1)
    assert throttle.check_lockout(session, "ana@example.es", "", now=almost).locked
    later = start + throttle.WINDOW + timedelta(seconds=1)
    assert not throttle.check_lockout(session, "ana@example.es", "", now=later).locked


def test_successful_attempts_do_not_count(session):
    now = utcnow()
    for second in range(20):
        throttle.record_attempt(
            session, "ana@example.es", "198.51.100.9", True, now=now - timedelta(seconds=second)
        )
    for second in range(4):
        throttle.record_attempt(
            session, "ana@example.es", "198.51.100.9", False, now=now - timedelta(seconds=second)
        )
    session.commit()

    assert not throttle.check_lockout(session, "ana@example.es", "198.51.100.9", now=now).locked


def test_no_email_and_no_address_never_lock(session):
    for _ in range(6):
        throttle.record_attempt(session, "", "", False)
    session.commit()
    assert not throttle.check_lockout(session, "", "").locked


def test_old_attempts_are_purged(session):
    now = utcnow()
    throttle.record_attempt(session, "ana@example.es", "", False, now=now - timedelta(days=2))
    throttle.record_attempt(session, "ana@example.es", "", False, now=now)
    session.commit()

    assert throttle.purge_old_attempts(session, now=now) == 1
    session.commit()
    assert attempt_count(session) == 1


# -- change password ------------------------------------------------------------


def test_change_password_with_the_wrong_current_password(session):
    user = sign_up(session)
    with pytest.raises(ValidationFailed) as caught:
        accounts.change_password(session, user, current="not-it-at-all", new=OTHER_PASSWORD)
    session.rollback()

    assert caught.value.fields == {"current_password": "error.current_password_wrong"}
    stored = session.get(User, user.id)
    assert stored.session_version == 1
    assert verify_password(stored.password_hash, PASSWORD)


def test_change_password_to_the_same_password_is_refused(session):
    user = sign_up(session)
    with pytest.raises(ValidationFailed) as caught:
        accounts.change_password(session, user, current=PASSWORD, new=PASSWORD)
    assert caught.value.fields == {"new_password": "error.password_same"}


def test_change_password_to_a_short_password_is_refused(session):
    user = sign_up(session)
    with pytest.raises(ValidationFailed) as caught:
        accounts.change_password(session, user, current=PASSWORD, new="short")
    assert caught.value.fields == {"new_password": "error.password_too_short"}


def test_change_password_without_a_local_password(session):
    user = User(email="clerk@example.es", name="Clerk", external_id="user_2abc")
    session.add(user)
    session.commit()
    with pytest.raises(ValidationFailed) as caught:
        accounts.change_password(session, user, current="", new=OTHER_PASSWORD)
    assert caught.value.fields == {"current_password": "error.current_password_wrong"}


def test_change_password_invalidates_earlier_sessions(session):
    user = sign_up(session)
    old_claims = decode_session_token(
        issue_session_token(user.id, user.session_version, SETTINGS), SETTINGS
    )
    assert user_for_claims(session, old_claims).id == user.id

    accounts.change_password(session, user, current=PASSWORD, new=OTHER_PASSWORD)
    session.commit()

    stored = session.get(User, user.id)
    assert stored.session_version == 2
    assert user_for_claims(session, old_claims) is None
    new_claims = decode_session_token(
        issue_session_token(stored.id, stored.session_version, SETTINGS), SETTINGS
    )
    assert user_for_claims(session, new_claims).id == user.id
    # The new password works and the old one does not.
    assert accounts.sign_in(session, email="ana@example.es", password=OTHER_PASSWORD).id == user.id
    assert wrong_sign_in(session, "ana@example.es").key == "error.wrong_credentials"
    with pytest.raises(DomainError):
        accounts.sign_in(session, email="ana@example.es", password=PASSWORD)


def test_user_for_claims_refuses_unknown_and_inactive_users(session):
    user = sign_up(session)
    claims = decode_session_token(issue_session_token(user.id, 1, SETTINGS), SETTINGS)
    ghost = decode_session_token(issue_session_token(user.id + 1000, 1, SETTINGS), SETTINGS)

    assert user_for_claims(session, None) is None
    assert user_for_claims(session, ghost) is None
    user.is_active = False
    session.add(user)
    session.commit()
    assert user_for_claims(session, claims) is None


# -- profile --------------------------------------------------------------------


def test_update_profile(session):
    user = sign_up(session)
    accounts.update_profile(session, user, name="  Ana María  ", locale="en")
    session.commit()

    stored = session.get(User, user.id)
    assert stored.name == "Ana María"
    assert stored.locale == Locale.EN


@pytest.mark.parametrize(
    ("name", "locale", "expected"),
    [
        ("", "es", {"name": "error.name_required"}),
        ("   ", "es", {"name": "error.name_required"}),
        ("B" * 121, "es", {"name": "error.name_too_long"}),
        ("Ana", "fr", {"locale": "error.locale_invalid"}),
        ("Ana", "", {"locale": "error.locale_invalid"}),
        ("", "xx", {"name": "error.name_required", "locale": "error.locale_invalid"}),
    ],
)
def test_update_profile_validation_changes_nothing(session, name, locale, expected):
    user = sign_up(session)
    with pytest.raises(ValidationFailed) as caught:
        accounts.update_profile(session, user, name=name, locale=locale)
    session.rollback()

    assert caught.value.fields == expected
    stored = session.get(User, user.id)
    assert stored.name == "Ana Afinadora"
    assert stored.locale == Locale.ES


# -- the request's copy of the account ------------------------------------------------
def claims_of(user: User):
    return decode_session_token(
        issue_session_token(user.id, user.session_version, SETTINGS), SETTINGS
    )


def test_the_account_of_a_session_is_read_once_then_from_the_cache(session, fresh_cache):
    user = sign_up(session)
    session.commit()
    claims = claims_of(user)
    first = user_for_claims(session, claims)
    assert (first.id, first.email, first.locale, first.role) == (
        user.id,
        user.email,
        Locale.ES,
        user.role,
    )
    # Written behind the ORM's back (no invalidation): the copy is served.
    session.execute(sa.update(User).where(User.id == user.id).values(name="Sin Avisar"))
    session.commit()
    assert user_for_claims(session, claims).name == "Ana Afinadora"
    # The secrets stay in the database: neither in the copy nor in the cache.
    copy = user_for_claims(session, claims)
    assert copy.password_hash is None and copy.calendar_token is None
    stored = fresh_cache.get(current.cache_key(user.id, current.ACCOUNT_ENTITY, "session", None))
    assert "argon2" not in repr(stored)


def test_a_write_of_the_account_drops_the_copy_on_commit(session, fresh_cache):
    user = sign_up(session)
    session.commit()
    claims = claims_of(user)
    user_for_claims(session, claims)
    accounts.update_profile(session, user, name="Ana Nueva", locale="en")
    assert user_for_claims(session, claims).name != "Ana Nueva"  # not committed yet
    session.commit()
    renamed = user_for_claims(session, claims)
    assert (renamed.name, renamed.locale) == ("Ana Nueva", Locale.EN)
    # Disabled: the session stops at once.
    row = session.get(User, user.id)
    row.is_active = False
    session.commit()
    assert user_for_claims(session, claims) is None
    # A rollback drops nothing (and changed nothing).
    row.is_active = True
    session.flush()
    session.rollback()
    assert user_for_claims(session, claims) is None


def test_writes_take_the_row_not_the_requests_copy(session, fresh_cache):
    """The copy a request holds has no hash: a password change reads the row."""
    user = sign_up(session)
    session.commit()
    copy = user_for_claims(session, claims_of(user))
    session.expunge_all()
    changed = accounts.change_password(session, copy, current=PASSWORD, new=OTHER_PASSWORD)
    session.commit()
    assert changed is not copy and changed.session_version == 2
    assert verify_password(session.get(User, user.id).password_hash, OTHER_PASSWORD)
    assert user_for_claims(session, claims_of(copy)) is None  # the old session
    assert accounts.has_password(session, copy)
