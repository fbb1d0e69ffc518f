"""DOMAIN.md section 3: risk_analysis, carer_update, strategy_meeting,
strategy_meeting_review, senior_escalation, high_risk_notifications."""

from __future__ import annotations

from datetime import datetime

import pytest

from homeward.protocol import ChildFacts, EpisodeFacts, default_protocol, plan
from homeward.protocol.tests.builders import (
    FAR_AWAY,
    HOME,
    Expect,
    check,
    child,
    episode,
    ev,
    facts,
    instances,
    later,
    ldt,
    looked_after,
    protocol,
    utc,
)

T = ldt(2026, 5, 12, 20)  # reported; a Tuesday evening, BST
S = ldt(2026, 5, 12, 18)  # last seen: missing_since
LAC = looked_after(HOME)


def missing(**kwargs: object) -> EpisodeFacts:
    return episode(T, last_seen_at=S, **kwargs)  # type: ignore[arg-type]


# --- risk_analysis -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("the_episode", "as_of", "expected"),
    [
        pytest.param(missing(), later(T, 1), Expect(T, later(T, 24), "pending"), id="from reported_at, not last seen"),
        pytest.param(missing(classification="absent"), later(T, 1), None, id="absent"),
        pytest.param(missing(classification=None), later(T, 1), None, id="never classified"),
        pytest.param(
            missing(classification="absent", reclassified=[("missing", later(T, 30))]),
            later(T, 31),
            Expect(later(T, 30), later(T, 54), "pending"),
            id="reclassified as missing: measured from the reclassification",
        ),
        pytest.param(
            missing(classification="absent", reclassified=[("missing", later(T, 30))]),
            later(T, 29),
            None,
            id="before the reclassification: not listed",
        ),
        pytest.param(
            missing(reclassified=[("absent", later(T, 2))]),
            later(T, 30),
            Expect(T, later(T, 24), "overdue"),
            id="downgraded to absent: still owed",
        ),
        pytest.param(
            missing(actions=[("risk_analysis", later(T, 3))]),
            later(T, 4),
            Expect(T, later(T, 24), "done", later(T, 3)),
            id="done",
        ),
        pytest.param(
            episode(ldt(2026, 10, 24, 12), classification="absent", reclassified=[("missing", ldt(2026, 10, 24, 13))]),
            utc(2026, 10, 25, 12, 0, 1),
            Expect(utc(2026, 10, 24, 12), utc(2026, 10, 25, 12), "overdue"),
            id="24 h across the autumn change: 13:00 BST to 12:00 GMT",
        ),
    ],
)
def test_risk_analysis(the_episode: EpisodeFacts, as_of: datetime, expected: Expect | None) -> None:
    check(ev(child(), the_episode, as_of), "risk_analysis", expected)


def test_a_reclassification_is_explained_in_the_basis() -> None:
    the_episode = missing(classification="absent", reclassified=[("missing", later(T, 30))])
    obligation = next(o for o in ev(child(), the_episode, later(T, 31)) if o.code == "risk_analysis")
    assert obligation.basis.trigger == "reclassified_missing_at"
    assert "reclassified from absent to missing at 2026-05-14T01:00:00+00:00" in obligation.basis.note


# --- carer_update ------------------------------------------------------------------------


def updates(the_child: ChildFacts, the_episode: EpisodeFacts, as_of: datetime) -> list[tuple[object, ...]]:
    return [
        (o.instance, o.arises_at, o.due_at, o.status, o.done_at)
        for o in instances(ev(the_child, the_episode, as_of), "carer_update")
    ]


def test_carer_update_is_for_looked_after_children_only() -> None:
    assert updates(child(), missing(), later(S, 50)) == []


def test_carer_update_first_instance_is_listed_from_missing_since() -> None:
    assert updates(LAC, missing(), later(S, -1)) == []
    assert updates(LAC, missing(), S) == [(1, S, later(S, 24), "pending", None)]


