"""The performance report's duty figures read from the days rolled up (issue 11) are the
figures counted from every stored row, whatever happens to a closed episode after its roll."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from homeward.casework.episodes import episode_cancel, episode_close
from homeward.casework.interviews import rhi_record_offer
from homeward.obligations import duty_days
from homeward.obligations.duty_days import duty_days_roll_all, duty_days_roll_due
from homeward.obligations.duty_figures import duty_counts, unrolled_ranges
from homeward.obligations.models import DutyDay, DutyFigures, StoredObligation
from homeward.reporting.performance import episodes_starting, performance

from .conftest import london

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data_after_flush")]
FIRST, LAST = date(2025, 1, 1), date(2025, 3, 31)


def reported(user: Any) -> list[tuple[Any, ...]]:
    return [(d.code, d.title, d.owed, d.done_in_time, d.done_late, d.missed, d.not_done, d.outstanding)
            for d in performance(user, first=FIRST, last=LAST, listing=False).duties]


def every_row(user: Any) -> list[tuple[Any, ...]]:
    """Each duty counted from every stored row of the period's episodes, no roll-up read."""
    rows = StoredObligation.objects.filter(episode__in=episodes_starting(user, FIRST, LAST).order_by().values("pk"))
    return [(c.code, c.title, c.owed, c.done_in_time, c.done_late, c.missed, c.not_done,
             c.owed - c.done_in_time - c.done_late - c.missed - c.not_done)
            for c in duty_counts(rows, timezone.now())]


@pytest.fixture
def period(make_child: Any, episode: Any, coordinator: Any) -> dict[str, Any]:
    a, b, c = make_child(external_id="A"), make_child(external_id="B"), make_child(external_id="C")
    made = {
        "a_jan": episode(a, london(2025, 1, 10, 10, 0), london(2025, 1, 10, 16, 0)),
        "b_jan": episode(b, london(2025, 1, 10, 20, 0), london(2025, 1, 11, 9, 0)),
        "c_feb": episode(c, london(2025, 2, 3, 8, 0), london(2025, 2, 4, 8, 0)),
        "a_feb": episode(a, london(2025, 2, 3, 23, 30), london(2025, 2, 6, 8, 0)),
        "b_mar": episode(b, london(2025, 3, 29, 23, 0)),  # still missing
    }
    rhi_record_offer(actor=coordinator, episode=made["a_jan"], offered_at=london(2025, 1, 11, 9, 0), method="Visit")
    for name in ("a_jan", "b_jan", "c_feb"):
        episode_close(actor=coordinator, episode=made[name], closed_at=london(2025, 3, 30, 12, 0),
                      reason="Reviewed with the team manager.")
    return made


def test_rolled_days_give_the_figures_of_every_row(period: dict[str, Any], coordinator: Any) -> None:
    counted = every_row(coordinator)
    assert counted and any(row[6] for row in counted), "closing with duties outstanding leaves some not done"
    # Closing marked the days; until rolled they are counted from the rows.
    assert set(DutyDay.objects.values_list("day", "rolled_at")) == {(date(2025, 1, 10), None),
                                                                   (date(2025, 2, 3), None)}
    assert reported(coordinator) == counted
    assert duty_days_roll_due() == 2
    assert not DutyDay.objects.filter(rolled_at__isnull=True).exists()
    assert DutyFigures.objects.filter(day=date(2025, 1, 10)).exists()
    assert reported(coordinator) == counted


def test_a_change_after_the_roll_is_counted(period: dict[str, Any], coordinator: Any, make_user: Any) -> None:
    duty_days_roll_due()
    # Offered after the close: the closed episode's day is marked and counted from its rows.
    rhi_record_offer(actor=coordinator, episode=period["b_jan"], offered_at=london(2025, 3, 31, 9, 0), method="Call")
    assert DutyDay.objects.get(day=date(2025, 1, 10)).rolled_at is None
    assert reported(coordinator) == every_row(coordinator)
    duty_days_roll_due()
    assert reported(coordinator) == every_row(coordinator)
    # Cancelled after its close: it counts nowhere, rolled or not.
    episode_cancel(actor=coordinator, episode=period["c_feb"], reason="Reported in error.")
    assert DutyDay.objects.get(day=date(2025, 2, 3)).rolled_at is None
    assert reported(coordinator) == every_row(coordinator)
    assert duty_days_roll_due() == 1
    assert reported(coordinator) == every_row(coordinator)
    # Someone who sees only some children gets the figures of their rows alone.
    worker = make_user("social_worker", team="Elsewhere", username="elsewhere")
    assert reported(worker) == every_row(worker) == []


def test_rolling_every_day_at_once_gives_the_same_figures(period: dict[str, Any], coordinator: Any) -> None:
    duty_days_roll_due()
    by_day = sorted(DutyFigures.objects.values_list("day", "code", "title", "owed", "done_in_time", "done_late",
                                                    "missed", "not_done"))
    DutyFigures.objects.all().delete()
    DutyDay.objects.all().delete()
    assert duty_days_roll_all() == 2
    assert sorted(DutyFigures.objects.values_list("day", "code", "title", "owed", "done_in_time", "done_late",
                                                  "missed", "not_done")) == by_day
    assert reported(coordinator) == every_row(coordinator)


def test_a_day_waits_for_a_row_that_will_still_change(period: dict[str, Any], coordinator: Any,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    now = timezone.now()
    row = StoredObligation.objects.filter(episode=period["a_jan"], done_at__isnull=True).first()
    assert row is not None
    # A window that lapses after the close: not done now, missed from then.
    StoredObligation.objects.filter(pk=row.pk).update(lapses_at=now + timedelta(hours=1))
    assert duty_days_roll_due() == 1  # 3 February's; 10 January's waits
    waiting = DutyDay.objects.get(day=date(2025, 1, 10))
    assert waiting.rolled_at is None and waiting.roll_after == now + timedelta(hours=1)
    assert duty_days_roll_due() == 0
    assert reported(coordinator) == every_row(coordinator)
    later = now + timedelta(hours=2)
    monkeypatch.setattr(duty_days, "timezone", SimpleNamespace(now=lambda: later))
    assert duty_days_roll_due(now=later) == 1
    assert DutyDay.objects.get(day=date(2025, 1, 10)).rolled_at == later


def test_unrolled_ranges() -> None:
    jan = [date(2025, 1, d) for d in range(1, 8)]
    assert unrolled_ranges(jan[0], jan[6], frozenset()) == [(jan[0], jan[6])]
    assert unrolled_ranges(jan[0], jan[6], frozenset(jan)) == []
    assert unrolled_ranges(jan[0], jan[6], frozenset({jan[0], jan[3], jan[4]})) == [(jan[1], jan[2]), (jan[5], jan[6])]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data_loaded")
def test_the_figures_read_at_once_equal_those_read_in_turn(period: dict[str, Any], coordinator: Any,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # Committed data and no transaction around the report: on PostgreSQL its statements run on
    # two connections reading one snapshot (homeward.reporting.shared_snapshot).
    duty_days_roll_due()
    monkeypatch.setenv("HOMEWARD_REPORT_CONNECTIONS", "1")
    in_turn = performance(coordinator, first=FIRST, last=LAST)
    monkeypatch.setenv("HOMEWARD_REPORT_CONNECTIONS", "2")
    assert performance(coordinator, first=FIRST, last=LAST) == in_turn
    assert in_turn.duties and in_turn.episodes == 5
