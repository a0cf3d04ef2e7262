"""Service rates (tarifas): the price list that fills quote and invoice lines.

Reads return plain dicts through the cache; writes invalidate ``rates`` and
the rate's record. A technician has a few dozen rates at most, so the name
search runs in Python over the technician's rates (accent- and case-free on
every backend).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from piano_emotion.domain.cached import cached_read, invalidate_on_commit
from piano_emotion.domain.errors import ValidationFailed
from piano_emotion.domain.listing import PageResult, clamp_page
from piano_emotion.domain.money import CENT, HUNDRED, MAX_AMOUNT, parse_number
from piano_emotion.domain.tenancy import get_owned, owned
from piano_emotion.models import ServiceRate, User
from piano_emotion.models.billing import DEFAULT_TAX_RATE
from piano_emotion.models.enums import ServiceType
from piano_emotion.text import normalise_search_text

ACTIVE_FILTERS = ("active", "inactive", "all")
MAX_MINUTES = 1440
MAX_RATES_LISTED = 2000
RATE_READS = ("rates",)


@dataclass
class RateInput:
    name: str = ""
    category: str = ""  # a ServiceType value, or "" for none
    description: str = ""
    base_price: Decimal | int | str | None = None
    tax_rate: Decimal | int | str | None = None
    estimated_minutes: int | str | None = None
    active: bool | str = True

    @classmethod
    def from_form(cls, form: dict[str, Any]) -> RateInput:
        values: dict[str, Any] = {
            f.name: str(form.get(f.name, "") or "").strip()
            for f in fields(cls)
            if f.name in form and f.name != "active"
        }
        if "active" in form:
            values["active"] = _flag(form["active"])
        return cls(**values)


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "on", "yes", "si", "sí")
    return bool(value)


def validate_rate(data: RateInput) -> tuple[dict[str, str], dict[str, Any]]:
    """Field errors (translation keys) and the cleaned values."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    name = str(data.name or "").strip()
    if not name:
        errors["name"] = "error.name_required"
    elif len(name) > 160:
        errors["name"] = "error.too_long"
    cleaned["name"] = name
    category = str(data.category or "").strip()
    if not category:
        cleaned["category"] = None
    elif category in ServiceType._value2member_map_:
        cleaned["category"] = ServiceType(category)
    else:
        errors["category"] = "error.choice_invalid"
    cleaned["description"] = str(data.description or "").strip()
    try:
        price = parse_number(data.base_price, CENT)
        if price is None:
            errors["base_price"] = "error.price_required"
        elif price < 0:
            errors["base_price"] = "error.amount_negative"
        elif price > MAX_AMOUNT:
            errors["base_price"] = "error.amount_invalid"
        cleaned["base_price"] = price
    except ValueError:
        errors["base_price"] = "error.amount_invalid"
    try:
        rate = parse_number(data.tax_rate, CENT)
        rate = DEFAULT_TAX_RATE if rate is None else rate
        if not 0 <= rate <= HUNDRED:
            errors["tax_rate"] = "error.tax_rate_invalid"
        cleaned["tax_rate"] = rate
    except ValueError:
        errors["tax_rate"] = "error.tax_rate_invalid"
    try:
        minutes = data.estimated_minutes
        if minutes is None or (isinstance(minutes, str) and not minutes.strip()):
            minutes = 60
        if isinstance(minutes, bool):
            raise ValueError(minutes)
        minutes = int(str(minutes).strip())
        if not 0 <= minutes <= MAX_MINUTES:
            raise ValueError(minutes)
        cleaned["estimated_minutes"] = minutes
    except ValueError:
        errors["estimated_minutes"] = "error.duration_invalid"
    cleaned["active"] = _flag(data.active)
    return errors, cleaned


def _apply(rate: ServiceRate, cleaned: dict[str, Any]) -> None:
    for name, value in cleaned.items():
        setattr(rate, name, value)


def _changed(session: Session, user: User, rate_id: int) -> None:
    invalidate_on_commit(session, user, "rates", records=[("rate", rate_id)])


# -- writes -------------------------------------------------------------------
def create_rate(session: Session, user: User, data: RateInput) -> ServiceRate:
    errors, cleaned = validate_rate(data)
    if errors:
        raise ValidationFailed(errors)
    rate = ServiceRate(technician_id=user.id, name=cleaned["name"])
    _apply(rate, cleaned)
    session.add(rate)
    session.flush()
    _changed(session, user, rate.id)
    return rate


