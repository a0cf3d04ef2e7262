"""The technician's workspace, part 2, in a real browser: booking and
completing appointments, the due-service list, inventory with global search,
and the agenda on a phone.

Every test signs up a brand-new technician, so no test sees another's data.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from piano_emotion.db import create_engine_for
from piano_emotion.domain.alerts import local_today
from piano_emotion.formatting import format_date
from piano_emotion.models import Piano

pytestmark = pytest.mark.browser

CLIENT_URL = re.compile(r"/clientes/(\d+)$")
PIANO_URL = re.compile(r"/pianos/(\d+)$")


@pytest.fixture(autouse=True, scope="module")
def _patient_expect():
    """UI assertions wait up to 15 s (the app answers over a websocket)."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


# -- helpers ---------------------------------------------------------------------
def toast(page: Page, text: str | re.Pattern):
    """A toast (sonner) with that text."""
    return page.locator("[data-sonner-toast]").filter(has_text=text).first


def choose(page: Page, trigger, option: str) -> None:
    """Pick an option of a Radix select by its visible label."""
    trigger.click()
    page.get_by_role("option", name=option, exact=True).click()
    expect(trigger).to_have_text(option)


def create_client(page: Page, name: str, **values: str) -> str:
    """Create a client from the list; returns the URL path of its detail."""
    page.goto("/clientes")
    expect(
        page.get_by_test_id("list-total").or_(page.get_by_test_id("empty-state"))
    ).to_be_visible()
    page.get_by_test_id("client-new").click()
    editor = page.get_by_test_id("client-editor")
    expect(editor).to_be_visible()
    editor.get_by_test_id("field-name").fill(name)
    for field, value in values.items():
        editor.get_by_test_id(f"field-{field}").fill(value)
    page.get_by_test_id("client-save").click()
    expect(page).to_have_url(CLIENT_URL)
    expect(page.get_by_test_id("client-name")).to_have_text(name)
    return "/clientes/" + CLIENT_URL.search(page.url).group(1)


def create_piano(page: Page, *, query: str, client: str, brand: str, model: str) -> str:
    """Create a piano for ``client`` from the list; returns its detail path."""
    page.goto("/pianos")
    expect(
        page.get_by_test_id("list-total").or_(page.get_by_test_id("empty-state"))
    ).to_be_visible()
    page.get_by_test_id("piano-new").click()
    editor = page.get_by_test_id("piano-editor")
    expect(editor).to_be_visible()
    page.get_by_test_id("client-picker-search").fill(query)
    option = page.get_by_test_id("client-picker-option").filter(has_text=client)
    expect(option).to_have_count(1)
    option.click()
    expect(page.get_by_test_id("client-picker-picked")).to_have_text(client)
    editor.get_by_test_id("field-brand").fill(brand)
    editor.get_by_test_id("field-model").fill(model)
    page.get_by_test_id("piano-save").click()
    expect(page).to_have_url(PIANO_URL)
    expect(page.get_by_test_id("piano-name")).to_have_text(f"{brand} {model}")
    return "/pianos/" + PIANO_URL.search(page.url).group(1)


def open_agenda(page: Page) -> None:
    page.goto("/agenda")
    expect(page.get_by_test_id("agenda-range")).not_to_have_text("")


def book(page: Page, *, query: str, client: str, piano: str | None, day: str, time: str) -> None:
    """Fill the appointment editor from "Nueva cita" and save it."""
    page.get_by_test_id("appointment-new").click()
    editor = page.get_by_test_id("appointment-editor")
    expect(editor).to_be_visible()
    page.get_by_test_id("appointment-client-search").fill(query)
    option = page.get_by_test_id("appointment-client-option").filter(has_text=client)
    expect(option).to_have_count(1)
    option.click()
    expect(page.get_by_test_id("appointment-client-picked")).to_have_text(client)
    if piano is not None:
        choose(page, editor.get_by_test_id("field-piano_id"), piano)
    editor.get_by_test_id("field-date").fill(day)
    editor.get_by_test_id("field-time").fill(time)
    page.get_by_test_id("appointment-save").click()
    expect(editor).to_be_hidden()


def day_view(page: Page) -> None:
    page.get_by_test_id("agenda-view").get_by_role("radio", name="Día").click()
    expect(page.get_by_test_id("week-grid")).to_have_count(0)


