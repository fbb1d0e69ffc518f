"""evaluate(): statuses, ordering, cancellation, versions, serialisation."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from homeward.protocol import (
    ActionFact,
    EpisodeFacts,
    Facts,
    default_protocol,
    evaluate,
    load_protocol_text,
    obligation_to_dict,
)
from homeward.protocol.rules import RULES, SPECS
from homeward.protocol.tests.builders import (
    BANK_HOLIDAYS,
    FAR_AWAY,
    child,
    episode,
    ev,
    facts,
    find,
    later,
    ldt,
    looked_after,
)

T = ldt(2026, 5, 12, 20)
ROLES = {
    "mct_admin",
    "coordinator",
    "social_worker",
    "team_manager",
    "service_leader",
    "senior_manager",
    "edt",
    "rhi_practitioner",
    "iro",
    "police_liaison",
}


def test_every_code_of_domain_section_3_has_a_rule_with_a_title_role_and_citation() -> None:
    assert set(SPECS) == {
        "police_informed",
        "risk_analysis",
        "manager_informed",
        "mct_notified",
        "parental_responsibility_informed",
        "carer_update",
        "strategy_meeting",
        "strategy_meeting_review",
        "senior_escalation",
        "ukmpu_notified",
        "high_risk_notifications",
        "safe_and_well_check",
        "iro_informed",
        "rhi_allocated",
        "rhi_offered",
        "rhi_completed",
        "rhi_authorised",
        "rhi_shared",
        "plan_updated",
        "repeat_review",
        "police_reference_review",
        "action_plan",
        "return_visit",
    }
    assert len(RULES) == len(SPECS)
    for spec in SPECS.values():
        assert spec.title and spec.rule
        assert spec.responsible_role in ROLES
        # ukmpu_notified is a product decision (DOMAIN.md section 8) and says so
        assert spec.citation.startswith("seed 00") or spec.code == "ukmpu_notified"
        assert re.search(r"seeds? 00[0-4], \"[^\"]+\": \"", spec.citation), spec.code
    for rule in RULES:
        assert rule.__doc__ and re.search(r"[Ss]eeds? 00[0-4]", rule.__doc__), rule


def test_obligations_are_sorted_by_due_time_code_and_instance() -> None:
    result = ev(looked_after(FAR_AWAY), episode(T, gradings=[("high", later(T, 1))]), later(T, 100))
    keys = [(o.due_at, o.code, o.instance) for o in result]
    assert keys == sorted(keys)
    assert [o.code for o in result][:2] == ["police_informed", "high_risk_notifications"]


@pytest.mark.parametrize(
    ("as_of", "status", "late"),
    [
        (T, "pending", False),
        (later(T, 24), "pending", False),
        (later(T, 24, seconds=1), "overdue", False),
    ],
)
def test_statuses(as_of: datetime, status: str, late: bool) -> None:
    obligation = find(ev(child(), episode(T), as_of), "manager_informed")
    assert obligation is not None
    assert (obligation.status, obligation.late, obligation.done_at) == (status, late, None)


def test_an_obligation_is_listed_from_its_arising_unless_its_rule_says_otherwise() -> None:
    assert find(ev(child(), episode(T), later(T, -1)), "manager_informed") is None
    escalation = find(ev(child(), episode(T), T), "senior_escalation")
    assert escalation is not None and (escalation.status, escalation.listed_from) == ("upcoming", T)


def test_done_carries_when_it_was_recorded() -> None:
    the_episode = episode(T)
    recorded = EpisodeFacts(
        episode_id=the_episode.episode_id,
        reported_at=the_episode.reported_at,
        reported_by=the_episode.reported_by,
        classifications=the_episode.classifications,
        actions=(ActionFact("manager_informed", later(T, 2), recorded_at=later(T, 30)),),
    )
    obligation = find(ev(child(), recorded, later(T, 31)), "manager_informed")
    assert obligation is not None
    assert (obligation.status, obligation.done_at, obligation.done_recorded_at) == ("done", later(T, 2), later(T, 30))


def test_a_cancelled_episode_has_no_obligations() -> None:
    assert ev(child(), episode(T, cancelled_at=later(T, 2)), later(T, 3)) == ()
    assert ev(child(), episode(T, cancelled_at=later(T, 2)), later(T, 2)) == ()


def test_before_its_cancellation_an_episode_is_evaluated_as_usual() -> None:
    assert find(ev(child(), episode(T, cancelled_at=later(T, 2)), later(T, 1)), "police_informed") is not None


def test_the_version_in_force_at_reported_at_applies() -> None:
    two_versions = load_protocol_text(
        """
