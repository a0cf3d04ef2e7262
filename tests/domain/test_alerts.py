"""Maintenance alerts: the rule, its materialisation, the actions and the
settings (SQLite and MariaDB for everything that touches the database)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session, select

from piano_emotion.cache import get_cache
from piano_emotion.domain import alerts, refresh
from piano_emotion.domain import clients as clients_domain
from piano_emotion.domain import pianos as pianos_domain
from piano_emotion.domain import services as services_domain
from piano_emotion.domain.alerts import (
    ComputedAlert,
    MaintenanceSettingsInput,
    PianoFacts,
    Thresholds,
    compute_piano_alerts,
)
from piano_emotion.domain.cached import invalidate_on_commit
from piano_emotion.domain.errors import DomainError, NotFound, ValidationFailed
from piano_emotion.models import (
    AlertSyncRequest,
    AlertSyncState,
    Client,
    MaintenanceAlert,
    MaintenanceSettings,
    Piano,
    Service,
)
from piano_emotion.models.enums import (
    AlertLevel,
    MaintenanceAlertKind,
    MaintenanceAlertStatus,
    PianoCondition,
    ServiceStatus,
    ServiceType,
)

TODAY = date(2026, 11, 15)
TUNING, REGULATION, REPAIR = (
    MaintenanceAlertKind.TUNING,
    MaintenanceAlertKind.REGULATION,
    MaintenanceAlertKind.REPAIR,
)
PENDING, URGENT = AlertLevel.PENDING, AlertLevel.URGENT


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


# -- the rule (pure) ------------------------------------------------------------------
def facts(**kw) -> PianoFacts:
    # Regulated recently unless the test says otherwise, so only tuning speaks.
    kw.setdefault("added_on", ago(3000))
    kw.setdefault("last_regulation", ago(10))
    return PianoFacts(**kw)


def only(kind, computed: list[ComputedAlert]) -> list[tuple[str, int, date]]:
    return [(a.level, a.days_since, a.due_since) for a in computed if a.kind == kind]


@pytest.mark.parametrize(
    ("days", "level"), [(179, None), (180, PENDING), (269, PENDING), (270, URGENT), (999, URGENT)]
)
def test_tuning_boundaries(days, level):
    computed = compute_piano_alerts(facts(last_tuning=ago(days)), Thresholds(), TODAY)
    expected = [] if level is None else [(level, days, ago(days))]
    assert only(TUNING, computed) == expected
    assert only(REGULATION, computed) == []


@pytest.mark.parametrize(
    ("days", "level"), [(729, None), (730, PENDING), (1094, PENDING), (1095, URGENT)]
)
def test_regulation_boundaries(days, level):
    computed = compute_piano_alerts(
        facts(last_tuning=ago(5), last_regulation=ago(days)), Thresholds(), TODAY
    )
    expected = [] if level is None else [(level, days, ago(days))]
    assert only(REGULATION, computed) == expected
    assert only(TUNING, computed) == []


@pytest.mark.parametrize(("days", "level"), [(179, None), (180, PENDING), (270, URGENT)])
def test_never_tuned_counts_from_the_day_the_piano_was_added(days, level):
    computed = compute_piano_alerts(facts(added_on=ago(days)), Thresholds(), TODAY)
    expected = [] if level is None else [(level, days, ago(days))]
    assert only(TUNING, computed) == expected


def test_needs_repair_replaces_the_tuning_alert_and_keeps_regulation():
    piano = facts(
        condition=PianoCondition.NEEDS_REPAIR.value,
        last_tuning=ago(300),
        last_regulation=ago(800),
    )
    computed = compute_piano_alerts(piano, Thresholds(), TODAY)
    assert only(TUNING, computed) == []
    assert only(REPAIR, computed) == [(URGENT, 3000, ago(3000))]
    assert only(REGULATION, computed) == [(PENDING, 800, ago(800))]
    # Even a piano tuned yesterday gets the repair alert.
    fresh = facts(condition=PianoCondition.NEEDS_REPAIR.value, last_tuning=ago(1))
    assert [a.kind for a in compute_piano_alerts(fresh, Thresholds(), TODAY)] == [REPAIR]
    # A repair done since the piano was last edited: the flag is what it fixed.
    repaired = facts(
        condition=PianoCondition.NEEDS_REPAIR.value,
        last_tuning=ago(200),
        last_repair=ago(2),
        repaired_since_edit=True,
    )
    assert [(a.kind, a.level) for a in compute_piano_alerts(repaired, Thresholds(), TODAY)] == [
        (TUNING, PENDING)
    ]


def test_per_piano_overrides_replace_thresholds_field_by_field():
    technician = {"tuning_pending_days": 100, "tuning_urgent_days": 200}
    assert only(TUNING, compute_piano_alerts(facts(last_tuning=ago(100)), technician, TODAY)) == [
        (PENDING, 100, ago(100))
    ]
    # The piano overrides only the pending threshold: urgent stays the technician's.
    piano = facts(last_tuning=ago(100), tuning_pending_days=150)
    assert only(TUNING, compute_piano_alerts(piano, technician, TODAY)) == []
    piano = facts(last_tuning=ago(150), tuning_pending_days=150)
    assert only(TUNING, compute_piano_alerts(piano, technician, TODAY))[0][0] == PENDING
    piano = facts(last_tuning=ago(200), tuning_pending_days=150)
    assert only(TUNING, compute_piano_alerts(piano, technician, TODAY))[0][0] == URGENT
    # Regulation overrides too.
    piano = facts(last_tuning=ago(1), last_regulation=ago(400), regulation_pending_days=365)
    assert only(REGULATION, compute_piano_alerts(piano, technician, TODAY)) == [
        (PENDING, 400, ago(400))
    ]


def test_archived_pianos_get_no_alerts():
    piano = facts(archived=True, condition=PianoCondition.NEEDS_REPAIR.value, last_regulation=None)
    assert compute_piano_alerts(piano, Thresholds(), TODAY) == []


# -- database helpers ---------------------------------------------------------------
def noon_utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def make_client(session, user, name="Cliente Uno", archived=False) -> Client:
    client = Client(technician_id=user.id, name=name, archived=archived)
    session.add(client)
    session.flush()
    return client


def make_piano(session, user, *, added: date, client=None, **kw) -> Piano:
    client = client or make_client(session, user)
    kw.setdefault("brand", "Yamaha")
    piano = Piano(
        technician_id=user.id,
        client_id=client.id,
        created_at=noon_utc(added),
        updated_at=noon_utc(added),
        **kw,
    )
    session.add(piano)
    session.flush()
    # As the domain's writes do (these rows are written directly, back-dated).
    alerts.request_alert_sync(session, user, [piano.id])
    return piano


def add_service(session, user, piano, kind, on, status=ServiceStatus.COMPLETED) -> Service:
    service = Service(
        technician_id=user.id,
        piano_id=piano.id,
        client_id=piano.client_id,
        service_type=kind,
        status=status,
        service_date=on,
    )
    session.add(service)
    session.flush()
    alerts.request_alert_sync(session, user, [piano.id])
    invalidate_on_commit(session, user, "services")
    return service


def rows(session, user, piano=None) -> list[MaintenanceAlert]:
    query = select(MaintenanceAlert).where(MaintenanceAlert.technician_id == user.id)
    if piano is not None:
        query = query.where(MaintenanceAlert.piano_id == piano.id)
    session.expire_all()
    return list(session.exec(query.order_by(MaintenanceAlert.created_at, MaintenanceAlert.id)))


def state(row: MaintenanceAlert) -> tuple:
    return (row.kind, row.level, row.status, row.days_since, row.due_since)


def sync(session, user, today=TODAY) -> dict[str, int]:
    # The refresher syncs too after a commit (in its own transaction): let it
    # finish, so the counts are this sync's alone.
    assert refresh.wait_idle(get_cache(), user.id, timeout=20)
    result = alerts.sync_alerts(session, user, today)
    session.commit()
    return result


# -- materialisation -------------------------------------------------------------------
def test_sync_materialises_the_rule_and_is_idempotent(session, technician):
    never = make_piano(session, technician, added=ago(200))
    tuned = make_piano(session, technician, added=ago(3000))
    add_service(session, technician, tuned, ServiceType.TUNING, ago(300))
    add_service(session, technician, tuned, ServiceType.REGULATION, ago(100))
    add_service(session, technician, tuned, ServiceType.TUNING, ago(5), ServiceStatus.PENDING)
    fine = make_piano(session, technician, added=ago(20))
    session.commit()

    assert sync(session, technician) == {"opened": 2, "updated": 0, "reopened": 0, "resolved": 0}
    assert [state(r) for r in rows(session, technician, never)] == [
        (TUNING, PENDING, "open", 200, ago(200))
    ]
    assert [state(r) for r in rows(session, technician, tuned)] == [
        (TUNING, URGENT, "open", 300, ago(300))
    ]
    assert rows(session, technician, fine) == []

    before = [tuple(r.model_dump().items()) for r in rows(session, technician)]
    assert sync(session, technician) == {"opened": 0, "updated": 0, "reopened": 0, "resolved": 0}
    after = [tuple(r.model_dump().items()) for r in rows(session, technician)]
    assert after == before


def test_days_and_level_follow_the_calendar_within_a_cycle(session, technician):
    piano = make_piano(session, technician, added=ago(200))
    session.commit()
    sync(session, technician)
    (row,) = rows(session, technician)
    assert sync(session, technician, TODAY + timedelta(days=69)) == {
        "opened": 0,
        "updated": 1,
        "reopened": 0,
        "resolved": 0,
    }
    assert [state(r) for r in rows(session, technician, piano)] == [
        (TUNING, PENDING, "open", 269, ago(200))
    ]
    sync(session, technician, TODAY + timedelta(days=70))
    (same,) = rows(session, technician, piano)
    assert same.id == row.id
    assert state(same) == (TUNING, URGENT, "open", 270, ago(200))


def test_a_new_cycle_resolves_the_old_alert_and_opens_a_new_one(session, technician):
    piano = make_piano(session, technician, added=ago(400))
    session.commit()
    sync(session, technician)
    (first,) = rows(session, technician)
    assert state(first) == (TUNING, URGENT, "open", 400, ago(400))

    # A tuning recorded late (done 190 days ago): still due, but a new cycle.
    add_service(session, technician, piano, ServiceType.TUNING, ago(190))
    session.commit()
    assert sync(session, technician)["opened"] == 1
    old, new = rows(session, technician)
    assert old.id == first.id and old.status == "resolved" and old.resolved_at is not None
    assert state(new) == (TUNING, PENDING, "open", 190, ago(190))

    # Tuned today: nothing due, the active row is resolved.
    add_service(session, technician, piano, ServiceType.TUNING, TODAY)
    session.commit()
    assert sync(session, technician) == {"opened": 0, "updated": 0, "reopened": 0, "resolved": 1}
    assert [r.status for r in rows(session, technician)] == ["resolved", "resolved"]


def test_archived_piano_or_client_resolves_its_alerts(session, technician):
    piano = make_piano(session, technician, added=ago(300))
    other = make_piano(session, technician, added=ago(300))
    session.commit()
    sync(session, technician)
    assert len(alerts.list_alerts(session, technician, today=TODAY)) == 2
    pianos_domain.set_piano_archived(session, technician, piano.id, True)
    clients_domain.set_client_archived(session, technician, other.client_id, True)
    session.commit()
    assert alerts.list_alerts(session, technician, today=TODAY) == []
    assert {r.status for r in rows(session, technician)} == {"resolved"}


def test_the_sync_behind_a_read_is_committed_before_its_marker_is_stored(session, technician):
    """A read that syncs commits the alert rows in a transaction of its own:
    a rollback of the reader cannot undo rows the marker vouches for, and
    another session sees them at once."""
    make_piano(session, technician, added=ago(200))
    session.commit()
    assert [a["level"] for a in alerts.list_alerts(session, technician, today=TODAY)] == ["pending"]
    session.rollback()  # the reader fails afterwards: nothing of the sync is lost
    with Session(session.get_bind()) as other:
        assert [r.level for r in rows(other, technician)] == [PENDING]
    assert [a["level"] for a in alerts.list_alerts(session, technician, today=TODAY)] == ["pending"]


def test_a_reader_with_its_own_writes_syncs_in_its_transaction(session, technician):
    """A session that has written: the sync must see those rows, so it runs
    in that transaction, and a rollback undoes both."""
    piano = make_piano(session, technician, added=ago(200))  # flushed, not committed
    assert [a["piano_id"] for a in alerts.list_alerts(session, technician, today=TODAY)] == [
        piano.id
    ]
    session.rollback()
    assert rows(session, technician) == []


def test_duplicate_active_rows_from_a_race_are_collapsed(session, technician):
    piano = make_piano(session, technician, added=ago(200))
    for _ in range(2):
        session.add(
            MaintenanceAlert(
                technician_id=technician.id,
                piano_id=piano.id,
                kind=TUNING,
                level=PENDING,
                days_since=200,
                due_since=ago(200),
            )
        )
    session.commit()
    assert sync(session, technician)["resolved"] == 1
    assert sorted(r.status for r in rows(session, technician)) == ["open", "resolved"]


@pytest.mark.parametrize("chunk", [2, 300])
def test_one_sync_writes_different_changes_to_different_rows(
    session, technician, monkeypatch, chunk
):
    monkeypatch.setattr(alerts, "UPDATE_CHUNK", chunk)
    escalates = make_piano(session, technician, added=ago(265))
    tuned = make_piano(session, technician, added=ago(190))
    ages = make_piano(session, technician, added=ago(180))
    acknowledged = make_piano(session, technician, added=ago(262))
    session.commit()
    by_piano = {
        a["piano_id"]: a["id"] for a in alerts.list_alerts(session, technician, today=TODAY)
    }
    alerts.dismiss_alert(session, technician, by_piano[escalates.id])
    alerts.acknowledge_alert(session, technician, by_piano[acknowledged.id])
    add_service(session, technician, tuned, ServiceType.TUNING, TODAY + timedelta(days=5))
    session.commit()

    later = TODAY + timedelta(days=10)
    assert sync(session, technician, later) == {
        "opened": 0,
        "updated": 3,
        "reopened": 1,
        "resolved": 1,
    }
    after = {r.piano_id: r for r in rows(session, technician)}
    assert state(after[escalates.id]) == (TUNING, URGENT, "open", 275, ago(265))
    assert after[escalates.id].dismissed_at is None
    assert state(after[tuned.id])[2] == "resolved" and after[tuned.id].resolved_at is not None
    assert state(after[ages.id]) == (TUNING, PENDING, "open", 190, ago(180))
    assert after[ages.id].resolved_at is None
    assert state(after[acknowledged.id]) == (TUNING, URGENT, "acknowledged", 272, ago(262))
    assert after[acknowledged.id].acknowledged_at is not None
    assert sync(session, technician, later)["updated"] == 0


def test_sync_takes_a_handful_of_queries_whatever_the_number_of_pianos(session, technician):
    client = make_client(session, technician)
    for i in range(40):
        piano = make_piano(session, technician, added=ago(100 + 10 * i), client=client)
        if i % 3 == 0:
            add_service(session, technician, piano, ServiceType.TUNING, ago(5 * i))
        if i % 4 == 0:
            add_service(session, technician, piano, ServiceType.REGULATION, ago(20 * i))
    session.commit()
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        first = alerts.sync_alerts(session, technician, TODAY)
        session.commit()
        opened = len(statements)
        statements.clear()
        alerts.sync_alerts(session, technician, TODAY + timedelta(days=1))
        session.commit()
        updated = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert first["opened"] > 20
    assert opened <= 6, statements
    assert updated <= 6, statements


# -- actions ------------------------------------------------------------------------------
def test_acknowledge_dismiss_reopen(session, technician, other_technician):
    make_piano(session, technician, added=ago(200))
    session.commit()
    (alert,) = alerts.list_alerts(session, technician, today=TODAY)
    assert alert["status"] == "open"

    alerts.acknowledge_alert(session, technician, alert["id"])
    session.commit()
    (listed,) = alerts.list_alerts(session, technician, today=TODAY)
    assert listed["status"] == "acknowledged" and listed["acknowledged_at"] is not None

    alerts.dismiss_alert(session, technician, alert["id"])
    session.commit()
    assert alerts.list_alerts(session, technician, today=TODAY) == []
    (dismissed,) = alerts.list_alerts(session, technician, "dismissed", today=TODAY)
    assert dismissed["dismissed_at"] is not None
    assert alerts.alert_counts(session, technician, TODAY) == {
        "urgent": 0,
        "pending": 0,
        "total": 0,
    }

    alerts.reopen_alert(session, technician, alert["id"])
    session.commit()
    (reopened,) = alerts.list_alerts(session, technician, "open", today=TODAY)
    assert reopened["dismissed_at"] is None and reopened["acknowledged_at"] is None

    for action in (alerts.acknowledge_alert, alerts.dismiss_alert, alerts.reopen_alert):
        with pytest.raises(NotFound):
            action(session, other_technician, alert["id"])
        with pytest.raises(NotFound):
            action(session, technician, 987654321)
    session.rollback()

    row = session.get(MaintenanceAlert, alert["id"])
    row.status = MaintenanceAlertStatus.RESOLVED
    session.commit()
    with pytest.raises(DomainError) as closed:
        alerts.reopen_alert(session, technician, alert["id"])
    assert closed.value.key == "error.alert_closed"


def test_dismissed_alert_stays_hidden_until_it_turns_urgent(session, technician):
    piano = make_piano(session, technician, added=ago(200))
    session.commit()
    (alert,) = alerts.list_alerts(session, technician, today=TODAY)
    alerts.dismiss_alert(session, technician, alert["id"])
    session.commit()

    sync(session, technician, TODAY + timedelta(days=30))  # 230 days: still pending
    (row,) = rows(session, technician, piano)
    assert (row.status, row.level, row.days_since) == ("dismissed", "pending", 230)

    result = sync(session, technician, TODAY + timedelta(days=70))  # 270 days: urgent
    assert result["reopened"] == 1
    (row,) = rows(session, technician, piano)
    assert row.id == alert["id"]
    assert (row.status, row.level, row.dismissed_at) == ("open", "urgent", None)
    assert sync(session, technician, TODAY + timedelta(days=70))["reopened"] == 0


def test_dismissed_urgent_alert_stays_dismissed(session, technician):
    make_piano(session, technician, added=ago(300))
    session.commit()
    (alert,) = alerts.list_alerts(session, technician, today=TODAY)
    alerts.dismiss_alert(session, technician, alert["id"])
    session.commit()
    sync(session, technician, TODAY + timedelta(days=10))
    (row,) = rows(session, technician)
    assert (row.status, row.level, row.days_since) == ("dismissed", "urgent", 310)


def test_completing_a_tuning_resolves_the_alert_and_links_the_service(session, technician):
    piano = make_piano(session, technician, added=ago(300))
    add_service(session, technician, piano, ServiceType.REGULATION, ago(800))
    session.commit()
    listed = alerts.list_alerts(session, technician, today=TODAY)
    assert [(a["kind"], a["level"]) for a in listed] == [
        ("tuning", "urgent"),
        ("regulation", "pending"),
    ]
    assert alerts.alert_counts(session, technician, TODAY) == {
        "urgent": 1,
        "pending": 1,
        "total": 2,
    }

    tuning = add_service(session, technician, piano, ServiceType.TUNING, TODAY)
    resolved = alerts.resolve_alerts_for_service(session, technician, tuning)
    session.commit()
    assert [(r.kind, r.resolved_by_service_id) for r in resolved] == [(TUNING, tuning.id)]
    listed = alerts.list_alerts(session, technician, today=TODAY)
    assert [a["kind"] for a in listed] == ["regulation"]
    assert alerts.alert_counts(session, technician, TODAY)["total"] == 1
    history = alerts.list_alerts(session, technician, "resolved", piano_id=piano.id, today=TODAY)
    assert [(a["kind"], a["resolved_by_service_id"]) for a in history] == [("tuning", tuning.id)]

    regulation = add_service(session, technician, piano, ServiceType.REGULATION, TODAY)
    (row,) = alerts.resolve_alerts_for_service(session, technician, regulation)
    session.commit()
    assert (row.kind, row.resolved_by_service_id) == (REGULATION, regulation.id)
    assert alerts.list_alerts(session, technician, today=TODAY) == []


def test_resolve_ignores_services_that_do_not_fix_the_alert(session, technician, other_technician):
    piano = make_piano(session, technician, added=ago(300))
    session.commit()
    sync(session, technician)
    planned = add_service(
        session, technician, piano, ServiceType.TUNING, TODAY, ServiceStatus.PENDING
    )
    inspection = add_service(session, technician, piano, ServiceType.INSPECTION, TODAY)
    too_old = add_service(session, technician, piano, ServiceType.TUNING, ago(400))
    for service in (planned, inspection, too_old):
        assert alerts.resolve_alerts_for_service(session, technician, service) == []
    with pytest.raises(NotFound):
        alerts.resolve_alerts_for_service(session, other_technician, planned)
    session.commit()
    assert [r.status for r in rows(session, technician)] == ["open"]


def test_a_repair_resolves_the_repair_alert_for_good(session, technician):
    piano = make_piano(session, technician, added=ago(250), condition=PianoCondition.NEEDS_REPAIR)
    session.commit()
    (alert,) = alerts.list_alerts(session, technician, today=TODAY)
    assert (alert["kind"], alert["level"], alert["days_since"]) == ("repair", "urgent", 250)

    tuning = add_service(session, technician, piano, ServiceType.TUNING, TODAY)
    assert alerts.resolve_alerts_for_service(session, technician, tuning) == []
    repair = add_service(session, technician, piano, ServiceType.REPAIR, TODAY)
    (row,) = alerts.resolve_alerts_for_service(session, technician, repair)
    session.commit()
    assert (row.kind, row.resolved_by_service_id) == (REPAIR, repair.id)
    # The condition was not changed, but the repair is newer than the last edit.
    assert alerts.list_alerts(session, technician, today=TODAY) == []
    assert sync(session, technician)["opened"] == 0


# -- settings ------------------------------------------------------------------------------
def test_settings_default_until_saved(session, technician):
    assert alerts.get_maintenance_settings(session, technician) == {
        "tuning_pending_days": 180,
        "tuning_urgent_days": 270,
        "regulation_pending_days": 730,
        "regulation_urgent_days": 1095,
        "default_interval_months": 12,
        "customised": False,
    }
    alerts.update_maintenance_settings(
        session,
        technician,
        MaintenanceSettingsInput.from_form(
            {
                "tuning_pending_days": " 120 ",
                "tuning_urgent_days": "200",
                "default_interval_months": "6",
            }
        ),
    )
    session.commit()
    saved = alerts.get_maintenance_settings(session, technician)
    assert saved["tuning_pending_days"] == 120 and saved["tuning_urgent_days"] == 200
    assert saved["regulation_pending_days"] == 730 and saved["default_interval_months"] == 6
    assert saved["customised"] is True


@pytest.mark.parametrize(
    ("form", "errors"),
    [
        ({"tuning_pending_days": "29"}, {"tuning_pending_days": "error.tuning_pending_range"}),
        ({"tuning_pending_days": "731"}, {"tuning_pending_days": "error.tuning_pending_range"}),
        (
            {"tuning_pending_days": "200", "tuning_urgent_days": "200"},
            {"tuning_urgent_days": "error.tuning_urgent_range"},
        ),
        ({"tuning_urgent_days": "1096"}, {"tuning_urgent_days": "error.tuning_urgent_range"}),
        (
            {"regulation_pending_days": "179"},
            {"regulation_pending_days": "error.regulation_pending_range"},
        ),
        (
            {"regulation_pending_days": "1826", "regulation_urgent_days": "2000"},
            {"regulation_pending_days": "error.regulation_pending_range"},
        ),
        (
            {"regulation_pending_days": "800", "regulation_urgent_days": "700"},
            {"regulation_urgent_days": "error.regulation_urgent_range"},
        ),
        (
            {"regulation_urgent_days": "3651"},
            {"regulation_urgent_days": "error.regulation_urgent_range"},
        ),
        ({"default_interval_months": "61"}, {"default_interval_months": "error.interval_invalid"}),
        ({"default_interval_months": "-1"}, {"default_interval_months": "error.interval_invalid"}),
        (
            {"tuning_pending_days": "abc", "default_interval_months": ""},
            {
                "tuning_pending_days": "error.number_invalid",
                "default_interval_months": "error.number_invalid",
            },
        ),
    ],
)
def test_settings_out_of_range_are_refused_and_nothing_is_written(
    session, technician, form, errors
):
    with pytest.raises(ValidationFailed) as refused:
        alerts.update_maintenance_settings(
            session, technician, MaintenanceSettingsInput.from_form(form)
        )
    session.rollback()
    assert refused.value.fields == errors
    assert session.exec(select(sa.func.count(MaintenanceSettings.id))).one() == 0


@pytest.mark.parametrize("months", [0, 1, 3, 6, 12, 60])
def test_accepted_intervals(months):
    errors, values = alerts.validate_maintenance_settings(
        MaintenanceSettingsInput(default_interval_months=months)
    )
    assert errors == {} and values["default_interval_months"] == months


def test_new_thresholds_change_the_alerts_at_once(session, technician):
    make_piano(session, technician, added=ago(150))
    session.commit()
    assert alerts.list_alerts(session, technician, today=TODAY) == []
    assert alerts.alert_counts(session, technician, TODAY)["total"] == 0
    alerts.update_maintenance_settings(
        session, technician, MaintenanceSettingsInput(tuning_pending_days=120)
    )
    session.commit()
    (alert,) = alerts.list_alerts(session, technician, today=TODAY)
    assert (alert["level"], alert["threshold"], alert["days_overdue"]) == ("pending", 120, 30)
    assert alerts.alert_counts(session, technician, TODAY) == {
        "urgent": 0,
        "pending": 1,
        "total": 1,
    }


# -- list ----------------------------------------------------------------------------------
def test_list_is_sorted_urgent_first_then_by_days_overdue(session, technician):
    ana = make_client(session, technician, "Ana")
    luis = make_client(session, technician, "Luis")
    p200 = make_piano(
        session, technician, added=ago(200), client=ana, model="U1", serial_number="S1"
    )
    p250 = make_piano(session, technician, added=ago(250), client=ana, brand="Kawai")
    p280 = make_piano(session, technician, added=ago(280), client=luis, brand="Steinway")
    # Overdue by 150 on a per-piano threshold of 90: the most overdue pending one.
    p240 = make_piano(session, technician, added=ago(240), client=luis, tuning_pending_days=90)
    # Regulation urgent, 1200 days: 470 overdue (its pending threshold is 730).
    p1200 = make_piano(session, technician, added=ago(1200), client=luis, brand="Bösendorfer")
    add_service(session, technician, p1200, ServiceType.TUNING, ago(10))
    session.commit()
    listed = alerts.list_alerts(session, technician, today=TODAY)
    assert [(a["piano_id"], a["kind"], a["level"], a["days_overdue"]) for a in listed] == [
        (p1200.id, "regulation", "urgent", 470),
        (p280.id, "tuning", "urgent", 100),
        (p240.id, "tuning", "pending", 150),
        (p250.id, "tuning", "pending", 70),
        (p200.id, "tuning", "pending", 20),
    ]
    first = next(a for a in listed if a["piano_id"] == p200.id)
    assert first["piano_brand"] == "Yamaha" and first["piano_model"] == "U1"
    assert first["piano_serial"] == "S1" and first["piano"] == "Yamaha U1"
    assert (first["client_id"], first["client_name"]) == (ana.id, "Ana")
    assert first["due_since"] == ago(200) and first["days_since"] == 200
    only_one = alerts.list_alerts(session, technician, piano_id=p250.id, today=TODAY)
    assert [a["piano_id"] for a in only_one] == [p250.id]
    assert alerts.alert_counts(session, technician, TODAY) == {
        "urgent": 2,
        "pending": 3,
        "total": 5,
    }


def test_a_new_service_refreshes_the_cached_list(session, technician):
    piano = make_piano(session, technician, added=ago(200))
    session.commit()
    assert len(alerts.list_alerts(session, technician, today=TODAY)) == 1
    add_service(session, technician, piano, ServiceType.TUNING, ago(1))  # invalidates services
    session.commit()
    assert alerts.list_alerts(session, technician, today=TODAY) == []


def test_top_active_alerts_match_the_full_list_order(session, technician):
    """The dashboard's top-N query orders exactly as list_alerts does."""
    from datetime import timedelta

    from piano_emotion.domain import clients, pianos
    from piano_emotion.domain.clients import ClientInput
    from piano_emotion.domain.pianos import PianoInput
    from piano_emotion.models.types import utcnow

    assert alerts.top_active_alerts(session, technician, 4) == {"items": [], "total": 0}
    owner = clients.create_client(session, technician, ClientInput(name="Dueña"))
    session.commit()
    ages = [200, 300, 800, 1200, 190, 275]
    for index, days in enumerate(ages):
        piano = pianos.create_piano(
            session,
            technician,
            PianoInput(
                client_id=owner.id,
                brand=f"Marca {index}",
                tuning_pending_days="150" if index == 4 else "",
            ),
        )
        piano.created_at = utcnow() - timedelta(days=days)
        session.add(piano)
    session.commit()
    full = alerts.list_alerts(session, technician, "active")
    top = alerts.top_active_alerts(session, technician, 4)
    assert top["total"] == len(full)
    assert [a["id"] for a in top["items"]] == [a["id"] for a in full[:4]]