def age_piano(database_url: str, piano_path: str, days: int) -> None:
    """Pretend the piano was added ``days`` ago (straight into the database)."""
    piano_id = int(piano_path.rsplit("/", 1)[1])
    engine = create_engine_for(database_url)
    try:
        with engine.begin() as conn:
            result = conn.execute(
                sa.update(Piano.__table__)
                .where(Piano.__table__.c.id == piano_id)
                .values(created_at=datetime.now(UTC) - timedelta(days=days))
            )
            assert result.rowcount == 1
    finally:
        engine.dispose()


# -- tests ----------------------------------------------------------------------
def test_book_overlap_complete_record_service_and_book_next(signed_in_page, live_app):
    page = signed_in_page
    today = local_today().isoformat()
    create_client(page, "Carmen Ruiz Peña", phone="612345678", city="Córdoba")
    piano_path = create_piano(
        page, query="carmen", client="Carmen Ruiz Peña", brand="Yamaha", model="U3"
    )

    # Agenda → Nueva cita at 10:00 today: it shows in the week grid.
    open_agenda(page)
    expect(page.get_by_test_id("week-grid")).to_be_visible()
    book(page, query="ruiz", client="Carmen Ruiz Peña", piano="Yamaha U3", day=today, time="10:00")
    expect(toast(page, "Cita guardada")).to_be_visible()
    grid_items = page.get_by_test_id("grid-appointment")
    expect(grid_items).to_have_count(1)
    expect(grid_items.first).to_contain_text("10:00")
    expect(grid_items.first).to_contain_text("Carmen Ruiz Peña")

    # A second one at 10:30 overlaps: saved, with a warning.
    book(page, query="ruiz", client="Carmen Ruiz Peña", piano="Yamaha U3", day=today, time="10:30")
    expect(toast(page, "se solapa")).to_be_visible()
    expect(grid_items).to_have_count(2)

    # The day view lists both as cards; complete the first.
    day_view(page)
    cards = page.get_by_test_id("appointment-card")
    expect(cards).to_have_count(2)
    first = cards.filter(has_text=re.compile(r"10:00\s*–"))
    expect(first).to_have_count(1)
    expect(first).to_contain_text("Yamaha U3")
    first.get_by_test_id("appointment-complete").click()
    dialog = page.get_by_test_id("completion-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Carmen Ruiz Peña")
    dialog.get_by_test_id("completion-record-service").click()
    expect(toast(page, "Servicio guardado")).to_be_visible()
    expect(dialog).to_contain_text("Servicio registrado")
    expect(dialog.get_by_test_id("completion-record-service")).to_have_count(0)
    dialog.get_by_test_id("completion-book-next").click()
    expect(toast(page, "Próxima visita reservada")).to_be_visible()
    expect(dialog).to_be_hidden()
    first = cards.filter(has_text=re.compile(r"10:00\s*–"))
    expect(first.get_by_test_id("appointment-complete")).to_have_count(0)

    # The piano's timeline shows the service.
    page.goto(piano_path)
    timeline = page.get_by_test_id("piano-timeline")
    expect(timeline).to_contain_text("Afinación")
    expect(timeline).to_contain_text(format_date(local_today()))

    # The calendar feed: a secret .ics URL that serves the appointments.
    open_agenda(page)
    feed = page.get_by_test_id("calendar-url")
    expect(feed).to_have_text(re.compile(r"\.ics$"))
    url = feed.inner_text().strip()
    path = url[url.index("/", len("http://")) :]
    response = httpx.get(live_app.url + path, timeout=15)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert response.text.count("BEGIN:VEVENT") >= 3


