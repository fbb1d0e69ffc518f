"""The pages no journey walks through, each checked with axe-core (WCAG 2.2 AA, zero
violations) as it opens and again showing the GOV.UK error summary after a bad submission:
reclassify and cancel an episode, add a case-system id, correct a person around the child,
mark a meeting action done on its own page, and the administrator's sign-in security pages."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from homeward.casework.episodes import episode_report
from homeward.casework.meetings import AgreedAction, strategy_meeting_record
from homeward.children.services import child_create, responsible_adult_add

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def check_with_error(tab: Any, path: str, label: str, button: str, clear: tuple[str, ...] = ()) -> None:
    """Open the page, check it; submit it with `clear` fields emptied, check the error summary."""
    page = tab.page
    tab.goto(path)
    page.get_by_role("heading", level=1).wait_for()
    tab.check(label)
    for field in clear:
        page.get_by_label(field, exact=True).fill("")
    page.get_by_role("button", name=button).click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()  # GOV.UK Frontend moves the focus to the summary
    tab.check(f"{label} with an error")


def test_the_episode_and_child_pages_no_journey_walks(visit: Any, demo_people: Any) -> None:
    coordinator = demo_people["coordinator"]
    child = child_create(actor=coordinator, external_id="", given_name="Ella", family_name="Morgan",
                         date_of_birth=date(2011, 5, 17), sex="female", legal_status="looked_after",
                         responsible_authority="941", external_id_required=False)
    adult = responsible_adult_add(actor=coordinator, child=child, name="Julie Morgan", relationship="Mother")
    episode = episode_report(actor=coordinator, child=child, reported_at=timezone.now() - timedelta(hours=8),
                             reported_by="police", classification="missing").episode
    meeting = strategy_meeting_record(
        actor=coordinator, episode=episode, held_at=timezone.now() - timedelta(hours=2), kind="missing_strategy",
        attendees=["Priya Shah, missing co-ordinator"], decisions="Police to visit known addresses.",
        actions=[AgreedAction(owner="Police", description="Check the address in Far Cotton")],
    )
    action = meeting.actions.get()
    tab = visit()
    tab.sign_in("coordinator")
    tab.page.get_by_role("heading", name="Your work").wait_for()
    check_with_error(tab, f"/episodes/{episode.pk}/classification", "reclassify", "Record the classification",
                     clear=("Year",))
    check_with_error(tab, f"/episodes/{episode.pk}/cancel", "cancel", "Cancel the episode")
    check_with_error(tab, f"/children/{child.pk}/case-system-id", "add the case-system id",
                     "Save the case-system id")
    check_with_error(tab, f"/children/{child.pk}/people/{adult.pk}", "correct a person", "Save", clear=("Full name",))
    check_with_error(tab, f"/episodes/{episode.pk}/meetings/{meeting.pk}/actions/{action.pk}/done",
                     "meeting action done", "Mark as done", clear=("Year",))


def test_the_administrators_sign_in_security_pages(visit: Any, demo_people: Any) -> None:
    from axes.models import AccessAttempt

    from homeward.accounts.services import user_create

    user_create(username="sysadmin", role="admin", password="a-long-test-password", validate=False)
    stranger = visit(name="locked-out")
    for _ in range(5):
        stranger.sign_in("sw.north", password="not-the-password")
    attempt = AccessAttempt.objects.get(username="sw.north")
    tab = visit()
    tab.sign_in("sysadmin")
    tab.goto("/security")
    expect(tab.page.get_by_role("cell", name="sw.north", exact=True)).to_be_visible()
    tab.check("security")
    check_with_error(tab, "/security/two-factor-reset", "two-factor reset", "Reset the two-factor app")
    check_with_error(tab, f"/security/lockouts/{attempt.pk}/lift", "lift a lock-out", "Lift the lock-out")


def test_the_police_notification_pages(visit: Any, demo_people: Any) -> None:
    """Issue 12: the triage queue, a message waiting with its children to match and the form to
    record the child, and the upload of an .eml file."""
    from pathlib import Path

    from homeward.intake.services import intake_receive

    samples = Path(__file__).resolve().parents[2] / "homeward" / "intake" / "tests" / "samples"
    message = intake_receive(raw=(samples / "met-missing-notification-pdf.eml").read_bytes(),
                             source="mailbox").message
    tab = visit()
    tab.sign_in("coordinator")
    tab.page.get_by_role("heading", name="Your work").wait_for()
    tab.goto("/police-notifications")
    expect(tab.page.get_by_role("cell", name="Tobi ADEYEMI")).to_be_visible()
    tab.check("police notifications queue")
    check_with_error(tab, f"/police-notifications/{message.pk}", "police notification", "Archive the message")
    check_with_error(tab, "/police-notifications/upload", "upload a police notification", "Upload the email")
