"""How reports run: `EpochMicroseconds` gives the instant the database holds as whole
microseconds since 1970, exactly, with and without a fraction of a second and either side of a
day's end, so that patterns compares episodes as it did with datetimes; `local_month, period_month` gives the
Europe/London month as a whole number either side of a month's end in summer and winter time;
`cycles_uncollected`
holds off the cyclic garbage collector and puts it back as it was; `middle_values` gives what
the median of a list needs, on PostgreSQL by its percentiles and elsewhere by ranking, with odd
and even counts, repeated values and groups."""

from __future__ import annotations

import gc
import random
import statistics
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection

from homeward.children.models import Child
from homeward.common.timeutil import LONDON
from homeward.episodes.models import Episode
from homeward.reference.models import Authority
from homeward.reporting.statements import (
    EpochMicroseconds,
    cycles_uncollected,
    local_month,
    middle_values,
    period_month,
)

INSTANTS = [datetime(2025, 1, 1, 9, 0, tzinfo=UTC), datetime(2025, 3, 30, 0, 59, 59, 999999, tzinfo=UTC),
            datetime(2024, 2, 29, 23, 59, 59, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, 30, 0, 500000, tzinfo=UTC)]


@pytest.mark.django_db
def test_instants_as_microseconds_since_1970() -> None:
    child = Child.objects.create(external_id="E1", given_name="A", family_name="B", date_of_birth=date(2010, 1, 1),
                                 sex="female", legal_status="none",
                                 responsible_authority=Authority.objects.get(code="941"))
    for when in INSTANTS:
        Episode.objects.create(child=child, reported_at=when, reported_by="police", missing_since=when,
                               classification="missing", status="returned", found_at=when + timedelta(hours=3))
    got = list(Episode.objects.order_by("missing_since").annotate(us=EpochMicroseconds("missing_since"))
               .values_list("us", flat=True))
    assert got == [(when - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1) for when in sorted(INSTANTS)]


MONTH_ENDS = [datetime(2025, 3, 31, 22, 59, 59, 999999, tzinfo=UTC), datetime(2025, 3, 31, 23, 0, tzinfo=UTC),
              datetime(2024, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), datetime(2025, 1, 1, 0, 0, tzinfo=UTC),
              datetime(2025, 10, 31, 23, 30, tzinfo=UTC), datetime(2025, 6, 30, 23, 30, tzinfo=UTC),
              datetime(2026, 10, 25, 0, 59, 59, tzinfo=UTC)]


@pytest.mark.django_db
def test_the_london_month_as_a_whole_number() -> None:
    child = Child.objects.create(external_id="E1", given_name="A", family_name="B", date_of_birth=date(2010, 1, 1),
                                 sex="female", legal_status="none",
                                 responsible_authority=Authority.objects.get(code="941"))
    for when in MONTH_ENDS:
        Episode.objects.create(child=child, reported_at=when, reported_by="police", missing_since=when,
                               classification="missing", status="returned", found_at=when + timedelta(hours=3))
    got = list(Episode.objects.order_by("missing_since").annotate(month=local_month("missing_since"))
               .values_list("month", flat=True))
    local = [when.astimezone(LONDON) for when in sorted(MONTH_ENDS)]
    assert got == [when.year * 100 + when.month for when in local]
    assert all(type(month) is int for month in got)
    assert [when.month for when in local] == [12, 1, 3, 4, 7, 10, 10]
    # Found among the first instants of a period's months: the same months.
    starts = [date(2024, 12, 1)] + [date(year, month, 1) for year in (2025, 2026) for month in range(1, 13)]
    found = list(Episode.objects.order_by("missing_since").annotate(month=period_month("missing_since", starts))
                 .values_list("month", flat=True))
    assert found == got
    if connection.vendor == "postgresql":  # before the first month: none (elsewhere the London month itself)
        assert list(Episode.objects.annotate(month=period_month("missing_since", starts[4:]))
                    .filter(missing_since__lt=datetime(2025, 1, 1, tzinfo=UTC))
                    .values_list("month", flat=True)) == [None]


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_held_off_and_restored_as_it_was(enabled: bool) -> None:
    seen: list[bool] = []

    @cycles_uncollected()
    def report() -> None:
        seen.append(gc.isenabled())

    (gc.enable if enabled else gc.disable)()
    try:
        report()
        assert seen == [False]
        assert gc.isenabled() is enabled
    finally:
        gc.enable()


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 2, 3, 4, 7, 10, 101, 1000])
def test_the_middle_values_give_the_median(size: int) -> None:
    rng = random.Random(size)
    rows = [(rng.randint(1, 3), rng.randint(0, 40)) for _ in range(size)]
    table = ("(SELECT column1 AS g, column2 AS x FROM (VALUES "
             + ", ".join(["(%s, %s)"] * size) + ") AS v) AS t")
    params = [value for row in rows for value in row]
    by_group: dict[int, list[int]] = defaultdict(list)
    for group, value in rows:
        by_group[group].append(value)
    with connection.cursor() as cursor:
        column, source = middle_values(connection.vendor, table, "x")
        cursor.execute(f"SELECT {column} FROM {source}", params)
        assert statistics.median([value for (value,) in cursor.fetchall()]) == statistics.median(
            [value for _group, value in rows])
        column, source = middle_values(connection.vendor, table, "x", "g")
        cursor.execute(f"SELECT g, {column} FROM {source}", params)
        middles: dict[int, list[int]] = defaultdict(list)
        for group, value in cursor.fetchall():
            middles[group].append(value)
    assert {g: statistics.median(v) for g, v in middles.items()} == {
        g: statistics.median(v) for g, v in by_group.items()}
