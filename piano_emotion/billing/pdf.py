"""The PDF of a quote (presupuesto) and of an invoice (factura).

Both share one A4 layout: issuer and document header, client block, the lines
table (its header repeated on every page), the VAT breakdown by rate, the
totals, payment instructions, notes and "Página 1 de 2" in the footer.

Every label comes from the i18n catalogue (``pdf.*`` keys) and every amount
and date from :mod:`piano_emotion.formatting`. Text is set in DejaVu Sans,
embedded from ``billing/fonts`` (fpdf2's core fonts are latin-1 only and would
lose ``€`` and anything beyond it). The creation date is the document's own
date, so rendering the same document twice gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace
from sqlmodel import Session

from piano_emotion.domain.tenancy import get_owned
from piano_emotion.formatting import (
    format_date,
    format_money,
    format_percent,
    format_quantity,
)
from piano_emotion.models.billing import DocumentLine, Invoice, InvoiceLine, Quote, QuoteLine
from piano_emotion.models.clients import Client
from piano_emotion.models.enums import InvoiceStatus
from piano_emotion.models.users import BusinessInfo, User
from piano_emotion.ui.i18n import enum_label, translate

FONTS_DIR = Path(__file__).resolve().parent / "fonts"  # inside the package: not served publicly
FONT = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}

ZERO = Decimal("0.00")

# Layout (mm, A4 portrait).
MARGIN = 15.0
BOTTOM_MARGIN = 20.0
CONTENT_WIDTH = 210.0 - 2 * MARGIN
# Description, quantity, unit price, discount, VAT rate, amount.
LINE_COLUMNS = (76.0, 14.0, 27.0, 14.0, 16.0, 33.0)
ROW = 5.0

# Colours (RGB).
INK = (33, 37, 41)
MUTED = (108, 117, 125)
ACCENT = (44, 62, 80)
RULE = (206, 212, 218)
HEADING_FILL = (236, 239, 243)
STAMP_COLOURS = {
    InvoiceStatus.CANCELLED: (200, 35, 51),
    InvoiceStatus.PAID: (25, 135, 84),
    InvoiceStatus.DRAFT: (108, 117, 125),
}


@dataclass
class _Document:
    """What the layout prints, gathered from a quote or an invoice."""

    lang: str
    kind_label: str
    number: str
    dates: list[tuple[str, str]]
    issuer_name: str
    issuer_lines: list[str]
    client_name: str
    client_lines: list[str]
    lines: list[DocumentLine]
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal
    document_date: date
    subject: str = ""
    # Status printed under the dates, and across every page (drafts get only the latter).
    status_label: str = ""
    watermark: str = ""
    stamp_colour: tuple[int, int, int] = MUTED
    payment: list[tuple[str, str | None]] = field(default_factory=list)
    notes: str = ""


# --------------------------------------------------------------------------
# Public API


def render_invoice_pdf(
    invoice: Invoice,
    lines: list[InvoiceLine],
    *,
    lang: str = "es",
    payment_url: str | None = None,
) -> bytes:
    """The invoice as PDF bytes, from its client and issuer snapshots.

    Payment instructions (IBAN, the card payment link when ``payment_url`` is
    given) are printed while the invoice is still to be paid; a paid invoice
    shows its payment date instead, and a cancelled one only its stamp.
    """
    status = InvoiceStatus(invoice.status)
    number = invoice.number or translate("pdf.draft", lang)
    dates = [(translate("pdf.issue_date", lang), format_date(invoice.issue_date))]
    if invoice.due_date is not None:
        dates.append((translate("pdf.due_date", lang), format_date(invoice.due_date)))

    watermark = enum_label(status, lang).upper() if status in STAMP_COLOURS else ""
    status_label = "" if status is InvoiceStatus.DRAFT else watermark

    payment: list[tuple[str, str | None]] = []
    if status is InvoiceStatus.PAID:
        if invoice.paid_date is not None:
            paid_on = translate("pdf.paid_on", lang, date=format_date(invoice.paid_date))
            payment.append((paid_on, None))
    elif status is not InvoiceStatus.CANCELLED:
        iban = format_iban(invoice.issuer_iban)
        if iban:
            payment.append((translate("pdf.bank_transfer", lang, iban=iban), None))
            if invoice.number:
                reference = translate("pdf.payment_reference", lang, number=invoice.number)
                payment.append((reference, None))
        if payment_url:
            payment.append((translate("pdf.pay_online", lang), None))
            payment.append((payment_url, payment_url))

    document = _Document(
        lang=lang,
        kind_label=translate("pdf.invoice", lang),
        number=number,
        dates=dates,
        issuer_name=invoice.issuer_name,
        issuer_lines=_contact_lines(
            lang,
            tax_id=invoice.issuer_tax_id,
            address=[invoice.issuer_address],
            email=invoice.issuer_email,
            phone=invoice.issuer_phone,
        ),
        client_name=invoice.client_name,
        client_lines=_contact_lines(
            lang,
            tax_id=invoice.client_tax_id,
            address=[invoice.client_address],
            email=invoice.client_email,
        ),
        lines=list(lines),
        subtotal=invoice.subtotal,
        tax_total=invoice.tax_total,
        total=invoice.total,
        document_date=invoice.issue_date,
        status_label=status_label,
        watermark=watermark,
        stamp_colour=STAMP_COLOURS.get(status, MUTED),
        payment=payment,
        notes=invoice.notes,
    )
    return _render(document)


def render_quote_pdf(
    quote: Quote,
    lines: list[QuoteLine],
    *,
    client: Client,
    issuer: BusinessInfo | None,
    lang: str = "es",
) -> bytes:
    """The quote as PDF bytes, with the client's and issuer's current data."""
    dates = [(translate("pdf.quote_date", lang), format_date(quote.quote_date))]
    if quote.valid_until is not None:
        dates.append((translate("pdf.valid_until", lang), format_date(quote.valid_until)))
    document = _Document(
        lang=lang,
        kind_label=translate("pdf.quote", lang),
        number=quote.number or translate("pdf.draft", lang),
        dates=dates,
        issuer_name=issuer.business_name if issuer else "",
        issuer_lines=(
            _contact_lines(
                lang,
                tax_id=issuer.tax_id,
                address=_address(issuer.address, issuer.postal_code, issuer.city, issuer.region),
                email=issuer.email,
                phone=issuer.phone,
            )
            if issuer
            else []
        ),
        client_name=client.name,
        client_lines=_contact_lines(
            lang,
            tax_id=client.tax_id,
            address=_address(client.address, client.postal_code, client.city, client.region),
            email=client.email,
            phone=client.phone,
        ),
        lines=list(lines),
        subtotal=quote.subtotal,
        tax_total=quote.tax_total,
        total=quote.total,
        document_date=quote.quote_date,
        subject=quote.title,
        notes=quote.notes,
    )
    return _render(document)


def tax_breakdown(lines: Sequence[DocumentLine]) -> list[tuple[Decimal, Decimal, Decimal]]:
    """``(rate, base, tax)`` per VAT rate, highest rate first, from the stored line amounts."""
    by_rate: dict[Decimal, tuple[Decimal, Decimal]] = {}
    for line in lines:
        rate = Decimal(line.tax_rate).normalize()
        base, tax = by_rate.get(rate, (ZERO, ZERO))
        by_rate[rate] = (base + Decimal(line.net_amount), tax + Decimal(line.tax_amount))
    return [(rate, *by_rate[rate]) for rate in sorted(by_rate, reverse=True)]


def format_iban(iban: str | None) -> str:
    """``ES9121000418450200051332`` as ``ES91 2100 0418 4502 0005 1332``."""
    compact = "".join((iban or "").split()).upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


# --------------------------------------------------------------------------
# Gathering text


def _address(street: str, postal_code: str, city: str, region: str) -> list[str]:
    town = " ".join(part for part in (postal_code.strip(), city.strip()) if part)
    return [part for part in (street.strip(), town, region.strip()) if part]


def _contact_lines(
    lang: str,
    *,
    tax_id: str = "",
    address: Sequence[str] = (),
    email: str = "",
    phone: str = "",
) -> list[str]:
    lines = []
    if tax_id.strip():
        lines.append(f"{translate('pdf.tax_id', lang)}: {tax_id.strip()}")
    for part in address:
        lines.extend(row.strip() for row in (part or "").splitlines() if row.strip())
    if email.strip():
        lines.append(f"{translate('pdf.email', lang)}: {email.strip()}")
    if phone.strip():
        lines.append(f"{translate('pdf.phone', lang)}: {phone.strip()}")
    return lines


def _clean(text: str | None) -> str:
    """Text as fpdf2 should print it: Unix newlines, tabs as spaces."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ").strip()


