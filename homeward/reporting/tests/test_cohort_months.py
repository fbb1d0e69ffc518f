"""The performance report's counts by cohort read from past months rolled up (issue 11, ADR
0021) are the counts worked out from every episode, whatever changes after a roll: the
database's triggers mark the months touched, whichever way the change is written.
PostgreSQL only (SQLite rolls nothing: every month is counted from its episodes)."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import psycopg
import pytest
from django.db import connection

from homeward.casework.children import child_update
from homeward.casework.episodes import episode_cancel, episode_record_found
from homeward.children.models import Child, Placement
from homeward.children.services import PlacementInput
from homeward.reporting import cohort_months
from homeward.reporting.cohort_counts import HOURS, PeriodCounts, period_counts
from homeward.reporting.cohort_months import (
    cohort_months_roll_all,
    cohort_months_roll_due,
    period_counts_rolled,
    rolled_cohort_months,
    unrolled_ranges,
)
from homeward.reporting.models import CohortFigures, CohortMark, CohortMonth
from homeward.reporting.performance import episodes_starting, performance

from .conftest import london

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the marks are PostgreSQL triggers"),
]
FIRST, LAST = date(2025, 1, 1), date(2025, 3, 31)
JAN, FEB, MAR = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)


def _plain(counts: PeriodCounts) -> tuple[Any, ...]:
    return (sorted((c.dimension, c.value, c.month, c.episodes, c.children) for c in counts.cohorts),
            {k: v for k, v in counts.buckets.items() if v}, counts.still_missing, sorted(counts.middle_hours))


def every_episode(user: Any, first: date = FIRST, last: date = LAST) -> tuple[Any, ...]:
    """Counted from every episode of the period, no roll-up read."""
    return _plain(period_counts(episodes_starting(user, first, last), HOURS))


def reported(user: Any, first: date = FIRST, last: date = LAST) -> tuple[Any, ...]:
    return _plain(period_counts_rolled(True, episodes_starting(user, first, last), first, last))


@pytest.fixture
def period(make_child: Any, episode: Any) -> dict[str, Any]:
    placed_here = {"authority": "941", "provider": "Oak House", "started_on": date(2024, 6, 1)}
    a = make_child(external_id="A", placement=placed_here)
    b = make_child(external_id="B", legal_status="child_in_need", sex="male", date_of_birth=date(2008, 2, 29))
    c = make_child(external_id="C", placement={"authority": "855", "provider": "Far Away", "started_on": None})
    return {
        "a": a, "b": b, "c": c,
        "a_jan": episode(a, london(2025, 1, 10, 10, 0), london(2025, 1, 10, 16, 0)),
        "b_jan": episode(b, london(2025, 1, 31, 23, 30), london(2025, 2, 2, 9, 0)),
        "c_feb": episode(c, london(2025, 2, 3, 8, 0), london(2025, 2, 4, 8, 0)),
        "a_feb": episode(a, london(2025, 2, 3, 23, 30), london(2025, 2, 12, 8, 0)),
        "b_mar": episode(b, london(2025, 3, 29, 23, 0)),  # still missing
    }


def test_rolled_months_give_the_counts_of_every_episode(period: dict[str, Any], coordinator: Any) -> None:
    counted = every_episode(coordinator)
    assert rolled_cohort_months(FIRST, LAST).months == []
    assert reported(coordinator) == counted
    assert cohort_months_roll_all() >= 3
    rolled = rolled_cohort_months(FIRST, LAST)
    assert rolled.months == [JAN, FEB, MAR] and rolled.still_missing == 1
    assert reported(coordinator) == counted
    # The page's figures are the same as before the roll.
    figures = performance(coordinator, first=FIRST, last=LAST, listing=False)
    assert (figures.episodes, figures.children, figures.still_missing) == (5, 3, 1)


def test_a_month_partly_inside_the_period_is_counted_from_its_episodes(period: dict[str, Any],
                                                                      coordinator: Any) -> None:
    cohort_months_roll_all()
    first, last = date(2025, 1, 15), date(2025, 3, 30)
    assert rolled_cohort_months(first, last).months == [FEB]
    assert reported(coordinator, first, last) == every_episode(coordinator, first, last)
    assert unrolled_ranges(first, last, [FEB]) == [(london(2025, 1, 15, 0, 0), london(2025, 2, 1, 0, 0)),
                                                   (london(2025, 3, 1, 0, 0), london(2025, 3, 31, 0, 0))]


def _marked() -> set[date]:
    return set(CohortMark.objects.values_list("month", flat=True))


def test_each_change_marks_its_months_and_is_counted(period: dict[str, Any], coordinator: Any,
                                                     episode: Any) -> None:
    cohort_months_roll_all()
    assert _marked() == set()

    def changed(months: set[date]) -> None:
        assert _marked() == months
        assert reported(coordinator) == every_episode(coordinator)
        assert cohort_months_roll_all() >= 3
        assert _marked() == set() and reported(coordinator) == every_episode(coordinator)

    # A legal status: every past month of the child's episodes.
    child_update(actor=coordinator, child=period["a"], legal_status="child_protection",
                 legal_status_since=date(2025, 2, 1))
    changed({JAN, FEB})
    # A placement: the new one in another authority's area.
    child_update(actor=coordinator, child=period["c"],
                 placement=PlacementInput(authority="941", provider="Near", started_on=date(2025, 1, 1)))
    changed({FEB})
    # Date of birth and sex.
    child_update(actor=coordinator, child=period["b"], date_of_birth=date(2006, 3, 1))
    changed({JAN, MAR})
    child_update(actor=coordinator, child=period["b"], sex="female")
    changed({JAN, MAR})
    # Found, long after: its month's lengths and those still missing.
    episode_record_found(actor=coordinator, episode=period["b_mar"], found_at=london(2025, 4, 2, 9, 0))
    changed({MAR})
    # Cancelled: it counts nowhere.
    episode_cancel(actor=coordinator, episode=period["c_feb"], reason="Reported in error.")
    changed({FEB})
    # Recorded long after, into a rolled month.
    episode(period["c"], london(2025, 1, 20, 12, 0), london(2025, 1, 20, 18, 0))
    changed({JAN})
    # Written around the services, as an import or a correction in bulk might: marked all the same.
    Placement.objects.filter(child=period["a"]).update(ended_on=date(2025, 1, 5))
    changed({JAN, FEB})
    Child.objects.filter(pk=period["c"].pk).update(sex="male")
    changed({JAN, FEB})


def test_the_current_month_is_never_marked(period: dict[str, Any], coordinator: Any, episode: Any) -> None:
    from django.utils import timezone

    before = CohortMark.objects.count()
    episode(period["c"], timezone.now())
    assert CohortMark.objects.count() == before


def test_figures_of_another_layout_or_home_authority_are_not_read(period: dict[str, Any], coordinator: Any) -> None:
    cohort_months_roll_all()
    CohortMonth.objects.filter(month=JAN).update(layout=cohort_months.LAYOUT + 1)
    CohortMonth.objects.filter(month=FEB).update(home_authority_id=None)
    assert rolled_cohort_months(FIRST, LAST).months == [MAR]
    assert reported(coordinator) == every_episode(coordinator)
    # The worker rolls them again.
    assert cohort_months.cohort_months_roll_due() == 2
    assert rolled_cohort_months(FIRST, LAST).months == [JAN, FEB, MAR]


def test_someone_who_sees_some_children_is_counted_from_their_episodes(period: dict[str, Any],
                                                                       make_user: Any) -> None:
    cohort_months_roll_all()
    worker = make_user("social_worker", team="Elsewhere", username="elsewhere")
    figures = performance(worker, first=FIRST, last=LAST, listing=False)
    assert (figures.episodes, figures.children) == (0, 0)
    assert _plain(period_counts_rolled(False, episodes_starting(worker, FIRST, LAST), FIRST, LAST)) == \
        every_episode(worker)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data_after_flush")
def test_a_month_waits_for_every_transaction_begun_before_it_was_declared(period: dict[str, Any],
                                                                          coordinator: Any) -> None:
    # A writer that began before the month was declared, still open: it may have written to the
    # month while it was current, unmarked. The month is declared but not rolled until it ends.
    settings = connection.settings_dict
    with psycopg.connect(dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"],
                         port=settings["PORT"] or 5432, autocommit=False) as other:
        other.execute("SELECT pg_current_xact_id()")  # holds a transaction id, as a writer does
        assert cohort_months_roll_due() == 0
        assert CohortMonth.objects.filter(month__in=[JAN, FEB, MAR]).exclude(declared_snapshot="").count() == 3
        assert rolled_cohort_months(FIRST, LAST).months == []
        other.rollback()
    # Rolled once the writers running at the declaration have ended (the test's own, and those
    # of any other test on this database server at that moment: a few seconds at most).
    deadline = time.monotonic() + 60
    while not cohort_months_roll_due() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert rolled_cohort_months(FIRST, LAST).months == [JAN, FEB, MAR]
    assert reported(coordinator) == every_episode(coordinator)
    assert CohortFigures.objects.filter(month=JAN, dimension="month").values_list("episodes", flat=True).get() == 2
    # Nothing left to do.
    assert cohort_months_roll_due() == 0
