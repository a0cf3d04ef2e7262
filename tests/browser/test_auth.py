"""Sign-up, sign-in, sign-out and tenancy in a real browser."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in, sign_up, unique_email

pytestmark = pytest.mark.browser


def test_sign_up_shows_the_users_name_on_home(page):
    email = unique_email()
    sign_up(page, "Lucía Fernández", email)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_test_id("user-name")).to_have_text("Lucía Fernández")
    expect(page.get_by_test_id("page-title")).to_have_text("Inicio")


def test_wrong_password_gives_a_clear_spanish_error(page):
    email = unique_email()
    sign_up(page, "Pablo Ruiz", email, "Correcta123!")
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("sign-out").click()
    expect(page).to_have_url(re.compile(r"/entrar"))
    sign_in(page, email, "equivocada")
    expect(page.get_by_test_id("form-error")).to_have_text("Email o contraseña incorrectos.")
    # The right password still works afterwards.
    page.get_by_test_id("field-password").fill("Correcta123!")
    page.get_by_test_id("sign-in-submit").click()
    expect(page.get_by_test_id("user-name")).to_have_text("Pablo Ruiz")


def test_sign_out_then_protected_page_redirects_and_comes_back(page):
    email = unique_email()
    sign_up(page, "Marta Gil", email, "Correcta123!")
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("sign-out").click()
    expect(page).to_have_url(re.compile(r"/entrar"))
    page.goto("/facturas")
    expect(page).to_have_url(re.compile(r"/entrar\?next=%2Ffacturas"))
    expect(page.get_by_test_id("sidebar")).to_have_count(0)
    sign_in(page, email, "Correcta123!", navigate=False)
    expect(page).to_have_url(re.compile(r"/facturas$"))
    expect(page.get_by_test_id("page-title")).to_have_text("Facturas")


def test_sign_up_with_bad_input_shows_field_messages(page):
    page.goto("/registro")
    page.get_by_test_id("field-name").fill("Ana")
    page.get_by_test_id("field-email").fill("ana@ejemplo")
    page.get_by_test_id("field-password").fill("corta")
    page.get_by_test_id("field-password_confirm").fill("corta")
    page.get_by_test_id("sign-up-submit").click()
    expect(page.get_by_test_id("error-email")).to_have_text("El email no es válido.")
    expect(page.get_by_test_id("error-password")).to_have_text(
        "La contraseña debe tener al menos 8 caracteres."
    )
    expect(page).to_have_url(re.compile(r"/registro"))


def test_a_second_technician_sees_none_of_the_first_ones_data(browser, live_app):
    first = browser.new_context(base_url=live_app.url)
    second = browser.new_context(base_url=live_app.url)
    try:
        page_a, page_b = first.new_page(), second.new_page()
        sign_up(page_a, "Técnico A", unique_email("a"))
        page_a.goto("/ajustes")
        business = page_a.get_by_test_id("settings-business")
        business.get_by_test_id("field-business_name").fill("Afinaciones Alfa SL")
        business.get_by_test_id("field-tax_id").fill("B12345674")
        business.get_by_test_id("save-business").click()
        expect(page_a.get_by_text("Cambios guardados")).to_be_visible()

        sign_up(page_b, "Técnico B", unique_email("b"))
        page_b.goto("/ajustes")
        expect(page_b.get_by_test_id("business-required")).to_be_visible()
        expect(page_b.get_by_test_id("field-business_name")).to_have_value("")
        expect(page_b.get_by_text("Afinaciones Alfa SL")).to_have_count(0)
        expect(page_b.get_by_test_id("user-name")).to_have_text("Técnico B")
    finally:
        first.close()
        second.close()


def test_settings_profile_business_and_password(signed_in_page):
    page = signed_in_page
    page.goto("/ajustes")
    business = page.get_by_test_id("settings-business")
    business.get_by_test_id("field-tax_id").fill("12345678A")
    business.get_by_test_id("save-business").click()
    expect(business.get_by_test_id("error-tax_id")).to_contain_text("NIF/CIF no válido")
    password = page.get_by_test_id("settings-password")
    password.get_by_test_id("field-current_password").fill("mal")
    password.get_by_test_id("field-new_password").fill("OtraClave123!")
    password.get_by_test_id("field-new_password_confirm").fill("OtraClave123!")
    password.get_by_test_id("save-password").click()
    expect(password.get_by_test_id("error-current_password")).to_have_text(
        "La contraseña actual no es correcta."
    )


@contextmanager
def two_tabs(browser, live_app, name: str):
    """Two tabs of one browser (shared cookies), signed up as ``name`` in the
    first, the second on the clients page."""
    context = browser.new_context(base_url=live_app.url)
    try:
        tab_a = context.new_page()
        sign_up(tab_a, name, unique_email("pestanas"))
        tab_b = context.new_page()
        tab_b.goto("/clientes")
        expect(tab_b.get_by_test_id("page-title")).to_have_text("Clientes")
        yield tab_a, tab_b
    finally:
        context.close()


def test_signing_out_in_one_tab_ends_the_session_at_the_other_tabs_next_page(browser, live_app):
    """Another tab learns the browser's cookies with its next page change (a
    client-side navigation: the cookies ride with the page's load)."""
    with two_tabs(browser, live_app, "Tomás Vidal") as (tab_a, tab_b):
        tab_a.get_by_test_id("user-menu").click()
        tab_a.get_by_test_id("sign-out").click()
        expect(tab_a).to_have_url(re.compile(r"/entrar"))

        tab_b.get_by_test_id("sidebar").get_by_test_id("nav-invoices").click()
        expect(tab_b).to_have_url(re.compile(r"/entrar\?next=%2Ffacturas"))
        expect(tab_b.get_by_test_id("sidebar")).to_have_count(0)


def test_a_language_chosen_in_one_tab_reaches_the_other_tabs_next_page(browser, live_app):
    with two_tabs(browser, live_app, "Irene Soler") as (tab_a, tab_b):
        tab_a.get_by_test_id("language-select").click()
        tab_a.get_by_role("option", name="English").click()
        expect(tab_a.get_by_test_id("page-title")).to_have_text("Home")

        tab_b.get_by_test_id("sidebar").get_by_test_id("nav-invoices").click()
        expect(tab_b.get_by_test_id("page-title")).to_have_text("Invoices")
        expect(tab_b.get_by_test_id("sidebar").get_by_test_id("nav-clients")).to_have_text(
            "Clients"
        )
