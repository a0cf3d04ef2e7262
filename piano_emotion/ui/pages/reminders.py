"""Recordatorios: pianos due for service (with WhatsApp / email messages and
"mark contacted"), the reminders by urgency, and the message templates."""

from __future__ import annotations

import reflex as rx

from piano_emotion.models.enums import ReminderType
from piano_emotion.ui import routes, styles
from piano_emotion.ui.components.common import enum_text
from piano_emotion.ui.components.forms import field
from piano_emotion.ui.components.layout import template
from piano_emotion.ui.components.picker import picker
from piano_emotion.ui.i18n import tr
from piano_emotion.ui.pages.pianos import choice, enum_options
from piano_emotion.ui.state.reminders import RemindersState

R = RemindersState


def due_section() -> rx.Component:
    return rx.vstack(
        rx.heading(tr("reminders.due_title"), size="4", as_="h2"),
        rx.text(tr("reminders.due_hint"), size="2", color=styles.MUTED_TEXT),
        rx.cond(
            R.due_groups.length() > 0,
            rx.vstack(
                rx.foreach(
                    R.due_groups,
                    lambda g: rx.card(
                        rx.vstack(
                            rx.hstack(
                                rx.link(
                                    g["client"],
                                    weight="bold",
                                    href=f"{routes.CLIENTS}/" + g["client_id"].to(str),
                                ),
                                rx.spacer(),
                                rx.text(g["phone"], size="2", color=styles.MUTED_TEXT),
                                width="100%",
                            ),
                            rx.foreach(
                                g["pianos"].to(list[dict]),
                                lambda p: rx.flex(
                                    rx.vstack(
                                        rx.link(
                                            p["name"],
                                            href=f"{routes.PIANOS}/" + p["id"].to(str),
                                            size="2",
                                            weight="medium",
                                        ),
                                        rx.text(
                                            tr("reminders.last"),
                                            " ",
                                            p["last"],
                                            " · ",
                                            tr("reminders.due"),
                                            " ",
                                            p["due"],
                                            size="1",
                                            color=styles.MUTED_TEXT,
                                        ),
                                        spacing="0",
                                    ),
                                    rx.spacer(),
                                    rx.cond(
                                        p["overdue"],
                                        rx.badge(tr("reminders.overdue"), color_scheme="red"),
                                    ),
                                    rx.cond(
                                        p["contacted"],
                                        rx.badge(tr("reminders.follow_up"), color_scheme="amber"),
                                    ),
                                    rx.button(
                                        rx.icon("send", size=14),
                                        tr("reminders.contact"),
                                        size="1",
                                        on_click=R.open_contact(p["id"]),
                                        data_testid="due-contact",
                                    ),
                                    gap="2",
                                    align="center",
                                    wrap="wrap",
                                    width="100%",
                                    padding_y="0.3rem",
                                    border_top=styles.BORDER,
                                ),
                            ),
                            spacing="2",
                            width="100%",
                        ),
                        width="100%",
                        data_testid="due-group",
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            rx.text(tr("reminders.none_due"), color=styles.MUTED_TEXT),
        ),
        spacing="2",
        width="100%",
    )


def reminder_row(r) -> rx.Component:
    return rx.flex(
        rx.checkbox(
            checked=r["done"].to(bool),
            on_change=lambda checked: rx.cond(checked, R.complete(r["id"]), R.reopen(r["id"])),
            size="2",
            data_testid="reminder-done",
        ),
        rx.vstack(
            rx.text(r["title"], weight="medium", size="2"),
            rx.text(
                enum_text("ReminderType", r["type"]),
                " · ",
                r["client"],
                " ",
                r["piano"],
                size="1",
                color=styles.MUTED_TEXT,
            ),
            spacing="0",
        ),
        rx.spacer(),
        rx.text(r["due"], size="2"),
        rx.icon_button(
            rx.icon("x", size=14),
            variant="ghost",
            size="1",
            on_click=R.remove(r["id"]),
            aria_label=tr("common.delete"),
        ),
        gap="2",
        align="center",
        width="100%",
        padding_y="0.35rem",
        border_bottom=styles.BORDER,
        data_testid="reminder-row",
    )


def bucket(name: str, title_key: str, color: str) -> rx.Component:
    items = R.buckets[name].to(list[dict])
    return rx.cond(
        items.length() > 0,
        rx.vstack(
            rx.hstack(
                rx.text(tr(title_key), weight="bold"),
                rx.badge(items.length().to_string(), color_scheme=color),
            ),
            rx.foreach(items, reminder_row),
            spacing="1",
            width="100%",
            data_testid=f"bucket-{name}",
        ),
    )


def reminders_section() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading(tr("nav.reminders"), size="4", as_="h2"),
            rx.spacer(),
            rx.button(
                rx.icon("plus"),
                tr("reminders.new"),
                on_click=R.open_new,
                data_testid="reminder-new",
            ),
            width="100%",
        ),
        bucket("overdue", "reminders.bucket_overdue", "red"),
        bucket("today", "reminders.bucket_today", "amber"),
        bucket("this_week", "reminders.bucket_week", "blue"),
        bucket("later", "reminders.bucket_later", "gray"),
        rx.el.details(
            rx.el.summary(tr("reminders.bucket_done")),
            rx.foreach(R.buckets["done"].to(list[dict]), reminder_row),
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def contact_dialog() -> rx.Component:
    c = R.contact
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(tr("reminders.contact")),
            rx.vstack(
                rx.text(tr("reminders.whatsapp_message"), weight="bold", size="2"),
                rx.text(c["whatsapp_text"], size="2", white_space="pre-wrap"),
                rx.cond(
                    c["whatsapp_url"] != "",
                    rx.link(
                        rx.button(rx.icon("message-circle"), "WhatsApp", color_scheme="green"),
                        href=c["whatsapp_url"],
                        is_external=True,
                        data_testid="contact-whatsapp",
                    ),
                    rx.text(tr("reminders.no_phone"), size="1", color=styles.MUTED_TEXT),
                ),
                rx.separator(),
                rx.text(tr("reminders.email_message"), weight="bold", size="2"),
                rx.text(c["subject"], weight="medium", size="2"),
                rx.text(c["email_body"], size="2", white_space="pre-wrap"),
                rx.cond(
                    c["mailto_url"] != "",
                    rx.link(
                        rx.button(rx.icon("mail"), tr("clients.email"), variant="soft"),
                        href=c["mailto_url"],
                        data_testid="contact-email",
                    ),
                ),
                rx.separator(),
                rx.text(tr("reminders.mark_hint"), size="1", color=styles.MUTED_TEXT),
                rx.flex(
                    rx.button(
                        tr("reminders.mark_whatsapp"),
                        size="2",
                        on_click=R.mark_contacted("whatsapp"),
                        data_testid="mark-contacted",
                    ),
                    rx.button(
                        tr("reminders.mark_email"),
                        size="2",
                        variant="soft",
                        on_click=R.mark_contacted("email"),
                    ),
                    rx.button(
                        tr("reminders.mark_call"),
                        size="2",
                        variant="soft",
                        on_click=R.mark_contacted("call"),
                    ),
                    gap="2",
                    wrap="wrap",
                ),
                spacing="2",
                width="100%",
            ),
            max_width="34rem",
            data_testid="contact-dialog",
        ),
        open=R.contact_open,
        on_open_change=R.set_contact_open,
    )


def editor() -> rx.Component:
    errors = R.form_errors
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(tr("reminders.new")),
            rx.form(
                rx.vstack(
                    picker(
                        label_key="nav.clients",
                        placeholder_key="picker.search_client",
                        query=R.picker_query,
                        options=R.picker_options,
                        picked_id=R.picked_client_id,
                        picked_name=R.picked_client_name,
                        on_search=R.search_clients,
                        on_pick=R.pick_client,
                        error=errors["client_id"],
                        name="client_picked",
                        test_id="reminder-client",
                    ),
                    rx.select.root(
                        rx.select.trigger(width="100%"),
                        rx.select.content(
                            rx.select.item(tr("agenda.no_piano"), value="none"),
                            rx.foreach(
                                R.client_pianos, lambda p: rx.select.item(p["name"], value=p["id"])
                            ),
                        ),
                        name="piano_id",
                        default_value="none",
                    ),
                    field(
                        "agenda.title",
                        "title",
                        errors,
                        required=True,
                        default_value=R.form["title"].to(str),
                    ),
                    rx.grid(
                        choice(
                            "reminder_type",
                            "services.type",
                            R,
                            enum_options("ReminderType", ReminderType),
                        ),
                        field(
                            "reminders.due_date",
                            "due_date",
                            errors,
                            type_="date",
                            required=True,
                            default_value=R.form["due_date"].to(str),
                        ),
                        columns="2",
                        spacing="3",
                        width="100%",
                    ),
                    rx.text_area(
                        name="notes", placeholder=tr("clients.notes"), width="100%", rows="2"
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button(
                                tr("common.cancel"),
                                variant="soft",
                                color_scheme="gray",
                                type="button",
                            )
                        ),
                        rx.button(tr("common.save"), type="submit", data_testid="reminder-save"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=R.save,
                key=R.form_version.to_string(),
                width="100%",
            ),
            max_width="32rem",
        ),
        open=R.editor_open,
        on_open_change=R.set_editor_open,
    )


def templates_section() -> rx.Component:
    errors = R.template_errors
    return rx.el.details(
        rx.el.summary(tr("reminders.templates")),
        rx.form(
            rx.vstack(
                rx.text(tr("reminders.templates_hint"), size="2", color=styles.MUTED_TEXT),
                field(
                    "reminders.email_subject",
                    "email_subject",
                    errors,
                    default_value=R.templates["email_subject"],
                ),
                rx.text(tr("reminders.email_message"), size="2", weight="medium"),
                rx.text_area(
                    name="email_body",
                    default_value=R.templates["email_body"],
                    rows="6",
                    width="100%",
                ),
                rx.cond(
                    errors["email_body"],
                    rx.text(errors["email_body"], color=rx.color("red", 11), size="2"),
                ),
                rx.text(tr("reminders.whatsapp_message"), size="2", weight="medium"),
                rx.text_area(
                    name="whatsapp_body",
                    default_value=R.templates["whatsapp_body"],
                    rows="4",
                    width="100%",
                ),
                rx.cond(
                    errors["whatsapp_body"],
                    rx.text(errors["whatsapp_body"], color=rx.color("red", 11), size="2"),
                ),
                rx.button(tr("common.save"), type="submit", data_testid="templates-save"),
                spacing="2",
                width="100%",
            ),
            on_submit=R.save_templates,
            key=R.templates["whatsapp_body"],
            width="100%",
        ),
        width="100%",
    )


@template(route=routes.REMINDERS, title_key="nav.reminders", on_load=RemindersState.load)
def reminders_page() -> rx.Component:
    return rx.vstack(
        rx.cond(
            R.loaded,
            rx.grid(
                due_section(),
                reminders_section(),
                columns=rx.breakpoints(initial="1", lg="2"),
                spacing="5",
                width="100%",
            ),
            rx.skeleton(rx.box(height="12rem", width="100%")),
        ),
        templates_section(),
        contact_dialog(),
        editor(),
        spacing="4",
        width="100%",
    )
