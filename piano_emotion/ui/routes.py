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
QUOTE_DETAIL = "/presupuestos/[quote_ref]"
INVOICE_DETAIL = "/facturas/[invoice_ref]"


def client_detail(client_id: int) -> str:
    return f"{CLIENTS}/{client_id}"


def piano_detail(piano_id: int) -> str:
    return f"{PIANOS}/{piano_id}"


def service_detail(service_id: int) -> str:
    return f"{SERVICES}/{service_id}"


def quote_detail(quote_id: int) -> str:
    return f"{QUOTES}/{quote_id}"


def invoice_detail(invoice_id: int) -> str:
    return f"{INVOICES}/{invoice_id}"


def record_id(path: str) -> int:
    """The id a detail address ends with (``/clientes/12/`` → 12); 0 for anything else."""
    segment = (path or "").rstrip("/").rsplit("/", 1)[-1]
    return int(segment) if segment.isascii() and segment.isdigit() else 0


def invoice_pdf(invoice_id: int, lang: str) -> str:
    return f"/api/documents/invoices/{invoice_id}.pdf?lang={lang}"


def quote_pdf(quote_id: int, lang: str) -> str:
    return f"/api/documents/quotes/{quote_id}.pdf?lang={lang}"


def export_url(entity: str, fmt: str, query: str = "") -> str:
    """``/api/export/clients.xlsx?lang=es&…`` (``query``: the list's filters)."""
    return f"/api/export/{entity}.{fmt}" + (f"?{query}" if query else "")


# Pages anyone can open; every other page needs a session.
PUBLIC_ROUTES = frozenset({SIGN_IN, SIGN_UP})
# The public payment page of a sent invoice (the unguessable token is the key)
# and Stripe Checkout's return pages: no session, never the signed-in shell.
PAY = "/pagar/[pay_token]"
PAY_OK = "/pagar/[pay_token]/ok"
PAY_CANCELLED = "/pagar/[pay_token]/cancelado"
PUBLIC_PREFIXES = ("/pagar/",)


def pay_page(token: str) -> str:
    return f"/pagar/{token}"


def is_public_path(path: str) -> bool:
    return path in PUBLIC_ROUTES or path.startswith(PUBLIC_PREFIXES)


API_HEALTH = "/api/health"
API_CALENDAR = "/api/calendar/{token}.ics"
API_CRON = "/api/cron/{job}"
API_STRIPE_WEBHOOK = "/api/stripe/webhook"
API_DOCUMENT_PDF = "/api/documents/{kind:str}/{document_id:int}.pdf"
API_EXPORT = "/api/export/{entity:str}.{fmt:str}"
API_BACKUP = "/api/backup.json"
API_MONITOR_HISTORY_CSV = "/api/monitor/history.csv"


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
# Sidebar entries only the platform owner sees (the pages check on the server).
OWNER_SECTIONS: tuple[Section, ...] = (Section(MONITOR, "nav.monitor", "activity"),)
