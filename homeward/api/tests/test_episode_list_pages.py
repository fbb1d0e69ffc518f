"""`GET /api/v1/episodes` counts its list in the page's own statement: the same queries whether
the list has one page or many (issue 11), and the same answer as before."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from homeward.api.v1.episodes import CURSOR_PATTERN
from homeward.casework.episodes import episode_record_found, episode_report

pytestmark = pytest.mark.django_db


def test_one_page_or_many_the_same_queries_and_counts(api: Any, make_child: Any) -> None:
    actor = get_user_model().objects.get(username="coord")
    for n, hours in enumerate((30, 20, 10)):
        episode = episode_report(actor=actor, child=make_child(given_name=f"C{n}"),
                                 reported_at=timezone.now() - timedelta(hours=hours), reported_by="police").episode
        episode_record_found(actor=actor, episode=episode, found_at=timezone.now() - timedelta(hours=hours - 1))

    def read(query: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with CaptureQueriesContext(connection) as captured:
            response = api.get("/api/v1/episodes", query)
        assert response.status_code == 200
        return len(captured.captured_queries), response.json()

    read({})  # the client's first request reads more (its token's user): not the list's own
    many_queries, first = read({"page_size": 2})
    one_queries, whole = read({"page_size": 5})
    assert many_queries == one_queries
    assert (first["count"], first["count_capped"], len(first["results"])) == (3, False, 2)
    assert first["next"] and not first["previous"]
    assert (whole["count"], whole["next"], len(whole["results"])) == (3, None, 3)
    assert [e["id"] for e in first["results"]] == [e["id"] for e in whole["results"]][:2]
    second_queries, second = read({"page_size": 2, "page": 2})
    assert second_queries == one_queries
    assert (second["count"], second["next"], [e["id"] for e in second["results"]]) == (
        3, None, [whole["results"][2]["id"]])


def test_the_cursor_walks_the_list_as_the_page_numbers_do(api: Any, make_child: Any) -> None:
    actor = get_user_model().objects.get(username="coord")
    reported = timezone.now() - timedelta(hours=30)
    for n in range(5):
        # Two episodes start at one instant: the cursor tells them apart by id.
        episode = episode_report(actor=actor, child=make_child(given_name=f"C{n}"),
                                 reported_at=reported - timedelta(hours=n // 2), reported_by="police").episode
        episode_record_found(actor=actor, episode=episode, found_at=timezone.now() - timedelta(hours=1))
    by_number = [e["id"] for page in (1, 2, 3)
                 for e in api.get("/api/v1/episodes", {"page_size": 2, "page": page}).json()["results"]]
    first = api.get("/api/v1/episodes", {"page_size": 2}).json()
    assert first["next_cursor"]
    by_cursor, answer = [e["id"] for e in first["results"]], first
    while answer["next_cursor"]:
        response = api.get("/api/v1/episodes", {"page_size": 2, "after": answer["next_cursor"]})
        assert response.status_code == 200
        answer = response.json()
        assert answer["count"] == 5 and answer["previous"] is None
        assert answer["next"] is None or "after=" in answer["next"]
        by_cursor += [e["id"] for e in answer["results"]]
    assert by_cursor == by_number and len(set(by_cursor)) == 5
    assert api.get("/api/v1/episodes", {"page_size": 5}).json()["next_cursor"] is None
    assert re.fullmatch(CURSOR_PATTERN, first["next_cursor"])
    for text in ("2026-01-01T00:00:00~x", "0", "1.x", "-5.3", "1.2.3"):
        wrong = api.get("/api/v1/episodes", {"after": text})
        assert wrong.status_code == 400 and "after" in wrong.content.decode(), text
    # Any text of the documented form is a place in the list: before every episode, no page.
    assert api.get("/api/v1/episodes", {"after": "0.1"}).status_code == 404
    assert api.get("/api/v1/episodes", {"after": "99999999999999999.999999999999999999"}).status_code == 200


def test_a_role_that_sees_no_child_gets_an_empty_page(api_for: Any, make_user: Any, make_child: Any) -> None:
    make_child()
    answer = api_for(make_user("auditor")).get("/api/v1/episodes", {"status": "open"})
    assert answer.status_code == 200, answer.content
    assert (answer.json()["count"], answer.json()["results"], answer.json()["next_cursor"]) == (0, [], None)
