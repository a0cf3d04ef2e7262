"""Root pytest configuration.

``rxconfig`` is imported first so that Reflex finds the venv's Node and npm
(PLATFORM.md) in any test that builds or runs the app.
"""

import os

os.environ.setdefault("NODE_ENV", "test")
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")

import rxconfig  # noqa: F401

# Fixtures of the page-state tests (technician, other_technician, signed_in).
pytest_plugins = ["tests.ui_states"]
