"""A report through the API reads what it checks once and nothing back (issue 11): the child's
episodes and the police reference in one query, the child's facts once, who conducts the
interview set before the insert (no update after it), and the answer built from the rows the
report wrote. The answer is exactly what reading the episode gives. On PostgreSQL everything
the report reads of the child is one statement, and its writes are six."""

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


def _statements(queries: list[dict[str, Any]]) -> list[str]:
    """The statements of a report: not the test's savepoints around the view, nor the token's
    `last_used_at`, touched at most once a minute."""
    return [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith(
        ("SAVEPOINT", "RELEASE", 'UPDATE "ACCOUNTS_APITOKEN"'))]


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
    # The child's episodes and the reference: one read. The child, with whether the caller may see
    # it, read once for its facts, the routing and the people told.
    assert _tables_read(queries, "episodes_episode") == 1
    assert _tables_read(queries, "children_child") == 1
    # The child's team only with the child, never apart.
    assert not any('FROM "accounts_team"' in q["sql"] and 'FROM "children_child"' not in q["sql"] for q in queries)
    assert not any(q["sql"].lstrip().upper().startswith('UPDATE "EPISODES_EPISODE"') for q in queries)
    if connection.vendor == "postgresql":
        statements = _statements(queries)
        # The token; the child with everything the report reads of it (its legal statuses,
        # placements and episodes, the force and its reference, the team's managers, the contact
        # points, the people with parental responsibility, the exchange partners); then the
        # episode, its three histories together, the chronology with the audit entry and its place
        # on the chain's to-do list, the obligations with their state, and the notifications.
        reads = [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]
        assert len(reads) == 2, reads
        assert all(f'FROM "{table}"' in reads[1] for table in (
            "children_child", "children_legalstatusperiod", "children_placement", "episodes_episode",
            "reference_policeforce", "accounts_user", "notifications_contactpoint", "children_responsibleadult"))
        assert len(statements) == 7, "\n".join(sql[:80] for sql in statements)
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


def test_a_child_the_caller_may_not_see_is_unknown_to_their_report(api_for: Any, make_user: Any,
                                                                   make_child: Any) -> None:
    # A social worker sees their own children: the report's read of the child asks so itself.
    worker = make_user("social_worker", username="sw.reads")
    theirs, other = make_child(allocated_worker="sw.reads"), make_child()
    client = api_for(worker)
    count = Episode.objects.count()
    refused = client.post("/api/v1/episodes", _body(other, "NP-READS-4"), format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "child"
    assert "No child with this id is known to you." in str(refused.json()["errors"][0])
    assert Episode.objects.count() == count
    # The force by its name, not its code: resolved apart, the rest as read with the child.
    created = client.post("/api/v1/episodes", _body(theirs, "NP-READS-5", police_force="Northamptonshire Police"),
                          format="json")
    assert created.status_code == 201, created.content
    assert created.json()["police_force"] == "northamptonshire"
    assert created.json() == client.get(f"/api/v1/episodes/{created.json()['id']}").json()
