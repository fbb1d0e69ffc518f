"""Seed 000's journey through the API: a looked-after child placed in a neighbouring
authority goes missing, a strategy meeting is held, the child is found, and the return
interview is allocated, offered, recorded, authorised and shared; obligations follow."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from homeward.episodes.models import Episode
from homeward.obligations.models import StoredObligation
from homeward.obligations.selectors import stored_status
from homeward.obligations.services import episode_obligations_evaluate, obligations_refresh_due

pytestmark = pytest.mark.django_db


def at(hours_ago: float) -> datetime:
    return (timezone.now() - timedelta(hours=hours_ago)).replace(microsecond=0)


def iso(hours_ago: float) -> str:
    return at(hours_ago).isoformat()


def obligations(api: Any, episode_id: int, as_of: str | None = None) -> dict[str, dict[str, Any]]:
    query = f"?as_of={as_of.replace('+', '%2B')}" if as_of else ""
    response = api.get(f"/api/v1/episodes/{episode_id}/obligations{query}")
    assert response.status_code == 200, response.content
    return {f"{o['code']}#{o['instance']}": o for o in response.json()["obligations"]}


def assert_store_matches_engine(episode_id: int) -> None:
    """Stored rows are what the engine says now: same codes, instances, times, statuses."""
    episode = Episode.objects.get(pk=episode_id)
    now = timezone.now()
    engine = {(o.code, o.instance): o for o in episode_obligations_evaluate(episode, now)}
    # Stored rows run ahead (the next fortnight's carer updates); those listed by now are the engine's.
    stored = {(r.code, r.instance): r for r in StoredObligation.objects.filter(episode=episode, listed_from__lte=now)}
    assert set(stored) == set(engine)
    for key, row in stored.items():
        assert (row.arises_at, row.due_at) == (engine[key].arises_at, engine[key].due_at), key
        assert stored_status(row, now) == engine[key].status, key


@pytest.fixture
def practitioner(make_user: Any) -> Any:
    return make_user("rhi_practitioner", organisation="Safe Return (commissioned)", username="aisha")


@pytest.fixture
def looked_after_child(make_child: Any, make_user: Any) -> Any:
    make_user("iro", username="iro1")
    make_user("social_worker", team="Children in Care North", username="sw1")
    return make_child(placement={"authority": "855", "provider": "Oakfield House"}, iro="iro1",
                      allocated_worker="sw1", team="Children in Care North")


def report(api: Any, child: Any, hours_ago: float = 60) -> int:
    response = api.post("/api/v1/episodes", {
        "child": child.pk, "reported_at": iso(hours_ago - 1), "last_seen_at": iso(hours_ago),
        "reported_by": "placement_provider", "classification": "missing", "risk_level": "medium",
    }, format="json")
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def test_the_whole_episode(api: Any, looked_after_child: Any, practitioner: Any) -> None:
    episode_id = report(api, looked_after_child)
    before = obligations(api, episode_id)
    assert before["strategy_meeting#1"]["status"] == "pending"
    assert before["police_informed#1"]["status"] == "overdue"
    assert before["mct_notified#1"]["status"] == "overdue"  # placed outside the home authority
    assert "senior_escalation#1" in before and before["senior_escalation#1"]["status"] == "upcoming"
    basis = before["strategy_meeting#1"]["basis"]
    assert basis["trigger"] and basis["policy_value"] and "002" in basis["citation"]
    assert_store_matches_engine(episode_id)

    post = lambda path, body: api.post(f"/api/v1/episodes/{episode_id}/{path}", body, format="json")  # noqa: E731
    # Reported 59 hours ago: the police were told after the hour the protocol allows.
    assert post("actions", {"action": "police_informed", "at": iso(57.5), "police_reference": "NP-77",
                            "police_force": "northamptonshire"}).status_code == 201
    assert post("actions", {"action": "mct_notified", "at": iso(57)}).status_code == 201
    meeting = post("strategy-meetings", {
        "held_at": iso(30), "kind": "missing_strategy", "attendees": ["Priya Shah (co-ordinator)", "PC Rowe"],
        "decisions": "Police to check known associates.",
        "actions": [{"owner": "PC Rowe", "description": "Visit the address in Far Cotton", "due": "2026-12-01"}],
    })
    assert meeting.status_code == 201, meeting.content
    assert meeting.json()["actions"][0]["owner"] == "PC Rowe"
    now = obligations(api, episode_id)
    assert now["strategy_meeting#1"]["status"] == "done"
    assert now["police_informed#1"]["status"] == "done" and now["police_informed#1"]["late"] is True
    assert_store_matches_engine(episode_id)

    found = post("found", {"found_at": iso(20), "found_location": "Leicester bus station"})
    assert found.status_code == 200
    after_found = obligations(api, episode_id)
    found_at = datetime.fromisoformat(found.json()["found_at"])
    assert datetime.fromisoformat(after_found["rhi_offered#1"]["due_at"]) == found_at + timedelta(hours=72)
    assert "senior_escalation#1" not in after_found  # found within 72 hours

    assert post("rhi/allocation", {"practitioner": "aisha", "allocated_at": iso(19)}).status_code == 201
    assert post("rhi/offer", {"offered_at": iso(18), "method": "Phone call to the child"}).status_code == 201
    interview = post("rhi/interview", {
        "outcome": "accepted", "conducted_at": iso(10), "method": "face_to_face", "seen_alone": True,
        "push_factors": ["placement_instability"], "pull_factors": ["near_family_and_friends"],
        "wishes_and_feelings": "Wants to see her sister more.", "reasons": "Missed her family.",
    })
    assert interview.status_code == 201, interview.content
    assert post("rhi/sharing", {"shared_at": iso(9), "recipients": ["police"]}).status_code == 400
    concern = post("rhi/sharing", {"shared_at": iso(9), "recipients": ["police"], "safeguarding_concern": True})
    assert concern.status_code == 201
    assert post("rhi/authorisation", {"authorised_at": iso(5), "recommendations": "Contact plan."}).status_code == 201
    shared = post("rhi/sharing", {"shared_at": iso(4), "recipients": ["police", "social_worker", "iro"]})
    assert shared.status_code == 201
    assert shared.json()["stage"] == "shared"
    final = obligations(api, episode_id)
    assert final["rhi_offered#1"]["status"] == "done" and final["rhi_offered#1"]["late"] is False
    assert final["rhi_shared#1"]["status"] == "done"
    assert final["plan_updated#1"]["status"] == "pending"
    assert_store_matches_engine(episode_id)

    refused = post("close", {"closed_at": iso(1)})
    assert refused.status_code == 400
    assert "not done" in refused.json()["errors"][0]["message"]
    for action in ("risk_analysis", "manager_informed", "parental_responsibility_informed", "safe_and_well_check",
                   "iro_informed", "plan_updated", "carer_update"):
        assert post("actions", {"action": action, "at": iso(2)}).status_code == 201
    # The missing child action plan (from the report) and the social worker's visit after the
    # return, with those with parental responsibility told of it (issue 15).
    assert post("action-plan", {
        "agreed_at": iso(55), "contact_by": "sw1", "contact_how": "Texts every evening", "family_told": "All news",
        "family_how_often": "Daily", "return_who_sees": "The carer", "return_interviewer": "aisha"}).status_code == 201
    assert post("return-visits", {
        "visited_at": iso(3), "visited_by": "sw1", "discussed_episode": "Where she went", "prevention": "Contact plan",
        "outcome": "Settled", "parental_responsibility_informed_at": iso(2.5),
        "parental_responsibility_informed": "Her mother, by phone"}).status_code == 201
    # Each daily carer update counts only inside its own day: the days that passed without one
    # are missed (kept, counted, never blocking the close); nothing else is outstanding.
    after = obligations(api, episode_id).values()
    assert [o for o in after if o["status"] in ("pending", "overdue")] == []
    assert {o["code"] for o in after if o["status"] == "missed"} == {"carer_update"}
    closed = post("close", {"closed_at": iso(1), "note": "Follow-up complete."})
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == "closed"


def test_obligations_as_of_a_past_instant(api: Any, looked_after_child: Any) -> None:
    episode_id = report(api, looked_after_child, hours_ago=80)
    early = obligations(api, episode_id, as_of=iso(79))
    assert early["strategy_meeting#1"]["status"] == "pending"
    late = obligations(api, episode_id)
    assert late["strategy_meeting#1"]["status"] == "overdue"
    assert late["senior_escalation#1"]["status"] == "pending"


def test_worklist_lists_overdue_items_of_visible_episodes(api: Any, api_for: Any, make_user: Any,
                                                         looked_after_child: Any) -> None:
    episode_id = report(api, looked_after_child)
    response = api.get("/api/v1/worklist?status=overdue")
    assert response.status_code == 200
    codes = {(item["episode"], item["code"]) for item in response.json()["results"]}
    assert (episode_id, "police_informed") in codes
    assert all(item["status"] == "overdue" for item in response.json()["results"])
    other_team = api_for(make_user("social_worker", team="Assessment and Intervention"))
    assert other_team.get("/api/v1/worklist").json()["count"] == 0
    assert api.get("/api/v1/worklist?status=late").status_code == 400


def test_the_next_carer_update_is_listed_when_its_day_comes_without_any_write(
        looked_after_child: Any, coordinator: Any) -> None:
    """Reads never write (ADR 0011): the fortnight's daily updates are stored ahead, each listed
    from its own day; the worker renews the horizon before it runs out."""
    from homeward.casework.episodes import episode_report

    episode = episode_report(actor=coordinator, child=looked_after_child, reported_at=at(20), last_seen_at=at(23),
                             reported_by="placement_provider").episode
    now = timezone.now()
    listed = StoredObligation.objects.filter(episode=episode, code="carer_update", listed_from__lte=now)
    assert listed.count() == 1
    later = now + timedelta(hours=2)
    assert StoredObligation.objects.filter(episode=episode, code="carer_update", listed_from__lte=later).count() == 2
    assert obligations_refresh_due(now=later) == 0
    assert obligations_refresh_due(now=now + timedelta(days=8)) >= 1
    assert StoredObligation.objects.filter(episode=episode, code="carer_update").count() > 15


def test_rhi_steps_in_the_wrong_order_are_refused(api: Any, looked_after_child: Any, practitioner: Any,
                                                  api_for: Any, make_user: Any) -> None:
    episode_id = report(api, looked_after_child)
    post = lambda path, body, client=api: client.post(  # noqa: E731
        f"/api/v1/episodes/{episode_id}/{path}", body, format="json")
    early = post("rhi/offer", {"offered_at": iso(1), "method": "Visit"})
    assert early.status_code == 400 and early.json()["errors"][0]["field"] == "episode"
    post("found", {"found_at": iso(5)})
    provider = make_user("placement_provider", username="carer1")
    wrong = post("rhi/allocation", {"practitioner": provider.username, "allocated_at": iso(4)})
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["field"] == "practitioner"
    assert post("rhi/interview", {"outcome": "accepted", "conducted_at": iso(2)}).json()["errors"][0]["field"] == \
        "offered_at"
    assert post("rhi/allocation", {"practitioner": "aisha", "allocated_at": iso(4)}).status_code == 201
    someone_else = api_for(make_user("rhi_practitioner", username="other"))
    assert post("rhi/offer", {"offered_at": iso(3), "method": "Visit"}, someone_else).status_code == 404
    mine = api_for(practitioner)
    assert post("rhi/offer", {"offered_at": iso(3), "method": "Visit"}, mine).status_code == 201
    bad_codes = post("rhi/interview", {"outcome": "accepted", "conducted_at": iso(2), "method": "phone",
                                       "seen_alone": True, "push_factors": ["not-a-factor"]}, mine)
    assert bad_codes.status_code == 400
    assert {e["field"] for e in bad_codes.json()["errors"]} == {"carer_observations", "push_factors"}
    assert post("rhi/authorisation", {"authorised_at": iso(1)}, mine).status_code == 403


def test_codes_lists(api: Any) -> None:
    push = api.get("/api/v1/codes/push_factors").json()
    assert len(push) == 12 and {"code", "label"} <= set(push[0])
    authorities = {a["code"]: a["label"] for a in api.get("/api/v1/codes/authorities").json()}
    assert authorities["941"] == "West Northamptonshire"
    assert api.get("/api/v1/codes/nonsense").status_code == 404
