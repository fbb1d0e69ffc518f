"""The statements a report sends every time are prepared once on the connection (PostgreSQL),
logged with their values as Django logs its own; elsewhere the connection's own cursor."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from homeward.common.prepared import prepared_cursor

pytestmark = pytest.mark.django_db

STATEMENT = "SELECT CAST(%s AS integer) + 1 AS next_one, CAST(%s AS text) AS said"


def _prepared_here() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        return [row[0] for row in cursor.fetchall()]


def test_a_statement_runs_with_its_values_and_is_logged_with_them() -> None:
    with CaptureQueriesContext(connection) as seen, prepared_cursor() as cursor:
        cursor.execute(STATEMENT, [41, "it's here"])
        assert cursor.fetchone() == (42, "it's here")
    assert len(seen.captured_queries) == 1
    logged = seen.captured_queries[0]["sql"]
    assert "41" in logged and "it''s here" in logged


def test_on_postgresql_it_is_prepared_once_and_its_plan_kept() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no prepared statements to keep")
    for value in range(7):
        with prepared_cursor() as cursor:
            cursor.execute(STATEMENT, [value, "again"])
            assert cursor.fetchone() == (value + 1, "again")
    prepared = [text for text in _prepared_here() if "AS next_one" in text]
    assert len(prepared) == 1, prepared
    assert "$1" in prepared[0] and "$2" in prepared[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT generic_plans + custom_plans FROM pg_prepared_statements WHERE statement = %s",
                       [prepared[0]])
        assert cursor.fetchone() == (7,)


def test_django_s_own_cursors_still_bind_client_side_and_prepare_nothing() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's prepared statements")
    with prepared_cursor() as cursor:
        cursor.execute(STATEMENT, [1, "once"])
    before = set(_prepared_here())
    for _ in range(8):
        with connection.cursor() as cursor:
            cursor.execute("SELECT CAST(%s AS integer) AS plain_one", [5])
    assert set(_prepared_here()) == before
