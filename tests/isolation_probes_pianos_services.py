"""Probes of domain.pianos and domain.services (see tests/isolation.py): B
calls every function with A's piano, service, task and client ids."""

from __future__ import annotations

from piano_emotion.domain import activity, pianos, services
from piano_emotion.domain.alerts import local_today  # Spain's date, like the app
from piano_emotion.domain.pianos import PianoInput, PianoQuery
from piano_emotion.domain.services import ServiceInput, ServiceQuery
from piano_emotion.domain.tenancy import owned
from piano_emotion.models import Client, Piano, Service
from tests.isolation import assert_no_trace_of, probe


def _own(session, b, model):
    """B's own row of ``model`` (factories.populate gives B one of each)."""
    return session.exec(owned(model, b)).first()


def _no_foreign(key):
    def check(result, a):
        items = result["items"] if isinstance(result, dict) and "items" in result else result
        assert a.ids[key] not in {item["id"] for item in items}
        assert_no_trace_of(result, a)

    return check


def _nothing_listed(result, a):
    assert result["items"] == [] and result["total"] == 0
    assert_no_trace_of(result, a)


def _assert_owner(result, a):
    assert result.technician_id != a.user.id


# -- domain.pianos ------------------------------------------------------------------
@probe("pianos.create_piano")
def _create_piano_for_foreign_client(session, b, a):
    return pianos.create_piano(session, b, PianoInput(client_id=a.ids["client"], brand="X"))


@probe("pianos.create_piano", expect=_assert_owner)
def _create_piano(session, b, a):
    return pianos.create_piano(
        session, b, PianoInput(client_id=_own(session, b, Client).id, brand="Nuevo de B")
    )


@probe("pianos.update_piano")
def _update_piano(session, b, a):
    return pianos.update_piano(session, b, a.ids["piano"], PianoInput(brand="Robado"))


@probe("pianos.update_piano")
def _update_piano_to_foreign_client(session, b, a):
    return pianos.update_piano(
        session,
        b,
        _own(session, b, Piano).id,
        PianoInput(client_id=a.ids["client"], brand="Mío"),
    )


@probe("pianos.set_piano_archived")
def _archive_piano(session, b, a):
    return pianos.set_piano_archived(session, b, a.ids["piano"], True)


@probe("pianos.remove_piano")
def _remove_piano(session, b, a):
    return pianos.remove_piano(session, b, a.ids["piano"])


@probe("pianos.piano_has_history", expect=lambda result, a: _assert_false(result))
def _piano_has_history(session, b, a):
    return pianos.piano_has_history(session, b, a.ids["piano"])


def _assert_false(result):
    assert result is False


@probe("pianos.move_piano")
def _move_foreign_piano(session, b, a):
    return pianos.move_piano(session, b, a.ids["piano"], _own(session, b, Client).id)


@probe("pianos.move_piano")
def _move_piano_to_foreign_client(session, b, a):
    return pianos.move_piano(session, b, _own(session, b, Piano).id, a.ids["client"])


@probe("pianos.refresh_piano_search_text")
def _refresh_piano_search_text(session, b, a):
    return pianos.refresh_piano_search_text(session, b, a.ids["client"])


@probe("pianos.technician_thresholds", expect=lambda result, a: _default_thresholds(result))
def _technician_thresholds(session, b, a):
    return pianos.technician_thresholds(session, b)


def _default_thresholds(result):
    # populate gives B a settings row with DOMAIN.md's defaults.
    assert result == pianos.DEFAULT_THRESHOLDS


@probe("pianos.list_pianos", expect=_no_foreign("piano"))
def _list_pianos(session, b, a):
    return pianos.list_pianos(session, b, PianoQuery(search="yamaha", archived="all"))


@probe("pianos.list_pianos", expect=_nothing_listed)
def _list_pianos_of_foreign_client(session, b, a):
    return pianos.list_pianos(session, b, PianoQuery(client_id=a.ids["client"], archived="all"))


@probe("pianos.list_pianos", expect=_nothing_listed)
def _list_pianos_searching_foreign_owner(session, b, a):
    return pianos.list_pianos(session, b, PianoQuery(search="Cliente A", archived="all"))


@probe("pianos.list_pianos", expect=_nothing_listed)
def _list_pianos_searching_foreign_serial(session, b, a):
    return pianos.list_pianos(session, b, PianoQuery(search="SER-A-1", archived="all"))


@probe("pianos.list_pianos", expect=_no_foreign("piano"))
def _list_pianos_by_alert_level(session, b, a):
    # A's piano has a pending alert (and so has B's): only B's may be listed.
    return pianos.list_pianos(session, b, PianoQuery(alert_level="pending", archived="all"))


@probe("pianos.piano_directory", expect=_no_foreign("piano"))
def _piano_directory(session, b, a):
    return pianos.piano_directory(session, b)


def _only_own_client_dates(result, a):
    # B's own service (factories.populate) is there; A's client is not.
    assert result and a.ids["client"] not in result


