"""DOMAIN.md section 3 rows `action_plan` and `return_visit`, the return visit's instances
of `parental_responsibility_informed`, and a judgement of vulnerability bringing the
strategy meeting forward (section 3, after the table; section 5a)."""

from __future__ import annotations

from dataclasses import replace

from homeward.protocol import ReturnVisit, explain
from homeward.protocol.tests.builders import (
    Expect,
    check,
    child,
    episode,
    ev,
    find,
    instances,
    later,
    ldt,
    looked_after,
    protocol,
)

T = ldt(2026, 5, 12, 20)  # a Tuesday evening
FOUND = later(T, 30)


def test_action_plan_is_owed_for_every_episode_from_the_report() -> None:
    check(ev(child(), episode(T), later(T, 1)), "action_plan", Expect(T, later(T, 24), "pending"))
    check(ev(child(), episode(T), later(T, 25)), "action_plan", Expect(T, later(T, 24), "overdue"))
    absent = episode(T, classification="absent")
    assert find(ev(child(allocated=False), absent, later(T, 1)), "action_plan") is not None


def test_action_plan_is_done_by_a_plan_from_missing_since_on() -> None:
    seen = later(T, -3)
    planned = episode(T, last_seen_at=seen, actions=[("action_plan", later(T, 2))])
    check(ev(child(), planned, later(T, 3)), "action_plan", Expect(T, later(T, 24), "done", later(T, 2)))
    too_early = episode(T, last_seen_at=seen, actions=[("action_plan", later(T, -4))])
    check(ev(child(), too_early, later(T, 3)), "action_plan", Expect(T, later(T, 24), "pending"))
    late = episode(T, actions=[("action_plan", later(T, 30))])
    check(ev(child(), late, later(T, 31)), "action_plan", Expect(T, later(T, 24), "done", later(T, 30), late=True))


def test_action_plan_follows_the_protocol_and_explains_itself() -> None:
    two_hours = protocol('[deadlines]\naction_plan = "2h"\n')
    check(ev(child(), episode(T), later(T, 3), two_hours), "action_plan", Expect(T, later(T, 2), "overdue"))
    obligation = find(ev(child(), episode(T), later(T, 1)), "action_plan")
    assert obligation is not None and obligation.responsible_role == "social_worker"
    assert explain(obligation, child_name="Jade").startswith("Agree and record Jade's missing child action plan")


def test_return_visit_is_owed_on_return_when_the_child_has_a_social_worker() -> None:
    due = ldt(2026, 5, 21, 2)  # five working days after Thursday 02:00
    assert find(ev(child(), episode(T), later(T, 20)), "return_visit") is None
    check(ev(child(), episode(T, found_at=FOUND), later(FOUND, 1)), "return_visit", Expect(FOUND, due, "pending"))
    assert find(ev(child(allocated=False), episode(T, found_at=FOUND), later(FOUND, 1)), "return_visit") is None
    visited = replace(episode(T, found_at=FOUND), return_visits=(ReturnVisit(later(FOUND, 50)),))
    check(ev(child(), visited, later(FOUND, 60)), "return_visit", Expect(FOUND, due, "done", later(FOUND, 50)))


def test_a_visit_before_the_return_or_after_as_of_does_not_count() -> None:
    before = replace(episode(T, found_at=FOUND), return_visits=(ReturnVisit(later(FOUND, -1)),))
    assert find(ev(child(), before, later(FOUND, 2)), "return_visit").status == "pending"  # type: ignore[union-attr]
    not_yet = replace(episode(T, found_at=FOUND), return_visits=(ReturnVisit(later(FOUND, 5)),))
    assert find(ev(child(), not_yet, later(FOUND, 2)), "return_visit").status == "pending"  # type: ignore[union-attr]


def test_return_visit_keeps_when_it_was_recorded() -> None:
    typed = later(FOUND, 70)
    visited = replace(episode(T, found_at=FOUND), return_visits=(ReturnVisit(later(FOUND, 50), None, typed),))
    obligation = find(ev(child(), visited, later(FOUND, 80)), "return_visit")
    assert obligation is not None and obligation.done_recorded_at == typed
    assert "Visit Jade after the return" in explain(obligation, child_name="Jade")


