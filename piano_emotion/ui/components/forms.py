"""Form pieces: a labelled input with its field-level error message."""

from __future__ import annotations

import reflex as rx

from piano_emotion.ui.i18n import tr


def field(
    label_key: str,
    name: str,
    errors: rx.Var,
    *,
    type_: str = "text",
    required: bool = False,
    auto_complete: str | None = None,
    default_value: rx.Var | str | None = None,
    placeholder_key: str | None = None,
) -> rx.Component:
    error = errors[name]
    props = {}
    if default_value is not None:
        props["default_value"] = default_value
    if placeholder_key:
        props["placeholder"] = tr(placeholder_key)
    return rx.vstack(
        rx.text(tr(label_key), as_="label", html_for=name, size="2", weight="medium"),
        rx.input(
            id=name,
            name=name,
            type=type_,
            required=required,
            auto_complete=auto_complete,
            width="100%",
            size="3",
            color_scheme=rx.cond(error, "red", "gray"),
            aria_invalid=rx.cond(error, "true", "false"),
            data_testid=f"field-{name}",
            **props,
        ),
        rx.cond(
            error,
            rx.text(error, color=rx.color("red", 11), size="2", data_testid=f"error-{name}"),
        ),
        spacing="1",
        width="100%",
    )


def form_error(message: rx.Var) -> rx.Component:
    return rx.cond(
        message,
        rx.callout(
            message,
            icon="triangle-alert",
            color_scheme="red",
            role="alert",
            width="100%",
            data_testid="form-error",
        ),
    )


def dialog_buttons(save_test_id: str) -> rx.Component:
    """Cancel and Save, at the foot of an editor."""
    return rx.hstack(
        rx.dialog.close(
            rx.button(tr("common.cancel"), variant="soft", color_scheme="gray", type="button")
        ),
        rx.button(tr("common.save"), type="submit", data_testid=save_test_id),
        justify="end",
        spacing="3",
        width="100%",
    )


def notes_area(state, name: str = "notes", label_key: str = "clients.notes") -> rx.Component:
    return rx.vstack(
        rx.text(tr(label_key), size="2", weight="medium"),
        rx.text_area(name=name, default_value=state.form[name].to(str), width="100%", rows="3"),
        width="100%",
        spacing="1",
    )


def editor_dialog(
    state,
    *children: rx.Component,
    new_key: str,
    edit_key: str,
    on_submit,
    save_test_id: str,
    test_id: str,
    max_width: str = "40rem",
) -> rx.Component:
    """The create/edit dialog of a list page (state: ``EditorMixin``).

    The form remounts on every opening (``form_version``) so its uncontrolled
    inputs show the record being edited.
    """
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(state.editing_id, tr(edit_key), tr(new_key))),
            rx.form(
                rx.vstack(*children, dialog_buttons(save_test_id), spacing="4", width="100%"),
                on_submit=on_submit,
                key=state.form_version.to_string(),
                width="100%",
            ),
            max_width=max_width,
            data_testid=test_id,
        ),
        open=state.editor_open,
        on_open_change=state.set_editor_open,
    )
