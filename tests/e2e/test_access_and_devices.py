"""Keyboard alone, a phone-sized screen, a session that ends mid-form, and scoping by role."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from homeward.casework.episodes import episode_report
from homeward.children.services import PlacementInput, child_create
from homeward.common.timeutil import local_date
from homeward.episodes.models import Episode

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def child(demo_people: Any) -> Any:
    return child_create(
        actor=demo_people["coordinator"], external_id="MOS5001", given_name="Ella", family_name="Morgan",
        date_of_birth=date(2011, 5, 17), sex="female", legal_status="looked_after", responsible_authority="941",
        placement=PlacementInput(authority="855", provider="Hill House"), team="Children in Care North",
    )


def focused(page: Any) -> str:
    return page.evaluate("() => document.activeElement.id || document.activeElement.textContent.trim()")


def test_the_report_form_works_with_the_keyboard_alone(visit: Any, child: Any) -> None:
    tab = visit()
    page = tab.page
    tab.goto("/")
    # Sign in without the mouse: skip link, service name, then the form.
    page.keyboard.press("Tab")
    assert focused(page) == "Skip to main content"
    page.keyboard.press("Tab")
    assert focused(page) == "Homeward"
    page.keyboard.press("Tab")
    assert focused(page) == "id_username"
    page.keyboard.type("coordinator")
    page.keyboard.press("Tab")
    assert focused(page) == "id_password"
    page.keyboard.type("a-long-test-password")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Your work").wait_for()

    tab.goto(f"/report/children/{child.pk}")
    tab.check("report form")
    # The skip link goes straight to the content.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    order = []
    for _ in range(40):
        page.keyboard.press("Tab")
        current = focused(page)
        style = page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement);"
            " return s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.boxShadow; }"
        )
        assert style != "none 0px none", f"no visible focus on {current}"
        order.append(current)
        if current == "Report missing":
            break
    assert order == [
        "id_reported_at_day", "id_reported_at_month", "id_reported_at_year", "id_reported_at_time",
        "id_reported_by", "id_reporter_name", "id_classification", "id_whereabouts_known",
        "id_last_seen_at_day", "id_last_seen_at_month", "id_last_seen_at_year", "id_last_seen_at_time",
        "id_location_last_seen", "id_circumstances", "id_missing_from", "id_risk_level", "id_police_force",
        "id_police_reference", "Report missing",
    ]

    # Fill it in from the keyboard: who reported it (radios move with the arrow keys), then send.
    page.keyboard.press("Shift+Tab")  # back to the police reference
    page.keyboard.type("NP-KEY-1")
    page.locator("#id_reported_by").focus()
    page.keyboard.press("ArrowDown")  # the second choice: placement provider
    page.keyboard.press("Tab")
    page.keyboard.type("Night staff")
    page.locator("#id_police_force").focus()
    page.keyboard.type("Northamptonshire")
    page.locator("#id_police_reference").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/episodes/*")
    episode = Episode.objects.get(child=child)
    assert (episode.reported_by, episode.reporter_name, episode.police_reference) == (
        "placement_provider", "Night staff", "NP-KEY-1")
    assert episode.police_force.code == "northamptonshire"
    tab.check("episode reported by keyboard")


def test_pages_fit_a_phone_sized_screen(visit: Any, child: Any) -> None:
    tab = visit(width=375, height=667)
    page = tab.page
    tab.sign_in("coordinator")
    for path, label in [("/", "home"), ("/missing-now", "board"), ("/report", "report find"),
                        (f"/report/children/{child.pk}", "report form"), (f"/children/{child.pk}", "child page")]:
        tab.goto(path)
        tab.check(f"phone {label}")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 375, f"{label} is {width}px wide on a 375px screen"
    # The navigation folds into a Menu button that opens it.
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(page.get_by_role("link", name="Missing now")).not_to_be_visible()
    menu.click()
    expect(page.get_by_role("link", name="Missing now")).to_be_visible()
    tab.check("phone menu open")


def test_what_was_typed_survives_the_session_ending_mid_form(visit: Any, child: Any) -> None:
    tab = visit()
    page = tab.page
    tab.sign_in("coordinator")
    tab.goto(f"/report/children/{child.pk}")
    page.get_by_label("Name of the person who reported it (optional)").fill("Night staff, Hill House")
    page.get_by_label("Circumstances (optional)").fill("Left by the back door after an argument.")
    page.get_by_label("Placement provider").check()
    # The session ends (timed out, or signed out in another tab) before the form is sent.
    page.context.clear_cookies(name="sessionid")
    page.get_by_role("button", name="Report missing").click()
    expect(page.get_by_text("You were signed out before your form was sent")).to_be_visible()
    tab.check("signed out mid-form")
    page.get_by_label("Username").fill("coordinator")
    page.get_by_label("Password", exact=True).fill("a-long-test-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("What you typed is below: check it and send it again")).to_be_visible()
    assert page.get_by_label("Name of the person who reported it (optional)").input_value() == "Night staff, Hill House"
    assert page.get_by_label("Circumstances (optional)").input_value() == "Left by the back door after an argument."
    assert page.get_by_label("Placement provider").is_checked()
    tab.check("form restored")
    page.get_by_role("button", name="Report missing").click()
    page.wait_for_url("**/episodes/*")
    assert Episode.objects.get(child=child).reporter_name == "Night staff, Hill House"


def test_a_social_worker_sees_their_team_and_cannot_reach_other_children(visit: Any, child: Any,
                                                                         demo_people: Any) -> None:
    other = child_create(
        actor=demo_people["coordinator"], external_id="MOS5002", given_name="Sam", family_name="Elsewhere",
        date_of_birth=date(2012, 1, 1), sex="male", legal_status="child_in_need", responsible_authority="941",
    )
    tab = visit()
    page = tab.page
    tab.sign_in("sw.north")
    tab.goto("/search?q=MOS5001")
    expect(page.get_by_role("link", name="Ella Morgan")).to_be_visible()
    tab.goto("/search?q=MOS5002")
    expect(page.get_by_text("0 children found")).to_be_visible()
    response = tab.goto(f"/children/{other.pk}")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    tab.check("not found page")


def test_a_social_worker_records_what_is_due_from_the_worklist(visit: Any, child: Any, demo_people: Any) -> None:
    reported_at = timezone.now() - timedelta(hours=3)
    episode = episode_report(
        actor=demo_people["coordinator"], child=child, reported_at=reported_at,
        reported_by="parent_carer", classification="missing",
    ).episode
    # The police within the hour is overdue. In the first three hours of a London day the report
    # was made the day before, and telling the Missing Children Team "by the end of the day" is too.
    overdue = 1 if local_date(reported_at) == local_date(timezone.now()) else 2
    tab = visit()
    page = tab.page
    tab.sign_in("sw.north")
    expect(page.get_by_role("heading", name=f"Overdue ({overdue})")).to_be_visible()
    # The team's queue (no worker allocated), each duty in a sentence.
    expect(page.locator("#overdue + ul")).to_contain_text("Make sure the police know Ella is missing within 1 hour")
    expect(page.locator("#overdue + ul")).to_contain_text("Owner: Children in Care North queue")
    page.get_by_text("Record it: Make sure the police have been told").click()
    tab.check("worklist with the record form open")
    form = page.locator(f"form[action='/episodes/{episode.pk}/actions/police_informed']")
    form.get_by_label("Police force (optional)").select_option("northamptonshire")
    form.get_by_label("Police reference (optional)").fill("NP-2026-31")
    form.get_by_role("button", name="Record").click()
    expect(page.get_by_text("Recorded: Police informed.")).to_be_visible()
    expect(page.get_by_role("heading", name=f"Overdue ({overdue - 1})")).to_be_visible()
    tab.check("worklist after recording")
    episode.refresh_from_db()
    assert episode.police_reference == "NP-2026-31"


def test_the_core_forms_work_without_javascript(visit: Any, child: Any) -> None:
    tab = visit(javascript=False)
    page = tab.page
    tab.sign_in("coordinator")
    expect(page.get_by_role("heading", name="Your work")).to_be_visible()
    assert "js-enabled" not in (page.locator("body").get_attribute("class") or "")
    tab.check("home without javascript")
    tab.goto(f"/report/children/{child.pk}")
    page.get_by_label("Police").first.check()
    page.get_by_role("button", name="Report missing").click()
    expect(page.get_by_text("Ella Morgan reported missing.")).to_be_visible()
    episode = Episode.objects.get(child=child)
    page.get_by_role("link", name="Regrade risk").click()
    page.get_by_label("High").check()
    page.get_by_role("button", name="Record the grading").click()
    expect(page.get_by_text("Risk grading recorded.")).to_be_visible()
    page.get_by_role("link", name="Record found").click()
    page.get_by_role("button", name="Record found").click()
    expect(page.get_by_text("Recorded as found.")).to_be_visible()
    episode.refresh_from_db()
    assert (episode.risk_level, episode.status) == ("high", "returned")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Homeward")).to_be_visible()
