"""Money, numbers and dates as technicians in Spain read them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from piano_emotion.formatting import (
    format_date,
    format_datetime,
    format_money,
    format_number,
    format_percent,
    format_quantity,
    parse_decimal,
)

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("amount", "spanish", "english"),
    [
        (Decimal("1234.56"), f"1.234,56{NBSP}€", "€1,234.56"),
        (Decimal("0"), f"0,00{NBSP}€", "€0.00"),
        (Decimal("1234567.891"), f"1.234.567,89{NBSP}€", "€1,234,567.89"),
        (Decimal("-45.5"), f"-45,50{NBSP}€", "-€45.50"),
        (Decimal("999.995"), f"1.000,00{NBSP}€", "€1,000.00"),
        (12, f"12,00{NBSP}€", "€12.00"),
    ],
)
def test_money(amount, spanish, english):
    assert format_money(amount) == spanish
    assert format_money(amount, "en") == english


def test_money_rounds_half_up_not_to_even():
    assert format_money(Decimal("0.125")) == f"0,13{NBSP}€"
    assert format_money(Decimal("0.135")) == f"0,14{NBSP}€"


def test_number_without_decimals_and_none():
    assert format_number(1234567, 0) == "1.234.567"
    assert format_number(None) == ""
    assert format_money(None) == ""


def test_dates_are_day_first():
    assert format_date(date(2026, 3, 7)) == "07/03/2026"
    assert format_date(None) == ""


def test_datetimes_are_shown_in_madrid_time():
    # 23:30 UTC on 31 Dec is already New Year in Madrid (UTC+1 in winter).
    moment = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert format_date(moment) == "01/01/2027"
    assert format_datetime(moment) == "01/01/2027 00:30"
    # Summer time: UTC+2.
    assert format_datetime(datetime(2026, 7, 1, 8, 0, tzinfo=UTC)) == "01/07/2026 10:00"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.234,56", Decimal("1234.56")),
        ("1234,56", Decimal("1234.56")),
        ("1234.56", Decimal("1234.56")),
        ("1,234.56", Decimal("1234.56")),
        (" 90 € ", Decimal("90")),
        ("-3,5", Decimal("-3.5")),
    ],
)
def test_parse_decimal_reads_what_users_type(text, value):
    assert parse_decimal(text) == value


@pytest.mark.parametrize("text", ["", "abc", "1,2,3.4.5", "NaN", "Infinity"])
def test_parse_decimal_refuses_non_numbers(text):
    with pytest.raises(ValueError):
        parse_decimal(text)


def test_quantities_and_rates_drop_trailing_zeros():
    assert format_quantity(Decimal("1.000")) == "1"
    assert format_quantity(Decimal("1.500")) == "1,5"
    assert format_quantity(Decimal("1234.25"), "en") == "1,234.25"
    assert format_quantity(Decimal("100")) == "100"
    assert format_percent(Decimal("21.00")) == f"21{NBSP}%"
    assert format_percent(Decimal("10.50")) == f"10,5{NBSP}%"
    assert format_percent(Decimal("21.00"), "en") == "21%"
    assert format_percent(None) == ""
