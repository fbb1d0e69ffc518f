"""The weekly report on known data, each list worked out by hand (ADR 0005's definitions)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from homeward.casework.episodes import episode_cancel
from homeward.casework.interviews import rhi_record_offer
from homeward.reporting.weekly import weekly_report

from .conftest import london

pytestmark = pytest.mark.django_db
AS_OF = london(2025, 3, 10, 7, 0)  # a Monday morning; the window opens Monday 3 March 07:00


@pytest.fixture
def week(make_child: Any, episode: Any, coordinator: Any) -> dict[str, Any]:
    kids = {name: make_child(external_id=name, placement={"authority": "941", "provider": "Oakfield House"})
            for name in "abcdefgh"}
    # Two earlier absences of a: with the open episode of 5 March, three within 90 days.
    episode(kids["a"], london(2025, 1, 10, 10, 0), london(2025, 1, 10, 20, 0), classification="absent")
    episode(kids["a"], london(2025, 2, 1, 10, 0), london(2025, 2, 1, 20, 0), classification="absent")
    e = {
        "open_long": episode(kids["a"], london(2025, 3, 5, 10, 0)),
        "open_high": episode(kids["b"], london(2025, 3, 9, 20, 0), risk_level="high"),
        "returned": episode(kids["c"], london(2025, 3, 4, 9, 0), london(2025, 3, 4, 18, 0)),
        "returned_recent": episode(kids["d"], london(2025, 3, 8, 10, 0), london(2025, 3, 9, 12, 0)),
        "offered": episode(kids["e"], london(2025, 3, 3, 12, 0), london(2025, 3, 3, 20, 0)),
        "before_window": episode(kids["f"], london(2025, 2, 20, 10, 0), london(2025, 3, 2, 10, 0)),
        "high_found": episode(kids["g"], london(2025, 3, 6, 10, 0), london(2025, 3, 6, 20, 0), risk_level="high"),
        "long_found": episode(kids["h"], london(2025, 3, 1, 9, 0), london(2025, 3, 5, 9, 0)),
        # After the report's instant: not known at as_of.
        "later": episode(kids["c"], london(2025, 3, 11, 9, 0), london(2025, 3, 11, 10, 0)),
    }
    rhi_record_offer(actor=coordinator, episode=e["offered"], offered_at=london(2025, 3, 4, 10, 0), method="Visit")
    return e


def ids(items: list[Any]) -> list[int]:
    return [i.episode for i in items]


def test_each_list_at_a_monday_morning(week: dict[str, Any], coordinator: Any) -> None:
    report = weekly_report(coordinator, as_of=AS_OF)
    e = {name: ep.pk for name, ep in week.items()}
    assert ids(report.missing_now) == [e["open_long"], e["open_high"]]
    # 72 hours reached inside the window: 4 March 09:00 (found the next day) and 8 March 10:00.
    assert ids(report.over_72_hours) == [e["long_found"], e["open_long"]]
    assert ids(report.high_risk) == [e["high_found"], e["open_high"]]
    assert ids(report.returned_last_7_days) == [e["long_found"], e["offered"], e["returned"], e["high_found"],
                                                e["returned_recent"]]
    # Offers due 72 hours after the return: 12 March for d; the others' passed without an offer.
    assert ids(report.rhi_due) == [e["returned_recent"]]
    assert ids(report.rhi_overdue) == [e["before_window"], e["returned"], e["long_found"], e["high_found"]]
    assert [(r.child, r.episodes) for r in report.repeat_missing_children] == [
        (week["open_long"].child_id, (e["open_long"],))]
    assert report.counts == {"missing_now": 2, "over_72_hours": 2, "high_risk": 2, "returned_last_7_days": 5,
                             "rhi_due": 1, "rhi_overdue": 4, "repeat_missing_children": 1}


def test_a_week_earlier_the_same_episodes_read_differently(week: dict[str, Any], coordinator: Any) -> None:
    report = weekly_report(coordinator, as_of=london(2025, 3, 3, 7, 0))
    e = {name: ep.pk for name, ep in week.items()}
    assert ids(report.missing_now) == [e["long_found"]]
    assert ids(report.over_72_hours) == [e["before_window"]]
    assert ids(report.returned_last_7_days) == [e["before_window"]]
    assert ids(report.rhi_due) == [e["before_window"]]
    assert report.repeat_missing_children == []


def test_the_report_is_scoped_to_the_children_the_person_sees(make_child: Any, episode: Any,
                                                              make_user: Any) -> None:
    worker = make_user("social_worker", team="Children in Care North")
    make_user("social_worker", team="Children in Care South")
    mine = make_child(team="Children in Care North")
    theirs = make_child(team="Children in Care South")
    now = timezone.now()
    mine_episode = episode(mine, now.replace(microsecond=0) - timezone.timedelta(hours=5))
    episode(theirs, now.replace(microsecond=0) - timezone.timedelta(hours=5))
    assert ids(weekly_report(worker, as_of=now).missing_now) == [mine_episode.pk]


def test_a_cancelled_episode_drops_out_from_its_cancellation(make_child: Any, episode: Any,
                                                            coordinator: Any) -> None:
    child = make_child(legal_status_since=date(2020, 1, 1))
    since = timezone.now().replace(microsecond=0) - timezone.timedelta(hours=3)
    cancelled = episode(child, since)
    episode_cancel(actor=coordinator, episode=cancelled, reason="Reported in error.")
    assert weekly_report(coordinator, as_of=timezone.now()).missing_now == []
    assert ids(weekly_report(coordinator, as_of=since + timezone.timedelta(hours=1)).missing_now) == [cancelled.pk]
