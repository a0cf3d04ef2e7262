"""The translation catalogue and the helpers every page uses for its text.

No page writes a literal UI string: it calls ``tr("key")`` (a reactive value
that follows the user's language in the browser) or, in Python code such as
event handlers and PDFs, ``translate("key", lang)``. Spanish is the default.
"""

from __future__ import annotations

import enum
from typing import Any

import reflex as rx

DEFAULT_LANGUAGE = "es"
LANGUAGES: dict[str, str] = {"es": "Español", "en": "English"}

# key -> (Spanish, English)
CATALOGUE: dict[str, tuple[str, str]] = {
    # App shell
    "app.name": ("Piano Emotion Manager", "Piano Emotion Manager"),
    "app.tagline": (
        "La gestión diaria del técnico de pianos",
        "The piano technician's daily business",
    ),
    "shell.menu": ("Menú", "Menu"),
    "shell.language": ("Idioma", "Language"),
    "shell.theme": ("Tema claro u oscuro", "Light or dark theme"),
    "shell.close_menu": ("Cerrar menú", "Close menu"),
    # Navigation
    "nav.home": ("Inicio", "Home"),
    "nav.clients": ("Clientes", "Clients"),
    "nav.pianos": ("Pianos", "Pianos"),
    "nav.services": ("Servicios", "Services"),
    "nav.agenda": ("Agenda", "Calendar"),
    "nav.quotes": ("Presupuestos", "Quotes"),
    "nav.invoices": ("Facturas", "Invoices"),
    "nav.inventory": ("Inventario", "Inventory"),
    "nav.reminders": ("Recordatorios", "Reminders"),
    "nav.settings": ("Ajustes", "Settings"),
    # Home
    "home.title": ("Inicio", "Home"),
    "home.welcome": ("Bienvenido a Piano Emotion Manager", "Welcome to Piano Emotion Manager"),
    "home.intro": (
        "Clientes, pianos, servicios, agenda, presupuestos, facturas, inventario y "
        "recordatorios de mantenimiento en un solo sitio.",
        "Clients, pianos, services, calendar, quotes, invoices, inventory and "
        "maintenance reminders in one place.",
    ),
    "home.sections": ("Secciones", "Sections"),
    "home.status": ("Estado del sistema", "System status"),
    "home.database": ("Base de datos", "Database"),
    "home.cache": ("Caché", "Cache"),
    "home.version": ("Versión", "Version"),
    "home.ok": ("Operativa", "Up"),
    "home.down": ("Sin conexión", "Down"),
    # Sections that land in later releases
    "section.coming": ("En preparación", "Coming soon"),
    "section.clients.desc": (
        "Fichas de clientes con búsqueda, filtros, pianos e historial de servicios.",
        "Client records with search, filters, pianos and service history.",
    ),
    "section.pianos.desc": (
        "Cada piano con su propietario, historial, alertas de mantenimiento y lecturas "
        "de humedad y temperatura.",
        "Every piano with its owner, history, maintenance alerts and humidity and "
        "temperature readings.",
    ),
    "section.services.desc": (
        "Afinaciones, reparaciones y regulaciones con lista de tareas y materiales.",
        "Tunings, repairs and regulations with checklist and materials.",
    ),
    "section.agenda.desc": (
        "Citas por día, semana y mes, con avisos de solapamiento y calendario iCal.",
        "Appointments by day, week and month, with overlap warnings and an iCal feed.",
    ),
    "section.quotes.desc": (
        "Presupuestos con líneas, IVA y conversión en factura.",
        "Quotes with lines, VAT and conversion into an invoice.",
    ),
    "section.invoices.desc": (
        "Facturas numeradas, PDF, envío por email y cobro con Stripe.",
        "Numbered invoices, PDF, email delivery and Stripe payments.",
    ),
    "section.inventory.desc": (
        "Stock de piezas y materiales con movimientos y avisos de stock bajo.",
        "Parts and materials in stock with movements and low-stock warnings.",
    ),
    "section.reminders.desc": (
        "Pianos que tocan revisión y mensajes por email o WhatsApp.",
        "Pianos due for service and messages by email or WhatsApp.",
    ),
    "section.settings.desc": (
        "Perfil, idioma, datos fiscales y umbrales de mantenimiento.",
        "Profile, language, fiscal data and maintenance thresholds.",
    ),
    # Sign-in, sign-up, sessions
    "auth.sign_in_title": ("Entrar", "Sign in"),
    "auth.sign_up_title": ("Crear una cuenta", "Create an account"),
    "auth.sign_in": ("Entrar", "Sign in"),
    "auth.sign_out": ("Cerrar sesión", "Sign out"),
    "auth.create_account": ("Crear cuenta", "Create account"),
    "auth.no_account": ("¿No tienes cuenta?", "No account yet?"),
    "auth.have_account": ("¿Ya tienes cuenta?", "Already have an account?"),
    "auth.name": ("Nombre", "Name"),
    "auth.email": ("Email", "Email"),
    "auth.password": ("Contraseña", "Password"),
    "auth.password_confirm": ("Repite la contraseña", "Repeat the password"),
    "auth.password_hint": ("Al menos 8 caracteres", "At least 8 characters"),
    "auth.modes": ("Acceso con:", "Sign-in with:"),
    "auth.mode_local": ("Cuenta local", "Local account"),
    "auth.mode_clerk": ("Clerk (Google y otros)", "Clerk (Google and others)"),
    "auth.local_disabled": (
        "El registro con email y contraseña está desactivado en esta instalación.",
        "Email and password sign-up is turned off on this installation.",
    ),
    "auth.owner": ("Propietario", "Owner"),
    "auth.access_denied": ("Acceso denegado", "Access denied"),
    "auth.session_expired": (
        "Tu sesión ha caducado. Vuelve a entrar.",
        "Your session has expired. Please sign in again.",
    ),
    # Settings
    "settings.profile": ("Perfil", "Profile"),
    "settings.business": ("Datos fiscales", "Business details"),
    "settings.business_name": ("Nombre o razón social", "Business name"),
    "settings.tax_id": ("NIF / CIF", "Tax ID (NIF / CIF)"),
    "settings.address": ("Dirección", "Address"),
    "settings.city": ("Ciudad", "City"),
    "settings.postal_code": ("Código postal", "Postal code"),
    "settings.region": ("Provincia", "Province"),
    "settings.phone": ("Teléfono", "Phone"),
    "settings.iban": ("IBAN", "IBAN"),
    "settings.business_required": (
        "Completa nombre, NIF/CIF, dirección, ciudad y código postal: son obligatorios "
        "antes de emitir la primera factura.",
        "Fill in name, tax ID, address, city and postal code: they are required before "
        "the first invoice is issued.",
    ),
    "settings.business_ready": (
        "Datos fiscales completos: aparecerán en tus presupuestos y facturas.",
        "Business details complete: they will appear on your quotes and invoices.",
    ),
    "settings.password": ("Contraseña", "Password"),
    "settings.current_password": ("Contraseña actual", "Current password"),
    "settings.new_password": ("Nueva contraseña", "New password"),
    "settings.change_password": ("Cambiar contraseña", "Change password"),
    "settings.password_external": (
        "Entras con Clerk: la contraseña se gestiona allí.",
        "You sign in with Clerk: your password is managed there.",
    ),
    "settings.saved": ("Cambios guardados", "Changes saved"),
    "settings.password_changed": (
        "Contraseña cambiada. Las demás sesiones se han cerrado.",
        "Password changed. Your other sessions have been signed out.",
    ),
    # Errors
    "error.not_found": ("No encontrado", "Not found"),
    "error.validation": ("Revisa los datos", "Check the data"),
    "error.forbidden": ("Acceso denegado", "Access denied"),
    "error.unexpected": (
        "Algo ha fallado. Inténtalo de nuevo.",
        "Something went wrong. Please try again.",
    ),
    "error.check_fields": ("Revisa los campos marcados.", "Check the highlighted fields."),
    "error.name_required": ("El nombre es obligatorio.", "The name is required."),
    "error.name_too_long": ("El nombre es demasiado largo.", "The name is too long."),
    "error.too_long": ("Demasiado largo.", "Too long."),
    "error.email_required": ("El email es obligatorio.", "The email is required."),
    "error.email_invalid": ("El email no es válido.", "The email is not valid."),
    "error.email_taken": (
        "Ya existe una cuenta con ese email.",
        "An account with that email already exists.",
    ),
    "error.password_too_short": (
        "La contraseña debe tener al menos 8 caracteres.",
        "The password must be at least 8 characters long.",
    ),
    "error.password_too_long": ("La contraseña es demasiado larga.", "The password is too long."),
    "error.password_mismatch": ("Las contraseñas no coinciden.", "The passwords do not match."),
    "error.password_same": (
        "La nueva contraseña debe ser distinta de la actual.",
        "The new password must differ from the current one.",
    ),
    "error.current_password_wrong": (
        "La contraseña actual no es correcta.",
        "The current password is not correct.",
    ),
    "error.wrong_credentials": (
        "Email o contraseña incorrectos.",
        "Wrong email or password.",
    ),
    "error.too_many_attempts": (
        "Demasiados intentos fallidos. Espera {minutes} min y vuelve a intentarlo.",
        "Too many failed attempts. Wait {minutes} min and try again.",
    ),
    "error.clerk_refused": (
        "No se ha podido verificar la sesión de Clerk.",
        "The Clerk session could not be verified.",
    ),
    "error.locale_invalid": ("Idioma no disponible.", "Language not available."),
    "error.tax_id_invalid": (
        "NIF/CIF no válido (revisa la letra de control).",
        "Invalid tax ID (check the control letter).",
    ),
    "error.iban_invalid": ("IBAN no válido.", "Invalid IBAN."),
    "error.postal_code_invalid": (
        "Código postal no válido (5 dígitos).",
        "Invalid postal code (5 digits).",
    ),
    "error.phone_invalid": ("Teléfono no válido.", "Invalid phone number."),
    # Lists
    "list.results": ("resultados", "results"),
    "list.previous": ("Página anterior", "Previous page"),
    "list.next": ("Página siguiente", "Next page"),
    "list.all": ("Todos", "All"),
    "list.all_types": ("Todos los tipos", "All types"),
    "list.all_cities": ("Todas las ciudades", "All cities"),
    "list.all_routes": ("Todas las rutas", "All routes"),
    "list.active": ("Activos", "Active"),
    "list.archived": ("Archivado", "Archived"),
    "list.status": ("Estado", "Status"),
    "list.clear_filters": ("Quitar filtros", "Clear filters"),
    "sort.name_asc": ("Nombre (A-Z)", "Name (A-Z)"),
    "sort.name_desc": ("Nombre (Z-A)", "Name (Z-A)"),
    "sort.city": ("Ciudad", "City"),
    "sort.newest": ("Más recientes", "Newest"),
    "sort.oldest": ("Más antiguos", "Oldest"),
    # Clients
    "clients.new": ("Nuevo cliente", "New client"),
    "clients.edit": ("Editar cliente", "Edit client"),
    "clients.name": ("Nombre", "Name"),
    "clients.type": ("Tipo", "Type"),
    "clients.tax_id": ("NIF / CIF", "Tax ID"),
    "clients.route_group": ("Ruta", "Route"),
    "clients.latitude": ("Latitud", "Latitude"),
    "clients.longitude": ("Longitud", "Longitude"),
    "clients.notes": ("Notas", "Notes"),
    "clients.last_service": ("Último servicio", "Last service"),
    "clients.search_placeholder": (
        "Buscar por nombre, email, teléfono o ciudad",
        "Search by name, email, phone or city",
    ),
    "clients.saved": ("Cliente guardado", "Client saved"),
    "clients.archived": ("Cliente archivado", "Client archived"),
    "clients.restored": ("Cliente restaurado", "Client restored"),
    "clients.deleted": ("Cliente eliminado", "Client deleted"),
    "clients.archived_instead": (
        "El cliente tiene historial: se ha archivado en lugar de eliminarlo.",
        "The client has history: archived instead of deleted.",
    ),
    "clients.archive": ("Archivar", "Archive"),
    "clients.restore": ("Restaurar", "Restore"),
    "clients.archive_title": ("¿Archivar este cliente?", "Archive this client?"),
    "clients.archive_body": (
        "Dejará de aparecer en las listas; podrás restaurarlo cuando quieras.",
        "It will no longer appear in lists; you can restore it at any time.",
    ),
    "clients.delete_title": ("¿Eliminar este cliente?", "Delete this client?"),
    "clients.delete_body": (
        "Si tiene pianos, servicios o facturas se archivará en lugar de eliminarse.",
        "If it has pianos, services or invoices it will be archived instead.",
    ),
    "clients.call": ("Llamar", "Call"),
    "clients.email": ("Email", "Email"),
    "clients.no_pianos": ("Este cliente aún no tiene pianos.", "This client has no pianos yet."),
    "clients.history": ("Historial de servicios", "Service history"),
    "clients.no_history": ("Sin servicios todavía.", "No services yet."),
    "clients.empty": ("Aún no tienes clientes", "You have no clients yet"),
    "clients.empty_hint": (
        "Crea tu primer cliente para añadir sus pianos y registrar servicios.",
        "Create your first client to add their pianos and record services.",
    ),
    "clients.none_found": ("Ningún cliente coincide", "No client matches"),
    "clients.none_found_hint": (
        "Prueba con otra búsqueda o quita los filtros.",
        "Try another search or clear the filters.",
    ),
    "clients.not_found": ("Cliente no encontrado", "Client not found"),
    "clients.not_found_hint": (
        "No existe o no es uno de tus clientes.",
        "It does not exist or is not one of your clients.",
    ),
    "error.choice_invalid": ("Elige una opción de la lista.", "Choose an option from the list."),
    "error.coordinate_invalid": ("Coordenada no válida.", "Invalid coordinate."),
    # Common
    "common.yes": ("Sí", "Yes"),
    "common.no": ("No", "No"),
    "common.save": ("Guardar", "Save"),
    "common.edit": ("Editar", "Edit"),
    "common.delete": ("Eliminar", "Delete"),
    "common.cancel": ("Cancelar", "Cancel"),
    "common.loading": ("Cargando…", "Loading…"),
    "common.not_found": ("No encontrado", "Not found"),
    "common.back_home": ("Volver al inicio", "Back to home"),
    "page.not_found": (
        "Esta página no existe.",
        "This page does not exist.",
    ),
}

