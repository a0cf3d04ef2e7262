"""MySQL/TiDB connection checks at the price of what they catch (``db.py``):
no ping at a busy checkout and no ROLLBACK after a COMMIT, but a connection
idle in the pool is pinged (a dead one replaced) and one returned with its
transaction open is rolled back. Against the real MariaDB."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from piano_emotion import db
from piano_emotion.db import create_engine_for


@pytest.fixture
def mysql_engine(mariadb_databases):
    engine = create_engine_for(mariadb_databases.create(), pool_size=1, max_overflow=0)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE notes (id INT PRIMARY KEY, body VARCHAR(20))"))
    yield engine
    engine.dispose()


def _status(conn, name: str) -> int:
    """A counter of this connection's own session on the server."""
    row = conn.exec_driver_sql(f"SHOW SESSION STATUS LIKE '{name}'").one()
    return int(row[1])


def _connection_id(engine) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT CONNECTION_ID()").scalar_one()


def test_a_committed_session_returns_without_a_rollback_or_a_ping(mysql_engine):
    with mysql_engine.connect() as conn:
        rollbacks, pings = _status(conn, "Com_rollback"), _status(conn, "Com_admin_commands")
    for _ in range(3):
        with Session(mysql_engine) as session:
            session.exec(sa.text("SELECT COUNT(*) FROM notes")).one()
            session.commit()
    with mysql_engine.connect() as conn:  # the pool's only connection, same server session
        # One ROLLBACK: the first reading's own (its connection closed in a
        # transaction); none after the three COMMITs, and no ping.
        assert _status(conn, "Com_rollback") == rollbacks + 1
        assert _status(conn, "Com_admin_commands") == pings


def test_a_connection_returned_mid_transaction_is_rolled_back(mysql_engine):
    raw = mysql_engine.raw_connection()
    cursor = raw.cursor()
    cursor.execute("INSERT INTO notes VALUES (1, 'not committed')")
    cursor.close()
    raw.close()  # back to the pool with the INSERT pending
    with mysql_engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM notes").scalar_one() == 0
    with mysql_engine.connect() as conn:  # and nothing of it commits later
        conn.commit()
    with Session(mysql_engine) as session:
        assert session.exec(sa.text("SELECT COUNT(*) FROM notes")).one()[0] == 0


def test_a_failed_statement_leaves_nothing_open(mysql_engine):
    with pytest.raises(sa.exc.IntegrityError), Session(mysql_engine) as session:
        session.exec(sa.text("INSERT INTO notes VALUES (1, 'first')"))
        session.exec(sa.text("INSERT INTO notes VALUES (1, 'duplicate')"))
    with mysql_engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM notes").scalar_one() == 0


def test_a_connection_killed_while_idle_is_replaced(mysql_engine, mariadb_databases, monkeypatch):
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)
    dead = _connection_id(mysql_engine)
    with mariadb_databases.admin.connect() as admin:
        admin.exec_driver_sql(f"KILL CONNECTION {dead}")
    with mysql_engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM notes").scalar_one() == 0
        assert conn.exec_driver_sql("SELECT CONNECTION_ID()").scalar_one() != dead


def test_a_busy_connection_is_not_pinged(mysql_engine, mariadb_databases):
    # Not idle long enough to be pinged: a connection killed meanwhile fails
    # its next statement, which invalidates it; the pool then connects anew.
    dead = _connection_id(mysql_engine)
    with mariadb_databases.admin.connect() as admin:
        admin.exec_driver_sql(f"KILL CONNECTION {dead}")
    with pytest.raises(sa.exc.OperationalError), mysql_engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    assert _connection_id(mysql_engine) != dead


# -- session_scope: a page whose reads were all cache hits -------------------------
def _transactions_begun(session: Session) -> list[object]:
    begun: list[object] = []
    sa.event.listen(session, "after_transaction_create", lambda s, t: begun.append(t))
    return begun


def test_a_scope_that_sent_nothing_begins_and_commits_no_transaction(engine):
    # Every read a hit: the session never touched the database, so there is
    # nothing to commit (Session.commit would autobegin a transaction to end it).
    with db.session_scope(engine) as session:
        begun = _transactions_begun(session)
    assert begun == []


def test_a_scope_that_read_commits_what_it_began(engine):
    with db.session_scope(engine) as session:
        begun = _transactions_begun(session)
        session.exec(sa.select(sa.literal(1))).one()
        transaction = session.get_transaction()
    assert begun == [transaction]
    assert not transaction.is_active  # committed and closed


def test_a_scope_with_only_commit_work_still_commits(engine):
    # Work queued for the commit hooks (an invalidation) with no statement sent.
    committed: list[object] = []
    with db.session_scope(engine) as session:
        sa.event.listen(session, "after_commit", committed.append)
        session.info["pending_cache_invalidations"] = ["t1:clients"]
    assert committed == [session]
