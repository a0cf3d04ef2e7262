"""Quotes (domain.quotes), on SQLite and MariaDB."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from piano_emotion.domain import clients, invoices, quotes, rates
from piano_emotion.domain.clients import ClientInput
from piano_emotion.domain.errors import NotFound, ValidationFailed
from piano_emotion.domain.quotes import QuoteInput, QuoteQuery
from piano_emotion.domain.rates import RateInput
from piano_emotion.models import Invoice, InvoiceLine, Quote, QuoteLine
from piano_emotion.models.enums import InvoiceStatus, QuoteStatus
from tests.domain.billing_support import (
    TODAY,
    add_client,
    add_item,
    add_piano,
    add_service,
    line,
)

D = Decimal


@pytest.fixture
def client(session, technician):
    return add_client(session, technician)


def new_quote(session, user, client, lines=None, **extra) -> Quote:
    quote = quotes.create_quote(
        session,
        user,
        QuoteInput(
            client_id=client.id,
            lines=[line()] if lines is None else lines,
            title=extra.pop("title", "Regulación"),
            **extra,
        ),
    )
    session.commit()
    return quote


def stored(session, quote_id) -> Quote:
    session.expire_all()
    return session.get(Quote, quote_id)


def line_rows(session, quote_id) -> list[tuple]:
    session.expire_all()
    rows = session.exec(
        select(QuoteLine).where(QuoteLine.quote_id == quote_id).order_by(QuoteLine.position)
    ).all()
    return [(r.kind.value, r.description, r.total_amount) for r in rows]


# -- create and edit ------------------------------------------------------------------------
def test_create_computes_totals_on_the_server(session, technician, client):
    piano = add_piano(session, technician, client)
    quote = new_quote(
        session,
        technician,
        client,
        piano_id=piano.id,
        valid_until="",
        notes="Incluye desplazamiento",
        lines=[
            # Totals sent by a page are ignored.
            {**line("Regulación", "200", discount_pct="10"), "total_amount": "1", "total": "1"},
            line("Desplazamiento", "30", kind="travel", tax_rate="21"),
        ],
    )
    q = stored(session, quote.id)
    assert q.status == QuoteStatus.DRAFT and q.number is None
    # 180 + 37.80, 30 + 6.30
    assert (q.subtotal, q.tax_total, q.total) == (D("210.00"), D("44.10"), D("254.10"))
    assert q.quote_date == TODAY and q.valid_until == TODAY + timedelta(days=30)
    assert q.piano_id == piano.id
    detail = quotes.get_quote(session, technician, quote.id)
    assert [x["description"] for x in detail["lines"]] == ["Regulación", "Desplazamiento"]
    assert detail["lines"][0]["net_amount"] == D("180.00")
    assert detail["breakdown"] == [{"rate": D("21.00"), "base": D("210.00"), "tax": D("44.10")}]
    assert detail["client"]["name"] == "Lucía Fernández" and detail["piano"]["brand"] == "Yamaha"
    assert detail["editable"] is True and detail["status"] == "draft"


def test_client_is_required_and_piano_must_be_the_clients(session, technician, client):
    other = add_client(session, technician, "Otro Cliente")
    piano = add_piano(session, technician, other)
    with pytest.raises(ValidationFailed) as refused:
        quotes.create_quote(session, technician, QuoteInput(lines=[line()]))
    assert refused.value.fields == {"client_id": "error.client_required"}
    with pytest.raises(ValidationFailed) as refused:
        quotes.create_quote(session, technician, QuoteInput(client_id=client.id, piano_id=piano.id))
    assert refused.value.fields == {"piano_id": "error.piano_not_of_client"}
    with pytest.raises(ValidationFailed) as refused:
        quotes.create_quote(
            session,
            technician,
            QuoteInput(client_id=client.id, quote_date="2026-05-10", valid_until="2026-05-01"),
        )
    assert refused.value.fields == {"valid_until": "error.valid_until_before_date"}
    session.rollback()
    assert session.exec(select(Quote)).all() == []


def test_another_technicians_client_does_not_exist(session, technician, other_technician):
    theirs = add_client(session, other_technician, "Ajeno")
    with pytest.raises(NotFound):
        quotes.create_quote(session, technician, QuoteInput(client_id=theirs.id))


def test_prefill_from_a_completed_service_with_materials(session, technician, client):
    piano = add_piano(session, technician, client)
    felt = add_item(session, technician, "Fieltro", cost="2.50")
    pin = add_item(session, technician, "Clavija", cost="1.20")
    service = add_service(
        session,
        technician,
        piano,
        service_type="repair",
        cost="75",
        materials=[
            {"item_id": felt.id, "quantity": "2"},
            {"item_id": pin.id, "quantity": "4", "unit_price": "1,50"},
        ],
    )
    # No rate of the type: the service's cost, described by its type.
    quote = quotes.create_quote(
        session, technician, QuoteInput(client_id=client.id, service_id=service.id)
    )
    session.commit()
    assert line_rows(session, quote.id) == [
        ("service", "Reparación", D("90.75")),  # 75 + 21 %
        ("material", "Clavija", D("7.26")),  # 4 × 1.50 + 21 %
        ("material", "Fieltro", D("6.05")),  # 2 × 2.50 + 21 %
    ]
    assert stored(session, quote.id).piano_id == piano.id  # from the service
    # With an active rate of the type: the rate's name, price and tax.
    rates.create_rate(
        session,
        technician,
        RateInput(name="Reparación menor", base_price="60", category="repair", tax_rate="10"),
    )
    session.commit()
    quote = quotes.create_quote(
        session, technician, QuoteInput(client_id=client.id, service_id=service.id)
    )
    session.commit()
    assert line_rows(session, quote.id)[0] == ("service", "Reparación menor", D("66.00"))


def test_only_a_completed_service_of_that_client_fills_a_quote(session, technician, client):
    piano = add_piano(session, technician, client)
    pending = add_service(session, technician, piano, status="pending")
    with pytest.raises(ValidationFailed) as refused:
        quotes.create_quote(
            session, technician, QuoteInput(client_id=client.id, service_id=pending.id)
        )
    assert refused.value.fields == {"service_id": "error.service_not_completed"}
    other = add_client(session, technician, "Otra")
    done = add_service(session, technician, piano)
    with pytest.raises(ValidationFailed) as refused:
        quotes.create_quote(session, technician, QuoteInput(client_id=other.id, service_id=done.id))
    assert refused.value.fields == {"service_id": "error.service_not_of_client"}


def test_update_replaces_lines_and_bad_input_changes_nothing(session, technician, client):
    quote = new_quote(session, technician, client, lines=[line("A", "10"), line("B", "20")])
    quotes.update_quote(
        session,
        technician,
        quote.id,
        QuoteInput(client_id=client.id, title="Nuevo", lines=[line("C", "50", tax_rate="0")]),
    )
    session.commit()
    assert line_rows(session, quote.id) == [("service", "C", D("50.00"))]
    assert (stored(session, quote.id).title, stored(session, quote.id).total) == (
        "Nuevo",
        D("50.00"),
    )
    with pytest.raises(ValidationFailed) as refused:
        quotes.update_quote(
            session,
            technician,
            quote.id,
            QuoteInput(
                client_id=client.id,
                title="Otro",
                lines=[line("D", "5"), line("", "-1")],
            ),
        )
    assert refused.value.fields["lines.1.description"] == "error.description_required"
    assert refused.value.fields["lines.1.unit_price"] == "error.amount_negative"
    session.rollback()
    assert line_rows(session, quote.id) == [("service", "C", D("50.00"))]
    assert stored(session, quote.id).title == "Nuevo"
    # lines=None keeps the lines
    quotes.update_quote(session, technician, quote.id, QuoteInput(client_id=client.id, title="X"))
    session.commit()
    assert line_rows(session, quote.id) == [("service", "C", D("50.00"))]


# -- lifecycle ---------------------------------------------------------------------------
def test_send_numbers_once_and_locks_the_quote(session, technician, client):
    empty = new_quote(session, technician, client, lines=[])
    with pytest.raises(ValidationFailed) as refused:
        quotes.send_quote(session, technician, empty.id)
    assert refused.value.fields == {"lines": "error.lines_required"}
    assert quotes.delete_quote(session, technician, empty.id) == "deleted"
    session.commit()

    first = new_quote(session, technician, client)
    second = new_quote(session, technician, client)
    quotes.send_quote(session, technician, second.id)
    session.commit()
    quotes.send_quote(session, technician, first.id)
    session.commit()
    assert stored(session, second.id).number == f"P-{TODAY.year}-0001"
    assert stored(session, first.id).number == f"P-{TODAY.year}-0002"
    assert stored(session, first.id).status == QuoteStatus.SENT
    # Sending again keeps the number.
    quotes.send_quote(session, technician, first.id)
    session.commit()
    assert stored(session, first.id).number == f"P-{TODAY.year}-0002"
    # Only drafts are edited or deleted.
    with pytest.raises(ValidationFailed) as refused:
        quotes.update_quote(session, technician, first.id, QuoteInput(client_id=client.id))
    assert refused.value.fields == {"status": "error.quote_locked"}
    with pytest.raises(ValidationFailed) as refused:
        quotes.delete_quote(session, technician, first.id)
    assert refused.value.fields == {"status": "error.quote_locked"}
    assert quotes.get_quote(session, technician, first.id)["editable"] is False


def test_a_draft_past_its_validity_is_not_sent(session, technician, client):
    quote = new_quote(
        session,
        technician,
        client,
        quote_date=TODAY - timedelta(days=40),
        valid_until=TODAY - timedelta(days=10),
    )
    with pytest.raises(ValidationFailed) as refused:
        quotes.send_quote(session, technician, quote.id)
    assert refused.value.fields == {"valid_until": "error.valid_until_past"}


def test_accept_reject_and_forbidden_transitions(session, technician, client):
    draft = new_quote(session, technician, client)
    for answer in (quotes.accept_quote, quotes.reject_quote):
        with pytest.raises(ValidationFailed) as refused:
            answer(session, technician, draft.id)
        assert refused.value.fields == {"status": "error.quote_not_sent"}
    accepted = new_quote(session, technician, client)
    quotes.send_quote(session, technician, accepted.id)
    quotes.accept_quote(session, technician, accepted.id)
    rejected = new_quote(session, technician, client)
    quotes.send_quote(session, technician, rejected.id)
    quotes.reject_quote(session, technician, rejected.id)
    session.commit()
    assert stored(session, accepted.id).status == QuoteStatus.ACCEPTED
    assert stored(session, rejected.id).status == QuoteStatus.REJECTED
    with pytest.raises(ValidationFailed) as refused:
        quotes.reject_quote(session, technician, accepted.id)
    assert refused.value.fields == {"status": "error.quote_not_sent"}
    with pytest.raises(ValidationFailed) as refused:
        quotes.send_quote(session, technician, rejected.id)
    assert refused.value.fields == {"status": "error.quote_not_draft"}
    with pytest.raises(ValidationFailed) as refused:
        quotes.convert_quote_to_invoice(session, technician, rejected.id)
    assert refused.value.fields == {"status": "error.quote_not_accepted"}


def test_a_sent_quote_past_its_validity_is_expired(session, technician, client):
    quote = new_quote(session, technician, client, valid_until=TODAY + timedelta(days=5))
    quotes.send_quote(session, technician, quote.id)
    session.commit()
    later = TODAY + timedelta(days=6)
    # Shown as expired and treated as expired, even before the list stores it.
    assert quotes.get_quote(session, technician, quote.id, today=later)["status"] == "expired"
    session.rollback()
    with pytest.raises(ValidationFailed) as refused:
        quotes.accept_quote(session, technician, quote.id, today=later)
    assert refused.value.fields == {"status": "error.quote_expired"}
    listed = quotes.list_quotes(session, technician, today=later)
    session.commit()
    assert [i["status"] for i in listed["items"]] == ["expired"]
    assert stored(session, quote.id).status == QuoteStatus.EXPIRED
    assert quotes.expire_overdue_quotes(session, technician, later) == 0
    # The day it is still valid it is sent.
    other = new_quote(session, technician, client, valid_until=TODAY + timedelta(days=5))
    quotes.send_quote(session, technician, other.id)
    session.commit()
    assert quotes.expire_overdue_quotes(session, technician, TODAY + timedelta(days=5)) == 0
    assert quotes.expire_overdue_quotes(session, technician, later) == 1
    session.commit()
    with pytest.raises(ValidationFailed) as refused:
        quotes.accept_quote(session, technician, other.id, today=later)
    assert refused.value.fields == {"status": "error.quote_expired"}


def test_convert_once_into_a_draft_invoice(session, technician, client):
    piano = add_piano(session, technician, client)
    quote = new_quote(
        session,
        technician,
        client,
        piano_id=piano.id,
        notes="Nota",
        lines=[line("Regulación", "200", discount_pct="10"), line("Fieltro", "5", kind="part")],
    )
    quotes.send_quote(session, technician, quote.id)
    quotes.accept_quote(session, technician, quote.id)
    invoice = quotes.convert_quote_to_invoice(session, technician, quote.id)
    session.commit()
    session.expire_all()
    q = session.get(Quote, quote.id)
    inv = session.get(Invoice, invoice.id)
    assert q.status == QuoteStatus.CONVERTED and q.converted_invoice_id == inv.id
    assert inv.status == InvoiceStatus.DRAFT and inv.number is None
    assert (inv.quote_id, inv.client_id, inv.piano_id, inv.notes) == (
        quote.id,
        client.id,
        piano.id,
        "Nota",
    )
    assert (inv.subtotal, inv.tax_total, inv.total) == (q.subtotal, q.tax_total, q.total)
    copied = session.exec(
        select(InvoiceLine).where(InvoiceLine.invoice_id == inv.id).order_by(InvoiceLine.position)
    ).all()
    assert [(x.kind.value, x.description, x.discount_pct, x.total_amount) for x in copied] == [
        ("service", "Regulación", D("10.00"), D("217.80")),
        ("part", "Fieltro", D("0.00"), D("6.05")),
    ]
    with pytest.raises(ValidationFailed) as refused:
        quotes.convert_quote_to_invoice(session, technician, quote.id)
    assert refused.value.fields == {"status": "error.quote_already_converted"}
    session.rollback()
    assert len(session.exec(select(Invoice)).all()) == 1
    detail = quotes.get_quote(session, technician, quote.id)
    assert detail["status"] == "converted" and detail["converted_invoice_id"] == inv.id
    # Deleting the draft invoice gives the quote back (it can be converted again).
    invoices.delete_invoice(session, technician, inv.id)
    session.commit()
    assert stored(session, quote.id).status == QuoteStatus.ACCEPTED
    assert quotes.get_quote(session, technician, quote.id)["converted_invoice_id"] is None
    again = quotes.convert_quote_to_invoice(session, technician, quote.id)
    session.commit()
    assert stored(session, quote.id).converted_invoice_id == again.id


# -- lists -------------------------------------------------------------------------------
def test_list_filters_and_totals_of_the_filtered_set(session, technician, client):
    other = add_client(session, technician, "Óscar Núñez", email="oscar@example.es")
    last_year = TODAY.replace(year=TODAY.year - 1, month=3, day=10)
    a = new_quote(session, technician, client, lines=[line("A", "100")], title="Afinación")
    b = new_quote(session, technician, other, lines=[line("B", "200")], title="Reparación")
    c = new_quote(
        session,
        technician,
        other,
        lines=[line("C", "10", tax_rate="0")],
        quote_date=last_year,
        valid_until=last_year + timedelta(days=30),
    )
    quotes.send_quote(session, technician, b.id)
    quotes.accept_quote(session, technician, b.id)
    session.commit()

    everything = quotes.list_quotes(session, technician, QuoteQuery(page_size=2))
    assert everything["total"] == 3 and len(everything["items"]) == 2
    assert everything["totals"] == {
        "quoted": D("373.00"),
        "draft": D("131.00"),
        "pending": D("0.00"),
        "accepted": D("242.00"),
        "lost": D("0.00"),
    }
    # Newest first.
    ids = [i["id"] for i in quotes.list_quotes(session, technician)["items"]]
    assert ids[-1] == c.id
    by_status = quotes.list_quotes(session, technician, QuoteQuery(status="accepted"))
    assert [i["id"] for i in by_status["items"]] == [b.id]
    assert by_status["totals"]["quoted"] == D("242.00")
    by_client = quotes.list_quotes(session, technician, QuoteQuery(client_id=other.id))
    assert {i["id"] for i in by_client["items"]} == {b.id, c.id}
    assert by_client["totals"]["quoted"] == D("252.00")
    by_year = quotes.list_quotes(session, technician, QuoteQuery(year=last_year.year))
    assert [i["id"] for i in by_year["items"]] == [c.id]
    by_month = quotes.list_quotes(
        session, technician, QuoteQuery(year=last_year.year, month=last_year.month + 1)
    )
    assert by_month["total"] == 0 and by_month["totals"]["quoted"] == D("0.00")
    by_name = quotes.list_quotes(session, technician, QuoteQuery(search="oscar"))
    assert {i["id"] for i in by_name["items"]} == {b.id, c.id}
    by_number = quotes.list_quotes(session, technician, QuoteQuery(search=f"p-{TODAY.year}-0001"))
    assert [i["id"] for i in by_number["items"]] == [b.id]
    by_client_name = quotes.list_quotes(session, technician, QuoteQuery(search="lucia"))
    assert [i["id"] for i in by_client_name["items"]] == [a.id]
    assert by_client_name["items"][0]["client_name"] == "Lucía Fernández"


def test_other_technicians_quotes_do_not_exist(session, technician, other_technician, client):
    quote = new_quote(session, technician, client)
    for call in (
        lambda: quotes.get_quote(session, other_technician, quote.id),
        lambda: quotes.send_quote(session, other_technician, quote.id),
        lambda: quotes.delete_quote(session, other_technician, quote.id),
        lambda: quotes.update_quote(session, other_technician, quote.id, QuoteInput()),
    ):
        with pytest.raises(NotFound):
            call()
    assert quotes.list_quotes(session, other_technician)["total"] == 0


def test_every_write_is_seen_by_the_next_read(session, technician, client):
    quote = new_quote(session, technician, client, lines=[line("A", "100")])
    listed = quotes.list_quotes(session, technician)
    assert listed["items"][0]["total"] == D("121.00")
    assert quotes.get_quote(session, technician, quote.id)["total"] == D("121.00")

    quotes.update_quote(
        session, technician, quote.id, QuoteInput(client_id=client.id, lines=[line("A", "200")])
    )
    session.rollback()
    assert quotes.get_quote(session, technician, quote.id)["total"] == D("121.00")
    quotes.update_quote(
        session, technician, quote.id, QuoteInput(client_id=client.id, lines=[line("A", "200")])
    )
    session.commit()
    assert quotes.list_quotes(session, technician)["items"][0]["total"] == D("242.00")
    assert quotes.get_quote(session, technician, quote.id)["lines"][0]["unit_price"] == D(200)

    for write, status in (
        (quotes.send_quote, "sent"),
        (quotes.accept_quote, "accepted"),
        (quotes.convert_quote_to_invoice, "converted"),
    ):
        write(session, technician, quote.id)
        session.commit()
        assert quotes.list_quotes(session, technician)["items"][0]["status"] == status
        assert quotes.get_quote(session, technician, quote.id)["status"] == status
    assert invoices.list_invoices(session, technician)["total"] == 1

    # The client's new name shows in the list and the detail.
    clients.update_client(session, technician, client.id, ClientInput(name="Lucía F. Ruiz"))
    session.commit()
    assert quotes.list_quotes(session, technician)["items"][0]["client_name"] == "Lucía F. Ruiz"
    assert quotes.get_quote(session, technician, quote.id)["client"]["name"] == "Lucía F. Ruiz"

    draft = new_quote(session, technician, client)
    assert quotes.list_quotes(session, technician)["total"] == 2
    quotes.delete_quote(session, technician, draft.id)
    session.commit()
    assert quotes.list_quotes(session, technician)["total"] == 1
    with pytest.raises(NotFound):
        quotes.get_quote(session, technician, draft.id)
