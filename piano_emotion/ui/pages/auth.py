"""Sign-in (/entrar) and sign-up (/registro): the only pages without a session."""

from __future__ import annotations

import reflex as rx

from piano_emotion.settings import get_settings
from piano_emotion.ui import routes
from piano_emotion.ui.components.clerk import clerk_sign_in
from piano_emotion.ui.components.forms import field, form_error
from piano_emotion.ui.components.layout import PAGES, PageSpec, brand, language_select
from piano_emotion.ui.i18n import tr
from piano_emotion.ui.state.auth import AuthState


def public_frame(*children: rx.Component) -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.hstack(brand(), rx.spacer(), language_select(), width="100%", align="center"),
            rx.card(
                rx.vstack(*children, spacing="4", width="100%"),
                width="100%",
                size="3",
            ),
            spacing="4",
            width="100%",
            max_width="26rem",
        ),
        min_height="100vh",
        padding="1rem",
    )


def sign_in_modes() -> rx.Component:
    settings = get_settings()
    badges = []
    if settings.local_accounts_enabled:
        badges.append(rx.badge(tr("auth.mode_local"), color_scheme="gray"))
    if settings.clerk_enabled:
        badges.append(rx.badge(tr("auth.mode_clerk"), color_scheme="indigo"))
    return rx.hstack(
        rx.text(tr("auth.modes"), size="1", color=rx.color("gray", 11)),
        *badges,
        spacing="2",
        align="center",
        wrap="wrap",
        data_testid="sign-in-modes",
    )


def local_sign_in_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            form_error(AuthState.form_error),
            field(
                "auth.email",
                "email",
                AuthState.field_errors,
                type_="email",
                required=True,
                auto_complete="username",
            ),
            field(
                "auth.password",
                "password",
                AuthState.field_errors,
                type_="password",
                required=True,
                auto_complete="current-password",
            ),
            rx.button(
                tr("auth.sign_in"),
                type="submit",
                size="3",
                width="100%",
                data_testid="sign-in-submit",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=AuthState.sign_in,
        width="100%",
    )


def sign_in_page() -> rx.Component:
    settings = get_settings()
    parts: list[rx.Component] = [rx.heading(tr("auth.sign_in_title"), size="6", as_="h1")]
    if settings.clerk_enabled:
        parts.append(rx.box(clerk_sign_in(), width="100%", data_testid="clerk-sign-in"))
        if settings.local_accounts_enabled:
            parts.append(rx.separator())
    if settings.local_accounts_enabled:
        parts.append(local_sign_in_form())
        parts.append(
            rx.text(
                tr("auth.no_account"),
                " ",
                rx.link(tr("auth.create_account"), href=routes.SIGN_UP, data_testid="to-sign-up"),
                size="2",
            )
        )
    parts.append(sign_in_modes())
    return public_frame(*parts)


def sign_up_page() -> rx.Component:
    settings = get_settings()
    if not settings.local_accounts_enabled:
        return public_frame(
            rx.heading(tr("auth.sign_up_title"), size="6", as_="h1"),
            rx.text(tr("auth.local_disabled")),
            rx.link(tr("auth.sign_in"), href=routes.SIGN_IN),
        )
    errors = AuthState.field_errors
    return public_frame(
        rx.heading(tr("auth.sign_up_title"), size="6", as_="h1"),
        rx.form(
            rx.vstack(
                form_error(AuthState.form_error),
                field("auth.name", "name", errors, required=True, auto_complete="name"),
                field(
                    "auth.email",
                    "email",
                    errors,
                    type_="email",
                    required=True,
                    auto_complete="email",
                ),
                field(
                    "auth.password",
                    "password",
                    errors,
                    type_="password",
                    required=True,
                    auto_complete="new-password",
                    placeholder_key="auth.password_hint",
                ),
                field(
                    "auth.password_confirm",
                    "password_confirm",
                    errors,
                    type_="password",
                    required=True,
                    auto_complete="new-password",
                ),
                rx.button(
                    tr("auth.create_account"),
                    type="submit",
                    size="3",
                    width="100%",
                    data_testid="sign-up-submit",
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=AuthState.sign_up,
            width="100%",
        ),
        rx.text(
            tr("auth.have_account"),
            " ",
            rx.link(tr("auth.sign_in"), href=routes.SIGN_IN, data_testid="to-sign-in"),
            size="2",
        ),
    )


PAGES.append(PageSpec(routes.SIGN_IN, sign_in_page, AuthState.redirect_if_signed_in))
PAGES.append(PageSpec(routes.SIGN_UP, sign_up_page, AuthState.redirect_if_signed_in))
