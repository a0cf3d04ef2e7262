"""One module per route; importing this package registers every page."""

from piano_emotion.ui.pages import auth, home, not_found, sections, settings  # noqa: F401
