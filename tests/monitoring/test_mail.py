"""``send_mail`` against a real SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

import pytest

from piano_emotion.mail import Attachment, MailError, mail_configured, send_mail
from tests.monitoring.conftest import monitor_settings, smtp_env
from tests.monitoring.servers import LocalSMTPServer, free_port


def test_mail_configured_needs_a_host_and_a_sender():
    assert not mail_configured(monitor_settings())
    assert not mail_configured(monitor_settings(SMTP_HOST="smtp.example.es"))
    assert mail_configured(monitor_settings(SMTP_HOST="smtp.example.es", SMTP_FROM="a@example.es"))


def test_sends_text_html_and_attachments(smtp_server):
    settings = monitor_settings(**smtp_env(smtp_server))
    send_mail(
        settings,
        to=["Ana <ana@example.es>", "beto@example.es"],
        subject="Factura F-2026-0001 · año",
        text="Adjuntamos la factura. Gracias, señora Núñez.",
        html="<p>Adjuntamos la <b>factura</b>.</p>",
        attachments=[
            Attachment("F-2026-0001.pdf", b"%PDF-1.4 fake", "application/pdf"),
            ("notas.txt", "ñandú".encode()),
        ],
    )
    [mail] = smtp_server.received
    assert mail.mail_from == "alertas@example.es"
    assert mail.rcpt_tos == ["ana@example.es", "beto@example.es"]
    message = mail.message
    assert message["Subject"] == "Factura F-2026-0001 · año"
    assert message["From"] == "Piano Emotion <alertas@example.es>"
    assert message["Message-ID"].endswith("@example.es>")
    assert "señora Núñez" in message.get_body(("plain",)).get_content()
    assert "<b>factura</b>" in message.get_body(("html",)).get_content()
    attachments = {part.get_filename(): part for part in message.iter_attachments()}
    assert attachments["F-2026-0001.pdf"].get_content_type() == "application/pdf"
    assert attachments["F-2026-0001.pdf"].get_content() == b"%PDF-1.4 fake"
    assert attachments["notas.txt"].get_content_type() == "text/plain"


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_logs_in_when_a_user_is_configured():
    with LocalSMTPServer(user="alertas", password="clave-secreta") as server:
        settings = monitor_settings(
            **smtp_env(server), SMTP_USER="alertas", SMTP_PASSWORD="clave-secreta"
        )
        send_mail(settings, to="owner@example.es", subject="Hola", text="Prueba")
        assert server.logins == ["alertas"]
        assert len(server.received) == 1

        wrong = monitor_settings(**smtp_env(server), SMTP_USER="alertas", SMTP_PASSWORD="otra")
        with pytest.raises(MailError, match="authentication refused") as excinfo:
            send_mail(wrong, to="owner@example.es", subject="Hola", text="Prueba")
        assert "otra" not in str(excinfo.value)
        assert len(server.received) == 1


def test_starttls_required_but_not_offered_is_an_error(smtp_server):
    settings = monitor_settings(**{**smtp_env(smtp_server), "SMTP_STARTTLS": "true"})
    with pytest.raises(MailError, match="STARTTLS"):
        send_mail(settings, to="owner@example.es", subject="Hola", text="Prueba")
    assert smtp_server.received == []


def test_unreachable_server_and_missing_configuration_are_mail_errors():
    port = free_port()
    settings = monitor_settings(
        SMTP_HOST="127.0.0.1", SMTP_PORT=str(port), SMTP_FROM="a@example.es", SMTP_STARTTLS="no"
    )
    with pytest.raises(MailError, match=rf"SMTP 127\.0\.0\.1:{port}"):
        send_mail(settings, to="owner@example.es", subject="Hola", text="Prueba")
    with pytest.raises(MailError, match="not configured"):
        send_mail(monitor_settings(), to="owner@example.es", subject="Hola", text="Prueba")
    with pytest.raises(MailError, match="recipient"):
        send_mail(settings, to="nadie", subject="Hola", text="Prueba")


def test_smtp_ssl_defaults_to_port_465():
    assert monitor_settings(SMTP_PORT="465").smtp_ssl is True
    assert monitor_settings(SMTP_PORT="587").smtp_ssl is False
    assert monitor_settings(SMTP_PORT="2465", SMTP_SSL="yes").smtp_ssl is True
    assert monitor_settings(SMTP_PORT="465", SMTP_SSL="false").smtp_ssl is False


def test_implicit_tls_against_a_plain_server_fails_cleanly(smtp_server):
    settings = monitor_settings(**smtp_env(smtp_server), SMTP_SSL="true")
    with pytest.raises(MailError, match=r"SMTP 127\.0\.0\.1"):
        send_mail(settings, to="owner@example.es", subject="Hola", text="Prueba")
