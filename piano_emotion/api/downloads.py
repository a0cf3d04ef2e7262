"""Files a signed-in technician downloads: quote/invoice PDFs, list exports
(CSV, Excel) and the account's JSON backup.

Plain GET links (the browser's own download, no data through the websocket),
authenticated with the session cookie the app sets; every file is built from
that technician's rows only. Without a session: 401. Someone else's id: 404,
the same as a missing one.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import quote as url_quote

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from piano_emotion.auth.current import user_from_request
from piano_emotion.db import get_engine
from piano_emotion.domain.errors import NotFound, ValidationFailed
from piano_emotion.models import User
from piano_emotion.settings import get_settings
from piano_emotion.ui.i18n import LANGUAGES, translate

PDF_TYPE = "application/pdf"
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON_TYPE = "application/json"
EXPORT_FORMATS = {"csv": CSV_TYPE, "xlsx": XLSX_TYPE}
# Query parameters that are not list filters.
NOT_FILTERS = frozenset({"lang"})


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang", "es")
    return lang if lang in LANGUAGES else "es"


def _file(body: bytes, media_type: str, filename: str, *, inline: bool = False) -> Response:
    disposition = "inline" if inline else "attachment"
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": (
                f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{url_quote(filename)}"
            ),
            # A technician's own data: never kept by a shared cache.
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _problem(status: int, key: str, lang: str) -> JSONResponse:
    return JSONResponse({"error": translate(key, lang)}, status_code=status)


async def _signed_in(request: Request) -> User | None:
    return await user_from_request(request)


# -- PDFs ---------------------------------------------------------------------------
def document_pdf(user: User, kind: str, document_id: int, lang: str) -> tuple[str, bytes]:
    from piano_emotion.billing.pdf import invoice_pdf_file, quote_pdf_file
    from piano_emotion.billing.stripe_payments import payment_url
    from piano_emotion.domain import invoices

    with Session(get_engine(), expire_on_commit=False) as session:
        if kind == "quotes":
            return quote_pdf_file(session, user, document_id, lang=lang)
        if kind != "invoices":
            raise NotFound(kind)
        detail = invoices.get_invoice(session, user, document_id)
        link = payment_url(get_settings(), detail) if detail["status"] == "sent" else None
        return invoice_pdf_file(session, user, document_id, lang=lang, payment_url=link)


async def document_pdf_endpoint(request: Request) -> Response:
    lang = _lang(request)
    user = await _signed_in(request)
    if user is None:
        return _problem(401, "auth.session_expired", lang)
    kind = request.path_params["kind"]
    try:
        filename, body = await run_in_threadpool(
            document_pdf, user, kind, int(request.path_params["document_id"]), lang
        )
    except NotFound:
        return _problem(404, "error.not_found", lang)
    return _file(body, PDF_TYPE, filename, inline=True)


# -- exports ------------------------------------------------------------------------
def export_file(user: User, entity: str, fmt: str, lang: str, filters: dict) -> tuple[str, bytes]:
    from piano_emotion.domain import exports

    with Session(get_engine(), expire_on_commit=False) as session:
        table = exports.export_table(session, user, entity, lang, filters or None)
    body = exports.to_csv(table, lang) if fmt == "csv" else exports.to_xlsx(table, lang)
    return f"{table.filename_stem}.{fmt}", body


async def export_endpoint(request: Request) -> Response:
    lang = _lang(request)
    user = await _signed_in(request)
    if user is None:
        return _problem(401, "auth.session_expired", lang)
    entity, fmt = request.path_params["entity"], request.path_params["fmt"]
    if fmt not in EXPORT_FORMATS:
        return _problem(404, "error.not_found", lang)
    filters = {k: v for k, v in request.query_params.items() if k not in NOT_FILTERS and v}
    try:
        filename, body = await run_in_threadpool(export_file, user, entity, fmt, lang, filters)
    except ValidationFailed as error:
        key = next(iter(error.fields.values()), "error.not_found")
        return _problem(400, key, lang)
    return _file(body, EXPORT_FORMATS[fmt], filename)


# -- backup -------------------------------------------------------------------------
def backup_file(user: User) -> tuple[str, bytes]:
    from piano_emotion.domain import backup

    with Session(get_engine(), expire_on_commit=False) as session:
        body = backup.backup_json(session, user)
    return f"piano-emotion-copia-{date.today().isoformat()}.json", body


async def backup_endpoint(request: Request) -> Response:
    lang = _lang(request)
    user = await _signed_in(request)
    if user is None:
        return _problem(401, "auth.session_expired", lang)
    filename, body = await run_in_threadpool(backup_file, user)
    return _file(body, JSON_TYPE, filename)