def test_carer_update_shows_the_current_one_and_every_earlier_one() -> None:
    the_episode = missing(actions=[("carer_update", later(S, 5))])
    assert updates(LAC, the_episode, later(S, 50)) == [
        (1, S, later(S, 24), "done", later(S, 5)),
        (2, later(S, 24), later(S, 48), "missed", None),
        (3, later(S, 48), later(S, 72), "pending", None),
    ]


def test_a_carer_update_window_is_pending_until_it_lapses_then_missed_never_overdue() -> None:
    assert updates(LAC, missing(), later(S, 24, seconds=-1)) == [(1, S, later(S, 24), "pending", None)]
    assert updates(LAC, missing(), later(S, 24)) == [
        (1, S, later(S, 24), "missed", None),
        (2, later(S, 24), later(S, 48), "pending", None),
    ]
    (first,) = instances(ev(LAC, missing(), later(S, 1)), "carer_update")
    assert (first.lapses_at, first.listed_from) == (later(S, 24), S)


def test_carer_update_at_the_boundary_counts_for_both_days() -> None:
    the_episode = missing(actions=[("carer_update", later(S, 24))])
    assert updates(LAC, the_episode, later(S, 30)) == [
        (1, S, later(S, 24), "done", later(S, 24)),
        (2, later(S, 24), later(S, 48), "done", later(S, 24)),
    ]


def test_a_late_carer_update_does_not_make_good_a_missed_day() -> None:
    the_episode = missing(actions=[("carer_update", later(S, 30))])
    assert updates(LAC, the_episode, later(S, 47)) == [
        (1, S, later(S, 24), "missed", None),
        (2, later(S, 24), later(S, 48), "done", later(S, 30)),
    ]


def test_carer_updates_stop_arising_when_the_child_is_found() -> None:
    the_episode = missing(found_at=later(S, 30))
    assert updates(LAC, the_episode, later(S, 100)) == [(1, S, later(S, 24), "missed", None)]


def test_the_window_running_at_the_return_is_owed_only_if_an_update_was_made_in_it_by_then() -> None:
    done_in_it = missing(found_at=later(S, 30), actions=[("carer_update", later(S, 26))])
    assert updates(LAC, done_in_it, later(S, 100)) == [
        (1, S, later(S, 24), "missed", None),
        (2, later(S, 24), later(S, 48), "done", later(S, 26)),
    ]
    after_the_return = missing(found_at=later(S, 30), actions=[("carer_update", later(S, 31))])
    assert updates(LAC, after_the_return, later(S, 100)) == [(1, S, later(S, 24), "missed", None)]
    before_the_return = missing(found_at=later(S, 30))
    assert updates(LAC, before_the_return, later(S, 29)) == [
        (1, S, later(S, 24), "missed", None),
        (2, later(S, 24), later(S, 48), "pending", None),
    ]


def test_found_when_a_window_closes_it_is_a_whole_window() -> None:
    assert updates(LAC, missing(found_at=later(S, 24)), later(S, 100)) == [(1, S, later(S, 24), "missed", None)]


def test_found_exactly_when_an_update_would_arise_it_does_not() -> None:
    assert len(updates(LAC, missing(found_at=later(S, 48)), later(S, 100))) == 2


def test_found_after_as_of_does_not_count_yet() -> None:
    assert len(updates(LAC, missing(found_at=later(S, 70)), later(S, 60))) == 3


def test_carer_updates_stop_when_the_episode_is_closed() -> None:
    assert updates(LAC, missing(closed_at=later(S, 30)), later(S, 100)) == [(1, S, later(S, 24), "missed", None)]


def test_carer_updates_run_on_elapsed_hours_across_the_spring_change() -> None:
    start = ldt(2026, 3, 28, 12)  # GMT
    result = updates(LAC, episode(start), ldt(2026, 3, 29, 14))
    assert [(r[1], r[2]) for r in result] == [
        (utc(2026, 3, 28, 12), utc(2026, 3, 29, 12)),
        (utc(2026, 3, 29, 12), utc(2026, 3, 30, 12)),  # 13:00 BST
    ]


