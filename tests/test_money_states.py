"""Page-state tests of the money pages: rates, quotes, invoices (handlers
called directly, bad input → field message and no write)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import Session

from piano_emotion.domain import business, clients
from piano_emotion.domain.alerts import local_today  # Spain's date, like the app
from piano_emotion.domain.business import BusinessInfoInput
from piano_emotion.domain.clients import ClientInput
from piano_emotion.models import Invoice, InvoiceLine, Quote, ServiceRate
from piano_emotion.models.enums import InvoiceStatus, QuoteStatus
from piano_emotion.ui.i18n import translate
from piano_emotion.ui.state.invoices import InvoiceDetailState, InvoicesState
from piano_emotion.ui.state.quotes import QuoteDetailState, QuotesState
from piano_emotion.ui.state.rates import NO_CATEGORY, RatesState
from tests.ui_states import count, fetch, handle, redirect_path, rows, toasts

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
    handle(RatesState.load)(state)
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
    handle(RatesState.load)(state)
    RatesState.open_new.fn(state)

    assert RatesState.save.fn(state, {**RATE_FORM, **changes}) is None

    assert set(state.form_errors) == {field} and state.form_errors[field]
    assert state.editor_open and count(engine, ServiceRate) == 0


def test_edit_deactivate_filter_and_delete_a_rate(signed_in, engine, technician):
    state = signed_in(RatesState, "/tarifas")
    handle(RatesState.load)(state)
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
    handle(RatesState.load)(mine)
    RatesState.open_new.fn(mine)
    RatesState.save.fn(mine, dict(RATE_FORM))
    rate_id = mine.items[0]["id"]

    theirs = signed_in(RatesState, "/tarifas", user=other_technician)
    handle(RatesState.load)(theirs)
    assert theirs.total == 0
    for result in (
        RatesState.open_edit.fn(theirs, rate_id),
        RatesState.set_active.fn(theirs, rate_id, False),
        RatesState.delete.fn(theirs, rate_id),
    ):
        assert toasts(result) == [("error", translate("error.not_found", "es"))]
    assert fetch(engine, ServiceRate, rate_id).active


# -- invoices and quotes ---------------------------------------------------------


@pytest.fixture
def maria(engine, technician):
    with Session(engine, expire_on_commit=False) as session:
        client = clients.create_client(
            session,
            technician,
            ClientInput(name="María Núñez", email="maria@example.es", city="Sevilla"),
        )
        session.commit()
    return client


def complete_business_info(engine, user):
    with Session(engine) as session:
        business.save_business_info(
            session,
            user,
            BusinessInfoInput(
                business_name="Afinaciones Ana",
                tax_id="12345678Z",
                address="Calle Mayor 1",
                city="Madrid",
                postal_code="28001",
                iban="ES9121000418450200051332",
            ),
        )
        session.commit()


def new_invoice(signed_in, maria) -> InvoiceDetailState:
    listing = signed_in(InvoicesState, "/facturas")
    handle(InvoicesState.load)(listing)
    InvoicesState.open_new.fn(listing)
    InvoicesState.pick_client.fn(listing, maria.id, maria.name)
    path = redirect_path(InvoicesState.create.fn(listing, {"piano_id": "none"}))
    detail = signed_in(InvoiceDetailState, path)
    handle(InvoiceDetailState.load)(detail)
    return detail


def type_line(state, cls, index: int, **values):
    for name, value in values.items():
        cls.set_line_field.fn(state, index, name, value)


def test_invoice_draft_totals_live_then_issue_and_pay(signed_in, engine, technician, maria):
    detail = new_invoice(signed_in, maria)
    assert detail.loaded and detail.doc["editable"] and detail.lines == []

    InvoiceDetailState.add_line.fn(detail)
    type_line(detail, InvoiceDetailState, 0, description="Afinación", unit_price="90")
    InvoiceDetailState.add_line.fn(detail)
    type_line(
        detail,
        InvoiceDetailState,
        1,
        kind="travel",
        description="Desplazamiento",
        quantity="2",
        unit_price="12,50",
        tax_rate="10",
    )
    # Live totals: 90 + 21 % and 25 + 10 %.
    assert detail.preview["subtotal"] == "115,00\u00a0€"
    assert detail.preview["tax_total"] == "21,40\u00a0€"
    assert detail.preview["total"] == "136,40\u00a0€"
    assert len(detail.preview_breakdown) == 2

    InvoiceDetailState.save.fn(detail)
    [invoice] = rows(engine, Invoice, technician_id=technician.id)
    assert invoice.total == Decimal("136.40") and invoice.number is None

    # No business info yet: a clear message, no number taken.
    result = InvoiceDetailState.issue.fn(detail)
    assert toasts(result)[0][0] == "error"
    assert "business" in detail.field_errors
    assert fetch(engine, Invoice, invoice.id).number is None

    complete_business_info(engine, technician)
    result = InvoiceDetailState.issue.fn(detail)
    number = fetch(engine, Invoice, invoice.id).number
    assert number and number.startswith("F-") and number.endswith("-0001")
    assert toasts(result) == [("success", f"Factura {number} emitida")]
    assert detail.doc["status"] == "sent" and not detail.doc["editable"]
    assert [line["unit_price"] for line in detail.lines_view] == ["90,00\u00a0€", "12,50\u00a0€"]

    # Paying: a future date is refused with a field message and changes nothing.
    InvoiceDetailState.open_pay.fn(detail)
    assert (
        InvoiceDetailState.mark_paid.fn(
            detail, {"paid_date": "2999-01-01", "payment_method": "transfer"}
        )
        is None
    )
    assert detail.pay_errors["paid_date"] and detail.pay_open
    assert fetch(engine, Invoice, invoice.id).status == InvoiceStatus.SENT

    InvoiceDetailState.mark_paid.fn(
        detail, {"paid_date": detail.today, "payment_method": "bizum", "reference": "B-1"}
    )
    paid = fetch(engine, Invoice, invoice.id)
    assert paid.status == InvoiceStatus.PAID and paid.payment_reference == "B-1"
    assert detail.doc["status"] == "paid" and not detail.pay_open

    listing = signed_in(InvoicesState, "/facturas")
    handle(InvoicesState.load)(listing)
    assert listing.totals["collected"] == "136,40\u00a0€"
    assert listing.items[0]["number"] == number


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"description": "", "unit_price": "10"}, "lines.0.description"),
        ({"description": "Pieza", "unit_price": "-3"}, "lines.0.unit_price"),
        (
            {"description": "Pieza", "unit_price": "10", "discount_pct": "120"},
            "lines.0.discount_pct",
        ),
        ({"description": "Pieza", "unit_price": "10", "quantity": "0"}, "lines.0.quantity"),
    ],
)
def test_a_bad_line_shows_its_message_and_saves_nothing(
    signed_in, engine, technician, maria, values, field
):
    detail = new_invoice(signed_in, maria)
    InvoiceDetailState.add_line.fn(detail)
    type_line(detail, InvoiceDetailState, 0, **values)

    result = InvoiceDetailState.save.fn(detail)

    assert toasts(result)[0][0] == "error"
    assert detail.field_errors[field]
    assert count(engine, InvoiceLine) == 0
    assert detail.lines[0]["description"] == values["description"]  # what was typed stays


def test_a_rate_fills_a_line_in_one_click(signed_in, engine, technician, maria):
    rates_state = signed_in(RatesState, "/tarifas")
    handle(RatesState.load)(rates_state)
    RatesState.open_new.fn(rates_state)
    RatesState.save.fn(rates_state, dict(RATE_FORM))

    detail = new_invoice(signed_in, maria)
    assert detail.rate_options and "90,00" in detail.rate_options[0]["label"]
    InvoiceDetailState.add_rate.fn(detail, detail.rate_options[0]["id"])

    assert detail.lines == [
        {
            "kind": "service",
            "description": "Afinación a 440 Hz",
            "quantity": "1",
            "unit_price": "90",
            "discount_pct": "0",
            "tax_rate": "21",
        }
    ]
    assert detail.preview["total"] == "108,90\u00a0€"


def test_quote_send_accept_convert_once(signed_in, engine, technician, maria):
    listing = signed_in(QuotesState, f"/presupuestos?cliente={maria.id}&nuevo=1")
    handle(QuotesState.load)(listing)
    assert listing.new_open and listing.picked_client_id == maria.id
    path = redirect_path(QuotesState.create.fn(listing, {"piano_id": "none"}))
    detail = signed_in(QuoteDetailState, path)
    handle(QuoteDetailState.load)(detail)
    QuoteDetailState.set_header.fn(detail, "title", "Restauración de teclado")
    QuoteDetailState.add_line.fn(detail)
    type_line(detail, QuoteDetailState, 0, description="Fieltros", unit_price="200")

    QuoteDetailState.send.fn(detail)
    assert detail.doc["status"] == "sent" and detail.doc["number"].startswith("P-")
    QuoteDetailState.accept.fn(detail)
    assert detail.doc["status"] == "accepted"

    result = QuoteDetailState.convert.fn(detail)
    invoice_path = redirect_path(result)
    [invoice] = rows(engine, Invoice, technician_id=technician.id)
    assert invoice_path == f"/facturas/{invoice.id}" and invoice.total == Decimal("242.00")
    assert fetch(engine, Quote, detail.doc["id"]).status == QuoteStatus.CONVERTED

    again = QuoteDetailState.convert.fn(detail)
    assert toasts(again)[0][0] == "error"
    assert count(engine, Invoice) == 1


def test_another_technicians_invoice_and_quote_are_not_found(
    signed_in, engine, technician, other_technician, maria
):
    detail = new_invoice(signed_in, maria)
    theirs = signed_in(InvoiceDetailState, f"/facturas/{detail.doc['id']}", user=other_technician)
    handle(InvoiceDetailState.load)(theirs)
    assert theirs.not_found and theirs.doc == {}
    assert toasts(InvoiceDetailState.cancel_invoice.fn(theirs)) == [
        ("error", translate("error.not_found", "es"))
    ]
    assert fetch(engine, Invoice, detail.doc["id"]).status == InvoiceStatus.DRAFT

    listing = signed_in(InvoicesState, "/facturas", user=other_technician)
    handle(InvoicesState.load)(listing)
    InvoicesState.pick_client.fn(listing, maria.id, maria.name)
    assert InvoicesState.create.fn(listing, {}) is None
    assert listing.new_errors["client_id"]
    assert count(engine, Invoice) == 1


def test_invoicing_a_completed_service_twice_opens_the_same_draft(
    signed_in, engine, technician, maria
):
    from piano_emotion.domain import pianos, services
    from piano_emotion.domain.pianos import PianoInput
    from piano_emotion.domain.services import ServiceInput

    with Session(engine, expire_on_commit=False) as session:
        piano = pianos.create_piano(
            session, technician, PianoInput(client_id=maria.id, brand="Yamaha")
        )
        service = services.create_service(
            session,
            technician,
            ServiceInput(piano_id=piano.id, service_date=local_today(), cost="80"),
        )
        session.commit()

    first = signed_in(InvoicesState, f"/facturas?servicio={service.id}")
    path = redirect_path(handle(InvoicesState.load)(first))
    [invoice] = rows(engine, Invoice, technician_id=technician.id)
    assert path == f"/facturas/{invoice.id}" and invoice.service_id == service.id
    assert invoice.total == Decimal("96.80")  # its cost + 21 % (no rate of that type)

    again = signed_in(InvoicesState, f"/facturas?servicio={service.id}")
    assert redirect_path(handle(InvoicesState.load)(again)) == path
    assert count(engine, Invoice) == 1
