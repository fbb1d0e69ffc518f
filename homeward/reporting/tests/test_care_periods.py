"""The children's periods of care (`CarePeriod`) are kept by PostgreSQL triggers in step with
their legal statuses and with what the SSDA903 Missing table reads of them, whatever writes
them: each child's periods are the runs of days `ChildHistory` finds them looked after, each from
the day `care_began_on` gives to the day `care_ends_after` gives, carrying the child's id, date of
birth, 18th birthday and responsible authority as they stand."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection

from homeward.children.models import Child, LegalStatusPeriod
from homeward.reference.models import Authority
from homeward.reporting.history import histories_for
from homeward.reporting.models import CarePeriod
from homeward.reporting.ssda903 import ssda903_missing, ssda903_missing_export

from .conftest import london

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the periods are kept by PostgreSQL triggers"),
]

STATUSES = ("looked_after", "child_in_need", "looked_after", "child_protection", "looked_after")


def _expected(child: Child) -> list[tuple[date | None, date | None]]:
    """The child's runs of care as `ChildHistory` reads their statuses, found by walking the days
    their statuses begin (and the day before the first)."""
    history = histories_for([Child.objects.select_related("responsible_authority").get(pk=child.pk)])[child.pk]
    starts = sorted({p.started_on for p in history.facts.legal_status_history})
    runs: list[tuple[date | None, date | None]] = []
    for day in [date.min, *starts]:
        if history.looked_after_on(day):
            run = (history.care_began_on(day), history.care_ends_after(day))
            if run not in runs:
                runs.append(run)
    return runs


def _kept(child: Child) -> list[tuple[date | None, date | None]]:
    return sorted(CarePeriod.objects.filter(child_id=child.pk).values_list("began", "ended"),
                  key=lambda run: run[0] or date.min)


def _assert_in_step(child: Child) -> None:
    child.refresh_from_db()
    assert _kept(child) == sorted(_expected(child), key=lambda run: run[0] or date.min)
    birthday = histories_for([child])[child.pk].eighteenth_birthday()
    for period in CarePeriod.objects.filter(child_id=child.pk):
        assert (period.external_id, period.date_of_birth, period.eighteenth_birthday,
                period.responsible_authority_id) == (child.external_id, child.date_of_birth, birthday,
                                                      child.responsible_authority_id)


def test_a_child_recorded_in_care_has_one_open_period(make_child: Any) -> None:
    child = make_child(legal_status_since=date(2020, 1, 1))
    assert _kept(child) == [(date(2020, 1, 1), None)]
    _assert_in_step(child)


def test_statuses_added_changed_and_removed_are_followed(make_child: Any) -> None:
    child = make_child(legal_status_since=date(2020, 1, 1))
    LegalStatusPeriod.objects.create(child=child, status="child_in_need", started_on=date(2021, 6, 1))
    assert _kept(child) == [(date(2020, 1, 1), date(2021, 6, 1))]
    back = LegalStatusPeriod.objects.create(child=child, status="looked_after", started_on=date(2022, 2, 1))
    # Another status recorded later for the same day wins it (the last recorded of the latest).
    LegalStatusPeriod.objects.create(child=child, status="looked_after", started_on=date(2021, 6, 1))
    assert _kept(child) == [(date(2020, 1, 1), None)]
    LegalStatusPeriod.objects.filter(child=child, started_on=date(2021, 6, 1), status="looked_after").delete()
    assert _kept(child) == [(date(2020, 1, 1), date(2021, 6, 1)), (date(2022, 2, 1), None)]
    LegalStatusPeriod.objects.filter(pk=back.pk).update(status="child_protection")
    assert _kept(child) == [(date(2020, 1, 1), date(2021, 6, 1))]
    _assert_in_step(child)


def test_an_undated_status_is_in_force_before_every_date(make_child: Any) -> None:
    child = make_child(legal_status="child_in_need", legal_status_since=date(2020, 1, 1))
    LegalStatusPeriod.objects.create(child=child, status="looked_after", started_on=None)
    assert _kept(child) == [(None, date(2020, 1, 1))]
    _assert_in_step(child)


def test_random_histories_written_in_bulk_are_followed(make_child: Any) -> None:
    rng = random.Random(7)
    children = [make_child(legal_status=rng.choice(STATUSES), legal_status_since=date(2019, 1, 1))
                for _ in range(12)]
    # One statement for every child's statuses, as a bulk load writes them.
    LegalStatusPeriod.objects.bulk_create([
        LegalStatusPeriod(child=child, status=rng.choice(STATUSES),
                          started_on=rng.choice([None, date(2019, 1, 1) + timedelta(days=rng.randrange(2000))]))
        for child in children for _ in range(rng.randrange(1, 6))])
    for child in children:
        _assert_in_step(child)
    # Moved from one child to another in one statement: both children's periods follow.
    moved = LegalStatusPeriod.objects.filter(child=children[0]).values_list("pk", flat=True)
    LegalStatusPeriod.objects.filter(pk__in=list(moved)).update(child=children[1])
    _assert_in_step(children[0])
    _assert_in_step(children[1])


def test_the_childs_facts_are_carried_as_they_stand(make_child: Any) -> None:
    child = make_child(date_of_birth=date(2008, 2, 29))
    assert CarePeriod.objects.get(child_id=child.pk).eighteenth_birthday == date(2026, 3, 1)
    other = Authority.objects.exclude(pk=child.responsible_authority_id).order_by("code").first()
    assert other is not None
    Child.objects.filter(pk=child.pk).update(external_id="NEW-ID", date_of_birth=date(2009, 7, 4),
                                             responsible_authority=other)
    _assert_in_step(child)
    assert CarePeriod.objects.get(child_id=child.pk).eighteenth_birthday == date(2027, 7, 4)


def test_the_export_follows_a_history_changed_after_the_episode(make_child: Any, episode: Any,
                                                                coordinator: Any) -> None:
    child = make_child(external_id="CP1", legal_status_since=date(2020, 1, 1))
    episode(child, london(2024, 6, 1, 10, 0), london(2024, 6, 20, 10, 0))
    assert ssda903_missing_export(coordinator, year=2025).rows == 1
    # Care ended during the episode: the period ends with it, as the Python table ends it.
    LegalStatusPeriod.objects.create(child=child, status="child_in_need", started_on=date(2024, 6, 10))
    export = ssda903_missing_export(coordinator, year=2025)
    table = ssda903_missing(coordinator, year=2025)
    assert [row.end for row in table.rows] == [date(2024, 6, 10)]
    assert export.csv == "CHILD,DOB,MISSING,MIS_START,MIS_END\r\nCP1,17/05/2011,M,01/06/2024,10/06/2024\r\n"
    # Not looked after when the episode began (in need until care began the day after): no row.
    LegalStatusPeriod.objects.create(child=child, status="child_in_need", started_on=date(2024, 5, 1))
    LegalStatusPeriod.objects.create(child=child, status="looked_after", started_on=date(2024, 6, 2))
    assert ssda903_missing_export(coordinator, year=2025).rows == len(ssda903_missing(coordinator, year=2025).rows) == 0
