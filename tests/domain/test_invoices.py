"""Invoices (domain.invoices), on SQLite and MariaDB."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from piano_emotion.cache import build_cache, use_cache
from piano_emotion.domain import clients, dashboard, invoices, rates
from piano_emotion.domain.clients import ClientInput
from piano_emotion.domain.errors import NotFound, ValidationFailed
from piano_emotion.domain.invoices import InvoiceInput, InvoiceQuery, PaymentInput
from piano_emotion.domain.rates import RateInput
from piano_emotion.models import DocumentCounter, Invoice, InvoiceLine
from piano_emotion.models.enums import InvoiceStatus, PaymentMethod
from tests.conftest import REDIS_TEST_URL, redis_available, require_service
from tests.domain.billing_support import (
    TODAY,
    add_client,
    add_item,
    add_piano,
    add_service,
    complete_business_info,
    line,
)

D = Decimal
YEAR = TODAY.year


@pytest.fixture
def client(session, technician):
    return add_client(session, technician)


@pytest.fixture
def ready(session, technician):
    """The technician's business info is complete (invoices can be issued)."""
    return complete_business_info(session, technician)


def new_invoice(session, user, client, lines=None, **extra) -> Invoice:
    invoice = invoices.create_invoice(
        session,
        user,
        InvoiceInput(client_id=client.id, lines=[line()] if lines is None else lines, **extra),
    )
    session.commit()
    return invoice


def issued(session, user, client, lines=None, **extra) -> Invoice:
    invoice = new_invoice(session, user, client, lines, **extra)
    invoices.issue_invoice(session, user, invoice.id)
    session.commit()
    return stored(session, invoice.id)


def stored(session, invoice_id) -> Invoice:
    session.expire_all()
    return session.get(Invoice, invoice_id)


def pay(session, user, invoice_id, paid_date=TODAY, method="transfer", reference="TR-1"):
    invoices.mark_invoice_paid(
        session,
        user,
        invoice_id,
        PaymentInput(paid_date=paid_date, payment_method=method, reference=reference),
    )
    session.commit()


def counter(session, user) -> int | None:
    session.expire_all()
    row = session.exec(
        select(DocumentCounter).where(DocumentCounter.technician_id == user.id)
    ).first()
    return None if row is None else row.last_number


# -- drafts ------------------------------------------------------------------------------
def test_create_computes_totals_on_the_server(session, technician, client):
    piano = add_piano(session, technician, client)
    invoice = new_invoice(
        session,
        technician,
        client,
        piano_id=piano.id,
        issue_date="15/01/2026",
        notes="Gracias",
        lines=[
            {**line("Afinación", "90"), "total_amount": "0.01"},
            line("Libro de partituras", "20", tax_rate="4"),
            line("Descuento fidelidad", "10", discount_pct="100"),
        ],
    )
    inv = stored(session, invoice.id)
    assert inv.status == InvoiceStatus.DRAFT and inv.number is None
    assert (inv.subtotal, inv.tax_total, inv.total) == (D("110.00"), D("19.70"), D("129.70"))
    assert (inv.issue_date.isoformat(), inv.due_date) == ("2026-01-15", None)
    detail = invoices.get_invoice(session, technician, invoice.id)
    assert detail["breakdown"] == [
        {"rate": D("21.00"), "base": D("90.00"), "tax": D("18.90")},
        {"rate": D("4.00"), "base": D("20.00"), "tax": D("0.80")},
    ]
    assert [x["total_amount"] for x in detail["lines"]] == [D("108.90"), D("20.80"), D("0.00")]
    assert detail["editable"] is True and detail["piano"]["id"] == piano.id
    assert detail["notes"] == "Gracias" and detail["client"]["tax_id"] == "12345678Z"