# -- the incremental sync -----------------------------------------------------------------
def requested(session, user) -> list[int | None]:
    session.expire_all()
    return [
        r.piano_id
        for r in session.exec(
            select(AlertSyncRequest)
            .where(AlertSyncRequest.technician_id == user.id)
            .order_by(AlertSyncRequest.id)
        )
    ]


def synced_on(session, user) -> date | None:
    session.expire_all()
    return session.exec(
        select(AlertSyncState.synced_on).where(AlertSyncState.technician_id == user.id)
    ).first()


def test_a_new_technician_is_synced_whole_then_only_the_requested_pianos(session, technician):
    tuned = make_piano(session, technician, added=ago(800))
    other = make_piano(session, technician, added=ago(800))
    session.commit()
    # Never synced: every piano, and the day is remembered.
    assert alerts.sync_requested_alerts(session, technician, TODAY)["opened"] == 4
    session.commit()
    assert synced_on(session, technician) == TODAY and requested(session, technician) == []

    # Written without a request: the next sync of that day does not see it…
    session.add(
        Service(
            technician_id=technician.id,
            piano_id=other.id,
            client_id=other.client_id,
            service_type=ServiceType.TUNING,
            status=ServiceStatus.COMPLETED,
            service_date=ago(1),
        )
    )
    # …but a requested piano is recomputed.
    add_service(session, technician, tuned, ServiceType.TUNING, ago(1))
    session.commit()
    assert requested(session, technician) == [tuned.id]
    assert alerts.sync_requested_alerts(session, technician, TODAY) == {
        "opened": 0,
        "updated": 0,
        "reopened": 0,
        "resolved": 1,
    }
    session.commit()
    assert requested(session, technician) == []
    assert {r.kind for r in rows(session, technician, tuned) if r.status == "open"} == {REGULATION}
    assert {r.kind for r in rows(session, technician, other) if r.status == "open"} == {
        TUNING,
        REGULATION,
    }
    # Nothing requested: nothing read, nothing written.
    assert not any(alerts.sync_requested_alerts(session, technician, TODAY).values())

    # Another day: every piano again (the unrequested tuning is seen now).
    tomorrow = TODAY + timedelta(days=1)
    result = alerts.sync_requested_alerts(session, technician, tomorrow)
    session.commit()
    assert result["resolved"] == 1 and synced_on(session, technician) == tomorrow
    assert {r.kind for r in rows(session, technician, other) if r.status == "open"} == {REGULATION}


