"""The repeat-missing episodes the performance report finds in the database (window functions,
episodes put in order by their starts as numbers) are those the engine's own rule finds
(`is_repeat_missing` over each child's other episodes), on histories made to catch the
corners: two episodes of a child starting at the very same instant, cancelled ones, starts
exactly a window apart, and episodes before the period that make those in it repeats."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from homeward.children.models import Child
from homeward.episodes.models import Episode
from homeward.obligations.protocol_source import active_protocol
from homeward.protocol.repeat import is_repeat_missing
from homeward.reference.models import Authority
from homeward.reporting.history import period_bounds
from homeward.reporting.performance import episodes_starting, repeat_episodes

from .conftest import london

pytestmark = pytest.mark.django_db
FIRST, LAST = date(2025, 1, 1), date(2025, 3, 31)


def _world(rng: random.Random) -> None:
    home = Authority.objects.get(code="941")
    window = active_protocol().version_for(london(2025, 2, 1, 12, 0)).repeat_missing_window_days
    for i in range(20):
        child = Child.objects.create(external_id=f"R{i}", given_name="A", family_name=f"B{i}",
                                     date_of_birth=date(2010, 1, 1), sex="male", legal_status="none",
                                     responsible_authority=home)
        when = london(2024, 12, 1, 9, 0) + timedelta(hours=rng.randint(0, 24 * 60))
        starts: list[datetime] = []
        for _ in range(rng.randint(1, 6)):
            step = rng.choice([timedelta(0), timedelta(days=window), timedelta(hours=rng.randint(1, 24 * 30))])
            when += step
            starts.append(when)
        for since in starts:
            status = "cancelled" if rng.random() < 0.15 else "returned"
            Episode.objects.create(child=child, reported_at=since, reported_by="police", missing_since=since,
                                   classification="missing", status=status, found_at=since + timedelta(hours=2),
                                   cancelled_at=since if status == "cancelled" else None)


def _reference(episodes: Any) -> list[tuple[int, int]]:
    protocol = active_protocol()
    history: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    for pk, child_id, since in Episode.objects.exclude(status="cancelled").values_list("pk", "child_id",
                                                                                       "missing_since"):
        history[child_id].append((pk, since))
    out = []
    for pk, child_id, since, reported in episodes.order_by("missing_since", "id").values_list(
            "pk", "child_id", "missing_since", "reported_at"):
        version = protocol.version_for(reported)
        if is_repeat_missing([s for other, s in history[child_id] if other != pk], since,
                             version.repeat_missing_count, version.repeat_missing_window_days):
            out.append((pk, child_id))
    return out


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_repeats_are_those_of_the_engines_rule(seed: int, coordinator: Any) -> None:
    _world(random.Random(seed))
    episodes = episodes_starting(coordinator, FIRST, LAST)
    start, end = period_bounds(FIRST, LAST)
    expected = _reference(episodes)
    assert expected
    assert [(pk, child) for pk, child, _month in repeat_episodes(episodes, start, end)] == expected