def test_bad_input_changes_nothing(session, technician, client):
    invoice = new_invoice(session, technician, client, lines=[line("A", "10")])
    bad = InvoiceInput(
        client_id=client.id,
        issue_date="2026-03-10",
        due_date="2026-03-01",
        lines=[line("B", "20", quantity="0")],
    )
    with pytest.raises(ValidationFailed) as refused:
        invoices.update_invoice(session, technician, invoice.id, bad)
    assert refused.value.fields == {
        "due_date": "error.due_before_issue",
        "lines.0.quantity": "error.quantity_positive",
        "lines": "error.quantity_positive",
    }
    with pytest.raises(ValidationFailed) as refused:
        invoices.create_invoice(session, technician, bad)
    session.rollback()
    assert len(session.exec(select(Invoice)).all()) == 1
    lines = session.exec(select(InvoiceLine)).all()
    assert [(x.description, x.total_amount) for x in lines] == [("A", D("12.10"))]
    assert stored(session, invoice.id).total == D("12.10")
    with pytest.raises(ValidationFailed) as refused:
        invoices.create_invoice(session, technician, InvoiceInput(issue_date="31/02/2026"))
    assert refused.value.fields == {
        "client_id": "error.client_required",
        "issue_date": "error.date_invalid",
    }


def test_prefill_from_a_service_links_it(session, technician, client):
    piano = add_piano(session, technician, client)
    item = add_item(session, technician, "Cuerda 17", cost="4.20")
    service = add_service(
        session,
        technician,
        piano,
        service_type="tuning",
        cost="80",
        materials=[{"item_id": item.id, "quantity": "3"}],
    )
    rates.create_rate(
        session,
        technician,
        RateInput(name="Afinación estándar", base_price="95", category="tuning"),
    )
    session.commit()
    invoice = invoices.create_invoice(
        session, technician, InvoiceInput(client_id=client.id, service_id=service.id)
    )
    session.commit()
    inv = stored(session, invoice.id)
    assert (inv.service_id, inv.piano_id) == (service.id, piano.id)
    detail = invoices.get_invoice(session, technician, invoice.id)
    prefilled = [
        (x["kind"], x["description"], x["quantity"], x["unit_price"]) for x in detail["lines"]
    ]
    assert prefilled == [
        ("service", "Afinación estándar", D("1.000"), D("95.00")),
        ("material", "Cuerda 17", D("3.000"), D("4.20")),
    ]
    # 95 + 12.60 = 107.60; IVA 19.95 + 2.646→2.65 = 22.60
    assert (inv.subtotal, inv.tax_total, inv.total) == (D("107.60"), D("22.60"), D("130.20"))
    # Given lines win over the pre-fill.
    other = invoices.create_invoice(
        session,
        technician,
        InvoiceInput(service_id=service.id, lines=[line("Solo esto", "10")]),
    )
    session.commit()
    assert stored(session, other.id).client_id == client.id  # the service's client
    assert stored(session, other.id).total == D("12.10")


# -- issuing -----------------------------------------------------------------------------
def test_issuing_needs_complete_business_info_and_changes_nothing_without(
    session, technician, client
):
    invoice = new_invoice(session, technician, client)
    with pytest.raises(ValidationFailed) as refused:
        invoices.issue_invoice(session, technician, invoice.id)
    assert refused.value.fields == {"business": "error.business_info_required"}
    session.rollback()
    complete_business_info(session, technician, tax_id="")
    with pytest.raises(ValidationFailed) as refused:
        invoices.issue_invoice(session, technician, invoice.id)
    assert refused.value.fields == {"business": "error.business_info_required"}
    session.rollback()
    inv = stored(session, invoice.id)
    assert (inv.status, inv.number, inv.payment_token) == (InvoiceStatus.DRAFT, None, None)
    assert counter(session, technician) is None
    complete_business_info(session, technician)
    invoices.issue_invoice(session, technician, invoice.id)
    session.commit()
    assert stored(session, invoice.id).number == f"F-{YEAR}-0001"


