"""Field validators shared by every form (Spanish tax ids, IBAN, email…).

Each returns None when the value is acceptable, or a translation key.
"""

from __future__ import annotations

import re

from piano_emotion.auth.accounts import EMAIL_PATTERN

NIF_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
CIF_CONTROL_LETTERS = "JABCDEFGHI"
_NIF = re.compile(r"^(\d{8})([A-Z])$")
_NIE = re.compile(r"^([XYZ])(\d{7})([A-Z])$")
_CIF = re.compile(r"^([ABCDEFGHJKLMNPQRSUVW])(\d{7})([0-9A-J])$")
_POSTAL_CODE = re.compile(r"^(0[1-9]|[1-4]\d|5[0-2])\d{3}$")


def clean_tax_id(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "").upper()


def is_valid_spanish_tax_id(value: str) -> bool:
    """NIF (DNI), NIE or CIF with a correct control character."""
    value = clean_tax_id(value)
    if match := _NIF.match(value):
        return NIF_LETTERS[int(match[1]) % 23] == match[2]
    if match := _NIE.match(value):
        number = "XYZ".index(match[1]) * 10_000_000 + int(match[2])
        return NIF_LETTERS[number % 23] == match[3]
    if match := _CIF.match(value):
        digits = match[2]
        even = sum(int(d) for d in digits[1::2])
        odd = sum(sum(divmod(int(d) * 2, 10)) for d in digits[0::2])
        control = (10 - (even + odd) % 10) % 10
        return match[3] in (str(control), CIF_CONTROL_LETTERS[control])
    return False


def clean_iban(value: str) -> str:
    return re.sub(r"\s", "", value or "").upper()


def is_valid_iban(value: str) -> bool:
    iban = clean_iban(value)
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", iban):
        return False
    if iban.startswith("ES") and len(iban) != 24:
        return False
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97 == 1


def format_iban(value: str) -> str:
    iban = clean_iban(value)
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def email_problem(value: str, *, required: bool = False) -> str | None:
    if not value:
        return "error.email_required" if required else None
    if len(value) > 191 or not EMAIL_PATTERN.match(value):
        return "error.email_invalid"
    return None


def postal_code_problem(value: str) -> str | None:
    if value and not _POSTAL_CODE.match(value):
        return "error.postal_code_invalid"
    return None


def phone_problem(value: str) -> str | None:
    digits = re.sub(r"[\s().\-]", "", value or "")
    if not digits:
        return None
    if not re.fullmatch(r"\+?\d{6,15}", digits):
        return "error.phone_invalid"
    return None


def length_problem(value: str, maximum: int) -> str | None:
    return "error.too_long" if len(value or "") > maximum else None
