"""New rows of several tables written by one statement (issue 11).

Each `Rows` is what `bulk_create` would write (optionally as an upsert); on PostgreSQL they go
in one statement, each table's INSERT a data-modifying CTE, instead of one round trip and one
statement each. The rows get their primary keys as `bulk_create` gives them. `Documents` are
rows given as their JSON, for many that nobody reads back. Elsewhere (SQLite) each is a
`bulk_create`, which stays correct, not fast."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models, router, transaction
from django.db.models import AutoField, Model
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery
from django.utils import timezone

from .prepared import prepared_cursor


@dataclass(frozen=True)
class Rows:
    """Unsaved instances of one model; with `update_fields`, an upsert on `unique_fields`."""

    objs: Sequence[Model]
    unique_fields: Sequence[str] = ()
    update_fields: Sequence[str] = ()


@dataclass(frozen=True)
class Documents:
    """New rows of `model` given as each row's JSON (every column but the key, by column name: a
    time in ISO 8601, a choice as its value, what `_plain_insert_sql` makes of an instance), for
    rows nobody reads back: no instances are built and no keys given back (a report's fifteen
    planned obligations, issue 11). Only for a model whose fields are all plain."""

    model: type[Model]
    rows: Sequence[dict[str, Any]]

    def instances(self) -> list[Model]:
        """The rows as unsaved instances (where they go through `bulk_create`): a time given in
        ISO 8601 is read by its field as it is saved."""
        names = {str(f.column): f.attname for f in self.model._meta.concrete_fields}
        return [self.model(**{names[column]: value for column, value in row.items()}) for row in self.rows]


Group = Rows | Documents


def _model(group: Group) -> type[Model]:
    return group.model if isinstance(group, Documents) else type(group.objs[0])


def _bulk_create(group: Group) -> None:
    if isinstance(group, Documents):
        group.model._default_manager.bulk_create(group.instances())
        return
    rows = group
    model = type(rows.objs[0])
    if rows.update_fields:
        model._default_manager.bulk_create(rows.objs, update_conflicts=True, unique_fields=rows.unique_fields,
                                           update_fields=rows.update_fields)
    else:
        model._default_manager.bulk_create(rows.objs)


# The fields whose values a row's JSON carries as they are held (a choice as its value, a time
# in ISO 8601), PostgreSQL reading each as its column's type: what their get_db_prep_save would
# store for the values a service sets. Rows of a model with any other field go through Django's
# compiler.
_PLAIN_FIELDS = frozenset({
    models.AutoField, models.BigAutoField, models.ForeignKey, models.OneToOneField, models.CharField,
    models.SlugField, models.EmailField, models.TextField, models.BooleanField, models.IntegerField,
    models.PositiveIntegerField, models.BigIntegerField, models.DateTimeField, models.DateField, models.JSONField})


class _NotPlain(Exception):
    """A value the JSON of a row cannot carry as Django would store it (a JSON null)."""


def _column(opts: Any, name: str) -> str:
    return str(opts.get_field(name).column)


def _text(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    return value if value is None or isinstance(value, str) else str(value)


def _moment(value: Any) -> Any:
    if isinstance(value, datetime):
        # A naive time as Django would store it (with a warning): in the current time zone.
        return (timezone.make_aware(value) if timezone.is_naive(value) else value).isoformat()
    return value.isoformat() if isinstance(value, date) else value


def _getter(field: Any) -> Callable[[Model], Any]:
    name = field.attname
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda obj: _moment(field.pre_save(obj, add=True))
    if isinstance(field, models.DateField):  # and DateTimeField
        return lambda obj: _moment(getattr(obj, name))
    if isinstance(field, models.JSONField):
        def document(obj: Model) -> Any:
            value = getattr(obj, name)
            if value is None:
                raise _NotPlain(name)
            return value if field.encoder is None else json.loads(json.dumps(value, cls=field.encoder))
        return document
    if isinstance(field, models.CharField | models.TextField):
        return lambda obj: _text(getattr(obj, name))
    return lambda obj: getattr(obj, name)


@dataclass(frozen=True)
class _Plan:
    columns: tuple[str, ...]
    getters: tuple[Callable[[Model], Any], ...]
    head: str


def _quoted(name: str) -> str:
    """A name quoted as PostgreSQL's (the plan is for it alone)."""
    return name if name.startswith('"') else f'"{name}"'