def test_carer_updates_follow_the_protocols_interval() -> None:
    twice_daily = protocol('[intervals]\ncarer_update = "12h"\n[deadlines]\ncarer_update = "12h"')
    result = instances(ev(LAC, missing(), later(S, 25), twice_daily), "carer_update")
    assert [(o.arises_at, o.due_at) for o in result] == [
        (S, later(S, 12)),
        (later(S, 12), later(S, 24)),
        (later(S, 24), later(S, 36)),
    ]


def test_carer_updates_apply_to_absent_episodes_too() -> None:
    assert len(updates(LAC, missing(classification="absent"), later(S, 30))) == 2


# --- strategy_meeting --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("the_child", "the_episode", "as_of", "expected"),
    [
        pytest.param(LAC, missing(), later(S, 2), Expect(S, later(S, 72), "pending"), id="72 h from missing_since"),
        pytest.param(child(), missing(), later(S, 2), None, id="not looked after"),
        pytest.param(LAC, missing(classification="absent"), later(S, 2), None, id="absent"),
        pytest.param(
            LAC,
            missing(gradings=[("medium", later(S, 3)), ("high", later(S, 10))]),
            later(S, 12),
            Expect(S, later(S, 34), "pending"),
            id="regraded high: pulled earlier to t + 24 h",
        ),
        pytest.param(
            LAC,
            missing(gradings=[("high", later(S, 10))]),
            later(S, 35),
            Expect(S, later(S, 34), "overdue"),
            id="graded high: overdue after t + 24 h",
        ),
        pytest.param(
            LAC,
            missing(gradings=[("high", later(S, 60))]),
            later(S, 61),
            Expect(S, later(S, 72), "pending"),
            id="graded high late: 72 h is earlier",
        ),
        pytest.param(
            LAC,
            missing(gradings=[("high", later(S, 10))]),
            later(S, 5),
            Expect(S, later(S, 72), "pending"),
            id="a grading after as_of does not count yet",
        ),
        pytest.param(
            LAC,
            missing(gradings=[("high", later(S, 10)), ("low", later(S, 11)), ("high", later(S, 40))]),
            later(S, 41),
            Expect(S, later(S, 34), "overdue"),
            id="the first high grading sets the time",
        ),
        pytest.param(
            LAC,
            missing(gradings=[("high", later(S, 2))], meetings=[later(S, 30)]),
            later(S, 40),
            Expect(S, later(S, 26), "done", later(S, 30), late=True),
            id="held after the high-risk deadline: late",
        ),
        pytest.param(
            LAC,
            missing(meetings=[(later(S, 5), "section_47"), (later(S, 50), "missing_strategy")]),
            later(S, 60),
            Expect(S, later(S, 72), "done", later(S, 50)),
            id="only a missing strategy meeting counts",
        ),
        pytest.param(
            LAC,
            missing(meetings=[(later(S, 5), "mace")]),
            later(S, 73),
            Expect(S, later(S, 72), "overdue"),
            id="a MACE meeting does not count",
        ),
        pytest.param(
            LAC,
            missing(classification="absent", reclassified=[("missing", later(S, 80))]),
            later(S, 81),
            Expect(S, later(S, 72), "overdue"),
            id="reclassified after 72 h: still measured from missing_since",
        ),
        pytest.param(
            LAC,
            missing(classification="absent", reclassified=[("missing", later(S, 30))]),
            later(S, 31),
            Expect(S, later(S, 72), "pending"),
            id="reclassified before 72 h",
        ),
        pytest.param(
            LAC,
            missing(found_at=later(S, 10)),
            later(S, 73),
            Expect(S, later(S, 72), "overdue"),
            id="found early: the row has no while-open condition",
        ),
        pytest.param(
            LAC,
            missing(gradings=[("high", later(S, -30))]),
            later(T, 1),
            Expect(S, S, "overdue"),
            id="graded high long before missing_since: due when it arises",
        ),
        pytest.param(
            LAC,
            episode(ldt(2026, 3, 27, 12)),
            ldt(2026, 3, 30, 12, 30),
            Expect(utc(2026, 3, 27, 12), utc(2026, 3, 30, 12), "pending"),
            id="72 h across the spring change end at 13:00 BST",
        ),
        pytest.param(
            LAC,
            episode(ldt(2026, 10, 23, 12)),
            ldt(2026, 10, 26, 11, 30),
            Expect(utc(2026, 10, 23, 11), utc(2026, 10, 26, 11), "overdue"),
            id="72 h across the autumn change end at 11:00 GMT",
        ),
        pytest.param(
            LAC,
            episode(ldt(2028, 2, 27, 20)),
            ldt(2028, 3, 1, 19),
            Expect(utc(2028, 2, 27, 20), utc(2028, 3, 1, 20), "pending"),
            id="72 h across 29 February 2028",
        ),
    ],
)
def test_strategy_meeting(
    the_child: ChildFacts, the_episode: EpisodeFacts, as_of: datetime, expected: Expect | None
) -> None:
    check(ev(the_child, the_episode, as_of), "strategy_meeting", expected)


