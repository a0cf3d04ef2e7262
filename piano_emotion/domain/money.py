"""Line arithmetic of quotes and invoices: the single source of truth.

DOMAIN.md "Line": net = quantity × unit price × (1 − discount/100), rounded
half-up to cents; tax = net × rate/100, rounded half-up to cents; a line's
total is net + tax; a document's totals are the sums of its lines (so each
line is rounded once, and the document adds rounded amounts). Everything is
``Decimal``; a float never enters a computation.

``parse_lines`` turns the rows of a form into validated ``LineInput`` values
(``Decimal`` numbers, a valid kind) or raises ``ValidationFailed`` with
errors keyed ``lines.<row>.<field>``; ``compute_line``/``compute_totals``
compute what the server stores; ``preview_totals`` is the forgiving version
a page calls while the technician types (invalid rows are left out, it never
raises).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from piano_emotion.domain.errors import ValidationFailed
from piano_emotion.formatting import parse_decimal
from piano_emotion.models.billing import DEFAULT_TAX_RATE
from piano_emotion.models.enums import LineKind

CENT = Decimal("0.01")
QUANTUM = Decimal("0.001")  # QUANTITY columns keep three decimals
HUNDRED = Decimal(100)
ZERO = Decimal("0.00")
MAX_LINES = 200
MAX_DESCRIPTION = 255
MAX_QUANTITY = Decimal("999999999.999")  # NUMERIC(12, 3)
MAX_AMOUNT = Decimal("9999999999.99")  # NUMERIC(12, 2)
LINE_FIELDS = ("kind", "description", "quantity", "unit_price", "discount_pct", "tax_rate")


def round_cents(value: Decimal) -> Decimal:
    """Half-up to cents (0.005 → 0.01), the one rounding of amounts."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class LineInput:
    """One line as typed (strings) or, after ``parse_lines``, cleaned
    (``kind`` a ``LineKind`` value, the numbers ``Decimal``)."""

    kind: str = LineKind.SERVICE.value
    description: str = ""
    quantity: Decimal | int | str | None = "1"
    unit_price: Decimal | int | str | None = ""
    discount_pct: Decimal | int | str | None = "0"
    tax_rate: Decimal | int | str | None = ""

    @classmethod
    def from_form(cls, form: dict[str, Any]) -> LineInput:
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in form:
                continue
            value = form[f.name]
            values[f.name] = value if isinstance(value, Decimal | int) else str(value or "").strip()
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in LINE_FIELDS}


@dataclass(frozen=True)
class LineAmounts:
    net: Decimal
    tax: Decimal
    total: Decimal


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal
    # (rate, base, tax) per tax rate, highest rate first.
    breakdown_by_rate: list[tuple[Decimal, Decimal, Decimal]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "subtotal": self.subtotal,
            "tax_total": self.tax_total,
            "total": self.total,
            "breakdown": [
                {"rate": rate, "base": base, "tax": tax}
                for rate, base, tax in self.breakdown_by_rate
            ],
        }


# -- parsing ------------------------------------------------------------------
def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_number(value: Any, quantum: Decimal) -> Decimal | None:
    """A number typed by a user ("1.234,56", "21") or given by code; ValueError if not one."""
    if _blank(value):
        return None
    if isinstance(value, bool | float):
        raise ValueError(value)  # floats are never money
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    else:
        number = parse_decimal(str(value))
    if not number.is_finite():
        raise ValueError(value)
    try:
        return number.quantize(quantum, rounding=ROUND_HALF_UP)
    except ArithmeticError as exc:  # too many digits
        raise ValueError(value) from exc


def _entry(raw: Any) -> LineInput:
    if isinstance(raw, LineInput):
        return raw
    if isinstance(raw, dict):
        return LineInput.from_form(raw)
    return LineInput(description="")


def is_blank_row(raw: Any) -> bool:
    """A row of the form left empty (no description and no price): skipped."""
    line = _entry(raw)
    return _blank(line.description) and _blank(line.unit_price)


def parse_line(
    raw: Any, default_tax_rate: Decimal = DEFAULT_TAX_RATE
) -> tuple[LineInput | None, dict[str, str]]:
    """One row: the cleaned line (or None) and its field errors (``field: key``)."""
    line = _entry(raw)
    errors: dict[str, str] = {}
    kind = str(line.kind or "").strip() or LineKind.SERVICE.value
    if kind not in LineKind._value2member_map_:
        errors["kind"] = "error.choice_invalid"
    description = str(line.description or "").strip()
    if not description:
        errors["description"] = "error.description_required"
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = "error.too_long"

    quantity = unit_price = discount = tax_rate = None
    try:
        quantity = parse_number(line.quantity, QUANTUM)
        quantity = Decimal("1.000") if quantity is None else quantity
        if quantity <= 0:
            errors["quantity"] = "error.quantity_positive"
        elif quantity > MAX_QUANTITY:
            errors["quantity"] = "error.quantity_invalid"
    except ValueError:
        errors["quantity"] = "error.quantity_invalid"
    try:
        unit_price = parse_number(line.unit_price, CENT)
        if unit_price is None:
            errors["unit_price"] = "error.price_required"
        elif unit_price < 0:
            errors["unit_price"] = "error.amount_negative"
        elif unit_price > MAX_AMOUNT:
            errors["unit_price"] = "error.amount_invalid"
    except ValueError:
        errors["unit_price"] = "error.amount_invalid"
    try:
        discount = parse_number(line.discount_pct, CENT)
        discount = ZERO if discount is None else discount
        if not 0 <= discount <= HUNDRED:
            errors["discount_pct"] = "error.discount_invalid"
    except ValueError:
        errors["discount_pct"] = "error.discount_invalid"
    try:
        tax_rate = parse_number(line.tax_rate, CENT)
        tax_rate = Decimal(default_tax_rate).quantize(CENT) if tax_rate is None else tax_rate
        if not 0 <= tax_rate <= HUNDRED:
            errors["tax_rate"] = "error.tax_rate_invalid"
    except ValueError:
        errors["tax_rate"] = "error.tax_rate_invalid"
    if errors:
        return None, errors
    cleaned = LineInput(
        kind=kind,
        description=description,
        quantity=quantity,
        unit_price=unit_price,
        discount_pct=discount,
        tax_rate=tax_rate,
    )
    if compute_line(cleaned).total > MAX_AMOUNT:
        return None, {"unit_price": "error.amount_invalid"}
    return cleaned, {}


