"""Many rows in one prepared statement.

A first sync writes tens of thousands of links and history rows. peewee's ``insert_many``/``bulk_update`` build
one large SQL text per batch (and SQLite compiles each afresh); here the statement text is built once per table
and the rows go through ``executemany``/``execute`` with the driver's statement cache. Values still pass through
each field's ``db_value`` (JSON, UTC datetimes, foreign keys), so what is stored is exactly what peewee stores.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import peewee as pw


def _insert_fields(model: type[pw.Model]) -> list[pw.Field]:
    return [f for f in model._meta.sorted_fields if not isinstance(f, pw.AutoField)]


def _default(field: pw.Field) -> Any:
    default = field.default
    return default() if callable(default) else default


def _row_values(fields: Sequence[pw.Field], row: dict[str, Any]) -> tuple[Any, ...]:
    values = []
    for f in fields:
        value = row[f.name] if f.name in row else _default(f)
        if isinstance(value, pw.Model):
            value = value.get_id()
        values.append(f.db_value(value))
    return tuple(values)


def _insert_sql(model: type[pw.Model], fields: Sequence[pw.Field]) -> str:
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    marks = ", ".join("?" for _ in fields)
    return f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES ({marks})'


def insert_rows(model: type[pw.Model], rows: Iterable[dict[str, Any]]) -> None:
    """Insert plain dicts keyed by field name (missing fields take their defaults)."""
    fields = _insert_fields(model)
    values = [_row_values(fields, row) for row in rows]
    if values:
        model._meta.database.cursor().executemany(_insert_sql(model, fields), values)


def insert_instances(instances: Sequence[pw.Model]) -> None:
    """Insert unsaved model instances and give each its new primary key."""
    if not instances:
        return
    model = type(instances[0])
    fields = _insert_fields(model)
    sql = _insert_sql(model, fields)
    cursor = model._meta.database.cursor()
    for instance in instances:
        cursor.execute(sql, _row_values(fields, instance.__data__))
        instance.__data__[model._meta.primary_key.name] = cursor.lastrowid
        instance._dirty.clear()


def update_instances(instances: Sequence[pw.Model], fields: Sequence[pw.Field]) -> None:
    """Write these fields of saved instances back, one prepared UPDATE for all."""
    if not instances:
        return
    model = type(instances[0])
    pk = model._meta.primary_key
    assignments = ", ".join(f'"{f.column_name}" = ?' for f in fields)
    sql = f'UPDATE "{model._meta.table_name}" SET {assignments} WHERE "{pk.column_name}" = ?'
    values = [tuple(f.db_value(instance.__data__.get(f.name)) for f in fields) + (instance.get_id(),)
              for instance in instances]
    model._meta.database.cursor().executemany(sql, values)
