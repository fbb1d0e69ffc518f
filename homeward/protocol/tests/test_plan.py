"""plan(): repeating obligations generated ahead, listed_from; status_at; the closure;
another authority's child placed here (DOMAIN.md sections 3, 4 and 5a)."""

from __future__ import annotations

from datetime import datetime

import pytest

from homeward.protocol import (
    STATUSES,
    RhiFacts,
    default_protocol,
    evaluate,
    plan,
    status_at,
)
from homeward.protocol.rules import SPECS
from homeward.protocol.tests.builders import (
    HOME,
    OTHER,
    child,
    episode,
    ev,
    facts,
    find,
    instances,
    later,
    ldt,
    looked_after,
    protocol,
    utc,
)

S = ldt(2026, 5, 12, 18)  # missing since; reported at once
LAC = looked_after(HOME)

# --- status_at -----------------------------------------------------------------------------

A, D = utc(2026, 1, 10), utc(2026, 1, 11)  # arises, due


@pytest.mark.parametrize(
    ("done_at", "lapses_at", "ended_at", "as_of", "expected"),
    [
        pytest.param(None, None, None, utc(2026, 1, 9), "upcoming", id="before it arises"),
        pytest.param(None, None, None, A, "pending", id="at its arising"),
        pytest.param(None, None, None, D, "pending", id="at its due time"),
        pytest.param(None, None, None, utc(2026, 1, 11, 0, 0, 1), "overdue", id="a second after"),
        pytest.param(utc(2026, 1, 10, 5), None, None, utc(2026, 1, 10, 6), "done", id="done"),
        pytest.param(utc(2026, 1, 10, 5), None, None, utc(2026, 1, 10, 4), "pending", id="done later than as_of"),
        pytest.param(utc(2026, 1, 12), D, None, utc(2026, 1, 13), "done", id="done after the lapse: done wins"),
        pytest.param(None, D, None, D, "missed", id="missed from the lapse itself"),
        pytest.param(None, D, None, utc(2026, 1, 10, 23), "pending", id="before the lapse"),
        pytest.param(None, D, utc(2026, 1, 12), utc(2026, 1, 13), "missed", id="lapsed before the closure"),
        pytest.param(None, D, D, utc(2026, 1, 13), "missed", id="lapsed at the closure"),
        pytest.param(
            None, utc(2026, 1, 12), utc(2026, 1, 10, 12), utc(2026, 1, 13), "not_done", id="closed before the lapse"
        ),
        pytest.param(None, None, utc(2026, 1, 10, 12), utc(2026, 1, 10, 12), "not_done", id="not done at the closure"),
        pytest.param(None, None, utc(2026, 1, 10, 12), utc(2026, 1, 10, 11), "pending", id="before the closure"),
        pytest.param(utc(2026, 1, 10, 13), None, utc(2026, 1, 10, 12), utc(2026, 1, 10, 14), "done", id="done late"),
    ],
)
def test_status_at_tries_done_missed_not_done_upcoming_overdue_pending_in_that_order(
    done_at: datetime | None, lapses_at: datetime | None, ended_at: datetime | None, as_of: datetime, expected: str
) -> None:
    status = status_at(arises_at=A, due_at=D, done_at=done_at, lapses_at=lapses_at, ended_at=ended_at, as_of=as_of)
    assert status == expected
    assert status in STATUSES


# --- plan ----------------------------------------------------------------------------------


def test_plan_generates_carer_updates_ahead_each_listed_from_its_arising() -> None:
    the_facts = facts(LAC, episode(S))
    now = later(S, 30)
    planned = instances(plan(the_facts, default_protocol(), now, through=later(now, days=2)), "carer_update")
    assert [(o.instance, o.arises_at, o.listed_from, o.lapses_at, o.status) for o in planned] == [
        (1, S, S, later(S, 24), "missed"),
        (2, later(S, 24), later(S, 24), later(S, 48), "pending"),
        (3, later(S, 48), later(S, 48), later(S, 72), "upcoming"),
        (4, later(S, 72), later(S, 72), later(S, 96), "upcoming"),
    ]
    assert [o.instance for o in instances(evaluate(the_facts, default_protocol(), now), "carer_update")] == [1, 2]