def test_issue_numbers_snapshots_and_locks(session, technician, client, ready):
    piano = add_piano(session, technician, client)
    empty = new_invoice(session, technician, client, lines=[])
    with pytest.raises(ValidationFailed) as refused:
        invoices.issue_invoice(session, technician, empty.id)
    assert refused.value.fields == {"lines": "error.lines_required"}
    session.rollback()

    first = issued(session, technician, client, piano_id=piano.id)
    second = issued(session, technician, client, due_date=TODAY + timedelta(days=7))
    assert (first.number, second.number) == (f"F-{YEAR}-0001", f"F-{YEAR}-0002")
    assert first.status == InvoiceStatus.SENT and first.sent_at is not None
    assert first.due_date == first.issue_date + timedelta(days=30)
    assert second.due_date == TODAY + timedelta(days=7)  # the draft's own
    assert len(first.payment_token) >= 40 and first.payment_token != second.payment_token
    assert (first.client_name, first.client_tax_id, first.client_email) == (
        "Lucía Fernández",
        "12345678Z",
        "lucia@example.es",
    )
    assert first.client_address == "Calle Mayor 1, 28013 Madrid"
    assert (first.issuer_name, first.issuer_tax_id, first.issuer_email, first.issuer_phone) == (
        "Pianos Ana SL",
        "B12345674",
        "ana@pianos.es",
        "612345678",
    )
    assert first.issuer_address == "Calle del Piano 3, 41001 Sevilla, Sevilla"
    assert first.issuer_iban == "ES91 2100 0418 4502 0005 1332"

    # The snapshot stays as issued when the client changes.
    clients.update_client(
        session, technician, client.id, ClientInput(name="Lucía Cambiada", city="Toledo")
    )
    session.commit()
    detail = invoices.get_invoice(session, technician, first.id)
    assert detail["client_snapshot"]["name"] == "Lucía Fernández"
    assert detail["client"]["name"] == "Lucía Cambiada"
    assert detail["issuer"]["name"] == "Pianos Ana SL" and detail["editable"] is False

    # Never edited, issued again or deleted once issued.
    for call in (
        lambda: invoices.update_invoice(
            session, technician, first.id, InvoiceInput(client_id=client.id)
        ),
        lambda: invoices.issue_invoice(session, technician, first.id),
        lambda: invoices.delete_invoice(session, technician, first.id),
    ):
        with pytest.raises(ValidationFailed) as refused:
            call()
        assert refused.value.fields == {"status": "error.invoice_locked"}
    session.rollback()
    assert stored(session, first.id).number == f"F-{YEAR}-0001"
    assert counter(session, technician) == 2


def test_the_payment_terms_of_the_business_set_the_due_date(session, technician, client, ready):
    ready.payment_terms_days = 15
    session.add(ready)
    session.commit()
    invoice = issued(session, technician, client, issue_date=TODAY - timedelta(days=2))
    assert invoice.due_date == TODAY + timedelta(days=13)


# -- payment and cancellation ------------------------------------------------------------
def test_mark_paid(session, technician, client, ready):
    draft = new_invoice(session, technician, client)
    with pytest.raises(ValidationFailed) as refused:
        pay(session, technician, draft.id)
    assert refused.value.fields == {"status": "error.invoice_not_issued"}
    session.rollback()
    invoice = issued(session, technician, client, issue_date=TODAY - timedelta(days=5))
    for data, expected in (
        (PaymentInput(payment_method="cash"), {"paid_date": "error.date_required"}),
        (
            PaymentInput(paid_date=TODAY - timedelta(days=6), payment_method="cash"),
            {"paid_date": "error.paid_before_issue"},
        ),
        (
            PaymentInput(paid_date=TODAY + timedelta(days=1), payment_method="cash"),
            {"paid_date": "error.date_in_future"},
        ),
        (
            PaymentInput(paid_date="ayer", payment_method="cash"),
            {"paid_date": "error.date_invalid"},
        ),
        (PaymentInput(paid_date=TODAY), {"payment_method": "error.payment_method_required"}),
        (
            PaymentInput(paid_date=TODAY, payment_method="cheque", reference="x" * 256),
            {"payment_method": "error.choice_invalid", "reference": "error.too_long"},
        ),
    ):
        with pytest.raises(ValidationFailed) as refused:
            invoices.mark_invoice_paid(session, technician, invoice.id, data)
        assert refused.value.fields == expected
    session.rollback()
    assert stored(session, invoice.id).status == InvoiceStatus.SENT
    data = PaymentInput.from_form(
        {"paid_date": TODAY.isoformat(), "payment_method": "bizum", "reference": " B-77 "}
    )
    invoices.mark_invoice_paid(session, technician, invoice.id, data)
    session.commit()
    inv = stored(session, invoice.id)
    assert (inv.status, inv.paid_date, inv.payment_method, inv.payment_reference) == (
        InvoiceStatus.PAID,
        TODAY,
        PaymentMethod.BIZUM,
        "B-77",
    )
    with pytest.raises(ValidationFailed) as refused:
        pay(session, technician, invoice.id)
    assert refused.value.fields == {"status": "error.invoice_already_paid"}


