"""Field validators: Spanish tax ids (NIF, NIE, CIF), IBAN, postal code, phone, email."""

from __future__ import annotations

import pytest

from piano_emotion.domain import business
from piano_emotion.domain.validation import (
    CIF_CONTROL_LETTERS,
    NIF_LETTERS,
    clean_iban,
    clean_tax_id,
    email_problem,
    format_iban,
    is_valid_iban,
    is_valid_spanish_tax_id,
    length_problem,
    phone_problem,
    postal_code_problem,
)


def cif_control(digits: str) -> int:
    """The CIF control digit, computed independently of the code under test."""
    total = 0
    for position, char in enumerate(digits, start=1):
        value = int(char)
        if position % 2:  # odd positions are doubled, their digits added
            value *= 2
            value = value // 10 + value % 10
        total += value
    return (10 - total % 10) % 10


# -- NIF (DNI) ------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["12345678Z", "12345678z", " 12.345.678-Z ", "00000000T", "99999999R"]
)
def test_valid_nif(value):
    assert is_valid_spanish_tax_id(value)


@pytest.mark.parametrize("value", ["12345678A", "12345678", "1234567Z", "123456789Z", "Z12345678"])
def test_invalid_nif(value):
    assert not is_valid_spanish_tax_id(value)


def test_every_wrong_nif_letter_is_refused():
    for letter in NIF_LETTERS:
        assert is_valid_spanish_tax_id(f"12345678{letter}") == (letter == "Z")


# -- NIE ------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["X1234567L", "x-1234567-l", "Y1234567X", "Z1234567R"])
def test_valid_nie(value):
    assert is_valid_spanish_tax_id(value)


@pytest.mark.parametrize("value", ["X1234567A", "W1234567L", "X123456L", "X12345678L"])
def test_invalid_nie(value):
    assert not is_valid_spanish_tax_id(value)


# -- CIF ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("letter", "digits"),
    [("B", "1234567"), ("A", "5815473"), ("Q", "2826000"), ("G", "0000000"), ("P", "0800000")],
)
def test_valid_cif_with_digit_or_letter_control(letter, digits):
    control = cif_control(digits)
    assert is_valid_spanish_tax_id(f"{letter}{digits}{control}")
    assert is_valid_spanish_tax_id(f"{letter}{digits}{CIF_CONTROL_LETTERS[control]}")
    assert is_valid_spanish_tax_id(f"{letter.lower()}-{digits[:2]}.{digits[2:]}{control}")


def test_known_cif_values():
    assert cif_control("1234567") == 4
    assert is_valid_spanish_tax_id("B12345674")
    assert is_valid_spanish_tax_id("B-12345674")


@pytest.mark.parametrize("digits", ["1234567", "5815473", "2826000", "0000000"])
def test_cif_with_a_wrong_control_is_refused(digits):
    control = cif_control(digits)
    for wrong in range(10):
        if wrong == control:
            continue
        assert not is_valid_spanish_tax_id(f"B{digits}{wrong}")
        assert not is_valid_spanish_tax_id(f"B{digits}{CIF_CONTROL_LETTERS[wrong]}")


@pytest.mark.parametrize("value", ["I12345674", "O12345674", "T12345674", "B1234567", "B123456744"])
def test_cif_with_a_bad_shape_is_refused(value):
    assert not is_valid_spanish_tax_id(value)


@pytest.mark.parametrize("value", ["", "   ", "-", "ABCDEFGHI", "ñ1234567Z", None])
def test_empty_or_garbage_tax_ids(value):
    assert not is_valid_spanish_tax_id(value)


def test_clean_tax_id():
    assert clean_tax_id(" 12.345.678-z ") == "12345678Z"
    assert clean_tax_id("b 1234567 4") == "B12345674"
    assert clean_tax_id(None) == ""


