"""The technician's workspace in a real browser: clients, pianos, services,
maintenance alerts and the dashboard, on a desktop and on a phone.

Every test signs up a brand-new technician, so no test sees another's data.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from piano_emotion.domain.alerts import local_today
from piano_emotion.formatting import format_date
from tests.browser.conftest import sign_up, unique_email

pytestmark = pytest.mark.browser

CLIENT_URL = re.compile(r"/clientes/(\d+)$")
PIANO_URL = re.compile(r"/pianos/(\d+)$")
SERVICE_URL = re.compile(r"/servicios/(\d+)$")
PHONE_MAX_WIDTH = 768  # the sidebar shows from this width up (48em)


@pytest.fixture(autouse=True, scope="module")
def _patient_expect():
    """UI assertions wait up to 15 s (the app answers over a websocket)."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


# -- helpers ---------------------------------------------------------------------
def go(page: Page, section: str) -> None:
    """Open a section the way a user does: the sidebar, or the menu on a phone."""
    if page.viewport_size["width"] >= PHONE_MAX_WIDTH:
        page.get_by_test_id("sidebar").get_by_test_id(f"nav-{section}").click()
    else:
        page.get_by_test_id("mobile-menu-button").click()
        page.get_by_test_id("mobile-menu").get_by_test_id(f"nav-{section}").click()


def wait_for_list(page: Page) -> None:
    """The list has been loaded from the server (rows or its empty state)."""
    expect(
        page.get_by_test_id("list-total").or_(page.get_by_test_id("empty-state"))
    ).to_be_visible()


def choose(page: Page, trigger, option: str) -> None:
    """Pick an option of a Radix select by its visible label."""
    trigger.click()
    page.get_by_role("option", name=option, exact=True).click()
    expect(trigger).to_have_text(option)


def fill_client_editor(page: Page, **values: str) -> None:
    editor = page.get_by_test_id("client-editor")
    expect(editor).to_be_visible()
    for name, value in values.items():
        editor.get_by_test_id(f"field-{name}").fill(value)


def create_client(page: Page, name: str, **values: str) -> str:
    """Create a client from the list; returns the URL path of its detail."""
    page.goto("/clientes")
    wait_for_list(page)
    page.get_by_test_id("client-new").click()
    fill_client_editor(page, name=name, **values)
    page.get_by_test_id("client-save").click()
    expect(page).to_have_url(CLIENT_URL)
    expect(page.get_by_test_id("client-name")).to_have_text(name)
    return "/clientes/" + CLIENT_URL.search(page.url).group(1)


def pick_client(page: Page, query: str, name: str) -> None:
    page.get_by_test_id("client-picker-search").fill(query)
    option = page.get_by_test_id("client-picker-option").filter(has_text=name)
    expect(option).to_have_count(1)
    option.click()
    expect(page.get_by_test_id("client-picker-picked")).to_have_text(name)


def new_piano(page: Page, *, query: str, client: str, **values: str) -> str:
    """Fill the open piano editor and save; returns the piano's detail path."""
    editor = page.get_by_test_id("piano-editor")
    expect(editor).to_be_visible()
    pick_client(page, query, client)
    for name, value in values.items():
        editor.get_by_test_id(f"field-{name}").fill(value)
    page.get_by_test_id("piano-save").click()
    expect(page).to_have_url(PIANO_URL)
    return "/pianos/" + PIANO_URL.search(page.url).group(1)


def progress(page: Page) -> tuple[int, int]:
    text = page.get_by_test_id("tasks-progress").inner_text()
    done, total = (int(n) for n in re.findall(r"\d+", text))
    return done, total


