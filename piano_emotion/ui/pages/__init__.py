"""One module per route; importing this package registers every page."""

from piano_emotion.ui.pages import (  # noqa: F401
    agenda,
    auth,
    clients,
    home,
    inventory,
    invoices,
    monitor,
    not_found,
    pay,
    pianos,
    quotes,
    rates,
    reminders,
    services,
    settings,
)
