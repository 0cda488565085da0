"""Plain SQL for the upsert's hot paths: key lookups and bulk inserts (COPY on PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection

# Below every backend's limit on query parameters (SQLite's old default is 999).
CHUNK = 900


def insert_rows(
    model: type, fields: list[str], rows: list[tuple], *, ignore_conflicts: bool = False
) -> None:
    """INSERT `rows` (values of `fields`, in order) with one executemany.

    Measured on a snapshot import, `bulk_create` spent about half the run compiling every value
    of every row through the ORM; here each column gets the one conversion its field needs
    (dates and JSON: the backend's own; text and numbers: none). Errors are Django's
    (IntegrityError, DataError), as from bulk_create, so `pipeline` still retries per item.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name) for name in fields]
    prepare = [(i, p) for i, field in enumerate(columns) if (p := _preparer(field)) is not None]
    if prepare:
        rows = [list(row) for row in rows]
        for row in rows:
            for i, convert in prepare:
                row[i] = convert(row[i])
    names = ", ".join(quote(field.column) for field in columns)
    table = quote(model._meta.db_table)
    if connection.vendor == "postgresql":
        _copy(table, names, rows, ignore_conflicts=ignore_conflicts)
        return
    marks = ", ".join(["%s"] * len(columns))
    conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks}){conflict}"
    with connection.cursor() as cursor:
        for chunk in chunks(rows):
            cursor.executemany(sql, chunk)


def _copy(table: str, names: str, rows: list[Any], *, ignore_conflicts: bool) -> None:
    """PostgreSQL: the rows go in with COPY.

    Its executemany runs one statement per row: measured, 2,000 authors took 81 ms that way and
    18 ms by COPY, and a snapshot import's time was mostly that. COPY cannot skip conflicts, so
    those rows are copied into a scratch table first, then inserted from it.
    """
    target = "dailypapers_upsert_rows" if ignore_conflicts else table
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if ignore_conflicts:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {target} ON COMMIT DROP AS "
                f"SELECT {names} FROM {table} WITH NO DATA"
            )
        with cursor.cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        if ignore_conflicts:
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT {names} FROM {target} ON CONFLICT DO NOTHING"
            )
            cursor.execute(f"DROP TABLE {target}")


def _preparer(field: Any) -> Any:
    """How a value goes to the database: None for text, numbers and keys (as they are)."""
    kind = field.get_internal_type()
    if kind in _AS_IS:
        return None
    if kind == "DateTimeField":
        # Our times are aware already (sources parse them so): only the backend's adaptation,
        # once per distinct time (a batch's created/modified times are all one).
        adapted: dict[Any, Any] = {None: None}
        adapt = connection.ops.adapt_datetimefield_value
        return lambda value: (
            adapted[value] if value in adapted else adapted.setdefault(value, adapt(value))
        )
    empty = field.get_db_prep_save([], connection) if kind == "JSONField" else None
    return lambda value: empty if value == [] else field.get_db_prep_save(value, connection)


_AS_IS = {
    "CharField",
    "TextField",
    "URLField",
    "SlugField",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "BigIntegerField",
    "ForeignKey",
    "BooleanField",
}


def chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def ids(model: type, field: str, values: Iterable[Any]) -> Iterator[tuple[Any, int]]:
    """(value, primary key) of the rows whose `field` is in `values`, a chunk at a time.

    Plain SQL: the ORM prepares each value of a long IN list one by one (measured: about
    5 ms per 900 names, a tenth of a snapshot batch's time), and these are text keys."""
    quote = connection.ops.quote_name
    column = quote(model._meta.get_field(field).column)
    select = f"SELECT {column}, {quote(model._meta.pk.column)} FROM {quote(model._meta.db_table)}"
    with connection.cursor() as cursor:
        for chunk in chunks(values):
            cursor.execute(f"{select} WHERE {column} IN ({', '.join(['%s'] * len(chunk))})", chunk)
            yield from cursor.fetchall()


def in_chunks(queryset: Any, field: str, values: Iterable[Any], *columns: str) -> Iterator[Any]:
    """Rows whose `field` is in `values` (as tuples of `columns` if given), a chunk at a time."""
    for chunk in chunks(values):
        rows = queryset.filter(**{f"{field}__in": chunk})
        yield from rows.values_list(*columns) if columns else rows
