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