def test_a_high_grading_is_explained_in_the_basis() -> None:
    the_episode = missing(gradings=[("high", later(S, 10))])
    obligation = next(o for o in ev(LAC, the_episode, later(S, 12)) if o.code == "strategy_meeting")
    assert "graded high at" in obligation.basis.note
    assert "intervals.strategy_meeting_high_risk = 24h" in obligation.basis.policy_value


# --- strategy_meeting_review -------------------------------------------------------------

M = later(S, 50)  # the first missing strategy meeting


@pytest.mark.parametrize(
    ("the_episode", "as_of", "expected"),
    [
        pytest.param(missing(), later(S, 60), [], id="no meeting yet"),
        pytest.param(missing(meetings=[M]), later(M, 1), [], id="listed only from its arising"),
        pytest.param(
            missing(meetings=[M]),
            later(M, days=30),
            [(later(M, days=30), later(M, days=30), "pending", None)],
            id="due when it arises",
        ),
        pytest.param(
            missing(meetings=[M]),
            later(M, days=30, seconds=1),
            [(later(M, days=30), later(M, days=30), "overdue", None)],
            id="overdue a second later",
        ),
        pytest.param(
            missing(meetings=[M, later(M, days=20)]),
            later(M, days=31),
            [],
            id="a meeting within the month resets the clock",
        ),
        pytest.param(
            missing(meetings=[M, later(M, days=35)]),
            later(M, days=36),
            [(later(M, days=30), later(M, days=30), "done", later(M, days=35))],
            id="held late: the next meeting completes it",
        ),
        pytest.param(
            missing(meetings=[M, later(M, days=35)]),
            later(M, days=66),
            [
                (later(M, days=30), later(M, days=30), "done", later(M, days=35)),
                (later(M, days=65), later(M, days=65), "overdue", None),
            ],
            id="numbered across the episode: the next meeting's first review is instance 2",
        ),
        pytest.param(
            missing(meetings=[M]),
            later(M, days=61),
            [
                (later(M, days=30), later(M, days=30), "missed", None),
                (later(M, days=60), later(M, days=60), "overdue", None),
            ],
            id="no meeting for two months: the first review is missed when the second arises",
        ),
        pytest.param(
            missing(meetings=[M, later(M, days=65)]),
            later(M, days=66),
            [
                (later(M, days=30), later(M, days=30), "missed", None),
                (later(M, days=60), later(M, days=60), "done", later(M, days=65)),
            ],
            id="a meeting after the second review arose completes the second only",
        ),
        pytest.param(
            missing(meetings=[M], found_at=later(M, days=10)), later(M, days=40), [], id="found within the month"
        ),
        pytest.param(
            missing(meetings=[M], found_at=later(M, days=31)),
            later(M, days=40),
            [(later(M, days=30), later(M, days=30), "missed", None)],
            id="found after the month: it arose while open, lapsed at the return",
        ),
        pytest.param(
            missing(meetings=[M], found_at=later(M, days=31)),
            later(M, days=30, hours=12),
            [(later(M, days=30), later(M, days=30), "overdue", None)],
            id="found after as_of: still open",
        ),
        pytest.param(
            missing(meetings=[M, later(M, days=32)], found_at=later(M, days=31)),
            later(M, days=40),
            [(later(M, days=30), later(M, days=30), "missed", None)],
            id="a meeting after the return does not complete it",
        ),
        pytest.param(
            missing(meetings=[M, later(M, days=40)], found_at=later(M, days=10)),
            later(M, days=41),
            [],
            id="found, then a meeting anyway",
        ),
        pytest.param(
            missing(meetings=[(M, "section_47")]), later(M, days=31), [], id="section 47 meetings do not count"
        ),
        pytest.param(
            missing(meetings=[M, later(M, days=40)]),
            later(M, days=39),
            [(later(M, days=30), later(M, days=30), "overdue", None)],
            id="a meeting after as_of does not count yet",
        ),
        pytest.param(
            missing(meetings=[later(S, -1)]), later(S, days=40), [], id="a meeting before missing_since is not read"
        ),
    ],
)
def test_strategy_meeting_review(
    the_episode: EpisodeFacts, as_of: datetime, expected: list[tuple[object, ...]]
) -> None:
    result = instances(ev(LAC, the_episode, as_of), "strategy_meeting_review")
    assert [o.instance for o in result] == list(range(1, len(expected) + 1))
    assert [(o.arises_at, o.due_at, o.status, o.done_at) for o in result] == expected
    for review in result:
        assert review.listed_from == review.arises_at


