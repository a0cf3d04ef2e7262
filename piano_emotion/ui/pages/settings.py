"""Ajustes: profile and language, business info (fiscal data), password."""

from __future__ import annotations

import reflex as rx

from piano_emotion.ui import routes, styles
from piano_emotion.ui.components.forms import field
from piano_emotion.ui.components.layout import template
from piano_emotion.ui.i18n import LANGUAGES, tr
from piano_emotion.ui.state.settings import SettingsState

BACKUP_UPLOAD = "backup_upload"


def section(title_key: str, *children: rx.Component, test_id: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(tr(title_key), size="4", as_="h2"),
            *children,
            spacing="3",
            width="100%",
        ),
        width="100%",
        data_testid=test_id,
    )


def save_button(test_id: str, label_key: str = "common.save") -> rx.Component:
    return rx.button(tr(label_key), type="submit", size="3", data_testid=test_id)


def profile_form() -> rx.Component:
    errors = SettingsState.profile_errors
    return section(
        "settings.profile",
        rx.form(
            rx.vstack(
                rx.text(SettingsState.user_email, color=styles.MUTED_TEXT, size="2"),
                field(
                    "auth.name",
                    "name",
                    errors,
                    required=True,
                    default_value=SettingsState.profile_name,
                ),
                rx.vstack(
                    rx.text(tr("shell.language"), size="2", weight="medium"),
                    rx.select.root(
                        rx.select.trigger(data_testid="profile-locale"),
                        rx.select.content(
                            *[
                                rx.select.item(label, value=code)
                                for code, label in LANGUAGES.items()
                            ]
                        ),
                        name="locale",
                        default_value=SettingsState.profile_locale,
                    ),
                    spacing="1",
                ),
                save_button("save-profile"),
                spacing="3",
                width="100%",
            ),
            on_submit=SettingsState.save_profile,
            key=SettingsState.form_version.to_string() + "-profile",
            width="100%",
        ),
        test_id="settings-profile",
    )


BUSINESS_LAYOUT = (
    ("settings.business_name", "business_name", "organization"),
    ("settings.tax_id", "tax_id", None),
    ("settings.address", "address", "street-address"),
    ("settings.city", "city", "address-level2"),
    ("settings.postal_code", "postal_code", "postal-code"),
    ("settings.region", "region", "address-level1"),
    ("settings.phone", "phone", "tel"),
    ("auth.email", "email", "email"),
    ("settings.iban", "iban", None),
)


def business_form() -> rx.Component:
    errors = SettingsState.business_errors
    return section(
        "settings.business",
        rx.cond(
            SettingsState.business_complete,
            rx.callout(tr("settings.business_ready"), icon="circle-check", color_scheme="green"),
            rx.callout(
                tr("settings.business_required"),
                icon="info",
                color_scheme="amber",
                data_testid="business-required",
            ),
        ),
        rx.form(
            rx.vstack(
                rx.grid(
                    *[
                        field(
                            label,
                            name,
                            errors,
                            auto_complete=auto,
                            default_value=SettingsState.business[name],
                        )
                        for label, name, auto in BUSINESS_LAYOUT
                    ],
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="3",
                    width="100%",
                ),
                save_button("save-business"),
                spacing="3",
                width="100%",
            ),
            on_submit=SettingsState.save_business,
            key=SettingsState.form_version.to_string() + "-business",
            width="100%",
        ),
        test_id="settings-business",
    )