def test_plan_through_defaults_to_as_of_and_may_not_be_before_it() -> None:
    the_facts = facts(LAC, episode(S))
    now = later(S, 30)
    assert plan(the_facts, default_protocol(), now) == plan(the_facts, default_protocol(), now, through=now)
    with pytest.raises(ValueError, match=r"through: .* is before as_of"):
        plan(the_facts, default_protocol(), now, through=later(now, -1))
    with pytest.raises(ValueError, match="through: naive"):
        plan(the_facts, default_protocol(), now, through=datetime(2026, 6, 1))


def test_plan_ahead_stops_at_the_return_known_at_as_of() -> None:
    the_facts = facts(LAC, episode(S, found_at=later(S, 30)))
    planned = plan(the_facts, default_protocol(), later(S, 31), through=later(S, days=10))
    assert [o.instance for o in instances(planned, "carer_update")] == [1]


def test_a_row_not_yet_listed_is_upcoming_even_if_its_record_came_first() -> None:
    """Planned between missing_since and a later report, a duty arising at the report may
    already have its record; it is not listed yet, so it is upcoming."""
    reported = later(S, 5)
    the_facts = facts(child(), episode(reported, last_seen_at=S, actions=[("manager_informed", later(S, 1))]))
    manager = find(plan(the_facts, default_protocol(), later(S, 2)), "manager_informed")
    assert manager is not None
    assert (manager.listed_from, manager.status, manager.done_at) == (reported, "upcoming", None)
    assert find(evaluate(the_facts, default_protocol(), later(S, 2)), "manager_informed") is None
    listed = find(evaluate(the_facts, default_protocol(), reported), "manager_informed")
    assert listed is not None and (listed.status, listed.done_at) == ("done", later(S, 1))


# --- the closure ---------------------------------------------------------------------------

C = later(S, 50)  # closed
REASON = "Child back home; the family declined further work"


def closed(**kwargs: object) -> object:
    return episode(S, found_at=later(S, 40), closed_at=C, close_reason=REASON, **kwargs)  # type: ignore[arg-type]


def test_the_closure_ends_what_is_still_outstanding_with_the_reason() -> None:
    result = ev(LAC, closed(actions=[("manager_informed", later(S, 2))]), later(C, 1))  # type: ignore[arg-type]
    manager, meeting, check = (find(result, c) for c in ("manager_informed", "strategy_meeting", "safe_and_well_check"))
    assert manager is not None and (manager.status, manager.ended_at) == ("done", None)
    assert meeting is not None and (meeting.status, meeting.ended_at, meeting.ended_reason) == ("not_done", C, REASON)
    assert check is not None and (check.status, check.ended_at) == ("not_done", C)


def test_before_the_closure_is_known_nothing_has_ended() -> None:
    meeting = find(ev(LAC, closed(), later(C, -1)), "strategy_meeting")  # type: ignore[arg-type]
    assert meeting is not None and (meeting.status, meeting.ended_at) == ("pending", None)


def test_a_window_that_lapsed_before_the_closure_stays_missed_and_ends_at_the_closure() -> None:
    # Ended, so that a closed episode's rows leave the indexes of what is still to be done.
    result = ev(LAC, closed(), later(C, 1))  # type: ignore[arg-type]
    (update,) = instances(result, "carer_update")
    assert update.lapses_at is not None and update.lapses_at < C
    assert (update.status, update.ended_at, update.ended_reason) == ("missed", C, REASON)


def test_done_after_the_closure_is_done_late_and_keeps_the_closure() -> None:
    the_episode = closed(actions=[("safe_and_well_check", later(C, 20))])
    check = find(ev(LAC, the_episode, later(C, 21)), "safe_and_well_check")  # type: ignore[arg-type]
    assert check is not None and (check.status, check.late, check.ended_at) == ("done", True, C)
    before = find(ev(LAC, the_episode, later(C, 1)), "safe_and_well_check")  # type: ignore[arg-type]
    assert before is not None and before.status == "not_done"


def test_obligations_arising_after_the_closure_keep_their_statuses() -> None:
    rhi = RhiFacts(completed_at=later(C, 5))
    authorise = find(ev(child(), closed(rhi=rhi), later(C, 6)), "rhi_authorised")  # type: ignore[arg-type]
    assert authorise is not None and (authorise.status, authorise.ended_at) == ("pending", None)


