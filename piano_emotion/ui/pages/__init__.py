"""One module per route; importing this package registers every page."""

from piano_emotion.ui.pages import home, not_found, sections  # noqa: F401