def test_strategy_meeting_review_lapses_when_the_next_arises_or_the_episode_stops_being_open() -> None:
    open_ = instances(ev(LAC, missing(meetings=[M]), later(M, days=31)), "strategy_meeting_review")
    assert [o.lapses_at for o in open_] == [later(M, days=60)]
    found = instances(
        ev(LAC, missing(meetings=[M], found_at=later(M, days=31)), later(M, days=32)), "strategy_meeting_review"
    )
    assert [o.lapses_at for o in found] == [later(M, days=31)]


def test_strategy_meeting_reviews_are_planned_ahead() -> None:
    the_facts = facts(LAC, missing(meetings=[M]))
    ahead = [
        o
        for o in plan(the_facts, default_protocol(), later(M, 1), through=later(M, days=61))
        if o.code == "strategy_meeting_review"
    ]
    assert [(o.instance, o.arises_at, o.listed_from, o.status) for o in ahead] == [
        (1, later(M, days=30), later(M, days=30), "upcoming"),
        (2, later(M, days=60), later(M, days=60), "upcoming"),
    ]


def test_strategy_meeting_review_is_30_elapsed_days_across_a_clock_change() -> None:
    held = ldt(2026, 3, 20, 10)  # GMT
    the_episode = episode(ldt(2026, 3, 19, 10), meetings=[held])
    result = instances(ev(LAC, the_episode, utc(2026, 4, 19, 10)), "strategy_meeting_review")
    assert result[0].arises_at == utc(2026, 4, 19, 10)  # 11:00 BST


def test_strategy_meeting_review_follows_the_protocol() -> None:
    fortnightly = protocol('[intervals]\nstrategy_meeting_review = "14d"\n[deadlines]\nstrategy_meeting_review = "2wd"')
    (review,) = instances(ev(LAC, missing(meetings=[M]), later(M, days=15), fortnightly), "strategy_meeting_review")
    assert review.arises_at == later(M, days=14) == ldt(2026, 5, 28, 20)  # a Thursday
    assert review.due_at == ldt(2026, 6, 1, 20)  # Friday, then Monday
    assert review.status == "pending"


