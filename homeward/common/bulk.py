"""New rows of several tables written by one statement (issue 11).

Each `Rows` is what `bulk_create` would write (optionally as an upsert); on PostgreSQL they go
in one statement, each table's INSERT a data-modifying CTE, instead of one round trip and one
statement each. The rows get their primary keys as `bulk_create` gives them. Elsewhere (SQLite)
each is a `bulk_create`, which stays correct, not fast."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, router, transaction
from django.db.models import AutoField, Model
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery


@dataclass(frozen=True)
class Rows:
    """Unsaved instances of one model; with `update_fields`, an upsert on `unique_fields`."""

    objs: Sequence[Model]
    unique_fields: Sequence[str] = ()
    update_fields: Sequence[str] = ()


def _bulk_create(rows: Rows) -> None:
    model = type(rows.objs[0])
    if rows.update_fields:
        model._default_manager.bulk_create(rows.objs, update_conflicts=True, unique_fields=rows.unique_fields,
                                           update_fields=rows.update_fields)
    else:
        model._default_manager.bulk_create(rows.objs)


def insert_sql(rows: Rows, connection: Any) -> tuple[str, tuple[Any, ...]]:
    """The INSERT of `rows` (all with their primary key set, or none), returning their keys in
    their order, for a statement to wrap; what `bulk_create` would send."""
    model = type(rows.objs[0])
    opts = model._meta
    for obj in rows.objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
    update = [opts.get_field(name) for name in rows.update_fields]
    unique = [opts.get_field(name) for name in rows.unique_fields]
    query = InsertQuery(model, on_conflict=OnConflict.UPDATE if update else None, update_fields=update or None,
                        unique_fields=unique or None)
    with_pk = rows.objs[0].pk is not None
    query.insert_values([f for f in opts.concrete_fields
                         if not f.generated and (with_pk or not isinstance(f, AutoField))], list(rows.objs), raw=False)
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [opts.pk]
    [(sql, params)] = compiler.as_sql()
    return sql, tuple(params)


def insert_together(*groups: Rows) -> None:
    """Insert every group's rows, in one statement on PostgreSQL. Rows must not have their
    primary key set, and their models must return nothing but it (no database defaults)."""
    groups = tuple(group for group in groups if group.objs)
    if not groups:
        return
    alias = router.db_for_write(type(groups[0].objs[0]))
    connection = connections[alias]
    simple = all(type(group.objs[0])._meta.db_returning_fields == [type(group.objs[0])._meta.pk]
                 and all(obj.pk is None for obj in group.objs) for group in groups)
    if connection.vendor != "postgresql" or len(groups) == 1 or not simple:
        with transaction.atomic(using=alias, savepoint=False):
            for group in groups:
                _bulk_create(group)
        return
    parts: list[str] = []
    params: list[Any] = []
    selects: list[str] = []
    for number, group in enumerate(groups):
        sql, group_params = insert_sql(group, connection)
        parts.append(f"r{number} AS ({sql})")
        params.extend(group_params)
        selects.append(f"SELECT {number}, id FROM r{number}")  # noqa: S608 - our own numbers
    # An INSERT's RETURNING gives its rows in the order of its VALUES (as bulk_create relies on).
    statement = f"WITH {', '.join(parts)} {' UNION ALL '.join(selects)}"
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        returned = cursor.fetchall()
    ids: list[list[int]] = [[] for _ in groups]
    for number, pk in returned:
        ids[number].append(pk)
    for group, group_ids in zip(groups, ids, strict=True):
        inserted(group.objs, group_ids, alias)


def inserted(objs: Sequence[Model], ids: Sequence[Any], alias: str) -> None:
    """The instances as `bulk_create` leaves them: saved, with the keys the database gave."""
    if len(ids) != len(objs):
        raise RuntimeError(f"{len(objs)} rows inserted, {len(ids)} keys returned")
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = alias