def parse_lines(
    raw_lines: list[Any] | None, default_tax_rate: Decimal = DEFAULT_TAX_RATE
) -> list[LineInput]:
    """The lines of a form, cleaned; ``ValidationFailed`` with every error.

    Errors are keyed ``lines.<row>.<field>`` (row = index in ``raw_lines``)
    plus ``lines`` with the first one, so a form can show it at the top.
    Blank rows (no description, no price) are skipped. A blank quantity is
    1, a blank discount 0 and a blank tax rate ``default_tax_rate``.
    """
    rows = list(raw_lines or [])
    if len(rows) > MAX_LINES:
        raise ValidationFailed({"lines": "error.too_many_lines"})
    errors: dict[str, str] = {}
    lines: list[LineInput] = []
    for index, raw in enumerate(rows):
        if is_blank_row(raw):
            continue
        line, problems = parse_line(raw, default_tax_rate)
        for name, key in problems.items():
            errors[f"lines.{index}.{name}"] = key
        if line is not None:
            lines.append(line)
    if not errors and compute_totals(lines).total > MAX_AMOUNT:
        errors["lines"] = "error.total_too_large"
    if errors:
        errors.setdefault("lines", next(iter(errors.values())))
        raise ValidationFailed(errors)
    return lines


# -- arithmetic ---------------------------------------------------------------
def _decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str):
        return parse_decimal(value)
    raise TypeError(f"not an exact number: {value!r}")


def compute_line(line: Any) -> LineAmounts:
    """``(net, tax, total)`` of one line (a cleaned ``LineInput`` or a stored line).

    ``net = round(qty × price × (1 − discount/100))``,
    ``tax = round(net × rate/100)``, half-up to cents.
    """
    quantity = _decimal(line.quantity)
    price = _decimal(line.unit_price)
    discount = _decimal(line.discount_pct if line.discount_pct is not None else 0)
    rate = _decimal(line.tax_rate)
    net = round_cents(quantity * price * (HUNDRED - discount) / HUNDRED)
    tax = round_cents(net * rate / HUNDRED)
    return LineAmounts(net, tax, net + tax)


def compute_totals(lines: list[Any]) -> Totals:
    """Sums of the lines' rounded amounts, and the tax breakdown by rate."""
    subtotal = tax_total = ZERO
    by_rate: dict[Decimal, list[Decimal]] = {}
    for line in lines:
        amounts = compute_line(line)
        subtotal += amounts.net
        tax_total += amounts.tax
        rate = _decimal(line.tax_rate).quantize(CENT)
        bucket = by_rate.setdefault(rate, [ZERO, ZERO])
        bucket[0] += amounts.net
        bucket[1] += amounts.tax
    breakdown = [(rate, base, tax) for rate, (base, tax) in sorted(by_rate.items(), reverse=True)]
    return Totals(subtotal, tax_total, subtotal + tax_total, breakdown)


def preview_totals(
    raw_lines: list[Any] | None, default_tax_rate: Decimal = DEFAULT_TAX_RATE
) -> dict[str, Any]:
    """Live totals for a page while the technician types; never raises.

    ``{subtotal, tax_total, total, breakdown: [{rate, base, tax}], lines:
    [{net, tax, total} | None]}`` — one entry per row given, None for a row
    that is blank or not valid yet (it counts for nothing).
    """
    valid: list[LineInput] = []
    per_row: list[dict[str, Decimal] | None] = []
    try:
        rows = list(raw_lines or [])[:MAX_LINES]
    except TypeError:
        rows = []
    for raw in rows:
        try:
            line = None if is_blank_row(raw) else parse_line(raw, default_tax_rate)[0]
        except Exception:  # a preview shows what it can
            line = None
        if line is None:
            per_row.append(None)
            continue
        amounts = compute_line(line)
        valid.append(line)
        per_row.append({"net": amounts.net, "tax": amounts.tax, "total": amounts.total})
    return {**compute_totals(valid).as_dict(), "lines": per_row}


def with_amounts(line: LineInput) -> dict[str, Any]:
    """A cleaned line's fields plus its computed ``net/tax/total_amount``."""
    amounts = compute_line(line)
    return {
        **line.as_dict(),
        "net_amount": amounts.net,
        "tax_amount": amounts.tax,
        "total_amount": amounts.total,
    }


def to_cents(amount: Decimal) -> int:
    """Whole cents of an amount (what payment providers count in)."""
    return int(round_cents(_decimal(amount)) * 100)
