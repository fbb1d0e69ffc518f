"""The patterns report reads a period's episodes, the interviews' factors and the risk analyses
from covering indexes (episodes 0007, interviews 0003; issue 11): every column its statements
ask of those tables is in the index, so PostgreSQL may read the index alone (an index-only
scan) instead of the tables' pages, many times wider. A column added to a statement and not to
its index makes the scan here a plain index scan, and the test fails."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from homeward.reporting.patterns import patterns_shown

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")]


def _plan(sql: str) -> str:
    """The plan of `sql` with scans of whole tables and bitmaps refused, so that an index is
    used wherever one can answer (the test's tables are too small for costs to decide)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
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


def test_the_period_and_the_factors_are_read_from_covering_indexes(coordinator: Any) -> None:
    statements = _statements(coordinator)
    factors = _plan(_one(statements, "WITH period AS"))
    assert "Index Only Scan using episode_period_covering" in factors
    assert "Index Only Scan using rhi_factors_covering" in factors
    assert "Index Only Scan using action_risk_analysis_covering" in factors
    # The places named, the network's episodes and the Philomena profiles' children.
    for start in ("WITH t (a, b)", "WITH RECURSIVE period", 'SELECT "children_philomenaprofile"'):
        assert "Index Only Scan using episode_period_covering" in _plan(_one(statements, start)), start