def _block(
    pdf: FPDF, width: float, height: float, text: str, align: str = "L", link: str | None = None
) -> None:
    """Wrapped text; the next block starts below it at the same x."""
    pdf.multi_cell(width, height, text, align=align, link=link, new_x=XPos.LEFT, new_y=YPos.NEXT)


# --------------------------------------------------------------------------
# Layout


class _DocumentPDF(FPDF):
    def __init__(self, document: _Document) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.document = document
        for style, filename in FONT_FILES.items():
            self.add_font(FONT, style, FONTS_DIR / filename)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=BOTTOM_MARGIN)
        self.alias_nb_pages()
        self.set_text_color(*INK)
        self.set_draw_color(*RULE)
        self.set_lang("en" if document.lang == "en" else "es")
        title = f"{document.kind_label} {document.number}"
        self.set_title(title)
        self.set_subject(title)
        if document.issuer_name:
            self.set_author(document.issuer_name)
        self.set_creator(translate("app.name", document.lang))
        self.set_creation_date(datetime.combine(document.document_date, time(), tzinfo=UTC))

    def header(self) -> None:
        document = self.document
        if not document.watermark:
            return
        size_pt = 84.0
        with self.local_context(
            font_family=FONT,
            font_style="B",
            font_size_pt=size_pt,
            text_color=document.stamp_colour,
            fill_opacity=0.12,
        ):
            width = self.get_string_width(document.watermark)
            if width > 230:
                self.set_font_size(size_pt * 230 / width)
                width = self.get_string_width(document.watermark)
            centre_x, centre_y = self.w / 2, self.h / 2
            with self.rotation(35, centre_x, centre_y):
                self.text(centre_x - width / 2, centre_y + self.font_size / 3, document.watermark)
        self.set_xy(self.l_margin, self.t_margin)

    def footer(self) -> None:
        document = self.document
        self.set_y(-BOTTOM_MARGIN + 6)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.set_font(FONT, "", 8)
        self.set_text_color(*MUTED)
        self.cell(CONTENT_WIDTH / 2, 6, f"{document.kind_label} {document.number}")
        page = translate(
            "pdf.page_of", document.lang, page=self.page_no(), total=self.str_alias_nb_pages
        )
        self.cell(CONTENT_WIDTH / 2, 6, page, align="R")
        self.set_text_color(*INK)


