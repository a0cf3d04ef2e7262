"""Isolation probes of domain.alerts and domain.dashboard (see tests/isolation.py)."""

from __future__ import annotations

from sqlmodel import Session, select

from piano_emotion.domain import alerts, dashboard
from piano_emotion.models import AlertSyncRequest, Service
from tests.isolation import assert_no_trace_of, probe


def _no_trace(result, a):
    """Nothing of A's: no client name, email, or record reference."""
    assert_no_trace_of(result, a)
    text = repr(result)
    assert "Cliente A García" not in text
    assert f"SER-{'A'}-1" not in text


def _no_foreign_alerts(result, a):
    _no_trace(result, a)
    assert a.ids["maintenance_alert"] not in {alert["id"] for alert in result}
    assert a.ids["piano"] not in {alert["piano_id"] for alert in result}


def _no_foreign_feed_items(result, a):
    _no_trace(result, a)
    refs = {item["key"] for item in result}
    for kind, key in (
        ("maintenance", "maintenance_alert"),
        ("appointment", "appointment"),
        ("invoice_overdue", "invoice"),
        ("invoice_due_soon", "invoice"),
        ("low_stock", "inventory_item"),
    ):
        assert f"{kind}:{a.ids[key]}" not in refs
    for item in result:
        assert item["link"] not in (
            f"/pianos/{a.ids['piano']}",
            f"/clientes/{a.ids['client']}",
            f"/facturas/{a.ids['invoice']}",
        )


# -- domain.alerts ------------------------------------------------------------------
def _own_settings(result, a):
    # B has its own (default) row; nothing of A's shows.
    assert result["customised"] is True
    assert result["tuning_pending_days"] == 180


@probe("alerts.get_maintenance_settings", expect=_own_settings)
def _get_maintenance_settings(session, b, a):
    return alerts.get_maintenance_settings(session, b)


def _own_row(result, a):
    assert result.technician_id != a.user.id


@probe("alerts.update_maintenance_settings", expect=_own_row)
def _update_maintenance_settings(session, b, a):
    return alerts.update_maintenance_settings(
        session, b, alerts.MaintenanceSettingsInput(tuning_pending_days=100)
    )


@probe("alerts.piano_facts", expect=lambda result, a: _assert_empty(result))
def _piano_facts(session, b, a):
    return alerts.piano_facts(session, b, piano_ids=[a.ids["piano"]])


def _assert_empty(result):
    assert result == []


@probe("alerts.sync_alerts", expect=lambda result, a: None)
def _sync_alerts(session, b, a):
    # A's stored alert would be resolved by a sync of A's pianos: the snapshot
    # comparison of the probe runner shows it was not touched.
    return alerts.sync_alerts(session, b)


def _no_request_for_their_piano(result, a):
    assert a.ids["piano"] not in result


@probe("alerts.request_alert_sync", expect=_no_request_for_their_piano)
def _request_alert_sync(session, b, a):
    alerts.request_alert_sync(session, b, [a.ids["piano"]])
    session.flush()
    return session.exec(
        select(AlertSyncRequest.piano_id).where(AlertSyncRequest.technician_id == b.id)
    ).all()


@probe("alerts.sync_requested_alerts", expect=lambda result, a: None)
def _sync_requested_alerts(session, b, a):
    # A request for every piano: still only B's (the snapshot shows A's
    # alerts and requests untouched).
    alerts.request_alert_sync(session, b)
    return alerts.sync_requested_alerts(session, b)


@probe("alerts.resolve_alerts_for_service")
def _resolve_alerts_for_service(session, b, a):
    service = session.get(Service, a.ids["service"])
    return alerts.resolve_alerts_for_service(session, b, service)


@probe("alerts.acknowledge_alert")
def _acknowledge_alert(session, b, a):
    return alerts.acknowledge_alert(session, b, a.ids["maintenance_alert"])


@probe("alerts.dismiss_alert")
def _dismiss_alert(session, b, a):
    return alerts.dismiss_alert(session, b, a.ids["maintenance_alert"])


@probe("alerts.reopen_alert")
def _reopen_alert(session, b, a):
    return alerts.reopen_alert(session, b, a.ids["maintenance_alert"])