def test_a_request_for_every_piano_syncs_them_all(session, technician):
    piano = make_piano(session, technician, added=ago(200))
    session.commit()
    alerts.sync_requested_alerts(session, technician, TODAY)
    session.commit()
    # Changed behind the sync's back, then a request for everything (as a
    # change of thresholds or a restore asks).
    session.execute(sa.update(Piano).where(Piano.id == piano.id).values(tuning_pending_days=250))
    alerts.request_alert_sync(session, technician)
    session.commit()
    assert requested(session, technician) == [None]
    assert alerts.sync_requested_alerts(session, technician, TODAY)["resolved"] == 1
    session.commit()
    assert requested(session, technician) == []


def test_a_request_written_while_a_sync_runs_waits_for_the_next_one(
    session, technician, monkeypatch
):
    """The sync deletes the requests it read, by id: one committed while it
    runs (its change maybe unseen) stays for the next sync."""
    piano = make_piano(session, technician, added=ago(300))
    late = make_piano(session, technician, added=ago(300))
    session.commit()
    alerts.sync_requested_alerts(session, technician, TODAY)
    session.commit()
    alerts.request_alert_sync(session, technician, [piano.id])
    session.commit()
    real = alerts.sync_alerts

    def with_a_write_meanwhile(*args, **kwargs):
        with Session(session.get_bind()) as writer:
            alerts.request_alert_sync(writer, technician, [late.id])
            writer.commit()
        return real(*args, **kwargs)

    monkeypatch.setattr(alerts, "sync_alerts", with_a_write_meanwhile)
    alerts.sync_requested_alerts(session, technician, TODAY)
    session.commit()
    assert requested(session, technician) == [late.id]


