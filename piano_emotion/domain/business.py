"""The technician's business info (fiscal data printed on invoices)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from piano_emotion.domain import validation as v
from piano_emotion.domain.errors import ValidationFailed
from piano_emotion.models import BusinessInfo, User


@dataclass
class BusinessInfoInput:
    business_name: str = ""
    tax_id: str = ""
    address: str = ""
    city: str = ""
    postal_code: str = ""
    region: str = ""
    phone: str = ""
    email: str = ""
    iban: str = ""

    @classmethod
    def from_form(cls, form: dict) -> BusinessInfoInput:
        return cls(
            **{name: str(form.get(name, "") or "").strip() for name in cls.__dataclass_fields__}
        )


def get_business_info(session: Session, user: User) -> BusinessInfo | None:
    return session.exec(select(BusinessInfo).where(BusinessInfo.technician_id == user.id)).first()


def is_complete(info: BusinessInfo | None) -> bool:
    """Enough to issue an invoice: name, tax id, address, city and postal code."""
    return bool(
        info
        and info.business_name
        and info.tax_id
        and info.address
        and info.city
        and info.postal_code
    )


def validate(data: BusinessInfoInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.tax_id and not v.is_valid_spanish_tax_id(data.tax_id):
        errors["tax_id"] = "error.tax_id_invalid"
    if data.iban and not v.is_valid_iban(data.iban):
        errors["iban"] = "error.iban_invalid"
    if problem := v.email_problem(data.email):
        errors["email"] = problem
    if problem := v.postal_code_problem(data.postal_code):
        errors["postal_code"] = problem
    if problem := v.phone_problem(data.phone):
        errors["phone"] = problem
    limits = {"business_name": 160, "address": 255, "city": 120, "region": 120}
    for name, limit in limits.items():
        if problem := v.length_problem(getattr(data, name), limit):
            errors[name] = problem
    return errors


def save_business_info(session: Session, user: User, data: BusinessInfoInput) -> BusinessInfo:
    errors = validate(data)
    if errors:
        raise ValidationFailed(errors)
    info = get_business_info(session, user) or BusinessInfo(technician_id=user.id)
    info.business_name = data.business_name
    info.tax_id = v.clean_tax_id(data.tax_id)
    info.address = data.address
    info.city = data.city
    info.postal_code = data.postal_code
    info.region = data.region
    info.phone = data.phone
    info.email = data.email.lower()
    info.iban = v.format_iban(data.iban) if data.iban else ""
    session.add(info)
    session.flush()
    return info
