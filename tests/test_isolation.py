"""Run the isolation probe on SQLite and MariaDB (see tests/isolation.py)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from sqlmodel import Session

import piano_emotion.domain
from piano_emotion.domain.errors import NotFound
from tests.factories import make_technician, populate
from tests.isolation import NOT_FOUND, PROBES, all_probes, tenant_snapshot

# Every tests/isolation_probes*.py module registers probes (one per area, so
# features add theirs without touching the others).
for _path in sorted(Path(__file__).parent.glob("isolation_probes*.py")):
    importlib.import_module(f"tests.{_path.stem}")

# Functions of piano_emotion.domain that take the current user but need no
# probe, with the reason.
EXEMPT: dict[str, str] = {}


def domain_functions_taking_a_user() -> set[str]:
    found = set()
    for module_info in pkgutil.iter_modules(piano_emotion.domain.__path__):
        module = importlib.import_module(f"piano_emotion.domain.{module_info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or fn.__module__ != module.__name__:
                continue
            if "user" in inspect.signature(fn).parameters:
                found.add(f"{module_info.name}.{name}")
    return found


def test_every_domain_function_has_a_probe():
    missing = domain_functions_taking_a_user() - set(PROBES) - set(EXEMPT)
    assert not missing, f"register these with the isolation probe: {sorted(missing)}"


@pytest.fixture
def two_technicians(engine):
    with Session(engine, expire_on_commit=False) as session:
        a = populate(session, make_technician(session, "Ana", "ana@example.es"), "A")
        b = populate(session, make_technician(session, "Beto", "beto@example.es"), "B")
    return a, b


@pytest.mark.parametrize("probe", all_probes(), ids=lambda p: p.name)
def test_technician_b_cannot_reach_technician_a(probe, engine, two_technicians):
    a, b = two_technicians
    with Session(engine, expire_on_commit=False) as session:
        before = tenant_snapshot(session, a.user)
    with Session(engine, expire_on_commit=False) as session:
        if probe.expect == NOT_FOUND:
            with pytest.raises(NotFound):
                probe.call(session, b.user, a)
        else:
            probe.expect(probe.call(session, b.user, a), a)
        session.commit()
    with Session(engine, expire_on_commit=False) as session:
        after = tenant_snapshot(session, a.user)
    assert after == before, "the other technician's data changed"


def test_not_found_is_the_same_for_foreign_and_missing_ids(session, engine, two_technicians):
    from piano_emotion.domain.tenancy import get_owned
    from piano_emotion.models import Client

    a, b = two_technicians
    with pytest.raises(NotFound) as foreign:
        get_owned(session, Client, a.ids["client"], b.user)
    with pytest.raises(NotFound) as missing:
        get_owned(session, Client, 987654321, b.user)
    assert str(foreign.value) == str(missing.value)
    assert foreign.value.params == missing.value.params


def test_the_probe_catches_a_leaky_function(engine, two_technicians):
    """A function that forgets the technician filter fails the probe."""
    from piano_emotion.models import Client
    from tests.isolation import Probe

    a, b = two_technicians

    def leaky_get_client(session, user, record_id):
        return session.get(Client, record_id)  # no technician filter: the bug

    leaky = Probe(
        "leaky.get_client", lambda s, b_, a_: leaky_get_client(s, b_, a_.ids["client"]), NOT_FOUND
    )
    with (
        Session(engine) as session,
        pytest.raises(pytest.fail.Exception),
        pytest.raises(NotFound),
    ):
        leaky.call(session, b.user, a)
