"""Invoices (facturas): create and edit drafts, issue, mark paid, cancel,
delete drafts, online payments, lists with totals, detail and the public
payment page's lookup.

Lifecycle: ``draft`` → ``sent`` (issued: numbered ``F-YYYY-NNNN`` in the
same transaction, client and issuer snapshots taken, due date, payment
token) → ``paid``; any of them → ``cancelled``. A sent, paid or cancelled
invoice is never edited (``error.invoice_locked``): it is cancelled and a
new one issued. Only drafts (unnumbered) are deleted. Totals are always
computed here from the lines (``money``), never taken from a page.

Reads return plain dicts through the cache; every write invalidates
``invoices`` (the dashboard's revenue and alert feed depend on it) and the
invoice's record.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from piano_emotion.domain import business
from piano_emotion.domain import documents as docs
from piano_emotion.domain.alerts import local_today
from piano_emotion.domain.cached import cached_read, invalidate_on_commit
from piano_emotion.domain.errors import NotFound, ValidationFailed
from piano_emotion.domain.listing import PageResult, clamp_page, like_pattern, search_words
from piano_emotion.domain.money import LineInput, compute_totals, parse_lines, to_cents
from piano_emotion.domain.numbering import next_number
from piano_emotion.domain.tenancy import get_owned, owned
from piano_emotion.models import Client, Invoice, Piano, Quote, User
from piano_emotion.models.enums import DocumentKind, InvoiceStatus, PaymentMethod, QuoteStatus
from piano_emotion.models.types import utcnow

log = logging.getLogger(__name__)

DEFAULT_PAYMENT_DAYS = 30
CURRENCY = "eur"
MAX_REFERENCE = 255
STATUS_FILTERS = (*(s.value for s in InvoiceStatus), "overdue")
# What an invoice list shows (client names), and a detail (client contact, piano).
INVOICE_LIST_READS = ("invoices", "client_names")
INVOICE_DETAIL_READS = ("clients", "pianos")
# Outcomes of ``record_online_payment``.
PAID, ALREADY_PAID, UNKNOWN = "paid", "already_paid", "unknown"
FLAGGED_AMOUNT, FLAGGED_CURRENCY, FLAGGED_STATUS = (
    "flagged_amount",
    "flagged_currency",
    "flagged_status",
)


@dataclass
class InvoiceInput:
    client_id: int | str | None = None
    piano_id: int | str | None = None
    # A completed service: linked, and the lines pre-filled from it when no
    # lines are given on creation.
    service_id: int | str | None = None
    issue_date: date | str | None = None
    due_date: date | str | None = None
    notes: str = ""
    # Rows ``{kind, description, quantity, unit_price, discount_pct, tax_rate}``
    # (or ``LineInput``); None = keep the lines (update) / pre-fill (create).
    lines: list[Any] | None = None

    @classmethod
    def from_form(cls, form: dict[str, Any]) -> InvoiceInput:
        values: dict[str, Any] = {
            f.name: str(form.get(f.name, "") or "").strip()
            for f in fields(cls)
            if f.name in form and f.name != "lines"
        }
        if isinstance(form.get("lines"), list):
            values["lines"] = list(form["lines"])
        return cls(**values)


@dataclass
class PaymentInput:
    paid_date: date | str | None = None
    payment_method: str = ""
    reference: str = ""

    @classmethod
    def from_form(cls, form: dict[str, Any]) -> PaymentInput:
        return cls(
            **{
                f.name: str(form.get(f.name, "") or "").strip()
                for f in fields(cls)
                if f.name in form
            }
        )


def _validate(
    session: Session, user: User, data: InvoiceInput, today: date
) -> tuple[dict[str, Any], docs.Parties | None, list[LineInput] | None]:
    """Everything checked before anything is written; ``ValidationFailed`` with
    every error (``NotFound`` for another technician's ids)."""
    parties, errors = docs.resolve_parties(
        session, user, data.client_id, data.piano_id, data.service_id
    )
    cleaned: dict[str, Any] = {}
    notes = str(data.notes or "").strip()
    if len(notes) > docs.MAX_NOTES:
        errors["notes"] = "error.too_long"
    cleaned["notes"] = notes
    try:
        issue_date = docs.parse_document_date(data.issue_date) or today
        cleaned["issue_date"] = issue_date
    except ValueError:
        errors["issue_date"] = "error.date_invalid"
        issue_date = None
    try:
        due_date = docs.parse_document_date(data.due_date)
        if due_date is not None and issue_date is not None and due_date < issue_date:
            errors["due_date"] = "error.due_before_issue"
        cleaned["due_date"] = due_date
    except ValueError:
        errors["due_date"] = "error.date_invalid"
    lines = None
    if data.lines is not None:
        try:
            rate = docs.default_tax_rate(business.get_business_info(session, user))
            lines = parse_lines(data.lines, rate)
        except ValidationFailed as bad:
            errors.update(bad.fields)
    if errors or parties is None:
        raise ValidationFailed(errors)
    return cleaned, parties, lines


def _apply(invoice: Invoice, cleaned: dict[str, Any], parties: docs.Parties) -> None:
    invoice.client_id = parties.client.id
    invoice.piano_id = parties.piano.id if parties.piano is not None else None
    invoice.service_id = parties.service.id if parties.service is not None else None
    for name in ("issue_date", "due_date", "notes"):
        setattr(invoice, name, cleaned[name])


def _changed(session: Session, user: User, invoice_id: int, *, quotes: bool = False) -> None:
    collections = ("invoices", "quotes") if quotes else ("invoices",)
    invalidate_on_commit(session, user, *collections, records=[("invoice", invoice_id)])


def _lock(session: Session, user: User, invoice_id: Any) -> Invoice:
    """The technician's invoice, locked and re-read (two transitions of one
    invoice never both start from the same status)."""
    try:
        invoice_id = docs.parse_id(invoice_id)
    except (TypeError, ValueError):
        invoice_id = None
    row = None
    if invoice_id is not None:
        row = session.exec(
            owned(Invoice, user)
            .where(Invoice.id == invoice_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()
    if row is None:
        raise NotFound(Invoice.__tablename__)
    return row


def _refuse(key: str, field: str = "status") -> None:
    raise ValidationFailed({field: key})


def _editable(invoice: Invoice) -> None:
    if invoice.status != InvoiceStatus.DRAFT:
        _refuse("error.invoice_locked")


def is_overdue(invoice: Invoice, today: date) -> bool:
    return (
        invoice.status == InvoiceStatus.SENT
        and invoice.due_date is not None
        and invoice.due_date < today
    )


# -- writes -------------------------------------------------------------------
def create_invoice(
    session: Session, user: User, data: InvoiceInput, today: date | None = None
) -> Invoice:
    """A draft invoice for one of the technician's clients. With a completed
    ``service_id`` it is linked to it and, without ``lines``, the lines are
    pre-filled from it (``documents.service_lines``)."""
    today = today or local_today()
    cleaned, parties, lines = _validate(session, user, data, today)
    if lines is None:
        lines = []
        if parties.service is not None:
            lines = parse_lines(docs.service_lines(session, user, parties.service.id))
    invoice = Invoice(
        technician_id=user.id,
        client_id=parties.client.id,
        issue_date=cleaned["issue_date"],
        status=InvoiceStatus.DRAFT,
    )
    _apply(invoice, cleaned, parties)
    session.add(invoice)
    session.flush()
    docs.store_lines(session, invoice, lines, replace=False)
    _changed(session, user, invoice.id)
    return invoice


def update_invoice(
    session: Session, user: User, invoice_id: int, data: InvoiceInput, today: date | None = None
) -> Invoice:
    """Save a draft; its lines are replaced when ``lines`` is given. A sent,
    paid or cancelled invoice: ``error.invoice_locked``."""
    today = today or local_today()
    invoice = _lock(session, user, invoice_id)
    _editable(invoice)
    cleaned, parties, lines = _validate(session, user, data, today)
    _apply(invoice, cleaned, parties)
    session.add(invoice)
    session.flush()
    if lines is not None:
        docs.store_lines(session, invoice, lines)
    _changed(session, user, invoice.id)
    return invoice


def issue_invoice(session: Session, user: User, invoice_id: int) -> Invoice:
    """Issue (send) a draft: the next number of its year (same transaction),
    the client's and the issuer's data as they are now, the due date (the
    draft's, else the issue date plus the technician's payment terms, 30
    days by default), a payment token for the public payment link, and
    ``sent_at``. Needs complete business info
    (``{"business": "error.business_info_required"}``) and at least one line.
    """
    invoice = _lock(session, user, invoice_id)
    _editable(invoice)
    info = business.get_business_info(session, user)
    if not business.is_complete(info):
        _refuse("error.business_info_required", "business")
    if not docs.stored_lines(session, invoice):
        _refuse("error.lines_required", "lines")
    client = get_owned(session, Client, invoice.client_id, user)
    invoice.number = next_number(session, user, DocumentKind.INVOICE, invoice.issue_date.year)
    if invoice.due_date is None:
        days = info.payment_terms_days if info.payment_terms_days is not None else 30
        invoice.due_date = invoice.issue_date + timedelta(days=max(int(days), 0))
    invoice.client_name = client.name[:160]
    invoice.client_tax_id = client.tax_id or ""
    invoice.client_email = client.email or ""
    invoice.client_address = docs.full_address(
        client.address, client.postal_code, client.city, client.region
    )
    invoice.issuer_name = info.business_name
    invoice.issuer_tax_id = info.tax_id
    invoice.issuer_address = docs.full_address(
        info.address, info.postal_code, info.city, info.region
    )
    invoice.issuer_email = info.email
    invoice.issuer_phone = info.phone
    invoice.issuer_iban = info.iban
    invoice.payment_token = secrets.token_urlsafe(32)
    invoice.status = InvoiceStatus.SENT
    invoice.sent_at = utcnow()
    session.add(invoice)
    session.flush()
    _changed(session, user, invoice.id)
    return invoice


def mark_invoice_paid(
    session: Session, user: User, invoice_id: int, data: PaymentInput, today: date | None = None
) -> Invoice:
    """A sent invoice was paid: date (required; not before the issue date,
    not in the future), method (``PaymentMethod``) and reference."""
    today = today or local_today()
    invoice = _lock(session, user, invoice_id)
    if invoice.status == InvoiceStatus.PAID:
        _refuse("error.invoice_already_paid")
    if invoice.status == InvoiceStatus.CANCELLED:
        _refuse("error.invoice_cancelled")
    if invoice.status != InvoiceStatus.SENT:
        _refuse("error.invoice_not_issued")
    errors: dict[str, str] = {}
    paid_date = None
    try:
        paid_date = docs.parse_document_date(data.paid_date)
        if paid_date is None:
            errors["paid_date"] = "error.date_required"
        elif paid_date < invoice.issue_date:
            errors["paid_date"] = "error.paid_before_issue"
        elif paid_date > today:
            errors["paid_date"] = "error.date_in_future"
    except ValueError:
        errors["paid_date"] = "error.date_invalid"
    method = str(data.payment_method or "").strip()
    if not method:
        errors["payment_method"] = "error.payment_method_required"
    elif method not in PaymentMethod._value2member_map_:
        errors["payment_method"] = "error.choice_invalid"
    reference = str(data.reference or "").strip()
    if len(reference) > MAX_REFERENCE:
        errors["reference"] = "error.too_long"
    if errors:
        raise ValidationFailed(errors)
    invoice.status = InvoiceStatus.PAID
    invoice.paid_date = paid_date
    invoice.payment_method = PaymentMethod(method)
    invoice.payment_reference = reference
    session.add(invoice)
    session.flush()
    _changed(session, user, invoice.id)
    return invoice


def cancel_invoice(session: Session, user: User, invoice_id: int) -> Invoice:
    """Cancel (anular) a draft, sent or paid invoice; it keeps its number."""
    invoice = _lock(session, user, invoice_id)
    if invoice.status == InvoiceStatus.CANCELLED:
        _refuse("error.invoice_cancelled")
    invoice.status = InvoiceStatus.CANCELLED
    invoice.cancelled_at = utcnow()
    session.add(invoice)
    session.flush()
    _changed(session, user, invoice.id)
    return invoice


def delete_invoice(session: Session, user: User, invoice_id: int) -> str:
    """Delete a draft (an issued invoice is cancelled instead). The quote it
    was made from, if any, is accepted again (it can be converted again).
    Returns ``"deleted"``."""
    invoice = _lock(session, user, invoice_id)
    _editable(invoice)
    if invoice.number:
        _refuse("error.invoice_locked")
    from_quote = False
    if invoice.quote_id is not None:
        quote = session.exec(
            owned(Quote, user).where(Quote.id == invoice.quote_id).with_for_update()
        ).first()
        if quote is not None and quote.converted_invoice_id == invoice.id:
            quote.status = QuoteStatus.ACCEPTED
            quote.converted_invoice_id = None
            session.add(quote)
            invalidate_on_commit(session, user, "quotes", records=[("quote", quote.id)])
            from_quote = True
    session.delete(invoice)
    session.flush()
    _changed(session, user, invoice_id, quotes=from_quote)
    return "deleted"


def _cents(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value) if isinstance(value, int) else int(str(value).strip())
    except (TypeError, ValueError):
        return None


def record_online_payment(
    session: Session,
    *,
    payment_token: str | None = None,
    invoice_id: int | None = None,
    amount_cents: int,
    currency: str,
    reference: str = "",
    today: date | None = None,
) -> str:
    """A payment the provider (Stripe webhook) confirmed, for the invoice of
    ``invoice_id`` or ``payment_token`` (both given: both must match).

    Not scoped to a technician: the invoice is found by id/token and its
    owner's cached reads are refreshed. Outcomes: ``paid`` (a sent invoice,
    ``amount_cents`` equal to its total and ``eur``: paid today, method
    ``stripe``, the reference kept); ``already_paid`` (nothing changes);
    ``unknown`` (no such invoice); ``flagged_amount`` / ``flagged_currency``
    / ``flagged_status`` (the status is left as it is and ``payment_flag``
    says what arrived, for the technician to look at).
    """
    today = today or local_today()
    query = select(Invoice)
    token = (payment_token or "").strip()
    try:
        wanted_id = docs.parse_id(invoice_id)
    except (TypeError, ValueError):
        return UNKNOWN
    if wanted_id is None and not token:
        return UNKNOWN
    if wanted_id is not None:
        query = query.where(Invoice.id == wanted_id)
    if token:
        query = query.where(Invoice.payment_token == token)
    invoice = session.exec(
        query.with_for_update().execution_options(populate_existing=True)
    ).first()
    if invoice is None:
        return UNKNOWN
    if invoice.status == InvoiceStatus.PAID:
        return ALREADY_PAID
    owner = session.get(User, invoice.technician_id)
    reference = str(reference or "").strip()[:MAX_REFERENCE]
    cents = _cents(amount_cents)
    code = str(currency or "").strip().lower()
    expected = to_cents(invoice.total)
    if invoice.status != InvoiceStatus.SENT:
        outcome, reason = FLAGGED_STATUS, f"status {InvoiceStatus(invoice.status).value}"
    elif code != CURRENCY:
        outcome, reason = FLAGGED_CURRENCY, "currency mismatch"
    elif cents != expected:
        outcome, reason = FLAGGED_AMOUNT, "amount mismatch"
    else:
        outcome, reason = PAID, ""
    if outcome == PAID:
        invoice.status = InvoiceStatus.PAID
        invoice.paid_date = max(today, invoice.issue_date)
        invoice.payment_method = PaymentMethod.STRIPE
        invoice.payment_reference = reference
        invoice.payment_flag = ""
    else:
        invoice.payment_flag = (
            f"{reason}: received {amount_cents} {code or '?'}, expected {expected} {CURRENCY}"
            f" ({reference})"
        )[:255]
        log.warning("online payment for invoice %s flagged: %s", invoice.id, invoice.payment_flag)
    session.add(invoice)
    session.flush()
    if owner is not None:
        _changed(session, owner, invoice.id)
    return outcome


# -- reads --------------------------------------------------------------------
@dataclass(frozen=True)
class InvoiceQuery:
    status: str = ""  # an InvoiceStatus value, "overdue" (sent, past due) or "" (all)
    client_id: int | None = None
    year: int | None = None
    month: int | None = None
    search: str = ""
    page: int = 1
    page_size: int = 25

    def normalised(self) -> InvoiceQuery:
        page, size = clamp_page(self.page, self.page_size)
        year, month = _int_or_none(self.year), _int_or_none(self.month)
        return InvoiceQuery(
            status=self.status if self.status in STATUS_FILTERS else "",
            client_id=_int_or_none(self.client_id),
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


def _overdue_condition(today: date):
    return sa.and_(
        Invoice.status == InvoiceStatus.SENT,
        Invoice.due_date.is_not(None),
        Invoice.due_date < today,
    )


def _filters(user: User, query: InvoiceQuery, today: date) -> list[Any]:
    filters = [Invoice.technician_id == user.id, Client.technician_id == user.id]
    if query.status == "overdue":
        filters.append(_overdue_condition(today))
    elif query.status:
        filters.append(Invoice.status == InvoiceStatus(query.status))
    if query.client_id is not None:
        filters.append(Invoice.client_id == query.client_id)
    filters += _period(Invoice.issue_date, query.year, query.month)
    for word in search_words(query.search):
        pattern = like_pattern(word)
        filters.append(
            sa.or_(
                sa.func.lower(sa.func.coalesce(Invoice.number, "")).like(pattern, escape="\\"),
                Client.search_text.like(pattern, escape="\\"),
            )
        )
    return filters


def _money(value: Any) -> Decimal:
    if value is None:
        return Decimal("0.00")
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _totals(session: Session, filters: list[Any], today: date) -> dict[str, Decimal]:
    overdue = sa.case((_overdue_condition(today), 1), else_=0)
    rows = session.exec(
        select(Invoice.status, overdue, sa.func.sum(Invoice.total))
        .join(Client, Client.id == Invoice.client_id)
        .where(*filters)
        .group_by(Invoice.status, overdue)
    ).all()
    sums = {"draft": Decimal("0.00"), "sent": Decimal("0.00"), "paid": Decimal("0.00")}
    overdue_sum = Decimal("0.00")
    for status, is_late, amount in rows:
        value = InvoiceStatus(status).value
        if value in sums:
            sums[value] += _money(amount)
        if is_late:
            overdue_sum += _money(amount)
    return {
        "invoiced": sums["sent"] + sums["paid"],
        "pending": sums["sent"],
        "collected": sums["paid"],
        "overdue": overdue_sum,
        "draft": sums["draft"],
    }


def _summary(invoice: Invoice, client_name: str, today: date) -> dict[str, Any]:
    overdue = is_overdue(invoice, today)
    return {
        "id": invoice.id,
        "number": invoice.number or "",
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
        "status": InvoiceStatus(invoice.status).value,
        "overdue": overdue,
        "display_status": "overdue" if overdue else InvoiceStatus(invoice.status).value,
        "client_id": invoice.client_id,
        "client_name": invoice.client_name or client_name,
        "total": Decimal(invoice.total),
        "paid_date": invoice.paid_date,
        "payment_flag": invoice.payment_flag,
    }


def _list_invoices(
    session: Session, user: User, query: InvoiceQuery, today: date
) -> dict[str, Any]:
    filters = _filters(user, query, today)
    total = session.exec(
        select(sa.func.count(Invoice.id))
        .join(Client, Client.id == Invoice.client_id)
        .where(*filters)
    ).one()
    rows = session.exec(
        select(Invoice, Client.name)
        .join(Client, Client.id == Invoice.client_id)
        .where(*filters)
        .order_by(Invoice.issue_date.desc(), Invoice.created_at.desc(), Invoice.id.desc())
        .offset((query.page - 1) * query.page_size)
        .limit(query.page_size)
    ).all()
    items = [_summary(invoice, client_name, today) for invoice, client_name in rows]
    result = PageResult(items, int(total), query.page, query.page_size).as_dict()
    result["totals"] = _totals(session, filters, today)
    return result


def list_invoices(
    session: Session, user: User, query: InvoiceQuery | None = None, today: date | None = None
) -> dict[str, Any]:
    """A page of invoices, newest first: ``{items, total, page, page_size,
    pages, totals}``. ``totals`` are sums over every invoice of the filtered
    set: ``invoiced`` (issued and not cancelled: sent + paid), ``pending``
    (sent, not paid), ``collected`` (paid), ``overdue`` (sent, past due),
    ``draft``."""
    today = today or local_today()
    query = (query or InvoiceQuery()).normalised()
    return cached_read(
        user,
        "invoices",
        "list",
        {**query.__dict__, "today": today},
        lambda: _list_invoices(session, user, query, today),
        depends_on=INVOICE_LIST_READS,
    )


def _document(invoice: Invoice, rows: list[Any]) -> dict[str, Any]:
    """What the invoice says (shared by the technician's and the public view)."""
    return {
        "id": invoice.id,
        "number": invoice.number or "",
        "status": InvoiceStatus(invoice.status).value,
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
        "notes": invoice.notes,
        "client_snapshot": {
            "name": invoice.client_name,
            "tax_id": invoice.client_tax_id,
            "email": invoice.client_email,
            "address": invoice.client_address,
        },
        "issuer": {
            "name": invoice.issuer_name,
            "tax_id": invoice.issuer_tax_id,
            "address": invoice.issuer_address,
            "email": invoice.issuer_email,
            "phone": invoice.issuer_phone,
            "iban": invoice.issuer_iban,
        },
        "lines": [docs.line_dict(row) for row in rows],
        "subtotal": Decimal(invoice.subtotal),
        "tax_total": Decimal(invoice.tax_total),
        "total": Decimal(invoice.total),
        "total_cents": to_cents(invoice.total),
        "currency": CURRENCY,
        "breakdown": compute_totals(rows).as_dict()["breakdown"],
        "paid_date": invoice.paid_date,
    }


def _invoice_detail(session: Session, user: User, invoice_id: int, today: date) -> dict[str, Any]:
    invoice = get_owned(session, Invoice, invoice_id, user)
    client = get_owned(session, Client, invoice.client_id, user)
    piano = get_owned(session, Piano, invoice.piano_id, user) if invoice.piano_id else None
    rows = docs.stored_lines(session, invoice)
    overdue = is_overdue(invoice, today)
    return {
        **_document(invoice, rows),
        "editable": invoice.status == InvoiceStatus.DRAFT,
        "overdue": overdue,
        "display_status": "overdue" if overdue else InvoiceStatus(invoice.status).value,
        "client_id": client.id,
        "client": docs.client_dict(client),
        "piano_id": invoice.piano_id,
        "piano": docs.piano_dict(piano),
        "service_id": invoice.service_id,
        "quote_id": invoice.quote_id,
        "payment_method": invoice.payment_method.value if invoice.payment_method else "",
        "payment_reference": invoice.payment_reference,
        "payment_token": invoice.payment_token or "",
        "payment_flag": invoice.payment_flag,
        "sent_at": invoice.sent_at,
        "cancelled_at": invoice.cancelled_at,
    }


def get_invoice(
    session: Session, user: User, invoice_id: int, today: date | None = None
) -> dict[str, Any]:
    """An invoice with its lines, client (now and as issued), issuer and
    piano; ``NotFound`` if not theirs."""
    today = today or local_today()
    return cached_read(
        user,
        "invoices",
        "detail",
        {"id": invoice_id, "today": today},
        lambda: _invoice_detail(session, user, invoice_id, today),
        depends_on=INVOICE_DETAIL_READS,
        records=[("invoice", invoice_id)],
    )


def open_invoice_for_service(session: Session, user: User, service_id: int) -> int | None:
    """The id of the technician's invoice (not cancelled) already made from
    ``service_id``, so "Facturar" twice opens it instead of a duplicate."""
    return session.exec(
        select(Invoice.id)
        .where(
            Invoice.technician_id == user.id,
            Invoice.service_id == service_id,
            Invoice.status != InvoiceStatus.CANCELLED,
        )
        .order_by(Invoice.issue_date.desc(), Invoice.id.desc())
    ).first()


def invoice_by_payment_token(session: Session, token: str | None) -> dict[str, Any] | None:
    """The public payment page's invoice (``/pagar/<token>``): a sent or paid
    invoice with its lines, or None (unknown token, draft or cancelled).
    Not scoped to a technician: the unguessable token is the key."""
    token = (token or "").strip()
    if not token or len(token) > 64:
        return None
    invoice = session.exec(
        select(Invoice).where(
            Invoice.payment_token == token,
            Invoice.status.in_((InvoiceStatus.SENT, InvoiceStatus.PAID)),
        )
    ).first()
    if invoice is None:
        return None
    return {**_document(invoice, docs.stored_lines(session, invoice)), "payment_token": token}
