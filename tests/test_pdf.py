"""The quote and invoice PDFs, read back with pypdf (no database needed)."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from pypdf import PdfReader

from piano_emotion.billing.pdf import (
    FONT_FILES,
    FONTS_DIR,
    format_iban,
    render_invoice_pdf,
    render_quote_pdf,
    tax_breakdown,
)
from piano_emotion.models.billing import Invoice, InvoiceLine, Quote, QuoteLine
from piano_emotion.models.clients import Client
from piano_emotion.models.enums import InvoiceStatus
from piano_emotion.models.users import BusinessInfo

NBSP = "\u00a0"
CENT = Decimal("0.01")
REPO = Path(__file__).resolve().parents[1]
IBAN = "ES9121000418450200051332"
PAYMENT_URL = "https://piano.example.es/pagar/Zk3q9TnVb2XwLr8sHc4dPa"
LONG_DESCRIPTION = (
    "Afinación completa del piano de cola Steinway & Sons modelo B, con ajuste de "
    "unísonos, revisión de clavijas y limpieza interior del arpa y la tabla armónica"
)


def _line(cls, position, description, quantity, price, rate, discount="0", **owner):
    quantity, price, rate, discount = map(Decimal, (quantity, price, rate, discount))
    net = (quantity * price * (1 - discount / 100)).quantize(CENT, rounding=ROUND_HALF_UP)
    tax = (net * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return cls(
        technician_id=1,
        position=position,
        description=description,
        quantity=quantity,
        unit_price=price,
        discount_pct=discount,
        tax_rate=rate,
        net_amount=net,
        tax_amount=tax,
        total_amount=net + tax,
        **owner,
    )


def _invoice_lines() -> list[InvoiceLine]:
    """21 % and 10 % lines: bases 1.264,56 € and 27,00 €."""
    return [
        _line(InvoiceLine, 1, LONG_DESCRIPTION, "1", "1234.56", "21", invoice_id=1),
        _line(
            InvoiceLine,
            2,
            "Desplazamiento a Alcalá de Henares",
            "2",
            "15",
            "10",
            "10",
            invoice_id=1,
        ),
        _line(InvoiceLine, 3, "Fieltros de apagadores (juego)", "1.5", "20", "21", invoice_id=1),
    ]


def _invoice(lines, **overrides) -> Invoice:
    subtotal = sum((line.net_amount for line in lines), Decimal("0.00"))
    tax_total = sum((line.tax_amount for line in lines), Decimal("0.00"))
    fields = {
        "technician_id": 1,
        "client_id": 1,
        "number": "F-2026-0042",
        "issue_date": date(2026, 1, 15),
        "due_date": date(2026, 2, 14),
        "status": InvoiceStatus.SENT,
        "client_name": "José Ñúñez",
        "client_tax_id": "12345678Z",
        "client_email": "jose@example.es",
        "client_address": "Calle Mayor 1, 3º B\n28013 Madrid",
        "issuer_name": "Afinaciones Muñoz S.L.",
        "issuer_tax_id": "B12345678",
        "issuer_address": "Avda. de la Constitución 12\n41004 Sevilla",
        "issuer_email": "info@afinaciones.es",
        "issuer_phone": "600 123 456",
        "issuer_iban": IBAN,
        "subtotal": subtotal,
        "tax_total": tax_total,
        "total": subtotal + tax_total,
        "notes": "Gracias por su confianza.",
    }
    fields.update(overrides)
    return Invoice(**fields)


def _quote(**overrides) -> tuple[Quote, list[QuoteLine], Client, BusinessInfo]:
    lines = [
        _line(QuoteLine, 1, "Macillos nuevos (juego completo de 88)", "1", "640", "21", quote_id=1),
        _line(QuoteLine, 2, "Mano de obra de regulación", "3", "45", "21", quote_id=1),
    ]
    subtotal = sum((line.net_amount for line in lines), Decimal("0.00"))
    tax_total = sum((line.tax_amount for line in lines), Decimal("0.00"))
    fields = {
        "technician_id": 1,
        "client_id": 1,
        "title": "Restauración de la mecánica del Petrof",
        "quote_date": date(2026, 3, 1),
        "valid_until": date(2026, 3, 31),
        "subtotal": subtotal,
        "tax_total": tax_total,
        "total": subtotal + tax_total,
    }
    fields.update(overrides)
    client = Client(
        technician_id=1,
        name="María Ibáñez Peña",
        tax_id="87654321X",
        address="C/ Ñandú 3",
        postal_code="08001",
        city="Barcelona",
        email="maria@example.es",
    )
    issuer = BusinessInfo(
        technician_id=1,
        business_name="Pianos Peña",
        tax_id="X1234567L",
        address="Rúa Nova 5",
        postal_code="15001",
        city="A Coruña",
        iban=IBAN,
    )
    return Quote(**fields), lines, client, issuer


def _pages(pdf: bytes) -> list[str]:
    assert pdf.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _text(pdf: bytes) -> str:
    return "\n".join(_pages(pdf))


def _flat(text: str) -> str:
    """Wrapped lines joined (no-break spaces are kept)."""
    return re.sub(r"[ \n]+", " ", text)


def _plain(text: str) -> str:
    """No-break spaces as spaces (table cells print them as plain spaces)."""
    return text.replace(NBSP, " ")


def _links(pdf: bytes) -> list[str]:
    uris = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            if "/URI" in action:
                uris.append(str(action["/URI"]))
    return uris


# --------------------------------------------------------------------------
# Invoice


def test_invoice_shows_number_parties_dates_and_every_line():
    lines = _invoice_lines()
    text = _text(render_invoice_pdf(_invoice(lines), lines))
    flat = _flat(text)

    assert "FACTURA" in text
    assert "F-2026-0042" in text
    assert "José Ñúñez" in text
    assert "NIF/CIF: 12345678Z" in text
    assert "Calle Mayor 1, 3º B" in text
    assert "Afinaciones Muñoz S.L." in text
    assert "NIF/CIF: B12345678" in text
    assert "Avda. de la Constitución 12" in text
    assert "info@afinaciones.es" in text
    assert "600 123 456" in text
    assert "Fecha de emisión: 15/01/2026" in text
    assert "Vencimiento: 14/02/2026" in text
    for line in lines:
        assert _flat(line.description) in flat
    # Quantity, unit price, discount, rate and amount of the discounted line.
    assert "2 15,00 € 10 % 10 % 27,00 €" in _plain(text)
    assert "1,5 20,00 € 21 % 30,00 €" in _plain(text)
    assert "Gracias por su confianza." in text


def test_invoice_breaks_tax_down_by_rate_and_prints_exact_totals():
    lines = _invoice_lines()
    text = _text(render_invoice_pdf(_invoice(lines), lines))

    assert "DESGLOSE DE IVA" in text
    assert "Base imponible Tipo Cuota" in text
    assert f"1.264,56{NBSP}€ 21{NBSP}% 265,56{NBSP}€" in text
    assert f"27,00{NBSP}€ 10{NBSP}% 2,70{NBSP}€" in text
    assert text.index(f"21{NBSP}% 265,56") < text.index(f"10{NBSP}% 2,70")
    assert f"Subtotal 1.291,56{NBSP}€" in text
    assert f"IVA 268,26{NBSP}€" in text
    assert f"Total 1.559,82{NBSP}€" in text


def test_tax_breakdown_sums_the_stored_line_amounts_per_rate():
    lines = [*_invoice_lines(), _line(InvoiceLine, 4, "Exento", "1", "5", "0", invoice_id=1)]
    lines[2].tax_rate = Decimal("21.00")  # same rate written differently
    assert tax_breakdown(lines) == [
        (Decimal("21"), Decimal("1264.56"), Decimal("265.56")),
        (Decimal("10"), Decimal("27.00"), Decimal("2.70")),
        (Decimal("0"), Decimal("5.00"), Decimal("0.00")),
    ]
    assert tax_breakdown([]) == []


def test_invoice_in_english():
    lines = _invoice_lines()
    text = _text(render_invoice_pdf(_invoice(lines), lines, lang="en", payment_url=PAYMENT_URL))

    for label in ("INVOICE", "BILL TO", "Description", "Qty", "Unit price", "Amount"):
        assert label in text
    assert "Issue date: 15/01/2026" in text
    assert "Due date: 14/02/2026" in text
    assert "Tax ID: 12345678Z" in text
    assert "VAT BREAKDOWN" in text
    assert "€1,264.56 21% €265.56" in text
    assert "€27.00 10% €2.70" in text
    assert "Subtotal €1,291.56" in text
    assert "VAT €268.26" in text
    assert "Total €1,559.82" in text
    assert "€1,234.56" in text
    assert f"Bank transfer to IBAN {format_iban(IBAN)}" in text
    assert "Pay online by card:" in text
    assert "Page 1 of 1" in text
    for spanish in ("Factura", "Vencimiento", "Desglose", "Página", "Cliente"):
        assert spanish.lower() not in text.lower()


def test_payment_instructions_show_iban_and_link_when_present():
    lines = _invoice_lines()
    pdf = render_invoice_pdf(_invoice(lines), lines, payment_url=PAYMENT_URL)
    text = _text(pdf)

    assert "Forma de pago" in text
    assert "ES91 2100 0418 4502 0005 1332" in text
    assert "Indique el número de factura F-2026-0042 como concepto." in text
    assert "Pago con tarjeta en línea:" in text
    assert PAYMENT_URL in text
    assert _links(pdf) == [PAYMENT_URL]


def test_payment_instructions_are_left_out_when_absent():
    lines = _invoice_lines()
    text = _text(render_invoice_pdf(_invoice(lines, issuer_iban=""), lines, payment_url=None))
    assert "IBAN" not in text
    assert "ES91" not in text
    assert "Forma de pago" not in text
    assert "pagar" not in text

    only_link = render_invoice_pdf(_invoice(lines, issuer_iban=""), lines, payment_url=PAYMENT_URL)
    text = _text(only_link)
    assert "IBAN" not in text
    assert PAYMENT_URL in text

    only_iban = render_invoice_pdf(_invoice(lines), lines)
    text = _text(only_iban)
    assert "ES91 2100 0418 4502 0005 1332" in text
    assert "Pago con tarjeta" not in text
    assert _links(only_iban) == []


def test_cancelled_invoice_is_stamped_and_not_payable():
    lines = _invoice_lines()
    invoice = _invoice(lines, status=InvoiceStatus.CANCELLED)
    pdf = render_invoice_pdf(invoice, lines, payment_url=PAYMENT_URL)
    text = _text(pdf)
    assert "ANULADA" in text
    assert PAYMENT_URL not in text
    assert "IBAN" not in text
    assert _links(pdf) == []
    assert "CANCELLED" in _text(render_invoice_pdf(invoice, lines, lang="en"))


def test_paid_invoice_is_stamped_with_its_payment_date():
    lines = _invoice_lines()
    invoice = _invoice(lines, status=InvoiceStatus.PAID, paid_date=date(2026, 1, 20))
    text = _text(render_invoice_pdf(invoice, lines, payment_url=PAYMENT_URL))
    assert "PAGADA" in text
    assert "Pagada el 20/01/2026" in text
    assert PAYMENT_URL not in text
    assert "IBAN" not in text
    english = _text(render_invoice_pdf(invoice, lines, lang="en"))
    assert "PAID" in english
    assert "Paid on 20/01/2026" in english


def test_sent_invoice_has_no_stamp_and_draft_invoice_says_draft():
    lines = _invoice_lines()
    sent = _text(render_invoice_pdf(_invoice(lines), lines))
    for stamp in ("ANULADA", "PAGADA", "BORRADOR", "Borrador"):
        assert stamp not in sent

    draft = _invoice(lines, number=None, status=InvoiceStatus.DRAFT)
    text = _text(render_invoice_pdf(draft, lines))
    assert "Borrador" in text
    assert "BORRADOR" in text
    assert "como concepto" not in text  # no number to quote yet
    assert "ES91 2100 0418 4502 0005 1332" in text


def test_sixty_lines_flow_onto_more_pages_with_header_and_page_numbers():
    lines = [
        _line(
            InvoiceLine,
            index,
            f"Pieza de mecánica nº {index:02d} — ajuste y lubricación",
            "1",
            "12.5",
            "21",
            invoice_id=1,
        )
        for index in range(1, 61)
    ]
    pages = _pages(render_invoice_pdf(_invoice(lines), lines))
    total = len(pages)

    assert total >= 2
    for number, page in enumerate(pages, start=1):
        assert f"Página {number} de {total}" in page
        assert "F-2026-0042" in page
    # The table header is repeated on every page the lines reach.
    pages_with_lines = [page for page in pages if "Pieza de mecánica" in page]
    assert len(pages_with_lines) >= 2
    for page in pages_with_lines:
        assert "Descripción Cant. Precio unit. Dto. IVA Importe" in page
    everything = "\n".join(pages)
    for line in lines:
        assert line.description in _flat(everything)
    # 60 × 12,50 € = 750,00 € base; VAT is rounded per line (2,625 → 2,63 €),
    # so 157,80 € rather than 157,50 €. Printed once, on the last page.
    assert f"Total 907,80{NBSP}€" in pages[-1]
    assert everything.count(f"750,00{NBSP}€ 21{NBSP}% 157,80{NBSP}€") == 1


def test_long_names_and_unicode_render():
    lines = [
        _line(
            InvoiceLine,
            1,
            "Reparación de teclas — «marfil» ½ tono, 3ª octava",
            "1",
            "90",
            "21",
            invoice_id=1,
        )
    ]
    long_name = (
        "Asociación Cultural y Conservatorio Profesional de Música «Pérez-Ibáñez "
        "de la Peña y Muñoz-Castañeda» de Cangas del Narcea"
    )
    text = _text(render_invoice_pdf(_invoice(lines, client_name=long_name), lines))
    assert _flat(long_name) in _flat(text)
    assert "Reparación de teclas — «marfil» ½ tono, 3ª octava" in _flat(text)
    assert f"90,00{NBSP}€" in text


def test_rendering_is_deterministic_and_dated_by_the_document():
    lines = _invoice_lines()
    invoice = _invoice(lines)
    first = render_invoice_pdf(invoice, lines, payment_url=PAYMENT_URL)
    second = render_invoice_pdf(invoice, lines, payment_url=PAYMENT_URL)
    assert first == second
    metadata = PdfReader(io.BytesIO(first)).metadata
    assert metadata.creation_date.date() == date(2026, 1, 15)
    assert metadata.title == "Factura F-2026-0042"
    assert metadata.author == "Afinaciones Muñoz S.L."


# --------------------------------------------------------------------------
# Quote


def test_quote_without_number_is_a_draft():
    quote, lines, client, issuer = _quote()
    text = _text(render_quote_pdf(quote, lines, client=client, issuer=issuer))

    assert "PRESUPUESTO" in text
    assert "Borrador" in text
    assert "Fecha: 01/03/2026" in text
    assert "Válido hasta: 31/03/2026" in text
    assert "Asunto: Restauración de la mecánica del Petrof" in text
    assert "María Ibáñez Peña" in text
    assert "C/ Ñandú 3" in text
    assert "08001 Barcelona" in text
    assert "Pianos Peña" in text
    assert "15001 A Coruña" in text
    for line in lines:
        assert line.description in _flat(text)
    # 640 + 3 × 45 = 775,00 € base at 21 %: 162,75 € VAT.
    assert f"775,00{NBSP}€ 21{NBSP}% 162,75{NBSP}€" in text
    assert f"Total 937,75{NBSP}€" in text
    assert "Página 1 de 1" in text
    assert "Vencimiento" not in text
    assert "IBAN" not in text

    english = _text(render_quote_pdf(quote, lines, client=client, issuer=issuer, lang="en"))
    assert "QUOTE" in english
    assert "Draft" in english
    assert "Valid until: 31/03/2026" in english
    assert "Subject: Restauración de la mecánica del Petrof" in english
    assert "Total €937.75" in english


def test_numbered_quote_without_issuer_info():
    quote, lines, client, _issuer = _quote(number="P-2026-0007", valid_until=None, title="")
    text = _text(render_quote_pdf(quote, lines, client=client, issuer=None))
    assert "P-2026-0007" in text
    assert "Borrador" not in text
    assert "Válido hasta" not in text
    assert "Asunto" not in text
    assert "María Ibáñez Peña" in text


# --------------------------------------------------------------------------
# Fonts and helpers


def test_fonts_ship_with_the_repository_and_are_embedded():
    # Inside the package (not under assets/, which Reflex serves publicly).
    assert FONTS_DIR == REPO / "piano_emotion" / "billing" / "fonts"
    for filename in FONT_FILES.values():
        assert (FONTS_DIR / filename).is_file()
    licence = (FONTS_DIR / "LICENSE-DejaVu.txt").read_text()
    assert "Bitstream Vera" in licence
    assert "Arev" in licence
    quote, lines, client, issuer = _quote()
    pdf = render_quote_pdf(quote, lines, client=client, issuer=issuer)
    assert b"DejaVuSans" in pdf


def test_format_iban_groups_by_four():
    assert format_iban("es91 2100 0418 4502 0005 1332") == "ES91 2100 0418 4502 0005 1332"
    assert format_iban(IBAN) == "ES91 2100 0418 4502 0005 1332"
    assert format_iban("") == ""
    assert format_iban(None) == ""
