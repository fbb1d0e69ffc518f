"""Statements compiled once a process and sent again with each request's instants
(common.compiled): put back only where every instant's place is known, else compiled each time."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection

from homeward.common.compiled import Statement, StatementCache

NOW = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night the clocks go forward


class Counted:
    """A build that counts its calls."""

    def __init__(self, make: Any) -> None:
        self.make, self.calls = make, 0

    def __call__(self, at: Mapping[str, datetime]) -> list[Statement | None]:
        self.calls += 1
        return self.make(at)


def test_the_statements_are_compiled_once_and_given_each_times_instants() -> None:
    cache = StatementCache()
    build = Counted(lambda at: [("SELECT %s, %s, %s", [at["now"], 5, at["now"]]), None,
                                ("SELECT %s", [at["end"]])])
    first = cache.statements("k", build, {"now": NOW, "end": NOW + timedelta(hours=23)})
    assert first == [("SELECT %s, %s, %s", [NOW, 5, NOW]), None, ("SELECT %s", [NOW + timedelta(hours=23)])]
    later = NOW + timedelta(days=9, seconds=7)
    again = cache.statements("k", build, {"now": later, "end": later + timedelta(hours=1)})
    assert again == [("SELECT %s, %s, %s", [later, 5, later]), None, ("SELECT %s", [later + timedelta(hours=1)])]
    assert build.calls == 2, "compiled twice to find the instants' places, then never again"


@pytest.mark.parametrize("make", [
    # An instant worked out from another: its place cannot be put back.
    lambda at: [("SELECT %s", [at["now"] + timedelta(days=3)])],
    # A statement that depends on the instant's value.
    lambda at: [(f"SELECT {at['now'].day}", [])],
    # Now, not the instant given.
    lambda at: [("SELECT %s", [datetime.now(UTC)])],
])
def test_statements_whose_instants_cannot_be_put_back_are_compiled_every_time(make: Any) -> None:
    cache = StatementCache()
    build = Counted(make)
    for day in range(3):
        at = {"now": NOW + timedelta(days=day)}
        assert cache.statements("k", build, at)[0][0] == make(at)[0][0]  # type: ignore[index]
    assert build.calls == 2 + 3


def test_the_least_recently_used_are_forgotten() -> None:
    cache = StatementCache(size=2)
    build = Counted(lambda at: [("SELECT %s", [at["now"]])])
    for key in ("a", "b", "a", "c", "a", "b"):
        cache.statements(key, build, {"now": NOW})
    # a, b (2 each), c (2; b forgotten), b again (2).
    assert build.calls == 8


@pytest.mark.django_db
def test_the_home_worklist_from_statements_compiled_once_is_the_worklist(coordinator: Any, make_child: Any) -> None:
    from django.utils import timezone

    from homeward.casework.episodes import episode_report
    from homeward.obligations import selectors

    now = timezone.now()
    for hours_ago in (30, 5):
        episode_report(actor=coordinator, child=make_child(), reported_at=now - timedelta(hours=hours_ago),
                       reported_by="parent_carer", classification="missing")
    at = [now + timedelta(hours=hours) for hours in (0, 2, 30)]
    selectors._WORKLIST_STATEMENTS.clear()
    cached = [selectors.worklist_sections(coordinator, as_of=when) for when in at]
    fresh = []
    for when in at:
        selectors._WORKLIST_STATEMENTS.clear()
        fresh.append(selectors.worklist_sections(coordinator, as_of=when))

    def shown(sections: Any) -> Any:
        return {name: ([row.pk for row in section.rows], section.count) for name, section in sections.items()}

    assert [shown(s) for s in cached] == [shown(s) for s in fresh]
    assert any(section.rows for s in cached for section in s.values())
    kept = list(selectors._WORKLIST_STATEMENTS._kept.values())
    # PostgreSQL binds the instants as they are given: kept; SQLite's are texts: compiled each time.
    assert (kept[0] is not None) == (connection.vendor == "postgresql")
