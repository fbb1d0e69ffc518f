"""Consultations and referrals on the pages: prompts and decisions on the episode page, the
decision and outcome forms, the counts page; charges for finance with their CSV and withdrawal;
the allocation page refusing who may not interview."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from homeward.audit.models import AuditEntry
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
from homeward.consultations.models import Consultation

from .conftest import london_parts

pytestmark = pytest.mark.django_db


def ago(hours: float) -> Any:
    return timezone.now() - timedelta(hours=hours)


@pytest.fixture
def episode(coordinator: Any, make_child: Any) -> Any:
    return episode_report(actor=coordinator, child=make_child(given_name="Ella", family_name="Morgan"),
                          reported_at=ago(20), reported_by="police", classification="missing",
                          risk_level="high").episode


def test_the_episode_page_prompts_and_links_to_record_the_decision(web: Client, episode: Any) -> None:
    body = web.get(f"/episodes/{episode.pk}").content.decode()
    assert 'id="consultations"' in body and 'id="consultation-prompts"' in body
    assert "Section 47 strategy discussion" in body and "graded high risk" in body
    assert f'href="/episodes/{episode.pk}/consultations/new?kind=section_47"' in body
    assert "None considered yet." in body


def test_police_see_no_consultations_section_nor_its_chronology(client_for: Any, make_user: Any, coordinator: Any,
                                                                 episode: Any) -> None:
    consultation_record(actor=coordinator, episode=episode, kind="section_47", decision="made", decided_at=ago(1),
                        reason="Secret reasoning")
    police = client_for(make_user("police_liaison"))
    body = police.get(f"/episodes/{episode.pk}").content.decode()
    assert 'id="consultations"' not in body and "Secret reasoning" not in body
    assert "Secret reasoning" not in police.get(f"/children/{episode.child_id}").content.decode()
    assert "Secret reasoning" in web_page(coordinator, client_for, f"/episodes/{episode.pk}")


def web_page(user: Any, client_for: Any, path: str) -> str:
    return str(client_for(user).get(path).content.decode())


def test_record_a_decision_then_its_outcome(web: Client, episode: Any) -> None:
    path = f"/episodes/{episode.pk}/consultations/new"
    assert web.get(path + "?kind=duty_assessment_team").status_code == 200
    response = web.post(path, {"kind": "duty_assessment_team", "decision": "made", **london_parts("decided_at", ago(2)),
                               "reason": "Immediate risk of significant harm", "decided_by": ""})
    assert response.status_code == 302 and response["Location"].endswith(f"/episodes/{episode.pk}#consultations")
    consultation = Consultation.objects.get()
    assert consultation.prompted_by == ["high_risk"]
    body = web.get(f"/episodes/{episode.pk}").content.decode()
    assert "Immediate risk of significant harm" in body and "Awaited" in body
    outcome_path = f"/episodes/{episode.pk}/consultations/{consultation.pk}/outcome"
    assert f'href="{outcome_path}"' in body
    done = web.post(outcome_path, {**london_parts("outcome_at", ago(1)), "outcome": "Strategy discussion held"})
    assert done.status_code == 302
    body = web.get(f"/episodes/{episode.pk}").content.decode()
    assert "Strategy discussion held" in body


def test_errors_stay_on_the_form_and_nothing_is_stored(web: Client, episode: Any) -> None:
    path = f"/episodes/{episode.pk}/consultations/new"
    response = web.post(path, {"kind": "section_47", "decision": "made", **london_parts("decided_at", ago(-30)),
                               "reason": "x"})
    body = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in body
    assert "Record a decision once it has been made." in body
    missing = web.post(path, {}).content.decode()
    assert "Select the consultation or referral considered" in missing
    assert "Enter the reason for the decision" in missing
    assert not Consultation.objects.exists()


def test_a_second_outcome_is_refused_on_the_form(web: Client, coordinator: Any, episode: Any) -> None:
    consultation = consultation_record(actor=coordinator, episode=episode, kind="pre_mace", decision="not_made",
                                       decided_at=ago(2), reason="Known to the panel")
    response = web.post(f"/episodes/{episode.pk}/consultations/{consultation.pk}/outcome",
                        {**london_parts("outcome_at", ago(1)), "outcome": "x"})
    assert response.status_code == 200
    assert "Only a referral or consultation that was made has an outcome." in response.content.decode()


def test_the_counts_page(web: Client, coordinator: Any, episode: Any) -> None:
    consultation_record(actor=coordinator, episode=episode, kind="pre_mace", decision="made", decided_at=ago(2),
                        reason="Contextual harm")
    body = web.get("/reports/consultations").content.decode()
    assert 'id="consultation-counts"' in body and "Pre-MACE panel" in body
    bad = web.get("/reports/consultations?from=2026-13-01").content.decode()
    assert "govuk-error-summary" in bad and "Give a date as YYYY-MM-DD." in bad
    assert 'href="/reports/consultations"' in web.get("/reports").content.decode()


def _charged(coordinator: Any, make_child: Any, make_user: Any) -> Charge:
    child = make_child(responsible_authority="333", given_name="Zoe", family_name="Hart",
                       placement={"authority": "941", "provider": "Oak House"})
    episode = episode_report(actor=coordinator, child=child, reported_at=ago(30), reported_by="police",
                             classification="missing").episode
    episode_record_found(actor=coordinator, episode=episode, found_at=ago(20))
    rhi_allocate(actor=coordinator, episode=episode, practitioner=make_user("rhi_practitioner"),
                 allocated_at=ago(19), exceptional=True)
    rhi_record_offer(actor=coordinator, episode=episode, offered_at=ago(18), method="Visit")
    rhi_record_interview(actor=coordinator, episode=episode, record=InterviewRecord(
        outcome="accepted", conducted_at=ago(10), method="face_to_face", seen_alone=True))
    rhi_authorise(actor=coordinator, episode=episode, authorised_at=ago(2))
    return Charge.objects.get(episode=episode)


def test_charges_page_csv_and_withdrawal(web: Client, coordinator: Any, make_child: Any, make_user: Any) -> None:
    charge = _charged(coordinator, make_child, make_user)
    body = web.get("/reports/charges").content.decode()
    assert "Sandwell (333)" in body and "£350.00" in body and "Zoe Hart" in body
    assert 'href="/reports/charges.csv"' in body
    assert AuditEntry.objects.filter(object_type="charge", action="view", channel="web",
                                     child_id=charge.episode.child_id).exists()
    csv = web.get("/reports/charges.csv")
    assert csv["Content-Type"].startswith("text/csv") and "350.00" in csv.content.decode()
    withdraw = f"/reports/charges/{charge.pk}/withdraw"
    assert web.post(withdraw, {**london_parts("withdrawn_at", ago(1)), "reason": ""}).status_code == 200
    done = web.post(withdraw, {**london_parts("withdrawn_at", ago(1)), "reason": "Sandwell held it"})
    assert done.status_code == 302
    assert "Withdrawn" in web.get("/reports/charges").content.decode()
    assert 'href="/reports/charges"' in web.get("/reports").content.decode()


def test_team_managers_do_not_see_the_charges(client_for: Any, make_user: Any) -> None:
    manager = client_for(make_user("team_manager"))
    assert manager.get("/reports/charges").status_code == 403
    assert 'href="/reports/charges"' not in manager.get("/reports").content.decode()


def test_the_allocation_page_refuses_the_own_social_worker_without_a_reason(web: Client, coordinator: Any,
                                                                            make_child: Any,
                                                                            make_user: Any) -> None:
    make_user("social_worker", username="sw.own", team="Children in Care North")
    child = make_child(allocated_worker="sw.own", team="Children in Care North")
    episode = episode_report(actor=coordinator, child=child, reported_at=ago(30), reported_by="police").episode
    episode_record_found(actor=coordinator, episode=episode, found_at=ago(20))
    path = f"/episodes/{episode.pk}/interview/allocate"
    form = web.get(path).content.decode()
    assert "The child asked for this person" in form
    refused = web.post(path, {"practitioner": "sw.own", **london_parts("allocated_at", ago(2))})
    assert refused.status_code == 200
    assert "own allocated social worker" in refused.content.decode()
    allowed = web.post(path, {"practitioner": "sw.own", **london_parts("allocated_at", ago(2)),
                              "reason": "Agreed by the network: the child trusts her"})
    assert allowed.status_code == 302
