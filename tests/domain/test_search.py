"""The global search, on SQLite and MariaDB."""

from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal

import pytest

from piano_emotion.domain import clients, pianos, search, services
from piano_emotion.domain.alerts import local_today  # Spain's date, like the app
from piano_emotion.domain.clients import ClientInput
from piano_emotion.domain.pianos import PianoInput
from piano_emotion.domain.services import ServiceInput
from piano_emotion.models import Invoice
from piano_emotion.models.enums import InvoiceStatus

TODAY = local_today()


def add_client(session, user, name, **extra):
    client = clients.create_client(session, user, ClientInput(name=name, **extra))
    session.commit()
    return client


def add_piano(session, user, client, brand, **extra):
    piano = pianos.create_piano(
        session, user, PianoInput(client_id=client.id, brand=brand, **extra)
    )
    session.commit()
    return piano


def add_service(session, user, piano, days_ago, **extra):
    service = services.create_service(
        session,
        user,
        ServiceInput(
            piano_id=piano.id,
            service_type=extra.pop("service_type", "tuning"),
            service_date=TODAY - timedelta(days=days_ago),
            **extra,
        ),
    )
    session.commit()
    return service


def add_invoice(session, user, client, number, days_ago=0):
    invoice = Invoice(
        technician_id=user.id,
        client_id=client.id,
        number=number,
        issue_date=TODAY - timedelta(days=days_ago),
        status=InvoiceStatus.SENT if number else InvoiceStatus.DRAFT,
        client_name=client.name,
        total=Decimal("108.90"),
        payment_token=secrets.token_urlsafe(24),
    )
    session.add(invoice)
    session.commit()
    return invoice


@pytest.fixture
def data(session, technician):
    garcia = add_client(
        session, technician, "María García", city="Cádiz", phone="612345678", email="m@g.es"
    )
    ruiz = add_client(session, technician, "Pedro Ruiz", city="Madrid")
    steinway = add_piano(
        session, technician, garcia, "Steinway", model="B-211", serial_number="SN-48213"
    )
    bosen = add_piano(session, technician, ruiz, "Bösendorfer", model="200")
    old = add_service(session, technician, steinway, 40)
    new = add_service(session, technician, steinway, 2, service_type="repair")
    ruiz_service = add_service(session, technician, bosen, 1)
    invoice = add_invoice(session, technician, garcia, f"F-{TODAY.year}-0007")
    draft = add_invoice(session, technician, ruiz, None, days_ago=1)
    return {
        "garcia": garcia,
        "ruiz": ruiz,
        "steinway": steinway,
        "bosen": bosen,
        "old": old,
        "new": new,
        "ruiz_service": ruiz_service,
        "invoice": invoice,
        "draft": draft,
    }


def ids(result, kind):
    return [item["id"] for item in result[kind]]


def test_accent_free_search_across_kinds(session, technician, data):
    result = search.global_search(session, technician, "garcia")
    assert set(result) == {"clients", "pianos", "services", "invoices"}
    assert ids(result, "clients") == [data["garcia"].id]
    # Her piano, found by its owner's name.
    assert ids(result, "pianos") == [data["steinway"].id]
    # Her services, newest first.
    assert ids(result, "services") == [data["new"].id, data["old"].id]
    assert ids(result, "invoices") == [data["invoice"].id]

    [client] = result["clients"]
    assert client["title"] == "María García"
    assert client["subtitle"] == "Cádiz · 612345678 · m@g.es"
    assert client["link"] == f"/clientes/{data['garcia'].id}"
    [piano] = result["pianos"]
    assert piano["title"] == "Steinway B-211"
    assert piano["subtitle"] == "María García · SN-48213"
    assert piano["link"] == f"/pianos/{data['steinway'].id}"
    service = result["services"][0]
    assert service["title"] == "María García" and service["subtitle"] == "Steinway B-211"
    assert service["link"] == f"/servicios/{data['new'].id}"
    assert service["service_type"] == "repair"
    assert service["service_date"] == TODAY - timedelta(days=2)
    [invoice] = result["invoices"]
    assert invoice["title"] == f"F-{TODAY.year}-0007" and invoice["subtitle"] == "María García"
    assert invoice["link"] == f"/facturas/{data['invoice'].id}"

    for text in ("GARCÍA", "maría garcía", "  garCIA  "):
        assert search.global_search(session, technician, text) == result


