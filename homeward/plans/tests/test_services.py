"""The casework services around the episode (DOMAIN.md section 5a): each writes its record,
its chronology line and audit entry, and refreshes the stored obligations it answers in the
same transaction; bad input names the field and stores nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from homeward.audit.models import AuditEntry
from homeward.casework.episodes import episode_record_found, episode_regrade_risk, episode_report
from homeward.casework.interviews import (
    InterviewRecord,
    rhi_allocate,
    rhi_authorise,
    rhi_record_interview,
    rhi_record_offer,
)
from homeward.casework.meetings import strategy_meeting_record
from homeward.casework.plans import (
    PlanContent,
    PlannedAction,
    action_plan_record,
    plan_action_complete,
    plan_review_record,
    plan_update_record,
    return_visit_inform_parental_responsibility,
    return_visit_record,
    vulnerability_judge,
)
from homeward.children.models import ChronologyEntry
from homeward.common.errors import DomainValidationError, PermissionDenied
from homeward.obligations.models import StoredObligation
from homeward.obligations.selectors import stored_status
from homeward.obligations.services import episode_obligations_evaluate
from homeward.plans.models import ActionPlan, PlanAction, ReturnVisit
from homeward.plans.selectors import plan_action_open_for_owner

pytestmark = pytest.mark.django_db

CONTENT = PlanContent(
    contact_by="Sam, the key worker", contact_how="Texts every evening", family_told="That the police are looking",
    family_how_often="Daily", return_who_sees="The carer and the social worker", return_where="At the home",
    return_interviewer="Aisha, whom the child knows",
)


# One instant for the whole module, so that a time written twice is the same time.
NOW = timezone.now().replace(microsecond=0)


def ago(hours: float) -> Any:
    return NOW - timedelta(hours=hours)


@pytest.fixture
def worker(make_user: Any) -> Any:
    return make_user("social_worker", team="Children in Care North", username="sw1")


@pytest.fixture
def episode(coordinator: Any, make_child: Any, worker: Any) -> Any:
    child = make_child(allocated_worker="sw1", team="Children in Care North")
    return episode_report(actor=coordinator, child=child, reported_at=ago(30), last_seen_at=ago(31),
                          reported_by="placement_provider", classification="missing").episode


def stored(episode: Any, code: str, instance: int = 1) -> StoredObligation:
    return StoredObligation.objects.get(episode=episode, code=code, instance=instance)


def assert_store_is_the_engine(episode: Any) -> None:
    from homeward.episodes.models import Episode

    episode = Episode.objects.get(pk=episode.pk)
    now = timezone.now()
    engine = {(o.code, o.instance): o.status for o in episode_obligations_evaluate(episode, now)}
    rows = {(r.code, r.instance): stored_status(r, now)
            for r in StoredObligation.objects.filter(episode=episode, listed_from__lte=now)}
    assert rows == engine


def test_the_action_plan_answers_its_duty_and_puts_named_actions_on_worklists(
        coordinator: Any, episode: Any, worker: Any) -> None:
    assert stored_status(stored(episode, "action_plan"), timezone.now()) == "overdue"
    plan = action_plan_record(actor=coordinator, episode=episode, agreed_at=ago(20), content=CONTENT, actions=[
        PlannedAction(owner="sw1", description="Call the child's friends", due=timezone.localdate()),
        PlannedAction(owner="Police", description="Visit known addresses"),
    ])
    row = stored(episode, "action_plan")
    assert row.done_at == ago(20) and not row.late  # agreed within 24 h of the report
    assert [a.owner_user for a in plan.actions.order_by("id")] == [worker, None]
    assert list(plan_action_open_for_owner(worker)) == [plan.actions.get(owner="sw1")]
    line = ChronologyEntry.objects.get(episode=episode, kind="action_plan")
    assert line.summary == "Missing child action plan agreed; 2 actions." and "Texts" not in line.summary
    assert AuditEntry.objects.filter(object_type="action_plan", object_id=str(plan.pk), action="create",
                                     child_id=episode.child_id).exists()
    assert_store_is_the_engine(episode)


def test_one_plan_per_episode_and_every_part_is_needed(coordinator: Any, episode: Any) -> None:
    with pytest.raises(DomainValidationError) as caught:
        action_plan_record(actor=coordinator, episode=episode, agreed_at=None,
                           content=PlanContent("", "", "", "", "", ""),
                           actions=[PlannedAction(owner="", description="x")])
    fields = {e.field for e in caught.value.errors}
    assert fields == {"agreed_at", "contact_by", "contact_how", "family_told", "family_how_often",
                      "return_who_sees", "return_interviewer", "actions[0].owner"}
    assert not ActionPlan.objects.exists()
    action_plan_record(actor=coordinator, episode=episode, agreed_at=ago(2), content=CONTENT)
    with pytest.raises(DomainValidationError) as again:
        action_plan_record(actor=coordinator, episode=episode, agreed_at=ago(1), content=CONTENT)
    assert [e.field for e in again.value.errors] == ["episode"]
    with pytest.raises(DomainValidationError) as future:
        action_plan_record(actor=coordinator, episode=episode, agreed_at=ago(-3), content=CONTENT)
    assert "agreed_at" in {e.field for e in future.value.errors}


def test_police_may_not_record_a_plan(make_user: Any, episode: Any) -> None:
    with pytest.raises(PermissionDenied):
        action_plan_record(actor=make_user("police_liaison"), episode=episode, agreed_at=ago(2), content=CONTENT)


def test_a_plan_action_is_done_once_and_not_before_the_plan(coordinator: Any, episode: Any, worker: Any) -> None:
    plan = action_plan_record(actor=coordinator, episode=episode, agreed_at=ago(20), content=CONTENT,
                              actions=[PlannedAction(owner="sw1", description="Call friends")])
    action = plan.actions.get()
    with pytest.raises(DomainValidationError) as early:
        plan_action_complete(actor=worker, action=action, done_at=ago(21))
    assert [e.field for e in early.value.errors] == ["done_at"]
    plan_action_complete(actor=worker, action=action, done_at=ago(10), note="Spoke to two friends")
    action.refresh_from_db()
    assert (action.done_at, action.done_by, action.done_note) == (ago(10), worker, "Spoke to two friends")
    assert not plan_action_open_for_owner(worker).exists()
    with pytest.raises(DomainValidationError) as twice:
        plan_action_complete(actor=worker, action=action, done_at=ago(5))
    assert [e.field for e in twice.value.errors] == ["action"]
    assert AuditEntry.objects.filter(object_type="plan_action", action="update").count() == 1


def test_the_plan_is_reviewed_at_each_strategy_meeting_once(coordinator: Any, episode: Any) -> None:
    meeting = strategy_meeting_record(actor=coordinator, episode=episode, held_at=ago(10), kind="missing_strategy",
                                      attendees=["A"])
    with pytest.raises(DomainValidationError) as no_plan:
        plan_review_record(actor=coordinator, episode=episode, meeting=meeting, changes="Stands")
    assert [e.field for e in no_plan.value.errors] == ["plan"]
    plan = action_plan_record(actor=coordinator, episode=episode, agreed_at=ago(20), content=CONTENT)
    review = plan_review_record(actor=coordinator, episode=episode, meeting=meeting, changes="Police added",
                                actions=[PlannedAction(owner="Police", description="Check CCTV")])
    assert review.plan == plan and PlanAction.objects.get().review == review
    assert ChronologyEntry.objects.filter(kind="plan_reviewed", at=meeting.held_at).exists()
    with pytest.raises(DomainValidationError) as again:
        plan_review_record(actor=coordinator, episode=episode, meeting=meeting, changes="Again")
    assert [e.field for e in again.value.errors] == ["meeting"]


def _authorised(coordinator: Any, episode: Any, practitioner: Any) -> None:
    episode_record_found(actor=coordinator, episode=episode, found_at=ago(20))
    rhi_allocate(actor=coordinator, episode=episode, practitioner=practitioner, allocated_at=ago(19))
    rhi_record_offer(actor=coordinator, episode=episode, offered_at=ago(18), method="Visit")
    rhi_record_interview(actor=coordinator, episode=episode, record=InterviewRecord(
        outcome="accepted", conducted_at=ago(17), method="face_to_face", seen_alone=True,
        reasons="Argument at home"))
    rhi_authorise(actor=coordinator, episode=episode, authorised_at=ago(16))


def test_the_update_after_the_return_reads_the_authorised_interview(
        coordinator: Any, episode: Any, make_user: Any) -> None:
    with pytest.raises(DomainValidationError) as missing:
        plan_update_record(actor=coordinator, episode=episode, updated_at=ago(1), risk_analysis="a",
                           safety_plan="b", what_changed="c")
    assert "episode" in {e.field for e in missing.value.errors}
    _authorised(coordinator, episode, make_user("rhi_practitioner", organisation="Safe Return"))
    assert stored_status(stored(episode, "plan_updated"), timezone.now()) == "pending"
    update = plan_update_record(actor=coordinator, episode=episode, updated_at=ago(5), risk_analysis="Lower",
                                safety_plan="Curfew", what_changed="Added the friend's address")
    assert update.interview == episode.rhi
    assert stored(episode, "plan_updated").done_at == ago(5)
    assert ChronologyEntry.objects.get(kind="plan_updated").summary == (
        "Risk analysis and safety plan updated (reading the authorised return interview).")
    assert_store_is_the_engine(episode)


def test_the_return_visit_and_those_with_parental_responsibility_told(coordinator: Any, episode: Any) -> None:
    with pytest.raises(DomainValidationError) as not_back:
        return_visit_record(actor=coordinator, episode=episode, visited_at=ago(1), visited_by="SW",
                            discussed_episode="a", prevention="b", outcome="c")
    assert "episode" in {e.field for e in not_back.value.errors}
    episode_record_found(actor=coordinator, episode=episode, found_at=ago(20))
    assert stored_status(stored(episode, "return_visit"), timezone.now()) == "pending"
    with pytest.raises(DomainValidationError) as bad:
        return_visit_record(actor=coordinator, episode=episode, visited_at=ago(21), visited_by="", discussed_episode="",
                            prevention="", outcome="", parental_responsibility_informed_at=ago(22))
    assert {e.field for e in bad.value.errors} == {
        "visited_at", "visited_by", "discussed_episode", "prevention", "outcome", "parental_responsibility_informed",
        "parental_responsibility_informed_at"}
    assert not ReturnVisit.objects.exists()
    visit = return_visit_record(actor=coordinator, episode=episode, visited_at=ago(10), visited_by="SW",
                                discussed_episode="Where she went", prevention="Curfew", outcome="Settled")
    assert stored(episode, "return_visit").done_at == ago(10)
    told = stored(episode, "parental_responsibility_informed", 2)
    assert told.arises_at == ago(10) and told.done_at is None
    return_visit_inform_parental_responsibility(actor=coordinator, visit=visit, informed_at=ago(8),
                                                informed="Mother, by phone")
    assert stored(episode, "parental_responsibility_informed", 2).done_at == ago(8)
    with pytest.raises(DomainValidationError) as twice:
        return_visit_inform_parental_responsibility(actor=coordinator, visit=visit, informed_at=ago(7),
                                                    informed="Father")
    assert [e.field for e in twice.value.errors] == ["visit"]
    kinds = list(ChronologyEntry.objects.filter(episode=episode, kind__startswith="return_visit")
                 .values_list("kind", flat=True))
    assert sorted(kinds) == ["return_visit", "return_visit_parental_responsibility"]
    assert_store_is_the_engine(episode)


def test_a_visit_told_at_once_answers_both(coordinator: Any, episode: Any) -> None:
    episode_record_found(actor=coordinator, episode=episode, found_at=ago(20))
    return_visit_record(actor=coordinator, episode=episode, visited_at=ago(10), visited_by="SW",
                        discussed_episode="a", prevention="b", outcome="c",
                        parental_responsibility_informed_at=ago(9), parental_responsibility_informed="Mother")
    assert stored(episode, "parental_responsibility_informed", 2).done_at == ago(9)


def test_judged_vulnerable_brings_the_strategy_meeting_forward(coordinator: Any, episode: Any) -> None:
    before = stored(episode, "strategy_meeting").due_at
    assert before == episode.missing_since + timedelta(hours=72)
    with pytest.raises(DomainValidationError) as no_reason:
        vulnerability_judge(actor=coordinator, episode=episode, judged_at=ago(20), reason=" ")
    assert [e.field for e in no_reason.value.errors] == ["reason"]
    vulnerability_judge(actor=coordinator, episode=episode, judged_at=ago(20), reason="Autistic; no phone")
    row = stored(episode, "strategy_meeting")
    assert row.due_at == ago(20) + timedelta(hours=24)
    assert "judged vulnerable" in row.basis["note"]
    assert ChronologyEntry.objects.filter(kind="judged_vulnerable").exists()
    # A high grading later than the judgement leaves the earlier due time.
    episode_regrade_risk(actor=coordinator, episode=episode, risk_level="high", graded_at=ago(10),
                         rationale="Seen with an older male")
    assert stored(episode, "strategy_meeting").due_at == ago(20) + timedelta(hours=24)
    assert_store_is_the_engine(episode)
