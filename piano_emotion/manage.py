"""Operational commands: ``python -m piano_emotion.manage migrate|check``."""

from __future__ import annotations

import argparse
import sys

from piano_emotion import migrations
from piano_emotion.db import create_engine_for
from piano_emotion.settings import SettingsError, get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m piano_emotion.manage")
    parser.add_argument("command", choices=["migrate", "current"])
    parser.add_argument("--database-url", help="defaults to DATABASE_URL")
    args = parser.parse_args(argv)
    try:
        url = args.database_url or get_settings().database_url
    except SettingsError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    engine = create_engine_for(url)
    try:
        if args.command == "migrate":
            migrations.upgrade(engine)
        with engine.connect() as connection:
            print(f"Database schema at revision {migrations.current_revision(connection)}")
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
