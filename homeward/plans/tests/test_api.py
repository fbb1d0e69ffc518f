"""The API around the episode: /api/v1/episodes/{id}/action-plan (with its actions, reviews and
updates), /return-visits and /vulnerability. Bad input is a 400 naming the field with nothing
stored; police liaison read none of it; every read and change is audited naming the child."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from homeward.audit.models import AuditEntry
from homeward.casework.episodes import episode_record_found, episode_report
from homeward.casework.meetings import strategy_meeting_record
from homeward.plans.models import ActionPlan, ReturnVisit

pytestmark = pytest.mark.django_db


def iso(hours_ago: float) -> str:
    return (timezone.now() - timedelta(hours=hours_ago)).replace(microsecond=0).isoformat()


PLAN = {
    "contact_by": "Sam, key worker", "contact_how": "Texts every evening", "family_told": "That police are looking",
    "family_how_often": "Daily", "return_who_sees": "The carer", "return_where": "At the home",
    "return_interviewer": "Aisha",
}


@pytest.fixture
def episode(coordinator: Any, make_child: Any, make_user: Any) -> Any:
    make_user("social_worker", team="North", username="sw1")
    child = make_child(allocated_worker="sw1", team="North")
    return episode_report(actor=coordinator, child=child, reported_at=timezone.now() - timedelta(hours=30),
                          reported_by="police", classification="missing").episode


def obligation(api: Any, episode: Any, code: str, instance: int = 1) -> dict[str, Any]:
    found = api.get(f"/api/v1/episodes/{episode.pk}/obligations").json()["obligations"]
    return next(o for o in found if o["code"] == code and o["instance"] == instance)


def test_the_plan_through_the_api(api: Any, episode: Any, coordinator: Any) -> None:
    base = f"/api/v1/episodes/{episode.pk}/action-plan"
    assert api.get(base).status_code == 404
    response = api.post(base, {**PLAN, "agreed_at": iso(20), "actions": [
        {"owner": "coord", "description": "Ring the school", "due": str(timezone.localdate())}]}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["contact_by"] == "Sam, key worker" and body["actions"][0]["owner_user"] == "coord"
    assert obligation(api, episode, "action_plan")["status"] == "done"
    again = api.post(base, {**PLAN, "agreed_at": iso(2)}, format="json")
    assert again.status_code == 400 and again.json()["errors"][0]["field"] == "episode"
    action_id = body["actions"][0]["id"]
    done = api.post(f"{base}/actions/{action_id}/done", {"done_at": iso(1), "note": "Rang"}, format="json")
    assert done.status_code == 200 and done.json()["done_by"] == "coord"
    meeting = strategy_meeting_record(actor=coordinator, episode=episode, held_at=timezone.now() - timedelta(hours=5),
                                      kind="missing_strategy", attendees=["A"])
    reviewed = api.post(f"{base}/reviews", {"meeting": meeting.pk, "changes": "Stands",
                                            "actions": [{"owner": "Police", "description": "CCTV"}]}, format="json")
    assert reviewed.status_code == 201, reviewed.content
    assert reviewed.json()["reviews"][0]["meeting"] == meeting.pk and len(reviewed.json()["actions"]) == 2
    wrong = api.post(f"{base}/reviews", {"meeting": 999999, "changes": "x"}, format="json")
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["field"] == "meeting"
    read = api.get(base)
    assert read.status_code == 200 and read.json()["id"] == body["id"]
    assert AuditEntry.objects.filter(object_type="action_plan", action="view", child_id=episode.child_id).exists()


def test_bad_input_names_the_field_and_stores_nothing(api: Any, episode: Any) -> None:
    response = api.post(f"/api/v1/episodes/{episode.pk}/action-plan", {**PLAN, "contact_by": "",
                                                                        "agreed_at": "2026-01-01T10:00"},
                        format="json")
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"contact_by", "agreed_at"} <= fields
    assert not ActionPlan.objects.exists()


def test_update_visit_and_vulnerability_through_the_api(api: Any, episode: Any, coordinator: Any) -> None:
    vulnerable = api.post(f"/api/v1/episodes/{episode.pk}/vulnerability",
                          {"judged_at": iso(25), "reason": "No phone, no money"}, format="json")
    assert vulnerable.status_code == 201 and vulnerable.json()["judged_by"] == "coord"
    assert api.get(f"/api/v1/episodes/{episode.pk}/vulnerability").json()[0]["reason"] == "No phone, no money"
    episode_record_found(actor=coordinator, episode=episode, found_at=timezone.now() - timedelta(hours=20))
    update = api.post(f"/api/v1/episodes/{episode.pk}/action-plan/updates", {
        "updated_at": iso(3), "risk_analysis": "Lower", "safety_plan": "Curfew", "what_changed": "Curfew added"},
        format="json")
    assert update.status_code == 201 and update.json()["interview"] is None
    assert len(api.get(f"/api/v1/episodes/{episode.pk}/action-plan/updates").json()) == 1
    visit = api.post(f"/api/v1/episodes/{episode.pk}/return-visits", {
        "visited_at": iso(10), "visited_by": "SW", "discussed_episode": "Where", "prevention": "Curfew",
        "outcome": "Settled"}, format="json")
    assert visit.status_code == 201, visit.content
    assert obligation(api, episode, "return_visit")["status"] == "done"
    visit_id = visit.json()["id"]
    told = api.post(f"/api/v1/episodes/{episode.pk}/return-visits/{visit_id}/parental-responsibility",
                    {"informed_at": iso(9), "informed": "Mother by phone"}, format="json")
    assert told.status_code == 200 and told.json()["parental_responsibility_informed"] == "Mother by phone"
    twice = api.post(f"/api/v1/episodes/{episode.pk}/return-visits/{visit_id}/parental-responsibility",
                     {"informed_at": iso(8), "informed": "Father"}, format="json")
    assert twice.status_code == 400 and twice.json()["errors"][0]["field"] == "visit"
    listed = api.get(f"/api/v1/episodes/{episode.pk}/return-visits").json()
    assert [v["id"] for v in listed] == [visit_id]


def test_police_read_none_of_it_and_may_not_record(api_for: Any, make_user: Any, episode: Any) -> None:
    police = api_for(make_user("police_liaison"))
    for path in ("action-plan", "return-visits", "vulnerability", "action-plan/updates"):
        assert police.get(f"/api/v1/episodes/{episode.pk}/{path}").status_code == 403, path
    assert police.post(f"/api/v1/episodes/{episode.pk}/vulnerability", {"judged_at": iso(1), "reason": "x"},
                       format="json").status_code == 403
    assert not ReturnVisit.objects.exists()


def test_an_episode_out_of_sight_is_404(api_for: Any, make_user: Any, episode: Any) -> None:
    stranger = api_for(make_user("social_worker", team="Elsewhere"))
    assert stranger.get(f"/api/v1/episodes/{episode.pk}/action-plan").status_code == 404
    assert stranger.post(f"/api/v1/episodes/{episode.pk}/return-visits", {}, format="json").status_code == 404