def _render(document: _Document) -> bytes:
    pdf = _DocumentPDF(document)
    pdf.add_page()
    _heading(pdf, document)
    _client(pdf, document)
    _lines_table(pdf, document)
    _totals(pdf, document)
    _payment(pdf, document)
    _notes(pdf, document)
    return bytes(pdf.output())


def _heading(pdf: _DocumentPDF, document: _Document) -> None:
    top = pdf.get_y()
    left_width = 105.0
    right_x = MARGIN + left_width + 5
    right_width = CONTENT_WIDTH - left_width - 5

    # Issuer (left).
    if document.issuer_name:
        pdf.set_font(FONT, "B", 13)
        _block(pdf, left_width, 6, _clean(document.issuer_name))
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*MUTED)
    for line in document.issuer_lines:
        _block(pdf, left_width, 4.5, _clean(line))
    pdf.set_text_color(*INK)
    left_bottom = pdf.get_y()

    # Document title, number, dates and status (right).
    pdf.set_xy(right_x, top)
    pdf.set_font(FONT, "B", 20)
    pdf.set_text_color(*ACCENT)
    _block(pdf, right_width, 9, document.kind_label.upper(), align="R")
    pdf.set_text_color(*INK)
    pdf.set_x(right_x)
    pdf.set_font(FONT, "B", 12)
    _block(pdf, right_width, 6.5, _clean(document.number), align="R")
    pdf.set_font(FONT, "", 9)
    for label, value in document.dates:
        pdf.set_x(right_x)
        _block(pdf, right_width, 4.8, f"{label}: {value}", align="R")
    if document.status_label:
        pdf.set_x(right_x)
        pdf.set_font(FONT, "B", 11)
        pdf.set_text_color(*document.stamp_colour)
        _block(pdf, right_width, 7, document.status_label, align="R")
        pdf.set_text_color(*INK)
    pdf.set_y(max(left_bottom, pdf.get_y()) + 6)


