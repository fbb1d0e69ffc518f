"""`GET /api/v1/episodes/{id}/obligations`: asked about now it reads the stored rows (ADR 0011),
asked about another instant it runs the engine on the facts known then; both answers are the
engine's, and neither writes (issue 11)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from homeward.episodes.models import Episode
from homeward.obligations.models import EpisodeObligationState, StoredObligation
from homeward.obligations.services import episode_obligations_evaluate
from homeward.protocol import obligation_to_dict
from homeward.protocol.explain import explain

pytestmark = pytest.mark.django_db


def iso(hours_ago: float) -> str:
    return (timezone.now() - timedelta(hours=hours_ago)).replace(microsecond=0).isoformat()


def engine_answer(episode_id: int, as_of: datetime) -> list[dict[str, Any]]:
    episode = Episode.objects.select_related("child").get(pk=episode_id)
    name = episode.child.known_as or episode.child.given_name
    return [{**obligation_to_dict(o), "explanation": explain(o, child_name=name)}
            for o in episode_obligations_evaluate(episode, as_of)]


def answer(api: Any, episode_id: int, as_of: str | None = None) -> tuple[datetime, list[dict[str, Any]]]:
    query = f"?as_of={as_of.replace('+', '%2B')}" if as_of else ""
    response = api.get(f"/api/v1/episodes/{episode_id}/obligations{query}")
    assert response.status_code == 200, response.content
    body = response.json()
    return datetime.fromisoformat(body["as_of"]), body["obligations"]


def stored_state(episode_id: int) -> list[tuple[Any, ...]]:
    return list(StoredObligation.objects.filter(episode_id=episode_id).order_by("code", "instance")
                .values_list("code", "instance", "due_at", "done_at", "refreshed_at"))


def test_now_and_another_instant_answer_as_the_engine(api: Any, make_child: Any) -> None:
    child = make_child()
    reported = api.post("/api/v1/episodes", {
        "child": child.pk, "reported_at": iso(50), "last_seen_at": iso(51), "reported_by": "placement_provider",
        "risk_level": "high"}, format="json")
    assert reported.status_code == 201, reported.content
    episode_id = int(reported.json()["id"])
    post = lambda path, body: api.post(f"/api/v1/episodes/{episode_id}/{path}", body, format="json")  # noqa: E731
    for step in (
        lambda: post("actions", {"action": "manager_informed", "at": iso(49)}),
        lambda: post("risk-gradings", {"risk_level": "medium", "graded_at": iso(40)}),
        lambda: post("found", {"found_at": iso(30), "found_location": "Bus station"}),
        lambda: post("actions", {"action": "carer_update", "at": iso(20)}),
    ):
        as_of, obligations = answer(api, episode_id)
        assert obligations and obligations == engine_answer(episode_id, as_of)
        response = step()
        assert response.status_code in (200, 201), response.content
    as_of, obligations = answer(api, episode_id)
    assert obligations == engine_answer(episode_id, as_of)
    assert {o["code"] for o in obligations} >= {"manager_informed", "rhi_offered"}
    # Another instant: what was owed before the return, from the facts known then.
    before = stored_state(episode_id)
    earlier, obligations = answer(api, episode_id, iso(35))
    assert obligations == engine_answer(episode_id, earlier)
    assert "rhi_offered" not in {o["code"] for o in obligations}
    assert stored_state(episode_id) == before


def test_an_episode_beyond_its_stored_horizon_is_worked_out_and_not_written(api: Any, make_child: Any) -> None:
    child = make_child()
    reported = api.post("/api/v1/episodes", {
        "child": child.pk, "reported_at": iso(30), "last_seen_at": iso(31), "reported_by": "placement_provider",
        "risk_level": "medium"}, format="json")
    episode_id = int(reported.json()["id"])
    # The worker has not renewed the stored rows: they are exact only until an hour ago.
    EpisodeObligationState.objects.filter(episode_id=episode_id).update(
        exact_until=timezone.now() - timedelta(hours=1))
    before = stored_state(episode_id)
    as_of, obligations = answer(api, episode_id)
    assert obligations and obligations == engine_answer(episode_id, as_of)
    assert stored_state(episode_id) == before