def thresholds_form() -> rx.Component:
    errors = SettingsState.threshold_errors
    return section(
        "settings.maintenance",
        rx.text(tr("settings.maintenance_hint"), size="2", color=styles.MUTED_TEXT),
        rx.form(
            rx.vstack(
                rx.grid(
                    *[
                        field(
                            f"pianos.{name}",
                            name,
                            errors,
                            type_="number",
                            required=True,
                            default_value=SettingsState.thresholds[name],
                        )
                        for name in (
                            "tuning_pending_days",
                            "tuning_urgent_days",
                            "regulation_pending_days",
                            "regulation_urgent_days",
                        )
                    ],
                    rx.vstack(
                        rx.text(tr("settings.default_interval"), size="2", weight="medium"),
                        rx.select.root(
                            rx.select.trigger(width="100%", data_testid="field-default_interval"),
                            rx.select.content(
                                rx.select.item(tr("pianos.interval_3"), value="3"),
                                rx.select.item(tr("pianos.interval_6"), value="6"),
                                rx.select.item(tr("pianos.interval_12"), value="12"),
                                rx.select.item(tr("pianos.interval_0"), value="0"),
                            ),
                            name="default_interval_months",
                            default_value=SettingsState.thresholds["default_interval_months"],
                        ),
                        rx.cond(
                            errors["default_interval_months"],
                            rx.text(
                                errors["default_interval_months"],
                                color=rx.color("red", 11),
                                size="2",
                            ),
                        ),
                        spacing="1",
                        width="100%",
                    ),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="3",
                    width="100%",
                ),
                save_button("save-thresholds"),
                spacing="3",
                width="100%",
            ),
            on_submit=SettingsState.save_thresholds,
            key=SettingsState.form_version.to_string() + "-thresholds",
            width="100%",
        ),
        test_id="settings-thresholds",
    )


def password_form() -> rx.Component:
    errors = SettingsState.password_errors
    return section(
        "settings.password",
        rx.cond(
            SettingsState.has_password,
            rx.form(
                rx.vstack(
                    field(
                        "settings.current_password",
                        "current_password",
                        errors,
                        type_="password",
                        required=True,
                        auto_complete="current-password",
                    ),
                    field(
                        "settings.new_password",
                        "new_password",
                        errors,
                        type_="password",
                        required=True,
                        auto_complete="new-password",
                        placeholder_key="auth.password_hint",
                    ),
                    field(
                        "auth.password_confirm",
                        "new_password_confirm",
                        errors,
                        type_="password",
                        required=True,
                        auto_complete="new-password",
                    ),
                    save_button("save-password", "settings.change_password"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=SettingsState.change_password,
                reset_on_submit=True,
                key=SettingsState.form_version.to_string() + "-password",
                width="100%",
            ),
            rx.text(tr("settings.password_external"), color=styles.MUTED_TEXT),
        ),
        test_id="settings-password",
    )


def backup_section() -> rx.Component:
    return section(
        "backup.title",
        rx.text(tr("backup.intro"), size="2", color=styles.MUTED_TEXT),
        rx.link(
            rx.button(rx.icon("download", size=16), tr("backup.download"), variant="soft"),
            href=routes.API_BACKUP,
            download=True,
            data_testid="backup-download",
        ),
        rx.divider(),
        rx.text(tr("backup.restore_intro"), size="2", color=styles.MUTED_TEXT),
        rx.upload(
            rx.vstack(
                rx.icon("upload", size=20),
                rx.text(tr("backup.drop_here"), size="2"),
                rx.foreach(rx.selected_files(BACKUP_UPLOAD), lambda f: rx.badge(f)),
                align="center",
                spacing="1",
            ),
            id=BACKUP_UPLOAD,
            accept={"application/json": [".json"]},
            max_files=1,
            multiple=False,
            border=styles.BORDER,
            border_style="dashed",
            padding="1rem",
            width="100%",
            cursor="pointer",
            data_testid="backup-upload",
        ),
        rx.button(
            rx.icon("archive-restore", size=16),
            tr("backup.restore"),
            on_click=SettingsState.restore_backup(rx.upload_files(upload_id=BACKUP_UPLOAD)),
            data_testid="backup-restore",
        ),
        rx.cond(
            SettingsState.backup_error != "",
            rx.text(SettingsState.backup_error, color=rx.color("red", 11), size="2"),
        ),
        rx.cond(
            SettingsState.backup_message != "",
            rx.text(SettingsState.backup_message, color=rx.color("green", 11), size="2"),
        ),
        test_id="settings-backup",
    )


@template(route=routes.SETTINGS, title_key="nav.settings", on_load=SettingsState.load)
def settings_page() -> rx.Component:
    return rx.vstack(
        profile_form(),
        business_form(),
        thresholds_form(),
        password_form(),
        backup_section(),
        spacing="4",
        width="100%",
    )
