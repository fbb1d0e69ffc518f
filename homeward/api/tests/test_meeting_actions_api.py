"""Strategy meeting actions through the API: listed with their ids, marked done once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from homeward.audit.models import AuditEntry
from homeward.casework.episodes import episode_report

pytestmark = pytest.mark.django_db


def iso(hours_ago: float) -> str:
    return (timezone.now() - timedelta(hours=hours_ago)).replace(microsecond=0).isoformat()


@pytest.fixture
def episode(coordinator: Any, make_child: Any) -> Any:
    return episode_report(actor=coordinator, child=make_child(), reported_at=timezone.now() - timedelta(hours=20),
                          reported_by="police", classification="missing").episode


@pytest.fixture
def meeting(api: Any, episode: Any, make_user: Any) -> dict[str, Any]:
    make_user("police_liaison", username="pc.rowe")
    response = api.post(f"/api/v1/episodes/{episode.pk}/strategy-meetings", {
        "held_at": iso(10), "kind": "missing_strategy", "attendees": ["Priya Shah", "PC Rowe"],
        "actions": [{"owner": "pc.rowe", "description": "Visit the address", "due": "2026-12-01"},
                    {"owner": "Registered manager", "description": "Search the room"}],
    }, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def _done_path(episode: Any, meeting: dict[str, Any], index: int) -> str:
    return (f"/api/v1/episodes/{episode.pk}/strategy-meetings/{meeting['id']}"
            f"/actions/{meeting['actions'][index]['id']}/done")


def test_a_recorded_meeting_answers_each_action_with_its_id_owner_and_state(meeting: dict[str, Any]) -> None:
    first, second = meeting["actions"]
    assert first["owner"] == "pc.rowe" and first["owner_user"] == "pc.rowe" and first["done_at"] is None
    assert second["owner_user"] is None and second["note"] == "" and second["done_by"] is None


def test_mark_an_action_done_then_list_the_meetings(api: Any, episode: Any, meeting: dict[str, Any]) -> None:
    done_at = iso(2)
    response = api.post(_done_path(episode, meeting, 1), {"done_at": done_at, "note": "Nothing found"},
                        format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == meeting["actions"][1]["id"]
    assert body["done_by"] == "coord" and body["note"] == "Nothing found"
    assert timezone.datetime.fromisoformat(body["done_at"]) == timezone.datetime.fromisoformat(done_at)
    assert AuditEntry.objects.filter(object_type="meeting_action", action="update", channel="api",
                                     child_id=episode.child_id).exists()

    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    listed = api.get(f"/api/v1/episodes/{episode.pk}/strategy-meetings")
    assert listed.status_code == 200
    # Reading the meetings is reading the child's record.
    assert AuditEntry.objects.filter(id__gt=last, action="view", child_id=episode.child_id, channel="api").exists()
    [only] = listed.json()
    assert only["id"] == meeting["id"]
    assert [a["done_by"] for a in only["actions"]] == [None, "coord"]


def test_bad_input_is_a_problem_naming_the_field(api: Any, episode: Any, meeting: dict[str, Any]) -> None:
    path = _done_path(episode, meeting, 1)
    missing = api.post(path, {}, format="json")
    assert missing.status_code == 400
    assert missing["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in missing.json()["errors"]] == ["done_at"]
    future = api.post(path, {"done_at": iso(-3)}, format="json")
    assert future.status_code == 400 and future.json()["errors"][0]["field"] == "done_at"
    assert api.post(path, {"done_at": iso(1)}, format="json").status_code == 200
    again = api.post(path, {"done_at": iso(1)}, format="json")
    assert again.status_code == 400 and again.json()["errors"][0]["field"] == "action"


def test_police_mark_their_own_action_done_but_not_anothers(
    api_for: Any, episode: Any, meeting: dict[str, Any],
) -> None:
    from homeward.accounts.models import User

    police = api_for(User.objects.get(username="pc.rowe"))
    assert police.post(_done_path(episode, meeting, 1), {"done_at": iso(1)}, format="json").status_code == 403
    assert police.post(_done_path(episode, meeting, 0), {"done_at": iso(1)}, format="json").status_code == 200


def test_an_action_of_another_episode_or_an_unseen_child_is_not_found(
    api: Any, api_for: Any, episode: Any, meeting: dict[str, Any], make_user: Any,
) -> None:
    wrong = (f"/api/v1/episodes/{episode.pk + 1000}/strategy-meetings/{meeting['id']}"
             f"/actions/{meeting['actions'][0]['id']}/done")
    assert api.post(wrong, {"done_at": iso(1)}, format="json").status_code == 404
    outsider = api_for(make_user("social_worker", team="Another Team"))
    assert outsider.post(_done_path(episode, meeting, 1), {"done_at": iso(1)}, format="json").status_code == 404
    assert outsider.get(f"/api/v1/episodes/{episode.pk}/strategy-meetings").status_code == 404


def test_the_openapi_schema_documents_the_endpoint(api: Any) -> None:
    schema = api.get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    path = schema["paths"]["/api/v1/episodes/{episode_id}/strategy-meetings/{meeting_id}/actions/{action_id}/done"]
    operation = path["post"]
    assert operation["operationId"] == "episode_strategy_meeting_action_done"
    request = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert request.endswith("/MeetingActionDoneRequest")
    assert "get" in schema["paths"]["/api/v1/episodes/{episode_id}/strategy-meetings"]


# Every role against the two endpoints: rows of the permission matrix (tests/test_permission_matrix.py:
# "strategy meetings", "meeting action done", "meeting action done by its owner").