ENUM_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "ClientType": {
        "particular": ("Particular", "Private"),
        "student": ("Estudiante", "Student"),
        "professional": ("Profesional", "Professional"),
        "music_school": ("Escuela de Música", "Music school"),
        "conservatory": ("Conservatorio", "Conservatory"),
        "concert_hall": ("Sala de Conciertos", "Concert hall"),
    },
    "PianoCategory": {
        "vertical": ("Vertical", "Upright"),
        "grand": ("De cola", "Grand"),
        "digital": ("Digital", "Digital"),
    },
    "PianoType": {
        "spinet": ("Espineta", "Spinet"),
        "console": ("Consola", "Console"),
        "studio": ("Estudio", "Studio"),
        "upright_professional": ("Vertical profesional", "Professional upright"),
        "baby_grand": ("Cola pequeña", "Baby grand"),
        "medium_grand": ("Cola mediana", "Medium grand"),
        "parlor_grand": ("Cola de salón", "Parlor grand"),
        "semi_concert": ("Semicola de concierto", "Semi-concert grand"),
        "concert_grand": ("Gran cola de concierto", "Concert grand"),
        "portable": ("Portátil", "Portable"),
        "console_digital": ("Consola digital", "Digital console"),
        "stage": ("Piano de escenario", "Stage piano"),
        "hybrid": ("Híbrido", "Hybrid"),
    },
    "PianoCondition": {
        "excellent": ("Excelente", "Excellent"),
        "good": ("Bueno", "Good"),
        "fair": ("Regular", "Fair"),
        "poor": ("Malo", "Poor"),
        "needs_repair": ("Necesita reparación", "Needs repair"),
    },
    "ServiceType": {
        "tuning": ("Afinación", "Tuning"),
        "repair": ("Reparación", "Repair"),
        "regulation": ("Regulación", "Regulation"),
        "maintenance_basic": ("Mantenimiento básico", "Basic maintenance"),
        "maintenance_complete": ("Mantenimiento completo", "Complete maintenance"),
        "maintenance_premium": ("Mantenimiento premium", "Premium maintenance"),
        "inspection": ("Inspección", "Inspection"),
        "restoration": ("Restauración", "Restoration"),
        "other": ("Otro", "Other"),
    },
    "ServiceStatus": {
        "pending": ("Pendiente", "Pending"),
        "in_progress": ("En curso", "In progress"),
        "completed": ("Completado", "Completed"),
        "cancelled": ("Cancelado", "Cancelled"),
    },
    "AppointmentStatus": {
        "scheduled": ("Programada", "Scheduled"),
        "confirmed": ("Confirmada", "Confirmed"),
        "completed": ("Completada", "Completed"),
        "cancelled": ("Cancelada", "Cancelled"),
    },
    "QuoteStatus": {
        "draft": ("Borrador", "Draft"),
        "sent": ("Enviado", "Sent"),
        "accepted": ("Aceptado", "Accepted"),
        "rejected": ("Rechazado", "Rejected"),
        "expired": ("Caducado", "Expired"),
        "converted": ("Convertido", "Converted"),
    },
    "InvoiceStatus": {
        "draft": ("Borrador", "Draft"),
        "sent": ("Enviada", "Sent"),
        "paid": ("Pagada", "Paid"),
        "cancelled": ("Anulada", "Cancelled"),
    },
    "InventoryCategory": {
        "strings": ("Cuerdas", "Strings"),
        "hammers": ("Martillos", "Hammers"),
        "dampers": ("Apagadores", "Dampers"),
        "keys": ("Teclas", "Keys"),
        "action_parts": ("Piezas de mecánica", "Action parts"),
        "pedals": ("Pedales", "Pedals"),
        "tuning_pins": ("Clavijas", "Tuning pins"),
        "felts": ("Fieltros", "Felts"),
        "tools": ("Herramientas", "Tools"),
        "chemicals": ("Químicos", "Chemicals"),
        "other": ("Otros", "Other"),
    },
    "ReminderType": {
        "call": ("Llamada", "Call"),
        "visit": ("Visita", "Visit"),
        "email": ("Email", "Email"),
        "whatsapp": ("WhatsApp", "WhatsApp"),
        "follow_up": ("Seguimiento", "Follow-up"),
    },
}


def _index(lang: str) -> int:
    return 1 if lang == "en" else 0


def translate(key: str, lang: str = DEFAULT_LANGUAGE, **params: Any) -> str:
    """The text of ``key`` in ``lang`` (Spanish when unknown), with ``{params}``."""
    entry = CATALOGUE.get(key)
    if entry is None:
        raise KeyError(f"missing translation key {key!r}")
    text = entry[_index(lang)]
    return text.format(**params) if params else text


def enum_label(
    value: enum.Enum | str, lang: str = DEFAULT_LANGUAGE, enum_name: str | None = None
) -> str:
    name = enum_name or type(value).__name__
    raw = value.value if isinstance(value, enum.Enum) else value
    return ENUM_LABELS[name][raw][_index(lang)]


def tr(key: str) -> rx.Var:
    """A reactive text for components: follows the user's language."""
    from piano_emotion.ui.state.base import UIState

    if key not in CATALOGUE:
        raise KeyError(f"missing translation key {key!r}")
    spanish, english = CATALOGUE[key]
    return rx.cond(UIState.lang == "en", english, spanish)
