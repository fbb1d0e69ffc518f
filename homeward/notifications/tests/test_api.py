"""`GET /api/v1/episodes/{id}/notifications`: every notification the episode caused, for
those who may see the episode; 404 for everyone else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from homeward.notifications.services import notifications_for_event

from .conftest import TEAM, london

pytestmark = pytest.mark.django_db


@pytest.fixture
def episode(contacts: dict[str, Any], people: dict[str, Any], make_child: Callable[..., Any],
            report: Callable[..., Any], find: Callable[..., Any]) -> Any:
    child = make_child(placement={"authority": "203"}, allocated_worker="sam", team=TEAM, iro="ida")
    episode = find(report(child, london(2025, 3, 12, 11, 0)), london(2025, 3, 12, 15, 0))
    notifications_for_event(episode=episode, event="reported")
    notifications_for_event(episode=episode, event="returned")
    return episode


def test_lists_every_notification_of_the_episode(api: Any, episode: Any) -> None:
    response = api.get(f"/api/v1/episodes/{episode.pk}/notifications")
    assert response.status_code == 200, response.content
    rows = response.json()["notifications"]
    assert [(r["recipient_role"], r["status"]) for r in rows] == [
        ("allocated_social_worker", "queued"), ("team_manager", "queued"), ("mct", "queued"),
        ("host_authority", "failed"),
        ("allocated_social_worker", "queued"), ("team_manager", "queued"), ("mct", "queued"),
        ("host_authority", "failed"), ("iro", "queued"), ("police", "queued"),
    ]
    first = rows[0]
    assert {"recipient_role", "recipient", "channel", "reason", "created_at", "status", "attempts",
            "sent_at"} <= set(first)
    assert first["recipient"] == "Sam Example"
    assert first["channel"] == "email"
    assert first["reason"] == "Allocated social worker: the child was reported missing"
    assert first["event"] == "reported" and first["attempts"] == 0 and first["sent_at"] is None
    assert "Greenwich (203)" in rows[3]["last_error"]


def test_the_allocated_worker_sees_them_too(api_for: Callable[[Any], Any], people: dict[str, Any],
                                            episode: Any) -> None:
    response = api_for(people["worker"]).get(f"/api/v1/episodes/{episode.pk}/notifications")
    assert response.status_code == 200
    assert len(response.json()["notifications"]) == 10


def test_someone_who_may_not_see_the_episode_gets_404(
    api_for: Callable[[Any], Any], person: Callable[..., Any], episode: Any
) -> None:
    outsider = person("social_worker", "otto", team="Another Team")
    assert api_for(outsider).get(f"/api/v1/episodes/{episode.pk}/notifications").status_code == 404


def test_an_unknown_episode_is_404(api: Any) -> None:
    assert api.get("/api/v1/episodes/999999/notifications").status_code == 404


def test_signing_in_is_required(episode: Any) -> None:
    from rest_framework.test import APIClient

    assert APIClient().get(f"/api/v1/episodes/{episode.pk}/notifications").status_code in (401, 403)
