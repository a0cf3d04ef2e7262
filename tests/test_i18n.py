"""The translation catalogue is complete and pages use it for every text."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from piano_emotion.models import enums
from piano_emotion.ui.i18n import CATALOGUE, ENUM_LABELS, enum_label, tr, translate
from piano_emotion.ui.routes import SECTIONS

UI_DIR = Path(__file__).resolve().parents[1] / "piano_emotion" / "ui"
# Components whose first argument is text a user reads.
TEXT_COMPONENTS = {
    "text",
    "heading",
    "button",
    "badge",
    "link",
    "callout",
    "tooltip",
    "alert_dialog.title",
    "dialog.title",
}


def test_every_key_has_spanish_and_english():
    for key, (spanish, english) in CATALOGUE.items():
        assert spanish.strip(), key
        assert english.strip(), key


def test_translate_defaults_to_spanish_and_formats_parameters(monkeypatch):
    assert translate("nav.clients") == "Clientes"
    assert translate("nav.clients", "en") == "Clients"
    assert translate("nav.clients", "fr") == "Clientes"
    monkeypatch.setitem(CATALOGUE, "test.greeting", ("Hola {name}", "Hello {name}"))
    assert translate("test.greeting", "en", name="Ana") == "Hello Ana"


def test_unknown_key_is_an_error_not_a_blank():
    with pytest.raises(KeyError):
        translate("nav.nothing")
    with pytest.raises(KeyError):
        tr("nav.nothing")


def test_every_section_has_a_label():
    for section in SECTIONS:
        assert section.label_key in CATALOGUE


def test_every_enum_value_has_labels_in_both_languages():
    for name, labels in ENUM_LABELS.items():
        enum_cls = getattr(enums, name)
        assert set(labels) == {member.value for member in enum_cls}, name
        for spanish, english in labels.values():
            assert spanish and english
    assert enum_label(enums.ServiceType.TUNING) == "Afinación"
    assert enum_label(enums.InvoiceStatus.PAID, "en") == "Paid"
    assert enum_label("grand", "es", enum_name="PianoCategory") == "De cola"


def _literal_text_calls(path: Path) -> list[str]:
    found = []
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        parts = []
        while isinstance(func, ast.Attribute):
            parts.insert(0, func.attr)
            func = func.value
        if not (isinstance(func, ast.Name) and func.id == "rx"):
            continue
        name = ".".join(parts)
        first = node.args[0]
        if (
            name in TEXT_COMPONENTS
            and isinstance(first, ast.Constant)
            and isinstance(first.value, str)
            and first.value.strip()
        ):
            found.append(f"{path.name}:{node.lineno} rx.{name}({first.value!r})")
    return found


def test_no_literal_ui_strings_in_pages_and_components():
    offenders = []
    for path in UI_DIR.rglob("*.py"):
        offenders += _literal_text_calls(path)
    assert offenders == []
