"""Contact links: phone numbers for ``tel:`` and WhatsApp (``wa.me``)."""

from __future__ import annotations

import re
from urllib.parse import quote

SPAIN_PREFIX = "34"


def normalise_phone(phone: str) -> str | None:
    """Digits with country code, as ``wa.me`` wants them, or None.

    Spanish 9-digit numbers starting with 6–9 get ``34`` prepended (DOMAIN.md);
    ``+`` and ``00`` prefixes are international already.
    """
    raw = (phone or "").strip()
    if not raw:
        return None
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+"):
        pass
    elif digits.startswith("00"):
        digits = digits[2:]
    elif len(digits) == 9:
        if digits[0] not in "6789":
            return None  # not a Spanish phone, and no country code to go on
        digits = SPAIN_PREFIX + digits
    if not 8 <= len(digits) <= 15:
        return None
    return digits


def whatsapp_url(phone: str, text: str = "") -> str | None:
    digits = normalise_phone(phone)
    if digits is None:
        return None
    url = f"https://wa.me/{digits}"
    return f"{url}?text={quote(text)}" if text else url


def tel_url(phone: str) -> str | None:
    digits = normalise_phone(phone)
    return f"tel:+{digits}" if digits else None
