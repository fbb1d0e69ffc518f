"""Consultations and referrals, their counts, the charges for exceptional interviews and the
allocation of an interview (issue 15, part B), each checked with axe-core (WCAG 2.2 AA, zero
violations) as it opens and again showing the GOV.UK error summary after a bad submission."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from homeward.casework.consultations import consultation_record
from homeward.casework.episodes import episode_record_found, episode_report
from homeward.casework.interviews import (
    InterviewRecord,
    rhi_allocate,
    rhi_authorise,
    rhi_record_interview,
    rhi_record_offer,
)
from homeward.charges.models import Charge
from homeward.children.services import PlacementInput, child_create

from .test_other_pages import check_with_error

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def ago(hours: float) -> Any:
    return timezone.now() - timedelta(hours=hours)


def test_consultations_charges_and_allocation_pages(visit: Any, demo_people: Any) -> None:
    coordinator = demo_people["coordinator"]
    ours = child_create(actor=coordinator, external_id="E2E-C1", given_name="Ella", family_name="Morgan",
                        date_of_birth=date(2011, 5, 17), sex="female", legal_status="looked_after",
                        responsible_authority="941", allocated_worker="sw.north", team="Children in Care North")
    episode = episode_report(actor=coordinator, child=ours, reported_at=ago(20), reported_by="police",
                             classification="missing", risk_level="high").episode
    made = consultation_record(actor=coordinator, episode=episode, kind="section_47", decision="made",
                               decided_at=ago(2), reason="Significant harm suspected")
    theirs = child_create(actor=coordinator, external_id="E2E-C2", given_name="Zoe", family_name="Hart",
                          date_of_birth=date(2010, 3, 2), sex="female", legal_status="looked_after",
                          responsible_authority="333", placement=PlacementInput(authority="941", provider="Oak House"))
    placed = episode_report(actor=coordinator, child=theirs, reported_at=ago(30), reported_by="police",
                            classification="missing").episode
    episode_record_found(actor=coordinator, episode=placed, found_at=ago(20))
    rhi_allocate(actor=coordinator, episode=placed, practitioner=coordinator, allocated_at=ago(19), exceptional=True)
    rhi_record_offer(actor=coordinator, episode=placed, offered_at=ago(18), method="Visit")
    rhi_record_interview(actor=coordinator, episode=placed, record=InterviewRecord(
        outcome="accepted", conducted_at=ago(10), method="face_to_face", seen_alone=True))
    rhi_authorise(actor=coordinator, episode=placed, authorised_at=ago(2))
    charge = Charge.objects.get(episode=placed)
    episode_record_found(actor=coordinator, episode=episode, found_at=ago(1))

    tab = visit()
    tab.sign_in("coordinator")
    tab.page.get_by_role("heading", name="Your work").wait_for()
    tab.goto(f"/episodes/{episode.pk}")
    expect(tab.page.get_by_role("heading", name="Consultations and referrals")).to_be_visible()
    tab.check("episode with consultations")
    check_with_error(tab, f"/episodes/{episode.pk}/consultations/new", "record a consultation decision",
                     "Record the decision")
    check_with_error(tab, f"/episodes/{episode.pk}/consultations/{made.pk}/outcome", "record an outcome",
                     "Record the outcome", clear=("Year",))
    tab.goto("/reports/consultations")
    expect(tab.page.get_by_role("heading", name="Consultations and referrals")).to_be_visible()
    tab.check("consultation counts")
    tab.goto("/reports/charges")
    expect(tab.page.get_by_role("cell", name="£350.00")).to_be_visible()
    tab.check("charges")
    check_with_error(tab, f"/reports/charges/{charge.pk}/withdraw", "withdraw a charge", "Withdraw the charge")
    tab.goto(f"/episodes/{episode.pk}/interview/allocate")
    page = tab.page
    page.get_by_label("Practitioner").select_option("sw.north")
    page.get_by_role("button", name="Allocate").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("own allocated social worker")
    tab.check("allocate the interview to the child's own social worker, refused")
