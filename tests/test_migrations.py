"""Alembic migrations on real empty databases (SQLite and MariaDB).

The schema is only ever built by the migrations; these tests show that the
migrations produce exactly the models' schema, can be undone and redone, and
never lose data on SQLite when batch mode rebuilds a table.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from piano_emotion import migrations
from piano_emotion.db import create_engine_for
from piano_emotion.models import metadata
from piano_emotion.models.types import UtcDateTime

ROOT = Path(__file__).resolve().parent.parent
VERSIONS = ROOT / "alembic" / "versions"
BACKENDS = pytest.mark.parametrize("empty_database_url", ["sqlite", "mariadb"], indirect=True)
NOW = "2025-03-01 10:00:00"


@pytest.fixture
def db(empty_database_url) -> Iterator[sa.Engine]:
    engine = create_engine_for(empty_database_url)
    yield engine
    engine.dispose()


def schema_differences(engine: sa.Engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": migrations.compare_type,
                "include_object": migrations.include_object,
            },
        )
        return compare_metadata(context, metadata)


def current(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return migrations.current_revision(conn)


def table_names(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def revisions() -> list[str]:
    """Every revision, oldest first."""
    script = ScriptDirectory.from_config(migrations.alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def insert_technician_with_data(engine: sa.Engine) -> None:
    """A user, a client and a piano, written with plain SQL (any schema revision)."""
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO users (created_at, updated_at, email, name, locale, role, is_active)"
                " VALUES (:now, :now, 'ana@example.es', 'Ana', 'es', 'technician', 1)"
            ),
            {"now": NOW},
        )
        user_id = conn.execute(sa.text("SELECT id FROM users")).scalar_one()
        conn.execute(
            sa.text(
                "INSERT INTO clients (created_at, updated_at, technician_id, name, client_type,"
                " email, phone, tax_id, address, city, postal_code, region, notes, route_group,"
                " archived, search_text) VALUES (:now, :now, :user_id, 'Conservatorio',"
                " 'conservatory', '', '', '', '', '', '', '', '', '', 0, '')"
            ),
            {"now": NOW, "user_id": user_id},
        )
        client_id = conn.execute(sa.text("SELECT id FROM clients")).scalar_one()
        conn.execute(
            sa.text(
                "INSERT INTO pianos (created_at, updated_at, technician_id, client_id, brand,"
                " model, serial_number, category, `condition`, room, floor, notes, archived,"
                " search_text) VALUES (:now, :now, :user_id, :client_id, 'Yamaha', 'U3', '',"
                " 'vertical', 'good', '', '', '', 0, '')"
            ),
            {"now": NOW, "user_id": user_id, "client_id": client_id},
        )


def row_counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: conn.execute(sa.text(f"SELECT COUNT(*) FROM {name}")).scalar_one()
            for name in ("users", "clients", "pianos")
        }


# -- the migrations build exactly the models ------------------------------------------


@BACKENDS
def test_upgrade_head_on_an_empty_database_matches_the_models(db):
    assert current(db) is None

    migrations.upgrade(db)

    assert current(db) == migrations.head_revision()
    assert schema_differences(db) == []
    assert table_names(db) == set(metadata.tables) | {"alembic_version"}


@BACKENDS
def test_downgrade_to_base_and_upgrade_again(db):
    migrations.upgrade(db)

    migrations.downgrade(db, "base")

    assert current(db) is None
    assert table_names(db) <= {"alembic_version"}

    migrations.upgrade(db)

    assert current(db) == migrations.head_revision()
    assert schema_differences(db) == []


@BACKENDS
def test_each_revision_after_the_first_downgrades_and_upgrades_with_data(db):
    """Step down and up through every revision except the initial one, data kept."""
    chain = revisions()
    migrations.upgrade(db)
    insert_technician_with_data(db)
    expected = {"users": 1, "clients": 1, "pianos": 1}

    for position in range(len(chain) - 1, 0, -1):
        revision = chain[position]
        migrations.downgrade(db, "-1")
        assert current(db) == chain[position - 1]
        assert row_counts(db) == expected, f"downgrade of {revision} lost rows"
    assert current(db) == chain[0]

    migrations.upgrade(db)
    assert current(db) == migrations.head_revision()
    assert row_counts(db) == expected
    assert schema_differences(db) == []


@pytest.mark.parametrize("empty_database_url", ["sqlite"], indirect=True)
def test_sqlite_foreign_keys_are_back_on_after_migrating(db):
    migrations.upgrade(db)
    migrations.downgrade(db, "-1")
    migrations.upgrade(db)
    # The pooled connection the migrations used is handed out again.
    with db.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        with pytest.raises(sa.exc.IntegrityError):
            conn.execute(
                sa.text(
                    "INSERT INTO clients (created_at, updated_at, technician_id, name,"
                    " client_type, email, phone, tax_id, address, city, postal_code, region,"
                    " notes, route_group, archived, search_text) VALUES (:now, :now, 4242,"
                    " 'X', 'student', '', '', '', '', '', '', '', '', '', 0, '')"
                ),
                {"now": NOW},
            )


# -- batch mode on SQLite must never cascade-delete ----------------------------------------


def _scratch_project(tmp_path: Path, monkeypatch, upgrade_body: str) -> str:
    """A copy of the project's Alembic set-up plus one extra revision on top of head."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(ROOT / "alembic.ini", project / "alembic.ini")
    shutil.copytree(
        ROOT / "alembic", project / "alembic", ignore=shutil.ignore_patterns("__pycache__")
    )
    head = migrations.head_revision()
    revision = "ffff00000001"
    (project / "alembic" / "versions" / f"29991231_{revision}_scratch.py").write_text(
        f'"""scratch revision for a test"""\n'
        "import sqlalchemy as sa\n"
        "from alembic import op\n\n"
        f"revision = {revision!r}\n"
        f"down_revision = {head!r}\n"
        "branch_labels = None\n"
        "depends_on = None\n\n\n"
        "def upgrade() -> None:\n"
        f"{upgrade_body}\n\n\n"
        "def downgrade() -> None:\n"
        "    pass\n"
    )
    monkeypatch.setattr(migrations, "PROJECT_ROOT", project)
    assert migrations.head_revision() == revision
    return revision


