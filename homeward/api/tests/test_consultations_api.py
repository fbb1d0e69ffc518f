"""Consultations and referrals, their prompts and counts, and charges through the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from homeward.audit.models import AuditEntry
from homeward.casework.episodes import episode_record_found, episode_report
from homeward.casework.interviews import (
    InterviewRecord,
    rhi_allocate,
    rhi_authorise,
    rhi_record_interview,
    rhi_record_offer,
)
from homeward.consultations.models import Consultation

pytestmark = pytest.mark.django_db


def iso(hours_ago: float) -> str:
    return (timezone.now() - timedelta(hours=hours_ago)).replace(microsecond=0).isoformat()


@pytest.fixture
def episode(coordinator: Any, make_child: Any) -> Any:
    return episode_report(actor=coordinator, child=make_child(), reported_at=timezone.now() - timedelta(hours=20),
                          reported_by="police", classification="missing", risk_level="high").episode


def test_the_prompts_then_a_decision_then_its_outcome(api: Any, episode: Any) -> None:
    path = f"/api/v1/episodes/{episode.pk}/consultations"
    body = api.get(path).json()
    assert body["consultations"] == []
    prompts = {p["kind"]: p for p in body["prompts"]}
    assert set(prompts) == {"section_47", "duty_assessment_team"}
    assert prompts["section_47"]["triggers"] == ["high_risk"] and prompts["section_47"]["answered"] is False
    assert prompts["duty_assessment_team"]["source"] == "seed 004"
    made = api.post(path, {"kind": "section_47", "decision": "made", "decided_at": iso(3),
                           "reason": "Significant harm suspected", "decided_by": "Ann Lee, team manager"},
                    format="json")
    assert made.status_code == 201, made.content
    consultation = made.json()
    assert consultation["decided_by"] == "Ann Lee, team manager" and consultation["prompted_by"] == ["high_risk"]
    assert consultation["outcome_due"] is True and consultation["label"] == "Section 47 strategy discussion"
    outcome = api.post(f"{path}/{consultation['id']}/outcome", {"outcome": "Section 47 enquiry started",
                                                                  "outcome_at": iso(1)}, format="json")
    assert outcome.status_code == 200, outcome.content
    assert outcome.json()["outcome"] == "Section 47 enquiry started" and outcome.json()["outcome_due"] is False
    after = api.get(path).json()
    assert {p["kind"]: p["answered"] for p in after["prompts"]} == {"section_47": True, "duty_assessment_team": False}
    assert [c["id"] for c in after["consultations"]] == [consultation["id"]]
    assert AuditEntry.objects.filter(object_type="consultations", action="view", channel="api",
                                     child_id=episode.child_id).exists()
    assert AuditEntry.objects.filter(object_type="consultation", action="update", channel="api").exists()


def test_bad_input_is_400_naming_the_field_with_nothing_stored(api: Any, episode: Any) -> None:
    path = f"/api/v1/episodes/{episode.pk}/consultations"
    response = api.post(path, {"kind": "mace", "decision": "made", "decided_at": iso(1), "reason": "x"},
                        format="json")
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["kind"]
    future = api.post(path, {"kind": "pre_mace", "decision": "not_made", "decided_at": iso(-48), "reason": "x"},
                      format="json")
    assert future.status_code == 400
    assert [e["field"] for e in future.json()["errors"]] == ["decided_at"]
    blank = api.post(path, {"kind": "pre_mace", "decision": "not_made", "decided_at": iso(1), "reason": ""},
                     format="json")
    assert blank.status_code == 400 and [e["field"] for e in blank.json()["errors"]] == ["reason"]
    assert not Consultation.objects.exists()
    not_made = api.post(path, {"kind": "pre_mace", "decision": "not_made", "decided_at": iso(1),
                               "reason": "Known to the panel"}, format="json").json()
    refused = api.post(f"{path}/{not_made['id']}/outcome", {"outcome": "x", "outcome_at": iso(0.5)}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "consultation"


def test_police_read_no_consultations(api_for: Any, make_user: Any, episode: Any) -> None:
    response = api_for(make_user("police_liaison")).get(f"/api/v1/episodes/{episode.pk}/consultations")
    assert response.status_code == 403


def test_counts_by_kind(api: Any, episode: Any) -> None:
    api.post(f"/api/v1/episodes/{episode.pk}/consultations", {
        "kind": "duty_assessment_team", "decision": "made", "decided_at": iso(2), "reason": "Immediate risk"},
        format="json")
    body = api.get("/api/v1/reports/consultations").json()
    counts = {row["kind"]: row for row in body["counts"]}
    assert counts["duty_assessment_team"]["considered"] == 1 and counts["duty_assessment_team"]["prompted"] == 1
    assert counts["section_47"]["considered"] == 0
    bad = api.get("/api/v1/reports/consultations?from=2026-02-30")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "from"


def test_meeting_kinds_include_pre_mace(api: Any, episode: Any) -> None:
    response = api.post(f"/api/v1/episodes/{episode.pk}/strategy-meetings",
                        {"held_at": iso(1), "kind": "pre_mace", "attendees": ["A. Person"]}, format="json")
    assert response.status_code == 201 and response.json()["kind"] == "pre_mace"
    codes = {c["code"] for c in api.get("/api/v1/codes/meeting_kinds").json()}
    assert "pre_mace" in codes


def _exceptional_interview(coordinator: Any, make_child: Any, make_user: Any) -> Any:
    child = make_child(responsible_authority="333", placement={"authority": "941", "provider": "Oak House"})
    episode = episode_report(actor=coordinator, child=child, reported_at=timezone.now() - timedelta(hours=30),
                             reported_by="police", classification="missing").episode
    episode_record_found(actor=coordinator, episode=episode, found_at=timezone.now() - timedelta(hours=20))
    rhi_allocate(actor=coordinator, episode=episode, practitioner=make_user("rhi_practitioner"),
                 allocated_at=timezone.now() - timedelta(hours=19), exceptional=True)
    rhi_record_offer(actor=coordinator, episode=episode, offered_at=timezone.now() - timedelta(hours=18),
                     method="Visit")
    rhi_record_interview(actor=coordinator, episode=episode, record=InterviewRecord(
        outcome="accepted", conducted_at=timezone.now() - timedelta(hours=10), method="face_to_face",
        seen_alone=True))
    rhi_authorise(actor=coordinator, episode=episode, authorised_at=timezone.now() - timedelta(hours=2))
    return episode


def test_charges_as_csv_and_withdrawn(api: Any, coordinator: Any, make_child: Any, make_user: Any) -> None:
    episode = _exceptional_interview(coordinator, make_child, make_user)
    response = api.get("/api/v1/charges")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().strip().split("\r\n")
    assert lines[0].startswith("charge,authority_code,authority,episode")
    charge_id = int(lines[1].split(",")[0])
    assert f",333,Sandwell,{episode.pk}," in lines[1] and ",350.00," in lines[1]
    assert AuditEntry.objects.filter(object_type="charge", action="export", child_id=episode.child_id,
                                     channel="api").exists()
    bad = api.post(f"/api/v1/charges/{charge_id}/withdrawal", {"withdrawn_at": iso(1), "reason": ""},
                   format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "reason"
    done = api.post(f"/api/v1/charges/{charge_id}/withdrawal", {"withdrawn_at": iso(1), "reason": "In error"},
                    format="json")
    assert done.status_code == 200 and done.json()["withdrawn_reason"] == "In error"
    assert api.get("/api/v1/charges?withdrawn=exclude").content.decode().strip().count("\r\n") == 0
    assert api.get("/api/v1/charges?withdrawn=maybe").status_code == 400
    assert api.post("/api/v1/charges/999999/withdrawal", {"withdrawn_at": iso(1), "reason": "x"},
                    format="json").status_code == 404


def test_allocation_refuses_the_placement_provider_naming_the_field(api: Any, coordinator: Any, make_child: Any,
                                                                    make_user: Any) -> None:
    provider = make_user("placement_provider", organisation="Oakfield Homes")
    iro = make_user("iro", username="the.iro")
    child = make_child(iro="the.iro", placement={"authority": "941", "provider": "Oakfield House",
                                  "provider_organisation_id": provider.organisation_id})
    episode = episode_report(actor=coordinator, child=child, reported_at=timezone.now() - timedelta(hours=30),
                             reported_by="police").episode
    episode_record_found(actor=coordinator, episode=episode, found_at=timezone.now() - timedelta(hours=20))
    response = api.post(f"/api/v1/episodes/{episode.pk}/rhi/allocation",
                        {"practitioner": provider.username, "allocated_at": iso(2)}, format="json")
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "practitioner"
    asked = api.post(f"/api/v1/episodes/{episode.pk}/rhi/allocation",
                     {"practitioner": iro.username, "allocated_at": iso(2)}, format="json")
    assert asked.status_code == 400 and asked.json()["errors"][0]["field"] == "at_child_request"
    allowed = api.post(f"/api/v1/episodes/{episode.pk}/rhi/allocation",
                       {"practitioner": iro.username, "allocated_at": iso(2), "at_child_request": True},
                       format="json")
    assert allowed.status_code == 201, allowed.content