def test_after_every_write_a_read_leaves_nothing_for_a_full_sync(session, technician):
    """Each domain write that changes what the rule reads asks for a sync of
    what it touched: after the next read, a sync of every piano finds
    nothing left to change."""
    today = alerts.local_today()
    before = today - timedelta(days=400)
    old = make_piano(session, technician, added=before, model="Viejo")
    second = make_piano(session, technician, added=before, model="Segundo")
    spare = clients_domain.create_client(session, technician, clients_domain.ClientInput("Otra"))
    session.commit()

    def check(step: str) -> None:
        session.commit()
        alerts.list_alerts(session, technician, today=today)
        alerts.alert_counts(session, technician, today)
        session.commit()
        left = alerts.sync_alerts(session, technician, today, write=False)
        assert not any(left.values()), (step, left)
        session.rollback()

    check("start")
    pianos_domain.create_piano(
        session, technician, pianos_domain.PianoInput(client_id=spare.id, brand="Nuevo")
    )
    check("create piano")
    pianos_domain.update_piano(
        session,
        technician,
        old.id,
        pianos_domain.PianoInput(brand="Yamaha", condition=PianoCondition.NEEDS_REPAIR.value),
    )
    check("needs repair")
    pianos_domain.update_piano(
        session,
        technician,
        second.id,
        pianos_domain.PianoInput(brand="Yamaha", tuning_pending_days=500, tuning_urgent_days=600),
    )
    check("per-piano threshold")
    repair = services_domain.create_service(
        session,
        technician,
        services_domain.ServiceInput(piano_id=old.id, service_type="repair", service_date=today),
    )
    check("repair done")
    services_domain.set_service_status(session, technician, repair.id, "pending")
    check("repair back to pending")
    tuning = services_domain.create_service(
        session,
        technician,
        services_domain.ServiceInput(piano_id=second.id, service_type="tuning", service_date=today),
    )
    check("tuning")
    services_domain.update_service(
        session,
        technician,
        tuning.id,
        services_domain.ServiceInput(
            piano_id=old.id, service_type="regulation", service_date=today
        ),
    )
    check("tuning becomes a regulation of another piano")
    services_domain.remove_service(session, technician, tuning.id)
    check("service deleted")
    pianos_domain.set_piano_archived(session, technician, second.id, True)
    check("piano archived")
    pianos_domain.set_piano_archived(session, technician, second.id, False)
    check("piano restored")
    clients_domain.set_client_archived(session, technician, spare.id, True)
    pianos_domain.move_piano(session, technician, old.id, spare.id)
    check("moved to an archived client")
    clients_domain.set_client_archived(session, technician, spare.id, False)
    check("client restored")
    clients_domain.update_client(
        session, technician, spare.id, clients_domain.ClientInput("Otra Renombrada")
    )
    check("client renamed")
    alerts.update_maintenance_settings(
        session, technician, MaintenanceSettingsInput(tuning_pending_days=100)
    )
    check("thresholds")