@pytest.mark.parametrize("empty_database_url", ["sqlite"], indirect=True)
def test_rebuilding_the_users_table_keeps_every_technicians_data(db, tmp_path, monkeypatch):
    """Batch mode copies ``users`` and drops the original; no cascade may fire.

    With SQLite foreign keys on, that DROP TABLE deletes every user row first and
    ON DELETE CASCADE takes all clients and pianos with it.
    """
    migrations.upgrade(db)
    insert_technician_with_data(db)
    revision = _scratch_project(
        tmp_path,
        monkeypatch,
        "    with op.batch_alter_table('users', recreate='always') as batch_op:\n"
        "        batch_op.add_column(sa.Column('scratch', sa.Integer(), nullable=True))",
    )

    migrations.upgrade(db)

    assert current(db) == revision
    assert "scratch" in {c["name"] for c in sa.inspect(db).get_columns("users")}
    assert row_counts(db) == {"users": 1, "clients": 1, "pianos": 1}
    with db.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


@pytest.mark.parametrize("empty_database_url", ["sqlite"], indirect=True)
def test_a_migration_leaving_dangling_references_is_refused(db, tmp_path, monkeypatch):
    migrations.upgrade(db)
    head = migrations.head_revision()
    orphan = (
        "INSERT INTO clients (created_at, updated_at, technician_id, name, client_type, email,"
        " phone, tax_id, address, city, postal_code, region, notes, route_group, archived,"
        " search_text) VALUES ('2025-01-01', '2025-01-01', 4242, 'Huérfano', 'student', '', '',"
        " '', '', '', '', '', '', '', 0, '')"
    )
    _scratch_project(tmp_path, monkeypatch, f"    op.execute({orphan!r})")

    with pytest.raises(migrations.MigrationError, match="missing rows"):
        migrations.upgrade(db)

    assert current(db) == head
    assert row_counts(db)["clients"] == 0
    with db.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


# -- the command line uses the same environment ------------------------------------------------


@BACKENDS
def test_alembic_command_line_upgrades_a_database_url(empty_database_url, db):
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "-x", f"url={empty_database_url}", "upgrade", "head"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert current(db) == migrations.head_revision()
    assert schema_differences(db) == []


# -- the migration files --------------------------------------------------------------------


def test_migration_files_exist_and_form_one_chain():
    files = sorted(VERSIONS.glob("*.py"))
    assert files, "alembic/versions has no migrations"
    script = ScriptDirectory.from_config(migrations.alembic_config())
    assert len(script.get_heads()) == 1, "the migrations have branched"
    assert script.get_current_head() == migrations.head_revision()
    chain = revisions()
    assert len(chain) == len(files)
    assert script.get_revision(chain[0]).down_revision is None
    for path in files:
        match = re.fullmatch(r"(\d{4})_\w+\.py", path.name)
        assert match, f"{path.name} does not follow the file template"
        assert match.group(1) in chain


def test_the_app_never_builds_tables_with_create_all():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "piano_emotion").rglob("*.py")
        if "create_all" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_compare_type_looks_at_what_a_utc_column_stores():
    utc = UtcDateTime()
    assert migrations.compare_type(None, None, None, sa.DateTime(), utc) is False
    assert migrations.compare_type(None, None, None, sa.String(30), utc) is True
    assert migrations.compare_type(None, None, None, sa.Integer(), sa.Integer()) is None


def test_include_object_leaves_out_only_alembic_bookkeeping():
    assert migrations.include_object(None, "alembic_version", "table", True, None) is False
    assert migrations.include_object(None, "users", "table", False, None) is True
    assert migrations.include_object(None, "alembic_version", "column", True, None) is True


def test_utc_timestamps_survive_a_fresh_migration(tmp_path):
    """A column built by the migration (not by create_all) keeps aware UTC round trips."""
    engine = create_engine_for(f"sqlite:///{tmp_path / 'ts.db'}")
    try:
        migrations.upgrade(engine)
        moment = datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
        table = metadata.tables["job_runs"]
        with engine.begin() as conn:
            conn.execute(
                table.insert().values(
                    created_at=moment,
                    updated_at=moment,
                    job_name="check",
                    period_key="2025-01-02",
                    started_at=moment,
                )
            )
            assert conn.execute(sa.select(table.c.started_at)).scalar_one() == moment
    finally:
        engine.dispose()
