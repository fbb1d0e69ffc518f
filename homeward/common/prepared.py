"""Statements a hot path sends again and again, prepared once per connection (PostgreSQL).

Django sends every statement as text with its values quoted in (psycopg's client-side
binding), so PostgreSQL parses, analyses and plans each one afresh: for a missing report that
was about two fifths of the database's CPU (issue 11). A statement sent through
`prepared_cursor` goes with its values bound apart and is prepared on the connection the
first time (psycopg keeps the connection's prepared statements, the most recent hundred): each
later run skips the parse, and once PostgreSQL has seen five runs it keeps a generic plan if
that costs no more than the custom ones, and stops planning too.

Only for statements whose text is the same from call to call (the values in parameters, not
in the text), and whose parameters PostgreSQL can type from where they stand. Elsewhere
(SQLite) it is the connection's own cursor. A connection pooler in front of PostgreSQL must
keep prepared statements (PgBouncer 1.21 or later with `max_prepared_statements`, or session
pooling).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper


def _prepared_cursor_class() -> type[Any]:
    import psycopg

    class PreparingCursor(psycopg.Cursor[Any]):
        """psycopg's cursor with server-side binding, preparing what it executes."""

        def execute(self, query: Any, params: Any = None, *, prepare: bool | None = None,
                    binary: bool | None = None) -> PreparingCursor:
            super().execute(query, params, prepare=True if prepare is None else prepare, binary=binary)
            return self

    return PreparingCursor


_PREPARING: type[Any] | None = None


class _LoggedPrepared(CursorDebugWrapper):
    """Logged as Django logs its own statements (tests count them, `DEBUG` shows them): the
    statement with its values, which a prepared statement's cursor does not keep for Django."""

    def execute(self, sql: Any, params: Any = None) -> Any:
        shown = self.db.ops.compose_sql(sql, params) if params else sql
        with self.debug_sql(shown, None, use_last_executed_query=False):
            return CursorWrapper.execute(self, sql, params)


@contextmanager
def prepared_cursor(using: str = DEFAULT_DB_ALIAS) -> Iterator[Any]:
    """A cursor (as `connection.cursor()` gives, logged the same way in tests and with
    `DEBUG`) whose statements are prepared on the connection."""
    global _PREPARING
    connection = connections[using]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    if _PREPARING is None:
        _PREPARING = _prepared_cursor_class()
    # As `connection.cursor()` makes its own (BaseDatabaseWrapper._cursor), with this class.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        pg = connection.connection
        if pg.prepare_threshold is None:
            # Django turns psycopg's preparing off (its own cursors bind client-side and never
            # prepare), and off it refuses even a statement that asks; on, it prepares only
            # what asks, here, as no other cursor binds server-side.
            pg.prepare_threshold = 5
        raw = _PREPARING(pg)
    cursor = _LoggedPrepared(raw, connection) if connection.queries_logged else connection.make_cursor(raw)
    with cursor:
        yield cursor
