"""Probes of every domain function (see tests/isolation.py). Later features
add theirs here, next to the ones of the same module."""

from __future__ import annotations

from piano_emotion.domain import business, tenancy
from piano_emotion.models import (
    Appointment,
    Client,
    InventoryItem,
    Invoice,
    Piano,
    Quote,
    Reminder,
    Service,
    ServiceRate,
)
from tests.isolation import probe

OWNED_MODELS = {
    "client": Client,
    "piano": Piano,
    "service": Service,
    "appointment": Appointment,
    "reminder": Reminder,
    "quote": Quote,
    "invoice": Invoice,
    "rate": ServiceRate,
    "inventory_item": InventoryItem,
}


# -- domain.tenancy ---------------------------------------------------------
for _key, _model in OWNED_MODELS.items():

    @probe("tenancy.get_owned")
    def _get_owned(session, b, a, _key=_key, _model=_model):
        return tenancy.get_owned(session, _model, a.ids[_key], b)

    @probe("tenancy.get_owned_for_update")
    def _get_owned_for_update(session, b, a, _key=_key, _model=_model):
        return tenancy.get_owned_for_update(session, _model, a.ids[_key], b)


def _only_own_rows(result, a):
    assert result == [], f"rows of the other technician leaked: {result}"


@probe("tenancy.owned", expect=_only_own_rows)
def _owned(session, b, a):
    return [
        row
        for model in OWNED_MODELS.values()
        for row in session.exec(tenancy.owned(model, b)).all()
        if row.technician_id == a.user.id
    ]


# -- domain.business ---------------------------------------------------------
def _own_business_info(result, a):
    assert result is not None
    assert result.technician_id != a.user.id
    assert "Pianos A" not in result.business_name


@probe("business.get_business_info", expect=_own_business_info)
def _get_business_info(session, b, a):
    return business.get_business_info(session, b)


@probe("business.save_business_info", expect=_own_business_info)
def _save_business_info(session, b, a):
    return business.save_business_info(
        session, b, business.BusinessInfoInput(business_name="Pianos B Nuevo", tax_id="B12345674")
    )