@cache
def _plan(model: type[Model], with_pk: bool) -> _Plan | None:
    q = _quoted
    fields = [f for f in model._meta.concrete_fields if not f.generated and (with_pk or not isinstance(f, AutoField))]
    if not all(type(f) in _PLAIN_FIELDS for f in fields):
        return None
    columns = tuple(str(f.column) for f in fields)
    names = ", ".join(q(c) for c in columns)
    table = q(model._meta.db_table)
    head = (f"INSERT INTO {table} ({names}) SELECT {names} "  # noqa: S608 - names from the model
            f"FROM jsonb_populate_recordset(NULL::{table}, %s::jsonb) AS r")
    return _Plan(columns, tuple(_getter(f) for f in fields), head)


def _plain_insert_sql(rows: Rows, connection: Any, plan: _Plan) -> tuple[str, list[Any]]:
    """The INSERT with the rows as one JSON document (PostgreSQL), without Django's preparing
    each value through its field or psycopg's quoting each (most of what a row of twenty
    columns cost, issue 11). The rows are inserted, and their keys returned, in their order."""
    q = connection.ops.quote_name
    opts = type(rows.objs[0])._meta
    document = [dict(zip(plan.columns, (get(obj) for get in plan.getters), strict=True)) for obj in rows.objs]
    sql = plan.head
    if rows.update_fields:
        unique = ", ".join(q(_column(opts, name)) for name in rows.unique_fields)
        update = ", ".join(f"{q(c)} = EXCLUDED.{q(c)}" for c in (_column(opts, n) for n in rows.update_fields))
        sql += f" ON CONFLICT({unique}) DO UPDATE SET {update}"
    return f"{sql} RETURNING {q(opts.db_table)}.{q(str(opts.pk.column))}", [json.dumps(document)]


def _documents_insert_sql(group: Documents, connection: Any) -> tuple[str, tuple[Any, ...]]:
    plan = _plan(group.model, False)
    if plan is None:
        raise TypeError(f"{group.model.__name__} has a field a row's JSON cannot carry: give instances")
    if set(group.rows[0]) != set(plan.columns):
        # A column left out would be NULL, not the field's default.
        raise ValueError(f"{group.model.__name__}: a row gives {sorted(group.rows[0])}, not {sorted(plan.columns)}")
    q = connection.ops.quote_name
    opts = group.model._meta
    return f"{plan.head} RETURNING {q(opts.db_table)}.{q(str(opts.pk.column))}", (json.dumps(group.rows),)


def insert_sql(rows: Group, connection: Any) -> tuple[str, tuple[Any, ...]]:
    """The INSERT of `rows` (all with their primary key set, or none), returning their keys in
    their order, for a statement to wrap; what `bulk_create` would send."""
    if isinstance(rows, Documents):
        return _documents_insert_sql(rows, connection)
    model = type(rows.objs[0])
    opts = model._meta
    for obj in rows.objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
    with_pk = rows.objs[0].pk is not None
    fields = [f for f in opts.concrete_fields if not f.generated and (with_pk or not isinstance(f, AutoField))]
    plan = _plan(model, with_pk) if connection.vendor == "postgresql" else None
    if plan is not None:
        try:
            sql, plain_params = _plain_insert_sql(rows, connection, plan)
            return sql, tuple(plain_params)
        except _NotPlain:
            pass
    update = [opts.get_field(name) for name in rows.update_fields]
    unique = [opts.get_field(name) for name in rows.unique_fields]
    query = InsertQuery(model, on_conflict=OnConflict.UPDATE if update else None, update_fields=update or None,
                        unique_fields=unique or None)
    query.insert_values(fields, list(rows.objs), raw=False)
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [opts.pk]
    [(sql, params)] = compiler.as_sql()
    return sql, tuple(params)


