"""A technician's whole account as one JSON document, and its restore.

The document
------------
``backup_account`` returns a JSON-serialisable dict::

    {"format": "piano-emotion-backup", "version": 1,
     "schema_revision": "<alembic head>", "exported_at": "<ISO, UTC>",
     "tables": {"clients": [{...}, ...], "pianos": [...], ...}}

``tables`` holds every row of the technician in every backed-up table (see
``BACKED_UP_TABLES``), in foreign-key order. Database ids are not written:
a row is known by its position (1, 2, 3…) in its table's list, rows being
listed in the order of their original ids, and every reference
(``client_id``, ``piano_id``, ``quote_id``… and the id-only link
``quotes.converted_invoice_id``) holds that position. ``technician_id`` is
left out (the restoring account owns everything). Decimals are strings,
dates and timestamps ISO 8601 (timestamps in UTC), enums their stored value.
Restoring inserts the rows in document order, so the new ids keep the same
order and a backup → restore into an empty account → backup gives the same
document again (``exported_at`` aside).

What is left out, and why (``EXCLUDED_TABLES``, ``SECRET_COLUMNS``)
------------------------------------------------------------------
- The account row (``users``): who may sign in (email, password hash,
  Clerk id, session version, calendar-feed token) is not business data and
  belongs to the account the backup is restored *into*.
- ``piano_photos``: the JSON carries no files, and a photo row is only a
  path under the upload directory; restoring one into another account
  would point that account at files it does not own.
- ``invoices.payment_token`` (the secret of the public payment link) is
  written as ``true``/``false`` (the invoice had a link or not) and a new
  unguessable token is generated on restore: a backup file never holds a
  working payment link, and restoring next to the original account never
  collides with its tokens.
- Platform tables (cache monitor, job runs, login attempts, Stripe event
  log, owner notifications) are not any technician's data.
- The alert sync's bookkeeping (``alert_sync_requests``,
  ``alert_sync_states``): derived, not data; a restore asks for a sync of
  every piano, which brings the restored alerts up to date.

A test fails when a table holding a technician's data (it has
``technician_id``, or references such a table or the account) is neither
backed up nor listed here with a reason.

Restore
-------
``restore_account`` only writes into an account without business data
(settings such as business info, alert thresholds and message templates may
exist: they are replaced by the document's), checks the whole document
before writing anything (format, version, every value, every reference),
then inserts everything in the caller's transaction. On any refusal nothing
is written: the checks raise before the first insert, and a refusal by the
database (a duplicated invoice number…) rolls the session back. The
caller commits; the technician's cached reads are invalidated on commit.
"""

from __future__ import annotations

import enum
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from piano_emotion.domain.alerts import request_alert_sync
from piano_emotion.domain.cached import COLLECTIONS, invalidate_on_commit
from piano_emotion.domain.errors import ValidationFailed
from piano_emotion.models import User, metadata
from piano_emotion.models.types import UtcDateTime, utcnow

FORMAT = "piano-emotion-backup"
VERSION = 1

# Every table of a technician's data that a backup carries.
BACKED_UP_TABLES: tuple[str, ...] = (
    "business_info",
    "maintenance_settings",
    "message_templates",
    "clients",
    "pianos",
    "service_rates",
    "inventory_items",
    "appointments",
    "services",
    "service_tasks",
    "service_materials",
    "stock_movements",
    "reminders",
    "maintenance_alerts",
    "quotes",
    "quote_lines",
    "invoices",
    "invoice_lines",
    "document_counters",
)
# Tables of the app's own bookkeeping: rows there are not business data.
BOOKKEEPING_TABLES = frozenset({"alert_sync_requests", "alert_sync_states"})
# Tables a backup leaves out on purpose (see the module docstring).
EXCLUDED_TABLES: dict[str, str] = {
    "users": "the account itself (sign-in identity and secrets), not business data; "
    "a backup is restored into an existing account",
    "piano_photos": "only a path to a file the JSON does not carry; restoring it into "
    "another account would point that account at files it does not own",
    "stripe_events": "platform log of processed Stripe webhooks (replay protection), "
    "keyed by Stripe's ids, not a technician's data",
    **dict.fromkeys(
        sorted(BOOKKEEPING_TABLES),
        "bookkeeping of the alert sync (which pianos to recompute, and when every piano "
        "last was), not data: a restore asks for a sync of every piano",
    ),
}
# Per-technician settings rows: an account that only has these is still
# "empty", and a restore replaces them with the document's.
SETTINGS_TABLES = frozenset({"business_info", "maintenance_settings", "message_templates"})
# Links by id that have no foreign key: (table, column) -> referenced table.
SOFT_REFERENCES: dict[tuple[str, str], str] = {("quotes", "converted_invoice_id"): "invoices"}


