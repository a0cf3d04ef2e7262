"""Outgoing email over SMTP (owner alerts, invoices and quotes).

``send_mail`` builds one message (plain text, optional HTML alternative,
optional attachments) and hands it to the server configured by the
``SMTP_*`` settings:

- ``SMTP_SSL`` (default on port 465): implicit TLS from the first byte;
- otherwise plain SMTP upgraded with STARTTLS when ``SMTP_STARTTLS`` is true
  (the default). A server that does not offer STARTTLS is then an error:
  credentials and mail are never sent in clear by surprise;
- ``SMTP_USER``/``SMTP_PASSWORD`` log in when a user is set.

Every failure (refused connection, timeout, TLS, authentication, refused
recipient) raises ``MailError`` with a short text naming the server; the
caller decides whether to retry. Nothing is retried here.
"""

from __future__ import annotations

import logging
import mimetypes
import smtplib
import ssl
from collections.abc import Iterable, Sequence
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, make_msgid, parseaddr
from typing import NamedTuple

from piano_emotion.settings import Settings

log = logging.getLogger(__name__)

SMTP_TIMEOUT_S = 10.0


class MailError(Exception):
    """The message could not be sent (the text says why, never a password)."""


class Attachment(NamedTuple):
    filename: str
    content: bytes
    mime_type: str | None = None  # guessed from the file name when None


def mail_configured(settings: Settings) -> bool:
    """Is there an SMTP server and a sender address to send from?"""
    return bool(settings.smtp_host and settings.smtp_from)


def _recipients(to: str | Iterable[str]) -> list[str]:
    values = [to] if isinstance(to, str) else list(to)
    addresses = [address for _name, address in getaddresses(values) if address]
    if not addresses or any("@" not in address for address in addresses):
        raise MailError(f"invalid recipient: {to!r}")
    return addresses


def _attach(message: EmailMessage, attachment: Attachment | Sequence) -> None:
    attachment = Attachment(*attachment)
    mime_type = (
        attachment.mime_type
        or mimetypes.guess_type(attachment.filename)[0]
        or "application/octet-stream"
    )
    maintype, _, subtype = mime_type.partition("/")
    message.add_attachment(
        attachment.content,
        maintype=maintype,
        subtype=subtype or "octet-stream",
        filename=attachment.filename,
    )


def build_message(
    settings: Settings,
    *,
    to: str | Iterable[str],
    subject: str,
    text: str,
    html: str | None = None,
    attachments: Iterable[Attachment | Sequence] = (),
) -> EmailMessage:
    """The message ``send_mail`` would send (also handy to inspect in tests)."""
    sender = settings.smtp_from or ""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(_recipients(to))
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    domain = parseaddr(sender)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for attachment in attachments:
        _attach(message, attachment)
    return message


def _connect(settings: Settings) -> smtplib.SMTP:
    host, port = settings.smtp_host or "", settings.smtp_port
    context = ssl.create_default_context()
    if settings.smtp_ssl:
        return smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT_S, context=context)
    client = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_S)
    try:
        client.ehlo()
        if settings.smtp_starttls:
            client.starttls(context=context)
            client.ehlo()
    except BaseException:
        client.close()
        raise
    return client


def send_mail(
    settings: Settings,
    *,
    to: str | Iterable[str],
    subject: str,
    text: str,
    html: str | None = None,
    attachments: Iterable[Attachment | Sequence] = (),
) -> None:
    """Send one message, or raise ``MailError``.

    ``to`` is an address or several; ``attachments`` are ``Attachment`` (or
    ``(filename, bytes[, mime_type])`` tuples).
    """
    if not mail_configured(settings):
        raise MailError("SMTP is not configured (SMTP_HOST and SMTP_FROM)")
    recipients = _recipients(to)
    message = build_message(
        settings, to=recipients, subject=subject, text=text, html=html, attachments=attachments
    )
    envelope_from = parseaddr(settings.smtp_from or "")[1]
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    try:
        client = _connect(settings)
        try:
            if settings.smtp_user:
                client.login(settings.smtp_user, settings.smtp_password or "")
            refused = client.send_message(message, from_addr=envelope_from, to_addrs=recipients)
        finally:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()
    except smtplib.SMTPNotSupportedError as exc:
        raise MailError(f"SMTP {where}: the server does not offer STARTTLS ({exc})") from exc
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(f"SMTP {where}: authentication refused ({exc.smtp_code})") from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise MailError(f"SMTP {where}: recipients refused: {', '.join(exc.recipients)}") from exc
    except (smtplib.SMTPException, OSError) as exc:  # ssl.SSLError and timeouts are OSErrors
        raise MailError(f"SMTP {where}: {type(exc).__name__}: {exc}") from exc
    if refused:
        raise MailError(f"SMTP {where}: recipients refused: {', '.join(refused)}")
    log.info("mail sent to %s: %s", ", ".join(recipients), subject)
