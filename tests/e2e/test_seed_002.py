"""Seed 002 through the pages, end to end: a looked-after child goes missing for three days.
The social worker records the missing child action plan from the report and judges her
vulnerable, which brings the strategy meeting forward; the meeting reviews the plan; at 72
hours the Senior Assistant Director is told; she returns; the social worker visits and tells
those with parental responsibility; the return interview is allocated, offered, held and
authorised; and the risk analysis and safety plan are updated from it. axe-core checks every
page."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from homeward.accounts.services import user_create
from homeward.children.services import PlacementInput, child_create
from homeward.episodes.models import Episode
from homeward.obligations.models import StoredObligation
from homeward.plans.models import ActionPlan, PlanUpdate, ReturnVisit

from .conftest import PASSWORD
from .test_journey import fill_date_time

BANNER = ".govuk-notification-banner--success .govuk-notification-banner__heading"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _at(hours_ago: float) -> Any:
    return (timezone.now() - timedelta(hours=hours_ago)).replace(second=0, microsecond=0)


@pytest.fixture
def practitioner(demo_people: Any) -> Any:
    return user_create(username="rhi.kay", role="rhi_practitioner", password=PASSWORD,
                       team_name="Return Interview Service", first_name="Kay", last_name="Brown", validate=False)


@pytest.fixture
def child(demo_people: Any) -> Any:
    return child_create(
        actor=demo_people["coordinator"], external_id="MOS0002", given_name="Amara", family_name="Okafor",
        date_of_birth=date(2011, 3, 14), sex="female", legal_status="looked_after", responsible_authority="941",
        placement=PlacementInput(authority="941", provider="Elm Lodge"), team="Children in Care North",
        allocated_worker="sw.north",
    )


def test_seed_002_a_looked_after_child_missing_three_days(
    visit: Any, demo_people: Any, practitioner: Any, child: Any,
) -> None:
    reported = _at(80)
    tab = visit()
    page = tab.page

    # The carer reports Amara missing, three days and more ago.
    tab.sign_in("coordinator")
    tab.goto(f"/report/children/{child.pk}")
    fill_date_time(page, "reported_at", reported)
    page.get_by_label("Placement provider").check()
    fill_date_time(page, "last_seen_at", reported - timedelta(minutes=30))
    page.get_by_label("Care", exact=True).check()
    page.get_by_label("Medium").check()
    page.get_by_role("button", name="Report missing").click()
    expect(page.locator(BANNER)).to_contain_text("Amara Okafor reported missing.")
    episode = Episode.objects.get(child=child)
    tab.check("episode reported")

    # From the report: the missing child action plan, with an action for the social worker.
    page.get_by_role("link", name="Record the missing child action plan", exact=True).click()
    expect(page.get_by_role("heading", name="Record the missing child action plan")).to_be_visible()
    tab.check("action plan form")
    fill_date_time(page, "agreed_at", reported + timedelta(hours=3))
    page.locator("#id_contact_by").fill("Nadia Osei, social worker")
    page.locator("#id_contact_how").fill("Texts every evening; Amara answers Nadia")
    page.locator("#id_family_told").fill("That the police are searching, and any sighting")
    page.locator("#id_family_how_often").fill("Daily")
    page.locator("#id_return_who_sees").fill("The carer at Elm Lodge, then Nadia")
    page.locator("#id_action_0_owner").fill("sw.north")
    page.locator("#id_action_0_description").fill("Ask Amara's friends at school for news")
    page.get_by_role("button", name="Record the plan").click()
    # Who is best placed to do the interview was left out: the error names it, the rest is kept.
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name="Enter who is best placed to do the return home interview")).to_be_visible()
    assert page.locator("#id_contact_by").input_value() == "Nadia Osei, social worker"
    tab.check("action plan errors")
    page.locator("#id_return_interviewer").fill("Kay Brown, whom Amara knows")
    page.get_by_role("button", name="Record the plan").click()
    expect(page.locator(BANNER)).to_contain_text("Missing child action plan recorded.")
    expect(page.locator("#around-the-episode")).to_be_visible()
    tab.check("episode with plan")

    # The social worker judges her vulnerable: the strategy meeting comes forward.
    page.get_by_role("link", name="Record that the child is vulnerable").click()
    tab.check("vulnerability form")
    fill_date_time(page, "judged_at", reported + timedelta(hours=4))
    page.get_by_label("Why the child is vulnerable").fill("No phone or money; recently bereaved")
    page.get_by_role("button", name="Record the judgement").click()
    expect(page.locator(BANNER)).to_contain_text("the child is vulnerable")
    meeting_due = StoredObligation.objects.get(episode=episode, code="strategy_meeting").due_at
    assert meeting_due == reported + timedelta(hours=4 + 24)
    expect(page.locator("#obligation-strategy_meeting-1")).to_contain_text("being judged vulnerable")

    # The next day: the missing strategy meeting, which reviews the plan.
    page.get_by_role("link", name="Record a strategy meeting").click()
    fill_date_time(page, "held_at", reported + timedelta(hours=20))
    page.get_by_label("Missing strategy meeting").check()
    page.get_by_label("Who attended").fill("Priya Shah, missing co-ordinator\nNadia Osei, social worker")
    page.get_by_role("button", name="Record the meeting").click()
    expect(page.locator(BANNER)).to_contain_text("Strategy meeting recorded.")
    page.get_by_role("link", name="Record the plan's review at a strategy meeting").click()
    tab.check("plan review form")
    page.get_by_label("Missing strategy meeting", exact=False).first.check()
    page.get_by_label("What the meeting changed in the plan").fill("Police to search the park at night")
    page.locator("#id_action_0_owner").fill("Police")
    page.locator("#id_action_0_description").fill("Search the park at night")
    page.get_by_role("button", name="Record the review").click()
    expect(page.locator(BANNER)).to_contain_text("Review of the action plan recorded.")
    expect(page.locator("#plan-reviews")).to_contain_text("Police to search the park at night")
    tab.check("episode plan reviewed")

    # 72 hours missing: the Senior Assistant Director is told (escalation).
    page.locator("#obligation-senior_escalation-1").get_by_role("link", name="Record it").click()
    tab.check("escalation form")
    fill_date_time(page, "at", reported + timedelta(hours=73))
    page.get_by_role("button", name="Record it").click()
    expect(page.locator(BANNER)).to_be_visible()
    assert StoredObligation.objects.get(episode=episode, code="senior_escalation").done_at is not None

    # Found, at about 74 hours.
    page.get_by_role("link", name="Record found").click()
    fill_date_time(page, "found_at", _at(6))
    page.get_by_role("button", name="Record found").click()
    expect(page.locator(BANNER)).to_contain_text("Recorded as found.")

    # The interview: allocated, offered and held by Kay, authorised.
    page.get_by_role("link", name="Allocate the interview").click()
    page.get_by_label("Practitioner").select_option("rhi.kay")
    fill_date_time(page, "allocated_at", _at(5.5))
    page.get_by_role("button", name="Allocate").click()
    expect(page.locator(BANNER)).to_contain_text("Return interview allocated.")
    page.get_by_role("link", name="Record the offer").click()
    fill_date_time(page, "offered_at", _at(5))
    page.get_by_label("How it was offered").fill("In person at Elm Lodge")
    page.get_by_label("Accepted", exact=True).check()
    page.get_by_role("button", name="Record the offer").click()
    page.get_by_role("link", name="Record the interview").click()
    page.get_by_label("Accepted", exact=True).check()
    fill_date_time(page, "conducted_at", _at(4.5))
    page.get_by_label("Face to face").check()
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("Reasons for going missing (optional)").fill("Stayed with an older friend after the funeral.")
    page.get_by_role("button", name="Record the interview").click()
    expect(page.locator(BANNER)).to_contain_text("Return interview recorded.")
    page.get_by_role("link", name="Authorise the interview").click()
    fill_date_time(page, "authorised_at", _at(4))
    page.get_by_label("Recommendations (optional)").fill("Bereavement support; safety plan for weekends.")
    page.get_by_role("button", name="Authorise").click()
    expect(page.locator(BANNER)).to_contain_text("Return interview authorised.")
    tab.goto(f"/episodes/{episode.pk}")

    # The social worker's visit after the return; those with parental responsibility told.
    page.get_by_role("link", name="Record a visit after the return", exact=True).click()
    tab.check("return visit form")
    fill_date_time(page, "visited_at", _at(3))
    page.get_by_label("Who visited").fill("Nadia Osei")
    page.get_by_label("What was discussed about the missing episode").fill("Where she stayed, and with whom")
    page.get_by_label("What can be done to prevent another episode").fill("A trusted adult to call at weekends")
    page.get_by_label("Outcome of the visit").fill("Amara agreed the weekend plan")
    fill_date_time(page, "parental_responsibility_informed_at", _at(2.5))
    page.get_by_label("Who was told, and how (optional)").fill("Her mother, by phone")
    page.get_by_role("button", name="Record the visit").click()
    expect(page.locator(BANNER)).to_contain_text("Return visit recorded.")
    tab.check("episode with visit")

    # The updated risk analysis and safety plan, reading the authorised interview.
    page.get_by_role("link", name="Record the updated risk analysis and safety plan").click()
    expect(page.locator("#interview-read")).to_contain_text("Stayed with an older friend after the funeral.")
    tab.check("plan update form")
    fill_date_time(page, "updated_at", _at(2))
    page.get_by_label("The updated risk analysis").fill("Risk from the older friend; bereavement")
    page.get_by_label("The updated safety plan").fill("Weekend check-ins; bereavement counselling")
    page.get_by_label("What changed, from what the interview found").fill("Weekend plan and counselling added")
    page.get_by_role("button", name="Record the update").click()
    expect(page.locator(BANNER)).to_contain_text("Updated risk analysis and safety plan recorded.")
    tab.check("episode plan updated")

    plan = ActionPlan.objects.get(episode=episode)
    assert [a.owner for a in plan.actions.order_by("id")] == ["sw.north", "Police"]
    assert ReturnVisit.objects.get(episode=episode).parental_responsibility_informed == "Her mother, by phone"
    assert PlanUpdate.objects.get(episode=episode).interview is not None
    done = {(r.code, r.instance): r.done_at is not None for r in StoredObligation.objects.filter(episode=episode)}
    assert done[("action_plan", 1)] and done[("strategy_meeting", 1)] and done[("senior_escalation", 1)]
    assert done[("return_visit", 1)] and done[("parental_responsibility_informed", 2)]
    assert done[("plan_updated", 1)]

    # The social worker's own action of the plan is on her home page.
    page.get_by_role("button", name="Sign out").click()
    tab.sign_in("sw.north")
    expect(page.get_by_role("heading", name="Your actions from missing child action plans (1)")).to_be_visible()
    tab.check("social worker home with plan action")