def test_a_pianos_alert_list_reloads_for_what_changes_its_alerts_and_nothing_else(
    session, technician, monkeypatch
):
    """The piano page's list of the piano's alerts is cached per piano: each
    domain write shows at once in the lists of the pianos whose alerts it
    changes, and the other pianos' lists are not loaded again (not even by
    the refresher). Before, any service of the technician dropped every
    piano's list (40 % of the cache's loads in the load test, issue 9)."""
    today = alerts.local_today()
    before = today - timedelta(days=400)
    first = make_piano(session, technician, added=before, model="Primero")
    second = make_piano(session, technician, added=before, model="Segundo")
    third = make_piano(session, technician, added=before, model="Tercero")
    session.commit()
    pianos = {"first": first.id, "second": second.id, "third": third.id}
    loads: list[int] = []
    real_list = alerts._list_alerts

    def counted(session, user, status, piano_id, today):
        loads.append(piano_id)
        return real_list(session, user, status, piano_id, today)

    monkeypatch.setattr(alerts, "_list_alerts", counted)

    def check(step: str, *changed: str) -> None:
        session.commit()
        assert refresh.wait_idle(get_cache(), technician.id, timeout=20), step
        for name, piano_id in pianos.items():
            cached = alerts.list_alerts(session, technician, piano_id=piano_id, today=today)
            session.commit()
            fresh = real_list(session, technician, "active", piano_id, today)
            assert cached == fresh, (step, name)
        reloaded = {name for name, piano_id in pianos.items() if piano_id in loads}
        assert reloaded <= set(changed), (step, reloaded)
        loads.clear()

    # The first read syncs every piano, which drops the list being loaded.
    for piano_id in pianos.values():
        alerts.list_alerts(session, technician, piano_id=piano_id, today=today)
    check("start", "first", "second", "third")
    tuning = services_domain.create_service(
        session,
        technician,
        services_domain.ServiceInput(piano_id=second.id, service_type="tuning", service_date=today),
    )
    check("tuning of the second", "second")
    services_domain.update_service(
        session,
        technician,
        tuning.id,
        services_domain.ServiceInput(piano_id=third.id, service_type="tuning", service_date=today),
    )
    check("the tuning moves to the third", "second", "third")
    services_domain.remove_service(session, technician, tuning.id)
    check("tuning deleted", "third")
    (alert,) = [
        a
        for a in alerts.list_alerts(session, technician, today=today)
        if a["piano_id"] == first.id and a["kind"] == "tuning"
    ]
    alerts.acknowledge_alert(session, technician, alert["id"])
    check("acknowledged", "first")
    alerts.dismiss_alert(session, technician, alert["id"])
    check("dismissed", "first")
    alerts.reopen_alert(session, technician, alert["id"])
    check("reopened", "first")
    pianos_domain.update_piano(
        session,
        technician,
        first.id,
        pianos_domain.PianoInput(
            brand="Yamaha", model="Primero", condition=PianoCondition.NEEDS_REPAIR.value
        ),
    )
    check("needs repair", "first")
    pianos_domain.update_piano(
        session,
        technician,
        first.id,
        pianos_domain.PianoInput(brand="Yamaha", model="Primero bis"),
    )
    # Every list shows the names (the technician's lists of all pianos too).
    check("renamed", "first", "second", "third")
    pianos_domain.set_piano_archived(session, technician, third.id, True)
    # Archiving changes the counts the name collections stand for.
    check("archived", "first", "second", "third")
    pianos_domain.set_piano_archived(session, technician, third.id, False)
    check("restored", "first", "second", "third")
    alerts.update_maintenance_settings(
        session, technician, MaintenanceSettingsInput(tuning_pending_days=100)
    )
    check("thresholds", "first", "second", "third")
    alerts.request_alert_sync(session, technician)
    check("every piano requested", "first", "second", "third")


