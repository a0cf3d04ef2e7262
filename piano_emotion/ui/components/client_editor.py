"""The client create/edit dialog (used by the list and the detail page)."""

from __future__ import annotations

import reflex as rx

from piano_emotion.models.enums import ClientType
from piano_emotion.ui.components.common import enum_text
from piano_emotion.ui.components.forms import editor_dialog, field
from piano_emotion.ui.i18n import tr

FIELDS = (
    ("clients.name", "name", "name", True),
    ("auth.email", "email", "email", False),
    ("settings.phone", "phone", "tel", False),
    ("clients.tax_id", "tax_id", None, False),
    ("settings.address", "address", "street-address", False),
    ("settings.city", "city", "address-level2", False),
    ("settings.postal_code", "postal_code", "postal-code", False),
    ("settings.region", "region", "address-level1", False),
    ("clients.route_group", "route_group", None, False),
    ("clients.latitude", "latitude", None, False),
    ("clients.longitude", "longitude", None, False),
)


def client_editor(state, on_submit) -> rx.Component:
    errors = state.form_errors
    return editor_dialog(
        state,
        rx.grid(
            *[
                field(
                    label,
                    name,
                    errors,
                    required=required,
                    auto_complete=auto,
                    default_value=state.form[name].to(str),
                )
                for label, name, auto, required in FIELDS
            ],
            rx.vstack(
                rx.text(tr("clients.type"), size="2", weight="medium"),
                rx.select.root(
                    rx.select.trigger(width="100%", data_testid="field-client_type"),
                    rx.select.content(
                        *[
                            rx.select.item(enum_text("ClientType", value.value), value=value.value)
                            for value in ClientType
                        ]
                    ),
                    name="client_type",
                    default_value=state.form["client_type"].to(str),
                ),
                rx.cond(
                    errors["client_type"],
                    rx.text(errors["client_type"], color=rx.color("red", 11), size="2"),
                ),
                spacing="1",
                width="100%",
            ),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
        ),
        rx.vstack(
            rx.text(tr("clients.notes"), size="2", weight="medium"),
            rx.text_area(
                name="notes",
                default_value=state.form["notes"].to(str),
                width="100%",
                rows="3",
                data_testid="field-notes",
            ),
            width="100%",
            spacing="1",
        ),
        new_key="clients.new",
        edit_key="clients.edit",
        on_submit=on_submit,
        save_test_id="client-save",
        test_id="client-editor",
        max_width="40rem",
    )
