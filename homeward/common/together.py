"""Several reads sent to the database in one round trip (issue 11).

A page such as an episode's reads twenty kinds of rows, a few each, by the episode's id: each
statement cost a round trip and its wait more than its own work. On PostgreSQL (psycopg's
client-side binding, Django's default) one execute may carry several statements, whose answers
are then read in turn; each queryset's answer is made into what `list(queryset)` gives (model
instances with their select_related rows, values, flat values) by Django's own iterables.
Elsewhere (SQLite) each queryset is read by itself."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet


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


def read_together(querysets: Sequence[QuerySet[Any]]) -> list[list[Any]]:
    """`[list(q) for q in querysets]`, in one statement's round trip where the database allows.
    The querysets read one database and prefetch nothing (a prefetch would be read after)."""
    if not querysets:
        return []
    alias = querysets[0].db
    if len(querysets) == 1 or not _together(alias) or any(q.db != alias for q in querysets):
        return [list(q) for q in querysets]
    chained = [q._chain() for q in querysets]  # type: ignore[attr-defined]
    compilers: list[Any] = []
    statements: list[tuple[str, Sequence[Any]]] = []
    for queryset in chained:
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
        # The queryset's own iterable makes its results, from these rows rather than a query.
        compiler.execute_sql = lambda *args, _rows=rows, **kwargs: [_rows] if _rows else []
        queryset.query.get_compiler = lambda *args, _compiler=compiler, **kwargs: _compiler
        out.append(list(queryset))
    return out
