"""Every page address, in one place (Spanish paths, as the users know them)."""

from __future__ import annotations

from dataclasses import dataclass

HOME = "/"
CLIENTS = "/clientes"
PIANOS = "/pianos"
SERVICES = "/servicios"
AGENDA = "/agenda"
QUOTES = "/presupuestos"
INVOICES = "/facturas"
RATES = "/tarifas"
INVENTORY = "/inventario"
REMINDERS = "/recordatorios"
SETTINGS = "/ajustes"
MONITOR = "/monitor-cache"
SIGN_IN = "/entrar"
SIGN_UP = "/registro"

CLIENT_DETAIL = "/clientes/[client_ref]"
PIANO_DETAIL = "/pianos/[piano_ref]"
SERVICE_DETAIL = "/servicios/[service_ref]"


def client_detail(client_id: int) -> str:
    return f"{CLIENTS}/{client_id}"


def piano_detail(piano_id: int) -> str:
    return f"{PIANOS}/{piano_id}"


def service_detail(service_id: int) -> str:
    return f"{SERVICES}/{service_id}"


# Pages anyone can open; every other page needs a session.
PUBLIC_ROUTES = frozenset({SIGN_IN, SIGN_UP})

API_HEALTH = "/api/health"
API_CALENDAR = "/api/calendar/{token}.ics"
API_CRON = "/api/cron/{job}"


@dataclass(frozen=True)
class Section:
    """A sidebar entry: where it goes, its label key and its icon."""

    route: str
    label_key: str
    icon: str


SECTIONS: tuple[Section, ...] = (
    Section(HOME, "nav.home", "house"),
    Section(CLIENTS, "nav.clients", "users"),
    Section(PIANOS, "nav.pianos", "piano"),
    Section(SERVICES, "nav.services", "wrench"),
    Section(AGENDA, "nav.agenda", "calendar-days"),
    Section(QUOTES, "nav.quotes", "file-text"),
    Section(INVOICES, "nav.invoices", "receipt"),
    Section(RATES, "nav.rates", "tags"),
    Section(INVENTORY, "nav.inventory", "package"),
    Section(REMINDERS, "nav.reminders", "bell-ring"),
    Section(SETTINGS, "nav.settings", "settings"),
)
