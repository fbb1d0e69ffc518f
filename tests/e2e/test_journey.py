"""A whole episode through the pages: sign in, search, report a new looked-after child placed
in a neighbouring authority on a Friday night, regrade to high, record found."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from homeward.children.models import Child
from homeward.episodes.models import Episode

from .conftest import last_friday_night

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def fill_date_time(page: Any, prefix: str, when: Any) -> None:
    from homeward.common.timeutil import LONDON

    local = when.astimezone(LONDON)
    page.locator(f"#id_{prefix}_day").fill(str(local.day))
    page.locator(f"#id_{prefix}_month").fill(str(local.month))
    page.locator(f"#id_{prefix}_year").fill(str(local.year))
    page.locator(f"#id_{prefix}_time").fill(f"{local:%H:%M}")


def test_a_coordinator_follows_an_episode_from_report_to_found(visit: Any, demo_people: Any) -> None:
    tab = visit()
    page = tab.page
    tab.sign_in("coordinator")
    expect(page.get_by_role("heading", name="Your work")).to_be_visible()
    tab.check("home")

    # Search first: the child is not known.
    page.get_by_role("link", name="Search").click()
    tab.check("search")
    page.get_by_label("Name, date of birth, case-system id or police reference").fill("Jade Nowak")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("0 children found for \u2018Jade Nowak\u2019")).to_be_visible()
    tab.check("search results")

    # Report: find, then record the new child, then the episode.
    page.get_by_role("link", name="Report a missing child").click()
    page.get_by_label("Name, date of birth, case-system id or police reference").fill("Jade Nowak")
    page.get_by_role("button", name="Find the child").click()
    tab.check("report find")
    page.get_by_role("link", name="Record a new child and report them missing").click()
    tab.check("new child form")

    # Sent half-filled: the errors follow the GOV.UK pattern and what was typed is kept.
    page.get_by_label("Given name").fill("Jade")
    page.get_by_role("button", name="Record the child and continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert page.title().startswith("Error: ")
    assert summary.evaluate("node => node === document.activeElement || node.contains(document.activeElement)")
    assert page.get_by_label("Given name").input_value() == "Jade"
    tab.check("new child errors")
    summary.get_by_role("link", name="Enter the child's family name").click()
    assert page.evaluate("() => document.activeElement.id") == "id_family_name"

    page.get_by_label("Family name").fill("Nowak")
    page.locator("#id_date_of_birth_day").fill("3")
    page.locator("#id_date_of_birth_month").fill("4")
    page.locator("#id_date_of_birth_year").fill("2012")
    page.get_by_label("Female").check()
    page.get_by_label("Case-system id").fill("MOS9001")
    page.get_by_label("Looked after").check()
    page.get_by_label("Council area the child is placed in (optional)").select_option("855")
    page.get_by_label("Placement (foster carer or children's home) (optional)").fill("Hill House")
    page.get_by_role("button", name="Record the child and continue").click()
    expect(page.get_by_role("heading", name="Report Jade Nowak missing")).to_be_visible()
    tab.check("episode form")

    friday = last_friday_night(timezone.now())
    fill_date_time(page, "reported_at", friday)
    page.get_by_label("Placement provider").check()
    page.get_by_label("Name of the person who reported it (optional)").fill("Night staff, Hill House")
    fill_date_time(page, "last_seen_at", friday.replace(hour=22, minute=30))
    page.get_by_label("Where the child was last seen (optional)").fill("Hill House, Leicester")
    page.get_by_label("Circumstances (optional)").fill("Left by the back door after an argument.")
    page.get_by_label("Care", exact=True).check()
    page.get_by_label("Medium").check()
    page.get_by_label("Police force (optional)").select_option("leicestershire")
    page.get_by_label("Police reference (optional)").fill("LP-2026-1")
    page.get_by_role("button", name="Report missing").click()
    expect(page.get_by_text("Jade Nowak reported missing.")).to_be_visible()

    child = Child.objects.get(external_id="MOS9001")
    episode = Episode.objects.get(child=child)
    assert page.url.endswith(f"/episodes/{episode.pk}")
    assert child.placements.get().authority.code == "855"
    assert episode.reported_at == friday
    tab.check("episode page")

    # What is due is on the episode, in a sentence with the rule behind it; the team manager
    # was told: record it.
    expect(page.locator("#obligation-manager_informed-1")).to_contain_text(
        "Tell the team manager that Jade is missing within 24 hours of the report: by")
    # (GOV.UK's visually hidden text is spoken with a space around it: "Record it : inform...")
    page.get_by_role("link", name=re.compile(r"^Record it\W+inform the team manager$")).click()
    tab.check("record action form")
    page.get_by_label("Note (optional)").fill("Told Julie Marsh by phone.")
    page.get_by_role("button", name="Record it").click()
    expect(page.get_by_text("Recorded: Team manager informed.")).to_be_visible()
    assert episode.actions.filter(action="manager_informed").exists()

    # Children's services' risk analysis, coded: seed 004's immediate risks as checkboxes.
    page.get_by_role("link", name=re.compile(r"^Record it\W+complete the children.s services risk analysis$")).click()
    tab.check("risk analysis form")
    page.get_by_role("group", name="Immediate risks").get_by_label("Sexual or criminal exploitation").check()
    page.get_by_role("group", name="Immediate risks").get_by_label("Missed education").check()
    page.get_by_role("group", name="Pull factors").get_by_label("Peers, boyfriends or girlfriends").check()
    page.get_by_role("button", name="Record it").click()
    expect(page.get_by_text("Immediate risks: Sexual or criminal exploitation, Missed education.")).to_be_visible()
    assert episode.actions.get(action="risk_analysis").detail["immediate_risks"] == ["exploitation",
                                                                                    "missed_education"]

    # The board shows her, looked after and placed in Leicestershire.
    page.get_by_role("link", name="Missing now").click()
    row = page.get_by_role("row").filter(has_text="Jade Nowak")
    assert "Yes" in row.inner_text()
    assert "Hill House, Leicestershire" in row.inner_text()
    tab.check("board")
    row.get_by_role("link", name="Jade Nowak").click()

    # Regrade to high.
    page.get_by_role("link", name="Regrade risk").click()
    tab.check("regrade form")
    page.get_by_label("High").check()
    page.get_by_label("Graded by (optional)").fill("Inspector Shah, Leicestershire Police")
    page.get_by_label("Rationale (optional)").fill("Seen with older males linked to CSE.")
    page.get_by_role("button", name="Record the grading").click()
    expect(page.get_by_text("Risk grading recorded.")).to_be_visible()
    expect(page.get_by_text("Risk graded high by Inspector Shah").first).to_be_visible()
    tab.check("episode after regrade")

    # The child's page and the profile for police.
    page.get_by_role("link", name="Jade Nowak's record").click()
    expect(page.get_by_role("heading", name="Chronology")).to_be_visible()
    tab.check("child page")
    page.get_by_role("link", name="Philomena profile to print or hand to police").click()
    tab.check("philomena profile")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as PDF").click()
    assert download.value.suggested_filename.startswith("philomena-MOS9001")
    page.go_back()
    page.get_by_role("link", name="Go to the episode").click()

    # Found.
    page.get_by_role("link", name="Record found").click()
    tab.check("found form")
    page.get_by_label("Where the child was found (optional)").fill("Leicester bus station")
    page.get_by_label("Found by (optional)").fill("Police")
    page.get_by_label("The child's condition on return (optional)").fill("Tired and hungry.")
    page.get_by_role("button", name="Record found").click()
    expect(page.get_by_text("Recorded as found.")).to_be_visible()
    tab.check("episode returned")
    episode.refresh_from_db()
    assert episode.status == "returned"
    assert episode.risk_level == "high"

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Homeward")).to_be_visible()
