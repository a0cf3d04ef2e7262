"""Service rates (domain.rates), on SQLite and MariaDB."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import select

from piano_emotion.domain import rates
from piano_emotion.domain.errors import NotFound, ValidationFailed
from piano_emotion.domain.rates import RateInput, RateQuery
from piano_emotion.models import ServiceRate

D = Decimal


def add_rate(session, user, name="Afinación", price="90", **extra):
    rate = rates.create_rate(session, user, RateInput(name=name, base_price=price, **extra))
    session.commit()
    return rate


def names(result) -> list[str]:
    return [item["name"] for item in result["items"]]


def test_create_read_update(session, technician):
    rate = add_rate(
        session,
        technician,
        "Afinación estándar",
        "1.234,5",
        category="tuning",
        tax_rate="10",
        estimated_minutes="90",
        description="Una afinación",
    )
    detail = rates.get_rate(session, technician, rate.id)
    assert detail == {
        "id": rate.id,
        "name": "Afinación estándar",
        "category": "tuning",
        "description": "Una afinación",
        "base_price": D("1234.50"),
        "tax_rate": D("10.00"),
        "estimated_minutes": 90,
        "active": True,
    }
    rates.update_rate(
        session, technician, rate.id, RateInput(name="Afinación", base_price="95", category="")
    )
    session.commit()
    detail = rates.get_rate(session, technician, rate.id)
    assert (detail["name"], detail["base_price"], detail["category"]) == ("Afinación", D(95), "")
    assert detail["tax_rate"] == D("21.00")  # blank: IVA general
    assert detail["estimated_minutes"] == 60


def test_from_form():
    data = RateInput.from_form(
        {"name": " Regulación ", "base_price": "120", "active": "false", "other": "x"}
    )
    assert (data.name, data.base_price, data.active) == ("Regulación", "120", False)
    assert RateInput.from_form({"active": "on"}).active is True


@pytest.mark.parametrize(
    ("data", "field", "key"),
    [
        (RateInput(name="", base_price="10"), "name", "error.name_required"),
        (RateInput(name="x" * 161, base_price="10"), "name", "error.too_long"),
        (RateInput(name="x", base_price=""), "base_price", "error.price_required"),
        (RateInput(name="x", base_price="-1"), "base_price", "error.amount_negative"),
        (RateInput(name="x", base_price="mucho"), "base_price", "error.amount_invalid"),
        (RateInput(name="x", base_price="1", tax_rate="121"), "tax_rate", "error.tax_rate_invalid"),
        (RateInput(name="x", base_price="1", category="piano"), "category", "error.choice_invalid"),
        (RateInput(name="x", base_price="1", estimated_minutes="-5"), "estimated_minutes",
         "error.duration_invalid"),
        (RateInput(name="x", base_price="1", estimated_minutes="una hora"), "estimated_minutes",
         "error.duration_invalid"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_and_changes_nothing(session, technician, data, field, key):
    rate = add_rate(session, technician)
    with pytest.raises(ValidationFailed) as refused:
        rates.create_rate(session, technician, data)
    assert refused.value.fields[field] == key
    with pytest.raises(ValidationFailed):
        rates.update_rate(session, technician, rate.id, data)
    session.rollback()
    rows = session.exec(select(ServiceRate)).all()
    assert [(r.name, r.base_price) for r in rows] == [("Afinación", D("90.00"))]


def test_list_active_all_inactive_search_and_category(session, technician):
    tuning = add_rate(session, technician, "Afinación", category="tuning")
    add_rate(session, technician, "Regulación completa", "300", category="regulation")
    old = add_rate(session, technician, "Afinación antigua", "70", category="tuning")
    rates.set_rate_active(session, technician, old.id, False)
    session.commit()
    assert names(rates.list_rates(session, technician)) == ["Afinación", "Regulación completa"]
    assert names(rates.list_rates(session, technician, RateQuery(active="all"))) == [
        "Afinación",
        "Afinación antigua",
        "Regulación completa",
    ]
    assert names(rates.list_rates(session, technician, RateQuery(active="inactive"))) == [
        "Afinación antigua"
    ]
    # Accent- and case-free search, every word.
    found = rates.list_rates(session, technician, RateQuery(search="AFINACION", active="all"))
    assert names(found) == ["Afinación", "Afinación antigua"]
    assert names(rates.list_rates(session, technician, RateQuery(search="regulacion compl"))) == [
        "Regulación completa"
    ]
    assert rates.list_rates(session, technician, RateQuery(search="zzz"))["total"] == 0
    by_type = rates.list_rates(session, technician, RateQuery(category="tuning", active="all"))
    assert names(by_type) == ["Afinación", "Afinación antigua"]
    page = rates.list_rates(session, technician, RateQuery(active="all", page=2, page_size=2))
    assert names(page) == ["Regulación completa"] and page["total"] == 3 and page["pages"] == 2
    assert tuning.id in {i["id"] for i in rates.list_rates(session, technician)["items"]}


def test_rate_for_service_type_is_the_active_one_of_that_category(session, technician):
    assert rates.rate_for_service_type(session, technician, "tuning") is None
    add_rate(session, technician, "Reparación", "50", category="repair")
    inactive = add_rate(session, technician, "A afinación vieja", "60", category="tuning")
    rates.set_rate_active(session, technician, inactive.id, False)
    session.commit()
    assert rates.rate_for_service_type(session, technician, "tuning") is None
    add_rate(session, technician, "Afinación", "90", category="tuning")
    found = rates.rate_for_service_type(session, technician, "tuning")
    assert (found["name"], found["base_price"]) == ("Afinación", D("90.00"))
    rates.set_rate_active(session, technician, inactive.id, True)
    session.commit()
    # Several active ones: the first by name.
    assert rates.rate_for_service_type(session, technician, "tuning")["name"] == (
        "A afinación vieja"
    )
    assert rates.rate_for_service_type(session, technician, "nonsense") is None


def test_delete(session, technician):
    rate = add_rate(session, technician)
    assert rates.delete_rate(session, technician, rate.id) == "deleted"
    session.commit()
    with pytest.raises(NotFound):
        rates.get_rate(session, technician, rate.id)
    assert rates.list_rates(session, technician, RateQuery(active="all"))["total"] == 0


def test_other_technicians_rates_do_not_exist(session, technician, other_technician):
    rate = add_rate(session, technician, category="tuning")
    for call in (
        lambda: rates.get_rate(session, other_technician, rate.id),
        lambda: rates.update_rate(session, other_technician, rate.id, RateInput(name="x")),
        lambda: rates.set_rate_active(session, other_technician, rate.id, False),
        lambda: rates.delete_rate(session, other_technician, rate.id),
    ):
        with pytest.raises(NotFound):
            call()
    assert rates.list_rates(session, other_technician, RateQuery(active="all"))["total"] == 0
    assert rates.rate_for_service_type(session, other_technician, "tuning") is None


def test_every_write_is_seen_by_the_next_read(session, technician):
    rate = add_rate(session, technician, "Antes", category="tuning")
    assert names(rates.list_rates(session, technician)) == ["Antes"]
    assert rates.get_rate(session, technician, rate.id)["name"] == "Antes"
    assert rates.rate_for_service_type(session, technician, "tuning")["name"] == "Antes"

    rates.update_rate(
        session, technician, rate.id, RateInput(name="Después", base_price="1", category="tuning")
    )
    session.rollback()  # not committed: nothing changed, the cached reads stand
    assert rates.get_rate(session, technician, rate.id)["name"] == "Antes"
    rates.update_rate(
        session, technician, rate.id, RateInput(name="Después", base_price="1", category="tuning")
    )
    session.commit()
    assert names(rates.list_rates(session, technician)) == ["Después"]
    assert rates.get_rate(session, technician, rate.id)["name"] == "Después"
    assert rates.rate_for_service_type(session, technician, "tuning")["name"] == "Después"

    rates.set_rate_active(session, technician, rate.id, False)
    session.commit()
    assert rates.list_rates(session, technician)["total"] == 0
    assert rates.get_rate(session, technician, rate.id)["active"] is False
    assert rates.rate_for_service_type(session, technician, "tuning") is None

    rates.delete_rate(session, technician, rate.id)
    session.commit()
    assert rates.list_rates(session, technician, RateQuery(active="all"))["total"] == 0
    with pytest.raises(NotFound):
        rates.get_rate(session, technician, rate.id)