def _client(pdf: _DocumentPDF, document: _Document) -> None:
    width = 115.0
    indent = 4.0
    top = pdf.get_y()
    pdf.set_x(MARGIN + indent)
    pdf.set_font(FONT, "B", 8)
    pdf.set_text_color(*MUTED)
    pdf.cell(width, 4.5, translate("pdf.client", document.lang).upper())
    pdf.ln(4.5)
    pdf.set_text_color(*INK)
    pdf.set_x(MARGIN + indent)
    pdf.set_font(FONT, "B", 11)
    _block(pdf, width, 5.5, _clean(document.client_name))
    pdf.set_font(FONT, "", 9)
    for line in document.client_lines:
        pdf.set_x(MARGIN + indent)
        _block(pdf, width, 4.5, _clean(line))
    bottom = pdf.get_y()
    with pdf.local_context(draw_color=ACCENT, line_width=0.8):
        pdf.line(MARGIN + 0.4, top, MARGIN + 0.4, bottom)
    pdf.set_y(bottom + 6)

    if document.subject.strip():
        pdf.set_font(FONT, "B", 10)
        subject = f"{translate('pdf.subject', document.lang)}: {_clean(document.subject)}"
        _block(pdf, CONTENT_WIDTH, 5.5, subject)
        pdf.ln(3)


def _lines_table(pdf: _DocumentPDF, document: _Document) -> None:
    lang = document.lang
    headings = (
        translate("pdf.description", lang),
        translate("pdf.quantity", lang),
        translate("pdf.unit_price", lang),
        translate("pdf.discount", lang),
        translate("pdf.tax_rate", lang),
        translate("pdf.amount", lang),
    )
    pdf.set_font(FONT, "", 9)
    with pdf.table(
        col_widths=LINE_COLUMNS,
        width=CONTENT_WIDTH,
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
        borders_layout="HORIZONTAL_LINES",
        headings_style=FontFace(emphasis="BOLD", fill_color=HEADING_FILL, color=ACCENT),
        line_height=4.5,
        padding=(1.2, 1.5, 1.2, 1.5),
        v_align="TOP",
        repeat_headings=1,
    ) as table:
        table.row(headings)
        for line in sorted(document.lines, key=lambda item: item.position):
            discount = Decimal(line.discount_pct or 0)
            table.row(
                (
                    _clean(line.description),
                    format_quantity(line.quantity, lang),
                    format_money(line.unit_price, lang),
                    format_percent(discount, lang) if discount else "",
                    format_percent(line.tax_rate, lang),
                    format_money(line.net_amount, lang),
                )
            )
    pdf.ln(5)


def _totals(pdf: _DocumentPDF, document: _Document) -> None:
    lang = document.lang
    breakdown = tax_breakdown(document.lines)
    height = max(len(breakdown) + 2, 4) * ROW + 4
    if pdf.will_page_break(height):
        pdf.add_page()
    top = pdf.get_y()

    # VAT breakdown by rate (left).
    columns = (38.0, 20.0, 32.0)
    pdf.set_font(FONT, "B", 8)
    pdf.set_text_color(*MUTED)
    pdf.cell(sum(columns), ROW, translate("pdf.tax_breakdown", lang).upper())
    pdf.ln(ROW)
    pdf.set_text_color(*ACCENT)
    pdf.set_fill_color(*HEADING_FILL)
    pdf.set_font(FONT, "B", 9)
    for width, key in zip(columns, ("pdf.tax_base", "pdf.rate", "pdf.tax_amount"), strict=True):
        pdf.cell(width, ROW, translate(key, lang), align="R", fill=True)
    pdf.ln(ROW)
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, "", 9)
    for rate, base, tax in breakdown:
        values = (format_money(base, lang), format_percent(rate, lang), format_money(tax, lang))
        for width, value in zip(columns, values, strict=True):
            pdf.cell(width, ROW, value, align="R", border="B")
        pdf.ln(ROW)
    left_bottom = pdf.get_y()

    # Totals (right).
    label_width, value_width = 38.0, 34.0
    x = pdf.w - pdf.r_margin - label_width - value_width
    pdf.set_xy(x, top + ROW)
    rows = (
        ("pdf.subtotal", document.subtotal, False),
        ("pdf.tax_total", document.tax_total, False),
        ("pdf.total", document.total, True),
    )
    for key, amount, strong in rows:
        pdf.set_x(x)
        if strong:
            pdf.line(x, pdf.get_y() + 0.5, x + label_width + value_width, pdf.get_y() + 0.5)
            pdf.set_font(FONT, "B", 12)
            height_row = ROW + 2
        else:
            pdf.set_font(FONT, "", 10)
            height_row = ROW
        pdf.cell(label_width, height_row, translate(key, lang), align="R")
        pdf.cell(value_width, height_row, format_money(amount or ZERO, lang), align="R")
        pdf.ln(height_row)
    pdf.set_y(max(left_bottom, pdf.get_y()) + 6)


