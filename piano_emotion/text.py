"""Text helpers shared by the domain layer (search keys, slugs)."""

from __future__ import annotations

import unicodedata
from typing import Any


def normalise_search_text(*parts: Any) -> str:
    """Lower-case, accent-free text of ``parts`` joined by single spaces.

    What the ``search_text`` columns store and what a search term is turned
    into before comparing, so that "garcia" finds "García" and "MUÑOZ" finds
    "Muñoz". Empty and ``None`` parts are skipped.
    """
    joined = " ".join(str(part) for part in parts if part is not None and str(part) != "")
    # Casefold first (it can produce combining marks, e.g. "İ"), then split
    # letters from their accents and drop the accents.
    decomposed = unicodedata.normalize("NFKD", joined.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.split())