def _new_payment_token() -> str:
    return secrets.token_urlsafe(32)


# Secret columns: written as a flag (was it set?) and regenerated on restore.
SECRET_COLUMNS: dict[tuple[str, str], Callable[[], str]] = {
    ("invoices", "payment_token"): _new_payment_token,
}
# Columns never written (the restoring account supplies them).
SKIPPED_COLUMNS = frozenset({"id", "technician_id"})
TEXT_LIMIT_BYTES = 65_535  # MySQL TEXT

ERROR_INVALID_JSON = "error.backup_invalid_json"
ERROR_FORMAT = "error.backup_format_invalid"
ERROR_VERSION_NEWER = "error.backup_version_newer"
ERROR_REFERENCE = "error.backup_reference_broken"
ERROR_VALUE = "error.backup_value_invalid"
ERROR_NOT_EMPTY = "error.restore_account_not_empty"


@dataclass(frozen=True)
class RestoreSummary:
    """Rows restored per table (every backed-up table, zeros included)."""

    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _refused(key: str, **where: Any) -> ValidationFailed:
    return ValidationFailed({"backup": key}, **where)


# -- the tables and their columns ----------------------------------------------------
def tenant_table_names() -> set[str]:
    """Tables that hold a technician's data: those with ``technician_id`` and,
    transitively, those that reference them or the account."""
    found = {t.name for t in metadata.sorted_tables if "technician_id" in t.c}
    owners = found | {"users"}
    changed = True
    while changed:
        changed = False
        for table in metadata.sorted_tables:
            if table.name in found or table.name == "users":
                continue
            if any(fk.column.table.name in owners for fk in table.foreign_keys):
                found.add(table.name)
                owners.add(table.name)
                changed = True
    return found


def _ordered_tables() -> list[sa.Table]:
    """The backed-up tables in foreign-key order (parents first)."""
    return [t for t in metadata.sorted_tables if t.name in BACKED_UP_TABLES]


@dataclass(frozen=True)
class _ColumnSpec:
    column: sa.Column
    target: str | None = None  # referenced table (a reference column)
    soft: bool = False  # a reference without a foreign key
    secret: Callable[[], str] | None = None

    @property
    def name(self) -> str:
        return self.column.name


def _column_specs(table: sa.Table) -> list[_ColumnSpec]:
    specs = []
    for column in table.columns:
        if column.name in SKIPPED_COLUMNS:
            continue
        key = (table.name, column.name)
        targets = {fk.column.table.name for fk in column.foreign_keys}
        if targets:
            (target,) = targets
            specs.append(_ColumnSpec(column, target=target))
        elif key in SOFT_REFERENCES:
            specs.append(_ColumnSpec(column, target=SOFT_REFERENCES[key], soft=True))
        elif key in SECRET_COLUMNS:
            specs.append(_ColumnSpec(column, secret=SECRET_COLUMNS[key]))
        else:
            specs.append(_ColumnSpec(column))
    return specs