def update_rate(session: Session, user: User, rate_id: int, data: RateInput) -> ServiceRate:
    rate = get_owned(session, ServiceRate, rate_id, user)
    errors, cleaned = validate_rate(data)
    if errors:
        raise ValidationFailed(errors)
    _apply(rate, cleaned)
    session.add(rate)
    session.flush()
    _changed(session, user, rate.id)
    return rate


def set_rate_active(session: Session, user: User, rate_id: int, active: bool) -> ServiceRate:
    rate = get_owned(session, ServiceRate, rate_id, user)
    rate.active = bool(active)
    session.add(rate)
    session.flush()
    _changed(session, user, rate.id)
    return rate


def delete_rate(session: Session, user: User, rate_id: int) -> str:
    """Delete a rate (lines keep their own copy of what it filled). Returns ``"deleted"``."""
    rate = get_owned(session, ServiceRate, rate_id, user)
    session.delete(rate)
    session.flush()
    _changed(session, user, rate_id)
    return "deleted"


# -- reads --------------------------------------------------------------------
@dataclass(frozen=True)
class RateQuery:
    search: str = ""
    active: str = "active"
    category: str = ""
    page: int = 1
    page_size: int = 50

    def normalised(self) -> RateQuery:
        page, size = clamp_page(self.page, self.page_size)
        return RateQuery(
            search=(self.search or "").strip()[:100],
            active=self.active if self.active in ACTIVE_FILTERS else "active",
            category=self.category if self.category in ServiceType._value2member_map_ else "",
            page=page,
            page_size=size,
        )


def rate_summary(rate: ServiceRate) -> dict[str, Any]:
    return {
        "id": rate.id,
        "name": rate.name,
        "category": rate.category.value if rate.category else "",
        "description": rate.description,
        "base_price": Decimal(rate.base_price),
        "tax_rate": Decimal(rate.tax_rate),
        "estimated_minutes": rate.estimated_minutes,
        "active": rate.active,
    }


def _list_rates(session: Session, user: User, query: RateQuery) -> dict[str, Any]:
    statement = owned(ServiceRate, user)
    if query.active == "active":
        statement = statement.where(ServiceRate.active.is_(True))
    elif query.active == "inactive":
        statement = statement.where(ServiceRate.active.is_(False))
    if query.category:
        statement = statement.where(ServiceRate.category == ServiceType(query.category))
    rows = session.exec(
        statement.order_by(ServiceRate.name, ServiceRate.id).limit(MAX_RATES_LISTED)
    ).all()
    words = normalise_search_text(query.search).split()
    if words:
        rows = [r for r in rows if all(w in normalise_search_text(r.name) for w in words)]
    start = (query.page - 1) * query.page_size
    items = [rate_summary(r) for r in rows[start : start + query.page_size]]
    return PageResult(items, len(rows), query.page, query.page_size).as_dict()


def list_rates(session: Session, user: User, query: RateQuery | None = None) -> dict[str, Any]:
    """A page of rates by name: ``{items, total, page, page_size, pages}``
    (active ones by default; ``active="all"`` or ``"inactive"``)."""
    query = (query or RateQuery()).normalised()
    return cached_read(
        user,
        "rates",
        "list",
        query.__dict__,
        lambda: _list_rates(session, user, query),
        depends_on=RATE_READS,
    )


def get_rate(session: Session, user: User, rate_id: int) -> dict[str, Any]:
    """One rate; ``NotFound`` if not the technician's."""
    return cached_read(
        user,
        "rates",
        "detail",
        {"id": rate_id},
        lambda: rate_summary(get_owned(session, ServiceRate, rate_id, user)),
        depends_on=(),
        records=[("rate", rate_id)],
    )


def find_rate_for_service_type(
    session: Session, user: User, service_type: ServiceType | str
) -> ServiceRate | None:
    """The active rate of ``service_type`` (by name if several), read now (no cache)."""
    try:
        category = ServiceType(service_type)
    except ValueError:
        return None
    return session.exec(
        owned(ServiceRate, user)
        .where(ServiceRate.active.is_(True), ServiceRate.category == category)
        .order_by(ServiceRate.name, ServiceRate.id)
    ).first()


def rate_for_service_type(
    session: Session, user: User, service_type: ServiceType | str
) -> dict[str, Any] | None:
    """The active rate whose category is ``service_type`` (to pre-fill a
    line), or None. With several, the first by name."""
    key = service_type.value if isinstance(service_type, ServiceType) else str(service_type)

    def load() -> dict[str, Any] | None:
        rate = find_rate_for_service_type(session, user, key)
        return rate_summary(rate) if rate is not None else None

    return cached_read(user, "rates", "for_type", {"type": key}, load, depends_on=RATE_READS)
