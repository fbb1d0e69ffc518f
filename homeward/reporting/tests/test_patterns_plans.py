"""The patterns report reads a period's episodes and the risk analyses from covering indexes
(episodes 0007; issue 11): every column its statements ask of those tables is in an index, so
PostgreSQL may read the index alone (an index-only scan) instead of the tables' pages, many
times wider. A column added to a statement and not to its index makes the scan here a plain
index scan, and the test fails."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from homeward.reporting.patterns import patterns_shown

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")]


def _plan(sql: str) -> str:
    """The plan of `sql` with scans of whole tables, bitmaps and nested loops refused, so that
    each table is read on its own by an index wherever one can answer, as the national scale's
    plans read them (the test's tables are too small for costs to decide: nested, the period's
    episodes were looked up one by one by id)."""
    with transaction.atomic(), connection.cursor() as cursor:
        # The tables' statistics as a new, never analysed table's, whatever earlier tests left
        # (rows committed and deleted by transactional tests, autovacuum's counts of them):
        # with them the plan of these tiny tables changes with the order tests ran in. Undone
        # with the test's transaction.
        cursor.execute("UPDATE pg_class SET relpages = 0, reltuples = -1, relallvisible = 0 "
                       "WHERE relnamespace = 'public'::regnamespace")
        for setting in ("seqscan", "bitmapscan", "nestloop"):
            cursor.execute(f"SET LOCAL enable_{setting} = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def _statements(coordinator: Any) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        patterns_shown(coordinator, first=date(2025, 1, 1), last=date(2025, 12, 31), edges=10, places=10, shared=10,
                       listed=5)
    return [str(q["sql"]) for q in captured.captured_queries]


def _one(statements: list[str], start: str) -> str:
    found = [sql for sql in statements if sql.startswith(start)]
    assert len(found) == 1, start
    return found[0]


def _from_indexes_alone(plan: str, *tables: str) -> None:
    """Each table is read, and read only, by index-only scans in `plan`."""
    for table in tables:
        assert re.search(rf"Index Only Scan using \w+ on {table}\b", plan), (table, plan)
        assert not re.search(rf"(Seq Scan|(?<!Only )Index Scan using \w+|Bitmap Heap Scan) on {table}\b", plan), (
            table, plan)


def test_the_period_and_the_factors_are_read_from_covering_indexes(coordinator: Any) -> None:
    statements = _statements(coordinator)
    # The interviews' factors too at national scale; on the test's empty table any index of the
    # interviews' episode costs the same, and one without the factors may be taken.
    _from_indexes_alone(_plan(_one(statements, "WITH period AS")), "episodes_episode", "episodes_episodeaction")
    # The places named, the network's episodes and the Philomena profiles' children.
    for start in ("WITH t (a, b)", "WITH RECURSIVE period", 'SELECT "children_philomenaprofile"'):
        _from_indexes_alone(_plan(_one(statements, start)), "episodes_episode")
