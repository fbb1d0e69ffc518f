"""Seed 000 through the pages, end to end: a looked-after child of 941 placed in neighbouring
authority 855 is reported missing on a Friday night; a strategy meeting agrees an action; she
is found; the co-ordinator allocates the return interview, the practitioner offers and records
it in the child's own words, the co-ordinator authorises it and shares it with the police,
the social worker and the IRO. axe-core checks every page."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from homeward.accounts.services import user_create
from homeward.children.services import PlacementInput, child_create
from homeward.episodes.models import Episode
from homeward.interviews.models import ReturnInterview
from homeward.meetings.models import StrategyMeeting
from homeward.obligations.models import StoredObligation

from .conftest import PASSWORD, last_friday_night
from .test_journey import fill_date_time

BANNER = ".govuk-notification-banner--success .govuk-notification-banner__heading"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def practitioner(demo_people: Any) -> Any:
    return user_create(username="rhi.kay", role="rhi_practitioner", password=PASSWORD,
                       team_name="Return Interview Service", first_name="Kay", last_name="Brown", validate=False)


@pytest.fixture
def child(demo_people: Any) -> Any:
    return child_create(
        actor=demo_people["coordinator"], external_id="MOS0001", given_name="Mia", family_name="Clarke",
        date_of_birth=date(2010, 9, 2), sex="female", legal_status="looked_after", responsible_authority="941",
        placement=PlacementInput(authority="855", provider="Hill House"), team="Children in Care North",
    )


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Homeward")).to_be_visible()


def test_seed_000_from_friday_night_report_to_the_shared_return_interview(
    visit: Any, demo_people: Any, practitioner: Any, child: Any,
) -> None:
    friday = last_friday_night(timezone.now()) - timedelta(days=7)
    saturday = friday + timedelta(days=1)
    monday = friday + timedelta(days=3)
    tab = visit()
    page = tab.page

    # Friday 23:15: the placement reports Mia missing.
    tab.sign_in("coordinator")
    expect(page.get_by_role("heading", name="Your work")).to_be_visible()
    tab.goto(f"/report/children/{child.pk}")
    expect(page.get_by_role("heading", name="Report Mia Clarke missing")).to_be_visible()
    fill_date_time(page, "reported_at", friday)
    page.get_by_label("Placement provider").check()
    fill_date_time(page, "last_seen_at", friday - timedelta(minutes=45))
    page.get_by_label("Care", exact=True).check()
    page.get_by_label("Medium").check()
    page.get_by_label("Police force (optional)").select_option("leicestershire")
    page.get_by_label("Police reference (optional)").fill("LP-000-1")
    page.get_by_role("button", name="Report missing").click()
    expect(page.locator(BANNER)).to_contain_text("Mia Clarke reported missing.")
    episode = Episode.objects.get(child=child)
    assert episode.reported_at == friday

    # Saturday morning: the missing strategy meeting, with an action; one more row without JavaScript.
    page.get_by_role("link", name="Record a strategy meeting").click()
    expect(page.get_by_role("heading", name="Record a strategy meeting")).to_be_visible()
    tab.check("strategy meeting form")
    fill_date_time(page, "held_at", saturday.replace(hour=10, minute=0))
    page.get_by_label("Missing strategy meeting").check()
    page.get_by_label("Who attended").fill("Priya Shah, missing co-ordinator\nPC Jones, Leicestershire Police")
    page.get_by_label("Decisions (optional)").fill("Police to check known associates in Leicester.")
    page.locator("#id_action_0_owner").fill("PC Jones")
    page.locator("#id_action_0_description").fill("Visit the addresses of known associates")
    page.get_by_role("button", name="Add another action").click()
    expect(page.locator("#id_action_3_owner")).to_be_visible()
    assert page.locator("#id_action_0_owner").input_value() == "PC Jones"
    tab.check("strategy meeting four rows")
    page.locator("#id_action_1_description").fill("Tell the school")
    page.get_by_role("button", name="Record the meeting").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name="Enter who owns action 2")).to_be_visible()
    assert page.locator("#id_action_1_description").input_value() == "Tell the school"
    tab.check("strategy meeting errors")
    page.locator("#id_action_1_description").fill("")
    page.get_by_role("button", name="Record the meeting").click()
    expect(page.locator(BANNER)).to_contain_text("Strategy meeting recorded.")
    meeting = StrategyMeeting.objects.get(episode=episode)
    assert [a.owner for a in meeting.actions.all()] == ["PC Jones"]

    # Saturday afternoon: found.
    page.get_by_role("link", name="Record found").click()
    fill_date_time(page, "found_at", saturday.replace(hour=14, minute=0))
    page.get_by_label("Found by (optional)").fill("Police")
    page.get_by_role("button", name="Record found").click()
    expect(page.locator(BANNER)).to_contain_text("Recorded as found.")
    tab.check("episode returned")

    # Closing now would leave the follow-up not done: the page names what is left, and the
    # co-ordinator, a manager, may close only with a reason (not given: refused on its field).
    page.get_by_role("link", name="Close the episode").click()
    expect(page.locator("#outstanding")).to_contain_text("Offer Mia a return home interview")
    tab.check("close form")
    page.get_by_role("button", name="Close the episode").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name="Enter why the episode closes with these duties not done")).to_be_visible()
    expect(summary).to_be_focused()
    tab.check("close refused")
    page.get_by_role("link", name="Back to the episode").click()

    # Monday: the co-ordinator allocates the interview to Kay.
    page.get_by_role("link", name="Allocate the interview").click()
    tab.check("allocate form")
    page.get_by_label("Practitioner").select_option("rhi.kay")
    fill_date_time(page, "allocated_at", monday.replace(hour=9, minute=30))
    page.get_by_role("button", name="Allocate").click()
    expect(page.locator(BANNER)).to_contain_text("Return interview allocated.")
    page.get_by_role("link", name="Return interviews").click()
    expect(page.get_by_role("heading", name="Allocated, to offer (1)")).to_be_visible()
    tab.check("interview pipeline")
    sign_out(page)

    # Kay offers the interview and records it.
    tab.sign_in("rhi.kay")
    page.get_by_role("link", name="My interviews").click()
    expect(page.get_by_role("heading", name="My interviews")).to_be_visible()
    tab.check("my interviews")
    page.get_by_role("link", name="Mia Clarke").click()
    page.get_by_role("link", name="Record the offer").click()
    tab.check("offer form")
    fill_date_time(page, "offered_at", monday.replace(hour=11, minute=0))
    page.get_by_label("How it was offered").fill("Phone call to Mia at Hill House")
    page.get_by_label("Accepted", exact=True).check()
    page.get_by_role("button", name="Record the offer").click()
    expect(page.locator(BANNER)).to_contain_text("Offer of the return interview recorded.")

    page.get_by_role("link", name="Record the interview").click()
    tab.check("interview form")
    page.get_by_label("Accepted", exact=True).check()
    fill_date_time(page, "conducted_at", (monday + timedelta(days=1)).replace(hour=16, minute=0))
    page.get_by_label("Phone", exact=True).check()
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("Placement instability or distance from family and friends").check()
    page.get_by_label("Boundaries", exact=True).check()
    page.get_by_label("Being near family and friends (children in care)").check()
    page.get_by_label("Child sexual exploitation (CSE)").check()
    page.get_by_label("The child's wishes and feelings (optional)").fill("I just wanted to see my mum.")
    page.get_by_role("button", name="Record the interview").click()
    # A phone interview needs the observations of whoever saw her return.
    error = page.locator(".govuk-error-summary").get_by_role("link", name=re.compile("A phone interview needs"))
    expect(error).to_be_visible()
    assert page.get_by_label("The child's wishes and feelings (optional)").input_value() == \
        "I just wanted to see my mum."
    tab.check("interview form errors")
    page.get_by_label("Face to face").check()
    page.get_by_label("Reasons for going missing (optional)").fill("Missing her mum in Leicester.")
    page.get_by_role("button", name="Record the interview").click()
    expect(page.locator(BANNER)).to_contain_text("Return interview recorded.")
    tab.check("episode interview recorded")
    sign_out(page)

    # Wednesday: the co-ordinator authorises and shares it.
    wednesday = monday + timedelta(days=2)
    tab.sign_in("coordinator")
    tab.goto(f"/episodes/{episode.pk}")
    page.get_by_role("link", name="Authorise the interview").click()
    tab.check("authorise form")
    fill_date_time(page, "authorised_at", wednesday.replace(hour=10, minute=0))
    page.get_by_label("Recommendations (optional)").fill("Review contact with mother in the care plan.")
    page.get_by_role("button", name="Authorise").click()
    expect(page.locator(BANNER)).to_contain_text("Return interview authorised.")
    page.get_by_role("link", name="Share the interview").click()
    tab.check("share form")
    fill_date_time(page, "shared_at", wednesday.replace(hour=11, minute=0))
    page.get_by_label("Police", exact=True).check()
    page.get_by_label("Social worker", exact=True).check()
    page.get_by_label("Independent reviewing officer (IRO)").check()
    page.get_by_role("button", name="Record the sharing").click()
    expect(page.locator(BANNER)).to_contain_text("Sharing of the return interview recorded.")
    tab.check("episode interview shared")

    rhi = ReturnInterview.objects.get(episode=episode)
    assert rhi.shared_with == ["iro", "police", "social_worker"]
    assert rhi.push_factors == ["boundaries", "placement_instability"]
    assert rhi.pull_factors == ["near_family_and_friends"]
    assert rhi.exploitation_indicators == ["cse"]
    assert rhi.wishes_and_feelings == "I just wanted to see my mum."

    # The obligations on the episode page: the offer is done.
    offered = StoredObligation.objects.get(episode=episode, code="rhi_offered")
    assert offered.done_at == monday.replace(hour=11, minute=0)
    row = page.locator("#obligation-rhi_offered-1")
    expect(row).to_contain_text("Offer Mia a return home interview within 72 hours of coming back")
    expect(row).to_contain_text("Done")
    expect(page.locator("#rhi-offers")).to_contain_text("(Phone call to Mia at Hill House): accepted")

    page.get_by_role("link", name="Read the interview").click()
    expect(page.get_by_text("I just wanted to see my mum.")).to_be_visible()
    tab.check("interview")

    # The police, with whom it was shared, may read it too.
    user_create(username="pc.leics", role="police_liaison", password=PASSWORD, team_name="",
                first_name="Sam", last_name="Jones", validate=False)
    sign_out(page)
    tab.sign_in("pc.leics")
    tab.goto(f"/episodes/{episode.pk}")
    page.get_by_role("link", name="Read the interview").click()
    expect(page.get_by_text("I just wanted to see my mum.")).to_be_visible()
    tab.check("interview read by police")