# -- tests ----------------------------------------------------------------------
def test_client_piano_repair_alert_and_dashboard_end_to_end(signed_in_page):
    page = signed_in_page
    client_name = "José Fernández Núñez"
    # A brand-new technician has done nothing this month.
    expect(page.get_by_test_id("page-title")).to_have_text("Inicio")
    expect(page.get_by_test_id("metric-services")).to_have_text("0")

    # Clientes → Nuevo cliente.
    go(page, "clients")
    expect(page.get_by_test_id("page-title")).to_have_text("Clientes")
    wait_for_list(page)
    page.get_by_test_id("client-new").click()
    expect(page.get_by_test_id("client-editor")).to_contain_text("Nuevo cliente")
    fill_client_editor(page, name=client_name, phone="612345678", city="Cádiz")
    page.get_by_test_id("client-save").click()
    expect(page).to_have_url(CLIENT_URL)
    expect(page.get_by_test_id("client-name")).to_have_text(client_name)
    expect(page.get_by_text("Cliente guardado")).to_be_visible()
    expect(page.get_by_test_id("action-whatsapp")).to_have_attribute(
        "href", "https://wa.me/34612345678"
    )
    expect(page.get_by_test_id("action-call")).to_have_attribute(
        "href", re.compile(r"^tel:\+?(34)?612345678$")
    )

    # Pianos → Nuevo piano, the owner chosen with the picker (accent-insensitive).
    go(page, "pianos")
    expect(page.get_by_test_id("page-title")).to_have_text("Pianos")
    wait_for_list(page)
    page.get_by_test_id("piano-new").click()
    piano_path = new_piano(
        page,
        query="jose",
        client=client_name,
        brand="Yamaha",
        model="U3",
        serial_number="5123456",
        size_cm="131",
    )
    expect(page.get_by_test_id("piano-name")).to_have_text("Yamaha U3")
    expect(page.get_by_test_id("piano-owner")).to_have_text(client_name)
    expect(page.get_by_text("Piano guardado")).to_be_visible()
    # Just added: nothing is due yet.
    expect(page.get_by_test_id("readings-chart")).to_be_visible()
    expect(page.get_by_test_id("piano-alert")).to_have_count(0)

    # It needs a repair: one urgent repair alert.
    page.get_by_test_id("piano-edit").click()
    editor = page.get_by_test_id("piano-editor")
    expect(editor).to_be_visible()
    expect(page.get_by_test_id("client-picker-picked")).to_have_text(client_name)
    expect(editor.get_by_test_id("field-brand")).to_have_value("Yamaha")
    choose(page, editor.get_by_test_id("field-condition"), "Necesita reparación")
    page.get_by_test_id("piano-save").click()
    expect(editor).to_be_hidden()
    alert = page.get_by_test_id("piano-alert")
    expect(alert).to_have_count(1)
    expect(alert).to_contain_text("Reparación")

    # Inicio lists it in the alert feed, linking to the piano.
    go(page, "home")
    expect(page.get_by_test_id("page-title")).to_have_text("Inicio")
    feed_item = page.get_by_test_id("feed-item").filter(
        has_text=f"Necesita reparación: Yamaha U3 ({client_name})"
    )
    expect(feed_item).to_have_count(1)
    feed_item.click()
    expect(page).to_have_url(re.compile(re.escape(piano_path) + "$"))
    expect(page.get_by_test_id("piano-name")).to_have_text("Yamaha U3")

    # Registrar servicio: the editor opens with the piano already chosen.
    page.get_by_test_id("piano-record-service").click()
    expect(page).to_have_url(re.compile(r"/servicios\?piano=\d+$"))
    editor = page.get_by_test_id("service-editor")
    expect(editor).to_be_visible()
    expect(page.get_by_test_id("piano-picker-picked")).to_contain_text("Yamaha U3")
    expect(editor.get_by_test_id("field-service_date")).to_have_value(local_today().isoformat())
    choose(page, editor.get_by_test_id("field-service_type"), "Reparación")
    choose(page, editor.get_by_test_id("field-status"), "Completado")
    editor.get_by_test_id("field-cost").fill("120,50")
    editor.get_by_test_id("field-humidity_pct").fill("55")
    editor.get_by_test_id("field-temperature_c").fill("21")
    page.get_by_test_id("service-save").click()

    # The service detail with its checklist.
    expect(page).to_have_url(SERVICE_URL)
    expect(page.get_by_text("Servicio guardado")).to_be_visible()
    expect(page.get_by_test_id("service-title")).to_have_text("Reparación")
    expect(page.get_by_test_id("service-status")).to_have_text("Completado")
    expect(page.get_by_text(re.compile(r"^120,50\s€$"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"^55\s%$"))).to_be_visible()
    boxes = page.get_by_test_id("task-checkbox")
    expect(boxes.first).to_be_visible()
    expect(page.get_by_test_id("tasks-progress")).to_have_text(re.compile(r"^0 / [1-9]\d*$"))
    _, total = progress(page)
    assert boxes.count() == total
    boxes.first.click()
    expect(boxes.first).to_be_checked()
    expect(page.get_by_test_id("tasks-progress")).to_have_text(f"1 / {total}")

    # Back on the piano: the repair resolved the alert; the timeline and the
    # chart show the visit.
    page.goto(piano_path)
    expect(page.get_by_test_id("piano-name")).to_have_text("Yamaha U3")
    timeline = page.get_by_test_id("piano-timeline")
    expect(timeline).to_contain_text("Reparación")
    expect(timeline).to_contain_text(format_date(local_today()))
    expect(timeline).to_contain_text("55 %")
    expect(timeline).to_contain_text("120,50")
    expect(page.get_by_test_id("piano-alert")).to_have_count(0)
    chart = page.get_by_test_id("readings-chart")
    expect(chart).to_be_visible()
    expect(chart.locator(".recharts-surface").first).to_be_visible()
    expect(chart.locator(".recharts-line")).to_have_count(2)

    # Inicio: one service done this month, and the alert is gone from the feed.
    go(page, "home")
    expect(page.get_by_test_id("metric-services")).to_have_text("1")
    expect(page.get_by_test_id("metric-clients")).to_have_text("1")
    expect(page.get_by_test_id("metric-pianos")).to_have_text("1")
    expect(page.get_by_test_id("feed-item").filter(has_text="Necesita reparación")).to_have_count(0)
    # Revenue is the invoices *paid* this month (DOMAIN.md), not the cost of the
    # services: without invoices it stays at zero.
    expect(page.get_by_test_id("metric-revenue")).to_contain_text("0,00")
    expect(page.get_by_test_id("metric-revenue")).not_to_contain_text("120,50")