# --- senior_escalation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("the_child", "the_episode", "as_of", "expected"),
    [
        pytest.param(
            child(), missing(), later(S, 10), Expect(later(S, 72), later(S, 96), "upcoming"), id="open: upcoming"
        ),
        pytest.param(
            child(), missing(), later(S, 73), Expect(later(S, 72), later(S, 96), "pending"), id="missing 73 hours"
        ),
        pytest.param(child(), missing(found_at=later(S, 71, minutes=59)), later(S, 100), None, id="found before 72 h"),
        pytest.param(child(), missing(found_at=later(S, 72)), later(S, 100), None, id="found exactly at 72 h"),
        pytest.param(
            child(),
            missing(found_at=later(S, 72, seconds=1)),
            later(S, 100),
            Expect(later(S, 72), later(S, 96), "overdue"),
            id="found a second after 72 h",
        ),
        pytest.param(
            child(),
            missing(found_at=later(S, 80)),
            later(S, 50),
            Expect(later(S, 72), later(S, 96), "upcoming"),
            id="found after as_of: still open",
        ),
        pytest.param(
            LAC,
            missing(actions=[("senior_escalation", later(S, 80))]),
            later(S, 81),
            Expect(later(S, 72), later(S, 96), "done", later(S, 80)),
            id="done",
        ),
        pytest.param(
            child(),
            missing(classification="absent"),
            later(S, 73),
            Expect(later(S, 72), later(S, 96), "pending"),
            id="absent: the row's only condition is open",
        ),
        pytest.param(child(), missing(closed_at=later(S, 50)), later(S, 100), None, id="closed before 72 h"),
        pytest.param(
            child(),
            episode(ldt(2026, 3, 27, 12)),
            ldt(2026, 3, 30, 13),
            Expect(utc(2026, 3, 30, 12), utc(2026, 3, 31, 12), "pending"),
            id="across the spring change: arises 13:00 BST",
        ),
    ],
)
def test_senior_escalation(
    the_child: ChildFacts, the_episode: EpisodeFacts, as_of: datetime, expected: Expect | None
) -> None:
    check(ev(the_child, the_episode, as_of), "senior_escalation", expected)


def test_senior_escalation_follows_the_protocol() -> None:
    sooner = protocol('[intervals]\nsenior_escalation = "48h"\n[deadlines]\nsenior_escalation = "2h"')
    check(
        ev(child(), missing(), later(S, 49), sooner), "senior_escalation", Expect(later(S, 48), later(S, 50), "pending")
    )


# --- high_risk_notifications -------------------------------------------------------------

G1 = later(S, 5)
G2 = later(S, 30)


def notifications(the_episode: EpisodeFacts, as_of: datetime) -> list[tuple[object, ...]]:
    result = instances(ev(child(), the_episode, as_of), "high_risk_notifications")
    return [(o.instance, o.arises_at, o.due_at, o.status, o.done_at, o.late) for o in result]


