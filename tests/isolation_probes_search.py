"""Probes of domain.search (see tests/isolation.py): B's global search never
finds A's clients, pianos, services or invoices, whatever is typed."""

from __future__ import annotations

from piano_emotion.domain import search
from piano_emotion.domain.alerts import local_today  # Spain's date, like the app
from tests.isolation import assert_no_trace_of, probe


def _only_b(result, a):
    assert set(result) == set(search.KINDS)
    assert a.ids["client"] not in {item["id"] for item in result["clients"]}
    assert a.ids["piano"] not in {item["id"] for item in result["pianos"]}
    assert a.ids["service"] not in {item["id"] for item in result["services"]}
    assert a.ids["invoice"] not in {item["id"] for item in result["invoices"]}
    assert_no_trace_of(result, a)
    text = repr(result)
    assert "Cliente A García" not in text and "SER-A-1" not in text


def _finds_nothing(result, a):
    _only_b(result, a)
    assert result == search.empty_result()


@probe("search.global_search", expect=_only_b)
def _search_shared_words(session, b, a):
    # A and B both have a "García" client, a Yamaha and an invoice F-<year>-0001.
    return search.global_search(session, b, "garcia", limit_per_kind=20)


@probe("search.global_search", expect=_only_b)
def _search_shared_brand(session, b, a):
    return search.global_search(session, b, "yamaha", limit_per_kind=20)


@probe("search.global_search", expect=_only_b)
def _search_shared_invoice_number(session, b, a):
    return search.global_search(session, b, f"F-{local_today().year}-0001", limit_per_kind=20)


@probe("search.global_search", expect=_only_b)
def _search_foreign_name(session, b, a):
    # Every word is also in B's "Cliente B García" ("a" in "garcia"): only B's.
    return search.global_search(session, b, "Cliente A García")


@probe("search.global_search", expect=_finds_nothing)
def _search_foreign_serial(session, b, a):
    return search.global_search(session, b, "SER-A-1")


@probe("search.global_search", expect=_finds_nothing)
def _search_foreign_email(session, b, a):
    return search.global_search(session, b, a.user.email.split("@")[0])
