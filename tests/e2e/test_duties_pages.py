"""What is due, in plain English, in the browser (issue 10), each page checked with axe-core
(WCAG 2.2 AA, zero violations) as it opens and again with the GOV.UK error summary, which
takes the focus: the episode page's duties with their "Why this is due" toggles (opened with
the keyboard), the missing-or-away page, the worklist, 'Overdue and unowned work' with its
filters, closing with duties outstanding (a manager's reason), re-allocating and amending
a return interview."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from homeward.accounts.services import user_create
from homeward.casework.episodes import episode_record_found, episode_report
from homeward.casework.interviews import (
    InterviewRecord,
    rhi_allocate,
    rhi_authorise,
    rhi_record_interview,
    rhi_record_offer,
)
from homeward.children.services import PlacementInput, child_create
from homeward.episodes.models import Episode
from homeward.interviews.models import ReturnInterview, RhiVersion
from homeward.obligations.models import StoredObligation

from .conftest import PASSWORD

BANNER = ".govuk-notification-banner--success .govuk-notification-banner__heading"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _child(coordinator: Any, ref: str, given: str, family: str, *, team: str | None = "Children in Care North",
           authority: str = "941") -> Any:
    return child_create(
        actor=coordinator, external_id=ref, given_name=given, family_name=family, date_of_birth=date(2011, 5, 17),
        sex="female", legal_status="looked_after", responsible_authority=authority, team=team,
        placement=PlacementInput(authority="941", provider="Hill House"),
    )


def _missing(coordinator: Any, child: Any, hours: float) -> Episode:
    return episode_report(actor=coordinator, child=child, reported_at=timezone.now() - timedelta(hours=hours),
                          reported_by="parent_carer", classification="missing").episode


def expect_error_summary(tab: Any, label: str, link: str) -> None:
    summary = tab.page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name=link)).to_be_visible()
    expect(summary).to_be_focused()  # GOV.UK Frontend moves the focus to the summary
    tab.check(label)


def test_the_episode_page_explains_each_duty_and_changes_missing_or_away(visit: Any, demo_people: Any) -> None:
    coordinator = demo_people["coordinator"]
    jade = _child(coordinator, "MOS7001", "Jade", "Nowak")
    episode = _missing(coordinator, jade, hours=30)
    placed = _child(coordinator, "MOS7002", "Ava", "Kent", team=None, authority="855")
    other = _missing(coordinator, placed, hours=2)
    tab = visit()
    page = tab.page
    tab.sign_in("coordinator")
    page.get_by_role("heading", name="Your work").wait_for()

    tab.goto(f"/episodes/{episode.pk}")
    police = StoredObligation.objects.get(episode=episode, code="police_informed")
    row = page.locator("#obligation-police_informed-1")
    expect(row).to_contain_text("Make sure the police know Jade is missing within 1 hour of the report: by")
    expect(row).to_contain_text("Children in Care North queue")
    expect(row.locator(".govuk-tag")).to_have_text("Overdue")
    expect(page.locator("#obligation-carer_update-1 .govuk-tag")).to_have_text("Missed")
    # The rule behind the sentence opens with the keyboard alone.
    summary = row.locator(".govuk-details__summary")
    trace = row.locator(".homeward-trace")
    expect(trace).to_be_hidden()
    summary.focus()
    page.keyboard.press("Enter")
    expect(trace).to_be_visible()
    expect(trace).to_contain_text(police.basis["policy_value"])
    expect(trace).to_contain_text("The report")
    tab.check("episode with a duty's rule open")

    # Missing or away: the history, and the page that changes it (with its error summary).
    expect(page.locator("#whereabouts + ol")).to_contain_text("Missing: whereabouts not known (M)")
    page.get_by_role("link", name="Change missing or away").click()
    expect(page.get_by_role("heading", name="Change missing or away")).to_be_visible()
    tab.check("missing or away")
    page.get_by_role("button", name="Record the change").click()
    expect_error_summary(tab, "missing or away with an error", "Select missing or away")
    page.get_by_label("Away: whereabouts known (A)").check()
    page.get_by_label("Rationale (optional)").fill("Police found her at a friend's address")
    page.get_by_role("button", name="Record the change").click()
    expect(page.locator(BANNER)).to_contain_text("Missing or away recorded.")
    expect(page.locator("#whereabouts + ol")).to_contain_text("Away: whereabouts known (A)")
    episode.refresh_from_db()
    assert episode.whereabouts_known

    # Another authority's child placed here: the placing authority's duties, for information.
    tab.goto(f"/episodes/{other.pk}")
    expect(page.get_by_role("heading", name="For information: the placing authority's duties")).to_be_visible()
    tab.check("episode with the placing authority's duties")


def test_the_worklist_and_overdue_and_unowned_work(visit: Any, demo_people: Any) -> None:
    coordinator = demo_people["coordinator"]
    user_create(username="mct", role="mct_admin", password=PASSWORD, team_name="Missing Children Team",
                first_name="Sam", last_name="Patel", validate=False)
    teamed = _missing(coordinator, _child(coordinator, "MOS7101", "Jade", "Nowak"), hours=3)
    unowned = _missing(coordinator, _child(coordinator, "MOS7102", "Zara", "Ahmed", team=None), hours=3)
    tab = visit()
    page = tab.page

    # The social worker's own worklist: the team's queue, each duty a sentence with its rule.
    tab.sign_in("sw.north")
    item = page.locator(f"#duty-{StoredObligation.objects.get(episode=teamed, code='police_informed').pk}")
    expect(item).to_contain_text("Make sure the police know Jade is missing within 1 hour of the report")
    expect(item).to_contain_text("Owner: Children in Care North queue")
    item.get_by_text("Why this is due").click()
    expect(item.locator(".homeward-trace")).to_be_visible()
    expect(page.get_by_text("Zara", exact=False)).to_have_count(0)
    expect(page.get_by_role("link", name="Overdue and unowned work")).to_have_count(0)
    tab.check("worklist with a rule open")
    page.get_by_role("button", name="Sign out").click()

    # The MCT: the front door queue on their worklist, and the authority-wide page.
    tab.sign_in("mct")
    expect(page.get_by_text("Make sure the police know Zara is missing")).to_be_visible()
    tab.check("mct worklist")
    page.get_by_role("link", name="Overdue and unowned work").click()
    expect(page.get_by_role("heading", name="Overdue and unowned work")).to_be_visible()
    table = page.get_by_role("region", name="Overdue and unowned duties")
    expect(table).to_contain_text("Make sure the police know Jade is missing")
    expect(table).to_contain_text("Complete the risk analysis for Zara")
    tab.check("overdue and unowned work")
    page.get_by_label("Child's team").select_option(label="Children in Care North")
    page.get_by_label("Duty").select_option("police_informed")
    page.get_by_role("button", name="Show duties").click()
    expect(page.get_by_role("heading", name="1 duty")).to_be_visible()
    expect(table).to_contain_text("Jade")
    expect(table).not_to_contain_text("Zara")
    tab.check("overdue and unowned work, filtered")
    page.get_by_role("link", name="Episode from").first.click()
    assert page.url.endswith(f"/episodes/{teamed.pk}#obligations")
    # A value not in a list (an old bookmark) is an error on its field.
    tab.goto("/work?team=99999")
    expect_error_summary(tab, "overdue and unowned work with an error", "Select a team from the list")
    assert unowned.pk


def test_closing_with_duties_outstanding_needs_a_managers_reason(visit: Any, demo_people: Any) -> None:
    coordinator = demo_people["coordinator"]
    child = _child(coordinator, "MOS7201", "Lily", "Evans")
    episode = _missing(coordinator, child, hours=40)
    episode_record_found(actor=coordinator, episode=episode, found_at=timezone.now() - timedelta(hours=4))
    tab = visit()
    page = tab.page
    tab.sign_in("coordinator")
    page.get_by_role("heading", name="Your work").wait_for()
    tab.goto(f"/episodes/{episode.pk}/close")
    expect(page.locator("#outstanding")).to_contain_text("Offer Lily a return home interview")
    tab.check("close with duties outstanding")
    page.get_by_role("button", name="Close the episode").click()
    expect_error_summary(tab, "close without a reason", "Enter why the episode closes with these duties not done")
    page.locator(".govuk-error-summary").get_by_role("link", name="Enter why").click()
    expect(page.get_by_label("Reason for closing with these not done")).to_be_focused()
    page.keyboard.type("Lily moved to Kent, whose team has taken on her interview")
    page.get_by_role("button", name="Close the episode").click()
    expect(page.locator(BANNER)).to_contain_text("recorded as not done")
    row = page.locator("#obligation-rhi_offered-1")
    expect(row.locator(".govuk-tag")).to_have_text("Not done")
    expect(row).to_contain_text("Lily moved to Kent, whose team has taken on her interview")
    tab.check("episode closed with duties not done")
    episode.refresh_from_db()
    assert episode.status == "closed"


def test_a_return_interview_is_reallocated_and_an_authorised_one_amended(visit: Any, demo_people: Any) -> None:
    coordinator = demo_people["coordinator"]
    first = user_create(username="rhi.kay", role="rhi_practitioner", password=PASSWORD,
                        team_name="Return Interview Service", first_name="Kay", last_name="Brown", validate=False)
    user_create(username="rhi.lee", role="rhi_practitioner", password=PASSWORD,
                team_name="Return Interview Service", first_name="Lee", last_name="Grant", validate=False)
    now = timezone.now()
    waiting = _missing(coordinator, _child(coordinator, "MOS7301", "Mia", "Clarke"), hours=40)
    episode_record_found(actor=coordinator, episode=waiting, found_at=now - timedelta(hours=20))
    rhi_allocate(actor=coordinator, episode=waiting, practitioner=first, allocated_at=now - timedelta(hours=19))
    done = _missing(coordinator, _child(coordinator, "MOS7302", "Ella", "Morgan"), hours=60)
    episode_record_found(actor=coordinator, episode=done, found_at=now - timedelta(hours=30))
    rhi_allocate(actor=coordinator, episode=done, practitioner=first, allocated_at=now - timedelta(hours=29))
    rhi_record_offer(actor=first, episode=done, offered_at=now - timedelta(hours=28), method="Visit",
                     answer="accepted")
    rhi_record_interview(actor=first, episode=done, record=InterviewRecord(
        outcome="accepted", conducted_at=now - timedelta(hours=26), method="face_to_face", seen_alone=True,
        wishes_and_feelings="I just wanted to see my mum."))
    rhi_authorise(actor=coordinator, episode=done, authorised_at=now - timedelta(hours=20))
    tab = visit()
    page = tab.page

    # The co-ordinator re-allocates Mia's interview: a reason is needed, the deadline stays.
    tab.sign_in("coordinator")
    page.get_by_role("heading", name="Your work").wait_for()
    tab.goto(f"/episodes/{waiting.pk}")
    page.get_by_role("link", name="Re-allocate the interview").click()
    expect(page.locator("#current-practitioner")).to_contain_text("Kay Brown")
    tab.check("re-allocate")
    page.get_by_label("New practitioner").select_option("rhi.lee")
    page.get_by_role("button", name="Re-allocate").click()
    expect_error_summary(tab, "re-allocate with an error", "Enter why the interview is re-allocated")
    page.get_by_label("Why it is re-allocated").fill("Kay is away this week")
    page.get_by_role("button", name="Re-allocate").click()
    expect(page.locator(BANNER)).to_contain_text("The deadline has not moved.")
    expect(page.locator("#rhi-allocated")).to_contain_text("from Kay Brown to Lee Grant (Kay is away this week)")
    page.get_by_role("button", name="Sign out").click()

    # Kay amends Ella's authorised interview: the same form, with when and why.
    tab.sign_in("rhi.kay")
    tab.goto(f"/episodes/{done.pk}")
    page.get_by_role("link", name="Amend the interview").click()
    expect(page.get_by_role("heading", name="Amend the return interview")).to_be_visible()
    wishes = page.get_by_label("The child's wishes and feelings (optional)")
    expect(wishes).to_have_value("I just wanted to see my mum.")
    tab.check("amend")
    wishes.fill("I just wanted to see my mum and my sister.")
    page.get_by_role("button", name="Record the amendment").click()
    expect_error_summary(tab, "amend with an error", "Enter why the interview is amended")
    assert wishes.input_value() == "I just wanted to see my mum and my sister."
    page.get_by_label("Why it is amended").fill("She told me more on a second visit")
    page.get_by_role("button", name="Record the amendment").click()
    expect(page.locator(BANNER)).to_contain_text("awaits the co-ordinator's authorisation")
    expect(page.locator("#rhi-authorised")).to_contain_text("Amendment awaits authorisation")
    page.get_by_role("link", name="Read the interview").click()
    expect(page.locator("#amendment-pending")).to_contain_text("She told me more on a second visit")
    expect(page.get_by_text("I just wanted to see my mum.")).to_be_visible()
    tab.check("interview with an amendment awaiting authorisation")
    page.get_by_role("button", name="Sign out").click()

    # The co-ordinator sees what it changes and authorises it.
    tab.sign_in("coordinator")
    tab.goto(f"/episodes/{done.pk}")
    page.get_by_role("link", name="Authorise the amendment").click()
    expect(page.locator("#amendment-changes")).to_contain_text("I just wanted to see my mum and my sister.")
    tab.check("authorise the amendment")
    page.get_by_role("button", name="Authorise the amendment").click()
    expect(page.locator(BANNER)).to_contain_text("version 2 is now the interview everyone reads")
    page.get_by_role("link", name="Read the interview").click()
    expect(page.get_by_text("I just wanted to see my mum and my sister.")).to_be_visible()
    expect(page.get_by_role("region", name="Versions of the interview")).to_contain_text("She told me more")
    tab.check("interview version 2")
    assert RhiVersion.objects.get(interview__episode=done, number=2).authorised_at is not None
    assert ReturnInterview.objects.get(episode=waiting).practitioner.username == "rhi.lee"


def test_the_duties_pages_fit_a_phone(visit: Any, demo_people: Any) -> None:
    coordinator = demo_people["coordinator"]
    episode = _missing(coordinator, _child(coordinator, "MOS7401", "Jade", "Nowak"), hours=30)
    _missing(coordinator, _child(coordinator, "MOS7402", "Zara", "Ahmed", team=None), hours=3)
    tab = visit(width=375, height=667)
    page = tab.page
    tab.sign_in("coordinator")
    page.get_by_role("heading", name="Your work").wait_for()
    for path, label in [("/", "worklist"), (f"/episodes/{episode.pk}", "episode"), ("/work", "unowned work"),
                        (f"/episodes/{episode.pk}/whereabouts", "missing or away")]:
        tab.goto(path)
        tab.check(f"phone {label}")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 375, f"{label} is {width}px wide on a 375px screen"