def test_cancel_draft_sent_or_paid_and_delete_only_drafts(session, technician, client, ready):
    draft = new_invoice(session, technician, client)
    sent = issued(session, technician, client)
    paid = issued(session, technician, client)
    pay(session, technician, paid.id)
    for invoice in (draft, sent, paid):
        invoices.cancel_invoice(session, technician, invoice.id)
        session.commit()
        inv = stored(session, invoice.id)
        assert inv.status == InvoiceStatus.CANCELLED and inv.cancelled_at is not None
    assert stored(session, sent.id).number == f"F-{YEAR}-0001"  # keeps its number
    with pytest.raises(ValidationFailed) as refused:
        invoices.cancel_invoice(session, technician, sent.id)
    assert refused.value.fields == {"status": "error.invoice_cancelled"}
    with pytest.raises(ValidationFailed) as refused:
        pay(session, technician, sent.id)
    assert refused.value.fields == {"status": "error.invoice_cancelled"}
    session.rollback()
    with pytest.raises(ValidationFailed):
        invoices.delete_invoice(session, technician, draft.id)  # cancelled: not a draft
    session.rollback()
    other = new_invoice(session, technician, client)
    assert invoices.delete_invoice(session, technician, other.id) == "deleted"
    session.commit()
    assert stored(session, other.id) is None
    assert session.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == other.id)).all() == []


# -- lists -------------------------------------------------------------------------------
def test_list_filters_and_totals_of_the_filtered_set(session, technician, client, ready):
    other = add_client(session, technician, "Óscar Núñez", email="oscar@example.es")
    long_ago = TODAY - timedelta(days=400)
    draft = new_invoice(session, technician, client, lines=[line("D", "1000", tax_rate="0")])
    sent = issued(session, technician, client, lines=[line("S", "100")])  # 121
    overdue = issued(
        session,
        technician,
        other,
        lines=[line("O", "200")],  # 242
        issue_date=long_ago,
    )
    paid = issued(session, technician, other, lines=[line("P", "50")])  # 60.50
    pay(session, technician, paid.id)
    cancelled = issued(session, technician, client, lines=[line("C", "7", tax_rate="0")])
    invoices.cancel_invoice(session, technician, cancelled.id)
    session.commit()

    everything = invoices.list_invoices(session, technician)
    assert everything["total"] == 5
    assert everything["totals"] == {
        "invoiced": D("423.50"),
        "pending": D("363.00"),
        "collected": D("60.50"),
        "overdue": D("242.00"),
        "draft": D("1000.00"),
    }
    # Newest first: the old one is last.
    assert everything["items"][-1]["id"] == overdue.id
    assert everything["items"][-1]["display_status"] == "overdue"
    page = invoices.list_invoices(session, technician, InvoiceQuery(page=2, page_size=2))
    assert len(page["items"]) == 2 and page["pages"] == 3
    assert page["totals"] == everything["totals"]  # totals of the filtered set, not the page

    def ids(**filters) -> set[int]:
        return {
            i["id"]
            for i in invoices.list_invoices(session, technician, InvoiceQuery(**filters))["items"]
        }

    assert ids(status="overdue") == {overdue.id}
    assert ids(status="sent") == {sent.id, overdue.id}
    assert ids(status="paid") == {paid.id}
    assert ids(status="draft") == {draft.id}
    assert ids(status="cancelled") == {cancelled.id}
    assert ids(status="bogus") == ids()  # unknown filter: all
    assert ids(client_id=other.id) == {overdue.id, paid.id}
    assert ids(year=long_ago.year) == {overdue.id}  # 400 days ago: another year
    assert ids(year=YEAR, month=TODAY.month) == {draft.id, sent.id, paid.id, cancelled.id}
    assert ids(search="oscar") == {overdue.id, paid.id}
    assert ids(search=paid.number.lower()) == {paid.id}
    overdue_only = invoices.list_invoices(session, technician, InvoiceQuery(status="overdue"))
    assert overdue_only["totals"] == {
        "invoiced": D("242.00"),
        "pending": D("242.00"),
        "collected": D("0.00"),
        "overdue": D("242.00"),
        "draft": D("0.00"),
    }
    by_client = invoices.list_invoices(session, technician, InvoiceQuery(client_id=client.id))
    assert by_client["totals"]["invoiced"] == D("121.00")
    assert by_client["totals"]["draft"] == D("1000.00")


