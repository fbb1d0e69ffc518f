"""DOMAIN.md section 3: police_informed, manager_informed, mct_notified,
parental_responsibility_informed."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from homeward.protocol import ChildFacts, EpisodeFacts, Placement
from homeward.protocol.tests.builders import (
    FAR_AWAY,
    HOME,
    NEIGHBOUR,
    OTHER,
    Expect,
    check,
    child,
    episode,
    ev,
    later,
    ldt,
    looked_after,
    protocol,
    utc,
)

T = ldt(2026, 5, 12, 20)  # a Tuesday evening, BST


@pytest.mark.parametrize(
    ("the_episode", "as_of", "expected"),
    [
        pytest.param(episode(T), later(T, minutes=30), Expect(T, later(T, 1), "pending"), id="pending"),
        pytest.param(episode(T), later(T, 1), Expect(T, later(T, 1), "pending"), id="pending at the due second"),
        pytest.param(
            episode(T), later(T, 1, seconds=1), Expect(T, later(T, 1), "overdue"), id="overdue a second later"
        ),
        pytest.param(episode(T), later(T, -1), None, id="before the report: not listed yet"),
        pytest.param(episode(T, reported_by="police"), later(T, 2), None, id="reported by the police"),
        *[
            pytest.param(episode(T, reported_by=source), later(T, 2), Expect(T, later(T, 1), "overdue"), id=source)
            for source in ("placement_provider", "school", "edt", "social_worker", "other")
        ],
        pytest.param(
            episode(T, actions=[("police_informed", later(T, minutes=50))]),
            later(T, 3),
            Expect(T, later(T, 1), "done", later(T, minutes=50)),
            id="done in time",
        ),
        pytest.param(
            episode(T, actions=[("police_informed", later(T, 2)), ("police_informed", later(T, 4))]),
            later(T, 5),
            Expect(T, later(T, 1), "done", later(T, 2), late=True),
            id="done late, the first reference counts",
        ),
        pytest.param(
            episode(T, actions=[("police_informed", later(T, minutes=50))]),
            later(T, minutes=30),
            Expect(T, later(T, 1), "pending"),
            id="a fact after as_of does not count yet",
        ),
        pytest.param(
            episode(T, last_seen_at=later(T, -3), actions=[("police_informed", later(T, -1))]),
            later(T, minutes=1),
            Expect(T, later(T, 1), "done", later(T, -1)),
            id="told the police before telling us, after the child went missing",
        ),
        pytest.param(
            episode(T, last_seen_at=later(T, -3), actions=[("police_informed", later(T, -4))]),
            later(T, minutes=1),
            Expect(T, later(T, 1), "pending"),
            id="a record from before the child went missing does not count",
        ),
        pytest.param(
            episode(ldt(2026, 3, 29, 0, 30)),
            utc(2026, 3, 29, 3),
            Expect(utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 1, 30), "overdue"),
            id="the night the clocks go forward: 00:30 GMT + 1 h is 02:30 BST",
        ),
        pytest.param(
            episode(ldt(2026, 10, 25, 0, 30)),
            utc(2026, 10, 25, 0),
            Expect(utc(2026, 10, 24, 23, 30), utc(2026, 10, 25, 0, 30), "pending"),
            id="the night the clocks go back: 00:30 BST + 1 h is 01:30 BST",
        ),
    ],
)
def test_police_informed(the_episode: EpisodeFacts, as_of: datetime, expected: Expect | None) -> None:
    check(ev(child(), the_episode, as_of), "police_informed", expected)


def test_police_informed_follows_the_protocols_deadline() -> None:
    ninety = protocol('[deadlines]\npolice_informed = "90m"')
    check(
        ev(child(), episode(T), later(T, 1, minutes=15), ninety), "police_informed", Expect(T, later(T, 1.5), "pending")
    )


@pytest.mark.parametrize(
    ("the_child", "the_episode", "as_of", "expected"),
    [
        pytest.param(child(), episode(T), later(T, 1), Expect(T, later(T, 24), "pending"), id="every episode"),
        pytest.param(
            child(), episode(T, classification="absent"), later(T, 25), Expect(T, later(T, 24), "overdue"), id="absent"
        ),
        pytest.param(
            looked_after(FAR_AWAY),
            episode(T, reported_by="police", actions=[("manager_informed", later(T, 2))]),
            later(T, 3),
            Expect(T, later(T, 24), "done", later(T, 2)),
            id="done",
        ),
        pytest.param(
            child(),
            episode(ldt(2026, 3, 28, 10)),
            ldt(2026, 3, 29, 10, 30),
            Expect(utc(2026, 3, 28, 10), utc(2026, 3, 29, 10), "pending"),
            id="24 elapsed hours across the spring change end at 11:00 BST",
        ),
    ],
)
def test_manager_informed(
    the_child: ChildFacts, the_episode: EpisodeFacts, as_of: datetime, expected: Expect | None
) -> None:
    check(ev(the_child, the_episode, as_of), "manager_informed", expected)


def _moved(placed_from: date) -> ChildFacts:
    """Looked after since 2020, placed here, then far away from `placed_from`."""
    the_child = looked_after(HOME)
    return ChildFacts(
        date_of_birth=the_child.date_of_birth,
        responsible_authority=HOME,
        legal_status_history=the_child.legal_status_history,
        placements=(Placement(HOME, date(2020, 1, 1), placed_from), Placement(FAR_AWAY, placed_from)),
        has_iro=True,
    )


EOD_T = utc(2026, 5, 12, 22, 59, 59)  # 23:59:59 BST on 12 May


@pytest.mark.parametrize(
    ("the_child", "the_episode", "as_of", "expected"),
    [
        pytest.param(
            looked_after(FAR_AWAY), episode(T), later(T, 1), Expect(T, EOD_T, "pending"), id="placed far away"
        ),
        pytest.param(looked_after(NEIGHBOUR), episode(T), later(T, 4), Expect(T, EOD_T, "overdue"), id="next door"),
        pytest.param(looked_after(HOME), episode(T), later(T, 1), None, id="placed inside"),
        pytest.param(child(), episode(T), later(T, 1), None, id="not looked after"),
        pytest.param(child(status="child_protection", placed_in=FAR_AWAY), episode(T), later(T, 1), None, id="CP"),
        pytest.param(looked_after(HOME, responsible=OTHER), episode(T), later(T, 1), None, id="placed here by another"),
        pytest.param(
            looked_after(FAR_AWAY),
            episode(T, actions=[("mct_notified", ldt(2026, 5, 12, 23, 59, 59))]),
            later(T, 5),
            Expect(T, EOD_T, "done", EOD_T),
            id="done at the last second of the day",
        ),
        pytest.param(
            looked_after(FAR_AWAY),
            episode(T, actions=[("mct_notified", ldt(2026, 5, 13, 0, 0))]),
            later(T, 5),
            Expect(T, EOD_T, "done", utc(2026, 5, 12, 23), late=True),
            id="done after midnight is late",
        ),
        pytest.param(
            looked_after(FAR_AWAY),
            episode(ldt(2026, 6, 11, 0, 30)),
            ldt(2026, 6, 11, 1),
            Expect(utc(2026, 6, 10, 23, 30), utc(2026, 6, 11, 22, 59, 59), "pending"),
            id="00:30 BST is still 10 June in UTC but the day is 11 June",
        ),
        pytest.param(
            looked_after(FAR_AWAY),
            episode(ldt(2026, 1, 15, 23, 30)),
            ldt(2026, 1, 15, 23, 45),
            Expect(utc(2026, 1, 15, 23, 30), utc(2026, 1, 15, 23, 59, 59), "pending"),
            id="GMT",
        ),
        pytest.param(
            looked_after(FAR_AWAY),
            episode(ldt(2028, 2, 29, 9)),
            ldt(2028, 3, 1, 0),
            Expect(utc(2028, 2, 29, 9), utc(2028, 2, 29, 23, 59, 59), "overdue"),
            id="29 February 2028",
        ),
        pytest.param(
            _moved(date(2026, 5, 13)),
            episode(ldt(2026, 5, 13, 9), last_seen_at=ldt(2026, 5, 12, 23)),
            ldt(2026, 5, 13, 10),
            None,
            id="placed far away only after missing_since",
        ),
        pytest.param(
            _moved(date(2026, 5, 12)),
            episode(ldt(2026, 5, 13, 9), last_seen_at=ldt(2026, 5, 12, 23)),
            ldt(2026, 5, 13, 10),
            Expect(utc(2026, 5, 13, 8), utc(2026, 5, 13, 22, 59, 59), "pending"),
            id="placed far away at missing_since",
        ),
    ],
)
def test_mct_notified(
    the_child: ChildFacts, the_episode: EpisodeFacts, as_of: datetime, expected: Expect | None
) -> None:
    check(ev(the_child, the_episode, as_of), "mct_notified", expected)


def test_mct_notified_can_have_an_elapsed_deadline() -> None:
    four_hours = protocol('[deadlines]\nmct_notified = "4h"')
    result = ev(looked_after(FAR_AWAY), episode(T), later(T, 1), four_hours)
    check(result, "mct_notified", Expect(T, later(T, 4), "pending"))


@pytest.mark.parametrize(
    ("the_child", "expected"),
    [
        pytest.param(looked_after(HOME), Expect(T, later(T, 24), "pending"), id="looked after"),
        pytest.param(looked_after(FAR_AWAY, responsible=OTHER), Expect(T, later(T, 24), "pending"), id="by another"),
        pytest.param(child(), None, id="not looked after"),
        pytest.param(child(status="looked_after", since=date(2026, 5, 13)), None, id="looked after from the next day"),
        pytest.param(
            child(status="looked_after", since=date(2026, 5, 12)), Expect(T, later(T, 24), "pending"), id="that day"
        ),
    ],
)
def test_parental_responsibility_informed(the_child: ChildFacts, expected: Expect | None) -> None:
    check(ev(the_child, episode(T), later(T, 2)), "parental_responsibility_informed", expected)


def test_legal_status_ended_before_missing_since_does_not_count() -> None:
    from homeward.protocol import LegalStatusPeriod

    the_child = child(
        status="looked_after", since=date(2020, 1, 1), history=[LegalStatusPeriod("none", date(2026, 5, 1))]
    )
    check(ev(the_child, episode(T), later(T, 2)), "parental_responsibility_informed", None)


@pytest.mark.parametrize(
    "code", ["police_informed", "manager_informed", "mct_notified", "parental_responsibility_informed", "repeat_review"]
)
def test_duties_arising_at_the_report_are_done_only_by_records_from_missing_since(code: str) -> None:
    """DOMAIN.md section 3: "duties that arise at the report may be completed by records from
    missing_since on"."""
    seen = later(T, -3)
    the_child = looked_after(FAR_AWAY)
    starts = [later(T, days=-10), later(T, days=-20)]
    before = episode(T, last_seen_at=seen, actions=[(code, later(seen, -1))], other_starts=starts)
    result = ev(the_child, before, later(T, minutes=1))
    obligation = next(o for o in result if o.code == code)
    assert obligation.status == "pending"
    between = episode(T, last_seen_at=seen, actions=[(code, seen)], other_starts=starts)
    result = ev(the_child, between, later(T, minutes=1))
    obligation = next(o for o in result if o.code == code)
    assert (obligation.status, obligation.done_at) == ("done", seen)


def test_a_police_reference_already_on_an_unseen_episode_is_for_the_mct_to_confirm() -> None:
    """The reporter's episode is recorded and the MCT confirms the reference with the force
    (issue 14: the duplicate is neither returned nor revealed to the reporter)."""
    plain = ev(child(), episode(T), later(T, 2))
    assert not [o for o in plain if o.code == "police_reference_review"]
    conflict = episode(T, police_reference_conflict=True)
    check(
        ev(child(), conflict, later(T, 2)),
        "police_reference_review",
        Expect(arises_at=T, due_at=later(T, 24), status="pending"),
    )
    reviewed = episode(T, police_reference_conflict=True, actions=[("police_reference_review", later(T, 3))])
    (done,) = [o for o in ev(child(), reviewed, later(T, 4)) if o.code == "police_reference_review"]
    assert (done.status, done.responsible_role) == ("done", "mct_admin")