def _section_title(pdf: _DocumentPDF, text: str, following_height: float) -> None:
    if pdf.will_page_break(ROW + following_height):
        pdf.add_page()
    pdf.set_font(FONT, "B", 10)
    pdf.set_text_color(*ACCENT)
    pdf.cell(CONTENT_WIDTH, ROW + 1, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)


def _payment(pdf: _DocumentPDF, document: _Document) -> None:
    if not document.payment:
        return
    _section_title(pdf, translate("pdf.payment", document.lang), 2 * ROW)
    pdf.set_font(FONT, "", 9)
    for text, link in document.payment:
        if link:
            pdf.set_text_color(*ACCENT)
            _block(pdf, CONTENT_WIDTH, 4.8, text, link=link)
            pdf.set_text_color(*INK)
        else:
            _block(pdf, CONTENT_WIDTH, 4.8, _clean(text))
    pdf.ln(4)


def _notes(pdf: _DocumentPDF, document: _Document) -> None:
    notes = _clean(document.notes)
    if not notes:
        return
    _section_title(pdf, translate("pdf.notes", document.lang), 2 * ROW)
    pdf.set_font(FONT, "", 9)
    _block(pdf, CONTENT_WIDTH, 4.5, notes)


# -- a technician's document as a PDF file -----------------------------------------
def _draft_invoice_view(session: Session, user: User, invoice: Invoice) -> Invoice:
    """A draft has no snapshots yet (they are taken when it is issued): its
    PDF preview shows the client and the business info as they are now,
    on a copy that is never saved."""
    from piano_emotion.domain import business
    from piano_emotion.domain.documents import full_address

    view = Invoice(**invoice.model_dump())
    client = get_owned(session, Client, invoice.client_id, user)
    view.client_name, view.client_tax_id = client.name, client.tax_id or ""
    view.client_email = client.email or ""
    view.client_address = full_address(
        client.address, client.postal_code, client.city, client.region
    )
    info = business.get_business_info(session, user)
    if info is not None:
        view.issuer_name, view.issuer_tax_id = info.business_name, info.tax_id
        view.issuer_address = full_address(info.address, info.postal_code, info.city, info.region)
        view.issuer_email, view.issuer_phone, view.issuer_iban = info.email, info.phone, info.iban
    return view


def invoice_pdf_file(
    session: Session, user: User, invoice_id: int, *, lang: str, payment_url: str | None
) -> tuple[str, bytes]:
    """``(filename, pdf)`` of one of the technician's invoices; ``NotFound`` otherwise."""
    from piano_emotion.domain.documents import stored_lines

    invoice = get_owned(session, Invoice, invoice_id, user)
    lines = stored_lines(session, invoice)
    view = _draft_invoice_view(session, user, invoice) if not invoice.number else invoice
    name = invoice.number or f"{translate('pdf.draft', lang)}-{invoice.id}"
    return f"{name}.pdf", render_invoice_pdf(view, lines, lang=lang, payment_url=payment_url)


def quote_pdf_file(session: Session, user: User, quote_id: int, *, lang: str) -> tuple[str, bytes]:
    """``(filename, pdf)`` of one of the technician's quotes; ``NotFound`` otherwise."""
    from piano_emotion.domain import business
    from piano_emotion.domain.documents import stored_lines

    quote = get_owned(session, Quote, quote_id, user)
    client = get_owned(session, Client, quote.client_id, user)
    issuer = business.get_business_info(session, user)
    pdf = render_quote_pdf(
        quote, stored_lines(session, quote), client=client, issuer=issuer, lang=lang
    )
    name = quote.number or f"{translate('pdf.draft', lang)}-{quote.id}"
    return f"{name}.pdf", pdf