def test_revenue_of_the_dashboard_grows_when_an_invoice_is_paid(session, technician, client, ready):
    def revenue():
        return dashboard.dashboard(session, technician, TODAY.year, TODAY.month, TODAY)["revenue"]

    def feed_kinds():
        return [i["kind"] for i in dashboard.alert_feed(session, technician, TODAY)]

    assert revenue() == D("0")
    invoice = issued(
        session, technician, client, issue_date=TODAY - timedelta(days=40), lines=[line("A", "100")]
    )
    assert revenue() == D("0")
    assert "invoice_overdue" in feed_kinds()  # due 10 days ago
    pay(session, technician, invoice.id)
    assert revenue() == D("121.00")
    assert "invoice_overdue" not in feed_kinds()
    second = issued(session, technician, client, lines=[line("B", "10")])
    pay(session, technician, second.id)
    assert revenue() == D("133.10")
    invoices.cancel_invoice(session, technician, second.id)
    session.commit()
    assert revenue() == D("121.00")


# -- online payments ---------------------------------------------------------------------
def test_record_online_payment(session, technician, client, ready):
    invoice = issued(session, technician, client, lines=[line("A", "100")])  # 121.00
    token = invoice.payment_token
    # Unknown invoice or token.
    assert invoices.record_online_payment(session, payment_token="nope", amount_cents=12100,
                                          currency="eur") == "unknown"  # fmt: skip
    assert invoices.record_online_payment(session, invoice_id=987654, amount_cents=1,
                                          currency="eur") == "unknown"  # fmt: skip
    assert invoices.record_online_payment(session, amount_cents=1, currency="eur") == "unknown"
    assert (
        invoices.record_online_payment(
            session,
            invoice_id=invoice.id,
            payment_token="other",
            amount_cents=12100,
            currency="eur",
        )
        == "unknown"
    )
    # Reads cached before the payment arrives.
    assert invoices.get_invoice(session, technician, invoice.id)["status"] == "sent"
    assert invoices.list_invoices(session, technician)["totals"]["collected"] == D("0.00")
    # A different amount or currency: flagged, status left.
    outcome = invoices.record_online_payment(
        session, payment_token=token, amount_cents=12000, currency="eur", reference="pi_1"
    )
    session.commit()
    assert outcome == "flagged_amount"
    inv = stored(session, invoice.id)
    assert inv.status == InvoiceStatus.SENT and "amount mismatch" in inv.payment_flag
    assert "12000" in inv.payment_flag and "12100" in inv.payment_flag
    assert invoices.get_invoice(session, technician, invoice.id)["payment_flag"] == inv.payment_flag
    outcome = invoices.record_online_payment(
        session, invoice_id=invoice.id, amount_cents=12100, currency="usd", reference="pi_2"
    )
    session.commit()
    assert outcome == "flagged_currency" and stored(session, invoice.id).status == "sent"
    # The right amount: paid, by Stripe, today, flag cleared.
    outcome = invoices.record_online_payment(
        session, payment_token=token, amount_cents=12100, currency="EUR", reference="pi_3"
    )
    session.commit()
    assert outcome == "paid"
    inv = stored(session, invoice.id)
    assert (inv.status, inv.payment_method, inv.payment_reference, inv.payment_flag) == (
        InvoiceStatus.PAID,
        PaymentMethod.STRIPE,
        "pi_3",
        "",
    )
    assert inv.paid_date is not None
    # The owner's cached reads show it.
    assert invoices.get_invoice(session, technician, invoice.id)["status"] == "paid"
    assert invoices.list_invoices(session, technician)["totals"]["collected"] == D("121.00")
    # Already paid: nothing changes.
    assert (
        invoices.record_online_payment(
            session, payment_token=token, amount_cents=12100, currency="eur", reference="pi_4"
        )
        == "already_paid"
    )
    session.commit()
    assert stored(session, invoice.id).payment_reference == "pi_3"


