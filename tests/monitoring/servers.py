"""Real local servers for the delivery tests: SMTP (aiosmtpd) and HTTP (webhook).

Both listen on 127.0.0.1 on a free port, in a thread, and record what they
receive; nothing is mocked.
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    """A TCP port nobody listens on (right now) on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


class _MailHandler:
    def __init__(self, server: LocalSMTPServer) -> None:
        self.server = server

    async def handle_DATA(self, smtp, session, envelope) -> str:
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.server.lock:
            self.server.received.append(
                ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message)
            )
        return "250 Message accepted for delivery"


class LocalSMTPServer:
    """aiosmtpd on 127.0.0.1 (plain SMTP, no STARTTLS); optional AUTH LOGIN/PLAIN."""

    def __init__(self, *, user: str | None = None, password: str | None = None) -> None:
        self.port = free_port()
        self.received: list[ReceivedMail] = []
        self.logins: list[str] = []
        self.lock = threading.Lock()
        options: dict[str, Any] = {}
        if user is not None:
            options = {
                "authenticator": self._authenticate,
                "auth_required": True,
                "auth_require_tls": False,
            }
        self._credentials = (user, password)
        self.controller = Controller(
            _MailHandler(self), hostname="127.0.0.1", port=self.port, **options
        )

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            login = auth_data.login.decode()
            if (login, auth_data.password.decode()) == self._credentials:
                self.logins.append(login)
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    def __enter__(self) -> LocalSMTPServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


@dataclass
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class LocalWebhookServer:
    """A threaded ``http.server`` answering POSTs with the queued status codes
    (200 once the queue is empty) and recording every request."""

    statuses: list[int] = field(default_factory=list)
    received: list[ReceivedRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                outer.received.append(
                    ReceivedRequest(
                        self.path, {k.lower(): v for k, v in self.headers.items()}, body
                    )
                )
                status = outer.statuses.pop(0) if outer.statuses else 200
                answer = b"ok" if status < 400 else b"internal error"
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks/alerts"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> LocalWebhookServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)