def test_a_review_open_at_the_closure_lapses_then_and_is_missed() -> None:
    """It lapses when the episode stops being open, the closure itself: not lapsed before
    it, so it ends with it too, and status_at says missed (it lapsed no later than the
    closure)."""
    meeting = later(S, 5)
    closure = later(meeting, days=31)
    the_episode = episode(S, meetings=[meeting], closed_at=closure, close_reason=REASON)
    (review,) = instances(ev(LAC, the_episode, later(meeting, days=40)), "strategy_meeting_review")
    assert (review.status, review.lapses_at, review.ended_at) == ("missed", closure, closure)


def test_the_closure_while_missing_ends_the_rows_and_the_upcoming_escalation_goes() -> None:
    the_episode = episode(S, closed_at=later(S, 30), close_reason="Reported in error")
    result = ev(child(), the_episode, later(S, 100))
    assert find(result, "senior_escalation") is None and find(result, "ukmpu_notified") is None
    risk = find(result, "risk_analysis")
    assert risk is not None and (risk.status, risk.ended_reason) == ("not_done", "Reported in error")


# --- another authority's looked-after child placed here ------------------------------------

PLACED_HERE = looked_after(HOME, responsible=OTHER)
F = later(S, 80)  # found


def whole(exceptional: bool = False) -> object:
    return episode(
        S,
        reported_by="placement_provider",
        gradings=[("high", later(S, 1))],
        meetings=[later(S, 10)],
        found_at=F,
        exceptional=exceptional,
        rhi=RhiFacts(
            allocated_at=later(F, 1), offered_at=later(F, 2), completed_at=later(F, 3), authorised_at=later(F, 4)
        ),
        other_starts=[later(S, days=-10), later(S, days=-20)],
        police_reference_conflict=True,
    )


COMPLETION = protocol("[rhi]\ncompletion_duty = true")
OWED_HERE = {"safe_and_well_check", "high_risk_notifications", "ukmpu_notified", "police_reference_review"}
CHAIN = {"rhi_allocated", "rhi_offered", "rhi_completed", "rhi_authorised", "rhi_shared"}


def owed(result: tuple[object, ...]) -> dict[str, bool]:
    return {o.code: o.for_information for o in result}  # type: ignore[attr-defined]


def test_the_home_authority_owes_only_its_own_duties_for_a_child_placed_here() -> None:
    result = ev(PLACED_HERE, whole(), later(F, 5), COMPLETION)  # type: ignore[arg-type]
    shown = owed(result)
    assert {code for code, info in shown.items() if not info} == OWED_HERE
    # the placing authority's duties are still produced, for information
    assert {code for code, info in shown.items() if info} >= {
        "police_informed",
        "manager_informed",
        "parental_responsibility_informed",
        "risk_analysis",
        "carer_update",
        "strategy_meeting",
        "senior_escalation",
        "iro_informed",
        "rhi_authorised",
        "rhi_shared",
        "plan_updated",
        "repeat_review",
    }
    assert not CHAIN & {"rhi_allocated", "rhi_offered", "rhi_completed"} & set(shown)
    meeting = find(result, "strategy_meeting")
    assert meeting is not None
    assert meeting.basis.note.endswith("the placing authority's duty (LA code 333); shown for information")
    assert meeting.basis.note.startswith("graded high at")
    manager = find(result, "manager_informed")
    assert manager is not None and manager.basis.note == (
        "the placing authority's duty (LA code 333); shown for information"
    )


def test_when_the_home_authority_takes_on_the_interview_the_chain_is_its_own() -> None:
    shown = owed(ev(PLACED_HERE, whole(exceptional=True), later(F, 5), COMPLETION))  # type: ignore[arg-type]
    assert {code for code, info in shown.items() if not info} == OWED_HERE | CHAIN
    assert shown["plan_updated"] is True and shown["strategy_meeting"] is True


def test_the_home_authoritys_own_children_owe_everything() -> None:
    for the_child in (looked_after(HOME), child(), looked_after("330")):
        assert not any(o.for_information for o in ev(the_child, whole(), later(F, 5), COMPLETION))  # type: ignore[arg-type]


def test_the_host_authoritys_duties_are_codes_of_the_protocol() -> None:
    from homeward.protocol.rules import HOST_AUTHORITY_DUTIES, RETURN_INTERVIEW_CHAIN

    assert (set(HOST_AUTHORITY_DUTIES), set(RETURN_INTERVIEW_CHAIN)) == (OWED_HERE, CHAIN)
    assert set(SPECS) >= OWED_HERE | CHAIN