# -- IBAN -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "ES9121000418450200051332",
        "ES91 2100 0418 4502 0005 1332",
        "es91 2100 0418 4502 0005 1332",
        " ES91  2100 0418 4502 0005 1332 ",
        "DE89370400440532013000",
        "GB82 WEST 1234 5698 7654 32",
    ],
)
def test_valid_iban(value):
    assert is_valid_iban(value)


def test_a_one_digit_change_breaks_the_iban():
    valid = "ES9121000418450200051332"
    for position in range(2, len(valid)):
        digit = int(valid[position])
        changed = valid[:position] + str((digit + 1) % 10) + valid[position + 1 :]
        assert not is_valid_iban(changed), changed


@pytest.mark.parametrize(
    "value",
    [
        "",
        "ES91",
        "ES912100041845020005133",  # one digit short
        "ES91210004184502000513321",  # one digit long
        "ES00 2100 0418 4502 0005 1332",
        "XX9121000418450200051332",
        "ES91-2100-0418-4502-0005-1332",
        "9121000418450200051332ES",
    ],
)
def test_invalid_iban(value):
    assert not is_valid_iban(value)


def test_iban_cleaning_and_formatting():
    assert clean_iban(" es91 2100 0418 4502 0005 1332 ") == "ES9121000418450200051332"
    assert format_iban("es9121000418450200051332") == "ES91 2100 0418 4502 0005 1332"


# -- postal code, phone, email, length ------------------------------------------


@pytest.mark.parametrize("value", ["28013", "01001", "08001", "41001", "50001", "52001", ""])
def test_valid_postal_code(value):
    assert postal_code_problem(value) is None


@pytest.mark.parametrize(
    "value", ["60000", "00000", "00123", "53000", "99999", "1234", "123456", "2801A", " 28013"]
)
def test_invalid_postal_code(value):
    assert postal_code_problem(value) == "error.postal_code_invalid"


@pytest.mark.parametrize(
    "value",
    ["", "600123456", "+34 600 123 456", "(91) 555-12-34", "91.555.12.34", "+442079460000"],
)
def test_valid_phone(value):
    assert phone_problem(value) is None


@pytest.mark.parametrize(
    "value",
    ["12345", "abc", "600 12a 456", "++34600123456", "+34 600 123 456 789 0123", "6001#2345"],
)
def test_invalid_phone(value):
    assert phone_problem(value) == "error.phone_invalid"


def test_email_problems():
    assert email_problem("") is None
    assert email_problem("", required=True) == "error.email_required"
    assert email_problem("ana@example.es") is None
    assert email_problem("ana.maria+pianos@sub.example.es") is None
    for bad in ["ana", "ana@", "@example.es", "ana@example", "ana maria@example.es", "a@b@c.es"]:
        assert email_problem(bad) == "error.email_invalid", bad
    assert email_problem("a" * 180 + "@example.es") is None  # 191 characters
    assert email_problem("a" * 181 + "@example.es") == "error.email_invalid"


def test_length_problem():
    assert length_problem("", 3) is None
    assert length_problem("abc", 3) is None
    assert length_problem("abcd", 3) == "error.too_long"
    assert length_problem(None, 3) is None


# -- the business form uses them all --------------------------------------------


def test_business_validation_maps_fields_to_keys():
    data = business.BusinessInfoInput.from_form(
        {
            "business_name": "x" * 161,
            "tax_id": "12345678A",
            "iban": "ES9121000418450200051333",
            "email": "facturas",
            "postal_code": "60000",
            "phone": "abc",
            "city": "  Madrid  ",
        }
    )
    assert data.city == "Madrid"
    assert business.validate(data) == {
        "business_name": "error.too_long",
        "tax_id": "error.tax_id_invalid",
        "iban": "error.iban_invalid",
        "email": "error.email_invalid",
        "postal_code": "error.postal_code_invalid",
        "phone": "error.phone_invalid",
    }


def test_an_empty_business_form_is_valid():
    assert business.validate(business.BusinessInfoInput()) == {}
