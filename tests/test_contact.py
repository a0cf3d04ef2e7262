"""Phone numbers for tel: and WhatsApp links (DOMAIN.md normalisation)."""

from __future__ import annotations

import pytest

from piano_emotion.domain.contact import normalise_phone, tel_url, whatsapp_url


@pytest.mark.parametrize(
    ("phone", "digits"),
    [
        ("612345678", "34612345678"),
        ("612 34 56 78", "34612345678"),
        ("912-345-678", "34912345678"),
        ("712345678", "34712345678"),
        ("812345678", "34812345678"),
        ("+34 612 345 678", "34612345678"),
        ("0034612345678", "34612345678"),
        ("+44 20 7946 0958", "442079460958"),
        ("512345678", None),  # 9 digits but not a Spanish mobile/landline prefix
        ("", None),
        ("abc", None),
        ("12", None),
    ],
)
def test_normalise_phone(phone, digits):
    assert normalise_phone(phone) == digits


def test_whatsapp_url_with_text_is_encoded():
    url = whatsapp_url("612345678", "Hola María, ¿afinamos el piano?")
    assert url == (
        "https://wa.me/34612345678?text=Hola%20Mar%C3%ADa%2C%20%C2%BFafinamos%20el%20piano%3F"
    )
    assert whatsapp_url("612345678") == "https://wa.me/34612345678"
    assert whatsapp_url("") is None


def test_tel_url():
    assert tel_url("612 345 678") == "tel:+34612345678"
    assert tel_url("") is None
