"""Quotes (presupuestos): create, edit while draft, send, accept, reject,
expire, convert once into an invoice, delete drafts, list and detail.

Lifecycle: ``draft`` → ``sent`` (numbered ``P-YYYY-NNNN`` at the first
send) → ``accepted`` / ``rejected`` / ``expired`` (a sent quote whose
``valid_until`` has passed) ; ``accepted`` → ``converted`` (once: the quote
then links the draft invoice made from it). Only drafts are edited or
deleted. Totals are always computed here from the lines (``money``).

Reads return plain dicts through the cache; every write invalidates
``quotes`` and the quote's record (conversion also ``invoices``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from piano_emotion.domain import documents as docs
from piano_emotion.domain.alerts import local_today
from piano_emotion.domain.business import get_business_info
from piano_emotion.domain.cached import cached_read, invalidate_on_commit
from piano_emotion.domain.errors import NotFound, ValidationFailed
from piano_emotion.domain.listing import PageResult, clamp_page, like_pattern, search_words
from piano_emotion.domain.money import LineInput, compute_totals, parse_lines
from piano_emotion.domain.numbering import next_number
from piano_emotion.domain.tenancy import get_owned, owned
from piano_emotion.models import Client, Invoice, Piano, Quote, User
from piano_emotion.models.enums import DocumentKind, QuoteStatus
from piano_emotion.models.types import utcnow

VALIDITY_DAYS = 30
STATUS_FILTERS = tuple(s.value for s in QuoteStatus)
# What a quote list shows (client names), and a detail (client contact, piano).
QUOTE_LIST_READS = ("quotes", "client_names")
QUOTE_DETAIL_READS = ("clients", "pianos")


@dataclass
class QuoteInput:
    client_id: int | str | None = None
    piano_id: int | str | None = None
    # A completed service to fill the lines from (create, when no lines are given).
    service_id: int | str | None = None
    title: str = ""
    quote_date: date | str | None = None
    valid_until: date | str | None = None
    notes: str = ""
    # Rows ``{kind, description, quantity, unit_price, discount_pct, tax_rate}``
    # (or ``LineInput``); None = keep the lines (update) / pre-fill (create).
    lines: list[Any] | None = None

    @classmethod
    def from_form(cls, form: dict[str, Any]) -> QuoteInput:
        values: dict[str, Any] = {
            f.name: str(form.get(f.name, "") or "").strip()
            for f in fields(cls)
            if f.name in form and f.name != "lines"
        }
        if isinstance(form.get("lines"), list):
            values["lines"] = list(form["lines"])
        return cls(**values)


def _validate(
    session: Session, user: User, data: QuoteInput, today: date
) -> tuple[dict[str, Any], docs.Parties | None, list[LineInput] | None]:
    """Everything checked before anything is written; ``ValidationFailed`` with
    every error (``NotFound`` for another technician's ids)."""
    parties, errors = docs.resolve_parties(
        session, user, data.client_id, data.piano_id, data.service_id
    )
    cleaned: dict[str, Any] = {}
    title = str(data.title or "").strip()
    if len(title) > docs.MAX_TITLE:
        errors["title"] = "error.too_long"
    cleaned["title"] = title
    notes = str(data.notes or "").strip()
    if len(notes) > docs.MAX_NOTES:
        errors["notes"] = "error.too_long"
    cleaned["notes"] = notes
    try:
        quote_date = docs.parse_document_date(data.quote_date) or today
        cleaned["quote_date"] = quote_date
    except ValueError:
        errors["quote_date"] = "error.date_invalid"
        quote_date = None
    try:
        valid_until = docs.parse_document_date(data.valid_until)
        if valid_until is None and quote_date is not None:
            valid_until = quote_date + timedelta(days=VALIDITY_DAYS)
        if valid_until is not None and quote_date is not None and valid_until < quote_date:
            errors["valid_until"] = "error.valid_until_before_date"
        cleaned["valid_until"] = valid_until
    except ValueError:
        errors["valid_until"] = "error.date_invalid"
    lines = None
    if data.lines is not None:
        try:
            rate = docs.default_tax_rate(get_business_info(session, user))
            lines = parse_lines(data.lines, rate)
        except ValidationFailed as bad:
            errors.update(bad.fields)
    if errors or parties is None:
        raise ValidationFailed(errors)
    return cleaned, parties, lines


def _apply(quote: Quote, cleaned: dict[str, Any], parties: docs.Parties) -> None:
    quote.client_id = parties.client.id
    quote.piano_id = parties.piano.id if parties.piano is not None else None
    for name in ("title", "quote_date", "valid_until", "notes"):
        setattr(quote, name, cleaned[name])


def _changed(session: Session, user: User, *quote_ids: int, invoices: bool = False) -> None:
    collections = ("quotes", "invoices") if invoices else ("quotes",)
    invalidate_on_commit(
        session, user, *collections, records=[("quote", i) for i in dict.fromkeys(quote_ids)]
    )


def _lock(session: Session, user: User, quote_id: Any) -> Quote:
    """The technician's quote, locked and re-read (two transitions of one
    quote never both start from the same status)."""
    try:
        quote_id = docs.parse_id(quote_id)
    except (TypeError, ValueError):
        quote_id = None
    row = None
    if quote_id is not None:
        row = session.exec(
            owned(Quote, user)
            .where(Quote.id == quote_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()
    if row is None:
        raise NotFound(Quote.__tablename__)
    return row


def _is_overdue(quote: Quote, today: date) -> bool:
    return (
        quote.status == QuoteStatus.SENT
        and quote.valid_until is not None
        and quote.valid_until < today
    )


def _refuse(key: str, field: str = "status") -> None:
    raise ValidationFailed({field: key})


# -- writes -------------------------------------------------------------------
def create_quote(
    session: Session, user: User, data: QuoteInput, today: date | None = None
) -> Quote:
    """A draft quote for one of the technician's clients. With a completed
    ``service_id`` and no ``lines``, the lines are pre-filled from it
    (``documents.service_lines``)."""
    today = today or local_today()
    cleaned, parties, lines = _validate(session, user, data, today)
    if lines is None:
        lines = []
        if parties.service is not None:
            lines = parse_lines(docs.service_lines(session, user, parties.service.id))
    quote = Quote(
        technician_id=user.id,
        client_id=parties.client.id,
        quote_date=cleaned["quote_date"],
        status=QuoteStatus.DRAFT,
    )
    _apply(quote, cleaned, parties)
    session.add(quote)
    session.flush()
    docs.store_lines(session, quote, lines, replace=False)
    _changed(session, user, quote.id)
    return quote


def update_quote(
    session: Session, user: User, quote_id: int, data: QuoteInput, today: date | None = None
) -> Quote:
    """Save a draft quote; its lines are replaced when ``lines`` is given.
    A quote that is no longer a draft: ``error.quote_locked``."""
    today = today or local_today()
    quote = _lock(session, user, quote_id)
    if quote.status != QuoteStatus.DRAFT:
        _refuse("error.quote_locked")
    # A quote keeps no service: only creation pre-fills from one.
    cleaned, parties, lines = _validate(session, user, replace(data, service_id=None), today)
    _apply(quote, cleaned, parties)
    session.add(quote)
    session.flush()
    if lines is not None:
        docs.store_lines(session, quote, lines)
    _changed(session, user, quote.id)
    return quote


def send_quote(session: Session, user: User, quote_id: int, today: date | None = None) -> Quote:
    """Mark a draft as sent, numbering it (``P-YYYY-NNNN``, the year of its
    date) the first time; sending a sent quote again changes nothing."""
    today = today or local_today()
    quote = _lock(session, user, quote_id)
    if quote.status == QuoteStatus.SENT and not _is_overdue(quote, today):
        return quote
    if quote.status != QuoteStatus.DRAFT:
        _refuse("error.quote_expired" if _is_overdue(quote, today) else "error.quote_not_draft")
    if not docs.stored_lines(session, quote):
        _refuse("error.lines_required", "lines")
    if quote.valid_until is not None and quote.valid_until < today:
        _refuse("error.valid_until_past", "valid_until")
    if not quote.number:
        quote.number = next_number(session, user, DocumentKind.QUOTE, quote.quote_date.year)
    quote.status = QuoteStatus.SENT
    session.add(quote)
    session.flush()
    _changed(session, user, quote.id)
    return quote


def _answer(session: Session, user: User, quote_id: int, status: QuoteStatus, today: date):
    quote = _lock(session, user, quote_id)
    if _is_overdue(quote, today) or quote.status == QuoteStatus.EXPIRED:
        _refuse("error.quote_expired")
    if quote.status != QuoteStatus.SENT:
        _refuse("error.quote_not_sent")
    quote.status = status
    session.add(quote)
    session.flush()
    _changed(session, user, quote.id)
    return quote


def accept_quote(session: Session, user: User, quote_id: int, today: date | None = None) -> Quote:
    """The client accepted a sent quote (not one past its validity)."""
    return _answer(session, user, quote_id, QuoteStatus.ACCEPTED, today or local_today())


def reject_quote(session: Session, user: User, quote_id: int, today: date | None = None) -> Quote:
    """The client turned a sent quote down."""
    return _answer(session, user, quote_id, QuoteStatus.REJECTED, today or local_today())


def expire_overdue_quotes(session: Session, user: User, today: date | None = None) -> int:
    """Sent quotes whose ``valid_until`` is before ``today`` become ``expired``.

    Lists and details call it first, so an overdue quote is always shown
    (and treated) as expired. Returns how many changed.
    """
    today = today or local_today()
    overdue = [
        quote_id
        for quote_id in session.exec(
            select(Quote.id).where(
                Quote.technician_id == user.id,
                Quote.status == QuoteStatus.SENT,
                Quote.valid_until.is_not(None),
                Quote.valid_until < today,
            )
        ).all()
    ]
    if not overdue:
        return 0
    session.execute(
        sa.update(Quote)
        .where(
            Quote.technician_id == user.id,
            Quote.id.in_(overdue),
            Quote.status == QuoteStatus.SENT,
        )
        .values(status=QuoteStatus.EXPIRED, updated_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    session.flush()
    _changed(session, user, *overdue)
    return len(overdue)


def convert_quote_to_invoice(
    session: Session, user: User, quote_id: int, today: date | None = None
) -> Invoice:
    """Make a draft invoice (dated ``today``) from an accepted quote, once:
    lines copied, ``quote_id`` linked, the quote ``converted``. A second
    conversion: ``error.quote_already_converted``."""
    from piano_emotion.domain import invoices

    today = today or local_today()
    quote = _lock(session, user, quote_id)
    if quote.status == QuoteStatus.CONVERTED or quote.converted_invoice_id is not None:
        _refuse("error.quote_already_converted")
    if quote.status != QuoteStatus.ACCEPTED:
        _refuse("error.quote_not_accepted")
    lines = docs.as_line_inputs(docs.stored_lines(session, quote))
    invoice = invoices.create_invoice(
        session,
        user,
        invoices.InvoiceInput(
            client_id=quote.client_id,
            piano_id=quote.piano_id,
            issue_date=today,
            notes=quote.notes,
            lines=lines,
        ),
        today=today,
    )
    invoice.quote_id = quote.id
    session.add(invoice)
    quote.status = QuoteStatus.CONVERTED
    quote.converted_invoice_id = invoice.id
    session.add(quote)
    session.flush()
    _changed(session, user, quote.id, invoices=True)
    return invoice


def delete_quote(session: Session, user: User, quote_id: int) -> str:
    """Delete a draft quote (a numbered one is kept: numbers have no gaps).
    Returns ``"deleted"``."""
    quote = _lock(session, user, quote_id)
    if quote.status != QuoteStatus.DRAFT or quote.number:
        _refuse("error.quote_locked")
    session.delete(quote)
    session.flush()
    _changed(session, user, quote_id)
    return "deleted"


# -- reads --------------------------------------------------------------------
@dataclass(frozen=True)
class QuoteQuery:
    status: str = ""
    client_id: int | None = None
    year: int | None = None
    month: int | None = None
    search: str = ""
    page: int = 1
    page_size: int = 25

    def normalised(self) -> QuoteQuery:
        page, size = clamp_page(self.page, self.page_size)
        year, month = _int_or_none(self.year), _int_or_none(self.month)
        client_id = _int_or_none(self.client_id)
        return QuoteQuery(
            status=self.status if self.status in STATUS_FILTERS else "",
            client_id=client_id,
            year=year if year is not None and year in docs.YEARS else None,
            month=month if month is not None and 1 <= month <= 12 else None,
            search=(self.search or "").strip()[:100],
            page=page,
            page_size=size,
        )


def _int_or_none(value: Any) -> int | None:
    try:
        return docs.parse_id(value)
    except (TypeError, ValueError):
        return None


def _period(column, year: int | None, month: int | None) -> list[Any]:
    if year is None:
        return []
    if month is None:
        return [column >= date(year, 1, 1), column < date(year + 1, 1, 1)]
    after = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return [column >= date(year, month, 1), column < after]


def _filters(user: User, query: QuoteQuery) -> list[Any]:
    filters = [Quote.technician_id == user.id, Client.technician_id == user.id]
    if query.status:
        filters.append(Quote.status == QuoteStatus(query.status))
    if query.client_id is not None:
        filters.append(Quote.client_id == query.client_id)
    filters += _period(Quote.quote_date, query.year, query.month)
    for word in search_words(query.search):
        pattern = like_pattern(word)
        filters.append(
            sa.or_(
                sa.func.lower(sa.func.coalesce(Quote.number, "")).like(pattern, escape="\\"),
                Client.search_text.like(pattern, escape="\\"),
            )
        )
    return filters


def _money(value: Any) -> Decimal:
    if value is None:
        return Decimal("0.00")
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _list_quotes(session: Session, user: User, query: QuoteQuery, today: date) -> dict[str, Any]:
    filters = _filters(user, query)
    joined = select(sa.func.count(Quote.id)).join(Client, Client.id == Quote.client_id)
    total = session.exec(joined.where(*filters)).one()
    sums = session.exec(
        select(Quote.status, sa.func.count(Quote.id), sa.func.sum(Quote.total))
        .join(Client, Client.id == Quote.client_id)
        .where(*filters)
        .group_by(Quote.status)
    ).all()
    by_status = {QuoteStatus(s).value: _money(amount) for s, _, amount in sums}
    rows = session.exec(
        select(Quote, Client.name)
        .join(Client, Client.id == Quote.client_id)
        .where(*filters)
        .order_by(Quote.quote_date.desc(), Quote.created_at.desc(), Quote.id.desc())
        .offset((query.page - 1) * query.page_size)
        .limit(query.page_size)
    ).all()
    items = [
        {
            "id": quote.id,
            "number": quote.number or "",
            "title": quote.title,
            "quote_date": quote.quote_date,
            "valid_until": quote.valid_until,
            "status": (
                QuoteStatus.EXPIRED.value
                if _is_overdue(quote, today)
                else QuoteStatus(quote.status).value
            ),
            "client_id": quote.client_id,
            "client_name": client_name,
            "total": Decimal(quote.total),
            "converted_invoice_id": quote.converted_invoice_id,
        }
        for quote, client_name in rows
    ]
    result = PageResult(items, int(total), query.page, query.page_size).as_dict()
    zero = Decimal("0.00")
    result["totals"] = {
        "quoted": sum(by_status.values(), zero),
        "draft": by_status.get("draft", zero),
        "pending": by_status.get("sent", zero),
        "accepted": by_status.get("accepted", zero) + by_status.get("converted", zero),
        "lost": by_status.get("rejected", zero) + by_status.get("expired", zero),
    }
    return result


def list_quotes(
    session: Session, user: User, query: QuoteQuery | None = None, today: date | None = None
) -> dict[str, Any]:
    """A page of quotes, newest first: ``{items, total, page, page_size,
    pages, totals}``; ``totals`` are sums over every quote of the filtered
    set (``quoted`` all, ``draft``, ``pending`` sent, ``accepted`` accepted
    or converted, ``lost`` rejected or expired). Overdue quotes are expired
    first."""
    today = today or local_today()
    expire_overdue_quotes(session, user, today)
    query = (query or QuoteQuery()).normalised()
    return cached_read(
        user,
        "quotes",
        "list",
        {**query.__dict__, "today": today},
        lambda: _list_quotes(session, user, query, today),
        depends_on=QUOTE_LIST_READS,
    )


def _quote_detail(session: Session, user: User, quote_id: int, today: date) -> dict[str, Any]:
    quote = get_owned(session, Quote, quote_id, user)
    client = get_owned(session, Client, quote.client_id, user)
    piano = get_owned(session, Piano, quote.piano_id, user) if quote.piano_id else None
    rows = docs.stored_lines(session, quote)
    status = QuoteStatus.EXPIRED if _is_overdue(quote, today) else QuoteStatus(quote.status)
    return {
        "id": quote.id,
        "number": quote.number or "",
        "title": quote.title,
        "status": status.value,
        "editable": status == QuoteStatus.DRAFT,
        "quote_date": quote.quote_date,
        "valid_until": quote.valid_until,
        "notes": quote.notes,
        "client_id": client.id,
        "client": docs.client_dict(client),
        "piano_id": quote.piano_id,
        "piano": docs.piano_dict(piano),
        "converted_invoice_id": quote.converted_invoice_id,
        "lines": [docs.line_dict(row) for row in rows],
        "subtotal": Decimal(quote.subtotal),
        "tax_total": Decimal(quote.tax_total),
        "total": Decimal(quote.total),
        "breakdown": compute_totals(rows).as_dict()["breakdown"],
    }


def get_quote(
    session: Session, user: User, quote_id: int, today: date | None = None
) -> dict[str, Any]:
    """A quote with its lines, client and piano; ``NotFound`` if not theirs."""
    today = today or local_today()
    expire_overdue_quotes(session, user, today)
    return cached_read(
        user,
        "quotes",
        "detail",
        {"id": quote_id, "today": today},
        lambda: _quote_detail(session, user, quote_id, today),
        depends_on=QUOTE_DETAIL_READS,
        records=[("quote", quote_id)],
    )