@dataclass(frozen=True)
class Written:
    """Rows a caller writes by SQL of its own inside the statement `insert_together` sends
    (PostgreSQL): its common tables in order (name and data-modifying statement), their
    parameters in that order, the common table whose `id`s are the rows' keys, and what to do
    with those keys (in the order it returned them)."""

    ctes: Sequence[tuple[str, str]]
    params: Sequence[Any]
    keys_from: str
    done: Callable[[list[int]], None]


def _simple(group: Group) -> bool:
    """Rows one statement may write: none with its key set, of a model returning its key alone."""
    if isinstance(group, Documents):
        return True
    model = type(group.objs[0])
    return model._meta.db_returning_fields == [model._meta.pk] and all(obj.pk is None for obj in group.objs)


def insert_together(*groups: Group, written: Written | None = None) -> None:
    """Insert every group's rows, in one statement on PostgreSQL (without Django's preparing
    each value when every field is plain), with the caller's own `written` rows when given (on
    PostgreSQL only). Rows with their primary key set, or of a model that returns more than its
    key (a database default), go through bulk_create (before the statement, with `written`)."""
    groups = tuple(group for group in groups if (group.rows if isinstance(group, Documents) else group.objs))
    if written is not None:
        others = [group for group in groups if not _simple(group)]
        if others:
            insert_together(*others)
        _one_statement([group for group in groups if _simple(group)], connections[DEFAULT_DB_ALIAS], written)
        return
    if not groups:
        return
    alias = router.db_for_write(_model(groups[0]))
    connection = connections[alias]
    if connection.vendor != "postgresql" or not all(_simple(group) for group in groups):
        with transaction.atomic(using=alias, savepoint=False):
            for group in groups:
                _bulk_create(group)
        return
    if len(groups) == 1:
        sql, one_params = insert_sql(groups[0], connection)
        with prepared_cursor(alias) as cursor:
            cursor.execute(sql, one_params)
            keys = [row[0] for row in cursor.fetchall()]
        if isinstance(groups[0], Rows):
            inserted(groups[0].objs, keys, alias)
        return
    _one_statement(list(groups), connection, None)


def _one_statement(groups: list[Group], connection: Any, written: Written | None) -> None:
    """The groups' rows (and the caller's `written` ones), each a data-modifying common table of
    one statement (PostgreSQL), and the keys returned given to their rows."""
    parts = [f"{name} AS ({sql})" for name, sql in written.ctes] if written is not None else []
    params: list[Any] = list(written.params) if written is not None else []
    selects = [f"SELECT -1, id FROM {written.keys_from}"] if written is not None else []  # noqa: S608 - the caller's name
    for number, group in enumerate(groups):
        sql, group_params = insert_sql(group, connection)
        parts.append(f"r{number} AS ({sql})")
        params.extend(group_params)
        selects.append(f"SELECT {number}, id FROM r{number}")  # noqa: S608 - our own numbers
    # An INSERT's RETURNING gives its rows in the order of its VALUES (as bulk_create relies on).
    # The same kinds of rows come together again and again (a report's): prepared.
    with prepared_cursor(connection.alias) as cursor:
        cursor.execute(f"WITH {', '.join(parts)} {' UNION ALL '.join(selects)}", params)
        returned = cursor.fetchall()
    ids: list[list[int]] = [[] for _ in groups]
    own: list[int] = []
    for number, pk in returned:
        (own if number == -1 else ids[number]).append(pk)
    if written is not None:
        written.done(own)
    for group, group_ids in zip(groups, ids, strict=True):
        if isinstance(group, Rows):
            inserted(group.objs, group_ids, connection.alias)


def inserted(objs: Sequence[Model], ids: Sequence[Any], alias: str) -> None:
    """The instances as `bulk_create` leaves them: saved, with the keys the database gave."""
    if len(ids) != len(objs):
        raise RuntimeError(f"{len(objs)} rows inserted, {len(ids)} keys returned")
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = alias

