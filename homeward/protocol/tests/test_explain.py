"""explain(): one plain-English sentence per obligation, times in Europe/London."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from homeward.protocol import Basis, Obligation, RhiFacts, explain, load_protocol_text
from homeward.protocol.explain import SENTENCES, when
from homeward.protocol.rules import SPECS
from homeward.protocol.tests.builders import (
    HOME,
    OTHER,
    child,
    episode,
    ev,
    find,
    later,
    ldt,
    looked_after,
    protocol,
    utc,
)

S = ldt(2026, 10, 23, 19)  # missing since Friday 19:00 BST; the clocks go back on Sunday 25 October


def obligation(code: str, **changes: object) -> Obligation:
    """A made-up obligation of `code`: due 24 hours after the report."""
    made = Obligation(
        code=code,
        instance=1,
        title=SPECS[code].title if code in SPECS else "Do something new",
        responsible_role="social_worker",
        arises_at=S,
        due_at=later(S, 24),
        done_at=None,
        done_recorded_at=None,
        status="pending",
        late=False,
        basis=Basis(
            "rule", "reported_at", S, "policy", "seed 002", deadline="24 hours", deadline_from="the child going missing"
        ),
        listed_from=S,
        lapses_at=None,
        ended_at=None,
        ended_reason="",
        for_information=False,
    )
    return replace(made, **changes)  # type: ignore[arg-type]


def test_times_are_london_wall_clock_with_the_year() -> None:
    assert when(utc(2026, 10, 26, 18)) == "Mon 26 Oct 2026, 18:00"  # GMT
    assert when(utc(2026, 6, 1, 8, 5)) == "Mon 1 Jun 2026, 09:05"  # BST
    assert when(ldt(2027, 1, 1, 0, 0)) == "Fri 1 Jan 2027, 00:00"


def test_the_strategy_meeting_72_elapsed_hours_across_the_clock_change() -> None:
    the_episode = episode(later(S, 1), last_seen_at=S)
    meeting = find(ev(looked_after(), the_episode, later(S, 2)), "strategy_meeting")
    assert meeting is not None
    assert explain(meeting, child_name="Jade") == (
        "The strategy meeting must be held within 72 hours of Jade going missing: by Mon 26 Oct 2026, 18:00."
    )


def test_the_strategy_meeting_brought_forward_by_a_high_grading() -> None:
    the_episode = episode(later(S, 1), last_seen_at=S, gradings=[("high", later(S, 2))])
    meeting = find(ev(looked_after(), the_episode, later(S, 3)), "strategy_meeting")
    assert meeting is not None
    assert explain(meeting, child_name="Jade") == (
        "The strategy meeting must be held within 24 hours of Jade being graded high risk: by Sat 24 Oct 2026, 21:00."
    )


def test_the_offer_of_a_return_home_interview() -> None:
    found = ldt(2026, 10, 26, 9, 15)
    offer = find(ev(child(), episode(S, found_at=found), later(found, 1)), "rhi_offered")
    assert offer is not None
    assert explain(offer, child_name="Jade") == (
        "Offer Jade a return home interview within 72 hours of coming back: by Thu 29 Oct 2026, 09:15."
    )
    allocation = protocol('[rhi]\nclock = "allocation"')
    allocated = episode(S, found_at=found, rhi=RhiFacts(allocated_at=later(found, 2)))
    offer = find(ev(child(), allocated, later(found, 3), allocation), "rhi_offered")
    assert offer is not None
    assert explain(offer, child_name="Jade") == (
        "Offer Jade a return home interview within 72 hours of the allocation to a practitioner: "
        "by Thu 29 Oct 2026, 11:15."
    )


def test_the_carer_update_of_the_day() -> None:
    result = ev(looked_after(), episode(S, actions=[("carer_update", later(S, 3))]), later(S, 30))
    first, second = find(result, "carer_update", 1), find(result, "carer_update", 2)
    assert first is not None and second is not None
    assert (
        explain(second, child_name="Jade") == "Obtain today's update on Jade from the carer: by Sun 25 Oct 2026, 18:00."
    )
    assert explain(first, child_name="Jade") == (
        "Obtain update 1 on Jade from the carer: by Sat 24 Oct 2026, 19:00. Done on Fri 23 Oct 2026, 22:00."
    )
    twice_daily = protocol('[intervals]\ncarer_update = "12h"\n[deadlines]\ncarer_update = "12h"')
    current = find(ev(looked_after(), episode(S), later(S, 13), twice_daily), "carer_update", 2)
    assert current is not None
    assert explain(current, child_name="Jade") == "Obtain update 2 on Jade from the carer: by Sat 24 Oct 2026, 19:00."


def test_missed_and_late() -> None:
    result = ev(looked_after(), episode(S, actions=[("manager_informed", later(S, 30))]), later(S, 31))
    missed, late = find(result, "carer_update"), find(result, "manager_informed")
    assert missed is not None and late is not None
    assert explain(missed, child_name="Jade").endswith(": by Sat 24 Oct 2026, 19:00. Missed.")
    assert explain(late, child_name="Jade") == (
        "Tell the team manager that Jade is missing within 24 hours of the report: by Sat 24 Oct 2026, 19:00. "
        "Done on Sun 25 Oct 2026, 01:00, late."  # still BST: the clocks go back at 02:00
    )


def test_not_done_at_the_closure_gives_the_reason() -> None:
    closed = episode(S, closed_at=later(S, 2), close_reason="Reported in error by the school.")
    manager = find(ev(child(), closed, later(S, 3)), "manager_informed")
    assert manager is not None
    assert explain(manager, child_name="Jade").endswith("Not done: Reported in error by the school.")
    assert explain(replace(manager, ended_reason=""), child_name="Jade").endswith("Not done: the episode was closed.")


def test_the_placing_authoritys_duties_say_so() -> None:
    placed_here = looked_after(HOME, responsible=OTHER)
    meeting = find(ev(placed_here, episode(S), later(S, 1)), "strategy_meeting")
    assert meeting is not None and meeting.for_information
    assert explain(meeting, child_name="Jade") == (
        "For information, the placing authority's duty: the strategy meeting must be held within 72 hours of "
        "Jade going missing: by Mon 26 Oct 2026, 18:00."
    )


def test_obligations_arising_once_missing_72_hours() -> None:
    escalation = find(ev(child(), episode(S), later(S, 1)), "senior_escalation")
    assert escalation is not None
    assert explain(escalation, child_name="Jade") == (
        "If Jade is still missing at Mon 26 Oct 2026, 18:00 (72 hours), tell the Senior Assistant Director: "
        "by Tue 27 Oct 2026, 18:00."
    )
    ukmpu = find(ev(child(), episode(S), later(S, 73)), "ukmpu_notified")
    assert ukmpu is not None
    assert explain(ukmpu, child_name="Jade") == (
        "Make sure the police tell the UK Missing Persons Unit that Jade has been missing for 72 hours: "
        "by Tue 27 Oct 2026, 18:00."
    )
    sooner = protocol('[intervals]\nsenior_escalation = "90m"\nukmpu_notified = "30d"')
    result = ev(child(), episode(S), later(S, days=31), sooner)
    escalation, ukmpu = find(result, "senior_escalation"), find(result, "ukmpu_notified")
    assert escalation is not None and ukmpu is not None
    assert "has been missing for 90 minutes" in explain(escalation, child_name="Jade")
    assert "has been missing for 30 days" in explain(ukmpu, child_name="Jade")
    one_hour = replace(ukmpu, arises_at=ukmpu.basis.trigger_at + timedelta(hours=1))
    assert "has been missing for 1 hour:" in explain(one_hour, child_name="Jade")


def test_amended_versions_and_deadlines_in_words() -> None:
    authorised = obligation(
        "rhi_authorised",
        instance=2,
        basis=replace(obligation("x").basis, deadline="3 working days", deadline_from="the amendment"),
    )
    assert explain(authorised, child_name="Jade") == (
        "Authorise version 2 of Jade's return home interview within 3 working days of the amendment: "
        "by Sat 24 Oct 2026, 19:00."
    )
    shared = obligation("rhi_shared", instance=2)
    assert explain(shared, child_name="Jade").startswith("Share version 2 of Jade's authorised return home interview")
    due_at_once = obligation("strategy_meeting_review", basis=replace(obligation("x").basis, deadline=""))
    assert explain(due_at_once, child_name="Jade") == (
        "Hold the next regular missing strategy meeting for Jade: by Sat 24 Oct 2026, 19:00."
    )
    end_of_day = obligation("mct_notified", basis=replace(obligation("x").basis, deadline="the end of the day"))
    assert explain(end_of_day, child_name="Jade").startswith(
        "Tell the Missing Children Team that Jade is missing before the end of the day: by"
    )
    no_event = obligation("plan_updated", basis=replace(obligation("x").basis, deadline_from=""))
    assert "found within 24 hours: by" in explain(no_event, child_name="Jade")


def test_a_blank_name_reads_the_child() -> None:
    assert explain(obligation("police_informed"), child_name="  ") == (
        "Make sure the police know the child is missing within 24 hours of going missing: by Sat 24 Oct 2026, 19:00."
    )
    assert explain(obligation("strategy_meeting"), child_name="") == (
        "The strategy meeting must be held within 24 hours of the child going missing: by Sat 24 Oct 2026, 19:00."
    )


@pytest.mark.parametrize("code", sorted(SPECS))
def test_every_code_has_its_own_sentence(code: str) -> None:
    assert code in SENTENCES
    sentence = explain(obligation(code), child_name="Jade")
    fallback = explain(obligation("unknown_code", title=SPECS[code].title), child_name="Jade")
    assert sentence != fallback.replace("unknown_code", code)
    assert "Jade" in sentence and sentence.endswith(": by Sat 24 Oct 2026, 19:00.")
    assert set(SENTENCES) == set(SPECS)


def test_an_unknown_code_falls_back_to_its_title() -> None:
    assert explain(obligation("unknown_code"), child_name="Jade") == (
        "Do something new for Jade within 24 hours of going missing: by Sat 24 Oct 2026, 19:00."
    )


def test_every_sentence_of_a_whole_episode() -> None:
    """An episode that raises every code; each sentence names the child and its due time."""
    from homeward.protocol import RhiAmendment, plan
    from homeward.protocol.tests.builders import FAR_AWAY, facts

    found = later(S, days=35)
    rhi = RhiFacts(
        allocated_at=later(found, 1),
        completed_at=later(found, 20),
        authorised_at=later(found, 30),
        amendments=(RhiAmendment(later(found, 40), later(found, 45)),),
    )
    the_episode = episode(
        S,
        reported_by="school",
        gradings=[("high", later(S, 2))],
        meetings=[later(S, 10)],
        found_at=found,
        rhi=rhi,
        other_starts=[later(S, days=-10), later(S, days=-20)],
        police_reference_conflict=True,
    )
    with_completion = load_protocol_text("effective_from = 2017-01-16\n[rhi]\ncompletion_duty = true")
    result = plan(facts(looked_after(FAR_AWAY), the_episode), with_completion, later(found, 50))
    assert {o.code for o in result} == set(SPECS)
    for o in result:
        sentence = explain(o, child_name="Jade")
        assert "Jade" in sentence and f"by {when(o.due_at)}." in sentence, sentence
