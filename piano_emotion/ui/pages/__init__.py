"""One module per route; importing this package registers every page."""

from piano_emotion.ui.pages import (  # noqa: F401
    agenda,
    auth,
    clients,
    home,
    inventory,
    not_found,
    pianos,
    rates,
    reminders,
    sections,
    services,
    settings,
)
