"""Line arithmetic (domain.money): hand-computed values, rounding, parsing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from piano_emotion.domain.errors import ValidationFailed
from piano_emotion.domain.money import (
    LineInput,
    compute_line,
    compute_totals,
    parse_lines,
    preview_totals,
    to_cents,
)
from piano_emotion.models import InvoiceLine

D = Decimal


def L(qty="1", price="0", discount="0", rate="21", **extra) -> LineInput:
    return LineInput(
        kind=extra.get("kind", "service"),
        description=extra.get("description", "Línea"),
        quantity=D(qty),
        unit_price=D(price),
        discount_pct=D(discount),
        tax_rate=D(rate),
    )


# -- one line ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("qty", "price", "discount", "rate", "net", "tax", "total"),
    [
        # 2 × 45.50 × 0.90 = 81.90; 81.90 × 21 % = 17.199 → 17.20
        ("2", "45.50", "10", "21", "81.90", "17.20", "99.10"),
        # plain IVA: 100 × 21 % = 21
        ("1", "100", "0", "21", "100.00", "21.00", "121.00"),
        # half-up, not half-even: 0.5 × 0.01 = 0.005 → 0.01 (half-even would give 0.00)
        ("0.5", "0.01", "0", "0", "0.01", "0.00", "0.01"),
        # 1.5 × 1.23 = 1.845 → 1.85 (half-even: 1.84); 1.85 × 21 % = 0.3885 → 0.39
        ("1.5", "1.23", "0", "21", "1.85", "0.39", "2.24"),
        # tax exactly on the half cent: 0.05 × 10 % = 0.005 → 0.01
        ("1", "0.05", "0", "10", "0.05", "0.01", "0.06"),
        # 100 % discount: nothing to pay, no tax
        ("3", "250", "100", "21", "0.00", "0.00", "0.00"),
        # 33.33 % off 100 = 66.67
        ("1", "100", "33.33", "0", "66.67", "0.00", "66.67"),
        # 0 % tax (exempt)
        ("4", "12.50", "0", "0", "50.00", "0.00", "50.00"),
        # three-decimal quantity: 2.125 × 10 = 21.25; × 10 % = 2.125 → 2.13
        ("2.125", "10", "0", "10", "21.25", "2.13", "23.38"),
    ],
)
def test_compute_line(qty, price, discount, rate, net, tax, total):
    amounts = compute_line(L(qty, price, discount, rate))
    assert (amounts.net, amounts.tax, amounts.total) == (D(net), D(tax), D(total))
    assert all(isinstance(v, Decimal) for v in (amounts.net, amounts.tax, amounts.total))


def test_compute_line_reads_stored_lines_too():
    stored = InvoiceLine(
        invoice_id=1,
        description="x",
        quantity=D("2.000"),
        unit_price=D("19.99"),
        discount_pct=D("5.00"),
        tax_rate=D("21.00"),
    )
    # 2 × 19.99 × 0.95 = 37.981 → 37.98; × 21 % = 7.9758 → 7.98
    amounts = compute_line(stored)
    assert (amounts.net, amounts.tax, amounts.total) == (D("37.98"), D("7.98"), D("45.96"))


def test_floats_are_refused():
    with pytest.raises(TypeError):
        compute_line(LineInput(description="x", quantity=1.5, unit_price=D(1), tax_rate=D(0)))


# -- totals ------------------------------------------------------------------------------
def test_totals_are_sums_of_lines_rounded_once_each():
    # Each line: 0.05 × 10 % = 0.005 → 0.01; three lines 0.03 (rounding the
    # sum instead would give 0.015 → 0.02).
    lines = [L("1", "0.05", rate="10") for _ in range(3)]
    totals = compute_totals(lines)
    assert totals.subtotal == D("0.15")
    assert totals.tax_total == D("0.03")
    assert totals.total == D("0.18")


def test_totals_and_breakdown_by_rate():
    lines = [
        L("1", "100", rate="21"),  # 100 + 21
        L("2", "10", rate="10"),  # 20 + 2
        L("1", "50", discount="10", rate="21"),  # 45 + 9.45
        L("1", "30", rate="0"),  # 30 + 0
    ]
    totals = compute_totals(lines)
    assert totals.subtotal == D("195.00")
    assert totals.tax_total == D("32.45")
    assert totals.total == D("227.45")
    assert totals.breakdown_by_rate == [
        (D("21.00"), D("145.00"), D("30.45")),
        (D("10.00"), D("20.00"), D("2.00")),
        (D("0.00"), D("30.00"), D("0.00")),
    ]
    as_dict = totals.as_dict()
    assert as_dict["breakdown"][0] == {"rate": D("21.00"), "base": D("145.00"), "tax": D("30.45")}


def test_no_lines_total_zero():
    totals = compute_totals([])
    assert (totals.subtotal, totals.tax_total, totals.total) == (D("0"), D("0"), D("0"))
    assert totals.breakdown_by_rate == []


# -- parsing -----------------------------------------------------------------------------
def test_parse_lines_reads_spanish_numbers_and_fills_defaults():
    lines = parse_lines(
        [
            {"kind": "part", "description": " Juego de cuerdas ", "quantity": "1,5",
             "unit_price": "1.234,56", "discount_pct": "10", "tax_rate": "10"},
            {"description": "Desplazamiento", "unit_price": "25"},
            {"description": "", "unit_price": ""},  # a blank row of the form
            LineInput(description="Mano de obra", kind="labor", unit_price="40.5"),
        ]
    )  # fmt: skip
    assert [(x.kind, x.description) for x in lines] == [
        ("part", "Juego de cuerdas"),
        ("service", "Desplazamiento"),
        ("labor", "Mano de obra"),
    ]
    first, second, third = lines
    assert (first.quantity, first.unit_price, first.discount_pct, first.tax_rate) == (
        D("1.500"),
        D("1234.56"),
        D("10.00"),
        D("10.00"),
    )
    # blank quantity 1, discount 0, tax the default 21 %
    assert (second.quantity, second.discount_pct, second.tax_rate) == (D(1), D(0), D(21))
    assert third.unit_price == D("40.50")
    # 1.5 × 1234.56 × 0.9 = 1666.656 → 1666.66; × 10 % = 166.666 → 166.67
    assert compute_line(first).total == D("1833.33")


def test_parse_lines_uses_the_given_default_tax_rate():
    (only,) = parse_lines([{"description": "Libro", "unit_price": "10"}], D("4"))
    assert only.tax_rate == D("4.00")


@pytest.mark.parametrize(
    ("row", "field", "key"),
    [
        ({"description": "", "unit_price": "10"}, "description", "error.description_required"),
        ({"description": "x" * 256, "unit_price": "10"}, "description", "error.too_long"),
        ({"description": "x", "unit_price": "10", "kind": "gift"}, "kind", "error.choice_invalid"),
        ({"description": "x", "unit_price": "10", "quantity": "0"}, "quantity",
         "error.quantity_positive"),
        ({"description": "x", "unit_price": "10", "quantity": "-1"}, "quantity",
         "error.quantity_positive"),
        ({"description": "x", "unit_price": "10", "quantity": "dos"}, "quantity",
         "error.quantity_invalid"),
        ({"description": "x", "unit_price": "-5"}, "unit_price", "error.amount_negative"),
        ({"description": "x", "unit_price": "diez"}, "unit_price", "error.amount_invalid"),
        ({"description": "x", "unit_price": ""}, "unit_price", "error.price_required"),
        ({"description": "x", "unit_price": "1e400"}, "unit_price", "error.amount_invalid"),
        ({"description": "x", "unit_price": "10", "discount_pct": "101"}, "discount_pct",
         "error.discount_invalid"),
        ({"description": "x", "unit_price": "10", "discount_pct": "-1"}, "discount_pct",
         "error.discount_invalid"),
        ({"description": "x", "unit_price": "10", "discount_pct": "mucho"}, "discount_pct",
         "error.discount_invalid"),
        ({"description": "x", "unit_price": "10", "tax_rate": "100,01"}, "tax_rate",
         "error.tax_rate_invalid"),
        ({"description": "x", "unit_price": "10", "tax_rate": "-21"}, "tax_rate",
         "error.tax_rate_invalid"),
        ({"description": "x", "unit_price": "10", "tax_rate": "NaN"}, "tax_rate",
         "error.tax_rate_invalid"),
    ],
)  # fmt: skip
def test_parse_lines_errors_are_keyed_by_row_and_field(row, field, key):
    good = {"description": "Afinación", "unit_price": "90"}
    with pytest.raises(ValidationFailed) as refused:
        parse_lines([good, row])
    assert refused.value.fields[f"lines.1.{field}"] == key
    assert refused.value.fields["lines"] == key
    assert not any(name.startswith("lines.0.") for name in refused.value.fields)


def test_every_bad_row_is_reported():
    with pytest.raises(ValidationFailed) as refused:
        parse_lines(
            [
                {"description": "", "unit_price": "-1"},
                {"description": "ok", "unit_price": "1"},
                {"description": "x", "unit_price": "1", "quantity": "0"},
            ]
        )
    assert refused.value.fields == {
        "lines.0.description": "error.description_required",
        "lines.0.unit_price": "error.amount_negative",
        "lines.2.quantity": "error.quantity_positive",
        "lines": "error.description_required",
    }


def test_too_many_lines_and_too_large_totals_are_refused():
    with pytest.raises(ValidationFailed) as refused:
        parse_lines([{"description": "x", "unit_price": "1"}] * 201)
    assert refused.value.fields == {"lines": "error.too_many_lines"}
    with pytest.raises(ValidationFailed) as refused:
        parse_lines([{"description": "x", "unit_price": "9999999999", "quantity": "5"}])
    assert refused.value.fields["lines.0.unit_price"] == "error.amount_invalid"
    big = {"description": "x", "unit_price": "6000000000", "tax_rate": "0"}
    with pytest.raises(ValidationFailed) as refused:
        parse_lines([big, big])
    assert refused.value.fields == {"lines": "error.total_too_large"}


def test_a_number_from_a_page_is_read_as_its_decimal_text():
    # A page may send 0.1 as a JS number: it is read as "0.1", exactly.
    (only,) = parse_lines([{"description": "x", "unit_price": 0.1, "quantity": 3}])
    assert only.unit_price == D("0.10") and only.quantity == D(3)
    assert compute_line(only).net == D("0.30")


def test_line_input_from_form_keeps_only_known_fields():
    line = LineInput.from_form(
        {"description": "  Afinación ", "unit_price": "90", "total": "5", "net_amount": "1"}
    )
    assert line.description == "Afinación" and line.unit_price == "90"
    assert not hasattr(line, "total")


# -- live preview ------------------------------------------------------------------------
def test_preview_totals_ignores_invalid_rows_and_never_raises():
    preview = preview_totals(
        [
            {"description": "Afinación", "unit_price": "100"},
            {"description": "", "unit_price": "50"},  # no description yet
            {"description": "Fieltro", "unit_price": "abc"},
            {"description": "Cuerdas", "unit_price": "10", "quantity": "2", "tax_rate": "10"},
            {"description": "", "unit_price": ""},
            None,
            "nonsense",
            {"description": "x", "unit_price": "1", "quantity": ["a"]},
        ]
    )
    assert preview["subtotal"] == D("120.00")
    assert preview["tax_total"] == D("23.00")
    assert preview["total"] == D("143.00")
    assert preview["lines"][0] == {"net": D("100.00"), "tax": D("21.00"), "total": D("121.00")}
    assert preview["lines"][1:3] == [None, None]
    assert preview["lines"][3]["total"] == D("22.00")
    assert preview["lines"][4:] == [None, None, None, None]
    assert [b["rate"] for b in preview["breakdown"]] == [D("21.00"), D("10.00")]


@pytest.mark.parametrize("garbage", [None, [], 5, "texto", [{}], [{"unit_price": object()}]])
def test_preview_totals_of_garbage_is_zero(garbage):
    preview = preview_totals(garbage)
    assert preview["total"] == D("0")


def test_to_cents():
    assert to_cents(D("121.00")) == 12100
    assert to_cents(D("0.01")) == 1
    assert to_cents(D("99.995")) == 10000