def test_each_visit_asks_that_those_with_parental_responsibility_hear_its_outcome() -> None:
    first, second = later(FOUND, 20), later(FOUND, 200)
    visits = (ReturnVisit(first, later(first, 3)), ReturnVisit(second))
    the_episode = replace(episode(T, found_at=FOUND), return_visits=visits)
    result = ev(looked_after(), the_episode, later(second, 30))
    check(result, "parental_responsibility_informed", Expect(first, later(first, 24), "done", later(first, 3)), 2)
    check(result, "parental_responsibility_informed", Expect(second, later(second, 24), "overdue"), 3)
    told = find(result, "parental_responsibility_informed", 3)
    assert told is not None and "about the visit after the return and its outcome" in explain(told, child_name="Jade")
    first_told = find(result, "parental_responsibility_informed")
    assert first_told is not None and "about the missing episode" in explain(first_told, child_name="Jade")
    # Not looked after: the row does not apply at all.
    assert instances(ev(child(), the_episode, later(second, 30)), "parental_responsibility_informed") == []


def test_parental_responsibility_told_before_the_visit_does_not_count_for_it() -> None:
    visit = later(FOUND, 20)
    the_episode = replace(episode(T, found_at=FOUND), return_visits=(ReturnVisit(visit, later(visit, -2)),))
    result = ev(looked_after(), the_episode, later(visit, 1))
    check(result, "parental_responsibility_informed", Expect(visit, later(visit, 24), "pending"), 2)


def test_judged_vulnerable_brings_the_strategy_meeting_forward_as_a_high_grading_does() -> None:
    judged = later(T, 10)
    vulnerable = replace(episode(T), judged_vulnerable_at=(judged,))
    result = ev(looked_after(), vulnerable, later(T, 11))
    check(result, "strategy_meeting", Expect(T, later(judged, 24), "pending"))
    meeting = find(result, "strategy_meeting")
    assert meeting is not None
    assert "judged vulnerable at" in meeting.basis.note
    assert meeting.basis.deadline_from == "the child being judged vulnerable"
    assert "intervals.strategy_meeting_vulnerable = 24h" in meeting.basis.policy_value
    # Known only from the judgement on: before it, 72 hours.
    check(ev(looked_after(), vulnerable, later(T, 9)), "strategy_meeting", Expect(T, later(T, 72), "pending"))


def test_the_earlier_of_high_and_vulnerable_wins() -> None:
    both = replace(episode(T, gradings=[("high", later(T, 5))]), judged_vulnerable_at=(later(T, 20),))
    meeting = find(ev(looked_after(), both, later(T, 21)), "strategy_meeting")
    assert meeting is not None and meeting.due_at == later(T, 29)
    assert meeting.basis.deadline_from == "the child being graded high risk"
    vulnerable_first = replace(episode(T, gradings=[("high", later(T, 20))]), judged_vulnerable_at=(later(T, 5),))
    meeting = find(ev(looked_after(), vulnerable_first, later(T, 21)), "strategy_meeting")
    assert meeting is not None and meeting.due_at == later(T, 29)
    assert meeting.basis.deadline_from == "the child being judged vulnerable"


def test_vulnerable_late_in_the_episode_leaves_72_hours_and_the_protocol_sets_the_interval() -> None:
    late = replace(episode(T), judged_vulnerable_at=(later(T, 60),))
    check(ev(looked_after(), late, later(T, 61)), "strategy_meeting", Expect(T, later(T, 72), "pending"))
    at_once = protocol('[intervals]\nstrategy_meeting_vulnerable = "1h"\n')
    check(ev(looked_after(), late, later(T, 61), at_once), "strategy_meeting", Expect(T, later(T, 61), "pending"))
    before = replace(episode(T, last_seen_at=later(T, -30)), judged_vulnerable_at=(later(T, -60),))
    meeting = find(ev(looked_after(), before, later(T, 1)), "strategy_meeting")
    assert meeting is not None and meeting.due_at == later(T, -30) and meeting.basis.deadline == ""
    # Not looked after: no strategy meeting, vulnerable or not.
    assert find(ev(child(), late, later(T, 61)), "strategy_meeting") is None