def test_online_payment_of_a_draft_or_cancelled_invoice_is_flagged(
    session, technician, client, ready
):
    cancelled = issued(session, technician, client)
    invoices.cancel_invoice(session, technician, cancelled.id)
    session.commit()
    draft = new_invoice(session, technician, client)
    for invoice, status in ((cancelled, "cancelled"), (draft, "draft")):
        outcome = invoices.record_online_payment(
            session, invoice_id=invoice.id, amount_cents=12100, currency="eur"
        )
        session.commit()
        assert outcome == "flagged_status"
        inv = stored(session, invoice.id)
        assert inv.status == status and f"status {status}" in inv.payment_flag


def test_public_lookup_by_payment_token(session, technician, client, ready):
    invoice = issued(session, technician, client, lines=[line("A", "100")])
    found = invoices.invoice_by_payment_token(session, invoice.payment_token)
    assert (found["number"], found["total"], found["total_cents"], found["currency"]) == (
        f"F-{YEAR}-0001",
        D("121.00"),
        12100,
        "eur",
    )
    assert [x["description"] for x in found["lines"]] == ["A"]
    assert found["issuer"]["name"] == "Pianos Ana SL"
    assert found["client_snapshot"]["name"] == "Lucía Fernández"
    pay(session, technician, invoice.id)
    assert invoices.invoice_by_payment_token(session, invoice.payment_token)["status"] == "paid"
    invoices.cancel_invoice(session, technician, invoice.id)
    session.commit()
    assert invoices.invoice_by_payment_token(session, invoice.payment_token) is None
    assert invoices.invoice_by_payment_token(session, "unknown-token") is None
    assert invoices.invoice_by_payment_token(session, "") is None
    assert invoices.invoice_by_payment_token(session, None) is None


# -- tenancy and cache -------------------------------------------------------------------
def test_other_technicians_invoices_do_not_exist(session, technician, other_technician, client):
    invoice = new_invoice(session, technician, client)
    for call in (
        lambda: invoices.get_invoice(session, other_technician, invoice.id),
        lambda: invoices.update_invoice(session, other_technician, invoice.id, InvoiceInput()),
        lambda: invoices.issue_invoice(session, other_technician, invoice.id),
        lambda: invoices.cancel_invoice(session, other_technician, invoice.id),
        lambda: invoices.delete_invoice(session, other_technician, invoice.id),
        lambda: invoices.mark_invoice_paid(session, other_technician, invoice.id, PaymentInput()),
        lambda: invoices.create_invoice(
            session, other_technician, InvoiceInput(client_id=client.id)
        ),
    ):
        with pytest.raises(NotFound):
            call()
    assert invoices.list_invoices(session, other_technician)["total"] == 0