@probe("alerts.list_alerts", expect=_no_foreign_alerts)
def _list_alerts_of_foreign_piano(session, b, a):
    return alerts.list_alerts(session, b, "all", piano_id=a.ids["piano"])


@probe("alerts.list_alerts", expect=_no_foreign_alerts)
def _list_all_alerts(session, b, a):
    return alerts.list_alerts(session, b, "all")


@probe("alerts.alert_counts", expect=lambda result, a: _assert_no_alerts(result))
def _alert_counts(session, b, a):
    return alerts.alert_counts(session, b)


def _assert_no_alerts(result):
    # B's only stored alert has no due date and is resolved by the sync; A's
    # open one must not be counted.
    assert result == {"urgent": 0, "pending": 0, "total": 0}


# -- domain.dashboard ----------------------------------------------------------------
@probe("dashboard.maintenance_feed", expect=_no_foreign_feed_items)
def _maintenance_feed(session, b, a):
    return dashboard.maintenance_feed(session, b, alerts.local_today())


@probe("dashboard.invoices_feed", expect=_no_foreign_feed_items)
def _invoices_feed(session, b, a):
    return dashboard.invoices_feed(session, b, alerts.local_today())


def _own_appointment_only(result, a):
    _no_foreign_feed_items(result, a)
    assert len(result) == 1  # B's own appointment in two days


@probe("dashboard.appointments_feed", expect=_own_appointment_only)
def _appointments_feed(session, b, a):
    return dashboard.appointments_feed(session, b, alerts.local_today())


@probe("dashboard.low_stock_feed", expect=_no_foreign_feed_items)
def _low_stock_feed(session, b, a):
    return dashboard.low_stock_feed(session, b, alerts.local_today())


@probe("dashboard.alert_feed", expect=_no_foreign_feed_items)
def _alert_feed(session, b, a):
    return dashboard.alert_feed(session, b)


def _own_figures(result, a):
    _no_trace(result, a)
    _no_foreign_feed_items(result["alerts"], a)
    # Each technician has one client and one piano, created just now.
    assert result["new_clients"] == 1
    assert result["new_pianos"] == 1
    assert [item["id"] for item in result["upcoming_appointments"]] != [a.ids["appointment"]]
    assert len(result["upcoming_appointments"]) == 1


@probe("dashboard.dashboard", expect=_own_figures)
def _dashboard(session, b, a):
    today = alerts.local_today()
    return dashboard.dashboard(session, b, today.year, today.month)


@probe("dashboard.prefetch_for_user", expect=lambda result, a: _assert_true(result))
def _prefetch_for_user(session, b, a):
    engine = session.get_bind()
    return dashboard.prefetch_for_user(lambda: Session(engine, expire_on_commit=False), b)


def _assert_true(result):
    assert result is True


def _syncs_only_own_alerts(result, a):
    assert result is None


@probe("alerts.ensure_alerts_synced", expect=_syncs_only_own_alerts)
def _ensure_alerts_synced(session, b, a):
    return alerts.ensure_alerts_synced(session, b)


def _no_foreign_top_alerts(result, a):
    assert all(alert["piano_id"] != a.ids["piano"] for alert in result["items"])
    assert_no_trace_of(result, a)


@probe("alerts.top_active_alerts", expect=_no_foreign_top_alerts)
def _top_active_alerts(session, b, a):
    return alerts.top_active_alerts(session, b, 20)


def _own_visits_only(result, a):
    # B's own appointment (in two days); none of A's clients or pianos.
    assert len(result) == 1
    assert all(client != a.ids["client"] and piano != a.ids["piano"] for client, piano in result)


@probe("dashboard.day_agenda", expect=_own_visits_only)
def _day_agenda(session, b, a):
    return dashboard.day_agenda(session, b, alerts.local_today())


def _own_working_set_only(result, a):
    # B's own visit (in two days) and B's records; none of A's.
    assert len(result.clients) == 1 and a.ids["client"] not in result.clients
    assert result.pianos and a.ids["piano"] not in result.pianos
    assert a.ids.get("service") not in result.services
    assert_no_trace_of(result, a)


@probe("dashboard.working_set", expect=_own_working_set_only)
def _working_set(session, b, a):
    return dashboard.working_set(session, b, alerts.local_today())
