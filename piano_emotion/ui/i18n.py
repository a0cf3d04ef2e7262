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
    "nav.rates": ("Tarifas", "Rates"),
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
    # Deployment check (python -m piano_emotion.doctor; DEPLOY.md, validation)
    "doctor.title": (
        "Piano Emotion Manager: comprobación del despliegue (entorno {environment}, {url})",
        "Piano Emotion Manager: deployment check (environment {environment}, {url})",
    ),
    "doctor.no_url_short": ("sin dirección", "no address"),
    "doctor.skipped": ("omitida", "skipped"),
    "doctor.summary": (
        "{ok} correctas, {failed} con fallos, {warnings} avisos",
        "{ok} passed, {failed} failed, {warnings} warnings",
    ),
    "doctor.verdict_ok": (
        "Todas las comprobaciones obligatorias han pasado.",
        "All required checks passed.",
    ),
    "doctor.verdict_fail": (
        "Hay comprobaciones obligatorias con fallos: corrígelas y vuelve a ejecutar.",
        "Some required checks failed: fix them and run again.",
    ),
    "doctor.config_error": ("Configuración", "Configuration"),
    "doctor.check.home": ("Página de inicio", "Home page"),
    "doctor.check.health": ("Estado /api/health", "Health /api/health"),
    "doctor.check.database": ("Base de datos y migraciones", "Database and migrations"),
    "doctor.check.data_probe": (
        "Listar clientes y crear un servicio",
        "List clients and create a service",
    ),
    "doctor.check.cache_mode": ("Modo de la caché", "Cache mode"),
    "doctor.check.cache_latency": ("Latencia de la caché", "Cache latency"),
    "doctor.check.clerk_keys": ("Claves de Clerk", "Clerk keys"),
    "doctor.check.clerk_jwks": ("JWKS de Clerk", "Clerk JWKS"),
    "doctor.check.stripe": ("Stripe", "Stripe"),
    "doctor.check.jwt_secret": ("JWT_SECRET", "JWT_SECRET"),
    "doctor.check.owner": ("Owner de la plataforma", "Platform owner"),
    "doctor.check.jobs_registered": ("Tareas programadas", "Scheduled jobs"),
    "doctor.check.job_runs": ("Tarea «{job}»", "Job “{job}”"),
    "doctor.check.snapshots": ("Snapshots de la caché", "Cache snapshots"),
    "doctor.unit.minutes": ("{n} min", "{n} min"),
    "doctor.unit.hours": ("{n} h", "{n} h"),
    "doctor.unit.days": ("{n} días", "{n} days"),
    "doctor.detail.no_url": (
        "sin dirección de la app (--url o APP_URL)",
        "no app address (--url or APP_URL)",
    ),
    "doctor.detail.http_status": (
        "{url} respondió {status} en {ms} ms",
        "{url} answered {status} in {ms} ms",
    ),
    "doctor.detail.http_error": ("{url} no responde: {error}", "{url} does not answer: {error}"),
    "doctor.detail.health_ok": (
        "{status} en {ms} ms, versión {version}, entorno {environment}",
        "{status} in {ms} ms, version {version}, environment {environment}",
    ),
    "doctor.detail.database_ok": (
        "{dialect} responde en {ms} ms, esquema en la última migración ({revision})",
        "{dialect} answers in {ms} ms, schema at the latest migration ({revision})",
    ),
    "doctor.detail.database_unreachable": (
        "{dialect} no responde: {error}",
        "{dialect} does not answer: {error}",
    ),
    "doctor.detail.schema_behind": (
        "esquema en la revisión {current}, la última es {head}",
        "schema at revision {current}, the latest is {head}",
    ),
    "doctor.detail.needs_database": (
        "necesita la base de datos en la última migración",
        "needs the database at the latest migration",
    ),
    "doctor.detail.probe_ok": (
        "{clients} clientes en total; técnico, cliente, piano y servicio de prueba "
        "creados, listados y borrados en una transacción revertida (no queda nada)",
        "{clients} clients in all; a probe technician, client, piano and service "
        "created, listed and deleted in a rolled-back transaction (nothing left behind)",
    ),
    "doctor.detail.probe_failed": ("la prueba falló: {error}", "the probe failed: {error}"),
    "doctor.detail.cache_ok": ("{label}, conectada", "{label}, connected"),
    "doctor.detail.cache_memory": (
        "{label}: cada proceso tiene su propia caché",
        "{label}: every process has a cache of its own",
    ),
    "doctor.detail.cache_unreachable": ("{label}: sin conexión", "{label}: not connected"),
    "doctor.detail.cache_in_process": (
        "caché en memoria del proceso, sin red",
        "in-process memory cache, no network",
    ),
    "doctor.detail.cache_not_measured": (
        "no medida: la caché no responde",
        "not measured: the cache does not answer",
    ),
    "doctor.detail.cache_latency": (
        "mediana {median} ms (peor {worst} ms) en {samples} pings; objetivo {low}-{high} ms",
        "median {median} ms (worst {worst} ms) over {samples} pings; target {low}-{high} ms",
    ),
    "doctor.detail.clerk_off": (
        "Clerk desactivado: solo cuentas locales (email y contraseña)",
        "Clerk off: local accounts only (email and password)",
    ),
    "doctor.detail.no_sign_in": (
        "ni Clerk ni cuentas locales: nadie puede entrar",
        "neither Clerk nor local accounts: nobody can sign in",
    ),
    "doctor.detail.missing": ("falta {name}", "{name} is missing"),
    "doctor.detail.bad_form": (
        "{name} no tiene la forma {form}",
        "{name} does not look like {form}",
    ),
    "doctor.detail.mixed_modes": (
        "{first} y {second} son de modos distintos (test y live)",
        "{first} and {second} are of different modes (test and live)",
    ),
    "doctor.detail.clerk_pk_host": (
        "NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY no contiene el host de la Frontend API de Clerk",
        "NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY does not hold a Clerk Frontend API host",
    ),
    "doctor.detail.clerk_ok": (
        "claves {mode}, Frontend API {host}",
        "{mode} keys, Frontend API {host}",
    ),
    "doctor.detail.jwks_ok": (
        "{count} claves en {url} ({ms} ms)",
        "{count} keys at {url} ({ms} ms)",
    ),
    "doctor.detail.jwks_empty": (
        "{url} respondió {status} sin claves utilizables",
        "{url} answered {status} with no usable keys",
    ),
    "doctor.detail.stripe_off": (
        "Stripe sin configurar: los enlaces de pago están desactivados",
        "Stripe not configured: payment links are off",
    ),
    "doctor.detail.stripe_ok": (
        "claves {mode} y secreto del webhook /api/stripe/webhook",
        "{mode} keys and the /api/stripe/webhook signing secret",
    ),
    "doctor.detail.jwt_ok": (
        "{length} caracteres, unos {bits} bits de entropía",
        "{length} characters, about {bits} bits of entropy",
    ),
    "doctor.detail.jwt_missing": ("JWT_SECRET no está definido", "JWT_SECRET is not set"),
    "doctor.detail.jwt_example": (
        "JWT_SECRET es un valor de ejemplo o contiene una palabra evidente",
        "JWT_SECRET is an example value or contains an obvious word",
    ),
    "doctor.detail.jwt_short": (
        "JWT_SECRET tiene {length} caracteres; hacen falta al menos {min}",
        "JWT_SECRET has {length} characters; at least {min} are needed",
    ),
    "doctor.detail.jwt_low_entropy": (
        "JWT_SECRET es demasiado predecible (unos {bits} bits; hacen falta {min})",
        "JWT_SECRET is too predictable (about {bits} bits; {min} are needed)",
    ),
    "doctor.detail.owner_missing": ("OWNER_OPEN_ID no está definido", "OWNER_OPEN_ID is not set"),
    "doctor.detail.owner_form": (
        "OWNER_OPEN_ID={owner} no es un id de Clerk (user_…) ni un email",
        "OWNER_OPEN_ID={owner} is neither a Clerk user id (user_…) nor an email",
    ),
    "doctor.detail.owner_clerk_off": (
        "{owner} es un usuario de Clerk, pero Clerk está desactivado",
        "{owner} is a Clerk user, but Clerk is off",
    ),
    "doctor.detail.owner_local_off": (
        "{owner} es una cuenta local, pero las cuentas locales están desactivadas",
        "{owner} is a local account, but local accounts are off",
    ),
    "doctor.detail.owner_unverified": (
        "{owner} (sin comprobar: la base de datos no responde)",
        "{owner} (not verified: the database does not answer)",
    ),
    "doctor.detail.owner_no_user": (
        "{owner}: todavía no hay ningún usuario con ese id",
        "{owner}: no user with that id yet",
    ),
    "doctor.detail.owner_ok": ("{owner} ({name})", "{owner} ({name})"),
    "doctor.detail.jobs_ok": (
        "{count} registradas ({names}); {runner}",
        "{count} registered ({names}); {runner}",
    ),
    "doctor.detail.jobs_missing": ("sin registrar: {names}", "not registered: {names}"),
    "doctor.detail.scheduler_in_app": (
        "las ejecuta el programador de la app",
        "run by the app's scheduler",
    ),
    "doctor.detail.scheduler_cron": (
        "las ejecuta un cron externo (POST /api/cron/<tarea>)",
        "run by an outside cron (POST /api/cron/<job>)",
    ),
    "doctor.detail.scheduler_off": (
        "SCHEDULER_ENABLED=false y sin CRON_SECRET: nada las ejecuta",
        "SCHEDULER_ENABLED=false and no CRON_SECRET: nothing runs them",
    ),
    "doctor.detail.job_ok": (
        "última ejecución hace {ago} ({status})",
        "last run {ago} ago ({status})",
    ),
    "doctor.detail.job_never": (
        "nunca se ha ejecutado (se ejecuta cada {period})",
        "has never run (it runs every {period})",
    ),
    "doctor.detail.job_failed": (
        "la última ejecución, hace {ago}, falló: {error}",
        "the last run, {ago} ago, failed: {error}",
    ),
    "doctor.detail.job_stale": (
        "última ejecución hace {ago} (más de {limit})",
        "last run {ago} ago (more than {limit})",
    ),
    "doctor.detail.snapshot_ok": (
        "último hace {ago}; {count} en las últimas 2 h",
        "latest {ago} ago; {count} in the last 2 h",
    ),
    "doctor.detail.snapshot_none": ("todavía no hay ninguno", "none yet"),
    "doctor.detail.snapshot_old": (
        "el último es de hace {ago} (ninguno en las últimas 2 h)",
        "the latest is {ago} old (none in the last 2 h)",
    ),
    "doctor.detail.check_crashed": (
        "la comprobación no pudo terminar: {error}",
        "the check could not finish: {error}",
    ),
    "doctor.hint.config_error": (
        "Corrige la variable que nombra el mensaje (DEPLOY.md, variables de entorno).",
        "Fix the variable the message names (DEPLOY.en.md, environment variables).",
    ),
    "doctor.hint.no_url": (
        "Pasa --url https://tu-dominio o define APP_URL para comprobar la app publicada.",
        "Pass --url https://your-domain or set APP_URL to check the deployed app.",
    ),
    "doctor.hint.home": (
        "Comprueba que el proceso de la app está en marcha, el dominio y el proxy/HTTPS.",
        "Check that the app process is running, the domain and the proxy/HTTPS.",
    ),
    "doctor.hint.health": (
        "La app no sirve /api/health: revisa sus registros y que el proxy pase /api/* al backend.",
        "The app does not serve /api/health: read its logs and check that the proxy "
        "passes /api/* to the backend.",
    ),
    "doctor.hint.health_database": (
        "La app no llega a su base de datos: revisa DATABASE_URL en el entorno de la app.",
        "The app cannot reach its database: check DATABASE_URL in the app's environment.",
    ),
    "doctor.hint.database_unreachable": (
        "Revisa DATABASE_URL (usuario, contraseña, host, puerto 4000, ?ssl=…) y que TiDB "
        "acepte conexiones desde este servidor.",
        "Check DATABASE_URL (user, password, host, port 4000, ?ssl=…) and that TiDB "
        "accepts connections from this server.",
    ),
    "doctor.hint.migrate": (
        "Aplica las migraciones: python -m piano_emotion.manage migrate",
        "Apply the migrations: python -m piano_emotion.manage migrate",
    ),
    "doctor.hint.data_probe": (
        "La base de datos responde pero no acepta escrituras normales: revisa permisos del "
        "usuario y el esquema (migraciones).",
        "The database answers but refuses ordinary writes: check the user's privileges and "
        "the schema (migrations).",
    ),
    "doctor.hint.cache_memory_production": (
        "En producción configura UPSTASH_REDIS_REST_URL y UPSTASH_REDIS_REST_TOKEN (o REDIS_URL).",
        "In production set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN (or REDIS_URL).",
    ),
    "doctor.hint.cache_memory": (
        "Bien para desarrollo; en producción usa Upstash Redis o REDIS_URL.",
        "Fine for development; in production use Upstash Redis or REDIS_URL.",
    ),
    "doctor.hint.cache_unreachable": (
        "Revisa la URL y el token de Upstash (o REDIS_URL) y que el servidor llegue a Redis.",
        "Check the Upstash URL and token (or REDIS_URL) and that this server reaches Redis.",
    ),
    "doctor.hint.cache_latency": (
        "Pon Upstash Redis en la región más cercana a la app (o la app junto a Redis).",
        "Put Upstash Redis in the region nearest the app (or the app next to Redis).",
    ),
    "doctor.hint.clerk_off": (
        "Para entrar con Google, define CLERK_SECRET_KEY y NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY.",
        "To sign in with Google, set CLERK_SECRET_KEY and NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY.",
    ),
    "doctor.hint.no_sign_in": (
        "Activa LOCAL_ACCOUNTS_ENABLED=true o configura las claves de Clerk.",
        "Set LOCAL_ACCOUNTS_ENABLED=true or configure the Clerk keys.",
    ),
    "doctor.hint.clerk_keys": (
        "Copia las dos claves de la misma instancia en Clerk Dashboard → API Keys.",
        "Copy both keys of the same instance from Clerk Dashboard → API Keys.",
    ),
    "doctor.hint.clerk_jwks": (
        "El servidor no obtiene las claves de Clerk: revisa la clave publicable, CLERK_JWKS_URL "
        "y la salida a Internet.",
        "This server cannot fetch Clerk's keys: check the publishable key, CLERK_JWKS_URL "
        "and outbound Internet access.",
    ),
    "doctor.hint.stripe": (
        "Copia las claves de Stripe Dashboard → Developers → API keys y el secreto de firma "
        "del endpoint /api/stripe/webhook (whsec_…).",
        "Copy the keys from Stripe Dashboard → Developers → API keys and the signing secret "
        "of the /api/stripe/webhook endpoint (whsec_…).",
    ),
    "doctor.hint.test_keys_in_production": (
        "Son claves de prueba en producción: usa las claves live.",
        "These are test keys in production: use the live keys.",
    ),
    "doctor.hint.jwt_secret": (
        "Genera uno: python -c 'import secrets; print(secrets.token_urlsafe(48))'",
        "Generate one: python -c 'import secrets; print(secrets.token_urlsafe(48))'",
    ),
    "doctor.hint.owner_missing": (
        "Define OWNER_OPEN_ID con tu id de usuario de Clerk (user_…) o el email de tu "
        "cuenta local.",
        "Set OWNER_OPEN_ID to your Clerk user id (user_…) or the email of your local account.",
    ),
    "doctor.hint.owner_clerk_off": (
        "Configura Clerk o usa el email de una cuenta local en OWNER_OPEN_ID.",
        "Configure Clerk or put the email of a local account in OWNER_OPEN_ID.",
    ),
    "doctor.hint.owner_local_off": (
        "Activa las cuentas locales o usa tu id de usuario de Clerk en OWNER_OPEN_ID.",
        "Turn local accounts on or put your Clerk user id in OWNER_OPEN_ID.",
    ),
    "doctor.hint.owner_no_user": (
        "Entra una vez con esa cuenta; si ya entraste, revisa que el id o el email coincidan.",
        "Sign in once with that account; if you did, check that the id or email match.",
    ),
    "doctor.hint.jobs_missing": (
        "Esta versión no registra todas las tareas: despliega la versión completa.",
        "This release does not register every job: deploy the complete release.",
    ),
    "doctor.hint.scheduler_off": (
        "Deja SCHEDULER_ENABLED=true, o define CRON_SECRET y llama a POST /api/cron/<tarea>.",
        "Leave SCHEDULER_ENABLED=true, or set CRON_SECRET and call POST /api/cron/<job>.",
    ),
    "doctor.hint.job_never": (
        "Normal en una instalación nueva; si no, revisa el programador o las líneas de cron.",
        "Normal on a fresh install; otherwise check the scheduler or the cron lines.",
    ),
    "doctor.hint.job_failed": (
        "Lee el error completo en el monitor (tareas) o en los registros de la app.",
        "Read the whole error on the monitor (jobs) or in the app's logs.",
    ),
    "doctor.hint.job_stale": (
        "No se está ejecutando: revisa que un proceso de la app siga en marcha o el cron externo.",
        "It is not running: check that an app process stays up, or the outside cron.",
    ),
    "doctor.hint.snapshots": (
        "La tarea cache_snapshot los toma cada hora; espera a la siguiente o revisa esa tarea.",
        "The cache_snapshot job takes them hourly; wait for the next one or check that job.",
    ),
    "doctor.hint.check_crashed": (
        "Error inesperado: ejecuta de nuevo y, si sigue, revisa los registros.",
        "Unexpected error: run again and, if it persists, read the logs.",
    ),
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
    "section.rates.desc": (
        "Tu lista de precios: tarifas activas que rellenan líneas de presupuestos y facturas.",
        "Your price list: active rates that fill quote and invoice lines.",
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
    "settings.maintenance": ("Alertas de mantenimiento", "Maintenance alerts"),
    "settings.maintenance_hint": (
        "Días desde la última afinación o regulación (o desde el alta del piano) a partir "
        "de los cuales avisar. Cada piano puede tener los suyos.",
        "Days since the last tuning or regulation (or since the piano was added) after "
        "which to warn. Each piano can have its own.",
    ),
    "settings.default_interval": ("Intervalo de servicio por defecto", "Default service interval"),
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
    # Pickers
    "picker.search_client": ("Busca el cliente por nombre…", "Search the client by name…"),
    "picker.search_piano": (
        "Busca el piano por marca, nº de serie o propietario…",
        "Search the piano by brand, serial number or owner…",
    ),
    "picker.change": ("Busca otro para cambiarlo", "Search another to change it"),
    "error.client_required": ("Elige un cliente.", "Choose a client."),
    "error.piano_required": ("Elige un piano.", "Choose a piano."),
    # Pianos
    "pianos.new": ("Nuevo piano", "New piano"),
    "pianos.edit": ("Editar piano", "Edit piano"),
    "pianos.piano": ("Piano", "Piano"),
    "pianos.owner": ("Propietario", "Owner"),
    "pianos.new_owner": ("Nuevo propietario", "New owner"),
    "pianos.brand": ("Marca", "Brand"),
    "pianos.model": ("Modelo", "Model"),
    "pianos.serial": ("Nº de serie", "Serial number"),
    "pianos.year": ("Año", "Year"),
    "pianos.category": ("Categoría", "Category"),
    "pianos.type": ("Tipo", "Type"),
    "pianos.type_auto": ("Según el tamaño", "From the size"),
    "pianos.size_cm": ("Alto / largo (cm)", "Height / length (cm)"),
    "pianos.condition": ("Estado", "Condition"),
    "pianos.room": ("Sala", "Room"),
    "pianos.floor": ("Planta", "Floor"),
    "pianos.interval": ("Intervalo de servicio", "Service interval"),
    "pianos.interval_default": ("El de mis ajustes", "My default"),
    "pianos.interval_3": ("Cada 3 meses", "Every 3 months"),
    "pianos.interval_6": ("Cada 6 meses", "Every 6 months"),
    "pianos.interval_12": ("Cada 12 meses", "Every 12 months"),
    "pianos.interval_0": ("Llama el cliente", "The client calls"),
    "pianos.overrides": ("Umbrales de alerta propios", "Own alert thresholds"),
    "pianos.overrides_hint": (
        "Vacío = los de tus ajustes. En días desde la última afinación o regulación.",
        "Empty = your settings. In days since the last tuning or regulation.",
    ),
    "pianos.tuning_pending_days": ("Afinación pendiente (días)", "Tuning due (days)"),
    "pianos.tuning_urgent_days": ("Afinación urgente (días)", "Tuning urgent (days)"),
    "pianos.regulation_pending_days": ("Regulación pendiente (días)", "Regulation due (days)"),
    "pianos.regulation_urgent_days": ("Regulación urgente (días)", "Regulation urgent (days)"),
    "pianos.last_tuning": ("Última afinación", "Last tuning"),
    "pianos.last_service": ("Último servicio", "Last service"),
    "pianos.added": ("Alta", "Added"),
    "pianos.readings": ("Humedad y temperatura", "Humidity and temperature"),
    "pianos.humidity": ("Humedad (%)", "Humidity (%)"),
    "pianos.temperature": ("Temperatura (°C)", "Temperature (°C)"),
    "pianos.no_readings": (
        "Aún no hay lecturas: anota humedad y temperatura al registrar un servicio.",
        "No readings yet: note humidity and temperature when recording a service.",
    ),
    "pianos.search_placeholder": (
        "Buscar por marca, modelo, nº de serie o propietario",
        "Search by brand, model, serial number or owner",
    ),
    "pianos.all_categories": ("Todas las categorías", "All categories"),
    "pianos.all_conditions": ("Todos los estados", "All conditions"),
    "pianos.all_alerts": ("Con o sin alertas", "With or without alerts"),
    "pianos.sort_brand": ("Marca", "Brand"),
    "pianos.sort_client": ("Propietario", "Owner"),
    "pianos.sort_last_service_old": (
        "Último servicio (más antiguo)",
        "Last service (oldest first)",
    ),
    "pianos.sort_last_service_new": (
        "Último servicio (más reciente)",
        "Last service (newest first)",
    ),
    "pianos.record_service": ("Registrar servicio", "Record a service"),
    "pianos.move": ("Cambiar de propietario", "Change owner"),
    "pianos.move_hint": (
        "El piano conserva todo su historial.",
        "The piano keeps all its history.",
    ),
    "pianos.moved": ("Piano cambiado de propietario", "Piano moved to its new owner"),
    "pianos.saved": ("Piano guardado", "Piano saved"),
    "pianos.archived": ("Piano archivado", "Piano archived"),
    "pianos.restored": ("Piano restaurado", "Piano restored"),
    "pianos.deleted": ("Piano eliminado", "Piano deleted"),
    "pianos.archived_instead": (
        "El piano tiene historial: se ha archivado en lugar de eliminarlo.",
        "The piano has history: archived instead of deleted.",
    ),
    "pianos.archive_title": ("¿Archivar este piano?", "Archive this piano?"),
    "pianos.delete_title": ("¿Eliminar este piano?", "Delete this piano?"),
    "pianos.delete_body": (
        "Si tiene servicios, citas o facturas se archivará en lugar de eliminarse.",
        "If it has services, appointments or invoices it will be archived instead.",
    ),
    "pianos.empty": ("Aún no tienes pianos", "You have no pianos yet"),
    "pianos.empty_hint": (
        "Añade el primer piano de un cliente para seguir su mantenimiento.",
        "Add a client's first piano to follow its maintenance.",
    ),
    "pianos.none_found": ("Ningún piano coincide", "No piano matches"),
    "pianos.not_found": ("Piano no encontrado", "Piano not found"),
    "pianos.not_found_hint": (
        "No existe o no es uno de tus pianos.",
        "It does not exist or is not one of your pianos.",
    ),
    # Alerts
    "alerts.urgent": ("Urgente", "Urgent"),
    "alerts.pending": ("Pendiente", "Due"),
    "alerts.days": ("días", "days"),
    "alerts.acknowledge": ("Visto", "Seen"),
    "alerts.dismiss": ("Descartar", "Dismiss"),
    "alerts.reopen": ("Reabrir", "Reopen"),
    # Services
    "services.new": ("Nuevo servicio", "New service"),
    "services.edit": ("Editar servicio", "Edit service"),
    "services.type": ("Tipo", "Type"),
    "services.status": ("Estado", "Status"),
    "services.date": ("Fecha", "Date"),
    "services.cost": ("Importe", "Amount"),
    "services.cost_hint": ("p. ej. 90,00", "e.g. 90.00"),
    "services.duration": ("Duración (min)", "Duration (min)"),
    "services.humidity": ("Humedad (%)", "Humidity (%)"),
    "services.temperature": ("Temperatura (°C)", "Temperature (°C)"),
    "services.notes": ("Notas para el cliente", "Notes for the client"),
    "services.technician_notes": ("Notas técnicas", "Technician notes"),
    "services.checklist": ("Lista de tareas", "Checklist"),
    "services.materials": ("Materiales usados", "Materials used"),
    "services.add_material": ("Añadir", "Add"),
    "services.choose_item": ("Elige un material", "Choose an item"),
    "services.materials_saved": (
        "Materiales guardados; el stock se ha actualizado.",
        "Materials saved; stock updated.",
    ),
    "services.stock_short": (
        "No hay existencias suficientes de: {items}. ¿Usarlo igualmente? "
        "El stock quedará en negativo.",
        "Not enough in stock of: {items}. Use it anyway? Stock will go negative.",
    ),
    "services.use_anyway": ("Usar igualmente", "Use anyway"),
    "services.add_task": ("Añadir tarea", "Add a task"),
    "services.mark_completed": ("Marcar completado", "Mark completed"),
    "services.saved": ("Servicio guardado", "Service saved"),
    "services.deleted": ("Servicio eliminado", "Service deleted"),
    "services.delete_title": ("¿Eliminar este servicio?", "Delete this service?"),
    "services.delete_body": (
        "Se borrará del historial del piano.",
        "It will be removed from the piano's history.",
    ),
    "services.search_placeholder": (
        "Buscar por cliente o piano",
        "Search by client or piano",
    ),
    "services.all_types": ("Todos los tipos", "All types"),
    "services.all_statuses": ("Todos los estados", "All statuses"),
    "services.from": ("Desde", "From"),
    "services.to": ("Hasta", "To"),
    "services.empty": ("Aún no hay servicios", "No services yet"),
    "services.empty_hint": (
        "Registra una afinación o reparación desde aquí o desde la ficha de un piano.",
        "Record a tuning or repair from here or from a piano's page.",
    ),
    "services.none_found": ("Ningún servicio coincide", "No service matches"),
    "services.not_found": ("Servicio no encontrado", "Service not found"),
    "services.not_found_hint": (
        "No existe o no es uno de tus servicios.",
        "It does not exist or is not one of your services.",
    ),
    # Dashboard
    "home.previous_month": ("Mes anterior", "Previous month"),
    "home.next_month": ("Mes siguiente", "Next month"),
    "home.this_month": ("Este mes", "This month"),
    "home.services_done": ("Servicios realizados", "Services done"),
    "home.revenue": ("Ingresos", "Revenue"),
    "home.new_clients": ("Clientes nuevos", "New clients"),
    "home.new_pianos": ("Pianos nuevos", "New pianos"),
    "home.six_months": ("Últimos seis meses", "Last six months"),
    "home.alerts": ("Avisos", "Alerts"),
    "home.no_alerts": ("Todo al día: no hay avisos.", "All up to date: no alerts."),
    "home.upcoming": ("Próximas citas", "Upcoming appointments"),
    "home.no_upcoming": ("No hay citas próximas.", "No upcoming appointments."),
    "month.1": ("ene", "Jan"),
    "month.2": ("feb", "Feb"),
    "month.3": ("mar", "Mar"),
    "month.4": ("abr", "Apr"),
    "month.5": ("may", "May"),
    "month.6": ("jun", "Jun"),
    "month.7": ("jul", "Jul"),
    "month.8": ("ago", "Aug"),
    "month.9": ("sep", "Sep"),
    "month.10": ("oct", "Oct"),
    "month.11": ("nov", "Nov"),
    "month.12": ("dic", "Dec"),
    # Default checklists (the domain stores these keys; typed tasks are kept as typed)
    "task.tuning.1": (
        "Comprobar el estado general del piano",
        "Check the piano's general condition",
    ),
    "task.tuning.2": ("Medir humedad y temperatura", "Measure humidity and temperature"),
    "task.tuning.3": ("Afinar todas las notas al La 440 Hz", "Tune every note to A 440 Hz"),
    "task.tuning.4": ("Comprobar unísonos y octavas", "Check unisons and octaves"),
    "task.tuning.5": ("Revisar pedales", "Check the pedals"),
    "task.repair.1": ("Diagnosticar la avería", "Diagnose the fault"),
    "task.repair.2": (
        "Reparar o sustituir las piezas dañadas",
        "Repair or replace the damaged parts",
    ),
    "task.repair.3": ("Probar el funcionamiento", "Test that it works"),
    "task.repair.4": ("Limpiar la zona de trabajo", "Clean the work area"),
    "task.regulation.1": (
        "Ajustar la altura y el nivel de las teclas",
        "Adjust key height and level",
    ),
    "task.regulation.2": ("Ajustar la profundidad de pulsación", "Adjust key dip"),
    "task.regulation.3": ("Regular la distancia de escape", "Regulate let-off"),
    "task.regulation.4": ("Regular la caída del martillo", "Regulate hammer drop"),
    "task.regulation.5": ("Ajustar los apagadores", "Adjust the dampers"),
    "task.regulation.6": ("Ajustar los pedales", "Adjust the pedals"),
    "task.maintenance_basic.1": ("Afinar", "Tune"),
    "task.maintenance_basic.2": (
        "Limpieza básica interior y exterior",
        "Basic cleaning inside and out",
    ),
    "task.maintenance_basic.3": (
        "Revisar los pedales y ajustarlos si hace falta",
        "Check the pedals and adjust if needed",
    ),
    "task.maintenance_complete.1": ("Afinar", "Tune"),
    "task.maintenance_complete.2": (
        "Limpieza interior completa (aspirado)",
        "Thorough interior cleaning (vacuuming)",
    ),
    "task.maintenance_complete.3": ("Lubricar la mecánica", "Lubricate the action"),
    "task.maintenance_complete.4": ("Regulación básica de la mecánica", "Basic action regulation"),
    "task.maintenance_complete.5": ("Ajustar los pedales", "Adjust the pedals"),
    "task.maintenance_premium.1": ("Afinar", "Tune"),
    "task.maintenance_premium.2": ("Limpieza interior completa", "Thorough interior cleaning"),
    "task.maintenance_premium.3": ("Regulación completa de la mecánica", "Full action regulation"),
    "task.maintenance_premium.4": (
        "Igualar la voz de los martillos (entonación)",
        "Voice the hammers",
    ),
    "task.maintenance_premium.5": ("Ajustar apagadores y pedales", "Adjust dampers and pedals"),
    "task.maintenance_premium.6": ("Pulir el mueble", "Polish the cabinet"),
    "task.inspection.1": ("Revisar el mueble y la estructura", "Inspect the cabinet and structure"),
    "task.inspection.2": (
        "Revisar la tabla armónica y los puentes",
        "Inspect the soundboard and bridges",
    ),
    "task.inspection.3": (
        "Comprobar el clavijero y las clavijas",
        "Check the pinblock and tuning pins",
    ),
    "task.inspection.4": ("Revisar la mecánica y los martillos", "Inspect the action and hammers"),
    "task.inspection.5": ("Medir humedad y temperatura", "Measure humidity and temperature"),
    "task.inspection.6": ("Redactar el informe y el presupuesto", "Write the report and the quote"),
    "task.restoration.1": (
        "Evaluar el estado y acordar el alcance",
        "Assess the condition and agree the scope",
    ),
    "task.restoration.2": ("Desmontar", "Disassemble"),
    "task.restoration.3": ("Restaurar las piezas", "Restore the parts"),
    "task.restoration.4": ("Montar y regular", "Reassemble and regulate"),
    "task.restoration.5": ("Afinar", "Tune"),
    "task.other.1": ("Describir el trabajo realizado", "Describe the work done"),
    "error.brand_required": ("La marca es obligatoria.", "The brand is required."),
    "error.year_invalid": ("Año no válido.", "Invalid year."),
    "error.size_invalid": (
        "Medida no válida (entre 30 y 400 cm, sin decimales).",
        "Invalid size (30 to 400 cm, whole number).",
    ),
    "error.piano_type_category": (
        "Ese tipo no corresponde a la categoría elegida.",
        "That type does not belong to the chosen category.",
    ),
    "error.interval_invalid": (
        "Intervalo no válido (entre 0 y 60 meses).",
        "Invalid interval (0 to 60 months).",
    ),
    "error.days_invalid": (
        "Número de días no válido (entre 1 y 3650).",
        "Invalid number of days (1 to 3650).",
    ),
    "error.pending_not_before_urgent": (
        "Los días para «pendiente» deben ser menos que los de «urgente».",
        "The 'pending' days must be fewer than the 'urgent' days.",
    ),
    "error.date_required": ("La fecha es obligatoria.", "The date is required."),
    "error.date_invalid": ("Fecha no válida.", "Invalid date."),
    "error.date_too_far": (
        "La fecha no puede ser más de dos años en el futuro.",
        "The date cannot be more than two years ahead.",
    ),
    "error.amount_invalid": ("Importe no válido.", "Invalid amount."),
    "error.amount_negative": (
        "El importe no puede ser negativo.",
        "The amount cannot be negative.",
    ),
    "error.duration_invalid": (
        "Duración no válida (entre 0 y 1440 minutos).",
        "Invalid duration (0 to 1440 minutes).",
    ),
    "error.humidity_invalid": (
        "La humedad debe estar entre 0 y 100 %.",
        "Humidity must be between 0 and 100 %.",
    ),
    "error.temperature_invalid": (
        "La temperatura debe estar entre -30 y 60 °C.",
        "Temperature must be between -30 and 60 °C.",
    ),
    "error.too_many_tasks": ("Demasiadas tareas (máximo 100).", "Too many tasks (100 at most)."),
    "error.label_required": ("Escribe el texto de la tarea.", "Enter the task text."),
    # Alert settings and feed
    "error.number_invalid": ("Escribe un número entero.", "Enter a whole number."),
    "error.tuning_pending_range": ("Entre 30 y 730 días.", "Between 30 and 730 days."),
    "error.tuning_urgent_range": (
        "Más días que el aviso pendiente de afinación, como máximo 1095.",
        "More days than the tuning pending threshold, at most 1,095.",
    ),
    "error.regulation_pending_range": ("Entre 180 y 1825 días.", "Between 180 and 1,825 days."),
    "error.regulation_urgent_range": (
        "Más días que el aviso pendiente de regulación, como máximo 3650.",
        "More days than the regulation pending threshold, at most 3,650.",
    ),
    "error.alert_closed": ("Esta alerta ya está resuelta.", "This alert is already resolved."),
    "error.month_invalid": ("Mes no válido.", "Invalid month."),
    "feed.maintenance.tuning.pending": (
        "Afinación pendiente: {piano} ({client}), {days} días",
        "Tuning due: {piano} ({client}), {days} days",
    ),
    "feed.maintenance.tuning.urgent": (
        "Afinación urgente: {piano} ({client}), {days} días",
        "Tuning overdue: {piano} ({client}), {days} days",
    ),
    "feed.maintenance.regulation.pending": (
        "Regulación pendiente: {piano} ({client}), {days} días",
        "Regulation due: {piano} ({client}), {days} days",
    ),
    "feed.maintenance.regulation.urgent": (
        "Regulación urgente: {piano} ({client}), {days} días",
        "Regulation overdue: {piano} ({client}), {days} days",
    ),
    "feed.maintenance.repair.urgent": (
        "Necesita reparación: {piano} ({client})",
        "Needs repair: {piano} ({client})",
    ),
    "feed.maintenance.more": (
        "{count} alertas de mantenimiento más",
        "{count} more maintenance alerts",
    ),
    "feed.invoice.overdue": (
        "Factura {number} de {client} vencida hace {days} días ({total})",
        "Invoice {number} for {client} overdue by {days} days ({total})",
    ),
    "feed.invoice.due_soon": (
        "Factura {number} de {client} vence el {due_date} ({total})",
        "Invoice {number} for {client} due on {due_date} ({total})",
    ),
    "feed.appointment.today": ("Hoy: {title} con {client}", "Today: {title} with {client}"),
    "feed.appointment.tomorrow": (
        "Mañana: {title} con {client}",
        "Tomorrow: {title} with {client}",
    ),
    "feed.appointment.soon": (
        "En {days} días: {title} con {client}",
        "In {days} days: {title} with {client}",
    ),
    "feed.inventory.low_stock": (
        "Stock bajo: {name} ({quantity} {unit}, mínimo {min_stock})",
        "Low stock: {name} ({quantity} {unit}, minimum {min_stock})",
    ),
    # Agenda errors
    "error.time_required": ("La hora es obligatoria.", "The time is required."),
    "error.time_invalid": ("Hora no válida (HH:MM).", "Invalid time (HH:MM)."),
    "error.title_required": (
        "El título es obligatorio (o elige un tipo de servicio).",
        "The title is required (or choose a service type).",
    ),
    "error.appointment_duration_invalid": (
        "Duración no válida (entre 5 y 720 minutos).",
        "Invalid duration (5 to 720 minutes).",
    ),
    "error.date_out_of_range": (
        "La fecha debe estar entre el año 2000 y cinco años desde hoy.",
        "The date must be between 2000 and five years from today.",
    ),
    "error.piano_not_of_client": (
        "Ese piano no es de este cliente.",
        "That piano does not belong to this client.",
    ),
    "error.appointment_closed": (
        "Esta cita ya está completada o cancelada.",
        "This appointment is already completed or cancelled.",
    ),
    "error.appointment_cancelled": ("Esta cita está cancelada.", "This appointment is cancelled."),
    # Agenda
    "agenda.new": ("Nueva cita", "New appointment"),
    "agenda.edit": ("Editar cita", "Edit appointment"),
    "agenda.title": ("Título", "Title"),
    "agenda.title_hint": ("Vacío = el tipo de servicio", "Empty = the service type"),
    "agenda.time": ("Hora", "Time"),
    "agenda.no_piano": ("Sin piano concreto", "No specific piano"),
    "agenda.no_type": ("Sin tipo", "No type"),
    "agenda.address_hint": ("Vacío = la dirección del cliente", "Empty = the client's address"),
    "agenda.saved": ("Cita guardada", "Appointment saved"),
    "agenda.overlap": (
        "Atención: se solapa con {names}",
        "Heads up: it overlaps with {names}",
    ),
    "agenda.overlaps": ("Solapada", "Overlaps"),
    "agenda.confirm": ("Confirmar", "Confirm"),
    "agenda.complete": ("Completar", "Complete"),
    "agenda.cancel": ("Cancelar cita", "Cancel appointment"),
    "agenda.today": ("Hoy", "Today"),
    "agenda.previous": ("Anterior", "Previous"),
    "agenda.next": ("Siguiente", "Next"),
    "agenda.day": ("Día", "Day"),
    "agenda.week": ("Semana", "Week"),
    "agenda.month": ("Mes", "Month"),
    "agenda.free": ("Sin citas", "No appointments"),
    "agenda.completed_title": ("Cita completada", "Appointment completed"),
    "agenda.record_service": ("Registrar el servicio", "Record the service"),
    "agenda.service_recorded": (
        "Servicio registrado en el historial del piano.",
        "Service recorded in the piano's history.",
    ),
    "agenda.no_piano_no_service": (
        "La cita no tiene piano: registra el servicio desde la ficha del piano.",
        "The appointment has no piano: record the service from the piano's page.",
    ),
    "agenda.book_next": ("Reservar la próxima visita", "Book the next visit"),
    "agenda.interval_hint": ("Según el intervalo del piano:", "From the piano's interval:"),
    "agenda.months": ("meses", "months"),
    "agenda.client_calls": (
        "Este piano no tiene revisión periódica: llama el cliente.",
        "This piano has no periodic service: the client calls.",
    ),
    "agenda.next_booked": ("Próxima visita reservada", "Next visit booked"),
    "agenda.close": ("Cerrar", "Close"),
    "agenda.feed_title": (
        "Tu agenda en Google Calendar o Apple Calendar",
        "Your calendar in Google or Apple Calendar",
    ),
    "agenda.feed_hint": (
        "Suscríbete a esta dirección secreta desde tu calendario. No la compartas.",
        "Subscribe to this secret address from your calendar app. Do not share it.",
    ),
    "agenda.copy": ("Copiar", "Copy"),
    "weekday.1": ("lun", "Mon"),
    "weekday.2": ("mar", "Tue"),
    "weekday.3": ("mié", "Wed"),
    "weekday.4": ("jue", "Thu"),
    "weekday.5": ("vie", "Fri"),
    "weekday.6": ("sáb", "Sat"),
    "weekday.7": ("dom", "Sun"),
    # Reminder errors
    "error.reminder_title_required": ("El título es obligatorio.", "The title is required."),
    "error.template_body_required": ("Escribe el texto del mensaje.", "Enter the message text."),
    "error.template_variable": (
        "Variable desconocida. Usa {cliente}, {piano}, {ultimo_servicio}, {meses} o {tecnico}.",
        "Unknown variable. Use {cliente}, {piano}, {ultimo_servicio}, {meses} or {tecnico}.",
    ),
    "error.subject_required": ("El asunto es obligatorio.", "The subject is required."),
    "error.piano_not_due": (
        "Este piano no tiene revisión prevista (archivado o «el cliente llama»).",
        'This piano has no service due (archived or "client calls").',
    ),
    # Reminders
    "reminders.due_title": ("Pianos que tocan revisión", "Pianos due for service"),
    "reminders.due_hint": (
        "Vencidos y los que vencen en los próximos 30 días, según el intervalo de cada piano.",
        "Overdue and due in the next 30 days, from each piano's interval.",
    ),
    "reminders.none_due": ("Ningún piano pendiente de revisión.", "No piano is due."),
    "reminders.last": ("Último servicio:", "Last service:"),
    "reminders.due": ("toca:", "due:"),
    "reminders.overdue": ("Vencido", "Overdue"),
    "reminders.follow_up": ("Seguimiento", "Follow-up"),
    "reminders.contact": ("Contactar", "Contact"),
    "reminders.contacted": (
        "Marcado como contactado. Te recordaremos hacer seguimiento en 14 días.",
        "Marked as contacted. You will be reminded to follow up in 14 days.",
    ),
    "reminders.whatsapp_message": ("Mensaje de WhatsApp", "WhatsApp message"),
    "reminders.email_message": ("Email", "Email"),
    "reminders.email_subject": ("Asunto del email", "Email subject"),
    "reminders.no_phone": (
        "El cliente no tiene un teléfono válido para WhatsApp.",
        "The client has no valid phone for WhatsApp.",
    ),
    "reminders.mark_hint": (
        "Cuando hayas enviado el mensaje, márcalo para no volver a proponerlo este ciclo.",
        "Once you have sent it, mark it so it is not proposed again this cycle.",
    ),
    "reminders.mark_whatsapp": ("Enviado por WhatsApp", "Sent by WhatsApp"),
    "reminders.mark_email": ("Enviado por email", "Sent by email"),
    "reminders.mark_call": ("He llamado", "I called"),
    "reminders.new": ("Nuevo recordatorio", "New reminder"),
    "reminders.saved": ("Recordatorio guardado", "Reminder saved"),
    "reminders.done": ("Recordatorio hecho", "Reminder done"),
    "reminders.reopened": ("Recordatorio reabierto", "Reminder reopened"),
    "reminders.deleted": ("Recordatorio eliminado", "Reminder deleted"),
    "reminders.due_date": ("Fecha", "Date"),
    "reminders.bucket_overdue": ("Atrasados", "Overdue"),
    "reminders.bucket_today": ("Hoy", "Today"),
    "reminders.bucket_week": ("Esta semana", "This week"),
    "reminders.bucket_later": ("Más adelante", "Later"),
    "reminders.bucket_done": ("Hechos", "Done"),
    "reminders.templates": ("Plantillas de mensaje", "Message templates"),
    "reminders.templates_hint": (
        "Variables: {cliente}, {piano}, {ultimo_servicio}, {meses}, {tecnico}.",
        "Variables: {cliente}, {piano}, {ultimo_servicio}, {meses}, {tecnico}.",
    ),
    # Inventory errors
    "error.quantity_invalid": ("Cantidad no válida.", "Invalid quantity."),
    "error.quantity_negative": (
        "La cantidad no puede ser negativa.",
        "The quantity cannot be negative.",
    ),
    "error.stock_negative": (
        "No hay existencias suficientes (disponible: {available}). ¿Usarlo igualmente?",
        "Not enough in stock (available: {available}). Use it anyway?",
    ),
    "error.service_cancelled": (
        "Un servicio cancelado no usa materiales.",
        "A cancelled service uses no materials.",
    ),
    "error.too_many_materials": (
        "Demasiados materiales (máximo 100).",
        "Too many materials (100 at most).",
    ),
    # Money (quotes, invoices, lines, rates) errors
    "error.description_required": ("Escribe la descripción.", "Enter the description."),
    "error.quantity_positive": (
        "La cantidad debe ser mayor que cero.",
        "The quantity must be greater than zero.",
    ),
    "error.price_required": ("El precio es obligatorio.", "The price is required."),
    "error.discount_invalid": (
        "El descuento debe estar entre 0 y 100 %.",
        "The discount must be between 0 and 100%.",
    ),
    "error.tax_rate_invalid": (
        "El IVA debe estar entre 0 y 100 %.",
        "The VAT rate must be between 0 and 100%.",
    ),
    "error.too_many_lines": ("Demasiadas líneas (máximo 200).", "Too many lines (200 at most)."),
    "error.total_too_large": ("El total es demasiado alto.", "The total is too large."),
    "error.lines_required": ("Añade al menos una línea.", "Add at least one line."),
    "error.service_not_completed": (
        "Solo se puede facturar un servicio completado.",
        "Only a completed service can be billed.",
    ),
    "error.service_not_of_client": (
        "Ese servicio no es de este cliente.",
        "That service is not this client's.",
    ),
    "error.valid_until_before_date": (
        "La validez no puede terminar antes de la fecha del presupuesto.",
        "The validity cannot end before the quote date.",
    ),
    "error.valid_until_past": (
        "La fecha de validez ya ha pasado.",
        "The valid-until date has already passed.",
    ),
    "error.quote_locked": (
        "Solo se pueden modificar o borrar presupuestos en borrador.",
        "Only draft quotes can be changed or deleted.",
    ),
    "error.quote_not_draft": (
        "Este presupuesto ya no se puede enviar.",
        "This quote can no longer be sent.",
    ),
    "error.quote_not_sent": (
        "Solo un presupuesto enviado se puede aceptar o rechazar.",
        "Only a sent quote can be accepted or rejected.",
    ),
    "error.quote_expired": ("Este presupuesto ha caducado.", "This quote has expired."),
    "error.quote_not_accepted": (
        "Solo un presupuesto aceptado se convierte en factura.",
        "Only an accepted quote can be converted into an invoice.",
    ),
    "error.quote_already_converted": (
        "Este presupuesto ya se convirtió en factura.",
        "This quote has already been converted into an invoice.",
    ),
    "error.due_before_issue": (
        "El vencimiento no puede ser anterior a la fecha de emisión.",
        "The due date cannot be before the issue date.",
    ),
    "error.invoice_locked": (
        "Una factura emitida no se modifica: anúlala y emite otra.",
        "An issued invoice cannot be changed: cancel it and issue a new one.",
    ),
    "error.business_info_required": (
        "Completa tus datos fiscales antes de emitir facturas.",
        "Complete your business details before issuing invoices.",
    ),
    "error.invoice_already_paid": ("Esta factura ya está pagada.", "This invoice is already paid."),
    "error.invoice_cancelled": ("Esta factura está anulada.", "This invoice is cancelled."),
    "error.invoice_not_issued": (
        "Emite la factura antes de marcarla como pagada.",
        "Issue the invoice before marking it as paid.",
    ),
    "error.paid_before_issue": (
        "La fecha de pago no puede ser anterior a la de emisión.",
        "The payment date cannot be before the issue date.",
    ),
    "error.date_in_future": ("La fecha no puede ser futura.", "The date cannot be in the future."),
    "error.payment_method_required": (
        "Elige la forma de pago.",
        "Choose the payment method.",
    ),
    # Inventory
    "inventory.new": ("Nuevo material", "New item"),
    "inventory.edit": ("Editar material", "Edit item"),
    "inventory.name": ("Nombre", "Name"),
    "inventory.category": ("Categoría", "Category"),
    "inventory.quantity": ("Existencias", "In stock"),
    "inventory.initial_quantity": ("Existencias iniciales", "Initial stock"),
    "inventory.unit": ("Unidad", "Unit"),
    "inventory.min_stock": ("Stock mínimo", "Minimum stock"),
    "inventory.cost": ("Coste por unidad", "Cost per unit"),
    "inventory.sku": ("Referencia", "Reference"),
    "inventory.supplier": ("Proveedor", "Supplier"),
    "inventory.low": ("Stock bajo", "Low stock"),
    "inventory.low_only": ("Solo stock bajo", "Low stock only"),
    "inventory.low_items": ("con stock bajo", "low on stock"),
    "inventory.all_categories": ("Todas las categorías", "All categories"),
    "inventory.all_stock": ("Todo el stock", "All stock"),
    "inventory.search_placeholder": (
        "Buscar por nombre, referencia o proveedor",
        "Search by name, reference or supplier",
    ),
    # Rates (tarifas)
    "rates.intro": (
        "Tus precios habituales: añádelos a presupuestos y facturas con un clic.",
        "Your usual prices: add them to quotes and invoices in one click.",
    ),
    "rates.search_placeholder": ("Buscar tarifa…", "Search rates…"),
    "rates.all_states": ("Activas e inactivas", "Active and inactive"),
    "rates.active_only": ("Solo activas", "Active only"),
    "rates.inactive_only": ("Solo inactivas", "Inactive only"),
    "rates.all_categories": ("Todos los tipos", "All types"),
    "rates.no_category": ("Sin tipo", "No type"),
    "rates.new": ("Nueva tarifa", "New rate"),
    "rates.edit": ("Editar tarifa", "Edit rate"),
    "rates.name": ("Nombre", "Name"),
    "rates.category": ("Tipo de servicio", "Service type"),
    "rates.price": ("Precio base (sin IVA)", "Base price (before VAT)"),
    "rates.tax": ("IVA %", "VAT %"),
    "rates.minutes": ("Duración estimada (min)", "Estimated duration (min)"),
    "rates.active": ("Activa", "Active"),
    "rates.inactive": ("Inactiva", "Inactive"),
    "rates.description": ("Descripción (aparece en la línea)", "Description (shown on the line)"),
    "rates.saved": ("Tarifa guardada", "Rate saved"),
    "rates.deleted": ("Tarifa eliminada", "Rate deleted"),
    "rates.delete_title": ("¿Eliminar esta tarifa?", "Delete this rate?"),
    "rates.delete_body": (
        "Los presupuestos y facturas que ya la usan no cambian.",
        "Quotes and invoices that already use it do not change.",
    ),
    "rates.none_found": ("Ninguna tarifa coincide", "No rate matches"),
    "rates.empty": ("Aún no tienes tarifas", "No rates yet"),
    "rates.empty_hint": (
        "Crea tu primera tarifa (por ejemplo, «Afinación» a 90 €) para rellenar líneas en un clic.",
        'Create your first rate (for example "Tuning" at €90) to fill lines in one click.',
    ),
    "inventory.saved": ("Material guardado", "Item saved"),
    "inventory.movement_saved": ("Movimiento registrado", "Movement recorded"),
    "inventory.stock_value": ("Valor", "Value"),
    "inventory.movements": ("Movimientos", "Movements"),
    "inventory.record": ("Registrar", "Record"),
    "inventory.amount_hint": ("Cantidad (ajuste: +/-)", "Quantity (adjustment: +/-)"),
    "inventory.note": ("Nota", "Note"),
    "inventory.reason_purchase": ("Compra", "Purchase"),
    "inventory.reason_service_use": ("Usado en un servicio", "Used in a service"),
    "inventory.reason_service_return": ("Devuelto de un servicio", "Returned from a service"),
    "inventory.reason_adjustment": ("Ajuste", "Adjustment"),
    "inventory.empty": ("Aún no tienes materiales", "You have no items yet"),
    "inventory.empty_hint": (
        "Da de alta cuerdas, fieltros o herramientas para llevar el stock.",
        "Add strings, felts or tools to keep track of your stock.",
    ),
    "inventory.none_found": ("Ningún material coincide", "No item matches"),
    # Global search
    "search.title": ("Buscar", "Search"),
    "search.placeholder_short": ("Buscar…", "Search…"),
    "search.placeholder": (
        "Clientes, pianos (también por nº de serie), servicios, facturas…",
        "Clients, pianos (serial numbers too), services, invoices…",
    ),
    "search.hint": (
        "Escribe al menos 2 letras. Flechas para moverte, Intro para abrir.",
        "Type at least 2 letters. Arrows to move, Enter to open.",
    ),
    "search.nothing": ("Nada coincide con tu búsqueda.", "Nothing matches your search."),
    # Quote and invoice PDFs
    "pdf.invoice": ("Factura", "Invoice"),
    "pdf.quote": ("Presupuesto", "Quote"),
    "pdf.draft": ("Borrador", "Draft"),
    "pdf.issue_date": ("Fecha de emisión", "Issue date"),
    "pdf.due_date": ("Vencimiento", "Due date"),
    "pdf.quote_date": ("Fecha", "Date"),
    "pdf.valid_until": ("Válido hasta", "Valid until"),
    "pdf.client": ("Cliente", "Bill to"),
    "pdf.tax_id": ("NIF/CIF", "Tax ID"),
    "pdf.email": ("Email", "Email"),
    "pdf.phone": ("Tel.", "Phone"),
    "pdf.subject": ("Asunto", "Subject"),
    "pdf.description": ("Descripción", "Description"),
    "pdf.quantity": ("Cant.", "Qty"),
    "pdf.unit_price": ("Precio unit.", "Unit price"),
    "pdf.discount": ("Dto.", "Disc."),
    "pdf.tax_rate": ("IVA", "VAT"),
    "pdf.amount": ("Importe", "Amount"),
    "pdf.tax_breakdown": ("Desglose de IVA", "VAT breakdown"),
    "pdf.tax_base": ("Base imponible", "Taxable base"),
    "pdf.rate": ("Tipo", "Rate"),
    "pdf.tax_amount": ("Cuota", "VAT amount"),
    "pdf.subtotal": ("Subtotal", "Subtotal"),
    "pdf.tax_total": ("IVA", "VAT"),
    "pdf.total": ("Total", "Total"),
    "pdf.payment": ("Forma de pago", "Payment"),
    "pdf.bank_transfer": (
        "Transferencia bancaria a la cuenta IBAN {iban}",
        "Bank transfer to IBAN {iban}",
    ),
    "pdf.payment_reference": (
        "Indique el número de factura {number} como concepto.",
        "Please quote invoice number {number} as the payment reference.",
    ),
    "pdf.pay_online": ("Pago con tarjeta en línea:", "Pay online by card:"),
    "pdf.paid_on": ("Pagada el {date}", "Paid on {date}"),
    "pdf.notes": ("Observaciones", "Notes"),
    "pdf.page_of": ("Página {page} de {total}", "Page {page} of {total}"),
    # Exports (CSV/Excel headers) and account backups
    "export.clients.name": ("Nombre", "Name"),
    "export.clients.client_type": ("Tipo", "Type"),
    "export.clients.email": ("Email", "Email"),
    "export.clients.phone": ("Teléfono", "Phone"),
    "export.clients.tax_id": ("NIF/CIF", "Tax ID"),
    "export.clients.address": ("Dirección", "Address"),
    "export.clients.city": ("Ciudad", "City"),
    "export.clients.postal_code": ("Código postal", "Postal code"),
    "export.clients.region": ("Provincia", "Region"),
    "export.clients.route_group": ("Grupo de ruta", "Route group"),
    "export.clients.pianos": ("Pianos", "Pianos"),
    "export.clients.notes": ("Notas", "Notes"),
    "export.clients.created": ("Fecha de alta", "Added on"),
    "export.clients.archived": ("Archivado", "Archived"),
    "export.pianos.brand": ("Marca", "Brand"),
    "export.pianos.model": ("Modelo", "Model"),
    "export.pianos.serial_number": ("Nº de serie", "Serial number"),
    "export.pianos.year": ("Año", "Year"),
    "export.pianos.category": ("Categoría", "Category"),
    "export.pianos.piano_type": ("Tipo", "Type"),
    "export.pianos.size_cm": ("Tamaño (cm)", "Size (cm)"),
    "export.pianos.condition": ("Estado", "Condition"),
    "export.pianos.client": ("Cliente", "Client"),
    "export.pianos.room": ("Habitación", "Room"),
    "export.pianos.floor": ("Planta", "Floor"),
    "export.pianos.service_interval": (
        "Intervalo de servicio (meses)",
        "Service interval (months)",
    ),
    "export.pianos.last_service": ("Último servicio", "Last service"),
    "export.pianos.notes": ("Notas", "Notes"),
    "export.pianos.created": ("Fecha de alta", "Added on"),
    "export.pianos.archived": ("Archivado", "Archived"),
    "export.services.date": ("Fecha", "Date"),
    "export.services.service_type": ("Tipo", "Type"),
    "export.services.status": ("Estado", "Status"),
    "export.services.client": ("Cliente", "Client"),
    "export.services.piano": ("Piano", "Piano"),
    "export.services.serial_number": ("Nº de serie", "Serial number"),
    "export.services.cost": ("Coste", "Cost"),
    "export.services.duration": ("Duración (min)", "Duration (min)"),
    "export.services.humidity": ("Humedad (%)", "Humidity (%)"),
    "export.services.temperature": ("Temperatura (°C)", "Temperature (°C)"),
    "export.services.notes": ("Notas", "Notes"),
    "export.services.technician_notes": ("Notas del técnico", "Technician notes"),
    "export.invoices.number": ("Número", "Number"),
    "export.invoices.issue_date": ("Fecha", "Date"),
    "export.invoices.due_date": ("Vencimiento", "Due date"),
    "export.invoices.client": ("Cliente", "Client"),
    "export.invoices.client_tax_id": ("NIF/CIF del cliente", "Client tax ID"),
    "export.invoices.status": ("Estado", "Status"),
    "export.invoices.subtotal": ("Base imponible", "Subtotal"),
    "export.invoices.tax": ("IVA", "VAT"),
    "export.invoices.total": ("Total", "Total"),
    "export.invoices.paid_date": ("Fecha de pago", "Paid on"),
    "export.invoices.payment_method": ("Forma de pago", "Payment method"),
    "export.invoices.payment_reference": ("Referencia de pago", "Payment reference"),
    "export.inventory.name": ("Nombre", "Name"),
    "export.inventory.category": ("Categoría", "Category"),
    "export.inventory.sku": ("Referencia", "Reference"),
    "export.inventory.quantity": ("Existencias", "In stock"),
    "export.inventory.unit": ("Unidad", "Unit"),
    "export.inventory.min_stock": ("Stock mínimo", "Minimum stock"),
    "export.inventory.cost_per_unit": ("Coste por unidad", "Cost per unit"),
    "export.inventory.stock_value": ("Valor", "Value"),
    "export.inventory.supplier": ("Proveedor", "Supplier"),
    "export.inventory.low_stock": ("Stock bajo", "Low stock"),
    "export.inventory.notes": ("Notas", "Notes"),
    "export.inventory.archived": ("Archivado", "Archived"),
    "export.enum.PaymentMethod.transfer": ("Transferencia", "Bank transfer"),
    "export.enum.PaymentMethod.card": ("Tarjeta", "Card"),
    "export.enum.PaymentMethod.cash": ("Efectivo", "Cash"),
    "export.enum.PaymentMethod.bizum": ("Bizum", "Bizum"),
    "export.enum.PaymentMethod.stripe": ("Pago online (Stripe)", "Online payment (Stripe)"),
    "export.enum.PaymentMethod.other": ("Otro", "Other"),
    "error.export_entity_unknown": (
        "Esta lista no se puede exportar.",
        "This list cannot be exported.",
    ),
    "error.export_filters_invalid": ("Filtro de exportación no válido.", "Invalid export filter."),
    "error.backup_invalid_json": (
        "El archivo no es una copia de seguridad válida (JSON dañado).",
        "The file is not a valid backup (damaged JSON).",
    ),
    "error.backup_format_invalid": (
        "El archivo no tiene el formato de copia de seguridad de Piano Emotion.",
        "The file is not a Piano Emotion backup.",
    ),
    "error.backup_version_newer": (
        "Esta copia es de una versión más nueva de la aplicación; actualízala antes de "
        "restaurarla.",
        "This backup comes from a newer version of the app; update it before restoring.",
    ),
    "error.backup_reference_broken": (
        "La copia está dañada: enlaza registros que no contiene.",
        "The backup is damaged: it links records it does not contain.",
    ),
    "error.backup_value_invalid": (
        "La copia contiene un valor no válido.",
        "The backup contains an invalid value.",
    ),
    "error.restore_account_not_empty": (
        "Solo se puede restaurar una copia en una cuenta sin datos (clientes, pianos, facturas…).",
        "A backup can only be restored into an account with no data (clients, pianos, invoices…).",
    ),
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
    # Cache monitor: alerts, notifications, settings and the CSV export
    "monitor.alert.hit_rate.title": (
        "Caché: tasa de aciertos baja ({value} %)",
        "Cache: low hit rate ({value} %)",
    ),
    "monitor.alert.hit_rate.body": (
        "La tasa de aciertos de la caché en los últimos minutos es del {value} %, por debajo "
        "del mínimo del {threshold} % ({lookups} búsquedas). Revisa los TTL y la invalidación.",
        "The cache hit rate over the last minutes is {value} %, below the {threshold} % "
        "minimum ({lookups} lookups). Check the TTLs and the invalidation.",
    ),
    "monitor.alert.latency.title": (
        "Caché: latencia alta ({value} ms)",
        "Cache: high latency ({value} ms)",
    ),
    "monitor.alert.latency.body": (
        "La latencia media de la caché en los últimos minutos es de {value} ms, por encima "
        "del máximo de {threshold} ms (p95 {p95} ms, {operations} operaciones).",
        "The average cache latency over the last minutes is {value} ms, above the "
        "{threshold} ms maximum (p95 {p95} ms, {operations} operations).",
    ),
    "monitor.alert.connection.title": (
        "Caché: sin conexión con {mode}",
        "Cache: {mode} unreachable",
    ),
    "monitor.alert.connection.body": (
        "La caché no responde; la aplicación sigue funcionando con la memoria del proceso "
        "(modo degradado) hasta que vuelva.",
        "The cache does not answer; the app keeps working from process memory "
        "(degraded mode) until it is back.",
    ),
    "monitor.recovered.hit_rate.title": (
        "Caché: tasa de aciertos recuperada ({value} %)",
        "Cache: hit rate recovered ({value} %)",
    ),
    "monitor.recovered.hit_rate.body": (
        "La tasa de aciertos vuelve a estar en el {value} % (mínimo {threshold} %).",
        "The hit rate is back at {value} % (minimum {threshold} %).",
    ),
    "monitor.recovered.latency.title": (
        "Caché: latencia normal ({value} ms)",
        "Cache: latency back to normal ({value} ms)",
    ),
    "monitor.recovered.latency.body": (
        "La latencia media vuelve a ser de {value} ms (máximo {threshold} ms).",
        "The average latency is back to {value} ms (maximum {threshold} ms).",
    ),
    "monitor.recovered.connection.title": (
        "Caché: conexión recuperada con {mode}",
        "Cache: {mode} reachable again",
    ),
    "monitor.recovered.connection.body": (
        "La caché vuelve a responder; las entradas anteriores al corte se han descartado.",
        "The cache answers again; entries from before the outage were discarded.",
    ),
    "monitor.email.subject": ("[Piano Emotion] {title}", "[Piano Emotion] {title}"),
    "monitor.email.footer": (
        "Aviso automático del monitor de caché: {url}",
        "Automatic notice from the cache monitor: {url}",
    ),
    "monitor.csv.taken_at": ("Fecha", "Date"),
    "monitor.csv.mode": ("Modo", "Mode"),
    "monitor.csv.connected": ("Conectada", "Connected"),
    "monitor.csv.degraded": ("Degradada", "Degraded"),
    "monitor.csv.delta_hits": ("Aciertos (hora)", "Hits (hour)"),
    "monitor.csv.delta_misses": ("Fallos (hora)", "Misses (hour)"),
    "monitor.csv.delta_sets": ("Escrituras (hora)", "Writes (hour)"),
    "monitor.csv.delta_deletes": ("Borrados (hora)", "Deletes (hour)"),
    "monitor.csv.delta_errors": ("Errores (hora)", "Errors (hour)"),
    "monitor.csv.interval_hit_rate": ("Tasa de aciertos (hora) %", "Hit rate (hour) %"),
    "monitor.csv.hit_rate": ("Tasa de aciertos acumulada %", "Cumulative hit rate %"),
    "monitor.csv.latency_avg_ms": ("Latencia media ms", "Average latency ms"),
    "monitor.csv.latency_p50_ms": ("Latencia p50 ms", "Latency p50 ms"),
    "monitor.csv.latency_p95_ms": ("Latencia p95 ms", "Latency p95 ms"),
    "monitor.csv.latency_p99_ms": ("Latencia p99 ms", "Latency p99 ms"),
    "monitor.csv.keys": ("Claves", "Keys"),
    "monitor.csv.hits": ("Aciertos acumulados", "Cumulative hits"),
    "monitor.csv.misses": ("Fallos acumulados", "Cumulative misses"),
    "monitor.csv.yes": ("sí", "yes"),
    "monitor.csv.no": ("no", "no"),
    "error.monitor_number_invalid": ("Escribe un número.", "Enter a number."),
    "error.monitor_hit_rate_range": ("Entre 1 y 100 %.", "Between 1 and 100 %."),
    "error.monitor_latency_range": ("Entre 1 y 10.000 ms.", "Between 1 and 10,000 ms."),
    "error.monitor_cooldown_range": (
        "Entre 1 y 1.440 minutos (24 horas).",
        "Between 1 and 1,440 minutes (24 hours).",
    ),
    "error.monitor_min_operations_range": (
        "Al menos 1 operación.",
        "At least 1 operation.",
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
    "MaintenanceAlertKind": {
        "tuning": ("Afinación", "Tuning"),
        "regulation": ("Regulación", "Regulation"),
        "repair": ("Reparación", "Repair"),
    },
    "ReminderType": {
        "call": ("Llamada", "Call"),
        "visit": ("Visita", "Visit"),
        "email": ("Email", "Email"),
        "whatsapp": ("WhatsApp", "WhatsApp"),
        "follow_up": ("Seguimiento", "Follow-up"),
    },
    "CacheMode": {
        "upstash": ("Upstash Redis", "Upstash Redis"),
        "redis": ("Redis", "Redis"),
        "memory": ("Memoria", "Memory"),
    },
    "CacheAlertCause": {
        "hit_rate": ("Tasa de aciertos", "Hit rate"),
        "latency": ("Latencia", "Latency"),
        "connection": ("Conexión", "Connection"),
    },
    "CacheAlertEventKind": {
        "raised": ("Alerta", "Alert"),
        "recovered": ("Recuperada", "Recovered"),
    },
    "NotificationSeverity": {
        "info": ("Información", "Information"),
        "warning": ("Aviso", "Warning"),
        "critical": ("Crítica", "Critical"),
    },
    "DeliveryStatus": {
        "pending": ("Pendiente", "Pending"),
        "sent": ("Enviado", "Sent"),
        "failed": ("Fallido", "Failed"),
        "skipped": ("No configurado", "Not configured"),
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