def _only_own_piano_dates(result, a):
    # B's own tuning (factories.populate) is there; none of A's ids are.
    assert result["last_tuning"] and result["last_service"]
    assert a.ids["piano"] not in result["last_service"]
    assert a.ids["piano"] not in result["last_tuning"]


@probe("activity.client_last_service", expect=_only_own_client_dates)
def _client_last_service(session, b, a):
    return activity.client_last_service(session, b)


@probe("activity.piano_service_dates", expect=_only_own_piano_dates)
def _piano_service_dates(session, b, a):
    return activity.piano_service_dates(session, b)


@probe("pianos.piano_counts", expect=lambda result, a: _one_piano(result))
def _piano_counts(session, b, a):
    return pianos.piano_counts(session, b)


def _one_piano(result):
    assert result == {"active": 1, "archived": 0, "all": 1, "vertical": 1, "grand": 0, "digital": 0}


@probe("pianos.get_piano")
def _get_piano(session, b, a):
    return pianos.get_piano(session, b, a.ids["piano"])


# -- domain.services ------------------------------------------------------------------
def _service_input(piano_id, **extra):
    return ServiceInput(
        piano_id=piano_id, service_type="tuning", service_date=local_today(), **extra
    )


@probe("services.create_service")
def _create_service_on_foreign_piano(session, b, a):
    return services.create_service(session, b, _service_input(a.ids["piano"]))


@probe("services.create_service", expect=_assert_owner)
def _create_service(session, b, a):
    return services.create_service(session, b, _service_input(_own(session, b, Piano).id))


@probe("services.update_service")
def _update_service(session, b, a):
    return services.update_service(session, b, a.ids["service"], _service_input(None))


@probe("services.update_service")
def _update_service_to_foreign_piano(session, b, a):
    return services.update_service(
        session, b, _own(session, b, Service).id, _service_input(a.ids["piano"])
    )


@probe("services.set_service_status")
def _set_service_status(session, b, a):
    return services.set_service_status(session, b, a.ids["service"], "cancelled")


@probe("services.remove_service")
def _remove_service(session, b, a):
    return services.remove_service(session, b, a.ids["service"])


@probe("services.set_task_done")
def _set_task_done(session, b, a):
    return services.set_task_done(session, b, a.ids["service_task"], True)


@probe("services.add_task")
def _add_task(session, b, a):
    return services.add_task(session, b, a.ids["service"], "Intrusa")


@probe("services.add_task", expect=_assert_owner)
def _add_own_task(session, b, a):
    return services.add_task(session, b, _own(session, b, Service).id, "Mía")


@probe("services.rename_task")
def _rename_task(session, b, a):
    return services.rename_task(session, b, a.ids["service_task"], "Renombrada")


@probe("services.remove_task")
def _remove_task(session, b, a):
    return services.remove_task(session, b, a.ids["service_task"])


@probe("services.list_services", expect=_no_foreign("service"))
def _list_services(session, b, a):
    return services.list_services(session, b, ServiceQuery(page_size=100))


@probe("services.list_services", expect=_nothing_listed)
def _list_services_of_foreign_piano(session, b, a):
    return services.list_services(session, b, ServiceQuery(piano_id=a.ids["piano"]))


@probe("services.list_services", expect=_nothing_listed)
def _list_services_of_foreign_client(session, b, a):
    return services.list_services(session, b, ServiceQuery(client_id=a.ids["client"]))


@probe("services.list_services", expect=_nothing_listed)
def _list_services_searching_foreign_serial(session, b, a):
    return services.list_services(session, b, ServiceQuery(search="ser-a-1"))


@probe("services.service_counts", expect=lambda result, a: _one_service(result))
def _service_counts(session, b, a):
    return services.service_counts(session, b)


def _one_service(result):
    assert result == {"pending": 0, "in_progress": 0, "completed": 1, "cancelled": 0, "all": 1}


@probe("services.get_service")
def _get_service(session, b, a):
    return services.get_service(session, b, a.ids["service"])


@probe("services.get_service", expect=lambda result, a: _own_tasks(result, a))
def _get_own_service(session, b, a):
    return services.get_service(session, b, _own(session, b, Service).id)


def _own_tasks(result, a):
    assert a.ids["service_task"] not in {t["id"] for t in result["tasks"]}
    assert result["client"]["name"] == "Cliente B García"
    assert_no_trace_of(result, a)


def _a_registry_untouched(result, a):
    # B noted a read of A's service: in B's scope only; A's registry has nothing.
    noted_by_b, a_registry = result
    assert all(e.key.startswith(f"t{noted_by_b[0]}:") for e in noted_by_b[1])
    assert a_registry == []


@probe("cached.note_coming_read", expect=_a_registry_untouched)
def _note_coming_read(session, b, a):
    from piano_emotion.cache import get_cache
    from piano_emotion.domain import cached, refresh

    service_id = a.ids["service"]
    cached.note_coming_read(
        b,
        "services",
        "detail",
        {"id": service_id},
        records=[("service", service_id)],
        refresh=("services.detail", {"id": service_id}),
    )
    cache = get_cache()
    return (b.id, refresh.hot_entries(cache, b.id)), refresh.hot_entries(cache, a.user.id)
