"""Probes of the money domain (numbering, rates, documents, quotes, invoices;
see tests/isolation.py): B calls every function with A's client, piano,
service, rate, quote and invoice ids, and B's own reads show nothing of A's.

``factories.populate`` gives each technician a client, a piano, a completed
service with one material, a rate (no category), a draft quote numbered
``P-<year>-0001``, a sent invoice ``F-<year>-0001`` with its counter at 1,
and incomplete business info.
"""

from __future__ import annotations

from datetime import date

from piano_emotion.domain import documents, invoices, numbering, quotes, rates
from piano_emotion.domain.alerts import local_today  # Spain's date, like the app
from piano_emotion.domain.invoices import InvoiceInput, InvoiceQuery, PaymentInput
from piano_emotion.domain.quotes import QuoteInput, QuoteQuery
from piano_emotion.domain.rates import RateInput, RateQuery
from piano_emotion.domain.tenancy import owned
from piano_emotion.models import Client, Invoice, Quote, Service
from piano_emotion.models.enums import DocumentKind
from tests.isolation import assert_no_trace_of, probe

YEAR = local_today().year
LINES = [{"description": "Afinación", "unit_price": "90"}]


def _own(session, b, model):
    """B's own row of ``model`` (factories.populate gives B one of each)."""
    return session.exec(owned(model, b)).first()


def _assert_owner(result, a):
    assert result.technician_id != a.user.id


def _no_trace(*keys: str, names: tuple[str, ...] = ()):
    def check(result, a):
        text = repr(result)
        for key in keys:
            listed = {item["id"] for item in result["items"]}
            assert a.ids[key] not in listed, f"{key} of the other technician listed"
        for name in (*names, "Cliente A", "Pianos A SL", "Afinación A", "Cuerda A"):
            assert name not in text, f"{name!r} of the other technician leaked"
        assert_no_trace_of(result, a)

    return check


def _nothing_listed(result, a):
    assert result["items"] == [] and result["total"] == 0


# -- numbering --------------------------------------------------------------------
def _own_next_number(result, a):
    # B's own counter (at 1 after populate) gives 0002; A's is untouched.
    assert result == f"F-{YEAR}-0002"


@probe("numbering.next_number", expect=_own_next_number)
def _next_number(session, b, a):
    return numbering.next_number(session, b, DocumentKind.INVOICE, YEAR)


def _default_prefix(result, a):
    assert result == "F"


@probe("numbering.document_prefix", expect=_default_prefix)
def _document_prefix(session, b, a):
    return numbering.document_prefix(session, b, DocumentKind.INVOICE)


# -- rates ------------------------------------------------------------------------
@probe("rates.create_rate", expect=_assert_owner)
def _create_rate(session, b, a):
    return rates.create_rate(session, b, RateInput(name="Nueva de B", base_price="10"))


@probe("rates.update_rate")
def _update_rate(session, b, a):
    return rates.update_rate(session, b, a.ids["rate"], RateInput(name="Robada", base_price="1"))


@probe("rates.set_rate_active")
def _set_rate_active(session, b, a):
    return rates.set_rate_active(session, b, a.ids["rate"], False)


@probe("rates.delete_rate")
def _delete_rate(session, b, a):
    return rates.delete_rate(session, b, a.ids["rate"])


@probe("rates.get_rate")
def _get_rate(session, b, a):
    return rates.get_rate(session, b, a.ids["rate"])


@probe("rates.list_rates", expect=_no_trace("rate"))
def _list_rates(session, b, a):
    return rates.list_rates(session, b, RateQuery(active="all", page_size=100))


@probe("rates.list_rates", expect=_no_trace("rate"))
def _list_rates_searching_foreign_name(session, b, a):
    return rates.list_rates(session, b, RateQuery(search="Afinación A", active="all"))


def _no_rate(result, a):
    assert result is None


@probe("rates.rate_for_service_type", expect=_no_rate)
def _rate_for_service_type(session, b, a):
    return rates.rate_for_service_type(session, b, "tuning")


@probe("rates.find_rate_for_service_type", expect=_no_rate)
def _find_rate_for_service_type(session, b, a):
    return rates.find_rate_for_service_type(session, b, "tuning")


# -- documents --------------------------------------------------------------------
@probe("documents.resolve_parties")
def _resolve_foreign_client(session, b, a):
    return documents.resolve_parties(session, b, a.ids["client"], None, None)


@probe("documents.resolve_parties")
def _resolve_foreign_piano(session, b, a):
    return documents.resolve_parties(session, b, _own(session, b, Client).id, a.ids["piano"], None)


@probe("documents.resolve_parties")
def _resolve_foreign_service(session, b, a):
    return documents.resolve_parties(session, b, None, None, a.ids["service"])


@probe("documents.service_lines")
def _service_lines(session, b, a):
    return documents.service_lines(session, b, a.ids["service"])


def _own_service_lines(result, a):
    # B's service (cost 90, no rate of its type) and B's one material.
    assert [line["kind"] for line in result] == ["service", "material"]
    assert result[1]["description"] == "Cuerda B"
    assert "Cuerda A" not in repr(result) and "Afinación A" not in repr(result)


@probe("documents.service_lines", expect=_own_service_lines)
def _own_service_lines_probe(session, b, a):
    return documents.service_lines(session, b, _own(session, b, Service).id)


# -- quotes -----------------------------------------------------------------------
@probe("quotes.create_quote")
def _create_quote_for_foreign_client(session, b, a):
    return quotes.create_quote(session, b, QuoteInput(client_id=a.ids["client"], lines=LINES))


