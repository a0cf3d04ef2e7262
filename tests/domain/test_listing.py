"""A list served from a cached directory filters it as SQL would (``listing``)."""

from __future__ import annotations

from piano_emotion.domain.listing import filter_directory, search_words

DIRECTORY = [
    {"id": 1, "_search": "ana garcia lopez madrid", "archived": False, "city": "Madrid"},
    {"id": 2, "_search": "jose garcia ruiz sevilla", "archived": True, "city": "Sevilla"},
    {"id": 3, "_search": "marta lopez garcia madrid", "archived": False, "city": "Madrid"},
    {"id": 4, "_search": "luis perez madrid", "archived": False, "city": "Madrid"},
]


def ids(rows):
    return [row["id"] for row in rows]


def test_every_word_must_appear_accent_and_case_free():
    words = search_words("GARCÍA López")
    assert ids(filter_directory(DIRECTORY, "all", words, {})) == [1, 3]


def test_archived_rows_follow_the_archive_filter():
    words = search_words("garcia")
    assert ids(filter_directory(DIRECTORY, "active", words, {})) == [1, 3]
    assert ids(filter_directory(DIRECTORY, "archived", words, {})) == [2]
    assert ids(filter_directory(DIRECTORY, "all", words, {})) == [1, 2, 3]


def test_equal_filters_combine_with_the_search():
    assert ids(filter_directory(DIRECTORY, "active", [], {"city": "Madrid"})) == [1, 3, 4]
    assert ids(filter_directory(DIRECTORY, "all", search_words("garcia"), {"city": "Sevilla"})) == [
        2
    ]
    assert filter_directory(DIRECTORY, "active", search_words("garcia"), {"city": "Sevilla"}) == []


def test_the_shared_directory_is_never_the_list_returned():
    # The caller sorts and pages what it gets; the directory is shared by every read.
    before = list(DIRECTORY)
    for archive in ("all", "active"):
        rows = filter_directory(DIRECTORY, archive, [], {})
        assert rows is not DIRECTORY
        rows.sort(key=lambda row: -row["id"])
    assert before == DIRECTORY