def test_client_search_ignores_accents_and_case(signed_in_page):
    page = signed_in_page
    create_client(page, "María García", city="Sevilla")
    create_client(page, "Mario Gómez", city="Granada")
    go(page, "clients")
    wait_for_list(page)
    links = page.get_by_test_id("clients-table").get_by_test_id("client-link")
    expect(links).to_have_count(2)
    search = page.get_by_test_id("clients-search")
    for query in ("garcia", "GARCÍA"):
        search.fill(query)
        expect(links).to_have_text(["María García"])
        expect(page.get_by_test_id("list-total")).to_contain_text("1")
    # Clearing the search brings both back (in whatever order the database
    # collates accented names).
    search.fill("")
    expect(links).to_have_count(2)
    expect(links.filter(has_text="Mario Gómez")).to_have_count(1)
    # "gomez" (no accent) finds Mario Gómez only.
    search.fill("gomez")
    expect(links).to_have_text(["Mario Gómez"])


def test_bad_input_gives_spanish_field_messages_and_saves_nothing(signed_in_page):
    page = signed_in_page
    page.goto("/clientes")
    wait_for_list(page)
    expect(page.get_by_test_id("empty-state")).to_contain_text("Aún no tienes clientes")
    page.get_by_test_id("client-new").click()
    editor = page.get_by_test_id("client-editor")
    name = editor.get_by_test_id("field-name")
    fill_client_editor(page, name="", email="no-es-un-email")
    # An empty name is stopped by the browser itself (the field is required).
    page.get_by_test_id("client-save").click()
    assert name.evaluate("el => el.validity.valueMissing") is True
    expect(editor).to_be_visible()
    # A blank one gets past the browser; the server answers field by field.
    name.fill("   ")
    page.get_by_test_id("client-save").click()
    expect(editor.get_by_test_id("error-name")).to_have_text("El nombre es obligatorio.")
    expect(editor.get_by_test_id("error-email")).to_have_text("El email no es válido.")
    expect(name).to_have_attribute("aria-invalid", "true")
    # Fixing the name alone still leaves the email message.
    name.fill("Ana Torres")
    page.get_by_test_id("client-save").click()
    expect(editor.get_by_test_id("error-email")).to_have_text("El email no es válido.")
    expect(editor.get_by_test_id("error-name")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/clientes/?$"))
    page.keyboard.press("Escape")
    expect(editor).to_be_hidden()
    # Nothing was created.
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    expect(page.get_by_test_id("client-link")).to_have_count(0)

    # The service editor: humidity out of range, then a negative cost.
    page.goto("/servicios")
    wait_for_list(page)
    page.get_by_test_id("service-new").click()
    editor = page.get_by_test_id("service-editor")
    expect(editor).to_be_visible()
    editor.get_by_test_id("field-humidity_pct").fill("150")
    page.get_by_test_id("service-save").click()
    expect(editor.get_by_test_id("error-humidity_pct")).to_have_text(
        "La humedad debe estar entre 0 y 100 %."
    )
    expect(editor.get_by_test_id("error-piano_picked")).to_have_text("Elige un piano.")
    editor.get_by_test_id("field-humidity_pct").fill("55")
    editor.get_by_test_id("field-cost").fill("-5")
    page.get_by_test_id("service-save").click()
    expect(editor.get_by_test_id("error-cost")).to_have_text("El importe no puede ser negativo.")
    expect(editor.get_by_test_id("error-humidity_pct")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/servicios/?$"))
    page.keyboard.press("Escape")
    expect(editor).to_be_hidden()
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    expect(page.get_by_test_id("service-link")).to_have_count(0)


def test_phone_client_piano_tuning_and_checklist(signed_in_phone_page):
    page = signed_in_phone_page
    expect(page.get_by_test_id("page-title")).to_have_text("Inicio")
    expect(page.get_by_test_id("sidebar")).to_be_hidden()
    expect(page.get_by_test_id("metric-services")).to_have_text("0")

    # A client, from the menu.
    go(page, "clients")
    expect(page.get_by_test_id("page-title")).to_have_text("Clientes")
    wait_for_list(page)
    page.get_by_test_id("client-new").click()
    fill_client_editor(page, name="Lucía Ortega", phone="698765432", city="Málaga")
    page.get_by_test_id("client-save").click()
    expect(page).to_have_url(CLIENT_URL)
    expect(page.get_by_test_id("client-name")).to_have_text("Lucía Ortega")
    expect(page.get_by_test_id("action-whatsapp")).to_have_attribute(
        "href", "https://wa.me/34698765432"
    )
    go(page, "clients")
    card = page.get_by_test_id("client-card")
    expect(card).to_have_count(1)
    expect(card).to_be_visible()
    expect(card).to_contain_text("Lucía Ortega")
    expect(page.get_by_test_id("clients-table")).to_be_hidden()

    # A piano.
    go(page, "pianos")
    wait_for_list(page)
    page.get_by_test_id("piano-new").click()
    piano_path = new_piano(
        page, query="lucia", client="Lucía Ortega", brand="Kawai", model="K-300", size_cm="122"
    )
    expect(page.get_by_test_id("piano-name")).to_have_text("Kawai K-300")
    expect(page.get_by_test_id("piano-last-tuning")).to_have_text("")
    go(page, "pianos")
    card = page.get_by_test_id("piano-card")
    expect(card).to_be_visible()
    expect(card).to_contain_text("Kawai K-300")
    expect(page.get_by_test_id("pianos-table")).to_be_hidden()

    # A tuning (the default type), recorded from the piano.
    card.get_by_test_id("piano-link").click()
    expect(page).to_have_url(re.compile(re.escape(piano_path) + "$"))
    page.get_by_test_id("piano-record-service").click()
    editor = page.get_by_test_id("service-editor")
    expect(editor).to_be_visible()
    expect(page.get_by_test_id("piano-picker-picked")).to_contain_text("Kawai K-300")
    expect(editor.get_by_test_id("field-service_type")).to_have_text("Afinación")
    expect(editor.get_by_test_id("field-status")).to_have_text("Completado")
    editor.get_by_test_id("field-cost").fill("85")
    editor.get_by_test_id("field-humidity_pct").fill("48")
    page.get_by_test_id("service-save").click()
    expect(page).to_have_url(SERVICE_URL)
    expect(page.get_by_test_id("service-title")).to_have_text("Afinación")

    # The checklist is tickable with a finger.
    boxes = page.get_by_test_id("task-checkbox")
    expect(boxes.first).to_be_visible()
    expect(page.get_by_test_id("tasks-progress")).to_have_text(re.compile(r"^0 / [1-9]\d*$"))
    _, total = progress(page)
    box = boxes.nth(1) if total > 1 else boxes.first
    box.tap()
    expect(box).to_be_checked()
    expect(page.get_by_test_id("tasks-progress")).to_have_text(f"1 / {total}")
    box_size = box.bounding_box()
    assert box_size is not None and box_size["width"] >= 20 and box_size["height"] >= 20

    go(page, "services")
    card = page.get_by_test_id("service-card")
    expect(card).to_have_count(1)
    expect(card).to_be_visible()
    expect(card).to_contain_text("Afinación")
    expect(card).to_contain_text("Kawai K-300")
    expect(page.get_by_test_id("services-table")).to_be_hidden()

    # The piano now has its last tuning; the dashboard counts the service.
    page.goto(piano_path)
    expect(page.get_by_test_id("piano-last-tuning")).to_have_text(format_date(local_today()))
    expect(page.get_by_test_id("piano-timeline")).to_contain_text("Afinación")
    go(page, "home")
    expect(page.get_by_test_id("metric-services")).to_have_text("1")


def test_archiving_a_client_asks_first_and_hides_it_by_default(signed_in_page):
    page = signed_in_page
    client_path = create_client(page, "Conservatorio de Jaén", city="Jaén")
    page.get_by_test_id("client-archive").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Archivar")
    # Cancelling changes nothing.
    dialog.get_by_role("button", name="Cancelar").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("client-archived")).to_have_count(0)
    # Confirming archives it.
    page.get_by_test_id("client-archive").click()
    page.get_by_test_id("client-archive-confirm").click()
    expect(page.get_by_test_id("client-archived")).to_be_visible()
    expect(page.get_by_text("Cliente archivado")).to_be_visible()
    expect(page.get_by_test_id("client-restore")).to_be_visible()

    go(page, "clients")
    wait_for_list(page)
    expect(page.get_by_test_id("client-link")).to_have_count(0)
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    choose(page, page.get_by_test_id("filter-archived"), "Archivado")
    links = page.get_by_test_id("clients-table").get_by_test_id("client-link")
    expect(links).to_have_text(["Conservatorio de Jaén"])
    expect(links.first).to_have_attribute("href", client_path)


def test_another_technician_cannot_open_a_clients_url(browser, live_app):
    first = browser.new_context(base_url=live_app.url)
    second = browser.new_context(base_url=live_app.url)
    try:
        page_a, page_b = first.new_page(), second.new_page()
        for p in (page_a, page_b):
            p.set_default_timeout(15_000)
        sign_up(page_a, "Técnica A", unique_email("a"))
        client_path = create_client(page_a, "Cliente Secreto de A", phone="655443322")

        sign_up(page_b, "Técnico B", unique_email("b"))
        page_b.goto(client_path)
        expect(page_b.get_by_test_id("empty-state")).to_contain_text("Cliente no encontrado")
        expect(page_b.get_by_test_id("client-name")).to_have_count(0)
        expect(page_b.get_by_text("Cliente Secreto de A")).to_have_count(0)
        # B's own list is empty too.
        page_b.goto("/clientes")
        wait_for_list(page_b)
        expect(page_b.get_by_test_id("client-link")).to_have_count(0)
        # A still opens it.
        page_a.reload()
        expect(page_a.get_by_test_id("client-name")).to_have_text("Cliente Secreto de A")
    finally:
        first.close()
        second.close()