def _write_scenario(session, technician, client, write_through, read_through):
    """Read, write (in one cache), read again (in the other): always the new data."""

    def reads(invoice_id):
        with read_through():
            return (
                invoices.list_invoices(session, technician),
                invoices.get_invoice(session, technician, invoice_id),
                dashboard.dashboard(session, technician, TODAY.year, TODAY.month, TODAY),
            )

    with write_through():
        invoice = new_invoice(session, technician, client, lines=[line("A", "100")])
    listed, detail, board = reads(invoice.id)
    assert listed["totals"]["draft"] == D("121.00") and detail["total"] == D("121.00")
    assert board["revenue"] == D("0")

    steps = [
        (
            lambda: invoices.update_invoice(
                session, technician, invoice.id,
                InvoiceInput(client_id=client.id, lines=[line("A", "200")]),
            ),
            lambda lst, det, brd: det["total"] == D("242.00") and lst["totals"]["draft"] == D("242.00"),  # noqa: E501
        ),
        (
            lambda: invoices.issue_invoice(session, technician, invoice.id),
            lambda lst, det, brd: det["status"] == "sent" and lst["totals"]["pending"] == D("242.00"),  # noqa: E501
        ),
        (
            lambda: invoices.mark_invoice_paid(
                session, technician, invoice.id, PaymentInput(TODAY, "cash")
            ),
            lambda lst, det, brd: det["status"] == "paid" and brd["revenue"] == D("242.00"),
        ),
        (
            lambda: invoices.cancel_invoice(session, technician, invoice.id),
            lambda lst, det, brd: det["status"] == "cancelled" and brd["revenue"] == D("0"),
        ),
    ]  # fmt: skip
    for write, check in steps:
        with write_through():
            write()
            session.commit()
        assert check(*reads(invoice.id))


def test_every_write_is_seen_by_the_next_read(session, technician, client, ready):
    from contextlib import nullcontext

    _write_scenario(session, technician, client, nullcontext, nullcontext)


@pytest.fixture
def two_workers() -> Iterator[tuple]:
    """Two cache services on one Redis and one namespace: two app workers."""
    require_service(redis_available(), "Redis on 127.0.0.1:6379")
    import redis

    namespace = f"test-invoices-{secrets.token_hex(6)}"
    first = build_cache(redis_url=REDIS_TEST_URL, namespace=namespace)
    second = build_cache(redis_url=REDIS_TEST_URL, namespace=namespace)
    yield first, second
    first.close()
    second.close()
    client = redis.Redis.from_url(REDIS_TEST_URL)
    stale = list(client.scan_iter(match=f"{namespace}:*", count=1000))
    if stale:
        client.delete(*stale)
    client.close()


def test_every_write_is_seen_by_another_worker_with_redis(
    session, technician, client, ready, two_workers
):
    first, second = two_workers
    assert first.mode == "redis" and second.mode == "redis"
    _write_scenario(
        session, technician, client, lambda: use_cache(first), lambda: use_cache(second)
    )
    assert not first.degraded and not second.degraded


# -- concurrency (MariaDB) ---------------------------------------------------------------
def test_a_hundred_invoices_issued_from_ten_threads_get_consecutive_numbers(
    engine, session, technician, client, ready
):
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite has no row locks; the concurrent case runs on MariaDB")
    start = threading.Barrier(10)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def worker():
        try:
            start.wait(10)
            for _ in range(10):
                with Session(engine, expire_on_commit=False) as own:
                    invoice = invoices.create_invoice(
                        own, technician, InvoiceInput(client_id=client.id, lines=[line()])
                    )
                    invoices.issue_invoice(own, technician, invoice.id)
                    own.commit()
                    numbers.append(invoice.number)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert sorted(numbers) == [f"F-{YEAR}-{n:04d}" for n in range(1, 101)]
    session.expire_all()
    rows = session.exec(select(Invoice.number).where(Invoice.technician_id == technician.id)).all()
    assert sorted(rows) == sorted(numbers)
    assert counter(session, technician) == 100
