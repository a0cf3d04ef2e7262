"""The account a session check reads: a detached copy through the cache,
built without ``User.__init__`` (``auth.current._detached_account``)."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlmodel import Session

from piano_emotion.auth.current import SESSION_ACCOUNT_FIELDS, session_account
from piano_emotion.models import User
from piano_emotion.models.enums import Locale, UserRole
from tests.ui_states import in_a_fresh_interpreter


def test_the_copy_holds_the_rows_values_and_no_secrets(engine, technician):
    with Session(engine) as session:
        row = session.get(User, technician.id)
        row.password_hash = "argon2-hash"
        row.calendar_token = "calendar-secret"
        session.commit()
        expected = {name: getattr(row, name) for name in SESSION_ACCOUNT_FIELDS}

    with Session(engine) as session:
        first = session_account(session, technician.id)  # loaded
        copy = session_account(session, technician.id)  # from the cache

    for user in (first, copy):
        assert {name: getattr(user, name) for name in SESSION_ACCOUNT_FIELDS} == expected
        assert isinstance(user.locale, Locale) and isinstance(user.role, UserRole)
        assert user.password_hash is None and user.calendar_token is None
        assert inspect(user).transient  # in no session: never written back
        assert user.model_dump() == {
            **expected,
            "password_hash": None,
            "calendar_token": None,
        }
        assert user.model_fields_set == set(SESSION_ACCOUNT_FIELDS)


def test_an_unknown_account_is_none(engine):
    with Session(engine) as session:
        assert session_account(session, 987654) is None


def test_the_copy_reads_in_a_worker_that_never_queried():
    """A cached account may be the first model a worker builds: its mapped
    attributes work before any query configured the mappers."""
    script = (
        "import json\n"
        "from piano_emotion.auth.current import _detached_account\n"
        "user = _detached_account({'id': 7, 'email': 'ana@example.es', 'name': 'Ana'})\n"
        "print(json.dumps([user.id, user.email, user.password_hash]))\n"
    )
    assert in_a_fresh_interpreter(script) == [7, "ana@example.es", None]