def test_due_piano_contact_by_whatsapp_and_follow_up(signed_in_page, live_app):
    page = signed_in_page
    create_client(page, "Íñigo Sáez", phone="698 765 432", city="Bilbao")
    piano_path = create_piano(
        page, query="inigo", client="Íñigo Sáez", brand="Kawai", model="K-300"
    )
    # Added 400 days ago and never serviced: overdue. Written before the due
    # list of this technician is ever read, so no cached list hides it.
    age_piano(live_app.database_url, piano_path, 400)

    page.goto("/recordatorios")
    group = page.get_by_test_id("due-group").filter(has_text="Íñigo Sáez")
    expect(group).to_have_count(1)
    expect(group).to_contain_text("Kawai K-300")
    expect(group).to_contain_text("Vencido")
    group.get_by_test_id("due-contact").click()
    dialog = page.get_by_test_id("contact-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Kawai K-300")
    whatsapp = dialog.get_by_test_id("contact-whatsapp")
    expect(whatsapp).to_have_attribute("href", re.compile(r"^https://wa\.me/34698765432"))

    dialog.get_by_test_id("mark-contacted").click()
    expect(toast(page, "Marcado como contactado")).to_be_visible()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("due-group")).to_have_count(0)
    expect(page.get_by_text("Ningún piano pendiente de revisión.")).to_be_visible()
    # The follow-up in 14 days is in "later".
    later = page.get_by_test_id("bucket-later")
    expect(later.get_by_test_id("reminder-row").filter(has_text="Seguimiento: ")).to_have_count(1)

    # Reloading keeps it off the due list.
    page.reload()
    expect(page.get_by_text("Ningún piano pendiente de revisión.")).to_be_visible()
    expect(page.get_by_test_id("due-group")).to_have_count(0)


def test_inventory_low_stock_purchase_and_global_search(signed_in_page):
    page = signed_in_page
    client_path = create_client(page, "María García", city="Sevilla")

    page.goto("/inventario")
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    page.get_by_test_id("item-new").click()
    page.get_by_test_id("field-name").fill("Cuerda de piano nº 2")
    page.get_by_test_id("field-quantity").fill("2")
    page.get_by_test_id("field-min_stock").fill("5")
    page.get_by_test_id("item-save").click()
    expect(toast(page, "Material guardado")).to_be_visible()
    # The desktop table (the phone's cards are rendered too, hidden).
    table = page.get_by_role("table")
    link = table.get_by_test_id("item-link").filter(has_text="Cuerda de piano nº 2")
    expect(link).to_have_count(1)
    row = table.get_by_role("row").filter(has_text="Cuerda de piano nº 2")
    expect(row).to_contain_text("Stock bajo")
    expect(page.get_by_test_id("low-stock-count")).to_have_text(re.compile(r"^1\b"))
    page.reload()
    expect(page.get_by_test_id("sidebar").get_by_test_id("badge-inventory")).to_have_text("1")

    # A purchase of 10: 12 in stock, no longer low.
    link.click()
    detail = page.get_by_test_id("item-detail")
    expect(detail).to_be_visible()
    expect(page).to_have_url(re.compile(r"/inventario/?$"))
    expect(detail.get_by_test_id("item-quantity")).to_contain_text("2")
    expect(detail).to_contain_text("Stock bajo")
    detail.get_by_test_id("movement-amount").fill("10")
    detail.get_by_test_id("movement-save").click()
    expect(detail.get_by_test_id("item-quantity")).to_contain_text("12")
    expect(detail).not_to_contain_text("Stock bajo")
    page.keyboard.press("Escape")
    expect(detail).to_be_hidden()
    expect(row).not_to_contain_text("Stock bajo")
    expect(page.get_by_test_id("low-stock-count")).to_have_count(0)

    # Global search, without accents, then the keyboard.
    page.get_by_test_id("global-search-open").click()
    search = page.get_by_test_id("global-search-input")
    expect(search).to_be_visible()
    search.fill("garcia")
    result = page.get_by_test_id("search-result")
    expect(result).to_have_count(1)
    expect(result).to_contain_text("María García")
    search.press("ArrowDown")
    search.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(client_path) + "$"))
    expect(page.get_by_test_id("client-name")).to_have_text("María García")


def test_phone_agenda_is_a_day_list_and_booking_works(signed_in_phone_page):
    page = signed_in_phone_page
    today = local_today().isoformat()
    create_client(page, "Lucía Ortega", phone="698765432")
    create_piano(page, query="lucia", client="Lucía Ortega", brand="Kawai", model="K-300")

    open_agenda(page)
    days = page.get_by_test_id("agenda-day")
    expect(days.first).to_be_visible()
    expect(page.get_by_test_id("week-grid")).to_be_hidden()
    book(page, query="lucia", client="Lucía Ortega", piano="Kawai K-300", day=today, time="10:00")
    expect(toast(page, "Cita guardada")).to_be_visible()
    card = page.get_by_test_id("appointment-card").filter(has_text="Lucía Ortega")
    expect(card).to_have_count(1)
    expect(card).to_be_visible()
    expect(card).to_contain_text("10:00")
    expect(card).to_contain_text("Kawai K-300")
    expect(page.get_by_test_id("grid-appointment").first).to_be_hidden()