def test_the_nightly_job_brings_every_active_technician_to_the_new_day(
    engine, session, technician, other_technician, monkeypatch, caplog
):
    for user in (technician, other_technician):
        make_piano(session, user, added=ago(200))
    session.commit()

    def factory():
        return Session(engine, expire_on_commit=False)

    changed = alerts.run_daily_alert_sync(factory, TODAY)
    assert changed == {technician.id: 1, other_technician.id: 1}
    assert synced_on(session, technician) == synced_on(session, other_technician) == TODAY
    # The first read of that day only checks for requests.
    assert not any(alerts.sync_requested_alerts(session, technician, TODAY).values())
    session.rollback()

    # One technician failing does not stop the others.
    real = alerts.sync_requested_alerts

    def broken_for_one(session_, user, today=None, **options):
        if user.id == technician.id:
            raise RuntimeError("boom")
        return real(session_, user, today, **options)

    monkeypatch.setattr(alerts, "sync_requested_alerts", broken_for_one)
    tomorrow = TODAY + timedelta(days=1)
    assert alerts.run_daily_alert_sync(factory, tomorrow) == {other_technician.id: 1}
    assert "daily alert sync failed for technician" in caplog.text
    assert synced_on(session, technician) == TODAY
    assert synced_on(session, other_technician) == tomorrow