@probe("quotes.create_quote")
def _create_quote_with_foreign_piano(session, b, a):
    return quotes.create_quote(
        session, b, QuoteInput(client_id=_own(session, b, Client).id, piano_id=a.ids["piano"])
    )


@probe("quotes.create_quote")
def _create_quote_from_foreign_service(session, b, a):
    return quotes.create_quote(session, b, QuoteInput(service_id=a.ids["service"]))


@probe("quotes.update_quote")
def _update_foreign_quote(session, b, a):
    return quotes.update_quote(
        session, b, a.ids["quote"], QuoteInput(client_id=_own(session, b, Client).id)
    )


@probe("quotes.update_quote")
def _update_own_quote_with_foreign_client(session, b, a):
    return quotes.update_quote(
        session, b, _own(session, b, Quote).id, QuoteInput(client_id=a.ids["client"])
    )


@probe("quotes.send_quote")
def _send_quote(session, b, a):
    return quotes.send_quote(session, b, a.ids["quote"])


@probe("quotes.accept_quote")
def _accept_quote(session, b, a):
    return quotes.accept_quote(session, b, a.ids["quote"])


@probe("quotes.reject_quote")
def _reject_quote(session, b, a):
    return quotes.reject_quote(session, b, a.ids["quote"])


@probe("quotes.convert_quote_to_invoice")
def _convert_quote(session, b, a):
    return quotes.convert_quote_to_invoice(session, b, a.ids["quote"])


@probe("quotes.delete_quote")
def _delete_quote(session, b, a):
    return quotes.delete_quote(session, b, a.ids["quote"])


@probe("quotes.get_quote")
def _get_quote(session, b, a):
    return quotes.get_quote(session, b, a.ids["quote"])


def _nothing_expired(result, a):
    assert result == 0


@probe("quotes.expire_overdue_quotes", expect=_nothing_expired)
def _expire_overdue_quotes(session, b, a):
    # Far in the future: every sent quote of B's would expire; A's never.
    return quotes.expire_overdue_quotes(session, b, date(2100, 1, 1))


@probe("quotes.list_quotes", expect=_no_trace("quote"))
def _list_quotes(session, b, a):
    return quotes.list_quotes(session, b, QuoteQuery(page_size=100))


@probe("quotes.list_quotes", expect=_nothing_listed)
def _list_quotes_of_foreign_client(session, b, a):
    return quotes.list_quotes(session, b, QuoteQuery(client_id=a.ids["client"]))


@probe("quotes.list_quotes", expect=_no_trace("quote"))
def _list_quotes_searching_foreign_client(session, b, a):
    return quotes.list_quotes(session, b, QuoteQuery(search="Cliente A García"))


# -- invoices ---------------------------------------------------------------------
@probe("invoices.create_invoice")
def _create_invoice_for_foreign_client(session, b, a):
    return invoices.create_invoice(session, b, InvoiceInput(client_id=a.ids["client"], lines=LINES))


@probe("invoices.create_invoice")
def _create_invoice_from_foreign_service(session, b, a):
    return invoices.create_invoice(
        session, b, InvoiceInput(client_id=_own(session, b, Client).id, service_id=a.ids["service"])
    )


@probe("invoices.update_invoice")
def _update_invoice(session, b, a):
    return invoices.update_invoice(
        session, b, a.ids["invoice"], InvoiceInput(client_id=_own(session, b, Client).id)
    )


@probe("invoices.issue_invoice")
def _issue_invoice(session, b, a):
    return invoices.issue_invoice(session, b, a.ids["invoice"])


@probe("invoices.mark_invoice_paid")
def _mark_invoice_paid(session, b, a):
    return invoices.mark_invoice_paid(
        session, b, a.ids["invoice"], PaymentInput(local_today(), "cash")
    )


@probe("invoices.cancel_invoice")
def _cancel_invoice(session, b, a):
    return invoices.cancel_invoice(session, b, a.ids["invoice"])


@probe("invoices.delete_invoice")
def _delete_invoice(session, b, a):
    return invoices.delete_invoice(session, b, a.ids["invoice"])


@probe("invoices.open_invoice_for_service", expect=lambda result, a: _none(result))
def _open_invoice_for_service(session, b, a):
    return invoices.open_invoice_for_service(session, b, a.ids["service"])


def _none(result):
    assert result is None


@probe("invoices.get_invoice")
def _get_invoice(session, b, a):
    return invoices.get_invoice(session, b, a.ids["invoice"])


def _own_invoices_only(result, a):
    _no_trace("invoice")(result, a)
    # B's one sent invoice (108.90): A's is neither listed nor summed.
    assert result["total"] == 1
    assert str(result["totals"]["pending"]) == "108.90"


@probe("invoices.list_invoices", expect=_own_invoices_only)
def _list_invoices(session, b, a):
    return invoices.list_invoices(session, b, InvoiceQuery(page_size=100))


@probe("invoices.list_invoices", expect=_nothing_listed)
def _list_invoices_of_foreign_client(session, b, a):
    return invoices.list_invoices(session, b, InvoiceQuery(client_id=a.ids["client"]))


@probe("invoices.list_invoices", expect=_no_trace("invoice"))
def _list_invoices_searching_foreign_number(session, b, a):
    # Both have F-<year>-0001: only B's own may be found.
    number = session.get(Invoice, a.ids["invoice"]).number
    return invoices.list_invoices(session, b, InvoiceQuery(search=number))