def test_search_by_serial_brand_city_and_number(session, technician, data):
    serial = search.global_search(session, technician, "sn-482")
    assert ids(serial, "pianos") == [data["steinway"].id]
    assert ids(serial, "clients") == []
    # "bosendorfer" finds the Bösendorfer and the services done on it.
    brand = search.global_search(session, technician, "bosendorfer")
    assert ids(brand, "pianos") == [data["bosen"].id]
    assert ids(brand, "services") == [data["ruiz_service"].id]
    assert ids(brand, "clients") == []
    assert ids(search.global_search(session, technician, "cadiz"), "clients") == [data["garcia"].id]
    number = search.global_search(session, technician, f"f-{TODAY.year}-0007")
    assert ids(number, "invoices") == [data["invoice"].id]
    # A draft has no number yet: found by its client.
    ruiz = search.global_search(session, technician, "ruiz")
    assert ids(ruiz, "invoices") == [data["draft"].id]
    assert ruiz["invoices"][0]["title"] == ""
    # Every word must match (in the piano or the client of a service).
    assert ids(search.global_search(session, technician, "steinway garcia"), "services") == [
        data["new"].id,
        data["old"].id,
    ]
    assert search.global_search(session, technician, "steinway ruiz") == search.empty_result()
    assert search.global_search(session, technician, "100%") == search.empty_result()


def test_short_or_empty_text_searches_nothing(session, technician, data):
    for text in ("", " ", "g", " G ", None, "é"):
        assert search.global_search(session, technician, text) == {
            "clients": [],
            "pianos": [],
            "services": [],
            "invoices": [],
        }
    assert ids(search.global_search(session, technician, "ga"), "clients") == [data["garcia"].id]


def test_limit_per_kind(session, technician):
    owner = add_client(session, technician, "Escuela Municipal")
    for i in range(8):
        add_piano(session, technician, owner, "Yamaha", model=f"U{i}")
    assert len(search.global_search(session, technician, "yamaha")["pianos"]) == 5
    assert len(search.global_search(session, technician, "yamaha", limit_per_kind=3)["pianos"]) == 3
    assert (
        len(search.global_search(session, technician, "yamaha", limit_per_kind=999)["pianos"]) == 8
    )
    assert len(search.global_search(session, technician, "yamaha", limit_per_kind=0)["pianos"]) == 1


def test_other_technicians_records_never_appear(session, technician, other_technician, data):
    theirs = add_client(session, other_technician, "Lucía García")
    their_piano = add_piano(session, other_technician, theirs, "Steinway", serial_number="SN-48213")
    mine = search.global_search(session, technician, "garcia")
    assert ids(mine, "clients") == [data["garcia"].id]
    assert theirs.id not in ids(mine, "clients")
    other = search.global_search(session, other_technician, "garcia")
    assert ids(other, "clients") == [theirs.id]
    assert other["services"] == [] and other["invoices"] == []
    assert "María" not in repr(other)
    assert ids(search.global_search(session, other_technician, "sn-48213"), "pianos") == [
        their_piano.id
    ]


def test_writes_are_seen_by_the_next_search(session, technician, data):
    assert search.global_search(session, technician, "lopez") == search.empty_result()
    clients.update_client(session, technician, data["ruiz"].id, ClientInput(name="Pedro López"))
    session.commit()
    found = search.global_search(session, technician, "lopez")
    assert ids(found, "clients") == [data["ruiz"].id]
    assert ids(found, "pianos") == [data["bosen"].id]
    assert ids(found, "services") == [data["ruiz_service"].id]
    services.remove_service(session, technician, data["ruiz_service"].id)
    session.commit()
    assert search.global_search(session, technician, "lopez")["services"] == []
