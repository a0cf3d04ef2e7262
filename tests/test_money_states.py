"""Page-state tests of the money pages: rates, quotes, invoices (handlers
called directly, bad input → field message and no write)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from piano_emotion.models import ServiceRate
from piano_emotion.ui.i18n import translate
from piano_emotion.ui.state.rates import NO_CATEGORY, RatesState
from tests.ui_states import count, fetch, rows, toasts

pytestmark = pytest.mark.usefixtures("configured_app_settings")

RATE_FORM = {
    "name": "Afinación estándar",
    "category": "tuning",
    "base_price": "90,00",
    "tax_rate": "21",
    "estimated_minutes": "90",
    "active": "on",
    "description": "Afinación a 440 Hz",
}


# -- RatesState ------------------------------------------------------------------


def test_create_a_rate_and_see_it_listed_with_spanish_money(signed_in, engine, technician):
    state = signed_in(RatesState, "/tarifas")
    RatesState.load.fn(state)
    assert state.loaded and state.total == 0
    RatesState.open_new.fn(state)
    assert state.form["category"] == NO_CATEGORY and state.form["tax_rate"] == "21"

    result = RatesState.save.fn(state, dict(RATE_FORM))

    assert toasts(result) == [("success", "Tarifa guardada")]
    assert not state.editor_open
    [rate] = rows(engine, ServiceRate, technician_id=technician.id)
    assert rate.base_price == Decimal("90.00") and rate.estimated_minutes == 90
    assert state.items[0]["price"] == "90,00\u00a0€"
    assert state.items[0]["tax"].replace("\u00a0", " ") == "21 %"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": " "}, "name"),
        ({"base_price": "-5"}, "base_price"),
        ({"base_price": "noventa"}, "base_price"),
        ({"tax_rate": "121"}, "tax_rate"),
        ({"estimated_minutes": "-1"}, "estimated_minutes"),
    ],
)
def test_a_bad_rate_form_writes_nothing(signed_in, engine, changes, field):
    state = signed_in(RatesState, "/tarifas")
    RatesState.load.fn(state)
    RatesState.open_new.fn(state)

    assert RatesState.save.fn(state, {**RATE_FORM, **changes}) is None

    assert set(state.form_errors) == {field} and state.form_errors[field]
    assert state.editor_open and count(engine, ServiceRate) == 0


def test_edit_deactivate_filter_and_delete_a_rate(signed_in, engine, technician):
    state = signed_in(RatesState, "/tarifas")
    RatesState.load.fn(state)
    RatesState.open_new.fn(state)
    RatesState.save.fn(state, {**RATE_FORM, "category": NO_CATEGORY})
    rate_id = state.items[0]["id"]
    assert fetch(engine, ServiceRate, rate_id).category is None

    RatesState.open_edit.fn(state, rate_id)
    assert state.form["base_price"] == "90.00" and state.form["category"] == NO_CATEGORY
    form = {**state.form, "base_price": "95,50"}
    form.pop("active")  # an unticked checkbox is not sent
    RatesState.save.fn(state, form)
    rate = fetch(engine, ServiceRate, rate_id)
    assert rate.base_price == Decimal("95.50") and not rate.active
    assert state.total == 0  # the list shows active rates by default

    RatesState.set_filter.fn(state, "active", "inactive")
    assert [i["id"] for i in state.items] == [rate_id]
    RatesState.set_active.fn(state, rate_id, True)
    assert fetch(engine, ServiceRate, rate_id).active and state.total == 0

    assert toasts(RatesState.delete.fn(state, rate_id)) == [("success", "Tarifa eliminada")]
    assert count(engine, ServiceRate) == 0


def test_another_technicians_rate_cannot_be_opened_or_changed(
    signed_in, engine, technician, other_technician
):
    mine = signed_in(RatesState, "/tarifas")
    RatesState.load.fn(mine)
    RatesState.open_new.fn(mine)
    RatesState.save.fn(mine, dict(RATE_FORM))
    rate_id = mine.items[0]["id"]

    theirs = signed_in(RatesState, "/tarifas", user=other_technician)
    RatesState.load.fn(theirs)
    assert theirs.total == 0
    for result in (
        RatesState.open_edit.fn(theirs, rate_id),
        RatesState.set_active.fn(theirs, rate_id, False),
        RatesState.delete.fn(theirs, rate_id),
    ):
        assert toasts(result) == [("error", translate("error.not_found", "es"))]
    assert fetch(engine, ServiceRate, rate_id).active