[[version]]
name = "Old"
effective_from = 2017-01-16
[[version]]
name = "New"
effective_from = 2026-05-13
[version.deadlines]
police_informed = "2h"
"""
    )
    before = find(ev(child(), episode(T), later(T, 1), two_versions), "police_informed")
    after = find(ev(child(), episode(ldt(2026, 5, 13, 0, 5)), later(T, 5), two_versions), "police_informed")
    assert before is not None and after is not None
    assert before.due_at == later(T, 1)
    assert before.basis.policy_value == "police_informed = 1h from Old 2017-01-16"
    assert after.due_at == ldt(2026, 5, 13, 2, 5)
    assert after.basis.policy_value == "police_informed = 2h from New 2026-05-13"
    # a single version can be passed as well
    single = find(ev(child(), episode(T), later(T, 1), two_versions.versions[1]), "police_informed")
    assert single is not None and single.due_at == later(T, 2)


def test_as_of_must_be_aware() -> None:
    with pytest.raises(ValueError, match="as_of: naive"):
        evaluate(facts(child(), episode(T)), default_protocol(), datetime(2026, 5, 13))


def test_as_of_may_have_any_offset() -> None:
    the_facts = facts(child(), episode(T))
    assert evaluate(the_facts, default_protocol(), later(T, 3)) == evaluate(
        the_facts, default_protocol(), later(T, 3).astimezone(ldt(2026, 1, 1).tzinfo)
    )


def test_bank_holidays_come_from_the_facts() -> None:
    from homeward.protocol import RhiFacts

    rhi = RhiFacts(completed_at=ldt(2026, 4, 2, 10))
    with_holidays = Facts(child(), episode(T, rhi=rhi), "941", BANK_HOLIDAYS)
    without = Facts(child(), episode(T, rhi=rhi), "941")
    due = [find(evaluate(f, default_protocol(), ldt(2026, 4, 3)), "rhi_authorised") for f in (with_holidays, without)]
    assert [o.due_at for o in due if o] == [ldt(2026, 4, 9, 10), ldt(2026, 4, 7, 10)]


def test_obligation_to_dict_gives_the_api_shape() -> None:
    the_episode = episode(T, reported_by="school", actions=[("police_informed", later(T, 2))])
    obligation = find(ev(child(), the_episode, later(T, 3)), "police_informed")
    assert obligation is not None
    assert obligation_to_dict(obligation) == {
        "code": "police_informed",
        "instance": 1,
        "title": "Make sure the police have been told",
        "responsible_role": "social_worker",
        "arises_at": "2026-05-12T19:00:00+00:00",
        "due_at": "2026-05-12T20:00:00+00:00",
        "done_at": "2026-05-12T21:00:00+00:00",
        "done_recorded_at": None,
        "status": "done",
        "late": True,
        "listed_from": "2026-05-12T19:00:00+00:00",
        "lapses_at": None,
        "ended_at": None,
        "ended_reason": "",
        "for_information": False,
        "basis": {
            "rule": obligation.basis.rule,
            "trigger": "reported_at",
            "trigger_at": "2026-05-12T19:00:00+00:00",
            "policy_value": "police_informed = 1h from Homeward default protocol 2017-01-16",
            "citation": obligation.basis.citation,
            "note": "",
            "deadline": "1 hour",
            "deadline_from": "the report",
        },
    }
    pending = find(ev(child(), the_episode, later(T, 1)), "police_informed")
    assert pending is not None
    assert obligation_to_dict(pending)["done_at"] is None
    closed = episode(T, closed_at=later(T, 5), close_reason="Reported in error")
    manager = find(ev(child(), closed, later(T, 6)), "manager_informed")
    assert manager is not None
    shown = obligation_to_dict(manager)
    assert (shown["status"], shown["ended_at"], shown["ended_reason"]) == (
        "not_done",
        "2026-05-13T00:00:00+00:00",
        "Reported in error",
    )
    carer = find(ev(looked_after(), episode(T), later(T, 30)), "carer_update")
    assert carer is not None
    assert (obligation_to_dict(carer)["status"], obligation_to_dict(carer)["lapses_at"]) == (
        "missed",
        "2026-05-13T19:00:00+00:00",
    )
    placed_here = looked_after(responsible="333")
    strategy = find(ev(placed_here, episode(T), later(T, 1)), "strategy_meeting")
    assert strategy is not None and obligation_to_dict(strategy)["for_information"] is True


def test_a_whole_episode_at_one_instant() -> None:
    """A looked-after child placed far away, missing over 72 hours, found, interviewed."""
    from homeward.protocol import RhiFacts, RhiSharing

    found_at = later(T, 80)
    the_episode = episode(
        T,
        reported_by="placement_provider",
        gradings=[("medium", later(T, 1))],
        found_at=found_at,
        actions=[
            ("police_informed", later(T, minutes=20)),
            ("manager_informed", later(T, 2)),
            ("mct_notified", later(T, 1)),
            ("parental_responsibility_informed", later(T, 3)),
            ("risk_analysis", later(T, 5)),
            ("carer_update", later(T, 10)),
            ("carer_update", later(T, 30)),
            ("carer_update", later(T, 50)),
            ("carer_update", later(T, 75)),
            ("senior_escalation", later(T, 73)),
            ("ukmpu_notified", later(T, 74)),
            ("safe_and_well_check", later(found_at, 3)),
            ("iro_informed", later(found_at, 4)),
            ("plan_updated", later(found_at, 100)),
            ("action_plan", later(T, 4)),
        ],
        meetings=[later(T, 48)],
        rhi=RhiFacts(
            allocated_at=later(found_at, 5),
            offered_at=later(found_at, 10),
            completed_at=later(found_at, 30),
            authorised_at=later(found_at, 40),
            sharings=(RhiSharing(later(found_at, 41), frozenset({"police", "social_worker", "iro"})),),
        ),
    )
    result = ev(looked_after(FAR_AWAY), the_episode, later(found_at, 200))
    assert {(o.code, o.instance): o.status for o in result} == {
        ("police_informed", 1): "done",
        ("manager_informed", 1): "done",
        ("mct_notified", 1): "done",
        ("parental_responsibility_informed", 1): "done",
        ("risk_analysis", 1): "done",
        ("carer_update", 1): "done",
        ("carer_update", 2): "done",
        ("carer_update", 3): "done",
        ("carer_update", 4): "done",
        ("strategy_meeting", 1): "done",
        ("senior_escalation", 1): "done",
        ("ukmpu_notified", 1): "done",
        ("safe_and_well_check", 1): "done",
        ("iro_informed", 1): "done",
        ("rhi_allocated", 1): "done",
        ("rhi_offered", 1): "done",
        ("rhi_authorised", 1): "done",
        ("rhi_shared", 1): "done",
        ("plan_updated", 1): "done",
        ("action_plan", 1): "done",
        ("return_visit", 1): "overdue",
    }
    assert not any(o.late for o in result)