# -- backup ---------------------------------------------------------------------------
def _dump(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to a backup")


def backup_account(session: Session, user: User) -> dict[str, Any]:
    """Every row of ``user``'s data as a versioned, JSON-serialisable document."""
    from piano_emotion.migrations import head_revision

    session.flush()  # the caller's pending writes are part of the account
    conn = session.connection()
    tables = _ordered_tables()
    loaded: dict[str, list[sa.RowMapping]] = {}
    positions: dict[str, dict[int, int]] = {}
    for table in tables:
        rows = (
            conn.execute(
                sa.select(table).where(table.c.technician_id == user.id).order_by(table.c.id)
            )
            .mappings()
            .all()
        )
        loaded[table.name] = rows
        positions[table.name] = {row["id"]: n for n, row in enumerate(rows, start=1)}

    document_tables: dict[str, list[dict[str, Any]]] = {}
    for table in tables:
        specs = _column_specs(table)
        out = []
        for row in loaded[table.name]:
            item: dict[str, Any] = {}
            for spec in specs:
                value = row[spec.name]
                if spec.target is not None:
                    # Only this technician's rows are numbered: anything else
                    # (a dangling id-only link) is written as no link.
                    item[spec.name] = None if value is None else positions[spec.target].get(value)
                elif spec.secret is not None:
                    item[spec.name] = value is not None and value != ""
                else:
                    item[spec.name] = _dump(value)
            out.append(item)
        document_tables[table.name] = out
    return {
        "format": FORMAT,
        "version": VERSION,
        "schema_revision": head_revision(),
        "exported_at": utcnow().isoformat(),
        "tables": document_tables,
    }


def backup_json(session: Session, user: User) -> bytes:
    """``backup_account`` as UTF-8 JSON bytes (what the download gives)."""
    document = backup_account(session, user)
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# -- checking a document ------------------------------------------------------------------
class _Bad(Exception):
    """A value that does not fit its column (turned into ``ERROR_VALUE``)."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _load_value(column: sa.Column, value: Any) -> Any:
    """The Python value for ``column`` from a JSON value, or ``_Bad``."""
    kind = column.type
    if isinstance(kind, UtcDateTime):
        if not isinstance(value, str):
            raise _Bad
        try:
            moment = datetime.fromisoformat(value)
        except ValueError as exc:
            raise _Bad from exc
        if moment.tzinfo is None:
            raise _Bad
        return moment.astimezone(UTC)
    if isinstance(kind, sa.types.TypeDecorator):  # SQLModel's AutoString
        kind = kind.impl
    if isinstance(kind, sa.Enum):
        if not isinstance(value, str) or value not in kind.enums:
            raise _Bad
        return value
    if isinstance(kind, sa.Boolean):
        if not isinstance(value, bool):
            raise _Bad
        return value
    if isinstance(kind, sa.Integer):
        if not _is_int(value) or abs(value) >= 2**63:
            raise _Bad
        return value
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
        if not (isinstance(value, str) or _is_int(value)):
            raise _Bad
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise _Bad from exc
        if not number.is_finite():
            raise _Bad
        if kind.scale is not None:
            number = number.quantize(Decimal(1).scaleb(-kind.scale), rounding=ROUND_HALF_UP)
            if kind.precision is not None and abs(number) >= Decimal(10) ** (
                kind.precision - kind.scale
            ):
                raise _Bad
        return number
    if isinstance(kind, sa.Float):
        if not (isinstance(value, float) or _is_int(value)):
            raise _Bad
        return float(value)
    if isinstance(kind, sa.Date):
        if not isinstance(value, str) or len(value) != 10:
            raise _Bad
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise _Bad from exc
    if isinstance(kind, sa.String):  # String, Text (and their subclasses)
        if not isinstance(value, str):
            raise _Bad
        if kind.length is not None and len(value) > kind.length:
            raise _Bad
        if kind.length is None and len(value.encode("utf-8")) > TEXT_LIMIT_BYTES:
            raise _Bad
        return value
    raise TypeError(f"backup: no reader for {column.table.name}.{column.name} ({kind!r})")


def _missing_value(column: sa.Column) -> Any:
    """What a column the document leaves out gets (an older backup)."""
    default = column.default
    if default is not None and default.is_scalar:
        value = default.arg
        return value.value if isinstance(value, enum.Enum) else value
    if default is not None and default.is_callable:
        return default.arg(None)
    if column.nullable:
        return None
    raise _Bad


def _check_header(document: Any) -> dict[str, Any]:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _refused(ERROR_FORMAT)
    version = document.get("version")
    if not _is_int(version) or version < 1:
        raise _refused(ERROR_FORMAT)
    if version > VERSION:
        raise _refused(ERROR_VERSION_NEWER, version=version)
    tables = document.get("tables")
    if not isinstance(tables, dict):
        raise _refused(ERROR_FORMAT)
    unknown = set(tables) - set(BACKED_UP_TABLES)
    if unknown:
        raise _refused(ERROR_FORMAT, table=sorted(unknown)[0])
    for name, rows in tables.items():
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise _refused(ERROR_FORMAT, table=name)
    return tables


def _checked_rows(document: Any) -> dict[str, list[dict[str, Any]]]:
    """Every row of the document with Python values, references still as
    positions; ``ValidationFailed`` at the first problem."""
    tables = _check_header(document)
    sizes = {name: len(tables.get(name, [])) for name in BACKED_UP_TABLES}
    checked: dict[str, list[dict[str, Any]]] = {}
    for table in _ordered_tables():
        specs = _column_specs(table)
        names = {spec.name for spec in specs}
        out = []
        for number, row in enumerate(tables.get(table.name, []), start=1):
            where = {"table": table.name, "row": number}
            if set(row) - names:
                raise _refused(ERROR_FORMAT, column=sorted(set(row) - names)[0], **where)
            values: dict[str, Any] = {}
            for spec in specs:
                column = spec.column
                where["column"] = spec.name
                if spec.target is not None:
                    ref = row.get(spec.name)
                    if ref is None:
                        if not column.nullable:
                            raise _refused(ERROR_REFERENCE, **where)
                    elif not _is_int(ref) or not 1 <= ref <= sizes[spec.target]:
                        raise _refused(ERROR_REFERENCE, **where)
                    values[spec.name] = ref
                    continue
                if spec.secret is not None:
                    flag = row.get(spec.name, False)
                    if not isinstance(flag, bool) and flag is not None:
                        raise _refused(ERROR_VALUE, **where)
                    values[spec.name] = bool(flag)
                    continue
                try:
                    if spec.name not in row:
                        values[spec.name] = _missing_value(column)
                    elif row[spec.name] is None:
                        if not column.nullable:
                            raise _Bad
                        values[spec.name] = None
                    else:
                        values[spec.name] = _load_value(column, row[spec.name])
                except _Bad:
                    raise _refused(ERROR_VALUE, **where) from None
            out.append(values)
        checked[table.name] = out
    return checked


# -- restore ----------------------------------------------------------------------------
def _has_business_data(conn: sa.Connection, user: User) -> bool:
    for table in metadata.sorted_tables:
        if "technician_id" not in table.c or table.name in SETTINGS_TABLES | BOOKKEEPING_TABLES:
            continue
        found = conn.execute(
            sa.select(table.c.id).where(table.c.technician_id == user.id).limit(1)
        ).first()
        if found is not None:
            return True
    return False


def _insert(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` in order and return their new ids, in the same order."""
    if not rows:
        return []
    if conn.dialect.insert_executemany_returning_sort_by_parameter_order:
        result = conn.execute(
            table.insert().returning(table.c.id, sort_by_parameter_order=True), rows
        )
        return [row[0] for row in result]
    # No RETURNING (TiDB): one statement per row, reading its id back.
    return [conn.execute(table.insert(), row).inserted_primary_key[0] for row in rows]


def restore_account(session: Session, user: User, document: Any) -> RestoreSummary:
    """Write a backup document into ``user``'s account (see the module docstring).

    ``ValidationFailed`` (field ``backup``) when the document is not a backup
    (``error.backup_format_invalid``), comes from a newer app
    (``error.backup_version_newer``), links rows it does not contain
    (``error.backup_reference_broken``), holds a value that does not fit
    (``error.backup_value_invalid``), or when the account already has
    business data (``error.restore_account_not_empty``).
    """
    checked = _checked_rows(document)
    conn = session.connection()
    # Two restores of one account at once: the second waits, then finds data.
    users = User.__table__
    conn.execute(sa.select(users.c.id).where(users.c.id == user.id).with_for_update())
    if _has_business_data(conn, user):
        raise _refused(ERROR_NOT_EMPTY)

    tables = _ordered_tables()
    new_ids: dict[str, list[int]] = {}
    deferred: list[tuple[sa.Table, _ColumnSpec, int, int, datetime | None]] = []
    current = ""
    try:
        for name in sorted(SETTINGS_TABLES):
            table = metadata.tables[name]
            conn.execute(table.delete().where(table.c.technician_id == user.id))
        for table in tables:
            current = table.name
            specs = _column_specs(table)
            params = []
            for values in checked[table.name]:
                row = {"technician_id": user.id}
                for spec in specs:
                    value = values[spec.name]
                    if spec.secret is not None:
                        value = spec.secret() if value else None
                    elif spec.soft:
                        value = None  # set once every table is in (it may point ahead)
                    elif spec.target is not None and value is not None:
                        value = new_ids[spec.target][value - 1]
                    row[spec.name] = value
                params.append(row)
            new_ids[table.name] = ids = _insert(conn, table, params)
            for spec in specs:
                if spec.soft:
                    deferred += [
                        (table, spec, ids[n], values[spec.name], values.get("updated_at"))
                        for n, values in enumerate(checked[table.name])
                        if values[spec.name] is not None
                    ]
        for table, spec, row_id, ref, updated_at in deferred:
            current = table.name
            conn.execute(
                table.update()
                .where(table.c.id == row_id)
                # Kept as it was: this is the restore, not an edit.
                .values({spec.name: new_ids[spec.target][ref - 1], "updated_at": updated_at})
            )
    except (sa.exc.IntegrityError, sa.exc.DataError):
        # A row the database refuses (a duplicated invoice number, a failed
        # CHECK…): nothing of the restore may stay.
        session.rollback()
        raise _refused(ERROR_VALUE, table=current) from None

    # The restored alert rows are as they were on the backup's day.
    request_alert_sync(session, user)
    invalidate_on_commit(session, user, *sorted(COLLECTIONS))
    return RestoreSummary({t.name: len(new_ids[t.name]) for t in tables})


def restore_json(session: Session, user: User, raw: bytes) -> RestoreSummary:
    """``restore_account`` from the bytes of a backup file (bad JSON is refused)."""
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes | bytearray) else str(raw)
        document = json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _refused(ERROR_INVALID_JSON) from None
    return restore_account(session, user, document)
