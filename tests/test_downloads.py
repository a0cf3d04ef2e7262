"""The download routes: quote/invoice PDFs, list exports and the JSON backup,
for the signed-in technician only."""

from __future__ import annotations

import csv
import io
import json

import pytest
from pypdf import PdfReader
from sqlmodel import Session
from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient

from piano_emotion.api import build_api
from piano_emotion.auth.current import SESSION_COOKIE
from piano_emotion.auth.tokens import issue_session_token
from piano_emotion.domain import clients, invoices
from piano_emotion.domain.clients import ClientInput
from piano_emotion.domain.invoices import InvoiceInput
from piano_emotion.settings import get_settings
from tests.ui_states import new_technician

pytestmark = pytest.mark.usefixtures("configured_app_settings")


async def reflex_stand_in(scope, receive, send):
    await PlainTextResponse("reflex")(scope, receive, send)


@pytest.fixture
def http():
    with TestClient(build_api(reflex_stand_in)) as client:
        yield client


def signed(client: TestClient, user) -> TestClient:
    client.cookies.set(
        SESSION_COOKIE, issue_session_token(user.id, user.session_version, get_settings())
    )
    return client


@pytest.fixture
def ana(engine):
    return new_technician(engine, "Ana Técnica")


@pytest.fixture
def draft(engine, ana):
    with Session(engine, expire_on_commit=False) as session:
        client = clients.create_client(session, ana, ClientInput(name="José Ñúñez"))
        invoice = invoices.create_invoice(
            session,
            ana,
            InvoiceInput(
                client_id=client.id,
                lines=[{"description": "Afinación de cola", "unit_price": "95"}],
            ),
        )
        session.commit()
    return invoice


def test_signed_out_gets_401_everywhere(http, draft):
    for url in (
        f"/api/documents/invoices/{draft.id}.pdf",
        "/api/export/clients.csv",
        "/api/backup.json",
    ):
        response = http.get(url)
        assert response.status_code == 401, url
        assert "sesión" in response.json()["error"].lower()


def test_invoice_pdf_of_a_draft_previews_the_client(http, ana, draft):
    response = signed(http, ana).get(f"/api/documents/invoices/{draft.id}.pdf?lang=es")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert "private" in response.headers["cache-control"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "José Ñúñez" in text and "Afinación de cola" in text
    assert "114,95" in text  # 95 + 21 % IVA


def test_another_technicians_document_is_404(http, engine, draft):
    intruder = new_technician(engine, "Otro Técnico")
    client = signed(http, intruder)
    assert client.get(f"/api/documents/invoices/{draft.id}.pdf").status_code == 404
    assert client.get(f"/api/documents/quotes/{draft.id}.pdf").status_code == 404
    assert client.get(f"/api/documents/other/{draft.id}.pdf").status_code == 404


def test_exports_in_both_formats_and_languages(http, ana, draft):
    client = signed(http, ana)
    response = client.get("/api/export/clients.csv?lang=es")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][0] == "José Ñúñez"

    english = client.get("/api/export/invoices.csv?lang=en&status=draft")
    assert english.status_code == 200
    header = next(csv.reader(io.StringIO(english.content.decode("utf-8-sig"))))
    assert "Client" in header

    xlsx = client.get("/api/export/pianos.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"

    assert client.get("/api/export/users.csv").status_code == 400
    assert client.get("/api/export/clients.pdf").status_code == 404
    assert client.get("/api/export/clients.csv?bogus=1").status_code == 400


def test_backup_is_the_technicians_json(http, engine, ana, draft):
    response = signed(http, ana).get("/api/backup.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["format"] == "piano-emotion-backup"
    assert "José Ñúñez" in response.content.decode()

    stranger = new_technician(engine, "Otro Técnico")
    theirs = signed(http, stranger).get("/api/backup.json")
    assert "José Ñúñez" not in theirs.content.decode()