@pytest.mark.parametrize(
    ("the_episode", "as_of", "expected"),
    [
        pytest.param(missing(gradings=[("medium", G1)]), later(S, 40), [], id="never high"),
        pytest.param(
            missing(gradings=[("high", G1)]),
            later(G1, minutes=30),
            [(1, G1, later(G1, 1), "pending", None, False)],
            id="high",
        ),
        pytest.param(missing(gradings=[("high", G1)]), later(G1, -1), [], id="graded after as_of"),
        pytest.param(
            missing(gradings=[("high", G1), ("high", G2)]),
            later(S, 40),
            [(1, G1, later(G1, 1), "overdue", None, False)],
            id="regraded high while high: once",
        ),
        pytest.param(
            missing(
                gradings=[("high", G1), ("medium", later(S, 10)), ("high", G2)],
                actions=[("high_risk_notifications", later(G1, minutes=30))],
            ),
            later(G2, minutes=30),
            [
                (1, G1, later(G1, 1), "done", later(G1, minutes=30), False),
                (2, G2, later(G2, 1), "pending", None, False),
            ],
            id="high again after medium: a second notification",
        ),
        pytest.param(
            missing(
                gradings=[("high", G1), ("very_low", later(S, 10)), ("high", G2)],
                actions=[("high_risk_notifications", G2)],
            ),
            later(G2, 2),
            [(1, G1, later(G1, 1), "overdue", None, False), (2, G2, later(G2, 1), "done", G2, False)],
            id="a notification at the second grading counts for the second only",
        ),
        pytest.param(
            missing(gradings=[("high", G1)], actions=[("high_risk_notifications", later(G1, minutes=-10))]),
            later(G1, 2),
            [(1, G1, later(G1, 1), "done", later(G1, minutes=-10), False)],
            id="notified just before the grading was recorded",
        ),
        pytest.param(
            missing(gradings=[("high", G1)], actions=[("high_risk_notifications", later(G1, 3))]),
            later(G1, 4),
            [(1, G1, later(G1, 1), "done", later(G1, 3), True)],
            id="late",
        ),
    ],
)
def test_high_risk_notifications(
    the_episode: EpisodeFacts, as_of: datetime, expected: list[tuple[object, ...]]
) -> None:
    assert notifications(the_episode, as_of) == expected


def test_far_away_placement_does_not_change_while_missing_rules() -> None:
    result = ev(looked_after(FAR_AWAY), missing(), later(T, 1))
    check(result, "strategy_meeting", Expect(S, later(S, 72), "pending"))


# --- ukmpu_notified ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("the_episode", "as_of", "expected"),
    [
        pytest.param(missing(), later(S, 10), Expect(later(S, 72), later(S, 96), "upcoming"), id="open: upcoming"),
        pytest.param(missing(), later(S, 73), Expect(later(S, 72), later(S, 96), "pending"), id="missing 73 hours"),
        pytest.param(missing(), later(S, 97), Expect(later(S, 72), later(S, 96), "overdue"), id="overdue"),
        pytest.param(missing(found_at=later(S, 72)), later(S, 100), None, id="found exactly at 72 h"),
        pytest.param(
            missing(found_at=later(S, 72, seconds=1)),
            later(S, 100),
            Expect(later(S, 72), later(S, 96), "overdue"),
            id="found a second after 72 h",
        ),
        pytest.param(missing(closed_at=later(S, 50)), later(S, 100), None, id="closed before 72 h"),
        pytest.param(
            missing(actions=[("ukmpu_notified", later(S, 80))]),
            later(S, 81),
            Expect(later(S, 72), later(S, 96), "done", later(S, 80)),
            id="done",
        ),
        pytest.param(
            missing(actions=[("ukmpu_notified", later(S, 1))]),
            later(S, 81),
            Expect(later(S, 72), later(S, 96), "done", later(S, 1)),
            id="told the UKMPU before 72 h: done early",
        ),
        pytest.param(
            missing(actions=[("ukmpu_notified", later(S, -1))]),
            later(S, 81),
            Expect(later(S, 72), later(S, 96), "pending"),
            id="a record before missing_since does not count",
        ),
        pytest.param(
            missing(actions=[("senior_escalation", later(S, 80))]),
            later(S, 97),
            Expect(later(S, 72), later(S, 96), "overdue"),
            id="the senior escalation is another record",
        ),
        pytest.param(
            episode(ldt(2026, 10, 23, 12)),
            utc(2026, 10, 26, 11, 30),
            Expect(utc(2026, 10, 26, 11), utc(2026, 10, 27, 11), "pending"),
            id="72 h across the autumn change: 13:00 BST to 11:00 GMT",
        ),
    ],
)
def test_ukmpu_notified(the_episode: EpisodeFacts, as_of: datetime, expected: Expect | None) -> None:
    check(ev(child(), the_episode, as_of), "ukmpu_notified", expected)


