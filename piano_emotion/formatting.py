"""How money, numbers and dates are written for the user (Spain by default).

Spanish: ``1.234,56 €`` and ``27/11/2026``; English: ``€1,234.56`` and
``27/11/2026`` (technicians in Spain keep day-first dates in both).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

# Technicians work in Spain: dates and times are shown in peninsular time.
DISPLAY_TIMEZONE = ZoneInfo("Europe/Madrid")
CENT = Decimal("0.01")


def _group(integer_digits: str, separator: str) -> str:
    groups = []
    while len(integer_digits) > 3:
        groups.insert(0, integer_digits[-3:])
        integer_digits = integer_digits[:-3]
    groups.insert(0, integer_digits)
    return separator.join(groups)


def format_number(value: Decimal | int | float | None, places: int = 2, lang: str = "es") -> str:
    if value is None:
        return ""
    quantum = Decimal(1).scaleb(-places)
    amount = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    digits = f"{abs(amount):.{places}f}"
    integer, _, fraction = digits.partition(".")
    thousands, decimal_mark = (".", ",") if lang == "es" else (",", ".")
    text = _group(integer, thousands)
    if places:
        text += decimal_mark + fraction
    return sign + text


def format_money(value: Decimal | int | float | None, lang: str = "es") -> str:
    if value is None:
        return ""
    text = format_number(value, 2, lang)
    if lang == "es":
        return f"{text}\u00a0€"
    if text.startswith("-"):
        return f"-€{text[1:]}"
    return f"€{text}"


def format_quantity(value: Decimal | int | float | None, lang: str = "es") -> str:
    """A quantity without trailing zeros: ``1``, ``1,5`` (``1.5`` in English)."""
    if value is None:
        return ""
    amount = Decimal(str(value)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    places = max(0, -amount.normalize().as_tuple().exponent)
    return format_number(amount, places, lang)


def format_percent(value: Decimal | int | float | None, lang: str = "es") -> str:
    """A rate without trailing zeros: ``21 %`` (no-break space) in Spanish, ``21%`` in English."""
    if value is None:
        return ""
    text = format_quantity(Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP), lang)
    return f"{text}\u00a0%" if lang == "es" else f"{text}%"


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return value.strftime("%d/%m/%Y")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return to_local(value).strftime("%d/%m/%Y %H:%M")


def to_local(value: datetime) -> datetime:
    """An aware datetime in the display time zone (naive ones are taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    return value.astimezone(DISPLAY_TIMEZONE)


def parse_decimal(text: str) -> Decimal:
    """Read an amount typed by a user: ``1.234,56``, ``1234,56`` or ``1234.56``.

    Raises ``ValueError`` when it is not a number.
    """
    cleaned = (text or "").strip().replace("€", "").replace("\u00a0", "").replace(" ", "")
    if not cleaned:
        raise ValueError("empty")
    if "," in cleaned and "." in cleaned:
        # The last separator is the decimal one.
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", "")
    elif "," in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except ArithmeticError as exc:
        raise ValueError(text) from exc
    if not value.is_finite():
        raise ValueError(text)
    return value
