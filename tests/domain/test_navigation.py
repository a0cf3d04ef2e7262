"""The sidebar's badges: one cache entry that follows every write it counts."""

from __future__ import annotations

from piano_emotion.domain import inventory, navigation, reminders
from piano_emotion.domain.alerts import local_today
from piano_emotion.domain.inventory import ItemInput
from piano_emotion.domain.reminders import ReminderInput
from tests.domain.test_reminders import make_client


def test_badges_follow_reminders_and_stock_and_are_one_cache_read(session, technician, fresh_cache):
    today = local_today()
    assert navigation.nav_badges(session, technician, today) == {"reminders": 0, "inventory": 0}
    client = make_client(session, technician)
    due = reminders.create_reminder(
        session, technician, ReminderInput(client_id=client.id, due_date=today, title="Hoy")
    )
    item = inventory.create_item(
        session, technician, ItemInput(name="Cuerda 17", quantity="1", min_stock="2")
    )
    session.commit()
    assert navigation.nav_badges(session, technician, today) == {"reminders": 1, "inventory": 1}

    before = fresh_cache.stats()
    navigation.nav_badges(session, technician, today)
    after = fresh_cache.stats()
    assert (after["hits"] - before["hits"], after["misses"] - before["misses"]) == (1, 0)

    reminders.complete_reminder(session, technician, due.id)
    session.commit()
    assert navigation.nav_badges(session, technician, today)["reminders"] == 0
    inventory.record_movement(session, technician, item.id, "purchase", "5")
    session.commit()
    assert navigation.nav_badges(session, technician, today) == {"reminders": 0, "inventory": 0}
