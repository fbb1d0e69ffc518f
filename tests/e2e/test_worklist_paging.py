"""The home worklist's sections page (issue 11), in the browser with axe-core (WCAG 2.2 AA, zero
violations): a section's next and previous pages reached with the keyboard, each link saying
which section it pages to a screen reader, the page landing back on that section's heading;
the inline forms, drawn once for the page, still record a duty; and the board beside it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from homeward.casework.episodes import episode_report
from homeward.children.services import PlacementInput, child_create
from homeward.episodes.models import Episode
from homeward.obligations.models import StoredObligation
from homeward.web.views import board

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _missing(coordinator: Any, ref: str, given: str, hours: float) -> Episode:
    child = child_create(
        actor=coordinator, external_id=ref, given_name=given, family_name="Nowak", date_of_birth=date(2011, 5, 17),
        sex="female", legal_status="looked_after", responsible_authority="941", team=None,
        placement=PlacementInput(authority="941", provider="Hill House"),
    )
    return episode_report(actor=coordinator, child=child, reported_at=timezone.now() - timedelta(hours=hours),
                          reported_by="parent_carer", classification="missing").episode


def test_a_worklist_section_pages_with_the_keyboard_and_its_forms_still_record(
    visit: Any, demo_people: Any, monkeypatch: Any,
) -> None:
    monkeypatch.setattr(board, "WORKLIST_LIMIT", 2)
    coordinator = demo_people["coordinator"]
    for n, (given, hours) in enumerate((("Ava", 5), ("Bea", 4), ("Cleo", 3))):
        _missing(coordinator, f"MOS74{n:02d}", given, hours)
    tab = visit()
    page = tab.page
    tab.sign_in("coordinator")
    expect(page.get_by_role("heading", name="Overdue (", exact=False)).to_be_visible()
    pages = page.get_by_role("navigation", name="Overdue: pages")
    expect(pages).to_contain_text("Next")
    expect(page.get_by_text("Showing 1 to 2 of", exact=False).first).to_be_visible()
    tab.check("worklist, first page of each section")

    # The next page of overdue duties, with the keyboard: focus the link and press Enter.
    link = pages.get_by_role("link", name="Next page of overdue")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/?overdue_page=2#overdue")
    overdue = page.locator("#overdue")
    expect(overdue).to_be_in_viewport()
    second = page.get_by_role("navigation", name="Overdue: pages")
    expect(second.get_by_role("link", name="Previous page of overdue")).to_be_visible()
    tab.check("worklist, second page of overdue duties")
    second.get_by_role("link", name="Previous page of overdue").click()
    page.wait_for_url("**/?#overdue")

    # A form drawn once for the page records the duty of its own row: one that needs only its
    # time (the police need a reference), and not the first form the page drew.
    with_forms = page.locator("li[id^=duty-]").filter(has=page.get_by_text("Record it"))
    expect(with_forms.nth(1)).to_be_attached()
    ids = [int(str(row.get_attribute("id")).removeprefix("duty-")) for row in with_forms.all()]
    simple = [pk for pk in ids[1:] if StoredObligation.objects.get(pk=pk).code != "police_informed"]
    assert simple, ids
    duty = StoredObligation.objects.get(pk=simple[0])
    item = page.locator(f"#duty-{duty.pk}")
    item.get_by_text("Record it").click()
    item.get_by_role("button", name="Record").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Recorded")
    duty.refresh_from_db()
    assert duty.done_at is not None
    expect(page.locator(f"#duty-{duty.pk}")).to_have_count(0)
    tab.check("worklist after recording inline")

    tab.goto("/missing-now")
    expect(page.get_by_role("region", name="Children missing now")).to_contain_text("Cleo Nowak")
    tab.check("missing now")
