"""A report through the API reads what it checks once and nothing back (issue 11): the child's
episodes and the police reference in one query, the child's facts once, who conducts the
interview set before the insert (no update after it), and the answer built from the rows the
report wrote. The answer is exactly what reading the episode gives."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from homeward.casework.routing import episode_rhi_routing
from homeward.episodes.models import Episode

pytestmark = pytest.mark.django_db


def _body(child: Any, reference: str, hours: float = 3, **more: Any) -> dict[str, Any]:
    now = timezone.now()
    return {"child": child.pk, "reported_at": (now - timedelta(hours=hours)).isoformat(), "reported_by": "police",
            "last_seen_at": (now - timedelta(hours=hours + 2)).isoformat(), "location_last_seen": "Abington Park",
            "missing_from": "care", "classification": "missing", "risk_level": "medium",
            "police_force": "northamptonshire", "police_reference": reference, **more}


def _tables_read(queries: list[dict[str, Any]], table: str) -> int:
    return sum(1 for q in queries if q["sql"].lstrip().upper().startswith("SELECT") and f'FROM "{table}"' in q["sql"])


@pytest.mark.parametrize("placement", [None, {"authority": "941", "provider": "Oakfield"}])
def test_the_answer_is_built_from_what_the_report_wrote_and_equals_a_read(api: Any, make_child: Any,
                                                                          placement: Any) -> None:
    child = make_child(legal_status="looked_after", **({"placement": placement} if placement else {}))
    with CaptureQueriesContext(connection) as seen:
        response = api.post("/api/v1/episodes", _body(child, "NP-READS-1"), format="json")
    assert response.status_code == 201, response.content
    queries = seen.captured_queries
    # Nothing of the new episode is read back: not the episode, its histories or its interview.
    for table in ("episodes_classificationchange", "episodes_riskgrading", "episodes_whereaboutschange",
                  "interviews_returninterview", "notifications_notification"):
        assert _tables_read(queries, table) == 0, table
    # The child's episodes and the reference: one read. The child: whether the caller may see it,
    # then the child as it stands, once for its facts, the routing and the people told.
    assert _tables_read(queries, "episodes_episode") == 1
    assert _tables_read(queries, "children_child") == 2
    assert _tables_read(queries, "accounts_team") == 0
    assert not any(q["sql"].lstrip().upper().startswith('UPDATE "EPISODES_EPISODE"') for q in queries)
    answer = response.json()
    assert answer == api.get(f"/api/v1/episodes/{answer['id']}").json()
    episode = Episode.objects.select_related("child", "rhi_authority").get(pk=answer["id"])
    routing = episode_rhi_routing(episode)
    assert (episode.rhi_authority.code, episode.rhi_out_of_area, episode.rhi_neighbouring, episode.rhi_chargeable) \
        == (routing.authority, routing.out_of_area, routing.neighbouring, routing.chargeable)


def test_the_reference_and_the_child_s_own_episodes_are_still_checked(api: Any, make_child: Any) -> None:
    first, second = make_child(), make_child()
    created = api.post("/api/v1/episodes", _body(first, "NP-READS-2"), format="json")
    assert created.status_code == 201
    again = api.post("/api/v1/episodes", _body(second, "NP-READS-2"), format="json")
    assert again.status_code == 200, "the same notification twice is the first episode"
    assert again.json()["id"] == created.json()["id"]
    # The child is missing already: refused, naming the field, nothing stored.
    count = Episode.objects.count()
    refused = api.post("/api/v1/episodes", _body(first, "NP-READS-3", hours=1), format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "child"
    assert Episode.objects.count() == count
