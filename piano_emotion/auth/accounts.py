"""Local accounts: sign up, sign in, change password, profile.

Errors are ``DomainError``/``ValidationFailed`` with translation keys, so the
pages show them in the user's language and nothing is written.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlmodel import Session, select

from piano_emotion.auth import throttle
from piano_emotion.auth.passwords import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    needs_rehash,
    normalise_email,
    verify_password,
)
from piano_emotion.domain.errors import DomainError, NotFound, ValidationFailed
from piano_emotion.models import User
from piano_emotion.models.enums import Locale
from piano_emotion.models.types import utcnow

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_NAME_LENGTH = 120
MAX_PASSWORD_LENGTH = 256
# Verifying against this keeps a failed sign-in for an unknown email as slow
# as one for a known email (no account enumeration by timing).
_DUMMY_HASH = hash_password("not-a-real-password-0")


def validate_email(email: str) -> str | None:
    if not email:
        return "error.email_required"
    if len(email) > 191 or not EMAIL_PATTERN.match(email):
        return "error.email_invalid"
    return None


def validate_password(password: str) -> str | None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        return "error.password_too_short"
    if len(password) > MAX_PASSWORD_LENGTH:
        return "error.password_too_long"
    return None


def validate_name(name: str) -> str | None:
    if not name:
        return "error.name_required"
    if len(name) > MAX_NAME_LENGTH:
        return "error.name_too_long"
    return None


def find_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def sign_up(session: Session, *, name: str, email: str, password: str, locale: str = "es") -> User:
    name = (name or "").strip()
    email = normalise_email(email)
    errors = {
        field: key
        for field, key in (
            ("name", validate_name(name)),
            ("email", validate_email(email)),
            ("password", validate_password(password)),
        )
        if key
    }
    if errors:
        raise ValidationFailed(errors)
    if find_by_email(session, email) is not None:
        raise ValidationFailed({"email": "error.email_taken"})
    user = User(
        name=name,
        email=email,
        password_hash=hash_password(password),
        locale=Locale(locale) if locale in Locale._value2member_map_ else Locale.ES,
        last_login_at=utcnow(),
    )
    session.add(user)
    try:
        session.flush()
    except sa.exc.IntegrityError as exc:
        # Two sign-ups with the same email at the same moment.
        session.rollback()
        raise ValidationFailed({"email": "error.email_taken"}) from exc
    return user


def sign_in(session: Session, *, email: str, password: str, address: str = "") -> User:
    """The user for these credentials, or ``DomainError`` (locked / wrong)."""
    email = normalise_email(email)
    lockout = throttle.check_lockout(session, email, address)
    if lockout.locked:
        raise DomainError("error.too_many_attempts", minutes=lockout.retry_after_minutes)
    user = find_by_email(session, email) if email else None
    if user is None or not user.password_hash:
        verify_password(_DUMMY_HASH, password or "")
        ok = False
    else:
        ok = user.is_active and verify_password(user.password_hash, password or "")
    throttle.record_attempt(session, email, address, succeeded=ok)
    if not ok:
        session.commit()  # the failed attempt must count even though we raise
        raise DomainError("error.wrong_credentials")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    session.add(user)
    session.flush()
    return user


def _account_row(session: Session, user: User) -> User:
    """The account's row in ``session``, for writing (``user`` may be the
    request's detached copy, ``current.session_account``)."""
    row = session.get(User, user.id)
    if row is None:
        raise NotFound(User.__tablename__)
    return row


def has_password(session: Session, user: User) -> bool:
    """A local password is set (a Clerk-only account has none)."""
    return bool(_account_row(session, user).password_hash)


def change_password(session: Session, user: User, *, current: str, new: str) -> User:
    user = _account_row(session, user)
    if not user.password_hash or not verify_password(user.password_hash, current or ""):
        raise ValidationFailed({"current_password": "error.current_password_wrong"})
    problem = validate_password(new)
    if problem:
        raise ValidationFailed({"new_password": problem})
    if current == new:
        raise ValidationFailed({"new_password": "error.password_same"})
    user.password_hash = hash_password(new)
    # Every session issued before the change stops working.
    user.session_version += 1
    session.add(user)
    session.flush()
    return user


def update_profile(session: Session, user: User, *, name: str, locale: str) -> User:
    user = _account_row(session, user)
    name = (name or "").strip()
    errors = {}
    if problem := validate_name(name):
        errors["name"] = problem
    if locale not in Locale._value2member_map_:
        errors["locale"] = "error.locale_invalid"
    if errors:
        raise ValidationFailed(errors)
    user.name = name
    user.locale = Locale(locale)
    session.add(user)
    session.flush()
    return user
