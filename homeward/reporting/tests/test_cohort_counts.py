"""The cohorts counted in the database agree with the engine's own reading of each child's
history (`ChildFacts` through `history.ChildHistory`), on histories made to catch the corners:
statuses without a start date, two beginning the same day, overlapping and ended placements,
birthdays on 29 February and on the day, episodes starting just after London midnight."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import pytest

from homeward.children.models import Child, LegalStatusPeriod, Placement
from homeward.common.timeutil import local_date
from homeward.episodes.models import Episode
from homeward.reference.models import Authority
from homeward.reporting.cohort_counts import period_counts
from homeward.reporting.history import histories_for, month_key, period_bounds
from homeward.reporting.performance import episodes_starting

from .conftest import london, utc

pytestmark = pytest.mark.django_db
FIRST, LAST = date(2024, 4, 1), date(2025, 3, 31)
STATUSES = ("looked_after", "looked_after", "child_in_need", "child_protection", "none")


def _histories(rng: random.Random, count: int) -> list[Child]:
    authorities = {code: Authority.objects.get(code=code) for code in ("941", "855", "203")}
    children = []
    for index in range(count):
        born = rng.choice([date(2008, 2, 29), date(2012, 3, 1), date(2011, 6, 15), date(2014, 11, 30),
                           date(2006, 8, 1), date(2016, 1, 2)])
        child = Child.objects.create(
            external_id=f"C{index}", given_name="A", family_name=f"B{index}", date_of_birth=born,
            sex=rng.choice(["male", "female", "unknown", "other"]), legal_status="looked_after",
            responsible_authority=authorities["941"])
        starts = [None, date(2023, 1, 1), date(2024, 6, 1), date(2024, 6, 1), date(2024, 10, 15), date(2025, 2, 1)]
        for started in rng.sample(starts, rng.randint(0, 4)):
            LegalStatusPeriod.objects.create(child=child, status=rng.choice(STATUSES), started_on=started)
        for _ in range(rng.randint(0, 3)):
            started = rng.choice([None, date(2023, 5, 1), date(2024, 7, 1), date(2024, 9, 9)])
            ended = rng.choice([None, None, date(2024, 8, 1), date(2024, 12, 24)])
            if started is not None and ended is not None and ended <= started:
                ended = None
            Placement.objects.create(child=child, authority=rng.choice(list(authorities.values())),
                                     started_on=started, ended_on=ended)
        children.append(child)
    return children


def _episodes(rng: random.Random, children: list[Child]) -> None:
    moments = [utc(2024, 6, 1, 23, 30), utc(2024, 3, 31, 23, 30), london(2024, 4, 1, 0, 0),
               london(2024, 10, 15, 9, 0), utc(2025, 2, 28, 23, 59), london(2025, 3, 31, 23, 59),
               utc(2025, 3, 31, 23, 30), london(2024, 8, 1, 12, 0), london(2024, 12, 24, 8, 0),
               london(2025, 3, 1, 0, 30), london(2024, 9, 8, 23, 0)]
    for child in children:
        for since in rng.sample(moments, rng.randint(1, 4)):
            cancelled = rng.random() < 0.1
            Episode.objects.create(child=child, reported_at=since, reported_by="police", missing_since=since,
                                   classification="missing", status="cancelled" if cancelled else "returned",
                                   found_at=since + timedelta(hours=5))


def _expected(children: list[Child]) -> dict[tuple[str, str, str], tuple[int, int]]:
    histories = histories_for(Child.objects.filter(pk__in=[c.pk for c in children]).select_related(
        "responsible_authority"))
    start, end = period_bounds(FIRST, LAST)
    counted: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for episode in Episode.objects.exclude(status="cancelled").filter(missing_since__gte=start, missing_since__lt=end):
        history = histories[episode.child_id]
        day = local_date(episode.missing_since)
        month = month_key(episode.missing_since)
        counted[("month", "", month)].append(episode.child_id)
        counted[("total", "", "")].append(episode.child_id)
        for dimension, value in (("legal_status", history.legal_status_on(day)),
                                 ("placement", history.placement_cohort_on(day)),
                                 ("age_band", history.age_band_on(day)), ("sex", history.sex)):
            counted[(dimension, value, month)].append(episode.child_id)
    return {key: (len(ids), len(set(ids))) for key, ids in counted.items()}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_database_counts_each_cohort_as_the_engine_reads_the_history(seed: int, coordinator: Any) -> None:
    rng = random.Random(seed)
    children = _histories(rng, 40)
    _episodes(rng, children)
    counts = period_counts(episodes_starting(coordinator, FIRST, LAST), [(0, 6), (6, None)]).cohorts
    found = {(c.dimension, c.value, c.month): (c.episodes, c.children) for c in counts}
    assert found == _expected(children)
    # The histories reach every value the corners lead to.
    values = {(dimension, value) for dimension, value, _ in found}
    assert {("placement", v) for v in ("in_area", "out_of_area", "not_looked_after")} <= values
    assert {("age_band", v) for v in ("0-9", "10-12", "16-17", "18+")} <= values
    assert {("legal_status", v) for v in ("looked_after", "none")} <= values


def test_a_period_without_episodes_counts_none(coordinator: Any) -> None:
    """Grouping sets over no rows make no groups (PostgreSQL), where a plain count makes a row
    of nought: the total is there either way, and nothing else."""
    counts = period_counts(episodes_starting(coordinator, FIRST, LAST), [(0, 6), (6, None)])
    assert [(c.dimension, c.value, c.month, c.episodes, c.children) for c in counts.cohorts] == [
        ("total", "", "", 0, 0)]
    assert (counts.buckets, counts.still_missing, counts.middle_hours) == ({}, 0, [])
