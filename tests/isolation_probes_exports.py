"""Probes of domain.exports and domain.backup (see tests/isolation.py): B's
exports and backups hold nothing of A's, filtering by A's ids finds nothing,
and a restore only ever writes into the restoring account."""

from __future__ import annotations

import json

from piano_emotion.domain import backup, exports
from piano_emotion.domain.errors import ValidationFailed
from tests.factories import make_technician
from tests.isolation import assert_no_trace_of, probe

# What populate() writes for technician A that B's rows never contain.
A_MARKERS = ("Cliente A García", "SER-A-1", "Cuerda A", "Pianos A SL", "Llamar A", "Hola A")


def _no_trace_of_a(result, a):
    assert_no_trace_of(result, a)
    text = repr(result)
    for marker in A_MARKERS:
        assert marker not in text, f"{marker!r} of the other technician leaked"


def _only_b_rows(table, a):
    assert table.rows, "B's own rows are exported"
    _no_trace_of_a(table, a)


def _nothing(table, a):
    assert table.rows == []


def _export_all(entity):
    def call(session, b, a):
        return exports.export_table(session, b, entity, "es")

    return call


for _entity in exports.EXPORTABLE:
    probe("exports.export_table", expect=_only_b_rows)(_export_all(_entity))


@probe("exports.export_table", expect=_nothing)
def _export_pianos_of_a_client(session, b, a):
    return exports.export_table(session, b, "pianos", "en", {"client_id": a.ids["client"]})


@probe("exports.export_table", expect=_nothing)
def _export_services_of_a_piano(session, b, a):
    return exports.export_table(session, b, "services", "es", {"piano_id": a.ids["piano"]})


@probe("exports.export_table", expect=_nothing)
def _export_invoices_of_a_client(session, b, a):
    return exports.export_table(session, b, "invoices", "es", {"client_id": a.ids["client"]})


@probe("exports.export_table", expect=_no_trace_of_a)
def _export_searching_a_name(session, b, a):
    # "a" is also in B's "García": only B's client may come out.
    return exports.export_table(session, b, "clients", "es", {"search": "Cliente A"})


# -- backup -----------------------------------------------------------------------
def _b_document(document, a):
    _no_trace_of_a(document, a)
    for name, rows in document["tables"].items():
        assert all("technician_id" not in row and "id" not in row for row in rows), name
    assert len(document["tables"]["clients"]) == 1


@probe("backup.backup_account", expect=_b_document)
def _backup(session, b, a):
    return backup.backup_account(session, b)


@probe("backup.backup_json", expect=_b_document)
def _backup_json(session, b, a):
    return json.loads(backup.backup_json(session, b))


def _restored_into_fresh_account(result, a):
    summary, document = result
    assert summary.counts["clients"] == 1
    _b_document(document, a)


@probe("backup.restore_account", expect=_restored_into_fresh_account)
def _restore_into_empty_account(session, b, a):
    # B's backup restored into a new, empty account: only B's rows travel.
    fresh = make_technician(session, "Cuenta Nueva")
    summary = backup.restore_account(session, fresh, backup.backup_account(session, b))
    return summary, backup.backup_account(session, fresh)


def _refused(expected_key):
    def check(result, a):
        assert result == expected_key

    return check


@probe("backup.restore_account", expect=_refused("error.restore_account_not_empty"))
def _restore_over_own_data(session, b, a):
    try:
        backup.restore_account(session, b, backup.backup_account(session, b))
    except ValidationFailed as refused:
        return refused.fields["backup"]
    return "written"


@probe("backup.restore_json", expect=_refused("error.backup_reference_broken"))
def _restore_document_pointing_at_a_rows(session, b, a):
    # A document whose references are A's real ids is refused before any write.
    fresh = make_technician(session, "Cuenta Vacía")
    document = backup.backup_account(session, b)
    document["tables"]["pianos"][0]["client_id"] = a.ids["client"] + 1000
    try:
        backup.restore_json(session, fresh, json.dumps(document).encode())
    except ValidationFailed as refused:
        return refused.fields["backup"]
    return "written"
