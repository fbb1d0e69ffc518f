"""The patterns report's network and its counts read at once on two connections, one snapshot
(PostgreSQL outside a transaction): the same report as one connection reads in turn."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, transaction

from homeward.reporting import patterns as patterns_module
from homeward.reporting.patterns import patterns

from .test_performance_and_patterns import FIRST, LAST, quarter  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("reference_data_loaded", "reference_data_after_flush")]


def _as_compared(found: Any) -> Any:
    return (found.months, found.factors,
            sorted((p.key, p.last_seen, p.found, sorted(p.episodes)) for p in found.places),
            sorted((e.source, e.target, sorted(e.episodes), e.places, e.associates) for e in found.edges),
            sorted((n.child, n.episodes) for n in found.nodes), found.consultations)


@pytest.fixture
def two_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite reads a report on its one connection")
    monkeypatch.setenv("HOMEWARD_REPORT_CONNECTIONS", "2")


def test_the_network_and_the_counts_read_beside_each_other_give_the_report_read_in_turn(
        two_connections: None, quarter: dict[str, Any], coordinator: Any,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[str] = []
    counted = patterns_module._factor_trends

    def factor_trends(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread().name)
        return counted(*args, **kwargs)

    monkeypatch.setattr(patterns_module, "_factor_trends", factor_trends)
    beside = patterns(coordinator, first=FIRST, last=LAST)
    with transaction.atomic():  # a transaction already open: one connection, in turn
        in_turn = patterns(coordinator, first=FIRST, last=LAST)
    assert threads[0].startswith("report") and threads[1] == threading.current_thread().name
    assert _as_compared(beside) == _as_compared(in_turn)
    assert [f.code for f in beside.factors] == ["conflict_at_home", "peers_or_partners"] and beside.edges