def test_ukmpu_notified_is_the_police_liaisons_listed_from_missing_since() -> None:
    ukmpu = next(o for o in ev(child(), missing(), later(S, 1)) if o.code == "ukmpu_notified")
    assert (ukmpu.listed_from, ukmpu.responsible_role) == (S, "police_liaison")
    assert ukmpu.title == "Notify the UK Missing Persons Unit (missing 72 hours)"
    assert ukmpu.basis.policy_value == (
        "intervals.ukmpu_notified = 72h; ukmpu_notified = 24h from Homeward default protocol 2017-01-16"
    )
    assert [o.code for o in ev(child(), missing(), later(S, -1)) if o.code == "ukmpu_notified"] == []
    sooner = protocol('[intervals]\nukmpu_notified = "48h"\n[deadlines]\nukmpu_notified = "2h"')
    check(ev(child(), missing(), later(S, 49), sooner), "ukmpu_notified", Expect(later(S, 48), later(S, 50), "pending"))


def test_senior_escalation_is_listed_upcoming_from_missing_since() -> None:
    escalation = next(o for o in ev(child(), missing(), S) if o.code == "senior_escalation")
    assert (escalation.listed_from, escalation.status) == (S, "upcoming")
    assert [o for o in ev(child(), missing(), later(S, -1)) if o.code == "senior_escalation"] == []
    check(
        ev(child(), missing(actions=[("senior_escalation", later(S, -1))]), later(S, 100)),
        "senior_escalation",
        Expect(later(S, 72), later(S, 96), "overdue"),
    )


# --- records count only from missing_since -------------------------------------------------


def test_a_risk_analysis_counts_from_missing_since_even_while_absent() -> None:
    absent_then_missing = missing(
        classification="absent",
        reclassified=[("missing", later(T, 30))],
        actions=[("risk_analysis", later(S, -1)), ("risk_analysis", later(T, 5))],
    )
    check(
        ev(child(), absent_then_missing, later(T, 31)),
        "risk_analysis",
        Expect(later(T, 30), later(T, 54), "done", later(T, 5)),
    )
    too_early = missing(actions=[("risk_analysis", later(S, -1))])
    check(ev(child(), too_early, later(T, 1)), "risk_analysis", Expect(T, later(T, 24), "pending"))


def test_a_strategy_meeting_before_missing_since_does_not_count() -> None:
    check(
        ev(LAC, missing(meetings=[later(S, -1)]), later(S, 2)), "strategy_meeting", Expect(S, later(S, 72), "pending")
    )
    check(ev(LAC, missing(meetings=[S]), later(S, 2)), "strategy_meeting", Expect(S, later(S, 72), "done", S))


def test_the_first_high_risk_notification_counts_from_missing_since() -> None:
    before = missing(gradings=[("high", G1)], actions=[("high_risk_notifications", later(S, -1))])
    assert notifications(before, later(G1, 2)) == [(1, G1, later(G1, 1), "overdue", None, False)]
    between = missing(gradings=[("high", G1)], actions=[("high_risk_notifications", S)])
    assert notifications(between, later(G1, 2)) == [(1, G1, later(G1, 1), "done", S, False)]


def test_a_strategy_meeting_due_at_once_when_graded_high_before_missing_since() -> None:
    the_episode = missing(gradings=[("high", later(S, -30))])
    meeting = next(o for o in ev(LAC, the_episode, later(T, 1)) if o.code == "strategy_meeting")
    assert (meeting.due_at, meeting.basis.deadline, meeting.basis.deadline_from) == (S, "", "the child going missing")
    high = next(
        o for o in ev(LAC, missing(gradings=[("high", later(S, 10))]), later(S, 12)) if o.code == "strategy_meeting"
    )
    assert (high.basis.deadline, high.basis.deadline_from) == ("24 hours", "the child being graded high risk")
    late_high = missing(gradings=[("high", later(S, 60))])
    meeting = next(o for o in ev(LAC, late_high, later(S, 61)) if o.code == "strategy_meeting")
    assert (meeting.basis.deadline, meeting.basis.deadline_from) == ("72 hours", "the child going missing")
