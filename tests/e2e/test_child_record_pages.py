"""Changing a child's record and marking strategy meeting actions done, in the browser: every
page checked with axe-core, the error summary followed, the forms used from the keyboard, and
marking an action done with JavaScript off."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from homeward.casework.episodes import episode_report
from homeward.casework.meetings import AgreedAction, strategy_meeting_record
from homeward.children.models import Child, PhilomenaProfile
from homeward.children.services import PlacementInput, child_create

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def child(demo_people: Any, settings: Any, tmp_path: Path) -> Child:
    settings.MEDIA_ROOT = tmp_path / "media"
    return child_create(
        actor=demo_people["coordinator"], external_id="MOS5001", given_name="Ella", family_name="Morgan",
        date_of_birth=date(2011, 5, 17), sex="female", legal_status="looked_after", responsible_authority="941",
        placement=PlacementInput(authority="855", provider="Hill House"), team="Children in Care North",
        allocated_worker="sw.north",
    )


def focused(page: Any) -> str:
    return page.evaluate("() => document.activeElement.id || document.activeElement.textContent.trim()")


def test_a_social_worker_changes_the_details_profile_and_people_of_a_child(visit: Any, child: Child) -> None:
    tab = visit()
    page = tab.page
    tab.sign_in("sw.north")
    page.get_by_role("heading", name="Your work").wait_for()
    tab.goto(f"/children/{child.pk}")
    tab.check("child page")

    # Details: sent with the given name cleared, the error summary takes the focus and links to it.
    page.get_by_role("link", name="Change details").click()
    expect(page.get_by_role("heading", name="Change details")).to_be_visible()
    tab.check("details form")
    page.get_by_label("Given name").fill("")
    page.get_by_label("Known as").fill("Elle")
    page.get_by_role("button", name="Save the details").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert page.title().startswith("Error: ")
    assert summary.evaluate("node => node === document.activeElement || node.contains(document.activeElement)")
    expect(page.get_by_label("Known as")).to_have_value("Elle")
    tab.check("details form with an error")
    # From the keyboard: the summary's link goes to the field; type the name, then send with Enter.
    summary.get_by_role("link", name="Enter the child's given name").focus()
    page.keyboard.press("Enter")
    assert focused(page) == "id_given_name"
    page.keyboard.type("Ela")
    page.get_by_label("Child in need").check()
    page.locator("#id_legal_status_since_day").fill("3")
    page.locator("#id_legal_status_since_month").fill("2")
    page.locator("#id_legal_status_since_year").fill("2026")
    page.get_by_label("Given name").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Details saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Ela Morgan (known as Elle)")).to_be_visible()
    child.refresh_from_db()
    assert (child.given_name, child.legal_status) == ("Ela", "child_in_need")
    assert child.legal_statuses.count() == 2
    tab.check("child page after the change")

    # The Philomena profile, with a photo; the risks ticked from the keyboard.
    page.get_by_role("link", name="Prepare the Philomena profile").click()
    tab.check("philomena form")
    page.get_by_label("Description").fill("Tall, red hair, usually a grey hoodie")
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (120, 40, 40)).save(buffer, format="PNG")
    page.set_input_files("#id_photo", files=[{"name": "ella.png", "mimeType": "image/png",
                                              "buffer": buffer.getvalue()}])
    page.get_by_label("Child criminal exploitation (CCE)").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save the profile").click()
    expect(page.get_by_text("Philomena profile saved.")).to_be_visible()
    profile = PhilomenaProfile.objects.get(child=child)
    assert profile.risk_cce and not profile.risk_cse and profile.photo
    tab.check("child page with the profile")

    # People around the child: add one, then the remove page.
    page.get_by_role("link", name="Add a person").click()
    tab.check("add a person")
    page.get_by_label("Full name").fill("Dawn Morgan")
    page.get_by_label("Relationship to the child").fill("Mother")
    page.get_by_label("Email address").fill("dawn-at-example")
    page.get_by_role("button", name="Add the person").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.get_by_label("Full name")).to_have_value("Dawn Morgan")
    tab.check("add a person with an error")
    page.get_by_label("Email address").fill("dawn@example.com")
    page.get_by_role("button", name="Add the person").click()
    expect(page.get_by_text("Dawn Morgan added.")).to_be_visible()
    page.get_by_role("link", name="Remove Dawn Morgan").click()
    tab.check("remove a person")
    page.get_by_label("Why is this person being removed?").fill("Entered in error")
    page.get_by_role("button", name="Remove Dawn Morgan").click()
    expect(page.get_by_text("Dawn Morgan removed from Ela Morgan's record.")).to_be_visible()


def test_meeting_actions_are_marked_done_from_the_episode_page_by_keyboard_and_without_javascript(
    visit: Any, child: Child, demo_people: Any,
) -> None:
    coordinator = demo_people["coordinator"]
    episode = episode_report(actor=coordinator, child=child, reported_at=timezone.now() - timedelta(hours=30),
                             reported_by="police", classification="missing").episode
    meeting = strategy_meeting_record(
        actor=coordinator, episode=episode, held_at=timezone.now() - timedelta(hours=6), kind="missing_strategy",
        attendees=["Priya Shah, missing co-ordinator", "Nadia Osei, social worker"],
        decisions="Police to visit known addresses.",
        actions=[AgreedAction(owner="Nadia Osei", description="Visit the school", due=timezone.localdate()),
                 AgreedAction(owner="Police", description="Check the address in Far Cotton")],
    )
    school, address = meeting.actions.order_by("id")

    # The owner finds the action on her worklist, and marks it done from the keyboard.
    tab = visit()
    page = tab.page
    tab.sign_in("sw.north")
    expect(page.get_by_role("heading", name="Your actions from strategy meetings (1)")).to_be_visible()
    tab.check("worklist with a meeting action")
    tab.goto(f"/episodes/{episode.pk}")
    tab.check("episode page with meeting actions")
    row = page.locator(f"#action-{school.pk}")
    row.locator("summary").focus()
    page.keyboard.press("Enter")
    assert focused(page) == "Mark as done: Visit the school"
    page.keyboard.press("Tab")
    assert focused(page) == f"a{school.pk}_done_at_day"
    for _ in range(4):  # day, month, year, time: filled in with now
        page.keyboard.press("Tab")
    assert focused(page) == f"a{school.pk}_note"
    page.keyboard.type("Spoke to the head of year")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Marked as done: Visit the school")).to_be_visible()
    expect(page.locator(f"#action-{school.pk}")).to_contain_text("Spoke to the head of year")
    tab.check("episode page after marking done")
    school.refresh_from_db()
    assert school.done_at is not None and school.done_by.username == "sw.north"

    # Without JavaScript: the details element still opens, and the form is a plain POST.
    plain = visit(javascript=False)
    plain.sign_in("coordinator")
    plain.page.get_by_role("heading", name="Your work").wait_for()
    plain.goto(f"/episodes/{episode.pk}")
    other = plain.page.locator(f"#action-{address.pk}")
    other.locator("summary").click()
    other.get_by_label("Note").fill("No one at home")
    other.get_by_role("button", name="Mark as done").click()
    expect(plain.page.get_by_text("Marked as done: Check the address in Far Cotton")).to_be_visible()
    plain.check("episode page without javascript")
    address.refresh_from_db()
    assert address.done_note == "No one at home"


def test_a_long_chronology_pages_through_older_entries(visit: Any, child: Child) -> None:
    """A child's chronology 50 entries at a time (issue 11): both pages pass axe, and the links
    between them are followed from the keyboard."""
    from homeward.children.models import ChronologyEntry

    start = timezone.now() - timedelta(days=200)
    ChronologyEntry.objects.bulk_create([
        ChronologyEntry(child=child, at=start + timedelta(days=n), kind="note", summary=f"Note number {n}")
        for n in range(60)])
    tab = visit()
    page = tab.page
    tab.sign_in("coordinator")
    page.get_by_role("heading", name="Your work").wait_for()
    tab.goto(f"/children/{child.pk}")
    older = page.get_by_role("navigation", name="Pages of the chronology").get_by_role("link", name="Older entries")
    expect(older).to_be_visible()
    expect(page.get_by_text("Note number 59", exact=False)).to_be_visible()
    tab.check("child page, newest chronology entries")
    older.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Note number 0", exact=False)).to_be_visible()
    expect(page.get_by_text("Note number 59", exact=False)).to_have_count(0)
    tab.check("child page, older chronology entries")
    newest = page.get_by_role("navigation", name="Pages of the chronology").get_by_role("link", name="Newest entries")
    newest.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Note number 59", exact=False)).to_be_visible()
