"""Document numbers (domain.numbering), on SQLite and MariaDB."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import Session, select

from piano_emotion.domain.errors import ValidationFailed
from piano_emotion.domain.numbering import next_number
from piano_emotion.models import BusinessInfo, DocumentCounter
from piano_emotion.models.enums import DocumentKind

INVOICE, QUOTE = DocumentKind.INVOICE, DocumentKind.QUOTE


def counters(session, user) -> dict[tuple[str, int], int]:
    session.expire_all()
    rows = session.exec(
        select(DocumentCounter).where(DocumentCounter.technician_id == user.id)
    ).all()
    return {(r.kind.value, r.year): r.last_number for r in rows}


def test_numbers_follow_per_kind_and_year(session, technician):
    assert next_number(session, technician, INVOICE, 2026) == "F-2026-0001"
    assert next_number(session, technician, INVOICE, 2026) == "F-2026-0002"
    assert next_number(session, technician, QUOTE, 2026) == "P-2026-0001"
    assert next_number(session, technician, INVOICE, 2027) == "F-2027-0001"
    assert next_number(session, technician, "invoice", "2026") == "F-2026-0003"
    session.commit()
    assert counters(session, technician) == {
        ("invoice", 2026): 3,
        ("quote", 2026): 1,
        ("invoice", 2027): 1,
    }


def test_each_technician_has_their_own_numbers(session, technician, other_technician):
    assert next_number(session, technician, INVOICE, 2026) == "F-2026-0001"
    assert next_number(session, other_technician, INVOICE, 2026) == "F-2026-0001"
    assert next_number(session, technician, INVOICE, 2026) == "F-2026-0002"
    session.commit()


def test_the_prefix_comes_from_the_business_info(session, technician):
    session.add(BusinessInfo(technician_id=technician.id, invoice_prefix="FAC", quote_prefix="PRE"))
    session.flush()
    assert next_number(session, technician, INVOICE, 2026) == "FAC-2026-0001"
    assert next_number(session, technician, QUOTE, 2026) == "PRE-2026-0001"


def test_a_rolled_back_number_is_given_again(session, technician):
    """Gap-free: a transaction that does not commit gives its number back."""
    assert next_number(session, technician, INVOICE, 2026) == "F-2026-0001"
    session.commit()
    assert next_number(session, technician, INVOICE, 2026) == "F-2026-0002"
    session.rollback()
    assert next_number(session, technician, INVOICE, 2026) == "F-2026-0002"
    session.commit()
    # Also when the counter row itself was created by the rolled-back transaction.
    assert next_number(session, technician, QUOTE, 2030) == "P-2030-0001"
    session.rollback()
    assert next_number(session, technician, QUOTE, 2030) == "P-2030-0001"
    session.commit()


@pytest.mark.parametrize(
    ("kind", "year", "field"),
    [("receipt", 2026, "kind"), (INVOICE, 1999, "year"), (INVOICE, "abc", "year")],
)
def test_bad_kind_or_year_is_refused(session, technician, kind, year, field):
    with pytest.raises(ValidationFailed) as refused:
        next_number(session, technician, kind, year)
    assert field in refused.value.fields
    assert counters(session, technician) == {}


def test_first_numbers_of_a_year_taken_at_once_never_collide(engine, technician):
    """Ten transactions ask for the first number of a year at the same time:
    the counter row is created once and the numbers are 1..10."""
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite has no row locks; the concurrent case runs on MariaDB")
    start = threading.Barrier(10)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def take():
        try:
            with Session(engine, expire_on_commit=False) as session:
                start.wait(10)
                number = next_number(session, technician, INVOICE, 2031)
                session.commit()
            numbers.append(number)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=take) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(numbers) == [f"F-2031-{n:04d}" for n in range(1, 11)]
    with Session(engine) as session:
        assert counters(session, technician) == {("invoice", 2031): 10}
