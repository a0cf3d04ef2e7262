import re
import pytest
from playwright.sync_api import expect
from tests.browser.test_workspace import create_client, go, new_piano, wait_for_list

pytestmark = pytest.mark.browser


def test_shots(signed_in_page):
    page = signed_in_page
    create_client(page, "Conservatorio de Jaén", city="Jaén", phone="953000000")
    page.get_by_test_id("client-archive").click()
    page.get_by_test_id("client-archive-confirm").click()
    expect(page.get_by_test_id("client-archived")).to_be_visible()
    go(page, "clients")
    wait_for_list(page)
    page.screenshot(path="/tmp/shots/clients-only-archived.png")
    create_client(page, "José Fernández Núñez", city="Cádiz", phone="612345678")
    page.goto("/pianos")
    wait_for_list(page)
    page.get_by_test_id("piano-new").click()
    path = new_piano(page, query="jose", client="José Fernández Núñez", brand="Yamaha", model="U3", size_cm="131")
    page.get_by_test_id("piano-record-service").click()
    ed = page.get_by_test_id("service-editor")
    expect(ed).to_be_visible()
    ed.get_by_test_id("field-humidity_pct").fill("55")
    ed.get_by_test_id("field-temperature_c").fill("21")
    page.screenshot(path="/tmp/shots/service-editor.png")
    page.get_by_test_id("service-save").click()
    expect(page).to_have_url(re.compile(r"/servicios/\d+$"))
    expect(page.get_by_test_id("task-checkbox").first).to_be_visible()
    page.screenshot(path="/tmp/shots/service-detail.png", full_page=True)
    page.goto(path)
    expect(page.get_by_test_id("piano-timeline")).to_be_visible()
    page.screenshot(path="/tmp/shots/piano-detail.png", full_page=True)
    go(page, "home")
    expect(page.get_by_test_id("metric-services")).to_have_text("1")
    page.screenshot(path="/tmp/shots/home.png", full_page=True)


def test_phone_shots(signed_in_phone_page):
    page = signed_in_phone_page
    create_client(page, "Lucía Ortega", city="Málaga", phone="698765432")
    page.screenshot(path="/tmp/shots/phone-client-detail.png", full_page=True)
    page.goto("/pianos")
    wait_for_list(page)
    page.get_by_test_id("piano-new").click()
    expect(page.get_by_test_id("piano-editor")).to_be_visible()
    page.screenshot(path="/tmp/shots/phone-piano-editor.png")
    new_piano(page, query="lucia", client="Lucía Ortega", brand="Kawai", model="K-300")
    page.get_by_test_id("piano-record-service").click()
    expect(page.get_by_test_id("service-editor")).to_be_visible()
    page.get_by_test_id("service-save").click()
    expect(page.get_by_test_id("task-checkbox").first).to_be_visible()
    page.screenshot(path="/tmp/shots/phone-service-detail.png", full_page=True)
    go(page, "services")
    expect(page.get_by_test_id("service-card")).to_be_visible()
    page.screenshot(path="/tmp/shots/phone-services.png", full_page=True)
    go(page, "home")
    expect(page.get_by_test_id("metric-services")).to_have_text("1")
    page.screenshot(path="/tmp/shots/phone-home.png", full_page=True)
