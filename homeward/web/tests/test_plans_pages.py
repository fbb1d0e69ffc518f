"""Around the episode on the pages: the episode page's section, the action plan with its rows
of actions (marked done inline and from the owner's home page), its review at a strategy
meeting, the update after the return reading the interview, the return visit with those with
parental responsibility told, and a judgement of vulnerability. Errors keep what was typed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from homeward.audit.models import AuditEntry
from homeward.casework.episodes import episode_record_found, episode_report
from homeward.casework.interviews import (
    InterviewRecord,
    rhi_allocate,
    rhi_authorise,
    rhi_record_interview,
    rhi_record_offer,
)
from homeward.casework.meetings import strategy_meeting_record
from homeward.casework.plans import PlanContent, PlannedAction, action_plan_record, return_visit_record
from homeward.obligations.models import StoredObligation
from homeward.plans.models import ActionPlan, PlanReview, PlanUpdate, ReturnVisit, VulnerabilityJudgement

from .conftest import london_parts

pytestmark = pytest.mark.django_db


# One instant for the whole module, so that a time written twice is the same time.
NOW = timezone.now().replace(second=0, microsecond=0)


def ago(hours: float) -> Any:
    return NOW - timedelta(hours=hours)


PLAN_FIELDS = {
    "contact_by": "Sam, key worker", "contact_how": "Texts every evening", "family_told": "That police are looking",
    "family_how_often": "Daily", "return_who_sees": "The carer", "return_where": "At the home",
    "return_interviewer": "Aisha",
}


@pytest.fixture
def episode(coordinator: Any, make_child: Any, make_user: Any) -> Any:
    make_user("social_worker", team="North", username="sw1")
    child = make_child(given_name="Ella", family_name="Morgan", allocated_worker="sw1", team="North")
    return episode_report(actor=coordinator, child=child, reported_at=ago(30), reported_by="police",
                          classification="missing").episode


def test_the_section_offers_the_plan_and_the_vulnerability_judgement(web: Client, episode: Any) -> None:
    body = web.get(f"/episodes/{episode.pk}").content.decode()
    assert 'id="around-the-episode"' in body and "No action plan recorded yet." in body
    assert f'href="/episodes/{episode.pk}/action-plan/new"' in body
    assert f'href="/episodes/{episode.pk}/vulnerability/new"' in body
    # Not returned yet: no visit or update to record.
    assert f"/episodes/{episode.pk}/return-visits/new" not in body


def test_recording_the_plan_with_actions(web: Client, episode: Any) -> None:
    path = f"/episodes/{episode.pk}/action-plan/new"
    assert web.get(path).status_code == 200
    response = web.post(path, {**london_parts("agreed_at", ago(20)), **PLAN_FIELDS,
                               "action_0_owner": "sw1", "action_0_description": "Ring the school",
                               "action_1_owner": "Police", "action_1_description": "Visit addresses"})
    assert response.status_code == 302 and response["Location"].endswith("#around-the-episode")
    plan = ActionPlan.objects.get(episode=episode)
    assert plan.actions.count() == 2
    assert StoredObligation.objects.get(episode=episode, code="action_plan").done_at == ago(20)
    body = web.get(f"/episodes/{episode.pk}").content.decode()
    assert "Ring the school" in body and "Texts every evening" in body
    action = plan.actions.get(owner="sw1")
    assert f'action="/episodes/{episode.pk}/action-plan/actions/{action.pk}/done"' in body


def test_errors_keep_what_was_typed(web: Client, episode: Any) -> None:
    response = web.post(f"/episodes/{episode.pk}/action-plan/new", {
        **london_parts("agreed_at", ago(20)), **PLAN_FIELDS, "contact_by": "",
        "action_0_description": "Ring the school"})
    body = response.content.decode()
    assert response.status_code == 200 and 'class="govuk-error-summary"' in body
    assert "Enter who keeps contact with the child" in body and "Enter who owns action 1" in body
    assert "Ring the school</textarea>" in body
    assert not ActionPlan.objects.exists()


def test_an_action_of_the_plan_on_its_owners_home_page_marked_done(
        client_for: Any, coordinator: Any, episode: Any) -> None:
    from homeward.accounts.models import User

    plan = action_plan_record(actor=coordinator, episode=episode, agreed_at=ago(20), content=PlanContent(
        **PLAN_FIELDS), actions=[PlannedAction(owner="sw1", description="Ring the school",
                                               due=timezone.localdate() - timedelta(days=1))])
    worker = client_for(User.objects.get(username="sw1"))
    home = worker.get("/").content.decode()
    assert "Your actions from missing child action plans (1)" in home and "Ring the school" in home
    action = plan.actions.get()
    response = worker.post(f"/episodes/{episode.pk}/action-plan/actions/{action.pk}/done",
                           {**london_parts("done_at", ago(1)), "note": "Rang", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    action.refresh_from_db()
    assert action.done_note == "Rang"
    assert "Your actions from missing child action plans" not in worker.get("/").content.decode()


def test_a_persons_plan_actions_page_on_their_home_page_and_say_how_many_in_all(
        client_for: Any, coordinator: Any, episode: Any) -> None:
    """More open actions than a page holds: the section pages, keeping the other sections' pages
    in its links (found trying the demonstration as police); they are counted once the last page
    is reached, never read to the end for a count."""
    from homeward.accounts.models import User

    action_plan_record(actor=coordinator, episode=episode, agreed_at=ago(20), content=PlanContent(**PLAN_FIELDS),
                       actions=[PlannedAction(owner="sw1", description=f"Task {n:02d}",
                                              due=timezone.localdate() + timedelta(days=n)) for n in range(27)])
    worker = client_for(User.objects.get(username="sw1"))
    first = worker.get("/").content.decode()
    assert "Your actions from missing child action plans</h2>" in first
    assert "Task 24" in first and "Task 25" not in first and "Showing 1 to 25, and more." in first
    assert 'href="?plan_actions_page=2#plan-actions" rel="next"' in first
    second = worker.get("/?plan_actions_page=2&overdue_page=1").content.decode()
    assert "Task 25" in second and "Task 26" in second and "Task 24" not in second
    assert "Your actions from missing child action plans (27)" in second
    assert "Showing 26 to 27 of 27" in second and 'href="?overdue_page=1#plan-actions" rel="prev"' in second
    beyond = worker.get("/?plan_actions_page=3").content.decode()
    assert "Nothing on this page" in beyond


def test_the_review_at_a_meeting(web: Client, coordinator: Any, episode: Any) -> None:
    action_plan_record(actor=coordinator, episode=episode, agreed_at=ago(20), content=PlanContent(**PLAN_FIELDS))
    meeting = strategy_meeting_record(actor=coordinator, episode=episode, held_at=ago(10), kind="missing_strategy",
                                      attendees=["A"])
    assert f'href="/episodes/{episode.pk}/action-plan/review"' in web.get(f"/episodes/{episode.pk}").content.decode()
    path = f"/episodes/{episode.pk}/action-plan/review"
    assert "Missing strategy meeting" in web.get(path).content.decode()
    response = web.post(path, {"meeting": str(meeting.pk), "changes": "The plan stands"})
    assert response.status_code == 302
    assert PlanReview.objects.get().meeting == meeting
    assert "The plan stands" in web.get(f"/episodes/{episode.pk}").content.decode()


def test_the_update_reads_the_authorised_interview(web: Client, coordinator: Any, episode: Any,
                                                   make_user: Any) -> None:
    episode_record_found(actor=coordinator, episode=episode, found_at=ago(20))
    rhi_allocate(actor=coordinator, episode=episode, practitioner=make_user("rhi_practitioner", organisation="SR"),
                 allocated_at=ago(19))
    rhi_record_offer(actor=coordinator, episode=episode, offered_at=ago(18), method="Visit")
    rhi_record_interview(actor=coordinator, episode=episode, record=InterviewRecord(
        outcome="accepted", conducted_at=ago(17), method="face_to_face", seen_alone=True,
        reasons="An argument about her phone", wishes_and_feelings="Wants to see her sister"))
    rhi_authorise(actor=coordinator, episode=episode, authorised_at=ago(16), recommendations="Family time")
    path = f"/episodes/{episode.pk}/action-plan/update"
    page = web.get(path).content.decode()
    assert "What the return home interview found" in page
    assert "An argument about her phone" in page and "Wants to see her sister" in page and "Family time" in page
    response = web.post(path, {**london_parts("updated_at", ago(2)), "risk_analysis": "Lower",
                               "safety_plan": "Phone curfew agreed", "what_changed": "Sister visits added"})
    assert response.status_code == 302
    assert PlanUpdate.objects.get().interview == episode.rhi
    assert StoredObligation.objects.get(episode=episode, code="plan_updated").done_at == ago(2)


def test_the_return_visit_and_parental_responsibility_told(web: Client, coordinator: Any, episode: Any) -> None:
    episode_record_found(actor=coordinator, episode=episode, found_at=ago(20))
    path = f"/episodes/{episode.pk}/return-visits/new"
    assert f'href="{path}"' in web.get(f"/episodes/{episode.pk}").content.decode()
    bad = web.post(path, {**london_parts("visited_at", ago(10)), "visited_by": "SW"})
    assert bad.status_code == 200 and "Enter the outcome of the visit" in bad.content.decode()
    response = web.post(path, {**london_parts("visited_at", ago(10)), "visited_by": "SW",
                               "discussed_episode": "Where she went", "prevention": "Curfew",
                               "outcome": "Settled"})
    assert response.status_code == 302
    visit = ReturnVisit.objects.get()
    page = web.get(f"/episodes/{episode.pk}").content.decode()
    informed = f"/episodes/{episode.pk}/return-visits/{visit.pk}/parental-responsibility"
    assert f'href="{informed}"' in page
    told = web.post(informed, {**london_parts("informed_at", ago(8)), "informed": "Mother by phone"})
    assert told.status_code == 302
    visit.refresh_from_db()
    assert visit.parental_responsibility_informed == "Mother by phone"
    assert "Mother by phone" in web.get(f"/episodes/{episode.pk}").content.decode()


def test_judged_vulnerable_on_the_page(web: Client, episode: Any) -> None:
    path = f"/episodes/{episode.pk}/vulnerability/new"
    response = web.post(path, {**london_parts("judged_at", ago(20)), "reason": "No phone and no money"})
    assert response.status_code == 302
    assert VulnerabilityJudgement.objects.get().reason == "No phone and no money"
    row = StoredObligation.objects.get(episode=episode, code="strategy_meeting")
    assert row.due_at == ago(20) + timedelta(hours=24)
    assert "No phone and no money" in web.get(f"/episodes/{episode.pk}").content.decode()
    assert AuditEntry.objects.filter(object_type="vulnerability_judgement", channel="web").exists()


def test_police_see_no_section_and_no_forms(client_for: Any, make_user: Any, coordinator: Any,
                                            episode: Any) -> None:
    episode_record_found(actor=coordinator, episode=episode, found_at=ago(20))
    return_visit_record(actor=coordinator, episode=episode, visited_at=ago(10), visited_by="SW",
                        discussed_episode="Secret discussion", prevention="b", outcome="c")
    police = client_for(make_user("police_liaison"))
    body = police.get(f"/episodes/{episode.pk}").content.decode()
    assert "Around the episode" not in body and "Secret discussion" not in body
    assert police.get(f"/episodes/{episode.pk}/return-visits/new").status_code == 403


def test_the_duty_table_leads_to_the_plan_and_visit_forms(web: Client, coordinator: Any, episode: Any) -> None:
    # Reported 30 hours ago: the plan (24 h) is overdue, and its row's "Record it" opens the
    # plan's form, as the section's own link does.
    body = web.get(f"/episodes/{episode.pk}").content.decode()
    assert body.count(f'href="/episodes/{episode.pk}/action-plan/new"') == 2
    episode_record_found(actor=coordinator, episode=episode, found_at=ago(2))
    body = web.get(f"/episodes/{episode.pk}").content.decode()
    # Back: the visit after the return is owed (5 working days), from its row and the section.
    assert body.count(f'href="/episodes/{episode.pk}/return-visits/new"') == 2