def test_two_syncs_of_one_technician_at_once_open_one_alert(
    engine, session, technician, monkeypatch
):
    """A reader on one worker and the refresher on another sync the same
    technician at once: the second waits for the first (the technician's
    sync row is locked) and then finds its requests served, so a new alert
    is opened once, not twice."""
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite has no row locks; the concurrent case runs on MariaDB")
    make_piano(session, technician, added=ago(800))
    session.commit()
    alerts.sync_requested_alerts(session, technician, TODAY)
    session.commit()
    new = make_piano(session, technician, added=ago(800))
    session.commit()

    first_synced, errors = threading.Event(), []
    real = alerts.sync_alerts

    def first_lingers(*args, **kwargs):
        result = real(*args, **kwargs)
        if threading.current_thread().name == "first":
            first_synced.set()
            time.sleep(0.5)  # the second starts meanwhile
        return result

    monkeypatch.setattr(alerts, "sync_alerts", first_lingers)

    def run(wait_for: threading.Event | None) -> None:
        try:
            if wait_for is not None:
                assert wait_for.wait(10)
            with Session(engine, expire_on_commit=False) as own:
                alerts.sync_requested_alerts(own, technician, TODAY, exclusive=True)
                own.commit()
        except Exception as error:  # reported below
            errors.append(error)

    threads = [
        threading.Thread(target=run, args=(None,), name="first"),
        threading.Thread(target=run, args=(first_synced,), name="second"),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert errors == []
    active = [r for r in rows(session, technician, new) if r.status != "resolved"]
    assert sorted(r.kind for r in active) == [REGULATION, TUNING]


def test_the_counts_are_those_of_the_active_list(session, technician, other_technician):
    """Counted in SQL, the same alerts the active list shows: open and
    acknowledged, not dismissed, nor of an archived client's pianos, nor
    another technician's."""
    old = make_piano(session, technician, added=ago(800))
    make_piano(session, technician, added=ago(200))
    dismissed = make_piano(session, technician, added=ago(200))
    hidden = make_piano(session, technician, added=ago(800))
    make_piano(session, other_technician, added=ago(800))
    session.commit()
    by_piano = {a["piano_id"]: a for a in alerts.list_alerts(session, technician, today=TODAY)}
    alerts.acknowledge_alert(session, technician, by_piano[old.id]["id"])
    alerts.dismiss_alert(session, technician, by_piano[dismissed.id]["id"])
    clients_domain.set_client_archived(session, technician, hidden.client_id, True)
    session.commit()
    active = alerts.list_alerts(session, technician, today=TODAY)
    expected = {"urgent": 0, "pending": 0}
    for alert in active:
        expected[alert["level"]] += 1
    assert alerts.alert_counts(session, technician, TODAY) == {
        **expected,
        "total": len(active),
    }
    assert len(active) == 3 and expected["urgent"] == 1
