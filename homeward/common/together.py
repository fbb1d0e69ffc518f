"""Several reads sent to the database in one round trip (issue 11).

A page such as an episode's reads twenty kinds of rows, a few each, by the episode's id: each
statement cost a round trip and its wait more than its own work. On PostgreSQL (psycopg's
client-side binding, Django's default) one execute may carry several statements, whose answers
are then read in turn; each queryset's answer is made into what `list(queryset)` gives (model
instances with their select_related rows, values, flat values) by Django's own iterables.
Elsewhere (SQLite) each queryset is read by itself."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import Model, QuerySet


def _together(alias: str) -> bool:
    connection = connections[alias]
    return connection.vendor == "postgresql" and not connection.settings_dict["OPTIONS"].get("server_side_binding")


def statements_together(statements: Sequence[tuple[str, Sequence[Any]]], *, using: str = "default") -> list[list[Any]]:
    """Each statement's rows (as cursor.fetchall() gives them), the statements sent in one
    round trip where the database allows, else one by one."""
    answers: list[list[Any]] = []
    if not statements:
        return answers
    with connections[using].cursor() as cursor:
        if len(statements) == 1 or not _together(using):
            for sql, params in statements:
                cursor.execute(sql, list(params))
                answers.append(cursor.fetchall())
            return answers
        cursor.execute("; ".join(sql for sql, _ in statements), [value for _, params in statements for value in params])
        for number in range(len(statements)):
            if number and not cursor.nextset():
                raise RuntimeError(f"{len(statements)} statements sent, {number} answers read")
            answers.append(cursor.fetchall())
    return answers


@dataclass(frozen=True)
class ByKey:
    """The rows of `model` whose `lookup` (a field or a path, `interview__episode_id`) is the
    integer `value` and whose `fixed` lookups have their constant values, as model instances in
    no order: `list(model.objects.filter(lookup=value, **fixed).order_by())`. Its statement is
    compiled once a process and sent again with the new value: a page such as an episode's reads
    twenty kinds of rows by the episode's id, and compiling their statements each time cost a
    quarter of the page (issue 11)."""

    model: type[Model]
    lookup: str
    value: int
    fixed: tuple[tuple[str, Any], ...] = ()


# What no key is: the value the statement is compiled with, found again among its parameters.
_KEY_SLOT = -7_311_400_000_000_000_001


@dataclass(frozen=True)
class _Compiled:
    compiler: Any
    sql: str
    params: tuple[Any, ...]
    slot: int  # where the key goes among `params`
    init_list: tuple[str, ...]


@lru_cache(maxsize=256)
def _by_key_compiled(alias: str, model: type[Model], lookup: str, fixed: tuple[tuple[str, Any], ...]) -> _Compiled:
    queryset = model._default_manager.using(alias).filter(**{lookup: _KEY_SLOT}, **dict(fixed)).order_by()
    compiler = queryset.query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    if list(params).count(_KEY_SLOT) != 1:
        raise ValueError(f"{model.__name__} by {lookup}: the key is not one parameter of its statement")
    select, klass_info = compiler.select, compiler.klass_info
    first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    return _Compiled(compiler=compiler, sql=sql, params=tuple(params), slot=list(params).index(_KEY_SLOT),
                     init_list=tuple(column[0].target.attname for column in select[first:last]))


def _by_key_statement(alias: str, read: ByKey) -> tuple[_Compiled, tuple[str, list[Any]]]:
    compiled = _by_key_compiled(alias, read.model, read.lookup, read.fixed)
    params = list(compiled.params)
    params[compiled.slot] = read.value
    return compiled, (compiled.sql, params)


def _by_key_rows(alias: str, read: ByKey, compiled: _Compiled, rows: list[Any]) -> list[Any]:
    """The instances of these rows, made as the queryset's own iterable makes them (its
    converters, then `from_db`)."""
    if not rows:
        return []
    init_list = list(compiled.init_list)
    return [read.model.from_db(alias, init_list, row) for row in compiled.compiler.results_iter([rows])]


def read_together(querysets: Sequence[QuerySet[Any] | ByKey]) -> list[list[Any]]:
    """`[list(q) for q in querysets]`, in one statement's round trip where the database allows.
    The querysets read one database and prefetch nothing (a prefetch would be read after)."""
    if not querysets:
        return []
    aliases = {_alias(q) for q in querysets}
    if len(aliases) > 1:
        return [_one_read(_alias(q), q) for q in querysets]
    alias = aliases.pop()
    if len(querysets) == 1 or not _together(alias):
        return [_one_read(alias, q) for q in querysets]
    compilers: list[Any] = []
    statements: list[tuple[str, Sequence[Any]]] = []
    chained: list[Any] = []  # QuerySet (its compiler then set on it) or ByKey
    for read in querysets:
        if isinstance(read, ByKey):
            compiled, statement = _by_key_statement(alias, read)
            chained.append(read)
            compilers.append(compiled)
            statements.append(statement)
            continue
        queryset = read._chain()  # type: ignore[attr-defined]
        chained.append(queryset)
        compiler = queryset.query.get_compiler(using=alias)
        try:
            # Also sets what the iterable reads of the compiler (its select, klass_info, ...).
            sql, sql_params = compiler.as_sql()
        except EmptyResultSet:
            compilers.append(None)
            continue
        compilers.append(compiler)
        statements.append((sql, sql_params))
    answered = iter(statements_together(statements, using=alias))
    out: list[list[Any]] = []
    for queryset, compiler in zip(chained, compilers, strict=True):
        if compiler is None:
            out.append([])
            continue
        rows = next(answered)
        if isinstance(queryset, ByKey):
            out.append(_by_key_rows(alias, queryset, compiler, rows))
            continue
        # The queryset's own iterable makes its results, from these rows rather than a query.
        compiler.execute_sql = lambda *args, _rows=rows, **kwargs: [_rows] if _rows else []
        queryset.query.get_compiler = lambda *args, _compiler=compiler, **kwargs: _compiler
        out.append(list(queryset))
    return out


def _alias(read: QuerySet[Any] | ByKey) -> str:
    return read.db if isinstance(read, QuerySet) else router.db_for_read(read.model)


def _one_read(alias: str, read: QuerySet[Any] | ByKey) -> list[Any]:
    if isinstance(read, QuerySet):
        return list(read)
    compiled, statement = _by_key_statement(alias, read)
    [rows] = statements_together([statement], using=alias)
    return _by_key_rows(alias, read, compiled, rows)
