"""How reports run: `EpochMicroseconds` gives the instant the database holds as whole
microseconds since 1970, exactly, with and without a fraction of a second and either side of a
day's end, so that patterns compares episodes as it did with datetimes; `cycles_uncollected`
holds off the cyclic garbage collector and puts it back as it was."""

from __future__ import annotations

import gc
from datetime import UTC, date, datetime, timedelta

import pytest

from homeward.children.models import Child
from homeward.episodes.models import Episode
from homeward.reference.models import Authority
from homeward.reporting.statements import EpochMicroseconds, cycles_uncollected

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
