"""Probes of domain.reminders (see tests/isolation.py): B calls every function
with A's reminder, client and piano ids, and B's lists, counts, templates and
daily job show and touch nothing of A's."""

from __future__ import annotations

from datetime import timedelta

from piano_emotion.domain import navigation, reminders
from piano_emotion.domain.alerts import local_today  # Spain's date, like the app
from piano_emotion.domain.reminders import ReminderInput
from piano_emotion.domain.tenancy import owned
from piano_emotion.models import Client, Piano, Reminder
from tests.isolation import assert_no_trace_of, probe

FAR_AHEAD = local_today() + timedelta(days=800)  # every piano of populate() is due by then


def _own(session, b, model):
    """B's own row of ``model`` (factories.populate gives B one of each)."""
    return session.exec(owned(model, b)).first()


def _input(**kw):
    kw.setdefault("due_date", local_today())
    kw.setdefault("title", "Llamar")
    return ReminderInput(**kw)


def _no_trace(result, a):
    assert_no_trace_of(result, a)
    text = repr(result)
    assert "Cliente A García" not in text and "SER-A-1" not in text
    assert "Llamar A" not in text and "Hola A" not in text


def _assert_owner(result, a):
    assert result.technician_id != a.user.id


# -- reminders -------------------------------------------------------------------------
@probe("reminders.create_reminder")
def _create_for_foreign_client(session, b, a):
    return reminders.create_reminder(session, b, _input(client_id=a.ids["client"]))


@probe("reminders.create_reminder")
def _create_for_foreign_piano(session, b, a):
    return reminders.create_reminder(
        session, b, _input(client_id=_own(session, b, Client).id, piano_id=a.ids["piano"])
    )


@probe("reminders.create_reminder", expect=_assert_owner)
def _create_own(session, b, a):
    return reminders.create_reminder(
        session,
        b,
        _input(client_id=_own(session, b, Client).id, piano_id=_own(session, b, Piano).id),
    )


@probe("reminders.update_reminder")
def _update_foreign(session, b, a):
    return reminders.update_reminder(
        session, b, a.ids["reminder"], _input(client_id=_own(session, b, Client).id)
    )


@probe("reminders.update_reminder")
def _update_own_to_foreign_client(session, b, a):
    return reminders.update_reminder(
        session, b, _own(session, b, Reminder).id, _input(client_id=a.ids["client"])
    )


@probe("reminders.update_reminder")
def _update_own_to_foreign_piano(session, b, a):
    return reminders.update_reminder(
        session, b, _own(session, b, Reminder).id, _input(piano_id=a.ids["piano"])
    )


@probe("reminders.complete_reminder")
def _complete(session, b, a):
    return reminders.complete_reminder(session, b, a.ids["reminder"])


@probe("reminders.reopen_reminder")
def _reopen(session, b, a):
    return reminders.reopen_reminder(session, b, a.ids["reminder"])


@probe("reminders.remove_reminder")
def _remove(session, b, a):
    return reminders.remove_reminder(session, b, a.ids["reminder"])


@probe("reminders.get_reminder")
def _get(session, b, a):
    return reminders.get_reminder(session, b, a.ids["reminder"])


def _own_reminders_only(result, a):
    _no_trace(result, a)
    listed = [item for bucket in result.values() for item in bucket]
    assert [item["title"] for item in listed] == ["Llamar B"]
    assert a.ids["reminder"] not in {item["id"] for item in listed}


@probe("reminders.list_reminders", expect=_own_reminders_only)
def _list(session, b, a):
    return reminders.list_reminders(session, b)


def _one_pending(result, a):
    # populate gives each technician one reminder, due in five days.
    assert result["overdue"] == 0 and result["today"] == 0 and result["badge"] == 0
    assert result["this_week"] + result["later"] == 1


@probe("reminders.reminder_counts", expect=_one_pending)
def _counts(session, b, a):
    return reminders.reminder_counts(session, b)


# -- due pianos ------------------------------------------------------------------------
def _own_piano_only(result, a):
    _no_trace(result, a)
    assert [g["client"]["name"] for g in result] == ["Cliente B García"]
    assert a.ids["piano"] not in {p["id"] for g in result for p in g["pianos"]}
    assert a.ids["client"] not in {g["client"]["id"] for g in result}


@probe("reminders.due_pianos", expect=_own_piano_only)
def _due_pianos(session, b, a):
    return reminders.due_pianos(session, b, FAR_AHEAD)


@probe("reminders.mark_contacted")
def _mark_contacted(session, b, a):
    return reminders.mark_contacted(session, b, a.ids["piano"], "whatsapp", FAR_AHEAD)


@probe("reminders.mark_contacted", expect=_assert_owner)
def _mark_own_contacted(session, b, a):
    return reminders.mark_contacted(session, b, _own(session, b, Piano).id, "call", FAR_AHEAD)


def _created_one(result, a):
    assert result == 1  # B's piano only (A's is just as due)


@probe("reminders.create_due_service_reminders", expect=_created_one)
def _daily_job(session, b, a):
    return reminders.create_due_service_reminders(session, b, FAR_AHEAD)


# -- templates and messages ------------------------------------------------------------
def _own_templates(result, a):
    _no_trace(result, a)
    assert result["email"]["body"] == "Hola B"  # populate's, B's own
    assert "{cliente}" in result["whatsapp"]["body"]  # the default


@probe("reminders.get_message_templates", expect=_own_templates)
def _get_templates(session, b, a):
    return reminders.get_message_templates(session, b)


@probe("reminders.save_message_template", expect=_assert_owner)
def _save_template(session, b, a):
    return reminders.save_message_template(session, b, "email", "Asunto", "Hola {cliente}")


@probe("reminders.contact_message")
def _contact_message(session, b, a):
    return reminders.contact_message(session, b, a.ids["piano"])


@probe("reminders.contact_message", expect=lambda result, a: _no_trace(result, a))
def _own_contact_message(session, b, a):
    return reminders.contact_message(session, b, _own(session, b, Piano).id)


def _no_badge(result, a):
    # B's one reminder is due in five days; B's item is above its minimum.
    assert result == {"reminders": 0, "inventory": 0}


@probe("navigation.nav_badges", expect=_no_badge)
def _nav_badges(session, b, a):
    return navigation.nav_badges(session, b)
