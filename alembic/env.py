"""Alembic environment: the models' metadata, the app's database URL.

The connection comes, in order, from ``config.attributes["connection"]``
(tests and the app's own migrate step), ``-x url=...``, or ``DATABASE_URL``.
SQLite runs in batch mode so that ALTERs work there too; a connection given in
``config.attributes`` must come from ``piano_emotion.migrations.migration_connection``
(``migrations.upgrade``/``downgrade`` do that) so that SQLite foreign keys are
off while batch mode rebuilds tables.
"""

from __future__ import annotations

import logging.config

import piano_emotion.models  # noqa: F401  (registers every table)
from alembic import context
from piano_emotion.db import create_engine_for
from piano_emotion.migrations import compare_type, include_object, migration_connection
from piano_emotion.models import metadata
from piano_emotion.settings import get_settings

config = context.config
if config.config_file_name and not config.attributes.get("skip_logging"):
    logging.config.fileConfig(config.config_file_name, disable_existing_loggers=False)


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=compare_type,
        include_object=include_object,
    )


def run_migrations_offline() -> None:
    url = context.get_x_argument(as_dictionary=True).get("url") or get_settings().database_url
    context.configure(
        url=url,
        target_metadata=metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or get_settings().database_url
    engine = create_engine_for(url)
    try:
        # Same connection set-up as the app's migrate step (SQLite foreign keys
        # off while tables are rebuilt, so no ON DELETE CASCADE fires).
        with migration_connection(engine) as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
