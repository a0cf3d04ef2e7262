#!/usr/bin/env bash
# Install whatever is missing and run the whole test suite (extra arguments go
# to pytest). REQUIRE_SERVICES=1 makes a missing MariaDB, Redis or Chromium a
# failure instead of a skip.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ensure_venv
"$VENV/bin/ruff" check piano_emotion tests bench alembic rxconfig.py conftest.py
"$VENV/bin/ruff" format --check piano_emotion tests bench alembic rxconfig.py conftest.py
exec "$VENV/bin/python" -m pytest "$@"
