from piano_emotion.text import normalise_search_text


def test_accents_and_case_are_dropped():
    assert normalise_search_text("José García MUÑOZ") == "jose garcia munoz"
    assert normalise_search_text("Bösendorfer", "Çà", "Îñigo") == "bosendorfer ca inigo"


def test_parts_are_joined_and_spaces_collapsed():
    assert normalise_search_text("  Steinway &  Sons ", "", None, 612345678) == (
        "steinway & sons 612345678"
    )
    assert normalise_search_text() == ""
    assert normalise_search_text(None, "") == ""


def test_casefold_and_compatibility_forms():
    # ß folds to ss, ligatures and full-width letters decompose, dotted İ loses its dot.
    assert normalise_search_text("Straße", "ﬁno", "Ｙａｍａｈａ", "İzmir") == (
        "strasse fino yamaha izmir"
    )


def test_a_search_term_matches_the_stored_text():
    stored = normalise_search_text("María Martínez Núñez", "maria@example.com", "Málaga")
    assert normalise_search_text("martinez") in stored
    assert normalise_search_text("NÚÑEZ") in stored
    assert normalise_search_text("malaga") in stored
